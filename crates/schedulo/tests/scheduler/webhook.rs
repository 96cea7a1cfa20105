//! Airtable's webhook kept by the worker, against the sandbox Airtable's webhooks: the sandbox
//! pings the worker's real HTTP route, the worker reads the payloads and the scheduler the posts
//! they name.

use crate::helpers::World;
use std::net::SocketAddr;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The whole worker running (server, scheduler, webhook keeper, outbox), built with
/// `SCHEDULO_PUBLIC_URL` at its own address so that it keeps a webhook on the sandbox base.
pub struct Worker {
    stop: watch::Sender<bool>,
    task: JoinHandle<anyhow::Result<()>>,
}

impl Worker {
    /// Builds the world's worker anew listening on `listen`, and runs it.
    pub async fn start(w: &mut World, listen: SocketAddr) -> (Worker, SocketAddr) {
        w.app = None;
        let listener = tokio::net::TcpListener::bind(listen).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut config = w.config.clone();
        config.public_url = Some(format!("http://{addr}").parse().unwrap());
        w.rebuild(&config, Some(listener)).await;
        let app = w.app.take().unwrap();
        assert!(app.airtable_webhook().is_some(), "the worker keeps a webhook");
        let (stop, mut stopped) = watch::channel(false);
        let task = tokio::spawn(app.run(async move {
            let _ = stopped.wait_for(|s| *s).await;
        }));
        (Worker { stop, task }, addr)
    }

    pub async fn stop(self) {
        let _ = self.stop.send(true);
        self.task.await.unwrap().unwrap();
    }
}

/// With the webhook live, a post added in the base is published on its time although the
/// schedule is re-read only hourly: the ping's payload named it and the scheduler read it by id.
#[tokio::test(start_paused = true)]
async fn a_post_added_while_the_webhook_is_live_is_seen_without_a_reread_of_the_schedule() {
    let mut w = World::start().await;
    let (worker, _) = Worker::start(&mut w, "127.0.0.1:0".parse().unwrap()).await;
    w.advance(40).await;
    assert!(w.scheduler.webhook_live(), "the webhook was made and its payloads read");
    assert_eq!(w.airtable.webhooks(w.base.id()).len(), 1);
    assert!(w.scheduler.resync_interval() >= chrono::Duration::minutes(30));

    let before = w.base.client().usage().this_month(w.base.id());
    w.schedule(&w.x_account, "heard of at once", 60).await;
    w.advance(61).await;
    assert_eq!(w.tweets(), ["heard of at once"]);
    let calls = w.base.client().usage().this_month(w.base.id()) - before;
    println!("a post added, pinged, read and published: {calls} Airtable calls");
    worker.stop().await;
}

/// A restarted worker finds its webhook (no new one is made) and reads on from the kept cursor:
/// a post added while it was down is published.
#[tokio::test(start_paused = true)]
async fn a_restarted_worker_keeps_its_webhook_and_its_cursor() {
    let mut w = World::start().await;
    let (worker, addr) = Worker::start(&mut w, "127.0.0.1:0".parse().unwrap()).await;
    w.advance(40).await;
    w.schedule(&w.x_account, "before the restart", 3000).await;
    w.advance(10).await;
    let first = w.journal.webhook(w.base.id()).await.unwrap().unwrap();
    assert!(first.cursor > 1, "payloads were read: {first:?}");
    worker.stop().await;

    w.schedule(&w.x_account, "while it was down", 120).await;
    w.restart().await;
    assert_eq!(
        w.journal.webhook(w.base.id()).await.unwrap().unwrap().cursor,
        first.cursor,
        "the cursor is kept on disk"
    );
    let (worker, _) = Worker::start(&mut w, addr).await;
    w.advance(10).await;
    let hooks = w.airtable.webhooks(w.base.id());
    assert_eq!(hooks.len(), 1, "{hooks:?}");
    assert_eq!(hooks[0]["id"], first.webhook_id.as_str());
    let now = w.journal.webhook(w.base.id()).await.unwrap().unwrap();
    assert_eq!(now.webhook_id, first.webhook_id);
    assert!(
        now.cursor > first.cursor,
        "read on from {} to {}",
        first.cursor,
        now.cursor
    );
    assert!(w.scheduler.webhook_live());
    w.advance(120).await;
    assert_eq!(w.tweets(), ["while it was down"]);
    worker.stop().await;
}
