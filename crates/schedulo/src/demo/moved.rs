//! When the sandboxes come back on other ports: the addresses each stand-in had are kept in the
//! identity file, a restart with `--listen <ip>:0` asks for the same ports again, and when one is
//! taken (or `--listen` changed) the URLs the base holds that point at the old address are
//! rewritten to the new one.
//!
//! Why rewrite rather than make the URLs port-independent: the URLs in the base are what the
//! vendors' stand-ins fetch (Instagram's `image_url`, TikTok's `PULL_FROM_URL`, Facebook's photo
//! `url`) and what a person or a Bubble app opens from the grid, so they must stay absolute
//! `http://host:port/...` URLs, as Cloudinary's are; a relative or made-up scheme would break the
//! vendors' contract the sandbox keeps. Keeping the ports makes the rewrite rare; when it happens
//! it goes through the Airtable API, like any change a person makes, so the worker and any
//! webhook see it. The fields rewritten are the base's URL fields that can point at a stand-in:
//! `MediaLibrary.CloudinaryURL` and `SourceURL`, `ScheduledPosts.PostURL` (Facebook's and
//! Instagram's permalinks are on the Graph stand-in).

use crate::airtable::{Base, Fields, ListQuery};
use crate::base::names::{media, posts};
use anyhow::Context;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::future::Future;
use std::net::SocketAddr;

/// The URL each stand-in had in the last run (`http://127.0.0.1:PORT`), as the identity file keeps it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Addresses {
    pub airtable: Option<String>,
    pub x: Option<String>,
    pub facebook: Option<String>,
    pub tiktok: Option<String>,
    pub cloudinary: Option<String>,
}

impl Addresses {
    /// (old, new) for every stand-in whose URL changed since `before`.
    pub fn moves_since(&self, before: &Addresses) -> Vec<(String, String)> {
        let pairs = [
            (&before.airtable, &self.airtable),
            (&before.x, &self.x),
            (&before.facebook, &self.facebook),
            (&before.tiktok, &self.tiktok),
            (&before.cloudinary, &self.cloudinary),
        ];
        pairs
            .into_iter()
            .filter_map(|(old, new)| match (old, new) {
                (Some(old), Some(new)) if old != new => Some((old.clone(), new.clone())),
                _ => None,
            })
            .collect()
    }
}

/// The port of a URL the identity kept.
pub fn port_of(url: Option<&String>) -> Option<u16> {
    url.and_then(|u| url::Url::parse(u).ok()).and_then(|u| u.port())
}

/// The port after `listen`'s (0 stays 0: any free port).
pub fn next_port(listen: SocketAddr, by: u16) -> SocketAddr {
    let port = if listen.port() == 0 {
        0
    } else {
        listen.port().saturating_add(by)
    };
    SocketAddr::new(listen.ip(), port)
}

/// Starts a stand-in on `listen`'s port + `by`; with port 0, on `previous` first when it is still
/// free, else on any free port.
pub async fn start_preferring<T, F, Fut>(
    listen: SocketAddr,
    by: u16,
    previous: Option<u16>,
    start: F,
) -> anyhow::Result<T>
where
    F: Fn(SocketAddr) -> Fut,
    Fut: Future<Output = anyhow::Result<T>>,
{
    let wanted = next_port(listen, by);
    if let Some(port) = previous.filter(|p| *p != 0 && wanted.port() == 0) {
        match start(SocketAddr::new(listen.ip(), port)).await {
            Ok(started) => return Ok(started),
            Err(error) if in_use(&error) => {
                tracing::info!(
                    message = "A sandbox's previous port is taken; it starts on another.",
                    port
                );
            }
            Err(error) => return Err(error),
        }
    }
    start(wanted).await
}

fn in_use(error: &anyhow::Error) -> bool {
    error
        .chain()
        .filter_map(|e| e.downcast_ref::<std::io::Error>())
        .any(|e| e.kind() == std::io::ErrorKind::AddrInUse)
}

/// `text` with every `old` URL prefix (followed by `/` or the end) replaced by its `new`.
fn moved(text: &str, moves: &[(String, String)]) -> String {
    let mut out = text.to_string();
    for (old, new) in moves {
        let (old, new) = (format!("{old}/"), format!("{new}/"));
        out = out.replace(&old, &new);
    }
    out
}

/// Rewrites the URLs of `fields` in `table` that point at a moved stand-in; the records changed.
async fn rewrite_table(base: &Base, table: &str, fields: &[&str], moves: &[(String, String)]) -> anyhow::Result<usize> {
    let query = ListQuery {
        fields: fields.iter().map(|f| f.to_string()).collect(),
        ..ListQuery::default()
    };
    let records = base
        .list(table, &query)
        .await
        .with_context(|| format!("Failed to read {table} to move its sandbox URLs"))?;
    let changes: Vec<(String, Fields)> = records
        .into_iter()
        .filter_map(|r| {
            let changed: Fields = fields
                .iter()
                .filter_map(|f| {
                    let text = r.fields.get(*f)?.as_str()?;
                    let now = moved(text, moves);
                    (now != text).then(|| (f.to_string(), Value::from(now)))
                })
                .collect();
            (!changed.is_empty()).then_some((r.id, changed))
        })
        .collect();
    let n = changes.len();
    if n > 0 {
        base.update(table, changes, false)
            .await
            .map_err(|e| anyhow::anyhow!("Failed to move the sandbox URLs of {table}: {e}"))?;
    }
    Ok(n)
}

/// Rewrites the base's URLs that point at a stand-in that moved (see the module docs); the
/// number of records changed.
pub async fn rewrite_urls(base: &Base, moves: &[(String, String)]) -> anyhow::Result<usize> {
    if moves.is_empty() {
        return Ok(0);
    }
    let media_fields = [media::CLOUDINARY_URL, media::SOURCE_URL];
    let n = rewrite_table(base, media::TABLE, &media_fields, moves).await?
        + rewrite_table(base, posts::TABLE, &[posts::POST_URL], moves).await?;
    tracing::info!(message = "The sandboxes moved; the base's URLs follow them.", records = n, moves = ?moves);
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_whole_origins_move() {
        let moves = vec![("http://127.0.0.1:801".to_string(), "http://127.0.0.1:9000".to_string())];
        assert_eq!(
            moved("http://127.0.0.1:801/a.jpg http://127.0.0.1:8010/b.jpg", &moves),
            "http://127.0.0.1:9000/a.jpg http://127.0.0.1:8010/b.jpg"
        );
        let before = Addresses {
            x: Some("http://127.0.0.1:801".into()),
            cloudinary: Some("http://127.0.0.1:5".into()),
            ..Addresses::default()
        };
        let now = Addresses {
            x: Some("http://127.0.0.1:9000".into()),
            cloudinary: Some("http://127.0.0.1:5".into()),
            ..Addresses::default()
        };
        assert_eq!(now.moves_since(&before), moves);
        assert_eq!(port_of(before.x.as_ref()), Some(801));
    }
}
