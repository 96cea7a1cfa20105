//! The modules a file names: `crate::a::b`, `super::c` and `use crate::{d, e::f}` (one level of
//! braces), resolved to module paths from the crate root. Comments are left out; the reading is
//! textual, which is enough for the paths this workspace writes.

/// The module paths that `text`, a file of module `module`, refers to.
pub fn references(module: &[String], text: &str) -> Vec<Vec<String>> {
    let code: String = text
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = Vec::new();
    for (at, _) in code.match_indices("crate::").chain(code.match_indices("super::")) {
        if at > 0 && is_ident(code.as_bytes()[at - 1]) {
            continue;
        }
        let (base, rest) = if code[at..].starts_with("crate::") {
            (Vec::new(), &code[at + "crate::".len()..])
        } else {
            (parent(module), &code[at + "super::".len()..])
        };
        resolve(base, rest, &mut out);
    }
    out
}

fn resolve(mut base: Vec<String>, mut rest: &str, out: &mut Vec<Vec<String>>) {
    loop {
        if let Some(r) = rest.strip_prefix("super::") {
            base = parent(&base);
            rest = r;
        } else if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let first = item.trim().split("::").next().unwrap_or("").trim();
                if first == "self" {
                    out.push(base.clone());
                } else if !first.is_empty() && first.bytes().all(is_ident) {
                    let mut path = base.clone();
                    path.push(first.to_string());
                    out.push(path);
                }
            }
            return;
        } else {
            let len = rest.bytes().take_while(|b| is_ident(*b)).count();
            if len == 0 {
                return;
            }
            base.push(rest[..len].to_string());
            match rest[len..].strip_prefix("::") {
                Some(r) => rest = r,
                None => {
                    out.push(base);
                    return;
                }
            }
        }
    }
}

fn parent(module: &[String]) -> Vec<String> {
    module[..module.len().saturating_sub(1)].to_vec()
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Vec<String> {
        s.split('/').filter(|p| !p.is_empty()).map(str::to_string).collect()
    }

    #[test]
    fn paths_groups_and_supers_resolve() {
        let text =
            "use crate::a::b::C;\nuse super::{d, e::F, self};\nlet x = super::super::g::h(); // crate::not::this";
        let refs = references(&m("p/q/r"), text);
        assert!(refs.contains(&m("a/b/C")));
        assert!(refs.contains(&m("p/q/d")));
        assert!(refs.contains(&m("p/q/e")));
        assert!(refs.contains(&m("p/q")));
        assert!(refs.contains(&m("p/g/h")));
        assert!(!refs.iter().any(|r| r.first().is_some_and(|f| f == "not")));
    }
}
