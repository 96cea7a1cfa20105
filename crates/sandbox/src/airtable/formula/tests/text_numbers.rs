//! Text, regular-expression and numeric functions.

use super::super::Value;
use super::{eval, matches, num, txt};

#[test]
fn find_is_one_based_and_zero_when_absent() {
    assert_eq!(eval("FIND('fox', 'quick fox')"), num(7.0));
    assert_eq!(eval("FIND('cat', 'quick fox')"), num(0.0));
    assert_eq!(eval("FIND('Fox', 'quick fox')"), num(0.0));
    // The start is JavaScript indexOf's: a 0-based character index.
    assert_eq!(eval("FIND('o', 'foo boo', 2)"), num(3.0));
    assert_eq!(eval("FIND('o', 'foo boo', 3)"), num(6.0));
    assert_eq!(eval("FIND('o', 'foo boo', 99)"), num(0.0));
    assert_eq!(eval("FIND('x', {Empty})"), num(0.0));
    assert!(!matches("FIND('Draft', {Status})"));
    assert!(matches("FIND('Sched', {Status}) = 1"));
}

#[test]
fn search_is_blank_when_absent() {
    assert_eq!(eval("SEARCH('fox', 'quick fox')"), num(7.0));
    assert_eq!(eval("SEARCH('cat', 'quick fox')"), Value::Blank);
    assert!(matches("SEARCH('Bob', {Authors})"));
    assert!(!matches("SEARCH('Zed', {Authors})"));
}

#[test]
fn case_length_and_trimming() {
    assert_eq!(eval("LEN('héllo')"), num(5.0));
    assert_eq!(eval("LEN({Empty})"), num(0.0));
    assert_eq!(eval("UPPER('abc')"), txt("ABC"));
    assert_eq!(eval("LOWER({Title})"), txt("quick brown fox"));
    assert_eq!(eval("TRIM('  a b  ')"), txt("a b"));
    assert_eq!(eval("CONCATENATE('a', 1, {Empty}, TRUE())"), txt("a11"));
}

#[test]
fn substrings() {
    assert_eq!(eval("LEFT({Title}, 5)"), txt("Quick"));
    assert_eq!(eval("RIGHT({Title}, 3)"), txt("Fox"));
    assert_eq!(eval("RIGHT('ab', 5)"), txt("ab"));
    assert_eq!(eval("MID({Title}, 7, 5)"), txt("Brown"));
    assert_eq!(eval("MID('abc', 3, 10)"), txt("c"));
    assert_eq!(eval("MID('abc', 9, 1)"), txt(""));
    assert_eq!(eval("REPLACE('abcdef', 2, 3, 'X')"), txt("aXef"));
    assert_eq!(eval("SUBSTITUTE('a-b-c', '-', '+')"), txt("a+b+c"));
    assert_eq!(eval("SUBSTITUTE('a-b-c', '-', '+', 2)"), txt("a-b+c"));
    assert_eq!(eval("SUBSTITUTE('a-b-c', '-', '+', 5)"), txt("a-b-c"));
    assert_eq!(eval("REPT('ab', 3)"), txt("ababab"));
    assert!(eval("REPT('ab', 1e9)").is_error());
}

#[test]
fn value_and_t() {
    assert_eq!(eval("VALUE('42')"), num(42.0));
    assert_eq!(eval("VALUE(' -3.5 ')"), num(-3.5));
    assert_eq!(eval("VALUE('$1,000.50')"), num(1000.5));
    assert_eq!(eval("VALUE('abc')"), Value::Blank);
    assert_eq!(eval("T('x')"), txt("x"));
    assert_eq!(eval("T(1)"), Value::Blank);
}

