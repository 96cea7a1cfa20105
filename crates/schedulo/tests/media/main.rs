//! Integration tests of the Media Processor: the real processor, journal, outbox, Cloudinary client
//! and HTTP server against the sandbox Airtable and the sandbox Cloudinary over HTTP, on a paused
//! clock (time moves only when every task waits).

mod bad_input;
#[path = "../common/mod.rs"]
mod common;
mod helpers;
mod processing;
mod restarts;
mod secrets;
mod setup;
mod webhooks;
