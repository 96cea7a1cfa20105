use super::*;
use crate::media::MediaInfo;

fn image(name: &str, w: u32, h: u32) -> MediaRef {
    MediaRef {
        url: format!("https://cdn.example/{name}"),
        kind: MediaKind::Image,
        info: MediaInfo {
            width: Some(w),
            height: Some(h),
            format: Some("jpeg".into()),
            bytes: Some(500_000),
            ..MediaInfo::default()
        },
    }
}

fn video(name: &str, w: u32, h: u32, secs: f64) -> MediaRef {
    MediaRef {
        url: format!("https://cdn.example/{name}"),
        kind: MediaKind::Video,
        info: MediaInfo {
            width: Some(w),
            height: Some(h),
            duration_secs: Some(secs),
            format: Some("mp4".into()),
            video_codec: Some("h264".into()),
            frame_rate: Some(30.0),
            bytes: Some(20 * 1024 * 1024),
        },
    }
}

fn post(format: PostFormat, media: Vec<MediaRef>) -> PostContent {
    PostContent {
        record_id: "rec1".into(),
        text: "Fresh bread #bakery".into(),
        link: None,
        media,
        format,
    }
}

fn check(p: &PostContent) -> Result<(), (&'static str, String)> {
    InstagramRules::default().check(p).map_err(|v| (v.rule, v.message))
}

#[test]
fn an_image_a_carousel_a_reel_and_a_story_pass() {
    assert!(check(&post(PostFormat::Post, vec![image("a.jpg", 1080, 1350)])).is_ok());
    let items = vec![image("a.jpg", 1080, 1080), video("b.mp4", 1080, 1350, 20.0)];
    assert!(
        check(&post(PostFormat::Post, items)).is_ok(),
        "a video may be a carousel item"
    );
    assert!(check(&post(PostFormat::Reel, vec![video("r.mp4", 1080, 1920, 45.0)])).is_ok());
    assert!(
        check(&post(PostFormat::Post, vec![video("r.mp4", 1080, 1920, 45.0)])).is_ok(),
        "feed video is a Reel"
    );
    assert!(
        check(&post(PostFormat::Story, vec![image("s.jpg", 1080, 1920)])).is_ok(),
        "9:16 Story image"
    );
    assert!(check(&post(PostFormat::Story, vec![video("s.mp4", 1080, 1920, 15.0)])).is_ok());
}

#[test]
fn a_post_without_media_is_refused() {
    assert_eq!(
        check(&post(PostFormat::Post, vec![])),
        Err((
            "instagram.media",
            "Instagram needs an image or a video; this post has none".into()
        ))
    );
}

#[test]
fn a_reel_too_long_names_its_length() {
    assert_eq!(
        check(&post(PostFormat::Reel, vec![video("clip.mp4", 1080, 1920, 1024.0)])),
        Err((
            "instagram.video_duration",
            "Instagram allows Reels from 3 s to 15 min; video 1 (clip.mp4) lasts 17 min 4 s".into()
        ))
    );
    assert_eq!(
        check(&post(PostFormat::Story, vec![video("s.mp4", 1080, 1920, 61.0)]))
            .unwrap_err()
            .1,
        "Instagram allows Story videos from 3 s to 1 min; video 1 (s.mp4) lasts 61 s"
    );
}

#[test]
fn images_must_be_jpeg_within_the_feed_s_aspect_range() {
    let mut png = image("photo.png", 1080, 1080);
    png.info.format = Some("png".into());
    assert_eq!(
        check(&post(PostFormat::Post, vec![png])).unwrap_err().1,
        "Instagram takes images as JPEG only; image 1 (photo.png) is PNG"
    );
    assert_eq!(
        check(&post(PostFormat::Post, vec![image("tall.jpg", 1080, 1920)]))
            .unwrap_err()
            .1,
        "Instagram takes images from 0.8 (4:5) to 1.91 (1.91:1) width/height; image 1 (tall.jpg) is 0.56 (1080x1920)"
    );
    let mut big = image("big.jpg", 1080, 1080);
    big.info.bytes = Some(9 * 1024 * 1024);
    assert_eq!(
        check(&post(PostFormat::Post, vec![big])).unwrap_err().0,
        "instagram.image_size"
    );
}

#[test]
fn carousels_hold_two_to_ten_items() {
    let eleven = (0..11).map(|i| image(&format!("{i}.jpg"), 1080, 1080)).collect();
    assert_eq!(
        check(&post(PostFormat::Post, eleven)).unwrap_err().1,
        "Instagram carousels hold 2 to 10 items; this post has 11"
    );
    let rules = InstagramRules {
        carousel_videos: false,
        ..InstagramRules::default()
    };
    let items = vec![image("a.jpg", 1080, 1080), video("b.mp4", 1080, 1080, 10.0)];
    assert_eq!(
        rules.check(&post(PostFormat::Post, items)).unwrap_err().rule,
        "instagram.carousel_video"
    );
}

#[test]
fn stories_hold_one_item_and_reels_one_video() {
    let two = vec![image("a.jpg", 1080, 1920), image("b.jpg", 1080, 1920)];
    assert_eq!(
        check(&post(PostFormat::Story, two)).unwrap_err().1,
        "An Instagram Story holds one image or video; this post has 2 (publish them as separate Stories)"
    );
    assert_eq!(
        check(&post(PostFormat::Reel, vec![image("a.jpg", 1080, 1080)]))
            .unwrap_err()
            .0,
        "instagram.reel_video"
    );
}

#[test]
fn captions_and_hashtags_are_counted() {
    let mut p = post(PostFormat::Post, vec![image("a.jpg", 1080, 1080)]);
    p.text = "#one #two #three #four #five #six".into();
    assert_eq!(
        check(&p).unwrap_err().1,
        "Instagram allows 5 hashtags a post (since December 2025); this post has 6"
    );
    p.text = "x".repeat(2201);
    assert_eq!(check(&p).unwrap_err().0, "instagram.caption_length");
    assert_eq!(hashtags("#a a#b &#39; ## #_x #é"), 3);
}

#[test]
fn gifs_unknown_properties_and_bad_urls() {
    let mut gif = image("anim.gif", 100, 100);
    gif.kind = MediaKind::Gif;
    assert_eq!(
        check(&post(PostFormat::Post, vec![gif])).unwrap_err().0,
        "instagram.gif"
    );
    let bare = MediaRef::new("https://cdn.example/x", MediaKind::Video);
    assert!(
        check(&post(PostFormat::Reel, vec![bare])).is_ok(),
        "unknown properties are Meta's to check"
    );
    let local = MediaRef::new("file:///tmp/x.jpg", MediaKind::Image);
    assert_eq!(
        check(&post(PostFormat::Post, vec![local])).unwrap_err().0,
        "instagram.media_url"
    );
}

#[test]
fn the_rules_read_from_toml() {
    let rules: InstagramRules = toml::from_str("max_hashtags = 30\nimage_formats = [\"jpeg\", \"png\"]").unwrap();
    assert_eq!(rules.max_hashtags, 30);
    assert_eq!(rules.max_reel_secs, 900.0);
    assert!(toml::from_str::<InstagramRules>("max_tags = 3").is_err());
}