#[test]
fn regular_expressions() {
    assert!(matches("REGEX_MATCH({Status}, '^Sched')"));
    assert!(matches("REGEX_MATCH('abc123', '[a-z]+[0-9]{3}$')"));
    assert!(!matches("REGEX_MATCH('abc', '^b')"));
    assert!(matches(r"REGEX_MATCH('a.b', 'a\.b')"));
    assert!(!matches(r"REGEX_MATCH('axb', 'a\.b')"));
    assert!(!matches(r"REGEX_MATCH('axb', 'a\\.b')"));
    assert_eq!(eval(r"REGEX_EXTRACT('id: 42', '\d+')"), txt("42"));
    assert_eq!(eval(r"REGEX_EXTRACT('id: 42', '\\d+')"), txt("42"));
    assert_eq!(eval(r"REGEX_EXTRACT('order #1234 ok', '#\d+')"), txt("#1234"));
    assert_eq!(eval(r"REGEX_REPLACE('+1 (555) 010', '\D', '')"), txt("1555010"));
    assert_eq!(eval("REGEX_EXTRACT('héllo wörld', 'w.r')"), txt("wör"));
    assert!(eval(r"REGEX_EXTRACT('abc', '\d')").is_error());
    assert_eq!(eval("REGEX_REPLACE('a1b22c', '[0-9]+', '#')"), txt("a#b#c"));
    assert_eq!(eval("REGEX_REPLACE('ab', 'x*', '-')"), txt("-a-b-"));
    assert_eq!(eval("REGEX_REPLACE('colour color', 'colou?r', 'hue')"), txt("hue hue"));
    assert!(eval("REGEX_MATCH('x', '(x)')").to_text().contains("#ERROR!"));
    let slow = "REGEX_MATCH(REPT('a', 60), 'a*a*a*a*a*a*a*a*b')";
    assert!(eval(slow).is_error());
}

#[test]
fn rounding() {
    assert_eq!(eval("ROUND(2.5)"), num(3.0));
    assert_eq!(eval("ROUND(-2.5)"), num(-2.0));
    assert_eq!(eval("ROUND(2.71828, 2)"), num(2.72));
    assert_eq!(eval("ROUND(1234, -2)"), num(1200.0));
    assert_eq!(eval("ROUNDUP(1.1, 0)"), num(2.0));
    assert_eq!(eval("ROUNDUP(-1.1, 0)"), num(-2.0));
    assert_eq!(eval("ROUNDUP(1.1, 1)"), num(1.1));
    assert_eq!(eval("ROUNDDOWN(1.99, 1)"), num(1.9));
    assert_eq!(eval("ROUNDDOWN(-1.99, 0)"), num(-1.0));
    assert_eq!(eval("INT(-1.5)"), num(-2.0));
    assert_eq!(eval("CEILING(7, 5)"), num(10.0));
    assert_eq!(eval("FLOOR(7, 5)"), num(5.0));
}

#[test]
fn arithmetic_functions() {
    assert_eq!(eval("ABS(-3)"), num(3.0));
    assert_eq!(eval("MOD(7, 3)"), num(1.0));
    assert_eq!(eval("MOD(-7, 3)"), num(-1.0));
    assert!(eval("MOD(1, 0)").is_error());
    assert_eq!(eval("POWER(2, 10)"), num(1024.0));
    assert_eq!(eval("SQRT(16)"), num(4.0));
    assert!(eval("SQRT(-1)").is_error());
    assert!(eval("ABS('x')").is_error());
}

#[test]
fn aggregates() {
    assert_eq!(eval("SUM(1, 2, {Count}, {Empty}, '4')"), num(10.0));
    assert_eq!(eval("MIN(5, {Count}, 9)"), num(3.0));
    assert_eq!(eval("MAX(5, {Count}, 9)"), num(9.0));
    assert_eq!(eval("MAX({Empty})"), num(0.0));
    assert_eq!(eval("AVERAGE(1, 2, 6)"), num(3.0));
    assert!(eval("AVERAGE({Empty})").is_error());
    assert_eq!(eval("COUNT(1, 'a', {Empty}, 2)"), num(2.0));
    assert_eq!(eval("COUNTA(1, 'a', {Empty}, '', {Authors})"), num(4.0));
    assert_eq!(eval("COUNTALL(1, 'a', {Empty}, {Authors})"), num(5.0));
}
