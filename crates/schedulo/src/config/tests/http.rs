//! The HTTP surface's section: Bubble's token, the operator's listener, the limits.

use super::vars;
use crate::config::{Config, HttpLimits};
use secrecy::ExposeSecret;

#[test]
fn a_webhook_token_shorter_than_32_characters_is_refused_without_showing_it() {
    let err = Config::from_vars(vars(&[("SCHEDULO_WEBHOOK_TOKEN", "hook-s3cr3t-of-20chr")])).unwrap_err();
    let text = err.to_string();
    assert_eq!(err.variable, "SCHEDULO_WEBHOOK_TOKEN");
    assert!(text.contains("20 characters long, shorter than 32"), "{text}");
    assert!(text.contains("openssl rand -hex 32"), "{text}");
    assert!(
        !text.contains("s3cr3t") && !format!("{err:?}").contains("s3cr3t"),
        "{text}"
    );
}

#[test]
fn a_webhook_token_is_trimmed_and_must_fit_in_a_header() {
    let token = "0123456789abcdef0123456789abcdef";
    let c = Config::from_vars(vars(&[("SCHEDULO_WEBHOOK_TOKEN", &format!("  {token}\n"))])).unwrap();
    assert_eq!(c.webhook_token.unwrap().expose_secret(), token);
    let spaced = "0123456789abcdef 0123456789abcdef";
    let err = Config::from_vars(vars(&[("SCHEDULO_WEBHOOK_TOKEN", spaced)])).unwrap_err();
    assert!(err.to_string().contains("Authorization header"), "{err}");
    assert!(!err.to_string().contains("0123456789abcdef"), "{err}");
}

#[test]
fn the_operators_listener_is_loopback_by_default_off_on_request_and_never_public() {
    let c = Config::from_vars(vars(&[])).unwrap();
    assert_eq!(c.admin_listen.unwrap().to_string(), "127.0.0.1:8788");
    assert_eq!(c.http, HttpLimits::default());
    assert_eq!(c.airtable_ping_window, std::time::Duration::from_secs(300));
    let c = Config::from_vars(vars(&[("SCHEDULO_ADMIN_LISTEN", "OFF")])).unwrap();
    assert_eq!(c.admin_listen, None);
    let c = Config::from_vars(vars(&[("SCHEDULO_ADMIN_LISTEN", "[::1]:0")])).unwrap();
    assert!(c.admin_listen.unwrap().ip().is_loopback());
    let err = Config::from_vars(vars(&[("SCHEDULO_ADMIN_LISTEN", "0.0.0.0:8788")])).unwrap_err();
    assert!(err.to_string().contains("not a loopback address"), "{err}");
    assert!(err.to_string().contains("SSH tunnel"), "{err}");
}

#[test]
fn the_http_limits_and_the_ping_window_are_read_and_checked() {
    let c = Config::from_vars(vars(&[
        ("SCHEDULO_MAX_CONNECTIONS", "40"),
        ("SCHEDULO_HEADER_TIMEOUT_SECS", "3"),
        ("SCHEDULO_REQUEST_TIMEOUT_SECS", "7"),
        ("AIRTABLE_PING_WINDOW_SECS", "60"),
    ]))
    .unwrap();
    assert_eq!(c.http.max_connections, 40);
    assert_eq!(c.http.header_timeout.as_secs(), 3);
    assert_eq!(c.http.request_timeout.as_secs(), 7);
    assert_eq!(c.airtable_ping_window.as_secs(), 60);
    for (name, value) in [
        ("SCHEDULO_MAX_CONNECTIONS", "0"),
        ("SCHEDULO_HEADER_TIMEOUT_SECS", "0"),
        ("AIRTABLE_PING_WINDOW_SECS", "5"),
    ] {
        let err = Config::from_vars(vars(&[(name, value)])).unwrap_err();
        assert_eq!(err.variable, name);
        assert!(err.to_string().contains("out of range"), "{err}");
    }
}
