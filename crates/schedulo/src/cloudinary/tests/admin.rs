//! Admin API calls: Basic auth, paths, bodies, the hourly limit read from the headers.

use super::*;
use crate::cloudinary::variants::Resource;
use crate::cloudinary::{Created, Destroyed, UploadPreset};
use crate::error_class::ErrorClass;

#[tokio::test]
async fn admin_calls_use_basic_auth_and_cloudinarys_paths() {
    let stub = Stub::start().await;
    let client = stub.client();
    assert_eq!(client.create_folder("users").await.unwrap(), Created::New);
    assert_eq!(client.folders().await.unwrap(), vec!["users".to_string()]);
    let preset = UploadPreset {
        name: "p1".into(),
        asset_folder: Some("users".into()),
        tags: vec!["schedulo".into()],
        eager_async: true,
        ..UploadPreset::default()
    };
    assert_eq!(client.create_upload_preset(&preset).await.unwrap(), Created::New);
    assert_eq!(
        client.create_upload_preset(&preset).await.unwrap(),
        Created::Existed,
        "409 is 'existed'"
    );
    let info = client.upload_preset("p1").await.unwrap().unwrap();
    assert_eq!(info.setting("tags").as_deref(), Some("schedulo"));
    assert_eq!(info.setting("eager_async").as_deref(), Some("true"));
    assert!(!info.unsigned);
    assert_eq!(client.upload_preset("nope").await.unwrap(), None);
    assert_eq!(
        client
            .create_transformation("schedulo_x", "ar_1:1,c_fill,g_auto,w_1080")
            .await
            .unwrap(),
        Created::New
    );
    assert_eq!(
        client.transformation("schedulo_x").await.unwrap().as_deref(),
        Some("ar_1:1,c_fill,g_auto,w_1080"),
        "read back from the parsed steps the Admin API shows"
    );
    assert_eq!(client.transformation("nope").await.unwrap(), None);

    let seen = stub.seen();
    let paths: Vec<String> = seen.iter().map(|s| format!("{} {}", s.method, s.path)).collect();
    assert_eq!(
        paths,
        [
            "POST /v1_1/demo/folders/users",
            "GET /v1_1/demo/folders",
            "POST /v1_1/demo/upload_presets",
            "POST /v1_1/demo/upload_presets",
            "GET /v1_1/demo/upload_presets/p1",
            "GET /v1_1/demo/upload_presets/nope",
            "POST /v1_1/demo/transformations/schedulo_x",
            "GET /v1_1/demo/transformations/schedulo_x",
            "GET /v1_1/demo/transformations/nope",
        ]
    );
    use base64::Engine;
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{KEY}:{SECRET}"))
    );
    assert!(seen
        .iter()
        .all(|s| s.header("authorization").as_deref() == Some(basic.as_str())));
    let form = seen[2].text_fields();
    assert!(form.contains(&("name".into(), "p1".into())));
    assert!(form.contains(&("unsigned".into(), "false".into())));
    let body: Value = serde_json::from_slice(&seen[6].body).unwrap();
    assert_eq!(body, json!({"transformation": "ar_1:1,c_fill,g_auto,w_1080"}));
    let rate = client.admin_rate().unwrap();
    assert_eq!((rate.limit, rate.remaining), (500, 491));
    assert_eq!(
        rate.reset_at.unwrap().to_rfc3339(),
        "2040-04-04T14:00:00+00:00",
        "X-FeatureRateLimit-Reset is an HTTP date"
    );
}

#[tokio::test]
async fn usage_reads_every_section_present_and_leaves_the_rest_absent() {
    let stub = Stub::start().await;
    let usage = stub.client().usage().await.unwrap();
    assert_eq!(usage.plan.as_deref(), Some("Free"));
    assert_eq!(usage.credits.as_ref().unwrap().limit, Some(25.0));
    assert_eq!(usage.storage.as_ref().unwrap().limit, None);
    assert_eq!(usage.media_limits.unwrap().video_max_size_bytes, Some(104857600));
    let empty: crate::cloudinary::Usage = serde_json::from_str("{}").unwrap();
    assert_eq!(empty, crate::cloudinary::Usage::default());
}

