//! The checks, one file per family. Each returns a [`Finding`]; none returns `Err`.
//!
//! A check's request is data ([`request`]), so `--dry-run` prints exactly what a run sends.

// The registry's macros first: the one-file checks' modules are declared from its list.
#[macro_use]
mod registry;
with_checks!(declare_check_modules);

pub mod chat;
pub mod messages;
pub mod models;
pub mod responses;
pub mod spec;
pub mod stream;
pub mod structured;
pub mod tier;

pub use registry::CheckId;
pub use spec::{Cost, Judge, Spec, Stage};

use crate::classify::{classify, parse_error_body};
use crate::failure::Kind;
use crate::http::sse::Transcript;
use crate::http::{Answer, Http, Request};
use crate::outcome::{Evidence, Finding, Status};
use crate::route::Route;
use crate::target::Target;
use serde_json::Value;

impl CheckId {
    pub fn id(self) -> &'static str {
        self.spec().id
    }

    /// The generation route the check exercises; `None` for target-wide checks.
    pub fn route(self) -> Option<Route> {
        self.spec().route
    }

    pub fn endpoint(self) -> Option<&'static str> {
        self.spec().endpoint()
    }

    pub fn stage(self) -> Stage {
        self.spec().stage
    }

    pub fn cost(self) -> Cost {
        self.spec().cost
    }

    /// The check every other check of its route waits for (it also settles `max_tokens`).
    pub fn basic_of(route: Route) -> CheckId {
        CheckId::ALL
            .iter()
            .copied()
            .find(|c| c.route() == Some(route) && c.stage() == Stage::Basic)
            .expect("every route has a basic check (registry test)")
    }
}

/// Which parameter caps the output of a chat request, and how generous the caps are.
/// OpenAI's reasoning models refuse `max_tokens` and want `max_completion_tokens`;
/// `chat.basic` finds out which. A model whose answers show reasoning gets every cap raised
/// to [`REASONING_MAX_TOKENS`], since reasoning spends the cap before any answer is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenCap {
    completion_tokens: bool,
    /// The least cap of every request: 0, or [`REASONING_MAX_TOKENS`] for a reasoning model.
    floor: u64,
}

// Named like the variants of the enum this replaced, so call sites (and patterns) read the same.
#[allow(non_upper_case_globals)]
impl TokenCap {
    pub const MaxTokens: TokenCap = TokenCap {
        completion_tokens: false,
        floor: 0,
    };
    pub const MaxCompletionTokens: TokenCap = TokenCap {
        completion_tokens: true,
        floor: 0,
    };

    pub fn key(self) -> &'static str {
        if self.completion_tokens {
            "max_completion_tokens"
        } else {
            "max_tokens"
        }
    }

    /// The same parameter, with `max_completion_tokens`.
    pub fn completion_tokens(self) -> TokenCap {
        TokenCap {
            completion_tokens: true,
            ..self
        }
    }

    /// The caps for a model that reasons: at least [`REASONING_MAX_TOKENS`] each.
    pub fn for_reasoning(self) -> TokenCap {
        TokenCap {
            floor: REASONING_MAX_TOKENS,
            ..self
        }
    }

    /// The model was recognised as a reasoning model (its caps are raised).
    pub fn reasoning(self) -> bool {
        self.floor > 0
    }

    /// The cap a request whose own cap is `base` sends.
    pub fn tokens(self, base: u64) -> u64 {
        base.max(self.floor)
    }
}

/// The keys an output cap goes under, by API: chat (two of them), Responses.
pub const CAP_KEYS: [&str; 3] = ["max_tokens", "max_completion_tokens", "max_output_tokens"];

/// Raise the output cap a request body carries to `cap.tokens(...)`, under whichever key its
/// API uses; so builders that do not take a [`TokenCap`] (`/responses`, `/messages`) are
/// sized for a reasoning model too.
fn sized(mut req: Request, cap: TokenCap) -> Request {
    if let Some(body) = req.body.as_mut().and_then(Value::as_object_mut) {
        for k in CAP_KEYS {
            if let Some(n) = body.get(k).and_then(Value::as_u64) {
                body.insert(k.to_string(), Value::from(cap.tokens(n)));
            }
        }
    }
    req
}

