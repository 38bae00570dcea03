//! `zencheck explain`: classify what a user saw, offline, with the probe's own classifier.
//!
//! Accepts an HTTP status with a body (`HTTP/1.1 429 …`, `401 {…}`, openai-python's
//! `Error code: 400 - {'error': …}`), a bare error body (JSON, HTML or text), an opencode
//! error object (`{name, data}`, or a whole `opencode run --format json` error line), or an
//! SSE transcript.

use crate::check::{messages, responses, stream};
use crate::classify::{
    decide, decide_at, in_stream, one_line, paste, Classification, Confidence, ErrorBody,
    KNOWN_PARAMS,
};
use crate::cli::{ExplainArgs, ExplainFormat};
use crate::error::RunError;
use crate::failure::{HintContext, Kind, RuleHint};
use crate::provider::Provider;
use serde::Serialize;
use serde_json::Value;
use std::io::{IsTerminal, Read};

#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    /// What the input was read as: `http`, `body`, `opencode`, `sse` or `text`.
    pub read_as: &'static str,
    pub kind: Option<Kind>,
    pub title: String,
    pub meaning: String,
    pub hint: String,
    pub http_status: Option<u16>,
    pub error_type: Option<String>,
    pub provider_message: Option<String>,
    pub param: Option<String>,
    pub detail: String,
    /// The request id the paste quotes (a header, a body field, an SDK's message).
    pub request_id: Option<String>,
    /// The wait the paste asks for: `retry-after`, "try again in 6ms", `retryDelay`.
    pub retry_after_secs: Option<u64>,
    /// The id of the classifier rule that decided (`src/classify/rules.rs`), or
    /// `provider_code` (`src/classify/codes.toml`), or `word_root` (a word root alone, low
    /// confidence).
    pub rule: Option<&'static str>,
    /// `high`, or `low` when the reading rests on thin or conflicting evidence (the status
    /// alone, a client's exception name, a message that reads two ways): the kind is the
    /// likeliest one, and the fix is one that is safe whichever reading is right.
    pub confidence: Option<Confidence>,
    /// What the reading rests on: a provider's code, the message, the status alone.
    pub evidence: Option<String>,
    /// The input was longer than [`INPUT_CAP`] and only its start was read.
    pub input_truncated: bool,
}

/// The most of a paste that is read; a longer one is cut there, and the output says so.
pub const INPUT_CAP: usize = 1 << 20;

pub fn command(args: &ExplainArgs) -> Result<u8, RunError> {
    let raw = match args.text.as_deref() {
        Some(t) if t != "-" => t.as_bytes().to_vec(),
        _ => {
            // At a terminal, a silent wait for stdin looks like a hang; piped input needs no word.
            if std::io::stdin().is_terminal() {
                eprintln!(
                    "zencheck explain: paste the error, then press Ctrl-D (Ctrl-Z Enter on Windows)"
                );
            }
            let mut buf = Vec::new();
            std::io::stdin()
                .take(INPUT_CAP as u64 + 1)
                .read_to_end(&mut buf)
                .map_err(|e| RunError::Io {
                    what: "read stdin".into(),
                    why: e.to_string(),
                })?;
            buf
        }
    };
    let truncated = raw.len() > INPUT_CAP;
    // A paste is what a terminal gave us: invalid UTF-8 is read lossily, never refused.
    let text = String::from_utf8_lossy(&raw[..raw.len().min(INPUT_CAP)]);
    if text.trim().is_empty() {
        return Err(RunError::Usage(
            "nothing to explain: pass the error text as an argument or on stdin".into(),
        ));
    }
    let mut e = explain(&text, args.provider);
    if truncated {
        e.input_truncated = true;
        e.detail.push_str(&format!(
            "; input cut at {INPUT_CAP} bytes, the rest was not read"
        ));
    }
    match args.format {
        ExplainFormat::Json => crate::out::println(
            &serde_json::to_string_pretty(&e).expect("an explanation serialises"),
        )?,
        ExplainFormat::Markdown => crate::out::print(&render_markdown(&e))?,
        ExplainFormat::Table => crate::out::print(&render(&e, crate::fit::line_width()))?,
    }
    Ok(crate::error::EXIT_OK)
}

/// A block to paste into a ticket: what was read, what it means, the fix. Pasted text is
/// escaped, so it cannot turn into links or images there.
pub fn render_markdown(e: &Explanation) -> String {
    use crate::report::markdown_text as md;
    let kind = e.kind.map_or("none", Kind::code);
    let mut out = format!(
        "#### zencheck explain: `{kind}` — {}\n\n| | |\n| --- | --- |\n",
        md(&e.title)
    );
    let mut row = |k: &str, v: &str| out.push_str(&format!("| {k} | {} |\n", md(v)));
    row("read as", e.read_as);
    if let Some(s) = e.http_status {
        row("HTTP status", &s.to_string());
    }
    if let Some(t) = &e.error_type {
        row("error type", t);
    }
    if let Some(m) = &e.provider_message {
        row("provider message", m);
    }
    if let Some(id) = &e.request_id {
        row("request id", id);
    }
    if let Some(s) = e.retry_after_secs {
        row("retry after", &format!("{s} s"));
    }
    if let Some(p) = &e.param {
        row("parameter", p);
    }
    row("means", &e.meaning);
    row("fix", &e.hint);
    if e.input_truncated {
        row("note", &format!("the input was cut at {INPUT_CAP} bytes"));
    }
    crate::redact::strip_controls(&out)
}

/// The explanation for a terminal of `width` columns: each field a labelled block wrapped
/// between words (a pasted error is often one line of hundreds of characters).
pub fn render(e: &Explanation, width: usize) -> String {
    let mut fields = vec![(
        "kind:",
        match e.kind {
            Some(k) => format!("{} ({})", k.code(), e.title),
            None => format!("none ({})", e.title),
        },
    )];
    let mut seen = Vec::new();
    if let Some(s) = e.http_status {
        seen.push(format!("HTTP {s}"));
    }
    seen.extend(e.error_type.clone());
    if let Some(m) = &e.provider_message {
        seen.push(format!("\"{m}\""));
    }
    if seen.is_empty() {
        seen.push(e.detail.clone());
    }
    fields.push(("read as:", format!("{}: {}", e.read_as, seen.join(" · "))));
    if let Some(p) = &e.param {
        fields.push(("param:", p.clone()));
    }
    fields.push(("means:", e.meaning.clone()));
    fields.push(("fix:", e.hint.clone()));
    if e.input_truncated {
        fields.push(("note:", format!("the input was cut at {INPUT_CAP} bytes")));
    }
    let mut out = String::new();
    for (label, text) in fields {
        // Pasted text may carry terminal escapes; none reach the terminal.
        let text = crate::redact::strip_controls(&text).replace('\t', " ");
        out.push_str(&crate::fit::block(&format!("{label:<9}"), &text, width));
        out.push('\n');
    }
    out
}

