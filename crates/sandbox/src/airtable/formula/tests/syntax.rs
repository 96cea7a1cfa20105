//! Tokens, grammar, field names, and parse errors.

use super::super::Formula;
use super::{eval, matches, num, parse, parse_error, record, txt};

#[test]
fn numbers_and_strings() {
    assert_eq!(eval("1"), num(1.0));
    assert_eq!(eval("2.5"), num(2.5));
    assert_eq!(eval(".5 + 1e2"), num(100.5));
    assert_eq!(eval("'single'"), txt("single"));
    assert_eq!(eval("\"double\""), txt("double"));
    assert_eq!(eval(r#""a\"b\'c\\d\ne\tf""#), txt("a\"b'c\\d\ne\tf"));
    assert_eq!(eval(r"'it\'s'"), txt("it's"));
    assert_eq!(eval(r"'\d\.'"), txt(r"\d\."));
    assert_eq!(eval(r#"'say "hi"'"#), txt("say \"hi\""));
}

#[test]
fn quotes_and_backslashes_compare_with_a_field() {
    assert!(matches(r#"{Caption} = "He said \"hi\" \\ bye""#));
    assert!(matches(r#"{Caption} = 'He said "hi" \\ bye'"#));
    assert!(!matches(r#"{Caption} = "He said \"hi\" \\\\ bye""#));
}

#[test]
fn field_references() {
    assert_eq!(eval("{Status}"), txt("Scheduled"));
    assert_eq!(eval("{status}"), txt("Scheduled"));
    assert_eq!(eval(r"{Odd\}Name\\}"), txt("odd"));
    assert!(matches("Status = 'Scheduled'"));
    assert!(matches("AND(Status = 'Scheduled', Count > 2)"));
}

#[test]
fn bare_true_and_false_are_booleans() {
    assert!(matches("TRUE"));
    assert!(!matches("false"));
    assert!(matches("IF(TRUE, 1, 0)"));
}

#[test]
fn precedence_and_parentheses() {
    assert_eq!(eval("1 + 2 * 3"), num(7.0));
    assert_eq!(eval("(1 + 2) * 3"), num(9.0));
    assert_eq!(eval("10 - 4 - 3"), num(3.0));
    assert_eq!(eval("12 / 2 / 3"), num(2.0));
    assert_eq!(eval("-2 * -3"), num(6.0));
    assert_eq!(eval("--2"), num(2.0));
    assert_eq!(eval("1 + 2 & 3 * 4"), txt("312"));
    assert!(matches("1 + 1 = 2"));
    assert!(matches("'a' & 'b' = 'ab'"));
}

#[test]
fn whitespace_and_newlines_anywhere() {
    assert!(matches("\n AND(\n\t{Status}\n=\n'Scheduled' ,\r\n Count>=3 )\n"));
}

#[test]
fn function_names_are_case_insensitive() {
    assert!(matches("and(not(blank()), true())"));
    assert_eq!(eval("Len('abc')"), num(3.0));
}

#[test]
fn empty_formula_matches_everything() {
    assert!(matches(""));
    assert!(matches("  \n "));
    assert!(parse("").field_names().is_empty());
}

#[test]
fn field_names_once_in_order_of_first_appearance() {
    let formula = parse("AND({B} = 1, A, {b} = 2, {C}, IF(A, {D}, {c}))");
    assert_eq!(formula.field_names(), ["B", "A", "C", "D"]);
    assert_eq!(parse(r"{Odd\}Name\\}").field_names(), ["Odd}Name\\"]);
    assert_eq!(parse("1 + 2").field_names(), Vec::<String>::new());
}

#[test]
fn parse_errors_say_what_and_where() {
    assert_eq!(
        parse_error("AND({a} = 1, {b}"),
        "expected ',' or ')' at character 17 (end of formula)"
    );
    assert_eq!(parse_error("(1 + 2"), "expected ')' at character 7 (end of formula)");
    assert_eq!(
        parse_error("1 + * 2"),
        "unexpected '*', expected a value at character 5 near \"* 2\""
    );
    assert_eq!(
        parse_error("{a} {b}"),
        "unexpected field reference {b} at character 5 near \"{b}\""
    );
    assert_eq!(parse_error("'abc"), "unterminated string at character 1 near \"'abc\"");
    assert_eq!(
        parse_error("{abc"),
        "unterminated field reference at character 1 near \"{abc\""
    );
    assert_eq!(parse_error("{}"), "empty field name at character 1 near \"{}\"");
    assert_eq!(
        parse_error("1 # 2"),
        "unexpected character '#' at character 3 near \"# 2\""
    );
    assert_eq!(
        parse_error("1 +"),
        "unexpected end of formula, expected a value at character 4 (end of formula)"
    );
    assert_eq!(
        parse_error("AND(1,)"),
        "unexpected ')', expected a value at character 7 near \")\""
    );
}

#[test]
fn positions_count_characters_not_bytes() {
    assert_eq!(
        parse_error("'é' = )"),
        "unexpected ')', expected a value at character 7 near \")\""
    );
}

#[test]
fn smart_quotes_get_a_hint() {
    assert!(parse_error("{a} = “x”").contains("use straight quotes"));
}

#[test]
fn unknown_and_unsupported_functions() {
    assert_eq!(
        parse_error("FOO(1)"),
        "unknown function FOO at character 1 near \"FOO(1)\""
    );
    assert_eq!(
        parse_error("AND(1, frobnicate({a}))"),
        "unknown function frobnicate at character 8 near \"frobnicate({a}))\""
    );
    assert!(parse_error("WORKDAY({a}, 1)").starts_with("function not supported by the sandbox: WORKDAY at character 1"));
}

#[test]
fn wrong_argument_counts_name_the_function() {
    assert_eq!(
        parse_error("FIND('x')"),
        "FIND takes 2 or 3 arguments, not 1 at character 1 near \"FIND('x')\""
    );
    assert!(parse_error("NOT()").starts_with("NOT takes 1 argument, not 0"));
    assert!(parse_error("TODAY(1)").starts_with("TODAY takes 0 arguments, not 1"));
    assert!(parse_error("AND()").starts_with("AND takes at least 1 argument, not 0"));
    assert!(parse_error("MID('a', 1)").starts_with("MID takes 3 arguments, not 2"));
    assert!(parse_error("DATETIME_PARSE()").starts_with("DATETIME_PARSE takes 1 to 3 arguments"));
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = format!("{}1{}", "(".repeat(5000), ")".repeat(5000));
    assert!(parse_error(&deep).contains("nested more than 100 levels"));
    let minus = format!("{}1", "-".repeat(5000));
    assert!(parse_error(&minus).contains("nested more than 100 levels"));
    let calls = format!("{}1{}", "NOT(".repeat(500), ")".repeat(500));
    assert!(parse_error(&calls).contains("nested more than 100 levels"));
}

#[test]
fn nesting_up_to_the_limit_works() {
    let limit = format!("{}1{}", "NOT(-(".repeat(34), "))".repeat(34));
    assert!(parse_error(&limit).contains("nested more than 100 levels"));
    let parens = format!("{}1{}", "(".repeat(99), ")".repeat(99));
    assert_eq!(eval(&parens), num(1.0));
    let nots = format!("{}1{}", "NOT(".repeat(98), ")".repeat(98));
    assert!(matches(&nots));
}

#[test]
fn formulas_can_be_shared_between_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Formula>();
    shareable::<super::super::Value>();
}

#[test]
fn long_flat_chains_evaluate() {
    let sum = vec!["1"; 10_000].join(" + ");
    assert_eq!(eval(&sum), num(10_000.0));
    let ors = format!("OR({})", vec!["{Status} = 'x'"; 2000].join(", "));
    assert!(!matches(&ors));
}

#[test]
fn garbage_gives_errors_not_panics() {
    let garbage = [
        "(",
        ")",
        ",",
        "{",
        "}",
        "'",
        "\"",
        "\\",
        "AND(",
        "AND(,",
        "IF(1,2,3,4)",
        "1 2",
        "= =",
        "!",
        "!1",
        "<>",
        "{a}}",
        "((((",
        "'\\",
        "{\\",
        "1..2",
        "1e",
        "€",
        "\u{0}",
        "🙂(1)",
        "SWITCH(",
        "DATEADD(,,)",
        "NOT(1) NOT(2)",
        "a(b(c(d(",
    ];
    for source in garbage {
        let result = Formula::parse(source);
        if let Ok(formula) = result {
            // A few of these are valid formulas over unknown fields: evaluating must not panic.
            let _ = formula.eval(&record(), super::now());
        }
    }
    assert!(Formula::parse("AND(").is_err());
    assert!(Formula::parse("1 2").is_err());
}

#[test]
fn odd_but_valid_inputs_do_not_panic() {
    let inputs = [
        "REPT('x', 1e300)",
        "LEFT('abc', -5)",
        "MID('abc', -5, 1e300)",
        "RIGHT('abc', 1e300)",
        "REPLACE('abc', 1e300, 1e300, 'x')",
        "SUBSTITUTE('aaa', 'a', 'b', -1)",
        "FIND('', '', 1e300)",
        "DATEADD(NOW(), 1e300, 'days')",
        "DATEADD(NOW(), -1e300, 'months')",
        "DATEADD(NOW(), 0/0, 'ms')",
        "DATETIME_DIFF('0001-01-01', '9999-12-31', 'ms')",
        "DATETIME_PARSE('99999999999999999999', 'x')",
        "DATETIME_PARSE('2026-13-45')",
        "DATETIME_PARSE('12', 'SSS')",
        "DATETIME_PARSE('+99:99', 'Z')",
        "ROUND(1e308, 300)",
        "ROUND(1, -1e300)",
        "MOD(1, 0)",
        "1 / 0",
        "POWER(10, 1000)",
        "SQRT(-1)",
        "REGEX_MATCH('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!', 'a*a*a*a*a*a*a*a*a*b')",
        "REGEX_MATCH('x', '[')",
        "REGEX_MATCH('x', 'a{3,1}')",
        "REGEX_MATCH('x', '(a|b)')",
        "REGEX_REPLACE('abc', '', '-')",
        "WEEKDAY('garbage')",
        "DATETIME_FORMAT(NOW(), '[unterminated')",
    ];
    for source in inputs {
        let _ = eval(source);
    }
}

/// The deepest formula the parser accepts fits, parsed and evaluated, in a quarter of the
/// 2 MiB a tokio worker or test thread has (debug builds need about 400 KiB).
#[test]
fn deepest_formula_fits_in_a_small_stack() {
    let worker = std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(|| {
            // Each NOT(-( is three levels: the argument, the minus, the parentheses.
            let nots = format!("{}1{}", "NOT(-(".repeat(33), "))".repeat(33));
            let formula = Formula::parse(&nots).expect("parses");
            formula.eval(&record(), super::now()).expect("evaluates")
        })
        .expect("thread starts");
    let value = worker.join().expect("no stack overflow");
    assert_eq!(value, super::super::Value::Bool(false));
}
