//! `.env.example` and the table of variables say the same: the same names, each default as its
//! value and in its comment ("Default: ..."), and "Secret" said of the secrets and only them.

use crate::config::vars::{Fallback, VARS};

const EXAMPLE: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../.env.example"));

/// One variable of `.env.example`: its line `NAME=value` (or `# NAME=value`) and the comment
/// above it, back to the previous blank line or variable.
#[derive(Debug)]
struct Documented<'a> {
    name: &'a str,
    value: &'a str,
    comment: String,
}

fn documented(example: &str) -> Vec<Documented<'_>> {
    let mut found = Vec::new();
    let mut comment = String::new();
    for line in example.lines() {
        let setting = line.trim_start_matches('#').trim_start();
        match setting.split_once('=') {
            Some((name, value)) if is_name(name) => {
                found.push(Documented {
                    name,
                    value,
                    comment: std::mem::take(&mut comment),
                });
            }
            _ if line.trim().is_empty() => comment.clear(),
            _ => {
                comment.push_str(line.trim_start_matches('#'));
                comment.push(' ');
            }
        }
    }
    found
}

/// An environment variable's name: capitals, digits and underscores, starting with a capital.
fn is_name(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_uppercase())
        && text
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

#[test]
fn every_variable_of_the_table_is_in_env_example_and_nothing_else_is() {
    let documented = documented(EXAMPLE);
    for d in &documented {
        assert!(
            VARS.iter().any(|v| v.name == d.name),
            "{} is in .env.example but not in the table",
            d.name
        );
        assert_eq!(
            documented.iter().filter(|o| o.name == d.name).count(),
            1,
            "{} twice",
            d.name
        );
    }
    for var in VARS {
        assert!(
            documented.iter().any(|d| d.name == var.name),
            "{} is not in .env.example",
            var.name
        );
    }
}

#[test]
fn env_example_gives_each_variable_the_tables_default() {
    for d in documented(EXAMPLE) {
        let var = VARS.iter().find(|v| v.name == d.name).unwrap();
        let (value, said) = match var.default {
            Fallback::Value(v) => (v, v),
            Fallback::Unset => ("", "unset"),
            Fallback::Derived(how) => ("", how),
        };
        assert_eq!(
            d.value, value,
            "{}: .env.example sets it to {:?}, the table's default is {value:?}",
            d.name, d.value
        );
        assert!(
            says_default(&d.comment, said),
            "{}: its comment in .env.example does not say \"Default: {said}\": {}",
            d.name,
            d.comment
        );
    }
}

/// Whether `comment` says "Default: `said`" (not merely the start of a longer value: `30` is not `300`).
fn says_default(comment: &str, said: &str) -> bool {
    let wanted = format!("Default: {said}");
    comment.match_indices(&wanted).any(|(at, _)| {
        let rest = &comment[at + wanted.len()..];
        rest.is_empty() || rest.starts_with(' ') || rest.starts_with(". ") || rest == "."
    })
}

#[test]
fn env_example_calls_the_tables_secrets_secret_and_nothing_else() {
    for d in documented(EXAMPLE) {
        let var = VARS.iter().find(|v| v.name == d.name).unwrap();
        assert_eq!(
            d.comment.contains("Secret"),
            var.secret,
            "{}: the table says secret: {}; .env.example's comment: {}",
            d.name,
            var.secret,
            d.comment
        );
    }
}

#[test]
fn the_parser_of_env_example_finds_commented_settings_and_skips_prose() {
    let found = documented("# A comment with k1=<key> in it.\n# Default: 3\n# SOME_NAME=3\n\nOTHER=\n");
    let names: Vec<_> = found.iter().map(|d| (d.name, d.value)).collect();
    assert_eq!(names, [("SOME_NAME", "3"), ("OTHER", "")]);
    assert!(says_default(&found[0].comment, "3") && found[1].comment.is_empty());
    assert!(!says_default(&found[0].comment, "") && !says_default("Default: 300 ", "30"));
}
