//! Instagram through the scheduler: containers prepared ahead so that only the publish call is
//! left at the due second, a container still processing waited for, a failed one explained, the
//! publishing limit read from Meta holding posts instead of failing them, and no second post after
//! a crash after `media_publish`.

use crate::helpers::{World, IG_TOKEN, IG_USER};
use schedulo::base::names::posts;
use schedulo::journal::{KeptPrepared, PostState};
use schedulo::platforms::instagram::{InstagramOptions, InstagramPublisher};
use schedulo::platforms::{Account, MediaKind, MediaRef, PostContent, Publisher, Receipts};
use schedulo::scenarios::post_scheduler::Outcome;
use serde_json::json;

fn lag_ms(row: &schedulo::journal::PostRow) -> i64 {
    (row.published_at.unwrap() - row.scheduled_at).num_milliseconds()
}

/// Containers that take 30 s: prepared ahead, the post goes out on its second, with one container.
#[tokio::test(start_paused = true)]
async fn a_post_prepared_ahead_goes_out_on_its_second() {
    let w = World::start_with(|o| schedulo_sandbox::facebook::FacebookSandboxOptions {
        container_processing_secs: 30.0,
        ..o
    })
    .await;
    let photo = w.media("Image", &["image-1080x1350.jpg"]).await;
    let id = w
        .schedule_media(&w.ig_account, "Sourdough, fresh", 120, Some(&photo), None)
        .await;
    w.scheduler.sync().await.unwrap();
    w.scheduler.prepare_ahead().await;
    w.advance(60).await;
    assert_eq!(w.fb.ig_containers(IG_USER).len(), 1, "prepared ahead");
    assert!(w.journal.prepared(&id).await.unwrap().is_some(), "kept in the journal");
    // To the due time as Airtable keeps it (to the second).
    let due = w.journal.get(&id).await.unwrap().unwrap().scheduled_at;
    w.advance_to(due).await;
    let outcomes = w.scheduler.publish_due().await.unwrap();
    assert!(matches!(&outcomes[..], [(_, Outcome::Published(_))]), "{outcomes:?}");
    let row = w.journal.get(&id).await.unwrap().unwrap();
    assert!(lag_ms(&row) < 1000, "lag {} ms", lag_ms(&row));
    assert_eq!(w.fb.ig_containers(IG_USER).len(), 1, "no second container");
    assert_eq!(w.fb.ig_media(IG_USER).len(), 1);
    w.outbox.flush().await.unwrap();
    let record = w.post(&id).await;
    assert_eq!(record.fields[posts::STATUS], json!("Posted"));
    assert!(record.fields[posts::POST_URL].as_str().unwrap().contains("/p/"));
}

/// An edit after preparation prepares again: the post goes out as edited.
#[tokio::test(start_paused = true)]
async fn an_edit_after_preparation_prepares_again() {
    let w = World::start().await;
    let photo = w.media("Image", &["image-1080x1080.jpg"]).await;
    let id = w
        .schedule_media(&w.ig_account, "First words", 120, Some(&photo), None)
        .await;
    w.scheduler.sync().await.unwrap();
    w.scheduler.prepare_ahead().await;
    w.advance(30).await;
    let fields = crate::helpers::fields(json!({ posts::CAPTION: "Better words" }));
    w.base
        .update(posts::TABLE, vec![(id.clone(), fields)], false)
        .await
        .unwrap();
    w.scheduler.sync().await.unwrap();
    w.scheduler.prepare_ahead().await;
    w.advance(90).await;
    w.scheduler.publish_due().await.unwrap();
    let media = w.fb.ig_media(IG_USER);
    assert_eq!(media.len(), 1);
    assert_eq!(media[0].caption.as_deref(), Some("Better words"));
    assert_eq!(w.fb.ig_containers(IG_USER).len(), 2, "prepared twice, published once");
}

/// Not prepared ahead (it was scheduled just before its time) and Meta still processing at the
/// due time: the worker waits for the container, then publishes.
#[tokio::test(start_paused = true)]
async fn a_container_still_in_progress_at_the_due_time_is_waited_for() {
    let w = World::start_with(|o| schedulo_sandbox::facebook::FacebookSandboxOptions {
        container_processing_secs: 45.0,
        ..o
    })
    .await;
    let photo = w.media("Image", &["image-1080x1080.jpg"]).await;
    let id = w
        .schedule_media(&w.ig_account, "Just in time", 5, Some(&photo), None)
        .await;
    w.scheduler.sync().await.unwrap();
    w.advance(5).await;
    let outcomes = w.scheduler.publish_due().await.unwrap();
    assert!(matches!(&outcomes[..], [(_, Outcome::Published(_))]), "{outcomes:?}");
    let row = w.journal.get(&id).await.unwrap().unwrap();
    assert!((45_000..70_000).contains(&lag_ms(&row)), "lag {} ms", lag_ms(&row));
}

