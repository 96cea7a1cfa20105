//! The workspace's shape, as ARCHITECTURE.md states it, checked on every `cargo test --workspace`.

use schedulo_layout::loops::{cycles, edges};
use schedulo_layout::sizes::long_functions;
use schedulo_layout::sources::{crates, sources, workspace_root};

/// A non-test file longer than this does not read in one sitting.
const FILE_LINES: usize = 600;
/// Nor does a function longer than this.
const FN_LINES: usize = 100;
/// Functions still longer than [`FN_LINES`], as `crate/path.rs:name`: each is to be split, and
/// none may be added.
const LONG_FUNCTIONS_LEFT: &[&str] = &[];

#[test]
fn no_folder_imports_a_folder_that_imports_it_back() {
    let root = workspace_root();
    let mut found = Vec::new();
    for krate in crates(&root) {
        let edges = edges(&sources(&root, &krate));
        for group in cycles(&edges) {
            let shown: Vec<String> = edges
                .iter()
                .filter(|((a, b), _)| group.contains(a) && group.contains(b))
                .map(|((a, b), file)| format!("{a} -> {b} (in {file})"))
                .collect();
            found.push(format!("crates/{krate}: {}", shown.join(", ")));
        }
    }
    assert!(found.is_empty(), "import loops between folders:\n{}", found.join("\n"));
}

/// The worker's top-level modules in layers (ARCHITECTURE.md): a module may use modules of its own
/// layer or below, never above. A new module gets its place here.
const WORKER_LAYERS: &[(&str, &[&str])] = &[
    (
        "foundations",
        &["error_class", "clock", "fetch", "media", "telemetry", "vault"],
    ),
    ("vendor clients", &["airtable", "platforms"]),
    ("the base and the store", &["base", "schema", "journal"]),
    ("media service", &["cloudinary"]),
    ("configuration", &["config"]),
    ("scenarios and reports", &["scenarios", "status"]),
    ("HTTP surface", &["server"]),
    ("composition", &["app", "demo"]),
    ("figures and the command line", &["bench", "cli"]),
    ("commands", &["commands"]),
];

#[test]
fn the_worker_s_modules_use_only_their_layer_and_below() {
    let root = workspace_root();
    let layer = |m: &str| WORKER_LAYERS.iter().position(|(_, ms)| ms.contains(&m));
    let mut found = Vec::new();
    for ((a, b), file) in edges(&sources(&root, "schedulo")) {
        if a.contains('/') {
            continue;
        }
        match (layer(&a), layer(&b)) {
            (Some(la), Some(lb)) if lb > la => found.push(format!(
                "{a} ({}) uses {b} ({}), a layer above it (in {file})",
                WORKER_LAYERS[la].0, WORKER_LAYERS[lb].0
            )),
            (None, _) => found.push(format!("{a} is in no layer: give it its place in WORKER_LAYERS")),
            (_, None) => found.push(format!("{b} is in no layer: give it its place in WORKER_LAYERS")),
            _ => {}
        }
    }
    found.sort();
    found.dedup();
    assert!(found.is_empty(), "imports against the layers:\n{}", found.join("\n"));
}

#[test]
fn every_file_and_function_reads_in_one_sitting() {
    let root = workspace_root();
    let mut found = Vec::new();
    for krate in crates(&root) {
        for s in sources(&root, &krate) {
            let lines = s.text.lines().count();
            if lines > FILE_LINES {
                found.push(format!(
                    "crates/{krate}/src/{}: {lines} lines (at most {FILE_LINES})",
                    s.rel
                ));
            }
            for (name, at, len) in long_functions(&s.text, FN_LINES) {
                let key = format!("{krate}/{}:{name}", s.rel);
                if !LONG_FUNCTIONS_LEFT.contains(&key.as_str()) {
                    found.push(format!(
                        "crates/{krate}/src/{}:{at}: fn {name} is {len} lines (at most {FN_LINES})",
                        s.rel
                    ));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "too long to read in one sitting:\n{}",
        found.join("\n")
    );
}

#[test]
fn every_crate_opens_with_its_layout() {
    let root = workspace_root();
    let missing: Vec<String> = crates(&root)
        .into_iter()
        .filter(|k| {
            let lib = std::fs::read_to_string(root.join("crates").join(k).join("src/lib.rs")).unwrap_or_default();
            let docs: String = lib
                .lines()
                .take_while(|l| l.starts_with("//!"))
                .collect::<Vec<_>>()
                .join("\n");
            !docs.contains("# Layout")
        })
        .collect();
    assert!(
        missing.is_empty(),
        "crates whose lib.rs docs lack a `# Layout` section: {missing:?}"
    );
}

#[test]
fn the_stand_ins_and_the_media_crate_name_no_worker_code() {
    let root = workspace_root();
    let mut found = Vec::new();
    for krate in ["sandbox", "media"] {
        for s in sources(&root, krate) {
            for (n, line) in s.text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                if code.contains("schedulo::") || code.contains("schedulo_sandbox::") && krate == "media" {
                    found.push(format!("crates/{krate}/src/{}:{}: {}", s.rel, n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "worker code named where it must not be:\n{}",
        found.join("\n")
    );
}
