//! The Instagram accounts in the Graph API's state file ([`super::persist`]): each with its
//! `user` (`id`, `name` (the username); no token), `containers` (oldest first: `id`, `kind`,
//! `carousel_item`, `caption`, `url`, `children`, `info`, `error`, `at` (its creation, from which
//! processing and the 24-hour expiry run), `published`), `media` (oldest first: `id`,
//! `container`, `caption`, `media_type`, `media_product_type`, `children`, `shortcode`,
//! `timestamp`), and the times of the last 24 hours' `publishes` (the 50 a day) and container
//! creations (`created`: the 400 a day).

use super::instagram::{Container, ContainerKind, IgMedia, IgUser};
use super::persist::SavedAccount;
use super::InstagramSandboxUser;
use crate::clock::Clock;
use chrono::{DateTime, Utc};
use schedulo_media::MediaInfo;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
pub struct SavedIgUser {
    user: SavedAccount,
    #[serde(default)]
    containers: Vec<SavedContainer>,
    #[serde(default)]
    media: Vec<SavedIgMedia>,
    #[serde(default)]
    publishes: Vec<DateTime<Utc>>,
    #[serde(default)]
    created: Vec<DateTime<Utc>>,
}

#[derive(Serialize, Deserialize)]
struct SavedContainer {
    id: String,
    kind: ContainerKind,
    carousel_item: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    caption: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    #[serde(default)]
    children: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    info: Option<MediaInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    published: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct SavedIgMedia {
    id: String,
    container: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    caption: Option<String>,
    media_type: String,
    media_product_type: String,
    #[serde(default)]
    children: Vec<String>,
    shortcode: String,
    timestamp: DateTime<Utc>,
}

/// Instagram's `media_type`s and `media_product_type`s, as the sandbox's own strings.
fn known(value: &str, among: &[&'static str], what: &str, media: &str) -> anyhow::Result<&'static str> {
    among
        .iter()
        .copied()
        .find(|k| *k == value)
        .ok_or_else(|| anyhow::anyhow!("Instagram media {media}: {what} {value:?} is not one of {among:?}"))
}

pub fn restore(saved: SavedIgUser, clock: &Clock) -> anyhow::Result<IgUser> {
    let at = |t: DateTime<Utc>| clock.instant_of(t);
    let mut user = IgUser::new(InstagramSandboxUser {
        token: String::new(),
        id: saved.user.id,
        username: saved.user.name,
    });
    user.containers = saved
        .containers
        .into_iter()
        .map(|c| Container {
            id: c.id,
            kind: c.kind,
            carousel_item: c.carousel_item,
            caption: c.caption,
            url: c.url,
            children: c.children,
            info: c.info,
            error: c.error,
            at: at(c.at),
            published: c.published,
        })
        .collect();
    for m in saved.media {
        let media_type = known(
            &m.media_type,
            &["IMAGE", "VIDEO", "CAROUSEL_ALBUM"],
            "media_type",
            &m.id,
        )?;
        let product = known(
            &m.media_product_type,
            &["FEED", "REELS", "STORY"],
            "media_product_type",
            &m.id,
        )?;
        user.media.push(IgMedia {
            id: m.id,
            container: m.container,
            caption: m.caption,
            media_type,
            media_product_type: product,
            children: m.children,
            shortcode: m.shortcode,
            timestamp: m.timestamp,
        });
    }
    user.publishes = saved.publishes.into_iter().map(at).collect();
    user.created = saved.created.into_iter().map(at).collect();
    Ok(user)
}

pub fn save(user: &IgUser, clock: &Clock) -> SavedIgUser {
    let wall = |t| clock.wall_of(t);
    SavedIgUser {
        user: SavedAccount {
            id: user.user.id.clone(),
            name: user.user.username.clone(),
        },
        containers: user
            .containers
            .iter()
            .map(|c| SavedContainer {
                id: c.id.clone(),
                kind: c.kind,
                carousel_item: c.carousel_item,
                caption: c.caption.clone(),
                url: c.url.clone(),
                children: c.children.clone(),
                info: c.info.clone(),
                error: c.error.clone(),
                at: wall(c.at),
                published: c.published.clone(),
            })
            .collect(),
        media: user
            .media
            .iter()
            .map(|m| SavedIgMedia {
                id: m.id.clone(),
                container: m.container.clone(),
                caption: m.caption.clone(),
                media_type: m.media_type.to_string(),
                media_product_type: m.media_product_type.to_string(),
                children: m.children.clone(),
                shortcode: m.shortcode.clone(),
                timestamp: m.timestamp,
            })
            .collect(),
        publishes: user.publishes.iter().map(|t| wall(*t)).collect(),
        created: user.created.iter().map(|t| wall(*t)).collect(),
    }
}
