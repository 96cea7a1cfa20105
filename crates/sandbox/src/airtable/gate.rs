//! What every `/v0` request goes through before its handler: bearer authentication, the rate
//! limits, injected faults, and the counters.

use super::app::{bearer, SharedApp};
use super::errors::ApiError;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The middleware of the `/v0` routes.
pub async fn gate(State(app): State<SharedApp>, req: Request, next: Next) -> Response {
    let method = req.method().as_str().to_string();
    let raw_path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let Some(label) = bearer(req.headers()).and_then(|t| app.token_label(t)) else {
        tracing::debug!(message = "Refused: no valid token.", %method, path = %raw_path);
        return ApiError::authentication_required().into_response();
    };
    let base_id = base_of(&raw_path);
    let decoded = percent_decode(&raw_path);
    let (known_base, admitted, fault) = {
        let mut inner = app.lock();
        let known = base_id.filter(|b| inner.store.contains(b)).map(str::to_string);
        let admitted = inner
            .limiter
            .check(known.as_deref(), &label, tokio::time::Instant::now(), &app.limits);
        let fault = if admitted {
            inner.faults.take(&method, &raw_path, &decoded, &query)
        } else {
            None
        };
        (known, admitted, fault)
    };
    let response = if !admitted {
        ApiError::rate_limited().into_response()
    } else if let Some(hit) = fault {
        if !hit.delay.is_zero() {
            tokio::time::sleep(hit.delay).await;
        }
        match hit.answer {
            Some(answer) => ApiError::from(answer).into_response(),
            None => next.run(req).await,
        }
    } else {
        next.run(req).await
    };
    let status = response.status().as_u16();
    app.lock()
        .counters
        .record(known_base.as_deref(), &label, status, !admitted);
    tracing::debug!(message = "Answered.", %method, path = %raw_path, status);
    response
}

/// The base id a `/v0` path names: `/v0/{base}/...`, `/v0/meta/bases/{base}/...` or
/// `/v0/bases/{base}/webhooks...`.
pub fn base_of(path: &str) -> Option<&str> {
    let mut segments = path.split('/').skip(2);
    match segments.next()? {
        "meta" => {
            (segments.next()? == "bases").then_some(())?;
            segments.next().filter(|s| !s.is_empty())
        }
        "bases" => segments.next().filter(|s| !s.is_empty()),
        "" => None,
        base => Some(base),
    }
}

/// Decodes `%XX` escapes (invalid ones are kept as they are).
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).and_then(|b| hex(*b)),
            bytes.get(i + 2).and_then(|b| hex(*b)),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_base_is_read_from_record_and_metadata_paths() {
        assert_eq!(base_of("/v0/appA/Posts"), Some("appA"));
        assert_eq!(base_of("/v0/appA/Posts/recB"), Some("appA"));
        assert_eq!(base_of("/v0/meta/bases/appA/tables"), Some("appA"));
        assert_eq!(base_of("/v0/bases/appA/webhooks/achB/payloads"), Some("appA"));
        assert_eq!(base_of("/v0/meta/bases"), None);
        assert_eq!(base_of("/v0/meta/whoami"), None);
        assert_eq!(base_of("/v0/"), None);
    }

    #[test]
    fn percent_escapes_are_decoded_and_broken_ones_kept() {
        assert_eq!(percent_decode("/v0/appA/Scheduled%20Posts"), "/v0/appA/Scheduled Posts");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }
}