/// The requests a check sends for `model`, in order (none for checks the probe derives).
pub fn requests(id: CheckId, model: &str, cap: TokenCap) -> Vec<Request> {
    let built = id.spec().build.map(|b| b(model, cap)).unwrap_or_default();
    built.into_iter().map(|r| sized(r, cap)).collect()
}

/// The (first) request a check sends for `model`; `None` for checks that send none.
pub fn request(id: CheckId, model: &str, cap: TokenCap) -> Option<Request> {
    requests(id, model, cap).into_iter().next()
}

/// What every check needs.
pub struct Ctx<'a> {
    pub http: &'a Http,
    pub target: &'a Target,
}

/// The tiny prompt every generation check sends.
pub const PROMPT: &str = "Reply with the single word: pong";
/// Output cap for plain answers: cheap, and enough for "pong".
pub const MAX_TOKENS: u64 = 16;
/// Output cap when a tool call is expected: a call with its JSON arguments needs more.
pub const MAX_TOKENS_TOOLS: u64 = 64;
/// Why a check for reasoning models did not run.
pub const NOT_REASONING: &str =
    "the model showed no reasoning in its basic check (no reasoning tokens or fields): this check is for reasoning models";
/// Output cap of every request to a model whose answers show reasoning, and of the one retry
/// a request gets when reasoning spent its whole first cap: enough for a low-effort
/// reasoning about "pong" (DeepSeek R1, Qwen3 and o-series spend tens to hundreds of tokens
/// there), small enough that a probe stays cheap.
pub const REASONING_MAX_TOKENS: u64 = 1024;

/// Run one generation check for `model`.
pub async fn run(cx: &Ctx<'_>, id: CheckId, model: &str, cap: TokenCap) -> Finding {
    let spec = id.spec();
    if matches!(spec.judge, Judge::Probe) || request(id, model, cap).is_none() {
        return skipped("sends no request of its own");
    }
    let mut f = attempt(cx, id, model, cap).await;
    // Reasoning spent the whole cap before any answer, or the answer stopped at the cap: once
    // more, with a cap sized for a reasoning model (only when the first cap was not that
    // already). A server that leaves the thought in the content untagged shows it only so.
    if f.kind == Some(Kind::OutputLength) && f.status != Status::Fail && !cap.reasoning() {
        let why = if reasoning_spent_cap(&f) {
            "reasoning spent the whole first one"
        } else {
            "the first answer stopped at its cap"
        };
        f = attempt(cx, id, model, cap.for_reasoning()).await;
        f.detail.push_str(&format!(
            " · retried once with a {REASONING_MAX_TOKENS}-token cap: {why}"
        ));
    }
    if spec.rejection_warns && f.kind == Some(Kind::ParamRejected) {
        f.status = Status::Warn;
    }
    f
}

/// One attempt at a check: its requests, sent and judged.
async fn attempt(cx: &Ctx<'_>, id: CheckId, model: &str, cap: TokenCap) -> Finding {
    match (id.spec().judge, request(id, model, cap)) {
        (Judge::Run(run), _) => run(cx, model, cap).await,
        (Judge::Json(judge), Some(req)) => send_json(cx, &req, |a| judge(a, model)).await,
        (Judge::Stream(judge), Some(req)) => send_stream(cx, &req, |t, h| judge(t, h, model)).await,
        (Judge::Probe, _) | (_, None) => skipped("sends no request of its own"),
    }
}

/// The answer stopped at its cap while the model reasoned, with nothing else written.
pub fn reasoning_spent_cap(f: &Finding) -> bool {
    f.kind == Some(Kind::OutputLength) && f.reasoning.is_some()
}

/// Send a non-streaming request; judge a 2xx with `judge`, classify anything else.
pub async fn send_json(
    cx: &Ctx<'_>,
    req: &Request,
    judge: impl FnOnce(&Answer) -> Finding,
) -> Finding {
    match cx.http.call(cx.target, req).await {
        Err(f) => f,
        Ok(a) if !a.is_success() => answer_error(&a, &req.sent_params()).note_retry(a.waited_secs),
        Ok(a) => judge(&a).note_retry(a.waited_secs),
    }
}

