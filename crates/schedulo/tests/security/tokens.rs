//! Bubble's bearer token: forged, missing, malformed, or not configured at all.

use crate::helpers::{answer, assert_no_secret, logs, send_raw, World, HOOK_TOKEN};
use std::time::Duration;

const EVENT: &str = r#"{"event":"schedule.changed"}"#;
const SIGN: &str = r#"{"media":"recAbC123dEf456gH","user":"recAbC123dEf456gI"}"#;

/// Each Bubble route refuses a request without the token, with another scheme, with a forged
/// token (one character off, a prefix, another case) with a 401 that says what is wrong and
/// repeats no secret; nothing is kept. The real token is taken, so the refusals were the token's.
#[tokio::test(start_paused = true)]
async fn a_missing_malformed_or_forged_bearer_token_is_refused_on_each_bubble_route() {
    let w = World::start(&[]).await;
    let mut forged = HOOK_TOKEN.to_string();
    forged.pop();
    forged.push('X');
    let attempts = [
        (None, "missing Authorization header"),
        (Some(format!("Basic {HOOK_TOKEN}")), "is not `Bearer <token>`"),
        (
            Some(format!("Bearer {forged}")),
            "is not this worker's SCHEDULO_WEBHOOK_TOKEN",
        ),
        (Some(format!("Bearer {}", &HOOK_TOKEN[..20])), "is not this worker's"),
        (
            Some(format!("Bearer {}", HOOK_TOKEN.to_uppercase())),
            "is not this worker's",
        ),
        // A header's trailing spaces are not part of its value: this is a bare "Bearer".
        (Some("Bearer ".to_string()), "is not `Bearer <token>`"),
        (Some("Bearer  ".to_string() + "x"), "is not this worker's"),
    ];
    for (path, body) in [("/webhooks/bubble", EVENT), ("/uploads/sign", SIGN)] {
        for (auth, why) in &attempts {
            let headers: Vec<(&str, &str)> = auth.iter().map(|a| ("Authorization", a.as_str())).collect();
            let (status, text) = w.post(path, &headers, body).await;
            assert_eq!(status, 401, "{path} with {auth:?}: {text}");
            assert!(text.contains(why), "{path}: {text}");
            assert_no_secret(&text);
        }
    }
    assert_eq!(w.kept().await, 0, "nothing refused was kept");
    let bearer = format!("Bearer {HOOK_TOKEN}");
    let (status, _) = w.post("/webhooks/bubble", &[("Authorization", &bearer)], EVENT).await;
    assert_eq!(status, 202, "the real token is taken");
    let (status, _) = w
        .post(
            "/webhooks/bubble",
            &[("Authorization", &format!("bearer   {HOOK_TOKEN} "))],
            EVENT,
        )
        .await;
    assert_eq!(
        status, 202,
        "the scheme in any case, the token trimmed as the configured one"
    );
    assert_no_secret(&logs().text());
}

/// A stranger announcing a megabyte is refused from the headers alone, on every webhook route:
/// the 401 comes at once although not a byte of the body was sent (no timer had to fire).
#[tokio::test(start_paused = true)]
async fn a_stranger_is_refused_from_the_headers_before_the_body_is_sent() {
    let w = World::start(&[]).await;
    let now = w.clock.now().timestamp();
    let routes = [
        (
            "/webhooks/bubble",
            "Authorization: Bearer not-the-token-0123456789abcdef0123\r\n".to_string(),
        ),
        ("/uploads/sign", String::new()),
        ("/webhooks/cloudinary", format!("X-Cld-Timestamp: {now}\r\n")),
        ("/webhooks/airtable", "X-Airtable-Content-MAC: sha1=00\r\n".to_string()),
    ];
    for (path, extra) in routes {
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: worker\r\nContent-Type: application/json\r\n{extra}Content-Length: 1000000\r\n\r\n"
        );
        let mut stream = send_raw(w.addr, &head).await;
        let (status, text) = answer(&mut stream, Duration::from_secs(1))
            .await
            .unwrap_or_else(|| panic!("{path}: no answer without the body"));
        assert_eq!(status, 401, "{path}: {text}");
        assert_no_secret(&text);
    }
    assert_eq!(w.kept().await, 0);
}

/// Without `SCHEDULO_WEBHOOK_TOKEN` the worker serves no Bubble route (404, even with a token
/// that would have been right), and its log at start says why and what to do.
#[tokio::test(start_paused = true)]
async fn with_no_token_configured_the_bubble_routes_answer_404_and_the_log_says_why() {
    let w = World::start(&[("SCHEDULO_WEBHOOK_TOKEN", "")]).await;
    assert!(w.config.webhook_token.is_none());
    let bearer = format!("Bearer {HOOK_TOKEN}");
    for (path, body) in [("/webhooks/bubble", EVENT), ("/uploads/sign", SIGN)] {
        let (status, text) = w.post(path, &[("Authorization", &bearer)], body).await;
        assert_eq!(status, 404, "{path}: {text}");
    }
    assert_eq!(w.kept().await, 0);
    let health = w.http.get(w.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status().as_u16(), 200, "the rest of the server runs");
    let logged = logs().text();
    assert!(
        logged.contains("SCHEDULO_WEBHOOK_TOKEN is not set: POST /webhooks/bubble and POST /uploads/sign answer 404"),
        "the log says why"
    );
    assert!(logged.contains("openssl rand -hex 32"), "and what to do");
}
