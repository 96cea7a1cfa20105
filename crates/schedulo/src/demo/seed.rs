//! The demo base: a user, an account on each of the four platforms, media, and posts in every
//! status, with scheduled ones a few seconds ahead so a newcomer sees the worker act at once.
//! Media point at a file the sandbox X serves on loopback, so nothing reaches the internet.

use crate::airtable::{AirtableError, Base, Fields, ListQuery};
use crate::base::names::{accounts, media, posts, users};
use crate::base::Platform;
use crate::vault::Vault;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use secrecy::SecretString;
use serde_json::{json, Value};
use std::collections::HashMap;

/// A demo account: its platform id, name, and (for the platforms the worker publishes to) its token.
pub struct DemoAccount {
    pub platform: Platform,
    pub external_id: String,
    pub name: String,
    pub token: Option<String>,
}

/// What loading found or did.
pub struct DemoLoaded {
    /// Whether the demo was loaded now (the base had no posts).
    pub loaded: bool,
    /// The accounts with tokens, by platform (record ids).
    pub publishable_accounts: Vec<(Platform, String)>,
}

/// The demo's photo and video, by `MediaID` (the primary field: posts link them by it, with typecast).
const DEMO_PHOTO: &str = "M-0001";
const DEMO_VIDEO: &str = "M-0003";

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

