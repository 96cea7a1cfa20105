//! The re-read cadence: a change in the base is seen without any nudge, on the interval derived
//! from the plan's quota, and the interval relaxes while Airtable's webhook is live.

use crate::helpers::World;

/// A post added to the base, with nothing nudging the worker, is read after the derived interval
/// (Team at 50 %: 63 s) and published on its time; while the webhook is live, a post added
/// is read only on the safety interval (an hour).
#[tokio::test(start_paused = true)]
async fn a_post_added_without_a_nudge_is_seen_after_the_derived_interval_and_later_while_the_webhook_is_live() {
    let w = World::start().await;
    let cadence = *w.scheduler.cadence();
    let (polled, safety) = (cadence.polled.as_secs(), cadence.safety.as_secs());
    assert_eq!((polled, safety), (63, 3600), "Team at 50 %, nothing fixed");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let scheduler = tokio::spawn(w.scheduler.clone().run(async {
        let _ = stopped.await;
    }));
    w.advance(1).await;
    let id = w
        .schedule(&w.x_account, "seen without a nudge", polled as i64 + 30)
        .await;
    w.advance(polled - 10).await;
    assert!(
        w.journal.get(&id).await.unwrap().is_none(),
        "not read before the interval"
    );
    w.advance(20).await;
    assert!(w.journal.get(&id).await.unwrap().is_some(), "read on the interval");
    w.advance(22).await;
    assert_eq!(w.tweets(), ["seen without a nudge"]);

    w.scheduler.set_webhook_live(true);
    // The read already planned comes; after it, the safety interval.
    w.advance(polled + 1).await;
    let late = w
        .schedule(&w.x_account, "seen on the safety interval", 2 * safety as i64)
        .await;
    w.advance(3 * polled).await;
    assert!(
        w.journal.get(&late).await.unwrap().is_none(),
        "not read on the polled interval while the webhook is live"
    );
    w.advance(safety).await;
    assert!(
        w.journal.get(&late).await.unwrap().is_some(),
        "read on the safety interval"
    );
    let _ = stop.send(());
    scheduler.await.unwrap();
}
