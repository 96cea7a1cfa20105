//! The worker's classes of vendor errors. Every vendor error enum maps each of its variants to
//! one of these in one exhaustive `match`, and the worker decides what to do from the class alone.

use std::fmt;

/// What the worker does about an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    /// The credentials are wrong, expired or lack a permission: retrying cannot help; a person must act.
    Auth,
    /// The vendor asked us to slow down: wait (without using up a retry attempt), then try again.
    RateLimited,
    /// A failure that may pass (5xx, network): retry with backoff.
    Transient,
    /// The request itself is wrong (bad field, bad value): retrying would fail the same way.
    Permanent,
    /// The request may or may not have taken effect (a timeout after sending a non-idempotent call):
    /// check before doing it again, never blindly repeat.
    OutcomeUnknown,
}

impl fmt::Display for ErrorClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ErrorClass::Auth => "auth",
            ErrorClass::RateLimited => "rate-limited",
            ErrorClass::Transient => "transient",
            ErrorClass::Permanent => "permanent",
            ErrorClass::OutcomeUnknown => "outcome-unknown",
        })
    }
}
