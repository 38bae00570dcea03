//! Each aspect judged from both sides of the gateway: what the upstream received and sent
//! (`mock::upstream::Exchange`) beside what the client sent and got (`through::Seen`).
//! Protocol-level differences (`Server`, `Date`, re-chunking, `Connection`) are never
//! findings; what a gateway preserves is never called broken.

use super::through::Seen;
use crate::classify::{one_line, parse_error_body};
use crate::failure::Kind;
use crate::finding::{Evidence, Finding, Status};
use crate::http::sse::End;
use crate::mock::upstream::{self, Exchange};
use serde_json::Value;

/// Both sides of one act: the upstream's exchanges (several when the gateway retried) and
/// what the client saw.
pub struct Sides<'a> {
    pub up: &'a [Exchange],
    pub seen: &'a Seen,
}

impl Sides<'_> {
    fn first(&self) -> Option<&Exchange> {
        self.up.first()
    }
    /// The exchange whose answer the client got: the last one.
    fn last(&self) -> Option<&Exchange> {
        self.up.last()
    }
}

/// What the client's answer says, quoted.
pub fn evidence(seen: &Seen) -> Evidence {
    let ct = seen.header("content-type");
    let message = (seen.status.is_some_and(|s| s >= 400))
        .then(|| parse_error_body(ct, seen.text.as_bytes()).message)
        .flatten();
    Evidence {
        http_status: seen.status,
        provider_message: message,
        request_id: crate::http::request_id(&header_map(seen)),
    }
}

fn header_map(seen: &Seen) -> reqwest::header::HeaderMap {
    let mut h = reqwest::header::HeaderMap::new();
    for (n, v) in &seen.headers {
        if let (Ok(n), Ok(v)) = (
            reqwest::header::HeaderName::from_bytes(n.as_bytes()),
            reqwest::header::HeaderValue::from_str(v),
        ) {
            h.append(n, v);
        }
    }
    h
}

/// How the client's answer looks in a line: `HTTP 500`, `no answer: …`.
fn got(seen: &Seen) -> String {
    match (&seen.failure, seen.status) {
        (Some(f), None) => format!("no answer ({})", f.detail),
        (_, Some(s)) => format!("HTTP {s}"),
        (None, None) => "no answer".to_string(),
    }
}

fn skip_unreached() -> Finding {
    Finding::skip("the upstream received no request for this act: see fidelity.route")
}

/// Requests reach the upstream. Without it nothing else can be compared.
pub fn route(basic: &Sides, upstream_url: &str) -> Finding {
    let Some(e) = basic.first() else {
        let seen = basic.seen;
        let what = match (&seen.failure, seen.status) {
            (Some(f), _) => return failure_of(f, upstream_url),
            (None, Some(s)) if s >= 400 => {
                let b = parse_error_body(seen.header("content-type"), seen.text.as_bytes());
                let k = crate::classify::classify(s, &b, &[]).kind;
                let said = b
                    .message
                    .map(|m| format!(": \"{}\"", one_line(&m)))
                    .unwrap_or_default();
                return Finding::fail(
                    k,
                    format!(
                        "the gateway answered HTTP {s} itself{said}, and the upstream ({upstream_url}) received nothing: \
                         point the gateway at {upstream_url} and ask for a model it routes there (-m)"
                    ),
                )
                .with_evidence(evidence(seen));
            }
            (None, Some(s)) => format!("HTTP {s} from somewhere else"),
            (None, None) => "no answer".to_string(),
        };
        return Finding::fail(
            Kind::BadResponse,
            format!(
                "the client got {what}, but the upstream ({upstream_url}) received nothing: the gateway routes this model \
                 elsewhere or answers from a cache; point it at {upstream_url}"
            ),
        )
        .with_evidence(evidence(seen));
    };
    let mut d = format!(
        "the gateway forwarded {} {} over {} to the upstream",
        e.method, e.path, e.version
    );
    if basic.up.len() > 1 {
        d.push_str(&format!(" ({} times for one request)", basic.up.len()));
    }
    Finding::pass(d).with_evidence(evidence(basic.seen))
}

fn failure_of(f: &Finding, upstream_url: &str) -> Finding {
    let mut f = f.clone();
    f.detail = format!(
        "{}; the upstream ({upstream_url}) received nothing: is the gateway's URL right (--through)?",
        f.detail
    );
    f
}

