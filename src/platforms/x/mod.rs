//! X (API v2).
