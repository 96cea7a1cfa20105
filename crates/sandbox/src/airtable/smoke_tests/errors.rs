//! Error answers over HTTP, checked against the fixtures.

use super::*;

#[tokio::test]
async fn wrong_requests_get_airtables_statuses_and_bodies() {
    let sandbox = start(roomy(), None).await;
    let c = Client::new(&sandbox);
    let (base, _) = posts_base(&sandbox, &c).await;
    let posts = format!("/v0/{base}/Posts");

    assert_eq!(
        Client::anonymous(&sandbox).get(&posts).await,
        (401, fixture("error_authentication_required.json"))
    );
    assert_eq!(
        c.get("/v0/appNopeNopeNope0/Posts").await,
        (403, fixture("error_model_not_found.json"))
    );
    let (status, body) = c.get(&format!("/v0/{base}/Nope")).await;
    assert_eq!((status, body["error"]["type"].as_str()), (404, Some("TABLE_NOT_FOUND")));
    assert_eq!(
        body["error"]["message"],
        format!("Could not find table Nope in application {base}")
    );
    assert_eq!(
        c.get(&format!("{posts}/recNopeNopeNope00")).await,
        (404, fixture("error_not_found.json"))
    );
    assert_eq!(c.get("/v1/nothing/here").await, (404, fixture("error_not_found.json")));

    assert_eq!(
        c.post(&posts, json!({"fields": {"Nope": 1}})).await,
        (422, fixture("error_unknown_field_name.json"))
    );
    let (status, body) = c.post(&posts, json!({"fields": {"N": "abc"}})).await;
    assert_eq!(
        (status, body["error"]["type"].as_str()),
        (422, Some("INVALID_VALUE_FOR_COLUMN"))
    );
    let (status, body) = c.post(&posts, json!({"fields": {"Status": "C"}})).await;
    assert_eq!(
        (status, body["error"]["type"].as_str()),
        (422, Some("INVALID_MULTIPLE_CHOICE_OPTIONS"))
    );
    let (status, body) = c
        .post(&posts, json!({"fields": {"Status": "C"}, "typecast": true}))
        .await;
    assert_eq!((status, body["fields"]["Status"].as_str()), (200, Some("C")));

    let eleven: Vec<Value> = (0..11).map(|_| json!({"fields": {}})).collect();
    assert_eq!(
        c.post(&posts, json!({ "records": eleven })).await,
        (422, fixture("error_invalid_records_too_many.json"))
    );
    let (status, body) = c
        .patch(&posts, json!({"records": [{"id": "recNopeNopeNope00", "fields": {}}]}))
        .await;
    assert_eq!(
        (status, body),
        (
            422,
            fixture("error_row_does_not_exist.json")
                .to_string()
                .replace("recXXXXXXXXXXXXXX", "recNopeNopeNope00")
                .parse::<Value>()
                .unwrap()
        )
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn garbage_from_a_client_never_breaks_the_server() {
    let sandbox = start(roomy(), None).await;
    let c = Client::new(&sandbox);
    let (base, _) = posts_base(&sandbox, &c).await;
    let posts = format!("/v0/{base}/Posts");
    let (status, body) = c.raw(Method::POST, &posts, Some("{not json")).await;
    assert_eq!(
        (status, body["error"]["type"].as_str()),
        (400, Some("INVALID_REQUEST_BODY"))
    );
    for body in [
        "[1]",
        "{\"records\": 5}",
        "{\"records\": [{\"fields\": []}]}",
        "{\"fields\": {}, \"records\": []}",
        "{\"what\": 1}",
    ] {
        let (status, answer) = c.raw(Method::POST, &posts, Some(body)).await;
        assert_eq!(status, 422, "{body} -> {answer}");
    }
    for q in [
        "pageSize=100000000000000000000000",
        "pageSize=0",
        "offset=garbage",
        "offset=itrAAAAAAAAAAAAAA/recAAAAAAAAAAAAAA",
        "nope=1",
        "sort%5Bx%5D%5Bfield%5D=N",
    ] {
        let (status, answer) = c.get(&format!("{posts}?{q}")).await;
        assert_eq!(status, 422, "{q} -> {answer}");
    }
    let (status, _) = c
        .call(Method::DELETE, &format!("{posts}?records[]=recNopeNopeNope00"), None)
        .await;
    assert_eq!(status, 404);
    let (status, _) = c.get(&format!("/v0/{base}/%E2%82%AC%FF")).await;
    assert!(status == 404 || status == 400, "{status}");
    assert_eq!(c.get(&posts).await.0, 200, "still serving");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_sixth_quick_request_is_rate_limited_and_the_base_stays_locked_out() {
    let sandbox = start(SandboxLimits::default(), None).await;
    let c = Client::new(&sandbox);
    let base = sandbox.create_base("Limits");
    let path = format!("/v0/meta/bases/{base}/tables");
    for i in 0..5 {
        assert_eq!(c.get(&path).await.0, 200, "request {i}");
    }
    assert_eq!(c.get(&path).await, (429, fixture("error_rate_limited.json")));
    assert_eq!(c.get(&path).await.0, 429, "locked out");
    let (_, counters) = c.get("/_sandbox/counters").await;
    let count = &counters["bases"][&base];
    assert_eq!(
        (count["requests"].as_u64(), count["rate_limited"].as_u64()),
        (Some(7), Some(2))
    );
    assert_eq!(count["by_status"], json!({"200": 5, "429": 2}));
    assert!(!counters.to_string().contains(TOKEN), "tokens are never shown");
    sandbox.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn the_lock_out_ends_after_thirty_seconds_of_tokio_time() {
    let sandbox = start(SandboxLimits::default(), None).await;
    let c = Client::new(&sandbox);
    let base = sandbox.create_base("Paused");
    let path = format!("/v0/meta/bases/{base}/tables");
    for _ in 0..5 {
        assert_eq!(c.get(&path).await.0, 200);
    }
    assert_eq!(c.get(&path).await.0, 429);
    tokio::time::advance(std::time::Duration::from_secs(29)).await;
    assert_eq!(c.get(&path).await.0, 429, "still locked out at 29 s");
    tokio::time::advance(std::time::Duration::from_secs(2)).await;
    assert_eq!(c.get(&path).await.0, 200, "free again after 30 s");
    sandbox.shutdown().await;
}