/// Parameters the client sent, as the upstream received them: dropped, changed, renamed.
pub fn params(acts: &[&Sides]) -> Finding {
    // Parameters whose loss changes what the application gets; others only warn.
    const VITAL: &[&str] = &[
        "tools",
        "tool_choice",
        "response_format",
        "stream_options",
        "stream",
        "max_tokens",
    ];
    let mut dropped: Vec<String> = Vec::new();
    let mut changed: Vec<String> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let mut compared = 0;
    for s in acts {
        let Some(e) = s.first() else { continue };
        let (Some(sent), Some(recv)) = (s.seen.sent.as_object(), e.body.as_object()) else {
            continue;
        };
        for (k, v) in sent {
            if matches!(k.as_str(), "model" | "messages") {
                continue;
            }
            compared += 1;
            match recv.get(k) {
                Some(r) if same(v, r) => {}
                Some(r) => changed.push(format!("{k}: sent {} → received {}", short(v), short(r))),
                None if k == "max_tokens" && recv.contains_key("max_completion_tokens") => {
                    notes.push("max_tokens passed on as max_completion_tokens".to_string())
                }
                None => dropped.push(k.clone()),
            }
        }
        for k in recv.keys().filter(|k| !sent.contains_key(*k)) {
            if !matches!(k.as_str(), "max_completion_tokens") {
                notes.push(format!("the gateway added `{k}`"));
            }
        }
        if let (Some(sm), Some(rm)) = (sent.get("messages"), recv.get("messages")) {
            compared += messages(sm, rm, &mut dropped, &mut changed, &mut notes);
        }
    }
    dropped.dedup();
    notes.sort();
    notes.dedup();
    if compared == 0 {
        return skip_unreached();
    }
    if dropped.is_empty() && changed.is_empty() {
        let mut d = format!("{compared} parameters reached the upstream as sent");
        if !notes.is_empty() {
            d.push_str(&format!(" ({})", notes.join("; ")));
        }
        return Finding::pass(d);
    }
    let name_of = |s: &String| s.split(':').next().unwrap_or("").to_string();
    let all: Vec<String> = dropped
        .iter()
        .cloned()
        .chain(changed.iter().map(name_of))
        .collect();
    let vital = all.iter().find(|p| VITAL.contains(&p.as_str()));
    let param = vital.or(all.first()).cloned().unwrap_or_default();
    let mut parts = Vec::new();
    if !dropped.is_empty() {
        parts.push(format!(
            "dropped (the client sent them, the upstream received none): {}",
            dropped.join(", ")
        ));
    }
    if !changed.is_empty() {
        parts.push(format!("changed: {}", changed.join("; ")));
    }
    if !notes.is_empty() {
        parts.push(notes.join("; "));
    }
    let status = if vital.is_some() {
        Status::Fail
    } else {
        Status::Warn
    };
    Finding::new(status, Some(Kind::GatewayAltered), parts.join(" · ")).with_param(param)
}

/// Two JSON values the same as far as an upstream can tell: numbers equal within rounding,
/// a string the same as a one-element array of it (`stop`).
/// What is inside the messages, sent beside received: each message's own fields (`name`),
/// its content as text or as parts, and each part's fields (`cache_control`), by path
/// (`messages[0].content[0].cache_control`). The number of fields compared.
fn messages(
    sent: &Value,
    recv: &Value,
    dropped: &mut Vec<String>,
    changed: &mut Vec<String>,
    notes: &mut Vec<String>,
) -> usize {
    let (Some(sent), Some(recv)) = (sent.as_array(), recv.as_array()) else {
        changed.push(format!(
            "messages: sent {} → received {}",
            short(sent),
            short(recv)
        ));
        return 1;
    };
    if sent.len() != recv.len() {
        changed.push(format!(
            "messages: sent {} → received {}",
            crate::fit::count(sent.len() as u64, "message"),
            crate::fit::count(recv.len() as u64, "message")
        ));
        return 1;
    }
    let mut compared = 0;
    for (i, (sm, rm)) in sent.iter().zip(recv).enumerate() {
        let (Some(sm), Some(rm)) = (sm.as_object(), rm.as_object()) else {
            continue;
        };
        for (k, v) in sm {
            let path = format!("messages[{i}].{k}");
            compared += 1;
            match (k.as_str(), rm.get(k)) {
                (_, None) => dropped.push(path),
                ("content", Some(r)) => message_content(&path, v, r, dropped, changed, notes),
                (_, Some(r)) if same(v, r) => {}
                (_, Some(r)) => {
                    changed.push(format!("{path}: sent {} → received {}", short(v), short(r)))
                }
            }
        }
    }
    compared
}

