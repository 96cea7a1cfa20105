//! Cloudinary's and Airtable's signatures: forged, missing, malformed, or signed long ago.

use crate::helpers::{assert_no_secret, logs, World, API_SECRET, MAC_KEY};
use hmac::{Hmac, Mac};
use schedulo::cloudinary::signer::{notification_signature, Algorithm};
use secrecy::SecretString;
use sha2::Sha256;

/// An Airtable ping's `X-Airtable-Content-MAC` for `body` under `key`.
pub fn airtable_mac(key: &[u8], body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(body.as_bytes());
    let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    format!("hmac-sha256={hex}")
}

/// Cloudinary's notification headers for `body` at `timestamp`, signed with `secret`.
fn cloudinary_headers(body: &str, timestamp: i64, secret: &str) -> (String, String) {
    let signature = notification_signature(
        body.as_bytes(),
        timestamp,
        &SecretString::from(secret.to_string()),
        Algorithm::Sha1,
    );
    (timestamp.to_string(), signature)
}

/// A Cloudinary notification signed with another secret, one without its headers, one with a
/// timestamp that is not a time, and a genuine one replayed three hours later are each refused
/// (401, saying why) and change nothing; the refusals never show the API secret.
#[tokio::test(start_paused = true)]
async fn forged_missing_or_replayed_cloudinary_notifications_are_refused() {
    let w = World::start(&[]).await;
    let body = r#"{"notification_type":"eager","public_id":"users/recX/recY_1","eager":[]}"#;
    let now = w.clock.now().timestamp();
    let (stamp, forged) = cloudinary_headers(body, now, "another-secret");
    let (old_stamp, genuine_old) = cloudinary_headers(body, now - 3 * 3600, API_SECRET);
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (
            vec![("X-Cld-Timestamp", &stamp), ("X-Cld-Signature", &forged)],
            "does not match",
        ),
        (vec![], "missing X-Cld-Timestamp"),
        (vec![("X-Cld-Timestamp", &stamp)], "missing X-Cld-Signature"),
        (
            vec![("X-Cld-Timestamp", "yesterday"), ("X-Cld-Signature", &forged)],
            "not a Unix time",
        ),
        (
            vec![("X-Cld-Timestamp", &old_stamp), ("X-Cld-Signature", &genuine_old)],
            "notifications older than 7200 s are refused",
        ),
    ];
    for (headers, why) in cases {
        let (status, text) = w.post("/webhooks/cloudinary", &headers, body).await;
        assert_eq!(status, 401, "{headers:?}: {text}");
        assert!(text.contains(why), "{text}");
        assert_no_secret(&text);
    }
    let (stamp, genuine) = cloudinary_headers(body, now, API_SECRET);
    let (status, text) = w
        .post(
            "/webhooks/cloudinary",
            &[("X-Cld-Timestamp", &stamp), ("X-Cld-Signature", &genuine)],
            body,
        )
        .await;
    assert_eq!(
        status, 200,
        "a genuine one passes (and is ignored: no job made it): {text}"
    );
    assert_no_secret(&logs().text());
}

/// An Airtable ping with a MAC under another key, without the header, or with a header not of
/// Airtable's form is refused (401) and nothing is kept.
#[tokio::test(start_paused = true)]
async fn forged_or_missing_airtable_macs_are_refused() {
    let w = World::start(&[]).await;
    let body = format!(
        r#"{{"base":{{"id":"{}"}},"webhook":{{"id":"achHandMade0000001"}},"timestamp":"{}"}}"#,
        w.base.id(),
        w.clock.now().to_rfc3339()
    );
    let forged = airtable_mac(b"not-the-key", &body);
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![("X-Airtable-Content-MAC", &forged)], "does not match the body"),
        (vec![], "missing X-Airtable-Content-MAC"),
        (
            vec![("X-Airtable-Content-MAC", "sha1=00ff")],
            "is not `hmac-sha256=<hex>`",
        ),
        (vec![("X-Airtable-Content-MAC", "hmac-sha256=zz")], "is not hexadecimal"),
    ];
    for (headers, why) in cases {
        let (status, text) = w.post("/webhooks/airtable", &headers, &body).await;
        assert_eq!(status, 401, "{headers:?}: {text}");
        assert!(text.contains(why), "{text}");
        assert_no_secret(&text);
    }
    assert_eq!(w.kept().await, 0, "nothing refused was kept");
    let genuine = airtable_mac(MAC_KEY, &body);
    let (status, text) = w
        .post("/webhooks/airtable", &[("X-Airtable-Content-MAC", &genuine)], &body)
        .await;
    assert_eq!(status, 204, "the genuine ping passes: {text}");
    assert_no_secret(&logs().text());
}
