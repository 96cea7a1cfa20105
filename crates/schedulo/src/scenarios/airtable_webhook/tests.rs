//! The keeper and the reader against the in-process sandbox Airtable, with the scheduler's side
//! recorded. Time is tokio's, paused.

use super::*;
use crate::airtable::{AirtableClient, ClientOptions, Fields};
use crate::base::names::posts;
use crate::schema::{self, Schema};
use schedulo_sandbox::airtable::{AirtableSandbox, SandboxLimits, SandboxOptions};
use secrecy::SecretString;
use serde_json::json;

/// What the scheduler was told.
#[derive(Default)]
struct Recorder {
    posts: Mutex<Vec<String>>,
    all: Mutex<usize>,
    live: std::sync::atomic::AtomicBool,
}

impl Nudges for Recorder {
    fn nudge_post(&self, record_id: &str) {
        self.posts.lock().unwrap().push(record_id.to_string());
    }
    fn nudge_all(&self) {
        *self.all.lock().unwrap() += 1;
    }
    fn set_webhook_live(&self, live: bool) {
        self.live.store(live, std::sync::atomic::Ordering::Relaxed);
    }
    fn webhook_live(&self) -> bool {
        self.live.load(std::sync::atomic::Ordering::Relaxed)
    }
    fn resync_secs(&self) -> i64 {
        3600
    }
}

struct Setup {
    _airtable: AirtableSandbox,
    base: Base,
    journal: Journal,
    hook: Arc<AirtableWebhook>,
    nudges: Arc<Recorder>,
}

async fn setup() -> Setup {
    let airtable = AirtableSandbox::start(SandboxOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: None,
        tokens: vec!["pat-webhook-test".into()],
        tables: crate::demo::sandbox_tables(&Schema::builtin()),
        limits: SandboxLimits::default(),
    })
    .await
    .unwrap();
    let base_id = airtable.create_base("hooks");
    let options = ClientOptions::new(airtable.url().parse().unwrap(), SecretString::from("pat-webhook-test"));
    let base = AirtableClient::new(options).unwrap().base(&base_id);
    let plan = schema::plan(&Schema::builtin(), &base.tables().await.unwrap());
    schema::apply::execute(&base, &plan).await.unwrap();
    let journal = Journal::open_in_memory().await.unwrap();
    let vault = Arc::new(Vault::from_spec(&Vault::generate_spec("k1")).unwrap());
    let nudges = Arc::new(Recorder::default());
    let watched = Watched::from_tables(&base.tables().await.unwrap()).unwrap();
    // Nothing listens there: these tests call `accept_ping` and the reader themselves.
    let url = Url::parse("http://127.0.0.1:9/webhooks/airtable").unwrap();
    let hook = Arc::new(AirtableWebhook::new(
        base.clone(),
        journal.clone(),
        vault,
        nudges.clone(),
        Clock::new(),
        url,
        Some(watched),
        Timing::default(),
    ));
    Setup {
        _airtable: airtable,
        base,
        journal,
        hook,
        nudges,
    }
}

async fn add_post(base: &Base, caption: &str) -> String {
    let mut f = Fields::new();
    f.insert(posts::CAPTION.into(), json!(caption));
    f.insert(posts::STATUS.into(), json!("Scheduled"));
    base.create(posts::TABLE, vec![f], false).await.unwrap().remove(0).id
}

