//! Paging, batching, formulas, and reading malformed records.

use crate::helpers::{error_rows, fields, spawn};
use schedulo::airtable::{Formula, ListQuery};
use schedulo::base::{read_all, ScheduledPost};
use serde_json::json;
use std::collections::HashSet;

/// 250 records are read in ceil(250/100) = 3 calls, each record once.
#[tokio::test(start_paused = true)]
async fn listing_250_records_takes_three_pages_and_returns_each_once() {
    let app = spawn().await;
    app.base.create("ErrorLog", error_rows(250), false).await.unwrap();
    let before = app.calls();
    let records = app.base.list("ErrorLog", &ListQuery::default()).await.unwrap();
    assert_eq!(app.calls() - before, 3);
    let ids: HashSet<&str> = records.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len(), 250);
}

/// Airtable takes at most 10 records a write: 25 records are 3 requests.
#[tokio::test(start_paused = true)]
async fn a_batch_of_25_writes_becomes_3_requests() {
    let app = spawn().await;
    app.reset_counters().await;
    let created = app.base.create("ErrorLog", error_rows(25), false).await.unwrap();
    assert_eq!(created.len(), 25);
    assert_eq!(app.counters().await["requests"], 3);
    let changes = created
        .iter()
        .map(|r| (r.id.clone(), fields(json!({"Details": "x"}))))
        .collect();
    app.reset_counters().await;
    app.base.update("ErrorLog", changes, false).await.unwrap();
    assert_eq!(app.counters().await["requests"], 3);
    let ids: Vec<String> = created.iter().map(|r| r.id.clone()).collect();
    app.reset_counters().await;
    assert_eq!(app.base.delete("ErrorLog", &ids).await.unwrap().len(), 25);
    assert_eq!(app.counters().await["requests"], 3);
}

/// Values with quotes, backslashes and newlines match themselves and nothing else.
#[tokio::test(start_paused = true)]
async fn formulas_with_quotes_and_backslashes_in_values_match_exactly() {
    let app = spawn().await;
    let tricky = [
        "He said \"hi\"",
        "It's mine",
        "back\\slash",
        "a\\\"b",
        "two\nlines",
        "{Message}",
        "plain",
    ];
    let rows = tricky
        .iter()
        .enumerate()
        .map(|(i, m)| fields(json!({"ErrorID": format!("E{i}"), "Message": m})))
        .collect();
    app.base.create("ErrorLog", rows, false).await.unwrap();
    for m in tricky {
        let found = app
            .base
            .list("ErrorLog", &ListQuery::filtered(Formula::field_is("Message", m)))
            .await
            .unwrap();
        assert_eq!(found.len(), 1, "value {m:?}");
        assert_eq!(found[0].fields["Message"], json!(m));
    }
}

/// A filter too long for a URL goes as POST listRecords and still filters.
#[tokio::test(start_paused = true)]
async fn a_filter_too_long_for_a_url_is_sent_in_a_post_body() {
    let app = spawn().await;
    let created = app.base.create("ErrorLog", error_rows(30), false).await.unwrap();
    let mut ids: Vec<String> = created.iter().take(5).map(|r| r.id.clone()).collect();
    ids.extend((0..900).map(|i| format!("recMissing{i:07}")));
    let filter = Formula::record_id_in(ids.iter().map(String::as_str));
    assert!(filter.as_str().len() > 15_000);
    // A GET would be refused: the client must not send one.
    app.fail_next(
        Some("GET"),
        "ErrorLog",
        1,
        414,
        json!({"error": {"type": "URI_TOO_LONG", "message": "too long"}}),
    )
    .await;
    let found = app.base.list("ErrorLog", &ListQuery::filtered(filter)).await.unwrap();
    assert_eq!(found.len(), 5);
}