/// Key-shaped tokens (`sk-…`, `gsk_…`) and bearer credentials in a paste, masked.
fn mask_secrets(s: &str) -> String {
    let s = crate::redact::mask_key_like(s);
    let mut out = String::with_capacity(s.len());
    let mut rest = s.as_str();
    // "Authorization: Bearer …" and `AIza…` (Google) keys have no sk- prefix.
    while let Some(i) = ["Bearer ", "bearer ", "AIza"]
        .iter()
        .filter_map(|p| rest.find(p).map(|i| (i, p.len())))
        .min_by_key(|(i, _)| *i)
        .map(|(i, n)| i + n)
    {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let len = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || "-_.".contains(c)))
            .unwrap_or(tail.len());
        if len >= 12 && !tail[..len].contains("[redacted]") {
            out.push_str("[redacted]");
        } else {
            out.push_str(&tail[..len]);
        }
        rest = &tail[len..];
    }
    out.push_str(rest);
    out
}

pub fn explain(input: &str, provider: Option<Provider>) -> Explanation {
    // Keys pasted along with the error never reach the output, as in reports.
    let masked = mask_secrets(input);
    let text = masked.trim();
    if looks_like_sse(text) {
        return from_sse(text, provider);
    }
    if let Some(stream) = quoted_transcript(text) {
        return from_sse(&stream, provider);
    }
    let reading = paste::read(text);
    if let Some(err) = reading.value.as_ref().and_then(opencode_error) {
        let mut x = from_opencode(err, provider);
        // An UnknownError (or any opencode error without a kind) may still carry the cause
        // in its message: "Model not found: …", "ProviderModelNotFoundError …".
        if x.kind.is_none() {
            if let Some(v) = x
                .provider_message
                .as_deref()
                .and_then(|m| decide(None, &ErrorBody::default(), KNOWN_PARAMS, m))
            {
                x = with_kind(x, v.kind, v.param.clone(), (v.rule, v.hint), provider);
                x = with_confidence(x, &v);
            }
        }
        return x;
    }
    if let Some(x) = quoted_stream_error(text, &reading, provider) {
        return x;
    }
    from_reading(reading, provider)
}

/// An error event quoted outside its stream, by the words around it (`Stream Error:
/// {"type":"error","error":{"type":"overloaded_error",…}}` from an SDK's stream reader):
/// read as the stream's error event is. The same shape with a status is an HTTP answer's body
/// (Anthropic answers errors so), read as one; an event whose code names a cause with its own
/// fix is left to that reading too.
fn quoted_stream_error(
    text: &str,
    r: &paste::Reading,
    provider: Option<Provider>,
) -> Option<Explanation> {
    if r.status.is_some() {
        return None;
    }
    let squeezed: String = crate::fit::prefix(text, 64 << 10)
        .0
        .to_ascii_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let event = match &r.value {
        Some(v) => {
            v.get("type").and_then(Value::as_str) == Some("error")
                && v.get("error").is_some_and(Value::is_object)
        }
        // An event the paste elided (`{"type":"error",...,"type":"overloaded_error",...}`)
        // parses as nothing; its words still say what it was.
        None => squeezed.contains("\"type\":\"error\""),
    };
    if !event {
        return None;
    }
    // Said in a stream: the wrapper's words, or the SDK's stream reader in the trace
    // (`streaming.mjs`, `Stream.iterator`, `MessageStream`).
    let streamed = [
        "streamerror",
        "stream_error",
        "errorinstream",
        "stream.iterator",
        "messagestream",
        "streaming",
    ];
    if !streamed.iter().any(|w| squeezed.contains(w)) {
        return None;
    }
    // An event whose code names its own cause keeps that reading.
    let named = match &r.value {
        Some(v) => in_stream::read(&v.to_string(), KNOWN_PARAMS)
            .verdict
            .is_some(),
        None => !["overloaded_error", "api_error"]
            .iter()
            .any(|c| squeezed.contains(c)),
    };
    if named {
        return None;
    }
    let mut x = explained(
        "body",
        Some(Kind::StreamError),
        None,
        r.body.etype.clone().or(r.body.code.clone()),
        r.body.message.clone(),
        None,
        "an error event quoted from a stream".into(),
        provider,
    );
    x.request_id = r.request_id.clone();
    x.confidence = Some(Confidence::High);
    x.evidence =
        Some("an error event (`\"type\": \"error\"`) the paste says came in a stream".into());
    Some(x)
}

/// An SSE transcript: lines starting at column 0 with `data:` or `event:`. An SDK's object
/// dump has an indented `data:` property, and is no stream; nor is a pretty-printed object
/// whose `data: {` opens on one line and goes on over the next ones (an axios error's
/// `data` printed by Node): a stream's event carries its JSON on its own line.
fn looks_like_sse(text: &str) -> bool {
    let mut fields = 0;
    let mut lines = text.lines().take(10_000).peekable();
    while let Some(line) = lines.next() {
        if line.starts_with("data:") || line.starts_with("event:") {
            let opened = line.strip_prefix("data:").map(str::trim) == Some("{");
            let continued = lines
                .peek()
                .is_some_and(|next| !next.is_empty() && !next.starts_with("data:"));
            if opened && continued {
                return false;
            }
            fields += 1;
        } else if line.contains("statusCode") || line.contains("responseBody") {
            return false;
        }
    }
    fields > 0
}

