//! The web layer and the command line go through `bastion-app` only. Their manifests do not
//! depend on `bastion-store` (so they cannot name its types), and their code does not reach the
//! store behind `App` (public to the tests alone, through the `testing` feature that a workspace
//! build switches on for every crate).

use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The `[dependencies]` table of a crate's manifest, as text.
fn normal_dependencies(krate: &str) -> String {
    let manifest = std::fs::read_to_string(workspace().join("crates").join(krate).join("Cargo.toml")).unwrap();
    let start = manifest.find("[dependencies]").unwrap();
    let rest = &manifest[start + "[dependencies]".len()..];
    rest[..rest.find("\n[").unwrap_or(rest.len())].to_string()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn web_and_cli_do_not_depend_on_the_store() {
    for krate in ["bastion-web", "bastion"] {
        let deps = normal_dependencies(krate);
        assert!(deps.contains("bastion-app"), "{krate} depends on bastion-app: {deps}");
        assert!(!deps.contains("bastion-store"), "{krate} must not depend on bastion-store:\n{deps}");
    }
}

#[test]
fn web_and_cli_code_does_not_reach_behind_the_app() {
    let mut files = Vec::new();
    rust_files(&workspace().join("crates/bastion-web/src"), &mut files);
    rust_files(&workspace().join("crates/bastion/src"), &mut files);
    assert!(files.len() > 20, "the sources were found: {files:?}");
    let mut offences = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if code.contains("bastion_store") || code.contains("app.store") {
                offences.push(format!("{}:{}: {}", f.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(offences.is_empty(), "use an app use case instead:\n{}", offences.join("\n"));
}
