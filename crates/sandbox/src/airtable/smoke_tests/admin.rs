//! The admin path, iterators and persistence over HTTP.

use super::*;

#[tokio::test]
async fn faults_answer_their_count_then_the_real_service_comes_back() {
    let sandbox = start(roomy(), None).await;
    let c = Client::new(&sandbox);
    let (base, _) = posts_base(&sandbox, &c).await;
    let (status, _) = c
        .post(
            "/_sandbox/faults",
            json!({"method": "GET", "path_prefix": format!("/v0/{base}/Posts"), "count": 2, "status": 503,
            "body": {"error": {"type": "RETRIABLE_ERROR", "message": "try later"}}}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(c.get(&format!("/v0/{base}/Posts")).await.0, 503);
    assert_eq!(c.get(&format!("/v0/{base}/Posts")).await.0, 503);
    assert_eq!(c.get(&format!("/v0/{base}/Posts")).await.0, 200);
    let (_, counters) = c.get("/_sandbox/counters").await;
    assert_eq!(counters["bases"][&base]["by_status"]["503"], 2);
    c.post("/_sandbox/counters/reset", json!({})).await;
    assert_eq!(c.get("/_sandbox/counters").await.1, json!({"bases": {}, "tokens": {}}));
    assert_eq!(Client::anonymous(&sandbox).get("/_sandbox/counters").await.0, 401);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn an_expired_iterator_gives_422_and_a_fresh_listing_works() {
    let sandbox = start(roomy(), None).await;
    let c = Client::new(&sandbox);
    let (base, _) = posts_base(&sandbox, &c).await;
    insert_posts(&c, &base, 15).await;
    let (_, page) = c.get(&format!("/v0/{base}/Posts?pageSize=10")).await;
    let offset = page["offset"].as_str().unwrap().to_string();
    c.post("/_sandbox/iterators/expire", json!({})).await;
    let (status, err) = c.get(&format!("/v0/{base}/Posts?pageSize=10&offset={offset}")).await;
    assert_eq!(
        (status, err["error"]["type"].as_str()),
        (422, Some("LIST_RECORDS_ITERATOR_NOT_AVAILABLE"))
    );
    assert_eq!(c.get(&format!("/v0/{base}/Posts?pageSize=10")).await.0, 200);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn bases_persist_across_a_restart_and_a_deleted_field_is_gone() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = start(roomy(), Some(dir.path().to_path_buf())).await;
    let c = Client::new(&sandbox);
    let (status, created) = c.post("/_sandbox/bases", json!({"name": "Kept"})).await;
    assert_eq!(status, 200);
    let base = created["id"].as_str().unwrap().to_string();
    c.post(
        &format!("/v0/meta/bases/{base}/tables"),
        json!({"name": "Posts", "fields": [
        {"name": "Name", "type": "singleLineText"}, {"name": "N", "type": "number", "options": {"precision": 0}},
        {"name": "Status", "type": "singleSelect", "options": {"choices": [{"name": "A"}]}}]}),
    )
    .await;
    let (_, typecast) = c
        .post(
            &format!("/v0/{base}/Posts"),
            json!({"fields": {"Status": "B"}, "typecast": true}),
        )
        .await;
    assert_eq!(typecast["fields"]["Status"], "B");
    c.call(
        Method::DELETE,
        &format!("/v0/{base}/Posts/{}", typecast["id"].as_str().unwrap()),
        None,
    )
    .await;
    insert_posts(&c, &base, 3).await;
    let (status, _) = c
        .call(
            Method::DELETE,
            &format!("/_sandbox/bases/{base}/tables/Posts/fields/N"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    sandbox.shutdown().await;

    let again = start(roomy(), Some(dir.path().to_path_buf())).await;
    let c = Client::new(&again);
    assert_eq!(again.bases(), vec![(base.clone(), "Kept".to_string())]);
    let (_, page) = c.get(&format!("/v0/{base}/Posts")).await;
    assert_eq!(page["records"].as_array().unwrap().len(), 3);
    assert_eq!(page["records"][0]["fields"], json!({"Name": "P1", "Status": "B"}));
    let (_, meta) = c.get(&format!("/v0/meta/bases/{base}/tables")).await;
    assert_eq!(meta["tables"][0]["fields"].as_array().unwrap().len(), 2);
    again.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn an_iterator_unused_for_five_minutes_of_tokio_time_expires() {
    let sandbox = start(roomy(), None).await;
    let c = Client::new(&sandbox);
    let (base, _) = posts_base(&sandbox, &c).await;
    insert_posts(&c, &base, 25).await;
    let (_, page) = c.get(&format!("/v0/{base}/Posts?pageSize=10")).await;
    tokio::time::advance(std::time::Duration::from_secs(4 * 60)).await;
    let (status, page) = c
        .get(&format!(
            "/v0/{base}/Posts?pageSize=10&offset={}",
            page["offset"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, 200, "used within five minutes: {page}");
    tokio::time::advance(std::time::Duration::from_secs(5 * 60 + 1)).await;
    let (status, err) = c
        .get(&format!(
            "/v0/{base}/Posts?pageSize=10&offset={}",
            page["offset"].as_str().unwrap()
        ))
        .await;
    assert_eq!(
        (status, err["error"]["type"].as_str()),
        (422, Some("LIST_RECORDS_ITERATOR_NOT_AVAILABLE"))
    );
    sandbox.shutdown().await;
}

/// A base can start with tables given as create-table bodies; the views of the sandbox's
/// options apply to them, and a refused table keeps no base.
#[tokio::test]
async fn a_base_created_with_tables_has_them_with_their_views() {
    let sandbox = start(roomy(), None).await;
    let c = Client::new(&sandbox);
    let tables = serde_json::to_value(users_with_views()).unwrap();
    let (status, created) = c
        .post("/_sandbox/bases", json!({"name": "Seeded", "tables": tables}))
        .await;
    assert_eq!(status, 200, "{created}");
    let base = created["id"].as_str().unwrap();
    let (_, meta) = c.get(&format!("/v0/meta/bases/{base}/tables")).await;
    assert_eq!(meta["tables"][0]["name"], "Users");
    assert_eq!(meta["tables"][0]["fields"][1]["type"], "singleSelect");
    assert_eq!(meta["tables"][0]["views"][1]["name"], "All Users");
    let before = sandbox.bases().len();
    let bad = json!({"name": "Bad", "tables": [{"name": "T", "fields": [{"name": "N", "type": "number"}]}]});
    let (status, err) = c.post("/_sandbox/bases", bad).await;
    assert_eq!(
        (status, err["error"]["type"].as_str()),
        (422, Some("INVALID_FIELD_TYPE_OPTIONS"))
    );
    assert_eq!(sandbox.bases().len(), before);
    sandbox.shutdown().await;
}
