//! What the worker hands the sandboxes to set up a demo: the glue between the worker's own files
//! and the stand-ins, which know nothing of the worker.
//!
//! - [`tables`]: the worker's schema file ([`crate::schema::Schema`]) as the sandbox Airtable's
//!   model of a base ([`crate::sandbox::airtable::model::TableSpec`]).

pub mod tables;

pub use tables::sandbox_tables;
