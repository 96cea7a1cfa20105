//! The platforms' rules as configuration: `scenarios/platform-rules.toml`, one section per platform
//! (`[x]`, `[facebook]`, `[instagram]`, `[tiktok]`), read at start from `SCHEDULO_SCENARIO_DIR` when
//! the file is there, else the copy built into the binary. Platforms change their limits (Instagram's
//! hashtags went from 30 to 5 in December 2025): a new number is an edit, not a release. A key left
//! out keeps its documented default; an unknown key is an error that names it.
//!
//! Each platform's rules, their defaults and their sources are in `src/platforms/<name>/rules.rs`.

use super::facebook::FacebookRules;
use super::instagram::InstagramRules;
use super::tiktok::TikTokRules;
use super::x::XRules;
use super::{Platform, PostContent, RuleViolation};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The file's name in the scenario directory.
pub const FILE: &str = "platform-rules.toml";

const BUILTIN: &str = include_str!("../../../../scenarios/platform-rules.toml");

/// Every platform's rules.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PlatformRules {
    pub x: XRules,
    pub facebook: FacebookRules,
    pub instagram: InstagramRules,
    pub tiktok: TikTokRules,
}

impl PlatformRules {
    /// The built-in file (the documented defaults).
    pub fn builtin() -> PlatformRules {
        toml::from_str(BUILTIN).unwrap_or_default()
    }

    /// `dir/platform-rules.toml` if it exists, else the built-in rules.
    pub fn load(dir: &Path) -> anyhow::Result<PlatformRules> {
        let path = dir.join(FILE);
        if !path.exists() {
            return Ok(PlatformRules::builtin());
        }
        let text =
            std::fs::read_to_string(&path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        PlatformRules::parse(&text).map_err(|e| anyhow::anyhow!("{} is not valid: {e}", path.display()))
    }

    /// Parses the file's text.
    pub fn parse(text: &str) -> Result<PlatformRules, toml::de::Error> {
        toml::from_str(text)
    }

    /// Checks a post against `platform`'s rules; no call is made. The same check as that
    /// platform's [`super::Publisher::check`], which holds the same rules.
    pub fn check(&self, platform: Platform, post: &PostContent) -> Result<(), RuleViolation> {
        match platform {
            Platform::Twitter => self.x.check(post),
            Platform::Facebook => self.facebook.check(post),
            Platform::Instagram => self.instagram.check(post),
            Platform::TikTok => self.tiktok.check(post),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_file_holds_exactly_the_documented_defaults() {
        let parsed = PlatformRules::parse(BUILTIN).expect("the built-in file parses");
        assert_eq!(parsed, PlatformRules::default());
    }

    #[test]
    fn a_key_left_out_keeps_its_default_and_an_unknown_key_is_named() {
        let rules = PlatformRules::parse("[instagram]\nmax_hashtags = 30\n").unwrap();
        assert_eq!(rules.instagram.max_hashtags, 30);
        assert_eq!(rules.x, XRules::default());
        let error = PlatformRules::parse("[x]\nmax_imagez = 5\n").unwrap_err().to_string();
        assert!(error.contains("max_imagez"), "{error}");
        let error = PlatformRules::parse("[myspace]\n").unwrap_err().to_string();
        assert!(error.contains("myspace"), "{error}");
    }

    #[test]
    fn a_missing_file_means_the_built_in_rules() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(PlatformRules::load(dir.path()).unwrap(), PlatformRules::builtin());
        std::fs::write(dir.path().join(FILE), "[tiktok]\nnot_a_rule = 1\n").unwrap();
        let error = format!("{:#}", PlatformRules::load(dir.path()).unwrap_err());
        assert!(error.contains(FILE) && error.contains("not_a_rule"), "{error}");
    }
}
