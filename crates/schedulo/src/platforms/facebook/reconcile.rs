//! Whether a post went out after all: the Page's feed since the intent, searched for the post's
//! message (`GET /{page-id}/feed?since=&fields=id,message,created_time,permalink_url&limit=100`).
//!
//! Facebook has no idempotency key, so the message is the only handle. Limits of this: one page
//! of 100 posts is read (a Page posting more than 100 times between the intent and the check is
//! not covered); a post without text cannot be told apart from others, so it is not guessed at:
//! the answer stays `OutcomeUnknown` for a person to check.

use crate::error_class::ErrorClass;
use crate::platforms::meta_graph::client::{Call, Graph};
use crate::platforms::{Account, PostContent, PublishError, Published};
use chrono::{DateTime, Utc};
use serde::Deserialize;

/// Clock skew allowed between the worker and Meta when asking for posts since the intent.
const SKEW_SECS: i64 = 120;

#[derive(Debug, Deserialize)]
struct FeedPage {
    #[serde(default)]
    data: Vec<FeedPost>,
}

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
        [account.external_id.as_str(), "feed"],
        vec![
            ("since", (since.timestamp() - SKEW_SECS).max(0).to_string()),
            ("fields", "id,message,created_time,permalink_url".into()),
            ("limit", "100".into()),
        ],
        "the list of the Page's posts",
    );
    let value = graph.call(account, call).await?;
    let page: FeedPage = serde_json::from_value(value).map_err(|_| PublishError {
        class: ErrorClass::Transient,
        message: "Facebook's list of the Page's posts could not be read".into(),
        retry_at: None,
    })?;
    Ok(matching(page.data, &wanted))
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

    fn feed() -> FeedPage {
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
