//! Airtable's grid is the source of truth: what a person adds, edits, moves, deletes or cancels
//! in the base shortly before a post's time is what gets published (read back from X's own read
//! API, not from the worker's journal).

use crate::helpers::{admin_post, World, AIRTABLE_TOKEN, X_USER, X_USER2};
use crate::webhook::Worker;
use schedulo::base::names::posts;
use serde_json::json;

/// When the post under test is due, in seconds from the start.
const T: i64 = 120;

/// The records of one round of changes.
struct Round {
    edited: String,
    unlinked: String,
    later: String,
    earlier: String,
    moved: String,
    deleted: String,
    cancelled: String,
}

/// Schedules seven X posts (six due at `T`, one at `T + 480`) and starts the worker's loop.
async fn schedule_round(w: &World) -> Round {
    let image = w.media("Image", &["image-1200x675.jpg"]).await;
    Round {
        edited: w.schedule(&w.x_account, "edited: before", T).await,
        unlinked: w.schedule_media(&w.x_account, "unlinked", T, Some(&image), None).await,
        later: w.schedule(&w.x_account, "later", T).await,
        earlier: w.schedule(&w.x_account, "earlier", T + 480).await,
        moved: w.schedule(&w.x_account, "moved", T).await,
        deleted: w.schedule(&w.x_account, "deleted", T).await,
        cancelled: w.schedule(&w.x_account, "cancelled", T).await,
    }
}

