//! TikTok's limits as rate limits, never failures; unknown outcomes; failed uploads; no token in
//! any error.

use super::*;
use crate::error_class::ErrorClass;
use serde_json::json;
use std::time::Duration;

const INIT: &str = "POST /v2/post/publish/video/init/";

fn clip(sandbox: &TikTokSandbox, n: u32) -> PostContent {
    post(
        &format!("clip {n}"),
        vec![video(sandbox.file_url(&format!("video-1080x1920-12s.mp4?n={n}")))],
    )
}

#[tokio::test(start_paused = true)]
async fn the_seventh_init_in_a_minute_is_answered_429_and_held_with_retry_at() {
    let sandbox = start().await;
    // A publisher that does not pace itself, to meet TikTok's limit.
    let tiktok = publisher_with(&sandbox, UploadMode::PullFromUrl, |o| {
        o.limits.init_per_minute = 600;
        o.limits.creator_info_per_minute = 600;
    });
    for n in 0..6 {
        tiktok.send(&clip(&sandbox, n), &Receipts::discard()).await.unwrap();
    }
    let before = tiktok.clock.now();
    let err = tiktok
        .send(&clip(&sandbox, 6), &Receipts::discard())
        .await
        .err()
        .unwrap();
    assert_eq!(err.class, ErrorClass::RateLimited);
    assert!(
        err.message
            .starts_with("TikTok refused the video post (429 rate_limit_exceeded"),
        "{}",
        err.message
    );
    let retry_at = err.retry_at.unwrap();
    assert!(retry_at >= before + chrono::Duration::seconds(60) && retry_at <= before + chrono::Duration::seconds(61));
    assert_eq!(sandbox.counters().count(INIT, 429), 1);

    // Held: the next publish answers at once, without calling.
    let held = tiktok
        .publisher
        .publish(
            &account(),
            &clip(&sandbox, 7),
            &Prepared::default(),
            &Receipts::discard(),
        )
        .await;
    let held = held.unwrap_err();
    assert_eq!((held.class, held.retry_at), (ErrorClass::RateLimited, Some(retry_at)));
    assert!(held.message.contains("TikTok was not called"), "{}", held.message);
    assert_eq!(sandbox.counters().total(INIT), 7);
    sandbox.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn the_publisher_paces_its_inits_and_answers_rate_limited_rather_than_wait_long() {
    let sandbox = start().await;
    let tiktok = publisher(&sandbox, UploadMode::PullFromUrl);
    tiktok.send(&clip(&sandbox, 0), &Receipts::discard()).await.unwrap();
    let now = tiktok.clock.now();
    let err = tiktok
        .send(&clip(&sandbox, 1), &Receipts::discard())
        .await
        .err()
        .unwrap();
    assert_eq!(err.class, ErrorClass::RateLimited);
    assert!(
        err.message.starts_with("The post waits until ")
            && err.message.ends_with(
                ": TikTok's limit of 6 init calls a minute for this account is used up (TikTok was not called)"
            ),
        "{}",
        err.message
    );
    let retry_at = err.retry_at.unwrap();
    assert!(
        retry_at > now && retry_at <= now + chrono::Duration::seconds(10),
        "{retry_at} {now}"
    );
    assert_eq!(sandbox.counters().total(INIT), 1, "TikTok was not called");
    tokio::time::sleep((retry_at - tiktok.clock.now()).to_std().unwrap()).await;
    tiktok.send(&clip(&sandbox, 1), &Receipts::discard()).await.unwrap();
    sandbox.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn the_daily_cap_holds_posts_with_retry_at_and_they_go_out_once_it_reopens() {
    let limits = TikTokSandboxLimits {
        daily_posts: 2,
        ..TikTokSandboxLimits::default()
    };
    let sandbox = start_with(alice(), limits).await;
    let tiktok = publisher(&sandbox, UploadMode::PullFromUrl);
    for n in 0..2 {
        tiktok.send(&clip(&sandbox, n), &Receipts::discard()).await.unwrap();
        tokio::time::sleep(Duration::from_secs(10)).await;
    }
    let now = tiktok.clock.now();
    let err = tiktok
        .send(&clip(&sandbox, 2), &Receipts::discard())
        .await
        .err()
        .unwrap();
    assert_eq!(err.class, ErrorClass::RateLimited);
    assert!(
        err.message
            .starts_with("TikTok refused the video post (403 spam_risk_too_many_posts: "),
        "{}",
        err.message
    );
    assert!(
        err.message.contains("TikTok gives no time when its daily cap reopens"),
        "{}",
        err.message
    );
    let retry_at = err.retry_at.unwrap();
    assert_eq!(retry_at, now + chrono::Duration::hours(1));

    // Held without a call (not even creator_info) until then.
    let calls = sandbox
        .counters()
        .requests
        .values()
        .map(|s| s.values().sum::<u64>())
        .sum::<u64>();
    let held = tiktok
        .send(&clip(&sandbox, 2), &Receipts::discard())
        .await
        .err()
        .unwrap();
    assert_eq!((held.class, held.retry_at), (ErrorClass::RateLimited, Some(retry_at)));
    let after = sandbox
        .counters()
        .requests
        .values()
        .map(|s| s.values().sum::<u64>())
        .sum::<u64>();
    assert_eq!(calls, after);

    // An hour on, the cap still holds at TikTok: held again, an hour more.
    tokio::time::sleep(Duration::from_secs(3600)).await;
    let again = tiktok
        .send(&clip(&sandbox, 2), &Receipts::discard())
        .await
        .err()
        .unwrap();
    assert_eq!(again.class, ErrorClass::RateLimited);
    // Once the rolling day has passed, the post goes out.
    let reopens = sandbox.cap_ends(OPEN_ID).expect("capped");
    tokio::time::sleep((reopens - tiktok.clock.now()).to_std().unwrap() + Duration::from_secs(3600)).await;
    tiktok.send(&clip(&sandbox, 2), &Receipts::discard()).await.unwrap();
    assert_eq!(sandbox.counters().posts_taken, 3);
    sandbox.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_timeout_or_a_5xx_on_init_is_an_unknown_outcome_and_reconciling_without_a_receipt_looks_in_the_video_list() {
    let sandbox = start().await;
    let http = Http::new(&sandbox);
    let tiktok = publisher_with(&sandbox, UploadMode::PullFromUrl, |o| {
        o.limits.init_per_minute = 600;
    });
    http.fault(json!({"method": "POST", "path_prefix": "/v2/post/publish/video/init/", "count": 1, "status": 500}))
        .await;
    let err = tiktok
        .send(&clip(&sandbox, 0), &Receipts::discard())
        .await
        .err()
        .unwrap();
    assert_eq!(err.class, ErrorClass::OutcomeUnknown);
    assert!(
        err.message
            .starts_with("TikTok refused the video post (500 internal_error"),
        "{}",
        err.message
    );
    http.fault(json!({"path_prefix": "/v2/post/publish/video/init/", "count": 1, "apply_then_delay_ms": 60000}))
        .await;
    let err = tiktok
        .send(&clip(&sandbox, 1), &Receipts::discard())
        .await
        .err()
        .unwrap();
    assert_eq!(err.class, ErrorClass::OutcomeUnknown);
    assert!(
        err.message
            .starts_with("TikTok did not answer the video post within 30 s"),
        "{}",
        err.message
    );
    assert_eq!(
        sandbox.counters().posts_taken,
        1,
        "the sandbox took it, the publisher never heard"
    );

    // The answer was lost, not the post: TikTok processed it meanwhile, and lists it.
    let since = tiktok.clock.now() - chrono::Duration::minutes(2);
    tokio::time::sleep(Duration::from_secs(60)).await;
    let found = tiktok
        .publisher
        .reconcile(&account(), &clip(&sandbox, 1), Attempt::since(since))
        .await
        .unwrap()
        .into_published()
        .expect("found in video/list");
    let taken = sandbox.published(OPEN_ID);
    assert_eq!(
        Some(found.platform_id.clone()),
        taken[0].post_id,
        "the post TikTok took"
    );
    assert_eq!(
        found.url,
        format!("https://www.tiktok.com/@alice/video/{}", found.platform_id)
    );
    let other = clip(&sandbox, 7);
    assert_eq!(
        tiktok
            .publisher
            .reconcile(&account(), &other, Attempt::since(since))
            .await
            .unwrap(),
        Found::NotPublished { certain: false }
    );
    let photos = post("photos", vec![photo(sandbox.file_url("image-1080x1350.jpg"))]);
    let err = tiktok
        .publisher
        .reconcile(&account(), &photos, Attempt::since(since))
        .await
        .unwrap_err();
    assert_eq!(err.class, ErrorClass::Permanent);
    assert!(err
        .message
        .starts_with("TikTok cannot be asked about a post whose publish_id was not kept"));
    sandbox.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_chunk_refused_after_the_receipt_was_kept_means_the_post_did_not_go_out() {
    let sandbox = start().await;
    let http = Http::new(&sandbox);
    let tiktok = publisher_with(&sandbox, UploadMode::FileUpload, |o| o.chunk_size = 5 * 1024 * 1024);
    http.fault(json!({"method": "PUT", "path_prefix": "/upload/video/", "skip": 1, "count": 1, "status": 503}))
        .await;
    let noted = Noted::default();
    let p = post("fails", vec![video(sandbox.file_url("video-1080x1920-12s-12mb.mp4"))]);
    let err = tiktok.send(&p, &noted.receipts(&sandbox)).await.err().unwrap();
    assert_eq!(noted.all().len(), 1, "the publish_id was kept");
    assert_eq!(err.class, ErrorClass::Transient);
    assert!(
        err.message
            .starts_with("TikTok did not take chunk 2 of 2 of video-1080x1920-12s-12mb.mp4 (503 internal_error"),
        "{}",
        err.message
    );
    assert!(err
        .message
        .ends_with("the video did not reach TikTok, so the post did not go out"));
    assert!(!err.message.contains("upload_token"), "{}", err.message);
    sandbox.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn no_error_carries_the_token() {
    let sandbox = start().await;
    let http = Http::new(&sandbox);
    let tiktok = publisher(&sandbox, UploadMode::PullFromUrl);
    let p = clip(&sandbox, 0);
    let wrong = "act.a-revoked-token-of-alice-9999";
    let err = tiktok.publisher.prepare(&account_with(wrong), &p).await.unwrap_err();
    assert_eq!(err.class, ErrorClass::Auth);
    assert!(
        err.message
            .starts_with("TikTok refused the creator's info (401 access_token_invalid"),
        "{}",
        err.message
    );
    assert!(!format!("{err:?}").contains(wrong));
    // A body that echoes the request's token is scrubbed.
    http.fault(json!({
        "path_prefix": "/v2/post/publish/creator_info/query/",
        "count": 1,
        "status": 400,
        "body": {"data": {}, "error": {"code": "invalid_params", "message": format!("bad header: Bearer {TOKEN}"), "log_id": "1"}},
    }))
    .await;
    let err = tiktok.publisher.prepare(&account(), &p).await.unwrap_err();
    assert_eq!(
        err.message,
        "TikTok refused the creator's info (400 invalid_params: bad header: Bearer [token] (log_id 1))"
    );
    assert!(!format!("{err:?}").contains(TOKEN));
    sandbox.shutdown().await;
}
