//! The shape of the house, checked from the source: no import circle between sibling
//! modules anywhere in the workspace, no arrow from an inner layer back up to its caller,
//! and a core without I/O.
//!
//! Every `crate::`, `super::` and `self::` path in a crate's source (in `use` trees and
//! inline) is an edge from the module it is written in to the module it names. At each
//! folder the edges between its children must form no circle: two modules that need
//! each other are one module, or share a third. Test code counts like any other.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The crates of the workspace: (name, source folder).
fn crates() -> Vec<(String, PathBuf)> {
    let mut all = vec![("smartkey".to_string(), root().join("src"))];
    let mut members: Vec<_> = fs::read_dir(root().join("crates"))
        .expect("crates/")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.join("src").is_dir())
        .collect();
    members.sort();
    for m in members {
        let name = m
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        all.push((name, m.join("src")));
    }
    all
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.filter_map(|e| e.ok()) {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The module path of a file below `src` (`src/app/demo.rs` is `["app", "demo"]`); the
/// crate root and `bin/` programs are `[]`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).expect("below src");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|c| c.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.first().is_some_and(|p| p == "bin") {
        return Vec::new();
    }
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The text without comments and string literals (which may hold paths in prose).
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
            i += 2;
            while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                i += 1;
            }
            i += 2;
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if b[i] == b'\'' && b.get(i + 2) == Some(&b'\'') {
            // A char literal such as '{' or '"'.
            i += 3;
        } else {
            out.push(b[i] as char);
            i += 1;
        }
    }
    out
}

/// Every path a `use` tree or an inline path names, expanded: `use super::{a::X, b}`
/// gives `super::a::X` and `super::b`.
fn paths(code: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let chars: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let starts_word = i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
        if starts_word {
            for head in ["crate", "super", "self"] {
                let end = i + head.len();
                if chars[i..].starts_with(&head.chars().collect::<Vec<_>>())
                    && chars.get(end) == Some(&':')
                    && chars.get(end + 1) == Some(&':')
                    && (i < 2 || chars[i - 1] != ':')
                {
                    let mut j = i;
                    let tree = parse_tree(&chars, &mut j);
                    found.extend(tree);
                    i = j;
                    break;
                }
            }
        }
        i += 1;
    }
    found
}

/// Parses a path or use tree at `chars[*i..]` into the paths it names.
fn parse_tree(chars: &[char], i: &mut usize) -> Vec<Vec<String>> {
    let mut prefix = Vec::new();
    loop {
        skip_space(chars, i);
        if chars.get(*i) == Some(&'{') {
            *i += 1;
            let mut out = Vec::new();
            loop {
                skip_space(chars, i);
                match chars.get(*i) {
                    Some('}') => {
                        *i += 1;
                        break;
                    }
                    Some(',') => *i += 1,
                    None => break,
                    _ => {
                        let before = *i;
                        for tail in parse_tree(chars, i) {
                            let mut p = prefix.clone();
                            p.extend(tail);
                            out.push(p);
                        }
                        if *i == before {
                            *i += 1;
                        }
                    }
                }
            }
            return out;
        }
        let start = *i;
        while chars
            .get(*i)
            .is_some_and(|c| c.is_alphanumeric() || *c == '_' || *c == '*')
        {
            *i += 1;
        }
        if *i == start {
            return vec![prefix];
        }
        prefix.push(chars[start..*i].iter().collect());
        if chars.get(*i) == Some(&':') && chars.get(*i + 1) == Some(&':') {
            *i += 2;
        } else {
            return vec![prefix];
        }
    }
}

fn skip_space(chars: &[char], i: &mut usize) {
    while chars.get(*i).is_some_and(|c| c.is_whitespace()) {
        *i += 1;
    }
}

/// The absolute module path a path written in module `at` names, as far as it is
/// modules (the last segments may be items; the caller trims to known modules).
fn resolve(at: &[String], path: &[String]) -> Option<Vec<String>> {
    let mut base: Vec<String> = Vec::new();
    let mut rest = path;
    match rest.first().map(String::as_str) {
        Some("crate") => rest = &rest[1..],
        Some("self") => {
            base = at.to_vec();
            rest = &rest[1..];
        }
        Some("super") => {
            base = at.to_vec();
            while rest.first().map(String::as_str) == Some("super") {
                base.pop()?;
                rest = &rest[1..];
            }
        }
        _ => return None,
    }
    base.extend(rest.iter().cloned());
    Some(base)
}

