//! The Admin API (`/v1_1/{cloud}/...`, HTTP Basic `api_key:api_secret`): upload presets, folders,
//! named transformations, usage, one resource. Every call is counted against the cloud's hourly
//! limit and answered with `X-FeatureRateLimit-Limit`, `-Remaining` and `-Reset`; over the limit,
//! 420 `Rate Limit Exceeded`.

use super::app::{App, SharedApp};
use super::errors::CldError;
use super::store::{CloudState, Preset, Rt, Window};
use super::transform;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{json, Map, Value};
use std::time::Duration;
use tokio::time::Instant;

const HOUR: Duration = Duration::from_secs(3600);

type Answer = Result<(StatusCode, Value), CldError>;

/// Checks the credentials and the hourly limit, runs `f` on the cloud under the lock, and adds
/// the rate-limit headers.
fn admin(app: &App, cloud: &str, headers: &HeaderMap, f: impl FnOnce(&mut CloudState, &App) -> Answer) -> Response {
    let config = match app.cloud_config(cloud) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    if let Err(e) = check_auth(headers, &config.api_key, &config.api_secret) {
        return e.into_response();
    }
    let limit = app.limits.admin_per_hour(config.plan);
    let now = Instant::now();
    let mut inner = app.lock();
    let (answer, window) = {
        let Ok(state) = inner.cloud_mut(cloud) else {
            return CldError::unauthorized(format!("Invalid cloud_name {cloud}")).into_response();
        };
        let mut window = match state.window {
            Some(w) if now < w.started + HOUR => w,
            _ => Window { started: now, used: 0 },
        };
        let answer = if window.used >= limit {
            Err(CldError::rate_limited())
        } else {
            window.used += 1;
            state.window = Some(window);
            f(state, app)
        };
        (answer, window)
    };
    let counters = inner.counters.cloud_mut(cloud);
    counters.admin_calls += 1;
    if matches!(&answer, Err(e) if e.status.as_u16() == 420) {
        counters.rate_limited += 1;
    }
    drop(inner);
    let mut response = match answer {
        Ok((status, body)) => (status, axum::Json(body)).into_response(),
        Err(e) => e.into_response(),
    };
    let reset_in = (window.started + HOUR).saturating_duration_since(now);
    let reset = app.clock.now() + chrono::Duration::from_std(reset_in).unwrap_or_default();
    let h = response.headers_mut();
    for (name, value) in [
        ("x-featureratelimit-limit", limit.to_string()),
        (
            "x-featureratelimit-remaining",
            limit.saturating_sub(window.used).to_string(),
        ),
        (
            "x-featureratelimit-reset",
            reset.format("%a, %d %b %Y %H:%M:%S GMT").to_string(),
        ),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            h.insert(name, v);
        }
    }
    response
}

/// HTTP Basic `api_key:api_secret`, as the Admin API (and, instead of a signature, the Upload
/// API) takes it.
pub(super) fn check_auth(headers: &HeaderMap, key: &str, secret: &secrecy::SecretString) -> Result<(), CldError> {
    use secrecy::ExposeSecret;
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic ").or_else(|| v.strip_prefix("basic ")))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b.trim()).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| CldError::unauthorized("Must supply api_key"))?;
    let (k, s) = given.split_once(':').unwrap_or((given.as_str(), ""));
    if k != key {
        return Err(CldError::unauthorized(format!("Invalid api_key {k}")));
    }
    if !super::signature::same(s, secret.expose_secret()) {
        return Err(CldError::unauthorized("api_secret mismatch"));
    }
    Ok(())
}

