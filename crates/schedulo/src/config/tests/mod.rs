//! The configuration's tests: one file per section, `vars.rs` for the table and unknown names,
//! `env_example.rs` holding `.env.example` to the table.

mod airtable;
mod cloudinary;
mod env_example;
mod http;
mod vars;

use super::*;

pub(super) fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[test]
fn nothing_configured_means_the_sandbox_with_defaults() {
    let c = Config::from_vars(vars(&[("PATH", "/bin")])).unwrap();
    assert!(matches!(c.airtable, AirtableTarget::Sandbox));
    assert_eq!(c.plan, Plan::Team);
    assert_eq!(c.limits, Limits::default());
}

/// The table's defaults are the ones the clients and types would pick on their own.
#[test]
fn the_tables_defaults_are_the_clients_own() {
    let c = Config::from_vars(vars(&[])).unwrap();
    assert_eq!(c.limits, Limits::default());
    assert_eq!(c.retry, RetryPolicy::default());
    assert_eq!(c.timeout, crate::airtable::DEFAULT_TIMEOUT);
    assert_eq!(c.read_share, ReadShare::default());
    assert_eq!(c.listen.to_string(), "127.0.0.1:8787");
    assert_eq!(c.sandbox_listen.to_string(), "127.0.0.1:0");
    assert_eq!(c.sandbox_latency, schedulo_sandbox::latency::Profile::Realistic);
    assert_eq!(c.data_dir, PathBuf::from(".schedulo"));
    assert_eq!(c.journal_path, PathBuf::from(".schedulo").join("journal.sqlite"));
    assert_eq!(c.scenario_dir, PathBuf::from("scenarios"));
    assert_eq!(c.schema_file, None);
    assert_eq!(c.x_api_url.as_str(), "https://api.x.com/");
    assert!(c.webhook_token.is_none() && c.vault_keys.is_none() && c.public_url.is_none());
}

#[test]
fn a_bad_number_names_the_variable_the_problem_and_the_form() {
    let err = Config::from_vars(vars(&[("AIRTABLE_BASE_RPS", "fast")])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "AIRTABLE_BASE_RPS=\"fast\" is not valid: it does not parse; expected a number of requests per second above 0 and at most 5, like 4.9"
    );
    let err = Config::from_vars(vars(&[("AIRTABLE_BASE_RPS", "12")])).unwrap_err();
    assert!(err.to_string().contains("out of range"), "{err}");
}

#[test]
fn the_sandbox_latency_is_a_profile_or_one_time() {
    use schedulo_sandbox::latency::Profile;
    let c = Config::from_vars(vars(&[("SCHEDULO_SANDBOX_LATENCY", "off")])).unwrap();
    assert_eq!(c.sandbox_latency, Profile::Off);
    let c = Config::from_vars(vars(&[("SCHEDULO_SANDBOX_LATENCY", "250ms")])).unwrap();
    assert_eq!(c.sandbox_latency, Profile::Fixed(std::time::Duration::from_millis(250)));
    let err = Config::from_vars(vars(&[("SCHEDULO_SANDBOX_LATENCY", "slow")])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "SCHEDULO_SANDBOX_LATENCY=\"slow\" is not valid: it does not parse; expected off, realistic (each vendor's typical response time), or one time for every request like 250ms"
    );
}

#[test]
fn names_match_in_any_case_but_one_set_twice_is_refused() {
    let c = Config::from_vars(vars(&[("airtable_plan", "free")])).unwrap();
    assert_eq!(c.plan, Plan::Free);
    let err = Config::from_vars(vars(&[("airtable_plan", "free"), ("AIRTABLE_PLAN", "team")])).unwrap_err();
    assert_eq!(err.variable, "AIRTABLE_PLAN");
    assert!(
        err.to_string()
            .contains("set twice, as airtable_plan and AIRTABLE_PLAN"),
        "{err}"
    );
}

#[test]
fn the_sandbox_only_listens_on_loopback() {
    let err = Config::from_vars(vars(&[("SCHEDULO_SANDBOX_LISTEN", "0.0.0.0:8790")])).unwrap_err();
    assert!(err.to_string().contains("out of range"), "{err}");
}

#[test]
fn a_public_url_must_be_http() {
    let err = Config::from_vars(vars(&[("SCHEDULO_PUBLIC_URL", "worker")])).unwrap_err();
    assert_eq!(err.variable, "SCHEDULO_PUBLIC_URL");
    let c = Config::from_vars(vars(&[("SCHEDULO_PUBLIC_URL", " https://worker.example.com ")])).unwrap();
    assert_eq!(c.public_url.unwrap().as_str(), "https://worker.example.com/");
}

#[test]
fn the_journal_defaults_to_the_data_dir_and_follows_it() {
    let c = Config::from_vars(vars(&[("SCHEDULO_DATA_DIR", "/var/lib/schedulo")])).unwrap();
    assert_eq!(c.journal_path, PathBuf::from("/var/lib/schedulo/journal.sqlite"));
    let c = Config::from_vars(vars(&[("SCHEDULO_JOURNAL", "/tmp/j.sqlite")])).unwrap();
    assert_eq!(c.journal_path, PathBuf::from("/tmp/j.sqlite"));
}

#[test]
fn a_variable_of_ours_that_is_not_unicode_is_named_and_others_are_left_alone() {
    use std::os::unix::ffi::OsStringExt;
    let bad = || OsString::from_vec(vec![0xff, 0xfe]);
    let err = Config::from_vars_os([(OsString::from("AIRTABLE_PLAN"), bad())]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "AIRTABLE_PLAN is not valid: it is not valid Unicode text; expected plain text"
    );
    Config::from_vars_os([(OsString::from("LANG"), bad())]).unwrap();
    Config::from_vars_os([(OsString::from("SCHEDULO_NOT_OURS"), bad())]).unwrap();
}

#[test]
fn a_dotenv_line_that_does_not_parse_is_reported_without_its_value() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".env");
    std::fs::write(&path, "AIRTABLE_TOKEN='patSECRET.123\n").unwrap();
    let err = dotenvy::from_path_iter(&path).unwrap().find_map(|r| r.err()).unwrap();
    let text = describe_dotenv_error(&err);
    assert!(text.contains("AIRTABLE_TOKEN") && !text.contains("SECRET"), "{text}");
}
