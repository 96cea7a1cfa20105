//! Meta's Graph API as the Facebook and Instagram publishers both speak it: one host
//! (`https://graph.facebook.com`, or the sandbox's URL), one version in every path, one token
//! scheme (`Authorization: Bearer`), one error body, the same usage headers. Each publisher
//! (`platforms/facebook/`, `platforms/instagram/`) uses this module; this module uses neither.
//!
//! # Limits ([`usage`]; developers.facebook.com/docs/graph-api/overview/rate-limiting)
//! Usage is reported as percentages in `X-App-Usage`, `X-Business-Use-Case-Usage` (with
//! `estimated_time_to_regain_access` in minutes) and `X-Page-Usage`. Above the policy's threshold,
//! or while Meta gives a time to regain access, or after a throttle code, calls are held locally
//! and answered `RateLimited` without calling.
//!
//! # Error classes ([`errors`]; developers.facebook.com/docs/graph-api/guides/error-handling)
//! Meta's body `{"error":{"message","type","code","error_subcode",...}}` is read into
//! [`GraphErrorBody`], and its code ([`MetaCode`]) decides the class in one exhaustive `match`;
//! each publisher's module docs list the codes that concern it.
//!
//! # Layout
//! - `client`: one call (local hold, token header, usage headers applied, failure classified);
//!   `Vendor` names the platform and account in messages.
//! - [`errors`]: Meta's error body and codes, and their classes.
//! - [`usage`]: Meta's usage headers and the hold they put on calls ([`UsagePolicy`]).
//! - `paging`: reading a list page by page through `paging.next`, up to a bound.
//! - `poll`: waiting for Meta's processing ([`PollBackoff`]).
//! - `wording`: how the rules name files, durations and sizes in messages.

pub(crate) mod client;
pub mod errors;
pub(crate) mod paging;
pub(crate) mod poll;
pub mod usage;
pub(crate) mod wording;

pub use errors::{GraphErrorBody, MetaCode};
pub use poll::PollBackoff;
pub use usage::UsagePolicy;

use std::time::Duration;

/// The Graph API version used unless configured.
pub const DEFAULT_VERSION: &str = "v21.0";

/// Timeout of one HTTP request unless configured.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
