//! Reads an error answer (status + body) and names its failure kind.
//!
//! Two halves: [`envelope`] reads whatever shape the body comes in (and [`paste`] what a
//! user copied from a terminal: an SDK's exception, a log line, a wrapper around a body)
//! into one [`ErrorBody`]; [`rules`] is an ordered table, as data, from what was read to a
//! kind and a parameter. The status alone lies (Zen answers an unknown model with 401), so
//! the body is always read too. The probe and `zencheck explain` both come through here.

mod account;
mod answer_fields;
mod capability;
mod clients;
pub mod codes;
pub mod confidence;
mod cut;
mod deny;
mod edges;
mod envelope;
mod facts;
mod gateways;
mod google;
mod grounds;
pub mod in_stream;
mod label;
mod loose;
mod negated;
mod net;
mod param_words;
mod params;
pub mod paste;
mod relay;
mod router;
pub mod rules;
mod runtime;
mod servers;
mod status_words;
mod subject;
mod tool_args;
mod whole_body;

use crate::failure::{Kind, RuleHint};

pub use envelope::{parse_error_body, shape, Shape};
pub use params::refusal_words;

/// The normalised content of an error body.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ErrorBody {
    pub message: Option<String>,
    /// `error.type`, or Zen's error class name (`ModelError`, `CreditsError`…).
    pub etype: Option<String>,
    pub code: Option<String>,
    /// The parameter the server blames (`error.param`, or the last element of a FastAPI `loc`).
    pub param: Option<String>,
    /// The body is an HTML page (a proxy's or a login page), not an API answer.
    pub html: bool,
    /// Every code-like string of the body, lowercased: `type`, `code`, Google's `status`
    /// and `details[].reason`, Azure's `innererror.code`. Rules match on these.
    pub tags: Vec<String>,
    /// A wait the body itself asks for (Google's `RetryInfo.retryDelay`).
    pub retry_after_secs: Option<u64>,
    /// An HTML page's text (tags stripped, capped): what a CDN's or firewall's page says
    /// beyond its title.
    pub page: Option<String>,
    /// The body is a structured error (JSON, a repr): an API's error envelope, not a page
    /// or a line of text. See [`Shape`].
    pub envelope: bool,
    /// The path the body itself says was requested (Spring's and RFC 7807's `path` /
    /// `instance`): behind a gateway or a local router it is the upstream's path, which the
    /// client's own URL does not show.
    pub path: Option<String>,
}

/// Parameters a probe may send; a message naming one of them is a parameter problem.
/// Longer names first so `max_completion_tokens` is not read as `max_tokens`.
pub const KNOWN_PARAMS: &[&str] = &[
    "reasoning_effort",
    "max_completion_tokens",
    "max_output_tokens",
    "max_new_tokens",
    "parallel_tool_calls",
    "encoding_format",
    "response_format",
    "stream_options",
    "include_usage",
    "tool_choice",
    "temperature",
    "max_tokens",
    "tools",
];

const MESSAGE_CAP: usize = 400;

/// A message on one line, capped (on a char boundary).
pub fn one_line(s: &str) -> String {
    crate::fit::excerpt(s, MESSAGE_CAP)
}

/// How sure a verdict is: `Low` when it rests on the status alone, a client's exception
/// name, or a message that reads two ways.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    High,
    Low,
}

/// The classification of one error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classification {
    pub kind: Kind,
    /// The parameter the answer blames, when it blames one.
    pub param: Option<String>,
    pub gateway: bool,
    /// The id of the rule that decided (`rules::RULES`), or `provider_code`.
    pub rule: &'static str,
    /// The hint that rule words its own way, if any.
    pub hint: Option<RuleHint>,
    pub confidence: Confidence,
    /// What the verdict rests on, in words: "Zhipu code 1301 (…)", "the message", "HTTP 403 alone".
    pub evidence: String,
}

/// Classify an error answer. `sent` lists the optional parameters the request carried:
/// only those can be blamed.
pub fn classify(status: u16, body: &ErrorBody, sent: &[&str]) -> Classification {
    classify_at(status, body, sent, None)
}

/// [`classify`], knowing where the request went: `url` is its URL or its path
/// (`/v1/chat/completions`), which tells a 404 about the URL from a 404 about what the
/// request named (see [`read_404`]).
pub fn classify_at(
    status: u16,
    body: &ErrorBody,
    sent: &[&str],
    url: Option<&str>,
) -> Classification {
    decide_at(Some(status), body, sent, "", url).unwrap_or(Classification {
        kind: Kind::BadResponse,
        param: None,
        gateway: false,
        rule: "none",
        hint: None,
        confidence: Confidence::Low,
        evidence: format!("HTTP {status} alone"),
    })
}

/// The fix of a connection that failed below HTTP, by the phase its words name (`net`): the
/// probe's transport failures and `explain` share it.
pub fn network_hint(words: &str) -> Option<RuleHint> {
    net::hint_of(words)
}

/// Without a status, read the words (an exception's text, a log line).
pub fn classify_words(body: &ErrorBody) -> Option<Kind> {
    decide(None, body, KNOWN_PARAMS, "").map(|v| v.kind)
}

/// Longest wrapper text the rules read words from: its start and its end, where
/// exception names and messages sit.
const CONTEXT_CAP: usize = 32 << 10;

/// How much of an error page's text the rules read.
const PAGE_WORDS: usize = 1024;

/// The one decision both the probe and `explain` make. `context` is text around the body
/// (an exception's name and message, a traceback) whose words count too.
pub fn decide(
    status: Option<u16>,
    body: &ErrorBody,
    sent: &[&str],
    context: &str,
) -> Option<Classification> {
    decide_at(status, body, sent, context, None)
}

/// [`decide`], knowing the URL (or path) the request went to, when the probe sent it or
/// the paste quotes it. Its confidence is set by the evidence it rests on
/// ([`confidence::calibrate`]).
pub fn decide_at(
    status: Option<u16>,
    body: &ErrorBody,
    sent: &[&str],
    context: &str,
    url: Option<&str>,
) -> Option<Classification> {
    let status = innermost(status, body);
    let v = weighed(status, body, sent, context, url)?;
    // Calibration only ever lowers: a verdict already low needs no second look.
    if v.confidence == Confidence::Low {
        return Some(v);
    }
    Some(with_basis(v, status, body, sent, context, url, false).0)
}

/// [`decide_at`], with the evidence its verdict rests on, read whole (what the corpus's
/// calibration measure groups by; `decide_at` reads only what its policy needs).
pub fn decide_with_basis(
    status: Option<u16>,
    body: &ErrorBody,
    sent: &[&str],
    context: &str,
    url: Option<&str>,
) -> Option<(Classification, confidence::Basis)> {
    let status = innermost(status, body);
    let v = weighed(status, body, sent, context, url)?;
    Some(with_basis(v, status, body, sent, context, url, true))
}

/// A wrapper's 5xx whose message states the status of what it wrapped (a web framework's own
/// refusal, an HTTP client's "Request failed with status code 401" quoted by a proxy): the
/// innermost status is the cause's. `explain` reads a paste so already (`paste`); the probe's
/// answers get the same reading here.
fn innermost(status: Option<u16>, body: &ErrorBody) -> Option<u16> {
    match (status, body.message.as_deref()) {
        (Some(s), Some(m)) if s >= 500 => status_words::said_by_framework(&m.to_ascii_lowercase())
            .filter(|inner| *inner < 500)
            .or(status),
        _ => status,
    }
}

/// The layers' verdict, weighed against what surrounds it, before calibration.
fn weighed(
    status: Option<u16>,
    body: &ErrorBody,
    sent: &[&str],
    context: &str,
    url: Option<&str>,
) -> Option<Classification> {
    let msg = body.message.as_deref().unwrap_or("").to_lowercase();
    let facts = facts_of(status, body, sent, msg, context);
    // A notice that only guesses at several causes names none (`grounds`).
    if grounds::guesses_several(&facts) {
        return None;
    }
    let v = decide_layers(status, body, sent, context, url);
    // A connection that failed below HTTP, by its phase: the OS's, TLS library's or proxy's
    // words and codes (`net`).
    let v = net::read(v, &facts)?;
    // A client's exception label the body's reading contradicts makes that reading likely.
    let v = label::weigh(body, context, v);
    // The parameter an account's refusal names (`stream`, for an unverified organisation).
    let v = gateways::refine(v, body);
    // An upstream's refusal a relay passed on is about the relay's channel (`relay`).
    let v = relay::upstream(v, &relay_text(body, context));
    // Google's missing model or method gets Google's fix (`google`).
    let v = google::refine(v, &facts);
    // A refusal that names no parameter, where its location names the field (`params`).
    let v = params::located_in(v, body);
    // A tool refused by its schema, not for being a tool: the schema's fix (`params`).
    let v = params::tool_schema(v, &facts.msg);
    // A message shape the endpoint does not take though the API has it (`params`).
    let v = params::message_shape(v, &facts.words);
    // A parameter's value refused, whichever layer named the parameter: change, not drop.
    let v = param_words::value_fix(v, body);
    // A cap below zero: the prompt, most likely, already fills the window.
    let v = param_words::negative_cap(v, body);
    // An overflow whose larger part is the output cap asked for: the cap's fix.
    let v = param_words::cap_share(v, body);
    // A message that names both a missing id and a refused one gets the fix that holds for both.
    let v = both_readings(v, &facts.words);
    // The numbers a server's own sentence holds (a window, a limit), quoted (`servers`).
    Some(servers::quote(v, &facts))
}

/// "Does not exist or you do not have access": whichever of the two a layer chose, the fix
/// must hold for both, and the answer is a likely one.
fn both_readings(mut v: Classification, words: &str) -> Classification {
    if v.hint.is_none() && reads_two_ways(words, v.kind) {
        v.hint = Some(RuleHint::MissingOrNoAccess);
        v.confidence = Confidence::Low;
    }
    v
}

/// `v`, calibrated on the evidence it rests on, and that evidence (`whole`: every part of
/// it, even those the policy does not need for this verdict).
fn with_basis(
    v: Classification,
    status: Option<u16>,
    body: &ErrorBody,
    sent: &[&str],
    context: &str,
    url: Option<&str>,
    whole: bool,
) -> (Classification, confidence::Basis) {
    let facts = facts_of(
        status,
        body,
        sent,
        body.message.as_deref().unwrap_or("").to_lowercase(),
        context,
    );
    let alone = || decide_layers(status, body, sent, "", url).map(|a| a.kind);
    let status_alone = || {
        let bare = ErrorBody {
            html: body.html,
            ..Default::default()
        };
        decide_layers(status, &bare, sent, "", None).map(|a| a.kind)
    };
    let basis = confidence::Basis::of(&v, &facts, context, whole, alone, status_alone);
    (confidence::calibrate(v, &basis), basis)
}

/// What the relay reader looks at: message, codes, type and the text around them, lowercased.
fn relay_text(body: &ErrorBody, context: &str) -> String {
    format!(
        "{} {} {} {}",
        body.message.as_deref().unwrap_or(""),
        body.tags.join(" "),
        body.etype.as_deref().unwrap_or(""),
        bounded(context)
    )
    .to_lowercase()
}

