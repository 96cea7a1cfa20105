//! Whether an Instagram post went out after all.
//!
//! With its container: `GET /{container}?fields=status_code,status`. `PUBLISHED` means it went
//! out; any other status means this very container did not (Meta publishes a container once, and
//! a container is what `media_publish` publishes), so publishing it again cannot post twice.
//! The media itself is then found among the account's posts since the attempt
//! (`GET /{ig-user-id}/media?fields=id,permalink,timestamp,caption&since=&limit=100`, and its
//! `paging.next` pages up to 10) by its caption.
//!
//! Without a container only that listing remains: a post found by its caption is published; not
//! found is not certain (the listing may lag). A post without caption, or a Story (not listed
//! with the feed), cannot be told apart: that stays unknown for a person to check.

use super::containers::StatusCode;
use super::InstagramPublisher;
use crate::error_class::ErrorClass;
use crate::platforms::meta_graph::client::Call;
use crate::platforms::meta_graph::paging::{walk, Walk};
use crate::platforms::{Account, Attempt, Found, PostContent, PostFormat, PublishError, Published};
use chrono::{DateTime, Utc};
use serde::Deserialize;

/// Clock skew allowed between the worker and Meta when listing posts since the attempt.
const SKEW_SECS: i64 = 120;

/// Pages of 100 posts read at most (1,000 posts since the attempt).
const MAX_PAGES: usize = 10;

#[derive(Debug, Deserialize)]
struct Media {
    id: String,
    #[serde(default)]
    caption: Option<String>,
    #[serde(default)]
    permalink: Option<String>,
}

/// What Instagram keeps of a caption: line ends as `\n`, no surrounding blanks.
fn normalize(text: &str) -> String {
    text.replace("\r\n", "\n").trim().to_string()
}

/// The account's page, when the media's own link is unknown.
pub fn profile_url(account: &Account) -> String {
    match account.handle.as_deref().map(str::trim).filter(|h| !h.is_empty()) {
        Some(handle) => format!("https://www.instagram.com/{handle}/"),
        None => "https://www.instagram.com/".into(),
    }
}

impl InstagramPublisher {
    pub(super) async fn find(
        &self,
        account: &Account,
        post: &PostContent,
        attempt: Attempt<'_>,
    ) -> Result<Found, PublishError> {
        let container = attempt
            .prepared
            .and_then(|p| p.container.as_deref())
            .or(attempt.receipt);
        let Some(container) = container else {
            if post.format == PostFormat::Story || normalize(&post.text).is_empty() {
                return Err(PublishError {
                    class: ErrorClass::OutcomeUnknown,
                    message: "This Instagram post has no container to ask about and no caption (or is a Story), \
                              so it cannot be found among the account's posts; check the account before posting again"
                        .into(),
                    retry_at: None,
                });
            }
            let found = self.by_caption(account, post, attempt.since).await?;
            return Ok(found.map_or(Found::NotPublished { certain: false }, Found::Published));
        };
        let state = self.state(account, container).await?;
        if state.code != StatusCode::Published {
            tracing::info!(message = "The container was not published.", %container, status = ?state.code);
            return Ok(Found::NotPublished { certain: true });
        }
        let found = if normalize(&post.text).is_empty() || post.format == PostFormat::Story {
            None
        } else {
            // The container says it went out: a listing too long to search only loses its link.
            match self.by_caption(account, post, attempt.since).await {
                Err(e) if e.class == ErrorClass::OutcomeUnknown => None,
                found => found?,
            }
        };
        Ok(Found::Published(found.unwrap_or_else(|| Published {
            platform_id: container.to_string(),
            url: profile_url(account),
        })))
    }

    /// The oldest post since `since` whose caption is the post's.
    pub(super) async fn by_caption(
        &self,
        account: &Account,
        post: &PostContent,
        since: DateTime<Utc>,
    ) -> Result<Option<Published>, PublishError> {
        let call = Call::get(
            [account.external_id.as_str(), "media"],
            vec![
                ("fields", "id,permalink,timestamp,caption".into()),
                ("since", (since.timestamp() - SKEW_SECS).max(0).to_string()),
                ("limit", "100".into()),
            ],
            "the list of the account's posts",
        );
        let wanted = normalize(&post.text);
        let mut found = None;
        let ended = walk(&self.graph, account, call, MAX_PAGES, |media: Vec<Media>| {
            // Newest first: an older match on a later page replaces a newer one.
            if let Some(m) = media
                .into_iter()
                .rev()
                .find(|m| m.caption.as_deref().is_some_and(|c| normalize(c) == wanted))
            {
                found = Some(m);
            }
        })
        .await?;
        if found.is_none() && ended == Walk::Bounded {
            return Err(PublishError {
                class: ErrorClass::OutcomeUnknown,
                message: format!(
                    "The account has more than {} posts since this one was attempted, and the newest of \
                     them do not include it; check the account before posting again",
                    MAX_PAGES * 100
                ),
                retry_at: None,
            });
        }
        Ok(found.map(|m| Published {
            url: m
                .permalink
                .filter(|u| u.starts_with("http"))
                .unwrap_or_else(|| profile_url(account)),
            platform_id: m.id,
        }))
    }
}
