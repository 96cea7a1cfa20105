//! No secret (Cloudinary's API secret, the webhook token, the Airtable token) appears in any log
//! line, error body or record.

use crate::helpers::{client_options, text, World, AIRTABLE_TOKEN, API_SECRET, HOOK_TOKEN};
use schedulo::base::names::media;
use schedulo::cloudinary::CloudinaryClient;
use serde_json::json;
use std::time::Duration;

/// An image, a video, a refused file, a bad notification and a wrong API secret, logged at trace
/// level: no line, answer or record holds a secret.
#[tokio::test(start_paused = true)]
async fn no_secret_appears_in_any_log_line_error_or_record() {
    let captured = crate::common::Captured::install();

    let w = World::start().await;
    let image = w.add_media("Image", &w.file("image-1200x900.jpg")).await;
    let video = w.add_media("Video", &w.file("video-1080x1920-20s.mp4")).await;
    let refused = w.add_media("Image", &w.file("notes.txt")).await;
    for id in [&image, &video, &refused] {
        w.webhook(json!({"event": "media.created", "media": id}), None).await;
    }
    for id in [&image, &video, &refused] {
        w.settle(id, Duration::from_secs(600)).await;
    }
    let bad = w
        .http
        .post(format!("{}/webhooks/cloudinary", w.url))
        .header("X-Cld-Timestamp", w.clock.now().timestamp().to_string())
        .header("X-Cld-Signature", "00")
        .body("{}")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // A client with a wrong secret: Cloudinary refuses the signature.
    let mut wrong = client_options(&w.cloudinary, w.clock);
    wrong.api_secret = secrecy::SecretString::from("wrong-secret-DoNotLeak-0009");
    let error = CloudinaryClient::new(wrong)
        .unwrap()
        .upload(
            schedulo::cloudinary::upload::UploadResource::Image,
            schedulo::cloudinary::upload::UploadSource::Url(w.file("image-100x100.jpg")),
            &Default::default(),
        )
        .await
        .unwrap_err();
    tracing::warn!(message = "Expected failure.", %error, debug = ?error);

    let mut everything = captured.text();
    everything.push_str(&bad);
    for id in [&image, &video, &refused] {
        let r = w.record(id).await;
        everything.push_str(&format!("{:?}", r.fields));
        assert_ne!(text(&r, media::STATUS), "");
    }
    assert!(everything.contains("Media processed."), "the logs were captured");
    for secret in [API_SECRET, HOOK_TOKEN, AIRTABLE_TOKEN, "wrong-secret-DoNotLeak-0009"] {
        assert!(!everything.contains(secret), "{secret} leaked");
    }
}