/// A body's parameters (JSON or urlencoded) with the query string's.
fn params(headers: &HeaderMap, body: &[u8], query: Option<&str>) -> Result<Map<String, Value>, CldError> {
    let mut map = Map::new();
    if let Some(q) = query {
        for (k, v) in form_urlencoded::parse(q.as_bytes()) {
            map.insert(k.trim_end_matches("[]").to_string(), Value::from(v.into_owned()));
        }
    }
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(map);
    }
    if json {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(m)) => map.extend(m),
            _ => return Err(CldError::bad_request("The JSON body must be an object")),
        }
    } else {
        for (k, v) in form_urlencoded::parse(body) {
            map.insert(k.trim_end_matches("[]").to_string(), Value::from(v.into_owned()));
        }
    }
    Ok(map)
}

fn text(map: &Map<String, Value>, key: &str) -> Option<String> {
    map.get(key).map(super::form::value_text).filter(|s| !s.is_empty())
}

fn truthy(map: &Map<String, Value>, key: &str) -> Option<bool> {
    text(map, key).map(|v| matches!(v.as_str(), "true" | "1" | "True"))
}

fn ok(body: Value) -> Answer {
    Ok((StatusCode::OK, body))
}

/// Parameters that are the request's, not the preset's.
const NOT_SETTINGS: [&str; 6] = ["name", "unsigned", "timestamp", "signature", "api_key", "upload_preset"];

