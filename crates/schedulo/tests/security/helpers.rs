//! A world for the attacks: the sandbox Airtable with the schema, the sandbox Cloudinary, and the
//! worker built from variables (Bubble's token, a hand-made Airtable webhook's secret, Cloudinary)
//! serving its two listeners; raw-socket clients for what an HTTP library would not send.

use base64::Engine;
use schedulo::airtable::Base;
use schedulo::app::Application;
use schedulo::clock::Clock;
use schedulo::config::Config;
use schedulo::journal::Journal;
use schedulo::vault::Vault;
use schedulo_sandbox::airtable::AirtableSandbox;
use schedulo_sandbox::cloudinary::{
    CloudinarySandbox, CloudinarySandboxLimits, CloudinarySandboxOptions, SandboxCloud,
};
use secrecy::ExposeSecret;
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub const AIRTABLE_TOKEN: &str = "patSecurity.DoNotLeak-0001";
/// Bubble's token in the worker's config (40 characters).
pub const HOOK_TOKEN: &str = "hook-DoNotLeak-0123456789abcdef0123456789";
/// The hand-made Airtable webhook's MAC key (its `macSecretBase64` is this, base64).
pub const MAC_KEY: &[u8] = b"airtable-mac-DoNotLeak-0001";
pub const CLOUD: &str = "schedulo-security";
pub const API_KEY: &str = "614335564976465";
pub const API_SECRET: &str = "cld-secret-DoNotLeak-0042";

/// Every secret a test's answer or the logs must never show.
pub fn secrets() -> Vec<String> {
    vec![
        AIRTABLE_TOKEN.into(),
        HOOK_TOKEN.into(),
        API_SECRET.into(),
        base64::engine::general_purpose::STANDARD.encode(MAC_KEY),
    ]
}

/// The logs of the whole test binary (installed once, by whichever test asks first).
pub fn logs() -> &'static crate::common::Captured {
    static LOGS: OnceLock<crate::common::Captured> = OnceLock::new();
    LOGS.get_or_init(crate::common::Captured::install)
}

/// Asserts that `shown` (an answer, or a test's view of the logs) holds no secret.
pub fn assert_no_secret(shown: &str) {
    for secret in secrets() {
        assert!(!shown.contains(&secret), "a secret leaked: {shown}");
    }
}

pub struct World {
    /// Kept so that the sandboxes run as long as the world.
    #[allow(dead_code)]
    pub airtable: AirtableSandbox,
    #[allow(dead_code)]
    pub cloudinary: CloudinarySandbox,
    pub base: Base,
    pub clock: Clock,
    /// Kept so that the worker's files live as long as the world.
    #[allow(dead_code)]
    pub data_dir: tempfile::TempDir,
    pub journal: Journal,
    pub config: Config,
    /// The public listener's address.
    pub addr: SocketAddr,
    /// The operator's listener's address, unless it is off.
    pub admin: Option<SocketAddr>,
    pub http: reqwest::Client,
}

impl World {
    /// The worker with the defaults below, `overrides` applied (a blank value unsets), serving.
    pub async fn start(overrides: &[(&str, &str)]) -> World {
        let (world, app) = World::build(overrides, |_, _| {}).await;
        app.serve(std::future::pending()).unwrap();
        world
    }

