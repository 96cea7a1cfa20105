//! Replays of Airtable's pings: a genuine ping sent again outside the window is refused; inside
//! it, the same ping twice costs one re-read. For a webhook made by hand and for the one the
//! worker keeps. (Cloudinary's own window, 2 hours, is in `signatures.rs`.)

use crate::helpers::{assert_no_secret, logs, World, MAC_KEY};
use crate::signatures::airtable_mac;
use std::time::Duration;

fn ping(base: &str, webhook: &str, at: chrono::DateTime<chrono::Utc>) -> String {
    format!(
        r#"{{"base":{{"id":"{base}"}},"webhook":{{"id":"{webhook}"}},"timestamp":"{}"}}"#,
        at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    )
}

/// What the worker's Airtable client has spent on the base.
fn calls(w: &World) -> u64 {
    w.base.client().usage().this_month(w.base.id())
}

/// A hand-made webhook's genuine ping 6 minutes old, or 6 minutes ahead, is refused as a replay
/// (400, naming AIRTABLE_PING_WINDOW_SECS); one inside the window re-reads the schedule once,
/// and the same ping again is answered 204 and re-reads nothing; another ping re-reads again.
/// (The scheduler spaces nudged reads 30 s apart, so the pings are 35 s apart: a second read of
/// the repeat would have been allowed.)
#[tokio::test(start_paused = true)]
async fn a_hand_made_webhooks_ping_replayed_is_refused_outside_the_window_and_read_once_inside() {
    // The smallest read share: the schedule's own re-read is an hour away, out of the way.
    let (w, app) = World::build(&[("AIRTABLE_READ_SHARE", "1")], |_, _| {}).await;
    let scheduler = app.scheduler().clone();
    app.serve(std::future::pending()).unwrap();
    tokio::spawn(scheduler.run(std::future::pending()));
    tokio::time::sleep(Duration::from_secs(40)).await;
    let now = w.clock.now();
    for at in [now - chrono::Duration::minutes(6), now + chrono::Duration::minutes(6)] {
        let body = ping(w.base.id(), "achHandMade0000001", at);
        let mac = airtable_mac(MAC_KEY, &body);
        let (status, text) = w
            .post("/webhooks/airtable", &[("X-Airtable-Content-MAC", &mac)], &body)
            .await;
        assert_eq!(status, 400, "{text}");
        assert!(
            text.contains("more than 300 s from now (AIRTABLE_PING_WINDOW_SECS): refused as a replay"),
            "{text}"
        );
    }
    assert_eq!(w.kept().await, 0);

    let body = ping(w.base.id(), "achHandMade0000001", now - chrono::Duration::minutes(1));
    let mac = airtable_mac(MAC_KEY, &body);
    let before = calls(&w);
    let (status, _) = w
        .post("/webhooks/airtable", &[("X-Airtable-Content-MAC", &mac)], &body)
        .await;
    assert_eq!(status, 204);
    tokio::time::sleep(Duration::from_secs(35)).await;
    let one_read = calls(&w) - before;
    let quiet = calls(&w);
    tokio::time::sleep(Duration::from_secs(35)).await;
    assert_eq!(
        calls(&w) - quiet,
        0,
        "without a ping nothing is read: the count is the pings'"
    );
    assert!(one_read > 0, "the ping re-read the schedule");

    let before = calls(&w);
    let (status, _) = w
        .post("/webhooks/airtable", &[("X-Airtable-Content-MAC", &mac)], &body)
        .await;
    assert_eq!(status, 204, "a repeat is answered as Airtable expects");
    tokio::time::sleep(Duration::from_secs(35)).await;
    assert_eq!(calls(&w) - before, 0, "the same ping again re-reads nothing");

    let other = ping(w.base.id(), "achHandMade0000001", w.clock.now());
    let mac = airtable_mac(MAC_KEY, &other);
    let before = calls(&w);
    let (status, _) = w
        .post("/webhooks/airtable", &[("X-Airtable-Content-MAC", &mac)], &other)
        .await;
    assert_eq!(status, 204);
    tokio::time::sleep(Duration::from_secs(35)).await;
    assert_eq!(calls(&w) - before, one_read, "another ping re-reads as the first did");
    assert_no_secret(&logs().text());
}

/// The webhook the worker keeps takes its window from AIRTABLE_PING_WINDOW_SECS (here 120 s): a
/// genuine ping 3 minutes old is refused as a replay, one a minute old is read (one payload
/// read), and the same ping again reads nothing more.
#[tokio::test(start_paused = true)]
async fn the_kept_webhooks_ping_replayed_is_refused_outside_the_window_and_read_once_inside() {
    let overrides = [
        ("AIRTABLE_WEBHOOK_MAC_SECRET", ""),
        ("AIRTABLE_PING_WINDOW_SECS", "120"),
    ];
    let (w, app) = World::build(&overrides, |config, addr| {
        config.public_url = Some(format!("http://{addr}").parse().unwrap());
    })
    .await;
    let hook = app.airtable_webhook().expect("the worker keeps a webhook").clone();
    let vault = app.vault().clone();
    let base = app.base().clone();
    app.serve(std::future::pending()).unwrap();
    tokio::spawn(hook.clone().run(std::future::pending()));
    tokio::time::sleep(Duration::from_secs(10)).await;
    let id = hook.webhook_id().expect("the webhook was made");
    // A genuine ping needs the webhook's secret, which only Airtable and the worker hold: open
    // the worker's sealed copy (the vault's associated data is `airtable-webhook:<base>`), as an
    // attacker replaying a captured ping would not need to.
    let kept = w
        .journal
        .webhook(base.id())
        .await
        .unwrap()
        .expect("kept in the journal");
    let secret = vault
        .decrypt(&format!("airtable-webhook:{}", base.id()), &kept.sealed_secret)
        .unwrap();
    let key = {
        use base64::Engine;
        use secrecy::ExposeSecret;
        base64::engine::general_purpose::STANDARD
            .decode(secret.expose_secret())
            .unwrap()
    };
    let count = || base.client().usage().this_month(base.id());

    let stale = ping(base.id(), &id, w.clock.now() - chrono::Duration::minutes(3));
    let mac = airtable_mac(&key, &stale);
    let (status, text) = w
        .post("/webhooks/airtable", &[("X-Airtable-Content-MAC", &mac)], &stale)
        .await;
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("more than 120 s: refused as a replay"), "{text}");

    let fresh = ping(base.id(), &id, w.clock.now() - chrono::Duration::minutes(1));
    let mac = airtable_mac(&key, &fresh);
    let before = count();
    let (status, _) = w
        .post("/webhooks/airtable", &[("X-Airtable-Content-MAC", &mac)], &fresh)
        .await;
    assert_eq!(status, 204);
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(count() - before, 1, "one payload read");
    let (status, _) = w
        .post("/webhooks/airtable", &[("X-Airtable-Content-MAC", &mac)], &fresh)
        .await;
    assert_eq!(status, 204);
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(count() - before, 1, "the same ping again reads nothing more");
    assert_no_secret(&logs().text());
}
