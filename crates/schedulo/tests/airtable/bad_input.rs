//! Bad input gives one clear message and no panic: config values, tokens, tables, response bodies.

use crate::helpers::{spawn, spawn_unlimited, TOKEN};
use schedulo::airtable::{AirtableClient, ApiErrorType, ClientOptions, ListQuery};
use schedulo::error_class::ErrorClass;
use secrecy::SecretString;
use serde_json::json;
use std::process::{Command, Output};

/// Runs the schedulo binary with only the given variables, in an empty directory.
fn schedulo(args: &[&str], vars: &[(&str, &str)]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_schedulo"));
    cmd.args(args)
        .current_dir(dir.path())
        .env_clear()
        .env("SCHEDULO_DATA_DIR", dir.path().join("data"));
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd.output().expect("schedulo runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_malformed_config_value_is_one_clear_message_and_exit_code_2() {
    let out = schedulo(&["usage"], &[("AIRTABLE_BASE_RPS", "fast")]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert_eq!(
        err.trim(),
        "error: AIRTABLE_BASE_RPS=\"fast\" is not valid: it does not parse; expected a number of requests per second above 0 and at most 5, like 4.9"
    );
}

/// A wrong token: one message naming Airtable's refusal, never the token, and no panic.
#[tokio::test(flavor = "multi_thread")]
async fn a_bad_token_is_one_clear_message_without_the_token() {
    let app = spawn_unlimited().await;
    let url = app.sandbox.url();
    let base = app.base.id().to_string();
    let out = tokio::task::spawn_blocking(move || {
        schedulo(
            &["schema", "check"],
            &[
                ("AIRTABLE_API_URL", &url),
                ("AIRTABLE_BASE_ID", &base),
                ("AIRTABLE_TOKEN", "patWrongToken.secretpart"),
            ],
        )
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("AUTHENTICATION_REQUIRED (401)"), "{err}");
    assert!(
        !err.contains("secretpart") && !text(&out.stdout).contains("secretpart"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

/// `schema check` from the command line: exit 1 and the missing field named.
#[tokio::test(flavor = "multi_thread")]
async fn schema_check_exits_non_zero_when_a_field_is_missing() {
    let app = spawn_unlimited().await;
    let path = format!("/_sandbox/bases/{}/tables/ScheduledPosts/fields/Status", app.base.id());
    app.admin(reqwest::Method::DELETE, &path, None).await;
    let (url, base) = (app.sandbox.url(), app.base.id().to_string());
    let out = tokio::task::spawn_blocking(move || {
        schedulo(
            &["schema", "check"],
            &[
                ("AIRTABLE_API_URL", &url),
                ("AIRTABLE_BASE_ID", &base),
                ("AIRTABLE_TOKEN", TOKEN),
            ],
        )
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("ScheduledPosts: missing field Status (singleSelect)"),
        "{}",
        text(&out.stdout)
    );
}

#[tokio::test(start_paused = true)]
async fn an_unknown_table_is_a_permanent_error_that_names_it() {
    let app = spawn().await;
    let err = app.base.list("Nope", &ListQuery::default()).await.unwrap_err();
    assert_eq!(err.class(), ErrorClass::Permanent);
    assert!(err.to_string().contains("in table Nope"), "{err}");
}

/// A 2xx body of the wrong shape is reported as malformed, with where it came from.
#[tokio::test(start_paused = true)]
async fn a_malformed_response_body_is_a_clear_error() {
    let app = spawn().await;
    app.fail_next(None, "ErrorLog", 10, 200, json!({"records": "not a list"}))
        .await;
    let err = app.base.list("ErrorLog", &ListQuery::default()).await.unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("Airtable's answer to list records in table ErrorLog of base app"),
        "{text}"
    );
    assert!(text.contains("is malformed"), "{text}");
}

/// A client whose token the sandbox does not know gets an auth error, not retried.
#[tokio::test(start_paused = true)]
async fn a_bad_token_is_an_auth_error_and_not_retried() {
    let app = spawn().await;
    let client = AirtableClient::new(ClientOptions::new(
        app.sandbox.url().parse().unwrap(),
        SecretString::from("patNope.123"),
    ))
    .unwrap();
    let base = client.base(app.base.id());
    let err = base.list("ErrorLog", &ListQuery::default()).await.unwrap_err();
    assert_eq!(err.api_type(), Some(&ApiErrorType::AuthenticationRequired));
    assert_eq!(err.class(), ErrorClass::Auth);
    assert_eq!(client.usage().this_month(app.base.id()), 1);
    assert!(!format!("{err} {err:?}").contains("patNope"));
}
