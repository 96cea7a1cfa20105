//! The workspace's crates and their source files, test code left out: files named `tests.rs` or
//! `*_tests.rs`, folders named `tests` or `*_tests`, and a file's trailing `#[cfg(test)] mod tests { .. }`.

use std::fs;
use std::path::{Path, PathBuf};

/// One non-test source file.
#[derive(Debug, Clone)]
pub struct Source {
    /// The crate's folder name under `crates/`.
    pub krate: String,
    /// The path under the crate's `src/`, with `/`.
    pub rel: String,
    /// Its module path from the crate root (`platforms/x/rules.rs` -> `["platforms", "x", "rules"]`).
    pub module: Vec<String>,
    /// The text, without its trailing test module.
    pub text: String,
}

impl Source {
    /// Whether the file is the face of its folder (`mod.rs`, `lib.rs`, `main.rs`).
    pub fn is_folder_face(&self) -> bool {
        ["mod.rs", "lib.rs", "main.rs"]
            .iter()
            .any(|f| self.rel == *f || self.rel.ends_with(&format!("/{f}")))
    }
}

/// The workspace root (two folders above this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The crates under `crates/`, by folder name, sorted.
pub fn crates(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(root.join("crates"))
        .expect("crates/ is readable")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("src").is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Every non-test `.rs` file of `krate`.
pub fn sources(root: &Path, krate: &str) -> Vec<Source> {
    let src = root.join("crates").join(krate).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    files.sort();
    files
        .into_iter()
        .filter_map(|path| {
            let rel = path.strip_prefix(&src).ok()?.to_string_lossy().replace('\\', "/");
            if is_test_path(&rel) {
                return None;
            }
            let text = fs::read_to_string(&path).ok()?;
            Some(Source {
                krate: krate.to_string(),
                module: module_path(&rel),
                text: without_test_module(&text).to_string(),
                rel,
            })
        })
        .collect()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn is_test_path(rel: &str) -> bool {
    rel.split('/')
        .any(|part| part == "tests" || part.ends_with("_tests") || part == "tests.rs" || part.ends_with("_tests.rs"))
}

fn module_path(rel: &str) -> Vec<String> {
    let mut parts: Vec<String> = rel.trim_end_matches(".rs").split('/').map(str::to_string).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib" | "main")) {
        parts.pop();
    }
    parts
}

/// The text before a trailing `#[cfg(test)]` + `mod tests {`.
fn without_test_module(text: &str) -> &str {
    let mut from = 0;
    while let Some(at) = text[from..].find("#[cfg(test)]") {
        let at = from + at;
        let rest = text[at + "#[cfg(test)]".len()..].trim_start();
        if rest.starts_with("mod tests {") {
            return &text[..at];
        }
        from = at + 1;
    }
    text
}