/// The module a `pub use` path in module `at` points into: `crate::`, `super::` and
/// `self::` paths as written, other paths relative to `at` (`pub use inner::Item`).
fn relative(
    at: &[String],
    path: &[String],
    modules: &BTreeSet<Vec<String>>,
) -> Option<Vec<String>> {
    let mut full = match resolve(at, path) {
        Some(full) => full,
        None => {
            let mut full = at.to_vec();
            full.extend(path.iter().cloned());
            full
        }
    };
    full.pop();
    while !modules.contains(&full) {
        full.pop()?;
    }
    Some(full)
}

/// The module that holds what `full` names, following re-exports.
fn owner(
    mut full: Vec<String>,
    modules: &BTreeSet<Vec<String>>,
    reexports: &BTreeMap<(Vec<String>, String), Vec<String>>,
) -> Vec<String> {
    for _ in 0..8 {
        let mut module = full.clone();
        while !modules.contains(&module) {
            module.pop();
        }
        let Some(item) = full.get(module.len()) else {
            return module;
        };
        match reexports.get(&(module.clone(), item.clone())) {
            Some(target) if target != &module => {
                let mut next = target.clone();
                next.extend(full[module.len()..].iter().cloned());
                full = next;
            }
            _ => return module,
        }
    }
    full
}

/// One crate's module tree and the edges between modules.
struct Graph {
    modules: BTreeSet<Vec<String>>,
    edges: BTreeSet<(Vec<String>, Vec<String>)>,
}

fn graph(src: &Path) -> Graph {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut modules = BTreeSet::new();
    for f in &files {
        let m = module_of(src, f);
        for n in 0..=m.len() {
            modules.insert(m[..n].to_vec());
        }
    }
    // What each module re-exports (`pub use inner::Item;`): a path through a re-export
    // is an edge to where the item lives, not to the module that passes it on.
    let mut reexports: BTreeMap<(Vec<String>, String), Vec<String>> = BTreeMap::new();
    let mut texts = Vec::new();
    for f in &files {
        let at = module_of(src, f);
        let code = code_only(&fs::read_to_string(f).expect("source"));
        for stmt in code.split(';') {
            let stmt = stmt.trim();
            let Some(tree) = stmt
                .strip_prefix("pub use ")
                .or_else(|| stmt.strip_prefix("pub(crate) use "))
            else {
                continue;
            };
            let chars: Vec<char> = tree.chars().collect();
            for p in parse_tree(&chars, &mut 0) {
                let (Some(item), Some(target)) = (p.last(), relative(&at, &p, &modules)) else {
                    continue;
                };
                reexports.insert((at.clone(), item.clone()), target);
            }
        }
        texts.push((at, code));
    }
    let mut edges = BTreeSet::new();
    for (at, code) in &texts {
        for p in paths(code) {
            let Some(full) = resolve(at, &p) else {
                continue;
            };
            edges.insert((at.clone(), owner(full, &modules, &reexports)));
        }
    }
    Graph { modules, edges }
}

/// The edges between the children of `parent`: (child, child) for every edge from a
/// module inside one child to a module inside another.
fn sibling_edges(g: &Graph, parent: &[String]) -> BTreeMap<String, BTreeSet<String>> {
    let child = |m: &Vec<String>| -> Option<String> {
        (m.len() > parent.len() && m.starts_with(parent)).then(|| m[parent.len()].clone())
    };
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, to) in &g.edges {
        if let (Some(a), Some(b)) = (child(from), child(to))
            && a != b
        {
            out.entry(a).or_default().insert(b);
        }
    }
    out
}

/// A circle in `edges`, if there is one, as the modules around it.
fn circle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(n.to_string(), 1);
        stack.push(n.to_string());
        for m in edges.get(n).into_iter().flatten() {
            match state.get(m.as_str()) {
                Some(1) => {
                    let at = stack.iter().position(|s| s == m).unwrap_or(0);
                    let mut c = stack[at..].to_vec();
                    c.push(m.clone());
                    return Some(c);
                }
                Some(_) => {}
                None => {
                    if let Some(c) = visit(m, edges, state, stack) {
                        return Some(c);
                    }
                }
            }
        }
        stack.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in edges.keys() {
        if !state.contains_key(n)
            && let Some(c) = visit(n, edges, &mut state, &mut Vec::new())
        {
            return Some(c);
        }
    }
    None
}

