//! Redeliveries and restarts: nothing is uploaded twice, nothing accepted is lost.

use crate::helpers::{processor, text, World};
use schedulo::base::names::media;
use schedulo::journal::MediaJobState;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

/// The same webhook delivered again (with its Idempotency-Key, or without one after the job is
/// done) does not upload the file again.
#[tokio::test(start_paused = true)]
async fn a_redelivered_webhook_does_not_upload_twice() {
    let w = World::start().await;
    let record = w.add_media("Image", &w.file("image-1080x1080.jpg")).await;
    let event = json!({"event": "media.created", "media": record});
    w.webhook(event.clone(), Some("bubble-42")).await;
    let (status, body) = w.webhook(event.clone(), Some("bubble-42")).await;
    assert_eq!((status, body["duplicate"].clone()), (202, json!(true)));
    w.settle(&record, Duration::from_secs(60)).await;
    w.webhook(event, None).await;
    let job = w.settle(&record, Duration::from_secs(60)).await;
    assert_eq!(job.state, MediaJobState::Done);
    assert_eq!(
        w.cloudinary.counters().cloud(crate::helpers::CLOUD).uploads,
        1,
        "one upload in all"
    );
    assert_eq!(text(&w.record(&record).await, media::STATUS), "Ready");
}

/// The worker dies after the webhook was accepted and while the job was at work (the upload may
/// or may not have reached Cloudinary): the next worker finishes the job, and Cloudinary stores
/// the file once.
#[tokio::test(start_paused = true)]
async fn a_worker_restarted_between_accepted_and_done_finishes_the_job() {
    let w = World::start().await;
    let record = w.add_media("Image", &w.file("image-1080x1350.jpg")).await;
    w.webhook(json!({"event": "media.created", "media": record}), None)
        .await;
    // The first worker uploads; Cloudinary stores the file but its answer is held, and the worker
    // dies before it learns anything.
    let fault = json!({"path_prefix": "/v1_1/schedulo-test/image/upload", "count": 1, "apply_then_delay_ms": 600_000});
    w.fault(fault).await;
    let first = Arc::new(processor(&w.base, &w.journal, &w.cloudinary, w.clock, None));
    let dying = tokio::spawn(async move { first.tick().await });
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if !w.cloudinary.assets().is_empty() {
            break;
        }
    }
    assert_eq!(w.cloudinary.assets().len(), 1, "the upload reached Cloudinary");
    dying.abort();
    let _ = dying.await;
    assert_eq!(
        w.journal.media_get(&record).await.unwrap().unwrap().state,
        MediaJobState::Working
    );
    // The next worker: its run loop recovers the job and finishes it.
    let next = Arc::new(processor(&w.base, &w.journal, &w.cloudinary, w.clock, None));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(next.clone().run(async {
        let _ = stopped.await;
    }));
    let mut state = MediaJobState::Working;
    for _ in 0..60 {
        tokio::time::sleep(Duration::from_secs(1)).await;
        state = w.journal.media_get(&record).await.unwrap().unwrap().state;
        if state == MediaJobState::Done {
            break;
        }
    }
    let _ = stop.send(());
    task.await.unwrap();
    assert_eq!(state, MediaJobState::Done);
    w.flush().await;
    let r = w.record(&record).await;
    assert_eq!(text(&r, media::STATUS), "Ready");
    // The variants of the first upload were found, so every platform is checked on its own.
    assert_eq!(
        r.fields[media::VALID_FOR],
        json!(["Instagram", "Facebook", "Twitter", "TikTok"])
    );
    assert_eq!(
        w.cloudinary.counters().cloud(crate::helpers::CLOUD).uploads,
        1,
        "the second upload found the first (same public id, overwrite=false)"
    );
}

/// Cloudinary failing on every attempt makes the record Error with the reason; Bubble sending the
/// webhook again once Cloudinary is back processes it (a failed run is never taken for done).
#[tokio::test(start_paused = true)]
async fn an_outage_that_outlasts_the_retries_is_an_error_and_a_later_webhook_processes_the_media() {
    let w = World::start().await;
    let record = w.add_media("Image", &w.file("image-1080x1080.jpg")).await;
    let fault = json!({"path_prefix": "/v1_1/schedulo-test/image/upload", "count": 1000, "status": 503});
    w.fault(fault).await;
    w.webhook(json!({"event": "media.created", "media": record}), None)
        .await;
    let job = w.settle(&record, Duration::from_secs(3 * 3600)).await;
    assert_eq!(job.state, MediaJobState::Failed);
    let message = text(&w.record(&record).await, media::ERROR_MESSAGE);
    assert!(
        message.starts_with("Could not upload the file image-1080x1080.jpg to Cloudinary after 4 attempts"),
        "{message}"
    );
    assert_eq!(text(&w.record(&record).await, media::STATUS), "Error");
    w.http
        .delete(format!("{}/_sandbox/faults", w.cloudinary.url()))
        .send()
        .await
        .unwrap();
    w.webhook(json!({"event": "media.created", "media": record}), None)
        .await;
    w.settle(&record, Duration::from_secs(60)).await;
    let r = w.record(&record).await;
    assert_eq!(
        (text(&r, media::STATUS), text(&r, media::ERROR_MESSAGE)),
        ("Ready".into(), String::new())
    );
}

/// A new SourceURL on a processed record is uploaded and checked again; the old asset stays.
#[tokio::test(start_paused = true)]
async fn a_changed_source_is_processed_again() {
    let w = World::start().await;
    let record = w.add_media("Image", &w.file("image-1080x1080.jpg")).await;
    w.webhook(json!({"event": "media.created", "media": record}), None)
        .await;
    w.settle(&record, Duration::from_secs(60)).await;
    let first = text(&w.record(&record).await, media::CLOUDINARY_URL);
    let change = crate::helpers::fields(json!({media::SOURCE_URL: w.file("image-1080x1350.jpg")}));
    w.base
        .update(media::TABLE, vec![(record.clone(), change)], false)
        .await
        .unwrap();
    w.webhook(json!({"event": "media.created", "media": record}), None)
        .await;
    w.settle(&record, Duration::from_secs(60)).await;
    let second = text(&w.record(&record).await, media::CLOUDINARY_URL);
    assert_ne!(first, second);
    assert_eq!(w.cloudinary.counters().cloud(crate::helpers::CLOUD).uploads, 2);
}

/// Cloudinary refusing the worker's own credentials fails no record: the job waits, and goes
/// through once the credentials work.
#[tokio::test(start_paused = true)]
async fn refused_credentials_keep_the_job_waiting_instead_of_failing_the_record() {
    let w = World::start().await;
    let record = w.add_media("Image", &w.file("image-1080x1080.jpg")).await;
    let fault = json!({"path_prefix": "/v1_1/schedulo-test/image/upload", "count": 6, "status": 401});
    w.fault(fault).await;
    w.webhook(json!({"event": "media.created", "media": record}), None)
        .await;
    let job = w.settle(&record, Duration::from_secs(4 * 3600)).await;
    assert_eq!(job.state, MediaJobState::Done);
    assert_eq!(text(&w.record(&record).await, media::STATUS), "Ready");
}
