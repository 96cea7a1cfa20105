//! X's rules for a whole post ([`check`]): its format, its text's weighted length, the mix of
//! media, and image sizes; video and GIF files go to [`super::media`].

use super::{file_name, media, megabytes, violation, XRules};
use crate::platforms::{MediaKind, PostContent, PostFormat, RuleViolation};

/// The text X receives: the post's text, and its link on a new line when the text does not hold it
/// already (X has no separate link field).
pub fn post_text(post: &PostContent) -> String {
    match post.link.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        Some(link) if !post.text.contains(link) => {
            if post.text.trim().is_empty() {
                link.to_string()
            } else {
                format!("{}\n{link}", post.text)
            }
        }
        _ => post.text.clone(),
    }
}

/// Checks a post against X's rules; no call is made.
pub fn check(post: &PostContent, rules: &XRules) -> Result<(), RuleViolation> {
    match post.format {
        PostFormat::Post => {}
        PostFormat::Reel => return Err(violation("x.format", "X has no Reels: set Format to Post".into())),
        PostFormat::Story => return Err(violation("x.format", "X has no Stories: set Format to Post".into())),
    }
    let text = post_text(post);
    if text.trim().is_empty() && post.media.is_empty() {
        return Err(violation(
            "x.empty",
            "X needs text or media; this post has neither".into(),
        ));
    }
    let length = rules.text_length(&text);
    if length > rules.max_weighted_chars {
        return Err(violation(
            "x.text_length",
            format!(
                "X allows {} characters (weighted); this post has {length}",
                rules.max_weighted_chars
            ),
        ));
    }
    check_media(post, rules)
}

fn check_media(post: &PostContent, rules: &XRules) -> Result<(), RuleViolation> {
    let count = |kind| post.media.iter().filter(|m| m.kind == kind).count();
    let (images, gifs, videos) = (count(MediaKind::Image), count(MediaKind::Gif), count(MediaKind::Video));
    if gifs + videos > 0 && (gifs + videos > 1 || images > 0) {
        return Err(violation(
            "x.media_mix",
            format!(
                "X allows {} images, or 1 GIF, or 1 video; this post has {images} images, {gifs} GIFs and {videos} videos",
                rules.max_images
            ),
        ));
    }
    if videos > 0 || gifs > 0 {
        for (i, media) in post.media.iter().enumerate() {
            media::check(media.kind, i + 1, &file_name(&media.url), &media.info, rules)?;
        }
        return Ok(());
    }
    if images > rules.max_images {
        return Err(violation(
            "x.images",
            format!("X allows {} images; this post has {images}", rules.max_images),
        ));
    }
    for (i, media) in post.media.iter().enumerate() {
        if let Some(bytes) = media.info.bytes.filter(|b| *b > rules.max_image_bytes) {
            return Err(violation(
                "x.image_bytes",
                format!(
                    "X allows images up to {}; image {} ({}) has {}",
                    megabytes(rules.max_image_bytes),
                    i + 1,
                    file_name(&media.url),
                    megabytes(bytes)
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platforms::MediaRef;

    fn post(text: &str, media: &[MediaKind]) -> PostContent {
        PostContent {
            format: Default::default(),
            record_id: "recP".into(),
            text: text.into(),
            link: None,
            media: media
                .iter()
                .enumerate()
                .map(|(i, kind)| MediaRef {
                    url: format!("https://cdn.example.com/m/photo{i}.jpg"),
                    kind: *kind,
                    info: Default::default(),
                })
                .collect(),
        }
    }

    fn refusal(p: &PostContent) -> String {
        check(p, &XRules::default()).unwrap_err().message
    }

    #[test]
    fn a_post_of_280_weighted_characters_passes_and_one_more_is_refused_with_the_count() {
        assert!(check(&post(&"a".repeat(280), &[]), &XRules::default()).is_ok());
        assert_eq!(
            refusal(&post(&format!("{}日", "a".repeat(279)), &[])),
            "X allows 280 characters (weighted); this post has 281"
        );
    }

    #[test]
    fn five_images_are_refused_and_four_pass() {
        use MediaKind::Image;
        assert!(check(&post("hi", &[Image; 4]), &XRules::default()).is_ok());
        assert_eq!(refusal(&post("hi", &[Image; 5])), "X allows 4 images; this post has 5");
    }

    #[test]
    fn video_and_gif_go_alone_and_x_has_no_stories_or_reels() {
        assert!(check(&post("v", &[MediaKind::Video]), &XRules::default()).is_ok());
        assert!(check(&post("g", &[MediaKind::Gif]), &XRules::default()).is_ok());
        let mixed = check(&post("m", &[MediaKind::Gif, MediaKind::Image]), &XRules::default()).unwrap_err();
        assert_eq!(mixed.rule, "x.media_mix");
        let two = check(&post("m", &[MediaKind::Video, MediaKind::Video]), &XRules::default()).unwrap_err();
        assert_eq!(two.rule, "x.media_mix");
        let mut story = post("s", &[MediaKind::Video]);
        story.format = PostFormat::Story;
        assert_eq!(refusal(&story), "X has no Stories: set Format to Post");
        story.format = PostFormat::Reel;
        assert_eq!(refusal(&story), "X has no Reels: set Format to Post");
    }

    #[test]
    fn an_empty_post_is_refused_but_media_alone_is_fine() {
        assert_eq!(
            refusal(&post("  ", &[])),
            "X needs text or media; this post has neither"
        );
        assert!(check(&post("", &[MediaKind::Image]), &XRules::default()).is_ok());
    }

    #[test]
    fn an_image_over_five_megabytes_is_named() {
        let mut p = post("hi", &[MediaKind::Image, MediaKind::Image]);
        p.media[1].info.bytes = Some(6_600_000);
        assert_eq!(
            refusal(&p),
            "X allows images up to 5 MB; image 2 (photo1.jpg) has 6.3 MB"
        );
    }

    #[test]
    fn the_link_goes_into_the_text_once() {
        let mut p = post("Read this", &[]);
        p.link = Some("https://example.com/a".into());
        assert_eq!(post_text(&p), "Read this\nhttps://example.com/a");
        p.text = "Read https://example.com/a now".into();
        assert_eq!(post_text(&p), "Read https://example.com/a now");
    }
}
