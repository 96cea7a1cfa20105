//! Images and videos through the processor: variants, checks, the outcome in Airtable.

use crate::helpers::{text, World, CLOUD};
use schedulo::base::names::media;
use schedulo::cloudinary::variants::{self, Resource};
use serde_json::json;
use std::time::Duration;

/// An uploaded image gets every image variant of the seed, each cropped to its platform's size,
/// and is Ready for every platform, with its Cloudinary URL written back.
#[tokio::test(start_paused = true)]
async fn an_uploaded_image_gets_every_variant_with_the_right_dimensions() {
    let w = World::start().await;
    let record = w.add_media("Image", &w.file("image-1600x1200.jpg")).await;
    let (status, body) = w
        .webhook(json!({"event": "media.created", "media": record}), None)
        .await;
    assert_eq!(status, 202, "{body}");
    w.settle(&record, Duration::from_secs(60)).await;
    let r = w.record(&record).await;
    assert_eq!(text(&r, media::STATUS), "Ready", "{:?}", r.fields);
    assert_eq!(text(&r, media::ERROR_MESSAGE), "");
    let valid: Vec<&str> = r.fields[media::VALID_FOR]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert_eq!(valid, ["Instagram", "Facebook", "Twitter", "TikTok"]);
    let url = text(&r, media::CLOUDINARY_URL);
    assert!(url.starts_with(&w.cloudinary.url()), "{url}");
    let assets = w.cloudinary.assets();
    assert_eq!(assets.len(), 1);
    let asset = &assets[0];
    assert_eq!(asset.cloud, CLOUD);
    assert_eq!(asset.asset_folder, format!("users/{}", w.user));
    for v in variants::for_resource(Resource::Image) {
        let d = asset
            .derived
            .iter()
            .find(|d| d.transformation == v.transformation)
            .unwrap_or_else(|| panic!("no {} variant", v.name));
        assert_eq!((d.width, d.height), (v.width, v.height()), "{}", v.name);
        // The delivered variant is a real image of that size.
        let bytes = w.http.get(&d.url).send().await.unwrap().bytes().await.unwrap();
        let info = schedulo::media::probe::probe(&bytes, Some(bytes.len() as u64)).unwrap();
        assert_eq!(
            (info.width, info.height),
            (Some(v.width), Some(v.height())),
            "{} delivered",
            v.name
        );
    }
}

/// A video too long for X is Error when it is meant for X alone, with a message that names X
/// and its limit; meant for every platform, it is Ready for the others and says why not X.
#[tokio::test(start_paused = true)]
async fn a_video_too_long_for_a_platform_is_error_naming_the_platform_and_its_limit() {
    let w = World::start().await;
    let for_x = w.add_media("Video", &w.file("video-1080x1920-200s.mp4")).await;
    let for_all = w.add_media("Video", &w.file("video-1080x1920-200s.mp4?n=2")).await;
    let (status, _) = w
        .webhook(
            json!({"event": "media.created", "media": for_x, "platforms": ["X"]}),
            None,
        )
        .await;
    assert_eq!(status, 202);
    w.webhook(json!({"event": "media.created", "media": for_all}), None)
        .await;
    // Cloudinary makes video variants asynchronously; its signed notification ends the wait.
    w.settle(&for_x, Duration::from_secs(600)).await;
    w.settle(&for_all, Duration::from_secs(600)).await;
    assert!(
        !w.cloudinary.notifications().is_empty(),
        "the variants came by Cloudinary's notification"
    );
    let r = w.record(&for_x).await;
    assert_eq!(text(&r, media::STATUS), "Error");
    let message = text(&r, media::ERROR_MESSAGE);
    assert!(message.starts_with("Not for X: X allows videos"), "{message}");
    assert!(
        message.contains("2 min 20 s") && message.contains("3 min 20 s"),
        "{message}"
    );
    let r = w.record(&for_all).await;
    assert_eq!(text(&r, media::STATUS), "Ready");
    assert!(text(&r, media::ERROR_MESSAGE).starts_with("Not for X:"));
    let valid = r.fields[media::VALID_FOR].as_array().unwrap().clone();
    assert!(
        valid.contains(&json!("TikTok")) && !valid.contains(&json!("Twitter")),
        "{valid:?}"
    );
}

