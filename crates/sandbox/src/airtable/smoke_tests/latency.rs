//! The sandbox as `schedulo sandbox` starts it: Airtable's own limits and its typical latency. A
//! client that waits for each answer before sending its next request (as pyairtable and
//! airtable.js do) never meets the 5 requests/s; one that fires 30 at once still gets 429 and the
//! 30 s lock-out, exactly as from Airtable.

use super::*;
use crate::airtable::limits::TYPICAL_LATENCY;
use crate::latency::Profile;
use std::time::Duration;
use tokio::time::Instant;

async fn as_a_user_starts_it() -> (AirtableSandbox, Client, String) {
    let sandbox = start(SandboxLimits::default(), None).await;
    sandbox.set_latency(Profile::Realistic);
    let c = Client::new(&sandbox);
    let (base, _) = posts_base(&sandbox, &c).await;
    (sandbox, c, base)
}

#[tokio::test(start_paused = true)]
async fn each_request_waits_its_vendor_s_time_and_the_sandbox_s_own_routes_none() {
    let (sandbox, c, base) = as_a_user_starts_it().await;
    let t0 = Instant::now();
    assert_eq!(c.get(&format!("/v0/{base}/Posts")).await.0, 200);
    assert_eq!(t0.elapsed(), TYPICAL_LATENCY.read, "a read");
    let t0 = Instant::now();
    let (status, body) = c
        .post(
            &format!("/v0/{base}/Posts"),
            json!({"records": [{"fields": {"Name": "Ada"}}]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(t0.elapsed(), TYPICAL_LATENCY.write, "a write");
    let t0 = Instant::now();
    assert_eq!(c.get("/_sandbox/counters").await.0, 200);
    assert_eq!(t0.elapsed(), Duration::ZERO, "the sandbox's own routes");
    sandbox.set_latency(Profile::Off);
    let t0 = Instant::now();
    assert_eq!(c.get(&format!("/v0/{base}/Posts")).await.0, 200);
    assert_eq!(t0.elapsed(), Duration::ZERO, "latency off");
    sandbox.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_client_waiting_for_each_answer_never_meets_the_rate_limit() {
    let (sandbox, c, base) = as_a_user_starts_it().await;
    let t0 = Instant::now();
    for i in 0..40 {
        let (status, body) = if i % 4 == 0 {
            c.post(
                &format!("/v0/{base}/Posts"),
                json!({"records": [{"fields": {"Name": format!("U{i}")}}]}),
            )
            .await
        } else {
            c.get(&format!("/v0/{base}/Posts?pageSize=5")).await
        };
        assert_eq!(status, 200, "request {i}: {body}");
    }
    let rate = 40.0 / t0.elapsed().as_secs_f64();
    assert!(rate < 3.0, "{rate:.2} requests/s");
    sandbox.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn thirty_requests_at_once_still_get_429_and_the_lock_out() {
    let (sandbox, c, base) = as_a_user_starts_it().await;
    let path = format!("/v0/{base}/Posts");
    tokio::time::sleep(Duration::from_secs(1)).await; // the table's creation out of the window
    let mut at_once = tokio::task::JoinSet::new();
    for _ in 0..30 {
        let (c, path) = (Client::new(&sandbox), path.clone());
        at_once.spawn(async move { c.get(&path).await.0 });
    }
    let statuses = at_once.join_all().await;
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 5, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 25, "{statuses:?}");
    tokio::time::sleep(Duration::from_secs(20)).await;
    assert_eq!(c.get(&path).await.0, 429, "still locked out 20 s later");
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert_eq!(c.get(&path).await.0, 200, "open again after 30 s");
    sandbox.shutdown().await;
}
