//! Which records a batch of payloads names, and which of the worker's own writes it skips.

use super::*;
use serde_json::json;

fn watched() -> Watched {
    Watched {
        posts_table: "tblPosts".into(),
        accounts_table: "tblAccounts".into(),
        media_table: "tblMedia".into(),
        status_field: "fldStatus".into(),
        outcome_fields: ["fldStatus", "fldUrl", "fldError"]
            .map(String::from)
            .into_iter()
            .collect(),
    }
}

fn payload(source: &str, tables: Value) -> Payload {
    serde_json::from_value(json!({
        "timestamp": "2026-12-07T10:00:00.000Z",
        "baseTransactionNumber": 1,
        "actionMetadata": {"source": source, "sourceMetadata": {}},
        "payloadFormat": "v0",
        "changedTablesById": tables,
    }))
    .unwrap()
}

fn changed(cells: Value) -> Value {
    json!({"current": {"cellValuesByFieldId": cells}})
}

fn posts(c: &Changes) -> Vec<&str> {
    c.posts.iter().map(String::as_str).collect()
}

#[test]
fn created_changed_and_destroyed_posts_are_named_once_each() {
    let payloads = [
        payload(
            "client",
            json!({"tblPosts": {
                "createdRecordsById": {"recNew": {"createdTime": "2026-12-07T10:00:00.000Z", "cellValuesByFieldId": {}}},
                "changedRecordsById": {"recEdited": changed(json!({"fldTime": "2026-12-08T10:00:00.000Z"}))},
                "destroyedRecordIds": ["recGone"]
            }}),
        ),
        payload(
            "client",
            json!({"tblPosts": {"changedRecordsById": {"recEdited": changed(json!({"fldCaption": "again"}))}}}),
        ),
    ];
    let c = changes(&watched(), &payloads);
    assert_eq!(posts(&c), ["recEdited", "recGone", "recNew"]);
    assert!(!c.everything);
}

#[test]
fn the_workers_own_outcome_writes_are_skipped() {
    let payloads = [payload(
        "publicApi",
        json!({"tblPosts": {"changedRecordsById": {
            "recPosted": changed(json!({"fldStatus": {"id": "selP", "name": "Posted", "color": "greenLight2"}, "fldUrl": "https://x.com/ada/status/1"})),
            "recFailed": changed(json!({"fldStatus": "Failed", "fldError": "X allows 4 images; this post has 5"})),
            "recNote": changed(json!({"fldError": "Retrying: X answered 503"})),
        }}}),
    )];
    let c = changes(&watched(), &payloads);
    assert!(c.is_empty(), "{c:?}");
    assert_eq!(c.own_writes, 3);
}

#[test]
fn outcome_fields_changed_by_a_person_or_to_another_status_are_not_skipped() {
    let payloads = [
        payload(
            "client",
            json!({"tblPosts": {"changedRecordsById": {"recByHand": changed(json!({"fldStatus": {"name": "Failed"}}))}}}),
        ),
        payload(
            "publicApi",
            json!({"tblPosts": {"changedRecordsById": {
                "recDeleted": changed(json!({"fldStatus": {"name": "Deleted"}})),
                "recRescheduled": changed(json!({"fldStatus": "Scheduled", "fldError": null})),
                "recMixed": changed(json!({"fldStatus": "Posted", "fldCaption": "edited too"})),
            }}}),
        ),
    ];
    let c = changes(&watched(), &payloads);
    assert_eq!(posts(&c), ["recByHand", "recDeleted", "recMixed", "recRescheduled"]);
    assert_eq!(c.own_writes, 0);
}

#[test]
fn accounts_and_media_ask_for_the_whole_schedule_other_tables_for_nothing() {
    let media = payload(
        "publicApi",
        json!({"tblMedia": {"changedRecordsById": {"recM": changed(json!({"fldX": "Ready"}))}}}),
    );
    assert!(changes(&watched(), &[media]).everything);
    let account = payload("client", json!({"tblAccounts": {"destroyedRecordIds": ["recA"]}}));
    assert!(changes(&watched(), &[account]).everything);
    let analytics = payload(
        "publicApi",
        json!({"tblAnalytics": {"createdRecordsById": {"recStats": {"cellValuesByFieldId": {}}}}}),
    );
    assert!(changes(&watched(), &[analytics]).is_empty());
}

#[test]
fn an_error_payload_asks_for_the_whole_schedule() {
    let error: Payload = serde_json::from_value(json!({
        "timestamp": "2026-12-07T10:00:00.000Z", "baseTransactionNumber": 2,
        "payloadFormat": "v0", "error": true, "code": "INVALID_FILTERS"
    }))
    .unwrap();
    assert!(changes(&watched(), &[error]).everything);
}

#[test]
fn the_ids_come_from_the_bases_schema() {
    let tables: Vec<TableMeta> = serde_json::from_value(json!([
        {"id": "tblP", "name": "ScheduledPosts", "primaryFieldId": "fld1", "fields": [
            {"id": "fld1", "name": "PostID", "type": "singleLineText"},
            {"id": "fldS", "name": "Status", "type": "singleSelect"},
            {"id": "fldU", "name": "PostURL", "type": "url"},
            {"id": "fldE", "name": "ErrorMessage", "type": "multilineText"}
        ]},
        {"id": "tblA", "name": "SocialAccounts", "primaryFieldId": "fld2", "fields": []},
        {"id": "tblM", "name": "MediaLibrary", "primaryFieldId": "fld3", "fields": []}
    ]))
    .unwrap();
    let w = Watched::from_tables(&tables).unwrap();
    assert_eq!((w.posts_table.as_str(), w.status_field.as_str()), ("tblP", "fldS"));
    assert_eq!(w.outcome_fields.len(), 3);
    let err = Watched::from_tables(&tables[..1]).unwrap_err();
    assert_eq!(err.to_string(), "the base has no table SocialAccounts");
}
