//! `GET /2/users/{id}/tweets`: a user's posts, newest first, a page at a time, as X pages them
//! (docs.x.com `x-api/posts/timelines/integrate`, "Pagination", "Time-based filtering" and
//! "Volume limits"; X's OpenAPI `/2/users/{id}/tweets`).
//!
//! - `max_results` 5 to 100 (10 by default); else 400 with X's message.
//! - `pagination_token`: `meta.next_token` (older posts) or `meta.previous_token` (newer ones) of
//!   an earlier page; each page's `meta` has `result_count`, `newest_id`, `oldest_id`, and the
//!   tokens when there is a page that way. The last page has no `next_token`.
//! - `start_time` (inclusive) and `end_time` (exclusive), RFC 3339; `since_id` and `until_id`
//!   (both exclusive), which take precedence over `start_time` and `end_time`.
//! - Only the user's 3,200 most recent posts are served; older ones are not found.
//! - An unknown user is a 200 with X's "Not Found Error" in `errors`.
//!
//! Tokens are the sandbox's own: a direction letter and the boundary post id in base 36 (X's are
//! opaque too); a token that is not one is X's 400.

use super::app::{SharedApp, StoredTweet};
use super::problems::{self, invalid, Problem};
use super::reads::{render, Query};
use axum::extract::{Path, RawQuery, State};
use axum::Json;
use serde_json::{json, Value};

/// How many of a user's most recent posts the timeline serves.
pub const TIMELINE_DEPTH: usize = 3200;

const PARAMETERS: &[&str] = &[
    "id",
    "max_results",
    "pagination_token",
    "exclude",
    "start_time",
    "end_time",
    "since_id",
    "until_id",
];

/// Where a page starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    /// The posts older than this id.
    Older(u64),
    /// The posts newer than this id.
    Newer(u64),
}

impl Token {
    fn encode(self) -> String {
        match self {
            Token::Older(id) => format!("n{}", to_base36(id)),
            Token::Newer(id) => format!("p{}", to_base36(id)),
        }
    }

    fn decode(token: &str) -> Option<Token> {
        let (kind, rest) = token.split_at_checked(1)?;
        let id = u64::from_str_radix(rest, 36).ok()?;
        match kind {
            "n" => Some(Token::Older(id)),
            "p" => Some(Token::Newer(id)),
            _ => None,
        }
    }
}

/// What a request asks for, read and checked.
struct Asked {
    max_results: usize,
    token: Option<Token>,
    /// Only posts with an id above / below these (from `since_id`/`until_id`).
    above: Option<u64>,
    below: Option<u64>,
    start: Option<chrono::DateTime<chrono::Utc>>,
    end: Option<chrono::DateTime<chrono::Utc>>,
    fields: Vec<String>,
}

fn read(query: &Query) -> Result<Asked, Problem> {
    let max_results = match query.get("max_results") {
        None => 10,
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| (5..=100).contains(n))
            .ok_or_else(|| {
                invalid(
                    Some(("max_results", v)),
                    format!("The `max_results` query parameter value [{v}] is not between 5 and 100"),
                )
            })?,
    };
    let token = match query.get("pagination_token") {
        None => None,
        Some(t) => Some(Token::decode(t).ok_or_else(|| {
            invalid(
                Some(("pagination_token", t)),
                "The `pagination_token` query parameter value is not valid",
            )
        })?),
    };
    let (above, below) = (query.post_id("since_id")?, query.post_id("until_id")?);
    let (start, end) = (query.time("start_time")?, query.time("end_time")?);
    Ok(Asked {
        max_results,
        token,
        above,
        below,
        // since_id and until_id take precedence over the times (X's OpenAPI).
        start: start.filter(|_| above.is_none()),
        end: end.filter(|_| below.is_none()),
        fields: query.tweet_fields()?,
    })
}

/// `GET /2/users/{id}/tweets`.
pub async fn list(
    State(app): State<SharedApp>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, Problem> {
    let query = Query::parse(raw.as_deref(), PARAMETERS)?;
    let asked = read(&query)?;
    let inner = app.lock();
    if inner.user_by_id(&id).is_none() {
        return Ok(Json(json!({ "errors": [problems::user_not_found(&id)] })));
    }
    // Newest first, the most recent 3,200 only, then the filters.
    let matching: Vec<&StoredTweet> = inner
        .tweets
        .iter()
        .rev()
        .filter(|t| t.author_id == id)
        .take(TIMELINE_DEPTH)
        .filter(|t| {
            let n = number(t);
            asked.above.is_none_or(|a| n > a)
                && asked.below.is_none_or(|b| n < b)
                && asked.start.is_none_or(|s| t.created_at >= s)
                && asked.end.is_none_or(|e| t.created_at < e)
        })
        .collect();
    let page = page_of(&matching, asked.token, asked.max_results);
    let now = app.clock.now();
    let data: Vec<Value> = page.iter().map(|t| render(t, &asked.fields, now)).collect();
    let mut meta = json!({ "result_count": data.len() });
    if let (Some(first), Some(last)) = (page.first(), page.last()) {
        meta["newest_id"] = json!(first.id);
        meta["oldest_id"] = json!(last.id);
        if matching.iter().any(|t| number(t) < number(last)) {
            meta["next_token"] = json!(Token::Older(number(last)).encode());
        }
        if matching.iter().any(|t| number(t) > number(first)) {
            meta["previous_token"] = json!(Token::Newer(number(first)).encode());
        }
    }
    Ok(Json(if data.is_empty() {
        json!({ "meta": meta })
    } else {
        json!({ "data": data, "meta": meta })
    }))
}

fn number(t: &StoredTweet) -> u64 {
    t.id.parse().unwrap_or(0)
}

/// The page `token` points at in `matching` (newest first): the `max` posts right after it.
fn page_of<'a>(matching: &[&'a StoredTweet], token: Option<Token>, max: usize) -> Vec<&'a StoredTweet> {
    match token {
        None => matching.iter().take(max).copied().collect(),
        Some(Token::Older(b)) => matching.iter().filter(|t| number(t) < b).take(max).copied().collect(),
        Some(Token::Newer(b)) => {
            let newer: Vec<&StoredTweet> = matching.iter().filter(|t| number(t) > b).copied().collect();
            newer[newer.len().saturating_sub(max)..].to_vec()
        }
    }
}

fn to_base36(mut n: u64) -> String {
    let mut digits = Vec::new();
    loop {
        digits.push(std::char::from_digit((n % 36) as u32, 36).unwrap_or('0'));
        n /= 36;
        if n == 0 {
            return digits.into_iter().rev().collect();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_others_are_refused() {
        for n in [0u64, 35, 36, 1_861_000_000_000_000_001, u64::MAX] {
            assert_eq!(Token::decode(&Token::Older(n).encode()), Some(Token::Older(n)));
            assert_eq!(Token::decode(&Token::Newer(n).encode()), Some(Token::Newer(n)));
        }
        for bad in ["", "n", "x12", "n!!", "é1"] {
            assert_eq!(Token::decode(bad), None, "{bad}");
        }
    }
}
