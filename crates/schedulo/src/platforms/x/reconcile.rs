//! Whether a post went out after all: X has no idempotency key, so the account's posts since the
//! publish attempt are listed (`GET /2/users/{id}/tweets?start_time=&max_results=100`) and their
//! texts compared with the post's.
//!
//! X rewrites a post's text: every URL becomes a `https://t.co/...` link, a post with media gets
//! one more t.co link at its end, and `&`, `<`, `>` come back as `&amp;`, `&lt;`, `&gt;`. Texts are
//! therefore compared after undoing the escapes, replacing every URL with one placeholder,
//! collapsing whitespace, and (for a post with media) allowing one placeholder more at the end.

use super::client::{unreachable, Api};
use super::errors::{RateHeaders, XApiError};
use super::publish::post_url;
use super::rules::post_text;
use super::text::replace_urls;
use crate::error_class::ErrorClass;
use crate::platforms::{Account, PostContent, PublishError, Published};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::time::Duration;
use unicode_normalization::UnicodeNormalization;

/// Pages of 100 posts read at most (X serves a user's latest 3,200).
const MAX_PAGES: usize = 10;

/// What stands for a URL in compared texts.
const URL_MARK: &str = "\u{FFFC}";

#[derive(Deserialize)]
struct Page {
    #[serde(default)]
    data: Vec<Tweet>,
    meta: Option<Meta>,
}

#[derive(Deserialize)]
struct Tweet {
    id: String,
    #[serde(default)]
    text: String,
}

#[derive(Deserialize)]
struct Meta {
    next_token: Option<String>,
}

/// Looks for `post` among the account's posts since `since`.
pub async fn reconcile(
    api: &Api,
    timeout: Duration,
    account: &Account,
    post: &PostContent,
    since: DateTime<Utc>,
) -> Result<Option<Published>, PublishError> {
    let user_id = account.external_id.trim();
    if user_id.is_empty() || !user_id.chars().all(|c| c.is_ascii_digit()) {
        return Err(PublishError {
            class: ErrorClass::Permanent,
            message: format!("The account's X user id {user_id:?} is not a number; cannot look for the post"),
            retry_at: None,
        });
    }
    let wanted = comparable(&post_text(post));
    let with_media = !post.media.is_empty();
    let start_time = since.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let mut next: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let mut url = api.url(&["2", "users", user_id, "tweets"]);
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("start_time", &start_time)
                .append_pair("max_results", "100")
                .append_pair("tweet.fields", "created_at,text");
            if let Some(token) = &next {
                query.append_pair("pagination_token", token);
            }
        }
        let page = list(api, timeout, account, url).await?;
        if let Some(found) = page.data.iter().find(|t| same_post(&t.text, &wanted, with_media)) {
            tracing::info!(message = "Found the post on X.", record = %post.record_id, id = %found.id);
            return Ok(Some(Published {
                url: post_url(account, &found.id),
                platform_id: found.id.clone(),
            }));
        }
        next = page.meta.and_then(|m| m.next_token).filter(|t| !t.is_empty());
        if next.is_none() {
            break;
        }
    }
    Ok(None)
}

/// One page of the account's posts.
async fn list(api: &Api, timeout: Duration, account: &Account, url: url::Url) -> Result<Page, PublishError> {
    let doing = "Could not list the account's posts on X";
    let response = api
        .request(reqwest::Method::GET, url, account, timeout)
        .send()
        .await
        .map_err(|e| unreachable(ErrorClass::Transient, doing, e, account))?;
    let status = response.status().as_u16();
    let headers = RateHeaders::parse(response.headers());
    let body = response
        .bytes()
        .await
        .map_err(|e| unreachable(ErrorClass::Transient, doing, e, account))?;
    let what = "to list the account's posts";
    if !(200..300).contains(&status) {
        return Err(api.refused(what, &XApiError::from_response(status, &body), &headers, account));
    }
    if let Some(error) = XApiError::from_partial(status, &body) {
        return Err(api.refused(what, &error, &headers, account));
    }
    serde_json::from_slice(&body).map_err(|e| PublishError {
        class: ErrorClass::Transient,
        message: format!("X's list of the account's posts is unreadable: {e}"),
        retry_at: None,
    })
}

/// A text as compared: NFC, X's escapes undone, URLs as one mark, whitespace collapsed.
pub fn comparable(text: &str) -> String {
    let text: String = text.nfc().collect();
    let text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    replace_urls(&text, URL_MARK)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether X's text of a post is the text we published (`wanted`, already [`comparable`]).
pub fn same_post(x_text: &str, wanted: &str, with_media: bool) -> bool {
    let seen = comparable(x_text);
    seen == wanted || (with_media && seen.strip_suffix(URL_MARK).map(str::trim_end) == Some(wanted))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn x_s_rewriting_of_links_escapes_and_media_is_seen_through() {
        let wanted = comparable("Spring menu is out & it is green: https://example.com/menu?x=1");
        assert!(same_post(
            "Spring menu is out &amp; it is green: https://t.co/AbCdEf1234 https://t.co/MeDiA56789",
            &wanted,
            true
        ));
        assert!(!same_post(
            "Spring menu is out &amp; it is green: https://t.co/AbCdEf1234 https://t.co/MeDiA56789",
            &wanted,
            false
        ));
        assert!(same_post("https://t.co/MeDiA56789", &comparable(""), true));
        assert!(!same_post("Spring menu is out", &wanted, true));
    }

    #[test]
    fn the_fixture_page_reads() {
        let page: Page = serde_json::from_str(include_str!("../../../../../fixtures/x/user_tweets_page.json")).unwrap();
        assert_eq!(page.data.len(), 2);
        assert!(page.meta.unwrap().next_token.is_some());
    }
}
