//! Notifications (webhooks) the sandbox sends: `upload` for `notification_url`, `eager` when
//! asynchronous eager transformations are done. Each is POSTed as JSON with `X-Cld-Timestamp` and
//! `X-Cld-Signature` (the cloud's secret and notification algorithm, `signature::digest` of body, timestamp and secret),
//! to loopback only; a failure (no answer in `notify_timeout`, or not 2xx) is tried again
//! `notify_retries` times, the n-th retry n x `notify_retry_secs` later. Every notification is
//! recorded with its outcome.

use super::app::SharedApp;
use serde::Serialize;
use serde_json::Value;

/// A notification as tests and `GET /_sandbox/notifications` see it.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct NotificationView {
    pub cloud: String,
    /// `upload` or `eager`.
    pub notification_type: String,
    pub url: String,
    /// The body as sent (the signature covers these bytes).
    pub body: String,
    /// `X-Cld-Timestamp` and `X-Cld-Signature` of the last attempt.
    pub timestamp: i64,
    pub signature: String,
    pub attempts: u32,
    /// The last answer's status, if one came.
    pub status: Option<u16>,
    pub delivered: bool,
    pub error: Option<String>,
}

/// Whether a URL is one the sandbox may call (loopback only).
pub fn is_loopback(url: &str) -> bool {
    let Ok(u) = url::Url::parse(url) else {
        return false;
    };
    if !matches!(u.scheme(), "http" | "https") {
        return false;
    }
    match u.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Sends `body` to `url` in the background, as `cloud` signs it.
pub fn spawn(app: SharedApp, cloud: String, url: String, body: Value) {
    tokio::spawn(async move { send(app, cloud, url, body).await });
}

async fn send(app: SharedApp, cloud: String, url: String, body: Value) {
    let kind = body["notification_type"].as_str().unwrap_or("").to_string();
    let text = body.to_string();
    let mut view = NotificationView {
        cloud: cloud.clone(),
        notification_type: kind,
        url: url.clone(),
        body: text.clone(),
        timestamp: 0,
        signature: String::new(),
        attempts: 0,
        status: None,
        delivered: false,
        error: None,
    };
    let Ok(config) = app.cloud_config(&cloud) else {
        return;
    };
    if !is_loopback(&url) {
        view.error = Some("the sandbox sends notifications to loopback URLs only".into());
        finish(&app, view);
        return;
    }
    for attempt in 0..=app.limits.notify_retries {
        if attempt > 0 {
            tokio::time::sleep(super::secs(app.limits.notify_retry_secs) * attempt).await;
        }
        let timestamp = app.now_secs();
        let signature = {
            use secrecy::ExposeSecret;
            let secret = config.api_secret.expose_secret();
            let stamp = timestamp.to_string();
            super::signature::digest(
                config.notification_algorithm,
                &[text.as_bytes(), stamp.as_bytes(), secret.as_bytes()],
            )
        };
        view.attempts = attempt + 1;
        view.timestamp = timestamp;
        view.signature = signature.clone();
        let sent = app
            .http
            .post(&url)
            .header("Content-Type", "application/json")
            .header("X-Cld-Timestamp", timestamp.to_string())
            .header("X-Cld-Signature", signature)
            .timeout(app.notify_timeout)
            .body(text.clone())
            .send()
            .await;
        match sent {
            Ok(r) => {
                view.status = Some(r.status().as_u16());
                if r.status().is_success() {
                    view.delivered = true;
                    view.error = None;
                    break;
                }
                view.error = Some(format!("the receiver answered {}", r.status()));
            }
            Err(e) => view.error = Some(format!("no answer: {}", e.without_url())),
        }
        tracing::debug!(message = "A notification failed.", url = %url, attempt);
    }
    finish(&app, view);
}

fn finish(app: &SharedApp, view: NotificationView) {
    let mut inner = app.lock();
    if view.delivered {
        inner.counters.notifications_sent += 1;
    } else {
        inner.counters.notifications_failed += 1;
    }
    inner.notifications.push(view);
    drop(inner);
    app.changed();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_urls_are_called() {
        assert!(is_loopback("http://127.0.0.1:9/hook"));
        assert!(is_loopback("http://localhost/hook"));
        assert!(is_loopback("http://[::1]:80/"));
        assert!(!is_loopback("https://example.com/hook"));
        assert!(!is_loopback("ftp://127.0.0.1/"));
        assert!(!is_loopback("not a url"));
    }
}
