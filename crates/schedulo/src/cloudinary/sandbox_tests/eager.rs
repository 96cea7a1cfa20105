//! Eager transformations, delivery of derived files, and the asynchronous video eager with its
//! signed notification.

use super::*;
use axum::http::HeaderMap;
use tokio::sync::mpsc;

fn decode(bytes: &[u8]) -> (u32, u32) {
    let img = image::load_from_memory(bytes).unwrap();
    (img.width(), img.height())
}

/// Each of the worker's image variants is made at upload with its exact size, and its delivery
/// URL serves a file of that size.
#[tokio::test]
async fn eager_image_variants_have_their_exact_sizes() {
    let sb = start().await;
    let eager = crate::cloudinary::variants::eager(crate::cloudinary::variants::Resource::Image);
    let fields = signed(&sb, &[("public_id", "photo"), ("eager", eager.as_str())]);
    let (status, body) = upload(&sb, "image", sample("image-1600x1200.jpg"), "p.jpg", fields).await;
    assert_eq!(status, 200, "{body}");
    let items = body["eager"].as_array().unwrap();
    assert_eq!(items.len(), 6);
    let portrait = &items[1];
    assert_eq!(portrait["transformation"], "ar_4:5,c_fill,g_auto,w_1080");
    assert_eq!(
        (portrait["width"].as_u64(), portrait["height"].as_u64()),
        (Some(1080), Some(1350))
    );
    for item in items {
        let bytes = reqwest::get(item["secure_url"].as_str().unwrap())
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let size = decode(&bytes);
        assert_eq!(
            (u64::from(size.0), u64::from(size.1)),
            (item["width"].as_u64().unwrap(), item["height"].as_u64().unwrap()),
            "{item}"
        );
        assert_eq!(bytes.len() as u64, item["bytes"].as_u64().unwrap());
    }
    assert_eq!(sb.counters().cloud(CLOUD).transformations, 6);
}

/// A delivery URL with a transformation not made eagerly is rendered on demand, with or without
/// the version, in the format its extension names; unknown ones are 404; ranges are honoured.
#[tokio::test]
async fn delivery_urls_serve_originals_and_derived_files() {
    let sb = start().await;
    let (_, body) = upload(
        &sb,
        "image",
        sample("image-400x300.jpg"),
        "p.jpg",
        signed(&sb, &[("public_id", "f/pic")]),
    )
    .await;
    let v = body["version"].as_i64().unwrap();
    let base = format!("{}/demo/image/upload", sb.url());
    let r = reqwest::get(format!("{base}/c_fill,h_50,w_100/v{v}/f/pic.png"))
        .await
        .unwrap();
    assert_eq!(
        (r.status().as_u16(), r.headers()["content-type"].to_str().unwrap()),
        (200, "image/png")
    );
    assert_eq!(decode(&r.bytes().await.unwrap()), (100, 50));
    let r = reqwest::get(format!("{base}/w_200/f/pic.jpg")).await.unwrap();
    assert_eq!(decode(&r.bytes().await.unwrap()), (200, 150));
    assert_eq!(
        reqwest::get(format!("{base}/v{v}/f/none.jpg")).await.unwrap().status(),
        404
    );
    let r = reqwest::get(format!("{base}/zz_1/v{v}/f/pic.jpg")).await.unwrap();
    assert_eq!(r.status(), 400);
    let part = reqwest::Client::new()
        .get(format!("{base}/f/pic.jpg"))
        .header("Range", "bytes=0-9")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), 206);
    assert_eq!(part.bytes().await.unwrap().len(), 10);
}

/// An unknown transformation component is 400 naming it, and nothing is stored.
#[tokio::test]
async fn an_unknown_eager_component_is_400() {
    let sb = start().await;
    let fields = signed(&sb, &[("eager", "w_100,xx_9")]);
    let (status, body) = upload(&sb, "image", sample("sample.jpg"), "p.jpg", fields).await;
    assert_eq!(
        (status, message(&body)),
        (400, "Invalid transformation component - xx_9")
    );
    assert!(sb.assets().is_empty());
}

/// A receiver of notifications on loopback: every (headers, body) it gets goes to the channel.
async fn receiver() -> (String, mpsc::UnboundedReceiver<(HeaderMap, String)>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let tx = tx.clone();
            async move {
                let _ = tx.send((headers, body));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, rx)
}

