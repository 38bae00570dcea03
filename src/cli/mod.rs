//! Command-line interface. Doc comments here are the `--help` text.

pub mod config;
pub mod help_examples;
pub mod openai_env;
pub mod outputs;
pub mod setup;
pub mod term;

use crate::policy::FailOn;
use crate::provider::Provider;
use crate::route::Route;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "zencheck",
    version,
    about = "Tells whether an OpenAI-compatible LLM endpoint really works for the way your app calls it, and if not, why and what to change.",
    after_help = crate::cli::help_examples::TOP
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    #[command(flatten)]
    pub term: crate::cli::term::TermArgs,
}

/// Parse the process's arguments as `Cli::parse` does (help, version and usage errors exit
/// through clap), except that a value refused from a `ZENCHECK_*` variable names it.
pub fn parse() -> Cli {
    let argv: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    Cli::try_parse_from(&argv).unwrap_or_else(|mut e| {
        use clap::error::{ContextKind, ContextValue};
        let flag = match e.get(ContextKind::InvalidArg) {
            Some(ContextValue::String(a)) => a.split_whitespace().next().map(str::to_string),
            _ => None,
        };
        if let Some(var) = flag.and_then(|f| variable_behind(&f, &argv)) {
            let tip = format!("this value comes from {var}; fix or unset it");
            e.insert(
                ContextKind::Suggested,
                ContextValue::StyledStrs(vec![tip.into()]),
            );
        }
        e.exit()
    })
}

