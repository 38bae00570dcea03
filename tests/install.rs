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
