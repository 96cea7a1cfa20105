//! The paths section: where the worker keeps its files, and the files that follow from the target.

use super::env::Env;
use super::vars::*;
use super::{AirtableTarget, Config};
use std::path::PathBuf;

/// The call counter's file name.
pub const USAGE_FILE: &str = "airtable-usage.json";

/// The worker's paths, defaults applied.
#[derive(Debug)]
pub(super) struct Paths {
    pub data_dir: PathBuf,
    pub schema_file: Option<PathBuf>,
    pub journal_path: PathBuf,
    pub scenario_dir: PathBuf,
}

impl Paths {
    /// Any text is a path; nothing to refuse here (the files are opened, or not, later).
    pub fn from_env(env: &Env) -> Paths {
        let data_dir = PathBuf::from(env.text_or_default(&SCHEDULO_DATA_DIR));
        Paths {
            // `SCHEDULO_JOURNAL`'s default, as the table says: SCHEDULO_DATA_DIR/journal.sqlite.
            journal_path: env
                .text(&SCHEDULO_JOURNAL)
                .map_or_else(|| data_dir.join("journal.sqlite"), PathBuf::from),
            schema_file: env.text(&SCHEDULO_SCHEMA_FILE).map(PathBuf::from),
            scenario_dir: PathBuf::from(env.text_or_default(&SCHEDULO_SCENARIO_DIR)),
            data_dir,
        }
    }
}

impl Config {
    /// Where the built-in sandboxes keep their bases, identity, journal and call counter.
    pub fn sandbox_dir(&self) -> PathBuf {
        self.data_dir.join("sandbox")
    }

    /// The journal of the worker's target: the built-in sandboxes keep their own (under
    /// `sandbox/`), so a later run against a real base never meets their posts.
    pub fn journal_file(&self) -> PathBuf {
        match self.airtable {
            AirtableTarget::Sandbox => self.sandbox_dir().join("journal.sqlite"),
            AirtableTarget::Remote { .. } => self.journal_path.clone(),
        }
    }

    /// Where the monthly Airtable call counter of the configured base lives. The built-in
    /// sandbox's calls are counted apart (`sandbox/`), so they never show against the real plan.
    pub fn usage_file(&self) -> PathBuf {
        match self.airtable {
            AirtableTarget::Sandbox => self.sandbox_dir().join(USAGE_FILE),
            AirtableTarget::Remote { .. } => self.data_dir.join(USAGE_FILE),
        }
    }
}
