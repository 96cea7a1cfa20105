//! The client against a stand-in Cloudinary on 127.0.0.1:0 that records every request and answers
//! as Cloudinary documents (bodies from `fixtures/cloudinary/`).

mod admin;
mod errors;
mod setup;
mod upload;

use super::options::{CloudinaryOptions, RetryPolicy};
use super::CloudinaryClient;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use secrecy::SecretString;
use serde_json::{json, Value};
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const CLOUD: &str = "demo";
pub const KEY: &str = "123456789012345";
pub const SECRET: &str = "s3cr3t-abcdefghijklmnopqrst";

pub fn fixture(name: &str) -> String {
    let path = format!("{}/../../fixtures/cloudinary/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// One request as the stub saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: Method,
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).map(|v| v.to_str().unwrap().to_string())
    }

    /// The fields of a form or multipart body, in order.
    pub fn fields(&self) -> Vec<(String, Vec<u8>)> {
        let ct = self.header("content-type").unwrap_or_default();
        if let Some(boundary) = ct.split("boundary=").nth(1) {
            multipart_fields(boundary, &self.body)
        } else {
            form_urlencoded::parse(&self.body)
                .map(|(k, v)| (k.into_owned(), v.into_owned().into_bytes()))
                .collect()
        }
    }

    /// The text fields (everything but `file` of a multipart body).
    pub fn text_fields(&self) -> Vec<(String, String)> {
        self.fields()
            .into_iter()
            .filter(|(k, v)| k != "file" || std::str::from_utf8(v).is_ok())
            .map(|(k, v)| (k, String::from_utf8(v).unwrap()))
            .collect()
    }

    pub fn field(&self, name: &str) -> Option<Vec<u8>> {
        self.fields().into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    pub fn text(&self, name: &str) -> Option<String> {
        self.field(name).map(|v| String::from_utf8(v).unwrap())
    }
}

