//! The snapshot helper: files round-trip, bad files are refused by name, the writer coalesces and
//! holds answers until their change is written.

use super::*;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

#[test]
fn a_snapshot_round_trips_and_leaves_no_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = DataDir::open(dir.path().join("x"), "X").unwrap();
    assert!(data.read::<serde_json::Value>("x", 1).unwrap().is_none(), "no file yet");
    data.write("x", &json!({"format": 1, "posts": [1, 2]})).unwrap();
    let back: serde_json::Value = data.read("x", 1).unwrap().unwrap();
    assert_eq!(back["posts"], json!([1, 2]));
    assert!(!dir.path().join("x/x.json.tmp").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.file("x")).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "owner only: {mode:o}");
    }
}

#[test]
fn a_corrupt_or_foreign_file_is_refused_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let data = DataDir::open(dir.path(), "X").unwrap();
    std::fs::write(data.file("x"), b"{\"format\":1, \"posts\": [").unwrap();
    let err = data.read::<serde_json::Value>("x", 1).unwrap_err();
    let text = format!("{err:#}");
    assert!(text.contains("x.json") && text.contains("not valid"), "{text}");
    std::fs::write(data.file("x"), b"{\"format\":7}").unwrap();
    let err = format!("{:#}", data.read::<serde_json::Value>("x", 1).unwrap_err());
    assert!(err.contains("x.json") && err.contains("format 7"), "{err}");
}

#[test]
fn names_in_a_snapshot_stay_inside_the_directory() {
    let dir = std::path::Path::new("/data/cloudinary");
    assert_eq!(resolve(dir, "files/a.jpg").unwrap(), dir.join("files/a.jpg"));
    for bad in ["../etc/passwd", "/etc/passwd", "files//a", ""] {
        assert!(resolve(dir, bad).is_err(), "{bad}");
    }
    assert_eq!(relative(dir, &dir.join("files/a.jpg")).as_deref(), Some("files/a.jpg"));
    assert_eq!(relative(dir, std::path::Path::new("/tmp/a")), None);
}

#[tokio::test(start_paused = true)]
async fn changes_made_while_a_write_runs_share_the_next_write() {
    let dir = tempfile::tempdir().unwrap();
    let data = DataDir::open(dir.path(), "test").unwrap();
    let state = Arc::new(Mutex::new(0u32));
    let writes = Arc::new(AtomicUsize::new(0));
    let (s, w) = (state.clone(), writes.clone());
    let writer = Writer::spawn(data.clone(), "t", Changes::default(), move || {
        w.fetch_add(1, Ordering::SeqCst);
        to_json(&json!({"format": 1, "n": *s.lock().unwrap()}))
    });
    let changes = writer.changes().clone();
    let mut waits = Vec::new();
    for _ in 0..50 {
        *state.lock().unwrap() += 1;
        let generation = changes.mark();
        let c = changes.clone();
        waits.push(tokio::spawn(async move { c.written(generation).await }));
    }
    for wait in waits {
        wait.await.unwrap().unwrap();
    }
    let back: serde_json::Value = data.read("t", 1).unwrap().unwrap();
    assert_eq!(back["n"], 50, "the last write has every change");
    let n = writes.load(Ordering::SeqCst);
    assert!((1..50).contains(&n), "50 changes, {n} writes");
    writer.close().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_failed_write_is_reported_to_whoever_waits_for_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = DataDir::open(dir.path().join("gone"), "test").unwrap();
    std::fs::remove_dir(data.path()).unwrap();
    let writer = Writer::spawn(data, "t", Changes::default(), || to_json(&json!({"format": 1})));
    let generation = writer.changes().mark();
    let err = writer.changes().written(generation).await.unwrap_err();
    assert!(err.contains("t.json"), "{err}");
}
