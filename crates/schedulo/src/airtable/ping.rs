//! Checking a webhook ping's signature: Airtable signs each ping's body with the webhook's MAC
//! secret (`macSecretBase64`, returned once by the create call) and sends
//! `X-Airtable-Content-MAC: hmac-sha256=<hex>`. Source: airtable.com/developers/web/api/webhooks-overview
//! ("Webhook notification delivery").

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Checks `X-Airtable-Content-MAC: hmac-sha256=<hex>` against the body and the webhook's secret
/// (`hmac`'s own constant-time `verify_slice`).
pub fn verify_airtable_mac(header: Option<&str>, secret: &[u8], body: &[u8]) -> Result<(), &'static str> {
    let presented = presented_mac(header)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).map_err(|_| "the webhook secret is unusable")?;
    mac.update(body);
    mac.verify_slice(&presented)
        .map_err(|_| "X-Airtable-Content-MAC does not match the body")
}

/// The MAC an `X-Airtable-Content-MAC` header presents, decoded: what can be checked of a ping
/// before its body is read.
pub fn presented_mac(header: Option<&str>) -> Result<Vec<u8>, &'static str> {
    let header = header.ok_or("missing X-Airtable-Content-MAC header")?;
    let hex = header
        .strip_prefix("hmac-sha256=")
        .ok_or("X-Airtable-Content-MAC is not `hmac-sha256=<hex>`")?;
    decode_hex(hex).ok_or("X-Airtable-Content-MAC is not hexadecimal")
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn airtables_mac_is_checked_against_the_body() {
        let secret = b"secret-bytes";
        let body = br#"{"base":{"id":"appX"},"webhook":{"id":"achY"},"timestamp":"2026-11-25T10:00:00.000Z"}"#;
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
        mac.update(body);
        let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            verify_airtable_mac(Some(&format!("hmac-sha256={hex}")), secret, body),
            Ok(())
        );
        assert_eq!(
            verify_airtable_mac(Some(&format!("hmac-sha256={hex}")), secret, b"{}"),
            Err("X-Airtable-Content-MAC does not match the body")
        );
        assert_eq!(
            verify_airtable_mac(None, secret, body),
            Err("missing X-Airtable-Content-MAC header")
        );
        assert!(verify_airtable_mac(Some("sha1=00"), secret, body).is_err());
    }
}
