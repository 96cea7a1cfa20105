//! Posts that do not go out, or whose fate is unknown, each in its class.

use super::*;
use crate::platforms::Attempt;
use chrono::{Duration as ChronoDuration, Utc};
use serde_json::json;
use std::time::Duration;

/// Eleven photos are refused by the rules: no call is made, even if `prepare` is called anyway.
#[tokio::test(start_paused = true)]
async fn eleven_photos_are_refused_before_any_call() {
    let env = start().await;
    let post = photo_post("Too many", (0..11).map(|n| env.photo_url(n)).collect());
    let v = env.publisher.check(&post).unwrap_err();
    assert_eq!(v.message, "Facebook allows 10 photos a post; this post has 11");
    let e = env.publisher.prepare(&env.account(), &post).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Permanent);
    assert_eq!(env.requests().await, 0);
    env.shutdown().await;
}

/// A photo URL that 404s: Meta's code 324, permanent, and the message names the URL.
#[tokio::test(start_paused = true)]
async fn a_photo_url_that_404s_is_permanent_and_names_the_url() {
    let env = start().await;
    let missing = format!("{}/_sandbox/files/missing.png", env.sandbox.url());
    let e = env
        .publish(&photo_post("Lost", vec![missing.clone()]))
        .await
        .unwrap_err();
    assert_eq!(e.class, ErrorClass::Permanent);
    assert_eq!(
        e.message,
        format!("Facebook refused the photo {missing} (code 324): Missing or invalid image file")
    );
    let not_image = format!("{}/_sandbox/files/notes.txt", env.sandbox.url());
    let e = env.publish(&photo_post("Text", vec![not_image])).await.unwrap_err();
    assert!(e.message.contains("(code 324)"), "{}", e.message);
    assert!(env.sandbox.posts(PAGE).is_empty());
    env.shutdown().await;
}

/// A 500 on the feed POST: the post may exist, so the outcome is unknown (never "transient").
#[tokio::test(start_paused = true)]
async fn a_500_on_the_feed_is_outcome_unknown() {
    let env = start().await;
    let feed = format!("/v21.0/{PAGE}/feed");
    env.fault(json!({"method": "POST", "path_prefix": feed, "count": 1, "status": 500}))
        .await;
    let since = Utc::now();
    let post = text_post("Maybe out");
    let e = env.publish(&post).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::OutcomeUnknown);
    assert!(
        e.message
            .starts_with("Facebook refused the post (code 1): An unknown error has occurred."),
        "{}",
        e.message
    );
    assert_eq!(
        env.publisher
            .reconcile(&env.account(), &post, Attempt::since(since))
            .await
            .unwrap()
            .into_published(),
        None
    );
    env.shutdown().await;
}

/// Meta creates the post, then answers after the publisher's timeout: outcome unknown, and
/// reconcile finds the post (so the scheduler records it instead of posting again).
#[tokio::test(start_paused = true)]
async fn a_post_accepted_then_answered_too_late_is_found_by_reconcile() {
    let env = start().await;
    let feed = format!("/v21.0/{PAGE}/feed");
    env.fault(json!({"method": "POST", "path_prefix": feed, "count": 1, "apply_then_delay_ms": 120_000}))
        .await;
    let since = Utc::now();
    let post = text_post("Spring sale starts today!\n#sale #spring");
    let e = env.publish(&post).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::OutcomeUnknown);
    assert!(
        e.message.contains("did not answer the post within 30 s"),
        "{}",
        e.message
    );
    let posts = env.sandbox.posts(PAGE);
    assert_eq!(posts.len(), 1, "the post was created");
    let found = env
        .publisher
        .reconcile(&env.account(), &post, Attempt::since(since))
        .await
        .unwrap()
        .into_published()
        .unwrap();
    assert_eq!(found.platform_id, posts[0].0);
    assert!(found.url.ends_with(&format!("/_sandbox/posts/{}", posts[0].0)));
    env.shutdown().await;
}

/// At 95 % of the app's call count the next call is refused locally, with `retry_at`, and the
/// sandbox sees no request; after the cool-down calls resume.
#[tokio::test(start_paused = true)]
async fn above_ninety_percent_usage_calls_are_held_without_calling() {
    let env = start().await;
    env.sandbox.set_app_usage(95);
    let first = env.publish(&text_post("Before the hold")).await.unwrap();
    assert_eq!(
        first.url,
        format!("https://www.facebook.com/{}", first.platform_id),
        "permalink read was held"
    );
    let before = env.requests().await;
    assert_eq!(before, 1);
    let e = env.publish(&text_post("During the hold")).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::RateLimited);
    assert!(e.message.contains("call_count is at 95% (above 90%)"), "{}", e.message);
    let wait = e.retry_at.unwrap() - Utc::now();
    assert!(
        wait > ChronoDuration::minutes(9) && wait <= ChronoDuration::minutes(10),
        "{wait}"
    );
    assert_eq!(env.requests().await, before, "no call was made");
    env.sandbox.set_app_usage(0);
    tokio::time::advance(Duration::from_secs(10 * 60)).await;
    env.publish(&text_post("After the hold")).await.unwrap();
    assert_eq!(env.sandbox.posts(PAGE).len(), 2);
    env.shutdown().await;
}

