//! `POST /v1_1/{cloud}/{rt}/upload` and `POST /v1_1/{cloud}/{rt}/destroy`: authentication (a
//! signature, or an unsigned preset), the file (bytes, a loopback URL, a data URI, or chunks),
//! its properties, the cloud's size limits, storing, eager transformations, notifications.

use super::app::SharedApp;
use super::chunked::{self, Progress};
use super::eager;
use super::errors::CldError;
use super::form::{self, FileParam, Form};
use super::notify;
use super::signature;
use super::store::{Asset, Rt};
use super::SandboxCloud;
use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use schedulo_media::MediaInfo;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use tokio::io::AsyncWriteExt;

use super::limits::MAX_AGE_SECS;

type Params = BTreeMap<String, String>;

pub async fn upload(State(app): State<SharedApp>, Path((cloud, rt)): Path<(String, String)>, req: Request) -> Response {
    match run(&app, &cloud, &rt, req).await {
        Ok(body) => Json(body).into_response(),
        Err(e) => e.into_response(),
    }
}

/// The resource type a path names (`None` for `auto`).
fn wanted(rt: &str) -> Result<Option<Rt>, CldError> {
    match rt {
        "auto" => Ok(None),
        other => Rt::parse(other)
            .map(Some)
            .ok_or_else(|| CldError::not_found(format!("Invalid resource type {other}"))),
    }
}

async fn run(app: &SharedApp, cloud: &str, rt: &str, req: Request) -> Result<Value, CldError> {
    let config = app.cloud_config(cloud)?;
    let wanted = wanted(rt)?;
    let chunk = chunked::header(req.headers())?;
    let basic = req.headers().contains_key(axum::http::header::AUTHORIZATION);
    let basic = basic
        .then(|| super::admin_api::check_auth(req.headers(), &config.api_key, &config.api_secret))
        .transpose()?
        .is_some();
    let form = form::read(app, req).await?;
    let params = authenticate(app, &config, &form, basic)?;
    let Form { file, .. } = form;
    let (file, filename) = match &chunk {
        Some(chunk) => {
            let max = match wanted {
                Some(rt) => max_bytes(&config, rt),
                None => max_bytes(&config, Rt::Video).max(max_bytes(&config, Rt::Image)),
            };
            let public_id = params.get("public_id").map(String::as_str);
            match chunked::take(app, cloud, chunk, file, public_id, max).await? {
                Progress::Partial(answer) => return Ok(answer),
                Progress::Complete { file, filename } => (file, filename),
            }
        }
        None => fetch(app, file).await?,
    };
    let body = store(app, &config, wanted, &params, file, filename).await?;
    if let (Some(chunk), Some(id)) = (&chunk, body["public_id"].as_str()) {
        chunked::finished(app, cloud, &chunk.upload_id, id);
    }
    Ok(body)
}

/// Checks the signature (or the unsigned preset; `basic`: the request's HTTP Basic credentials
/// were already found right, and stand for a signature) and gives the upload's parameters: the
/// preset's, overridden by the request's own.
fn authenticate(app: &SharedApp, config: &SandboxCloud, form: &Form, basic: bool) -> Result<Params, CldError> {
    let preset_name = form.get("upload_preset");
    let preset = match preset_name {
        Some(name) => {
            let inner = app.lock();
            let preset = inner
                .clouds
                .get(&config.cloud_name)
                .and_then(|c| c.presets.get(name))
                .cloned()
                .ok_or_else(|| CldError::bad_request("Upload preset not found"))?;
            Some(preset)
        }
        None => None,
    };
    let signed = form.get("signature").is_some() || form.get("api_key").is_some();
    if basic && !signed {
        // Authenticated by HTTP Basic: no signature to check.
    } else if signed {
        verify(app, config, form)?;
    } else {
        match &preset {
            None => {
                return Err(CldError::bad_request(
                    "Upload preset must be specified when using unsigned upload",
                ))
            }
            Some(p) if !p.unsigned => {
                return Err(CldError::bad_request(
                    "Upload preset must be whitelisted for unsigned uploads",
                ))
            }
            Some(_) => {}
        }
    }
    let mut params: Params = preset.map(|p| p.params().into_iter().collect()).unwrap_or_default();
    for (k, v) in &form.params {
        if !v.is_empty() {
            params.insert(k.clone(), v.clone());
        }
    }
    Ok(params)
}