/// The layers of [`decide_at`], the more specific evidence first, before a client's label
/// is weighed and confidence is calibrated.
fn decide_layers(
    status: Option<u16>,
    body: &ErrorBody,
    sent: &[&str],
    context: &str,
    url: Option<&str>,
) -> Option<Classification> {
    if let Some(u) = url.filter(|u| doubled(u)) {
        return Some(Classification {
            kind: Kind::BaseUrl,
            param: None,
            gateway: false,
            rule: "url_doubled",
            hint: None,
            confidence: Confidence::High,
            evidence: format!(
                "the URL {}: a second address inside its path, so the client joined a full endpoint URL onto its base URL",
                one_line(u.split(['?', '#']).next().unwrap_or(""))
            ),
        });
    }
    if let Some(u) = url.filter(|u| route_in_query(u)) {
        return Some(Classification {
            kind: Kind::BaseUrl,
            param: None,
            gateway: false,
            rule: "route_in_query",
            hint: None,
            confidence: Confidence::Low,
            // The query is not quoted: it often carries a token.
            evidence: format!(
                "the URL {}?…: its route follows a query string, so the base URL ends in one and the request went to the base path",
                one_line(u.split(['?', '#']).next().unwrap_or(""))
            ),
        });
    }
    let msg = body.message.as_deref().unwrap_or("").to_lowercase();
    if let Some(v) = url.and_then(|u| wire_mismatch(u, &msg)) {
        return Some(v);
    }
    let facts = facts_of(status, body, sent, msg, context);
    let verdict =
        |rule: &'static rules::Rule, param, confidence, evidence: String| Classification {
            kind: rule.kind,
            param,
            gateway: rule.gateway,
            rule: rule.id,
            hint: rule.hint,
            confidence,
            evidence,
        };
    // A relay's own words about the token, account or channel it holds (`relay`).
    if let Some(v) = relay::own(&facts.words, &body.tags) {
        return Some(v);
    }
    // Who answered, by what the text says about the answerer: a vendor's block page, a
    // gateway's words about its upstream, the engine's own memory settings.
    if let Some(v) = edges::who_answered(status, body, &facts.words) {
        return Some(v);
    }
    // A field the server's schema validator names as one it lacks (`param_words`).
    if let Some(v) = param_words::extra_field(&facts) {
        return Some(v);
    }
    // The provider's own code, read per provider.
    let code_text = negated::scrub(&format!(
        "{} {} {} {} {}",
        body.message.as_deref().unwrap_or(""),
        body.code.as_deref().unwrap_or(""),
        body.etype.as_deref().unwrap_or(""),
        body.page.as_deref().unwrap_or(""),
        bounded(context)
    ));
    let code = codes::lookup(&code_text, &body.tags, status);
    // A model sent to a route of another capability, before the codes and rules that read
    // it as a bad id (`capability`).
    let strong = code.filter(|r| !r.weak && !r.family).map(|r| r.kind());
    if let Some(v) = capability::read(&facts, url, strong) {
        return Some(v);
    }
    // Gemini's "not found for API version …, or is not supported for M", by what the id serves.
    if let Some(v) = google::model_method(&facts) {
        return Some(v);
    }
    let from_code = |row: &codes::Row| {
        let kind = row.kind();
        let param = (kind == Kind::ParamRejected)
            .then(|| row.param.clone().or_else(|| params::blamed(&facts)))
            .flatten();
        Classification {
            kind,
            param,
            gateway: false,
            rule: "provider_code",
            // A code that says the model is still loading words its fix as a cold start does.
            hint: (kind == Kind::ColdStart).then_some(RuleHint::ModelLoading),
            confidence: if row.cautious {
                Confidence::Low
            } else {
                Confidence::High
            },
            evidence: format!("{} code {} ({})", row.provider, row.code, row.says),
        }
    };
    // A key Google blocked as leaked, under its canonical PERMISSION_DENIED (`google`).
    if let Some(v) = google::key_state(&facts) {
        return Some(v);
    }
    // A documented code that means no more than "bad request" says less than a message rule
    // that names a kind or the field at fault: that rule is read instead, below.
    // So does a code for "too many" (Google's canonical RESOURCE_EXHAUSTED, Bedrock's
    // ThrottlingException) against words that say what ran out is the account's credit or
    // its plan's monthly allowance, or that the server is out of capacity (Vertex's
    // RESOURCE_EXHAUSTED "the service is temporarily out of capacity").
    let says_more = |row: &codes::Row| {
        let by_message = || rules::first_match(&facts, rules::Layer::Message);
        (row.kind() == Kind::BadRequest
            && row.param.is_none()
            && by_message().is_some_and(|(r, p)| {
                !param_words::is_generic(r.id) && (r.kind != Kind::BadRequest || p.is_some())
            }))
            || (row.kind() == Kind::RateLimit
                && by_message()
                    .is_some_and(|(r, _)| r.kind == Kind::Billing || r.id == "overloaded"))
            // A header the request lacks, under an auth code (Anthropic's 401).
            || by_message().is_some_and(|(r, _)| r.id == "header_required")
    };
    if let Some(row) = code.filter(|r| !r.weak && !r.family && !says_more(r)) {
        let v = status_row_doubted(from_code(row), row, &facts);
        let v = deny::over_status_code(v, row.canonical, &facts);
        return Some(account::refine(v, &facts));
    }
    // A gateway's own words for its own refusal, before the provider's words they resemble.
    if let Some(v) = gateways::read(&facts) {
        return Some(v);
    }
    // Gemini's own reason why an answer stopped or a prompt was blocked (`google`).
    if let Some(v) = google::finish(&facts) {
        return Some(v);
    }
    // A client's own refusal before sending, or a redirect it did not follow (`clients`).
    let raw = format!(
        "{} {}",
        body.message.as_deref().unwrap_or(""),
        bounded(context)
    );
    if let Some(v) = clients::read(&facts, &raw) {
        return Some(v);
    }
    // A client's own runtime exception whose subject decides, before words inside its names.
    if let Some(v) = runtime::early(&facts) {
        return Some(v);
    }
    let by_message = rules::first_match(&facts, rules::Layer::Message);
    // A deny rule that matched only on a client's status label (`AuthenticationError`) is
    // no message: the words without the label are read instead (`deny`).
    let by_message = deny::unlabelled(&facts, by_message);
    // A self-hosted server's own sentence, read as its source means it (`servers`).
    if let Some(v) = servers::read(&facts, by_message.as_ref().map(|(r, _)| r.kind)) {
        return Some(v);
    }
    // A finish reason that stopped the answer short, over a generic failure (`clients`).
    if let Some(v) = clients::finish(&facts, by_message.as_ref().map(|(r, _)| r.kind)) {
        return Some(v);
    }
    // An answer whose reasoning took the whole output cap (`clients`).
    if let Some(v) = clients::spent_on_reasoning(&facts, by_message.as_ref().map(|(r, _)| r.kind)) {
        return Some(v);
    }
    // An AI SDK error class that says what failed, over general words (`clients`).
    if let Some(v) = clients::ai_sdk_class(&facts, by_message.as_ref().map(|(r, _)| r.id)) {
        return Some(v);
    }
    // A closed connection: which side left, and whether the answer had begun (`cut`).
    if let Some(v) = cut::read(&facts, by_message.as_ref().map(|(r, _)| r.kind)) {
        return Some(v);
    }
    // A JSON parse failure of a whole answer, not of a stream's event (`whole_body`).
    if let Some(v) = whole_body::read(&facts, by_message.as_ref().map(|(r, _)| r.kind)) {
        return Some(v);
    }
    // An answer said to lack a field every answer has (`answer_fields`).
    if let Some(v) = answer_fields::read(&facts, by_message.as_ref().map(|(r, _)| r.kind)) {
        return Some(v);
    }
    // The account's state, plan or region, over loose words or the status (`account`).
    if let Some(v) = account::decide(&facts, by_message.as_ref().map(|(r, _)| *r)) {
        return Some(v);
    }
    // What a negation is about, when only loose words speak otherwise (`subject`).
    if let Some(v) = subject::decide(&facts, by_message.as_ref().map(|(r, _)| r.id)) {
        return Some(v);
    }
    // A parameter refused in words no rule holds, named by the grammar (`param_words`).
    let named = by_message.as_ref().map(|(r, p)| (r.id, p.is_some()));
    if let Some(v) = param_words::decide(&facts, named) {
        return Some(v);
    }
    // A refusal's grounds, read as an act and a ground in one sentence (`grounds`).
    if let Some(v) = grounds::decide(&facts, by_message.as_ref().map(|(r, _)| r.id)) {
        return Some(v);
    }
    // What a refusal's words say was refused, over a deny rule's word or the status (`deny`).
    if let Some(v) = deny::decide(&facts, by_message.as_ref().map(|(r, _)| *r)) {
        return Some(v);
    }
    if let Some((rule, param)) = by_message {
        let by_status = rules::first_match(&facts, rules::Layer::Status).map(|(r, _)| r.kind);
        let disagree = status
            .zip(by_status)
            .filter(|(s, k)| !agrees(*s, *k, rule.kind));
        // A message that only guesses ("may be temporarily unavailable") at what a definite
        // status contradicts: the status is the evidence (a client's wrapper guessing at an
        // outage around a 401).
        if let Some((s, _)) = disagree.filter(|_| grounds::guesses(&facts.words)) {
            if let Some((r, p)) = rules::first_match(&facts, rules::Layer::Status) {
                return Some(verdict(
                    r,
                    p,
                    Confidence::Low,
                    format!("HTTP {s}, over a message that only guesses at the cause"),
                ));
            }
        }
        let two_ways = reads_two_ways(&facts.words, rule.kind);
        let (confidence, evidence) = match disagree {
            Some((s, k)) => (
                Confidence::Low,
                format!(
                    "the message, although HTTP {s} alone would mean {}",
                    k.code()
                ),
            ),
            None if rule.cautious || two_ways => (
                Confidence::Low,
                "a message that can be read more than one way".to_string(),
            ),
            None => (Confidence::High, "the message".to_string()),
        };
        return Some(verdict(rule, param, confidence, evidence));
    }
    if let Some(row) = code {
        let mut v = status_row_doubted(from_code(row), row, &facts);
        // A generic code ("invalid parameter", a validation error) with no words any rule
        // reads is thin evidence: the kind it stands for is the likeliest, no more.
        if row.weak {
            v.confidence = Confidence::Low;
        }
        return Some(v);
    }
    // The upstream's status a relay reports in its own words, with nothing else passed on.
    if let Some(v) = relay::upstream_status(&facts.words) {
        return Some(v);
    }
    // A Google client's bare 404: its URL carries the model id and the API version.
    if let Some(v) = google::bare_404(&facts, url) {
        return Some(v);
    }
    // A 404 shown without a status: a server's log line, a registry lookup, a router's miss.
    let pasted = format!(
        "{}\n{}",
        body.message.as_deref().unwrap_or(""),
        bounded(context)
    );
    if status == Some(404) {
        let said = url.into_iter().chain(body.path.as_deref());
        if let Some(v) = version_twice_in(said.chain([facts.words.as_str()])) {
            return Some(v);
        }
    }
    if let Some(v) = router::read(status, body, &pasted.to_lowercase()) {
        return Some(v);
    }
    if status == Some(404) {
        if let Some(v) = read_404(body, url.or(body.path.as_deref())) {
            return Some(v);
        }
    }
    // A proxy's log line that names who failed; a status only layers send.
    let edge = match status {
        None => edges::proxy_log(context),
        Some(s) => edges::by_status(s),
    };
    if edge.is_some() {
        return edge;
    }
    // A server error whose own words say it gave up waiting ("upstream request timeout",
    // "context deadline exceeded" in a 500 or 502): a gateway's timeout, as a 504 is, likely.
    if let Some(v) = timeout_in_5xx(status, body) {
        return Some(v);
    }
    if let Some((rule, param)) = rules::first_match(&facts, rules::Layer::Status) {
        // A bare 404 from an Ollama client: the model, likely (`router`).
        if rule.id == "status_404" {
            if let Some(v) = router::ollama_bare_404(body, &facts.words, url) {
                return Some(v);
            }
        }
        let evidence = match status {
            Some(s) => format!("HTTP {s} alone, with no message zencheck knows"),
            None => "the text alone".into(),
        };
        return Some(verdict(rule, param, Confidence::Low, evidence));
    }
    // No status, but a generic error code in the body that stands for one
    // (`not_found_error`, `server_error`): read it as that status, as cautiously.
    let implied = status
        .is_none()
        .then(|| generic_status(&body.tags).or_else(|| grpc_status(&facts.words)))
        .flatten();
    if let Some((code, implied)) = implied {
        let as_status = rules::Facts {
            status: Some(implied),
            ..facts
        };
        if let Some((rule, param)) = rules::first_match(&as_status, rules::Layer::Status) {
            return Some(verdict(
                rule,
                param,
                Confidence::Low,
                format!("the generic error code `{code}` alone"),
            ));
        }
        return first_exception(&as_status, &verdict);
    }
    runtime::late(&facts)
        .or_else(|| first_exception(&facts, &verdict))
        .or_else(|| by_roots(&facts))
        .or_else(|| located_refusal(body, &facts.msg))
}

/// A 5xx whose body (not a client's wrapper: its retries time out on their own) says the
/// server timed out waiting.
fn timeout_in_5xx(status: Option<u16>, body: &ErrorBody) -> Option<Classification> {
    const WAITED: &[&str] = &[
        "timed out",
        "timeout",
        "time-out",
        "deadline exceeded",
        "超时",
    ];
    let s = status.filter(|s| (500..600).contains(s))?;
    let msg = body.message.as_deref()?.to_lowercase();
    let word = WAITED.iter().find(|w| msg.contains(*w))?;
    // Words of an outage beside it ("all upstream channels are unavailable … Request
    // Timeout"): the outage is the cause, the timeout its symptom.
    if [
        "unavailable",
        "overloaded",
        "internal error",
        "internal server error",
    ]
    .iter()
    .any(|w| msg.contains(w))
    {
        return None;
    }
    Some(Classification {
        kind: Kind::Timeout,
        param: None,
        gateway: false,
        rule: "timeout_in_5xx",
        hint: None,
        confidence: Confidence::Low,
        evidence: format!("HTTP {s} whose message says \"{word}\""),
    })
}

/// Words no rule reads that refuse a part of the request by the server's own location
/// (`messages.2: \`tool_use\` blocks can only be in \`assistant\` messages`): the request's
/// shape at that field, likely. The last reading, below every rule and the status.
fn located_refusal(body: &ErrorBody, msg: &str) -> Option<Classification> {
    const REFUSING: &[&str] = &[
        "must",
        "only",
        "invalid",
        "required",
        "not ",
        "expected",
        "cannot",
        "can't",
        "should",
        "unexpected",
        "missing",
        "error",
        "unknown",
        "unsupported",
    ];
    if !REFUSING.iter().any(|w| msg.contains(w)) {
        return None;
    }
    let field = params::located(body.message.as_deref()?)?;
    Some(Classification {
        kind: Kind::BadRequest,
        evidence: format!("a refusal located in the request's `{field}`, in words no rule reads"),
        param: Some(field),
        gateway: false,
        rule: "located_refusal",
        hint: None,
        confidence: Confidence::Low,
    })
}

/// What the rules look at: the message, the body's codes and type, the text around the
/// body and an error page's start, lowercased, on one line.
/// A code row the provider documents as an HTTP status says what the status says; words of
/// another kind beside it (a wrapper's "internal error" around a 400), read without that
/// status, leave it likely.
fn status_row_doubted(
    mut v: Classification,
    row: &codes::Row,
    facts: &rules::Facts,
) -> Classification {
    if !row.status || v.confidence == Confidence::Low {
        return v;
    }
    let words_alone = facts.reread(None, facts.words.clone());
    if let Some((r, _)) =
        rules::first_match(&words_alone, rules::Layer::Message).filter(|(r, _)| r.kind != v.kind)
    {
        v.confidence = Confidence::Low;
        v.evidence = format!(
            "{}, although the words read as {}",
            v.evidence,
            r.kind.code()
        );
    }
    v
}

fn facts_of<'a>(
    status: Option<u16>,
    body: &'a ErrorBody,
    sent: &'a [&'a str],
    msg: String,
    context: &str,
) -> rules::Facts<'a> {
    let mut words = format!("{msg} {}", body.tags.join(" "));
    if let Some(t) = &body.etype {
        words.push(' ');
        words.push_str(&t.to_lowercase());
    }
    words.push(' ');
    words.push_str(&bounded(context).to_lowercase());
    // An error page's text beyond its title names who answered (Cloudflare's Ray ID, an
    // Akamai reference): its start counts too.
    if let Some(page) = &body.page {
        words.push(' ');
        words.push_str(&crate::fit::prefix(page, PAGE_WORDS).0.to_lowercase());
    }
    // A key whose value says the opposite of its name (`"filtered": false`) is no evidence.
    let words = negated::scrub(&words);
    // A pasted line break inside a sentence ("considered high\n risk") is a space.
    let words = words.split_whitespace().collect::<Vec<_>>().join(" ");
    let words = without_rate_headers(words);
    rules::Facts {
        status,
        body,
        sent,
        msg,
        words,
        body_only: false,
    }
}

