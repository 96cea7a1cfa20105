//! Video posts: pulled from their URL and uploaded in chunks, the status sequence, the receipt
//! kept first, and what the creator does not allow.

use super::*;
use crate::error_class::ErrorClass;
use crate::platforms::tiktok::{PrivacyChoice, PrivacyLevel};

const MB: u64 = 1024 * 1024;

#[tokio::test(start_paused = true)]
async fn a_pulled_video_goes_through_processing_and_moderation_and_gets_its_url_once_the_id_comes() {
    let sandbox = start().await;
    let tiktok = publisher(&sandbox, UploadMode::PullFromUrl);
    let p = post(
        "Spring menu #food",
        vec![video(sandbox.file_url("video-1080x1920-12s.mp4"))],
    );
    tiktok.publisher.check(&p).unwrap();
    let noted = Noted::default();
    let taken = tiktok.send(&p, &noted.receipts(&sandbox)).await.unwrap();
    assert!(taken.receipt.starts_with("v_pub_url~"), "{}", taken.receipt);
    assert_eq!(noted.all(), [(taken.receipt.clone(), 0)], "the publish_id is kept");
    assert_eq!(
        taken.prepared.media_ids,
        [
            "privacy_level=PUBLIC_TO_EVERYONE",
            "disable_comment=false",
            "disable_duet=false",
            "disable_stitch=false"
        ]
    );

    let (notes, end) = tiktok.settle(&taken).await;
    assert!(
        notes[0].starts_with("TikTok is processing the post (PROCESSING_DOWNLOAD"),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n == "TikTok published the post; its id comes once moderation is over"),
        "{notes:?}"
    );
    let view = &sandbox.published(OPEN_ID)[0];
    let id = view.post_id.clone().expect("moderation gave the id");
    let Found::Published(published) = end else {
        panic!("{end:?}")
    };
    assert_eq!(published.platform_id, id);
    assert_eq!(published.url, format!("https://www.tiktok.com/@alice/video/{id}"));
    assert_eq!(
        (view.caption.as_str(), view.source.as_str()),
        ("Spring menu #food", "PULL_FROM_URL")
    );
    sandbox.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn an_uploaded_video_arrives_in_the_chunks_init_announced_after_its_receipt_was_kept() {
    let sandbox = start().await;
    let tiktok = publisher_with(&sandbox, UploadMode::FileUpload, |o| o.chunk_size = 5 * MB);
    // 16 MB in chunks of 5 MB: 3 chunks, the last taking the trailing 6 MB.
    let p = post(
        "Behind the scenes",
        vec![video(sandbox.file_url("video-1080x1920-12s-16mb.mp4"))],
    );
    let noted = Noted::default();
    let taken = tiktok.send(&p, &noted.receipts(&sandbox)).await.unwrap();
    assert!(taken.receipt.starts_with("v_pub_file~"), "{}", taken.receipt);
    assert_eq!(
        noted.all(),
        [(taken.receipt.clone(), 0)],
        "kept before the first chunk went"
    );
    let view = &sandbox.publishes()[0];
    assert_eq!((view.chunks, view.total_chunk_count), (3, 3));
    assert!(view.bytes >= 16 * MB, "{}", view.bytes);
    assert_eq!(sandbox.counters().count("PUT /upload/video/", 206), 2);
    assert_eq!(sandbox.counters().count("PUT /upload/video/", 201), 1);

    let (notes, end) = tiktok.settle(&taken).await;
    assert!(
        notes[0].starts_with("TikTok is processing the post (PROCESSING_UPLOAD, 16"),
        "{notes:?}"
    );
    assert!(
        matches!(end, Found::Published(ref p) if p.url.starts_with("https://www.tiktok.com/@alice/video/")),
        "{end:?}"
    );
    sandbox.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_small_video_is_uploaded_whole() {
    let sandbox = start().await;
    let tiktok = publisher(&sandbox, UploadMode::FileUpload);
    let p = post("tiny", vec![video(sandbox.file_url("video-720x1280-5s.mp4"))]);
    let before = sandbox.now();
    tiktok.send(&p, &Receipts::discard()).await.unwrap();
    let view = &sandbox.publishes()[0];
    assert_eq!((view.chunks, view.total_chunk_count), (1, 1));
    assert!(
        view.init_at >= before && view.init_at <= sandbox.now(),
        "init_at {} is when init arrived, on the sandbox's clock",
        view.init_at
    );
    sandbox.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_video_longer_than_the_creator_allows_is_refused_before_init_or_fails_at_tiktok() {
    let creator = TikTokSandboxCreator {
        max_video_post_duration_sec: 60,
        ..alice()
    };
    let sandbox = start_with(creator, TikTokSandboxLimits::default()).await;
    let tiktok = publisher(&sandbox, UploadMode::PullFromUrl);
    // Known length: refused by prepare, naming both values.
    let mut long = video(sandbox.file_url("video-1080x1920-90s.mp4"));
    long.info.duration_secs = Some(90.0);
    let err = tiktok
        .send(&post("long", vec![long]), &Receipts::discard())
        .await
        .err()
        .unwrap();
    assert_eq!(err.class, ErrorClass::Permanent);
    assert_eq!(
        err.message,
        "TikTok lets this creator (@alice) post videos up to 1 min (60 s); the video (video-1080x1920-90s.mp4) lasts 1 min 30 s"
    );
    assert_eq!(sandbox.counters().posts_taken, 0);

    // Unknown length: TikTok takes the post, then fails it; the failure names the reason.
    let unknown = video(sandbox.file_url("video-1080x1920-90s.mp4"));
    let taken = tiktok
        .send(&post("long", vec![unknown]), &Receipts::discard())
        .await
        .unwrap();
    let (_, end) = tiktok.settle(&taken).await;
    let Found::Failed(message) = end else { panic!("{end:?}") };
    assert_eq!(
        message,
        format!(
            "TikTok did not publish the post: the video's length is outside what TikTok allows this creator \
             (fail_reason duration_check_failed, publish_id {})",
            taken.receipt
        )
    );
    sandbox.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_privacy_level_the_creator_does_not_offer_is_refused_naming_it() {
    let creator = TikTokSandboxCreator {
        privacy_level_options: vec!["SELF_ONLY".into()],
        ..alice()
    };
    let sandbox = start_with(creator, TikTokSandboxLimits::default()).await;
    let tiktok = publisher_with(&sandbox, UploadMode::PullFromUrl, |o| {
        o.privacy = PrivacyChoice::Exactly(PrivacyLevel::PublicToEveryone)
    });
    let p = post("hi", vec![video(sandbox.file_url("video-1080x1920-12s.mp4"))]);
    let err = tiktok.send(&p, &Receipts::discard()).await.err().unwrap();
    assert_eq!(
        (err.class, err.message.as_str()),
        (
            ErrorClass::Permanent,
            "TikTok does not let this creator (@alice) post with privacy level PUBLIC_TO_EVERYONE; the creator allows SELF_ONLY"
        )
    );
    // A publish without preparation asks the creator itself, and refuses the same way.
    let err = tiktok
        .publisher
        .publish(&account(), &p, &Prepared::default(), &Receipts::discard())
        .await
        .unwrap_err();
    assert!(
        err.message.starts_with("TikTok does not let this creator"),
        "{}",
        err.message
    );
    assert_eq!(sandbox.counters().posts_taken, 0);
    sandbox.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_self_only_post_has_no_public_id_and_is_reported_with_the_profile_after_the_deadline() {
    let sandbox = start().await;
    let tiktok = publisher_with(&sandbox, UploadMode::PullFromUrl, |o| {
        o.privacy = PrivacyChoice::Exactly(PrivacyLevel::SelfOnly);
        o.moderation_deadline = std::time::Duration::from_secs(600);
    });
    let p = post("private", vec![video(sandbox.file_url("video-1080x1920-12s.mp4"))]);
    let taken = tiktok.send(&p, &Receipts::discard()).await.unwrap();
    let (_, end) = tiktok.settle(&taken).await;
    assert!(tiktok.clock.now() >= taken.since + chrono::Duration::seconds(600));
    let Found::Published(published) = end else {
        panic!("{end:?}")
    };
    assert_eq!(
        (published.platform_id.as_str(), published.url.as_str()),
        (taken.receipt.as_str(), "https://www.tiktok.com/@alice")
    );
    sandbox.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn text_only_posts_and_stories_are_refused_before_any_call() {
    let sandbox = start().await;
    let tiktok = publisher(&sandbox, UploadMode::FileUpload);
    let words = post("just words", vec![]);
    assert_eq!(
        tiktok.publisher.check(&words).unwrap_err().message,
        "TikTok needs a video or photos; this post has neither"
    );
    let err = tiktok.publisher.prepare(&account(), &words).await.unwrap_err();
    assert_eq!(err.class, ErrorClass::Permanent);
    let mut story = post("s", vec![video(sandbox.file_url("video-1080x1920-12s.mp4"))]);
    story.format = PostFormat::Story;
    assert!(tiktok
        .publisher
        .check(&story)
        .unwrap_err()
        .message
        .starts_with("TikTok has no Stories"));
    let mut reel = story.clone();
    reel.format = PostFormat::Reel;
    tiktok.publisher.check(&reel).unwrap();
    assert!(sandbox.counters().requests.is_empty(), "{:?}", sandbox.counters());
    sandbox.shutdown().await;
}
