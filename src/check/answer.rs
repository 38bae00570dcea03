//! Sending a check's request and reading the answer, the same for every judge: a refusal
//! classified, a 2xx body that must be JSON, an error inside a 2xx, usage and the model
//! that answered, an answer cut at the output cap.

use super::spec::Fold;
use super::Ctx;
use crate::classify::{classify_at, parse_error_body};
use crate::failure::Kind;
use crate::finding::{Evidence, Finding, Problems, Status};
use crate::fit::excerpt;
use crate::http::sse::Transcript;
use crate::http::{Answer, Request};
use serde_json::Value;

/// Send a non-streaming request; judge a 2xx with `judge`, classify anything else.
pub async fn send_json(
    cx: &Ctx<'_>,
    req: &Request,
    judge: impl FnOnce(&Answer) -> Finding,
) -> Finding {
    match cx.http.call(cx.target, req).await {
        Err(f) => f,
        Ok(a) if !a.is_success() => answer_error(&a, &req.sent_params()).note_retry(a.waited_secs),
        Ok(mut a) => {
            a.sent_cap = sent_cap(req);
            judge(&a).note_retry(a.waited_secs)
        }
    }
}

/// The output cap a request's body carries, under whichever key its API uses.
pub fn sent_cap(req: &Request) -> Option<u64> {
    let body = req.body.as_ref()?;
    super::ask::CAP_KEYS
        .iter()
        .find_map(|k| body.get(*k).and_then(Value::as_u64))
}

