//! Local stand-ins for the vendors, speaking their real HTTP APIs on loopback, so that the worker,
//! its tests, the vendors' own SDKs and a Bubble developer can all talk to them unchanged.
//!
//! Each stand-in judges what it is sent by its vendor's documented rules, written here (each
//! vendor's `limits.rs` names its sources), never by the worker's: this crate depends on no crate
//! of the worker (`.ci/run` checks it), only on `schedulo-media` to read files' properties.
//! Starting them together for a person, with a demo base, is the worker's `demo` module.
//!
//! # Layout
//! - [`airtable`]: the Web API (records, formulas, metadata, webhooks), its 5 requests/s per base.
//! - [`cloudinary`]: the Upload and Admin APIs, signatures, eager variants, delivery, notifications.
//! - [`x`]: posts, media upload (simple and chunked), the posting limits; its own twitter-text count.
//! - [`facebook`]: Meta's Graph API for Facebook Pages and Instagram professional accounts.
//! - [`tiktok`]: the Content Posting API (creator info, direct post, uploads, status).
//! - [`files`]: sample media served at `/_sandbox/files/...`; [`faults`]: faults a test injects;
//!   [`clock`]: the stand-ins' clock, which a paused tokio clock moves; [`latency`]: how long each
//!   stand-in takes to answer (off in tests, each vendor's typical figures for a person);
//!   [`engagement`]: the figures (views, likes...) the platforms' read APIs report for a post,
//!   growing with its age; [`persist`]: the JSON snapshot in a data directory that keeps a stand-in's state across
//!   restarts (Airtable's bases, and X, Graph, TikTok and Cloudinary given a `data_dir`).

pub mod airtable;
pub mod clock;
pub mod cloudinary;
#[cfg(test)]
mod compat;
pub mod engagement;
pub mod facebook;
pub mod faults;
pub mod files;
pub mod latency;
pub mod persist;
mod server;
pub mod tiktok;
pub mod x;
