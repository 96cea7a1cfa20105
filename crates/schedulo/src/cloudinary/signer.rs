//! Cloudinary's signatures: of API requests (uploads, destroy, explicit) and of the notifications
//! Cloudinary sends. Source: cloudinary.com/documentation/authentication_signatures and
//! notification_signatures; the SDKs pycloudinary (`api_sign_request`, `verify_notification_signature`)
//! and cloudinary_npm; the test vectors are in `shared/reference/cloudinary.md`.
//!
//! A request's signature: every parameter except `file`, `cloud_name`, `resource_type` and
//! `api_key`, empty ones dropped, sorted by name, joined `k=v` with `&` (an array's items joined
//! with commas, `&` inside a value written `%26` as the SDKs do), the API secret appended with no
//! separator, hashed with SHA-1 (the default) or SHA-256, in lower-case hex.
//!
//! A notification's signature: the hash of `body + X-Cld-Timestamp + api_secret`, sent in
//! `X-Cld-Signature`; a notification older than the allowed age is refused (the SDKs: 7,200 s).

use secrecy::{ExposeSecret, SecretString};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use std::fmt;

/// The parameters a signature never covers.
pub const UNSIGNED: [&str; 4] = ["file", "cloud_name", "resource_type", "api_key"];

/// Which hash signs (the product environment's setting; SHA-1 unless it was changed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Algorithm {
    #[default]
    Sha1,
    Sha256,
}

impl Algorithm {
    /// `sha1` or `sha256`, as in config and in the SDKs' `signature_algorithm`.
    pub fn parse(s: &str) -> Option<Algorithm> {
        match s.to_ascii_lowercase().as_str() {
            "sha1" => Some(Algorithm::Sha1),
            "sha256" => Some(Algorithm::Sha256),
            _ => None,
        }
    }

    /// The lower-case hex digest of `parts`, concatenated.
    pub fn hex(self, parts: &[&[u8]]) -> String {
        fn digest<D: Digest>(parts: &[&[u8]]) -> String {
            let mut d = D::new();
            for p in parts {
                d.update(p);
            }
            d.finalize().iter().map(|b| format!("{b:02x}")).collect()
        }
        match self {
            Algorithm::Sha1 => digest::<Sha1>(parts),
            Algorithm::Sha256 => digest::<Sha256>(parts),
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Algorithm::Sha1 => "sha1",
            Algorithm::Sha256 => "sha256",
        })
    }
}

/// The string that is signed (before the secret is appended), from the request's parameters.
/// Parameters may be in any order and may include the unsigned ones, which are left out.
pub fn string_to_sign<K: AsRef<str>, V: AsRef<str>>(params: &[(K, V)]) -> String {
    let mut kept: Vec<(&str, String)> = params
        .iter()
        .map(|(k, v)| (k.as_ref(), v.as_ref()))
        .filter(|(k, v)| !v.is_empty() && !UNSIGNED.contains(k) && *k != "signature")
        .map(|(k, v)| (k, v.replace('&', "%26")))
        .collect();
    kept.sort_by(|a, b| a.0.cmp(b.0));
    kept.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// The signature of a request's parameters.
pub fn sign<K: AsRef<str>, V: AsRef<str>>(params: &[(K, V)], secret: &SecretString, algorithm: Algorithm) -> String {
    let text = string_to_sign(params);
    algorithm.hex(&[text.as_bytes(), secret.expose_secret().as_bytes()])
}

/// Compares two hex signatures in constant time (`subtle`), case-insensitively.
pub fn same_signature(presented: &str, expected: &str) -> bool {
    use subtle::ConstantTimeEq;
    let presented = presented.to_ascii_lowercase();
    let expected = expected.to_ascii_lowercase();
    bool::from(presented.as_bytes().ct_eq(expected.as_bytes()))
}

/// Why a notification was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotificationError {
    #[error("missing X-Cld-Timestamp header")]
    MissingTimestamp,
    #[error("missing X-Cld-Signature header")]
    MissingSignature,
    #[error("X-Cld-Timestamp {0:?} is not a Unix time in seconds")]
    BadTimestamp(String),
    #[error("X-Cld-Timestamp is {age_secs} s old; notifications older than {max_age_secs} s are refused")]
    Stale { age_secs: i64, max_age_secs: i64 },
    #[error("X-Cld-Timestamp is {0} s in the future")]
    Future(i64),
    #[error("X-Cld-Signature does not match the body and timestamp (signed with another secret or algorithm, or the body was changed)")]
    Mismatch,
}

/// How far in the future a notification's timestamp may be (clocks differ a little).
const FUTURE_SLACK_SECS: i64 = 300;

/// Checks a notification from Cloudinary: `body` as received, the `X-Cld-Timestamp` and
/// `X-Cld-Signature` headers, at `now` (Unix seconds), allowing notifications up to `max_age_secs` old.
pub fn verify_notification(
    body: &[u8],
    timestamp: Option<&str>,
    signature: Option<&str>,
    secret: &SecretString,
    algorithm: Algorithm,
    now: i64,
    max_age_secs: i64,
) -> Result<(), NotificationError> {
    let (timestamp, signature) = check_notification_headers(timestamp, signature, now, max_age_secs)?;
    let expected = algorithm.hex(&[body, timestamp.as_bytes(), secret.expose_secret().as_bytes()]);
    if !same_signature(signature, &expected) {
        return Err(NotificationError::Mismatch);
    }
    Ok(())
}