fn name(m: &[String]) -> String {
    if m.is_empty() {
        "crate".into()
    } else {
        m.join("::")
    }
}

#[test]
fn no_module_and_its_sibling_import_each_other() {
    let mut circles = Vec::new();
    for (krate, src) in crates() {
        let g = graph(&src);
        for parent in &g.modules {
            // Every circle, not only the first: each found is cut at its first edge and
            // the search goes on.
            let mut edges = sibling_edges(&g, parent);
            while let Some(c) = circle(&edges) {
                circles.push(format!("{krate} {}: {}", name(parent), c.join(" → ")));
                if let Some(out) = edges.get_mut(&c[0]) {
                    out.remove(&c[1]);
                }
            }
        }
    }
    assert!(
        circles.is_empty(),
        "import circles between sibling modules:\n{}",
        circles.join("\n")
    );
}

/// The layers of the client, outermost first: a module may name modules of its own layer
/// or further in, never one further out.
const LAYERS: &[&[&str]] = &[
    &["cli", "logging"],
    &["app"],
    &["ui", "preflight", "support"],
    &["enroll", "token", "pki", "bank", "config"],
    &["protection", "heap_watch"],
];

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

#[test]
fn arrows_point_inward_only() {
    let g = graph(&root().join("src"));
    let mut back = Vec::new();
    for (from, to) in &g.edges {
        let (Some(a), Some(b)) = (from.first(), to.first()) else {
            continue;
        };
        if let (Some(la), Some(lb)) = (layer(a), layer(b))
            && lb < la
        {
            back.push(format!("{} names {}", name(from), name(to)));
        }
    }
    for top in g.modules.iter().filter(|m| m.len() == 1) {
        assert!(
            layer(&top[0]).is_some(),
            "the module {} has no layer: add it to LAYERS",
            top[0]
        );
    }
    assert!(
        back.is_empty(),
        "arrows back up to a caller:\n{}",
        back.join("\n")
    );
}

/// What the core may depend on: pure crates only.
const CORE_DEPENDENCIES: &[&str] = &["hex", "ru-ids", "secrecy", "serde", "thiserror", "zeroize"];

#[test]
fn the_core_does_no_io() {
    let manifest = fs::read_to_string(root().join("crates/wizard/Cargo.toml")).expect("manifest");
    let deps = manifest
        .split("[dependencies]")
        .nth(1)
        .and_then(|rest| rest.split("\n[").next())
        .unwrap_or_default();
    for line in deps.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let dep = line.split([' ', '=', '.']).next().unwrap_or_default();
        assert!(
            CORE_DEPENDENCIES.contains(&dep),
            "the core depends on {dep}, which is not on the list of pure crates"
        );
    }
    let mut files = Vec::new();
    rust_files(&root().join("crates/wizard/src"), &mut files);
    for f in files {
        let code = code_only(&fs::read_to_string(&f).expect("source"));
        for io in [
            "std::fs",
            "std::net",
            "std::process",
            "std::env",
            "std::time",
            "std::io",
            "std::thread",
        ] {
            assert!(
                !code.contains(io),
                "{} uses {io}: the core takes what it needs as inputs",
                f.display()
            );
        }
    }
}

#[test]
fn the_checker_sees_a_circle() {
    let found = paths("use super::{a::X, b}; crate::c::d::e()");
    assert_eq!(
        found,
        vec![
            vec!["super".to_string(), "a".into(), "X".into()],
            vec!["super".into(), "b".into()],
            vec!["crate".into(), "c".into(), "d".into(), "e".into()],
        ]
    );
    let mut edges = BTreeMap::new();
    edges.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    edges.insert("b".to_string(), BTreeSet::from(["a".to_string()]));
    assert_eq!(
        circle(&edges),
        Some(vec!["a".into(), "b".into(), "a".into()])
    );
    edges.remove("b");
    assert_eq!(circle(&edges), None);
}
