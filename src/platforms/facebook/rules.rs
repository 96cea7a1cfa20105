//! What a Facebook Page post may hold, checked before any call: a text post, a link post, or 1 to
//! 10 photos with an optional message. Video and Reels are not published yet (issue 5).
//!
//! Sources for the defaults: `shared/reference/platforms.md` ("up to 10 photos a post");
//! developers.facebook.com/docs/graph-api/photo-uploads ("We recommend uploading photos under
//! 4MB"; Postiz reports Meta's refusal, subcode 1366046, as "Photos should be smaller than 4 MB");
//! 63,206 characters is the message length Postiz (`facebook.provider.ts`, `maxLength()`) and
//! other schedulers enforce for a Page post.

use crate::platforms::{MediaKind, PostContent, RuleViolation};

/// The rules, configurable because Meta changes them; `Default` holds the documented values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacebookRules {
    /// Photos attached to one post.
    pub max_photos: usize,
    /// Characters (Unicode scalar values) of the message.
    pub max_message_chars: usize,
    /// Bytes of one photo, checked only when the size is known.
    pub max_photo_bytes: u64,
}

impl Default for FacebookRules {
    fn default() -> Self {
        FacebookRules {
            max_photos: 10,
            max_message_chars: 63_206,
            max_photo_bytes: 4 * 1024 * 1024,
        }
    }
}

impl FacebookRules {
    /// Checks a post; the first rule it breaks is returned, naming the rule and the value.
    pub fn check(&self, post: &PostContent) -> Result<(), RuleViolation> {
        if post.media.iter().any(|m| m.kind == MediaKind::Video) {
            return Err(violation(
                "facebook.video",
                "Facebook video and Reels publishing arrives with issue 5; this post has a video".into(),
            ));
        }
        let chars = post.text.chars().count();
        if chars > self.max_message_chars {
            return Err(violation(
                "facebook.message_length",
                format!(
                    "Facebook allows {} characters in a post; this post has {chars}",
                    self.max_message_chars
                ),
            ));
        }
        let photos = post.media.len();
        if photos > self.max_photos {
            return Err(violation(
                "facebook.photos",
                format!(
                    "Facebook allows {} photos a post; this post has {photos}",
                    self.max_photos
                ),
            ));
        }
        if let Some(link) = &post.link {
            check_link(link, photos)?;
        }
        for (i, photo) in post.media.iter().enumerate() {
            self.check_photo(i + 1, &photo.url, photo.info.bytes)?;
        }
        if post.text.trim().is_empty() && post.link.is_none() && post.media.is_empty() {
            return Err(violation(
                "facebook.empty",
                "Facebook needs a message, a link or a photo; this post has none".into(),
            ));
        }
        Ok(())
    }

    fn check_photo(&self, n: usize, url: &str, bytes: Option<u64>) -> Result<(), RuleViolation> {
        if !is_web_url(url) {
            return Err(violation(
                "facebook.photo_url",
                format!("Facebook downloads photos from an http(s) URL; photo {n} has \"{url}\""),
            ));
        }
        match bytes {
            Some(b) if b > self.max_photo_bytes => Err(violation(
                "facebook.photo_size",
                format!(
                    "Facebook takes photos up to {}; photo {n} is {}",
                    megabytes(self.max_photo_bytes),
                    megabytes(b)
                ),
            )),
            _ => Ok(()),
        }
    }
}

fn check_link(link: &str, photos: usize) -> Result<(), RuleViolation> {
    if !is_web_url(link) {
        return Err(violation(
            "facebook.link",
            format!("Facebook shares http(s) links; this post's link is \"{link}\""),
        ));
    }
    if photos > 0 {
        return Err(violation(
            "facebook.link_with_photos",
            format!(
                "Facebook shows either a link preview or photos; this post has a link and {photos} photo{} \
                 (put the link in the text instead)",
                if photos == 1 { "" } else { "s" }
            ),
        ));
    }
    Ok(())
}

fn is_web_url(s: &str) -> bool {
    url::Url::parse(s).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
}

fn violation(rule: &'static str, message: String) -> RuleViolation {
    RuleViolation { rule, message }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platforms::MediaRef;

    fn post(text: &str, photos: usize) -> PostContent {
        PostContent {
            format: Default::default(),
            record_id: "rec1".into(),
            text: text.into(),
            link: None,
            media: (0..photos)
                .map(|i| photo(&format!("https://cdn.example/{i}.jpg")))
                .collect(),
        }
    }

    fn photo(url: &str) -> MediaRef {
        MediaRef {
            url: url.into(),
            kind: MediaKind::Image,
            info: Default::default(),
        }
    }

    fn rule_of(p: &PostContent) -> Result<(), (&'static str, String)> {
        FacebookRules::default().check(p).map_err(|v| (v.rule, v.message))
    }

    #[test]
    fn text_link_and_up_to_ten_photos_pass() {
        assert!(rule_of(&post("Hello", 0)).is_ok());
        assert!(rule_of(&post("", 10)).is_ok());
        let mut link = post("", 0);
        link.link = Some("https://example.com/a".into());
        assert!(rule_of(&link).is_ok());
    }

    #[test]
    fn twelve_photos_are_refused_with_the_count() {
        assert_eq!(
            rule_of(&post("x", 12)),
            Err((
                "facebook.photos",
                "Facebook allows 10 photos a post; this post has 12".to_string()
            ))
        );
    }

    #[test]
    fn a_video_is_refused_until_issue_5() {
        let mut p = post("x", 1);
        p.media[0].kind = MediaKind::Video;
        let (rule, message) = rule_of(&p).unwrap_err();
        assert_eq!(rule, "facebook.video");
        assert!(message.starts_with("Facebook video and Reels publishing arrives with issue 5"));
    }

    #[test]
    fn an_empty_post_is_refused() {
        assert_eq!(rule_of(&post("  \n", 0)).unwrap_err().0, "facebook.empty");
    }

    #[test]
    fn a_long_message_names_both_lengths() {
        let rules = FacebookRules {
            max_message_chars: 5,
            ..FacebookRules::default()
        };
        let v = rules.check(&post("héllo!", 0)).unwrap_err();
        assert_eq!(v.message, "Facebook allows 5 characters in a post; this post has 6");
    }

    #[test]
    fn bad_urls_links_with_photos_and_big_photos_are_refused() {
        let mut p = post("x", 1);
        p.media[0].url = "file:///etc/passwd".into();
        assert_eq!(rule_of(&p).unwrap_err().0, "facebook.photo_url");
        let mut p = post("x", 2);
        p.link = Some("https://example.com".into());
        let (rule, message) = rule_of(&p).unwrap_err();
        assert_eq!(rule, "facebook.link_with_photos");
        assert!(message.contains("a link and 2 photos"), "{message}");
        let mut p = post("x", 0);
        p.link = Some("javascript:alert(1)".into());
        assert_eq!(rule_of(&p).unwrap_err().0, "facebook.link");
        let mut p = post("x", 1);
        p.media[0].info.bytes = Some(5 * 1024 * 1024);
        assert_eq!(
            rule_of(&p).unwrap_err().1,
            "Facebook takes photos up to 4.0 MB; photo 1 is 5.0 MB"
        );
    }

    #[test]
    fn gifs_count_as_photos() {
        let mut p = post("x", 11);
        p.media[3].kind = MediaKind::Gif;
        assert_eq!(rule_of(&p).unwrap_err().0, "facebook.photos");
    }
}
