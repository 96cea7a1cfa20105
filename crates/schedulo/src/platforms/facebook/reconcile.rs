//! Whether a post went out after all: the Page's own posts since the intent, searched for the
//! post's message (`GET /{page-id}/published_posts?since=&fields=id,message,created_time,
//! permalink_url&limit=100`), following `paging.next` for up to [`MAX_PAGES`] pages.
//!
//! Why `published_posts` and not `feed`: Meta's `/feed` is "any interactions with a Facebook Page",
//! the Page's posts and also visitors' posts and posts it is tagged in, so a visitor who wrote
//! the same words would be taken for our post (and their posts take room in every page);
//! `/published_posts` is "all published posts by the page" and nothing else
//! (developers.facebook.com/docs/graph-api/reference/page/feed and .../page/published_posts).
//! Both take `since` and pages of at most 100.
//!
//! Facebook has no idempotency key, so the message is the only handle: the oldest post with it
//! since the intent is ours. A post without text cannot be told apart from others, so it is not
//! guessed at, nor is a Page that posted more than `MAX_PAGES` pages since the intent without
//! the post among them: both stay `OutcomeUnknown` for a person to check.

use crate::error_class::ErrorClass;
use crate::platforms::meta_graph::client::{Call, Graph};
use crate::platforms::meta_graph::paging::{walk, Walk};
use crate::platforms::{Account, PostContent, PublishError, Published};
use chrono::{DateTime, Utc};
use serde::Deserialize;

/// Clock skew allowed between the worker and Meta when asking for posts since the intent.
const SKEW_SECS: i64 = 120;

/// Pages of 100 posts read at most (1,000 posts since the intent).
pub const MAX_PAGES: usize = 10;

#[derive(Debug, Deserialize)]
struct FeedPost {
    id: String,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    permalink_url: Option<String>,
}

pub(crate) async fn find(
    graph: &Graph,
    account: &Account,
    post: &PostContent,
    since: DateTime<Utc>,
) -> Result<Option<Published>, PublishError> {
    let wanted = normalize(&post.text);
    if wanted.is_empty() {
        return Err(PublishError {
            class: ErrorClass::OutcomeUnknown,
            message: "This Facebook post has no text, so it cannot be found among the Page's posts; \
                      check the Page before posting again"
                .into(),
            retry_at: None,
        });
    }
    let call = Call::get(
        [account.external_id.as_str(), "published_posts"],
        vec![
            ("since", (since.timestamp() - SKEW_SECS).max(0).to_string()),
            ("fields", "id,message,created_time,permalink_url".into()),
            ("limit", "100".into()),
        ],
        "the list of the Page's posts",
    );
    let mut found = None;
    let ended = walk(graph, account, call, MAX_PAGES, |posts: Vec<FeedPost>| {
        // Later pages hold older posts: an older match replaces a newer one.
        if let Some(older) = matching(posts, &wanted) {
            found = Some(older);
        }
    })
    .await?;
    if found.is_none() && ended == Walk::Bounded {
        return Err(PublishError {
            class: ErrorClass::OutcomeUnknown,
            message: format!(
                "The Page has more than {} posts since this one was attempted, and the newest of them \
                 do not include it; check the Page before posting again",
                MAX_PAGES * 100
            ),
            retry_at: None,
        });
    }
    Ok(found)
}

/// The oldest post with the message (Meta lists the newest first).
fn matching(posts: Vec<FeedPost>, wanted: &str) -> Option<Published> {
    let found = posts
        .into_iter()
        .rev()
        .find(|p| p.message.as_deref().is_some_and(|m| normalize(m) == wanted))?;
    let url = found
        .permalink_url
        .filter(|u| u.starts_with("http"))
        .unwrap_or_else(|| fallback_url(&found.id));
    Some(Published {
        platform_id: found.id,
        url,
    })
}

/// What Facebook keeps of a message: line ends as `\n`, no surrounding blanks.
fn normalize(text: &str) -> String {
    text.replace("\r\n", "\n").trim().to_string()
}

/// A post's address when Meta gives no permalink: facebook.com resolves `{page}_{post}` ids.
pub fn fallback_url(post_id: &str) -> String {
    format!("https://www.facebook.com/{post_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed() -> crate::platforms::meta_graph::paging::Page<FeedPost> {
        let path = format!("{}/../../fixtures/facebook/page_feed.json", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    }

    #[test]
    fn the_post_is_found_by_its_message() {
        let found = matching(feed().data, &normalize("Spring sale starts today!\r\n#sale #spring ")).unwrap();
        assert_eq!(found.platform_id, "112233445566778_998877665544332");
        assert_eq!(
            found.url,
            "https://www.facebook.com/112233445566778/posts/998877665544332"
        );
    }

    #[test]
    fn no_match_is_none() {
        assert!(matching(feed().data, "Something else").is_none());
    }

    #[test]
    fn the_oldest_of_two_matches_wins_and_a_missing_permalink_falls_back() {
        let posts = vec![
            FeedPost {
                id: "1_2".into(),
                message: Some("Hi".into()),
                permalink_url: Some("https://www.facebook.com/1/posts/2".into()),
            },
            FeedPost {
                id: "1_1".into(),
                message: Some("Hi".into()),
                permalink_url: None,
            },
        ];
        let found = matching(posts, "Hi").unwrap();
        assert_eq!(
            (found.platform_id.as_str(), found.url.as_str()),
            ("1_1", "https://www.facebook.com/1_1")
        );
    }
}
