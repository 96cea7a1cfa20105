//! The table of variables: unknown names are warned about, secrets are never shown.

use super::*;
use crate::config::vars::{self, closest, unknown_warning, Fallback, VARS};

#[test]
fn a_misspelt_variable_of_ours_gets_a_warning_naming_the_closest_known_one() {
    assert_eq!(
        unknown_warning("AIRTABLE_BASE_RSP").as_deref(),
        Some("AIRTABLE_BASE_RSP is not a variable schedulo reads; it is ignored (did you mean AIRTABLE_BASE_RPS?)")
    );
    assert_eq!(closest("schedulo_journal_file"), Some("SCHEDULO_JOURNAL"));
    assert_eq!(closest("CLOUDINARY_TIMEOUT"), Some("CLOUDINARY_TIMEOUT_SECS"));
    assert_eq!(closest("TIKTOK_API_ULR"), Some("TIKTOK_API_URL"));
    assert_eq!(
        unknown_warning("SCHEDULO_SOMETHING_ELSE_ENTIRELY").as_deref(),
        Some("SCHEDULO_SOMETHING_ELSE_ENTIRELY is not a variable schedulo reads; it is ignored (.env.example lists them all)")
    );
}

#[test]
fn known_variables_and_other_programs_variables_get_no_warning() {
    for name in [
        "AIRTABLE_TOKEN",
        "cloudinary_url",
        "SCHEDULO_LOG",
        "PATH",
        "XDG_RUNTIME_DIR",
        "X_",
        "HOME",
    ] {
        assert_eq!(unknown_warning(name), None, "{name}");
    }
    assert!(vars::looks_ours("X_API_VERSION") && vars::looks_ours("facebook_app_id"));
}

#[test]
fn an_unknown_variable_of_ours_does_not_stop_the_configuration() {
    let c = Config::from_vars(vars(&[("AIRTABLE_BASE_RSP", "9"), ("AIRTABLE_PLAN", "free")])).unwrap();
    assert_eq!((c.plan, c.limits.per_base_per_sec), (Plan::Free, 4.9));
}

#[test]
fn the_table_has_each_name_once_and_a_default_only_where_it_should() {
    for (i, var) in VARS.iter().enumerate() {
        assert!(VARS[..i].iter().all(|v| v.name != var.name), "{} twice", var.name);
        assert!(!var.form.is_empty(), "{} has no form", var.name);
        if var.secret {
            assert_eq!(var.default, Fallback::Unset, "a secret ({}) has no default", var.name);
        }
    }
}

/// Every secret of the table, set to a value that is wrong for it, gives an error (or a
/// configuration) that never repeats it.
#[test]
fn no_secret_of_the_table_is_ever_shown() {
    let base = [("AIRTABLE_BASE_ID", "appAbC123dEf456gH"), ("AIRTABLE_TOKEN", "patOk.1")];
    for var in VARS.iter().filter(|v| v.secret) {
        let leak = "Le4k s3cr3t\u{7}";
        let mut set = vars(&base);
        set.retain(|(k, _)| k != var.name);
        set.push((var.name.to_string(), leak.to_string()));
        let shown = match Config::from_vars(set) {
            Ok(c) => format!("{c:?}"),
            Err(e) => format!("{e} {e:?}"),
        };
        assert!(!shown.contains("s3cr3t"), "{}: {shown}", var.name);
    }
}
