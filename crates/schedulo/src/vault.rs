//! Account tokens at rest: encrypted with an AEAD (XChaCha20-Poly1305, RustCrypto) before they are
//! written to Airtable's `AccessToken` / `RefreshToken` fields, decrypted only where a publisher
//! needs them.
//!
//! Format (versioned, names its key so keys can rotate): `sv1:<key-id>:<base64url(nonce || ciphertext)>`
//! with a random 24-byte nonce. The account's record id is the associated data, so a token copied
//! into another account's record does not decrypt.
//!
//! Keys come from `SCHEDULO_VAULT_KEYS`: `id=base64key` pairs (32-byte keys) separated by commas, the
//! first used to encrypt, all accepted to decrypt. To rotate: put a new key first, keep the old ones
//! until every token has been re-encrypted ([`Vault::needs_rotation`] tells which).

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use secrecy::{ExposeSecret, SecretString};
use std::fmt;

const VERSION: &str = "sv1";
const NONCE_LEN: usize = 24;

/// Why a token could not be encrypted or decrypted. Never contains key or token material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    #[error("SCHEDULO_VAULT_KEYS is not valid: {0}")]
    Keys(String),
    #[error("the stored token of {record} is not in the vault's format (expected sv1:<key-id>:<data>); reconnect the account")]
    Format { record: String },
    #[error("the stored token of {record} was encrypted with key {key:?}, which SCHEDULO_VAULT_KEYS does not hold")]
    UnknownKey { record: String, key: String },
    #[error(
        "the stored token of {record} does not decrypt with key {key:?} (wrong key, or copied from another record)"
    )]
    Decrypt { record: String, key: String },
}

struct Key {
    id: String,
    cipher: XChaCha20Poly1305,
}

/// The keys; the first encrypts.
pub struct Vault {
    keys: Vec<Key>,
}

impl fmt::Debug for Vault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|k| k.id.as_str()).collect();
        f.debug_struct("Vault").field("key_ids", &ids).finish()
    }
}