#[tokio::test]
async fn destroy_is_signed_and_not_found_is_not_an_error() {
    let stub = Stub::start().await;
    let client = stub.client();
    assert_eq!(
        client.destroy(Resource::Video, "users/gone").await.unwrap(),
        Destroyed::NotFound
    );
    stub.script(200, vec![], r#"{"result":"ok"}"#);
    assert_eq!(client.destroy(Resource::Image, "users/x").await.unwrap(), Destroyed::Ok);
    let seen = stub.seen();
    assert_eq!(seen[0].path, "/v1_1/demo/video/destroy");
    assert_eq!(seen[0].text("public_id").as_deref(), Some("users/gone"));
    let fields = seen[0].text_fields();
    let expected = crate::cloudinary::signer::sign(&fields, &SecretString::from(SECRET), Default::default());
    assert_eq!(seen[0].text("signature").unwrap(), expected);
}

#[tokio::test]
async fn an_asset_is_read_with_its_derived_variants_and_a_missing_one_is_none() {
    let stub = Stub::start().await;
    let client = stub.client();
    stub.script(
        200,
        vec![],
        r#"{"public_id":"users/a","format":"jpg","version":3,"resource_type":"image","bytes":10,"width":4,"height":5,
            "derived":[{"transformation":"ar_4:5,c_fill,g_auto,w_1080","format":"jpg","bytes":7,"id":"d1","url":"http://x","secure_url":"https://x"}]}"#,
    );
    let r = client.resource(Resource::Image, "users/a").await.unwrap().unwrap();
    assert_eq!((r.width, r.height, r.derived.len()), (Some(4), Some(5), 1));
    assert_eq!(stub.seen()[0].path, "/v1_1/demo/resources/image/upload/users/a");
    stub.script(404, vec![], &fixture("error_not_found.json"));
    assert_eq!(client.resource(Resource::Image, "users/missing").await.unwrap(), None);
}

#[tokio::test]
async fn a_420_is_rate_limited_with_its_reset_and_then_the_client_fails_fast() {
    let stub = Stub::start().await;
    let client = stub.client();
    let reset = chrono::Utc::now() + chrono::Duration::minutes(40);
    stub.script(
        420,
        vec![
            ("X-FeatureRateLimit-Limit", "500".into()),
            ("X-FeatureRateLimit-Remaining", "0".into()),
            ("X-FeatureRateLimit-Reset", reset.to_rfc2822()),
        ],
        &fixture("error_rate_limited.json"),
    );
    let e = client.usage().await.unwrap_err();
    assert_eq!(e.class(), ErrorClass::RateLimited);
    assert_eq!(e.status(), Some(420));
    assert_eq!(e.reset_at().unwrap().timestamp(), reset.timestamp());
    assert!(e.to_string().contains("Rate Limit Exceeded"), "{e}");
    assert_eq!(
        stub.seen().len(),
        1,
        "a reset 40 minutes away is not waited out in-process"
    );
    assert_eq!(client.admin_rate().unwrap().remaining, 0);

    let e = client.folders().await.unwrap_err();
    assert_eq!(e.class(), ErrorClass::RateLimited);
    assert_eq!(e.status(), None);
    assert_eq!(e.reset_at().unwrap().timestamp(), reset.timestamp());
    assert_eq!(stub.seen().len(), 1, "Remaining: 0 means no call until the reset");
}

#[tokio::test(start_paused = true)]
async fn a_429_with_a_short_retry_after_is_waited_out_and_retried() {
    let stub = Stub::start().await;
    let client = stub.client();
    stub.script(
        429,
        vec![("Retry-After", "3".into())],
        &fixture("error_rate_limited.json"),
    );
    let before = tokio::time::Instant::now();
    let usage = client.usage().await.unwrap();
    assert!(usage.plan.is_some());
    assert_eq!(stub.seen().len(), 2);
    assert!(
        before.elapsed() >= Duration::from_secs(2),
        "waited {:?}",
        before.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn transient_admin_failures_are_retried_with_backoff() {
    let stub = Stub::start().await;
    let client = stub.client();
    stub.script(503, vec![], "<html>Service Unavailable</html>");
    stub.script(502, vec![], "");
    assert!(client.usage().await.is_ok());
    assert_eq!(stub.seen().len(), 3);

    stub.clear();
    for _ in 0..3 {
        stub.script(500, vec![], r#"{"error":{"message":"General Error"}}"#);
    }
    let e = client.usage().await.unwrap_err();
    assert_eq!(e.class(), ErrorClass::Transient);
    assert_eq!(stub.seen().len(), 3, "three attempts in all");
    assert!(e.to_string().contains("General Error"), "{e}");
}
