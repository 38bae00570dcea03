//! `-h`/`--help` of every subcommand, through the real binary: at 80 columns no line is
//! wider, and each ends with an Examples section whose commands parse as written.

use assert_cmd::Command;
use clap::{CommandFactory, Parser};
use zencheck::cli::Cli;

/// Every subcommand path: [], [probe], [opencode], [opencode, serve-check], …
fn subcommands(c: &clap::Command, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(prefix.clone());
    for s in c.get_subcommands().filter(|s| s.get_name() != "help") {
        let mut p = prefix.clone();
        p.push(s.get_name().to_string());
        subcommands(s, p, out);
    }
}

fn help(path: &[String], flag: &str, columns: &str) -> String {
    let out = Command::cargo_bin("zencheck")
        .unwrap()
        .args(path)
        .arg(flag)
        .env("COLUMNS", columns)
        .env_remove("NO_COLOR")
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{path:?} {flag}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn every_help_fits_80_columns_and_ends_with_examples() {
    let mut paths = Vec::new();
    subcommands(&Cli::command(), Vec::new(), &mut paths);
    assert!(paths.len() >= 13, "{paths:?}");
    for path in &paths {
        for flag in ["-h", "--help"] {
            let text = help(path, flag, "80");
            for line in text.lines() {
                // Display columns, not characters: a wide character takes two.
                let cols = unicode_width::UnicodeWidthStr::width(line);
                assert!(cols <= 80, "{path:?} {flag}: {cols} columns:\n{line}");
            }
            let examples = text
                .rsplit_once("\nExamples:\n")
                .unwrap_or_else(|| panic!("{path:?} {flag}: no Examples section:\n{text}"))
                .1;
            assert!(
                examples
                    .lines()
                    .any(|l| l.trim_start().starts_with("zencheck ") || l.contains("<(zencheck ")),
                "{path:?} {flag}: {examples}"
            );
        }
    }
    // Wider terminals get wider help: the width really comes from COLUMNS.
    let wide = help(&["probe".to_string()], "--help", "200");
    assert!(wide.lines().any(|l| l.chars().count() > 80));
}

/// Split a shell line into words (quotes kept together, not a full shell).
fn words(line: &str) -> Vec<String> {
    let (mut out, mut cur, mut quote, mut any) = (Vec::new(), String::new(), None, false);
    for ch in line.chars() {
        match (quote, ch) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(ch);
                any = true;
            }
            (None, c) if c.is_whitespace() => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            (None, c) => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Every `zencheck …` command of every Examples section parses as the binary would.
#[test]
fn every_example_command_parses() {
    let mut paths = Vec::new();
    subcommands(&Cli::command(), Vec::new(), &mut paths);
    let mut seen = 0;
    for path in &paths {
        let text = help(path, "--help", "80");
        let examples = text.rsplit_once("\nExamples:\n").unwrap().1;
        let joined = examples.replace("\\\n", " ");
        for line in joined.lines() {
            let line = line.trim();
            let line = line.strip_prefix("source <(").unwrap_or(line);
            let Some(cmd) = line.strip_prefix("zencheck ") else {
                continue;
            };
            // The command alone: no comment, redirection, pipe or next command.
            let cmd = [" #", " |", " >", " <", " &&", ")"]
                .iter()
                .filter_map(|s| cmd.find(s))
                .min()
                .map_or(cmd, |i| &cmd[..i]);
            let mut argv = vec!["zencheck".to_string()];
            argv.extend(words(cmd));
            if let Err(e) = Cli::try_parse_from(&argv) {
                panic!("{path:?}: example `{line}` does not parse:\n{e}");
            }
            seen += 1;
        }
    }
    assert!(seen >= 30, "only {seen} example commands");
}
