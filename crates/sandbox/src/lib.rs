//! Local stand-ins for the vendors, speaking their real HTTP APIs on loopback. Starting them for a
//! person, with the demo base, is the worker's [`crate::demo`].

pub mod airtable;
pub mod clock;
pub mod cloudinary;
#[cfg(test)]
mod compat;
pub mod facebook;
pub mod faults;
pub mod files;
mod server;
pub mod tiktok;
pub mod x;
