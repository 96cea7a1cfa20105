//! Reconciling through the Display API: a post TikTok completed but whose status gives no id yet
//! is found in the account's `video/list`, with its real id and URL.

use super::*;
use std::time::Duration;

#[tokio::test(start_paused = true)]
async fn a_completed_post_without_an_id_in_its_status_gets_its_id_from_the_video_list() {
    let sandbox = start().await;
    let tiktok = publisher(&sandbox, UploadMode::PullFromUrl);
    let p = post(
        "Spring is here\n#garden",
        vec![video(sandbox.file_url("video-1080x1920-12s.mp4"))],
    );
    let noted = Noted::default();
    let sent = tiktok.send(&p, &noted.receipts(&sandbox)).await.unwrap();
    tokio::time::sleep(Duration::from_secs(6)).await;
    let status = sandbox.publishes();
    assert_eq!(
        (status[0].status.as_str(), status[0].post_id.as_ref()),
        ("PUBLISH_COMPLETE", None),
        "moderation is not over: the status gives no id"
    );
    let attempt = Attempt {
        since: sent.since,
        prepared: Some(&sent.prepared),
        receipt: Some(&sent.receipt),
    };
    let found = tiktok
        .publisher
        .reconcile(&account(), &p, attempt)
        .await
        .unwrap()
        .into_published()
        .expect("published");
    assert_ne!(found.platform_id, sent.receipt, "the video's id, not the publish_id");
    assert_eq!(
        found.url,
        format!("https://www.tiktok.com/@alice/video/{}", found.platform_id)
    );
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert_eq!(
        sandbox.published(OPEN_ID)[0].post_id.as_deref(),
        Some(found.platform_id.as_str())
    );
    let list = "POST /v2/video/list/";
    assert_eq!(sandbox.counters().count(list, 200), 1, "one page was enough");
    sandbox.shutdown().await;
}