/// A container Meta cannot process (the file cannot be downloaded): Failed, with Meta's reason.
#[tokio::test(start_paused = true)]
async fn a_container_that_fails_becomes_a_clear_error_message() {
    let w = World::start().await;
    let photo = w.media("Image", &["missing-photo.jpg"]).await;
    let id = w
        .schedule_media(&w.ig_account, "Where is it", 5, Some(&photo), None)
        .await;
    w.scheduler.sync().await.unwrap();
    w.advance(5).await;
    let outcomes = w.scheduler.publish_due().await.unwrap();
    assert!(matches!(&outcomes[..], [(_, Outcome::Failed(_))]), "{outcomes:?}");
    w.outbox.flush().await.unwrap();
    let record = w.post(&id).await;
    assert_eq!(record.fields[posts::STATUS], json!("Failed"));
    let message = record.fields[posts::ERROR_MESSAGE].as_str().unwrap();
    assert!(message.contains("Instagram"), "{message}");
    assert!(w.fb.ig_media(IG_USER).is_empty());
}

/// The account's publishing limit (read from Meta: 1 here) is used up: the second post is held
/// with a clear status, not failed, and goes out when the window reopens.
#[tokio::test(start_paused = true)]
async fn quota_exhaustion_holds_posts_until_the_window_reopens() {
    let w = World::start_with(|o| schedulo_sandbox::facebook::FacebookSandboxOptions { quota_total: 1, ..o }).await;
    let photo = w.media("Image", &["image-1080x1080.jpg"]).await;
    let first = w.schedule_media(&w.ig_account, "One", 5, Some(&photo), None).await;
    let second = w.schedule_media(&w.ig_account, "Two", 10, Some(&photo), None).await;
    w.scheduler.sync().await.unwrap();
    w.advance(5).await;
    w.scheduler.publish_due().await.unwrap();
    w.advance(5).await;
    let outcomes = w.scheduler.publish_due().await.unwrap();
    let [(_, Outcome::Retrying(until))] = &outcomes[..] else {
        panic!("held: {outcomes:?}")
    };
    assert!(
        *until > w.clock.now() + chrono::Duration::hours(23),
        "held until {until}"
    );
    w.outbox.flush().await.unwrap();
    let record = w.post(&second).await;
    assert_eq!(record.fields[posts::STATUS], json!("Scheduled"), "held, not failed");
    let message = record.fields[posts::ERROR_MESSAGE].as_str().unwrap();
    assert!(
        message.starts_with("Held until") && message.contains("limit"),
        "{message}"
    );
    assert_eq!(
        w.journal.get(&second).await.unwrap().unwrap().state,
        PostState::Retrying
    );

    let wait = (*until - w.clock.now()).num_seconds() as u64 + 1;
    w.advance(wait).await;
    let outcomes = w.scheduler.publish_due().await.unwrap();
    assert!(matches!(&outcomes[..], [(_, Outcome::Published(_))]), "{outcomes:?}");
    w.outbox.flush().await.unwrap();
    assert_eq!(w.post(&first).await.fields[posts::STATUS], json!("Posted"));
    let record = w.post(&second).await;
    assert_eq!(record.fields[posts::STATUS], json!("Posted"));
    assert!(record.fields.get(posts::ERROR_MESSAGE).is_none_or(|m| m.is_null()));
    assert_eq!(w.fb.ig_media(IG_USER).len(), 2);
}