/// A page with malformed posts yields an error for each of them and the other posts.
#[tokio::test(start_paused = true)]
async fn a_page_with_malformed_records_yields_their_errors_and_the_other_records() {
    let app = spawn().await;
    let account = app
        .base
        .create(
            "SocialAccounts",
            vec![fields(json!({"AccountID": "A1", "Platform": "Twitter"}))],
            false,
        )
        .await
        .unwrap();
    let acc = &account[0].id;
    let rows = vec![
        fields(
            json!({"PostID": "good", "SocialAccountID": [acc], "ScheduledTime": "2026-11-25T10:00:00.000Z", "Status": "Scheduled"}),
        ),
        fields(json!({"PostID": "no-account", "ScheduledTime": "2026-11-25T10:00:00.000Z", "Status": "Scheduled"})),
        fields(
            json!({"PostID": "odd-status", "SocialAccountID": [acc], "ScheduledTime": "2026-11-25T10:00:00.000Z", "Status": "Pending"}),
        ),
    ];
    // typecast lets a person's new choice ("Pending") in, as Airtable's UI would.
    let created = app.base.create("ScheduledPosts", rows, true).await.unwrap();
    let page = app.base.list("ScheduledPosts", &ListQuery::default()).await.unwrap();
    let (good, bad) = read_all(&page, ScheduledPost::from_record);
    assert_eq!(good.len(), 1);
    assert_eq!(good[0].post_id.as_deref(), Some("good"));
    let mut messages: Vec<String> = bad.iter().map(|e| e.to_string()).collect();
    messages.sort();
    let mut expected = vec![
        format!("ScheduledPosts record {}, field SocialAccountID: links to nothing; one linked record is required", created[1].id),
        format!("ScheduledPosts record {}, field Status: \"Pending\" is not one of the schema's choices (Scheduled, Posted, Failed, Deleted)", created[2].id),
    ];
    expected.sort();
    assert_eq!(messages, expected);
}

/// Upserts create what has no match and update what has one.
#[tokio::test(start_paused = true)]
async fn upserts_create_then_update_on_the_merge_field() {
    let app = spawn().await;
    let first = app
        .base
        .upsert(
            "PostAnalytics",
            &["AnalyticsID"],
            vec![fields(json!({"AnalyticsID": "AN-1", "Likes": 3}))],
            false,
        )
        .await
        .unwrap();
    assert_eq!((first.created.len(), first.updated.len()), (1, 0));
    let second = app
        .base
        .upsert(
            "PostAnalytics",
            &["AnalyticsID"],
            vec![fields(json!({"AnalyticsID": "AN-1", "Likes": 9}))],
            false,
        )
        .await
        .unwrap();
    assert_eq!((second.created.len(), second.updated.len()), (0, 1));
    let all = app.base.list("PostAnalytics", &ListQuery::default()).await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].fields["Likes"], json!(9));
}

/// A listing whose iterator expires between pages starts again and returns each record once.
#[tokio::test(start_paused = true)]
async fn a_listing_whose_iterator_expires_starts_again() {
    let app = spawn().await;
    app.base.create("ErrorLog", error_rows(30), false).await.unwrap();
    let fault = json!({
        "path_prefix": format!("/v0/{}/ErrorLog", app.base.id()),
        "query_contains": "offset=",
        "count": 1,
        "status": 422,
        "body": {"error": {"type": "LIST_RECORDS_ITERATOR_NOT_AVAILABLE", "message": "Iterator not available"}},
    });
    app.admin(reqwest::Method::POST, "/_sandbox/faults", Some(fault)).await;
    let before = app.calls();
    let query = ListQuery {
        page_size: Some(10),
        ..ListQuery::default()
    };
    let records = app.base.list("ErrorLog", &query).await.unwrap();
    let ids: HashSet<&str> = records.iter().map(|r| r.id.as_str()).collect();
    assert_eq!((records.len(), ids.len()), (30, 30));
    assert_eq!(
        app.calls() - before,
        5,
        "page 1, the expired page 2, then pages 1 to 3 again"
    );
}
