//! Media URLs are cells of the base, so anyone who can edit one cell chooses them. The worker
//! fetches media only from its media hosts, and never from this machine, a private network or a
//! metadata service unless it is a sandbox's own address (`schedulo::fetch`).

use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use axum::Router;
use schedulo::fetch::{MediaFetcher, MediaHost, MediaPolicy};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use url::Url;

/// A service on this machine that must never be reached: it counts every request.
struct Secret {
    addr: SocketAddr,
    hits: Arc<AtomicUsize>,
}

async fn secret_service() -> Secret {
    let hits = Arc::new(AtomicUsize::new(0));
    let app = Router::new()
        .fallback(|State(hits): State<Arc<AtomicUsize>>| async move {
            hits.fetch_add(1, Ordering::SeqCst);
            "internal secret"
        })
        .with_state(hits.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Secret { addr, hits }
}

/// A media host (standing for a sandbox on this machine) whose `/moved` redirects to `to`.
async fn redirecting_host(to: String) -> SocketAddr {
    let app = Router::new()
        .route(
            "/moved",
            get(move || async move { Redirect::temporary(&to).into_response() }),
        )
        .route("/a.jpg", get(|| async { schedulo::media::synth::SAMPLE_JPG.to_vec() }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

/// The fetcher of a worker whose Cloudinary is the real one, with `listed` media hosts, beside a
/// sandbox at `sandbox` (when given).
fn fetcher(listed: &[&str], sandbox: Option<SocketAddr>) -> MediaFetcher {
    let delivery = Url::parse("https://res.cloudinary.com").unwrap();
    let sandbox = sandbox.map(|a| Url::parse(&format!("http://{a}")).unwrap());
    let vendors: Vec<&Url> = sandbox.iter().collect();
    let listed = listed.iter().map(|h| MediaHost::parse(h).unwrap()).collect();
    MediaFetcher::new(MediaPolicy::new(&delivery, listed, &vendors)).unwrap()
}

#[tokio::test]
async fn a_url_at_loopback_on_another_port_is_refused_unfetched() {
    let secret = secret_service().await;
    let sandbox = redirecting_host("http://example.invalid/".into()).await;
    let f = fetcher(&[], Some(sandbox));
    let why = f.admit(&format!("http://{}/admin", secret.addr)).await.unwrap_err();
    assert!(why.to_string().contains("is not a media host"), "{why}");
    assert!(
        f.admit(&format!("http://{sandbox}/a.jpg")).await.is_ok(),
        "the sandbox's own port"
    );
    assert_eq!(secret.hits.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn the_metadata_service_is_refused_even_when_listed() {
    let f = fetcher(&["169.254.169.254:80"], None);
    let why = f
        .admit("http://169.254.169.254/latest/meta-data/iam/")
        .await
        .unwrap_err();
    assert!(
        why.to_string().contains("169.254.169.254 is a link-local address"),
        "{why}"
    );
    let unlisted = fetcher(&[], None);
    let why = unlisted
        .admit("http://169.254.169.254/latest/meta-data/")
        .await
        .unwrap_err();
    assert!(why.to_string().contains("not a media host"), "{why}");
}

#[tokio::test]
async fn a_private_address_is_refused_even_when_listed() {
    let f = fetcher(&["10.0.0.5", "192.168.1.20:8080", "[fd00:ec2::254]:80"], None);
    for url in [
        "https://10.0.0.5/a.jpg",
        "http://192.168.1.20:8080/a.jpg",
        "http://[fd00:ec2::254]/",
    ] {
        let why = f.admit(url).await.unwrap_err();
        assert!(why.to_string().contains("a private network address"), "{url}: {why}");
    }
}

#[tokio::test]
async fn a_redirect_from_a_media_host_to_loopback_is_not_followed() {
    let secret = secret_service().await;
    let host = redirecting_host(format!("http://{}/admin", secret.addr)).await;
    let f = fetcher(&[], Some(host));
    let url = f.admit(&format!("http://{host}/moved")).await.unwrap();
    let err = f.get(&url).send().await.unwrap_err();
    let why = MediaFetcher::refusal(&err).expect("refused by the policy");
    assert!(
        why.contains("it redirects to 127.0.0.1:") && why.contains("not a media host"),
        "{why}"
    );
    assert_eq!(secret.hits.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_name_that_resolves_to_loopback_is_refused_before_and_at_connection() {
    let secret = secret_service().await;
    let listed = format!("http://localhost:{}", secret.addr.port());
    let f = fetcher(&[&listed], None);
    let why = f.admit(&format!("{listed}/admin")).await.unwrap_err();
    assert!(
        why.to_string().contains("localhost resolves to") && why.to_string().contains("loopback"),
        "{why}"
    );
    // Even past the first judgement (a name that answers differently the second time), the
    // connection goes only where the fetcher's own resolver judged.
    let checked = f.check(&format!("{listed}/admin")).unwrap();
    let err = f.get(&checked).send().await.unwrap_err();
    let why = MediaFetcher::refusal(&err).expect("refused at resolution");
    assert!(why.contains("localhost resolves to"), "{why}");
    assert_eq!(secret.hits.load(Ordering::SeqCst), 0);
}