/// The last layer: no status, no code, no rule, no exception name, but the text still
/// names a family of causes by a word root ("credential", "permission", "quota",
/// "socket", "module"). The likeliest kind, said cautiously, with the word it rests on:
/// "not recognised" tells a user less than "likely a network failure, from `socket`".
/// Ordered as the rules are: the more specific family first.
const ROOTS: &[(Kind, &[&str], &[&str])] = &[
    // (kind, one of these words, and, when not empty, one of these too)
    // pydantic's `extra_forbidden` ("Extra inputs are not permitted"; v1 "extra fields not
    // permitted", docs.pydantic.dev, Validation Errors): a field the server's schema does not
    // take, named in the request, before the deny roots read "forbidden" or "not permitted".
    (
        Kind::BadRequest,
        &[
            "extra inputs are not permitted",
            "extra_forbidden",
            "extra fields not permitted",
        ],
        &[],
    ),
    (
        Kind::ToolCallMalformed,
        &[
            "tool call",
            "tool_call",
            "function call",
            "tool input",
            "tool arguments",
            "function arguments",
        ],
        &[
            "invalid",
            "malformed",
            "parse",
            "failed",
            "could not",
            "unable",
        ],
    ),
    (
        Kind::ProviderInit,
        &[
            "install",
            "module",
            "package",
            "plugin",
            "dependency",
            "dependencies",
            "sdk",
            "adapter",
            "library",
        ],
        &[
            "load",
            "init",
            "missing",
            "not found",
            "failed",
            "cannot",
            "could not",
            "not available",
            "unable",
            "version",
        ],
    ),
    (
        Kind::Billing,
        &[
            "billing",
            "payment",
            "credits",
            "balance",
            "subscription",
            "欠费",
            "余额",
        ],
        &[],
    ),
    (
        Kind::RateLimit,
        &[
            "quota",
            "too many",
            "limit exceeded",
            "limit reached",
            "exceeded the limit",
            "限额",
            "限制",
        ],
        &[],
    ),
    // A key named beside a quota or a balance is the subject, not the cause ("API key quota
    // exceeded"): the account's state roots come first.
    (
        Kind::Auth,
        &[
            "credential",
            "authenticat",
            "api key",
            "apikey",
            "api_key",
            "access token",
            "bearer",
            "login",
            "log in",
            "sign in",
            "密钥",
            "认证",
            "鉴权",
        ],
        &[],
    ),
    (
        Kind::AccessDenied,
        &[
            "permission",
            "forbidden",
            "denied",
            "not allowed",
            "not permitted",
            "restricted",
            "no access",
            "not authorized",
            "权限",
            "禁止",
        ],
        &[],
    ),
    // An inference engine's own code in the failure (a traceback's frames, an engine's
    // log tag), and an error there: the server that runs the model failed, whatever the
    // exception's words. The paths are the engines' package layouts.
    (
        Kind::ServerError,
        &[
            "vllm/engine",
            "vllm/entrypoints",
            "vllm/model_executor",
            "vllm/worker",
            "vllm/v1/",
            "sglang/srt",
            "mlx_lm/",
            "mlx_vlm/",
            "tensorrt_llm",
            "[tensorrt-llm]",
            "text_generation_server/",
            "ggml-cuda",
            "ggml_cuda",
            "cuda error",
            "torch/nn/",
        ],
        &["error", "exception", "traceback", "failed"],
    ),
    (
        Kind::Network,
        &[
            "connect",
            "network",
            "socket",
            "dns",
            "resolve",
            "unreachable",
            "offline",
            "proxy",
            "ssl",
            "tls",
            "certificate",
            "handshake",
            "网络",
            "连接",
        ],
        &[],
    ),
    (
        Kind::ServerError,
        &[
            "server error",
            "internal",
            "upstream",
            "unavailable",
            "crash",
            "overload",
            "busy",
            "outage",
            "服务",
            "繁忙",
        ],
        &[],
    ),
    (
        Kind::BadResponse,
        &[
            "parse",
            "json",
            "decode",
            "deserializ",
            "unexpected response",
            "invalid response",
            "empty response",
            "no response",
            "unmarshal",
            "解析",
        ],
        &[],
    ),
    (
        Kind::BaseUrl,
        &["url", "endpoint", "route", "path"],
        &[
            "not found",
            "invalid",
            "wrong",
            "unknown",
            "no such",
            "missing",
        ],
    ),
    (
        Kind::ModelNotFound,
        &["model"],
        &[
            "not found",
            "unknown",
            "invalid",
            "unsupported",
            "not available",
            "does not exist",
            "no such",
        ],
    ),
    (
        Kind::BadRequest,
        &[
            "invalid",
            "malformed",
            "missing",
            "required",
            "not valid",
            // "Please use a valid role: user, model": the value sent is not one of those allowed.
            "use a valid",
            "bad request",
            "无效",
            "错误的参数",
        ],
        &[],
    ),
];

/// An application that could not read the model's prose in its own format (LangChain's
/// `OutputParserException`): no endpoint failed, and no root speaks for it.
const ROOTS_UNLESS: &[&str] = &["outputparserexception", "llm output", "model output"];

/// Rate-limit headers dumped with an answer (`x-ratelimit-remaining-requests: 14399`,
/// `anthropic-ratelimit-tokens-reset`, the IETF draft's `ratelimit-policy`): every answer
/// carries them, a success included, so their names are no evidence of a limit hit. Their
/// names lose the word; a message that says "rate limit" keeps it.
fn without_rate_headers(words: String) -> String {
    if !words.contains("ratelimit-") {
        return words;
    }
    let mut out = String::with_capacity(words.len());
    let mut rest = words.as_str();
    while let Some(i) = rest.find("ratelimit-") {
        let after = &rest[i + "ratelimit-".len()..];
        let header = [
            "limit",
            "remaining",
            "reset",
            "requests",
            "tokens",
            "policy",
            "input",
            "output",
        ]
        .iter()
        .any(|w| after.starts_with(w));
        out.push_str(&rest[..i]);
        out.push_str(if header { "rl-" } else { "ratelimit-" });
        rest = after;
    }
    out.push_str(rest);
    out
}

/// `words` without the credential headers a dumped request carries (`{"Authorization",
/// "Bearer sk-…"}`, `-H "Authorization: Bearer …"`, `x-api-key: …`): a header that was sent
/// says nothing about why the request failed, and its name is no complaint about the key.
fn without_header_dumps(words: &str) -> std::borrow::Cow<'_, str> {
    const HEADERS: &[&str] = &[
        "authorization",
        "x-api-key",
        "api-key",
        "ocp-apim-subscription-key",
    ];
    if !HEADERS.iter().any(|h| words.contains(h)) {
        return std::borrow::Cow::Borrowed(words);
    }
    let mut out = String::with_capacity(words.len());
    let mut rest = words;
    while let Some((i, h)) = HEADERS
        .iter()
        .filter_map(|h| rest.find(h).map(|i| (i, *h)))
        .min()
    {
        out.push_str(&rest[..i]);
        let after = &rest[i + h.len()..];
        let sep = after.len()
            - after
                .trim_start_matches([' ', ':', '"', '\'', ',', '='])
                .len();
        let value = &after[sep..];
        // A header with a value: the name, a separator (not a space alone: "authorization
        // header" is words), a scheme word and one token.
        let separated = after[..sep].contains([':', '"', '\'', ',', '='])
            || value.starts_with("bearer ")
            || value.starts_with("basic ");
        if separated && !value.is_empty() {
            let mut v = value;
            for scheme in ["bearer ", "basic "] {
                v = v.strip_prefix(scheme).unwrap_or(v);
            }
            let token = v
                .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ',' | '}' | ']'))
                .unwrap_or(v.len());
            out.push(' ');
            rest = &v[token..];
        } else {
            out.push_str(h);
            rest = after;
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

fn by_roots(f: &rules::Facts) -> Option<Classification> {
    if f.status.is_some() || ROOTS_UNLESS.iter().any(|w| f.words.contains(w)) {
        return None;
    }
    let words = without_header_dumps(&f.words);
    // LiteLLM's catch-all label names no connection (`rules::litellm_catch_all`).
    let words = if rules::litellm_catch_all(&f.words) {
        std::borrow::Cow::Owned(words.replace("apiconnectionerror", ""))
    } else {
        words
    };
    let (kind, word) = ROOTS.iter().find_map(|(kind, any, also)| {
        let word = any.iter().find(|w| words.contains(*w))?;
        (also.is_empty() || also.iter().any(|w| words.contains(w))).then_some((*kind, *word))
    })?;
    Some(Classification {
        kind,
        param: None,
        gateway: false,
        rule: "word_root",
        // A package or module that failed, in a text that does not name opencode: the
        // general library-version fix, not opencode's npm-package one.
        hint: (kind == Kind::ProviderInit && !f.words.contains("opencode"))
            .then_some(RuleHint::LibraryVersion),
        confidence: Confidence::Low,
        evidence: format!(
            "the word \"{word}\" alone, with no status, code or message zencheck knows"
        ),
    })
}

/// The routes a request names a model on, as their path ends (Gemini's `:generateContent`
/// after the model); `/chat/completions` before `/completions`.
const MODEL_ROUTES: &[&str] = &[
    "/chat/completions",
    "/completions",
    "/responses",
    "/messages",
    "/embeddings",
    ":generatecontent",
    ":streamgeneratecontent",
    "/api/chat",
    "/api/generate",
    "/api/embed",
];

/// Routes that many servers lack although they serve `/chat/completions`: a router's 404
/// on one of them says the route is missing more likely than the URL is wrong. The legacy
/// text `/completions` is one: Zhipu, Ollama before 0.1.31 and many chat-only gateways
/// never served it.
const SECONDARY_ROUTES: &[&str] = &["/responses", "/messages", "/embeddings", "/completions"];

/// Providers' own API addresses, as their documentation gives the base URL: a request to
/// one of them did not go astray by a wrong base URL.
const OFFICIAL_HOSTS: &[&str] = &[
    // platform.openai.com/docs/api-reference
    "api.openai.com/v1",
    // Codex CLI's built-in provider for a ChatGPT sign-in (openai/codex,
    // codex-rs/core/src/model_provider_info.rs)
    "chatgpt.com/backend-api/codex",
    // docs.anthropic.com/en/api/messages
    "api.anthropic.com/v1",
    // ai.google.dev/api
    "generativelanguage.googleapis.com/",
    // opencode.ai/docs/zen
    "opencode.ai/zen/v1",
    // openrouter.ai/docs/api-reference
    "openrouter.ai/api/v1",
    // console.groq.com/docs/openai
    "api.groq.com/openai/v1",
    // api-docs.deepseek.com
    "api.deepseek.com/",
    // docs.mistral.ai/api
    "api.mistral.ai/v1",
];

/// A host and path that is a provider's own generation route, exactly: an official base
/// followed by nothing but a model route (`api.openai.com/v1/chat/completions`), or
/// Ollama's native routes on its own port (`localhost:11434/api/generate`), whose 404 is
/// its answer for a model it has not pulled.
fn provider_route(host_path: &str) -> bool {
    let official = OFFICIAL_HOSTS.iter().any(|o| {
        host_path.strip_prefix(o).is_some_and(|rest| {
            let rest = format!("/{}", rest.trim_matches('/'));
            [
                "/chat/completions",
                "/completions",
                "/responses",
                "/messages",
            ]
            .contains(&rest.as_str())
        })
    });
    let ollama = host_path.split_once('/').is_some_and(|(host, path)| {
        host.ends_with(":11434")
            && ["api/generate", "api/chat"].contains(&path.trim_end_matches('/'))
    });
    official || ollama
}

/// A URL's host and path (scheme, query and fragment dropped, lowercased), and its path.
fn url_parts(url: &str) -> (Option<String>, String) {
    let lower = url.trim().to_ascii_lowercase();
    let lower = lower.split(['?', '#']).next().unwrap_or("");
    match lower.split_once("://") {
        Some((_, rest)) => {
            let path = rest.find('/').map_or("/", |i| &rest[i..]).to_string();
            (Some(rest.to_string()), path)
        }
        None => (None, lower.to_string()),
    }
}

/// A URL with a second address run onto a model route (`https://host/v1/chat/completionshttps://host/…`):
/// a full endpoint URL set where a base URL goes, and the client joined the next one on.
/// A second address after a `/` is left alone: CORS proxies take their target so
/// (`https://proxy.example/https://api.openai.com/v1/…`).
fn doubled(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let path = lower.split(['?', '#']).next().unwrap_or("");
    let Some((_, rest)) = path.split_once("://") else {
        return false;
    };
    rest.match_indices("http").take(8).any(|(i, _)| {
        let after = &rest[i + 4..];
        (after.starts_with("://") || after.starts_with("s://"))
            && route_of(&rest[..i]).is_some_and(|r| rest[..i].ends_with(r))
    })
}

/// The URL (or path) ends in a route that names a model, or carries one after its query
/// (see [`route_in_query`]).
pub fn names_model_route(url: &str) -> bool {
    route_of(&url_parts(url).1).is_some() || route_in_query(url)
}

/// The route sits inside the URL's query or fragment (`https://host:8000?token=X/chat/completions`):
/// the base URL ended in a query string and the client appended the route after it, so the
/// request went to the base path, whatever the server answered there.
fn route_in_query(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    lower.contains("://")
        && lower
            .find(['?', '#'])
            .is_some_and(|q| route_of(&lower[q..]).is_some())
}

/// The path before its route ends in an API version (`/v1/responses`, `/openai/v1/…`,
/// `/v1beta/…`): the base URL has the shape APIs give it, so a router's miss is more
/// likely the route's absence than a wrong prefix (`/api/responses` says the opposite).
fn versioned_base(path: &str) -> bool {
    let Some(route) = route_of(path) else {
        return false;
    };
    let base = path.trim_end_matches('/');
    let base = &base[..base.len() - route.len()];
    let last = base.rsplit('/').next().unwrap_or("");
    last.strip_prefix('v').is_some_and(|v| {
        v.starts_with(|c: char| c.is_ascii_digit()) && v.chars().all(|c| c.is_ascii_alphanumeric())
    })
}

/// A request in another API's shape than its route's: the server refuses the field that
/// carries the conversation in the other API (`messages` on `/responses`, `input` on
/// `/chat/completions`), so the client speaks the wrong wire format for this route.
fn wire_mismatch(url: &str, msg: &str) -> Option<Classification> {
    let route = route_of(&url_parts(url).1)?;
    let foreign = match route {
        "/responses" => "messages",
        "/chat/completions" => "input",
        _ => return None,
    };
    (params::refused_name(msg).as_deref() == Some(foreign)).then(|| Classification {
        kind: Kind::WrongRoute,
        param: None,
        gateway: false,
        rule: "wire_mismatch",
        hint: Some(RuleHint::WireMismatch),
        confidence: Confidence::Low,
        evidence: format!(
            "`{foreign}` refused on {route}: the request has another API's shape than the route it went to"
        ),
    })
}

/// The model route a path ends in.
fn route_of(path: &str) -> Option<&'static str> {
    let path = path.trim_end_matches('/');
    MODEL_ROUTES.iter().copied().find(|r| path.ends_with(r))
}

