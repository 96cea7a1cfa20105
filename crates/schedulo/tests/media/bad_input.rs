//! Bad input: each a clear error on the record, and the processor keeps going.

use crate::helpers::{text, World};
use axum::routing::get;
use schedulo::base::names::media;
use serde_json::json;
use std::time::Duration;

/// A server on loopback that serves the first 300 bytes of a JPEG: a truncated file.
async fn truncated_file_server(jpeg: Vec<u8>) -> String {
    let head = jpeg[..300].to_vec();
    let app = axum::Router::new().route("/truncated.jpg", get(move || async move { head.clone() }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/truncated.jpg")
}

/// A file that is not media, a truncated file and a URL that 404s each make their record Error
/// with a message that names the file and Cloudinary's reason; a good record after them is Ready.
#[tokio::test(start_paused = true)]
async fn bad_files_are_errors_on_their_records_and_the_processor_keeps_going() {
    let w = World::start().await;
    let jpeg = w.bytes("image-800x800.jpg").await;
    let cases = [
        (w.file("notes.txt"), "notes.txt"),
        (truncated_file_server(jpeg.to_vec()).await, "truncated.jpg"),
        (w.file("missing.jpg"), "missing.jpg"),
    ];
    let mut records = Vec::new();
    for (url, _) in &cases {
        let id = w.add_media("Image", url).await;
        w.webhook(json!({"event": "media.created", "media": id}), None).await;
        records.push(id);
    }
    let good = w.add_media("Image", &w.file("image-1080x1080.jpg")).await;
    w.webhook(json!({"event": "media.created", "media": good}), None).await;
    for id in records.iter().chain([&good]) {
        w.settle(id, Duration::from_secs(60)).await;
    }
    for (id, (_, name)) in records.iter().zip(cases) {
        let r = w.record(id).await;
        assert_eq!(text(&r, media::STATUS), "Error", "{name}: {:?}", r.fields);
        let message = text(&r, media::ERROR_MESSAGE);
        assert!(
            message.contains(name) && message.contains("Cloudinary refused"),
            "{name}: {message}"
        );
        assert!(!message.contains(crate::helpers::API_SECRET));
        println!("{name}: {message}");
    }
    assert_eq!(text(&w.record(&good).await, media::STATUS), "Ready");
}

/// A record without a SourceURL, and one that names a record id that does not exist, end with
/// a message (the first on the record) and do not stop the others.
#[tokio::test(start_paused = true)]
async fn a_record_without_a_source_says_so() {
    let w = World::start().await;
    let empty = w.add_media("Image", "").await;
    w.webhook(json!({"event": "media.created", "media": empty}), None).await;
    w.webhook(json!({"event": "media.created", "media": "recAbC123dEf456gH"}), None)
        .await;
    w.settle(&empty, Duration::from_secs(60)).await;
    w.settle("recAbC123dEf456gH", Duration::from_secs(60)).await;
    let r = w.record(&empty).await;
    assert_eq!(text(&r, media::STATUS), "Error");
    assert!(text(&r, media::ERROR_MESSAGE).contains("no SourceURL"));
}

/// A record the worker cannot read (no MediaType) is Error with a message naming the field, and
/// nothing is uploaded.
#[tokio::test(start_paused = true)]
async fn a_malformed_record_is_an_error_naming_its_field() {
    let w = World::start().await;
    let row = crate::helpers::fields(json!({media::SOURCE_URL: w.file("image-1080x1080.jpg")}));
    let id = w.base.create(media::TABLE, vec![row], false).await.unwrap()[0]
        .id
        .clone();
    w.webhook(json!({"event": "media.created", "media": id}), None).await;
    w.settle(&id, Duration::from_secs(60)).await;
    let r = w.record(&id).await;
    assert_eq!(text(&r, media::STATUS), "Error");
    let message = text(&r, media::ERROR_MESSAGE);
    assert!(message.contains("MediaType"), "{message}");
    assert_eq!(w.cloudinary.counters().cloud(crate::helpers::CLOUD).uploads, 0);
}
