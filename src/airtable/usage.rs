//! A count of Airtable calls per base and calendar month (UTC), kept on disk.
//!
//! Every call counts against the workspace's monthly quota (Free 1,000; Team 100,000; source:
//! support.airtable.com "Managing API call limits"), including calls Airtable refused (429, 5xx).
//! The file is JSON, `{"appXXX": {"2026-11": 123}}`, rewritten (temp file, then rename) after every call:
//! a few hundred bytes at most five times a second per base.

use chrono::{Datelike, Utc};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

type Counts = BTreeMap<String, BTreeMap<String, u64>>;

/// Calls per base per month; `None` path keeps them in memory only.
pub struct UsageCounter {
    path: Option<PathBuf>,
    counts: Mutex<Counts>,
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
            Some(p) if p.exists() => {
                let text = std::fs::read_to_string(p)
                    .map_err(|e| anyhow::anyhow!("cannot read the Airtable call counter {}: {e}", p.display()))?;
                serde_json::from_str(&text).map_err(|e| {
                    anyhow::anyhow!(
                        "the Airtable call counter {} is not valid ({e}); fix or delete it (it only counts calls)",
                        p.display()
                    )
                })?
            }
            _ => Counts::new(),
        };
        Ok(UsageCounter {
            path,
            counts: Mutex::new(counts),
        })
    }

    /// Counts one call to `base` now.
    pub fn record(&self, base: &str) {
        let month = month_key(Utc::now());
        let mut counts = self.counts.lock().expect("usage lock");
        *counts.entry(base.to_string()).or_default().entry(month).or_default() += 1;
        if let Some(path) = &self.path {
            if let Err(error) = save(path, &counts) {
                tracing::warn!(message = "Failed to save the Airtable call counter.", path = %path.display(), %error);
            }
        }
    }

    /// Calls to `base` in `month` (`YYYY-MM`).
    pub fn calls(&self, base: &str, month: &str) -> u64 {
        let counts = self.counts.lock().expect("usage lock");
        counts.get(base).and_then(|m| m.get(month)).copied().unwrap_or(0)
    }

    /// Calls to `base` this month.
    pub fn this_month(&self, base: &str) -> u64 {
        self.calls(base, &month_key(Utc::now()))
    }

    /// Every base's count per month.
    pub fn snapshot(&self) -> Counts {
        self.counts.lock().expect("usage lock").clone()
    }
}

fn save(path: &Path, counts: &Counts) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, serde_json::to_vec_pretty(counts).map_err(std::io::Error::other)?)?;
    std::fs::rename(tmp, path)
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
    fn a_corrupt_counter_file_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("usage.json");
        std::fs::write(&path, "not json").unwrap();
        let err = UsageCounter::open(Some(path)).err().unwrap().to_string();
        assert!(err.contains("usage.json") && err.contains("not valid"), "{err}");
    }
}