/// The `ZENCHECK_*` variable that gave `flag` (`--timeout`) its value: one that is set, for
/// a flag not given in `argv`.
pub fn variable_behind(flag: &str, argv: &[String]) -> Option<String> {
    use clap::CommandFactory;
    let long = flag.strip_prefix("--")?;
    let given = argv
        .iter()
        .any(|a| a == flag || a.strip_prefix(flag).is_some_and(|r| r.starts_with('=')));
    if given {
        return None;
    }
    fn find(c: &clap::Command, long: &str) -> Option<String> {
        c.get_arguments()
            .filter(|a| a.get_long() == Some(long))
            .find_map(|a| a.get_env().map(|v| v.to_string_lossy().into_owned()))
            .filter(|v| std::env::var_os(v).is_some())
            .or_else(|| c.get_subcommands().find_map(|s| find(s, long)))
    }
    find(&Cli::command(), long)
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Probe an endpoint: /models; chat, /responses and /messages; the parameters each accepts
    #[command(after_help = crate::cli::help_examples::PROBE)]
    Probe(Box<ProbeArgs>),
    /// Check a gateway's fidelity: serve its upstream, send through it, compare both sides
    #[command(after_help = crate::cli::help_examples::FIDELITY)]
    Fidelity(Box<FidelityArgs>),
    /// Serve a built-in faulty OpenAI-compatible provider on 127.0.0.1
    #[command(after_help = crate::cli::help_examples::MOCK)]
    Mock(MockArgs),
    /// Classify a pasted error (message, status + body, opencode error object, SSE transcript) offline
    #[command(after_help = crate::cli::help_examples::EXPLAIN)]
    Explain(ExplainArgs),
    /// Check opencode itself: a running `opencode serve`, or `opencode run`
    #[command(after_help = crate::cli::help_examples::OPENCODE)]
    Opencode(OpencodeArgs),
    /// Probe the built-in provider: one healthy and several broken targets, offline
    #[command(after_help = crate::cli::help_examples::DEMO)]
    Demo(DemoArgs),
    /// Serve the config's targets as a Prometheus multi-target exporter (/probe, /metrics), with a cost guard
    #[command(after_help = crate::cli::help_examples::SERVE)]
    Serve(ServeArgs),
    /// Render a saved JSON report again (table, markdown, junit), optionally against a baseline; sends nothing
    #[command(after_help = crate::cli::help_examples::REPORT)]
    Report(RenderArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish)
    #[command(after_help = crate::cli::help_examples::COMPLETIONS)]
    Completions(CompletionsArgs),
    /// Print the man page (roff) of zencheck
    #[command(after_help = crate::cli::help_examples::MAN)]
    Man,
    /// List every check: id, endpoint, cost, what it proves; offline
    #[command(after_help = crate::cli::help_examples::CHECKS)]
    Checks(ChecksArgs),
    /// Write a commented zencheck.toml here (never overwrites)
    #[command(after_help = crate::cli::help_examples::INIT)]
    Init(InitArgs),
    /// Serve probe, explain and list_checks to an AI agent: a Model Context Protocol server on stdio
    #[command(after_help = crate::cli::help_examples::MCP)]
    Mcp(McpArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Junit,
    Markdown,
    /// GitHub Actions annotations: ::error / ::warning per check that fails or warns
    Github,
    /// One self-contained HTML page: the run at a glance, failures by cause, stream timelines
    Html,
}

/// The most runs `--repeat` takes.
pub const MAX_REPEAT: u32 = 20;

#[derive(Debug, Clone, Args)]
pub struct ProbeArgs {
    /// Provider preset: base URL, key variable and provider-worded hints
    #[arg(long, value_enum)]
    pub provider: Option<Provider>,

    /// Base URL ending before /chat/completions (e.g. http://127.0.0.1:11434/v1); overrides the preset's
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,

    /// Model id to probe; repeat for several, or separate them with commas (`-m a,b`).
    /// Without it, only /models is checked
    // Model ids never hold a comma (no provider's catalogue has one), so a comma list is
    // read as several models rather than probed as one id that cannot exist.
    #[arg(long = "model", short = 'm', value_name = "ID", value_delimiter = ',')]
    pub models: Vec<String>,

    /// Environment variable holding the API key [default: the preset's, e.g. OPENCODE_API_KEY]. Unset means no auth header
    #[arg(long, value_name = "NAME")]
    pub api_key_env: Option<String>,

    /// Extra request header, `Name: value`; repeatable
    #[arg(long = "header", short = 'H', value_name = "HEADER")]
    pub headers: Vec<String>,

    /// Send the User-Agent, headers and body fields this client always sends (from its public source at a pinned version), to tell a relay that blocks unknown clients from a broken endpoint; --header still wins
    #[arg(long = "as", value_enum, value_name = "CLIENT")]
    pub client: Option<crate::profile::Profile>,

    /// Seconds to wait for response headers, and for each silence inside a body or stream [default: 30]
    #[arg(long, value_name = "SECS", env = "ZENCHECK_TIMEOUT")]
    pub timeout: Option<f64>,

    /// Seconds to wait for a TCP/TLS connection [default: 10]
    #[arg(long, value_name = "SECS", env = "ZENCHECK_CONNECT_TIMEOUT")]
    pub connect_timeout: Option<f64>,

    /// Seconds one request may take from send to last byte [default: 120]
    #[arg(long, value_name = "SECS", env = "ZENCHECK_MAX_TIME")]
    pub max_time: Option<f64>,

    /// Seconds the whole run may take; checks unfinished then are reported as `timeout` and the report is still written [default: 300]
    #[arg(long, value_name = "SECS", env = "ZENCHECK_DEADLINE")]
    pub deadline: Option<f64>,

    /// A 429 whose Retry-After is at most this many seconds is waited out once; longer ones are reported [default: 10]
    #[arg(long, value_name = "SECS", env = "ZENCHECK_MAX_RETRY_WAIT")]
    pub max_retry_wait: Option<u64>,

    /// Checks in flight at once per target [default: the --per-host value]
    #[arg(long, value_name = "N", env = "ZENCHECK_CONCURRENCY")]
    pub concurrency: Option<usize>,

    /// Ceiling of requests in flight at once per host:port, across targets; a 429 halves the limit (and a short Retry-After pauses the host), calm answers raise it back [default: 32]
    #[arg(long, value_name = "N", env = "ZENCHECK_PER_HOST")]
    pub per_host: Option<usize>,

    /// Send every request through this proxy (http://, https:// or socks5://) [default: HTTPS_PROXY / HTTP_PROXY / ALL_PROXY, minus NO_PROXY; loopback is always direct]
    #[arg(long, value_name = "URL", env = "ZENCHECK_PROXY")]
    pub proxy: Option<String>,

    /// Ignore every proxy setting and connect directly
    #[arg(long, conflicts_with = "proxy")]
    pub no_proxy: bool,

    /// Also trust the CA certificates in this PEM file (a private CA, a TLS-inspecting proxy); SSL_CERT_FILE and SSL_CERT_DIR are honoured too
    #[arg(long, value_name = "FILE", env = "ZENCHECK_CACERT")]
    pub cacert: Option<PathBuf>,

    /// Do not verify TLS certificates (every report then says so, loudly). Only to confirm a certificate problem
    #[arg(long)]
    pub insecure: bool,

    /// Output format [default: from the extension of -o (.json, .xml, .md), else table]
    #[arg(long, value_enum, env = "ZENCHECK_FORMAT")]
    pub format: Option<Format>,

    /// Write the report to FILE instead of stdout; a short summary still goes to stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    #[command(flatten)]
    pub outputs: OutputArgs,

    /// What fails the run (exit 1) [default: fail]
    #[arg(long, value_enum, env = "ZENCHECK_FAIL_ON")]
    pub fail_on: Option<FailOn>,

    /// A previous `--format json` report: a check that passed there and does not now is a regression, and fails the run
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Run every check N times (1-20; the cost is said first): a check that passes in some runs and not in others is `flaky`, a warning unless --fail-on flaky
    #[arg(long, value_name = "N", env = "ZENCHECK_REPEAT", default_value_t = 1,
          value_parser = clap::value_parser!(u32).range(1..=MAX_REPEAT as i64))]
    pub repeat: u32,

    /// `-q`: the cost of `--repeat` is not said (set by the command, not a flag).
    #[arg(skip)]
    pub quiet: bool,

    /// Checks this application depends on (patterns as for --checks): anything but a pass fails the run
    #[arg(long, value_name = "PATTERN", value_delimiter = ',')]
    pub require: Vec<String>,

    /// For every check that did not pass, print the curl command that reproduces it (the key as $VARIABLE)
    #[arg(long)]
    pub curl: bool,

    /// Config file [default: ./zencheck.toml when present]. Used when no --base-url/--provider is given
    #[arg(long, value_name = "PATH", env = "ZENCHECK_CONFIG")]
    pub config: Option<PathBuf>,

    /// Run only the named targets of the config file (or providers of --opencode-config); repeatable
    #[arg(long = "target", value_name = "NAME", value_delimiter = ',')]
    pub targets: Vec<String>,

    /// Probe every custom provider (options.baseURL) of this opencode.json, as opencode calls it
    #[arg(long, value_name = "PATH")]
    pub opencode_config: Option<PathBuf>,

    /// A name for the target in the report [default: the provider or the host]
    #[arg(long)]
    pub name: Option<String>,

    /// Run only these checks: ids, families or prefix globs (`chat.stream`, `responses`, `chat.tool_choice_*`); comma-separated or repeated
    #[arg(long, value_name = "PATTERN", value_delimiter = ',')]
    pub checks: Vec<String>,

    /// Leave out these checks (same patterns as --checks)
    #[arg(long, value_name = "PATTERN", value_delimiter = ',')]
    pub skip: Vec<String>,

    /// Routes to probe for every model [default: chat and responses, plus messages for Claude models; embeddings alone for embedding models]
    #[arg(long, value_enum, value_name = "ROUTE", value_delimiter = ',')]
    pub routes: Vec<Route>,

    /// Print the requests a run would send (key shown as $VARIABLE) and how many; send nothing
    #[arg(long)]
    pub dry_run: bool,

    /// A reference endpoint (the provider directly, behind the gateway probed): the same checks run there too, and each row whose verdict differs is marked: regressed where it works there and breaks here, fixed the other way
    #[arg(long, value_name = "URL", conflicts_with_all = ["baseline", "dry_run"])]
    pub reference: Option<String>,

    /// Variable holding the reference endpoint's key [default: the target's key variable]
    #[arg(long, value_name = "NAME", requires = "reference")]
    pub reference_api_key_env: Option<String>,

    #[command(flatten)]
    pub observe: ObserveArgs,
}

