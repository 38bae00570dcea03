//! `zencheck.toml`: named targets and shared settings, with `${VAR}` substitution.
//!
//! Precedence, highest first: command-line flags, `ZENCHECK_*` environment variables
//! (clap reads both), this file, built-in defaults. Unknown keys and type errors are
//! reported with the file's line underlined.

use crate::policy::FailOn;
use crate::provider::Provider;
use crate::route::Route;
use indexmap::IndexMap;
use miette::{Diagnostic, NamedSource, SourceSpan};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The file looked for in the working directory when `--config` is not given.
pub const DEFAULT_FILE: &str = "zencheck.toml";

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub settings: Settings,
    /// In file order: the report lists targets as the file does.
    #[serde(default)]
    pub targets: IndexMap<String, TargetConfig>,
    /// `zencheck serve`'s own settings.
    #[serde(default)]
    pub serve: ServeSettings,
    /// Targets naming a `${VAR}` that is not set, with the error: refused only when the run
    /// uses them, so one unset variable (in `zencheck init`'s template) does not stop
    /// `--target other` or `--base-url`.
    #[serde(skip)]
    pub unresolved: IndexMap<String, ConfigError>,
    /// Every unset variable each of those targets names, in file order (`--dry-run` lists
    /// them all).
    #[serde(skip)]
    pub unset: IndexMap<String, Vec<String>>,
}

/// The `[serve]` table: the exporter's whole-process cost guard.
#[derive(Debug, Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct ServeSettings {
    /// Generation probes per hour at most, across targets; then answers come from cache.
    pub max_probes_per_hour: Option<u32>,
}

/// Run-wide settings; each has a flag and a `ZENCHECK_*` variable that override it.
#[derive(Debug, Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub timeout: Option<f64>,
    pub connect_timeout: Option<f64>,
    pub max_time: Option<f64>,
    pub max_retry_wait: Option<u64>,
    /// Seconds the whole run may take (`--deadline`).
    pub deadline: Option<f64>,
    /// Requests in flight at once per target.
    pub concurrency: Option<usize>,
    /// Requests in flight at once per host (host:port), across all targets.
    pub per_host: Option<usize>,
    pub fail_on: Option<FailOn>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct TargetConfig {
    pub provider: Option<Provider>,
    pub base_url: Option<Spanned<String>>,
    pub api_key_env: Option<String>,
    #[serde(default)]
    pub models: Vec<Spanned<String>>,
    #[serde(default)]
    pub headers: IndexMap<String, Spanned<String>>,
    #[serde(default)]
    pub checks: Vec<String>,
    #[serde(default)]
    pub skip: Vec<String>,
    #[serde(default)]
    pub routes: Vec<Route>,
    /// Capabilities the application depends on: a check matched here that does not pass
    /// fails the run.
    #[serde(default)]
    pub require: Vec<String>,
    /// `zencheck serve`: the module a scrape without `module=` gets.
    pub module: Option<crate::check::tier::Tier>,
    /// `zencheck serve`: seconds a result is reused before the target is probed again, for
    /// every module or per module.
    pub min_interval: Option<MinInterval>,
}

/// `min_interval = 300` (every module) or `min_interval = { catalog = 30, stream = 600 }`
/// (the modules it names; the others keep their defaults).
#[derive(Debug, Deserialize, Clone)]
#[serde(
    untagged,
    expecting = "seconds (min_interval = 300) or seconds per module (min_interval = { catalog = 30, chat = 300, stream = 600, full = 3600 })"
)]
pub enum MinInterval {
    All(f64),
    PerModule(std::collections::BTreeMap<crate::check::tier::Tier, f64>),
}

impl MinInterval {
    /// The seconds set for `module`, if any.
    pub fn get(&self, module: crate::check::tier::Tier) -> Option<f64> {
        match self {
            MinInterval::All(v) => Some(*v),
            MinInterval::PerModule(m) => m.get(&module).copied(),
        }
    }
}

/// A configuration problem, pointing at the file's text where it can.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code("zencheck::config"))]
pub struct ConfigError {
    pub message: String,
    #[source_code]
    pub src: Option<NamedSource<String>>,
    #[label("here")]
    pub span: Option<SourceSpan>,
    #[help]
    pub help: Option<String>,
}

impl From<ConfigError> for crate::error::RunError {
    fn from(e: ConfigError) -> crate::error::RunError {
        crate::error::RunError::Config(Box::new(e))
    }
}

impl ConfigError {
    fn plain(message: String, help: Option<String>) -> ConfigError {
        ConfigError {
            message,
            src: None,
            span: None,
            help,
        }
    }
}

pub struct Loaded {
    pub path: PathBuf,
    pub config: Config,
}

