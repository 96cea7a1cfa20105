//! Video and GIF through the chunked upload: the real publisher against the sandbox.

use super::*;
use crate::error_class::ErrorClass;
use crate::media::MediaInfo;
use crate::platforms::x::XRules;
use crate::platforms::{PostFormat, Publisher, Receipts};
use serde_json::json;
use std::time::Duration;

const APPEND: &str = "POST /2/media/upload/{id}/append";
const INITIALIZE: &str = "POST /2/media/upload/initialize";

fn moving(text: &str, url: String, kind: MediaKind) -> PostContent {
    let mut p = post(text, &[]);
    p.media = vec![MediaRef::new(url, kind)];
    p
}

async fn start_with(limits: XSandboxLimits) -> XSandbox {
    XSandbox::start(XSandboxOptions {
        data_dir: None,
        listen: "127.0.0.1:0".parse().unwrap(),
        users: vec![alice()],
        limits,
    })
    .await
    .unwrap()
}

fn publisher_with(sandbox: &XSandbox, change: impl FnOnce(&mut XOptions)) -> XPublisher {
    let mut options = XOptions::new(sandbox.url().parse().unwrap());
    change(&mut options);
    XPublisher::new(options).unwrap()
}

/// A 10-second MP4 is uploaded in one segment, processed, and posted; it may be prepared 23 h
/// ahead, and what is prepared says until when X keeps it.
#[tokio::test(start_paused = true)]
async fn a_video_publishes_through_the_chunked_upload() {
    let sandbox = start().await;
    let x = publisher(&sandbox);
    let post = moving(
        "Our new menu",
        sandbox.file_url("video-1280x720-10s.mp4"),
        MediaKind::Video,
    );
    x.check(&post).unwrap();
    assert_eq!(x.prepare_ahead(&post), Some(Duration::from_secs(23 * 3600)));
    let prepared = x.prepare(&account(), &post).await.unwrap();
    assert!(prepared.ready, "processing was waited for");
    assert_eq!(prepared.media_ids.len(), 1);
    let expires = prepared.expires_at.expect("X says how long the media id lives");
    assert!(expires > chrono::Utc::now() + chrono::Duration::hours(23));
    let published = x
        .publish(&account(), &post, &prepared, &Receipts::discard())
        .await
        .unwrap()
        .into_published()
        .unwrap();
    let tweets = sandbox.tweets(USER_ID);
    assert_eq!(tweets.len(), 1);
    assert_eq!(
        (&tweets[0].0, &tweets[0].2),
        (&published.platform_id, &prepared.media_ids)
    );
    let c = sandbox.counters();
    assert_eq!(
        (c.total(INITIALIZE), c.count(APPEND, 200), c.media_finalized),
        (1, 1, 1)
    );
    assert!(
        c.count("GET /2/media/upload", 200) >= 1,
        "STATUS was polled: {:?}",
        c.requests
    );
    sandbox.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn an_animated_gif_publishes_as_tweet_gif() {
    let sandbox = start().await;
    let x = publisher(&sandbox);
    let post = moving("Party", sandbox.file_url("anim-320x240-12f.gif"), MediaKind::Gif);
    assert_eq!(x.prepare_ahead(&post), Some(Duration::from_secs(23 * 3600)));
    let prepared = x.prepare(&account(), &post).await.unwrap();
    assert!(prepared.ready);
    x.publish(&account(), &post, &prepared, &Receipts::discard())
        .await
        .unwrap();
    assert_eq!(sandbox.tweets(USER_ID)[0].2, prepared.media_ids);
    sandbox.shutdown().await;
}

/// Known before the call (from the post's media info) or read from the downloaded file, a video
/// of 2 min 30 s is refused with the rule and the value, and nothing is uploaded.
#[tokio::test(start_paused = true)]
async fn a_video_longer_than_x_allows_is_refused_with_the_rule_and_its_length() {
    let sandbox = start().await;
    let x = publisher(&sandbox);
    let mut known = moving("Long", "https://cdn.example.com/v/long.mp4".into(), MediaKind::Video);
    known.media[0].info = MediaInfo {
        duration_secs: Some(150.0),
        ..MediaInfo::default()
    };
    let v = x.check(&known).unwrap_err();
    assert_eq!(
        (v.rule, v.message.as_str()),
        (
            "x.video_duration",
            "X allows videos from 0.5 s to 2 min 20 s; video 1 (long.mp4) lasts 2 min 30 s"
        )
    );
    let unknown = moving("Long", sandbox.file_url("video-1280x720-150s.mp4"), MediaKind::Video);
    x.check(&unknown).unwrap();
    let e = x.prepare(&account(), &unknown).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Permanent);
    assert_eq!(
        e.message,
        "X allows videos from 0.5 s to 2 min 20 s; video 1 (video-1280x720-150s.mp4) lasts 2 min 30 s"
    );
    assert_eq!(sandbox.counters().total(INITIALIZE), 0, "nothing was uploaded");
    sandbox.shutdown().await;
}

