//! The base as typed Rust: table and field names ([`names`], the only place that knows them),
//! reading records with per-record errors ([`read`]), and one type per table ([`tables`]).
//!
//! A malformed record (a missing required field, a select value the schema does not have, a date
//! that does not parse, a link to nothing) gives a [`RecordError`] naming table, record, field and
//! problem; [`read_all`] reads the rest of the page all the same.

pub mod names;
pub mod read;
pub mod tables;

pub use read::{read_all, Choice, RecordError};
pub use tables::*;
