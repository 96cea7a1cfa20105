//! TikTok through the scheduler: the publish_id kept the moment `init` returns, the status
//! followed until TikTok completes, never a second `init` after a crash.

use crate::helpers::{World, TT_OPEN_ID, TT_TOKEN};
use schedulo::base::names::posts;
use schedulo::platforms::tiktok::{TikTokOptions, TikTokPublisher};
use schedulo::platforms::{Account, PostContent, Publisher, Receipts};
use schedulo::scenarios::post_scheduler::Outcome;
use serde_json::json;

/// A video post goes out at its time: `init` at the due second, Airtable told it is processing,
/// then Posted with the video's URL once TikTok's moderation gives the id.
#[tokio::test(start_paused = true)]
async fn a_video_is_sent_at_its_time_and_posted_once_tiktok_completes() {
    let w = World::start().await;
    let video = w.media("Video", &["video-1080x1920-12s.mp4"]).await;
    let id = w
        .schedule_media(&w.tt_account, "Bread, in 12 seconds", 10, Some(&video), None)
        .await;
    w.scheduler.sync().await.unwrap();
    w.advance(10).await;
    let outcomes = w.scheduler.publish_due().await.unwrap();
    assert!(matches!(&outcomes[..], [(_, Outcome::Processing(_))]), "{outcomes:?}");
    let sent = w.tiktok.publishes();
    assert_eq!(sent.len(), 1, "one init");
    let row = w.journal.get(&id).await.unwrap().unwrap();
    assert_eq!(
        row.receipt.as_deref(),
        Some(sent[0].publish_id.as_str()),
        "publish_id kept"
    );
    w.outbox.flush().await.unwrap();
    let record = w.post(&id).await;
    assert_eq!(record.fields[posts::STATUS], json!("Scheduled"));
    let shown = record.fields[posts::ERROR_MESSAGE].as_str().unwrap();
    assert!(shown.starts_with("Sent to TikTok at "), "{shown}");

    let outcomes = w.reconcile_for(600, 5).await;
    assert!(matches!(&outcomes[..], [(_, Outcome::Published(_))]), "{outcomes:?}");
    w.outbox.flush().await.unwrap();
    let record = w.post(&id).await;
    assert_eq!(record.fields[posts::STATUS], json!("Posted"));
    let url = record.fields[posts::POST_URL].as_str().unwrap();
    assert!(url.starts_with("https://www.tiktok.com/@ada/video/"), "{url}");
    assert_eq!(w.tiktok.publishes().len(), 1, "never a second init");
}

/// The worker died right after `init` returned (the publish_id kept, nothing else recorded): after
/// a restart the post is followed by its publish_id, and TikTok gets no second `init`.
#[tokio::test(start_paused = true)]
async fn killed_after_init_does_not_post_again_after_restart() {
    let mut w = World::start().await;
    let video = w.media("Video", &["video-720x1280-8s.mp4"]).await;
    let id = w
        .schedule_media(&w.tt_account, "Killed after init", 5, Some(&video), None)
        .await;
    w.scheduler.sync().await.unwrap();
    w.advance(5).await;
    let claimed = w
        .journal
        .claim_intent(&id, "the-dead-worker", w.clock.now())
        .await
        .unwrap()
        .unwrap();
    // The dead worker's publisher: init went through and its publish_id reached the journal.
    let files: url::Url = w.x.url().parse().unwrap();
    let delivery: url::Url = "https://res.cloudinary.com".parse().unwrap();
    let media = schedulo::fetch::MediaFetcher::new(schedulo::fetch::MediaPolicy::new(&delivery, Vec::new(), &[&files]));
    let tiktok = TikTokPublisher::new(TikTokOptions {
        media: Some(media.unwrap()),
        ..TikTokOptions::new(w.tiktok.url().parse().unwrap())
    })
    .unwrap();
    let account = Account {
        record_id: w.tt_account.clone(),
        external_id: TT_OPEN_ID.into(),
        handle: Some("ada".into()),
        token: secrecy::SecretString::from(TT_TOKEN),
    };
    let content = PostContent {
        record_id: id.clone(),
        text: "Killed after init".into(),
        link: None,
        media: vec![schedulo::platforms::MediaRef::new(
            w.file_url("video-720x1280-8s.mp4"),
            schedulo::platforms::MediaKind::Video,
        )],
        format: Default::default(),
    };
    let journal = w.journal.clone();
    let record = claimed.record_id.clone();
    let receipts = Receipts::new(move |r| {
        let journal = journal.clone();
        let record = record.clone();
        async move { journal.record_receipt(&record, &r).await.map_err(|e| e.to_string()) }
    });
    let prepared = tiktok.prepare(&account, &content).await.unwrap();
    tiktok.publish(&account, &content, &prepared, &receipts).await.unwrap();
    w.restart().await;
    let outcomes = w.reconcile_for(600, 5).await;
    assert!(matches!(&outcomes[..], [(_, Outcome::Published(_))]), "{outcomes:?}");
    w.scheduler.publish_due().await.unwrap();
    assert_eq!(w.tiktok.publishes().len(), 1, "no second init");
    w.outbox.flush().await.unwrap();
    assert_eq!(w.post(&id).await.fields[posts::STATUS], json!("Posted"));
}

/// TikTok takes no text-only post, and no story: refused before any call, with the reason.
#[tokio::test(start_paused = true)]
async fn text_only_and_stories_are_refused_with_the_reason() {
    let w = World::start().await;
    let text = w.schedule(&w.tt_account, "Just words", 5).await;
    let video = w.media("Video", &["video-1080x1920-9s.mp4"]).await;
    let story = w
        .schedule_media(&w.tt_account, "A story", 5, Some(&video), Some("Story"))
        .await;
    w.scheduler.sync().await.unwrap();
    w.advance(5).await;
    w.scheduler.publish_due().await.unwrap();
    w.outbox.flush().await.unwrap();
    for (id, expect) in [(text, "video or photos"), (story, "Stor")] {
        let record = w.post(&id).await;
        assert_eq!(record.fields[posts::STATUS], json!("Failed"));
        let message = record.fields[posts::ERROR_MESSAGE].as_str().unwrap();
        assert!(message.contains("TikTok") && message.contains(expect), "{message}");
    }
    assert!(w.tiktok.publishes().is_empty());
}