/// A transcript quoted the way issue threads and chats quote one: its lines indented, or
/// behind a `> `, `# ` or `// ` marker, and long `data:` lines wrapped by a terminal
/// or an editor onto the next lines. Returned as the stream it was when, once the marker is
/// gone and the wrapped lines are joined back, every line is an SSE field or a blank: a
/// paste with anything else in it (a traceback, an SDK's object dump) is read as text.
fn quoted_transcript(text: &str) -> Option<String> {
    const MARKERS: [&str; 4] = ["> ", ">", "# ", "// "];
    // The paste arrives trimmed, so its first line has lost its indentation: each line is
    // read from its first character.
    let mut cut: Vec<&str> = text.lines().take(2_000).map(str::trim_start).collect();
    // The marker of the first line, taken off every line that has it: a line wrapped from a
    // long frame may have lost it, and is joined back below.
    if let Some(m) = cut
        .iter()
        .find(|l| !l.is_empty())
        .and_then(|first| MARKERS.iter().find(|m| first.starts_with(**m)))
    {
        cut = cut
            .iter()
            .map(|l| {
                l.strip_prefix(*m)
                    .or_else(|| l.strip_prefix(m.trim_end()))
                    .unwrap_or(l)
                    .trim_start()
            })
            .collect();
    }
    let field = |l: &str| {
        ["data:", "event:", "id:", "retry:", ":"]
            .iter()
            .any(|f| l.starts_with(f))
    };
    // An object that does not end in `}` is unfinished without parsing it: a long frame
    // wrapped over many lines is parsed once it could be whole, not at every line.
    let parses = |l: &str| {
        l.strip_prefix("data:").map(str::trim).is_none_or(|d| {
            !d.starts_with('{') || (d.ends_with('}') && serde_json::from_str::<Value>(d).is_ok())
        })
    };
    // Lines joined back onto one frame, at most: a terminal wraps a frame onto a few.
    const MAX_WRAPPED: usize = 64;
    let mut out: Vec<String> = Vec::new();
    let mut wrapped = 0;
    for line in cut {
        let line = line.trim_end().to_string();
        match out.last_mut() {
            // A wrapped line goes back onto the data line it was cut from, while that
            // line's JSON is still unfinished.
            Some(last) if !line.is_empty() && !field(&line) && !parses(last) => {
                wrapped += 1;
                if wrapped > MAX_WRAPPED {
                    return None;
                }
                last.push(' ');
                last.push_str(line.trim_start());
            }
            _ if line.is_empty() || field(&line) => {
                wrapped = 0;
                out.push(line);
            }
            _ => return None,
        }
    }
    // A frame that still is not JSON once joined was no wrapped frame (Node's pretty-printed
    // `data: {` object, a broken copy): the paste is read as text.
    if !out.iter().all(|l| parses(l)) {
        return None;
    }
    let stream = out.join("\n");
    looks_like_sse(&stream).then_some(stream)
}

fn from_reading(r: paste::Reading, provider: Option<Provider>) -> Explanation {
    let verdict = decide_at(
        r.status,
        &r.body,
        KNOWN_PARAMS,
        &r.context,
        r.url.as_deref(),
    );
    let detail = match (r.status, &r.body.message) {
        (Some(s), _) => format!("HTTP {s}"),
        (None, Some(m)) => format!("\"{}\"", one_line(m)),
        _ => "no message".into(),
    };
    let mut x = explained(
        r.read_as,
        verdict.as_ref().map(|v| v.kind),
        r.status,
        r.body.etype.clone().or(r.body.code.clone()),
        r.body.message.clone(),
        verdict.as_ref().and_then(|v| v.param.clone()),
        detail,
        provider,
    );
    x.request_id = r.request_id;
    x.retry_after_secs = r.retry_after_secs;
    if let Some(v) = &verdict {
        x.rule = Some(v.rule);
        x = with_kind(x, v.kind, v.param.clone(), (v.rule, v.hint), provider);
        if v.gateway {
            x.hint = hint_for(&x, v.kind, provider, v.hint, true);
        }
        x = with_confidence(x, v);
        if v.kind == Kind::ModelNotFound && provider.is_none() {
            if let Some(model) = ollama_model_to_pull(x.provider_message.as_deref().unwrap_or("")) {
                // Ollama says which model to pull: the fix names it.
                x.hint = Kind::ModelNotFound.hint(&HintContext {
                    provider: Some(Provider::Ollama),
                    model: Some(&model),
                    offline: true,
                    ..Default::default()
                });
            }
        }
    }
    if verdict.is_none() && x.provider_message.as_deref().is_some_and(is_masked) {
        x.title = "a masked error".into();
        x.meaning = "A generic message that some layer (an SDK, LiteLLM, a web framework) put in place of the real error; it carries no cause.".into();
        x.hint = "Find the real status and body: the AI SDK passes them only to onError; LiteLLM exceptions carry .status_code and \
                  .message; or run `zencheck probe` against the same base URL and model to see the provider's own answer."
            .into();
    }
    x
}

/// Ollama's "model 'llama9:7b' not found, try pulling it first": the model it names.
fn ollama_model_to_pull(message: &str) -> Option<String> {
    let lower = message.to_ascii_lowercase();
    if !lower.contains("try pulling it first") {
        return None;
    }
    let start = lower.find("model ")? + "model ".len();
    let rest = message[start..].trim_start_matches(['\'', '"', '`', '\\']);
    let model: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "-_.:/".contains(*c))
        .take(128)
        .collect();
    (!model.is_empty()).then_some(model)
}

/// How to confirm a likely reading: by what the paste lacks. A connection that failed before
/// any HTTP answer has no status or body to find; an answer whose status and message are both
/// in the paste is confirmed by the same request sent again and read whole.
fn confirm_by(x: &Explanation, kind: Kind) -> String {
    let no_http = matches!(
        kind,
        Kind::Network | Kind::Timeout | Kind::AddressFamily | Kind::Aborted
    ) && x.http_status.is_none();
    let how = match (no_http, x.http_status.is_some(), x.provider_message.is_some()) {
        (true, ..) => "run the same request with `curl -v` from the same machine and see where it stops",
        (false, true, true) => {
            "send the same request with curl and read the whole answer, or look the message up in the provider's documentation"
        }
        (false, true, false) => "find the response body the server sent with this status",
        (false, false, true) => "find the HTTP status that came with this message",
        (false, false, false) => "find the full HTTP status and response body the server sent",
    };
    format!(" This reading is a likely one, not a certain one: to confirm it, {how}.")
}

/// A verdict's confidence and evidence; a low one is worded as the likeliest reading, with
/// what it rests on and how to confirm it.
fn with_confidence(mut x: Explanation, v: &Classification) -> Explanation {
    x.confidence = Some(v.confidence);
    x.evidence = Some(v.evidence.clone());
    if v.confidence == Confidence::Low {
        x.title = format!("likely: {}", x.title);
        x.meaning = format!("Likely, from {}: {}", v.evidence, x.meaning);
        if matches!(v.rule, "status_404" | "status_404_model") {
            // A bare 404 reads three ways (a path, a model id, the service itself): a fix
            // that picks one would send two of them the wrong way.
            x.hint = "The answer carries its status and nothing that names the cause. Find the response body (the \
                      message names what was not found), or send the same request with curl; if the same settings \
                      worked before, or many users see it at once, the service itself is the likelier cause."
                .to_string();
        }
        let confirm = confirm_by(&x, v.kind);
        x.hint.push_str(&confirm);
    }
    x
}