/// Verifies `api_key`, `timestamp` (an hour at most) and `signature`: SHA-1 or SHA-256, told by
/// its length, as far as the cloud takes it ([`super::Accepted`]); a signature the cloud does not
/// take gets the same 401 as a wrong one (the sandbox's choice: Cloudinary documents no other).
pub fn verify(app: &SharedApp, config: &SandboxCloud, form: &Form) -> Result<(), CldError> {
    let key = form.get("api_key").ok_or_else(|| CldError::missing("api_key"))?;
    if key != config.api_key {
        return Err(CldError::unauthorized(format!("Unknown API key {key}")));
    }
    let ts = form.get("timestamp").ok_or_else(|| CldError::missing("timestamp"))?;
    let at: i64 = ts
        .parse()
        .map_err(|_| CldError::bad_request(format!("Invalid timestamp - {ts}")))?;
    if app.now_secs() - at > MAX_AGE_SECS {
        let shown = chrono::DateTime::from_timestamp(at, 0)
            .map(|t| t.format("%Y-%m-%d %H:%M:%S %z").to_string())
            .unwrap_or_else(|| ts.to_string());
        return Err(CldError::bad_request(format!(
            "Stale request - reported time is {shown} which is more than 1 hour ago"
        )));
    }
    let presented = form.get("signature").unwrap_or("");
    let algorithm = signature::Algorithm::of_signature(presented).filter(|a| config.signatures.takes(*a));
    let right = algorithm.is_some_and(|a| {
        let expected = signature::sign(&form.params, &config.api_secret, a);
        signature::same(presented, &expected)
    });
    if !right {
        let text = signature::string_to_sign(&form.params);
        return Err(CldError::unauthorized(format!(
            "Invalid Signature {presented}. String to sign - '{text}'."
        )));
    }
    Ok(())
}

/// The file of a non-chunked upload, on disk.
async fn fetch(app: &SharedApp, file: FileParam) -> Result<(tempfile::NamedTempFile, Option<String>), CldError> {
    match file {
        FileParam::None => Err(CldError::missing("file")),
        FileParam::Disk { file, filename, .. } => Ok((file, filename)),
        FileParam::Text(text) if text.starts_with("data:") => {
            let (meta, data) = text
                .split_once(',')
                .ok_or_else(|| CldError::bad_request("Invalid data URI"))?;
            let bytes = if meta.ends_with(";base64") {
                base64::engine::general_purpose::STANDARD
                    .decode(data.trim())
                    .map_err(|_| CldError::bad_request("Invalid data URI"))?
            } else {
                data.as_bytes().to_vec()
            };
            let file = app.temp_file()?;
            let mut out = async_file(&file)?;
            out.write_all(&bytes).await.map_err(write_error)?;
            out.flush().await.map_err(write_error)?;
            Ok((file, None))
        }
        FileParam::Text(url) if url.starts_with("http://") || url.starts_with("https://") => download(app, &url).await,
        FileParam::Text(other) => Err(CldError::bad_request(format!(
            "Invalid file parameter - {}",
            other.chars().take(60).collect::<String>()
        ))),
    }
}

fn write_error(e: std::io::Error) -> CldError {
    CldError::internal(format!("The sandbox could not write the file: {e}"))
}

/// A temporary file opened for tokio's writes (which run off the async workers).
fn async_file(file: &tempfile::NamedTempFile) -> Result<tokio::fs::File, CldError> {
    Ok(tokio::fs::File::from_std(
        file.as_file().try_clone().map_err(write_error)?,
    ))
}