/// Meta's throttle error (80001) holds the Page for the regain time Meta gives in its header.
#[tokio::test(start_paused = true)]
async fn a_throttle_error_holds_the_page_for_meta_s_regain_time() {
    let env = start().await;
    let usage = json!({"call_count": 100, "estimated_time_to_regain_access": 3});
    assert_eq!(env.call(Method::POST, "/_sandbox/usage", Some(usage)).await.0, 200);
    let e = env.publish(&text_post("Throttled")).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::RateLimited);
    assert!(e.message.contains("(code 80001)"), "{}", e.message);
    let wait = e.retry_at.unwrap() - Utc::now();
    assert!(
        wait > ChronoDuration::minutes(2) && wait <= ChronoDuration::minutes(3),
        "{wait}"
    );
    let requests = env.requests().await;
    assert_eq!(
        env.publish(&text_post("Still held")).await.unwrap_err().class,
        ErrorClass::RateLimited
    );
    assert_eq!(env.requests().await, requests);
    env.shutdown().await;
}

/// A token the sandbox does not know: Meta's 190, auth.
#[tokio::test(start_paused = true)]
async fn a_bad_token_is_auth() {
    let env = start().await;
    let account = account_with("EAAGnotAToken");
    let post = text_post("Hi");
    let e = env
        .publisher
        .publish(
            &account,
            &post,
            &Default::default(),
            &crate::platforms::Receipts::discard(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.class, ErrorClass::Auth);
    assert_eq!(
        e.message,
        "Facebook refused the post (code 190): Invalid OAuth access token - Cannot parse access token"
    );
    assert!(!e.message.contains("EAAGnotAToken"));
    env.shutdown().await;
}

/// The same message twice in a row: Meta's 506, permanent, with the code in the message.
#[tokio::test(start_paused = true)]
async fn a_duplicate_is_permanent_with_code_506() {
    let env = start().await;
    env.publish(&text_post("Same again")).await.unwrap();
    let e = env.publish(&text_post("Same again")).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Permanent);
    assert_eq!(
        e.message,
        "Facebook refused the post (code 506): Duplicate status message"
    );
    tokio::time::advance(Duration::from_secs(5 * 60)).await;
    assert!(
        env.publish(&text_post("Same again")).await.is_ok(),
        "allowed after the window"
    );
    env.shutdown().await;
}

/// Another Page's token: Meta's permission error (200), permanent as the reference classes it.
#[tokio::test(start_paused = true)]
async fn another_page_s_token_is_a_permission_error() {
    let env = start().await;
    let e = env
        .publisher
        .publish(
            &account_with(OTHER_TOKEN),
            &text_post("Not mine"),
            &Default::default(),
            &crate::platforms::Receipts::discard(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.class, ErrorClass::Permanent);
    assert!(
        e.message
            .starts_with("Facebook refused the post (code 200): If posting to a page"),
        "{}",
        e.message
    );
    env.shutdown().await;
}

/// Text from outside that echoes the token is scrubbed before it reaches an error message.
#[tokio::test(start_paused = true)]
async fn the_token_never_reaches_an_error_message() {
    let env = start().await;
    let body = json!({"error": {"message": format!("Bad token {TOKEN}"), "type": "OAuthException", "code": 190}});
    env.fault(json!({"path_prefix": "/v21.0/", "count": 1, "status": 400, "body": body}))
        .await;
    let e = env.publish(&text_post("x")).await.unwrap_err();
    assert_eq!(e.message, "Facebook refused the post (code 190): Bad token [REDACTED]");
    env.shutdown().await;
}

/// A 2xx whose body cannot be read, on the feed POST, is also an unknown outcome.
#[tokio::test(start_paused = true)]
async fn an_unreadable_success_on_the_feed_is_outcome_unknown() {
    let env = start().await;
    let feed = format!("/v21.0/{PAGE}/feed");
    env.fault(json!({"method": "POST", "path_prefix": feed, "count": 1, "status": 200, "body": "not json"}))
        .await;
    let e = env.publish(&text_post("Unreadable")).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::OutcomeUnknown);
    env.shutdown().await;
}
