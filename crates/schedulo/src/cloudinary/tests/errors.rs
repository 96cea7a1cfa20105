//! Errors: classes, messages that name the call, and never the secret or a signature.

use super::*;
use crate::cloudinary::error::{error_message, CallContext};
use crate::cloudinary::{CloudinaryError, UploadParams, UploadResource, UploadSource};
use crate::error_class::ErrorClass;

#[test]
fn from_url_reads_key_secret_and_cloud() {
    let o = CloudinaryOptions::from_url(&SecretString::from("cloudinary://123456:abc-DEF_g%2Fh@my-cloud")).unwrap();
    assert_eq!(o.cloud_name, "my-cloud");
    assert_eq!(o.api_key, "123456");
    use secrecy::ExposeSecret;
    assert_eq!(o.api_secret.expose_secret(), "abc-DEF_g/h");
    assert_eq!(o.api_url.as_str(), "https://api.cloudinary.com/");
    assert_eq!(o.chunk_size, 20_000_000);
    assert!(!format!("{o:?}").contains("abc-DEF"), "Debug hides the secret");
}

#[test]
fn from_url_errors_never_repeat_the_secret() {
    for bad in [
        "https://123456:topsecretvalue@my-cloud",
        "cloudinary://123456:topsecretvalue@",
        "cloudinary://:topsecretvalue@cloud",
        "cloudinary://123456@cloud",
        "cloudinary://123456:topsecretvalue@clo ud",
    ] {
        let e = CloudinaryOptions::from_url(&SecretString::from(bad)).unwrap_err();
        let text = format!("{e} {e:?}");
        assert!(!text.contains("topsecretvalue"), "{text}");
        assert!(text.contains("CLOUDINARY_URL"), "{text}");
        assert_eq!(e.class(), ErrorClass::Permanent);
    }
}

#[test]
fn chunks_under_five_megabytes_are_refused() {
    let mut o = CloudinaryOptions::new("demo", "k", SecretString::from("s"));
    o.chunk_size = 1_000_000;
    assert!(matches!(CloudinaryClient::new(o), Err(CloudinaryError::Config { .. })));
}

#[test]
fn error_bodies_give_the_message_and_statuses_give_the_class() {
    let ctx = || CallContext::new("create upload preset", "schedulo-user-media");
    let m = error_message(409, fixture("error_preset_exists.json").as_bytes());
    assert_eq!(m, "Upload preset 'schedulo-user-media' already exists");
    let cases = [
        (400, ErrorClass::Permanent),
        (401, ErrorClass::Auth),
        (403, ErrorClass::Auth),
        (404, ErrorClass::Permanent),
        (409, ErrorClass::Permanent),
        (420, ErrorClass::RateLimited),
        (429, ErrorClass::RateLimited),
        (500, ErrorClass::Transient),
        (502, ErrorClass::Transient),
        (503, ErrorClass::Transient),
        (504, ErrorClass::Transient),
        (418, ErrorClass::Permanent),
    ];
    for (status, class) in cases {
        let e = CloudinaryError::from_status(ctx(), status, "x".into(), None);
        assert_eq!(e.class(), class, "{status}");
    }
    let e = CloudinaryError::from_status(ctx(), 409, m, None);
    assert_eq!(
        e.to_string(),
        "Cloudinary could not create upload preset \"schedulo-user-media\": already exists (409): \
         Upload preset 'schedulo-user-media' already exists"
    );
    assert!(error_message(502, b"<html>Bad gateway</html>").contains("Bad gateway"));
    assert_eq!(error_message(503, b""), "HTTP 503 with an empty body");
}