/// A message's content, sent beside received: the same text, and the same parts with the
/// same fields. Text passed on as one part (or one part as text) is a note.
fn message_content(
    path: &str,
    sent: &Value,
    recv: &Value,
    dropped: &mut Vec<String>,
    changed: &mut Vec<String>,
    notes: &mut Vec<String>,
) {
    match (sent, recv) {
        (Value::Array(sp), Value::Array(rp)) if sp.len() == rp.len() => {
            for (j, (s, r)) in sp.iter().zip(rp).enumerate() {
                let (Some(s), Some(r)) = (s.as_object(), r.as_object()) else {
                    if s != r {
                        changed.push(format!(
                            "{path}[{j}]: sent {} → received {}",
                            short(s),
                            short(r)
                        ));
                    }
                    continue;
                };
                for (k, v) in s {
                    let at = format!("{path}[{j}].{k}");
                    match r.get(k) {
                        None => dropped.push(at),
                        Some(got) if got == v => {}
                        Some(got) => changed.push(format!(
                            "{at}: sent {} → received {}",
                            short(v),
                            short(got)
                        )),
                    }
                }
            }
        }
        (Value::Array(sp), Value::String(text)) => {
            let joined: String = sp
                .iter()
                .filter_map(|p| p.get("text").and_then(Value::as_str))
                .collect();
            let lost: Vec<String> = sp
                .iter()
                .enumerate()
                .flat_map(|(j, p)| {
                    p.as_object()
                        .into_iter()
                        .flatten()
                        .filter(|(k, _)| !matches!(k.as_str(), "type" | "text"))
                        .map(move |(k, _)| format!("{path}[{j}].{k}"))
                })
                .collect();
            if &joined == text {
                // The text arrived; what the parts carried beside it did not.
                notes.push(format!("{path}: its text parts passed on as one string"));
                dropped.extend(lost);
            } else {
                changed.push(format!(
                    "{path}: sent {} → received {}",
                    short(sent),
                    short(recv)
                ));
            }
        }
        (Value::String(s), Value::Array(rp))
            if rp.len() == 1 && rp[0].get("text").and_then(Value::as_str) == Some(s.as_str()) =>
        {
            notes.push(format!("{path}: its text passed on as one text part"));
        }
        _ if sent == recv => {}
        _ => changed.push(format!(
            "{path}: sent {} → received {}",
            short(sent),
            short(recv)
        )),
    }
}

fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => (x - y).abs() <= 1e-6 * x.abs().max(1.0),
            _ => x == y,
        },
        (Value::String(_), Value::Array(v)) | (Value::Array(v), Value::String(_))
            if v.len() == 1 =>
        {
            same(
                a.as_array().map_or(a, |v| &v[0]),
                b.as_array().map_or(b, |v| &v[0]),
            )
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fn short(v: &Value) -> String {
    crate::fit::excerpt(&v.to_string(), 80)
}

/// The model's name on the way: asked, received upstream, answered, and returned.
pub fn model(basic: &Sides) -> Finding {
    let Some(e) = basic.first() else {
        return skip_unreached();
    };
    let name = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or("(none)").to_string();
    let asked = name(basic.seen.sent.get("model"));
    let received = name(e.body.get("model"));
    let answered = e.sent.model.clone().unwrap_or_else(|| "(none)".into());
    let returned = name(basic.seen.body.get("model"));
    let d = format!(
        "asked `{asked}` · the upstream received `{received}` and answered `{answered}` · the client got `{returned}`"
    );
    if returned != "(none)" && returned != asked && returned != answered {
        return Finding::warn(
            Kind::ModelMismatch,
            format!("{d}: the client got a name that is neither the one it asked for nor the upstream's"),
        );
    }
    let note = if received != asked {
        " (an alias: a note, not a fault)"
    } else {
        ""
    };
    Finding::pass(format!("{d}{note}"))
}

fn usage_of(v: &Value) -> Option<&Value> {
    v.get("usage").filter(|u| u.is_object())
}

fn counts(u: &Value) -> String {
    let n = |k: &str| {
        u.get(k)
            .and_then(Value::as_u64)
            .map_or("-".to_string(), |v| v.to_string())
    };
    format!(
        "prompt {} / completion {} / total {}",
        n("prompt_tokens"),
        n("completion_tokens"),
        n("total_tokens")
    )
}

fn same_counts(a: &Value, b: &Value) -> bool {
    ["prompt_tokens", "completion_tokens", "total_tokens"]
        .iter()
        .all(|k| a.get(*k).and_then(Value::as_u64) == b.get(*k).and_then(Value::as_u64))
}

/// Token counts as the upstream reported them, answered and streamed.
pub fn usage(basic: &Sides, stream: &Sides) -> Finding {
    let mut problems = Vec::new();
    let mut fine = Vec::new();
    if let Some(up) = basic
        .last()
        .and_then(|e| e.sent.body.as_ref())
        .and_then(usage_of)
    {
        match usage_of(&basic.seen.body) {
            Some(got) if same_counts(up, got) => fine.push("answer"),
            Some(got) => problems.push(format!(
                "answer: the upstream reported {}, the client got {}",
                counts(up),
                counts(got)
            )),
            None if basic.seen.status.is_some_and(|s| s < 300) => problems.push(format!(
                "answer: the upstream reported {}, the client got no usage",
                counts(up)
            )),
            None => {}
        }
    }
    let up_stream = stream.last().and_then(|e| {
        e.sent
            .events
            .iter()
            .filter_map(|(_, d)| serde_json::from_str::<Value>(d).ok())
            .find_map(|v| usage_of(&v).cloned())
    });
    if let Some(up) = up_stream {
        let got = stream
            .seen
            .json_events()
            .into_iter()
            .find_map(|(_, v)| usage_of(&v).cloned());
        match got {
            Some(got) if same_counts(&up, &got) => fine.push("stream"),
            Some(got) => problems.push(format!(
                "stream: the upstream reported {}, the client got {}",
                counts(&up),
                counts(&got)
            )),
            None if stream.seen.is_stream() => problems.push(format!(
                "stream: the upstream sent a usage chunk ({}), the client got none",
                counts(&up)
            )),
            None => {}
        }
    }
    if !problems.is_empty() {
        return Finding::warn(Kind::GatewayAltered, problems.join("; ")).with_param("usage");
    }
    if fine.is_empty() {
        return Finding::skip(
            "no usage to compare: the upstream reported none that reached a comparable answer",
        );
    }
    Finding::pass(format!(
        "usage passed through unchanged ({})",
        fine.join(", ")
    ))
}

fn call_of(v: &Value) -> Option<(String, Value)> {
    let c = v.pointer("/choices/0/message/tool_calls/0/function")?;
    let name = c.get("name")?.as_str()?.to_string();
    let args = c
        .get("arguments")
        .and_then(Value::as_str)
        .and_then(|a| serde_json::from_str(a).ok())
        .unwrap_or(Value::Null);
    Some((name, args))
}

/// The upstream's tool call, as the client got it.
pub fn tool_call(basic: &Sides) -> Finding {
    let Some(e) = basic.last() else {
        return skip_unreached();
    };
    let Some((name, args)) = e.sent.body.as_ref().and_then(call_of) else {
        return Finding::pass(
            "the upstream made no tool call (it was not asked to: see fidelity.params), so none was expected",
        );
    };
    match call_of(&basic.seen.body) {
        Some((n, a)) if n == name && same(&a, &args) => Finding::pass(format!(
            "the upstream's call of `{name}` {args} reached the client unchanged"
        )),
        Some((n, a)) => Finding::fail(
            Kind::GatewayAltered,
            format!("the upstream called `{name}` with {args}; the client got `{n}` with {a}"),
        )
        .with_param("tool_calls"),
        None => Finding::fail(
            Kind::GatewayAltered,
            format!("the upstream called `{name}` with {args}; the client got no tool call"),
        )
        .with_param("tool_calls"),
    }
}

/// The upstream's `x-request-id`, under a name clients read.
pub fn request_id(basic: &Sides) -> Finding {
    let Some(id) = basic.last().and_then(|e| e.sent.header("x-request-id")) else {
        return skip_unreached();
    };
    // The name a reader would look under first: x-request-id, then any *request-id.
    let carriers: Vec<&(String, String)> =
        basic.seen.headers.iter().filter(|(_, v)| v == id).collect();
    let rank = |n: &str| match n {
        "x-request-id" => 0,
        n if n.ends_with("request-id") && !n.starts_with("llm_provider-") => 1,
        _ => 2,
    };
    let carried = carriers.into_iter().min_by_key(|(n, _)| rank(n));
    match carried {
        Some((n, _)) if n == "x-request-id" => {
            Finding::pass(format!("the upstream's x-request-id ({id}) reached the client"))
        }
        Some((n, _)) => Finding::warn(
            Kind::GatewayAltered,
            format!(
                "the upstream sent x-request-id: {id}; the client got it only as `{n}`, which SDKs do not read as the request id"
            ),
        )
        .with_param("x-request-id"),
        None => {
            let own = basic
                .seen
                .header("x-request-id")
                .map(|v| format!(" (its x-request-id is the gateway's own: {v})"))
                .unwrap_or_default();
            Finding::warn(
                Kind::GatewayAltered,
                format!("the upstream sent x-request-id: {id}; the client got it under no header{own}"),
            )
            .with_param("x-request-id")
        }
    }
}

/// The stream's headers that matter: Content-Type, Cache-Control; X-Accel-Buffering noted.
pub fn headers(stream: &Sides) -> Finding {
    let Some(e) = stream.last() else {
        return skip_unreached();
    };
    let seen = stream.seen;
    if !seen.status.is_some_and(|s| (200..300).contains(&s)) {
        return Finding::skip(format!(
            "the stream did not reach the client ({})",
            got(seen)
        ));
    }
    let up_ct = e.sent.header("content-type").unwrap_or("-");
    let ct = seen.header("content-type").unwrap_or("(none)");
    if !ct.to_ascii_lowercase().starts_with("text/event-stream") {
        return Finding::fail(
            Kind::NotSse,
            format!("the upstream sent Content-Type: {up_ct}; the client got {ct}"),
        )
        .with_param("Content-Type");
    }
    let mut notes = vec![format!("Content-Type {ct}")];
    if let Some(x) = seen.header("x-accel-buffering") {
        notes.push(format!("the gateway adds X-Accel-Buffering: {x}"));
    }
    let up_cc = e.sent.header("cache-control").unwrap_or("");
    let cc = seen.header("cache-control").unwrap_or("");
    let no_cache = |c: &str| c.contains("no-cache") || c.contains("no-store");
    if no_cache(up_cc) && !no_cache(cc) {
        let got = if cc.is_empty() {
            "none".to_string()
        } else {
            cc.to_string()
        };
        return Finding::warn(
            Kind::GatewayAltered,
            format!(
                "the upstream sent Cache-Control: {up_cc}; the client got {got} ({})",
                notes.join(", ")
            ),
        )
        .with_param("Cache-Control");
    }
    notes.push(format!("Cache-Control {cc}"));
    Finding::pass(notes.join(", "))
}

/// Whether an event carries content (text or tool-call arguments).
fn is_content(v: &Value) -> bool {
    let d = v.pointer("/choices/0/delta");
    d.and_then(|d| d.get("content"))
        .and_then(Value::as_str)
        .is_some_and(|c| !c.is_empty())
        || d.and_then(|d| d.get("tool_calls")).is_some()
}

/// How many of these events carry content.
fn content(events: &[(u64, Value)]) -> usize {
    events.iter().filter(|(_, v)| is_content(v)).count()
}

/// Stream pacing: the upstream's chunks, sent far apart, arrive as far apart, or in bursts.
pub fn pacing(stream: &Sides) -> (Finding, Option<crate::timings::StreamStats>) {
    let Some(e) = stream.last() else {
        return (skip_unreached(), None);
    };
    let sent: Vec<u64> = e
        .sent
        .events
        .iter()
        .filter(|(_, d)| serde_json::from_str::<Value>(d).is_ok_and(|v| is_content(&v)))
        .map(|(at, _)| *at)
        .collect();
    let arrived: Vec<u64> = stream
        .seen
        .json_events()
        .into_iter()
        .filter(|(_, v)| is_content(v))
        .map(|(at, _)| at)
        .collect();
    let stats = crate::timings::stream_stats(None, &arrived);
    if sent.len() < 2 || arrived.len() < 2 {
        return (
            Finding::skip(format!(
                "too few content chunks to judge pacing (the upstream sent {}, the client got {})",
                sent.len(),
                arrived.len()
            )),
            Some(stats),
        );
    }
    let spread = |t: &[u64]| t.last().unwrap_or(&0) - t.first().unwrap_or(&0);
    let pace = spread(&sent) / (sent.len() as u64 - 1);
    // Arrival groups: chunks closer than half the upstream's pace came together.
    let bursts = 1 + arrived
        .windows(2)
        .filter(|w| w[1] - w[0] > pace / 2)
        .count();
    let d = format!(
        "the upstream sent {} content chunks {pace} ms apart over {} ms; the client got {} in {bursts} burst{} over {} ms",
        sent.len(),
        spread(&sent),
        arrived.len(),
        if bursts == 1 { "" } else { "s" },
        spread(&arrived)
    );
    let f = if bursts * 2 <= arrived.len() {
        Finding::warn(
            Kind::StreamBuffered,
            format!("{d}: the gateway held them and let them go together"),
        )
    } else {
        Finding::pass(d)
    };
    (f, Some(stats))
}

/// The client's `Content-Encoding`, when the answer came compressed.
fn coding(seen: &Seen) -> Option<&str> {
    seen.header("content-encoding")
        .map(str::trim)
        .filter(|c| !c.is_empty() && !c.eq_ignore_ascii_case("identity"))
}

/// The pacing row, saying so when the stream it judged came compressed and in bursts.
pub fn pacing_encoded(mut f: Finding, stream: &Sides) -> Finding {
    if let (Some(c), Some(Kind::StreamBuffered)) = (coding(stream.seen), f.kind) {
        f.detail = format!(
            "{}; the stream came compressed (Content-Encoding: {c}): see fidelity.encoding",
            f.detail
        );
    }
    f
}

/// Compression: an answer or a stream the gateway compressed reaches the client readable
/// (the engine asks `gzip, deflate` as openai-python and openai-node do, and decodes it); a
/// body labelled with an encoding it does not have is a fault, and so is a compressed stream
/// that arrived in bursts (`buffered`, from the pacing row).
pub fn encoding(basic: &Sides, stream: &Sides, buffered: bool) -> Finding {
    let asked = basic
        .seen
        .sent_header("accept-encoding")
        .unwrap_or(crate::http::decode::ACCEPT_ENCODING);
    let mut notes = Vec::new();
    for (what, s) in [("the answer", basic), ("the stream", stream)] {
        let Some(e) = s.last() else {
            continue;
        };
        let up_asked = e.header("accept-encoding").unwrap_or("nothing");
        let up_sent = e.sent.header("content-encoding").unwrap_or("none");
        let got = coding(s.seen).unwrap_or("none");
        if let Some(why) = &s.seen.undecodable {
            return Finding::fail(
                Kind::GatewayAltered,
                format!(
                    "{what}: the upstream sent Content-Encoding: {up_sent}; the client got Content-Encoding: {got}, and {why}"
                ),
            )
            .with_param("Content-Encoding");
        }
        if s.seen.status.is_none() {
            continue;
        }
        let how = if got == "none" {
            format!("{what}: the upstream sent Content-Encoding {up_sent} (asked for {up_asked}); the client got none")
        } else {
            format!(
                "{what}: the upstream sent Content-Encoding {up_sent} (asked for {up_asked}); the client got {got}, decoded whole"
            )
        };
        notes.push(how);
    }
    if notes.is_empty() {
        return skip_unreached();
    }
    let d = format!(
        "the client asked Accept-Encoding: {asked}; {}",
        notes.join("; ")
    );
    match coding(stream.seen) {
        Some(c) if buffered => Finding::warn(
            Kind::StreamBuffered,
            format!(
                "{d}: the gateway compressed the stream ({c}) and it arrived in bursts (see fidelity.pacing): a compressor that does not flush after each event holds them"
            ),
        )
        .with_param("Content-Encoding"),
        Some(_) => Finding::pass(format!("{d}; the compressed stream kept its pace")),
        None => Finding::pass(d),
    }
}

fn finish_of(events: &[(u64, Value)]) -> Option<String> {
    events.iter().find_map(|(_, v)| {
        v.pointer("/choices/0/finish_reason")
            .and_then(Value::as_str)
            .map(str::to_string)
    })
}

fn error_event(events: &[(u64, Value)]) -> Option<String> {
    events.iter().find_map(|(_, v)| {
        let e = v.get("error")?;
        Some(
            e.get("message")
                .and_then(Value::as_str)
                .map_or_else(|| e.to_string(), str::to_string),
        )
    })
}

fn end_words(end: &Option<End>) -> &'static str {
    match end {
        Some(End::Clean) => "a clean end",
        Some(End::Cut(_)) | Some(End::Undecodable(_)) => "a cut connection",
        Some(End::Stalled { .. }) => "a stall",
        Some(_) => "an over-long stream",
        None => "no stream",
    }
}