/// Downloads a remote file (loopback only) to disk.
async fn download(app: &SharedApp, url: &str) -> Result<(tempfile::NamedTempFile, Option<String>), CldError> {
    let not_found = || CldError::bad_request(format!("Resource not found - {url}"));
    if !notify::is_loopback(url) {
        return Err(CldError::bad_request(format!(
            "Resource not found - {url} (the sandbox fetches loopback URLs only)"
        )));
    }
    let mut response = app.http.get(url).send().await.map_err(|_| not_found())?;
    if !response.status().is_success() {
        return Err(not_found());
    }
    let file = app.temp_file()?;
    let mut out = async_file(&file)?;
    while let Some(chunk) = response.chunk().await.map_err(|_| not_found())? {
        out.write_all(&chunk).await.map_err(write_error)?;
    }
    out.flush().await.map_err(write_error)?;
    let name = url::Url::parse(url)
        .ok()
        .and_then(|u| u.path_segments().and_then(|mut s| s.next_back().map(str::to_string)))
        .filter(|n| !n.is_empty());
    Ok((file, name))
}

fn max_bytes(config: &SandboxCloud, rt: Rt) -> u64 {
    match rt {
        Rt::Image => config.plan.image_max_bytes(),
        Rt::Video => config.plan.video_max_bytes(),
        Rt::Raw => config.plan.raw_max_bytes(),
    }
}

fn truthy(params: &Params, key: &str) -> Option<bool> {
    params.get(key).map(|v| matches!(v.as_str(), "true" | "1" | "True"))
}

/// Cloudinary's name of a probed format (`jpeg` -> `jpg`).
fn format_name(info: &MediaInfo) -> Option<String> {
    info.format
        .as_deref()
        .map(|f| if f == "jpeg" { "jpg".into() } else { f.to_string() })
}

/// Reads the file's properties and decides its resource type.
async fn examine(path: &std::path::Path, wanted: Option<Rt>) -> Result<(Rt, Option<MediaInfo>), CldError> {
    if wanted == Some(Rt::Raw) {
        return Ok((Rt::Raw, None));
    }
    let mut file = tokio::fs::File::open(path)
        .await
        .map_err(|e| CldError::internal(format!("The sandbox lost the file: {e}")))?;
    let info = schedulo_media::probe::probe_file(&mut file).await.ok();
    let format = info.as_ref().and_then(format_name);
    let kind = match format.as_deref() {
        Some("jpg" | "png" | "gif" | "webp") if complete_image(path, format.as_deref()).await => Some(Rt::Image),
        Some("mp4" | "mov" | "webm") => Some(Rt::Video),
        _ => None,
    };
    match (wanted, kind) {
        (Some(Rt::Image), Some(Rt::Image)) | (Some(Rt::Video), Some(Rt::Video)) => Ok((kind.unwrap_or(Rt::Raw), info)),
        (Some(Rt::Image), _) => Err(CldError::bad_request("Invalid image file")),
        (Some(Rt::Video), _) => Err(CldError::bad_request("Invalid video file")),
        (_, Some(kind)) => Ok((kind, info)),
        (_, None) => Ok((Rt::Raw, None)),
    }
}

/// Whether an image ends as its format says it must (JPEG `FF D9`, PNG `IEND`, GIF `;`): a
/// truncated upload does not.
async fn complete_image(path: &std::path::Path, format: Option<&str>) -> bool {
    use tokio::io::{AsyncReadExt, AsyncSeekExt};
    let Ok(mut f) = tokio::fs::File::open(path).await else {
        return false;
    };
    let len = f.metadata().await.map(|m| m.len()).unwrap_or(0);
    let tail_len = len.min(16);
    if f.seek(std::io::SeekFrom::Start(len - tail_len)).await.is_err() {
        return false;
    }
    let mut tail = vec![0; tail_len as usize];
    if f.read_exact(&mut tail).await.is_err() {
        return false;
    }
    match format {
        Some("jpg") => tail.windows(2).any(|w| w == [0xFF, 0xD9]),
        Some("png") => tail.windows(4).any(|w| w == b"IEND"),
        Some("gif") => tail.last() == Some(&0x3B),
        _ => true,
    }
}

fn random_id() -> String {
    use rand::Rng;
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..20)
        .map(|_| CHARS[rng.random_range(0..CHARS.len())] as char)
        .collect()
}

