//! Bubble's nudges and Airtable's change notifications.

use super::checks::{is_record_id, refuse};
use super::ServerState;
use crate::airtable::verify_airtable_mac;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

/// What Bubble may send: `{"event":"post.changed","post":"rec..."}` when one post was created,
/// edited or deleted, or `{"event":"schedule.changed"}` for anything else.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "event", deny_unknown_fields)]
pub enum BubbleEvent {
    #[serde(rename = "post.changed")]
    PostChanged { post: String },
    #[serde(rename = "schedule.changed")]
    ScheduleChanged,
    /// A `MediaLibrary` record was created (or its `SourceURL` changed): process it. `platforms`:
    /// the platforms it is meant for (all four when absent).
    #[serde(rename = "media.created", alias = "media.changed")]
    MediaCreated {
        media: String,
        #[serde(default)]
        platforms: Option<Vec<String>>,
    },
}

/// `POST /webhooks/bubble`, behind the bearer guard (`guards::bearer`).
pub(super) async fn bubble(State(state): State<ServerState>, headers: HeaderMap, body: Bytes) -> Response {
    let event: BubbleEvent = match serde_json::from_slice(&body) {
        Ok(e) => e,
        Err(e) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                format!(
                    "the body is not a known event ({e}); send {{\"event\":\"post.changed\",\"post\":\"rec...\"}}, {{\"event\":\"schedule.changed\"}} or {{\"event\":\"media.created\",\"media\":\"rec...\"}}"
                ),
            )
        }
    };
    if let BubbleEvent::MediaCreated { media, platforms } = &event {
        return super::media::media_event(&state, &headers, media, platforms.clone()).await;
    }
    if let BubbleEvent::PostChanged { post } = &event {
        if !is_record_id(post) {
            return refuse(
                StatusCode::BAD_REQUEST,
                format!("\"post\" must be an Airtable record id like recAbC123dEf456gH, not {post:?}"),
            );
        }
    }
    let dedup = headers.get("idempotency-key").and_then(|v| v.to_str().ok());
    let value: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    if let Err(error) = state.journal.inbox_put("bubble", dedup, &value).await {
        tracing::error!(message = "Failed to keep a webhook; answering 503 so that Bubble sends it again.", %error);
        return refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            "the worker cannot store the event now; try again",
        );
    }
    match event {
        BubbleEvent::PostChanged { post } => state.scheduler.nudge_post(&post),
        BubbleEvent::ScheduleChanged => state.scheduler.nudge_all(),
        BubbleEvent::MediaCreated { .. } => {}
    }
    (StatusCode::ACCEPTED, Json(json!({ "accepted": true }))).into_response()
}

/// `POST /webhooks/airtable`, behind the MAC header's guard (`guards::airtable`).
pub(super) async fn airtable(State(state): State<ServerState>, headers: HeaderMap, body: Bytes) -> Response {
    let header = headers.get("x-airtable-content-mac").and_then(|v| v.to_str().ok());
    // The webhook the worker keeps: its own checks, its inbox, its reader.
    if let Some(hook) = &state.airtable_webhook {
        return match hook.accept_ping(header, &body).await {
            Ok(()) => StatusCode::NO_CONTENT.into_response(),
            Err(refusal) => refuse(
                StatusCode::from_u16(refusal.status).unwrap_or(StatusCode::BAD_REQUEST),
                refusal.message,
            ),
        };
    }
    // A webhook made by hand (AIRTABLE_WEBHOOK_MAC_SECRET): a ping means "re-read".
    let Some(secret) = &state.airtable_mac_secret else {
        return refuse(StatusCode::NOT_FOUND, super::guards::AIRTABLE_NOT_CONFIGURED);
    };
    if let Err(why) = verify_airtable_mac(header, secret, &body) {
        return refuse(StatusCode::UNAUTHORIZED, why);
    }
    let value: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, format!("the body is not JSON: {e}")),
    };
    let stamp = match fresh_timestamp(&value, state.scheduler.clock.now(), state.airtable_ping_window) {
        Ok(stamp) => stamp,
        Err(why) => return refuse(StatusCode::BAD_REQUEST, why),
    };
    // The same ping again (a replay inside the window, or Airtable's own retry) is kept once and
    // causes one re-read: its webhook and timestamp name it.
    let webhook = value.pointer("/webhook/id").and_then(|v| v.as_str()).unwrap_or("");
    let dedup = format!("{webhook}:{}", stamp.timestamp_millis());
    match state.journal.inbox_put("airtable", Some(&dedup), &value).await {
        Ok(crate::journal::InboxPut::Inserted(_)) => {}
        Ok(crate::journal::InboxPut::Duplicate(_)) => return StatusCode::NO_CONTENT.into_response(),
        Err(error) => {
            tracing::error!(message = "Failed to keep an Airtable notification.", %error);
            return refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "the worker cannot store the notification now",
            );
        }
    }
    // A ping says only that something changed: one read of the schedule finds out what.
    state.scheduler.nudge_all();
    StatusCode::NO_CONTENT.into_response()
}

/// The ping's RFC 3339 `timestamp`, if it is within `window` of `now`; else why not.
fn fresh_timestamp(
    value: &serde_json::Value,
    now: chrono::DateTime<chrono::Utc>,
    window: chrono::Duration,
) -> Result<chrono::DateTime<chrono::Utc>, String> {
    let stamp = value
        .get("timestamp")
        .and_then(|t| t.as_str())
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .ok_or("the ping has no RFC 3339 \"timestamp\"")?
        .to_utc();
    if (now - stamp).abs() > window {
        return Err(format!(
            "the ping's timestamp {} is more than {} s from now (AIRTABLE_PING_WINDOW_SECS): refused as a replay",
            stamp.to_rfc3339(),
            window.num_seconds()
        ));
    }
    Ok(stamp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bubble_events_parse_and_unknown_ones_do_not() {
        let e: BubbleEvent = serde_json::from_str(r#"{"event":"post.changed","post":"recAbC123dEf456gH"}"#).unwrap();
        assert_eq!(
            e,
            BubbleEvent::PostChanged {
                post: "recAbC123dEf456gH".into()
            }
        );
        assert!(serde_json::from_str::<BubbleEvent>(r#"{"event":"post.deleted"}"#).is_err());
        for name in ["media.created", "media.changed"] {
            let body = format!(r#"{{"event":"{name}","media":"recAbC123dEf456gH","platforms":["X"]}}"#);
            assert_eq!(
                serde_json::from_str::<BubbleEvent>(&body).unwrap(),
                BubbleEvent::MediaCreated {
                    media: "recAbC123dEf456gH".into(),
                    platforms: Some(vec!["X".into()])
                },
                "{name}"
            );
        }
    }
}