/// The config to use: `--config PATH` (must exist), else `zencheck.toml` if present.
pub fn find(explicit: Option<&Path>) -> Result<Option<Loaded>, ConfigError> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None if Path::new(DEFAULT_FILE).is_file() => PathBuf::from(DEFAULT_FILE),
        None => return Ok(None),
    };
    let text = crate::files::read_text(&path)
        .map_err(|e| ConfigError::plain(format!("cannot read {}: {e}", path.display()), None))?;
    let config = parse(&path.display().to_string(), &text, &|v| {
        std::env::var(v).ok()
    })?;
    Ok(Some(Loaded { path, config }))
}

/// Parse and substitute `${VAR}` in `base_url`, `models` and header values.
pub fn parse(
    name: &str,
    text: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Config, ConfigError> {
    let src = || Some(NamedSource::new(name, text.to_string()));
    let mut config: Config = toml::from_str(text).map_err(|e| ConfigError {
        message: format!("{name}: {}", e.message()),
        span: e.span().map(|r| (r.start, r.len()).into()),
        src: src(),
        help: Some("`zencheck init` writes a file with every key, commented".to_string()),
    })?;
    for (name, t) in config.targets.iter_mut() {
        let fields = t
            .base_url
            .iter_mut()
            .chain(t.models.iter_mut())
            .chain(t.headers.values_mut());
        for field in fields {
            let span = field.span();
            match substitute(field.get_ref(), env) {
                Ok(value) => *field = Spanned::new(span, value),
                Err(var) => {
                    let e = ConfigError {
                        message: format!("environment variable {var} is not set"),
                        span: Some((span.start, span.len()).into()),
                        src: src(),
                        help: Some(format!("export {var}, or remove ${{{var}}} from the file")),
                    };
                    config.unresolved.entry(name.clone()).or_insert(e);
                    let vars = config.unset.entry(name.clone()).or_default();
                    if !vars.contains(&var) {
                        vars.push(var);
                    }
                }
            }
        }
    }
    Ok(config)
}

/// Replace every `${VAR}` with the variable's value; `Err(VAR)` for the first unset one.
/// Only the braced form is read, so a lone `$` in a header value stays as written.
fn substitute(s: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start + 2..].find('}') else {
            break;
        };
        let var = &rest[start + 2..start + 2 + len];
        out.push_str(&rest[..start]);
        out.push_str(&env(var).ok_or_else(|| var.to_string())?);
        rest = &rest[start + 3 + len..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(v: &str) -> Option<String> {
        (v == "GATEWAY").then(|| "https://gw.example.com".to_string())
    }

    #[test]
    fn the_committed_example_parses() {
        let text = include_str!("../../zencheck.example.toml");
        let c =
            parse("zencheck.example.toml", text, &|_| Some("x".into())).expect("example parses");
        assert!(c.targets.len() >= 3);
        assert!(c.targets.values().any(|t| !t.require.is_empty()));
    }

    #[test]
    fn the_examples_fail_on_comment_names_every_policy() {
        let text = include_str!("../../zencheck.example.toml");
        let line = text.lines().find(|l| l.starts_with("fail_on")).unwrap();
        for v in <crate::policy::FailOn as clap::ValueEnum>::value_variants() {
            let name = clap::ValueEnum::to_possible_value(v).unwrap();
            assert!(line.contains(name.get_name()), "{line}");
        }
    }

    #[test]
    fn variables_are_substituted_and_targets_keep_file_order() {
        let c = parse(
            "t",
            "[targets.z]\nbase_url = \"${GATEWAY}/v1\"\n[targets.a]\nprovider = \"zen\"\n",
            &env,
        )
        .unwrap();
        assert_eq!(c.targets.keys().collect::<Vec<_>>(), ["z", "a"]);
        assert_eq!(
            c.targets["z"].base_url.as_ref().unwrap().get_ref(),
            "https://gw.example.com/v1"
        );
    }

    #[test]
    fn an_unset_variable_points_at_its_line() {
        let text = "[targets.z]\nbase_url = \"${NOPE}/v1\"\n";
        let c = parse("t", text, &env).unwrap();
        let e = &c.unresolved["z"];
        assert!(e.message.contains("NOPE"));
        let span = e.span.unwrap();
        assert!(text[span.offset()..span.offset() + span.len()].contains("${NOPE}"));
    }

    #[test]
    fn unknown_keys_and_type_errors_point_at_the_line() {
        let text = "[targets.z]\nprovider = \"zen\"\nmodle = [\"x\"]\n";
        let e = parse("t", text, &env).unwrap_err();
        assert!(e.message.contains("modle"), "{}", e.message);
        assert_eq!(&text[e.span.unwrap().offset()..][..5], "modle");
        let e = parse("t", "[settings]\ntimeout = \"soon\"\n", &env).unwrap_err();
        assert!(e.span.is_some(), "{}", e.message);
        let e = parse("t", "[targets.z]\nprovider = \"nope\"\n", &env).unwrap_err();
        assert!(
            e.message.contains("nope") || e.message.contains("variant"),
            "{}",
            e.message
        );
    }

    #[test]
    fn a_lone_dollar_is_kept() {
        assert_eq!(
            substitute("a$b ${GATEWAY}", &env).unwrap(),
            "a$b https://gw.example.com"
        );
    }
}
