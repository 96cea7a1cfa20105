//! Local stand-ins for the vendors, speaking their real HTTP APIs on loopback.

pub mod airtable;