/// Send a streaming request. A refusal before the stream starts is classified; a 2xx
/// that is not SSE is `not_sse`; an SSE body is read under the bounds, each event handed
/// to `fold` as it arrives (none is kept), and `judge` ends it with the transcript.
pub async fn send_stream<J: Fold>(
    cx: &Ctx<'_>,
    req: &Request,
    mut fold: J,
    judge: impl FnOnce(J, &Transcript, u64) -> Finding,
) -> Finding {
    let sent = req.sent_params();
    let mut opened = match cx.http.open(cx.target, req).await {
        Ok(o) => o,
        Err(f) => return f,
    };
    // Hold the per-host place until the stream has been read, and the room under the
    // memory bound until it has been judged.
    let _permit = opened.permit.take();
    let _room = opened.room.take();
    let ok = (200..300).contains(&opened.status);
    let is_sse = opened
        .content_type
        .as_deref()
        .is_some_and(|c| c.contains("text/event-stream"));
    // An event stream under another label is read as one, as openai-python, openai-node and
    // the AI SDK read it (by the request's `stream` flag, not the label).
    let mislabelled = ok && !is_sse && starts_as_event_stream(cx, &mut opened).await;
    if (!ok || !is_sse) && !mislabelled {
        let a = match cx.http.read_body(opened).await {
            Ok(a) => a,
            Err(f) => return f,
        };
        // A streamed request refused before it started gets a JSON error body.
        let f = if ok {
            not_sse(&a, &sent)
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
    let label = opened.content_type.clone();
    let transcript = cx.http.read_stream_each(opened, |e| fold.event(e)).await;
    let mut f = judge(fold, &transcript, headers_ms);
    if mislabelled {
        f = labelled_otherwise(f, label.as_deref().unwrap_or("none"));
    }
    f.evidence.http_status = evidence.http_status;
    f.evidence.request_id = evidence.request_id;
    f.note_retry(waited)
}

/// The body of a 2xx answer to a streaming request starts as an event stream does (`data:`,
/// `event:`, a `:` comment), whatever its content type says. Reads at most 64 bytes, kept
/// for the reader that follows.
async fn starts_as_event_stream(cx: &Ctx<'_>, opened: &mut crate::http::Opened) -> bool {
    let mut n = 8;
    loop {
        let head = cx.http.peek(opened, n).await;
        let text = String::from_utf8_lossy(head);
        let text = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
        let fields = ["data:", "event:", "id:", "retry:", ":"];
        if fields.iter().any(|f| text.starts_with(f)) {
            return true;
        }
        let undecided = fields.iter().any(|f| f.starts_with(text));
        if !undecided || head.len() < n || n >= 64 {
            return false;
        }
        n *= 2;
    }
}

/// Who reads an event stream whose content type is not `text/event-stream`, by version read
/// in their sources: openai-python 3.3.1 and openai-node 7.5.0 parse a stream by the request's
/// `stream` flag, the AI SDK's `createEventSourceResponseHandler` (@ai-sdk/provider-utils
/// 5.0.29) parses any body; httpx-sse 0.4.3, @microsoft/fetch-event-source 2.0.1 (its default
/// `onopen`) and reqwest-eventsource 0.6 (async-openai 0.35 and earlier) check the label.
pub const MISLABELLED_READERS: &str = "openai-python 3.3.1, openai-node 7.5.0 and the AI SDK \
     (@ai-sdk/provider-utils 5.0.29) read it all the same; readers that check the label refuse it: \
     httpx-sse 0.4.3, @microsoft/fetch-event-source 2.0.1 (default onopen), async-openai 0.35 and \
     earlier (reqwest-eventsource 0.6)";

/// A stream that works under another content type is a warning that names who refuses it;
/// one with other problems keeps them, the label added.
fn labelled_otherwise(mut f: Finding, label: &str) -> Finding {
    let said = format!(
        "an event stream labelled `{}`, not text/event-stream",
        excerpt(label, 60)
    );
    if f.status == Status::Pass {
        f.status = Status::Warn;
        f.kind = Some(Kind::NotSse);
        f.rule_hint = Some(crate::failure::RuleHint::SseMislabelled);
        f.detail = format!("{said}: {MISLABELLED_READERS} · {}", f.detail);
    } else {
        f.detail = format!("{}; also: {said} ({MISLABELLED_READERS})", f.detail);
    }
    f
}

/// A 2xx that is not SSE: an error body, a whole completion (stream ignored), or junk.
fn not_sse(a: &Answer, sent: &[&str]) -> Finding {
    let ct = a.content_type.clone().unwrap_or_else(|| "none".into());
    let v: Option<Value> = serde_json::from_slice(&a.body).ok();
    let f = match &v {
        Some(v) if v.get("error").is_some_and(|e| !e.is_null()) => return answer_error(a, sent),
        Some(v)
            if v.get("choices").is_some()
                || v.get("output").is_some()
                || v.get("content").is_some() =>
        {
            Finding::fail(
                Kind::NotSse,
                format!("stream:true answered with one whole answer ({ct}): streaming was ignored"),
            )
        }
        _ if ct.contains("html") => {
            let page = parse_error_body(Some(&ct), &a.body)
                .message
                .unwrap_or_default();
            Finding::fail(
                Kind::BadResponse,
                format!("stream:true answered with an HTML page: \"{page}\""),
            )
        }
        _ => Finding::fail(
            Kind::NotSse,
            format!("content type is `{ct}`, not text/event-stream"),
        ),
    };
    f.with_evidence(a.evidence()).with_timing(a.timing)
}

/// A non-2xx answer (or an error body inside a 2xx) as a finding, quoting the server.
#[allow(clippy::too_many_arguments)]
pub fn error_finding(
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
    request_id: Option<String>,
    retry_after: Option<u64>,
    sent: &[&str],
    path: Option<&str>,
) -> Finding {
    let parsed = parse_error_body(content_type, body);
    let verdict = classify_at(status, &parsed, sent, path);
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
    let page = String::from_utf8_lossy(&body[..body.len().min(16 << 10)]);
    if let Some(note) = super::edge::timeout_note(status, &page) {
        detail.push_str(": ");
        detail.push_str(note);
    }
    let mut f = Finding::fail(verdict.kind, detail).with_evidence(Evidence {
        http_status: Some(status),
        provider_message: parsed.message,
        request_id,
    });
    f.param = verdict.param;
    f.gateway = verdict.gateway;
    f.rule_hint = verdict.hint;
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
        a.path.as_deref(),
    )
    .with_timing(a.timing)
}

/// Parse a 2xx body that must be JSON; HTML and other text become `bad_response`.
pub fn json_body(a: &Answer) -> Result<Value, Finding> {
    let text = String::from_utf8_lossy(&a.body);
    let ct = a.content_type.as_deref().unwrap_or("");
    if ct.contains("html") || text.trim_start().starts_with('<') {
        let body = parse_error_body(Some("text/html"), &a.body);
        // A firewall's block page comes with any status (F5's default page with 200): the
        // request was stopped in front of the API, whatever the base URL.
        let verdict = classify_at(a.status, &body, &[], a.path.as_deref());
        if verdict.kind == Kind::Blocked {
            return Err(Finding::fail(
                Kind::Blocked,
                format!("HTTP {} with a block page: {}", a.status, verdict.evidence),
            )
            .with_evidence(a.evidence())
            .with_timing(a.timing));
        }
        let page = body.message.unwrap_or_default();
        return Err(Finding::fail(
            Kind::BadResponse,
            format!(
                "HTTP {} {}: \"{page}\"",
                a.status,
                super::web_page::HTML_INSTEAD_OF_JSON
            ),
        )
        .with_evidence(a.evidence())
        .with_timing(a.timing));
    }
    serde_json::from_str(&text).map_err(|e| {
        Finding::fail(
            Kind::BadResponse,
            format!("body is not JSON ({e}): {}", excerpt(&text, 120)),
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
    p: &mut crate::finding::Problems,
) -> String {
    if let Some(got) = v.get("model").and_then(Value::as_str) {
        super::model_swap::judge(asked, got, p);
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
    super::error_body::is_error_body(v).then(|| {
        let mut f = error_finding(
            a.status,
            a.content_type.as_deref(),
            &a.body,
            a.request_id.clone(),
            None,
            &[],
            a.path.as_deref(),
        );
        let said = f
            .evidence
            .provider_message
            .as_deref()
            .map(|m| format!(": \"{}\"", crate::fit::excerpt(m, 100)))
            .unwrap_or_default();
        f.detail = format!(
            "{} (an error body inside HTTP {}{said}): clients take it for an answer and fail later on a missing `choices`",
            f.detail, a.status
        );
        f.with_timing(a.timing)
    })
}

/// The problem of an answer with no text and no call that stopped at the cap while it
/// reasoned: `output_length`, a warning (the endpoint works; the cap was too small), instead
/// of an empty answer or an ignored `tool_choice`. True when it recorded it.
pub fn reasoning_spent_cap(
    text: &str,
    calls: usize,
    finish: Option<&str>,
    reasoning: Option<&crate::reasoning::Reasoning>,
    p: &mut Problems,
) -> bool {
    let Some(r) = reasoning.filter(|_| {
        text.trim().is_empty() && calls == 0 && matches!(finish, Some("length" | "max_tokens"))
    }) else {
        return false;
    };
    let tokens = r
        .tokens
        .map(|t| format!(" ({t} reasoning tokens)"))
        .unwrap_or_default();
    p.warn(
        Kind::OutputLength,
        format!(
            "reasoning spent the whole output cap{tokens}: no answer text, finish_reason {}",
            finish.unwrap_or("-")
        ),
    );
    true
}

/// The problem of an answer with no call that stopped at the output cap mid-text, when no
/// reasoning field showed: a cap problem (`output_length`, a warning), not an ignored
/// `tool_choice` (only when no call was forced: see `chat::may_blame_cap`). A route's basic
/// check is retried with a larger cap after it (`check::run`), since its one-word prompt
/// ends in a few tokens; other checks are not. True when it recorded it.
pub fn cut_at_cap(text: &str, calls: usize, finish: Option<&str>, p: &mut Problems) -> bool {
    if calls > 0 || text.trim().is_empty() || !matches!(finish, Some("length" | "max_tokens")) {
        return false;
    }
    p.warn(
        Kind::OutputLength,
        format!(
            "the answer stopped at the output cap before it finished: \"{}\"",
            excerpt(text, 50)
        ),
    );
    true
}
