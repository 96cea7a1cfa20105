//! What a person gets with nothing configured: the sandboxes started together with a stable
//! identity, the worker's schema applied to the sandbox base through the real client, and a demo
//! base to watch (`schedulo sandbox`, and `schedulo run` without an Airtable token).
//!
//! This is composition on the worker's side: the stand-ins themselves ([`schedulo_sandbox`]) know
//! nothing of the worker's schema, tables or vault.
//!
//! # Layout
//! - [`launch`]: starts the five stand-ins on loopback, each keeping its state in the data
//!   directory, and keeps their identity there.
//! - [`moved`]: the stand-ins' ports kept across restarts, and the base's URLs rewritten when one
//!   comes back elsewhere.
//! - [`seed`]: the demo base's rows (users, accounts, media, posts) and the posts added while it runs.
//! - [`tables`]: the worker's schema file ([`crate::schema::Schema`]) as the sandbox Airtable's
//!   model of a base ([`schedulo_sandbox::airtable::model::TableSpec`]).
//! - [`worker`]: the worker's `Config` against the launched sandboxes, for `Application::build`.

pub mod launch;
pub mod moved;
pub mod seed;
pub mod tables;
pub mod worker;

pub use tables::sandbox_tables;
pub use worker::worker_config;