#[derive(Debug, Clone, Args)]
pub struct FidelityArgs {
    /// The gateway's base URL, ending before /chat/completions (e.g. http://127.0.0.1:8080/v1)
    #[arg(long, value_name = "URL")]
    pub through: String,

    /// Where zencheck serves the gateway's upstream (the built-in provider), HOST:PORT; point the gateway at http://HOST:PORT/v1
    #[arg(long, value_name = "HOST:PORT")]
    pub upstream_listen: String,

    /// The model name to ask the gateway for (an alias it routes to the upstream) [default: zencheck-upstream]
    #[arg(long = "model", short = 'm', value_name = "ID")]
    pub model: Option<String>,

    /// Environment variable holding the gateway's key (sent as a bearer token). Unset means no auth header
    #[arg(long, value_name = "NAME")]
    pub api_key_env: Option<String>,

    /// Extra request header to the gateway, `Name: value`; repeatable
    #[arg(long = "header", short = 'H', value_name = "HEADER")]
    pub headers: Vec<String>,

    /// Also hold a silence this long before the headers and mid-stream, to meet the gateway's timeouts (nginx and ALBs: 60, Cloudflare: 100) [default: not tried]
    #[arg(long, value_name = "SECS")]
    pub silence: Option<f64>,

    /// Seconds to wait for response headers, and for each silence inside a body or stream (beyond --silence) [default: 30]
    #[arg(long, value_name = "SECS", env = "ZENCHECK_TIMEOUT")]
    pub timeout: Option<f64>,