fn at(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Loads the demo when the base has no posts (every table upserted on its id field, so a load cut
/// short can simply run again); otherwise finds the demo accounts.
pub async fn load(base: &Base, vault: &Vault, demo: &[DemoAccount], files_url: &str) -> anyhow::Result<DemoLoaded> {
    let probe = ListQuery {
        fields: vec![posts::POST_ID.into()],
        max_records: Some(1),
        page_size: Some(1),
        ..ListQuery::default()
    };
    let empty = base.list_page(posts::TABLE, &probe, None).await?.records.is_empty();
    if !empty {
        return Ok(DemoLoaded {
            loaded: false,
            publishable_accounts: found_accounts(base, vault, demo).await?,
        });
    }
    let user = load_user(base).await?;
    let (account_ids, publishable) = load_accounts(base, vault, demo, &user).await?;
    let photo = load_media(base, &user, files_url).await?;
    load_posts(base, demo, &user, &account_ids, &photo).await?;
    tracing::info!(
        message = "Demo base loaded.",
        users = 1,
        accounts = demo.len(),
        media = 3,
        posts = 7
    );
    Ok(DemoLoaded {
        loaded: true,
        publishable_accounts: publishable,
    })
}

/// The demo accounts of a base loaded before, with the tokens an older sandbox may lack added.
async fn found_accounts(base: &Base, vault: &Vault, demo: &[DemoAccount]) -> anyhow::Result<Vec<(Platform, String)>> {
    let found = base
        .list(
            accounts::TABLE,
            &ListQuery {
                fields: vec![accounts::ACCOUNT_ID.into(), accounts::ACCESS_TOKEN.into()],
                ..ListQuery::default()
            },
        )
        .await?;
    let mut publishable = Vec::new();
    let mut tokens = Vec::new();
    for d in demo {
        let (Some(token), Some(record)) = (
            &d.token,
            found
                .iter()
                .find(|r| r.fields.get(accounts::ACCOUNT_ID).and_then(Value::as_str) == Some(&d.external_id)),
        ) else {
            continue;
        };
        publishable.push((d.platform, record.id.clone()));
        if record.fields.contains_key(accounts::ACCESS_TOKEN) {
            continue;
        }
        // A sandbox made by an older version may lack some tokens.
        let sealed = vault.encrypt(&record.id, &SecretString::from(token.clone()));
        tokens.push((record.id.clone(), fields(&[(accounts::ACCESS_TOKEN, json!(sealed))])));
    }
    if !tokens.is_empty() {
        base.update(accounts::TABLE, tokens, false).await?;
    }
    Ok(publishable)
}

/// The demo user; its record id.
async fn load_user(base: &Base) -> anyhow::Result<String> {
    let user_row = fields(&[
        (users::USER_ID, json!("U-0001")),
        (users::EMAIL, json!("ada@example.com")),
        (users::NAME, json!("Ada Demo")),
        (users::SIGNUP_DATE, json!(Utc::now().date_naive().to_string())),
        (users::PLAN, json!("Pro")),
        (users::STATUS, json!("Active")),
        (users::TIME_ZONE, json!("Europe/Paris")),
    ]);
    id_of(
        &upsert_by(base, users::TABLE, users::USER_ID, vec![user_row]).await?,
        "U-0001",
        users::TABLE,
    )
}

/// The demo accounts, with their tokens sealed; the record ids by external id, and the accounts
/// that can publish.
async fn load_accounts(
    base: &Base,
    vault: &Vault,
    demo: &[DemoAccount],
    user: &str,
) -> anyhow::Result<(HashMap<String, String>, Vec<(Platform, String)>)> {
    let account_rows = demo
        .iter()
        .map(|d| {
            fields(&[
                (accounts::ACCOUNT_ID, json!(d.external_id)),
                (accounts::USER, json!([user])),
                (accounts::PLATFORM, json!(d.platform.to_string())),
                (accounts::ACCOUNT_NAME, json!(d.name)),
                (accounts::STATUS, json!("Connected")),
            ])
        })
        .collect();
    let account_ids = upsert_by(base, accounts::TABLE, accounts::ACCOUNT_ID, account_rows).await?;
    let mut tokens = Vec::new();
    let mut publishable = Vec::new();
    for d in demo {
        let record = id_of(&account_ids, &d.external_id, accounts::TABLE)?;
        if let Some(token) = &d.token {
            let sealed = vault.encrypt(&record, &SecretString::from(token.clone()));
            tokens.push((record.clone(), fields(&[(accounts::ACCESS_TOKEN, json!(sealed))])));
            publishable.push((d.platform, record));
        }
    }
    base.update(accounts::TABLE, tokens, false).await?;
    Ok((account_ids, publishable))
}

/// The demo media (an image, a carousel, a video); the photo's record id.
async fn load_media(base: &Base, user: &str, files_url: &str) -> anyhow::Result<String> {
    let image = format!("{}/_sandbox/files/image-1080x1080.jpg", files_url.trim_end_matches('/'));
    let video = format!(
        "{}/_sandbox/files/video-1080x1920-15s.mp4",
        files_url.trim_end_matches('/')
    );
    let media_rows = [
        ("M-0001", "Image", "Ready"),
        ("M-0002", "Carousel", "Ready"),
        ("M-0003", "Video", "Ready"),
    ]
    .iter()
    .map(|(id, kind, status)| {
        let url = match *kind {
            "Carousel" => format!("{image} {image}"),
            "Video" => video.clone(),
            _ => image.clone(),
        };
        fields(&[
            (media::MEDIA_ID, json!(id)),
            (media::USER, json!([user])),
            (media::MEDIA_TYPE, json!(kind)),
            (media::CLOUDINARY_URL, json!(url)),
            (media::STATUS, json!(status)),
        ])
    })
    .collect();
    let media_ids = upsert_by(base, media::TABLE, media::MEDIA_ID, media_rows).await?;
    id_of(&media_ids, DEMO_PHOTO, media::TABLE)
}

/// The seven demo posts: four to come, one posted, one failed, one deleted.
async fn load_posts(
    base: &Base,
    demo: &[DemoAccount],
    user: &str,
    account_ids: &HashMap<String, String>,
    photo: &str,
) -> anyhow::Result<()> {
    let account = |p: Platform| {
        id_of(
            account_ids,
            &demo
                .iter()
                .find(|d| d.platform == p)
                .map(|d| d.external_id.clone())
                .unwrap_or_default(),
            accounts::TABLE,
        )
    };
    let now = Utc::now();
    let post = |n: usize, account: String, secs: i64, status: &str, media: Option<&str>, extra: &[(&str, Value)]| {
        let mut f = fields(&[
            (posts::POST_ID, json!(format!("P-{n:04}"))),
            (posts::USER, json!([user])),
            (posts::ACCOUNT, json!([account])),
            (posts::SCHEDULED_TIME, json!(at(now + Duration::seconds(secs)))),
            (posts::CAPTION, json!(format!("Demo post {n} from schedulo"))),
            (posts::HASHTAGS, json!("#schedulo #demo")),
            (posts::STATUS, json!(status)),
        ]);
        if let Some(m) = media {
            f.insert(posts::MEDIA.into(), json!([m]));
        }
        f.extend(fields(extra));
        f
    };
    let rows = vec![
        post(1, account(Platform::Twitter)?, 10, "Scheduled", Some(photo), &[]),
        post(2, account(Platform::Facebook)?, 20, "Scheduled", None, &[]),
        post(3, account(Platform::Facebook)?, 40, "Scheduled", Some(photo), &[]),
        post(4, account(Platform::Twitter)?, 3600, "Scheduled", None, &[]),
        post(
            5,
            account(Platform::Twitter)?,
            -86_400,
            "Posted",
            None,
            &[(posts::POST_URL, json!("https://x.com/ada_on_twitter/status/1"))],
        ),
        post(
            6,
            account(Platform::Instagram)?,
            -7200,
            "Failed",
            None,
            &[(
                posts::ERROR_MESSAGE,
                json!("Instagram allows 5 hashtags; this caption has 7"),
            )],
        ),
        post(7, account(Platform::Facebook)?, 7200, "Deleted", None, &[]),
    ];
    upsert_by(base, posts::TABLE, posts::POST_ID, rows).await?;
    Ok(())
}

/// Schedules one demo post on each publishable account, a few seconds apart, starting `first_in`
/// from now: with the demo photo on Instagram and the demo video on TikTok (which take no text-only
/// posts), text elsewhere.
pub async fn schedule_more(
    base: &Base,
    demo: &DemoLoaded,
    now: DateTime<Utc>,
    first_in: Duration,
) -> Result<Vec<String>, AirtableError> {
    let rows: Vec<Fields> = demo
        .publishable_accounts
        .iter()
        .enumerate()
        .map(|(i, (platform, record))| {
            let due = now + first_in + Duration::seconds(5 * i as i64);
            let media = match platform {
                Platform::Instagram => Some(DEMO_PHOTO),
                Platform::TikTok => Some(DEMO_VIDEO),
                Platform::Twitter | Platform::Facebook => None,
            };
            let mut row = fields(&[
                (posts::POST_ID, json!(format!("P-{}-{i}", due.format("%H%M%S")))),
                (posts::ACCOUNT, json!([record])),
                (posts::SCHEDULED_TIME, json!(at(due))),
                (
                    posts::CAPTION,
                    json!(format!(
                        "Hello from schedulo on {platform}, scheduled for {}",
                        due.format("%H:%M:%S UTC")
                    )),
                ),
                (posts::STATUS, json!("Scheduled")),
            ]);
            if let Some(m) = media {
                row.insert(posts::MEDIA.into(), json!([m]));
            }
            row
        })
        .collect();
    Ok(base
        .create(posts::TABLE, rows, true)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect())
}

/// The demo's media to process (`MediaID` M-UPLOAD): a photo in the sandbox Cloudinary's sample
/// files, which the Media Processor uploads with its variants at each start (after the first, it
/// finds it processed and uploads nothing). Returns its record id.
pub async fn media_to_process(base: &Base, cloudinary_url: &str) -> anyhow::Result<String> {
    let users = base
        .list(
            users::TABLE,
            &ListQuery {
                fields: vec![users::USER_ID.into()],
                max_records: Some(1),
                ..ListQuery::default()
            },
        )
        .await?;
    let mut row = fields(&[
        (media::MEDIA_ID, json!("M-UPLOAD")),
        (media::MEDIA_TYPE, json!("Image")),
        (
            media::SOURCE_URL,
            json!(format!(
                "{}/_sandbox/files/image-1600x1200.jpg",
                cloudinary_url.trim_end_matches('/')
            )),
        ),
        (
            media::CAPTION,
            json!("A photo the Media Processor uploads with every platform's variants"),
        ),
    ]);
    if let Some(user) = users.first() {
        row.insert(media::USER.into(), json!([user.id]));
    }
    let ids = upsert_by(base, media::TABLE, media::MEDIA_ID, vec![row]).await?;
    id_of(&ids, "M-UPLOAD", media::TABLE)
}
