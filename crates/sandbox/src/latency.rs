//! How long a stand-in takes to answer. Over the internet every call to a vendor costs a round trip
//! and the vendor's own work, a few hundred milliseconds; on loopback it costs almost nothing. A
//! client that sends its requests one after another without pacing (as Airtable's popular clients
//! do) is therefore paced by the network against the real vendor and not against a sandbox, where
//! it meets the rate limits at once. A latency puts that time back: each request waits its latency
//! before the stand-in handles it, so it also arrives at the rate limits when it would at the vendor.
//!
//! Each vendor's typical figures are in its `limits.rs` (`TYPICAL_LATENCY`, with the source or the
//! assumption behind them). The latency of a running stand-in can be changed at any time
//! ([`LatencyHandle::set`]); it starts [`Latency::OFF`], as tests want it. The sandboxes' own
//! routes (`/_sandbox/...`) are never delayed.

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// The wait before a request is handled: one for reads (`GET`, `HEAD`), one for writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Latency {
    pub read: Duration,
    pub write: Duration,
}

impl Latency {
    /// No wait at all (tests that need speed).
    pub const OFF: Latency = Latency::uniform(Duration::ZERO);

    /// The same wait for every request.
    pub const fn uniform(wait: Duration) -> Latency {
        Latency {
            read: wait,
            write: wait,
        }
    }

    /// The wait for a request with `method`.
    pub fn for_method(&self, method: &Method) -> Duration {
        if method == Method::GET || method == Method::HEAD {
            self.read
        } else {
            self.write
        }
    }
}

/// What a person chooses (`--latency`, `SCHEDULO_SANDBOX_LATENCY`): none, each vendor's typical
/// figures, or one fixed wait for every request of every stand-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    Off,
    Realistic,
    Fixed(Duration),
}

impl Profile {
    /// The latency of a stand-in whose vendor typically answers in `typical`.
    pub fn latency(self, typical: Latency) -> Latency {
        match self {
            Profile::Off => Latency::OFF,
            Profile::Realistic => typical,
            Profile::Fixed(wait) => Latency::uniform(wait),
        }
    }
}

impl FromStr for Profile {
    type Err = String;

    /// `off`, `realistic`, or a time in milliseconds or seconds (`250ms`, `1s`, `0.5s`).
    fn from_str(s: &str) -> Result<Profile, String> {
        let v = s.trim().to_ascii_lowercase();
        let wrong =
            || format!("the sandbox latency must be `off`, `realistic` or a time such as `250ms` or `1s`, not `{s}`");
        let number = |n: &str, scale: f64| -> Result<Duration, String> {
            let n: f64 = n.trim().parse().map_err(|_| wrong())?;
            if !(0.0..=60_000.0).contains(&(n * scale)) {
                return Err(format!("the sandbox latency must be between 0 and 60 s, not `{s}`"));
            }
            Ok(Duration::from_secs_f64(n * scale / 1000.0))
        };
        match v.as_str() {
            "off" | "none" | "0" => Ok(Profile::Off),
            "realistic" | "on" => Ok(Profile::Realistic),
            _ => match (v.strip_suffix("ms"), v.strip_suffix('s')) {
                (Some(ms), _) => number(ms, 1.0).map(Profile::Fixed),
                (None, Some(secs)) => number(secs, 1000.0).map(Profile::Fixed),
                _ => Err(wrong()),
            },
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Profile::Off => f.write_str("off"),
            Profile::Realistic => f.write_str("realistic"),
            Profile::Fixed(wait) => write!(f, "{} ms", wait.as_millis()),
        }
    }
}

/// A running stand-in's latency, read on every request.
#[derive(Debug, Clone, Default)]
pub struct LatencyHandle(Arc<RwLock<Latency>>);

impl LatencyHandle {
    pub fn set(&self, latency: Latency) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = latency;
    }

    pub fn get(&self) -> Latency {
        *self.0.read().unwrap_or_else(|e| e.into_inner())
    }
}

/// `router` with every request but the sandbox's own waiting `handle`'s latency first.
pub(crate) fn delayed(router: Router, handle: LatencyHandle) -> Router {
    router.layer(axum::middleware::from_fn_with_state(handle, wait_then_handle))
}

async fn wait_then_handle(State(handle): State<LatencyHandle>, request: Request, next: Next) -> Response {
    if !request.uri().path().starts_with("/_sandbox/") {
        let wait = handle.get().for_method(request.method());
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_read_as_a_person_writes_them() {
        assert_eq!("off".parse::<Profile>(), Ok(Profile::Off));
        assert_eq!(" Realistic ".parse::<Profile>(), Ok(Profile::Realistic));
        assert_eq!(
            "250ms".parse::<Profile>(),
            Ok(Profile::Fixed(Duration::from_millis(250)))
        );
        assert_eq!(
            "1.5s".parse::<Profile>(),
            Ok(Profile::Fixed(Duration::from_millis(1500)))
        );
        let wrong = "fast".parse::<Profile>().unwrap_err();
        assert!(
            wrong.contains("`off`, `realistic`") && wrong.contains("`fast`"),
            "{wrong}"
        );
        let long = "90s".parse::<Profile>().unwrap_err();
        assert!(long.contains("between 0 and 60 s"), "{long}");
        assert!("-5ms".parse::<Profile>().is_err());
    }

    #[test]
    fn a_profile_gives_each_stand_in_its_latency() {
        let typical = Latency {
            read: Duration::from_millis(300),
            write: Duration::from_millis(500),
        };
        assert_eq!(Profile::Off.latency(typical), Latency::OFF);
        assert_eq!(Profile::Realistic.latency(typical), typical);
        let fixed = Profile::Fixed(Duration::from_millis(40)).latency(typical);
        assert_eq!(fixed.for_method(&Method::GET), Duration::from_millis(40));
        assert_eq!(typical.for_method(&Method::PATCH), Duration::from_millis(500));
        assert_eq!(Profile::Realistic.to_string(), "realistic");
    }
}
