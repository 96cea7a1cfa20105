//! Publishing through the sandbox: media, rules, refusals, unknown outcomes and reconciling.

use super::*;
use crate::error_class::ErrorClass;
use crate::platforms::Attempt;
use crate::platforms::{Prepared, Publisher};
use serde_json::json;

#[tokio::test]
async fn a_post_with_two_images_publishes_and_appears_among_the_users_posts() {
    let sandbox = start().await;
    let x = publisher(&sandbox);
    let images = [sandbox.file_url("sample.jpg"), sandbox.file_url("sample.png")];
    let post = post("Two pictures & a link: https://example.com/menu?day=1", &images);
    x.check(&post).unwrap();
    let prepared = x.prepare(&account(), &post).await.unwrap();
    assert_eq!(prepared.media_ids.len(), 2);
    let published = x
        .publish(&account(), &post, &prepared, &crate::platforms::Receipts::discard())
        .await
        .unwrap()
        .into_published()
        .unwrap();
    assert_eq!(
        published.url,
        format!("https://x.com/alice/status/{}", published.platform_id)
    );
    let tweets = sandbox.tweets(USER_ID);
    assert_eq!(tweets.len(), 1);
    let (id, text, media_ids) = &tweets[0];
    assert_eq!((id, media_ids), (&published.platform_id, &prepared.media_ids));
    assert!(
        text.starts_with("Two pictures &amp; a link: https://t.co/"),
        "as X shows it: {text}"
    );
    let counters = sandbox.counters();
    assert_eq!((counters.media_uploaded, counters.tweets_created), (2, 1));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn text_over_280_weighted_characters_is_refused_by_check_and_by_the_sandbox() {
    let sandbox = start().await;
    let x = publisher(&sandbox);
    let long = post(&format!("{}日", "a".repeat(279)), &[]);
    assert_eq!(
        x.check(&long).unwrap_err().message,
        "X allows 280 characters (weighted); this post has 281"
    );
    let err = x
        .publish(
            &account(),
            &long,
            &Prepared::default(),
            &crate::platforms::Receipts::discard(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.class, ErrorClass::Permanent);
    assert!(
        err.message
            .starts_with("X refused the post (400): Your Tweet text is too long."),
        "{}",
        err.message
    );
    // 256 + 1 + a URL (23) = 280 weighted, though longer in characters: accepted by both.
    let with_url = post(
        &format!("{} https://example.com/{}", "a".repeat(256), "b".repeat(40)),
        &[],
    );
    x.check(&with_url).unwrap();
    x.publish(
        &account(),
        &with_url,
        &Prepared::default(),
        &crate::platforms::Receipts::discard(),
    )
    .await
    .unwrap();
    sandbox.shutdown().await;
}

#[tokio::test]
async fn five_images_are_refused_by_check_and_five_media_ids_by_the_sandbox() {
    let sandbox = start().await;
    let x = publisher(&sandbox);
    let five = post("five", &vec![sandbox.file_url("sample.jpg"); 5]);
    assert_eq!(
        x.check(&five).unwrap_err().message,
        "X allows 4 images; this post has 5"
    );
    let prepared = x.prepare(&account(), &five).await.unwrap();
    let err = x
        .publish(&account(), &five, &prepared, &crate::platforms::Receipts::discard())
        .await
        .unwrap_err();
    assert_eq!(err.class, ErrorClass::Permanent);
    assert_eq!(err.message, "X refused the post (400): size must be between 1 and 4");
    assert!(sandbox.tweets(USER_ID).is_empty());
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_media_url_that_is_missing_or_not_an_image_fails_the_post_naming_the_file() {
    let sandbox = start().await;
    let x = publisher(&sandbox);
    let missing = post("m", &[sandbox.file_url("missing.jpg")]);
    let err = x.prepare(&account(), &missing).await.unwrap_err();
    assert_eq!(err.class, ErrorClass::Permanent);
    assert_eq!(err.message, "Could not download missing.jpg for X (404 Not Found)");
    let not_image = post("n", &[format!("{}/_sandbox/counters", sandbox.url())]);
    let err = x.prepare(&account(), &not_image).await.unwrap_err();
    assert_eq!(err.class, ErrorClass::Permanent);
    assert_eq!(
        err.message,
        "counters is not an image X takes (JPEG, PNG, GIF or WEBP); it came as application/json"
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_duplicate_is_refused_in_x_s_words() {
    let sandbox = start().await;
    let x = publisher(&sandbox);
    let p = post("Same words", &[]);
    x.publish(
        &account(),
        &p,
        &Prepared::default(),
        &crate::platforms::Receipts::discard(),
    )
    .await
    .unwrap();
    let err = x
        .publish(
            &account(),
            &p,
            &Prepared::default(),
            &crate::platforms::Receipts::discard(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.class, ErrorClass::Permanent);
    assert_eq!(
        err.message,
        "X refused the post (403): You are not allowed to create a Tweet with duplicate content."
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_503_on_the_publish_call_is_outcome_unknown() {
    let sandbox = start().await;
    let x = publisher(&sandbox);
    Http::new(&sandbox)
        .fault(json!({"method": "POST", "path_prefix": "/2/tweets", "count": 1, "status": 503}))
        .await;
    let err = x
        .publish(
            &account(),
            &post("hello", &[]),
            &Prepared::default(),
            &crate::platforms::Receipts::discard(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.class, ErrorClass::OutcomeUnknown);
    assert!(
        err.message.starts_with("X refused the post (503): Service Unavailable"),
        "{}",
        err.message
    );
    assert!(err.message.contains("check before publishing again"));
    sandbox.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_post_accepted_then_answered_too_late_is_outcome_unknown_and_reconcile_finds_it() {
    let sandbox = start().await;
    let x = publisher(&sandbox);
    let since = chrono::Utc::now() - chrono::Duration::minutes(1);
    let p = post(
        "Accepted, then silence: https://example.com/a",
        &[sandbox.file_url("sample.jpg")],
    );
    let prepared = x.prepare(&account(), &p).await.unwrap();
    assert_eq!(
        x.reconcile(&account(), &p, Attempt::since(since))
            .await
            .unwrap()
            .into_published(),
        None,
        "not posted yet"
    );
    Http::new(&sandbox)
        .fault(json!({"method": "POST", "path_prefix": "/2/tweets", "count": 1, "apply_then_delay_ms": 60000}))
        .await;
    let err = x
        .publish(&account(), &p, &prepared, &crate::platforms::Receipts::discard())
        .await
        .unwrap_err();
    assert_eq!(err.class, ErrorClass::OutcomeUnknown, "{}", err.message);
    assert!(err.message.contains("no answer in time"), "{}", err.message);
    let tweets = sandbox.tweets(USER_ID);
    assert_eq!(tweets.len(), 1, "the post was created");
    let found = x
        .reconcile(&account(), &p, Attempt::since(since))
        .await
        .unwrap()
        .into_published()
        .expect("found");
    assert_eq!(found.platform_id, tweets[0].0);
    assert_eq!(found.url, format!("https://x.com/alice/status/{}", tweets[0].0));
    let other = post("Something else", &[]);
    assert_eq!(
        x.reconcile(&account(), &other, Attempt::since(since))
            .await
            .unwrap()
            .into_published(),
        None
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_bad_token_is_an_auth_error_on_every_call_and_is_never_shown() {
    let sandbox = start().await;
    let x = publisher(&sandbox);
    let bad = account_with("not-a-known-token-123");
    let p = post("hi", &[sandbox.file_url("sample.jpg")]);
    let errors = [
        x.prepare(&bad, &p).await.unwrap_err(),
        x.publish(&bad, &p, &Prepared::default(), &crate::platforms::Receipts::discard())
            .await
            .unwrap_err(),
        x.reconcile(&bad, &p, Attempt::since(chrono::Utc::now()))
            .await
            .unwrap_err(),
    ];
    for e in &errors {
        assert_eq!(e.class, ErrorClass::Auth, "{}", e.message);
        assert!(e.message.ends_with("(401): Unauthorized"), "{}", e.message);
        assert!(!e.message.contains("not-a-known-token"));
    }
    assert_eq!(errors[0].message, "X refused the image sample.jpg (401): Unauthorized");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_sandbox_that_is_gone_is_transient_before_sending() {
    let sandbox = start().await;
    let x = publisher(&sandbox);
    sandbox.shutdown().await;
    let err = x
        .publish(
            &account(),
            &post("hi", &[]),
            &Prepared::default(),
            &crate::platforms::Receipts::discard(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.class, ErrorClass::Transient, "{}", err.message);
    assert!(
        err.message.starts_with("Could not reach X to publish"),
        "{}",
        err.message
    );
}
