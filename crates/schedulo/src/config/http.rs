//! The HTTP surface's section: the operator's listener (`SCHEDULO_ADMIN_LISTEN`), what one
//! stranger may hold of the server (connections, time to send headers, time for a request), and
//! Bubble's bearer token (`SCHEDULO_WEBHOOK_TOKEN`), checked to be long enough to resist guessing.

use super::env::Env;
use super::error::ConfigError;
use super::vars::*;
use secrecy::{ExposeSecret, SecretString};
use std::net::SocketAddr;
use std::time::Duration;

/// The shortest `SCHEDULO_WEBHOOK_TOKEN` the worker starts with: 32 characters (`openssl rand
/// -hex 32` makes 64). Shorter ones are refused at start, not warned about: a token is the only
/// thing between the Internet and Bubble's routes.
pub const MIN_WEBHOOK_TOKEN_CHARS: usize = 32;

/// What the server grants each listener (public and the operator's), from the table's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpLimits {
    /// Connections served at once (`SCHEDULO_MAX_CONNECTIONS`, 256); at the cap the worker stops
    /// accepting, and new connections wait in the kernel's queue until one closes.
    pub max_connections: usize,
    /// Time a client has to send a request's headers, and an idle keep-alive connection is kept
    /// (`SCHEDULO_HEADER_TIMEOUT_SECS`, 10 s).
    pub header_timeout: Duration,
    /// Time for a whole request, its body and the answer (`SCHEDULO_REQUEST_TIMEOUT_SECS`, 30 s).
    pub request_timeout: Duration,
}

impl Default for HttpLimits {
    fn default() -> HttpLimits {
        HttpLimits {
            max_connections: 256,
            header_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// The HTTP surface's variables, validated.
#[derive(Debug)]
pub(super) struct Http {
    pub admin_listen: Option<SocketAddr>,
    pub limits: HttpLimits,
    pub webhook_token: Option<SecretString>,
}

impl Http {
    pub fn from_env(env: &Env) -> Result<Http, ConfigError> {
        Ok(Http {
            admin_listen: admin_listen(env)?,
            limits: HttpLimits {
                max_connections: env.parse_or(&SCHEDULO_MAX_CONNECTIONS, |n| (1..=65_536).contains(n))?,
                header_timeout: Duration::from_secs(
                    env.parse_or(&SCHEDULO_HEADER_TIMEOUT_SECS, |s| (1..=120).contains(s))?,
                ),
                request_timeout: Duration::from_secs(
                    env.parse_or(&SCHEDULO_REQUEST_TIMEOUT_SECS, |s| (1..=600).contains(s))?,
                ),
            },
            webhook_token: webhook_token(env)?,
        })
    }
}

/// `SCHEDULO_ADMIN_LISTEN`: a loopback address, or `off` (`None`).
fn admin_listen(env: &Env) -> Result<Option<SocketAddr>, ConfigError> {
    let text = env.text_or_default(&SCHEDULO_ADMIN_LISTEN);
    if text.trim().eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    let addr: SocketAddr = text
        .trim()
        .parse()
        .map_err(|_| ConfigError::new(&SCHEDULO_ADMIN_LISTEN, Some(text), "it does not parse"))?;
    if !addr.ip().is_loopback() {
        return Err(ConfigError::new(
            &SCHEDULO_ADMIN_LISTEN,
            Some(text),
            "it is not a loopback address: the operator's view (/status) has no credential, so it is served on \
             loopback only (reach it from elsewhere through an SSH tunnel)",
        ));
    }
    Ok(Some(addr))
}

/// `SCHEDULO_WEBHOOK_TOKEN`, trimmed (the server trims the presented token the same way), and
/// refused when shorter than [`MIN_WEBHOOK_TOKEN_CHARS`] or not sendable in a header. The error
/// never repeats the token.
fn webhook_token(env: &Env) -> Result<Option<SecretString>, ConfigError> {
    let Some(token) = env.secret(&SCHEDULO_WEBHOOK_TOKEN) else {
        return Ok(None);
    };
    let token = token.expose_secret().trim();
    if !token.chars().all(|c| c.is_ascii_graphic()) {
        return Err(ConfigError::new(
            &SCHEDULO_WEBHOOK_TOKEN,
            None,
            "it holds a space or a character other than visible ASCII, which Bubble cannot send in an Authorization header",
        ));
    }
    let chars = token.chars().count();
    if chars < MIN_WEBHOOK_TOKEN_CHARS {
        return Err(ConfigError::new(
            &SCHEDULO_WEBHOOK_TOKEN,
            None,
            format!("it is {chars} characters long, shorter than {MIN_WEBHOOK_TOKEN_CHARS}, so it could be guessed"),
        ));
    }
    Ok(Some(SecretString::from(token.to_string())))
}
