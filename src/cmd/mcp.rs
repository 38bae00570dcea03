//! `zencheck mcp`: zencheck's probe, explain and check list as tools of a Model Context
//! Protocol server on stdio, so an agent (opencode, Claude Code, Cursor) that hits a
//! provider error can diagnose it itself.
//!
//! stdout carries protocol messages only; anything else zencheck says goes to stderr.
//! A probe here is `zencheck probe` (the same resolution, bounds and report), with one
//! difference: keys go only where [`keys`] allows.

mod keys;
mod summary;
mod wire;

use crate::cli::{McpArgs, ProbeArgs};
use crate::error::RunError;
use crate::provider::Provider;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::tool::ToolCallContext;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, JsonObject,
};
use rmcp::service::RequestContext;
use rmcp::{tool, tool_handler, tool_router, ErrorData, RoleServer, ServerHandler, ServiceExt};
use schemars::JsonSchema;
use serde::Deserialize;
use std::path::PathBuf;
use std::sync::Arc;

/// The most a call's arguments may weigh, as JSON (documented in the README).
pub const MAX_ARGUMENTS: usize = 1 << 20;

/// Serve until the client closes stdin.
pub async fn command(args: &McpArgs) -> Result<u8, RunError> {
    let server = Server::new(args.config.clone());
    // stdin reaches the session through `wire`, which answers a message past the line cap
    // instead of dropping it in silence.
    let (to_session, from_stdin) = tokio::io::duplex(1 << 20);
    tokio::spawn(wire::pump(tokio::io::stdin(), to_session));
    let running = server
        .serve((from_stdin, tokio::io::stdout()))
        .await
        .map_err(|e| RunError::Io {
            what: "start the MCP session on stdin/stdout".into(),
            why: e.to_string(),
        })?;
    running.waiting().await.map_err(|e| RunError::Io {
        what: "serve MCP".into(),
        why: e.to_string(),
    })?;
    Ok(crate::error::EXIT_OK)
}

/// The `probe` tool's arguments.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProbeInput {
    /// A target of the server's zencheck.toml, by name (its key, headers and models come
    /// with it). Leave out target, base_url and provider to probe every target of the file
    pub target: Option<String>,
    /// Base URL ending before /chat/completions, e.g. http://127.0.0.1:11434/v1. A key is
    /// sent only if this is a target of the config file or the provider preset's own host
    pub base_url: Option<String>,
    /// Provider preset: its base URL, key variable and provider-worded hints
    pub provider: Option<Provider>,
    /// Model ids to probe (a comma also separates them); without any, only /models is checked
    #[serde(default)]
    pub models: Vec<String>,
    /// Run only these checks: ids, families or prefix globs (chat.stream, responses,
    /// chat.tool_choice_*); see list_checks
    #[serde(default)]
    pub checks: Vec<String>,
    /// Environment variable holding the API key (its name, never the key) [default: the
    /// preset's or the config target's]
    pub api_key_env: Option<String>,
    /// Run every check this many times (1-20), one run after another: a check that passes
    /// in some runs only comes back `flaky`. The cost multiplies by it [default: 1]
    #[schemars(range(min = 1, max = 20))]
    pub repeat: Option<u32>,
}

/// The `explain` tool's arguments.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExplainInput {
    /// What was seen: an error message, a status and body, an opencode error object or an
    /// SSE transcript
    pub text: String,
    /// Word the hint for this provider
    pub provider: Option<Provider>,
}

#[derive(Clone)]
pub struct Server {
    config: Option<PathBuf>,
    /// One probe at a time: two agents' calls must not double the load the per-host limit
    /// allows one run.
    one_probe: Arc<tokio::sync::Mutex<()>>,
    tool_router: ToolRouter<Server>,
}

/// The report's JSON Schema, the `probe` tool's output schema.
fn report_schema() -> Arc<JsonObject> {
    let v: serde_json::Value =
        serde_json::from_str(include_str!("../../schema/report.schema.json"))
            .expect("the report schema is JSON");
    match v {
        serde_json::Value::Object(o) => Arc::new(o),
        _ => unreachable!("the report schema is an object"),
    }
}

/// A failure the caller should read: a tool result marked as an error, its text scrubbed.
fn tool_error(r: &keys::Secrets, e: &RunError) -> CallToolResult {
    let mut text = e.to_string();
    if let Some(help) = miette::Diagnostic::help(e) {
        text.push_str(&format!("\nhelp: {help}"));
    }
    let text = crate::redact::strip_controls(&r.scrub(&text));
    CallToolResult::error(vec![ContentBlock::text(text)])
}

