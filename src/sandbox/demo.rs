//! The demo base: a user, an account on each of the four platforms, media, and posts in every
//! status, with scheduled ones a few seconds ahead so a newcomer sees the worker act at once.

use crate::airtable::{AirtableError, Base, Fields, ListQuery};
use crate::base::names::{accounts, media, posts, users};
use chrono::{Duration, SecondsFormat, Utc};
use serde_json::{json, Value};
use std::collections::HashMap;

fn fields(pairs: &[(&str, Value)]) -> Fields {
    pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

/// Upserts rows merged on `key`, and returns each row's record id by its key's value.
async fn upsert_by(
    base: &Base,
    table: &str,
    key: &str,
    rows: Vec<Fields>,
) -> Result<HashMap<String, String>, AirtableError> {
    let result = base.upsert(table, &[key], rows, false).await?;
    Ok(result
        .records
        .into_iter()
        .filter_map(|r| {
            r.fields
                .get(key)
                .and_then(Value::as_str)
                .map(|k| (k.to_string(), r.id.clone()))
        })
        .collect())
}

fn id_of(ids: &HashMap<String, String>, key: &str, table: &str) -> anyhow::Result<String> {
    ids.get(key)
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("the upsert into {table} did not return the record {key}"))
}

/// Loads the demo records when the base has no posts; returns whether it did. Every table is
/// upserted on its id field, so a load cut short can simply run again.
pub async fn load_if_empty(base: &Base) -> anyhow::Result<bool> {
    let probe = ListQuery {
        fields: vec![posts::POST_ID.into()],
        max_records: Some(1),
        page_size: Some(1),
        ..ListQuery::default()
    };
    if !base.list_page(posts::TABLE, &probe, None).await?.records.is_empty() {
        return Ok(false);
    }
    let user_row = fields(&[
        (users::USER_ID, json!("U-0001")),
        (users::EMAIL, json!("ada@example.com")),
        (users::NAME, json!("Ada Demo")),
        (users::SIGNUP_DATE, json!(Utc::now().date_naive().to_string())),
        (users::PLAN, json!("Pro")),
        (users::STATUS, json!("Active")),
        (users::TIME_ZONE, json!("Europe/Paris")),
    ]);
    let user = id_of(
        &upsert_by(base, users::TABLE, users::USER_ID, vec![user_row]).await?,
        "U-0001",
        users::TABLE,
    )?;
    let platforms = ["Instagram", "Facebook", "Twitter", "TikTok"];
    let account_key = |i: usize| format!("A-{:04}", i + 1);
    let account_rows = platforms
        .iter()
        .enumerate()
        .map(|(i, p)| {
            fields(&[
                (accounts::ACCOUNT_ID, json!(account_key(i))),
                (accounts::USER, json!([user])),
                (accounts::PLATFORM, json!(p)),
                (accounts::ACCOUNT_NAME, json!(format!("@ada_on_{}", p.to_lowercase()))),
                (accounts::STATUS, json!("Connected")),
            ])
        })
        .collect();
    let account_ids = upsert_by(base, accounts::TABLE, accounts::ACCOUNT_ID, account_rows).await?;
    let media_rows = [
        ("M-0001", "Image", "Ready"),
        ("M-0002", "Video", "Ready"),
        ("M-0003", "Carousel", "Processing"),
    ]
    .iter()
    .map(|(id, kind, status)| {
        fields(&[
            (media::MEDIA_ID, json!(id)),
            (media::USER, json!([user])),
            (media::MEDIA_TYPE, json!(kind)),
            (
                media::CLOUDINARY_URL,
                json!(format!("https://res.cloudinary.com/demo/image/upload/{id}.jpg")),
            ),
            (media::STATUS, json!(status)),
        ])
    })
    .collect();
    let media_ids = upsert_by(base, media::TABLE, media::MEDIA_ID, media_rows).await?;
    let image = id_of(&media_ids, "M-0001", media::TABLE)?;
    let now = Utc::now();
    let at = |secs: i64| (now + Duration::seconds(secs)).to_rfc3339_opts(SecondsFormat::Millis, true);
    let post = |n: usize, account: usize, secs: i64, status: &str, extra: &[(&str, Value)]| -> anyhow::Result<Fields> {
        let mut f = fields(&[
            (posts::POST_ID, json!(format!("P-{n:04}"))),
            (posts::USER, json!([user])),
            (
                posts::ACCOUNT,
                json!([id_of(&account_ids, &account_key(account), accounts::TABLE)?]),
            ),
            (posts::MEDIA, json!([image])),
            (posts::SCHEDULED_TIME, json!(at(secs))),
            (
                posts::CAPTION,
                json!(format!("Demo post {n} on {}", platforms[account])),
            ),
            (posts::HASHTAGS, json!("#schedulo #demo")),
            (posts::STATUS, json!(status)),
        ]);
        f.extend(fields(extra));
        Ok(f)
    };
    let rows = vec![
        post(1, 2, 10, "Scheduled", &[])?,
        post(2, 1, 20, "Scheduled", &[])?,
        post(3, 0, 40, "Scheduled", &[])?,
        post(4, 3, 3600, "Scheduled", &[])?,
        post(
            5,
            2,
            -86_400,
            "Posted",
            &[(posts::POST_URL, json!("https://x.com/ada_on_twitter/status/1"))],
        )?,
        post(
            6,
            0,
            -7200,
            "Failed",
            &[(
                posts::ERROR_MESSAGE,
                json!("Instagram allows 5 hashtags; this caption has 7"),
            )],
        )?,
        post(7, 1, 7200, "Deleted", &[])?,
    ];
    upsert_by(base, posts::TABLE, posts::POST_ID, rows).await?;
    tracing::info!(
        message = "Demo base loaded.",
        users = 1,
        accounts = 4,
        media = 3,
        posts = 7
    );
    Ok(true)
}
