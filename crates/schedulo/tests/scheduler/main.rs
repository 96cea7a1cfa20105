//! Integration tests of the Post Scheduler: the real scheduler, journal, outbox and publishers
//! against the sandbox Airtable, X and Facebook on loopback, on tokio's paused clock.

mod cadence;
#[path = "../common/mod.rs"]
mod common;
mod freshness;
mod helpers;
mod hostile_media;
mod instagram;
mod matrix;
mod outage_at_start;
mod publishing;
mod recovery;
mod running;
mod safety;
mod secrets;
mod tiktok;
mod webhook;
