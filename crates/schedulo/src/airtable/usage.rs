//! A count of Airtable calls per base and calendar month (UTC), kept on disk.
//!
//! Every call counts against the workspace's monthly quota (Free 1,000; Team 100,000; source:
//! support.airtable.com "Managing API call limits"), including calls Airtable refused (429, 5xx).
//! The file is JSON, `{"appXXX": {"2026-11": 123}}`. After every call the process takes a lock on
//! `<file>.lock`, reads the file, adds the calls it has not saved yet, and writes it back (temp
//! file, then rename): several processes (the worker, a `schema check` in another shell) add up
//! instead of overwriting each other. A few hundred bytes, at most five times a second per base.

use chrono::{Datelike, Utc};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

type Counts = BTreeMap<String, BTreeMap<String, u64>>;

/// Calls per base per month; `None` path keeps them in memory only.
pub struct UsageCounter {
    path: Option<PathBuf>,
    state: Mutex<State>,
}

struct State {
    /// Every process's counts as last read from the file, plus this process's since.
    counts: Counts,
    /// This process's calls not yet in the file (a save failed, or none was tried).
    unsaved: Counts,
}

/// A month as `YYYY-MM` (UTC).
pub fn month_key(at: chrono::DateTime<Utc>) -> String {
    format!("{:04}-{:02}", at.year(), at.month())
}

impl UsageCounter {
    /// Opens the counter at `path`; a missing file starts at zero, an unreadable one is an error
    /// (we would rather stop than silently forget the month's spend).
    pub fn open(path: Option<PathBuf>) -> anyhow::Result<UsageCounter> {
        let counts = match &path {
            Some(p) => read(p)?,
            None => Counts::new(),
        };
        Ok(UsageCounter {
            path,
            state: Mutex::new(State {
                counts,
                unsaved: Counts::new(),
            }),
        })
    }

    /// Counts one call to `base` now.
    pub fn record(&self, base: &str) {
        let month = month_key(Utc::now());
        let mut state = self.state.lock().expect("usage lock");
        add(&mut state.counts, base, &month, 1);
        add(&mut state.unsaved, base, &month, 1);
        let Some(path) = &self.path else { return };
        match merge_into_file(path, &state.unsaved) {
            Ok(merged) => {
                state.counts = merged;
                state.unsaved.clear();
            }
            Err(error) => tracing::warn!(
                message = "Failed to save the Airtable call counter; the next save will add these calls.",
                path = %path.display(),
                %error
            ),
        }
    }

    /// Calls to `base` in `month` (`YYYY-MM`).
    pub fn calls(&self, base: &str, month: &str) -> u64 {
        let state = self.state.lock().expect("usage lock");
        state.counts.get(base).and_then(|m| m.get(month)).copied().unwrap_or(0)
    }

    /// Calls to `base` this month.
    pub fn this_month(&self, base: &str) -> u64 {
        self.calls(base, &month_key(Utc::now()))
    }

    /// Every base's count per month.
    pub fn snapshot(&self) -> Counts {
        self.state.lock().expect("usage lock").counts.clone()
    }
}

fn add(counts: &mut Counts, base: &str, month: &str, n: u64) {
    *counts
        .entry(base.to_string())
        .or_default()
        .entry(month.to_string())
        .or_default() += n;
}

fn read(path: &Path) -> anyhow::Result<Counts> {
    if !path.exists() {
        return Ok(Counts::new());
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read the Airtable call counter {}: {e}", path.display()))?;
    if text.trim().is_empty() {
        return Ok(Counts::new());
    }
    serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "the Airtable call counter {} is not valid ({e}); fix or delete it (it only counts calls)",
            path.display()
        )
    })
}

/// Under the file lock: reads the file, adds `unsaved`, writes it back; returns the sum.
fn merge_into_file(path: &Path, unsaved: &Counts) -> anyhow::Result<Counts> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path.with_extension("lock"))?;
    lock.lock()?;
    let mut counts = read(path)?;
    for (base, months) in unsaved {
        for (month, n) in months {
            add(&mut counts, base, month, *n);
        }
    }
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, serde_json::to_vec_pretty(&counts)?)?;
    std::fs::rename(tmp, path)?;
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_survive_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("usage.json");
        let c = UsageCounter::open(Some(path.clone())).unwrap();
        c.record("appA");
        c.record("appA");
        c.record("appB");
        drop(c);
        let c = UsageCounter::open(Some(path)).unwrap();
        assert_eq!(c.this_month("appA"), 2);
        assert_eq!(c.this_month("appB"), 1);
    }

    #[test]
    fn two_processes_counting_into_one_file_add_up() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("usage.json");
        let worker = UsageCounter::open(Some(path.clone())).unwrap();
        let check = UsageCounter::open(Some(path.clone())).unwrap();
        worker.record("appA");
        check.record("appA");
        worker.record("appA");
        assert_eq!(worker.this_month("appA"), 3);
        assert_eq!(UsageCounter::open(Some(path)).unwrap().this_month("appA"), 3);
    }

    #[test]
    fn a_corrupt_counter_file_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("usage.json");
        std::fs::write(&path, "not json").unwrap();
        let err = UsageCounter::open(Some(path)).err().unwrap().to_string();
        assert!(err.contains("usage.json") && err.contains("not valid"), "{err}");
    }
}
