//! The test suite's own shape: with `autotests = false` cargo builds only the `[[test]]`
//! binaries `Cargo.toml` names, so a file under `tests/` that is neither one of them nor a
//! module one of them declares would never be compiled, and its tests never run, silently.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The `mod NAME;` declarations of `file` (a binary's root when `root`), as the paths rustc
/// reads them from.
fn modules(file: &Path, root: bool) -> Vec<PathBuf> {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let name = file.file_stem().unwrap().to_str().unwrap();
    let dir = file.parent().unwrap();
    // A binary's root and a `mod.rs` hold their modules beside them; `foo.rs` in `foo/`.
    let own = if root || name == "mod" {
        dir.to_path_buf()
    } else {
        dir.join(name)
    };
    let mut path_attr = None;
    let mut out = Vec::new();
    for line in text.lines().map(str::trim) {
        if let Some(p) = line
            .strip_prefix("#[path = \"")
            .and_then(|r| r.strip_suffix("\"]"))
        {
            path_attr = Some(dir.join(p));
            continue;
        }
        let decl = line.strip_prefix("pub ").unwrap_or(line);
        if let Some(m) = decl.strip_prefix("mod ").and_then(|r| r.strip_suffix(';')) {
            out.push(path_attr.take().unwrap_or_else(|| {
                let flat = own.join(format!("{m}.rs"));
                if flat.is_file() {
                    flat
                } else {
                    own.join(m).join("mod.rs")
                }
            }));
        } else if !line.starts_with("#[") {
            path_attr = None;
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut BTreeSet<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.insert(path);
        }
    }
}

fn normal(p: &Path) -> PathBuf {
    p.canonicalize()
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn every_file_under_tests_is_a_tier_or_a_module_of_one() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest: toml::Table =
        toml::from_str(&std::fs::read_to_string(root.join("Cargo.toml")).unwrap()).unwrap();
    let tiers: Vec<PathBuf> = manifest["test"]
        .as_array()
        .expect("[[test]] targets in Cargo.toml")
        .iter()
        .map(|t| root.join(t["path"].as_str().expect("a [[test]] path")))
        .collect();
    assert_eq!(
        manifest["package"].get("autotests"),
        Some(&toml::Value::Boolean(false)),
        "the tiers are the only test binaries"
    );

    let mut compiled = BTreeSet::new();
    let mut todo: Vec<(PathBuf, bool)> = tiers.iter().map(|t| (t.clone(), true)).collect();
    while let Some((file, is_root)) = todo.pop() {
        if compiled.insert(normal(&file)) {
            todo.extend(modules(&file, is_root).into_iter().map(|m| (m, false)));
        }
    }
    let mut present = BTreeSet::new();
    rust_files(&root.join("tests"), &mut present);
    let orphans: Vec<_> = present
        .iter()
        .filter(|p| !compiled.contains(&normal(p)))
        .collect();
    assert!(
        orphans.is_empty(),
        "never compiled (declare each as `mod NAME;` in its tier's main.rs, or add a \
         [[test]] to Cargo.toml): {orphans:#?}"
    );
    // Each tier's own modules are there, so the walk above saw the real layout.
    assert!(compiled.len() > tiers.len() + 20, "{compiled:#?}");
}