/// Send a streaming request. A refusal before the stream starts is classified; a 2xx
/// that is not SSE is `not_sse`; an SSE body is read under the bounds and judged.
pub async fn send_stream(
    cx: &Ctx<'_>,
    req: &Request,
    judge: impl FnOnce(&Transcript, u64) -> Finding,
) -> Finding {
    let sent = req.sent_params();
    let mut opened = match cx.http.open(cx.target, req).await {
        Ok(o) => o,
        Err(f) => return f,
    };
    // Hold the per-host place until the stream has been read.
    let _permit = opened.permit.take();
    let ok = (200..300).contains(&opened.status);
    let is_sse = opened
        .content_type
        .as_deref()
        .is_some_and(|c| c.contains("text/event-stream"));
    if !ok || !is_sse {
        let a = match cx.http.read_body(opened).await {
            Ok(a) => a,
            Err(f) => return f,
        };
        // A streamed request refused before it started gets a JSON error body.
        let f = if ok {
            stream::not_sse(&a, &sent)
        } else {
            answer_error(&a, &sent)
        };
        return f.note_retry(a.waited_secs);
    }
    let evidence = Evidence {
        http_status: Some(opened.status),
        provider_message: None,
        request_id: opened.request_id.clone(),
    };
    let (headers_ms, waited) = (opened.headers_ms, opened.waited_secs);
    let transcript = cx.http.read_stream(opened).await;
    let mut f = judge(&transcript, headers_ms);
    f.evidence.http_status = evidence.http_status;
    f.evidence.request_id = evidence.request_id;
    f.note_retry(waited)
}

/// A non-2xx answer (or an error body inside a 2xx) as a finding, quoting the server.
pub fn error_finding(
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
    request_id: Option<String>,
    retry_after: Option<u64>,
    sent: &[&str],
) -> Finding {
    let parsed = parse_error_body(content_type, body);
    let verdict = classify(status, &parsed, sent);
    let label = parsed
        .etype
        .as_deref()
        .or(parsed.code.as_deref())
        .map(|t| format!(" {t}"))
        .unwrap_or_default();
    let mut detail = format!("HTTP {status}{label}");
    if let Some(p) = &verdict.param {
        detail.push_str(&format!(": `{p}` refused"));
    } else if parsed.html {
        detail.push_str(" (HTML page)");
    }
    let mut f = Finding::fail(verdict.kind, detail).with_evidence(Evidence {
        http_status: Some(status),
        provider_message: parsed.message,
        request_id,
    });
    f.param = verdict.param;
    f.gateway = verdict.gateway;
    f.retry_after_secs = retry_after;
    f
}

pub fn answer_error(a: &Answer, sent: &[&str]) -> Finding {
    error_finding(
        a.status,
        a.content_type.as_deref(),
        &a.body,
        a.request_id.clone(),
        a.retry_after_secs,
        sent,
    )
    .with_timing(a.timing)
}

/// Parse a 2xx body that must be JSON; HTML and other text become `bad_response`.
pub fn json_body(a: &Answer) -> Result<Value, Finding> {
    let text = String::from_utf8_lossy(&a.body);
    let ct = a.content_type.as_deref().unwrap_or("");
    if ct.contains("html") || text.trim_start().starts_with('<') {
        let page = parse_error_body(Some("text/html"), &a.body)
            .message
            .unwrap_or_default();
        return Err(Finding::fail(
            Kind::BadResponse,
            format!(
                "HTTP {} with an HTML page instead of JSON: \"{page}\"",
                a.status
            ),
        )
        .with_evidence(a.evidence())
        .with_timing(a.timing));
    }
    serde_json::from_str(&text).map_err(|e| {
        Finding::fail(
            Kind::BadResponse,
            format!("body is not JSON ({e}): {}", chat::excerpt(&text, 120)),
        )
        .with_evidence(a.evidence())
        .with_timing(a.timing)
    })
}

/// A 2xx body that must be a JSON answer: HTML, non-JSON and error bodies become findings.
pub fn answer_json(a: &Answer) -> Result<Value, Finding> {
    let v = json_body(a)?;
    match error_inside_2xx(a, &v) {
        Some(f) => Err(f),
        None => Ok(v),
    }
}

