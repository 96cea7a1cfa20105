//! `schedulo bench airtable` runs and prints its figures (a short run; the real one is 60 s).

use std::process::Command;

/// The benchmark's calls match the floors (ceil(N/10) writes, ceil(N/100) reads) and its short
/// sustained run receives no 429.
#[test]
fn the_airtable_benchmark_prints_calls_at_their_floor_and_no_429() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_schedulo"))
        .args(["bench", "airtable", "--records", "25", "--seconds", "2"])
        .current_dir(dir.path())
        .env_clear()
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        stdout.contains("create      25 records:     3 calls (floor 3)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("read        25 records:     1 calls (floor 1)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("update      25 records:     3 calls (floor 3)"),
        "{stdout}"
    );
    assert!(stdout.contains("served 0 429s"), "{stdout}");
}
