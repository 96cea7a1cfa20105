//! Posts: `POST /2/tweets` (with the posting rate limit and its headers on every answer), and
//! `GET /2/users/me`. Reading posts is [`super::timeline`] and [`super::lookup`].

use super::app::{Inner, SharedApp, StoredTweet};
use super::limits::{MAX_IMAGES, MAX_WEIGHTED_CHARS};
use super::problems::{self, invalid, Problem};
use super::text::{find_urls, weighted_length};
use super::XSandboxUser;
use axum::body::Bytes;
use axum::extract::{Extension, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};
use std::time::Duration;

/// How long an upload can be used in a post (`expires_after_secs`).
pub const MEDIA_LIFETIME: Duration = Duration::from_secs(86_400);

/// Properties X's `POST /2/tweets` knows (its OpenAPI `CreatePostsRequest`); others are refused.
const KNOWN_PROPERTIES: &[&str] = &[
    "text",
    "media",
    "reply",
    "quote_tweet_id",
    "poll",
    "reply_settings",
    "for_super_followers_only",
    "geo",
    "nullcast",
    "direct_message_deep_link",
    "card_uri",
    "community_id",
    "edit_options",
    "made_with_ai",
    "paid_partnership",
    "share_with_followers",
];

/// `POST /2/tweets`.
pub async fn create(State(app): State<SharedApp>, Extension(user): Extension<XSandboxUser>, body: Bytes) -> Response {
    let now = tokio::time::Instant::now();
    let (result, verdict) = {
        let mut inner = app.lock();
        let verdict = inner.windows.take(&user.id, now, &app.limits);
        let result = if verdict.admitted {
            create_tweet(&mut inner, &user, &body, app.clock.at(now))
        } else {
            Err(problems::too_many_requests())
        };
        (result, verdict)
    };
    let mut response = match result {
        Ok(data) => (StatusCode::CREATED, Json(json!({ "data": data }))).into_response(),
        Err(problem) => problem.into_response(),
    };
    let reset = app.clock.at(verdict.reset);
    let reset_secs = reset.timestamp() + i64::from(reset.timestamp_subsec_nanos() > 0);
    rate_headers(response.headers_mut(), verdict.limit, verdict.remaining, reset_secs);
    response
}

fn rate_headers(headers: &mut HeaderMap, limit: u32, remaining: u32, reset: i64) {
    for (name, value) in [
        ("x-rate-limit-limit", limit.to_string()),
        ("x-rate-limit-remaining", remaining.to_string()),
        ("x-rate-limit-reset", reset.to_string()),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(name), v);
        }
    }
}

/// Checks the request as X does and stores the post; returns `data`.
fn create_tweet(inner: &mut Inner, user: &XSandboxUser, body: &[u8], now: DateTime<Utc>) -> Result<Value, Problem> {
    let request: Map<String, Value> = serde_json::from_slice(body)
        .map_err(|_| invalid(None, "Your request body could not be parsed as a JSON object"))?;
    if let Some(key) = request.keys().find(|k| !KNOWN_PROPERTIES.contains(&k.as_str())) {
        return Err(invalid(
            Some((key, "")),
            format!("The property `{key}` is not allowed here"),
        ));
    }
    let text = match request.get("text") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(invalid(Some(("text", "")), "`text` must be a string")),
    };
    let media_ids = media_ids(request.get("media"))?;
    if text.trim().is_empty() && media_ids.is_empty() {
        return Err(invalid(Some(("text", "")), "A post needs `text` or `media`"));
    }
    if weighted_length(&text) > MAX_WEIGHTED_CHARS {
        return Err(problems::text_too_long());
    }
    let now_instant = tokio::time::Instant::now();
    for id in &media_ids {
        let usable = inner
            .media
            .get(id)
            .is_some_and(|m| m.owner_id == user.id && m.usable(now_instant, MEDIA_LIFETIME));
        if !usable {
            return Err(invalid(Some(("media.media_ids", id)), "Your media IDs are invalid."));
        }
    }
    let moving = media_ids.iter().filter(|id| inner.media[*id].is_moving()).count();
    if moving > 0 && media_ids.len() > 1 {
        let shown = media_ids.join(",");
        return Err(invalid(
            Some(("media.media_ids", &shown)),
            "A post may have up to 4 images, or 1 GIF, or 1 video (sandbox wording)",
        ));
    }
    let last = inner.tweets.iter().rev().find(|t| t.author_id == user.id);
    if !text.trim().is_empty() && last.is_some_and(|t| t.submitted == text) {
        return Err(problems::duplicate_content());
    }
    let id = inner.next_id(now);
    let shown = shown_text(&text, &id, !media_ids.is_empty());
    inner.tweets.push(StoredTweet {
        id: id.clone(),
        author_id: user.id.clone(),
        text: shown.clone(),
        submitted: text,
        media_ids,
        created_at: now,
    });
    inner.counters.tweets_created += 1;
    Ok(json!({ "id": id, "text": shown, "edit_history_tweet_ids": [id] }))
}