/// `finish_reason` and `[DONE]`, sent by the upstream, as the client got them.
pub fn stream_end(stream: &Sides) -> Finding {
    let Some(e) = stream.last() else {
        return skip_unreached();
    };
    let seen = stream.seen;
    if !seen.is_stream() {
        return Finding::skip(format!(
            "the stream did not reach the client ({})",
            got(seen)
        ));
    }
    let up: Vec<(u64, Value)> = e
        .sent
        .events
        .iter()
        .filter_map(|(at, d)| Some((*at, serde_json::from_str(d).ok()?)))
        .collect();
    let up_finish = finish_of(&up).unwrap_or_else(|| "none".into());
    let up_done = e.sent.events.iter().any(|(_, d)| d == "[DONE]");
    let events = seen.json_events();
    let finish = finish_of(&events);
    let end = end_words(&seen.end);
    match finish {
        None if seen.done() => Finding::fail(
            Kind::StreamNoFinish,
            format!(
                "the upstream sent finish_reason \"{up_finish}\" and [DONE]; the client got [DONE] but no finish_reason ({end})"
            ),
        ),
        None => Finding::fail(
            Kind::StreamTruncated,
            format!(
                "the upstream sent finish_reason \"{up_finish}\" and [DONE]; the client got no finish_reason ({} events, then {end})",
                seen.events.len()
            ),
        )
        .with_param("finish_reason"),
        Some(_) if up_done && !seen.done() => Finding::warn(
            Kind::StreamNoDone,
            format!("the upstream sent data: [DONE]; the client got the finish_reason but no [DONE] ({end})"),
        ),
        Some(f) => Finding::pass(format!(
            "finish_reason \"{f}\"{} and {end}, as the upstream sent them",
            if seen.done() { ", [DONE]" } else { "" }
        )),
    }
}

