//! `schedulo sandbox` restarted on the same data directory: the stand-ins come back with what they
//! held, on the same ports when free, and the demo's media URLs keep working when they are not.

use schedulo::airtable::{ClientOptions, ListQuery};
use schedulo::demo::launch::{launch, Launched};
use schedulo::schema::Schema;
use schedulo_sandbox::latency::Profile;
use schedulo_sandbox::x::XSandboxUser;
use std::path::Path;

async fn start(dir: &Path) -> Launched {
    let listen = "127.0.0.1:0".parse().unwrap();
    launch(listen, dir, &Schema::builtin(), Profile::Off, ClientOptions::new)
        .await
        .unwrap()
}

/// The demo photo's `CloudinaryURL` (served by a stand-in), and what fetching it answers.
async fn demo_photo(launched: &Launched) -> (String, u16) {
    let media = launched.base.list("MediaLibrary", &ListQuery::default()).await.unwrap();
    let photo = media
        .iter()
        .find(|r| r.fields.get("MediaID").and_then(|v| v.as_str()) == Some("M-0001"))
        .expect("the demo photo");
    let url = photo.fields["CloudinaryURL"].as_str().unwrap().to_string();
    let status = reqwest::get(&url).await.unwrap().status().as_u16();
    (url, status)
}

/// A restart with `--listen 127.0.0.1:0` finds every port of the last run free and takes them
/// again: the printed variables and the base's URLs are unchanged, nothing is rewritten, and a
/// post made on the sandbox X before the restart is still there.
#[tokio::test(start_paused = true)]
async fn a_relaunch_comes_back_on_the_same_ports_with_what_the_stand_ins_held() {
    let dir = tempfile::tempdir().unwrap();
    let first = start(dir.path()).await;
    let (url, status) = demo_photo(&first).await;
    assert_eq!(status, 200, "{url}");
    first
        .x
        .add_user(XSandboxUser {
            token: "relaunch-token".into(),
            id: "77".into(),
            username: "relaunch".into(),
        })
        .unwrap();
    let posted = reqwest::Client::new()
        .post(format!("{}/2/tweets", first.x.url()))
        .bearer_auth("relaunch-token")
        .json(&serde_json::json!({"text": "before the restart"}))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status().as_u16(), 201);
    let lines = first.env.dotenv_lines();
    first.shutdown().await;
    for kept in [
        "x/x.json",
        "facebook/graph.json",
        "tiktok/tiktok.json",
        "cloudinary/cloudinary.json",
    ] {
        assert!(dir.path().join(kept).exists(), "{kept}");
    }

    let second = start(dir.path()).await;
    assert_eq!(second.env.dotenv_lines(), lines, "the same ports, the same variables");
    assert_eq!(second.urls_moved, 0);
    assert_eq!(demo_photo(&second).await, (url, 200));
    assert_eq!(second.x.tweets("77").len(), 1, "the post made before the restart");
    second.shutdown().await;
}

/// When the X stand-in's port of the last run is taken, X starts on another port and the base's
/// URLs that pointed at it follow: the demo photo is served from the new address.
#[tokio::test(start_paused = true)]
async fn a_relaunch_on_another_port_moves_the_base_s_urls_along() {
    let dir = tempfile::tempdir().unwrap();
    let first = start(dir.path()).await;
    let (old_url, _) = demo_photo(&first).await;
    let old_x = first.x.addr();
    first.shutdown().await;
    let squatter = tokio::net::TcpListener::bind(old_x).await.unwrap();

    let second = start(dir.path()).await;
    assert_ne!(second.x.addr(), old_x, "the old port is taken");
    assert!(second.urls_moved >= 1, "{}", second.urls_moved);
    let (url, status) = demo_photo(&second).await;
    assert_eq!(status, 200, "{url}");
    assert_eq!(url, old_url.replace(&format!("http://{old_x}"), &second.x.url()));
    let new_x = second.x.addr();
    second.shutdown().await;
    drop(squatter);

    let third = start(dir.path()).await;
    assert_eq!(third.x.addr(), new_x, "the identity keeps the new port");
    assert_eq!(third.urls_moved, 0);
    third.shutdown().await;
}
