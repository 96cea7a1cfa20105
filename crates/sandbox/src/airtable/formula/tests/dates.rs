//! Date and time functions and date comparisons.

use super::super::Value;
use super::{eval, matches, num, txt, utc};

#[test]
fn is_before_a_parsed_date() {
    assert!(matches(
        "IS_BEFORE({ScheduledTime}, DATETIME_PARSE('2026-01-01T00:00:00.000Z'))"
    ));
    assert!(!matches(
        "IS_AFTER({ScheduledTime}, DATETIME_PARSE('2026-01-01T00:00:00.000Z'))"
    ));
    assert!(matches("IS_BEFORE({ScheduledTime}, NOW())"));
    assert!(matches("IS_AFTER({PublishDate}, TODAY())"));
    assert!(matches("IS_BEFORE({ScheduledTime}, '2026-01-01')"));
    assert!(!matches("IS_BEFORE({Empty}, NOW())"));
    assert!(eval("IS_BEFORE('nonsense', NOW())").is_error());
}

#[test]
fn dates_compare_with_dates_and_iso_text() {
    assert!(matches("{ScheduledTime} = '2025-12-31T10:00:00.000Z'"));
    assert!(matches("{ScheduledTime} = '2025-12-31T11:00:00+01:00'"));
    assert!(matches("{ScheduledTime} < '2026-01-01'"));
    assert!(matches("{ScheduledTime} <= NOW()"));
    assert!(matches("{PublishDate} = '2026-01-15'"));
    assert!(matches("{PublishDate} > {ScheduledTime}"));
    assert!(matches("{ScheduledTime} != ''"));
}

#[test]
fn dateadd() {
    let add = |formula: &str| eval(formula);
    assert_eq!(
        add("DATEADD({ScheduledTime}, 1, 'days')"),
        Value::DateTime(utc(2026, 1, 1, 10, 0, 0))
    );
    assert_eq!(
        add("DATEADD({ScheduledTime}, -90, 'minutes')"),
        Value::DateTime(utc(2025, 12, 31, 8, 30, 0))
    );
    assert_eq!(
        add("DATEADD({ScheduledTime}, 2, 'h')"),
        Value::DateTime(utc(2025, 12, 31, 12, 0, 0))
    );
    assert_eq!(
        add("DATEADD('2026-01-31', 1, 'M')"),
        Value::DateTime(utc(2026, 2, 28, 0, 0, 0))
    );
    assert_eq!(
        add("DATEADD('2026-01-31', 1, 'quarter')"),
        Value::DateTime(utc(2026, 4, 30, 0, 0, 0))
    );
    assert_eq!(
        add("DATEADD({PublishDate}, 1, 'Week')"),
        Value::DateTime(utc(2026, 1, 22, 0, 0, 0))
    );
    assert_eq!(
        add("DATEADD({PublishDate}, -1, 'years')"),
        Value::DateTime(utc(2025, 1, 15, 0, 0, 0))
    );
    assert_eq!(
        add("DATEADD({ScheduledTime}, 1500, 'ms')"),
        Value::DateTime(utc(2025, 12, 31, 10, 0, 1) + chrono::TimeDelta::milliseconds(500))
    );
    assert!(matches("IS_AFTER(DATEADD({ScheduledTime}, 30, 'days'), NOW())"));
    assert!(add("DATEADD(NOW(), 1, 'fortnights')").is_error());
    assert_eq!(add("DATEADD({Empty}, 1, 'days')"), Value::Blank);
}

#[test]
fn datetime_diff() {
    let now_minus = "DATETIME_DIFF(NOW(), {ScheduledTime}, ";
    assert_eq!(eval(&format!("{now_minus}'days')")), num(10.0));
    assert_eq!(eval(&format!("{now_minus}'hours')")), num(242.0));
    assert_eq!(eval(&format!("{now_minus}'weeks')")), num(1.0));
    assert_eq!(eval(&format!("{now_minus}'months')")), num(0.0));
    assert_eq!(eval("DATETIME_DIFF({ScheduledTime}, NOW(), 'd')"), num(-10.0));
    assert_eq!(eval("DATETIME_DIFF('2026-03-15', '2026-01-15', 'M')"), num(2.0));
    assert_eq!(eval("DATETIME_DIFF('2026-03-14', '2026-01-15', 'M')"), num(1.0));
    assert_eq!(eval("DATETIME_DIFF('2026-01-15', '2026-03-14', 'M')"), num(-1.0));
    assert_eq!(eval("DATETIME_DIFF('2028-01-01', '2026-06-01', 'years')"), num(1.0));
    assert_eq!(eval("DATETIME_DIFF('2026-01-01T00:01:30Z', '2026-01-01')"), num(90.0));
    assert_eq!(
        eval("DATETIME_DIFF('2026-01-01T00:00:01Z', '2026-01-01', 'bogus')"),
        num(1000.0)
    );
}

