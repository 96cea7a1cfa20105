//! The worker against strangers and hostile data, one test per attack: each asserts the refusal
//! and that nothing was fetched or leaked.

mod media;
mod newcomer;
mod sandbox;