fn multipart_fields(boundary: &str, body: &[u8]) -> Vec<(String, Vec<u8>)> {
    let delimiter = format!("--{boundary}");
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(at) = find(rest, delimiter.as_bytes()) {
        rest = &rest[at + delimiter.len()..];
        if rest.starts_with(b"--") {
            break;
        }
        let Some(head_end) = find(rest, b"\r\n\r\n") else { break };
        let head = String::from_utf8_lossy(&rest[..head_end]).to_string();
        let name = head
            .split("name=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or("")
            .to_string();
        let content = &rest[head_end + 4..];
        let end = find(content, format!("\r\n{delimiter}").as_bytes()).unwrap_or(content.len());
        out.push((name, content[..end].to_vec()));
        rest = &content[end + 2..];
    }
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A scripted answer, served before the stub's own logic.
pub struct Scripted {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
    /// How long the stand-in waits before answering (timeout tests, on a paused clock).
    pub delay: Duration,
}

/// A hook the stand-in calls with each request.
pub type OnRequest = Box<dyn FnMut(&Seen) + Send>;

/// What the stand-in holds.
#[derive(Default)]
pub struct State {
    pub seen: Vec<Seen>,
    pub scripted: VecDeque<Scripted>,
    /// Scripted answers to the last chunk of a chunked upload only (served before `scripted`).
    pub last_chunk_scripted: VecDeque<Scripted>,
    /// Called with each request as it arrives (a test changes the world mid-upload).
    pub on_request: Option<OnRequest>,
    pub folders: Vec<String>,
    pub presets: BTreeMap<String, Value>,
    pub transformations: BTreeMap<String, String>,
    /// Admin calls left this hour (sent as X-FeatureRateLimit-Remaining).
    pub remaining: u64,
}

#[derive(Clone)]
pub struct Stub {
    pub url: String,
    pub state: Arc<Mutex<State>>,
}

impl Stub {
    pub async fn start() -> Stub {
        let state = Arc::new(Mutex::new(State {
            remaining: 500,
            ..State::default()
        }));
        let shared = state.clone();
        let app = axum::Router::new()
            .fallback(move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let state = shared.clone();
                async move {
                    let (response, delay) = answer(&state, method, uri, headers, body);
                    tokio::time::sleep(delay).await;
                    response
                }
            })
            .layer(axum::extract::DefaultBodyLimit::max(64 * 1024 * 1024));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Stub { url, state }
    }

    pub fn script(&self, status: u16, headers: Vec<(&'static str, String)>, body: &str) {
        self.script_after(Duration::ZERO, status, headers, body);
    }

    pub fn script_after(&self, delay: Duration, status: u16, headers: Vec<(&'static str, String)>, body: &str) {
        self.state.lock().unwrap().scripted.push_back(Scripted {
            status,
            headers,
            body: body.to_string(),
            delay,
        });
    }

    /// An answer to the next last chunk of a chunked upload.
    pub fn script_last_chunk(&self, delay: Duration, status: u16, body: &str) {
        self.state.lock().unwrap().last_chunk_scripted.push_back(Scripted {
            status,
            headers: vec![],
            body: body.to_string(),
            delay,
        });
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }

    pub fn clear(&self) {
        self.state.lock().unwrap().seen.clear();
    }

    pub fn options(&self) -> CloudinaryOptions {
        let mut o = CloudinaryOptions::new(CLOUD, KEY, SecretString::from(SECRET));
        o.api_url = self.url.parse().unwrap();
        o.delivery_url = self.url.parse().unwrap();
        o.timeout = Duration::from_secs(30);
        o.retry = RetryPolicy {
            attempts: 3,
            min_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            max_rate_limit_wait: Duration::from_secs(10),
        };
        o
    }

    pub fn client(&self) -> CloudinaryClient {
        CloudinaryClient::new(self.options()).unwrap()
    }
}

fn basic_ok(headers: &HeaderMap) -> bool {
    use base64::Engine;
    let want = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{KEY}:{SECRET}"))
    );
    headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(want.as_str())
}

fn json_answer(status: u16, body: Value, remaining: Option<u64>) -> Response {
    let mut r = (StatusCode::from_u16(status).unwrap(), axum::Json(body)).into_response();
    if let Some(left) = remaining {
        let h = r.headers_mut();
        h.insert("X-FeatureRateLimit-Limit", "500".parse().unwrap());
        h.insert("X-FeatureRateLimit-Remaining", left.to_string().parse().unwrap());
        h.insert(
            "X-FeatureRateLimit-Reset",
            "Wed, 04 Apr 2040 14:00:00 GMT".parse().unwrap(),
        );
    }
    r
}

fn error(status: u16, message: &str, remaining: Option<u64>) -> Response {
    json_answer(status, json!({"error": {"message": message}}), remaining)
}

fn answer(state: &Mutex<State>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> (Response, Duration) {
    let mut st = state.lock().unwrap();
    let seen = Seen {
        method: method.clone(),
        path: uri.path().to_string(),
        headers: headers.clone(),
        body,
    };
    st.seen.push(seen.clone());
    if let Some(hook) = st.on_request.as_mut() {
        hook(&seen);
    }
    let last_chunk = seen.header("content-range").is_some_and(|r| chunk_end(&r).0);
    let scripted = match last_chunk {
        true => st.last_chunk_scripted.pop_front().or_else(|| st.scripted.pop_front()),
        false => st.scripted.pop_front(),
    };
    if let Some(s) = scripted {
        // `{signature}` in a scripted body: the signature received (Cloudinary's "Invalid Signature" quotes it).
        let sig = seen.text("signature").unwrap_or_default();
        let body = s.body.replace("{signature}", &sig);
        let mut r = (StatusCode::from_u16(s.status).unwrap(), body).into_response();
        for (k, v) in s.headers {
            r.headers_mut().insert(k, v.parse().unwrap());
        }
        return (r, s.delay);
    }
    let prefix = format!("/v1_1/{CLOUD}/");
    let Some(rest) = seen.path.strip_prefix(&prefix) else {
        return (error(404, "no such cloud", None), Duration::ZERO);
    };
    let parts: Vec<String> = rest.split('/').map(percent_decode).collect();
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    let response = match (&method, parts.as_slice()) {
        (&Method::POST, [_rt, "upload"]) => upload_answer(&seen),
        (&Method::POST, [_rt, "destroy"]) => json_answer(200, json!({"result": "not found"}), None),
        _ => {
            if !basic_ok(&headers) {
                return (error(401, "Invalid credentials", None), Duration::ZERO);
            }
            st.remaining = st.remaining.saturating_sub(1);
            let left = Some(st.remaining);
            admin_answer(&mut st, &method, &parts, &seen, left)
        }
    };
    (response, Duration::ZERO)
}

fn percent_decode(s: &str) -> String {
    form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// Whether a `Content-Range: bytes a-b/total` is the last chunk's, and its end.
fn chunk_end(range: &str) -> (bool, u64) {
    let (span, total) = range.trim_start_matches("bytes ").split_once('/').unwrap();
    let end: u64 = span.split_once('-').unwrap().1.parse().unwrap();
    (end + 1 >= total.parse::<u64>().unwrap(), end)
}

fn upload_answer(seen: &Seen) -> Response {
    if let Some(range) = seen.header("content-range") {
        if !chunk_end(&range).0 {
            return json_answer(200, json!({"done": false}), None);
        }
    }
    let public_id = seen.text("public_id").unwrap_or_else(|| "abc123".into());
    let mut body: Value = serde_json::from_str(&fixture("upload_image_eager.json")).unwrap();
    body["public_id"] = json!(public_id);
    json_answer(200, body, None)
}

fn admin_answer(st: &mut State, method: &Method, parts: &[&str], seen: &Seen, left: Option<u64>) -> Response {
    match (method, parts) {
        (&Method::GET, ["folders"]) => {
            let folders: Vec<Value> = st.folders.iter().map(|f| json!({"name": f, "path": f})).collect();
            json_answer(
                200,
                json!({"folders": folders, "next_cursor": null, "total_count": folders.len()}),
                left,
            )
        }
        (&Method::POST, ["folders", path @ ..]) => {
            let path = path.join("/");
            if !st.folders.contains(&path) {
                st.folders.push(path.clone());
            }
            json_answer(200, json!({"success": true, "path": path, "name": path}), left)
        }
        (&Method::GET, ["upload_presets", name]) => match st.presets.get(*name) {
            Some(p) => json_answer(200, p.clone(), left),
            None => error(404, &format!("Can't find upload preset named {name}"), left),
        },
        (&Method::POST, ["upload_presets"]) => {
            let fields: BTreeMap<String, String> = seen.text_fields().into_iter().collect();
            let name = fields["name"].clone();
            if st.presets.contains_key(&name) {
                return error(409, &format!("Upload preset '{name}' already exists"), left);
            }
            st.presets.insert(name.clone(), preset_body(&name, &fields));
            json_answer(200, json!({"message": "created", "name": name}), left)
        }
        (&Method::PUT, ["upload_presets", name]) => {
            let fields: BTreeMap<String, String> = seen.text_fields().into_iter().collect();
            st.presets.insert(name.to_string(), preset_body(name, &fields));
            json_answer(200, json!({"message": "updated"}), left)
        }
        (&Method::GET, ["transformations", name]) => match st.transformations.get(*name) {
            Some(t) => json_answer(
                200,
                json!({"name": format!("t_{name}"), "named": true, "used": false, "info": parsed_steps(t)}),
                left,
            ),
            None => error(404, &format!("Transformation {name} not found"), left),
        },
        (&Method::POST, ["transformations", name]) => {
            if st.transformations.contains_key(*name) {
                return error(409, "Transformation name already exists", left);
            }
            let body: Value = serde_json::from_slice(&seen.body).unwrap();
            st.transformations
                .insert(name.to_string(), body["transformation"].as_str().unwrap().to_string());
            json_answer(200, json!({"message": "created"}), left)
        }
        (&Method::PUT, ["transformations", name]) => {
            let body: Value = serde_json::from_slice(&seen.body).unwrap();
            st.transformations
                .insert(name.to_string(), body["unsafe_update"].as_str().unwrap().to_string());
            json_answer(200, json!({"message": "updated"}), left)
        }
        (&Method::GET, ["usage"]) => {
            json_answer(200, serde_json::from_str(&fixture("usage_partial.json")).unwrap(), left)
        }
        _ => error(404, "no such route", left),
    }
}

/// A preset as `GET /upload_presets/{name}` shows it (api-schemas' `upload_preset_detail`): tags
/// as an array, eager as an array of transformations, each an array of step objects.
fn preset_body(name: &str, fields: &BTreeMap<String, String>) -> Value {
    let mut settings = serde_json::Map::new();
    for (k, v) in fields {
        let value = match k.as_str() {
            "name" | "unsigned" => continue,
            "tags" => json!(v.split(',').collect::<Vec<_>>()),
            "eager" => json!(v.split('|').map(parsed_steps).collect::<Vec<_>>()),
            _ if v == "true" || v == "false" => json!(v == "true"),
            _ => json!(v),
        };
        settings.insert(k.clone(), value);
    }
    json!({"name": name, "unsigned": fields.get("unsigned").map(String::as_str) == Some("true"), "settings": settings})
}

/// `w_1080,c_fill` → `[{"width":1080,"crop":"fill"}]`, as the Admin API shows a transformation.
fn parsed_steps(t: &str) -> Value {
    let steps: Vec<Value> = t
        .split('/')
        .map(|step| {
            let mut o = serde_json::Map::new();
            for p in step.split(',') {
                let (k, v) = p.split_once('_').unwrap();
                let long = super::transformation_text::ABBREVIATIONS
                    .iter()
                    .find(|(_, short)| *short == k)
                    .map(|(l, _)| *l)
                    .unwrap();
                let value = match (long, v.parse::<u64>()) {
                    ("video_codec", _) => json!({"codec": v}),
                    (_, Ok(n)) => json!(n),
                    _ => json!(v),
                };
                o.insert(long.to_string(), value);
            }
            Value::Object(o)
        })
        .collect();
    Value::Array(steps)
}
