//! Running a vendor's own client against a sandbox (the compatibility tests): a script under
//! `tests/compat/` run by Python or Node. `.ci/run` installs the clients and sets
//! `SCHEDULO_REQUIRE_COMPAT=1`, which makes a missing client a failure; without it, a machine
//! lacking a client skips its test and says so.

/// Whether `program args...` runs successfully; when not, fails the test if compatibility is
/// required (CI), else reports the skip.
pub fn client_available(what: &str, program: &str, args: &[&str]) -> bool {
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

/// Runs `tests/compat/<script>` with `program` and `args`; the script prints PASSED when every
/// check held.
pub async fn run_script(program: String, script: &str, args: Vec<String>) {
    let script = format!("{}/tests/compat/{script}", env!("CARGO_MANIFEST_DIR"));
    let output =
        tokio::task::spawn_blocking(move || std::process::Command::new(program).arg(script).args(args).output())
            .await
            .unwrap()
            .expect("the client's interpreter runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    println!("{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success() && stdout.contains("PASSED"));
}
