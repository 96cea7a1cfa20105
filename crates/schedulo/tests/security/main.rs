//! Hostile input against the worker's HTTP surface: one test per attack, each asserting the
//! refusal and that nothing leaked (no secret in the answer or the logs, nothing kept). The real
//! worker (`Application::build_with_listener`) against the sandbox Airtable and Cloudinary on
//! loopback, on a paused clock: the server's timers (header read, request, connection cap) are
//! tokio's, so virtual time drives them and "promptly" means "before any timer had to fire".

#[path = "../common/mod.rs"]
mod common;
mod connections;
mod helpers;
mod limits;
mod listeners;
mod replays;
mod signatures;
mod start;
mod tokens;
