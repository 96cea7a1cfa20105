//! Airtable's popular clients against a live sandbox: `tests/compat/pyairtable_smoke.py` and
//! `tests/compat/airtablejs_smoke.js`. They need Python with pyairtable and Node with airtable.js;
//! `.ci/run` installs both (from PyPI and npm) and sets `SCHEDULO_REQUIRE_COMPAT=1`, which makes a
//! missing client a failure. Without that variable, a machine lacking a client skips its test and says so.

use super::*;

/// Whether `program args...` runs successfully; when not, fails the test if compatibility is
/// required (CI), else reports the skip.
fn client_available(what: &str, program: &str, args: &[&str]) -> bool {
    let ok = std::process::Command::new(program)
        .args(args)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !ok {
        let required = std::env::var("SCHEDULO_REQUIRE_COMPAT").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "{what} is not installed, and SCHEDULO_REQUIRE_COMPAT=1 requires it (see .ci/run)"
        );
        eprintln!("SKIPPED: {what} is not installed here; .ci/run installs it and runs this test");
    }
    ok
}

/// Runs `tests/compat/<script>` with `program`, given a fresh sandbox's URL and token; the script
/// prints PASSED when every check held.
async fn run_client_script(program: String, script: &str) {
    let sandbox = start(roomy(), None).await;
    let url = sandbox.url();
    let script = format!("{}/tests/compat/{script}", env!("CARGO_MANIFEST_DIR"));
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(program)
            .arg(script)
            .arg(url)
            .arg(TOKEN)
            .output()
    })
    .await
    .unwrap()
    .expect("the client's interpreter runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    println!("{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success() && stdout.contains("PASSED"));
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
