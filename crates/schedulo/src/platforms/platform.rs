//! The four platforms the worker publishes to, and what the rest of the worker needs to know of
//! each by name: the choice the base writes in `Platform` fields ([`Platform::choice_name`]; the
//! seed still says "Twitter"), the name people read in messages ([`Platform::display_name`]: "X"),
//! and the names accepted from outside ([`Platform::named`]: Bubble may say "x" or "twitter").
//! [`Platform::ALL`] is the one list of them; [`crate::base`] reads and writes this enum.

use std::fmt;

/// A platform. `Twitter` is X (the base's choice keeps the seed's name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Platform {
    Instagram,
    Facebook,
    Twitter,
    TikTok,
}

impl Platform {
    /// Every platform, in the base's order of choices.
    pub const ALL: [Platform; 4] = [
        Platform::Instagram,
        Platform::Facebook,
        Platform::Twitter,
        Platform::TikTok,
    ];

    /// The single-select choice in the base (`SocialAccounts.Platform`): "Twitter" for X.
    pub fn choice_name(self) -> &'static str {
        match self {
            Platform::Instagram => "Instagram",
            Platform::Facebook => "Facebook",
            Platform::Twitter => "Twitter",
            Platform::TikTok => "TikTok",
        }
    }

    /// The platform as people call it, for messages: "X" for Twitter.
    pub fn display_name(self) -> &'static str {
        match self {
            Platform::Twitter => "X",
            other => other.choice_name(),
        }
    }

    /// A platform by a name from outside (Bubble, the base): any case, spaces around ignored;
    /// "twitter" and "x" are both X.
    pub fn named(name: &str) -> Option<Platform> {
        match name.trim().to_ascii_lowercase().as_str() {
            "instagram" => Some(Platform::Instagram),
            "facebook" => Some(Platform::Facebook),
            "twitter" | "x" => Some(Platform::Twitter),
            "tiktok" => Some(Platform::TikTok),
            _ => None,
        }
    }
}

/// The base's choice name (as the enum printed before it moved here).
impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.choice_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_outside_are_read_in_any_case_and_x_is_twitter() {
        assert_eq!(Platform::named(" X "), Some(Platform::Twitter));
        assert_eq!(Platform::named("twitter"), Some(Platform::Twitter));
        assert_eq!(Platform::named("TikTok"), Some(Platform::TikTok));
        assert_eq!(Platform::named("myspace"), None);
        for p in Platform::ALL {
            assert_eq!(Platform::named(p.choice_name()), Some(p));
            assert_eq!(Platform::named(p.display_name()), Some(p));
        }
        assert_eq!(Platform::Twitter.to_string(), "Twitter");
        assert_eq!(Platform::Twitter.display_name(), "X");
    }
}