    /// A name for the gateway in the report [default: the host]
    #[arg(long)]
    pub name: Option<String>,

    /// Output format [default: from the extension of -o (.json, .xml, .md, .html), else table]
    #[arg(long, value_enum, env = "ZENCHECK_FORMAT")]
    pub format: Option<Format>,

    /// Write the report to FILE instead of stdout; a short summary still goes to stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    #[command(flatten)]
    pub outputs: OutputArgs,

    /// What fails the run (exit 1) [default: fail]
    #[arg(long, value_enum, env = "ZENCHECK_FAIL_ON")]
    pub fail_on: Option<FailOn>,

    #[command(flatten)]
    pub observe: ObserveArgs,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Config file whose [targets.NAME] /probe?target=NAME runs [default: ./zencheck.toml]
    #[arg(long, value_name = "PATH", env = "ZENCHECK_CONFIG")]
    pub config: Option<PathBuf>,

    /// Address to listen on; loopback unless you say otherwise
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9464")]
    pub listen: String,

    /// Variable holding a bearer token that every endpoint but /-/healthy then requires
    #[arg(long, value_name = "VAR")]
    pub auth_token_env: Option<String>,

    /// Listen beyond loopback without --auth-token-env: anyone who can reach the port can make the exporter spend its targets' keys (without this flag it refuses to start)
    #[arg(long)]
    pub allow_unauthenticated: bool,

    /// Connections open at once at most; past it a new one is closed at once, so the ones held stay answerable
    #[arg(long, value_name = "N", default_value_t = 512, value_parser = clap::value_parser!(u32).range(1..=65_536))]
    pub max_connections: u32,