/// The explanation's kind, title, meaning and hint for a verdict.
fn with_kind(
    mut x: Explanation,
    kind: Kind,
    param: Option<String>,
    (rule, hint): (&'static str, Option<RuleHint>),
    provider: Option<Provider>,
) -> Explanation {
    x.kind = Some(kind);
    x.title = kind.title().to_string();
    x.meaning = kind.meaning().to_string();
    x.param = param.or(x.param);
    x.rule = Some(rule);
    x.hint = hint_for(&x, kind, provider, hint, false);
    x
}

/// The fix for `kind`, worded with what the explanation knows: its parameter, its wait, and
/// the model id the provider's message names.
fn hint_for(
    x: &Explanation,
    kind: Kind,
    provider: Option<Provider>,
    rule: Option<RuleHint>,
    gateway: bool,
) -> String {
    let model = x.provider_message.as_deref().and_then(model_named);
    kind.hint(&HintContext {
        provider,
        param: x.param.as_deref(),
        model: model.as_deref(),
        gateway,
        retry_after_secs: x.retry_after_secs,
        rule,
        offline: true,
        ..Default::default()
    })
}

/// The model id a provider's message names: quoted after "model" (`The model \`gpt-4o\` does
/// not exist`, `model 'llama3' not found`), or bare after "model" / "model:" / "model=" when
/// it looks like an id (a digit, `-`, `/`, `:` or `.` in it). Bounded, and only the
/// characters ids are made of.
fn model_named(message: &str) -> Option<String> {
    const QUOTES: &[char] = &['`', '\'', '"', '‘', '’', '“', '”'];
    let id_char = |c: char| c.is_ascii_alphanumeric() || "-_.:/@+".contains(c);
    let lower = message.to_ascii_lowercase();
    lower.match_indices("model").take(16).find_map(|(i, _)| {
        let before = lower[..i].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            return None;
        }
        let rest = message.get(i + "model".len()..)?;
        // A JSON key's closing quote before its colon (`"model": "gpt-4o"`).
        let rest = rest
            .strip_prefix(QUOTES)
            .filter(|r| r.trim_start().starts_with(':'))
            .unwrap_or(rest);
        // "model", "model:", "model=", "model id", "model name".
        let mut rest = rest.trim_start_matches([' ', ':', '=']);
        for w in ["id ", "name ", "ID ", "Name "] {
            rest = rest.strip_prefix(w).unwrap_or(rest);
        }
        let rest = rest.trim_start_matches([' ', ':', '=']);
        let quoted = rest.starts_with(QUOTES);
        let body = rest.trim_start_matches(QUOTES);
        let id: String = body.chars().take_while(|c| id_char(*c)).take(129).collect();
        let id = id.trim_end_matches(['.', ':']);
        let closed = body[id.len()..].starts_with(QUOTES);
        let looks_like_id = id.chars().any(|c| c.is_ascii_digit() || "-/:.".contains(c));
        let starts = id.starts_with(|c: char| c.is_ascii_alphanumeric());
        (starts && id.len() <= 128 && ((quoted && closed) || looks_like_id)).then(|| id.to_string())
    })
}

/// opencode's `{name, data}` error, bare or inside `{"type":"error","error":{…}}`.
fn opencode_error(v: &Value) -> Option<&Value> {
    let e = if v.get("name").is_some() {
        v
    } else {
        v.get("error").filter(|e| e.get("name").is_some())?
    };
    (e.get("name")
        .and_then(Value::as_str)
        .is_some_and(|n| n.ends_with("Error"))
        && e.get("data").is_some())
    .then_some(e)
}

fn from_opencode(e: &Value, provider: Option<Provider>) -> Explanation {
    let oc = crate::opencode::read_error(e);
    let error_type = Some(match &oc.error_type {
        Some(t) => format!("{} ({t})", oc.name),
        None => oc.name.clone(),
    });
    let request_id = oc.request_id.clone();
    let mut detail = format!("opencode {}", oc.name);
    if oc.retryable {
        detail.push_str("; opencode marks it retryable");
    }
    let mut x = explained(
        "opencode", oc.kind, oc.status, error_type, oc.message, oc.param, detail, provider,
    );
    x.request_id = request_id;
    if x.kind.is_some() {
        // opencode's own error class names the cause.
        x.confidence = Some(Confidence::High);
        x.evidence = Some(format!("opencode's error class {}", one_line(&oc.name)));
    }
    // The error names what opencode asked for: the fix names it too.
    let data = e.get("data");
    let field = |k: &str| data.and_then(|d| d.get(k)).and_then(Value::as_str);
    if let (Some(p), Some(m)) = (field("providerID"), field("modelID")) {
        let (p, m) = (one_line(p), one_line(m));
        x.detail.push_str(&format!("; model {p}/{m}"));
        if x.kind.is_some() {
            x.hint = format!(
                "opencode asked provider \"{p}\" for model \"{m}\". {}",
                x.hint
            );
        }
    }
    x
}

fn is_masked(m: &str) -> bool {
    let l = m.to_ascii_lowercase();
    [
        "an error occurred",
        "something went wrong",
        "nooutputgeneratederror",
        "no output generated",
        "internal error",
    ]
    .iter()
    .any(|w| l.contains(w))
}

#[allow(clippy::too_many_arguments)]
fn explained(
    read_as: &'static str,
    kind: Option<Kind>,
    status: Option<u16>,
    error_type: Option<String>,
    message: Option<String>,
    param: Option<String>,
    detail: String,
    provider: Option<Provider>,
) -> Explanation {
    let cx = HintContext {
        provider,
        param: param.as_deref(),
        offline: true,
        ..Default::default()
    };
    Explanation {
        read_as,
        kind,
        title: kind.map_or("not recognised", |k| k.title()).to_string(),
        meaning: kind.map_or("zencheck cannot tell the cause from this text alone.", |k| k.meaning()).to_string(),
        hint: kind.map(|k| k.hint(&cx)).unwrap_or_else(|| "Paste the HTTP status and the response body, or run `zencheck probe` against the same endpoint and model.".to_string()),
        http_status: status,
        error_type,
        provider_message: message,
        param,
        detail,
        request_id: None,
        retry_after_secs: None,
        rule: None,
        confidence: None,
        evidence: None,
        input_truncated: false,
    }
}