impl Vault {
    /// Reads `id=base64key,id=base64key` (the value of `SCHEDULO_VAULT_KEYS`).
    pub fn from_spec(spec: &SecretString) -> Result<Vault, VaultError> {
        let mut keys = Vec::new();
        for (n, part) in spec
            .expose_secret()
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .enumerate()
        {
            let Some((id, b64)) = part.split_once('=') else {
                return Err(VaultError::Keys(format!("entry {} is not id=base64key", n + 1)));
            };
            let id = id.trim();
            if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                return Err(VaultError::Keys(format!(
                    "entry {}: a key id is letters, digits, - or _",
                    n + 1
                )));
            }
            let bytes = STANDARD
                .decode(b64.trim())
                .map_err(|_| VaultError::Keys(format!("key {id:?} is not base64")))?;
            if bytes.len() != 32 {
                return Err(VaultError::Keys(format!(
                    "key {id:?} is {} bytes; keys are 32 bytes",
                    bytes.len()
                )));
            }
            if keys.iter().any(|k: &Key| k.id == id) {
                return Err(VaultError::Keys(format!("key id {id:?} appears twice")));
            }
            let cipher = XChaCha20Poly1305::new_from_slice(&bytes).map_err(|_| VaultError::Keys("bad key".into()))?;
            keys.push(Key {
                id: id.to_string(),
                cipher,
            });
        }
        if keys.is_empty() {
            return Err(VaultError::Keys("no key given".into()));
        }
        Ok(Vault { keys })
    }

    /// A new random key, as `id=base64key` (for `schedulo` to suggest, and for the sandbox).
    pub fn generate_spec(id: &str) -> SecretString {
        let key = XChaCha20Poly1305::generate_key(&mut OsRng);
        SecretString::from(format!("{id}={}", STANDARD.encode(key)))
    }

    /// Encrypts a token for the account `record`.
    pub fn encrypt(&self, record: &str, token: &SecretString) -> String {
        let key = &self.keys[0];
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let payload = Payload {
            msg: token.expose_secret().as_bytes(),
            aad: record.as_bytes(),
        };
        // Encryption with a valid key and nonce cannot fail (the crate errors only on overlong input).
        let sealed = key.cipher.encrypt(&nonce, payload).unwrap_or_default();
        let mut data = nonce.to_vec();
        data.extend(sealed);
        format!("{VERSION}:{}:{}", key.id, URL_SAFE_NO_PAD.encode(data))
    }

    /// Decrypts the stored token of the account `record`.
    pub fn decrypt(&self, record: &str, stored: &str) -> Result<SecretString, VaultError> {
        let format = || VaultError::Format {
            record: record.to_string(),
        };
        let mut parts = stored.trim().splitn(3, ':');
        let (Some(VERSION), Some(key_id), Some(data)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(format());
        };
        let key = self
            .keys
            .iter()
            .find(|k| k.id == key_id)
            .ok_or_else(|| VaultError::UnknownKey {
                record: record.to_string(),
                key: key_id.to_string(),
            })?;
        let data = URL_SAFE_NO_PAD.decode(data).map_err(|_| format())?;
        if data.len() <= NONCE_LEN {
            return Err(format());
        }
        let (nonce, sealed) = data.split_at(NONCE_LEN);
        let failed = || VaultError::Decrypt {
            record: record.to_string(),
            key: key_id.to_string(),
        };
        let plain = key
            .cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: record.as_bytes(),
                },
            )
            .map_err(|_| failed())?;
        String::from_utf8(plain).map(SecretString::from).map_err(|_| failed())
    }

    /// Whether a stored token was encrypted with an older key (and should be re-encrypted).
    pub fn needs_rotation(&self, stored: &str) -> bool {
        stored.split(':').nth(1).is_some_and(|id| id != self.keys[0].id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vault(spec: &str) -> Vault {
        Vault::from_spec(&SecretString::from(spec.to_string())).unwrap()
    }

    #[test]
    fn a_token_round_trips_and_the_stored_form_hides_it() {
        let spec = Vault::generate_spec("k1");
        let v = Vault::from_spec(&spec).unwrap();
        let stored = v.encrypt("recA", &SecretString::from("x-token-123"));
        assert!(stored.starts_with("sv1:k1:"));
        assert!(!stored.contains("x-token-123"));
        assert_eq!(v.decrypt("recA", &stored).unwrap().expose_secret(), "x-token-123");
    }

    #[test]
    fn a_token_copied_to_another_record_does_not_decrypt() {
        let v = Vault::from_spec(&Vault::generate_spec("k1")).unwrap();
        let stored = v.encrypt("recA", &SecretString::from("t"));
        assert_eq!(
            v.decrypt("recB", &stored).unwrap_err(),
            VaultError::Decrypt {
                record: "recB".into(),
                key: "k1".into()
            }
        );
    }

    #[test]
    fn keys_rotate_old_tokens_still_decrypt_and_are_flagged() {
        let old = Vault::generate_spec("k1");
        let new = Vault::generate_spec("k2");
        let before = Vault::from_spec(&old).unwrap();
        let stored = before.encrypt("recA", &SecretString::from("t"));
        let both = format!("{},{}", new.expose_secret(), old.expose_secret());
        let after = vault(&both);
        assert_eq!(after.decrypt("recA", &stored).unwrap().expose_secret(), "t");
        assert!(after.needs_rotation(&stored));
        assert!(!after.needs_rotation(&after.encrypt("recA", &SecretString::from("t"))));
    }

    #[test]
    fn bad_keys_and_bad_stored_tokens_say_what_is_wrong_without_material() {
        let err = Vault::from_spec(&SecretString::from("k1=notbase64!".to_string())).unwrap_err();
        assert_eq!(
            err.to_string(),
            "SCHEDULO_VAULT_KEYS is not valid: key \"k1\" is not base64"
        );
        let v = Vault::from_spec(&Vault::generate_spec("k1")).unwrap();
        assert!(matches!(
            v.decrypt("recA", "plain-token"),
            Err(VaultError::Format { .. })
        ));
        assert!(matches!(
            v.decrypt("recA", "sv1:k9:AAAA"),
            Err(VaultError::UnknownKey { .. })
        ));
        assert!(!format!("{v:?}").contains('='), "Debug shows key ids only");
    }
}
