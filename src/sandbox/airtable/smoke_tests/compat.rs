//! Airtable's popular clients against a live sandbox: `tests/compat/pyairtable_smoke.py` and
//! `tests/compat/airtablejs_smoke.js`. Ignored by default (they need Python with pyairtable, and
//! Node with airtable.js): `cargo test --lib sandbox::airtable::smoke_tests::compat -- --ignored`.

use super::*;

/// `PYTHON` picks the interpreter (default `python3`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs python3 with pyairtable installed"]
async fn pyairtable_works_against_the_sandbox_unchanged() {
    let sandbox = start(roomy(), None).await;
    let url = sandbox.url();
    let script = format!("{}/tests/compat/pyairtable_smoke.py", env!("CARGO_MANIFEST_DIR"));
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(python)
            .arg(script)
            .arg(url)
            .arg(TOKEN)
            .output()
    })
    .await
    .unwrap()
    .expect("python runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    println!("{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success() && stdout.contains("PASSED"));
    sandbox.shutdown().await;
}

/// Runs `tests/compat/airtablejs_smoke.js`; `NODE` picks the interpreter (default `node`), and
/// `NODE_PATH` must reach a `node_modules` with `airtable` installed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs node with the airtable package on NODE_PATH"]
async fn airtable_js_works_against_the_sandbox_unchanged() {
    let sandbox = start(roomy(), None).await;
    let url = sandbox.url();
    let script = format!("{}/tests/compat/airtablejs_smoke.js", env!("CARGO_MANIFEST_DIR"));
    let node = std::env::var("NODE").unwrap_or_else(|_| "node".into());
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(node)
            .arg(script)
            .arg(url)
            .arg(TOKEN)
            .output()
    })
    .await
    .unwrap()
    .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    println!("{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success() && stdout.contains("PASSED"));
    sandbox.shutdown().await;
}
