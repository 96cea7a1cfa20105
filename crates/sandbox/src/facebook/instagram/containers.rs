//! `POST /{version}/{ig-user-id}/media`: a container, as Meta makes one (see the module docs of
//! [`super`] for the statuses and [`super::checks`] for the rules).

use super::{checks, Container, ContainerKind, Status};
use crate::facebook::app::SharedApp;
use crate::facebook::errors::GraphError;
use crate::facebook::graph::GraphRequest;
use crate::facebook::photos::is_loopback;
use axum::Json;
use schedulo_media::probe::probe_url;
use serde_json::{json, Value};
use std::time::Duration;
use tokio::time::Instant;

const DAY: Duration = Duration::from_secs(24 * 3600);
/// How long Meta's fetch of a media URL may take (Meta: "The video should be downloaded within 5 minutes").
const FETCH_TIMEOUT: Duration = Duration::from_secs(60);

/// What the request asks for, read from its parameters.
struct Asked {
    kind: ContainerKind,
    carousel_item: bool,
    caption: Option<String>,
    /// The media URL and whether it was given as `video_url`.
    url: Option<(String, bool)>,
    children: Vec<String>,
}

fn read(req: &GraphRequest) -> Result<Asked, GraphError> {
    let p = &req.params;
    let carousel_item = p.flag("is_carousel_item", false)?;
    let image = p.text("image_url");
    let video = p.text("video_url");
    let media_type = p.text("media_type").map(|t| t.to_ascii_uppercase());
    let kind = match media_type.as_deref() {
        None | Some("IMAGE") => ContainerKind::Image,
        Some("REELS") => ContainerKind::Reels,
        Some("VIDEO") => ContainerKind::Video,
        Some("STORIES") => ContainerKind::Stories,
        Some("CAROUSEL") => ContainerKind::Carousel,
        Some(_) => {
            return Err(
                GraphError::param("The media type entered is not one of the expected media types").subcode(2207023),
            )
        }
    };
    let url = match kind {
        ContainerKind::Image => Some((image.ok_or_else(|| GraphError::required("image_url"))?, false)),
        ContainerKind::Reels | ContainerKind::Video => {
            Some((video.ok_or_else(|| GraphError::required("video_url"))?, true))
        }
        ContainerKind::Stories => match (image, video) {
            (Some(i), None) => Some((i, false)),
            (None, Some(v)) => Some((v, true)),
            _ => {
                return Err(GraphError::param(
                    "A story takes either image_url or video_url (sandbox wording)",
                ))
            }
        },
        ContainerKind::Carousel => None,
    };
    match (kind, carousel_item) {
        (ContainerKind::Video, false) => {
            return Err(GraphError::param(
                "The VIDEO media type is only for carousel items; publish videos as REELS (sandbox wording)",
            ))
        }
        (ContainerKind::Reels | ContainerKind::Stories | ContainerKind::Carousel, true) => {
            return Err(GraphError::param(
                "Only images and videos (media_type=VIDEO) can be carousel items (sandbox wording)",
            ))
        }
        _ => {}
    }
    let children = match kind {
        ContainerKind::Carousel => p
            .text("children")
            .or_else(|| p.list("children").map(|l| l.join(",")))
            .ok_or_else(|| GraphError::required("children"))?
            .split(',')
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            .collect(),
        _ => Vec::new(),
    };
    let caption = match kind {
        ContainerKind::Stories => None,
        _ if carousel_item => None,
        _ => p.text("caption"),
    };
    if let Some(text) = &caption {
        check_caption(text)?;
    }
    Ok(Asked {
        kind,
        carousel_item,
        caption,
        url,
        children,
    })
}

/// A caption against Instagram's limits ([`crate::facebook::limits`]).
fn check_caption(text: &str) -> Result<(), GraphError> {
    use crate::facebook::limits::{hashtags, CAPTION_MAX_CHARS, MAX_HASHTAGS};
    let chars = text.chars().count();
    if chars > CAPTION_MAX_CHARS {
        return Err(GraphError::param(&format!(
            "The caption has {chars} characters; Instagram allows {CAPTION_MAX_CHARS} (sandbox wording)"
        )));
    }
    let tags = hashtags(text);
    if tags > MAX_HASHTAGS {
        return Err(GraphError::param(&format!(
            "The caption has {tags} hashtags; Instagram allows {MAX_HASHTAGS} (sandbox wording)"
        )));
    }
    Ok(())
}

pub async fn create(app: &SharedApp, ig_id: &str, req: &GraphRequest) -> Result<Json<Value>, GraphError> {
    {
        let mut inner = app.lock();
        let u = inner.authorize_ig(req.token.as_deref(), ig_id, "post")?;
        let cap = app.settings.max_containers_per_day;
        if inner.ig_users[u].created_within(Instant::now(), DAY) >= cap as usize {
            return Err(GraphError::container_cap(cap));
        }
    }
    let asked = read(req)?;
    let mut info = None;
    let mut error = None;
    if let Some((url, video)) = &asked.url {
        let fetched = match url::Url::parse(url) {
            Ok(u) if is_loopback(&u) => probe_url(&app.http, url, FETCH_TIMEOUT).await.ok(),
            _ => None,
        };
        let Some(fetched) = fetched else {
            tracing::debug!(message = "Instagram media could not be fetched.", %url);
            return Err(GraphError::download_failed(url));
        };
        error = checks::problem(asked.kind, *video, &fetched);
        info = Some(fetched);
    }
    let mut inner = app.lock();
    let u = inner.authorize_ig(req.token.as_deref(), ig_id, "post")?;
    let now = Instant::now();
    if asked.kind == ContainerKind::Carousel {
        check_children(&inner.ig_users[u].containers, &asked.children, app, now)?;
    }
    let id = inner.new_id();
    let user = &mut inner.ig_users[u];
    user.created.push_back(now);
    user.containers.push(Container {
        id: id.clone(),
        kind: asked.kind,
        carousel_item: asked.carousel_item,
        caption: asked.caption,
        url: asked.url.map(|(u, _)| u),
        children: asked.children,
        info,
        error,
        at: now,
        published: None,
    });
    inner.counters.containers_created += 1;
    tracing::debug!(message = "Instagram container created.", ig_user = ig_id, container = %id);
    Ok(Json(json!({ "id": id })))
}

/// A carousel's items: 2 to 10 finished items of this account.
fn check_children(
    containers: &[Container],
    children: &[String],
    app: &SharedApp,
    now: Instant,
) -> Result<(), GraphError> {
    if !super::super::limits::CAROUSEL_CHILDREN.contains(&children.len()) {
        return Err(GraphError::param(&format!(
            "A carousel has 2 to 10 children; this one has {} (sandbox wording)",
            children.len()
        )));
    }
    let s = &app.settings;
    for child in children {
        let Some(c) = containers.iter().find(|c| &c.id == child && c.carousel_item) else {
            return Err(GraphError::param(&format!(
                "The children parameter holds {child}, which is not a carousel item of this account (sandbox wording)"
            )));
        };
        match c.status(now, s.container_processing, s.container_lifetime) {
            Status::Finished => {}
            Status::InProgress => return Err(GraphError::media_not_ready()),
            Status::Expired => return Err(GraphError::container_expired()),
            Status::Error | Status::Published => {
                return Err(GraphError::param(&format!(
                    "The carousel item {child} cannot be used: {} (sandbox wording)",
                    c.status_text(c.status(now, s.container_processing, s.container_lifetime))
                )))
            }
        }
    }
    Ok(())
}