/// A pasted stream: judged as the API it looks like. The paste has no timing, and its end
/// is taken as a clean end of the body.
fn from_sse(text: &str, provider: Option<Provider>) -> Explanation {
    // A copied transcript loses the blank line after its last event: the paste's end is
    // taken as a clean end of the body.
    let t = crate::http::sse::parse_complete(&format!("{}\n\n", separated(text)));
    let has = |needle: &str| {
        t.events
            .iter()
            .any(|e| e.data.contains(needle) || e.event.contains(needle))
    };
    let (api, f) = if has("response.") {
        ("a /responses stream", responses::judge_stream(&t, 0, ""))
    } else if has("message_start") || has("content_block") {
        (
            "an Anthropic /messages stream",
            messages::judge_stream(&t, 0, ""),
        )
    } else {
        (
            "a chat-completions stream",
            stream::judge_chat_stream(&t, 0, "", false, crate::check::chat::ToolExpect::Any),
        )
    };
    let detail = format!("{api} of {} events: {}", t.events.len(), f.detail);
    match f.kind {
        // An empty model id always "mismatches": the paste carries no asked-for model.
        Some(Kind::ModelMismatch) | None => {
            let mut x = explained("sse", None, None, None, None, None, detail, provider);
            x.title = "the stream looks complete".into();
            x.meaning = "Every event parsed and the stream ended with its end marker.".into();
            x.hint = "If the app still failed, the problem is after the stream (the client's parsing or rendering), or the status or body before it.".into();
            x
        }
        Some(k) => {
            // An error event names its cause like any error body, read as the probe reads
            // it (`classify::in_stream`), with every known parameter blamable.
            let events = || t.events.iter().map(|e| (e.event.as_str(), e.data.as_str()));
            let failed = matches!(f.status, crate::finding::Status::Fail);
            let data = failed
                .then(|| in_stream::first_error_event(events()))
                .flatten();
            let read = data
                .and_then(|d| in_stream::read(d, KNOWN_PARAMS).verdict)
                .filter(|v| k == Kind::StreamError || k == v.kind);
            // An error frame whose JSON is broken still says what went wrong.
            let broken = (k == Kind::StreamMalformed)
                .then(|| in_stream::first_broken_error_frame(events()))
                .flatten();
            if let Some(d) = broken {
                return from_broken_error_frame(d, detail, provider);
            }
            let mut x = explained(
                "sse",
                Some(k),
                f.evidence.http_status,
                None,
                f.evidence.provider_message,
                f.param,
                detail,
                provider,
            );
            match read {
                Some(v) => {
                    x.retry_after_secs = data.and_then(|d| paste::read(d).retry_after_secs);
                    let x = with_kind(x, v.kind, v.param.clone(), (v.rule, v.hint), provider);
                    with_confidence(x, &v)
                }
                None => {
                    // The event's payload read by a server's own vocabulary (explain's
                    // reading of messages quoted from inference servers' source, which the
                    // probe's classifier does not carry): when it names a cause with its
                    // own fix, that is the answer.
                    let pasted = data
                        .filter(|d| !d.contains("data:"))
                        .map(|d| explain(d, provider))
                        .filter(|e| {
                            e.kind.is_some_and(in_stream::names_more_kind)
                                && e.rule == Some("server_vocabulary")
                        });
                    if let Some(mut e) = pasted {
                        e.read_as = "sse";
                        e.detail = x.detail.clone();
                        e.evidence = Some(format!(
                            "an error event inside the stream: {}",
                            e.evidence.as_deref().unwrap_or("its message")
                        ));
                        return e;
                    }
                    // Read from the events' structure. A paste's end may be where the copy
                    // stopped, not where the stream did: a missing end is a likely reading.
                    let copy_may_end = matches!(
                        k,
                        Kind::StreamTruncated | Kind::StreamNoDone | Kind::StreamNoFinish
                    );
                    x.confidence = Some(if copy_may_end {
                        Confidence::Low
                    } else {
                        Confidence::High
                    });
                    x.evidence = Some(if copy_may_end {
                        "the pasted events end before the stream's end marker (a copy may have stopped early)".into()
                    } else {
                        "the pasted stream's events".into()
                    });
                    x
                }
            }
        }
    }
}

/// A pasted transcript whose events lost the blank lines between them (a log that prints one
/// event per line): by the SSE grammar its `data:` lines would join into one event that is
/// no JSON. A `data:` line whose payload is whole JSON (or `[DONE]`) on its own is taken as
/// one event; a payload spread over several `data:` lines stays joined.
fn separated(text: &str) -> String {
    let whole = |line: &str| {
        line.strip_prefix("data:").map(str::trim).is_some_and(|d| {
            d == "[DONE]" || (d.starts_with('{') && serde_json::from_str::<Value>(d).is_ok())
        })
    };
    let mut out = String::with_capacity(text.len() + 64);
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        // llama.cpp's server streams an error as an `error: {…}` line, a field no SSE
        // reader knows (clients drop it and fail later on an empty stream): read it as the
        // error event it is.
        if let Some(json) = line
            .strip_prefix("error:")
            .map(str::trim)
            .filter(|d| d.starts_with('{') && serde_json::from_str::<Value>(d).is_ok())
        {
            out.push_str("event: error\ndata: ");
            out.push_str(json);
            out.push_str("\n\n");
            continue;
        }
        out.push_str(line);
        out.push('\n');
        let next_opens = lines
            .peek()
            .is_some_and(|n| n.starts_with("data:") || n.starts_with("event:"));
        if whole(line) && next_opens {
            out.push('\n');
        }
    }
    out
}