/// `media.media_ids`: 1 to 4 strings of digits.
fn media_ids(media: Option<&Value>) -> Result<Vec<String>, Problem> {
    let Some(media) = media.filter(|m| !m.is_null()) else {
        return Ok(Vec::new());
    };
    let ids = media
        .get("media_ids")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid(Some(("media", "")), "`media.media_ids` must be an array of media ids"))?;
    let ids: Vec<String> = ids
        .iter()
        .map(|v| {
            v.as_str()
                .filter(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()))
                .map(str::to_string)
        })
        .collect::<Option<_>>()
        .ok_or_else(|| invalid(Some(("media.media_ids", "")), "Your media IDs are invalid."))?;
    if ids.is_empty() || ids.len() > MAX_IMAGES {
        let shown = ids.join(",");
        return Err(invalid(
            Some(("media.media_ids", &shown)),
            "size must be between 1 and 4",
        ));
    }
    Ok(ids)
}

/// The text as X shows it: URLs as t.co links, `&`, `<`, `>` escaped, and a t.co link to the
/// media at the end of a post with media.
fn shown_text(text: &str, id: &str, with_media: bool) -> String {
    let mut out = String::new();
    let mut last = 0;
    let escape = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    for (n, url) in find_urls(text).into_iter().enumerate() {
        out.push_str(&escape(&text[last..url.start]));
        out.push_str(&tco(id, n));
        last = url.end;
    }
    out.push_str(&escape(&text[last..]));
    if with_media {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&tco(id, 99));
    }
    out
}

/// A t.co link, made up from the post id and the link's position.
fn tco(id: &str, n: usize) -> String {
    const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut x = id
        .parse::<u64>()
        .unwrap_or(0)
        .wrapping_mul(31)
        .wrapping_add(n as u64 * 7919);
    let code: String = (0..10)
        .map(|_| {
            let c = ALPHABET[(x % 62) as usize] as char;
            x = x / 62 + 0x9E37_79B9;
            c
        })
        .collect();
    format!("https://t.co/{code}")
}

/// `GET /2/users/me`.
pub async fn me(Extension(user): Extension<XSandboxUser>) -> Json<Value> {
    Json(json!({ "data": { "id": user.id, "name": user.username, "username": user.username } }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_text_wraps_links_escapes_and_adds_the_media_link() {
        let shown = shown_text("A & B <3 https://example.com/x", "1861000000000000001", true);
        let parts: Vec<&str> = shown.split(' ').collect();
        assert_eq!(&parts[..4], ["A", "&amp;", "B", "&lt;3"]);
        assert!(parts[4].starts_with("https://t.co/") && parts[5].starts_with("https://t.co/"));
        assert_ne!(parts[4], parts[5]);
        assert!(shown_text("", "1", true).starts_with("https://t.co/"));
    }
}
