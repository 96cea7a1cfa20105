//! The journal's tests: one module per area. Each test name says what it proves.

mod durability;
mod inbox;
mod lease;
mod outbox;
mod outcomes;
mod posts;
mod prepared;
mod state;
mod webhooks;

use super::{Journal, ObservedPost};
use chrono::{DateTime, Duration, TimeZone, Utc};

/// A fixed origin for test times (no test reads the clock).
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 30, 0, 30, 0).single().unwrap_or_default()
}

/// `t0` plus `minutes`.
fn at(minutes: i64) -> DateTime<Utc> {
    t0() + Duration::minutes(minutes)
}

/// A post on Instagram for account `recAcc1`, scheduled `minutes` after `t0`.
fn post(record_id: &str, minutes: i64) -> ObservedPost {
    ObservedPost {
        record_id: record_id.into(),
        post_id: Some(format!("P-{record_id}")),
        platform: "Instagram".into(),
        account_record_id: "recAcc1".into(),
        scheduled_at: at(minutes),
        fingerprint: "fp1".into(),
    }
}

async fn journal() -> Journal {
    match Journal::open_in_memory().await {
        Ok(j) => j,
        Err(e) => panic!("in-memory journal: {e:#}"),
    }
}
