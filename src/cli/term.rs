//! How much zencheck says on the terminal, and whether in colour: `-q/--quiet` and
//! `--color`, for every subcommand (global flags, so they go before or after it).

use clap::{Args, ValueEnum};
use std::io::IsTerminal;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour on a terminal, unless NO_COLOR is set; FORCE_COLOR or CLICOLOR_FORCE turn it on anywhere
    #[default]
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, Default, Args)]
pub struct TermArgs {
    /// Print only the verdict line (and errors): no table, no progress, no summary of files written
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,

    /// Colour the table: auto (on a terminal; NO_COLOR turns it off, FORCE_COLOR or CLICOLOR_FORCE on), always or never
    #[arg(long, value_enum, value_name = "WHEN", global = true, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

impl TermArgs {
    /// Whether the report printed on stdout is coloured.
    pub fn stdout_color(&self) -> bool {
        resolve(self.color, &|name| std::env::var(name).ok(), || {
            std::io::stdout().is_terminal()
        })
    }
}

/// The decision, with the environment and the terminal test passed in so it can be tested.
/// `--color always|never` wins; then NO_COLOR (https://no-color.org, any non-empty value);
/// then FORCE_COLOR or CLICOLOR_FORCE (non-empty and not `0`/`false`, as GitHub Actions
/// users set them so logs keep their colour); then whether stdout is a terminal.
pub fn resolve(
    choice: ColorChoice,
    env: &dyn Fn(&str) -> Option<String>,
    is_terminal: impl FnOnce() -> bool,
) -> bool {
    match choice {
        ColorChoice::Always => return true,
        ColorChoice::Never => return false,
        ColorChoice::Auto => {}
    }
    let set = |name: &str| env(name).filter(|v| !v.is_empty());
    if set("NO_COLOR").is_some() {
        return false;
    }
    let forced =
        |name: &str| set(name).is_some_and(|v| v != "0" && !v.eq_ignore_ascii_case("false"));
    if forced("FORCE_COLOR") || forced("CLICOLOR_FORCE") {
        return true;
    }
    is_terminal()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(vars: &[(&str, &str)], choice: ColorChoice, tty: bool) -> bool {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        resolve(
            choice,
            &|n| vars.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone()),
            || tty,
        )
    }

    #[test]
    fn the_flag_wins_then_no_color_then_force_then_the_terminal() {
        use ColorChoice::*;
        assert!(with(&[("NO_COLOR", "1")], Always, false));
        assert!(!with(&[("FORCE_COLOR", "1")], Never, true));
        assert!(!with(
            &[("NO_COLOR", "1"), ("FORCE_COLOR", "1")],
            Auto,
            true
        ));
        assert!(
            with(&[("NO_COLOR", "")], Auto, true),
            "empty NO_COLOR is unset"
        );
        assert!(with(&[("FORCE_COLOR", "1")], Auto, false));
        assert!(with(&[("CLICOLOR_FORCE", "1")], Auto, false));
        assert!(!with(&[("FORCE_COLOR", "0")], Auto, false));
        assert!(!with(&[("CLICOLOR_FORCE", "false")], Auto, false));
        assert!(with(&[], Auto, true));
        assert!(!with(&[], Auto, false));
    }
}
