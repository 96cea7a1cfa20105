//! What `publish` needs before its one call: the container `FINISHED` (waiting for it, or making
//! the carousel when `prepare` could not), and the permalink after.

use super::containers::{self, Plan, StatusCode};
use super::{reconcile, InstagramPublisher};
use crate::error_class::ErrorClass;
use crate::platforms::meta_graph::client::Call;
use crate::platforms::meta_graph::wording::label;
use crate::platforms::{Account, Attempt, Found, PostContent, Prepared, PublishError, Published, Receipts};
use serde_json::Value;
use std::time::Duration;

impl InstagramPublisher {
    /// Waits for the items of a carousel, then creates the carousel; its container id.
    pub(super) async fn carousel(
        &self,
        account: &Account,
        post: &PostContent,
        children: &[String],
        limit: Duration,
    ) -> Result<Option<String>, PublishError> {
        let started = tokio::time::Instant::now();
        for (i, child) in children.iter().enumerate() {
            let left = limit.saturating_sub(started.elapsed());
            let state = self.wait(account, child, left).await?;
            let what = post
                .media
                .get(i)
                .map_or_else(|| format!("carousel item {}", i + 1), |m| label(i + 1, m));
            match state.code {
                StatusCode::Finished => {}
                StatusCode::Error => return Err(containers::failed(&what, &state)),
                StatusCode::Expired => return Err(containers::expired(&what)),
                StatusCode::InProgress | StatusCode::Other(_) | StatusCode::Published => return Ok(None),
            }
        }
        let body = containers::carousel_body(post, children);
        self.create(account, body, "the carousel").await.map(Some)
    }

    /// The media's permalink, or the profile's URL when it cannot be read (logged, not an error).
    pub(super) async fn permalink(&self, account: &Account, media_id: &str) -> String {
        let call = Call::get([media_id, ""], vec![("fields", "permalink".into())], "the post's link");
        match self.graph.call(account, call).await {
            Ok(v) => match v.get("permalink").and_then(Value::as_str) {
                Some(url) if url.starts_with("http") => url.to_string(),
                _ => reconcile::profile_url(account),
            },
            Err(error) => {
                tracing::warn!(message = "Could not read the post's permalink; using the profile.", media_id, %error);
                reconcile::profile_url(account)
            }
        }
    }

    /// The container `publish` publishes, `FINISHED`; or the post, when it went out already.
    pub(super) async fn finished_container(
        &self,
        account: &Account,
        post: &PostContent,
        prepared: &Prepared,
        receipts: &Receipts,
    ) -> Result<Result<String, Published>, PublishError> {
        let what = containers::what(post);
        let container = match (&prepared.container, &prepared.media_ids[..]) {
            (Some(c), _) => c.clone(),
            (None, children) if !children.is_empty() && matches!(containers::plan(post), Plan::Carousel(_)) => {
                let Some(parent) = self.carousel(account, post, children, self.publish_wait).await? else {
                    return Err(still_processing(&what, self.publish_wait));
                };
                receipts.keep(&parent).await?;
                parent
            }
            (None, _) => {
                return Err(PublishError {
                    class: ErrorClass::Transient,
                    message: "This Instagram post has no container yet; it will be prepared again".into(),
                    retry_at: None,
                })
            }
        };
        let fresh = prepared.expires_at.is_some_and(|at| at > self.clock.now());
        if prepared.ready && fresh {
            return Ok(Ok(container));
        }
        let state = self.wait(account, &container, self.publish_wait).await?;
        match state.code {
            StatusCode::Finished => Ok(Ok(container)),
            StatusCode::Error => Err(containers::failed(&what, &state)),
            StatusCode::Expired => Err(containers::expired(&what)),
            StatusCode::InProgress | StatusCode::Other(_) => Err(still_processing(&what, self.publish_wait)),
            StatusCode::Published => {
                tracing::warn!(message = "The container was published already; not publishing it again.", %container);
                let attempt = Attempt {
                    since: self.clock.now() - chrono::Duration::from_std(self.container_lifetime).unwrap_or_default(),
                    prepared: Some(prepared),
                    receipt: Some(&container),
                };
                match self.find(account, post, attempt).await? {
                    Found::Published(p) => Ok(Err(p)),
                    _ => Ok(Err(Published {
                        platform_id: container.clone(),
                        url: reconcile::profile_url(account),
                    })),
                }
            }
        }
    }
}

pub(super) fn still_processing(what: &str, waited: Duration) -> PublishError {
    PublishError {
        class: ErrorClass::Transient,
        message: format!(
            "Instagram is still processing {what} after {} s; publishing will be tried again",
            waited.as_secs()
        ),
        retry_at: None,
    }
}
