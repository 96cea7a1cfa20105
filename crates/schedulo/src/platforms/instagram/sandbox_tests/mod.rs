//! End-to-end checks: the Facebook sandbox (whose Graph API serves Instagram too) on
//! 127.0.0.1:0, driven by the real `InstagramPublisher` (`publish.rs`, `failures.rs`, `limits.rs`,
//! with `env.rs`) and by raw HTTP (`http.rs`).

mod env;
mod failures;
mod http;
mod limits;
mod publish;
mod reconcile;

/// The Page the Instagram account is linked to, and its token.
pub const PAGE: &str = "112233445566778";
pub const TOKEN: &str = "EAAGsandboxPageToken1";