/// What every non-streamed answer is checked for beyond its shape: usage is there, and the
/// model asked for answered. Returns the token counts for the summary (`usage` keys vary
/// by API: `prompt_tokens`/`completion_tokens`, or `input_tokens`/`output_tokens`).
pub fn judge_usage_and_model(
    v: &Value,
    asked: &str,
    keys: (&str, &str),
    p: &mut crate::outcome::Problems,
) -> String {
    if let Some(got) = v.get("model").and_then(Value::as_str) {
        if !same_model(asked, got) {
            p.warn(
                Kind::ModelMismatch,
                format!("asked for `{asked}`, `{got}` answered"),
            );
        }
    }
    match v.get("usage").filter(|u| u.is_object()) {
        Some(u) => format!(" · {} tokens", token_counts(u, keys)),
        None => {
            p.warn(
                Kind::BadResponse,
                "no usage in the answer: token counts will read zero",
            );
            String::new()
        }
    }
}

/// `12+3`: input and output token counts from a usage object, under the API's own keys.
pub fn token_counts(usage: &Value, keys: (&str, &str)) -> String {
    format!(
        "{}+{}",
        usage.get(keys.0).unwrap_or(&Value::Null),
        usage.get(keys.1).unwrap_or(&Value::Null)
    )
}

/// An error body inside a 2xx (some servers do that), classified like any error.
pub fn error_inside_2xx(a: &Answer, v: &Value) -> Option<Finding> {
    let has_error = v.get("error").is_some_and(|e| !e.is_null())
        || v.get("type").and_then(Value::as_str) == Some("error");
    let has_answer =
        v.get("choices").is_some() || v.get("output").is_some() || v.get("content").is_some();
    (has_error && !has_answer).then(|| {
        let mut f = error_finding(
            a.status,
            a.content_type.as_deref(),
            &a.body,
            a.request_id.clone(),
            None,
            &[],
        );
        f.detail = format!("{} (an error body inside HTTP {})", f.detail, a.status);
        f.with_timing(a.timing)
    })
}

/// `same_model("gpt-4o", "gpt-4o-2024-08-06")`: a dated, versioned or vendor-prefixed
/// variant is the same model; anything else answered in its place, even an id that shares
/// a prefix (`gpt-4o` answered by `gpt-4o-mini`).
pub fn same_model(asked: &str, got: &str) -> bool {
    let norm = |s: &str| {
        let s = s.trim().to_ascii_lowercase();
        let s = s.rsplit('/').next().unwrap_or(&s).to_string();
        let s = s.strip_suffix(":latest").unwrap_or(&s);
        s.strip_suffix("-latest").unwrap_or(s).to_string()
    };
    let (a, g) = (norm(asked), norm(got));
    let (short, long) = if a.len() <= g.len() {
        (&a, &g)
    } else {
        (&g, &a)
    };
    a == g
        || long
            .strip_prefix(short.as_str())
            .is_some_and(version_suffix)
}

/// `-2024-08-06`, `-0613`, `-20241022-v1:0`, `-001`: a snapshot of the same model, not
/// another model (`-mini`, `.1`, `:3b`).
fn version_suffix(rest: &str) -> bool {
    let Some(r) = rest.strip_prefix(['-', '@', ':']) else {
        return false;
    };
    r.chars().take_while(char::is_ascii_digit).count() >= 3
        && r.chars()
            .all(|c| c.is_ascii_digit() || "-.:_v@".contains(c))
}

/// A finding that says the check did not run, and why.
pub fn skipped(why: &str) -> Finding {
    Finding::new(Status::Skip, None, why)
}

/// Which checks a run includes: `--checks` and `--skip` patterns, each an id (`chat.basic`),
/// a family (`chat`), or a prefix glob (`chat.*`, `chat.tool_choice_*`).
#[derive(Debug, Clone, Default)]
pub struct Selection {
    include: Vec<String>,
    exclude: Vec<String>,
}

impl Selection {
    /// Refuses a pattern that matches no check, so a typo cannot silently select nothing.
    pub fn new(include: &[String], exclude: &[String]) -> Result<Selection, String> {
        for p in include.iter().chain(exclude) {
            if !CheckId::ALL.iter().any(|c| pattern_matches(p, c.id())) {
                let ids: Vec<&str> = CheckId::ALL.iter().map(|c| c.id()).collect();
                return Err(format!(
                    "`{p}` matches no check; ids are: {}",
                    ids.join(", ")
                ));
            }
        }
        Ok(Selection {
            include: include.to_vec(),
            exclude: exclude.to_vec(),
        })
    }

    /// Without `--checks`, the default checks; with it, whatever it names.
    /// Whether `--checks` names this check (by id, family or glob), as opposed to the
    /// default selection including it.
    pub fn names(&self, id: CheckId) -> bool {
        self.include.iter().any(|p| pattern_matches(p, id.id()))
    }

