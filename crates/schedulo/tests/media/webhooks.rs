//! The routes: Cloudinary's notifications verified, Bubble's direct uploads signed.

use crate::helpers::{text, World, API_SECRET, HOOK_TOKEN};
use schedulo::base::names::media;
use serde_json::json;
use std::time::Duration;

/// A notification whose signature does not match is refused with a 401 that says why; so is
/// one without the headers.
#[tokio::test(start_paused = true)]
async fn a_notification_with_a_bad_signature_is_refused_with_a_401_that_says_why() {
    let w = World::start().await;
    let body = json!({"notification_type": "eager", "public_id": "recX_1", "eager": []}).to_string();
    let now = w.clock.now().timestamp().to_string();
    let refused = w
        .http
        .post(format!("{}/webhooks/cloudinary", w.url))
        .header("X-Cld-Timestamp", &now)
        .header("X-Cld-Signature", "0123456789abcdef0123456789abcdef01234567")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 401);
    let why = refused.json::<serde_json::Value>().await.unwrap()["error"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(why.contains("X-Cld-Signature does not match"), "{why}");
    let bare = w
        .http
        .post(format!("{}/webhooks/cloudinary", w.url))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status().as_u16(), 401);
    let why = bare.json::<serde_json::Value>().await.unwrap()["error"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(why.contains("missing X-Cld-"), "{why}");
}

/// Bubble asks for signed parameters and uploads straight to Cloudinary: the answer holds no
/// secret, the upload lands in the user's folder, and Cloudinary's notification completes the
/// record.
#[tokio::test(start_paused = true)]
async fn a_direct_upload_from_bubble_is_signed_for_the_users_folder_and_completes_the_record() {
    let w = World::start().await;
    let record = w.add_media("Image", "").await;
    let signed: serde_json::Value = w
        .http
        .post(format!("{}/uploads/sign", w.url))
        .bearer_auth(HOOK_TOKEN)
        .json(&json!({"media": record, "user": w.user}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let text_of = signed.to_string();
    assert!(!text_of.contains(API_SECRET), "the secret stays on the server");
    let params = signed["params"].as_object().unwrap();
    assert_eq!(params["asset_folder"], json!(format!("users/{}", w.user)));
    // What Bubble's uploader does: the file and every parameter, as multipart.
    let file = w.bytes("image-1200x1200.jpg").await;
    let uploaded = w
        .upload_direct(signed["upload_url"].as_str().unwrap(), params, file)
        .await;
    assert_eq!(uploaded.status().as_u16(), 200, "{}", uploaded.text().await.unwrap());
    w.settle(&record, Duration::from_secs(120)).await;
    let r = w.record(&record).await;
    assert_eq!(text(&r, media::STATUS), "Ready", "{:?}", r.fields);
    assert!(text(&r, media::CLOUDINARY_URL).contains(signed["public_id"].as_str().unwrap()));
}

/// A webhook missing its record, or naming an unknown platform, is a 400 that says what is wrong.
#[tokio::test(start_paused = true)]
async fn a_webhook_missing_fields_gets_a_400_that_says_what_is_wrong() {
    let w = World::start().await;
    let (status, body) = w.webhook(json!({"event": "media.created"}), None).await;
    assert_eq!(status, 400);
    assert!(body["error"].as_str().unwrap().contains("media"), "{body}");
    let (status, body) = w
        .webhook(
            json!({"event": "media.created", "media": "recAbC123dEf456gH", "platforms": ["MySpace"]}),
            None,
        )
        .await;
    assert_eq!(status, 400);
    assert!(body["error"].as_str().unwrap().contains("MySpace"), "{body}");
    let (status, body) = w
        .webhook(json!({"event": "media.created", "media": "photo.jpg"}), None)
        .await;
    assert_eq!(status, 400);
    assert!(body["error"].as_str().unwrap().contains("record id"), "{body}");
}

/// When Cloudinary cannot reach the worker, a direct upload still completes: after the wait the
/// worker asks Cloudinary for the asset it signed.
#[tokio::test(start_paused = true)]
async fn a_direct_upload_whose_notification_never_comes_is_found_by_asking_cloudinary() {
    let w = World::start().await;
    let unreachable = std::sync::Arc::new(crate::helpers::processor(
        &w.base,
        &w.journal,
        &w.cloudinary,
        w.clock,
        None,
    ));
    let record = w.add_media("Image", "").await;
    let signed = unreachable
        .sign_upload(&record, Some(&w.user), schedulo::cloudinary::variants::Resource::Image)
        .await
        .unwrap();
    let file = w.bytes("image-1080x1080.jpg").await;
    let uploaded = w.upload_direct(&signed.upload_url, &signed.params, file).await;
    assert_eq!(uploaded.status().as_u16(), 200);
    let spec = schedulo::scenarios::MediaProcessor::builtin();
    tokio::time::sleep(Duration::from_secs(spec.processing.direct_upload_wait_secs + 1)).await;
    unreachable.tick().await.unwrap();
    w.flush().await;
    let r = w.record(&record).await;
    assert_eq!(text(&r, media::STATUS), "Ready", "{:?}", r.fields);
    assert!(text(&r, media::CLOUDINARY_URL).contains(&signed.public_id));
}