/// What can be checked of a notification before its body is read: both headers present, and the
/// timestamp a Unix time no older than `max_age_secs` at `now` (nor far ahead). Returns them trimmed.
pub fn check_notification_headers<'a>(
    timestamp: Option<&'a str>,
    signature: Option<&'a str>,
    now: i64,
    max_age_secs: i64,
) -> Result<(&'a str, &'a str), NotificationError> {
    let timestamp = timestamp.ok_or(NotificationError::MissingTimestamp)?.trim();
    let signature = signature.ok_or(NotificationError::MissingSignature)?.trim();
    let at: i64 = timestamp
        .parse()
        .map_err(|_| NotificationError::BadTimestamp(timestamp.chars().take(40).collect()))?;
    if now - at > max_age_secs {
        return Err(NotificationError::Stale {
            age_secs: now - at,
            max_age_secs,
        });
    }
    if at - now > FUTURE_SLACK_SECS {
        return Err(NotificationError::Future(at - now));
    }
    Ok((timestamp, signature))
}

/// The headers Cloudinary would send with `body` at `timestamp` (the sandbox signs with this).
pub fn notification_signature(body: &[u8], timestamp: i64, secret: &SecretString, algorithm: Algorithm) -> String {
    algorithm.hex(&[
        body,
        timestamp.to_string().as_bytes(),
        secret.expose_secret().as_bytes(),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(s: &str) -> SecretString {
        SecretString::from(s.to_string())
    }

    #[test]
    fn the_documented_request_vectors_sign_as_cloudinary_says() {
        let params = [
            ("timestamp", "1315060510"),
            ("public_id", "sample_image"),
            ("file", "x.jpg"),
        ];
        assert_eq!(string_to_sign(&params), "public_id=sample_image&timestamp=1315060510");
        assert_eq!(
            sign(&params, &secret("abcd"), Algorithm::Sha1),
            "b4ad47fb4e25c7bf5f92a20089f9db59bc302313"
        );
        let params = [
            ("timestamp", "1568810420"),
            ("username", "user@cloudinary.com"),
            ("cloud_name", "dn6ot3ged"),
        ];
        // The reference's vector signs cloud_name (its string includes it); uploads never do.
        let text = "cloud_name=dn6ot3ged&timestamp=1568810420&username=user@cloudinary.com";
        let s = secret("hdcixPpR2iKERPwqvH6sHdK9cyac");
        assert_eq!(
            Algorithm::Sha1.hex(&[text.as_bytes(), s.expose_secret().as_bytes()]),
            "14c00ba6d0dfdedbc86b316847d95b9e6cd46d94"
        );
        assert_eq!(
            Algorithm::Sha256.hex(&[text.as_bytes(), s.expose_secret().as_bytes()]),
            "45ddaa4fa01f0c2826f32f669d2e4514faf275fe6df053f1a150e7beae58a3bd"
        );
        assert!(!string_to_sign(&params).contains("cloud_name"));
    }

    #[test]
    fn empty_values_are_dropped_and_ampersands_escaped() {
        let params = [
            ("tags", "a,b"),
            ("context", "alt=x&y"),
            ("folder", ""),
            ("api_key", "1"),
        ];
        assert_eq!(string_to_sign(&params), "context=alt=x%26y&tags=a,b");
    }

    #[test]
    fn the_documented_notification_vector_verifies_and_a_changed_body_does_not() {
        let body = br#"{"notification_type":"eager","eager":[{"transformation":"sp_full_hd/mp4","bytes":1055,"url":"http://res.cloudinary.com/demo/video/upload/sp_full_hd/v1533125278/dog.mp4","secure_url":"https://res.cloudinary.com/demo/video/upload/sp_full_hd/v1533125278/dog.mp4"}],"public_id":"dog","batch_id":"9b11fa058c61fa577f4ec516bf6ee756ac2aefef095af99aef1302142cc1694a"}"#;
        let s = secret("X7qLTrsES31MzxxkxPPA-pAGGfU");
        let sig = "dfe82de1d9083fe0b7ea68070649f9a15b8874da";
        assert_eq!(notification_signature(body, 1549533514, &s, Algorithm::Sha1), sig);
        let now = 1549533514 + 60;
        assert_eq!(
            verify_notification(body, Some("1549533514"), Some(sig), &s, Algorithm::Sha1, now, 7200),
            Ok(())
        );
        let mut changed = body.to_vec();
        changed[3] = b'X';
        assert_eq!(
            verify_notification(&changed, Some("1549533514"), Some(sig), &s, Algorithm::Sha1, now, 7200),
            Err(NotificationError::Mismatch)
        );
        assert_eq!(
            verify_notification(
                body,
                Some("1549533514"),
                Some(sig),
                &s,
                Algorithm::Sha1,
                now + 7200,
                7200
            ),
            Err(NotificationError::Stale {
                age_secs: 7260,
                max_age_secs: 7200
            })
        );
        assert_eq!(
            verify_notification(body, None, Some(sig), &s, Algorithm::Sha1, now, 7200),
            Err(NotificationError::MissingTimestamp)
        );
        assert!(matches!(
            verify_notification(body, Some("yesterday"), Some(sig), &s, Algorithm::Sha1, now, 7200),
            Err(NotificationError::BadTimestamp(_))
        ));
    }
}