/// With looser rules in the publisher, X's own processing refuses the file: the post fails with
/// X's words, permanently.
#[tokio::test(start_paused = true)]
async fn a_processing_failure_becomes_a_clear_permanent_error() {
    let sandbox = start().await;
    let x = publisher_with(&sandbox, |o| {
        o.rules = XRules {
            max_video_secs: 600.0,
            ..XRules::default()
        }
    });
    let post = moving("Long", sandbox.file_url("video-1280x720-150s.mp4"), MediaKind::Video);
    let e = x.prepare(&account(), &post).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Permanent);
    assert_eq!(
        e.message,
        "X could not process video 1 (video-1280x720-150s.mp4): Invalid or Unsupported media, Reason: the video lasts \
         150.0 s; X takes 0.5 s to 140 s (sandbox wording)"
    );
    assert!(sandbox.tweets(USER_ID).is_empty());
    sandbox.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_5xx_on_append_is_transient_and_the_next_attempt_uploads() {
    let sandbox = start().await;
    let x = publisher(&sandbox);
    // The first POST under /2/media/upload/ is initialize; the second is the first append.
    Http::new(&sandbox)
        .fault(json!({"method": "POST", "path_prefix": "/2/media/upload/", "skip": 1, "count": 1, "status": 503}))
        .await;
    let post = moving("Retry", sandbox.file_url("video-640x360-5s.mp4"), MediaKind::Video);
    let e = x.prepare(&account(), &post).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Transient, "{}", e.message);
    assert_eq!(
        e.message,
        "X refused the append (segment 0) of video 1 (video-640x360-5s.mp4) (503): Service Unavailable"
    );
    assert!(!e.message.contains(TOKEN));
    let prepared = x.prepare(&account(), &post).await.unwrap();
    assert!(prepared.ready);
    sandbox.shutdown().await;
}

/// A 12 MiB video goes in segments of 4 MiB (or 1 MiB), read from a temporary file one at a time:
/// the sandbox sees 3 (or 12) appends that add up to the file.
#[tokio::test(start_paused = true)]
async fn a_large_video_is_appended_in_segments_of_the_configured_size() {
    let sandbox = start().await;
    let x = publisher(&sandbox);
    let name = "video-1280x720-10s-12mb.mp4";
    let size = schedulo_sandbox::files::file(name).unwrap().0.len() as u64;
    assert_eq!(size, 12 * 1024 * 1024);
    let post = moving("Big", sandbox.file_url(name), MediaKind::Video);
    let prepared = x.prepare(&account(), &post).await.unwrap();
    assert!(prepared.ready);
    let c = sandbox.counters();
    assert_eq!((c.count(APPEND, 200), c.media_segments), (3, 3));
    let small = publisher_with(&sandbox, |o| o.chunk_bytes = 1024 * 1024);
    small.prepare(&account(), &post).await.unwrap();
    assert_eq!(sandbox.counters().media_segments, 3 + 12);
    sandbox.shutdown().await;
}

/// Processing slower than the publisher waits: preparation hands back a media id not ready yet,
/// and publishing waits for it before posting.
#[tokio::test(start_paused = true)]
async fn a_video_still_processing_after_preparation_is_waited_for_before_posting() {
    let sandbox = start_with(XSandboxLimits {
        processing_time: Duration::from_secs(15 * 60),
        ..XSandboxLimits::default()
    })
    .await;
    let x = publisher(&sandbox);
    let post = moving("Slow", sandbox.file_url("video-720x1280-20s.mp4"), MediaKind::Video);
    let prepared = x.prepare(&account(), &post).await.unwrap();
    assert!(!prepared.ready, "10 minutes were not enough");
    x.publish(&account(), &post, &prepared, &Receipts::discard())
        .await
        .unwrap();
    assert_eq!(sandbox.tweets(USER_ID).len(), 1);
    sandbox.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn stories_reels_and_a_gif_beside_an_image_are_refused_before_any_call() {
    let sandbox = start().await;
    let x = publisher(&sandbox);
    let mut story = moving("S", sandbox.file_url("video-720x1280-10s.mp4"), MediaKind::Video);
    story.format = PostFormat::Story;
    assert_eq!(
        x.check(&story).unwrap_err().message,
        "X has no Stories: set Format to Post"
    );
    story.format = PostFormat::Reel;
    assert_eq!(x.check(&story).unwrap_err().rule, "x.format");
    let mut mixed = moving("M", sandbox.file_url("anim-10x10-2f.gif"), MediaKind::Gif);
    mixed
        .media
        .push(MediaRef::new(sandbox.file_url("sample.jpg"), MediaKind::Image));
    assert_eq!(x.check(&mixed).unwrap_err().rule, "x.media_mix");
    let wide = moving("W", sandbox.file_url("video-1600x400-10s.mp4"), MediaKind::Video);
    let e = x.prepare(&account(), &wide).await.unwrap_err();
    assert_eq!(
        e.message,
        "X allows videos from 1:3 to 3:1 (width:height); video 1 (video-1600x400-10s.mp4) is 1600x400 (4:1)"
    );
    sandbox.shutdown().await;
}
