//! X's posting limit: 100 per 15 minutes per user, and the publisher honouring it.

use super::*;
use crate::error_class::ErrorClass;
use crate::platforms::{Prepared, Publisher};

const TWEETS: &str = "POST /2/tweets";

#[tokio::test(start_paused = true)]
async fn the_101st_post_in_15_minutes_waits_for_the_reset_and_is_then_held_without_a_call() {
    let sandbox = start().await;
    let x = publisher(&sandbox);
    for i in 0..100 {
        x.publish(
            &account(),
            &post(&format!("post {i}"), &[]),
            &Prepared::default(),
            &crate::platforms::Receipts::discard(),
        )
        .await
        .unwrap_or_else(|e| panic!("post {i}: {e}"));
    }
    let reset = sandbox.rate_reset(USER_ID).expect("a window runs");
    let next = post("post 100", &[]);

    // The 100th answer said `x-rate-limit-remaining: 0`: the same publisher does not call.
    let held = x
        .publish(
            &account(),
            &next,
            &Prepared::default(),
            &crate::platforms::Receipts::discard(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        (held.class, held.retry_at),
        (ErrorClass::RateLimited, Some(reset)),
        "{}",
        held.message
    );
    assert!(held.message.contains("X was not called"), "{}", held.message);
    assert_eq!(sandbox.counters().total(TWEETS), 100);
    // Nor does it upload the post's media while the limit is used up: the wait would waste them.
    let with_image = post("post 100", &[sandbox.file_url("sample.jpg")]);
    let not_prepared = x.prepare(&account(), &with_image).await.unwrap_err();
    assert_eq!(not_prepared.class, ErrorClass::RateLimited);
    assert_eq!(sandbox.counters().media_uploaded, 0);

    // A publisher that does not know (a restart) calls, and X answers 429 with the reset.
    let fresh = publisher(&sandbox);
    let refused = fresh
        .publish(
            &account(),
            &next,
            &Prepared::default(),
            &crate::platforms::Receipts::discard(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        (refused.class, refused.retry_at),
        (ErrorClass::RateLimited, Some(reset))
    );
    assert_eq!(refused.message, "X refused the post (429): Too Many Requests");
    assert_eq!(sandbox.counters().count(TWEETS, 429), 1);

    // After the 429 it holds too, until the reset, without calling.
    let again = fresh
        .publish(
            &account(),
            &next,
            &Prepared::default(),
            &crate::platforms::Receipts::discard(),
        )
        .await
        .unwrap_err();
    assert_eq!((again.class, again.retry_at), (ErrorClass::RateLimited, Some(reset)));
    assert_eq!(sandbox.counters().total(TWEETS), 101);

    // The sandbox's window ends after 15 minutes (of tokio time).
    tokio::time::advance(std::time::Duration::from_secs(15 * 60)).await;
    publisher(&sandbox)
        .publish(
            &account(),
            &next,
            &Prepared::default(),
            &crate::platforms::Receipts::discard(),
        )
        .await
        .unwrap();
    sandbox.shutdown().await;
}
