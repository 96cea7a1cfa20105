//! A media URL someone put in the base that points at this machine or a metadata service: the
//! post fails with an error that names the field and the reason, and nothing is fetched.

use crate::helpers::{fields, World};
use schedulo::base::names::{media, posts};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

#[tokio::test(start_paused = true)]
async fn a_post_whose_media_points_inside_fails_naming_the_field_and_nothing_is_fetched() {
    let w = World::start().await;
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    let inside = axum::Router::new().fallback(move || {
        counted.fetch_add(1, Ordering::SeqCst);
        async { "internal" }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, inside).await.unwrap() });
    let mut ids = Vec::new();
    for (n, url) in [
        format!("http://127.0.0.1:{port}/admin.jpg"),
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/role.jpg".to_string(),
    ]
    .into_iter()
    .enumerate()
    {
        let row = fields(json!({
            media::MEDIA_ID: format!("M-inside-{n}"),
            media::MEDIA_TYPE: "Image",
            media::CLOUDINARY_URL: url,
            media::STATUS: "Ready",
        }));
        let record = w
            .base
            .create(media::TABLE, vec![row], false)
            .await
            .unwrap()
            .remove(0)
            .id;
        ids.push(w.schedule_media(&w.x_account, "inside", 5, Some(&record), None).await);
    }
    w.scheduler.sync().await.unwrap();
    w.advance(10).await;
    w.scheduler.publish_due().await.unwrap();
    w.outbox.flush().await.unwrap();
    for id in &ids {
        let post = w.post(id).await;
        assert_eq!(post.fields[posts::STATUS], json!("Failed"), "{id}");
        let message = post.fields[posts::ERROR_MESSAGE].as_str().unwrap();
        assert!(
            message.contains("MediaLibrary.CloudinaryURL") && message.contains("is not a media host"),
            "{message}"
        );
    }
    assert_eq!(hits.load(Ordering::SeqCst), 0, "nothing was fetched");
    assert!(w.tweets().is_empty(), "nothing was published");
}
