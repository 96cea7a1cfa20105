//! `schedulo sandbox` / `schedulo run` with nothing configured: the sandbox a person starts.

use schedulo::airtable::{ClientOptions, ListQuery};
use schedulo::base::{read_all, ScheduledPost};
use schedulo::demo::launch::launch;
use schedulo::schema::Schema;
use schedulo_sandbox::latency::Profile;
use secrecy::ExposeSecret;

/// The first launch creates the base, its tables and the demo; the second finds them on disk, keeps
/// the same base id and token (a Bubble app's settings stay valid), and spends two calls.
#[tokio::test(start_paused = true)]
async fn launching_the_sandbox_twice_keeps_its_base_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let listen = "127.0.0.1:0".parse().unwrap();
    let first = launch(listen, dir.path(), &Schema::builtin(), Profile::Off, ClientOptions::new)
        .await
        .unwrap();
    assert!(first.demo_loaded);
    assert!(!first.schema_changes.is_empty());
    let posts = first.base.list("ScheduledPosts", &ListQuery::default()).await.unwrap();
    let (good, bad) = read_all(&posts, ScheduledPost::from_record);
    assert_eq!(
        (good.len(), bad.len()),
        (7, 0),
        "the demo posts are all readable: {bad:?}"
    );
    let (base_id, token) = (first.env.base_id.clone(), first.env.token.expose_secret().to_string());
    assert_eq!(
        first.demo.publishable_accounts.len(),
        4,
        "every demo account has a token"
    );
    let vault_keys = first.env.vault_keys.expose_secret().to_string();
    first.shutdown().await;

    let second = launch(
        listen,
        dir.path(),
        &Schema::builtin(),
        Profile::Realistic,
        ClientOptions::new,
    )
    .await
    .unwrap();
    assert_eq!(second.env.base_id, base_id);
    assert_eq!(second.env.token.expose_secret(), token);
    assert!(second.schema_changes.is_empty(), "{:?}", second.schema_changes);
    assert!(!second.demo_loaded);
    assert_eq!(
        second.base.client().usage().this_month(&base_id),
        3,
        "schema read, demo probe, demo accounts"
    );
    let lines = second.env.dotenv_lines();
    assert!(lines.starts_with("AIRTABLE_API_URL=http://127.0.0.1:"), "{lines}");
    assert!(lines.contains(&format!("AIRTABLE_BASE_ID={base_id}\n")), "{lines}");
    assert_eq!(
        second.env.vault_keys.expose_secret(),
        vault_keys,
        "the demo's tokens stay readable"
    );
    assert_eq!(second.demo.publishable_accounts.len(), 4);
    // The set-up ran without latency; from now on each stand-in answers in its vendor's time.
    let typical = schedulo_sandbox::airtable::limits::TYPICAL_LATENCY;
    assert_eq!(second.server.latency(), typical);
    assert_eq!(second.x.latency(), schedulo_sandbox::x::limits::TYPICAL_LATENCY);
    assert_eq!(
        second.cloudinary.latency(),
        schedulo_sandbox::cloudinary::limits::TYPICAL_LATENCY
    );
    let asked = tokio::time::Instant::now();
    second.base.list("ScheduledPosts", &ListQuery::default()).await.unwrap();
    assert!(asked.elapsed() >= typical.read, "{:?}", asked.elapsed());
    assert!(
        lines.contains("X_API_URL=http://127.0.0.1:") && lines.contains("SCHEDULO_VAULT_KEYS=sandbox1="),
        "{lines}"
    );
    second.shutdown().await;
}
