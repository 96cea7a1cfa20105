//! Cloudinary's official SDKs against a live sandbox: pycloudinary
//! (`tests/compat/pycloudinary_smoke.py`; Python with `cloudinary==1.*`) and cloudinary_npm
//! (`tests/compat/cloudinary_npm_smoke.js`; Node with `cloudinary@2` reachable through
//! `NODE_PATH`). `.ci/run` installs both (from PyPI and npm) and sets `SCHEDULO_REQUIRE_COMPAT=1`,
//! which makes a missing SDK a failure. Without that variable, a machine lacking an SDK skips its
//! test and says so.

use super::tests::{start, CLOUD, KEY, SECRET};

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

/// Runs `tests/compat/<script>` with `program`, given a fresh sandbox's URL, cloud and
/// credentials; the script prints PASSED when every check held.
async fn run_sdk_script(program: String, script: &str) {
    let sandbox = start().await;
    let url = sandbox.url();
    let script = format!("{}/tests/compat/{script}", env!("CARGO_MANIFEST_DIR"));
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(program)
            .args([script.as_str(), url.as_str(), CLOUD, KEY, SECRET])
            .output()
    })
    .await
    .unwrap()
    .expect("the interpreter runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    println!("{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success() && stdout.contains("PASSED"));
    sandbox.shutdown().await;
}

/// `PYTHON` picks the interpreter (default `python3`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pycloudinary_works_against_the_sandbox_unchanged() {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    if client_available("pycloudinary", &python, &["-c", "import cloudinary"]) {
        run_sdk_script(python, "pycloudinary_smoke.py").await;
    }
}

/// `NODE` picks the interpreter (default `node`); `NODE_PATH` must reach a `node_modules` with
/// `cloudinary` (v2) installed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cloudinary_npm_works_against_the_sandbox_unchanged() {
    let node = std::env::var("NODE").unwrap_or_else(|_| "node".into());
    if client_available("cloudinary_npm", &node, &["-e", "require('cloudinary').v2"]) {
        run_sdk_script(node, "cloudinary_npm_smoke.js").await;
    }
}