#[tokio::test]
async fn the_secret_and_the_signature_are_scrubbed_from_what_comes_back() {
    let stub = Stub::start().await;
    let client = stub.client();
    let p = UploadParams {
        public_id: Some("users/p".into()),
        overwrite: Some(false),
        ..UploadParams::default()
    };
    // An odd proxy might echo the secret back.
    stub.script(
        401,
        vec![],
        &format!(r#"{{"error":{{"message":"Invalid credentials for secret {SECRET}"}}}}"#),
    );
    let source = UploadSource::Url("https://example.com/a.jpg".into());
    let e = client
        .upload(UploadResource::Image, source.clone(), &p)
        .await
        .unwrap_err();
    let text = format!("{e} {e:?}");
    assert!(!text.contains(SECRET), "{text}");
    assert!(text.contains("secret [REDACTED]"), "{text}");
    assert_eq!(e.class(), ErrorClass::Auth);
    assert!(text.contains("users/p"), "names the public_id: {text}");

    stub.clear();
    stub.script(
        401,
        vec![],
        r#"{"error":{"message":"Invalid Signature {signature}. String to sign - 'x'."}}"#,
    );
    let e = client.upload(UploadResource::Image, source, &p).await.unwrap_err();
    let sig = stub.seen()[0].text("signature").unwrap();
    let text = format!("{e} {e:?}");
    assert!(!text.contains(&sig), "{text}");
    assert!(text.contains("Invalid Signature [REDACTED]"), "{text}");
}

#[tokio::test]
async fn an_upload_without_a_fixed_public_id_that_may_have_been_applied_is_outcome_unknown() {
    let stub = Stub::start().await;
    let client = stub.client();
    stub.script(500, vec![], r#"{"error":{"message":"General Error"}}"#);
    let e = client
        .upload(
            UploadResource::Image,
            UploadSource::Url("https://example.com/a.jpg".into()),
            &UploadParams::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.class(), ErrorClass::OutcomeUnknown, "{e}");
    assert_eq!(stub.seen().len(), 1, "not repeated blindly");
}

/// Proves a 503 is not read as "not applied" for an upload that is not safe to repeat (Cloudinary
/// does not document it so), while an upload safe to repeat is still retried after one.
#[tokio::test(start_paused = true)]
async fn a_503_on_an_upload_that_could_overwrite_is_outcome_unknown_but_retried_when_safe() {
    let stub = Stub::start().await;
    let client = stub.client();
    let source = || UploadSource::Url("https://example.com/a.jpg".into());
    stub.script(503, vec![], "<html>Service Unavailable</html>");
    let e = client
        .upload(UploadResource::Image, source(), &UploadParams::default())
        .await
        .unwrap_err();
    assert_eq!(e.class(), ErrorClass::OutcomeUnknown, "{e}");
    assert_eq!(stub.seen().len(), 1, "not repeated");

    stub.clear();
    stub.script(503, vec![], "<html>Service Unavailable</html>");
    let p = UploadParams {
        public_id: Some("users/p".into()),
        overwrite: Some(false),
        ..UploadParams::default()
    };
    client.upload(UploadResource::Image, source(), &p).await.unwrap();
    assert_eq!(stub.seen().len(), 2, "retried");
}

#[tokio::test]
async fn an_upload_that_is_safe_to_repeat_is_retried_when_it_fails_transiently() {
    let stub = Stub::start().await;
    let client = stub.client();
    stub.script(500, vec![], r#"{"error":{"message":"General Error"}}"#);
    let p = UploadParams {
        public_id: Some("users/p".into()),
        overwrite: Some(false),
        ..UploadParams::default()
    };
    let up = client
        .upload(
            UploadResource::Image,
            UploadSource::Url("https://example.com/a.jpg".into()),
            &p,
        )
        .await
        .unwrap();
    assert_eq!(up.public_id, "users/p");
    assert_eq!(stub.seen().len(), 2);
}

#[tokio::test]
async fn a_refused_connection_is_transient_and_names_the_call() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let mut o = CloudinaryOptions::new(CLOUD, KEY, SecretString::from(SECRET));
    o.api_url = url.parse().unwrap();
    o.retry.attempts = 1;
    let e = CloudinaryClient::new(o).unwrap().folders().await.unwrap_err();
    assert_eq!(e.class(), ErrorClass::Transient);
    assert!(
        e.to_string().starts_with("could not reach Cloudinary to list folders"),
        "{e}"
    );
    assert!(!format!("{e:?}").contains(SECRET));
}

#[tokio::test]
async fn notifications_are_verified_with_the_secret() {
    let body = br#"{"notification_type":"eager","eager":[{"transformation":"sp_full_hd/mp4","bytes":1055,"url":"http://res.cloudinary.com/demo/video/upload/sp_full_hd/v1533125278/dog.mp4","secure_url":"https://res.cloudinary.com/demo/video/upload/sp_full_hd/v1533125278/dog.mp4"}],"public_id":"dog","batch_id":"9b11fa058c61fa577f4ec516bf6ee756ac2aefef095af99aef1302142cc1694a"}"#;
    let client = CloudinaryClient::new(CloudinaryOptions::new(
        "demo",
        "k",
        SecretString::from("X7qLTrsES31MzxxkxPPA-pAGGfU"),
    ))
    .unwrap();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("X-Cld-Timestamp", "1549533514".parse().unwrap());
    headers.insert(
        "X-Cld-Signature",
        "dfe82de1d9083fe0b7ea68070649f9a15b8874da".parse().unwrap(),
    );
    assert_eq!(client.verify_notification(body, &headers, 1549533514 + 10), Ok(()));
    assert!(client.verify_notification(body, &headers, 1549533514 + 7201).is_err());
}

fn timing_out(stub: &Stub) -> CloudinaryClient {
    let mut o = stub.options();
    o.timeout = Duration::from_secs(5);
    CloudinaryClient::new(o).unwrap()
}

#[tokio::test(start_paused = true)]
async fn a_timed_out_upload_with_a_fixed_public_id_and_no_overwrite_is_transient_and_retried() {
    let stub = Stub::start().await;
    let client = timing_out(&stub);
    stub.script_after(Duration::from_secs(60), 200, vec![], "{}");
    let p = UploadParams {
        public_id: Some("users/p".into()),
        overwrite: Some(false),
        ..UploadParams::default()
    };
    let up = client
        .upload(
            UploadResource::Image,
            UploadSource::Url("https://example.com/a.jpg".into()),
            &p,
        )
        .await
        .unwrap();
    assert_eq!(up.public_id, "users/p", "the repeat found the asset");
    assert_eq!(stub.seen().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_timed_out_upload_that_could_overwrite_is_outcome_unknown_and_not_repeated() {
    let stub = Stub::start().await;
    let client = timing_out(&stub);
    stub.script_after(Duration::from_secs(60), 200, vec![], "{}");
    let p = UploadParams {
        public_id: Some("users/p".into()),
        ..UploadParams::default()
    };
    let e = client
        .upload(
            UploadResource::Image,
            UploadSource::Url("https://example.com/a.jpg".into()),
            &p,
        )
        .await
        .unwrap_err();
    assert_eq!(e.class(), ErrorClass::OutcomeUnknown, "{e}");
    assert!(e.to_string().contains("timed out"), "{e}");
    assert_eq!(stub.seen().len(), 1);
}