/// The upstream's in-band error event mid-stream: surfaced, or turned into a cut, a 5xx
/// page or a silent end.
pub fn stream_error(s: &Sides) -> Finding {
    if s.first().is_none() {
        return skip_unreached();
    }
    let seen = s.seen;
    let upstream_did = format!(
        "the upstream sent 3 chunks, then an error event (\"{}\"), then ended",
        upstream::STREAM_ERROR_MESSAGE
    );
    if let (Some(st), false) = (seen.status, seen.is_stream()) {
        let msg = evidence(seen).provider_message.unwrap_or_default();
        if st >= 400 && msg.contains(upstream::STREAM_ERROR_MESSAGE) {
            return Finding::pass(format!(
                "{upstream_did}; the client got HTTP {st} with the upstream's message"
            ))
            .with_evidence(evidence(seen));
        }
        if st >= 400 {
            return Finding::warn(
                Kind::GatewayAltered,
                format!("{upstream_did}; the client got HTTP {st} without the upstream's message"),
            )
            .with_param("error message")
            .with_evidence(evidence(seen));
        }
    }
    if let Some(f) = &seen.failure {
        return Finding::warn(
            Kind::StreamTruncated,
            format!(
                "{upstream_did}; the client got {}: an error, but not the upstream's message",
                f.detail
            ),
        )
        .with_param("error");
    }
    let events = seen.json_events();
    if let Some(m) = error_event(&events) {
        return Finding::pass(format!(
            "{upstream_did}; the client got the error event (\"{}\")",
            one_line(&m)
        ));
    }
    match &seen.end {
        Some(End::Cut(_)) | Some(End::Undecodable(_)) => Finding::warn(
            Kind::StreamTruncated,
            format!(
                "{upstream_did}; the client got {} chunks and a cut connection: it sees a failure, but not the upstream's message",
                content(&events)
            ),
        )
        .with_param("error"),
        _ => Finding::fail(
            Kind::StreamTruncated,
            format!(
                "{upstream_did}; the client got {} chunks and {}, no error, no finish_reason: the failure was swallowed",
                content(&events),
                end_words(&seen.end)
            ),
        )
        .with_param("error"),
    }
}

