//! The call that makes a post public: `POST /2/tweets {"text", "media":{"media_ids":[...]}}`,
//! answered 201 `{"data":{"id","text"}}`. It is never retried here: a timeout or a 5xx after the
//! request left is `OutcomeUnknown` (the post may be public), for the scheduler to reconcile.

use super::client::{never_sent, show_time, unreachable, Api};
use super::errors::{RateHeaders, XApiError, XErrorKind};
use super::limits::RateMemory;
use super::rules::post_text;
use crate::error_class::ErrorClass;
use crate::platforms::{Account, PostContent, Prepared, PublishError, Published};
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;
use std::time::Duration;

#[derive(Deserialize)]
struct Created {
    data: Option<CreatedData>,
}

#[derive(Deserialize)]
struct CreatedData {
    id: String,
}

/// Publishes `post` with the media of `prepared`, unless X's posting limit is known to be used up.
pub async fn publish(
    api: &Api,
    rates: &RateMemory,
    timeout: Duration,
    account: &Account,
    post: &PostContent,
    prepared: &Prepared,
) -> Result<Published, PublishError> {
    let now = Utc::now();
    if let Some(held) = held(rates, account, now) {
        return Err(held);
    }
    let mut body = json!({ "text": post_text(post) });
    if !prepared.media_ids.is_empty() {
        body["media"] = json!({ "media_ids": prepared.media_ids });
    }
    let url = api.url(&["2", "tweets"]);
    let sent = api
        .request(reqwest::Method::POST, url, account, timeout)
        .json(&body)
        .send()
        .await;
    let response = match sent {
        Ok(r) => r,
        Err(e) if never_sent(&e) => {
            return Err(unreachable(
                ErrorClass::Transient,
                "Could not reach X to publish",
                e,
                account,
            ));
        }
        Err(e) => return Err(unknown(e, account)),
    };
    let status = response.status().as_u16();
    let headers = RateHeaders::parse(response.headers());
    rates.record(&account.record_id, &headers, Utc::now());
    let body = match response.bytes().await {
        Ok(b) => b,
        Err(e) if (200..300).contains(&status) => return Err(unknown(e, account)),
        Err(_) => Default::default(),
    };
    if !(200..300).contains(&status) {
        let error = XApiError::from_response(status, &body);
        return Err(refused(api, rates, &error, &headers, account));
    }
    if let Some(error) = XApiError::from_partial(status, &body) {
        return Err(refused(api, rates, &error, &headers, account));
    }
    match serde_json::from_slice::<Created>(&body).ok().and_then(|c| c.data) {
        Some(data) if !data.id.trim().is_empty() => {
            let published = Published {
                url: post_url(account, &data.id),
                platform_id: data.id,
            };
            tracing::info!(message = "Published to X.", record = %post.record_id, id = %published.platform_id);
            Ok(published)
        }
        _ => Err(PublishError {
            class: ErrorClass::OutcomeUnknown,
            message: format!(
                "X answered the publish call with {status} but no post id; the post may be public: check before publishing again"
            ),
            retry_at: None,
        }),
    }
}

/// A refusal of the publish call; a 5xx is `OutcomeUnknown` there (X may have posted before failing).
fn refused(api: &Api, rates: &RateMemory, error: &XApiError, headers: &RateHeaders, account: &Account) -> PublishError {
    let mut e = api.refused("the post", error, headers, account);
    if e.class == ErrorClass::Transient {
        e.class = ErrorClass::OutcomeUnknown;
        e.message
            .push_str("; the post may be public: check before publishing again");
    }
    if let Some(until) = e.retry_at {
        let reason = match error.kind {
            XErrorKind::UsageCapped => "X's usage cap for this app",
            _ => "X's posting limit for this account",
        };
        rates.hold(&account.record_id, until, reason);
    }
    tracing::warn!(message = "X refused a post.", class = %e.class, status = error.status, kind = ?error.kind);
    e
}

/// A failure after the request may have reached X.
fn unknown(error: reqwest::Error, account: &Account) -> PublishError {
    let mut e = unreachable(
        ErrorClass::OutcomeUnknown,
        "X did not answer the publish call",
        error,
        account,
    );
    e.message
        .push_str("; the post may be public: check before publishing again");
    tracing::warn!(message = "The outcome of a publish call to X is unknown.");
    e
}

/// `https://x.com/{handle}/status/{id}`, or `https://x.com/i/web/status/{id}` without a handle.
pub fn post_url(account: &Account, id: &str) -> String {
    let handle = account
        .handle
        .as_deref()
        .map(|h| h.trim().trim_start_matches('@'))
        .filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    match handle {
        Some(h) => format!("https://x.com/{h}/status/{id}"),
        None => format!("https://x.com/i/web/status/{id}"),
    }
}

/// The refusal to call X while the account's (or the app's) posting limit is used up; `None` when
/// X may be called. Checked before media are uploaded too, so a wait does not upload them again.
pub(super) fn held(rates: &RateMemory, account: &Account, now: chrono::DateTime<Utc>) -> Option<PublishError> {
    let hold = rates.blocked(&account.record_id, now)?;
    Some(PublishError {
        class: ErrorClass::RateLimited,
        message: format!(
            "{} is used up until {}; the post waits (X was not called)",
            hold.reason,
            show_time(hold.until)
        ),
        retry_at: Some(hold.until),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::SecretString;

    fn account(handle: Option<&str>) -> Account {
        Account {
            record_id: "recA".into(),
            external_id: "2244994945".into(),
            handle: handle.map(str::to_string),
            token: SecretString::from("t"),
        }
    }

    #[test]
    fn the_post_url_uses_the_handle_or_i_web() {
        assert_eq!(
            post_url(&account(Some("@XDevelopers")), "1"),
            "https://x.com/XDevelopers/status/1"
        );
        assert_eq!(post_url(&account(None), "1"), "https://x.com/i/web/status/1");
        assert_eq!(post_url(&account(Some("a/b")), "1"), "https://x.com/i/web/status/1");
    }
}
