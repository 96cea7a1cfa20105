//! What the read endpoints share: their query (known parameters only, X's messages for the
//! others), the `tweet.fields` a caller asks for, and a post as X shows it with those fields.
//!
//! Fields (X's OpenAPI `TweetFieldsParameter`, github.com/xdevplatform/docs `openapi.json`): any
//! of X's names is accepted; the sandbox fills `created_at`, `author_id`, `attachments`,
//! `conversation_id`, `public_metrics`, `possibly_sensitive`, `reply_settings` and
//! `edit_history_tweet_ids`, and leaves out the others (X leaves out what a post does not have).
//! X's OpenAPI names the parameter `post.fields` since August 2026; both names are taken.
//!
//! `public_metrics` (`retweet_count, reply_count, like_count, quote_count, bookmark_count,
//! impression_count`, X's names) are the sandbox's figures ([`crate::engagement`]): they grow with
//! the post's age on the sandbox clock. `non_public_metrics` and `organic_metrics` are not filled.

use super::app::StoredTweet;
use super::problems::{invalid, Problem};
use crate::engagement::Engagement;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

/// X's post fields, as its `tweet.fields` error lists them.
pub const TWEET_FIELDS: &[&str] = &[
    "article",
    "attachments",
    "author_id",
    "card_uri",
    "community_id",
    "context_annotations",
    "conversation_id",
    "created_at",
    "display_text_range",
    "edit_controls",
    "edit_history_tweet_ids",
    "entities",
    "geo",
    "id",
    "in_reply_to_user_id",
    "lang",
    "media_metadata",
    "non_public_metrics",
    "note_tweet",
    "organic_metrics",
    "possibly_sensitive",
    "promoted_metrics",
    "public_metrics",
    "referenced_tweets",
    "reply_settings",
    "scopes",
    "source",
    "text",
    "withheld",
];

/// The expansion and object-field parameters every post read takes (their values are not used).
pub const FIELD_PARAMETERS: &[&str] = &[
    "tweet.fields",
    "post.fields",
    "expansions",
    "media.fields",
    "poll.fields",
    "user.fields",
    "place.fields",
];

/// A read's query string, parsed.
pub struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    /// Parses `raw` and refuses a parameter not in `known` (or [`FIELD_PARAMETERS`]) with X's message.
    pub fn parse(raw: Option<&str>, known: &[&str]) -> Result<Query, Problem> {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
        let allowed: Vec<&str> = known.iter().chain(FIELD_PARAMETERS).copied().collect();
        if let Some((unknown, _)) = pairs.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
            return Err(invalid(
                Some((unknown, "")),
                format!("The query parameter [{unknown}] is not one of [{}]", allowed.join(",")),
            ));
        }
        Ok(Query { pairs })
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The post fields asked for (`tweet.fields` or `post.fields`), each one of X's.
    pub fn tweet_fields(&self) -> Result<Vec<String>, Problem> {
        let mut out = Vec::new();
        for name in ["tweet.fields", "post.fields"] {
            let Some(value) = self.get(name) else { continue };
            for field in value.split(',').filter(|f| !f.is_empty()) {
                if !TWEET_FIELDS.contains(&field) {
                    return Err(invalid(
                        Some((name, value)),
                        format!(
                            "The `{name}` query parameter value [{field}] is not one of [{}]",
                            TWEET_FIELDS.join(",")
                        ),
                    ));
                }
                out.push(field.to_string());
            }
        }
        Ok(out)
    }

    /// A date-time parameter (RFC 3339), with X's message when it is not one.
    pub fn time(&self, name: &str) -> Result<Option<DateTime<Utc>>, Problem> {
        self.get(name)
            .map(|v| {
                DateTime::parse_from_rfc3339(v)
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(|_| {
                        invalid(
                            Some((name, v)),
                            format!("Invalid '{name}':'{v}'. '{name}' must be a date-time"),
                        )
                    })
            })
            .transpose()
    }

    /// A post id parameter (`since_id`, `until_id`): 1 to 19 digits.
    pub fn post_id(&self, name: &str) -> Result<Option<u64>, Problem> {
        self.get(name).map(|v| parse_id(name, v, v)).transpose()
    }
}

/// A post id as X takes it (`^[0-9]{1,19}$`), with X's message naming `parameter` and the whole
/// `given` value otherwise.
pub fn parse_id(parameter: &str, value: &str, given: &str) -> Result<u64, Problem> {
    let digits = !value.is_empty() && value.len() <= 19 && value.chars().all(|c| c.is_ascii_digit());
    digits.then(|| value.parse::<u64>().ok()).flatten().ok_or_else(|| {
        invalid(
            Some((parameter, given)),
            format!("The `{parameter}` query parameter value [{value}] does not match ^[0-9]{{1,19}}$"),
        )
    })
}

/// A post as X shows it: `id`, `text`, `edit_history_tweet_ids`, and the `fields` asked for that
/// the post has. `now` is the sandbox's time, for the metrics.
pub fn render(t: &StoredTweet, fields: &[String], now: DateTime<Utc>) -> Value {
    let mut v = json!({ "id": t.id, "text": t.text, "edit_history_tweet_ids": [t.id] });
    for field in fields {
        let value = match field.as_str() {
            "created_at" => json!(t.created_at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()),
            "author_id" => json!(t.author_id),
            "conversation_id" => json!(t.id),
            "possibly_sensitive" => json!(false),
            "reply_settings" => json!("everyone"),
            "attachments" if !t.media_ids.is_empty() => {
                let keys: Vec<String> = t.media_ids.iter().map(|m| format!("3_{m}")).collect();
                json!({ "media_keys": keys })
            }
            "public_metrics" => {
                let age = (now - t.created_at).to_std().unwrap_or_default();
                let e = Engagement::of(&t.id, age);
                json!({
                    "retweet_count": e.reposts,
                    "reply_count": e.comments,
                    "like_count": e.likes,
                    "quote_count": e.quotes,
                    "bookmark_count": e.bookmarks,
                    "impression_count": e.views,
                })
            }
            _ => continue,
        };
        v[field.as_str()] = value;
    }
    v
}
