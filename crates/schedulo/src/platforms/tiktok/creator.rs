//! `POST /v2/post/publish/creator_info/query/`: what the creator allows (privacy levels, the
//! longest video, interactions turned off), and the settings of a post decided from it. TikTok
//! requires this call before each post, and its answer decides what `init` may carry: a privacy
//! level the creator does not offer is refused with `privacy_level_option_mismatch`, and a video
//! longer than `max_video_post_duration_sec` fails TikTok's duration check.
//!
//! The settings travel to `publish` in [`Prepared::media_ids`] as `key=value` entries (the
//! scheduler keeps `Prepared` opaque), e.g. `["privacy_level=SELF_ONLY", "disable_comment=false",
//! "disable_duet=false", "disable_stitch=true"]`.

use super::client::{Api, Call};
use super::limits::Endpoint;
use super::rules::{duration, file_name, Shape};
use crate::error_class::ErrorClass;
use crate::platforms::{Account, MediaKind, PostContent, Prepared, PublishError};
use serde::Deserialize;
use serde_json::json;
use std::fmt;

/// TikTok's privacy levels, most public first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrivacyLevel {
    PublicToEveryone,
    FollowerOfCreator,
    MutualFollowFriends,
    SelfOnly,
}

impl PrivacyLevel {
    pub const ALL: [PrivacyLevel; 4] = [
        PrivacyLevel::PublicToEveryone,
        PrivacyLevel::FollowerOfCreator,
        PrivacyLevel::MutualFollowFriends,
        PrivacyLevel::SelfOnly,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PrivacyLevel::PublicToEveryone => "PUBLIC_TO_EVERYONE",
            PrivacyLevel::FollowerOfCreator => "FOLLOWER_OF_CREATOR",
            PrivacyLevel::MutualFollowFriends => "MUTUAL_FOLLOW_FRIENDS",
            PrivacyLevel::SelfOnly => "SELF_ONLY",
        }
    }

    pub fn parse(s: &str) -> Option<PrivacyLevel> {
        PrivacyLevel::ALL.into_iter().find(|l| l.as_str() == s.trim())
    }
}

impl fmt::Display for PrivacyLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which privacy level posts get.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PrivacyChoice {
    /// The most public level the creator offers (in [`PrivacyLevel::ALL`]'s order). An unaudited
    /// app may post only `SELF_ONLY`: configure `Exactly(SelfOnly)` for it.
    #[default]
    MostPublic,
    /// Exactly this level; a post is refused when the creator does not offer it.
    Exactly(PrivacyLevel),
}

/// Whether posts allow comments, duets and stitches (when the creator has not turned them off).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interactions {
    pub comment: bool,
    pub duet: bool,
    pub stitch: bool,
}

impl Default for Interactions {
    fn default() -> Self {
        Interactions {
            comment: true,
            duet: true,
            stitch: true,
        }
    }
}

/// `data` of the answer (developers.tiktok.com, direct post reference, "Query creator information").
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct CreatorInfo {
    #[serde(default)]
    pub creator_username: Option<String>,
    #[serde(default)]
    pub creator_nickname: Option<String>,
    #[serde(default)]
    pub privacy_level_options: Vec<String>,
    #[serde(default)]
    pub comment_disabled: bool,
    #[serde(default)]
    pub duet_disabled: bool,
    #[serde(default)]
    pub stitch_disabled: bool,
    #[serde(default)]
    pub max_video_post_duration_sec: Option<f64>,
}

impl CreatorInfo {
    /// "this creator (@name)", for messages.
    fn who(&self) -> String {
        match self.creator_username.as_deref().filter(|u| !u.is_empty()) {
            Some(u) => format!("this creator (@{u})"),
            None => "this creator".into(),
        }
    }
}

/// What `init` carries, decided from the creator's info.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub privacy_level: String,
    pub disable_comment: bool,
    pub disable_duet: bool,
    pub disable_stitch: bool,
}

impl Settings {
    pub fn to_prepared(&self) -> Prepared {
        Prepared {
            media_ids: vec![
                format!("privacy_level={}", self.privacy_level),
                format!("disable_comment={}", self.disable_comment),
                format!("disable_duet={}", self.disable_duet),
                format!("disable_stitch={}", self.disable_stitch),
            ],
            container: None,
            ready: true,
            expires_at: None,
        }
    }

    /// The settings kept in `prepared`, if it holds them (else `publish` asks the creator again).
    pub fn from_prepared(prepared: &Prepared) -> Option<Settings> {
        let value = |key: &str| {
            prepared
                .media_ids
                .iter()
                .find_map(|e| e.strip_prefix(key)?.strip_prefix('='))
        };
        let flag = |key: &str| value(key).map(|v| v == "true");
        Some(Settings {
            privacy_level: value("privacy_level").filter(|v| !v.is_empty())?.to_string(),
            disable_comment: flag("disable_comment")?,
            disable_duet: flag("disable_duet")?,
            disable_stitch: flag("disable_stitch")?,
        })
    }
}

/// Asks TikTok what the creator allows.
pub async fn query(api: &Api, account: &Account) -> Result<CreatorInfo, PublishError> {
    let data = api
        .call(
            account,
            Call {
                endpoint: Endpoint::CreatorInfo,
                path: &["v2", "post", "publish", "creator_info", "query"],
                fields: None,
                body: json!({}),
                what: "the creator's info",
                publishes: false,
            },
        )
        .await?;
    serde_json::from_value(data).map_err(|e| PublishError {
        class: ErrorClass::Transient,
        message: format!("TikTok's creator info could not be read: {e}"),
        retry_at: None,
    })
}

