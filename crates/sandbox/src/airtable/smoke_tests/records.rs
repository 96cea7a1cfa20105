//! Records over HTTP: create, page through, filter, sort, upsert, links, modification times.

use super::*;
use std::collections::HashSet;
use std::time::Duration;

#[tokio::test]
async fn twenty_five_records_go_in_with_three_requests_and_come_back_in_pages_of_ten() {
    let sandbox = start(roomy(), None).await;
    let c = Client::new(&sandbox);
    let (base, _) = posts_base(&sandbox, &c).await;
    let ids = insert_posts(&c, &base, 25).await;
    assert_eq!(ids.len(), 25);

    let mut seen = Vec::new();
    let mut offset: Option<String> = None;
    let mut pages = 0;
    loop {
        let q = offset.as_ref().map(|o| format!("&offset={o}")).unwrap_or_default();
        let (status, page) = c.get(&format!("/v0/{base}/Posts?pageSize=10{q}")).await;
        assert_eq!(status, 200, "{page}");
        pages += 1;
        seen.extend(
            page["records"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_str().unwrap().to_string()),
        );
        offset = page["offset"].as_str().map(str::to_string);
        if let Some(o) = &offset {
            assert!(o.starts_with("itr") && o.contains("/rec"), "{o}");
        } else {
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, ids, "creation order, every record once");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn sort_fields_and_max_records_shape_the_listing() {
    let sandbox = start(roomy(), None).await;
    let c = Client::new(&sandbox);
    let (base, _) = posts_base(&sandbox, &c).await;
    insert_posts(&c, &base, 12).await;
    let (status, page) = c
        .get(&format!(
            "/v0/{base}/Posts?sort%5B0%5D%5Bfield%5D=N&sort%5B0%5D%5Bdirection%5D=desc&fields%5B%5D=N&maxRecords=3"
        ))
        .await;
    assert_eq!(status, 200, "{page}");
    let records = page["records"].as_array().unwrap();
    let ns: Vec<i64> = records.iter().map(|r| r["fields"]["N"].as_i64().unwrap()).collect();
    assert_eq!(ns, [12, 11, 10]);
    assert!(records[0]["fields"].get("Name").is_none(), "only the asked fields");
    assert!(page.get("offset").is_none());
    // The same through POST listRecords.
    let (status, page) = c
        .post(
            &format!("/v0/{base}/Posts/listRecords"),
            json!({"sort": [{"field": "N", "direction": "asc"}], "pageSize": 2}),
        )
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["records"][0]["fields"]["N"], 1);
    assert!(page["offset"].is_string());
    sandbox.shutdown().await;
}

#[tokio::test]
async fn filter_by_formula_goes_through_the_formula_engine() {
    let sandbox = start(roomy(), None).await;
    let c = Client::new(&sandbox);
    let (base, _) = posts_base(&sandbox, &c).await;
    insert_posts(&c, &base, 25).await;
    let (status, page) = c.get(&format!("/v0/{base}/Posts?filterByFormula=%7BN%7D+%3E+20")).await;
    assert_eq!(status, 200, "{page}");
    if formula_engine_is_real() {
        let ns: HashSet<i64> = page["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["fields"]["N"].as_i64().unwrap())
            .collect();
        assert_eq!(ns, (21..=25).collect());
        let (status, err) = c.get(&format!("/v0/{base}/Posts?filterByFormula=%7BNope%7D")).await;
        assert_eq!(
            (status, err["error"]["type"].as_str()),
            (422, Some("INVALID_FILTER_BY_FORMULA"))
        );
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn empty_values_are_left_out_and_date_times_come_back_in_utc() {
    let sandbox = start(roomy(), None).await;
    let c = Client::new(&sandbox);
    let (base, _) = posts_base(&sandbox, &c).await;
    let (status, rec) = c
        .post(
            &format!("/v0/{base}/Posts/"),
            json!({"fields": {"Name": "", "N": 0, "When": "2026-11-25T11:00:00+01:00"}}),
        )
        .await;
    assert_eq!(status, 200, "{rec}");
    assert_eq!(rec["fields"], json!({"N": 0, "When": "2026-11-25T10:00:00.000Z"}));
    assert!(rec["id"].as_str().unwrap().starts_with("rec"));
    // PUT clears what it does not name; PATCH keeps it.
    let id = rec["id"].as_str().unwrap();
    let (_, patched) = c
        .patch(&format!("/v0/{base}/Posts/{id}"), json!({"fields": {"Name": "x"}}))
        .await;
    assert_eq!(patched["fields"]["N"], 0);
    let (_, put) = c
        .call(
            Method::PUT,
            &format!("/v0/{base}/Posts"),
            Some(json!({"records": [{"id": id, "fields": {"Name": "y"}}]})),
        )
        .await;
    assert_eq!(put["records"][0]["fields"], json!({"Name": "y"}));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn upserts_create_then_update_and_say_which() {
    let sandbox = start(roomy(), None).await;
    let c = Client::new(&sandbox);
    let (base, _) = posts_base(&sandbox, &c).await;
    let body = |n: i64| json!({"performUpsert": {"fieldsToMergeOn": ["Name"]}, "records": [{"fields": {"Name": "k1", "N": n}}]});
    let (status, first) = c.patch(&format!("/v0/{base}/Posts"), body(1)).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["createdRecords"].as_array().unwrap().len(), 1);
    assert_eq!(first["updatedRecords"], json!([]));
    let (_, second) = c.patch(&format!("/v0/{base}/Posts"), body(2)).await;
    assert_eq!(second["updatedRecords"], first["createdRecords"]);
    assert_eq!(second["records"][0]["fields"]["N"], 2);
    // Two records with the same key make the next upsert ambiguous.
    c.post(&format!("/v0/{base}/Posts"), json!({"fields": {"Name": "k1"}}))
        .await;
    let (status, _) = c.patch(&format!("/v0/{base}/Posts"), body(3)).await;
    assert_eq!(status, 422);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn links_are_two_way_and_typecast_links_by_primary_text() {
    let sandbox = start(roomy(), None).await;
    let c = Client::new(&sandbox);
    let (base, posts) = posts_base(&sandbox, &c).await;
    let (_, users) = c
        .post(
            &format!("/v0/meta/bases/{base}/tables"),
            json!({"name": "Users", "fields": [{"name": "Email", "type": "email"}]}),
        )
        .await;
    let users_id = users["id"].as_str().unwrap();
    let (status, link) = c
        .post(
            &format!("/v0/meta/bases/{base}/tables/{posts}/fields"),
            json!({"name": "Author", "type": "multipleRecordLinks", "options": {"linkedTableId": users_id}}),
        )
        .await;
    assert_eq!(status, 200, "{link}");
    assert_eq!(link["options"]["linkedTableId"], users_id);
    let inverse_id = link["options"]["inverseLinkFieldId"].as_str().unwrap();
    let (_, meta) = c.get(&format!("/v0/meta/bases/{base}/tables")).await;
    let inverse = &meta["tables"][1]["fields"][1];
    assert_eq!(
        (inverse["id"].as_str(), inverse["name"].as_str()),
        (Some(inverse_id), Some("Posts"))
    );

    let (_, ann) = c
        .post(
            &format!("/v0/{base}/Users"),
            json!({"fields": {"Email": "ann@example.com"}}),
        )
        .await;
    let ann_id = ann["id"].as_str().unwrap();
    let (_, post) = c
        .post(
            &format!("/v0/{base}/Posts"),
            json!({"fields": {"Name": "p", "Author": [ann_id]}}),
        )
        .await;
    let post_id = post["id"].as_str().unwrap();
    let (_, ann) = c.get(&format!("/v0/{base}/Users/{ann_id}")).await;
    assert_eq!(ann["fields"]["Posts"], json!([post_id]));

    let (status, typecast) = c
        .post(
            &format!("/v0/{base}/Posts"),
            json!({"fields": {"Name": "q", "Author": ["ann@example.com"]}, "typecast": true}),
        )
        .await;
    assert_eq!(status, 200, "{typecast}");
    assert_eq!(typecast["fields"]["Author"], json!([ann_id]));
    let (status, err) = c
        .post(
            &format!("/v0/{base}/Posts"),
            json!({"fields": {"Author": ["ann@example.com"]}}),
        )
        .await;
    assert_eq!(
        (status, err["error"]["type"].as_str()),
        (422, Some("INVALID_VALUE_FOR_COLUMN"))
    );

    // With typecast, a text that matches no record creates one in the linked table.
    let (_, bob_post) = c
        .post(
            &format!("/v0/{base}/Posts"),
            json!({"fields": {"Name": "r", "Author": ["bob@example.com"]}, "typecast": true}),
        )
        .await;
    let bob_id = bob_post["fields"]["Author"][0].as_str().unwrap();
    let (_, bob) = c.get(&format!("/v0/{base}/Users/{bob_id}")).await;
    assert_eq!(
        bob["fields"],
        json!({"Email": "bob@example.com", "Posts": [bob_post["id"]]})
    );

    c.call(Method::DELETE, &format!("/v0/{base}/Posts/{post_id}"), None)
        .await;
    let (_, ann) = c.get(&format!("/v0/{base}/Users/{ann_id}")).await;
    assert_eq!(ann["fields"]["Posts"], json!([typecast["id"]]));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_grid_view_and_the_hand_made_views_are_listed_and_usable() {
    let sandbox = start(roomy(), None).await;
    let c = Client::new(&sandbox);
    let base = sandbox.create_base("Views");
    let (status, users) = c
        .post(&format!("/v0/meta/bases/{base}/tables"), json!({"name": "Users", "fields": [
            {"name": "UserID", "type": "singleLineText"},
            {"name": "Status", "type": "singleSelect", "options": {"choices": [{"name": "Active"}, {"name": "Trial"}]}},
            {"name": "Subscription Plan", "type": "singleSelect", "options": {"choices": [{"name": "Enterprise"}]}},
        ]}))
        .await;
    assert_eq!(status, 200, "{users}");
    let views: Vec<&str> = users["views"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        views,
        [
            "Grid view",
            "All Users",
            "Active Users",
            "Trial Users",
            "Enterprise Customers"
        ]
    );
    for (id, status) in [("u1", "Active"), ("u2", "Trial"), ("u3", "Active")] {
        c.post(
            &format!("/v0/{base}/Users"),
            json!({"fields": {"UserID": id, "Status": status}}),
        )
        .await;
    }
    let (_, all) = c.get(&format!("/v0/{base}/Users?view=Grid%20view")).await;
    assert_eq!(all["records"].as_array().unwrap().len(), 3);
    let (status, active) = c.get(&format!("/v0/{base}/Users?view=Active+Users")).await;
    assert_eq!(status, 200, "{active}");
    if formula_engine_is_real() {
        assert_eq!(active["records"].as_array().unwrap().len(), 2);
    }
    let view_id = users["views"][2]["id"].as_str().unwrap();
    assert_eq!(c.get(&format!("/v0/{base}/Users?view={view_id}")).await.0, 200);
    let (status, err) = c.get(&format!("/v0/{base}/Users?view=Nope")).await;
    assert_eq!(
        (status, err["error"]["type"].as_str()),
        (422, Some("VIEW_NAME_NOT_FOUND"))
    );
    sandbox.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn last_modified_time_follows_the_records_and_the_fields_last_changes() {
    let sandbox = start(roomy(), None).await;
    let c = Client::new(&sandbox);
    let (base, _) = posts_base(&sandbox, &c).await;
    let ids = insert_posts(&c, &base, 2).await;
    let (_, first) = c.get(&format!("/v0/{base}/Posts/{}", ids[0])).await;
    let created: chrono::DateTime<chrono::Utc> = first["createdTime"].as_str().unwrap().parse().unwrap();
    tokio::time::advance(Duration::from_secs(60)).await;
    c.patch(
        &format!("/v0/{base}/Posts"),
        json!({"records": [{"id": ids[0], "fields": {"N": 9}}]}),
    )
    .await;
    let cut = (created + chrono::Duration::seconds(30)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let matching = |formula: String| {
        let c = &c;
        let base = base.clone();
        async move {
            let q: String = form_urlencoded::byte_serialize(formula.as_bytes()).collect();
            let (status, page) = c.get(&format!("/v0/{base}/Posts?filterByFormula={q}")).await;
            assert_eq!(status, 200, "{formula}: {page}");
            let ids: Vec<String> = page["records"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_str().unwrap().to_string())
                .collect();
            ids
        }
    };
    let after = |args: &str| format!("IS_AFTER(LAST_MODIFIED_TIME({args}), DATETIME_PARSE('{cut}'))");
    assert_eq!(matching(after("")).await, vec![ids[0].clone()]);
    assert_eq!(matching(after("{N}")).await, vec![ids[0].clone()]);
    assert_eq!(matching(after("{Name}")).await, Vec::<String>::new());
    assert_eq!(matching(after("{Name}, {N}")).await, vec![ids[0].clone()]);
    assert_eq!(matching("LAST_MODIFIED_TIME({When}) = BLANK()".into()).await.len(), 2);
    assert_eq!(
        matching("IS_SAME(CREATED_TIME(), LAST_MODIFIED_TIME())".to_string()).await,
        vec![ids[1].clone()]
    );
    sandbox.shutdown().await;
}