    pub fn wants(&self, id: CheckId) -> bool {
        let included = if self.include.is_empty() {
            id.spec().default
        } else {
            self.include.iter().any(|p| pattern_matches(p, id.id()))
        };
        included && !self.exclude.iter().any(|p| pattern_matches(p, id.id()))
    }
}

/// Does `pattern` (an id, a family, or a prefix glob) select the check `id`?
pub fn pattern_matches(pattern: &str, id: &str) -> bool {
    let p = pattern.trim();
    match p.strip_suffix('*') {
        Some(prefix) => id.starts_with(prefix),
        None => id == p || id.split('.').next() == Some(p),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_well_formed() {
        let ids: std::collections::HashSet<_> = CheckId::ALL.iter().map(|c| c.id()).collect();
        assert_eq!(ids.len(), CheckId::ALL.len());
        assert!(
            CheckId::ALL.windows(2).all(|w| w[0] < w[1]),
            "ALL is in report order"
        );
    }

    #[test]
    fn model_identity_allows_dated_and_prefixed_variants_only() {
        assert!(same_model("gpt-4o-mini", "gpt-4o-mini-2024-07-18"));
        assert!(same_model("openai/gpt-4o", "gpt-4o"));
        assert!(same_model("llama3.2", "llama3.2:latest"));
        assert!(!same_model("mock-small", "mock-fallback"));
        assert!(!same_model("gpt-4o", "claude-sonnet-4-5"));
        assert!(!same_model("gpt-4o", "gpt-4o-mini"));
        assert!(!same_model("gpt-5", "gpt-5.1"));
        assert!(same_model(
            "claude-3-5-sonnet-latest",
            "claude-3-5-sonnet-20241022"
        ));
        assert!(same_model("gpt-4", "gpt-4-0613"));
    }

    #[test]
    fn every_generation_request_caps_its_output() {
        for &id in CheckId::ALL {
            let Some(req) = request(id, "m", TokenCap::MaxTokens) else {
                continue;
            };
            let Some(body) = req.body else { continue };
            // An embedding generates no tokens: nothing to cap.
            if id.route() == Some(Route::Embeddings) {
                continue;
            }
            let cap = ["max_tokens", "max_completion_tokens", "max_output_tokens"]
                .iter()
                .find_map(|k| body.get(*k))
                .and_then(Value::as_u64);
            // Checks for reasoning models only are sized for them from the start.
            let most = if id.stage() == Stage::Reasoning {
                REASONING_MAX_TOKENS
            } else {
                MAX_TOKENS_TOOLS
            };
            assert!(
                cap.is_some_and(|c| c <= most),
                "{} sends no output cap",
                id.id()
            );
        }
    }

    #[test]
    fn the_token_cap_parameter_is_the_one_asked_for() {
        let r = request(CheckId::ChatStream, "m", TokenCap::MaxCompletionTokens).unwrap();
        let body = r.body.unwrap();
        assert_eq!(body["max_completion_tokens"], MAX_TOKENS);
        assert!(body.get("max_tokens").is_none());
    }

    #[test]
    fn sent_params_reads_the_body() {
        let r = request(CheckId::ChatStreamUsage, "m", TokenCap::MaxTokens).unwrap();
        assert_eq!(r.sent_params(), vec!["stream_options", "max_tokens"]);
        let null = request(CheckId::ChatToolChoiceNull, "m", TokenCap::MaxTokens).unwrap();
        assert!(
            null.sent_params().contains(&"tool_choice"),
            "an explicit null is sent"
        );
    }

    #[test]
    fn selection_patterns() {
        let s = Selection::new(&["chat.*".into()], &["chat.tool_choice_*".into()]).unwrap();
        assert!(s.wants(CheckId::ChatStream));
        assert!(!s.wants(CheckId::ChatToolChoiceNone));
        assert!(!s.wants(CheckId::ResponsesBasic));
        let family = Selection::new(&["responses".into()], &[]).unwrap();
        assert!(family.wants(CheckId::ResponsesTools) && !family.wants(CheckId::ChatBasic));
        assert!(Selection::new(&["chat.nope".into()], &[]).is_err());
        assert!(Selection::default().wants(CheckId::MessagesStream));
    }
}
