//! schedulo: the worker behind Schedulo Pro.

pub mod sandbox;
pub mod schema;