    /// Seconds a probe may take when a scrape does not send X-Prometheus-Scrape-Timeout-Seconds [default: config `deadline`, else 300]
    #[arg(long, value_name = "SECS", env = "ZENCHECK_DEADLINE")]
    pub deadline: Option<f64>,

    /// Generation probes (modules chat, stream, full) the exporter runs per hour at most; then it answers from cache [default: config `max_probes_per_hour`, else no limit]
    #[arg(long, value_name = "N")]
    pub max_probes_per_hour: Option<u32>,

    /// MiB that answers in flight may hold across all probes: each request reserves what its answer may hold (2 MiB a stream, 4 MiB a body) before it is sent, and requests past the bound wait their turn
    #[arg(long, value_name = "MIB", default_value_t = 64, value_parser = clap::value_parser!(u32).range(8..=65_536))]
    pub max_memory: u32,
}

#[derive(Debug, Clone, Args)]
pub struct MockArgs {
    /// Scenario to serve (see --list)
    #[arg(long, required_unless_present_any = ["list", "scenario_name"])]
    pub scenario: Option<String>,

    /// The scenario, as `zencheck mock stream-truncated` (the same as --scenario)
    #[arg(value_name = "SCENARIO", conflicts_with = "scenario")]
    pub scenario_name: Option<String>,

    /// Port on 127.0.0.1; 0 picks a free one
    #[arg(long, default_value_t = 0)]
    pub port: u16,

    /// List the scenarios and what each reproduces
    #[arg(long)]
    pub list: bool,

    /// Milliseconds to hold every request before answering (a remote provider's latency)
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency_ms: u64,

    /// Also serve this model id (repeatable): a gateway with many models
    #[arg(long = "model", short = 'm', value_name = "ID")]
    pub models: Vec<String>,
}

#[derive(Debug, Args)]
pub struct OpencodeArgs {
    #[command(subcommand)]
    pub command: OpencodeCommand,
}

#[derive(Debug, Subcommand)]
pub enum OpencodeCommand {
    /// Check a running `opencode serve`: health, providers, a prompt, its event stream, model selection
    #[command(after_help = crate::cli::help_examples::SERVE_CHECK)]
    ServeCheck(ServeCheckArgs),
    /// Run `opencode run --format json` once and report what its exit code hides
    #[command(after_help = crate::cli::help_examples::RUN_CHECK)]
    RunCheck(RunCheckArgs),
}

/// Where a report goes and what fails the run: shared by the opencode checks.
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// Output format [default: from the extension of -o (.json, .xml, .md), else table]
    #[arg(long, value_enum)]
    pub format: Option<Format>,

    /// Write the report to FILE instead of stdout; a short summary still goes to stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    #[command(flatten)]
    pub outputs: OutputArgs,

    /// What fails the run (exit 1) [default: fail]
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
}

#[derive(Debug, Clone, Args)]
pub struct RenderArgs {
    /// A report written by `--json FILE` or `--format json`
    #[arg(value_name = "RUN.json")]
    pub run: PathBuf,

    /// A previous JSON report: mark regressions and fixes against it, and judge again
    #[arg(long, value_name = "OLD.json")]
    pub baseline: Option<PathBuf>,

    /// Judge again under this policy [default: the report's own]
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,

    /// Output format [default: from the extension of -o (.json, .xml, .md), else table]
    #[arg(long, value_enum)]
    pub format: Option<Format>,

    /// Write the report to FILE instead of stdout; a short summary still goes to stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    #[command(flatten)]
    pub outputs: OutputArgs,
}

#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Clone, Args)]
pub struct ServeCheckArgs {
    /// The opencode server
    #[arg(long, default_value = "http://127.0.0.1:4096")]
    pub url: String,

    /// provider/model as opencode names it (e.g. opencode/big-pickle)
    #[arg(long, short = 'm')]
    pub model: String,

    /// Variable holding the server password (OPENCODE_SERVER_PASSWORD on the server side), sent as basic auth
    #[arg(long, value_name = "VAR")]
    pub password_env: Option<String>,

