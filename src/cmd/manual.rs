//! Shell completions and the man page, both generated from the one clap definition in
//! `cli/`, so they cannot drift from `--help`.

use crate::cli::Cli;
use crate::error::{RunError, EXIT_OK};
use clap::CommandFactory;

/// Print the completion script for `shell` on stdout.
pub fn completions(shell: clap_complete::Shell) -> Result<u8, RunError> {
    let mut cmd = Cli::command();
    // Into memory first: clap_complete panics on a write error (a closed pipe).
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "zencheck", &mut out);
    print_bytes(&out, "completions")
}

fn print_bytes(out: &[u8], what: &str) -> Result<u8, RunError> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(out).and_then(|_| stdout.flush()) {
        Ok(()) => Ok(EXIT_OK),
        // `zencheck man | head` is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(EXIT_OK),
        Err(e) => Err(RunError::Io {
            what: format!("write the {what}"),
            why: e.to_string(),
        }),
    }
}

/// Print the man page (roff) on stdout: zencheck's own page, then each subcommand's
/// synopsis and options under its own heading.
pub fn man() -> Result<u8, RunError> {
    let mut out: Vec<u8> = Vec::new();
    let cmd = Cli::command();
    render(&cmd, &mut out).map_err(|e| RunError::Io {
        what: "render the man page".into(),
        why: e.to_string(),
    })?;
    print_bytes(&out, "man page")
}

fn render(cmd: &clap::Command, out: &mut Vec<u8>) -> std::io::Result<()> {
    use std::io::Write;
    clap_mangen::Man::new(cmd.clone()).render(out)?;
    let mut subs: Vec<clap::Command> = Vec::new();
    for sub in cmd.get_subcommands() {
        if sub.get_subcommands().next().is_some() {
            // `opencode serve-check`, `opencode run-check`
            for inner in sub.get_subcommands() {
                let name = format!("zencheck {} {}", sub.get_name(), inner.get_name());
                subs.push(inner.clone().name(name.clone()).bin_name(name));
            }
        } else {
            let name = format!("zencheck {}", sub.get_name());
            subs.push(sub.clone().name(name.clone()).bin_name(name));
        }
    }
    for sub in subs {
        let heading = sub.get_name().to_uppercase();
        writeln!(out, ".SH \"{heading}\"")?;
        if let Some(about) = sub.get_about() {
            writeln!(out, "{}", about.to_string().replace('\\', "\\\\"))?;
        }
        let man = clap_mangen::Man::new(sub);
        man.render_synopsis_section(out)?;
        man.render_options_section(out)?;
    }
    Ok(())
}