#[tokio::test(start_paused = true)]
async fn a_new_webhook_is_made_sealed_and_kept_and_the_schedule_read_again() {
    let s = setup().await;
    let kept = s.hook.keep().await.unwrap();
    assert!(kept.created);
    let row = s.journal.webhook(s.base.id()).await.unwrap().unwrap();
    assert!(row.sealed_secret.starts_with("sv1:"), "sealed by the vault");
    assert_eq!(row.cursor, 1);
    assert_eq!(*s.nudges.all.lock().unwrap(), 1, "what changed before it is unknown");
    // A second turn finds it and makes nothing.
    assert!(!s.hook.keep().await.unwrap().created);
    assert_eq!(s.base.list_webhooks().await.unwrap().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn the_named_posts_are_handed_over_the_workers_own_writes_skipped_and_the_cursor_moved() {
    let s = setup().await;
    s.hook.keep().await.unwrap();
    let added = add_post(&s.base, "new").await;
    let mut outcome = Fields::new();
    outcome.insert(posts::STATUS.into(), json!("Posted"));
    outcome.insert(posts::POST_URL.into(), json!("https://x.com/ada/status/1"));
    let published = add_post(&s.base, "published").await;
    s.hook.read_payloads().await.unwrap();
    s.nudges.posts.lock().unwrap().clear();
    s.base
        .update(posts::TABLE, vec![(published.clone(), outcome)], false)
        .await
        .unwrap();
    let before = s.journal.webhook(s.base.id()).await.unwrap().unwrap().cursor;
    let report = s.hook.read_payloads().await.unwrap();
    assert_eq!(report.own_writes, 1);
    assert!(
        s.nudges.posts.lock().unwrap().is_empty(),
        "our own Posted write costs no read"
    );
    let after = s.journal.webhook(s.base.id()).await.unwrap().unwrap().cursor;
    assert!(after > before, "{before} -> {after}");
    assert_ne!(added, published);
}

#[tokio::test(start_paused = true)]
async fn a_read_that_fails_leaves_the_cursor_where_the_last_hand_off_put_it() {
    let s = setup().await;
    s.hook.keep().await.unwrap();
    let added = add_post(&s.base, "new").await;
    s.hook.read_payloads().await.unwrap();
    assert_eq!(*s.nudges.posts.lock().unwrap(), std::slice::from_ref(&added));
    let cursor = s.journal.webhook(s.base.id()).await.unwrap().unwrap().cursor;
    // The webhook is deleted behind the worker's back: the read says so and moves nothing.
    let id = s.hook.webhook_id().unwrap();
    s.base.delete_webhook(&id).await.unwrap();
    add_post(&s.base, "unseen").await;
    assert!(matches!(s.hook.read_payloads().await, Err(reader::ReadError::Gone)));
    assert_eq!(s.journal.webhook(s.base.id()).await.unwrap().unwrap().cursor, cursor);
    // The keeper makes a new one (and asks for a read of the schedule for what was missed).
    assert!(s.hook.keep().await.unwrap().created);
    assert_ne!(s.hook.webhook_id().unwrap(), id);
}

fn signed(key: &[u8], body: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
    mac.update(body.as_bytes());
    let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    format!("hmac-sha256={hex}")
}

#[tokio::test(start_paused = true)]
async fn a_ping_is_refused_unless_signed_ours_and_fresh() {
    let s = setup().await;
    let body = |hook: &str, at: DateTime<Utc>| {
        json!({"base": {"id": s.base.id()}, "webhook": {"id": hook}, "timestamp": at.to_rfc3339()}).to_string()
    };
    let now = Clock::new().now();
    assert_eq!(s.hook.accept_ping(None, b"{}").await.unwrap_err().status, 503);
    s.hook.keep().await.unwrap();
    let (id, key) = {
        let active = s.hook.active.lock().unwrap();
        let a = active.as_ref().unwrap();
        (a.id.clone(), a.key.expose_secret().to_vec())
    };
    let good = body(&id, now);
    let forged = s.hook.accept_ping(Some("hmac-sha256=00"), good.as_bytes()).await;
    assert_eq!(forged.clone().unwrap_err().status, 401);
    let other = body("achSomeoneElse0001", now);
    let refused = s.hook.accept_ping(Some(&signed(&key, &other)), other.as_bytes()).await;
    assert_eq!(refused.clone().unwrap_err().status, 403);
    let stale = body(&id, now - chrono::Duration::minutes(11));
    let replay = s
        .hook
        .accept_ping(Some(&signed(&key, &stale)), stale.as_bytes())
        .await
        .unwrap_err();
    assert_eq!(replay.status, 400);
    assert!(replay.message.contains("replay"), "{}", replay.message);
    s.hook
        .accept_ping(Some(&signed(&key, &good)), good.as_bytes())
        .await
        .unwrap();
    assert_eq!(s.journal.inbox_pending_from(INBOX_SOURCE, 10).await.unwrap().len(), 1);
    assert!(s.nudges.webhook_live());
    let text = format!("{forged:?}{refused:?}{replay:?}");
    let secret = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &key);
    assert!(!text.contains(&secret), "no secret in refusals");
}

#[tokio::test(start_paused = true)]
async fn a_burst_of_pings_reads_the_payloads_once() {
    let s = setup().await;
    s.hook.keep().await.unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(s.hook.clone().run(async {
        let _ = stopped.await;
    }));
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (id, key) = {
        let active = s.hook.active.lock().unwrap();
        let a = active.as_ref().unwrap();
        (a.id.clone(), a.key.expose_secret().to_vec())
    };
    let calls = || s.base.client().usage().this_month(s.base.id());
    let before = calls();
    for n in 0..5 {
        let at = Clock::new().now() + chrono::Duration::milliseconds(n);
        let body =
            json!({"base": {"id": s.base.id()}, "webhook": {"id": id}, "timestamp": at.to_rfc3339()}).to_string();
        s.hook
            .accept_ping(Some(&signed(&key, &body)), body.as_bytes())
            .await
            .unwrap();
    }
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert_eq!(calls() - before, 1, "five pings, one payload read");
    assert!(s.journal.inbox_pending_from(INBOX_SOURCE, 10).await.unwrap().is_empty());
    let _ = stop.send(());
    task.await.unwrap();
}
