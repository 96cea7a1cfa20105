//! schedulo: the worker behind Schedulo Pro.

pub mod airtable;
pub mod base;
pub mod config;
pub mod error_class;
pub mod sandbox;
pub mod schema;
