//! The Display API's video reads: `POST /v2/video/list/?fields=...` and
//! `POST /v2/video/query/?fields=...` (developers.tiktok.com `doc/tiktok-api-v2-video-list`,
//! `doc/tiktok-api-v2-video-query`; scope `video.list`, checked by the gate).
//!
//! - `video/list` `{cursor?, max_count?}`: the creator's public videos, newest first (by
//!   `create_time`); `max_count` 1 to 20 (10 by default); `cursor` a UTC time in milliseconds,
//!   the videos posted before it. Answers `data.videos`, `data.cursor` (the last video's time, to
//!   send for the next page) and `data.has_more`.
//! - `video/query` `{filters: {video_ids: [1 to 20]}}`: those of the ids that are the creator's
//!   listed videos, in the order asked; other ids are left out, as TikTok's "verifies that the
//!   videos belong to the user" reads.
//! - `fields`: of TikTok's Video Object fields (`id, create_time, cover_image_url, share_url,
//!   video_description, duration, height, width, title, embed_html, embed_link, like_count,
//!   comment_count, share_count, view_count`), the ones asked come back; a name TikTok does not
//!   list is ignored (TikTok's own example asks for `fps`); none is 400 `invalid_params`.
//!
//! Which posts are listed: videos taken by `video/init` (direct post, not the inbox), once their
//! status is `PUBLISH_COMPLETE`, whose privacy is not `SELF_ONLY` ("a user's public videos"),
//! even while `status/fetch` does not give their id yet (moderation; clients report that the
//! status often never gives it). Photo posts are not listed: the Display API documents videos.
//! A video's `create_time` is when it became `PUBLISH_COMPLETE`; two videos completed in the same
//! millisecond are a millisecond apart, so that a cursor never skips one. `title` and
//! `video_description` are the caption as posted; the counts are the sandbox's figures, growing
//! with the video's age ([`crate::engagement`]).
//!
//! Bad input is 400 `invalid_params` with the sandbox's words (TikTok does not document them).

use super::app::{Publish, SharedApp};
use super::errors::{ok, TikTokError};
use super::limits::{DEFAULT_LIST_COUNT, MAX_LIST_COUNT, MAX_QUERY_IDS};
use super::TikTokSandboxCreator;
use crate::engagement::Engagement;
use axum::body::Bytes;
use axum::extract::{Extension, RawQuery, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use tokio::time::Instant;

/// TikTok's Video Object fields.
pub const VIDEO_FIELDS: &[&str] = &[
    "id",
    "create_time",
    "cover_image_url",
    "share_url",
    "video_description",
    "duration",
    "height",
    "width",
    "title",
    "embed_html",
    "embed_link",
    "like_count",
    "comment_count",
    "share_count",
    "view_count",
];

/// A listed video: the post and when it became public (ms since the epoch, unique per creator).
struct Listed<'a> {
    publish: &'a Publish,
    create_ms: i64,
}

/// The fields asked in `?fields=`, TikTok's only.
fn fields(raw: Option<&str>) -> Result<Vec<String>, TikTokError> {
    let asked = form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "fields")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let known: Vec<String> = asked
        .split(',')
        .map(str::trim)
        .filter(|f| VIDEO_FIELDS.contains(f))
        .map(str::to_string)
        .collect();
    if known.is_empty() {
        return Err(TikTokError::invalid(format!(
            "fields is required: one or more of {}",
            VIDEO_FIELDS.join(",")
        )));
    }
    Ok(known)
}

/// The creator's listed videos, newest first.
fn listed<'a>(app: &SharedApp, publishes: &'a [Publish], open_id: &str) -> Vec<Listed<'a>> {
    let now = Instant::now();
    let (processing, moderation) = (app.limits.processing(), app.limits.moderation());
    let mut done: Vec<(Instant, &Publish)> = publishes
        .iter()
        .filter(|p| p.open_id == open_id && p.kind == "video" && !p.inbox && p.privacy_level != "SELF_ONLY")
        .filter(|p| p.state(now, processing, moderation).status == "PUBLISH_COMPLETE")
        .filter_map(|p| Some((p.received_at? + processing, p)))
        .collect();
    done.sort_by_key(|(at, p)| (*at, p.post_id));
    let mut last = i64::MIN;
    let mut out: Vec<Listed> = done
        .into_iter()
        .map(|(at, publish)| {
            last = app.clock.at(at).timestamp_millis().max(last.saturating_add(1));
            Listed {
                publish,
                create_ms: last,
            }
        })
        .collect();
    out.reverse();
    out
}