#[test]
fn is_same_with_and_without_unit() {
    assert!(matches("IS_SAME({ScheduledTime}, '2025-12-31T10:00:00.000Z')"));
    assert!(!matches("IS_SAME({ScheduledTime}, '2025-12-31T10:00:01.000Z')"));
    assert!(matches("IS_SAME({ScheduledTime}, '2025-12-31', 'day')"));
    assert!(matches("IS_SAME({ScheduledTime}, '2025-12-01', 'month')"));
    assert!(!matches("IS_SAME({ScheduledTime}, '2026-12-31', 'year')"));
    assert!(matches("IS_SAME({PublishDate}, '2026-01-11', 'week')"));
    assert!(!matches("IS_SAME({PublishDate}, '2026-01-10', 'week')"));
    assert!(matches("IS_SAME(TODAY(), NOW(), 'days')"));
    assert!(eval("IS_SAME(NOW(), NOW(), 'eons')").is_error());
}

#[test]
fn datetime_parse_iso_and_formats() {
    let at = |y, mo, d, h, mi, s| Value::DateTime(utc(y, mo, d, h, mi, s));
    assert_eq!(
        eval("DATETIME_PARSE('2026-01-01T00:00:00.000Z')"),
        at(2026, 1, 1, 0, 0, 0)
    );
    assert_eq!(eval("DATETIME_PARSE('2026-01-01T09:30')"), at(2026, 1, 1, 9, 30, 0));
    assert_eq!(
        eval("DATETIME_PARSE('2026-01-01 09:30:15-02:00')"),
        at(2026, 1, 1, 11, 30, 15)
    );
    assert_eq!(eval("DATETIME_PARSE('2026-01-05')"), at(2026, 1, 5, 0, 0, 0));
    assert_eq!(eval("DATETIME_PARSE('1/5/2026')"), at(2026, 1, 5, 0, 0, 0));
    assert_eq!(
        eval("DATETIME_PARSE('05.01.2026', 'DD.MM.YYYY')"),
        at(2026, 1, 5, 0, 0, 0)
    );
    assert_eq!(
        eval("DATETIME_PARSE('2026/01/05 14:07:09', 'YYYY/MM/DD HH:mm:ss')"),
        at(2026, 1, 5, 14, 7, 9)
    );
    assert_eq!(
        eval("DATETIME_PARSE('Jan 5 2026 2:07 pm', 'MMM D YYYY h:mm a')"),
        at(2026, 1, 5, 14, 7, 0)
    );
    assert_eq!(eval("DATETIME_PARSE('1767225600', 'X')"), at(2026, 1, 1, 0, 0, 0));
    assert_eq!(eval("DATETIME_PARSE('')"), Value::Blank);
    assert!(eval("DATETIME_PARSE('not a date')").is_error());
    assert!(eval("DATETIME_PARSE('2026-02-30')").is_error());
    assert!(eval("DATETIME_PARSE('xx', 'YYYY')").is_error());
}

#[test]
fn datetime_format_and_parts() {
    assert_eq!(
        eval("DATETIME_FORMAT({ScheduledTime})"),
        txt("2025-12-31T10:00:00.000Z")
    );
    assert_eq!(
        eval("DATETIME_FORMAT({ScheduledTime}, 'YYYY-MM-DD HH:mm:ss')"),
        txt("2025-12-31 10:00:00")
    );
    assert_eq!(
        eval("DATETIME_FORMAT({ScheduledTime}, 'dddd, MMMM Do YYYY h:mm A [UTC]')"),
        txt("Wednesday, December 31st 2025 10:00 AM UTC")
    );
    assert_eq!(eval("DATETIME_FORMAT({PublishDate}, 'M/D/YY')"), txt("1/15/26"));
    assert_eq!(eval("DATETIME_FORMAT({ScheduledTime}, 'LL')"), txt("December 31, 2025"));
    assert_eq!(
        eval("DATETIME_FORMAT({ScheduledTime}, 'L LT')"),
        txt("12/31/2025 10:00 AM")
    );
    assert_eq!(
        eval("DATETIME_PARSE('12/31/2025 10:00 PM', 'L LT')"),
        Value::DateTime(utc(2025, 12, 31, 22, 0, 0))
    );
    assert_eq!(eval("DATESTR({ScheduledTime})"), txt("2025-12-31"));
    assert_eq!(eval("DATETIME_FORMAT({Empty}, 'YYYY')"), Value::Blank);
    assert_eq!(eval("YEAR({ScheduledTime})"), num(2025.0));
    assert_eq!(eval("MONTH({PublishDate})"), num(1.0));
    assert_eq!(eval("DAY('2026-02-03')"), num(3.0));
    assert_eq!(eval("HOUR({ScheduledTime})"), num(10.0));
    assert_eq!(eval("MINUTE(NOW())"), num(0.0));
    assert_eq!(eval("WEEKDAY({PublishDate})"), num(4.0));
    assert_eq!(eval("WEEKDAY({PublishDate}, 'Monday')"), num(3.0));
}

#[test]
fn now_and_today() {
    assert_eq!(eval("NOW()"), Value::DateTime(utc(2026, 1, 10, 12, 0, 0)));
    assert_eq!(eval("TODAY() & ''"), txt("2026-01-10"));
    assert!(matches("TODAY() < NOW()"));
}