    /// The worker built (not yet serving) from the defaults, `overrides`, and `adjust` on the
    /// config and the public listener's address (for a public URL that names its port).
    pub async fn build(
        overrides: &[(&str, &str)],
        adjust: impl FnOnce(&mut Config, SocketAddr),
    ) -> (World, Application) {
        logs();
        let (airtable, base) = crate::common::airtable_with_base(AIRTABLE_TOKEN, "security world").await;
        let cloudinary = CloudinarySandbox::start(CloudinarySandboxOptions {
            listen: "127.0.0.1:0".parse().unwrap(),
            clouds: vec![SandboxCloud::new(CLOUD, API_KEY, API_SECRET)],
            limits: CloudinarySandboxLimits::default(),
            notify_timeout: Duration::from_secs(10),
            data_dir: None,
        })
        .await
        .unwrap();
        let data_dir = tempfile::tempdir().unwrap();
        // Bound as the worker binds its own (its queue long enough for the connection tests).
        let listener = schedulo::server::bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = listener.local_addr().unwrap();
        let mut config = worker_config(&airtable, &base, &cloudinary, &data_dir, overrides);
        adjust(&mut config, addr);
        let clock = Clock::new();
        // A second of paused time: the worker's new Airtable client knows nothing of the calls
        // just made, and the sandbox's one-second window forgets them.
        tokio::time::sleep(Duration::from_secs(1)).await;
        let app = Application::build_with_listener(&config, clock, listener)
            .await
            .unwrap();
        let world = World {
            airtable,
            cloudinary,
            base: app.base().clone(),
            clock,
            data_dir,
            journal: app.journal().clone(),
            config,
            addr,
            admin: app.admin_address(),
            http: reqwest::Client::new(),
        };
        (world, app)
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A POST as a sender would make it: `headers`, then `body`.
    pub async fn post(&self, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
        let mut request = self.http.post(self.url(path)).body(body.to_string());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    /// How many webhook bodies the journal holds, pending or not, from every source.
    pub async fn kept(&self) -> usize {
        self.journal.inbox_pending(1000).await.unwrap().len()
    }
}

/// The worker's config: the sandboxes, Bubble's token, a hand-made Airtable webhook's secret,
/// Cloudinary, its files in `data_dir`, both listeners on free ports; then `overrides`.
fn worker_config(
    airtable: &AirtableSandbox,
    base: &Base,
    cloudinary: &CloudinarySandbox,
    data_dir: &tempfile::TempDir,
    overrides: &[(&str, &str)],
) -> Config {
    let dir = data_dir.path();
    let closed = "http://127.0.0.1:9".to_string();
    let mut vars: Vec<(String, String)> = [
        ("AIRTABLE_API_URL", airtable.url()),
        ("AIRTABLE_TOKEN", AIRTABLE_TOKEN.into()),
        ("AIRTABLE_BASE_ID", base.id().into()),
        (
            "AIRTABLE_WEBHOOK_MAC_SECRET",
            base64::engine::general_purpose::STANDARD.encode(MAC_KEY),
        ),
        ("X_API_URL", closed.clone()),
        ("FACEBOOK_GRAPH_URL", closed.clone()),
        ("TIKTOK_API_URL", closed),
        ("CLOUDINARY_URL", format!("cloudinary://{API_KEY}:{API_SECRET}@{CLOUD}")),
        ("CLOUDINARY_API_URL", cloudinary.url()),
        ("CLOUDINARY_DELIVERY_URL", cloudinary.url()),
        (
            "SCHEDULO_VAULT_KEYS",
            Vault::generate_spec("k1").expose_secret().to_string(),
        ),
        ("SCHEDULO_WEBHOOK_TOKEN", HOOK_TOKEN.into()),
        ("SCHEDULO_LISTEN", "127.0.0.1:0".into()),
        ("SCHEDULO_ADMIN_LISTEN", "127.0.0.1:0".into()),
        ("SCHEDULO_DATA_DIR", dir.display().to_string()),
        ("SCHEDULO_JOURNAL", dir.join("journal.sqlite").display().to_string()),
        ("SCHEDULO_SCENARIO_DIR", dir.join("scenarios").display().to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    for (name, value) in overrides {
        vars.retain(|(k, _)| k != name);
        vars.push((name.to_string(), value.to_string()));
    }
    Config::from_vars(vars).unwrap()
}

/// A connection on which `head` (request line and headers, as written) has been sent.
pub async fn send_raw(addr: SocketAddr, head: &str) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    stream
}

/// What the server answers on `stream` within `within` (virtual time): the status and the whole
/// text, or `None` if nothing came in time. Reads the head, then the body its Content-Length
/// announces (or to the end of the connection).
pub async fn answer(stream: &mut TcpStream, within: Duration) -> Option<(u16, String)> {
    tokio::time::timeout(within, read_answer(stream)).await.ok().flatten()
}

async fn read_answer(stream: &mut TcpStream) -> Option<(u16, String)> {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&got).into_owned();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().to_string())
                })
                .and_then(|v| v.parse::<usize>().ok());
            if length.is_some_and(|n| got.len() >= end + 4 + n) {
                break;
            }
        }
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&got).into_owned();
    let status = text.split(' ').nth(1)?.parse().ok()?;
    Some((status, text))
}

/// Whether the server closed `stream` within `within` (virtual time): a read sees the end (or a
/// reset) rather than waiting.
pub async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 1024];
    let read = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => continue,
            }
        }
    };
    tokio::time::timeout(within, read).await.is_ok()
}
