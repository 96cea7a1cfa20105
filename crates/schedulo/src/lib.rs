//! schedulo: the worker behind Schedulo Pro. It replaces the product's Make.com scenarios with one
//! program: it reads an Airtable base (the admin UI and source of truth), publishes posts, and
//! writes what happened back.
//!
//! # Layout
//! - [`app`]: [`app::Application`], the running worker built from a `Config`; `schedulo run` and the
//!   integration tests build it the same way.
//! - [`config`]: environment (and `.env`) into one validated [`config::Config`]; secrets never printed.
//! - [`airtable`]: the one Airtable client of the process: limits, retries, paging, batches, schema API.
//! - [`base`]: the base's tables as Rust types; the one place that knows field names.
//! - [`schema`]: the base as data (`schema/base.toml`), `schema check` and `schema apply`.
//! - [`scenarios`]: the scenarios' definitions (`scenarios/*.toml`) and their runtimes
//!   ([`scenarios::post_scheduler`]: read ahead, publish on time, write back through the outbox;
//!   [`scenarios::media_processor`]: upload to Cloudinary with the variants, check them, write back).
//! - [`journal`]: the durable store (SQLite through sqlx): publish states, outbox, inbox, counters, lease,
//!   media jobs.
//! - [`platforms`]: the `Platform` enum (names, parsing, the list), the `Publisher` trait, the
//!   `Publishers` dispatch, and one folder per platform (rules, client, errors).
//! - [`cloudinary`]: our Cloudinary client (signer, uploads, Admin API, delivery URLs, the variants).
//! - [`media`]: the `schedulo-media` crate (media files' properties, sample files), re-exported.
//! - [`vault`]: account tokens encrypted at rest. [`clock`]: the one clock, which tests control.
//! - [`status`]: the status report from the journal, printed by `schedulo status` and served at `/status`.
//! - [`server`]: the worker's HTTP server (webhooks from Bubble, Airtable and Cloudinary, Bubble's signed
//!   uploads, `/healthz`, `/status`).
//! - [`demo`]: the sandboxes (the `schedulo-sandbox` crate, which depends on no worker code) started
//!   for a person, with the schema applied and a demo base.
//! - [`commands`], [`cli`], [`telemetry`]: the command line around it all.
//! - [`bench`]: benchmarks that print figures.
//! - [`error_class`]: the classes every vendor error maps to.
//! - [`fetch`]: the one way media is downloaded, and only from the hosts media should come from.

pub mod airtable;
pub mod app;
pub mod base;
pub mod bench;
pub mod cli;
pub mod clock;
pub mod cloudinary;
pub mod commands;
pub mod config;
pub mod demo;
pub mod error_class;
pub mod fetch;
pub mod journal;
pub use schedulo_media as media;
pub mod platforms;
pub mod scenarios;
pub mod schema;
pub mod server;
pub mod status;
pub mod telemetry;
pub mod vault;
