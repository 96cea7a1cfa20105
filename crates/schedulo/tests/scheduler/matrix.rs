//! Every media type of the seed (Image, Carousel, Video) and every `Format` on every platform:
//! published, or refused before any call with a message that names the platform and the rule.

use crate::helpers::World;
use schedulo::base::names::posts;
use serde_json::json;

/// A case: its name, the account, the media record, the `Format`, what it expects.
type Case<'a> = (&'a str, &'a str, Option<&'a str>, Option<&'a str>, Expect);

/// What a case expects: published, or failed with a message holding these words.
enum Expect {
    Posted,
    Refused(&'static [&'static str]),
}

#[tokio::test(start_paused = true)]
async fn each_media_type_on_each_platform_publishes_or_is_refused_with_the_reason() {
    let w = World::start().await;
    let image = w.media("Image", &["image-1080x1080.jpg"]).await;
    let carousel = w
        .media(
            "Carousel",
            &["image-1080x1350.jpg", "image-1080x1080.jpg", "image-1080x1350.jpg"],
        )
        .await;
    let video = w.media("Video", &["video-1080x1920-12s.mp4"]).await;
    let long_video = w.media("Video", &["video-1280x720-200s.mp4"]).await;
    let png = w.media("Image", &["sample.png"]).await;
    let not_media = w.media("Image", &["notes.txt"]).await;
    let x = w.x_account.clone();
    let fb = w.fb_account.clone();
    let ig = w.ig_account.clone();
    let tt = w.tt_account.clone();
    use Expect::*;
    let cases: Vec<Case> = vec![
        // X
        ("x image", &x, Some(&image), None, Posted),
        ("x carousel", &x, Some(&carousel), None, Posted),
        ("x video", &x, Some(&video), None, Posted),
        ("x story", &x, Some(&image), Some("Story"), Refused(&["X", "Stories"])),
        (
            "x long video",
            &x,
            Some(&long_video),
            None,
            Refused(&["X allows videos", "3 min 20 s"]),
        ),
        (
            "x not media",
            &x,
            Some(&not_media),
            None,
            Refused(&["notes.txt", "not a media file"]),
        ),
        // Facebook
        ("fb image", &fb, Some(&image), None, Posted),
        ("fb carousel", &fb, Some(&carousel), None, Posted),
        ("fb video", &fb, Some(&video), None, Posted),
        ("fb reel", &fb, Some(&video), Some("Reel"), Posted),
        (
            "fb story",
            &fb,
            Some(&image),
            Some("Story"),
            Refused(&["Facebook", "Stor"]),
        ),
        (
            "fb long reel",
            &fb,
            Some(&long_video),
            Some("Reel"),
            Refused(&["Facebook", "Reel"]),
        ),
        // Instagram
        ("ig image", &ig, Some(&image), None, Posted),
        ("ig carousel", &ig, Some(&carousel), None, Posted),
        ("ig video", &ig, Some(&video), None, Posted),
        ("ig reel", &ig, Some(&video), Some("Reel"), Posted),
        ("ig story", &ig, Some(&image), Some("Story"), Posted),
        ("ig text only", &ig, None, None, Refused(&["Instagram needs"])),
        ("ig png", &ig, Some(&png), None, Refused(&["Instagram", "JPEG"])),
        // TikTok
        ("tiktok image", &tt, Some(&image), None, Posted),
        ("tiktok carousel", &tt, Some(&carousel), None, Posted),
        ("tiktok video", &tt, Some(&video), None, Posted),
        (
            "tiktok story",
            &tt,
            Some(&video),
            Some("Story"),
            Refused(&["TikTok", "Stor"]),
        ),
    ];
    let mut ids = Vec::new();
    for (name, account, media, format, expect) in cases {
        let id = w.schedule_media(account, name, 10, media, format).await;
        ids.push((name, id, expect));
    }
    w.scheduler.sync().await.unwrap();
    w.advance(10).await;
    // TikTok takes 6 inits a minute per account, one every 10 s: the later TikTok posts are held
    // that long, then go out.
    for _ in 0..12 {
        w.scheduler.publish_due().await.unwrap();
        w.scheduler.reconcile_unresolved().await.unwrap();
        w.advance(10).await;
    }
    w.reconcile_for(900, 10).await;
    w.outbox.flush().await.unwrap();
    let mut wrong = Vec::new();
    for (name, id, expect) in ids {
        let record = w.post(&id).await;
        let status = record.fields[posts::STATUS].clone();
        let message = record
            .fields
            .get(posts::ERROR_MESSAGE)
            .and_then(|m| m.as_str())
            .unwrap_or("");
        let ok = match expect {
            Posted => status == json!("Posted"),
            Refused(words) => status == json!("Failed") && words.iter().all(|w| message.contains(w)),
        };
        if !ok {
            wrong.push(format!("{name}: {status} {message}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
