//! The Airtable section: the target, the plan and read share, limits, retries, the webhook's secret.

use super::*;

#[test]
fn the_read_share_defaults_to_half_and_a_bad_one_names_the_variable_and_the_value() {
    let c = Config::from_vars(vars(&[])).unwrap();
    assert_eq!(c.read_share.percent(), 50);
    for ok in ["1", "100", " 25 "] {
        let c = Config::from_vars(vars(&[("AIRTABLE_READ_SHARE", ok)])).unwrap();
        assert_eq!(u64::from(c.read_share.percent()), ok.trim().parse::<u64>().unwrap());
    }
    for (bad, problem) in [
        ("0", "is out of range"),
        ("101", "is out of range"),
        ("half", "does not parse"),
        ("-5", "does not parse"),
    ] {
        let err = Config::from_vars(vars(&[("AIRTABLE_READ_SHARE", bad)])).unwrap_err();
        assert_eq!(err.variable, "AIRTABLE_READ_SHARE");
        let text = err.to_string();
        assert!(
            text.starts_with(&format!(
                "AIRTABLE_READ_SHARE={bad:?} is not valid: it {problem}; expected a whole percent from 1 to 100"
            )),
            "{text}"
        );
    }
}

#[test]
fn a_plan_is_read_in_any_case_and_an_unknown_one_is_named() {
    let c = Config::from_vars(vars(&[("AIRTABLE_PLAN", " Business ")])).unwrap();
    assert_eq!(c.plan, Plan::Business);
    let err = Config::from_vars(vars(&[("AIRTABLE_PLAN", "pro")])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "AIRTABLE_PLAN=\"pro\" is not valid: it is not a plan Airtable sells; expected one of free, team, business, enterprise"
    );
}

#[test]
fn a_max_delay_below_the_min_delay_is_refused() {
    let err = Config::from_vars(vars(&[
        ("AIRTABLE_RETRY_MIN_DELAY_MS", "1000"),
        ("AIRTABLE_RETRY_MAX_DELAY_MS", "999"),
    ]))
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "AIRTABLE_RETRY_MAX_DELAY_MS=\"999\" is not valid: it is below AIRTABLE_RETRY_MIN_DELAY_MS (1000); expected a delay at least the minimum delay"
    );
}

#[test]
fn a_bad_token_is_reported_without_its_value() {
    let err = Config::from_vars(vars(&[
        ("AIRTABLE_TOKEN", "pat secret"),
        ("AIRTABLE_BASE_ID", "appAbC123dEf456gH"),
    ]))
    .unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("AIRTABLE_TOKEN is not valid"), "{text}");
    assert!(!text.contains("secret"), "{text}");
}

#[test]
fn the_token_never_shows_in_debug_output() {
    let c = Config::from_vars(vars(&[
        ("AIRTABLE_TOKEN", "patSuperSecret.123"),
        ("AIRTABLE_BASE_ID", "appAbC123dEf456gH"),
    ]))
    .unwrap();
    let debug = format!("{c:?}");
    assert!(!debug.contains("SuperSecret"), "{debug}");
    assert!(debug.contains("REDACTED"), "{debug}");
}

#[test]
fn an_api_url_with_a_path_is_refused() {
    let err = Config::from_vars(vars(&[
        ("AIRTABLE_TOKEN", "pat1"),
        ("AIRTABLE_BASE_ID", "appAbC123dEf456gH"),
        ("AIRTABLE_API_URL", "https://api.airtable.com/v0"),
    ]))
    .unwrap_err();
    assert_eq!(err.variable, "AIRTABLE_API_URL");
    assert_eq!(
        err.expected,
        "the server's address alone, like https://api.airtable.com"
    );
}

#[test]
fn a_base_without_a_token_says_which_is_missing() {
    let err = Config::from_vars(vars(&[("AIRTABLE_BASE_ID", "appAbC123dEf456gH")])).unwrap_err();
    assert_eq!(err.variable, "AIRTABLE_TOKEN");
    let err = Config::from_vars(vars(&[("AIRTABLE_TOKEN", "pat1"), ("AIRTABLE_BASE_ID", "base1")])).unwrap_err();
    assert_eq!(err.variable, "AIRTABLE_BASE_ID");
}

#[test]
fn a_remote_base_is_read_with_its_token_trimmed() {
    let c = Config::from_vars(vars(&[
        ("AIRTABLE_TOKEN", " pat1.x "),
        ("AIRTABLE_BASE_ID", "appAbC123dEf456gH"),
        ("AIRTABLE_API_URL", "http://127.0.0.1:8790"),
    ]))
    .unwrap();
    let AirtableTarget::Remote {
        api_url,
        token,
        base_id,
    } = c.airtable
    else {
        panic!("a remote base")
    };
    assert_eq!(
        (api_url.as_str(), base_id.as_str()),
        ("http://127.0.0.1:8790/", "appAbC123dEf456gH")
    );
    assert_eq!(token.expose_secret(), "pat1.x");
}

#[test]
fn the_webhook_secret_must_be_base64_and_is_never_shown() {
    let err = Config::from_vars(vars(&[("AIRTABLE_WEBHOOK_MAC_SECRET", "not base64 s3cr3t!")])).unwrap_err();
    assert_eq!(err.variable, "AIRTABLE_WEBHOOK_MAC_SECRET");
    assert!(!err.to_string().contains("s3cr3t"), "{err}");
    let c = Config::from_vars(vars(&[("AIRTABLE_WEBHOOK_MAC_SECRET", "aGVsbG8=")])).unwrap();
    assert_eq!(c.airtable_webhook_key().unwrap(), b"hello");
}
