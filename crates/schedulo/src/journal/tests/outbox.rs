//! The outbox: coalescing per record, versions, retries.

use super::{at, journal};
use crate::airtable::Fields;
use serde_json::json;

fn fields(pairs: &[(&str, serde_json::Value)]) -> Fields {
    pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

#[tokio::test]
async fn two_puts_for_one_record_are_one_row_with_merged_fields() {
    let j = journal().await;
    j.outbox_put(
        "ScheduledPosts",
        "recA",
        &fields(&[("Status", json!("Posted")), ("ErrorMessage", json!("x"))]),
    )
    .await
    .unwrap();
    j.outbox_put(
        "ScheduledPosts",
        "recA",
        &fields(&[("PostURL", json!("https://u")), ("ErrorMessage", json!(null))]),
    )
    .await
    .unwrap();
    assert_eq!(j.outbox_len().await.unwrap(), 1);
    let items = j.outbox_next("ScheduledPosts", at(0), 10).await.unwrap();
    assert_eq!(items.len(), 1);
    let want = fields(&[
        ("Status", json!("Posted")),
        ("ErrorMessage", json!(null)),
        ("PostURL", json!("https://u")),
    ]);
    assert_eq!((&items[0].fields, items[0].version, items[0].attempts), (&want, 2, 0));
}

#[tokio::test]
async fn an_ack_of_a_stale_version_keeps_the_row() {
    let j = journal().await;
    j.outbox_put("ScheduledPosts", "recA", &fields(&[("Status", json!("Posted"))]))
        .await
        .unwrap();
    let sent = j.outbox_next("ScheduledPosts", at(0), 10).await.unwrap().remove(0);
    j.outbox_put("ScheduledPosts", "recA", &fields(&[("PostURL", json!("https://u"))]))
        .await
        .unwrap();
    j.outbox_ack(&[("ScheduledPosts".into(), "recA".into(), sent.version)])
        .await
        .unwrap();
    let pending = j.outbox_next("ScheduledPosts", at(0), 10).await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].fields.len(), 2);
    j.outbox_ack(&[("ScheduledPosts".into(), "recA".into(), pending[0].version)])
        .await
        .unwrap();
    assert_eq!(j.outbox_len().await.unwrap(), 0);
}

#[tokio::test]
async fn a_failed_send_waits_for_its_next_attempt() {
    let j = journal().await;
    j.outbox_put("ScheduledPosts", "recA", &fields(&[("Status", json!("Failed"))]))
        .await
        .unwrap();
    j.outbox_put("ScheduledPosts", "recB", &fields(&[("Status", json!("Posted"))]))
        .await
        .unwrap();
    j.outbox_retry(&[("ScheduledPosts".into(), "recA".into())], at(5), "503 from Airtable")
        .await
        .unwrap();
    let ids = |items: Vec<crate::journal::OutboxItem>| items.into_iter().map(|i| i.record_id).collect::<Vec<_>>();
    assert_eq!(ids(j.outbox_next("ScheduledPosts", at(4), 10).await.unwrap()), ["recB"]);
    let later = j.outbox_next("ScheduledPosts", at(5), 10).await.unwrap();
    assert_eq!(
        later.iter().find(|i| i.record_id == "recA").map(|i| i.attempts),
        Some(1)
    );
}

#[tokio::test]
async fn rows_are_listed_per_table_oldest_first() {
    let j = journal().await;
    for id in ["recC", "recA", "recB"] {
        j.outbox_put("ScheduledPosts", id, &fields(&[("Status", json!("Posted"))]))
            .await
            .unwrap();
    }
    let url = fields(&[("PostURL", json!("u"))]);
    j.outbox_put("ScheduledPosts", "recC", &url).await.unwrap();
    j.outbox_put("ErrorLog", "recE", &fields(&[("Resolved", json!(true))]))
        .await
        .unwrap();
    let ids: Vec<String> = j
        .outbox_next("ScheduledPosts", at(0), 2)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.record_id)
        .collect();
    assert_eq!(ids, ["recC", "recA"]);
    assert_eq!(j.outbox_tables().await.unwrap(), ["ErrorLog", "ScheduledPosts"]);
    assert_eq!(j.outbox_len().await.unwrap(), 4);
}

#[tokio::test]
async fn putting_no_fields_queues_nothing() {
    let j = journal().await;
    j.outbox_put("ScheduledPosts", "recA", &Fields::new()).await.unwrap();
    assert_eq!(j.outbox_len().await.unwrap(), 0);
}

/// Tasks on a file journal (several connections) put different fields into one row at once:
/// none fails on a busy database, and the row ends with every field and one version per put.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_puts_into_one_row_all_land() {
    let dir = tempfile::tempdir().unwrap();
    let j = crate::journal::Journal::open(&dir.path().join("journal.db"))
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for n in 0..16 {
        let j = j.clone();
        tasks.push(tokio::spawn(async move {
            let f = fields(&[(format!("F{n}").as_str(), json!(n))]);
            j.outbox_put("ScheduledPosts", "recA", &f).await
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let item = j.outbox_next("ScheduledPosts", at(0), 10).await.unwrap().remove(0);
    assert_eq!((item.fields.len(), item.version), (16, 16));
}

#[tokio::test]
async fn a_write_put_after_a_time_is_not_due_before_it_and_others_join_it() {
    let j = journal().await;
    let status = fields(&[("Status", json!("Ready"))]);
    j.outbox_put_after("MediaLibrary", "recM", &status, at(10))
        .await
        .unwrap();
    assert!(j.outbox_next("MediaLibrary", at(5), 10).await.unwrap().is_empty());
    assert_eq!(j.outbox_next_attempt().await.unwrap(), Some(at(10)));
    // A second write to the row keeps its due time; another row's lingers on its own.
    j.outbox_put_after("MediaLibrary", "recM", &fields(&[("ValidFor", json!([]))]), at(20))
        .await
        .unwrap();
    j.outbox_put_after("MediaLibrary", "recN", &status, at(12))
        .await
        .unwrap();
    let due = j.outbox_next("MediaLibrary", at(12), 10).await.unwrap();
    assert_eq!(due.len(), 2, "both due together");
    assert_eq!(due[0].fields.len(), 2, "merged");
}