/// The upstream's connection cut mid-stream: the client must see a failure, not an end.
pub fn stream_cut(s: &Sides) -> Finding {
    if s.first().is_none() {
        return skip_unreached();
    }
    let seen = s.seen;
    let upstream_did = "the upstream sent 3 chunks, then cut the connection (no terminator)";
    if let (Some(st), false) = (seen.status, seen.is_stream()) {
        if st >= 400 {
            return Finding::pass(format!("{upstream_did}; the client got HTTP {st}"))
                .with_evidence(evidence(seen));
        }
    }
    if let Some(f) = &seen.failure {
        return Finding::pass(format!(
            "{upstream_did}; the client got a failure: {}",
            f.detail
        ));
    }
    let events = seen.json_events();
    if let Some(m) = error_event(&events) {
        return Finding::pass(format!(
            "{upstream_did}; the gateway sent an error event (\"{}\")",
            one_line(&m)
        ));
    }
    match &seen.end {
        Some(End::Clean) if finish_of(&events).is_none() || !seen.done() => Finding::fail(
            Kind::StreamTruncated,
            format!(
                "{upstream_did}; the client got {} chunks and a clean end{}: a partial answer that looks finished",
                content(&events),
                if seen.done() { " with [DONE]" } else { "" }
            ),
        )
        .with_param("cut"),
        Some(End::Clean) => Finding::fail(
            Kind::StreamTruncated,
            format!("{upstream_did}; the client got a finished stream (finish_reason and [DONE]) the upstream never sent"),
        )
        .with_param("cut"),
        other => Finding::pass(format!("{upstream_did}; the client got {}", end_words(other))),
    }
}

/// The upstream's 429, its status kept; the gateway's own retries counted.
pub fn status(s: &Sides) -> Finding {
    let Some(e) = s.last() else {
        return skip_unreached();
    };
    let seen = s.seen;
    let retries = match s.up.len() {
        1 => String::new(),
        n => format!(" (the gateway retried: the upstream got {n} requests for one)"),
    };
    let up = e.sent.status;
    match seen.status {
        Some(st) if st == up => Finding::pass(format!(
            "the upstream's {up} reached the client as {st}{retries}"
        )),
        _ => Finding::fail(
            Kind::GatewayAltered,
            format!(
                "the upstream answered {up} (rate limited); the client got {}{retries}",
                got(seen)
            ),
        )
        .with_param("status"),
    }
    .with_evidence(evidence(seen))
}

/// The upstream's `Retry-After`, under the name clients read.
pub fn retry_after(s: &Sides) -> Finding {
    let Some(e) = s.last() else {
        return skip_unreached();
    };
    let seen = s.seen;
    let up = e.sent.header("retry-after").unwrap_or("-").to_string();
    let f = if let Some(v) = seen.header("retry-after") {
        let note = if v == up {
            String::new()
        } else {
            format!(" (the upstream said {up})")
        };
        Finding::pass(format!("Retry-After: {v} reached the client{note}"))
    } else if let Some((n, v)) = seen
        .headers
        .iter()
        .find(|(n, _)| n.contains("retry-after") || n.contains("retry_after"))
    {
        Finding::warn(
            Kind::GatewayAltered,
            format!(
                "the upstream sent Retry-After: {up}; the client got {} with it only as `{n}: {v}`, which clients do not read",
                got(seen)
            ),
        )
        .with_param("Retry-After")
    } else {
        Finding::warn(
            Kind::GatewayAltered,
            format!(
                "the upstream sent Retry-After: {up}; the client got {} without it",
                got(seen)
            ),
        )
        .with_param("Retry-After")
    };
    f.with_evidence(evidence(seen))
}