/// A video's eager with `eager_async=true` answers "processing" at once; `eager_secs` later the
/// derived video exists and a signed `eager` notification reaches the receiver.
#[tokio::test(start_paused = true)]
async fn async_video_eager_sends_a_signed_notification() {
    let sb = start().await;
    let (hook, mut rx) = receiver().await;
    let fields = signed(
        &sb,
        &[
            ("public_id", "clip"),
            ("eager", "ar_9:16,c_fill,vc_h264,w_1080,du_5"),
            ("eager_async", "true"),
            ("eager_notification_url", hook.as_str()),
        ],
    );
    let (status, body) = upload(&sb, "video", sample("video-1920x1080-12s.mp4"), "c.mp4", fields).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["eager"][0]["status"], "processing");
    assert_eq!(body["duration"].as_f64(), Some(12.0));
    assert!(sb.asset(CLOUD, "clip").unwrap().derived.is_empty());
    let (headers, text) = rx.recv().await.unwrap();
    let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok());
    signer::verify_notification(
        text.as_bytes(),
        header("x-cld-timestamp"),
        header("x-cld-signature"),
        &secret(),
        signer::Algorithm::Sha1,
        sb.now().timestamp(),
        7200,
    )
    .unwrap();
    let note: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        (note["notification_type"].as_str(), note["public_id"].as_str()),
        (Some("eager"), Some("clip"))
    );
    assert_eq!(note["batch_id"], body["eager"][0]["batch_id"]);
    let item = &note["eager"][0];
    assert_eq!(
        (item["width"].as_u64(), item["height"].as_u64()),
        (Some(1080), Some(1920))
    );
    assert_eq!(
        (item["duration"].as_f64(), item["format"].as_str()),
        (Some(5.0), Some("mp4"))
    );
    tokio::task::yield_now().await;
    let derived = &sb.asset(CLOUD, "clip").unwrap().derived;
    assert_eq!(derived.len(), 1);
}

/// A video over the plan's synchronous limit with a synchronous eager is refused as Cloudinary does.
#[tokio::test]
async fn a_large_video_needs_async_eager() {
    let sb = start().await;
    let fields = signed(&sb, &[("eager", "w_100")]);
    let (status, body) = upload(&sb, "video", sample("video-64x64-1s-41mb.mp4"), "v.mp4", fields).await;
    assert_eq!(status, 400);
    assert_eq!(
        message(&body),
        "Video is too large to process synchronously, please use an asynchronous call instead"
    );
}

/// `notification_url` gets the upload notification with the upload result.
#[tokio::test(start_paused = true)]
async fn the_upload_notification_reaches_notification_url() {
    let sb = start().await;
    let (hook, mut rx) = receiver().await;
    let fields = signed(&sb, &[("public_id", "n1"), ("notification_url", hook.as_str())]);
    let (status, _) = upload(&sb, "image", sample("sample.jpg"), "a.jpg", fields).await;
    assert_eq!(status, 200);
    let (_, text) = rx.recv().await.unwrap();
    let note: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        (note["notification_type"].as_str(), note["public_id"].as_str()),
        (Some("upload"), Some("n1"))
    );
    tokio::task::yield_now().await;
    let sent = sb.notifications();
    assert_eq!(sent.len(), 1);
    assert!(sent[0].delivered);
}

/// A receiver that fails first is tried again after `notify_retry_secs`; the notification is
/// recorded as delivered on the second attempt.
#[tokio::test(start_paused = true)]
async fn a_failed_notification_is_retried() {
    let sb = start().await;
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let seen = calls.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move || {
            let n = seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            async move {
                if n == 0 {
                    axum::http::StatusCode::SERVICE_UNAVAILABLE
                } else {
                    axum::http::StatusCode::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let fields = signed(&sb, &[("notification_url", hook.as_str())]);
    let (status, _) = upload(&sb, "image", sample("sample.jpg"), "a.jpg", fields).await;
    assert_eq!(status, 200);
    while sb.notifications().is_empty() {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let sent = &sb.notifications()[0];
    assert_eq!((sent.attempts, sent.delivered, sent.status), (2, true, Some(200)));
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 2);
    assert_eq!(sb.counters().notifications_sent, 1);
}
