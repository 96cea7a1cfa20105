//! The webhook routes (shapes in the module doc of [`super`]).

use super::super::app::{parse_body, server_error, SharedApp};
use super::super::cells::format_date_time;
use super::super::errors::ApiError;
use super::super::ids::{new_id, IdKind};
use super::payloads::page;
use super::spec::Specification;
use super::{expiry_from, Webhook, MAX_PAYLOADS_PER_PAGE, MAX_PER_BASE};
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use rand::RngCore;
use serde::Deserialize;
use serde_json::{json, Value};

type Answer = Result<Json<Value>, ApiError>;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NewWebhook {
    #[serde(default)]
    notification_url: Option<String>,
    specification: Specification,
}

/// The error for an 11th webhook. *Unverified*: the type is the one clients of the real service
/// look for; the status and message are the sandbox's.
fn too_many() -> ApiError {
    ApiError::typed(
        StatusCode::UNPROCESSABLE_ENTITY,
        "TOO_MANY_WEBHOOKS_IN_BASE",
        format!("A base can have at most {MAX_PER_BASE} webhooks; delete one first"),
    )
}

/// An `http(s)` URL with a host; loopback is allowed (the sandbox is a loopback tool).
fn check_url(url: &str) -> Result<(), ApiError> {
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| ApiError::invalid_request(format!("notificationUrl is not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none_or(str::is_empty) {
        return Err(ApiError::invalid_request(
            "notificationUrl must be an http or https URL",
        ));
    }
    Ok(())
}

fn new_secret() -> String {
    let mut key = [0u8; 32];
    rand::rng().fill_bytes(&mut key);
    base64::engine::general_purpose::STANDARD.encode(key)
}

pub async fn create(State(app): State<SharedApp>, Path(base_id): Path<String>, body: Bytes) -> Answer {
    let req: NewWebhook = parse_body(&body)?;
    if let Some(url) = &req.notification_url {
        check_url(url)?;
    }
    let mut inner = app.lock();
    let now = inner.clock.now();
    inner.change_base(&base_id, |base| {
        req.specification.validate(base)?;
        if base.webhooks.len() >= MAX_PER_BASE {
            return Err(too_many());
        }
        let hook = Webhook {
            id: new_id(IdKind::Webhook),
            mac_secret_base64: new_secret(),
            notification_url: req.notification_url,
            specification: req.specification,
            are_notifications_enabled: true,
            created_time: now,
            expiration_time: expiry_from(now),
            cursor_for_next_payload: 1,
            payloads: Vec::new(),
            last_notification_result: None,
            last_successful_notification_time: None,
        };
        let answer = json!({
            "id": hook.id,
            "macSecretBase64": hook.mac_secret_base64,
            "expirationTime": format_date_time(hook.expiration_time),
        });
        tracing::debug!(message = "Webhook created.", base = %base.id, webhook = %hook.id);
        base.webhooks.push(hook);
        Ok(Json(answer))
    })
}

/// A webhook as listed (never its secret).
pub fn listed(hook: &Webhook, now: chrono::DateTime<chrono::Utc>) -> Value {
    let live = hook.is_live(now);
    json!({
        "id": hook.id,
        "areNotificationsEnabled": hook.are_notifications_enabled && live,
        "cursorForNextPayload": hook.cursor_for_next_payload,
        "isHookEnabled": live,
        "lastSuccessfulNotificationTime": hook.last_successful_notification_time.map(format_date_time),
        "notificationUrl": hook.notification_url,
        "expirationTime": format_date_time(hook.expiration_time),
        "lastNotificationResult": hook.last_notification_result,
        "specification": hook.specification,
    })
}

pub async fn list(State(app): State<SharedApp>, Path(base_id): Path<String>) -> Answer {
    let inner = app.lock();
    let now = inner.clock.now();
    let base = inner.base(&base_id)?;
    let hooks: Vec<Value> = base.webhooks.iter().map(|h| listed(h, now)).collect();
    Ok(Json(json!({ "webhooks": hooks })))
}

fn hook_index(base: &super::super::store::Base, hook_id: &str) -> Result<usize, ApiError> {
    base.webhooks
        .iter()
        .position(|h| h.id == hook_id)
        .ok_or_else(ApiError::not_found)
}

pub async fn refresh(State(app): State<SharedApp>, Path((base_id, hook_id)): Path<(String, String)>) -> Answer {
    let mut inner = app.lock();
    let now = inner.clock.now();
    inner.change_base(&base_id, |base| {
        let i = hook_index(base, &hook_id)?;
        let hook = &mut base.webhooks[i];
        if !hook.is_live(now) {
            // Unverified: what Airtable answers for an expired webhook (see the module doc).
            return Err(ApiError::invalid_request(
                "the webhook has expired and is disabled; delete it and create a new one",
            ));
        }
        hook.expiration_time = expiry_from(now);
        Ok(Json(
            json!({ "expirationTime": format_date_time(hook.expiration_time) }),
        ))
    })
}

pub async fn delete(
    State(app): State<SharedApp>,
    Path((base_id, hook_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let mut inner = app.lock();
    inner.change_base(&base_id, |base| {
        let i = hook_index(base, &hook_id)?;
        base.webhooks.remove(i);
        Ok(())
    })?;
    inner.pings.forget(&base_id, &hook_id);
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Enable {
    enable: bool,
}

pub async fn enable_notifications(
    State(app): State<SharedApp>,
    Path((base_id, hook_id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let req: Enable = parse_body(&body)?;
    let mut inner = app.lock();
    inner.change_base(&base_id, |base| {
        let i = hook_index(base, &hook_id)?;
        base.webhooks[i].are_notifications_enabled = req.enable;
        Ok(())
    })?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `cursor` (a positive integer, default 1) and `limit` (1 to 50, default 50).
fn page_params(query: &str) -> Result<(u64, usize), ApiError> {
    let (mut cursor, mut limit) = (1u64, MAX_PAYLOADS_PER_PAGE);
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        match key.as_ref() {
            "cursor" => {
                cursor = value
                    .parse()
                    .ok()
                    .filter(|c| *c >= 1)
                    .ok_or_else(|| ApiError::invalid_request("cursor must be a positive integer"))?;
            }
            "limit" => {
                limit = value
                    .parse()
                    .ok()
                    .filter(|l| (1..=MAX_PAYLOADS_PER_PAGE).contains(l))
                    .ok_or_else(|| {
                        ApiError::invalid_request(format!("limit must be from 1 to {MAX_PAYLOADS_PER_PAGE}"))
                    })?;
            }
            other => return Err(ApiError::invalid_request(format!("unknown parameter {other:?}"))),
        }
    }
    Ok((cursor, limit))
}

/// Lists payloads; on a live webhook this also extends its life, as Airtable documents.
pub async fn list_payloads(
    State(app): State<SharedApp>,
    Path((base_id, hook_id)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> Answer {
    let (cursor, limit) = page_params(q.as_deref().unwrap_or(""))?;
    let mut inner = app.lock();
    let now = inner.clock.now();
    let i = hook_index(inner.base(&base_id)?, &hook_id)?;
    let base = inner.store.base_mut(&base_id).ok_or_else(ApiError::model_not_found)?;
    let hook = &mut base.webhooks[i];
    hook.prune(now);
    if hook.is_live(now) {
        hook.expiration_time = expiry_from(now);
    }
    let p = page(&hook.payloads, cursor, limit, hook.cursor_for_next_payload);
    inner.store.persist(&base_id).map_err(server_error)?;
    Ok(Json(
        json!({ "cursor": p.cursor, "mightHaveMore": p.might_have_more, "payloads": p.payloads }),
    ))
}