/// A 404 read by its body's shape and where the request went, once no message, code or
/// rule has spoken (HTTP status and structure, the same for the probe and `explain`):
/// - the API's own error envelope on a model route (or on a route a paste does not say):
///   the server understood the route, so what it did not find is what the request named,
///   the model, or a model the key may not see: `model_not_found`, likely, with a fix that
///   holds for both;
/// - nothing at all from a provider's own address on its route: the base URL is the
///   provider's, so the likelier cause is the service: `server_error`, likely;
/// - a router's miss or a page on a route many servers lack (`/responses`, `/messages`,
///   `/embeddings`) under a URL a paste quotes whole: the route is likely missing.
///
/// Anything else (a router's miss on `/chat/completions`, a page, an empty body elsewhere)
/// is left to the status layer: the base URL.
fn read_404(body: &ErrorBody, url: Option<&str>) -> Option<Classification> {
    let shape = envelope::shape(body);
    let (host_path, path) = match url {
        Some(u) => {
            let (h, p) = url_parts(u);
            (h, Some(p))
        }
        None => (None, None),
    };
    let route = path.as_deref().and_then(route_of);
    let official = host_path
        .as_deref()
        .is_some_and(|h| OFFICIAL_HOSTS.iter().any(|o| h.starts_with(o)));
    let likely = |kind, rule, hint, evidence: String| Classification {
        kind,
        param: None,
        gateway: false,
        rule,
        hint: Some(hint),
        confidence: Confidence::Low,
        evidence,
    };
    let on = route.map_or(String::new(), |r| format!(" on {r}"));
    match shape {
        // Unless the API's own words say the route is what it did not find ("Route
        // /api/responses not found"): that is the status layer's base URL.
        Shape::ApiError if (path.is_none() || route.is_some()) && !route_said_missing(body) => Some(likely(
            Kind::ModelNotFound,
            "route_answered",
            RuleHint::RouteAnswered,
            format!(
                "HTTP 404{on} in the API's own error shape: the route answered, so what was not found is what the request named"
            ),
        )),
        Shape::Empty if official && route.is_some() => Some(likely(
            Kind::ServerError,
            "official_404",
            RuleHint::ServiceAt404,
            format!("HTTP 404 with no body from the provider's own address{on}"),
        )),
        // The client printed only its own words for the 404 ("Not Found for url: …"), and
        // the URL is a provider's own generation route at its own address: nothing is
        // wrong with the address, so what was not found is what the request named.
        Shape::Text | Shape::Empty if host_path.as_deref().is_some_and(provider_route) => Some(likely(
            Kind::ModelNotFound,
            "provider_route_404",
            RuleHint::ProviderRoute404,
            format!(
                "HTTP 404{on} at the provider's own address, with only the client's words: the URL is right, so what was not found is most likely the model"
            ),
        )),
        // A URL the paste quotes whole, or the path the server's own 404 names (Spring's
        // `{"status":404,"error":"Not Found","path":"/v4/completions"}`).
        Shape::RouteMiss | Shape::Page
            if (host_path.is_some() || body.path.is_some())
                && route.is_some_and(|r| SECONDARY_ROUTES.contains(&r))
                && path.as_deref().is_some_and(versioned_base) =>
        {
            Some(likely(
                Kind::WrongRoute,
                "route_missing",
                RuleHint::RouteMissing,
                format!("HTTP 404{on} from the server's router, not its API"),
            ))
        }
        _ => None,
    }
}

/// The body's message says a route or path is what was not found (`subject`).
/// An "endpoint" is a deployed model on Databricks and Azure, so only a route, path or URL.
fn route_said_missing(body: &ErrorBody) -> bool {
    let Some(m) = body.message.as_deref().map(str::to_lowercase) else {
        return false;
    };
    ["route", "path", "url"].iter().any(|w| m.contains(w))
        && subject::read(&m).is_some_and(|r| r.kind == Kind::BaseUrl)
}

/// A 404 for a path with two API versions in a row (`/v4/v1/chat/completions`), in the URL
/// or anywhere in the pasted words (a router's `"path"` field): the base URL already ended in
/// a version and the client appended its own. Whatever answered, the URL is the fault.
fn version_twice_in<'a>(texts: impl Iterator<Item = &'a str>) -> Option<Classification> {
    let path = texts
        .flat_map(|t| {
            t.split(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ',' | '(' | ')'))
        })
        .filter(|t| t.contains('/'))
        .take(2_000)
        .find(|t| version_twice(t.split("://").last().unwrap_or(t)))?;
    Some(Classification {
        kind: Kind::BaseUrl,
        param: None,
        gateway: false,
        rule: "version_twice",
        hint: None,
        confidence: Confidence::High,
        evidence: format!(
            "HTTP 404 for {}: a second API version or route after the first (two versions in a row, or a route after /chat/completions), so the base URL already ended in one and the client added its own",
            // Never the query: it can carry a key.
            one_line(path.split(['?', '#']).next().unwrap_or(""))
        ),
    })
}

/// Two API version segments in a row (`/v1/v1/`, `/v4/v1/`, `/v1beta/v1/`).
fn version_twice(path: &str) -> bool {
    // `v1`, `v4`, `v1beta`: a `v`, a digit, then at most a few letters or digits.
    let is_version = |s: &str| {
        s.strip_prefix('v').is_some_and(|r| {
            r.starts_with(|c: char| c.is_ascii_digit())
                && r.len() <= 8
                && r.chars().all(|c| c.is_ascii_alphanumeric())
        })
    };
    let segs: Vec<&str> = path
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let endpoint_then_more = segs.windows(3).any(|w| {
        // `/v4/chat/completions/v1/models`, `/v1/chat/completions/api/tags`: an endpoint
        // pasted as the base URL, with the client's own route appended after it.
        matches!((w[0], w[1]), ("chat", "completions"))
            && (is_version(w[2]) || matches!(w[2], "api" | "models" | "chat"))
    });
    endpoint_then_more
        || segs
            .windows(2)
            .any(|w| is_version(w[0]) && is_version(w[1]))
}

/// Generic error codes many servers put in `type` or `code`, and the status each stands for.
const GENERIC_CODES: &[(&str, u16)] = &[
    ("invalid_request", 400),
    ("bad_request", 400),
    ("invalid_input", 400),
    ("validation_error", 400),
    ("invalid_argument", 400),
    ("unauthorized", 401),
    ("unauthenticated", 401),
    ("forbidden", 403),
    ("permission_error", 403),
    ("permission_denied", 403),
    ("not_found_error", 404),
    ("not_found", 404),
    ("notfound", 404),
    ("payload_too_large", 413),
    ("too_many_requests", 429),
    ("rate_limited", 429),
    ("server_error", 500),
    ("internal_error", 500),
    ("internal_server_error", 500),
    ("internalerror", 500),
    ("upstream_error", 502),
    ("bad_gateway", 502),
    ("backend_error", 502),
    ("service_unavailable", 503),
    ("unavailable_error", 503),
    ("gateway_timeout", 504),
];

/// gRPC status codes as servers behind gRPC print them (`rpc error: code = Unavailable desc
/// = …`, LocalAI, Triton, Vertex), and the HTTP status each maps to.
const GRPC_CODES: &[(&str, u16)] = &[
    ("invalidargument", 400),
    ("failedprecondition", 400),
    ("outofrange", 400),
    ("unauthenticated", 401),
    ("permissiondenied", 403),
    ("notfound", 404),
    ("resourceexhausted", 429),
    ("canceled", 499),
    ("unimplemented", 501),
    ("internal", 500),
    ("unknown", 500),
    ("dataloss", 500),
    ("unavailable", 503),
    ("deadlineexceeded", 504),
];

/// The gRPC status a text writes (`code = Unavailable`, `StatusCode.UNAVAILABLE`).
fn grpc_status(words: &str) -> Option<(&'static str, u16)> {
    ["code = ", "statuscode."].iter().find_map(|lead| {
        words.match_indices(lead).take(8).find_map(|(i, _)| {
            let rest = &words[i + lead.len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphabetic() || *c == '_')
                .filter(|c| *c != '_')
                .collect();
            GRPC_CODES.iter().find(|(c, _)| *c == name).copied()
        })
    })
}

/// The first generic code among the body's codes, and its status.
fn generic_status(tags: &[String]) -> Option<(&'static str, u16)> {
    tags.iter()
        .find_map(|t| GENERIC_CODES.iter().find(|(c, _)| c == t))
        .copied()
}

/// The exception-name layer: the weakest evidence.
fn first_exception(
    facts: &rules::Facts,
    verdict: &impl Fn(&'static rules::Rule, Option<String>, Confidence, String) -> Classification,
) -> Option<Classification> {
    if let Some((rule, param)) = rules::first_match(facts, rules::Layer::Exception) {
        return Some(verdict(
            rule,
            param,
            Confidence::Low,
            "the client's exception name only".into(),
        ));
    }
    None
}

/// A status that says something of its own (not 400/422, which every refusal shares)
/// agrees with the message's kind when both name the same family.
fn agrees(status: u16, by_status: Kind, by_message: Kind) -> bool {
    use Kind::*;
    if matches!(status, 400 | 422) || by_status == by_message {
        return true;
    }
    let family = |k: Kind| match k {
        Auth | AccessDenied | Blocked => 1,
        ModelNotFound | BaseUrl | WrongRoute => 2,
        RateLimit => 3,
        ServerError | Timeout | StreamError | StreamTruncated | ColdStart => 4,
        RequestTooLarge | ContextOverflow => 5,
        _ => 0,
    };
    family(by_status) != 0 && family(by_status) == family(by_message)
}

/// The message names two causes at once: "not found … or permission denied", "does not
/// exist or you do not have access".
fn reads_two_ways(words: &str, kind: Kind) -> bool {
    matches!(kind, Kind::ModelNotFound | Kind::AccessDenied)
        && [
            "or permission denied",
            "or you do not have access",
            "or your project does not have access",
            "or it may not exist",
            "not found or",
            "or does not have permission",
            "authorization failed or",
            "not authorized or",
            "or not authorized",
            "or not accessible",
            "or is not accessible",
            "or you lack access",
        ]
        .iter()
        .any(|w| words.contains(w))
}

/// The start and end of a long text, cut on char boundaries.
fn bounded(s: &str) -> std::borrow::Cow<'_, str> {
    if s.len() <= 2 * CONTEXT_CAP {
        return s.into();
    }
    let mut a = CONTEXT_CAP;
    while !s.is_char_boundary(a) {
        a -= 1;
    }
    let mut b = s.len() - CONTEXT_CAP;
    while !s.is_char_boundary(b) {
        b += 1;
    }
    format!("{} … {}", &s[..a], &s[b..]).into()
}

/// The message says the prompt is longer than the model's window.
pub fn mentions_context_overflow(all: &str) -> bool {
    let body = ErrorBody {
        message: Some(all.to_string()),
        ..Default::default()
    };
    decide(None, &body, &[], "").is_some_and(|v| v.kind == Kind::ContextOverflow)
}

