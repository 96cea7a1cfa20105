//! The sandbox Cloudinary authenticates uploads by Cloudinary's documented rules
//! ([`super::limits`]): SHA-1 and SHA-256 signatures, a SHA-256-only cloud, HTTP Basic. Plain
//! HTTP against a running sandbox, signed with the sandbox's own [`super::signature`].

use super::signature::{self, Algorithm};
use super::{Accepted, CloudinarySandbox, CloudinarySandboxLimits, CloudinarySandboxOptions, SandboxCloud};
use base64::Engine;
use secrecy::SecretString;
use serde_json::Value;
use std::time::Duration;

const CLOUD: &str = "limits";
const KEY: &str = "5678";
const SECRET: &str = "limits-secret";

async fn start(signatures: Accepted) -> CloudinarySandbox {
    let mut cloud = SandboxCloud::new(CLOUD, KEY, SECRET);
    cloud.signatures = signatures;
    CloudinarySandbox::start(CloudinarySandboxOptions {
        data_dir: None,
        listen: "127.0.0.1:0".parse().unwrap(),
        clouds: vec![cloud],
        limits: CloudinarySandboxLimits::default(),
        notify_timeout: Duration::from_secs(10),
    })
    .await
    .unwrap()
}

/// A multipart image upload of the sample JPEG with `fields`, and an `Authorization` header.
async fn upload(sb: &CloudinarySandbox, fields: Vec<(String, String)>, authorization: Option<String>) -> (u16, Value) {
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in fields {
        form = form.text(k, v);
    }
    let jpeg = crate::files::file("sample.jpg").unwrap().0;
    form = form.part("file", reqwest::multipart::Part::bytes(jpeg).file_name("s.jpg"));
    let mut request = reqwest::Client::new()
        .post(format!("{}/v1_1/{CLOUD}/image/upload", sb.url()))
        .multipart(form);
    if let Some(value) = authorization {
        request = request.header("Authorization", value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

fn signed(sb: &CloudinarySandbox, public_id: &str, algorithm: Algorithm) -> Vec<(String, String)> {
    let mut fields = vec![
        ("public_id".to_string(), public_id.to_string()),
        ("timestamp".to_string(), sb.now().timestamp().to_string()),
    ];
    let secret = SecretString::from(SECRET.to_string());
    fields.push(("signature".into(), signature::sign(&fields, &secret, algorithm)));
    fields.push(("api_key".into(), KEY.into()));
    fields
}

fn basic(key: &str, secret: &str) -> String {
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{key}:{secret}"));
    format!("Basic {token}")
}

#[tokio::test]
async fn a_default_cloud_accepts_sha1_and_sha256_upload_signatures() {
    let sb = start(Accepted::Both).await;
    for (id, algorithm) in [("one", Algorithm::Sha1), ("two", Algorithm::Sha256)] {
        let (status, body) = upload(&sb, signed(&sb, id, algorithm), None).await;
        assert_eq!(status, 200, "{algorithm:?}: {body}");
        assert_eq!(body["public_id"], id);
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn a_sha256_only_cloud_refuses_a_sha1_signature_and_takes_a_sha256_one() {
    let sb = start(Accepted::Sha256Only).await;
    let (status, body) = upload(&sb, signed(&sb, "old", Algorithm::Sha1), None).await;
    assert_eq!(status, 401, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Invalid Signature "),
        "{body}"
    );
    let (status, body) = upload(&sb, signed(&sb, "new", Algorithm::Sha256), None).await;
    assert_eq!(status, 200, "{body}");
    sb.shutdown().await;
}

#[tokio::test]
async fn an_upload_with_http_basic_credentials_and_no_signature_is_stored() {
    let sb = start(Accepted::Both).await;
    let fields = vec![("public_id".to_string(), "basic".to_string())];
    let (status, body) = upload(&sb, fields, Some(basic(KEY, SECRET))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["public_id"], "basic");
    assert!(sb.asset(CLOUD, "basic").is_some());
    sb.shutdown().await;
}

#[tokio::test]
async fn an_upload_with_a_wrong_basic_secret_is_refused_with_cloudinarys_error_body() {
    let sb = start(Accepted::Both).await;
    let fields = vec![("public_id".to_string(), "nope".to_string())];
    let (status, body) = upload(&sb, fields, Some(basic(KEY, "wrong"))).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(
        body,
        serde_json::json!({ "error": { "message": "api_secret mismatch" } })
    );
    assert!(sb.asset(CLOUD, "nope").is_none());
    let (status, _) = upload(&sb, vec![], Some(basic("9999", SECRET))).await;
    assert_eq!(status, 401);
    sb.shutdown().await;
}
