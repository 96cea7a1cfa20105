//! The admin path (`/_sandbox`, bearer token required, not rate limited): bases, faults,
//! counters, iterator expiry, expiring a webhook now (instead of waiting 7 days), and deleting a
//! field (a person can in Airtable's UI; the API cannot).

use super::app::{bearer, parse_body, table_index, SharedApp};
use super::errors::ApiError;
use super::fields::FieldOptions;
use super::model::TableSpec;
use super::seed::create_seeded;
use crate::faults::FaultSpec;
use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

type Answer = Result<Json<Value>, ApiError>;

/// Admin requests need one of the sandbox's tokens too.
pub async fn admin_gate(State(app): State<SharedApp>, req: Request, next: Next) -> Response {
    if bearer(req.headers()).and_then(|t| app.token_label(t)).is_none() {
        return ApiError::authentication_required().into_response();
    }
    next.run(req).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewBase {
    name: String,
    /// Tables to create in it, as `POST /v0/meta/bases/{baseId}/tables` bodies.
    #[serde(default)]
    tables: Vec<TableSpec>,
}

pub async fn create_base(State(app): State<SharedApp>, body: Bytes) -> Answer {
    let req: NewBase = parse_body(&body)?;
    let id = create_seeded(&app, req.name.trim(), &req.tables)?;
    Ok(Json(json!({ "id": id })))
}

pub async fn list_bases(State(app): State<SharedApp>) -> Json<Value> {
    let bases: Vec<Value> = app
        .lock()
        .store
        .list()
        .into_iter()
        .map(|(id, name)| json!({ "id": id, "name": name }))
        .collect();
    Json(json!({ "bases": bases }))
}

pub async fn add_fault(State(app): State<SharedApp>, body: Bytes) -> Answer {
    let spec: FaultSpec = parse_body(&body)?;
    app.lock().faults.add(spec).map_err(ApiError::invalid_request)?;
    Ok(Json(json!({})))
}

pub async fn clear_faults(State(app): State<SharedApp>) -> Json<Value> {
    app.lock().faults.clear();
    Json(json!({}))
}

pub async fn counters(State(app): State<SharedApp>) -> Json<Value> {
    Json(serde_json::to_value(&app.lock().counters).unwrap_or_default())
}

pub async fn reset_counters(State(app): State<SharedApp>) -> Json<Value> {
    app.lock().counters.reset();
    Json(json!({}))
}

pub async fn expire_iterators(State(app): State<SharedApp>) -> Json<Value> {
    app.lock().iterators.expire_all();
    Json(json!({}))
}

/// Deletes a field (by id or name) and its values; the primary field cannot go. A link's inverse
/// stays, as a one-way link.
pub async fn delete_field(
    State(app): State<SharedApp>,
    Path((base_id, table, field)): Path<(String, String, String)>,
) -> Answer {
    let mut inner = app.lock();
    inner.change_base(&base_id, |base| {
        let t = table_index(base, &table)?;
        let fi = base.tables[t]
            .field_index(&field)
            .ok_or_else(|| ApiError::unknown_field(&field))?;
        let field_id = base.tables[t].fields[fi].id.clone();
        if field_id == base.tables[t].primary_field_id {
            return Err(ApiError::invalid_request("the primary field cannot be deleted"));
        }
        let removed = base.tables[t].fields.remove(fi);
        base.tables[t].records.iter_mut().for_each(|r| {
            r.cells.remove(&field_id);
        });
        for other in base.tables.iter_mut().flat_map(|t| t.fields.iter_mut()) {
            if let FieldOptions::Link {
                inverse_link_field_id, ..
            } = &mut other.options
            {
                if inverse_link_field_id.as_deref() == Some(field_id.as_str()) {
                    *inverse_link_field_id = None;
                }
            }
        }
        Ok(Json(json!({ "id": removed.id, "name": removed.name, "deleted": true })))
    })
}

/// Makes a webhook expire now, as if it had not been refreshed for 7 days.
pub async fn expire_webhook(State(app): State<SharedApp>, Path((base_id, hook_id)): Path<(String, String)>) -> Answer {
    let mut inner = app.lock();
    let now = inner.clock.now();
    inner.change_base(&base_id, |base| {
        let hook = base
            .webhooks
            .iter_mut()
            .find(|h| h.id == hook_id)
            .ok_or_else(ApiError::not_found)?;
        hook.expiration_time = now;
        Ok(Json(json!({ "id": hook.id, "expired": true })))
    })
}
