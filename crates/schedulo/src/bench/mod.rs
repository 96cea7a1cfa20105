//! Benchmarks that print figures (`schedulo bench <area>`), run against the sandbox with its real limits.

pub mod airtable;
pub mod freshness;
pub mod media;
pub mod platforms;
pub mod scheduler;