/// A pasted stream whose error frame is not valid JSON: read as the error it reports, the
/// kind its words name or `stream_error`, cautiously (a client reading that stream fails on
/// the frame as malformed, and a copy may have broken it).
fn from_broken_error_frame(data: &str, detail: String, provider: Option<Provider>) -> Explanation {
    let read = in_stream::read(data, KNOWN_PARAMS);
    let message = read.message(data);
    let mut x = explained(
        "sse",
        Some(Kind::StreamError),
        None,
        read.body.etype.clone().or(read.body.code.clone()),
        Some(message),
        None,
        detail,
        provider,
    );
    let (kind, param, rule, hint) = match &read.verdict {
        Some(v) => (v.kind, v.param.clone(), v.rule, v.hint),
        None => (Kind::StreamError, None, "stream_error_frame", None),
    };
    x = with_kind(x, kind, param, (rule, hint), provider);
    with_confidence(
        x,
        &Classification {
            kind,
            param: None,
            gateway: false,
            rule,
            hint,
            confidence: Confidence::Low,
            evidence: "an error event whose JSON does not parse (a client reading this stream fails on it as a malformed event)".into(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(s: &str) -> Option<Kind> {
        explain(s, None).kind
    }

    #[test]
    fn statuses_with_bodies_in_the_common_envelopes() {
        assert_eq!(kind("HTTP/1.1 401 Unauthorized\n\n{\"type\":\"error\",\"error\":{\"type\":\"ModelError\",\"message\":\"Model gpt-4o-mini is not supported\"}}"), Some(Kind::ModelNotFound));
        assert_eq!(kind("429 {\"error\":{\"message\":\"You exceeded your current quota\",\"type\":\"insufficient_quota\",\"code\":\"insufficient_quota\"}}"), Some(Kind::Billing));
        assert_eq!(kind("Error code: 400 - {'error': {'message': \"Unrecognized request argument supplied: stream_options\", 'type': 'invalid_request_error', 'param': None, 'code': None}}"), Some(Kind::ParamRejected));
        assert_eq!(
            kind("502 <html><head><title>502 Bad Gateway</title></head></html>"),
            Some(Kind::ServerError)
        );
        assert_eq!(kind("{\"object\":\"error\",\"message\":\"The model `x` does not exist.\",\"type\":\"NotFoundError\",\"code\":404}"), Some(Kind::ModelNotFound));
        assert_eq!(kind("{\"detail\":[{\"loc\":[\"body\",\"stream_options\"],\"msg\":\"Extra inputs are not permitted\",\"type\":\"extra_forbidden\"}]}"), Some(Kind::ParamRejected));
        assert_eq!(
            kind(
                "403 {\"type\":\"error\",\"error\":{\"type\":\"FreeTierError\",\"message\":\"…\"}}"
            ),
            Some(Kind::AccessDenied)
        );
    }

    #[test]
    fn a_likely_reading_is_confirmed_by_what_the_paste_lacks() {
        let hint = |s: &str| {
            let x = explain(s, None);
            assert_eq!(x.confidence, Some(Confidence::Low), "{s}");
            x.hint
        };
        // No HTTP answer at all: nothing to find, the connection to retrace.
        let h = hint("Error calling Ollama: connect ECONNREFUSED ::1:11434");
        assert!(h.contains("curl -v") && !h.contains("response body"), "{h}");
        // Status and message both pasted: send it again, never "find the body".
        let h = hint("HTTP/1.1 400\n\n{\"error\":{\"message\":\"Send either max_tokens or max_completion_tokens, please\",\"type\":\"invalid_request_error\"}}");
        assert!(
            h.contains("send the same request") && !h.contains("find the"),
            "{h}"
        );
        // A status alone: its body is what is missing.
        let h = hint("HTTP/1.1 404 Not Found");
        assert!(h.contains("find the response body"), "{h}");
    }

    #[test]
    fn opencode_named_errors() {
        let api = r#"{"type":"error","error":{"name":"APIError","data":{"message":"Unauthorized","statusCode":401,"isRetryable":false,"responseBody":"{\"type\":\"error\",\"error\":{\"type\":\"CreditsError\",\"message\":\"Insufficient balance\"}}"}}}"#;
        let x = explain(api, Some(Provider::Zen));
        assert_eq!((x.kind, x.http_status), (Some(Kind::Billing), Some(401)));
        assert!(x.error_type.as_deref().unwrap().starts_with("APIError"));
        for (name, want) in [
            ("ProviderAuthError", Kind::Auth),
            ("ProviderModelNotFoundError", Kind::ModelNotFound),
            ("ContextOverflowError", Kind::ContextOverflow),
            ("MessageOutputLengthError", Kind::OutputLength),
            ("MessageAbortedError", Kind::Aborted),
        ] {
            assert_eq!(
                kind(&format!(r#"{{"name":"{name}","data":{{"message":"x"}}}}"#)),
                Some(want),
                "{name}"
            );
        }
    }

    #[test]
    fn masked_and_plain_messages() {
        let x = explain("An error occurred", None);
        assert_eq!(x.kind, None);
        assert_eq!(x.title, "a masked error");
        assert!(x.hint.contains("onError"));
        assert_eq!(
            kind("connect ECONNREFUSED 127.0.0.1:4000"),
            Some(Kind::Network)
        );
        assert_eq!(
            kind("openai.AuthenticationError: Incorrect API key provided"),
            Some(Kind::Auth)
        );
    }

    #[test]
    fn a_quoted_transcript_is_read_as_the_stream_it_was() {
        let quoted = "  # data: {\"error\":{\"message\":\"Internal server\n  error\",\"type\":\"internal_error\"}}\n  # data: [DONE]\n";
        let x = explain(quoted, None);
        assert_eq!((x.kind, x.read_as), (Some(Kind::StreamError), "sse"));
        assert_eq!(x.provider_message.as_deref(), Some("Internal server error"));
        let cut = "> data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"po\"}}]}\n>\n";
        assert_eq!(kind(cut), Some(Kind::StreamTruncated));
        // A traceback with a quoted data line in it is no transcript.
        assert!(
            quoted_transcript("> Traceback (most recent call last):\n> data: {\"a\":1}\n")
                .is_none()
        );
        // A frame that never closes is given up after a bounded number of wrapped lines.
        let endless = format!("> data: {{\"a\":\"{}", "\n> x".repeat(5_000));
        assert!(quoted_transcript(&endless).is_none());
        // Nor is an unquoted paste: it is read as the text it is.
        assert!(quoted_transcript("data: {\"a\":1}\nsomething else\n").is_none());
    }

    #[test]
    fn sse_transcripts() {
        let cut = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"po\"}}]}\n\n";
        assert_eq!(kind(cut), Some(Kind::StreamTruncated));
        let err = "data: {\"choices\":[{\"delta\":{\"content\":\"po\"}}]}\n\ndata: {\"error\":{\"message\":\"overloaded\"}}\n\n";
        let x = explain(err, None);
        assert_eq!(
            (x.kind, x.provider_message.as_deref()),
            (Some(Kind::StreamError), Some("overloaded"))
        );
        let ok = "data: {\"choices\":[{\"delta\":{\"content\":\"pong\"}}]}\n\ndata: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";
        assert_eq!(kind(ok), None);
        let failed = "event: response.failed\ndata: {\"type\":\"response.failed\",\"response\":{\"error\":{\"message\":\"boom\"}}}\n\n";
        assert_eq!(kind(failed), Some(Kind::StreamError));
        // A paste's end may be the copy's end: a missing end marker is a likely reading.
        assert_eq!(explain(cut, None).confidence, Some(Confidence::Low));
        let bad = "data: {\"choices\":[{\"delta\":{\"content\":\"po\"}}]}\n\ndata: {not json\n\n";
        let x = explain(bad, None);
        assert_eq!(
            (x.kind, x.confidence),
            (Some(Kind::StreamMalformed), Some(Confidence::High))
        );
    }

    #[test]
    fn the_model_id_a_message_names_is_read_for_the_fix() {
        for (m, id) in [
            (
                "The model `gpt-4o-mini-x` does not exist",
                Some("gpt-4o-mini-x"),
            ),
            (
                "model 'llama3' not found, try pulling it first",
                Some("llama3"),
            ),
            (
                r#"{"model": "claude-3-5-sonnet-20241022", "error": "unknown"}"#,
                Some("claude-3-5-sonnet-20241022"),
            ),
            (
                "Invalid model name passed in model=openai/gpt-4.1-nano.",
                Some("openai/gpt-4.1-nano"),
            ),
            ("The model parameter is required", None),
            ("Model Not Exist", None),
            ("model.generate failed", None),
            ("No models loaded", None),
        ] {
            assert_eq!(model_named(m).as_deref(), id, "{m}");
        }
        // The fix names it.
        let x = explain("HTTP 404 {\"error\":{\"message\":\"The model `acme-9b` does not exist\",\"code\":\"model_not_found\"}}", None);
        assert!(x.hint.contains("`acme-9b`"), "{}", x.hint);
    }

    #[test]
    fn a_transcript_that_lost_its_blank_lines_is_read_event_by_event() {
        // A log printing one event per line: each `data:` line is one event, not one joined
        // event that is no JSON.
        let pasted = "data: {\"type\":\"message_start\",\"message\":{\"id\":\"m1\"}}\n\
                      data: {\"type\":\"ping\"}\n\
                      data: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Too many requests for this key, slow down\"}}";
        let x = explain(pasted, None);
        assert_ne!(x.kind, Some(Kind::StreamMalformed), "{x:?}");
        assert_eq!(
            x.provider_message.as_deref(),
            Some("Too many requests for this key, slow down")
        );
        assert_eq!(
            separated("data: [DONE]\ndata: {\"a\":1}"),
            "data: [DONE]\n\ndata: {\"a\":1}\n"
        );
        // A payload spread over several data lines stays one event.
        assert_eq!(
            separated("data: {\"a\":\ndata: 1}"),
            "data: {\"a\":\ndata: 1}\n"
        );
    }

    #[test]
    fn thin_evidence_is_a_likely_reading_that_says_what_it_rests_on() {
        let x = explain("HTTP/1.1 429 Too Many Requests", None);
        assert_eq!(x.kind, Some(Kind::RateLimit));
        assert_eq!(x.confidence, Some(Confidence::Low));
        assert!(x.title.starts_with("likely"), "{}", x.title);
        assert!(x.evidence.as_deref().unwrap().contains("HTTP 429 alone"));
        let json = serde_json::to_value(&x).unwrap();
        assert_eq!(json["confidence"], "low");
        // A message that says what happened is read with confidence.
        let x = explain("Error code: 400 - {'error': {'message': \"This model's maximum context length is 8192 tokens\"}}", None);
        assert_eq!(
            (x.kind, x.confidence),
            (Some(Kind::ContextOverflow), Some(Confidence::High))
        );
    }

    #[test]
    fn a_provider_code_is_read_for_its_provider_and_outvotes_the_status() {
        // MiniMax documents 1008 as insufficient balance; it arrives as a 500.
        let x = explain(
            r#"HTTP/1.1 500

{"base_resp":{"status_code":1008,"status_msg":"insufficient balance"},"model":"MiniMax-M2"} minimax"#,
            None,
        );
        assert_eq!(x.kind, Some(Kind::Billing));
        assert_eq!(x.rule, Some("provider_code"));
        assert!(x
            .evidence
            .as_deref()
            .unwrap()
            .starts_with("minimax code 1008"));
    }

    #[test]
    fn a_pasted_error_frame_with_broken_json_is_read_cautiously_as_the_error() {
        let t = "data: {\"choices\":[{\"delta\":{\"content\":\"po\"}}]}\n\ndata: {\"error\": {\"message\": \"The upstream failed while generating\", \"type\": \"server_error\"}\n\ndata: [DONE]\n";
        let x = explain(t, None);
        assert_eq!(
            (x.kind, x.confidence),
            (Some(Kind::StreamError), Some(Confidence::Low))
        );
        assert!(x.title.starts_with("likely"), "{}", x.title);
        assert_eq!(
            x.provider_message.as_deref(),
            Some("The upstream failed while generating")
        );
        // A broken chunk is still a malformed stream.
        let chunk = "data: {\"choices\":[{\"delta\":{\"content\":\"po\"}}\n\ndata: [DONE]\n";
        assert_eq!(kind(chunk), Some(Kind::StreamMalformed));
    }

    #[test]
    fn an_error_event_quoted_from_a_stream_is_read_as_one() {
        let event =
            r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#;
        let streamed = explain(
            &format!("Stream Error: {event}\n    at streaming.mjs:50"),
            None,
        );
        assert_eq!(streamed.kind, Some(Kind::StreamError));
        // The same shape as an HTTP answer's body, or with no word of a stream, is read as one.
        let answered = explain(&format!("HTTP/1.1 529\n\n{event}"), None);
        assert_eq!(answered.kind, Some(Kind::ServerError));
        assert_eq!(
            explain(&format!("Error: {event}"), None).kind,
            Some(Kind::ServerError)
        );
        // An event whose code names its own cause keeps it.
        let limited = r#"Stream Error: {"type":"error","error":{"type":"rate_limit_error","message":"Rate limited"}}"#;
        assert_eq!(explain(limited, None).kind, Some(Kind::RateLimit));
        // An event the paste elided, under the SDK's stream reader in the trace.
        let elided = "Error: {\"type\":\"error\",...,\"type\":\"overloaded_error\",...}\n    at Stream.iterator (@anthropic-ai/sdk/core/streaming.mjs:62)";
        assert_eq!(explain(elided, None).kind, Some(Kind::StreamError));
    }

    #[test]
    fn an_error_event_in_a_server_s_own_words_is_read_by_them() {
        // vLLM's logprobs limit inside a relayed stream: the server's vocabulary names the
        // parameter's limit, which says more than "an error inside the stream".
        let x = explain(
            "event: error\ndata: {\"code\":400,\"details\":\"Requested sample logprobs of 21, which is greater than max allowed: 20\"}\n\ndata: [DONE]\n",
            None,
        );
        assert_eq!((x.kind, x.read_as), (Some(Kind::ParamRejected), "sse"));
        assert!(x
            .evidence
            .unwrap()
            .starts_with("an error event inside the stream"));
        // llama.cpp streams its error as an `error: {…}` line: that is the event.
        let x = explain(
            "error: {\"code\":400,\"message\":\"the request exceeds the available context size. try increasing the context size or enable context shift\",\"type\":\"invalid_request_error\"}\n\ndata: [DONE]\n",
            None,
        );
        assert_eq!((x.kind, x.read_as), (Some(Kind::ContextOverflow), "sse"));
        // A known status ending its line after a failure's colon.
        assert_eq!(kind("Streaming request failed: 429"), Some(Kind::RateLimit));
        // An endpoint pasted as the base URL, the client's route after it.
        assert_eq!(
            kind("HTTP 404 Not Found for url: http://localhost:8090/v1/chat/completions/api/tags"),
            Some(Kind::BaseUrl)
        );
        // A 401 whose body blames a field (LiteLLM's `"param": "key"`) is the credential.
        assert_eq!(
            kind("Error code: 401 - {'error': {'message': 'Authentication Error, Invalid proxy server token passed. not found in db.', 'type': 'token_not_found_in_db', 'param': 'key', 'code': '401'}}"),
            Some(Kind::Auth)
        );
    }

    #[test]
    fn a_pretty_printed_data_object_is_no_stream() {
        // axios's error.response printed by Node: `data: {` and the object on the next lines.
        let dump = "data: {\n    error: {\n      message: 'This is a chat model and not supported in the v1/completions endpoint. Did you mean to use v1/chat/completions?',\n      type: 'invalid_request_error',\n      param: 'model',\n      code: null\n    }\n  }";
        assert!(!looks_like_sse(dump));
        assert!(looks_like_sse("data: {\"error\":{\"message\":\"x\"}}\n\n"));
        let x = explain(dump, None);
        assert_eq!(x.kind, Some(Kind::WrongRoute), "{x:?}");
    }

    #[test]
    fn an_sse_error_event_is_read_like_an_error_body() {
        let t = "event: error\ndata: {\"error\":{\"message\":\"The input has 31430 tokens, but the context length only supports 30000 tokens.\"}}\n\n";
        assert_eq!(kind(t), Some(Kind::ContextOverflow));
    }

    #[test]
    fn the_pasted_call_names_the_parameter_and_opencode_names_the_model() {
        // The message names no parameter; the user's own line in the traceback does.
        let tb = "  File \"app.py\", line 12, in <module>\n    r = client.chat.completions.create(model=m, messages=msgs, stream_options={\"include_usage\": True})\nopenai.BadRequestError: Error code: 400 - {'error': {'message': 'Unrecognized request argument supplied', 'type': 'invalid_request_error'}}";
        let x = explain(tb, None);
        assert_eq!(
            (x.kind, x.param.as_deref()),
            (Some(Kind::ParamRejected), Some("stream_options"))
        );
        let oc = r#"{"name":"ProviderModelNotFoundError","data":{"providerID":"local","modelID":"qwen3:8b","suggestions":[]}}"#;
        let x = explain(oc, None);
        assert_eq!(x.kind, Some(Kind::ModelNotFound));
        assert!(
            x.hint.contains("\"local\" for model \"qwen3:8b\""),
            "{}",
            x.hint
        );
    }

    #[test]
    fn ollama_names_the_model_to_pull_and_a_cloudflare_page_gets_cloudflare_words() {
        let x = explain(
            r#"{"error":"model 'llama9:7b' not found, try pulling it first"}"#,
            None,
        );
        assert_eq!(x.kind, Some(Kind::ModelNotFound));
        assert!(x.hint.contains("ollama pull llama9:7b"), "{}", x.hint);
        let x = explain(
            "<!DOCTYPE html><html><head><title>api.example.com | 502: Bad gateway</title></head><body>Cloudflare Ray ID: 8a1b</body></html>",
            None,
        );
        assert_eq!(
            (x.kind, x.http_status),
            (Some(Kind::ServerError), Some(502))
        );
        assert!(x.hint.contains("Cloudflare"), "{}", x.hint);
        assert!(!x.hint.contains("nginx"), "{}", x.hint);
    }

    #[test]
    fn a_404_is_read_by_the_url_it_quotes_and_the_body_it_carries() {
        // A router's miss on /v1/responses: the server likely has no such route.
        let x = explain(
            "unexpected status 404 Not Found: 404: Not Found, url: https://api.example.com/v1/responses",
            None,
        );
        assert_eq!(
            (x.kind, x.confidence),
            (Some(Kind::WrongRoute), Some(Confidence::Low))
        );
        assert!(x.hint.contains("/chat/completions"), "{}", x.hint);
        // Nothing from the provider's own address: the service, and no fix about the URL,
        // the model or the key.
        let x = explain(
            "unexpected status 404 Not Found: Unknown error, url: https://api.openai.com/v1/chat/completions",
            None,
        );
        assert_eq!(
            (x.kind, x.confidence),
            (Some(Kind::ServerError), Some(Confidence::Low))
        );
        let fix = x.hint.to_lowercase();
        assert!(
            !fix.contains("base url") && !fix.contains("model id") && !fix.contains("api key"),
            "{fix}"
        );
        // The API's own error on its chat route: the model, with a fix that holds for access too.
        let x = explain(
            "HTTP/1.1 404\n\n{\"error\":{\"message\":\"nope-1 is not served here\",\"type\":\"invalid_request_error\"}}",
            None,
        );
        assert_eq!(
            (x.kind, x.confidence),
            (Some(Kind::ModelNotFound), Some(Confidence::Low))
        );
        assert!(x.hint.contains("GET …/models"), "{}", x.hint);
    }

    #[test]
    fn a_bare_404_gets_a_fix_that_is_safe_whichever_reading_is_right() {
        let x = explain(
            "unexpected status 404 Not Found: Unknown error, url: https://example.com/v1/responses",
            None,
        );
        assert_eq!(x.confidence, Some(Confidence::Low));
        let fix = x.hint.to_lowercase();
        assert!(
            !fix.contains("base url") && !fix.contains("model id") && !fix.contains("api key"),
            "{fix}"
        );
    }
}
