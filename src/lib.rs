//! schedulo: the worker behind Schedulo Pro.

pub mod airtable;
pub mod error_class;
pub mod sandbox;
pub mod schema;