fn settings(map: &Map<String, Value>) -> Map<String, Value> {
    map.iter()
        .filter(|(k, v)| !NOT_SETTINGS.contains(&k.as_str()) && !v.is_null())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// `POST /upload_presets` -> `{"message":"created","name"}`; 409 when the name is taken.
pub async fn create_preset(
    State(app): State<SharedApp>,
    Path(cloud): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let map = params(&headers, &body, q.as_deref());
    admin(&app, &cloud, &headers, |state, _| {
        let map = map?;
        let name = text(&map, "name").unwrap_or_else(|| format!("preset_{}", state.presets.len() + 1));
        if state.presets.contains_key(&name) {
            return Err(CldError::conflict(format!("Upload preset {name} already exists")));
        }
        let preset = Preset {
            unsigned: truthy(&map, "unsigned").unwrap_or(false),
            settings: settings(&map),
        };
        state.presets.insert(name.clone(), preset);
        ok(json!({ "message": "created", "name": name }))
    })
}

pub async fn list_presets(State(app): State<SharedApp>, Path(cloud): Path<String>, headers: HeaderMap) -> Response {
    admin(&app, &cloud, &headers, |state, app| {
        let parsed = app.limits.parsed_preset_settings;
        let presets: Vec<Value> = state.presets.iter().map(|(n, p)| p.body(n, parsed)).collect();
        ok(json!({ "presets": presets, "next_cursor": null }))
    })
}

fn no_preset(name: &str) -> CldError {
    CldError::not_found(format!("Can't find upload preset named {name}"))
}

pub async fn get_preset(
    State(app): State<SharedApp>,
    Path((cloud, name)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    admin(&app, &cloud, &headers, |state, app| {
        let p = state.presets.get(&name).ok_or_else(|| no_preset(&name))?;
        ok(p.body(&name, app.limits.parsed_preset_settings))
    })
}

pub async fn update_preset(
    State(app): State<SharedApp>,
    Path((cloud, name)): Path<(String, String)>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let map = params(&headers, &body, q.as_deref());
    admin(&app, &cloud, &headers, |state, _| {
        let map = map?;
        let p = state.presets.get_mut(&name).ok_or_else(|| no_preset(&name))?;
        if let Some(u) = truthy(&map, "unsigned") {
            p.unsigned = u;
        }
        p.settings.extend(settings(&map));
        ok(json!({ "message": "updated" }))
    })
}

pub async fn delete_preset(
    State(app): State<SharedApp>,
    Path((cloud, name)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    admin(&app, &cloud, &headers, |state, _| {
        state.presets.remove(&name).ok_or_else(|| no_preset(&name))?;
        ok(json!({ "message": "deleted" }))
    })
}

fn folder_body(path: &str) -> Value {
    let name = path.rsplit('/').next().unwrap_or(path);
    json!({ "name": name, "path": path, "external_id": format!("{:x}", crc(path)) })
}

/// A stable made-up id for a folder.
fn crc(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

pub async fn create_folder(
    State(app): State<SharedApp>,
    Path((cloud, path)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    admin(&app, &cloud, &headers, |state, _| {
        let path = path.trim_matches('/').to_string();
        if path.is_empty() {
            return Err(CldError::missing("path"));
        }
        state.add_folder(&path);
        let mut body = folder_body(&path);
        body["success"] = json!(true);
        ok(body)
    })
}

fn folder_list(state: &CloudState, parent: Option<&str>) -> Value {
    let folders: Vec<Value> = state
        .folders
        .iter()
        .filter(|f| match parent {
            None => !f.contains('/'),
            Some(p) => f
                .strip_prefix(p)
                .and_then(|r| r.strip_prefix('/'))
                .is_some_and(|r| !r.contains('/')),
        })
        .map(|f| folder_body(f))
        .collect();
    json!({ "total_count": folders.len(), "folders": folders, "next_cursor": null })
}

pub async fn root_folders(State(app): State<SharedApp>, Path(cloud): Path<String>, headers: HeaderMap) -> Response {
    admin(&app, &cloud, &headers, |state, _| ok(folder_list(state, None)))
}

pub async fn sub_folders(
    State(app): State<SharedApp>,
    Path((cloud, path)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    admin(&app, &cloud, &headers, |state, _| {
        let path = path.trim_matches('/');
        if !state.folders.contains(path) {
            return Err(CldError::not_found(format!("Can't find folder with path {path}")));
        }
        ok(folder_list(state, Some(path)))
    })
}

fn add_named(state: &mut CloudState, name: &str, t: Option<String>) -> Answer {
    let name = name.strip_prefix("t_").unwrap_or(name).to_string();
    let t = t.ok_or_else(|| CldError::missing("transformation"))?;
    if name.is_empty() || name.contains(['/', ',']) {
        return Err(CldError::bad_request(format!("Invalid transformation name {name}")));
    }
    let named = state.named.clone();
    transform::parse(&t, &|n| named.get(n).cloned()).map_err(|e| CldError::bad_request(e.to_string()))?;
    if state.named.contains_key(&name) {
        return Err(CldError::conflict(format!("Transformation t_{name} already exists")));
    }
    state.named.insert(name, t);
    ok(json!({ "message": "created" }))
}

/// `POST /transformations/{name}` with `transformation` (JSON, form or query).
pub async fn create_named_transformation(
    State(app): State<SharedApp>,
    Path((cloud, name)): Path<(String, String)>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let map = params(&headers, &body, q.as_deref());
    admin(&app, &cloud, &headers, |state, _| {
        let map = map?;
        add_named(state, &name, text(&map, "transformation"))
    })
}

/// `POST /transformations` with `name` and `transformation` (how the SDKs create one).
pub async fn create_transformation(
    State(app): State<SharedApp>,
    Path(cloud): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let map = params(&headers, &body, q.as_deref());
    admin(&app, &cloud, &headers, |state, _| {
        let map = map?;
        let name = text(&map, "name").ok_or_else(|| CldError::missing("name"))?;
        add_named(state, &name, text(&map, "transformation"))
    })
}

/// The details of a named transformation (`name`, `t_name`) or of a transformation string.
fn transformation_details(state: &CloudState, wanted: &str) -> Answer {
    let bare = wanted.strip_prefix("t_").unwrap_or(wanted);
    let named = state.named.clone();
    let (name, string, is_named) = match state.named.get(bare) {
        Some(t) => (format!("t_{bare}"), t.clone(), true),
        None => (wanted.to_string(), wanted.to_string(), false),
    };
    let chain = transform::parse(&string, &|n| named.get(n).cloned())
        .map_err(|_| CldError::not_found(format!("Transformation {wanted} not found")))?;
    let used_as = [name.as_str(), string.as_str()];
    let derived: Vec<Value> = state
        .assets
        .values()
        .flat_map(|a| a.derived.iter().map(move |d| (a, d)))
        .filter(|(_, d)| used_as.contains(&d.transformation.as_str()))
        .map(|(a, d)| json!({ "public_id": a.public_id, "resource_type": a.rt.as_str(), "type": "upload", "format": d.format, "bytes": d.bytes, "id": d.id }))
        .collect();
    let info: Vec<Value> = chain.steps.iter().map(|s| Value::Object(s.info.clone())).collect();
    ok(json!({
        "name": name,
        "allowed_for_strict": is_named && state.strict.contains(bare),
        "used": !derived.is_empty(),
        "named": is_named,
        "info": info,
        "derived": derived,
    }))
}

pub async fn get_transformation(
    State(app): State<SharedApp>,
    Path((cloud, name)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    admin(&app, &cloud, &headers, |state, _| transformation_details(state, &name))
}

/// `GET /transformations?transformation=...` (how pycloudinary asks for one).
pub async fn get_transformation_by_query(
    State(app): State<SharedApp>,
    Path(cloud): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let map = params(&HeaderMap::new(), b"", q.as_deref());
    admin(&app, &cloud, &headers, |state, _| {
        let map = map?;
        match text(&map, "transformation") {
            Some(t) => transformation_details(state, &t),
            None => {
                let list: Vec<Value> = state
                    .named
                    .keys()
                    .map(|n| json!({ "name": format!("t_{n}"), "allowed_for_strict": state.strict.contains(n), "used": false, "named": true }))
                    .collect();
                ok(json!({ "transformations": list, "next_cursor": null }))
            }
        }
    })
}

fn no_transformation(name: &str) -> CldError {
    CldError::not_found(format!("Transformation {name} not found"))
}

/// The named transformation a request means (`name` or `t_name`), if it exists.
fn known_named(state: &CloudState, wanted: Option<String>) -> Result<String, CldError> {
    let wanted = wanted.ok_or_else(|| CldError::missing("transformation"))?;
    let bare = wanted.strip_prefix("t_").unwrap_or(&wanted).to_string();
    if state.named.contains_key(&bare) {
        Ok(bare)
    } else {
        Err(no_transformation(&wanted))
    }
}

/// Updates a named transformation: `unsafe_update` replaces its string, `allowed_for_strict`
/// sets that flag -> `{"message":"updated"}`; 404 when unknown.
fn update_named(state: &mut CloudState, wanted: Option<String>, map: &Map<String, Value>) -> Answer {
    let name = known_named(state, wanted)?;
    if let Some(t) = text(map, "unsafe_update") {
        let named = state.named.clone();
        transform::parse(&t, &|n| named.get(n).cloned().filter(|_| n != name))
            .map_err(|e| CldError::bad_request(e.to_string()))?;
        state.named.insert(name.clone(), t);
    }
    match truthy(map, "allowed_for_strict") {
        Some(true) => {
            state.strict.insert(name);
        }
        Some(false) => {
            state.strict.remove(&name);
        }
        None => {}
    }
    ok(json!({ "message": "updated" }))
}

fn delete_named(state: &mut CloudState, wanted: Option<String>) -> Answer {
    let name = known_named(state, wanted)?;
    state.named.remove(&name);
    state.strict.remove(&name);
    ok(json!({ "message": "deleted" }))
}

/// `PUT /transformations/{name}` with `unsafe_update` and/or `allowed_for_strict` (form or JSON).
pub async fn update_named_transformation(
    State(app): State<SharedApp>,
    Path((cloud, name)): Path<(String, String)>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let map = params(&headers, &body, q.as_deref());
    admin(&app, &cloud, &headers, |state, _| {
        update_named(state, Some(name), &map?)
    })
}

/// `PUT /transformations` with `transformation=<name>` (how the SDKs update one).
pub async fn update_transformation_by_query(
    State(app): State<SharedApp>,
    Path(cloud): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let map = params(&headers, &body, q.as_deref());
    admin(&app, &cloud, &headers, |state, _| {
        let map = map?;
        update_named(state, text(&map, "transformation"), &map)
    })
}

/// `DELETE /transformations/{name}` -> `{"message":"deleted"}`; 404 when unknown.
pub async fn delete_named_transformation(
    State(app): State<SharedApp>,
    Path((cloud, name)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    admin(&app, &cloud, &headers, |state, _| delete_named(state, Some(name)))
}

/// `DELETE /transformations?transformation=<name>` (how the SDKs delete one).
pub async fn delete_transformation_by_query(
    State(app): State<SharedApp>,
    Path(cloud): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let map = params(&headers, &body, q.as_deref());
    admin(&app, &cloud, &headers, |state, _| {
        let map = map?;
        delete_named(state, text(&map, "transformation"))
    })
}

fn usage_item(usage: f64, limit: f64) -> Value {
    let used_percent = if limit > 0.0 {
        (usage / limit * 10_000.0).round() / 100.0
    } else {
        0.0
    };
    json!({ "usage": usage, "limit": limit, "used_percent": used_percent })
}

/// `GET /usage`: the plan, what this sandbox stored, served and derived, and the media limits.
pub async fn usage(State(app): State<SharedApp>, Path(cloud): Path<String>, headers: HeaderMap) -> Response {
    let counters = app.lock().counters.cloud(&cloud);
    admin(&app, &cloud, &headers, |state, app| {
        let plan = state.config.plan;
        let gb = 1_000_000_000.0;
        let storage = state.stored_bytes() as f64;
        let bandwidth = counters.bandwidth as f64;
        let transformations = counters.transformations as f64;
        let credits_used = storage / gb + bandwidth / gb + transformations / 1000.0;
        let credits = plan.credits();
        let objects = state.assets.len() as f64;
        let derived = state.assets.values().map(|a| a.derived.len()).sum::<usize>();
        ok(json!({
            "plan": plan.as_str(),
            "last_updated": app.clock.now().format("%Y-%m-%d").to_string(),
            "date_requested": app.clock.now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "transformations": usage_item(transformations, credits * 1000.0),
            "objects": usage_item(objects, 0.0),
            "bandwidth": usage_item(bandwidth, credits * gb),
            "storage": usage_item(storage, credits * gb),
            "credits": usage_item((credits_used * 100.0).round() / 100.0, credits),
            "requests": counters.admin_calls,
            "resources": state.assets.len(),
            "derived_resources": derived,
            "media_limits": {
                "image_max_size_bytes": plan.image_max_bytes(),
                "video_max_size_bytes": plan.video_max_bytes(),
                "raw_max_size_bytes": plan.raw_max_bytes(),
                "image_max_px": 25_000_000,
                "asset_max_total_px": 50_000_000,
            },
            "rate_limit_allowed": app.limits.admin_per_hour(plan),
        }))
    })
}

/// `GET /resources/{rt}/upload/{public_id}`: the asset and its derived files.
pub async fn resource(
    State(app): State<SharedApp>,
    Path((cloud, rt, kind, public_id)): Path<(String, String, String, String)>,
    headers: HeaderMap,
) -> Response {
    admin(&app, &cloud, &headers, |state, app| {
        let not_found = || CldError::not_found(format!("Resource not found - {public_id}"));
        let rt = Rt::parse(&rt).ok_or_else(not_found)?;
        if kind != "upload" {
            return Err(not_found());
        }
        let asset = state.assets.get(&(rt, public_id.clone())).ok_or_else(not_found)?;
        let mut body = asset.body(&app.url, &cloud);
        let derived: Vec<Value> = asset
            .derived
            .iter()
            .map(|d| {
                let url = asset.url(&app.url, &cloud, Some(&d.transformation), Some(&d.format));
                json!({ "transformation": d.transformation, "format": d.format, "bytes": d.bytes, "id": d.id, "url": url, "secure_url": url })
            })
            .collect();
        body["derived"] = Value::Array(derived);
        ok(body)
    })
}