/// A carousel's images are uploaded one by one and its CloudinaryURL lists them all.
#[tokio::test(start_paused = true)]
async fn a_carousel_uploads_each_image_and_lists_their_urls() {
    let w = World::start().await;
    let sources = [w.file("image-1080x1080.jpg"), w.file("image-1080x1350.jpg")].join(" ");
    let record = w.add_media("Carousel", &sources).await;
    w.webhook(json!({"event": "media.created", "media": record}), None)
        .await;
    w.settle(&record, Duration::from_secs(60)).await;
    let r = w.record(&record).await;
    assert_eq!(text(&r, media::STATUS), "Ready", "{:?}", r.fields);
    assert_eq!(text(&r, media::CLOUDINARY_URL).split(' ').count(), 2);
    assert_eq!(w.cloudinary.assets().len(), 2);
}

/// When Cloudinary's notification cannot reach the worker, the record reads Processing while the
/// video's variants are made, and after the wait the worker asks Cloudinary's Admin API and
/// finishes the record.
#[tokio::test(start_paused = true)]
async fn without_a_notification_the_worker_asks_cloudinary_after_the_wait() {
    let w = World::start().await;
    let unreachable = std::sync::Arc::new(crate::helpers::processor(
        &w.base,
        &w.journal,
        &w.cloudinary,
        w.clock,
        None,
    ));
    let record = w.add_media("Video", &w.file("video-1080x1920-30s.mp4")).await;
    unreachable.request(&record, Some(vec!["TikTok".into()])).await.unwrap();
    unreachable.tick().await.unwrap();
    w.flush().await;
    assert_eq!(text(&w.record(&record).await, media::STATUS), "Processing");
    let admin_before = w.cloudinary.counters().cloud(CLOUD).admin_calls;
    let spec = schedulo::scenarios::MediaProcessor::builtin();
    // Nothing happens until the wait is over; then one Admin API call settles it.
    tokio::time::sleep(Duration::from_secs(spec.processing.notification_wait_secs + 1)).await;
    unreachable.tick().await.unwrap();
    w.flush().await;
    let job = w.journal.media_get(&record).await.unwrap().unwrap();
    assert_eq!(
        job.state,
        schedulo::journal::MediaJobState::Done,
        "{:?}",
        job.last_error
    );
    assert_eq!(w.cloudinary.counters().cloud(CLOUD).admin_calls - admin_before, 1);
    assert!(w.cloudinary.notifications().is_empty());
    let r = w.record(&record).await;
    assert_eq!(text(&r, media::STATUS), "Ready", "{:?}", r.fields);
    assert_eq!(r.fields[media::VALID_FOR], json!(["TikTok"]));
}

/// A slow upload holds one of the processor's slots, not the others: a record requested after it
/// is Ready while the first is still uploading.
#[tokio::test(start_paused = true)]
async fn a_slow_upload_does_not_hold_up_the_next_record() {
    let w = World::start().await;
    let slow = w.add_media("Image", &w.file("image-1080x1080.jpg")).await;
    let quick = w.add_media("Image", &w.file("image-1080x1350.jpg")).await;
    let fault = json!({"path_prefix": "/v1_1/schedulo-test/image/upload", "count": 1, "delay_ms": 40_000});
    w.fault(fault).await;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(w.processor.clone().run(async {
        let _ = stopped.await;
    }));
    w.webhook(json!({"event": "media.created", "media": slow}), None).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    w.webhook(json!({"event": "media.created", "media": quick}), None).await;
    let state = |id: String| {
        let journal = w.journal.clone();
        async move { journal.media_get(&id).await.unwrap().unwrap().state }
    };
    for _ in 0..20 {
        tokio::time::sleep(Duration::from_secs(1)).await;
        if state(quick.clone()).await == schedulo::journal::MediaJobState::Done {
            break;
        }
    }
    assert_eq!(state(quick.clone()).await, schedulo::journal::MediaJobState::Done);
    assert_eq!(
        state(slow.clone()).await,
        schedulo::journal::MediaJobState::Working,
        "still uploading"
    );
    for _ in 0..60 {
        tokio::time::sleep(Duration::from_secs(1)).await;
        if state(slow.clone()).await == schedulo::journal::MediaJobState::Done {
            break;
        }
    }
    assert_eq!(state(slow.clone()).await, schedulo::journal::MediaJobState::Done);
    let _ = stop.send(());
    task.await.unwrap();
}
