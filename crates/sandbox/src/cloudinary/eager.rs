//! Derived files: made for eager transformations (at upload, or `eager_secs` later with
//! `eager_async`, then announced by an `eager` notification) and for delivery URLs. Images are
//! rendered ([`super::render`]); a derived video is described only (size from its crop, duration
//! from `du_`/`so_`/`eo_`), since nothing is transcoded.

use super::app::SharedApp;
use super::errors::CldError;
use super::notify;
use super::render;
use super::store::{Asset, Derived, Rt};
use super::transform::{self, Chain};
use serde_json::{json, Value};

/// `ar_1:1,w_100/png` -> (`ar_1:1,w_100`, Some(`png`)): a trailing format names the extension.
pub fn split_format(t: &str) -> (String, Option<String>) {
    if let Some((head, last)) = t.rsplit_once('/') {
        let probe = transform::parse(last, &|_| None).ok();
        if let Some(format) = probe.and_then(|c| c.steps.is_empty().then_some(c.format).flatten()) {
            return (head.to_string(), Some(format));
        }
    }
    (t.to_string(), None)
}

/// Parses a transformation with the cloud's named transformations.
pub fn parse(app: &SharedApp, cloud: &str, t: &str) -> Result<Chain, CldError> {
    let named = app
        .lock()
        .clouds
        .get(cloud)
        .map(|c| c.named.clone())
        .unwrap_or_default();
    transform::parse(t, &|name| named.get(name).cloned()).map_err(|e| CldError::bad_request(e.to_string()))
}

/// Makes (or describes) the derived file of `asset` for `t` in `format` (else what the chain or
/// the original says), records it on the asset, and returns it.
pub async fn derive(
    app: &SharedApp,
    cloud: &str,
    asset: &Asset,
    t: &str,
    format: Option<&str>,
    decoded: Option<&std::sync::Arc<render::Decoded>>,
) -> Result<Derived, CldError> {
    let chain = parse(app, cloud, t)?;
    let n = app.lock().next_number();
    let derived = match asset.rt {
        Rt::Raw => return Err(CldError::bad_request("Raw files cannot be transformed")),
        Rt::Image => {
            let format = format.map(str::to_string);
            let rendered = match decoded {
                Some(decoded) => {
                    let decoded = decoded.clone();
                    tokio::task::spawn_blocking(move || render::render_decoded(&decoded, &chain, format.as_deref()))
                        .await
                }
                None => {
                    let original = tokio::fs::read(&asset.path)
                        .await
                        .map_err(|e| CldError::internal(format!("The sandbox lost the file: {e}")))?;
                    tokio::task::spawn_blocking(move || render::render(&original, &chain, format.as_deref())).await
                }
            }
            .map_err(|e| CldError::internal(format!("Rendering failed: {e}")))?
            .map_err(CldError::bad_request)?;
            let path = app.dir.path().join(format!("d{n}.{}", rendered.format));
            tokio::fs::write(&path, &rendered.bytes)
                .await
                .map_err(|e| CldError::internal(format!("The sandbox could not write a file: {e}")))?;
            Derived {
                transformation: t.to_string(),
                format: rendered.format,
                width: rendered.width,
                height: rendered.height,
                bytes: rendered.bytes.len() as u64,
                duration: None,
                path: Some(path),
                id: format!("{n:032x}"),
            }
        }
        Rt::Video => {
            let o = transform::outcome(
                &chain,
                asset.width.unwrap_or(0),
                asset.height.unwrap_or(0),
                asset.duration,
            );
            let share = match (o.duration, asset.duration) {
                (Some(d), Some(total)) if total > 0.0 => (d / total).clamp(0.0, 1.0),
                _ => 1.0,
            };
            Derived {
                transformation: t.to_string(),
                format: format.map(str::to_string).or(o.format).unwrap_or_else(|| "mp4".into()),
                width: o.width,
                height: o.height,
                bytes: (asset.bytes as f64 * share).round() as u64,
                duration: o.duration,
                path: None,
                id: format!("{n:032x}"),
            }
        }
    };
    let mut inner = app.lock();
    if let Ok(state) = inner.cloud_mut(cloud) {
        if let Some(stored) = state.assets.get_mut(&(asset.rt, asset.public_id.clone())) {
            stored
                .derived
                .retain(|d| !(d.transformation == derived.transformation && d.format == derived.format));
            stored.derived.push(derived.clone());
        }
    }
    inner.counters.cloud_mut(cloud).transformations += 1;
    drop(inner);
    app.changed();
    Ok(derived)
}

