//! The worker's signer and variants against the sandbox Cloudinary over HTTP: a real server on
//! 127.0.0.1:0, a cloud `demo` (key `1234`, secret `abcd`), requests signed by [`signer`].

mod eager;

use super::signer::{self, Algorithm};
use schedulo_sandbox::cloudinary::{
    CloudinarySandbox, CloudinarySandboxLimits, CloudinarySandboxOptions, Plan, SandboxCloud,
};
use secrecy::SecretString;
use serde_json::Value;
use std::time::Duration;

pub const CLOUD: &str = "demo";
pub const KEY: &str = "1234";
pub const SECRET: &str = "abcd";

pub async fn start_with(plan: Plan, limits: CloudinarySandboxLimits) -> CloudinarySandbox {
    let mut cloud = SandboxCloud::new(CLOUD, KEY, SECRET);
    cloud.plan = plan;
    CloudinarySandbox::start(CloudinarySandboxOptions {
        data_dir: None,
        listen: "127.0.0.1:0".parse().unwrap(),
        clouds: vec![cloud],
        limits,
        notify_timeout: Duration::from_secs(10),
    })
    .await
    .unwrap()
}

pub async fn start() -> CloudinarySandbox {
    start_with(Plan::Free, CloudinarySandboxLimits::default()).await
}

pub fn secret() -> SecretString {
    SecretString::from(SECRET.to_string())
}

/// `params` with `timestamp`, `signature` and `api_key` added, as the SDKs send them.
pub fn signed(sb: &CloudinarySandbox, params: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    all.push(("timestamp".into(), sb.now().timestamp().to_string()));
    let signature = signer::sign(&all, &secret(), Algorithm::Sha1);
    all.push(("signature".into(), signature));
    all.push(("api_key".into(), KEY.into()));
    all
}

/// A multipart upload of `bytes` with `fields`.
pub async fn upload(
    sb: &CloudinarySandbox,
    rt: &str,
    bytes: Vec<u8>,
    name: &str,
    fields: Vec<(String, String)>,
) -> (u16, Value) {
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in fields {
        form = form.text(k, v);
    }
    form = form.part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
    );
    let r = reqwest::Client::new()
        .post(format!("{}/v1_1/{CLOUD}/{rt}/upload", sb.url()))
        .multipart(form)
        .send()
        .await
        .unwrap();
    answer(r).await
}

pub async fn answer(r: reqwest::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// A sample file's bytes ([`schedulo_sandbox::files`]).
pub fn sample(name: &str) -> Vec<u8> {
    schedulo_sandbox::files::file(name).unwrap().0
}

pub fn message(v: &Value) -> &str {
    v["error"]["message"].as_str().unwrap_or("")
}
