//! Integration tests of the Airtable client, the schema commands and the sandbox: the real client
//! over HTTP against the sandbox on a loopback port, with the sandbox's real limits. Time is tokio's
//! paused clock (the sandbox's limits follow it too), so waits of 30 s take no real time.

mod bad_input;
mod bench;
mod helpers;
mod launch;
mod limits;
mod records;
mod relaunch;
mod schema;
