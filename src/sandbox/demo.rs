//! The demo base: a user, an account on each of the four platforms, media, and posts in every
//! status, with scheduled ones a few seconds ahead so a newcomer sees the worker act at once.

use crate::airtable::{AirtableError, Base, Fields, ListQuery};
use crate::base::names::{accounts, media, posts, users};
use chrono::{Duration, SecondsFormat, Utc};
use serde_json::{json, Value};

fn fields(pairs: &[(&str, Value)]) -> Fields {
    pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

/// Loads the demo records when the base has no posts; returns whether it did.
pub async fn load_if_empty(base: &Base) -> Result<bool, AirtableError> {
    let probe = ListQuery {
        fields: vec![posts::POST_ID.into()],
        max_records: Some(1),
        page_size: Some(1),
        ..ListQuery::default()
    };
    if !base.list_page(posts::TABLE, &probe, None).await?.records.is_empty() {
        return Ok(false);
    }
    let user = base
        .create(
            users::TABLE,
            vec![fields(&[
                (users::USER_ID, json!("U-0001")),
                (users::EMAIL, json!("ada@example.com")),
                (users::NAME, json!("Ada Demo")),
                (users::SIGNUP_DATE, json!(Utc::now().date_naive().to_string())),
                (users::PLAN, json!("Pro")),
                (users::STATUS, json!("Active")),
                (users::TIME_ZONE, json!("Europe/Paris")),
            ])],
            false,
        )
        .await?
        .remove(0)
        .id;
    let platforms = ["Instagram", "Facebook", "Twitter", "TikTok"];
    let account_rows = platforms
        .iter()
        .enumerate()
        .map(|(i, p)| {
            fields(&[
                (accounts::ACCOUNT_ID, json!(format!("A-{:04}", i + 1))),
                (accounts::USER, json!([user])),
                (accounts::PLATFORM, json!(p)),
                (accounts::ACCOUNT_NAME, json!(format!("@ada_on_{}", p.to_lowercase()))),
                (accounts::STATUS, json!("Connected")),
            ])
        })
        .collect();
    let account_ids: Vec<String> = base
        .create(accounts::TABLE, account_rows, false)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
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
    let media_ids: Vec<String> = base
        .create(media::TABLE, media_rows, false)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
    let now = Utc::now();
    let at = |secs: i64| (now + Duration::seconds(secs)).to_rfc3339_opts(SecondsFormat::Millis, true);
    let post = |n: usize, account: usize, secs: i64, status: &str, extra: &[(&str, Value)]| {
        let mut f = fields(&[
            (posts::POST_ID, json!(format!("P-{n:04}"))),
            (posts::USER, json!([user])),
            (posts::ACCOUNT, json!([account_ids[account]])),
            (posts::MEDIA, json!([media_ids[0]])),
            (posts::SCHEDULED_TIME, json!(at(secs))),
            (
                posts::CAPTION,
                json!(format!("Demo post {n} on {}", platforms[account])),
            ),
            (posts::HASHTAGS, json!("#schedulo #demo")),
            (posts::STATUS, json!(status)),
        ]);
        f.extend(fields(extra));
        f
    };
    let rows = vec![
        post(1, 2, 10, "Scheduled", &[]),
        post(2, 1, 20, "Scheduled", &[]),
        post(3, 0, 40, "Scheduled", &[]),
        post(4, 3, 3600, "Scheduled", &[]),
        post(
            5,
            2,
            -86_400,
            "Posted",
            &[(posts::POST_URL, json!("https://x.com/ada_on_twitter/status/1"))],
        ),
        post(
            6,
            0,
            -7200,
            "Failed",
            &[(
                posts::ERROR_MESSAGE,
                json!("Instagram allows 5 hashtags; this caption has 7"),
            )],
        ),
        post(7, 1, 7200, "Deleted", &[]),
    ];
    base.create(posts::TABLE, rows, false).await?;
    tracing::info!(
        message = "Demo base loaded.",
        users = 1,
        accounts = 4,
        media = 3,
        posts = 7
    );
    Ok(true)
}