/// A video with the fields asked for.
fn render(
    v: &Listed<'_>,
    creator: &TikTokSandboxCreator,
    fields: &[String],
    base_url: &str,
    now: DateTime<Utc>,
) -> Value {
    let p = v.publish;
    let id = p.post_id.to_string();
    let share_url = format!("https://www.tiktok.com/@{}/video/{id}", creator.username);
    let info = p.info.clone().unwrap_or_default();
    let (width, height) = (info.width.unwrap_or(1080), info.height.unwrap_or(1920));
    let created = DateTime::from_timestamp_millis(v.create_ms).unwrap_or(now);
    let counts = Engagement::of(&id, (now - created).to_std().unwrap_or_default());
    let mut out = Map::new();
    for f in fields {
        let value = match f.as_str() {
            "id" => json!(id),
            "create_time" => json!(v.create_ms.div_euclid(1000)),
            "cover_image_url" => json!(format!("{base_url}/_sandbox/files/image-{width}x{height}.jpg")),
            "share_url" => json!(share_url),
            "video_description" | "title" => json!(p.caption),
            "duration" => json!(info.duration_secs.map_or(0, |d| d.round() as i64)),
            "height" => json!(height),
            "width" => json!(width),
            "embed_link" => json!(format!("https://www.tiktok.com/player/v1/{id}")),
            "embed_html" => json!(format!(
                "<blockquote class=\"tiktok-embed\" cite=\"{share_url}\" data-video-id=\"{id}\"><section></section></blockquote>"
            )),
            "like_count" => json!(counts.likes),
            "comment_count" => json!(counts.comments),
            "share_count" => json!(counts.shares),
            "view_count" => json!(counts.views),
            _ => continue,
        };
        out.insert(f.clone(), value);
    }
    Value::Object(out)
}

#[derive(Debug, Default, Deserialize)]
struct ListBody {
    cursor: Option<i64>,
    max_count: Option<i64>,
}

/// A JSON body, `{}` when empty.
fn body<T: for<'de> Deserialize<'de> + Default>(bytes: &[u8]) -> Result<T, TikTokError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(bytes).map_err(|e| TikTokError::invalid(format!("The request body is not valid JSON: {e}")))
}

/// `POST /v2/video/list/`.
pub async fn list(
    State(app): State<SharedApp>,
    Extension(creator): Extension<TikTokSandboxCreator>,
    RawQuery(raw): RawQuery,
    bytes: Bytes,
) -> Result<Response, TikTokError> {
    let fields = fields(raw.as_deref())?;
    let asked: ListBody = body(&bytes)?;
    let max = match asked.max_count {
        None => DEFAULT_LIST_COUNT,
        Some(n) if (1..=MAX_LIST_COUNT as i64).contains(&n) => n as usize,
        Some(n) => {
            return Err(TikTokError::invalid(format!(
                "max_count must be 1 to {MAX_LIST_COUNT}, not {n}"
            )))
        }
    };
    if asked.cursor.is_some_and(|c| c < 0) {
        return Err(TikTokError::invalid("cursor must be a UTC time in milliseconds"));
    }
    let now = app.clock.now();
    let inner = app.lock();
    let videos = listed(&app, &inner.publishes, &creator.open_id);
    let older: Vec<&Listed> = videos
        .iter()
        .filter(|v| asked.cursor.is_none_or(|c| v.create_ms < c))
        .collect();
    let page = &older[..max.min(older.len())];
    let data: Vec<Value> = page
        .iter()
        .map(|v| render(v, &creator, &fields, &app.url, now))
        .collect();
    let cursor = page.last().map_or(asked.cursor.unwrap_or(0), |v| v.create_ms);
    Ok(ok(json!({
        "videos": data,
        "cursor": cursor,
        "has_more": older.len() > page.len(),
    })))
}

#[derive(Debug, Default, Deserialize)]
struct QueryBody {
    filters: Option<Filters>,
}

#[derive(Debug, Default, Deserialize)]
struct Filters {
    video_ids: Option<Vec<String>>,
}

/// `POST /v2/video/query/`.
pub async fn query(
    State(app): State<SharedApp>,
    Extension(creator): Extension<TikTokSandboxCreator>,
    RawQuery(raw): RawQuery,
    bytes: Bytes,
) -> Result<Response, TikTokError> {
    let fields = fields(raw.as_deref())?;
    let asked: QueryBody = body(&bytes)?;
    let ids = asked
        .filters
        .and_then(|f| f.video_ids)
        .filter(|ids| !ids.is_empty())
        .ok_or_else(|| TikTokError::invalid("filters.video_ids is required"))?;
    if ids.len() > MAX_QUERY_IDS {
        return Err(TikTokError::invalid(format!(
            "filters.video_ids holds {} ids; at most {MAX_QUERY_IDS} are taken",
            ids.len()
        )));
    }
    let now = app.clock.now();
    let inner = app.lock();
    let videos = listed(&app, &inner.publishes, &creator.open_id);
    let mut data = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        if ids[..i].contains(id) {
            continue;
        }
        if let Some(v) = videos.iter().find(|v| v.publish.post_id.to_string() == *id) {
            data.push(render(v, &creator, &fields, &app.url, now));
        }
    }
    Ok(ok(json!({ "videos": data })))
}
