//! Lines per file and per function. A function runs from its `fn` line to the first line after
//! it that closes a brace at the `fn` line's indentation (rustfmt's layout).

/// (name, first line, lines) of each function in `text` longer than `limit` lines.
pub fn long_functions(text: &str, limit: usize) -> Vec<(String, usize, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some((indent, name)) = fn_start(lines[i]) else {
            i += 1;
            continue;
        };
        let mut j = i;
        while j < lines.len() && !lines[j].contains('{') && !lines[j].trim_end().ends_with(';') {
            j += 1;
        }
        if j >= lines.len() || lines[j].trim_end().ends_with(';') || lines[j].trim_end().ends_with('}') {
            i = j + 1;
            continue;
        }
        let close = format!("{indent}}}");
        let mut k = j + 1;
        while k < lines.len() && !lines[k].starts_with(&close) {
            k += 1;
        }
        let len = k.min(lines.len() - 1) - i + 1;
        if len > limit {
            out.push((name, i + 1, len));
        }
        i = k + 1;
    }
    out
}

/// The indentation and name of a line that starts a function.
fn fn_start(line: &str) -> Option<(String, String)> {
    let indent: String = line.chars().take_while(|c| *c == ' ').collect();
    let mut rest = line[indent.len()..].trim_start();
    for word in ["pub(crate) ", "pub(super) ", "pub ", "async ", "const ", "unsafe "] {
        rest = rest.strip_prefix(word).unwrap_or(rest);
        rest = rest.strip_prefix("async ").unwrap_or(rest);
    }
    let name = rest.strip_prefix("fn ")?;
    let len = name
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
        .count();
    (len > 0).then(|| (indent, name[..len].to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_function_is_measured_to_its_closing_brace() {
        let body = (0..5).map(|_| "    x();\n").collect::<String>();
        let text = format!("pub async fn long() {{\n{body}}}\n\nfn short() {{}}\n");
        assert_eq!(long_functions(&text, 3), vec![("long".to_string(), 1, 7)]);
        assert!(long_functions(&text, 7).is_empty());
    }
}
