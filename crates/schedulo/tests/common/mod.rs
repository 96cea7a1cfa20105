//! What the integration test binaries share (each includes this file as `mod common`).

#![allow(dead_code)]

use schedulo::airtable::{AirtableClient, Base, ClientOptions};
use schedulo::schema::{self, Schema};
use schedulo_sandbox::airtable::{AirtableSandbox, SandboxLimits, SandboxOptions};
use secrecy::SecretString;
use std::io::Write;
use std::sync::{Arc, Mutex};

/// A sandbox Airtable on loopback with one base named `name`, the built-in schema applied, reached
/// with `token` through the real client.
pub async fn airtable_with_base(token: &str, name: &str) -> (AirtableSandbox, Base) {
    let airtable = AirtableSandbox::start(SandboxOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: None,
        tokens: vec![token.into()],
        tables: schedulo::demo::sandbox_tables(&Schema::builtin()),
        limits: SandboxLimits::default(),
    })
    .await
    .unwrap();
    let base_id = airtable.create_base(name);
    let client = AirtableClient::new(ClientOptions::new(
        airtable.url().parse().unwrap(),
        SecretString::from(token.to_string()),
    ))
    .unwrap();
    let base = client.base(&base_id);
    let plan = schema::plan(&Schema::builtin(), &base.tables().await.unwrap());
    schema::apply::execute(&base, &plan).await.unwrap();
    (airtable, base)
}

/// Every log line of the process from now on, at trace level.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    /// Installs the process-wide subscriber that captures, so that it also sees the logs of the
    /// tests running beside this one (a thread-local subscriber can miss events whose callsites
    /// other threads registered first). One test per binary may call it.
    pub fn install() -> Captured {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("only this test sets the global subscriber");
        captured
    }

    /// What was logged so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}