/// A paste read as `explain` reads it (status, body, the text around it and the URL it
/// names): the one reader the classifier's unit tests share.
#[cfg(test)]
pub(crate) fn read_pasted(text: &str) -> Option<Classification> {
    let r = paste::read(text);
    decide_at(
        r.status,
        &r.body,
        KNOWN_PARAMS,
        &r.context,
        r.url.as_deref(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A paste's kind, parameter and rule.
    fn pasted(text: &str) -> Option<(Kind, Option<String>, &'static str)> {
        read_pasted(text).map(|v| (v.kind, v.param, v.rule))
    }

    #[test]
    fn a_validators_extra_field_outvotes_the_wrappers_words() {
        // A client that calls every 400 an authentication failure, around pydantic's record.
        let v = pasted("Error: Reranker authentication failed (400: \"detail={'type': 'extra_forbidden', 'loc': ('body', 'truncate'), 'msg': 'Extra inputs are not permitted', 'input': true}\"). Check your API key.");
        assert_eq!(
            v.map(|v| (v.0, v.1)),
            Some((Kind::ParamRejected, Some("truncate".into())))
        );
        // The same record as escaped JSON inside a log line's string, which the message cut.
        let v = pasted(
            r#"ERROR llm call: Invalid response object: '{"object":"error","message":"{\\"detail\\":[{\\"type\\":\\"extra_forbidden\\",\\"loc\\":[\\"body\\",\\"presence_penalty\\"],\\"msg\\":\\"Extra inputs are not permitted\\"}]}","code":"1000"}' (HTTP response code was 422)"#,
        );
        assert_eq!(
            v.map(|v| (v.0, v.1)),
            Some((Kind::ParamRejected, Some("presence_penalty".into())))
        );
    }

    #[test]
    fn a_debug_logs_response_lines_are_the_servers_status_and_body() {
        // A client that reports 500 for an answer it could not parse, and logs what came.
        let text = "HTTPError: 500 Server Error: unable to parse response.\n> POST /serving-endpoints/x/invocations\n> {\"max_tokens\": 9000}\n< 400 Bad Request\n< content-type: text/plain\n< Bad request: max_tokens (9000) cannot exceed 4096.\n";
        let r = paste::read(text);
        assert_eq!(r.status, Some(400));
        assert!(r
            .body
            .message
            .as_deref()
            .unwrap_or("")
            .starts_with("Bad request: max_tokens"));
        assert_eq!(
            pasted(text).map(|v| (v.0, v.1)),
            Some((Kind::ParamRejected, Some("max_tokens".into())))
        );
    }

    #[test]
    fn a_url_set_twice_and_a_servers_root_are_the_base_url() {
        let v = pasted("POST https://llm.example.com/v1/chat/completionshttps://llm.example.com/v1/chat/completions failed");
        assert_eq!(v.map(|v| (v.0, v.2)), Some((Kind::BaseUrl, "url_doubled")));
        // A CORS proxy's target after its own path, or an address in the query, is no doubling.
        assert!(!doubled(
            "https://cors.example.org/https://api.openai.com/v1/chat/completions"
        ));
        assert!(!doubled(
            "https://gw.example.org/v1/chat/completions?from=https://app.example.org/"
        ));
        let v = pasted("Unexpected answer: \"Welcome to the OpenAI API! Documentation is available at https://platform.openai.com/docs/api-reference\"");
        assert_eq!(v.map(|v| v.0), Some(Kind::BaseUrl));
    }

    #[test]
    fn words_in_an_applications_own_fields_are_no_filters_verdict() {
        // An application's review step (审核) and its log's `confidence: high` / `risk_level`.
        let v = pasted(
            "审核异常，稍后重试: status=400；code=InvalidParameter；message=模型服务返回未知错误",
        );
        assert_ne!(v.map(|v| v.0), Some(Kind::ContentFilter));
        let v = pasted("confidence: high\nrisk_level: low\nreason: failed to reach provider at https://api.example.com/v1/chat/completions (request error): error sending request for url");
        assert_eq!(v.map(|v| v.0), Some(Kind::Network));
        // The filter's own verdict still reads as one.
        let v = pasted("HTTP 400: 输入内容审核未通过");
        assert_eq!(v.map(|v| v.0), Some(Kind::ContentFilter));
    }

    #[test]
    fn a_read_that_timed_out_and_a_json_answer_cut_short() {
        // The client raised a read timeout; the model's log of a long answer is beside it.
        let v = pasted("\"stop_reason\":\"length\"\njava.net.SocketTimeoutException: Read timed out\n\tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:278)");
        assert_eq!(v.map(|v| v.0), Some(Kind::Timeout));
        // A parser quoting an object cut before its end: the answer stopped at its cap, likely.
        let v = pasted("#<JSON::ParserError: unexpected token at '{\"title\":\"A long ti'>");
        assert_eq!(
            v.map(|v| (v.0, v.2)),
            Some((Kind::OutputLength, "output_json_fragment"))
        );
        let v = pasted("#<JSON::ParserError: unexpected token at '{\"title\":\"x\"} trailing'>");
        assert_ne!(v.map(|v| v.0), Some(Kind::OutputLength));
    }

    #[test]
    fn fetch_failed_alone_is_a_likely_network_failure_whose_fix_says_where_the_cause_is() {
        let v = read_pasted("Request to the model failed: TypeError: fetch failed").unwrap();
        assert_eq!(
            (v.kind, v.rule, v.confidence, v.hint),
            (
                Kind::Network,
                "fetch_failed",
                Confidence::Low,
                Some(RuleHint::FetchFailed)
            )
        );
        // Its cause, when the paste holds it, decides.
        let v = read_pasted(
            "TypeError: fetch failed\n  [cause]: Error: getaddrinfo ENOTFOUND api.example.invalid",
        )
        .unwrap();
        assert_eq!((v.kind, v.confidence), (Kind::Network, Confidence::High));
        assert_ne!(v.rule, "fetch_failed");
    }

    #[test]
    fn a_deployment_found_for_nothing_and_an_answer_too_long() {
        let v = pasted("Error: No deployment matched the given criteria: {\"scenarioId\":\"foundation-models\"}");
        assert_eq!(v.map(|v| v.0), Some(Kind::ModelNotFound));
        let v = pasted("HTTP 404: deployment not found: llama-3-70b-prod");
        assert_eq!(v.map(|v| v.0), Some(Kind::ModelNotFound));
        let v = pasted("Chat failed. Error: Response too long.");
        assert_eq!(v.map(|v| v.0), Some(Kind::OutputLength));
    }

    #[test]
    fn rate_limit_headers_dumped_with_an_answer_are_no_limit_hit() {
        // Groq's tool_use_failed pasted as a JS object with the headers every answer carries.
        let v = pasted("{\n  status: 400,\n  headers: {\n    \"x-ratelimit-limit-requests\": \"14400\",\n    \"x-ratelimit-remaining-tokens\": \"5843\",\n  },\n  error: { message: \"Failed to call a function. Please adjust your prompt.\", code: \"tool_use_failed\" }\n}");
        assert_eq!(v.map(|v| v.0), Some(Kind::ToolCallMalformed));
        // A message that says it keeps the word.
        let v = pasted("Error: Rate limit reached for requests. x-ratelimit-remaining-requests: 0");
        assert_eq!(v.map(|v| v.0), Some(Kind::RateLimit));
    }

    #[test]
    fn curled_quotes_and_a_decoder_that_read_nothing() {
        // JSON whose quotes an editor curled still reads as an envelope.
        let v = pasted(
            "请求大模型 API 失败：{“error”:{“code”:“1214”,“message”:“messages:输入不能为空”}}",
        );
        assert_eq!(v.map(|v| v.0), Some(Kind::BadRequest));
        // A decoder that failed on the first character read no JSON at all: the answer's shape.
        let v = pasted("Error occurred: Expecting value: line 1 column 1 (char 0). Retrying...");
        assert_eq!(v.map(|v| v.0), Some(Kind::BadResponse));
        // The same words about a stream's chunk are the stream's.
        let v = pasted("Error parsing stream chunk: Expecting value: line 1 column 1 (char 0)");
        assert_ne!(v.map(|v| v.0), Some(Kind::BadResponse));
        // A file over its limit is the request's size.
        let v = pasted("Error code: 400 - {'error': {'code': 'invalid_parameter_error', 'message': 'Multimodal file size is too large'}}");
        assert_eq!(v.map(|v| v.0), Some(Kind::RequestTooLarge));
    }

    #[test]
    fn a_cut_envelope_s_message_is_read() {
        // The paste ends inside the JSON: no parser reads it, its message still names the field.
        let v = pasted("Error: `Upstream error (400): {\n  \"error\": {\n    \"code\": 400,\n    \"message\": \"Invalid JSON payload received. Unknown name \\\"$schema\\\" at 'request.tools[0].function_declarations[0].parameters': Cannot find field.\\nInvalid JSON payload rec");
        assert_eq!(
            v.map(|v| (v.0, v.1)),
            Some((Kind::ParamRejected, Some("tools".into())))
        );
    }

    #[test]
    fn a_generic_code_alone_is_a_likely_reading() {
        // Bedrock's ValidationException means no more than "bad request": with no words a
        // rule reads, the kind it stands for is the likeliest, said so.
        let v = read_pasted("An error occurred (ValidationException) when calling the InvokeModel operation: The operation could not be completed as sent").unwrap();
        assert_eq!(
            (v.kind, v.rule, v.confidence),
            (Kind::BadRequest, "provider_code", Confidence::Low)
        );
        // "Operation not allowed" says more: the account may not call it (AWS re:Post's answers
        // for InvokeModel: a restricted account or model access not granted).
        let v = read_pasted("An error occurred (ValidationException) when calling the InvokeModel operation: Operation not allowed").unwrap();
        assert_eq!(v.kind, Kind::AccessDenied);
        // Its documented message for a model id stays certain.
        let v = read_pasted("An error occurred (ValidationException) when calling the InvokeModel operation: The provided model identifier is invalid.").unwrap();
        assert_eq!(
            (v.kind, v.confidence),
            (Kind::ModelNotFound, Confidence::High)
        );
    }

    #[test]
    fn a_message_shape_the_endpoint_does_not_take_is_refused_not_malformed() {
        // Content-part arrays where a server takes strings: the API's shape, refused here.
        let body = parse_error_body(
            Some("application/json"),
            br#"{"error":{"message":"Failed to deserialize the JSON body into the target type: messages[7]: invalid type: sequence, expected a string at line 1 column 5603","type":"invalid_request_error"}}"#,
        );
        let v = classify(400, &body, &[]);
        assert_eq!(
            (v.kind, v.param.as_deref(), v.hint),
            (
                Kind::ParamRejected,
                Some("messages"),
                Some(RuleHint::MessageShape)
            )
        );
        // An object where content must be a string or parts is malformed, not a shape refused.
        let body = parse_error_body(
            Some("application/json"),
            br#"{"error":{"message":"Invalid type for 'messages[1].content': expected one of a string or array of objects, but got an object instead."}}"#,
        );
        let v = classify(400, &body, &[]);
        assert_eq!(
            (v.kind, v.param.as_deref()),
            (Kind::BadRequest, Some("messages"))
        );
    }

    #[test]
    fn roles_and_turns_refused_name_the_messages() {
        for msg in [
            "The input messages do not contain elements with the role of user",
            "The last message of deepseek-reasoner must be a user message, or an assistant message with prefix mode on",
            "Unable to submit request because Please use a valid role: user, model.",
        ] {
            let body = parse_error_body(
                Some("application/json"),
                format!(r#"{{"error":{{"message":"{msg}"}}}}"#).as_bytes(),
            );
            let v = classify(400, &body, &[]);
            assert_eq!(
                (v.kind, v.param.as_deref()),
                (Kind::BadRequest, Some("messages")),
                "{msg}"
            );
        }
        // An IAM role is no message's.
        let body = parse_error_body(
            Some("application/json"),
            br#"{"error":{"message":"The provided role ARN is malformed"}}"#,
        );
        assert_eq!(classify(400, &body, &[]).param, None);
    }

    #[test]
    fn a_required_header_said_missing_is_the_request_s_not_the_key_s() {
        // Anthropic answers a browser's call without its header with 401 authentication_error.
        let body = parse_error_body(
            Some("application/json"),
            br#"{"type":"error","error":{"type":"authentication_error","message":"CORS requests must set 'anthropic-dangerous-direct-browser-access' header"}}"#,
        );
        let v = classify(401, &body, &[]);
        assert_eq!(
            (v.kind, v.hint),
            (Kind::BadRequest, Some(RuleHint::HeaderRequired))
        );
        // An auth header said missing stays the key's matter.
        let body = parse_error_body(
            Some("application/json"),
            br#"{"error":{"type":"authentication_error","message":"x-api-key header is required"}}"#,
        );
        assert_eq!(classify(401, &body, &[]).kind, Kind::Auth);
    }

    #[test]
    fn a_notice_that_lists_guesses_names_no_cause() {
        // Two guesses, one of them read by a rule: no cause is stated.
        assert_eq!(
            pasted("Chat failed. The gateway may be down or your key may have insufficient quota. Check settings."),
            None
        );
        // One guess stays a (cautious) reading; a stated failure is no guess.
        assert_eq!(
            pasted("Your balance may have run out: insufficient balance").map(|v| v.0),
            Some(Kind::Billing)
        );
        assert_eq!(
            pasted("[WinError 10061] No connection could be made because the target machine actively refused it").map(|v| v.0),
            Some(Kind::Network)
        );
    }

    #[test]
    fn structure_the_rules_read_wherever_it_sits() {
        // A body held in another field than the message, beside a code-only error.
        let v = pasted(
            r#"{"error":"ERR_UPSTREAM","details":{"detail":"adapter status=400 body={\"error\":{\"message\":\"Invalid max_tokens value, the valid range of max_tokens is [1, 4096]\",\"type\":\"invalid_request_error\"}}"}}"#,
        );
        assert_eq!(
            v.map(|v| (v.0, v.1)),
            Some((Kind::ParamRejected, Some("max_tokens".into())))
        );
        // pydantic's error quoted as a repr, its loc a tuple: the field it names.
        let v = pasted(
            r#"HTTP/1.1 400

{"object":"error","message":"[{'type': 'missing', 'loc': ('body', 'messages'), 'msg': 'Field required', 'input': {'model': 'm', 'message': []}}]","type":"BadRequestError","code":400}"#,
        );
        assert_eq!(
            v.map(|v| (v.0, v.1)),
            Some((Kind::BadRequest, Some("messages".into())))
        );
        // A loc of the body alone names no field.
        let v = pasted(
            r#"HTTP/1.1 400

{"object":"error","message":"[{'type': 'missing', 'loc': ('body',), 'msg': 'Field required', 'input': None}]","code":400}"#,
        );
        assert_eq!(v.map(|v| v.1), Some(None));
        // FastAPI's loc names the field (the message's, as LABELS.md writes it); the quoted
        // values after it are no parameter. A role outside the ones this endpoint allows is
        // a message shape it does not take (LABELS.md): refused, with the shape's fix.
        let v = pasted(
            r#"HTTP/1.1 422

{"detail":[{"type":"literal_error","loc":["body","messages",0,"role"],"msg":"Input should be 'user' or 'assistant'","input":"developer"}]}"#,
        );
        assert_eq!(
            v.map(|v| (v.0, v.1, v.2)),
            Some((Kind::ParamRejected, Some("messages".into()), "param_words"))
        );
        // OAuth 2.0's token endpoint: `error` is the code, `error_description` the words.
        let v = pasted(
            r#"TokenException: {"error_description":"unknown client id","error":"invalid_client"}"#,
        );
        assert_eq!(v.map(|v| v.0), Some(Kind::Auth));
    }

    #[test]
    fn a_fourth_round_of_fresh_classes() {
        let kind = |t: &str| pasted(t).map(|v| (v.0, v.1));
        // A word that rules a reading out counts as a word, not inside a wrapper's name.
        assert_eq!(
            kind("HTTP/1.1 400\n\n[Error_TranslationPrompt] Status 400 max_tokens is too large: 17220. This model supports at most 16384 completion tokens."),
            Some((Kind::ParamRejected, Some("max_tokens".into())))
        );
        // A host that did not resolve is DNS, though the host is a `models.` one.
        assert_eq!(
            kind("Host models.example.net not found: 3(NXDOMAIN)").map(|v| v.0),
            Some(Kind::Network)
        );
        assert_eq!(
            kind(
                "HTTP/1.1 400\n\n400 * GenerateContentRequest.model: unexpected model name format"
            )
            .map(|v| v.0),
            Some(Kind::ModelNotFound)
        );
        // An LLM proxy's own 503 is the service behind it, not a forward proxy.
        assert_eq!(
            kind("HTTP/1.1 503\n\nLLM proxy error 503 from https://relay.example/v1/messages: Service temporarily unavailable").map(|v| v.0),
            Some(Kind::ServerError)
        );
    }

    #[test]
    fn a_third_round_of_fresh_classes() {
        let kind = |t: &str| pasted(t).map(|v| (v.0, v.2));
        // A browser's CORS refusal is the page's origin, whatever the client's label says;
        // a dumped answer's `access-control-allow-origin` header is none.
        assert_eq!(
            kind("Access to fetch at 'http://127.0.0.1:11434/api/chat' from origin 'app://obsidian.md' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.\nTypeError: Failed to fetch"),
            Some((Kind::Blocked, "cors_refused"))
        );
        assert_ne!(
            kind(r#"{"code":401,"error":{"code":401,"message":"Invalid credentials"},"headers":{"access-control-allow-origin":"*"}}"#).map(|v| v.0),
            Some(Kind::Blocked)
        );
        // A hedge inside a URL's slug guesses nothing: the quota words stand over the 429.
        assert_eq!(
            kind("HTTP/1.1 429\n\nError for https://example.com/why-they-might-fail: [InsufficientQuotaError: 429 You exceeded your current quota, please check your plan and billing details").map(|v| v.0),
            Some(Kind::Billing)
        );
        // A code in `error` beside the words in `message`.
        assert_eq!(
            kind(r#"{"success": false, "error": "worker_error", "message": "step failed: Credit balance is too low"}"#).map(|v| v.0),
            Some(Kind::Billing)
        );
        assert_eq!(
            kind("details = \"Your newly created team doesn't have any credits or licenses yet.\"")
                .map(|v| v.0),
            Some(Kind::Billing)
        );
        assert_eq!(
            kind("API Error: Claude's response exceeded the 32000 output token maximum.")
                .map(|v| v.0),
            Some(Kind::OutputLength)
        );
        assert_eq!(
            kind("HTTP/1.1 451\n\ncontent was filtered by safety policy").map(|v| v.0),
            Some(Kind::ContentFilter)
        );
        assert_eq!(
            kind(r#"{"error":{"message":"Not authenticated","type":"invalid_request_error"}}"#)
                .map(|v| v.0),
            Some(Kind::Auth)
        );
        // A relay's "upstream error (400)" is the upstream's refusal, not a server failure.
        assert_eq!(
            kind("HTTP/1.1 400\n\nUpstream error (400): {\"error\":{\"code\":400,\"message\":\"Invalid JSON payload received.\"}}").map(|v| v.0),
            Some(Kind::BadRequest)
        );
    }

    #[test]
    fn a_second_round_of_fresh_classes() {
        let kind = |t: &str| pasted(t).map(|v| (v.0, v.1));
        // An output cap over the model's own maximum is the parameter, not the prompt; a
        // prompt over a number written right after "exceed" is the window.
        assert_eq!(
            kind("HTTP/1.1 400\n\ntoo many tokens: max tokens must be less than or equal to 2048, the maximum output for this model - received 4096."),
            Some((Kind::ParamRejected, Some("max_tokens".into())))
        );
        assert_eq!(
            kind("HTTP/1.1 400\n\ntoo many tokens: total number of tokens in the prompt cannot exceed 8000 - received 9100."),
            Some((Kind::ContextOverflow, None))
        );
        // The API's answer carried as a member of a client's exception dump.
        assert_eq!(
            kind(
                r#"ClientException({"uri":"https://api.x/v1/chat/completions","code":400,"message":"Unsuccessful response","body":{"error":{"message":"m-1 does not support the parameter `presence_penalty`","type":"invalid_request_error"}}})"#
            ),
            Some((Kind::ParamRejected, Some("presence_penalty".into())))
        );
        // pydantic's extra_forbidden names the key to drop, whatever its name.
        assert_eq!(
            kind("'type': 'extra_forbidden', 'loc': ('body', 'random_flag'), 'msg': 'Extra inputs are not permitted'"),
            Some((Kind::ParamRejected, Some("random_flag".into())))
        );
        // What the account or plan may not use, over a 429 or a 401.
        assert_eq!(
            kind("HTTP/1.1 429\n\nThe service isn't available for personal accounts").map(|v| v.0),
            Some(Kind::AccessDenied)
        );
        assert_eq!(
            kind("HTTP/1.1 401\n\nThis model is only available to Pro users").map(|v| v.0),
            Some(Kind::AccessDenied)
        );
        // A request to buy before going on is billing, over a token's words.
        assert_eq!(
            kind("HTTP/1.1 400\n\nThe access token cannot access any resources, purchase or authorize resources to use it").map(|v| v.0),
            Some(Kind::Billing)
        );
        assert_eq!(
            kind("BadRequest: io.jsonwebtoken.IncorrectClaimException: Expected aud claim to be: x, but was: y.").map(|v| v.0),
            Some(Kind::Auth)
        );
        // A model's own token limit is its window, not a per-minute tier.
        assert_eq!(
            kind("HTTP/1.1 400\n\nInvalid request: Your request exceeded model token limit: 131072 (requested: 140000)").map(|v| v.0),
            Some(Kind::ContextOverflow)
        );
        assert_eq!(
            kind("HTTP/1.1 413\n\nRequest too large for model m on tokens per minute (TPM): Limit 6000, Requested 9000").map(|v| v.0),
            Some(Kind::RequestTooLarge)
        );
        assert_eq!(
            kind("HTTP/1.1 400\n\n{\"error\":{\"message\":\"<400> InternalError.Algo.InvalidParameter: The tool call is not supported.\"}}"),
            Some((Kind::ParamRejected, Some("tools".into())))
        );
        assert_eq!(
            kind("HTTP/1.1 400\n\n{\"error\":{\"message\":\"m-r does not support Json Output.\"}}"),
            Some((Kind::ParamRejected, Some("response_format".into())))
        );
        assert_eq!(
            kind("ValidationException: \"m-3\" is not supported on this API. Please use the Messages API instead.").map(|v| v.0),
            Some(Kind::WrongRoute)
        );
        // OpenRouter's `invalid_prompt` for a request its schema refused is no content filter;
        // an app's "generation failed" around a 400 is the app's wrapper.
        assert_eq!(
            kind("HTTP/1.1 400\n\n{\"error\":{\"code\":\"invalid_prompt\",\"message\":\"Invalid Responses API request\"}}").map(|v| v.0),
            Some(Kind::BadRequest)
        );
        assert_eq!(
            kind("generation failed: Client error '400 Bad Request' for url 'https://api.x/v1/chat/completions'").map(|v| v.0),
            Some(Kind::BadRequest)
        );
    }

    #[test]
    fn words_of_classes_met_in_fresh_pastes() {
        let kind = |t: &str| pasted(t).map(|v| (v.0, v.2));
        assert_eq!(
            kind("Request Failed: unexpected status code 400: {\"error\":\"request blocked - if you think this is a mistake, please contact support and reference this ID: 0a1b\"}").map(|v| v.0),
            Some(Kind::Blocked)
        );
        assert_eq!(
            kind("streaming error: invalid UTF-8 in SSE stream: incomplete utf-8 byte sequence from index 12").map(|v| v.0),
            Some(Kind::StreamMalformed)
        );
        assert_eq!(
            kind("Message: Type validation failed: Value: {\"type\":\"response.created\"}.")
                .map(|v| v.0),
            Some(Kind::BadResponse)
        );
        assert_eq!(
            kind("Generation failed [NSURLErrorDomain -1001]: The request timed out.").map(|v| v.0),
            Some(Kind::Timeout)
        );
        assert_eq!(
            kind("AI_APICallError: This model is currently experiencing high demand. Please try again later.").map(|v| v.0),
            Some(Kind::ServerError)
        );
        // A notice that reassures about the bill is no billing failure.
        assert_eq!(
            kind("The agent has encountered an internal error in this step. No credits consumed on this call.").map(|v| v.0),
            Some(Kind::ServerError)
        );
        assert_eq!(kind("terminated").map(|v| v.0), Some(Kind::StreamTruncated));
        // An Ollama client's 404 on an OpenAI route with no /v1 before it: the base URL.
        assert_eq!(
            kind("ollama: 404 Client Error: Not Found for url: http://127.0.0.1:11434/chat/completions"),
            Some((Kind::BaseUrl, "ollama_unversioned_route"))
        );
        assert_eq!(
            kind("ollama: 404 Client Error: Not Found for url: http://127.0.0.1:11434/v1/chat/completions").map(|v| v.0),
            Some(Kind::ModelNotFound)
        );
    }

    fn kind_of(status: u16, body: &str, sent: &[&str]) -> Classification {
        classify(
            status,
            &parse_error_body(Some("application/json"), body.as_bytes()),
            sent,
        )
    }

    #[test]
    fn a_proxy_s_500_around_its_client_s_401_is_the_401() {
        // A Node proxy wrapping axios: the answer's own status is the wrapper's.
        let body = parse_error_body(
            Some("application/json"),
            br#"{"error":{"message":"Request failed with status code 401","type":"api_error"}}"#,
        );
        assert_eq!(
            decide(Some(500), &body, &[], "").map(|v| v.kind),
            Some(Kind::Auth)
        );
        let busy = parse_error_body(
            None,
            br#"{"error":{"message":"Request failed with status code 503"}}"#,
        );
        assert_eq!(
            decide(Some(500), &busy, &[], "").map(|v| v.kind),
            Some(Kind::ServerError)
        );
    }

    #[test]
    fn an_html_404_is_the_path_whatever_names_a_model_around_it() {
        // A gateway's log line names the model; the 404 is a router's page.
        let page = "<html><title>Error 404 (Not Found)!!1</title><p>The requested URL was not found on this server.</p></html>";
        let b = parse_error_body(Some("text/html"), page.as_bytes());
        let v = decide(Some(404), &b, &[], "inference model_name=\"acme-1\" failed").expect("read");
        assert_eq!(v.kind, Kind::BaseUrl, "{v:?}");
    }

    #[test]
    fn a_dumped_request_s_credential_headers_are_no_complaint() {
        let dump = r#"request: %{headers: [{"authorization", "bearer sk-xxxx"}, {"content-type", "application/json"}]} to_error(:timeout"#;
        let w = without_header_dumps(dump);
        assert!(!w.contains("bearer") && !w.contains("authorization"), "{w}");
        assert!(w.contains("content-type"));
        let w = without_header_dumps(
            r#"curl -h "authorization: bearer abc" -h 'x-api-key: k1' http://x"#,
        );
        assert!(!w.contains("bearer") && !w.contains("api-key"), "{w}");
        // A sentence about the header is kept.
        assert_eq!(
            without_header_dumps("missing authorization header"),
            "missing authorization header"
        );
        assert_eq!(without_header_dumps("api key invalid"), "api key invalid");
    }

    #[test]
    fn two_api_versions_in_a_row_are_a_base_url_that_already_had_one() {
        assert!(version_twice("/api/paas/v4/v1/chat/completions"));
        assert!(version_twice("/v1/v1/models"));
        assert!(version_twice("/v1beta/v1/models"));
        assert!(!version_twice("/v1/chat/completions"));
        assert!(!version_twice("/v1/vision/v2x"));
        assert!(!version_twice("/openai/deployments/v1/chat"));
    }

    #[test]
    fn the_path_a_spring_style_404_body_names_is_read_as_the_request_s() {
        // A Java gateway's own 404 names the path it was asked for; the client's URL (a local
        // router) does not show it.
        let body = r#"{"timestamp":"2026-01-01T00:00:00.000+00:00","status":404,"error":"Not Found","path":"/api/paas/v4/v1/chat/completions"}"#;
        let b = parse_error_body(Some("application/json"), body.as_bytes());
        assert_eq!(b.path.as_deref(), Some("/api/paas/v4/v1/chat/completions"));
        let v = decide_at(
            Some(404),
            &b,
            &[],
            "",
            Some("http://127.0.0.1:9/router/v1/responses"),
        )
        .expect("read");
        assert_eq!((v.kind, v.rule), (Kind::BaseUrl, "version_twice"));
        // A path with one version is no evidence of a doubled base URL.
        let one = parse_error_body(
            None,
            br#"{"status":404,"error":"Not Found","path":"/v1/chat/completions"}"#,
        );
        let v = decide_at(Some(404), &one, &[], "", None).expect("read");
        assert_ne!(v.rule, "version_twice");
        // Only a path: a sentence in the field is not one.
        let said = parse_error_body(None, br#"{"status":404,"path":"no such path here"}"#);
        assert_eq!(said.path, None);
    }

    #[test]
    fn a_relay_s_sentence_in_param_is_its_message() {
        let b = parse_error_body(
            None,
            br#"{"error":{"message":"Param Incorrect","type":"upstream_error","param":"max_tokens is too large: 1048576. This model supports at most 131072 completion tokens, whereas you provided 1048576.","code":"400"}}"#,
        );
        assert_eq!(b.param, None);
        assert!(b
            .message
            .as_deref()
            .unwrap()
            .contains("max_tokens is too large"));
    }

    #[test]
    fn a_generic_code_yields_to_a_message_that_names_the_field() {
        let v = kind_of(
            400,
            r#"{"error":{"message":"Missing `reasoning_content` field in the assistant message at message index 2.","type":"invalid_request_error","param":null,"code":"invalid_request_error"}}"#,
            &[],
        );
        assert_eq!(
            (v.kind, v.param.as_deref()),
            (Kind::BadRequest, Some("reasoning_content"))
        );
    }

    #[test]
    fn a_model_still_loading_is_a_cold_start_and_a_failed_load_is_not() {
        // llama.cpp's 503 while it loads (tools/server README) and Hugging Face's.
        let v = kind_of(
            503,
            r#"{"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}"#,
            &[],
        );
        assert_eq!(
            (v.kind, v.hint),
            (Kind::ColdStart, Some(RuleHint::ModelLoading))
        );
        let v = kind_of(
            503,
            r#"{"error":"Model org/m is currently loading","estimated_time":20.0}"#,
            &[],
        );
        assert_eq!(v.kind, Kind::ColdStart);
        // A 500 while loading, or a load that failed, is the server's failure.
        for (status, body) in [
            (
                500,
                r#"{"error":"unexpected server status: llm server loading model"}"#,
            ),
            (
                503,
                r#"{"error":{"message":"failed to load model: Loading model","type":"unavailable_error"}}"#,
            ),
        ] {
            assert_ne!(kind_of(status, body, &[]).kind, Kind::ColdStart, "{body}");
        }
    }

    #[test]
    fn openai_envelope_is_read() {
        let b = parse_error_body(None, br#"{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#);
        assert_eq!(b.message.as_deref(), Some("Incorrect API key provided"));
        assert_eq!(b.code.as_deref(), Some("invalid_api_key"));
        assert_eq!(classify(401, &b, &[]).kind, Kind::Auth);
    }

    #[test]
    fn vllm_object_error_envelope_with_nested_message() {
        let b = parse_error_body(None, br#"{"object":"error","message":{"message":"The model `x` does not exist."},"type":"NotFoundError","code":404}"#);
        assert_eq!(b.message.as_deref(), Some("The model `x` does not exist."));
        assert_eq!(b.code.as_deref(), Some("404"));
        assert_eq!(classify(404, &b, &[]).kind, Kind::ModelNotFound);
    }

    #[test]
    fn zen_envelopes_by_error_class() {
        let cases = [
            (
                401,
                "ModelError",
                "Model gpt-4o-mini is not supported",
                Kind::ModelNotFound,
            ),
            (
                401,
                "ModelError",
                "Model gpt-5 is not supported for format oa-compat",
                Kind::WrongRoute,
            ),
            (
                401,
                "CreditsError",
                "No payment method. Add one at …",
                Kind::Billing,
            ),
            (
                401,
                "MonthlyLimitError",
                "Monthly limit reached",
                Kind::Billing,
            ),
            (401, "AuthError", "Invalid API key.", Kind::Auth),
            (
                403,
                "FreeTierError",
                "Free models are only available in opencode",
                Kind::AccessDenied,
            ),
            (
                429,
                "FreeUsageLimitError",
                "Rate limit exceeded",
                Kind::RateLimit,
            ),
        ];
        for (status, ty, msg, want) in cases {
            let body = format!(r#"{{"type":"error","error":{{"type":"{ty}","message":"{msg}"}}}}"#);
            let b = parse_error_body(None, body.as_bytes());
            assert_eq!(b.etype.as_deref(), Some(ty));
            assert_eq!(classify(status, &b, &[]).kind, want, "{ty}");
        }
    }

    #[test]
    fn quota_429_is_billing_but_rate_429_is_rate_limit() {
        assert_eq!(kind_of(429, r#"{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}"#, &[]).kind, Kind::Billing);
        assert_eq!(kind_of(429, r#"{"error":{"message":"Rate limit reached. Please try again in 50.5s","code":"rate_limit_exceeded"}}"#, &[]).kind, Kind::RateLimit);
        assert_eq!(
            kind_of(
                429,
                r#"{"error":{"code":429,"message":"Quota exceeded for requests per minute"}}"#,
                &[]
            )
            .kind,
            Kind::RateLimit
        );
    }

    #[test]
    fn a_rejected_parameter_is_named() {
        let azure = kind_of(
            400,
            r#"{"error":{"message":"Unrecognized request argument supplied: stream_options","type":"invalid_request_error"}}"#,
            &["stream_options"],
        );
        assert_eq!(
            (azure.kind, azure.param.as_deref()),
            (Kind::ParamRejected, Some("stream_options"))
        );
        let mistral = kind_of(
            422,
            r#"{"detail":[{"type":"extra_forbidden","loc":["body","stream_options","include_usage"],"msg":"Extra inputs are not permitted"}]}"#,
            &["stream_options"],
        );
        assert_eq!(
            (mistral.kind, mistral.param.as_deref()),
            (Kind::ParamRejected, Some("stream_options"))
        );
        let vllm = kind_of(
            400,
            r#"{"object":"error","message":"\"auto\" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set","type":"BadRequestError","code":400}"#,
            &["tools", "tool_choice"],
        );
        assert_eq!(
            (vllm.kind, vllm.param.as_deref()),
            (Kind::ParamRejected, Some("tool_choice"))
        );
        let openai = kind_of(
            400,
            r#"{"error":{"message":"Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.","param":"max_tokens","code":"unsupported_parameter"}}"#,
            &["max_tokens"],
        );
        assert_eq!(
            (openai.kind, openai.param.as_deref()),
            (Kind::ParamRejected, Some("max_tokens"))
        );
        // A crash on tools that says so is still a rejection of tools.
        let crash = kind_of(
            500,
            r#"{"error":{"message":"this model does not support tools"}}"#,
            &["tools"],
        );
        assert_eq!(
            (crash.kind, crash.param.as_deref()),
            (Kind::ParamRejected, Some("tools"))
        );
    }

    #[test]
    fn a_parameter_not_sent_is_not_blamed() {
        let v = kind_of(
            400,
            r#"{"error":{"message":"tools are not supported"}}"#,
            &["stream_options"],
        );
        assert_eq!(v.kind, Kind::BadRequest);
    }

    #[test]
    fn html_gateway_pages() {
        let page = b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>";
        let b = parse_error_body(Some("text/html"), page);
        assert!(b.html);
        assert_eq!(b.message.as_deref(), Some("502 Bad Gateway"));
        let v = classify(502, &b, &[]);
        assert_eq!((v.kind, v.gateway), (Kind::ServerError, true));
        assert_eq!(classify(524, &b, &[]).kind, Kind::Timeout);
    }

    #[test]
    fn openai_invalid_url_is_the_base_url_not_a_model() {
        // GET https://api.openai.com/models (no /v1): the path names "models", not a model.
        let b = parse_error_body(
            None,
            br#"{"error":{"message":"Invalid URL (GET /models)","type":"invalid_request_error","param":null,"code":null}}"#,
        );
        assert_eq!(classify(404, &b, &[]).kind, Kind::BaseUrl);
    }

    #[test]
    fn plain_text_and_empty_bodies() {
        let b = parse_error_body(Some("text/plain"), b"404 page not found\n");
        assert_eq!(b.message.as_deref(), Some("404 page not found"));
        assert_eq!(classify(404, &b, &[]).kind, Kind::BaseUrl);
        assert_eq!(
            classify(500, &parse_error_body(None, b""), &[]).kind,
            Kind::ServerError
        );
    }

    #[test]
    fn model_not_found_shapes() {
        for (status, body) in [
            (
                404,
                r#"{"error":{"message":"The model `gpt-9` does not exist or you do not have access to it.","type":"invalid_request_error","code":"model_not_found"}}"#,
            ),
            (
                404,
                r#"{"error":{"message":"model \"llama9\" not found, try pulling it first"}}"#,
            ),
            (
                404,
                r#"{"error":{"code":"DeploymentNotFound","message":"The API deployment for this resource does not exist."}}"#,
            ),
            (
                400,
                r#"{"error":{"message":"400: Invalid model name passed in model=nope. Call `/v1/models` to view available models for your key."}}"#,
            ),
        ] {
            assert_eq!(
                kind_of(status, body, &[]).kind,
                Kind::ModelNotFound,
                "{body}"
            );
        }
    }

    #[test]
    fn zen_provider_passthrough_keeps_the_message() {
        let b = parse_error_body(None, br#"{"error":{"message":"Error from provider (DeepSeek): Thinking mode does not support this tool_choice","type":"invalid_request_error"}}"#);
        assert!(b
            .message
            .as_deref()
            .unwrap()
            .starts_with("Error from provider (DeepSeek)"));
        let v = classify(400, &b, &["tools", "tool_choice"]);
        assert_eq!(
            (v.kind, v.param.as_deref()),
            (Kind::ParamRejected, Some("tool_choice"))
        );
    }

    #[test]
    fn context_overflow_is_its_own_kind() {
        let v = kind_of(
            400,
            r#"{"error":{"message":"This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.","code":"context_length_exceeded","param":"messages"}}"#,
            &["max_tokens"],
        );
        assert_eq!(v.kind, Kind::ContextOverflow);
        assert_eq!(kind_of(400, r#"{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 210000 tokens > 200000 maximum"}}"#, &[]).kind, Kind::ContextOverflow);
    }

    #[test]
    fn litellm_unknown_virtual_key_is_auth() {
        // Observed from the LiteLLM proxy 1.106 with a master key and no database.
        assert_eq!(kind_of(400, r#"{"error":{"message":"No connected db.","type":"no_db_connection","param":null,"code":"400"}}"#, &[]).kind, Kind::Auth);
    }

    #[test]
    fn long_messages_are_capped_on_a_char_boundary() {
        let long = "é".repeat(1000);
        let s = one_line(&long);
        assert!(s.chars().count() <= MESSAGE_CAP + 1);
    }

    #[test]
    fn a_capability_refused_in_words_outvotes_a_tool_code() {
        // Groq's envelope: code tool_use_failed, but the message says the model has no tools.
        let v = kind_of(
            400,
            r#"{"error":{"message":"This model does not support tools","type":"invalid_request_error","code":"tool_use_failed"}}"#,
            &["tools"],
        );
        assert_eq!(
            (v.kind, v.param.as_deref()),
            (Kind::ParamRejected, Some("tools"))
        );
        let v = kind_of(
            400,
            r#"{"detail":"Function calling is not enabled for this model"}"#,
            &["tools"],
        );
        assert_eq!(
            (v.kind, v.param.as_deref()),
            (Kind::ParamRejected, Some("tools"))
        );
    }

    #[test]
    fn llama_cpp_without_embeddings_is_a_flag_not_an_outage() {
        let v = kind_of(
            501,
            r#"{"error":{"code":501,"message":"This server does not support embeddings. Start it with `--embeddings`","type":"not_supported_error"}}"#,
            &[],
        );
        assert_eq!(
            (v.kind, v.hint),
            (Kind::WrongRoute, Some(RuleHint::FeatureOff))
        );
    }

    #[test]
    fn a_500_that_says_the_request_is_invalid_is_no_outage_but_a_cautious_bad_request() {
        let v = kind_of(
            500,
            r#"{"error":{"message":"Invalid request: the messages field is malformed"}}"#,
            &[],
        );
        assert_eq!((v.kind, v.confidence), (Kind::BadRequest, Confidence::Low));
    }

    #[test]
    fn go_context_deadline_is_a_timeout_not_a_context_window() {
        let b = ErrorBody {
            message: Some("Post \"https://x/v1/chat/completions\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)".into()),
            ..Default::default()
        };
        assert_eq!(classify_words(&b), Some(Kind::Timeout));
    }

    #[test]
    fn a_user_or_account_a_gateway_cannot_find_is_the_key_and_spent_credit_is_billing() {
        assert_eq!(
            kind_of(404, r#"{"error":{"message":"User not found."}}"#, &[]).kind,
            Kind::Auth
        );
        assert_eq!(
            kind_of(403, r#"{"error":"Your free credits are used up"}"#, &[]).kind,
            Kind::Billing
        );
        // A load balancer is no balance.
        assert_ne!(
            kind_of(
                502,
                r#"{"error":"load balancer: no healthy upstream, insufficient capacity"}"#,
                &[]
            )
            .kind,
            Kind::Billing
        );
    }

    #[test]
    fn a_connection_label_yields_to_a_body_that_says_more() {
        let b = ErrorBody {
            message: Some("The security token included in the request is invalid.".into()),
            ..Default::default()
        };
        let v = decide(
            None,
            &b,
            KNOWN_PARAMS,
            "litellm.APIConnectionError: BedrockException - ",
        )
        .unwrap();
        assert_eq!(v.kind, Kind::Auth);
        let bare = ErrorBody {
            message: Some("Connection error.".into()),
            ..Default::default()
        };
        let v = decide(
            None,
            &bare,
            KNOWN_PARAMS,
            "openai.APIConnectionError: Connection error.",
        )
        .unwrap();
        assert_eq!(v.kind, Kind::Network);
    }

    #[test]
    fn a_generic_code_without_a_status_is_read_as_its_status_cautiously() {
        let b = parse_error_body(
            None,
            br#"{"type":"error","error":{"type":"not_found_error","message":"Something new"}}"#,
        );
        let v = decide(None, &b, KNOWN_PARAMS, "").unwrap();
        assert_eq!((v.kind, v.confidence), (Kind::BaseUrl, Confidence::Low));
        assert!(v.evidence.contains("not_found_error"), "{}", v.evidence);
        let b = ErrorBody {
            message: Some("rpc error: code = Unavailable desc = the backend went away".into()),
            ..Default::default()
        };
        assert_eq!(
            decide(None, &b, KNOWN_PARAMS, "").unwrap().kind,
            Kind::ServerError
        );
        let b = parse_error_body(
            None,
            br#"{"error":{"type":"server_error","message":"Something new"}}"#,
        );
        assert_eq!(
            decide(None, &b, KNOWN_PARAMS, "").unwrap().kind,
            Kind::ServerError
        );
    }

    #[test]
    fn client_labels_and_pages_read_by_structure() {
        let page =
            br#"<html><head><title>301 Moved Permanently</title></head><body>nginx</body></html>"#;
        let b = parse_error_body(Some("text/html"), page);
        assert_eq!(classify(301, &b, &[]).kind, Kind::Redirect);
        let page = br#"<html><head><title>400 The plain HTTP request was sent to HTTPS port</title></head></html>"#;
        let v = classify(400, &parse_error_body(Some("text/html"), page), &[]);
        assert_eq!((v.kind, v.hint), (Kind::Network, Some(RuleHint::TlsScheme)));
        let b = ErrorBody {
            message: Some(
                "failed to deserialize api response: expected value at line 1 column 1".into(),
            ),
            ..Default::default()
        };
        assert_eq!(classify_words(&b), Some(Kind::BadResponse));
        let b = ErrorBody {
            message: Some("litellm.Timeout: Connection timed out after 600.0 seconds.".into()),
            ..Default::default()
        };
        assert_eq!(classify_words(&b), Some(Kind::Timeout));
    }

    #[test]
    fn agents_and_frameworks_in_their_own_words() {
        let words = |m: &str| {
            let b = ErrorBody {
                message: Some(m.into()),
                ..Default::default()
            };
            decide(None, &b, KNOWN_PARAMS, m).map(|v| (v.kind, v.confidence))
        };
        // An agent's complaint about the model's tool use: likely, not certain.
        assert_eq!(
            words("Cline tried to use write_to_file without value for required parameter 'path'. Retrying..."),
            Some((Kind::ToolCallMalformed, Confidence::Low))
        );
        assert_eq!(
            words("Unexpected API Response: The language model did not provide any assistant messages."),
            Some((Kind::BadResponse, Confidence::Low))
        );
        assert_eq!(
            words("ValueError: Calculated available context size -1500 was not non-negative.")
                .map(|v| v.0),
            Some(Kind::ContextOverflow)
        );
        assert_eq!(
            words("[tongyi] Authorization Error, something new").map(|v| v.0),
            Some(Kind::Auth)
        );
        assert_eq!(
            words("could not load model - all backends returned error: [llama-cpp]: EOF")
                .map(|v| v.0),
            Some(Kind::ServerError)
        );
        // The request's own content named after "invalid value for" is no optional parameter.
        let v = kind_of(
            400,
            r#"{"error":{"message":"Invalid value for 'content': expected a string, got null."}}"#,
            &[],
        );
        assert_eq!((v.kind, v.param), (Kind::BadRequest, None));
    }

    #[test]
    fn classes_of_reading_beyond_one_wording() {
        let words = |m: &str| {
            let b = ErrorBody {
                message: Some(m.into()),
                ..Default::default()
            };
            decide(None, &b, KNOWN_PARAMS, m).map(|v| (v.kind, v.hint, v.confidence))
        };
        // The client and its library do not fit, in any language: a package, not the provider.
        for m in [
            "ModuleNotFoundError: No module named 'openai'",
            "TypeError: Completions.create() got an unexpected keyword argument 'reasoning'",
            "Error: Cannot find module '@ai-sdk/openai-compatible'",
            "java.lang.NoSuchMethodError: 'okhttp3.RequestBody okhttp3.RequestBody.create(java.lang.String, okhttp3.MediaType)'",
        ] {
            let (kind, hint, _) = words(m).unwrap();
            assert_eq!(
                (kind, hint),
                (Kind::ProviderInit, Some(RuleHint::LibraryVersion)),
                "{m}"
            );
        }
        // An inference engine that died is the server's side; a bare client panic is not.
        assert_eq!(
            words("vllm.v1.engine.exceptions.EngineDeadError: EngineCore encountered an issue.")
                .map(|v| v.0),
            Some(Kind::ServerError)
        );
        assert_ne!(
            words("panic: runtime error: invalid memory address or nil pointer dereference")
                .map(|v| v.0),
            Some(Kind::ServerError)
        );
        // Cloud IAM wordings of "this key may not": access, not a bad request.
        assert_eq!(
            words("User: arn:aws:iam::123456789012:user/dev is not authorized to perform: bedrock:InvokeModel on resource")
                .map(|v| v.0),
            Some(Kind::AccessDenied)
        );
        // A client that found no `choices` in the answer: the answer is the problem.
        assert_eq!(
            words("TypeError: Cannot read properties of undefined (reading 'choices')")
                .map(|v| (v.0, v.2)),
            Some((Kind::BadResponse, Confidence::Low))
        );
        // A base URL without a scheme never leaves the client.
        assert_eq!(
            words("httpx.UnsupportedProtocol: Request URL is missing an 'http://' or 'https://' protocol.")
                .map(|v| v.0),
            Some(Kind::BaseUrl)
        );
        // reqwest's and OkHttp's words for the same: the url crate's ParseError, as Debug prints it.
        for t in [
            "reqwest::Error { kind: Builder, source: RelativeUrlWithoutBase }",
            "builder error: source: BadScheme",
            "java.lang.IllegalArgumentException: Expected URL scheme 'http' or 'https' but no scheme was found for local…",
        ] {
            assert_eq!(words(t).map(|v| v.0), Some(Kind::BaseUrl), "{t}");
        }
        // Rust's io::ErrorKind::TimedOut under reqwest's Debug print: the client's own limit.
        assert_eq!(
            words("Failed to make API request: reqwest::Error { kind: Request, url: \"http://localhost:11434/api/chat\", source: TimedOut }").map(|v| v.0),
            Some(Kind::Timeout)
        );
        // A relay's words for what its upstream answered; Go's header timeout under a proxy.
        assert_eq!(
            words("JoplinServerApi: Code: 400\nError: Upstream returned 429").map(|v| v.0),
            Some(Kind::RateLimit)
        );
        assert_eq!(
            words("Error proxying to upstream server: net/http: timeout awaiting response headers")
                .map(|v| v.0),
            Some(Kind::Timeout)
        );
        // Azure's missing deployment, in the older API versions' words too.
        assert_eq!(
            words("InvalidRequestError: The API deployment for the resource does not exist.")
                .map(|v| v.0),
            Some(Kind::ModelNotFound)
        );
        // Apple's NSURLErrorDomain: the code names the kind, the domain does not.
        assert_eq!(
            words("Error Domain=NSURLErrorDomain Code=-1001 \"The request timed out.\"")
                .map(|v| v.0),
            Some(Kind::Timeout)
        );
        assert_eq!(
            words("The operation couldn’t be completed. (NSURLErrorDomain error -1004.)")
                .map(|v| v.0),
            Some(Kind::Network)
        );
        // A denial with an edge's marks (Ray ID, the caller's IP) is a layer in front.
        assert_eq!(
            words("Access denied. The site owner may have set restrictions that prevent you from accessing the site. Ray ID: 7aec Your IP address: 10.0.0.1")
                .map(|v| v.0),
            Some(Kind::Blocked)
        );
    }

    #[test]
    fn fastchat_codes_and_a_quota_that_names_its_wait() {
        // FastChat's five-digit codes (status + two digits) name FastChat by their shape.
        let v = kind_of(
            400,
            r#"{"object":"error","message":"Only  allowed now, your model x","code":40301}"#,
            &[],
        );
        assert_eq!((v.kind, v.rule), (Kind::ModelNotFound, "provider_code"));
        // A quota that says when to retry resets: a rate limit, not billing.
        let v = kind_of(
            429,
            r#"{"error":{"message":"You exceeded your current quota. Please retry in 30.6s."}}"#,
            &[],
        );
        assert_eq!(v.kind, Kind::RateLimit);
    }

    #[test]
    fn a_tool_refused_by_its_schema_gets_the_schema_s_fix_not_drop_the_tools() {
        let v = read_pasted(r#"HTTP 400: {"error":{"code":400,"message":"Invalid JSON payload received. Unknown name \"additionalProperties\" at 'tools[0].function_declarations[0].parameters': Cannot find field.","status":"INVALID_ARGUMENT"}}"#).unwrap();
        assert_eq!(
            (v.kind, v.param.as_deref(), v.hint),
            (
                Kind::ParamRejected,
                Some("tools"),
                Some(RuleHint::ToolSchema)
            )
        );
        let hint = v.kind.hint(&crate::failure::HintContext {
            param: v.param.as_deref(),
            rule: v.hint,
            offline: true,
            ..Default::default()
        });
        assert!(
            hint.contains("keep the tools") && !hint.contains("does not take tools"),
            "{hint}"
        );
        // A model without tool support is told so.
        let v = read_pasted(r#"HTTP 400: {"error":{"message":"registry.ollama.ai/library/gemma2:9b does not support tools"}}"#).unwrap();
        assert_eq!((v.param.as_deref(), v.hint), (Some("tools"), None));
    }

    #[test]
    fn a_server_error_that_says_it_timed_out_is_a_likely_timeout() {
        let v =
            read_pasted(r#"HTTP 502: {"error":{"message":"context deadline exceeded"}}"#).unwrap();
        assert_eq!(
            (v.kind, v.rule, v.confidence),
            (Kind::Timeout, "timeout_in_5xx", Confidence::Low)
        );
        // An outage that timed out is the outage.
        let v = read_pasted(r#"HTTP 503: {"error":{"message":"All upstream channels are unavailable. Request Timeout."}}"#).unwrap();
        assert_eq!(v.kind, Kind::ServerError);
    }

    #[test]
    fn a_refusal_located_in_a_request_field_is_a_likely_bad_request_on_it() {
        let v = pasted("messages.2: `tool_use` blocks can only be in `assistant` messages");
        assert_eq!(
            v.map(|v| (v.0, v.1, v.2)),
            Some((Kind::BadRequest, Some("messages".into()), "located_refusal"))
        );
        // A location with nothing refused is no refusal.
        assert_eq!(
            pasted("messages[3] appended to the history").map(|v| v.0),
            None
        );
    }

    #[test]
    fn a_text_no_rule_knows_is_read_by_its_word_roots_cautiously() {
        let words = |m: &str| {
            let b = ErrorBody {
                message: Some(m.into()),
                ..Default::default()
            };
            decide(None, &b, KNOWN_PARAMS, m).map(|v| (v.kind, v.confidence, v.rule))
        };
        assert_eq!(
            words("Fehler: socket closed by remote"),
            Some((Kind::Network, Confidence::Low, "word_root"))
        );
        assert_eq!(
            words("the credential helper gave nothing"),
            Some((Kind::Auth, Confidence::Low, "word_root"))
        );
        // A module that failed, in words no rule knows and without opencode's name: the
        // library-version fix, not opencode's npm one.
        let m = "plugin module failed to load: libfoo";
        let b = ErrorBody {
            message: Some(m.into()),
            ..Default::default()
        };
        let v = decide(None, &b, KNOWN_PARAMS, m).unwrap();
        assert_eq!(
            (v.kind, v.confidence, v.rule, v.hint),
            (
                Kind::ProviderInit,
                Confidence::Low,
                "word_root",
                Some(RuleHint::LibraryVersion)
            )
        );
        // An application that could not read the model's prose is no endpoint failure.
        assert_eq!(
            words("OutputParserException: Could not parse LLM output: `42`"),
            None
        );
    }

    #[test]
    fn a_403_page_or_a_403_about_a_model_is_read_by_its_structure() {
        // A 403 that speaks of access to a model: the model exists, the key may not use it.
        let v = kind_of(
            403,
            r#"{"error":{"message":"Project `proj_x` does not have access to model `gpt-4o`","type":"invalid_request_error","code":"model_not_found"}}"#,
            &[],
        );
        assert_eq!(v.kind, Kind::AccessDenied);
        // An HTML 403 is no API's refusal: a layer in front, read cautiously.
        let page = b"<html><head><title>403 Forbidden</title></head><body><center><h1>403 Forbidden</h1></center><hr><center>nginx</center></body></html>";
        let v = classify(403, &parse_error_body(Some("text/html"), page), &[]);
        assert_eq!((v.kind, v.confidence), (Kind::Blocked, Confidence::Low));
        // Busy words with a 429 are the caller's rate, not an outage.
        assert_eq!(
            kind_of(
                429,
                r#"{"error":{"message":"The server is busy, please try again later"}}"#,
                &[]
            )
            .kind,
            Kind::RateLimit
        );
    }

    #[test]
    fn a_404_is_read_by_its_shape_and_where_it_went() {
        let json = |b: &str| parse_error_body(Some("application/json"), b.as_bytes());
        let api = json(
            r#"{"error":{"message":"nope-1 is not served here","type":"invalid_request_error"}}"#,
        );
        assert_eq!(shape(&api), Shape::ApiError);
        // On a model route, or with no route said: the route answered, the model is what
        // was not found, likely.
        for url in [
            None,
            Some("/v1/chat/completions"),
            Some("https://x.example/v1/responses"),
        ] {
            let v = classify_at(404, &api, &[], url);
            assert_eq!(
                (v.kind, v.confidence, v.rule),
                (Kind::ModelNotFound, Confidence::Low, "route_answered"),
                "{url:?}"
            );
        }
        // A route after a query string: the base URL ends in one, whatever the status says.
        let page = parse_error_body(
            Some("text/html"),
            b"<html><title>403: Forbidden</title></html>",
        );
        let v = classify_at(
            403,
            &page,
            &[],
            Some("https://h.example:26693?token=abcd1234/chat/completions"),
        );
        assert_eq!((v.kind, v.rule), (Kind::BaseUrl, "route_in_query"));
        assert!(!v.evidence.contains("abcd1234"), "{}", v.evidence);
        // Chat's `messages` refused on /responses: the client speaks the wrong wire format.
        let detail = json(r#"{"detail":"Unsupported parameter: messages"}"#);
        let v = classify_at(
            400,
            &detail,
            &[],
            Some("http://127.0.0.1:8688/v1/responses"),
        );
        assert_eq!((v.kind, v.rule), (Kind::WrongRoute, "wire_mismatch"));
        assert_ne!(
            classify_at(400, &detail, &[], Some("/v1/chat/completions")).kind,
            Kind::WrongRoute
        );
        // Not on /models, where no model is named.
        assert_eq!(
            classify_at(404, &api, &[], Some("/v1/models")).kind,
            Kind::BaseUrl
        );
        // A router's miss, in JSON, text or a page, and nothing at all: the URL.
        for (ct, b) in [
            ("application/json", r#"{"detail":"Not Found"}"#),
            (
                "application/json",
                r#"{"type":"error","error":{"type":"not_found_error","message":"Not Found"}}"#,
            ),
            (
                "application/json",
                r#"{"message":"Cannot POST /v1/chat/completions","error":"Not Found","statusCode":404}"#,
            ),
            ("text/plain", "404 page not found"),
            ("text/html", "<html><title>404 Not Found</title></html>"),
            ("text/plain", ""),
        ] {
            let body = parse_error_body(Some(ct), b.as_bytes());
            assert_ne!(shape(&body), Shape::ApiError, "{b}");
            assert_eq!(
                classify_at(404, &body, &[], Some("/v1/chat/completions")).kind,
                Kind::BaseUrl,
                "{b}"
            );
        }
        // A router's miss on a route many servers lack, under a versioned base: the route.
        let miss = parse_error_body(Some("text/plain"), b"404: Not Found");
        let v = classify_at(
            404,
            &miss,
            &[],
            Some("https://api.example.com/v1/responses"),
        );
        assert_eq!((v.kind, v.confidence), (Kind::WrongRoute, Confidence::Low));
        // ... but under another prefix, the prefix is the likelier fault.
        let v = classify_at(404, &miss, &[], Some("https://relay.example/api/responses"));
        assert_eq!(v.kind, Kind::BaseUrl);
        // Nothing at all from a provider's own address on its route: the service.
        let empty = parse_error_body(None, b"");
        let v = classify_at(
            404,
            &empty,
            &[],
            Some("https://api.openai.com/v1/chat/completions"),
        );
        assert_eq!((v.kind, v.rule), (Kind::ServerError, "official_404"));
        let v = classify_at(
            404,
            &empty,
            &[],
            Some("https://my.host/v1/chat/completions"),
        );
        assert_eq!(v.kind, Kind::BaseUrl);
        // Only a client's words for the 404 at a provider's own route: the URL is right,
        // the model likely; the same words under another prefix leave the base URL.
        let said = parse_error_body(None, b"404 Client Error: Not Found for url");
        for url in [
            "https://api.openai.com/v1/chat/completions",
            "http://localhost:11434/api/generate",
        ] {
            let v = classify_at(404, &said, &[], Some(url));
            assert_eq!(
                (v.kind, v.rule, v.confidence),
                (Kind::ModelNotFound, "provider_route_404", Confidence::Low),
                "{url}"
            );
        }
        for url in [
            "https://api.openai.com/chat/completions",
            "https://api.openai.com/v1/v1/chat/completions",
            "http://localhost:11434/chat/completions",
        ] {
            let v = classify_at(404, &said, &[], Some(url));
            assert_eq!(v.kind, Kind::BaseUrl, "{url}");
        }
    }

    #[test]
    fn a_header_refused_by_name_and_a_code_in_reason_are_read() {
        let v = kind_of(
            400,
            r#"{"type":"error","error":{"type":"invalid_request_error","message":"Unexpected value(s) `prompt-caching-scope-2026-01-05` for the `anthropic-beta` header. Please try again without the header."}}"#,
            KNOWN_PARAMS,
        );
        assert_eq!(
            (v.kind, v.param.as_deref()),
            (Kind::ParamRejected, Some("anthropic-beta"))
        );
        // "the header" alone names none.
        assert_eq!(
            super::params::blamed_for_test("invalid value in the auth header"),
            None
        );
        let b = parse_error_body(
            None,
            br#"{"error":{"type":"client","reason":"invalid_input","message":"Invalid URL","retryable":false}}"#,
        );
        assert!(b.tags.iter().any(|t| t == "invalid_input"), "{:?}", b.tags);
    }

    #[test]
    fn words_are_matched_whole() {
        use super::params::word_at;
        assert!(word_at("bad 'tools' here", "tools").is_some());
        assert!(word_at("tool_choice", "tools").is_none());
        assert!(word_at("max_completion_tokens", "max_tokens").is_none());
    }
}