/// The upstream's 400 naming a parameter: status and message as the client got them.
pub fn error_message(s: &Sides) -> Finding {
    let Some(e) = s.last() else {
        return skip_unreached();
    };
    let seen = s.seen;
    let up = e.sent.status;
    let ev = evidence(seen);
    if seen.status != Some(up) {
        return Finding::fail(
            Kind::GatewayAltered,
            format!(
                "the upstream answered {up} (\"{}\"); the client got {}",
                upstream::BAD_PARAM_MESSAGE,
                got(seen)
            ),
        )
        .with_param("status")
        .with_evidence(ev);
    }
    let msg = ev.provider_message.clone().unwrap_or_default();
    let core = upstream::BAD_PARAM_MESSAGE.trim_end_matches('.');
    if msg == upstream::BAD_PARAM_MESSAGE {
        Finding::pass(format!(
            "the upstream's {up} and its message reached the client unchanged"
        ))
        .with_evidence(ev)
    } else if msg.contains(core) {
        Finding::pass(format!(
            "the upstream's {up} reached the client, its message wrapped: \"{}\"",
            one_line(&msg)
        ))
        .with_evidence(ev)
    } else {
        Finding::warn(
            Kind::GatewayAltered,
            format!(
                "the upstream answered {up} \"{}\"; the client got {up} \"{}\"",
                upstream::BAD_PARAM_MESSAGE,
                one_line(&msg)
            ),
        )
        .with_param("error message")
        .with_evidence(ev)
    }
}

/// A silence before the headers: the gateway waits it out, or gives up (504).
pub fn silence_headers(s: &Sides, silence_secs: f64) -> Finding {
    if s.first().is_none() {
        return skip_unreached();
    }
    let seen = s.seen;
    let upstream_did = format!("the upstream was silent {silence_secs} s before its headers");
    match seen.status {
        Some(st)
            if (200..300).contains(&st)
                && seen.is_stream()
                && finish_of(&seen.json_events()).is_some() =>
        {
            Finding::pass(format!(
                "{upstream_did}; the gateway waited, and the stream came whole"
            ))
        }
        Some(st) if st >= 500 => Finding::fail(
            Kind::Timeout,
            format!(
                "{upstream_did}; the gateway gave up and answered HTTP {st} after {} ms",
                seen.headers_ms.unwrap_or(0)
            ),
        )
        .with_param("silence")
        .with_evidence(evidence(seen)),
        _ => Finding::fail(
            Kind::Timeout,
            format!(
                "{upstream_did}; the client got {} ({})",
                got(seen),
                end_words(&seen.end)
            ),
        )
        .with_param("silence")
        .with_evidence(evidence(seen)),
    }
}

/// A silence mid-stream: the gateway keeps the stream open, or cuts it.
pub fn silence_stream(s: &Sides, silence_secs: f64) -> Finding {
    if s.first().is_none() {
        return skip_unreached();
    }
    let seen = s.seen;
    let upstream_did =
        format!("the upstream sent 2 chunks, was silent {silence_secs} s, then finished");
    let events = seen.json_events();
    if seen.is_stream() && finish_of(&events).is_some() {
        return Finding::pass(format!(
            "{upstream_did}; the stream reached the client whole"
        ));
    }
    let how = match (&seen.failure, seen.status) {
        (Some(f), _) => f.detail.clone(),
        (None, Some(st)) if !seen.is_stream() => format!("HTTP {st}"),
        _ => format!("{} chunks, then {}", content(&events), end_words(&seen.end)),
    };
    Finding::fail(
        Kind::StreamTruncated,
        format!(
            "{upstream_did}; the client got {how}: the gateway cut the stream during the silence"
        ),
    )
    .with_param("silence")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_inside_messages_are_compared_by_path() {
        let sent = serde_json::json!([{"role": "user", "name": "zencheck", "content": [
            {"type": "text", "text": "hi", "cache_control": {"type": "ephemeral"}}]}]);
        let diff = |recv: Value| {
            let (mut d, mut c, mut n) = (Vec::new(), Vec::new(), Vec::new());
            messages(&sent, &recv, &mut d, &mut c, &mut n);
            (d, c, n)
        };
        let none: Vec<String> = Vec::new();
        assert_eq!(diff(sent.clone()), (none.clone(), none.clone(), none));
        // Parts joined into a string: the text arrived, cache_control did not.
        let (d, c, n) =
            diff(serde_json::json!([{"role": "user", "name": "zencheck", "content": "hi"}]));
        assert_eq!(d, vec!["messages[0].content[0].cache_control"]);
        assert!(c.is_empty() && n[0].contains("one string"), "{c:?} {n:?}");
        // A name dropped; a system prompt added.
        let (d, _, _) = diff(serde_json::json!([{"role": "user", "content": [
            {"type": "text", "text": "hi", "cache_control": {"type": "ephemeral"}}]}]));
        assert_eq!(d, vec!["messages[0].name"]);
        let (_, c, _) = diff(
            serde_json::json!([{"role": "system", "content": "be brief"},
            {"role": "user", "name": "zencheck", "content": "hi"}]),
        );
        assert_eq!(c, vec!["messages: sent 1 message → received 2 messages"]);
    }
}
