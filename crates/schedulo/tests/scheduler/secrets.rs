//! No secret (platform token, Airtable token, vault key) appears in any log line or error.

use crate::helpers::{World, AIRTABLE_TOKEN, FB_TOKEN, IG_TOKEN, TT_TOKEN, X_TOKEN};
use schedulo::base::names::posts;
use secrecy::ExposeSecret;

/// A run with successes, an auth failure and a timeout logs at debug level, and no log line or
/// ErrorMessage holds a token or the vault key.
#[tokio::test(start_paused = true)]
async fn no_secret_appears_in_any_log_line_or_error() {
    let captured = crate::common::Captured::install();

    let w = World::start().await;
    let ok = w.schedule(&w.x_account, "fine", 5).await;
    let fb = w.schedule(&w.fb_account, "fine on facebook", 5).await;
    let video = w.media("Video", &["video-1080x1920-12s.mp4"]).await;
    let photo = w.media("Image", &["image-1080x1080.jpg"]).await;
    let tiktok = w
        .schedule_media(&w.tt_account, "fine on tiktok", 5, Some(&video), None)
        .await;
    let ig = w
        .schedule_media(&w.ig_account, "fine on instagram", 5, Some(&photo), None)
        .await;
    let x_video = w
        .schedule_media(&w.x_account, "a video on x", 5, Some(&video), None)
        .await;
    // An account whose stored token the platform refuses.
    let bad_token = w
        .vault
        .encrypt(&w.fb_account, &secrecy::SecretString::from("revoked-token-secret-0004"));
    let fields = crate::helpers::fields(serde_json::json!({ "AccessToken": bad_token }));
    w.base
        .update("SocialAccounts", vec![(w.fb_account.clone(), fields)], false)
        .await
        .unwrap();
    w.scheduler.sync().await.unwrap();
    w.advance(5).await;
    w.scheduler.publish_due().await.unwrap();
    w.reconcile_for(600, 10).await;
    w.outbox.flush().await.unwrap();
    for id in [&ok, &tiktok, &ig, &x_video] {
        assert_eq!(w.post(id).await.fields[posts::STATUS], "Posted");
    }
    let refused = w.post(&fb).await;
    assert_eq!(refused.fields[posts::STATUS], "Failed");

    let logs = captured.text();
    assert!(logs.contains("Post published."), "the capture works");
    let vault_key = w.vault_spec.expose_secret().split('=').nth(1).unwrap().to_string();
    let message = refused.fields[posts::ERROR_MESSAGE].as_str().unwrap_or("").to_string();
    for secret in [
        X_TOKEN,
        FB_TOKEN,
        IG_TOKEN,
        TT_TOKEN,
        AIRTABLE_TOKEN,
        "revoked-token-secret-0004",
        vault_key.as_str(),
    ] {
        assert!(!logs.contains(secret), "a secret is in the logs");
        assert!(!message.contains(secret), "a secret is in an ErrorMessage");
    }
}