/// Makes every eager transformation now, returning the upload answer's `eager` items.
pub async fn run_now(app: &SharedApp, cloud: &str, asset: &Asset, eager: &[String]) -> Result<Vec<Value>, CldError> {
    // An image is decoded once for all its variants.
    let decoded = match (asset.rt, eager.is_empty()) {
        (Rt::Image, false) => {
            let original = tokio::fs::read(&asset.path)
                .await
                .map_err(|e| CldError::internal(format!("The sandbox lost the file: {e}")))?;
            let decoded = tokio::task::spawn_blocking(move || render::decode(&original))
                .await
                .map_err(|e| CldError::internal(format!("Decoding failed: {e}")))?
                .map_err(CldError::bad_request)?;
            Some(std::sync::Arc::new(decoded))
        }
        _ => None,
    };
    let mut items = Vec::new();
    for t in eager {
        let (t, format) = split_format(t);
        let d = derive(app, cloud, asset, &t, format.as_deref(), decoded.as_ref()).await?;
        items.push(asset.eager_item(&app.url, cloud, &d));
    }
    Ok(items)
}

/// Schedules the eager transformations `eager_secs` from now, then the `eager` notification to
/// `notify_url`; returns the upload answer's `eager` items (`"status":"processing"`).
pub fn run_later(
    app: &SharedApp,
    cloud: &str,
    asset: &Asset,
    eager: Vec<String>,
    notify_url: Option<String>,
    batch_id: String,
) -> Vec<Value> {
    let items = eager
        .iter()
        .map(|t| {
            let (t, format) = split_format(t);
            let url = asset.url(
                &app.url,
                cloud,
                Some(&t),
                format.as_deref().or(Some(default_format(asset))),
            );
            json!({ "status": "processing", "batch_id": batch_id, "url": url, "secure_url": url })
        })
        .collect();
    let job = EagerJob {
        cloud: cloud.to_string(),
        rt: asset.rt,
        public_id: asset.public_id.clone(),
        eager,
        notify_url,
        batch_id,
        due: tokio::time::Instant::now() + super::secs(app.limits.eager_secs),
    };
    app.lock().eager_jobs.push(job.clone());
    spawn_job(app.clone(), job);
    items
}

/// An `eager_async` batch waiting for its time (kept across restarts, [`super::persist`]).
#[derive(Debug, Clone)]
pub struct EagerJob {
    pub cloud: String,
    pub rt: Rt,
    pub public_id: String,
    /// The transformations, as the upload gave them.
    pub eager: Vec<String>,
    pub notify_url: Option<String>,
    pub batch_id: String,
    /// When the derived files are made and the notification sent.
    pub due: tokio::time::Instant,
}

/// Makes the batch's derived files at its time, sends its `eager` notification, and forgets it.
pub fn spawn_job(app: SharedApp, job: EagerJob) {
    tokio::spawn(async move {
        tokio::time::sleep_until(job.due).await;
        let key = (job.rt, job.public_id.clone());
        let asset = app
            .lock()
            .clouds
            .get(&job.cloud)
            .and_then(|c| c.assets.get(&key))
            .cloned();
        if let Some(asset) = asset {
            let mut done = Vec::new();
            for t in &job.eager {
                let (t, format) = split_format(t);
                match derive(&app, &job.cloud, &asset, &t, format.as_deref(), None).await {
                    Ok(d) => done.push(asset.eager_item(&app.url, &job.cloud, &d)),
                    Err(e) => tracing::warn!(message = "An eager transformation failed.", error = %e.message()),
                }
            }
            if let Some(url) = job.notify_url.clone() {
                let body = json!({
                    "notification_type": "eager",
                    "eager": done,
                    "public_id": asset.public_id,
                    "batch_id": job.batch_id,
                });
                notify::spawn(app.clone(), job.cloud.clone(), url, body);
            }
        }
        app.lock().eager_jobs.retain(|j| j.batch_id != job.batch_id);
        app.changed();
    });
}

fn default_format(asset: &Asset) -> &str {
    match asset.rt {
        Rt::Video => "mp4",
        _ => asset.format.as_deref().unwrap_or("jpg"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trailing_format_is_split_off() {
        assert_eq!(
            split_format("c_fill,w_100/png"),
            ("c_fill,w_100".into(), Some("png".into()))
        );
        assert_eq!(
            split_format("c_fill,w_100/q_auto"),
            ("c_fill,w_100/q_auto".into(), None)
        );
        assert_eq!(split_format("w_100"), ("w_100".into(), None));
    }
}