/// The public id an upload gets: `public_id` (else random; a raw file keeps its extension),
/// under the legacy `folder` and after `public_id_prefix`.
fn public_id(params: &Params, rt: Rt, filename: Option<&str>) -> String {
    let mut id = match params.get("public_id") {
        Some(id) => id.clone(),
        None => {
            let ext = filename
                .and_then(|f| f.rsplit_once('.'))
                .map(|(_, e)| format!(".{e}"))
                .filter(|_| rt == Rt::Raw)
                .unwrap_or_default();
            format!("{}{ext}", random_id())
        }
    };
    if let Some(prefix) = params.get("public_id_prefix") {
        id = format!("{}/{id}", prefix.trim_end_matches('/'));
    }
    if let Some(folder) = params
        .get("folder")
        .map(|f| f.trim_matches('/'))
        .filter(|f| !f.is_empty())
    {
        id = format!("{folder}/{id}");
    }
    id
}

/// Stores an uploaded file and answers its result.
async fn store(
    app: &SharedApp,
    config: &SandboxCloud,
    wanted: Option<Rt>,
    params: &Params,
    file: tempfile::NamedTempFile,
    filename: Option<String>,
) -> Result<Value, CldError> {
    let cloud = config.cloud_name.as_str();
    let bytes = std::fs::metadata(file.path()).map(|m| m.len()).unwrap_or(0);
    if bytes == 0 {
        return Err(CldError::bad_request("Empty file"));
    }
    let (rt, info) = examine(file.path(), wanted).await?;
    let max = max_bytes(config, rt);
    if bytes > max {
        return Err(CldError::bad_request(format!(
            "File size too large. Got {bytes}. Maximum is {max}."
        )));
    }
    let eager = requested_eager(app, cloud, params, rt)?;
    let eager_async = truthy(params, "eager_async").unwrap_or(false);
    if rt == Rt::Video && !eager.is_empty() && !eager_async && bytes > config.plan.sync_video_max_bytes() {
        return Err(CldError::bad_request(
            "Video is too large to process synchronously, please use an asynchronous call instead",
        ));
    }
    let id = public_id(params, rt, filename.as_deref());
    let key = (rt, id.clone());
    if truthy(params, "overwrite") == Some(false) {
        let inner = app.lock();
        if let Some(existing) = inner.clouds.get(cloud).and_then(|c| c.assets.get(&key)) {
            let mut body = existing.body(&app.url, cloud);
            body["existing"] = json!(true);
            return Ok(body);
        }
    }
    let info = info.unwrap_or_default();
    let n = app.lock().next_number();
    let format = if rt == Rt::Raw { None } else { format_name(&info) };
    let ext = format.clone().unwrap_or_else(|| "bin".into());
    let path = app.dir.path().join(format!("a{n}.{ext}"));
    file.persist(&path)
        .map_err(|e| CldError::internal(format!("The sandbox could not store the file: {e}")))?;
    let now = app.clock.now();
    let asset_folder = params
        .get("asset_folder")
        .or(params.get("folder"))
        .map(|f| f.trim_matches('/').to_string())
        .unwrap_or_default();
    let asset = {
        let mut inner = app.lock();
        let state = inner.cloud_mut(cloud)?;
        let version = state
            .assets
            .get(&key)
            .map_or(now.timestamp(), |old| old.version.max(now.timestamp() - 1) + 1);
        let signature = signature::sign(
            &[
                ("public_id".into(), id.clone()),
                ("version".into(), version.to_string()),
            ],
            &config.api_secret,
            config.notification_algorithm,
        );
        let asset = Asset {
            public_id: id.clone(),
            rt,
            asset_id: format!("{:032x}", u128::from(n) * 0x9e37_79b9_7f4a_7c15),
            version,
            format,
            width: info.width,
            height: info.height,
            bytes,
            duration: info.duration_secs,
            frame_rate: info.frame_rate,
            codec: info.video_codec.clone(),
            created_at: now,
            asset_folder: asset_folder.clone(),
            tags: tags(params),
            context: params.get("context").cloned(),
            backup: truthy(params, "backup").unwrap_or(false),
            original_filename: original_name(filename.as_deref()),
            signature,
            path,
            derived: Vec::new(),
        };
        state.assets.insert(key, asset.clone());
        if !asset_folder.is_empty() {
            state.add_folder(&asset_folder);
        }
        inner.counters.cloud_mut(cloud).uploads += 1;
        asset
    };
    answer(app, cloud, params, &asset, eager, eager_async, n).await
}

