//! A newcomer's whole run (`schedulo run` with nothing configured: the sandboxes, the demo base,
//! demo posts published): its stderr, its journal and the base's fields hold none of the secrets it
//! was given (the sandbox's Airtable token, the platforms' tokens, the vault key, the webhook token,
//! Cloudinary's API secret). The tokens are in the base only sealed by the vault. The variables it
//! prints on stdout are the newcomer's to copy, and are left out.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// `schedulo run` in `dir`, nothing configured, its stderr lines sent to the returned channel.
fn newcomer_run(dir: &Path) -> (Child, mpsc::Receiver<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_schedulo"))
        .arg("run")
        .current_dir(dir)
        .env_clear()
        .env("SCHEDULO_LISTEN", "127.0.0.1:0")
        .env("SCHEDULO_SANDBOX_LATENCY", "off")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (child, rx)
}

/// Lines of `rx` until one contains `wanted` (or two minutes pass); all of them.
fn until(rx: &mpsc::Receiver<String>, wanted: &str) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut lines = Vec::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(line) => {
                let found = line.contains(wanted);
                lines.push(line);
                if found {
                    return lines;
                }
            }
            Err(_) => break,
        }
    }
    panic!("no line said {wanted:?}:\n{}", lines.join("\n"));
}

/// The secrets the sandbox made for this machine (`identity.json`), a vault key by its key part.
fn secrets(dir: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join(".schedulo/sandbox/identity.json")).unwrap();
    let identity: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut found = Vec::new();
    for (name, value) in identity.as_object().unwrap() {
        let Some(value) = value.as_str() else { continue };
        match name.as_str() {
            "base_id" | "cloudinary_key" => {}
            "vault_keys" => found.extend(
                value
                    .split(',')
                    .filter_map(|k| k.split_once('='))
                    .map(|(_, key)| key.to_string()),
            ),
            _ if name.contains("token") || name.contains("secret") => found.push(value.to_string()),
            _ => {}
        }
    }
    assert!(
        found.len() >= 7,
        "the identity's secrets: {:?}",
        identity.as_object().unwrap().keys()
    );
    found
}

fn files_under(dir: &Path, keep: impl Fn(&Path) -> bool + Copy, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, keep, out);
        } else if keep(&path) {
            out.push(path);
        }
    }
}

#[test]
fn a_newcomer_run_leaks_no_secret_to_stderr_the_journal_or_the_base() {
    let dir = tempfile::tempdir().unwrap();
    // The first run loads the demo base (its posts are due a minute later): stopped once loaded.
    let (mut first, rx) = newcomer_run(dir.path());
    let mut stderr = until(&rx, "Demo posts scheduled.");
    first.kill().unwrap();
    first.wait().unwrap();
    // The second finds it, schedules posts a few seconds ahead and publishes them.
    let (mut second, rx) = newcomer_run(dir.path());
    stderr.extend(until(&rx, "Post published."));
    second.kill().unwrap();
    second.wait().unwrap();
    let sandbox = dir.path().join(".schedulo/sandbox");
    let mut stored = Vec::new();
    files_under(
        &sandbox,
        |p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with("journal.sqlite")
                || (p.extension().is_some_and(|e| e == "json") && !name.starts_with("identity"))
        },
        &mut stored,
    );
    assert!(
        stored.iter().any(|p| p.to_string_lossy().contains("journal.sqlite")),
        "{stored:?}"
    );
    assert!(
        stored.iter().any(|p| p.to_string_lossy().contains("bases")),
        "{stored:?}"
    );
    let stderr = stderr.join("\n");
    for secret in secrets(dir.path()) {
        let shown = &secret[..4.min(secret.len())];
        assert!(!stderr.contains(&secret), "a secret ({shown}...) in stderr");
        for file in &stored {
            let bytes = std::fs::read(file).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            assert!(!text.contains(&secret), "a secret ({shown}...) in {}", file.display());
        }
    }
}
