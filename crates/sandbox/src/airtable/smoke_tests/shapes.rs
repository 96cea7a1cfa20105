//! The sandbox's success bodies have the shape (keys and value types) of Airtable's documented examples.

use super::*;

/// Whether `actual` has the keys and value types of `expected` (arrays: their first items).
fn same_shape(actual: &Value, expected: &Value, at: &str) -> Result<(), String> {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => {
            let (ak, ek): (Vec<_>, Vec<_>) = (a.keys().collect(), e.keys().collect());
            if ak != ek && !at.ends_with(".fields") {
                return Err(format!("{at}: keys {ak:?}, expected {ek:?}"));
            }
            e.iter().try_for_each(|(k, v)| match a.get(k) {
                Some(av) => same_shape(av, v, &format!("{at}.{k}")),
                None => Err(format!("{at}.{k} is missing")),
            })
        }
        (Value::Array(a), Value::Array(e)) => match (a.first(), e.first()) {
            (Some(x), Some(y)) => same_shape(x, y, &format!("{at}[0]")),
            _ => Ok(()),
        },
        (Value::String(_), Value::String(_))
        | (Value::Number(_), Value::Number(_))
        | (Value::Bool(_), Value::Bool(_)) => Ok(()),
        _ => Err(format!("{at}: {actual} is not shaped like {expected}")),
    }
}

#[tokio::test]
async fn list_upsert_and_schema_answers_have_airtables_shapes() {
    let sandbox = start(roomy(), None).await;
    let c = Client::new(&sandbox);
    let (base, _) = posts_base(&sandbox, &c).await;
    insert_posts(&c, &base, 3).await;
    let (_, page) = c
        .get(&format!("/v0/{base}/Posts?pageSize=1&fields[]=Name&fields[]=N"))
        .await;
    same_shape(&page, &fixture("list_records_page.json"), "$").unwrap();

    let (_, upsert) = c
        .patch(
            &format!("/v0/{base}/Posts"),
            json!({"performUpsert": {"fieldsToMergeOn": ["Name"]}, "records": [{"fields": {"Name": "new", "Status": "A"}}]}),
        )
        .await;
    same_shape(&upsert, &fixture("upsert_response.json"), "$").unwrap();

    let other = sandbox.create_base("Apartments");
    let (_, districts) = c
        .post(
            &format!("/v0/meta/bases/{other}/tables"),
            json!({"name": "Districts", "fields": [{"name": "Name", "type": "singleLineText"}]}),
        )
        .await;
    let (status, _) = c
        .post(
            &format!("/v0/meta/bases/{other}/tables"),
            json!({"name": "Apartments", "description": "Apartments to track.", "fields": [
                {"name": "Name", "type": "singleLineText", "description": "Name of the apartment"},
                {"name": "Pictures", "type": "multipleAttachments"},
                {"name": "District", "type": "multipleRecordLinks", "options": {"linkedTableId": districts["id"]}},
            ]}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, mut meta) = c.get(&format!("/v0/meta/bases/{other}/tables")).await;
    let apartments = meta["tables"][1].take();
    same_shape(&json!({ "tables": [apartments] }), &fixture("meta_tables.json"), "$").unwrap();
    sandbox.shutdown().await;
}