/// The worker died right after `media_publish` went through (its container kept in the journal,
/// no outcome recorded): after a restart the container says PUBLISHED, and nothing is published again.
#[tokio::test(start_paused = true)]
async fn killed_after_media_publish_does_not_post_again_after_restart() {
    let mut w = World::start().await;
    let photo = w.media("Image", &["image-1080x1080.jpg"]).await;
    let id = w
        .schedule_media(&w.ig_account, "Killed after publish", 5, Some(&photo), None)
        .await;
    w.scheduler.sync().await.unwrap();
    w.advance(5).await;
    w.journal
        .claim_intent(&id, "the-dead-worker", w.clock.now())
        .await
        .unwrap()
        .unwrap();
    let ig = InstagramPublisher::new(InstagramOptions::new(w.fb.url().parse().unwrap())).unwrap();
    let account = Account {
        record_id: w.ig_account.clone(),
        external_id: IG_USER.into(),
        handle: Some("ada".into()),
        token: secrecy::SecretString::from(IG_TOKEN),
    };
    let content = PostContent {
        record_id: id.clone(),
        text: "Killed after publish".into(),
        link: None,
        media: vec![MediaRef::new(w.file_url("image-1080x1080.jpg"), MediaKind::Image)],
        format: Default::default(),
    };
    let prepared = ig.prepare(&account, &content).await.unwrap();
    w.journal
        .keep_prepared(&KeptPrepared {
            record_id: id.clone(),
            fingerprint: "as the dead worker saw it".into(),
            data: serde_json::to_string(&prepared).unwrap(),
            prepared_at: w.clock.now(),
            expires_at: prepared.expires_at,
        })
        .await
        .unwrap();
    ig.publish(&account, &content, &prepared, &Receipts::discard())
        .await
        .unwrap();
    w.restart().await;
    let outcomes = w.scheduler.reconcile_unresolved().await.unwrap();
    assert!(matches!(&outcomes[..], [(_, Outcome::Published(_))]), "{outcomes:?}");
    w.scheduler.publish_due().await.unwrap();
    assert_eq!(w.fb.ig_media(IG_USER).len(), 1, "published once");
    w.outbox.flush().await.unwrap();
    assert_eq!(w.post(&id).await.fields[posts::STATUS], json!("Posted"));
}

/// A photo the Media Processor put in Cloudinary is published to Instagram as its Instagram
/// variant (here 4:5 for a portrait photo), the file Meta fetches being that crop.
#[tokio::test(start_paused = true)]
async fn a_cloudinary_photo_is_published_as_the_platforms_variant() {
    use schedulo::cloudinary::upload::{UploadParams, UploadResource, UploadSource};
    use schedulo::cloudinary::variants::{self, Resource};
    use schedulo_sandbox::cloudinary::{CloudinarySandbox, CloudinarySandboxOptions, SandboxCloud};
    let mut w = World::start().await;
    let cloudinary = CloudinarySandbox::start(CloudinarySandboxOptions {
        data_dir: None,
        listen: "127.0.0.1:0".parse().unwrap(),
        clouds: vec![SandboxCloud::new("c1", "111", "cld-secret")],
        limits: Default::default(),
        notify_timeout: std::time::Duration::from_secs(5),
    })
    .await
    .unwrap();
    let url: url::Url = cloudinary.url().parse().unwrap();
    // The worker's media come from this Cloudinary's delivery host.
    let mut config = w.config.clone();
    config.media_delivery = url.clone();
    w.rebuild(&config, None).await;
    let client = schedulo::cloudinary::CloudinaryClient::new(schedulo::cloudinary::CloudinaryOptions {
        api_url: url.clone(),
        delivery_url: url,
        ..schedulo::cloudinary::CloudinaryOptions::new("c1", "111", secrecy::SecretString::from("cld-secret"))
    })
    .unwrap();
    let params = UploadParams {
        public_id: Some("portrait".into()),
        eager: Some(variants::eager(Resource::Image)),
        ..Default::default()
    };
    let uploaded = client
        .upload(
            UploadResource::Image,
            UploadSource::Url(cloudinary.file_url("image-1200x1600.jpg")),
            &params,
        )
        .await
        .unwrap();
    let row = crate::helpers::fields(json!({
        "MediaID": "M-cloudinary",
        "MediaType": "Image",
        "CloudinaryURL": uploaded.secure_url,
        "Status": "Ready",
    }));
    let photo = w
        .base
        .create("MediaLibrary", vec![row], false)
        .await
        .unwrap()
        .remove(0)
        .id;
    w.schedule_media(&w.ig_account, "A portrait", 5, Some(&photo), None)
        .await;
    w.scheduler.sync().await.unwrap();
    w.advance(10).await;
    let outcomes = w.scheduler.publish_due().await.unwrap();
    assert!(matches!(&outcomes[..], [(_, Outcome::Published(_))]), "{outcomes:?}");
    let containers = w.fb.ig_containers(IG_USER);
    let container = containers.last().unwrap();
    let used = container.url.as_deref().unwrap();
    assert!(used.contains("/ar_4:5,c_fill,g_auto,w_1080/"), "{used}");
    let info = container.info.as_ref().unwrap();
    assert_eq!(
        (info.width, info.height),
        (Some(1080), Some(1350)),
        "Meta fetched the crop"
    );
}
