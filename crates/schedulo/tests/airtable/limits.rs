//! Rate limits and retries.

use crate::helpers::spawn;
use schedulo::airtable::{ApiErrorType, ListQuery};
use schedulo::error_class::ErrorClass;
use serde_json::json;
use std::time::Duration;
use tokio::time::Instant;

/// After a 429, every caller of the base waits the 30 s lock-out, and only one 429 is served:
/// the callers wait together instead of each running into the limit.
#[tokio::test(start_paused = true)]
async fn a_429_makes_every_caller_of_that_base_wait_30_seconds_once() {
    let app = spawn().await;
    app.fail_next(
        None,
        "ErrorLog",
        1,
        429,
        json!({"error": {"type": "RATE_LIMIT_REACHED", "message": "Rate limit exceeded. Please try again later"}}),
    )
    .await;
    app.reset_counters().await;
    let start = Instant::now();
    let mut callers = Vec::new();
    for _ in 0..5 {
        let base = app.base.clone();
        callers.push(tokio::spawn(async move {
            base.list("ErrorLog", &ListQuery::default())
                .await
                .map(|_| Instant::now())
        }));
    }
    for c in callers {
        let done = c.await.unwrap().expect("every caller succeeds after the wait");
        let waited = done - start;
        assert!(waited >= Duration::from_secs(30), "a caller finished after {waited:?}");
        assert!(waited < Duration::from_secs(32), "a caller finished after {waited:?}");
    }
    let counters = app.counters().await;
    assert_eq!(counters["by_status"]["429"], 1, "{counters}");
    assert_eq!(
        counters["requests"], 6,
        "one refused request and five that succeed: {counters}"
    );
}

/// A 503 is retried (with backoff) until it succeeds.
#[tokio::test(start_paused = true)]
async fn a_503_is_retried() {
    let app = spawn().await;
    app.fail_next(
        None,
        "ErrorLog",
        2,
        503,
        json!({"error": {"type": "RETRIABLE_ERROR", "message": "Try again"}}),
    )
    .await;
    let before = app.calls();
    app.base
        .list("ErrorLog", &ListQuery::default())
        .await
        .expect("succeeds on the third attempt");
    assert_eq!(app.calls() - before, 3);
}

/// A 422 is the request's fault: it is not retried, and the error says what and where.
#[tokio::test(start_paused = true)]
async fn a_422_is_not_retried_and_names_table_and_problem() {
    let app = spawn().await;
    let before = app.calls();
    let rows = vec![crate::helpers::fields(json!({"ErrorID": "E1", "Nope": "x"}))];
    let err = app.base.create("ErrorLog", rows, false).await.unwrap_err();
    assert_eq!(app.calls() - before, 1);
    assert_eq!(err.class(), ErrorClass::Permanent);
    assert_eq!(err.api_type(), Some(&ApiErrorType::UnknownFieldName));
    let text = err.to_string();
    assert!(text.contains("create records in table ErrorLog"), "{text}");
    assert!(text.contains("Nope"), "{text}");
}

/// A create that fails with a 500 may have been applied: it is not repeated, and says so.
#[tokio::test(start_paused = true)]
async fn a_create_that_fails_with_500_is_not_repeated() {
    let app = spawn().await;
    app.fail_next(
        Some("POST"),
        "ErrorLog",
        1,
        500,
        json!({"error": {"type": "SERVER_ERROR", "message": "boom"}}),
    )
    .await;
    let before = app.calls();
    let err = app
        .base
        .create("ErrorLog", crate::helpers::error_rows(1), false)
        .await
        .unwrap_err();
    assert_eq!(app.calls() - before, 1);
    assert_eq!(err.class(), ErrorClass::OutcomeUnknown);
}

/// The client's pacing keeps a burst of 40 calls under the sandbox's 5 requests/s: no 429.
#[tokio::test(start_paused = true)]
async fn many_concurrent_callers_never_exceed_the_limit() {
    let app = spawn().await;
    app.reset_counters().await;
    let mut callers = Vec::new();
    for _ in 0..8 {
        let base = app.base.clone();
        callers.push(tokio::spawn(async move {
            for _ in 0..5 {
                base.list_page("ErrorLog", &ListQuery::default(), None).await.unwrap();
            }
        }));
    }
    for c in callers {
        c.await.unwrap();
    }
    let counters = app.counters().await;
    assert_eq!(counters["requests"], 40);
    assert!(counters["by_status"]["429"].is_null(), "{counters}");
}

/// A batch whose third request fails says so and returns the 20 records the first two created,
/// so that the caller does not create them again.
#[tokio::test(start_paused = true)]
async fn a_batch_that_fails_part_way_returns_what_was_written() {
    let app = spawn().await;
    let fault = json!({
        "method": "POST",
        "path_prefix": format!("/v0/{}/ErrorLog", app.base.id()),
        "skip": 2,
        "count": 1,
        "status": 422,
        "body": {"error": {"type": "INVALID_RECORDS", "message": "refused"}},
    });
    app.admin(reqwest::Method::POST, "/_sandbox/faults", Some(fault)).await;
    let err = app
        .base
        .create("ErrorLog", crate::helpers::error_rows(25), false)
        .await
        .unwrap_err();
    assert_eq!((err.done.len(), err.written, err.total), (20, 20, 25));
    assert_eq!(err.class(), ErrorClass::Permanent);
    assert!(
        err.to_string()
            .ends_with("refused (after 20 of 25 records were written)"),
        "{err}"
    );
    let stored = app.base.list("ErrorLog", &ListQuery::default()).await.unwrap();
    assert_eq!(stored.len(), 20);
}
