//! Value semantics: empty cells, comparisons, lists, truthiness, logic, unknown fields.

use super::super::Value;
use super::{eval, matches, now, num, parse, record, txt};

#[test]
fn empty_cells_equal_blank_empty_text_and_zero() {
    assert!(matches("{Empty} = ''"));
    assert!(matches("{Empty} = BLANK()"));
    assert!(matches("{Empty} = 0"));
    assert!(matches("NOT({Empty})"));
    assert!(!matches("{Empty}"));
    assert!(!matches("{Empty} != ''"));
    assert!(matches("{EmptyText} = BLANK()"));
    assert!(matches("{NoLinks} = ''"));
    assert!(matches("NOT({NoLinks})"));
    assert!(matches("BLANK() = ''"));
}

#[test]
fn non_empty_cells_are_not_blank() {
    assert!(matches("{Status} != ''"));
    assert!(!matches("{Status} = BLANK()"));
    assert!(matches("{ScheduledTime} != ''"));
    assert!(!matches("{ScheduledTime} = BLANK()"));
    assert!(!matches("{Zero} != BLANK()"));
}

#[test]
fn arithmetic_treats_empty_as_zero() {
    assert_eq!(eval("{Empty} + 1"), num(1.0));
    assert_eq!(eval("{Count} * 2 - {Empty}"), num(6.0));
    assert_eq!(eval("'4' * 2"), num(8.0));
    assert_eq!(eval("{Done} + 1"), num(2.0));
    assert!(eval("'abc' + 1").is_error());
    assert!(eval("1 / 0").is_error());
    assert!(eval("-'x'").is_error());
}

#[test]
fn text_equality_is_case_sensitive() {
    assert!(matches("{Status} = 'Scheduled'"));
    assert!(!matches("{Status} = 'scheduled'"));
    assert!(matches("LOWER({Status}) = 'scheduled'"));
    assert!(matches("{Status} != 'Draft'"));
    assert!(matches("'abc' < 'abd'"));
}

#[test]
fn numbers_compare_numerically() {
    assert!(matches("{Count} = 3"));
    assert!(matches("{Count} = '3'"));
    assert!(matches("{Count} > 2.5"));
    assert!(matches("10 > 9"));
    assert!(matches("'10' > 9"));
    assert!(!matches("{Status} = 0"));
    assert!(matches("{Done} = TRUE()"));
    assert!(matches("{Done} = 1"));
    assert!(matches("TRUE() = 1"));
}

#[test]
fn linked_records_compare_as_joined_text() {
    assert!(matches("{Link} = 'Alice'"));
    assert!(!matches("{Authors} = 'Alice'"));
    assert!(matches("{Authors} = 'Alice, Bob'"));
    assert!(matches("FIND('Bob', {Authors})"));
    assert!(matches("FIND('Alice', ARRAYJOIN({Link}))"));
    assert!(!matches("FIND('Carol', {Authors})"));
    assert_eq!(eval("ARRAYJOIN({Authors}, ';')"), txt("Alice;Bob"));
    assert_eq!(eval("{Authors} & ''"), txt("Alice, Bob"));
}

#[test]
fn truthiness() {
    for truthy in ["1", "-1", "'x'", "' '", "TRUE()", "NOW()", "{Link}", "{PublishDate}"] {
        assert!(matches(truthy), "{truthy} should be truthy");
    }
    for falsy in [
        "0",
        "''",
        "BLANK()",
        "FALSE()",
        "{Empty}",
        "{NoLinks}",
        "ERROR()",
        "{Zero}",
    ] {
        assert!(!matches(falsy), "{falsy} should be falsy");
    }
}

#[test]
fn and_or_not_xor() {
    assert!(matches("AND({Status} = 'Scheduled', {Count} = 3)"));
    assert!(!matches("AND({Status} = 'Scheduled', {Count} = 4)"));
    assert!(matches("OR({Status} = 'Draft', {Count} = 3)"));
    assert!(!matches("OR({Status} = 'Draft', {Count} = 4)"));
    assert!(matches("NOT({Status} = 'Draft')"));
    assert!(matches("XOR(1, 0, 0)"));
    assert!(!matches("XOR(1, 1)"));
    assert!(matches("AND(OR(0, 1), NOT(AND(1, 0)))"));
}

#[test]
fn if_and_switch() {
    assert_eq!(eval("IF({Count} > 2, 'big', 'small')"), txt("big"));
    assert_eq!(eval("IF({Empty}, 'yes')"), Value::Blank);
    assert_eq!(eval("IF(1, 'ok', ERROR())"), txt("ok"));
    assert_eq!(eval("SWITCH({Status}, 'Draft', 1, 'Scheduled', 2, 3)"), num(2.0));
    assert_eq!(eval("SWITCH({Status}, 'Draft', 1, 3)"), num(3.0));
    assert_eq!(eval("SWITCH({Status}, 'Draft', 1)"), Value::Blank);
    assert_eq!(eval("SWITCH({Count}, 3, 'three', 'other')"), txt("three"));
}

#[test]
fn errors_flow_and_iserror_detects_them() {
    assert!(eval("ERROR()").is_error());
    assert!(eval("1 + ERROR()").is_error());
    assert!(eval("UPPER(ERROR())").is_error());
    assert!(eval("ERROR() = 1").is_error());
    assert!(matches("ISERROR(ERROR())"));
    assert!(matches("ISERROR(1 / 0)"));
    assert!(matches("ISERROR(DATETIME_PARSE('not a date'))"));
    assert!(!matches("ISERROR({Status})"));
    assert_eq!(eval("ERROR() & 'x'").to_text(), "#ERROR!");
}

#[test]
fn record_functions() {
    assert_eq!(eval("RECORD_ID()"), txt("recTEST0000000001"));
    assert!(matches("CREATED_TIME() = '2025-12-01T08:00:00.000Z'"));
    assert!(matches("IS_SAME(LAST_MODIFIED_TIME({Status}), '2026-01-09T17:30:00Z')"));
}

#[test]
fn unknown_fields_are_errors_even_in_untaken_branches() {
    let formula = parse("IF(1, 'x', {Nope} & {Status} & {Missing} & {nope})");
    let error = formula.eval(&record(), now()).expect_err("unknown fields");
    assert_eq!(error.to_string(), "Unknown field names: Nope, Missing");
    let bare = parse("Nope = 1");
    let error = bare.matches(&record(), now()).expect_err("unknown field");
    assert_eq!(error.message, "Unknown field names: Nope");
}

#[test]
fn values_print_like_airtable() {
    assert_eq!(eval("1 & ''"), txt("1"));
    assert_eq!(eval("2.5 & ''"), txt("2.5"));
    assert_eq!(eval("0.1 + 0.2 & ''"), txt("0.30000000000000004"));
    assert_eq!(eval("-0 & ''"), txt("0"));
    assert_eq!(eval("TRUE() & ''"), txt("1"));
    assert_eq!(eval("{Empty} & 'x'"), txt("x"));
    assert_eq!(eval("{ScheduledTime} & ''"), txt("2025-12-31T10:00:00.000Z"));
    assert_eq!(eval("{PublishDate} & ''"), txt("2026-01-15"));
}
