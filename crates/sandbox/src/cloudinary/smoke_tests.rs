//! Cloudinary's official SDKs against a live sandbox: pycloudinary
//! (`tests/compat/pycloudinary_smoke.py`; Python with `cloudinary==1.*`) and cloudinary_npm
//! (`tests/compat/cloudinary_npm_smoke.js`; Node with `cloudinary@2` reachable through
//! `NODE_PATH`), run as [`crate::compat`] says.

use super::tests::{start, CLOUD, KEY, SECRET};
use crate::compat::{client_available, run_script};

/// Runs `tests/compat/<script>` with `program` against a fresh sandbox as `schedulo sandbox`
/// starts it (Cloudinary's limits and typical latency), its URL, cloud and credentials as
/// arguments.
async fn run_sdk_script(program: String, script: &str) {
    let sandbox = start().await;
    sandbox.set_latency(crate::latency::Profile::Realistic);
    let args = [sandbox.url().as_str(), CLOUD, KEY, SECRET]
        .map(str::to_string)
        .to_vec();
    run_script(program, script, args).await;
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
