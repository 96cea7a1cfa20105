//! Webhooks over HTTP: management, payloads, expiry, persistence, the rate limit. Pings are in
//! `webhook_pings.rs`.

use super::*;
use crate::airtable::webhooks::LIFETIME;
use base64::Engine;
use std::collections::HashMap;
use std::time::Duration;

/// Field ids of the `Posts` table by name.
pub async fn field_ids(c: &Client, base: &str) -> HashMap<String, String> {
    let (_, meta) = c.get(&format!("/v0/meta/bases/{base}/tables")).await;
    meta["tables"][0]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap().to_string(),
                f["id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

pub fn table_data(table: &str) -> Value {
    json!({"options": {"filters": {"dataTypes": ["tableData"], "recordChangeScope": table}}})
}

/// Creates a webhook; returns its id and secret.
pub async fn create_hook(c: &Client, base: &str, url: Option<&str>, spec: Value) -> (String, String) {
    let mut body = json!({ "specification": spec });
    if let Some(u) = url {
        body["notificationUrl"] = json!(u);
    }
    let (status, created) = c.post(&format!("/v0/bases/{base}/webhooks"), body).await;
    assert_eq!(status, 200, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    (id, created["macSecretBase64"].as_str().unwrap().to_string())
}

async fn payloads(c: &Client, base: &str, hook: &str, query: &str) -> (u16, Value) {
    c.get(&format!("/v0/bases/{base}/webhooks/{hook}/payloads{query}"))
        .await
}

#[tokio::test(start_paused = true)]
async fn a_webhook_is_created_listed_refreshed_and_deleted() {
    let sandbox = start(roomy(), None).await;
    let c = Client::new(&sandbox);
    let (base, table) = posts_base(&sandbox, &c).await;
    let before = chrono::Utc::now();
    let (status, created) = c
        .post(
            &format!("/v0/bases/{base}/webhooks"),
            json!({"notificationUrl": "http://127.0.0.1:9/hook", "specification": table_data(&table)}),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    let id = created["id"].as_str().unwrap();
    assert!(id.starts_with("ach") && id.len() == 17, "{id}");
    let secret = base64::engine::general_purpose::STANDARD
        .decode(created["macSecretBase64"].as_str().unwrap())
        .unwrap();
    assert_eq!(secret.len(), 32);
    let expires: chrono::DateTime<chrono::Utc> = created["expirationTime"].as_str().unwrap().parse().unwrap();
    let lifetime = chrono::Duration::from_std(LIFETIME).unwrap();
    assert!((expires - before - lifetime).num_seconds().abs() < 60, "{expires}");

    let (status, listed) = c.get(&format!("/v0/bases/{base}/webhooks")).await;
    assert_eq!(status, 200);
    let hook = &listed["webhooks"][0];
    assert_eq!(hook["id"], id);
    assert_eq!(hook["cursorForNextPayload"], 1);
    assert_eq!(
        (hook["isHookEnabled"].clone(), hook["areNotificationsEnabled"].clone()),
        (json!(true), json!(true))
    );
    assert_eq!(hook["notificationUrl"], "http://127.0.0.1:9/hook");
    assert_eq!(hook["specification"], table_data(&table));
    assert_eq!(hook["lastNotificationResult"], Value::Null);
    assert!(!listed
        .to_string()
        .contains(created["macSecretBase64"].as_str().unwrap()));
    assert_eq!(sandbox.webhooks(&base), listed["webhooks"].as_array().unwrap().clone());

    tokio::time::advance(Duration::from_secs(3600)).await;
    let (status, refreshed) = c
        .post(&format!("/v0/bases/{base}/webhooks/{id}/refresh"), json!({}))
        .await;
    assert_eq!(status, 200, "{refreshed}");
    let later: chrono::DateTime<chrono::Utc> = refreshed["expirationTime"].as_str().unwrap().parse().unwrap();
    assert_eq!((later - expires).num_seconds(), 3600);

    let (status, _) = c
        .post(
            &format!("/v0/bases/{base}/webhooks/{id}/enableNotifications"),
            json!({"enable": false}),
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(sandbox.webhooks(&base)[0]["areNotificationsEnabled"], false);

    let (status, body) = c
        .call(Method::DELETE, &format!("/v0/bases/{base}/webhooks/{id}"), None)
        .await;
    assert_eq!((status, body), (204, json!("")));
    assert_eq!(
        c.get(&format!("/v0/bases/{base}/webhooks")).await.1,
        json!({"webhooks": []})
    );
    let (status, _) = c
        .post(&format!("/v0/bases/{base}/webhooks/{id}/refresh"), json!({}))
        .await;
    assert_eq!(status, 404);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn an_eleventh_webhook_is_refused_until_one_is_deleted() {
    let sandbox = start(roomy(), None).await;
    let c = Client::new(&sandbox);
    let (base, table) = posts_base(&sandbox, &c).await;
    let mut ids = Vec::new();
    for _ in 0..10 {
        ids.push(create_hook(&c, &base, None, table_data(&table)).await.0);
    }
    let (status, err) = c
        .post(
            &format!("/v0/bases/{base}/webhooks"),
            json!({"specification": table_data(&table)}),
        )
        .await;
    assert_eq!(
        (status, err["error"]["type"].as_str()),
        (422, Some("TOO_MANY_WEBHOOKS_IN_BASE"))
    );
    c.call(Method::DELETE, &format!("/v0/bases/{base}/webhooks/{}", ids[0]), None)
        .await;
    create_hook(&c, &base, None, table_data(&table)).await;
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_bad_specification_or_url_is_refused_with_422_saying_what_is_wrong() {
    let sandbox = start(roomy(), None).await;
    let c = Client::new(&sandbox);
    let (base, table) = posts_base(&sandbox, &c).await;
    let cases = [
        (
            json!({"specification": {"options": {"filters": {"dataTypes": []}}}}),
            "dataTypes",
        ),
        (
            json!({"specification": {"options": {"filters": {"dataTypes": ["records"]}}}}),
            "records",
        ),
        (
            json!({"specification": {"options": {"filters": {"dataTypes": ["tableData"], "recordChangeScope": "tblNope"}}}}),
            "tblNope",
        ),
        (
            json!({"specification": {"options": {"filters": {"dataTypes": ["tableData"], "watchDataInFieldIds": ["fldX"]}}}}),
            "recordChangeScope",
        ),
        (
            json!({"specification": {"options": {"filters": {"dataTypes": ["tableData"], "recordChangeScope": table, "watchDataInFieldIds": ["fldX"]}}}}),
            "fldX",
        ),
        (
            json!({"specification": {"options": {"filters": {"dataTypes": ["tableData"], "changeTypes": ["moved"]}}}}),
            "moved",
        ),
        (
            json!({"specification": {"options": {"filters": {"dataTypes": ["tableData"]}, "wat": 1}}}),
            "wat",
        ),
        (
            json!({"notificationUrl": "ftp://127.0.0.1/x", "specification": table_data(&table)}),
            "http",
        ),
        (
            json!({"notificationUrl": "not a url", "specification": table_data(&table)}),
            "notificationUrl",
        ),
    ];
    for (body, says) in cases {
        let (status, err) = c.post(&format!("/v0/bases/{base}/webhooks"), body.clone()).await;
        assert_eq!(status, 422, "{body} -> {err}");
        assert_eq!(err["error"]["type"], "INVALID_REQUEST_UNKNOWN", "{body}");
        assert!(
            err["error"]["message"].as_str().unwrap().contains(says),
            "{body} -> {err}"
        );
    }
    let (status, _) = c
        .post(
            "/v0/bases/appNope0000000000/webhooks",
            json!({"specification": table_data(&table)}),
        )
        .await;
    assert_eq!(status, 403);
    assert!(sandbox.webhooks(&base).is_empty());
    sandbox.shutdown().await;
}

#[tokio::test]
async fn payloads_report_each_request_as_one_transaction_with_cursor_paging() {
    let sandbox = start(roomy(), None).await;
    let c = Client::new(&sandbox);
    let (base, table) = posts_base(&sandbox, &c).await;
    let f = field_ids(&c, &base).await;
    let mut spec = table_data(&table);
    spec["options"]["includes"] =
        json!({"includePreviousCellValues": true, "includeCellValuesInFieldIds": [f["Name"]]});
    let (hook, _) = create_hook(&c, &base, None, spec).await;
    let ids = insert_posts(&c, &base, 2).await; // one request: one payload
    c.patch(
        &format!("/v0/{base}/Posts"),
        json!({"records": [{"id": ids[0], "fields": {"N": 42, "Status": "A"}}]}),
    )
    .await;
    c.call(Method::DELETE, &format!("/v0/{base}/Posts?records[]={}", ids[1]), None)
        .await;

    let (status, page) = payloads(&c, &base, &hook, "?limit=2").await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(
        (page["cursor"].clone(), page["mightHaveMore"].clone()),
        (json!(3), json!(true))
    );
    let [created, changed] = [&page["payloads"][0], &page["payloads"][1]];
    assert_eq!(created["payloadFormat"], "v0");
    assert_eq!(created["actionMetadata"]["source"], "publicApi");
    let first_tx = created["baseTransactionNumber"].as_u64().unwrap();
    assert_eq!(changed["baseTransactionNumber"].as_u64().unwrap(), first_tx + 1);
    let made = &created["changedTablesById"][&table]["createdRecordsById"];
    assert_eq!(made.as_object().unwrap().len(), 2);
    assert_eq!(made[&ids[0]]["cellValuesByFieldId"][&f["Name"]], "P1");
    assert_eq!(made[&ids[0]]["cellValuesByFieldId"][&f["N"]], 1);
    assert_eq!(made[&ids[0]]["cellValuesByFieldId"][&f["Status"]]["name"], "B");
    assert!(made[&ids[0]]["createdTime"].is_string());
    let change = &changed["changedTablesById"][&table]["changedRecordsById"][&ids[0]];
    assert_eq!(change["current"]["cellValuesByFieldId"][&f["N"]], 42);
    assert_eq!(change["current"]["cellValuesByFieldId"][&f["Status"]]["name"], "A");
    assert_eq!(change["previous"]["cellValuesByFieldId"][&f["N"]], 1);
    assert_eq!(
        change["unchanged"]["cellValuesByFieldId"],
        json!({ f["Name"].clone(): "P1" })
    );

    let (_, rest) = payloads(&c, &base, &hook, "?cursor=3").await;
    assert_eq!(
        (rest["cursor"].clone(), rest["mightHaveMore"].clone()),
        (json!(4), json!(false))
    );
    assert_eq!(
        rest["payloads"][0]["changedTablesById"][&table]["destroyedRecordIds"],
        json!([ids[1]])
    );
    assert_eq!(sandbox.webhooks(&base)[0]["cursorForNextPayload"], 4);
    let (_, none) = payloads(&c, &base, &hook, "?cursor=4").await;
    assert_eq!(none, json!({"cursor": 4, "mightHaveMore": false, "payloads": []}));
    let (_, all) = payloads(&c, &base, &hook, "").await;
    assert_eq!(all["payloads"].as_array().unwrap().len(), 3);

    for bad in ["?limit=51", "?limit=0", "?cursor=0", "?cursor=x", "?offset=1"] {
        let (status, err) = payloads(&c, &base, &hook, bad).await;
        assert_eq!(
            (status, err["error"]["type"].as_str()),
            (422, Some("INVALID_REQUEST_UNKNOWN")),
            "{bad}"
        );
    }
    assert_eq!(payloads(&c, &base, "achNope0000000000", "").await.0, 404);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_webhook_sees_only_the_tables_fields_and_change_types_it_asked_for() {
    let sandbox = start(roomy(), None).await;
    let c = Client::new(&sandbox);
    let (base, table) = posts_base(&sandbox, &c).await;
    let f = field_ids(&c, &base).await;
    let mut watch = table_data(&table);
    watch["options"]["filters"]["watchDataInFieldIds"] = json!([f["Status"]]);
    watch["options"]["filters"]["changeTypes"] = json!(["update"]);
    let (hook, _) = create_hook(&c, &base, None, watch).await;
    let mut other = table_data("tblOther");
    other["options"]["filters"]["recordChangeScope"] = json!(table);
    other["options"]["filters"]["fromSources"] = json!(["client"]);
    let (by_hand, _) = create_hook(&c, &base, None, other).await;
    let ids = insert_posts(&c, &base, 1).await;
    c.patch(
        &format!("/v0/{base}/Posts"),
        json!({"records": [{"id": ids[0], "fields": {"N": 7}}]}),
    )
    .await;
    assert_eq!(payloads(&c, &base, &hook, "").await.1["payloads"], json!([]));
    c.patch(
        &format!("/v0/{base}/Posts"),
        json!({"records": [{"id": ids[0], "fields": {"Status": "A"}}]}),
    )
    .await;
    let (_, page) = payloads(&c, &base, &hook, "").await;
    assert_eq!(page["payloads"].as_array().unwrap().len(), 1, "{page}");
    let change = &page["payloads"][0]["changedTablesById"][&table]["changedRecordsById"][&ids[0]];
    assert_eq!(change["current"]["cellValuesByFieldId"][&f["Status"]]["name"], "A");
    assert_eq!(payloads(&c, &base, &by_hand, "").await.1["payloads"], json!([]));
    sandbox.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_webhook_not_refreshed_for_seven_days_expires_and_listing_payloads_keeps_one_alive() {
    let sandbox = start(roomy(), None).await;
    let c = Client::new(&sandbox);
    let (base, table) = posts_base(&sandbox, &c).await;
    let (idle, _) = create_hook(&c, &base, None, table_data(&table)).await;
    let (read, _) = create_hook(&c, &base, None, table_data(&table)).await;
    insert_posts(&c, &base, 1).await;
    tokio::time::advance(LIFETIME - Duration::from_secs(3600)).await;
    assert_eq!(payloads(&c, &base, &read, "").await.0, 200);
    tokio::time::advance(Duration::from_secs(2 * 3600)).await;

    let listed = sandbox.webhooks(&base);
    let (idle_now, read_now) = (&listed[0], &listed[1]);
    assert_eq!(
        (idle_now["id"].as_str(), idle_now["isHookEnabled"].clone()),
        (Some(idle.as_str()), json!(false))
    );
    assert_eq!(idle_now["areNotificationsEnabled"], false);
    assert_eq!(read_now["isHookEnabled"], true);
    insert_posts(&c, &base, 1).await;
    let idle_after = &sandbox.webhooks(&base)[0];
    assert_eq!(
        idle_after["cursorForNextPayload"], 2,
        "an expired webhook records nothing new"
    );
    let (_, read_page) = payloads(&c, &base, &read, "").await;
    assert_eq!(
        read_page["payloads"].as_array().unwrap().len(),
        1,
        "the first is past its 7 days"
    );
    assert_eq!(read_page["cursor"], 3);
    let (status, _) = c
        .post(&format!("/v0/bases/{base}/webhooks/{idle}/refresh"), json!({}))
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        c.call(Method::DELETE, &format!("/v0/bases/{base}/webhooks/{idle}"), None)
            .await
            .0,
        204
    );

    tokio::time::advance(LIFETIME + Duration::from_secs(1)).await;
    let (_, kept) = payloads(&c, &base, &read, "").await;
    assert_eq!(kept["payloads"], json!([]), "payloads are kept 7 days");
    assert_eq!(kept["cursor"], 3);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_admin_path_expires_a_webhook_at_once() {
    let sandbox = start(roomy(), None).await;
    let c = Client::new(&sandbox);
    let (base, table) = posts_base(&sandbox, &c).await;
    let (hook, _) = create_hook(&c, &base, None, table_data(&table)).await;
    let (status, _) = c
        .post(&format!("/_sandbox/bases/{base}/webhooks/{hook}/expire"), json!({}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(sandbox.webhooks(&base)[0]["isHookEnabled"], false);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn webhooks_with_their_cursor_and_payloads_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = start(roomy(), Some(dir.path().to_path_buf())).await;
    let c = Client::new(&sandbox);
    let (base, table) = posts_base(&sandbox, &c).await;
    let (hook, _) = create_hook(&c, &base, None, table_data(&table)).await;
    insert_posts(&c, &base, 1).await;
    let before = sandbox.webhooks(&base);
    sandbox.shutdown().await;

    let sandbox = start(roomy(), Some(dir.path().to_path_buf())).await;
    let c = Client::new(&sandbox);
    assert_eq!(sandbox.webhooks(&base), before);
    insert_posts(&c, &base, 1).await;
    let (_, page) = payloads(&c, &base, &hook, "").await;
    assert_eq!(page["payloads"].as_array().unwrap().len(), 2);
    assert_eq!(page["cursor"], 3);
    let numbers: Vec<u64> = page["payloads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["baseTransactionNumber"].as_u64().unwrap())
        .collect();
    assert!(numbers[1] > numbers[0], "{numbers:?}");
    sandbox.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn webhook_calls_count_against_the_base_rate_limit() {
    let sandbox = start(SandboxLimits::default(), None).await;
    let c = Client::new(&sandbox);
    let base = sandbox.create_base("Limited");
    let statuses = list_webhooks_times(&c, &base, 6).await;
    assert_eq!(statuses, vec![200, 200, 200, 200, 200, 429]);
    let (_, counters) = c.get("/_sandbox/counters").await;
    assert_eq!(counters["bases"][&base]["requests"], 6);
    sandbox.shutdown().await;
}

async fn list_webhooks_times(c: &Client, base: &str, n: usize) -> Vec<u16> {
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(c.get(&format!("/v0/bases/{base}/webhooks")).await.0);
    }
    out
}
