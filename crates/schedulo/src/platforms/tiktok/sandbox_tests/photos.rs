//! Photo posts: pulled from their URLs; a photo TikTok does not take fails the post with its reason.

use super::*;

#[tokio::test(start_paused = true)]
async fn photos_are_pulled_from_their_urls_and_published() {
    let sandbox = start().await;
    let tiktok = publisher(&sandbox, UploadMode::FileUpload);
    let urls = ["image-1080x1920.jpg", "image-1080x1350.jpg", "sample.jpg"];
    let p = post("Three looks", urls.iter().map(|u| photo(sandbox.file_url(u))).collect());
    tiktok.publisher.check(&p).unwrap();
    let noted = Noted::default();
    let taken = tiktok.send(&p, &noted.receipts(&sandbox)).await.unwrap();
    assert!(taken.receipt.starts_with("p_pub_url~"), "{}", taken.receipt);
    assert_eq!(noted.all().len(), 1);
    let view = &sandbox.publishes()[0];
    assert_eq!(
        (view.kind.as_str(), view.photos, view.caption.as_str()),
        ("photo", 3, "Three looks")
    );
    assert_eq!(sandbox.counters().media_fetched, 3);
    let (_, end) = tiktok.settle(&taken).await;
    let Found::Published(published) = end else {
        panic!("{end:?}")
    };
    assert_eq!(
        published.url,
        format!("https://www.tiktok.com/@alice/video/{}", published.platform_id)
    );
    sandbox.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_png_photo_fails_the_post_with_tiktok_s_reason() {
    let sandbox = start().await;
    let tiktok = publisher(&sandbox, UploadMode::FileUpload);
    // Nothing says the file is a PNG before TikTok reads it, so `check` lets it through.
    let p = post(
        "png",
        vec![
            photo(sandbox.file_url("image-1080x1920.jpg")),
            photo(sandbox.file_url("sample.png")),
        ],
    );
    let taken = tiktok.send(&p, &Receipts::discard()).await.unwrap();
    let (notes, end) = tiktok.settle(&taken).await;
    assert_eq!(notes.len(), 1, "{notes:?}");
    let Found::Failed(message) = end else { panic!("{end:?}") };
    assert!(
        message.starts_with(
            "TikTok did not publish the post: TikTok could not read the media's format (fail_reason file_format_check_failed"
        ),
        "{message}"
    );
    assert!(sandbox.published(OPEN_ID).is_empty());
    sandbox.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_photo_that_cannot_be_downloaded_fails_as_a_pull_failure() {
    let sandbox = start().await;
    let tiktok = publisher(&sandbox, UploadMode::FileUpload);
    let p = post("gone", vec![photo(sandbox.file_url("missing.jpg"))]);
    let taken = tiktok.send(&p, &Receipts::discard()).await.unwrap();
    let (_, end) = tiktok.settle(&taken).await;
    assert!(
        matches!(&end, Found::Failed(m) if m.contains("could not download the media") && m.contains("photo_pull_failed")),
        "{end:?}"
    );
    sandbox.shutdown().await;
}