/// Makes every change of the round as a person would in the grid, in three calls (one update of
/// six records, one delete, one create), all done `d` seconds before `T`.
async fn change_everything(w: &World, r: &Round, t0: chrono::DateTime<chrono::Utc>) {
    let at = |secs: i64| (t0 + chrono::Duration::seconds(secs)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let edits = vec![
        (r.edited.clone(), json!({ posts::CAPTION: "edited: after" })),
        (r.unlinked.clone(), json!({ posts::MEDIA: [] })),
        (r.later.clone(), json!({ posts::SCHEDULED_TIME: at(T + 480) })),
        (r.earlier.clone(), json!({ posts::SCHEDULED_TIME: at(T) })),
        (r.moved.clone(), json!({ posts::ACCOUNT: [w.x2_account.clone()] })),
        (r.cancelled.clone(), json!({ posts::STATUS: "Deleted" })),
    ];
    let edits = edits
        .into_iter()
        .map(|(id, f)| (id, crate::helpers::fields(f)))
        .collect();
    w.base.update(posts::TABLE, edits, false).await.unwrap();
    w.base
        .delete(posts::TABLE, std::slice::from_ref(&r.deleted))
        .await
        .unwrap();
    let added = crate::helpers::fields(json!({
        posts::POST_ID: "P-added",
        posts::ACCOUNT: [w.x_account.clone()],
        posts::SCHEDULED_TIME: at(T),
        posts::CAPTION: "added",
        posts::STATUS: "Scheduled",
    }));
    w.base.create(posts::TABLE, vec![added], false).await.unwrap();
}

fn texts(timeline: &[(String, bool)]) -> Vec<&str> {
    let mut t: Vec<&str> = timeline.iter().map(|(text, _)| text.as_str()).collect();
    t.sort();
    t
}

/// Every change made `d` seconds before the posts' time, with no nudge: by `T + 3 s` only what the
/// base still schedules at `T` went out, as it reads at `T - d` (edited caption, media unlinked, on
/// the account it was moved to); nothing deleted, cancelled or moved later. Without the webhook,
/// what only a re-read of the schedule can reveal (a post added, a post moved earlier) goes out
/// after the next re-read; with it, on its time. Each exactly once; the post moved later goes out
/// at its new time.
async fn changes_before_the_time_are_what_gets_published(d: i64, webhook: bool) {
    let mut w = World::start().await;
    let t0 = w.clock.now();
    let r = schedule_round(&w).await;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (scheduler, worker) = if webhook {
        let (worker, _) = Worker::start(&mut w, "127.0.0.1:0".parse().unwrap()).await;
        (None, Some(worker))
    } else {
        let run = tokio::spawn(w.scheduler.clone().run(async {
            let _ = stopped.await;
        }));
        (Some(run), None)
    };
    w.advance_to(t0 + chrono::Duration::seconds(T - d)).await;
    assert_eq!(w.scheduler.webhook_live(), webhook, "d={d}");
    change_everything(&w, &r, t0).await;
    w.advance_to(t0 + chrono::Duration::seconds(T + 3)).await;

    let ada = w.timeline(X_USER).await;
    let grace = w.timeline(X_USER2).await;
    assert!(texts(&ada).contains(&"edited: after"), "d={d}: {ada:?}");
    assert!(
        ada.contains(&("unlinked".to_string(), false)),
        "d={d}: published without its media: {ada:?}"
    );
    for gone in ["edited: before", "later", "deleted", "cancelled", "moved"] {
        assert!(
            !texts(&ada).contains(&gone),
            "d={d}: {gone:?} must not be on the old account now: {ada:?}"
        );
    }
    assert_eq!(
        texts(&grace),
        ["moved"],
        "d={d}: the moved post goes out on the account it was moved to"
    );

    // The next re-read (and the later post's new time) settle the rest, each exactly once.
    let settle = (T + 480 + 5).max(T + w.scheduler.resync_interval().num_seconds() + 10);
    w.advance_to(t0 + chrono::Duration::seconds(settle)).await;
    let _ = stop.send(());
    if let Some(run) = scheduler {
        run.await.unwrap();
    }
    if let Some(worker) = worker {
        worker.stop().await;
    }
    let ada = w.timeline(X_USER).await;
    assert_eq!(
        texts(&ada),
        ["added", "earlier", "edited: after", "later", "unlinked"],
        "d={d}: each post published once, as the base shows it"
    );
    assert_eq!(texts(&w.timeline(X_USER2).await), ["moved"], "d={d}");
}

#[tokio::test(start_paused = true)]
async fn changes_a_minute_before_the_time_are_what_gets_published() {
    changes_before_the_time_are_what_gets_published(60, false).await;
}

#[tokio::test(start_paused = true)]
async fn changes_ten_seconds_before_the_time_are_what_gets_published() {
    changes_before_the_time_are_what_gets_published(10, false).await;
}

#[tokio::test(start_paused = true)]
async fn changes_two_seconds_before_the_time_are_what_gets_published() {
    changes_before_the_time_are_what_gets_published(2, false).await;
}

#[tokio::test(start_paused = true)]
async fn with_the_webhook_changes_a_minute_before_the_time_are_what_gets_published() {
    changes_before_the_time_are_what_gets_published(60, true).await;
}

#[tokio::test(start_paused = true)]
async fn with_the_webhook_changes_ten_seconds_before_the_time_are_what_gets_published() {
    changes_before_the_time_are_what_gets_published(10, true).await;
}

#[tokio::test(start_paused = true)]
async fn with_the_webhook_changes_two_seconds_before_the_time_are_what_gets_published() {
    changes_before_the_time_are_what_gets_published(2, true).await;
}

/// A confirm read that fails (the base answers 503 to it) never lets the post out on what was
/// read before: it waits, is read again, and goes out as the base then shows it.
#[tokio::test(start_paused = true)]
async fn a_failed_confirm_read_delays_the_post_and_never_publishes_stale_data() {
    let w = World::start().await;
    let id = w.schedule(&w.x_account, "as first read", 30).await;
    w.scheduler.sync().await.unwrap();
    // Every read naming records by id fails for a while (the schedule's own read does not).
    admin_post(
        &w.airtable.url(),
        "/_sandbox/faults",
        json!({ "method": "GET", "path_prefix": format!("/v0/{}/ScheduledPosts", w.base.id()), "query_contains": "RECORD_ID", "count": 12, "status": 503 }),
        AIRTABLE_TOKEN,
    )
    .await;
    w.advance(30).await;
    w.edit(&id, json!({ posts::CAPTION: "as edited during the outage" }))
        .await;
    let outcomes = w.scheduler.publish_due().await.unwrap();
    assert!(
        outcomes
            .iter()
            .all(|(_, o)| matches!(o, schedulo::scenarios::post_scheduler::Outcome::Skipped)),
        "{outcomes:?}"
    );
    assert!(
        w.timeline(X_USER).await.is_empty(),
        "nothing goes out on data that was not confirmed"
    );
    // Once the base answers again, it goes out, as edited.
    let mut published = Vec::new();
    for _ in 0..20 {
        w.advance(5).await;
        w.scheduler.publish_due().await.unwrap();
        published = w.timeline(X_USER).await;
        if !published.is_empty() {
            break;
        }
    }
    assert_eq!(texts(&published), ["as edited during the outage"]);
}

/// Killed (kill -9) after the confirm read and before the publish call, then the post edited:
/// the restarted worker confirms it again and publishes it once, as edited.
#[tokio::test(start_paused = true)]
async fn a_kill_between_the_confirm_read_and_the_publish_call_loses_nothing_and_posts_once() {
    let mut w = World::start().await;
    let id = w.schedule(&w.x_account, "before the crash", 10).await;
    w.scheduler.sync().await.unwrap();
    w.advance(9).await;
    w.scheduler.confirm(std::slice::from_ref(&id)).await;
    // The worker dies here: nothing was claimed or sent. The grid changes meanwhile.
    w.restart().await;
    w.edit(&id, json!({ posts::CAPTION: "after the crash" })).await;
    w.advance(1).await;
    w.scheduler.sync().await.unwrap();
    w.scheduler.publish_due().await.unwrap();
    w.scheduler.publish_due().await.unwrap();
    assert_eq!(texts(&w.timeline(X_USER).await), ["after the crash"]);
    w.outbox.flush().await.unwrap();
    assert_eq!(w.post(&id).await.fields[posts::STATUS], json!("Posted"));
}