/// A JSON result: structured content, and the same as text for clients without it.
fn json_result(r: &keys::Secrets, mut v: serde_json::Value) -> CallToolResult {
    r.scrub_json(&mut v);
    CallToolResult::structured(v)
}

#[tool_router]
impl Server {
    pub fn new(config: Option<PathBuf>) -> Server {
        Server {
            config,
            one_probe: Default::default(),
            tool_router: Self::tool_router(),
        }
    }

    /// `zencheck probe` with the call's target, models and checks; the rest (bounds,
    /// deadline, per-host limit) as the CLI has them from ZENCHECK_* and the config file.
    fn probe_args(&self, input: &ProbeInput) -> Result<(ProbeArgs, bool), RunError> {
        use clap::Parser;
        let parsed = crate::cli::Cli::try_parse_from(["zencheck", "probe"])
            .map_err(|e| RunError::Usage(e.to_string()))?;
        let crate::cli::Command::Probe(args) = parsed.command else {
            unreachable!("parsed as probe")
        };
        let mut args = *args;
        if self.config.is_some() {
            args.config = self.config.clone();
        }
        let loaded = crate::cli::config::find(args.config.as_deref())
            .ok()
            .flatten();
        // Comma lists read as the CLI reads `-m a,b` and `--checks a,b`.
        let split = |v: &[String]| -> Vec<String> {
            v.iter()
                .flat_map(|s| s.split(','))
                .map(str::to_string)
                .collect()
        };
        args.models = split(&input.models);
        args.checks = split(&input.checks);
        args.api_key_env = input.api_key_env.clone();
        if let Some(n) = input.repeat {
            if !(1..=crate::cli::MAX_REPEAT).contains(&n) {
                return Err(RunError::Usage(format!(
                    "repeat is {n}; it takes 1 to {}",
                    crate::cli::MAX_REPEAT
                )));
            }
            args.repeat = n;
        }
        let adhoc = input.base_url.is_some() || input.provider.is_some();
        // Whether the targets come from the config file: only those may carry its keys.
        let from_config = match (&input.target, &input.base_url) {
            (Some(_), _) if adhoc => {
                return Err(RunError::Usage(
                    "give target (a config target) or base_url/provider, not both".into(),
                ))
            }
            (Some(name), _) => {
                if loaded.is_none() {
                    return Err(RunError::Usage(format!(
                        "no config file: target `{name}` needs a {} where the server runs (or `zencheck mcp --config PATH`)",
                        crate::cli::config::DEFAULT_FILE
                    )));
                }
                args.targets = vec![name.clone()];
                true
            }
            (None, Some(url)) => match loaded.as_ref().and_then(|l| keys::config_target_at(l, url))
            {
                Some(name) => {
                    args.targets = vec![name];
                    true
                }
                None => {
                    args.base_url = Some(url.clone());
                    args.provider = input.provider;
                    false
                }
            },
            (None, None) if adhoc => {
                args.provider = input.provider;
                false
            }
            // Every target of the file; without one, OPENAI_BASE_URL's (judged as any URL).
            (None, None) => loaded.is_some(),
        };
        Ok((args, from_config))
    }

