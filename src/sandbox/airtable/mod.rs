//! The sandbox Airtable: a local server that speaks Airtable's Web API.

pub mod formula;
