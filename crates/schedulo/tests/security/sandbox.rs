//! `schedulo sandbox` prints tokens and keys that open everything it holds, so it listens on
//! loopback unless told `--public`.

#[test]
fn a_sandbox_beyond_loopback_without_public_is_refused_and_prints_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_schedulo"))
        .args(["sandbox", "--listen", "0.0.0.0:0"])
        .current_dir(dir.path())
        .env_clear()
        .env("SCHEDULO_DATA_DIR", dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("not a loopback address") && stderr.contains("--public"),
        "{stderr}"
    );
    assert!(
        out.stdout.is_empty(),
        "no variable is printed: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(!dir.path().join("sandbox").exists(), "nothing was started");
}
