//! The worker against strangers and hostile data: one test per attack, each asserting the refusal
//! and that nothing was fetched, kept or leaked (no secret in the answer or the logs). The real
//! worker (`Application::build_with_listener`) against the sandbox Airtable and Cloudinary on
//! loopback, on a paused clock: the server's timers (header read, request, connection cap) are
//! tokio's, so virtual time drives them and "promptly" means "before any timer had to fire".
//! The media fetcher's attacks (`media`), a newcomer's whole run (`newcomer`) and the sandbox's
//! listener (`sandbox`) run the real binary or the fetcher itself.

#[path = "../common/mod.rs"]
mod common;
mod connections;
mod helpers;
mod limits;
mod listeners;
mod media;
mod newcomer;
mod replays;
mod sandbox;
mod signatures;
mod start;
mod tokens;
