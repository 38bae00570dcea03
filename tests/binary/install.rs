//! What an installed zencheck offers besides probing: shell completions and the man page,
//! generated from the one clap definition.

use assert_cmd::Command;

fn zencheck(args: &[&str]) -> String {
    let out = Command::cargo_bin("zencheck")
        .unwrap()
        .args(args)
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn completions_cover_every_shell_and_the_subcommands() {
    for (shell, marker) in [
        ("bash", "_zencheck()"),
        ("zsh", "#compdef zencheck"),
        ("fish", "complete -c zencheck"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let script = zencheck(&["completions", shell]);
        assert!(script.contains(marker), "{shell}: no {marker}");
        assert!(
            script.contains("fail-on") && script.contains("report"),
            "{shell}: flags and subcommands are completed"
        );
    }
}

#[test]
fn the_man_page_documents_every_subcommand_and_its_flags() {
    let man = zencheck(&["man"]);
    assert!(
        man.starts_with(".ie") || man.contains(".TH zencheck 1"),
        "{man}"
    );
    for section in [
        "ZENCHECK PROBE",
        "ZENCHECK REPORT",
        "ZENCHECK OPENCODE SERVE-CHECK",
    ] {
        assert!(man.contains(section), "no {section}");
    }
    assert!(man.contains("\\-\\-junit"), "probe's flags are listed");
}

fn root_file(name: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn the_crate_says_where_it_lives_and_ships_both_licences() {
    let cargo: toml::Table = toml::from_str(&root_file("Cargo.toml")).unwrap();
    let p = &cargo["package"];
    assert_eq!(p["license"].as_str(), Some("MIT OR Apache-2.0"));
    for key in ["repository", "homepage"] {
        assert!(
            p[key].as_str().is_some_and(|u| u.starts_with("https://")),
            "{key}"
        );
    }
    assert!(p["keywords"]
        .as_array()
        .is_some_and(|k| (1..=5).contains(&k.len())));
    assert!(p["categories"].as_array().is_some_and(|c| !c.is_empty()));
    assert!(root_file("LICENSE-MIT").contains("Permission is hereby granted"));
    assert!(root_file("LICENSE-APACHE").contains("Apache License"));
    // cargo-binstall finds the archives dist names `zencheck-<target>.tar.xz`.
    let binstall = &p["metadata"]["binstall"];
    let url = binstall["pkg-url"].as_str().unwrap();
    assert!(url.contains("/releases/download/v{ version }/{ name }-{ target }{ archive-suffix }"));
    assert_eq!(binstall["pkg-fmt"].as_str(), Some("txz"));
}

#[test]
fn dist_packages_every_platform_with_installers() {
    // CI also runs `dist plan` on this file (offline); this keeps the intent readable.
    let dist: toml::Table = toml::from_str(&root_file("dist-workspace.toml")).unwrap();
    let d = &dist["dist"];
    let targets: Vec<&str> = d["targets"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t.as_str())
        .collect();
    for os in ["unknown-linux-gnu", "apple-darwin", "pc-windows-msvc"] {
        for arch in ["x86_64", "aarch64"] {
            let t = format!("{arch}-{os}");
            assert!(targets.contains(&t.as_str()), "no {t}");
        }
    }
    let installers = d["installers"].as_array().unwrap();
    assert!(installers.iter().any(|i| i.as_str() == Some("shell")));
    let release = root_file(".github/workflows/release.yml");
    assert!(release.contains(&format!(
        "cargo-dist/releases/download/v{}/",
        d["cargo-dist-version"].as_str().unwrap()
    )));
}