    /// Probe an OpenAI-compatible endpoint as `zencheck probe` does: which requests work,
    /// which parameters are rejected or ignored, why, and the one fix. Returns the JSON
    /// report (structured and as text) and a short summary naming each failing check, its
    /// kind code and parameter, and the call's cost in requests and output tokens. Keys are
    /// sent only to targets of the config file and to a provider preset's own host; any
    /// other URL is probed with no key, and the result says so.
    // Not read-only: it spends the user's requests and tokens, so a client asks first.
    #[tool(
        output_schema = report_schema(),
        annotations(
            title = "Probe an LLM endpoint",
            read_only_hint = false,
            destructive_hint = false,
            open_world_hint = true
        )
    )]
    async fn probe(
        &self,
        Parameters(input): Parameters<ProbeInput>,
    ) -> Result<CallToolResult, ErrorData> {
        let _one = self.one_probe.lock().await;
        let loaded = crate::cli::config::find(self.config.as_deref())
            .ok()
            .flatten();
        let secrets = keys::Secrets::read(loaded.as_ref(), input.api_key_env.as_deref());
        let report = async {
            let (args, from_config) = self.probe_args(&input)?;
            let mut run = crate::cli::setup::build(&args)?;
            if !from_config {
                for (t, _) in &mut run.targets {
                    if !keys::preset_host(t) {
                        keys::withhold(t);
                    }
                }
            }
            super::probe::probe_built(run, &args, None, crate::stop::Stop::default()).await
        }
        .await;
        let report = match report {
            Ok(r) => r,
            Err(e) => return Ok(tool_error(&secrets, &e)),
        };
        let summary = secrets.scrub(&summary::render(&report));
        let mut json = serde_json::to_value(&report).expect("the report serialises");
        secrets.scrub_json(&mut json);
        let text = serde_json::to_string_pretty(&json).expect("JSON serialises");
        let mut result = CallToolResult::structured(json);
        result.content = vec![ContentBlock::text(summary), ContentBlock::text(text)];
        Ok(result)
    }

    /// Classify a pasted error offline, as `zencheck explain --format json` does: an error
    /// message, an HTTP status and body, an opencode error object or an SSE transcript.
    /// Returns the kind code, what it means, the evidence read and the one fix. Sends nothing.
    #[tool(annotations(
        title = "Explain an LLM API error",
        read_only_hint = true,
        open_world_hint = false
    ))]
    async fn explain(
        &self,
        Parameters(input): Parameters<ExplainInput>,
    ) -> Result<CallToolResult, ErrorData> {
        let loaded = crate::cli::config::find(self.config.as_deref())
            .ok()
            .flatten();
        let secrets = keys::Secrets::read(loaded.as_ref(), None);
        if input.text.trim().is_empty() {
            let e = RunError::Usage("nothing to explain: text is empty".into());
            return Ok(tool_error(&secrets, &e));
        }
        let e = super::explain::explain(&input.text, input.provider);
        let v = serde_json::to_value(&e).expect("an explanation serialises");
        Ok(json_result(&secrets, v))
    }

    /// Every check zencheck can run: id, endpoint, whether it runs by default, its cost in
    /// requests and output tokens, and what it proves. Sends nothing.
    #[tool(annotations(
        title = "List zencheck's checks",
        read_only_hint = true,
        open_world_hint = false
    ))]
    async fn list_checks(&self) -> Result<CallToolResult, ErrorData> {
        let loaded = crate::cli::config::find(self.config.as_deref())
            .ok()
            .flatten();
        let secrets = keys::Secrets::read(loaded.as_ref(), None);
        Ok(json_result(&secrets, super::checks::json()))
    }
}

/// Counts the bytes a value serialises to, without keeping them.
#[derive(Default)]
struct Weigh(usize);

impl std::io::Write for Weigh {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0 += b.len();
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tool_handler(
    router = self.tool_router,
    name = "zencheck",
    instructions = "zencheck tells whether an OpenAI-compatible LLM endpoint works for the way an app calls it, and if not, why and what to change. probe sends real requests (each capped in output tokens; cost in the result); explain and list_checks send nothing. Keys go only to targets of the user's zencheck.toml and to a provider preset's own host."
)]
impl ServerHandler for Server {
    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        if let Some(n) = request
            .arguments
            .as_ref()
            .and_then(|a| a.get(wire::OVERSIZED))
            .and_then(serde_json::Value::as_u64)
        {
            return Err(ErrorData::invalid_request(
                format!(
                    "the message was {n} bytes; zencheck mcp reads at most {} bytes (16 MiB) per message and {MAX_ARGUMENTS} bytes (1 MiB) of arguments per call: it was not read",
                    wire::MAX_MESSAGE
                ),
                None,
            ));
        }
        if let Some(args) = &request.arguments {
            let mut w = Weigh::default();
            serde_json::to_writer(&mut w, args).map_err(|e| {
                ErrorData::invalid_params(format!("arguments do not serialise: {e}"), None)
            })?;
            if w.0 > MAX_ARGUMENTS {
                return Err(ErrorData::invalid_params(
                    format!(
                        "the arguments are {} bytes; zencheck takes at most {MAX_ARGUMENTS} bytes (1 MiB) of arguments per call",
                        w.0
                    ),
                    None,
                ));
            }
        }
        let tcc = ToolCallContext::new(self, request, context);
        self.tool_router.call(tcc).await
    }
}
