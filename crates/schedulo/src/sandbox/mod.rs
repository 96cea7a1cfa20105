//! Local stand-ins for the vendors, speaking their real HTTP APIs on loopback, and what a person
//! needs to start them ([`launch`], with the [`demo`] base).

pub mod airtable;
pub mod clock;
pub mod cloudinary;
#[cfg(test)]
mod compat;
pub mod demo;
pub mod facebook;
pub mod faults;
pub mod files;
pub mod launch;
mod server;
pub mod tiktok;
pub mod x;