    /// Seconds the whole check may take (the prompt, the event stream and every other call)
    #[arg(long, value_name = "SECS", default_value_t = 120.0)]
    pub timeout: f64,

    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Debug, Clone, Args)]
pub struct RunCheckArgs {
    /// provider/model as opencode names it (e.g. opencode/big-pickle)
    #[arg(long, short = 'm')]
    pub model: String,

    /// The opencode binary [default: `opencode` on PATH]
    #[arg(long, value_name = "PATH")]
    pub opencode_bin: Option<PathBuf>,

    /// Folder to run opencode in (its project) [default: the current folder]
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,

    /// Seconds `opencode run` may take before it is killed
    #[arg(long, value_name = "SECS", default_value_t = 120.0)]
    pub timeout: f64,

    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Debug, Clone, Args)]
pub struct ExplainArgs {
    /// What the user saw; read from stdin when absent or `-`
    pub text: Option<String>,

    /// Word the hint for this provider
    #[arg(long, value_enum)]
    pub provider: Option<Provider>,

    /// Output format: table (for a terminal), json (for tools), markdown (a ticket-ready block)
    #[arg(long, value_enum, default_value_t = ExplainFormat::Table)]
    pub format: ExplainFormat,
}

/// The formats `explain` can write (a pasted error has no JUnit form).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExplainFormat {
    Table,
    Json,
    Markdown,
}

#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Run every scenario, not just the showcase
    #[arg(long)]
    pub all: bool,

    /// Show every check in the tables, passing ones too [default: one line per model says what passed]
    #[arg(long)]
    pub all_rows: bool,

    /// Seconds each demo probe waits before calling a silence a timeout or a stall
    #[arg(long, value_name = "SECS", default_value_t = 2.0)]
    pub timeout: f64,
}

#[derive(Debug, Clone, Default, Args)]
pub struct ObserveArgs {
    /// Print each request and response on stderr as it happens (method, URL, headers with credentials hidden, status, time to headers, body size); -vv adds bodies and SSE frames, capped
    #[arg(long, short = 'v', action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Write the whole exchange to FILE as JSON Lines (one record per request, response, body and SSE frame, timestamped; secrets hidden), for a ticket
    #[arg(long, value_name = "FILE")]
    pub trace: Option<PathBuf>,
}

/// Reports written beside the main one, from the same run.
#[derive(Debug, Clone, Default, Args)]
pub struct OutputArgs {
    /// Also write the JSON report to FILE (for --baseline, `zencheck report`, tools)
    #[arg(long = "json", value_name = "FILE")]
    pub json: Option<PathBuf>,

    /// Also write the JUnit XML report to FILE (CI test reporting)
    #[arg(long = "junit", value_name = "FILE")]
    pub junit: Option<PathBuf>,

    /// Also write the Markdown report to FILE (job summary, support ticket)
    #[arg(long = "markdown", value_name = "FILE")]
    pub markdown: Option<PathBuf>,

    /// Also write the HTML report to FILE (one self-contained page, stream timelines)
    #[arg(long = "html", value_name = "FILE")]
    pub html: Option<PathBuf>,

    /// Show every check in the table, passing ones too [default: one line per model says what passed]
    #[arg(long = "all", visible_alias = "all-rows")]
    pub all: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ChecksArgs {
    /// Output format: table (a list that fits 80 columns) or json
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Clone, Args)]
pub struct InitArgs {
    /// Where to write it
    #[arg(value_name = "PATH", default_value = "zencheck.toml")]
    pub path: PathBuf,
}

#[derive(Debug, Clone, Args)]
pub struct McpArgs {
    /// Config file whose [targets.NAME] the `probe` tool may name; its keys go only to its
    /// targets [default: ./zencheck.toml when present]
    #[arg(long, value_name = "PATH", env = "ZENCHECK_CONFIG")]
    pub config: Option<PathBuf>,
}