/// Decides the post's settings, or refuses the post when the creator does not allow it.
pub fn decide(
    info: &CreatorInfo,
    post: &PostContent,
    shape: Shape,
    choice: PrivacyChoice,
    wanted: Interactions,
) -> Result<Settings, PublishError> {
    if shape == Shape::Video {
        check_duration(info, post)?;
    }
    let offered = |level: PrivacyLevel| info.privacy_level_options.iter().any(|o| o == level.as_str());
    let privacy = match choice {
        PrivacyChoice::MostPublic => PrivacyLevel::ALL.into_iter().find(|l| offered(*l)).ok_or_else(|| {
            permanent(format!(
                "TikTok offers {} no privacy level to post with (creator_info lists {})",
                info.who(),
                offered_list(info)
            ))
        })?,
        PrivacyChoice::Exactly(level) if offered(level) => level,
        PrivacyChoice::Exactly(level) => {
            return Err(permanent(format!(
                "TikTok does not let {} post with privacy level {level}; the creator allows {}",
                info.who(),
                offered_list(info)
            )))
        }
    };
    Ok(Settings {
        privacy_level: privacy.as_str().to_string(),
        disable_comment: !wanted.comment || info.comment_disabled,
        disable_duet: !wanted.duet || info.duet_disabled,
        disable_stitch: !wanted.stitch || info.stitch_disabled,
    })
}

/// The creator's longest video against the post's video, when both are known.
fn check_duration(info: &CreatorInfo, post: &PostContent) -> Result<(), PublishError> {
    let Some(max) = info.max_video_post_duration_sec.filter(|m| *m > 0.0) else {
        return Ok(());
    };
    let Some(video) = post.media.iter().find(|m| m.kind == MediaKind::Video) else {
        return Ok(());
    };
    match video.info.duration_secs {
        Some(secs) if secs > max + 0.5 => Err(permanent(format!(
            "TikTok lets {} post videos up to {} ({} s); the video ({}) lasts {}",
            info.who(),
            duration(max),
            max.round(),
            file_name(&video.url),
            duration(secs)
        ))),
        _ => Ok(()),
    }
}

fn offered_list(info: &CreatorInfo) -> String {
    if info.privacy_level_options.is_empty() {
        "none".into()
    } else {
        info.privacy_level_options.join(", ")
    }
}

fn permanent(message: String) -> PublishError {
    PublishError {
        class: ErrorClass::Permanent,
        message,
        retry_at: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platforms::{MediaRef, PostFormat};

    fn info() -> CreatorInfo {
        let body = include_str!("../../../../../fixtures/tiktok/creator_info.json");
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        serde_json::from_value(v["data"].clone()).unwrap()
    }

    fn video_post(secs: Option<f64>) -> PostContent {
        let mut video = MediaRef::new("https://cdn.example.com/v/clip.mp4", MediaKind::Video);
        video.info.duration_secs = secs;
        PostContent {
            record_id: "recP".into(),
            text: "hi".into(),
            link: None,
            media: vec![video],
            format: PostFormat::Post,
        }
    }

    #[test]
    fn the_fixture_reads_and_the_most_public_level_is_chosen_with_the_creator_s_switches() {
        let info = info();
        assert_eq!(info.max_video_post_duration_sec, Some(300.0));
        let s = decide(
            &info,
            &video_post(Some(30.0)),
            Shape::Video,
            PrivacyChoice::MostPublic,
            Interactions::default(),
        )
        .unwrap();
        assert_eq!(
            s,
            Settings {
                privacy_level: "PUBLIC_TO_EVERYONE".into(),
                disable_comment: false,
                disable_duet: false,
                disable_stitch: true,
            }
        );
        assert_eq!(Settings::from_prepared(&s.to_prepared()), Some(s));
        assert_eq!(Settings::from_prepared(&Prepared::default()), None);
    }

    #[test]
    fn a_video_longer_than_the_creator_s_max_is_refused_with_both_values() {
        let e = decide(
            &info(),
            &video_post(Some(400.0)),
            Shape::Video,
            PrivacyChoice::MostPublic,
            Interactions::default(),
        )
        .unwrap_err();
        assert_eq!(e.class, ErrorClass::Permanent);
        assert_eq!(
            e.message,
            "TikTok lets this creator (@schedulo.demo) post videos up to 5 min (300 s); the video (clip.mp4) lasts 6 min 40 s"
        );
        assert!(decide(
            &info(),
            &video_post(None),
            Shape::Video,
            PrivacyChoice::MostPublic,
            Interactions::default()
        )
        .is_ok());
    }

    #[test]
    fn a_privacy_level_the_creator_does_not_offer_is_refused_naming_it() {
        let e = decide(
            &info(),
            &video_post(None),
            Shape::Video,
            PrivacyChoice::Exactly(PrivacyLevel::FollowerOfCreator),
            Interactions::default(),
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "TikTok does not let this creator (@schedulo.demo) post with privacy level FOLLOWER_OF_CREATOR; \
             the creator allows PUBLIC_TO_EVERYONE, MUTUAL_FOLLOW_FRIENDS, SELF_ONLY"
        );
        let none = CreatorInfo::default();
        let e = decide(
            &none,
            &video_post(None),
            Shape::Video,
            PrivacyChoice::MostPublic,
            Interactions::default(),
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "TikTok offers this creator no privacy level to post with (creator_info lists none)"
        );
    }
}
