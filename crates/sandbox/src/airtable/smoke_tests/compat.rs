//! Airtable's popular clients against a live sandbox: `tests/compat/pyairtable_smoke.py` and
//! `tests/compat/airtablejs_smoke.js`. They need Python with pyairtable and Node with airtable.js;
//! they run as [`crate::compat`] says.

use super::*;
use crate::compat::{client_available, run_script};

/// Runs `tests/compat/<script>` with `program` against a fresh sandbox as `schedulo sandbox`
/// starts it: Airtable's own rate limits (5 requests/s per base, the 30 s lock-out) and its
/// typical latency. The clients send their requests one after another without pacing; the
/// latency paces them as the internet does, so they pass as they do against Airtable.
async fn run_client_script(program: String, script: &str) {
    let sandbox = start(SandboxLimits::default(), None).await;
    sandbox.set_latency(crate::latency::Profile::Realistic);
    run_script(program, script, vec![sandbox.url(), TOKEN.to_string()]).await;
    let (_, counters) = Client::new(&sandbox).get("/_sandbox/counters").await;
    let served: u64 = counters["bases"]
        .as_object()
        .into_iter()
        .flat_map(|bases| bases.values())
        .map(|base| base["requests"].as_u64().unwrap_or(0))
        .sum();
    assert!(served >= 10, "the client's workflow reached the base: {counters}");
    assert!(
        !counters.to_string().contains("\"429\""),
        "a sequential client never meets the rate limit: {counters}"
    );
    sandbox.shutdown().await;
}

/// `PYTHON` picks the interpreter (default `python3`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pyairtable_works_against_the_sandbox_unchanged() {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    if client_available("pyairtable", &python, &["-c", "import pyairtable"]) {
        run_client_script(python, "pyairtable_smoke.py").await;
    }
}

/// `NODE` picks the interpreter (default `node`); `NODE_PATH` must reach a `node_modules` with
/// `airtable` installed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn airtable_js_works_against_the_sandbox_unchanged() {
    let node = std::env::var("NODE").unwrap_or_else(|_| "node".into());
    if client_available("airtable.js", &node, &["-e", "require('airtable')"]) {
        run_client_script(node, "airtablejs_smoke.js").await;
    }
}