/// The upload's answer: the asset, its eager variants (made now, or later with a notification),
/// and the upload notification sent when one was asked for.
async fn answer(
    app: &SharedApp,
    cloud: &str,
    params: &Params,
    asset: &Asset,
    eager: Vec<String>,
    eager_async: bool,
    n: u64,
) -> Result<Value, CldError> {
    let mut body = asset.body(&app.url, cloud);
    body["existing"] = json!(false);
    if !eager.is_empty() {
        let items = if eager_async {
            let batch_id = format!("{:064x}", u128::from(n) * 0x0123_4567_89ab_cdef);
            let url = params
                .get("eager_notification_url")
                .or(params.get("notification_url"))
                .cloned();
            eager::run_later(app, cloud, asset, eager, url, batch_id)
        } else {
            eager::run_now(app, cloud, asset, &eager).await?
        };
        body["eager"] = Value::Array(items);
    }
    if let Some(url) = params.get("notification_url") {
        let mut note = body.clone();
        note["notification_type"] = json!("upload");
        note["timestamp"] = json!(asset.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        notify::spawn(app.clone(), cloud.to_string(), url.clone(), note);
    }
    Ok(body)
}

/// The `eager` transformations asked for (none for a raw file), each checked.
fn requested_eager(app: &SharedApp, cloud: &str, params: &Params, rt: Rt) -> Result<Vec<String>, CldError> {
    if rt == Rt::Raw {
        return Ok(Vec::new());
    }
    let eager: Vec<String> = params
        .get("eager")
        .map(|e| e.split('|').filter(|t| !t.is_empty()).map(str::to_string).collect())
        .unwrap_or_default();
    for t in &eager {
        eager::parse(app, cloud, &eager::split_format(t).0)?;
    }
    Ok(eager)
}

/// `tags`: comma-separated, trimmed, empty ones left out.
fn tags(params: &Params) -> Vec<String> {
    params
        .get("tags")
        .map(|t| {
            t.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// The uploaded file's name without its folders and extension, as Cloudinary keeps it.
fn original_name(filename: Option<&str>) -> Option<String> {
    filename
        .map(|f| f.rsplit(['/', '\\']).next().unwrap_or(f))
        .map(|f| f.rsplit_once('.').map_or(f, |(stem, _)| stem).to_string())
}

/// `POST /v1_1/{cloud}/{rt}/destroy` (signed): `{"result":"ok"}` or `{"result":"not found"}`.
pub async fn destroy(
    State(app): State<SharedApp>,
    Path((cloud, rt)): Path<(String, String)>,
    req: Request,
) -> Response {
    let run = async {
        let config = app.cloud_config(&cloud)?;
        let rt = wanted(&rt)?.unwrap_or(Rt::Image);
        let form = form::read(&app, req).await?;
        verify(&app, &config, &form)?;
        let id = form.get("public_id").ok_or_else(|| CldError::missing("public_id"))?;
        let mut inner = app.lock();
        let removed = inner.cloud_mut(&cloud)?.assets.remove(&(rt, id.to_string()));
        if let Some(asset) = &removed {
            inner.counters.cloud_mut(&cloud).destroyed += 1;
            let files = std::iter::once(asset.path.clone()).chain(asset.derived.iter().filter_map(|d| d.path.clone()));
            for file in files {
                let _ = std::fs::remove_file(file);
            }
        }
        Ok::<_, CldError>(json!({ "result": if removed.is_some() { "ok" } else { "not found" } }))
    };
    match run.await {
        Ok(body) => Json(body).into_response(),
        Err(e) => e.into_response(),
    }
}
