//! Imports between sibling folders, and the loops among them. At a crate's top level every
//! module counts (files and folders); below it, only folders do: files of one folder may lean on
//! each other, folders may not lean both ways. A use from any file inside a folder is the folder's.

use crate::imports::references;
use crate::sources::Source;
use std::collections::{BTreeMap, BTreeSet};

/// `from` uses `to` (module paths joined with `/`), with one file that shows it.
pub type Edges = BTreeMap<(String, String), String>;

/// The edges between siblings in `sources` (one crate).
pub fn edges(sources: &[Source]) -> Edges {
    let folders: BTreeSet<Vec<String>> = sources
        .iter()
        .flat_map(|s| {
            let depth = if s.is_folder_face() {
                s.module.len()
            } else {
                s.module.len().saturating_sub(1)
            };
            (1..=depth).map(move |n| s.module[..n].to_vec())
        })
        .collect();
    let mut out = Edges::new();
    for source in sources {
        for target in references(&source.module, &source.text) {
            let me = &source.module;
            let k = me.iter().zip(&target).take_while(|(a, b)| a == b).count();
            if k >= me.len() || k >= target.len() {
                continue;
            }
            let (a, b) = (me[..=k].to_vec(), target[..=k].to_vec());
            if k == 0 || (folders.contains(&a) && folders.contains(&b)) {
                out.entry((a.join("/"), b.join("/")))
                    .or_insert_with(|| source.rel.clone());
            }
        }
    }
    out
}

/// The groups of modules that reach each other (strongly connected, more than one module).
pub fn cycles(edges: &Edges) -> Vec<Vec<String>> {
    let mut next: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (a, b) in edges.keys() {
        next.entry(a).or_default().push(b);
    }
    let reach = |from: &str| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from];
        while let Some(n) = todo.pop() {
            for m in next.get(n).into_iter().flatten() {
                if seen.insert(*m) {
                    todo.push(m);
                }
            }
        }
        seen
    };
    let nodes: BTreeSet<&str> = edges.keys().flat_map(|(a, b)| [a.as_str(), b.as_str()]).collect();
    let reaches: BTreeMap<&str, BTreeSet<&str>> = nodes.iter().map(|n| (*n, reach(n))).collect();
    let mut groups: BTreeSet<Vec<String>> = BTreeSet::new();
    for n in &nodes {
        let group: Vec<String> = nodes
            .iter()
            .filter(|m| reaches[n].contains(*m) && reaches[*m].contains(n))
            .map(|m| m.to_string())
            .collect();
        if group.len() > 1 {
            groups.insert(group);
        }
    }
    groups.into_iter().collect()
}
