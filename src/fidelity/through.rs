//! The client's side of an act: the request sent through the gateway, and everything that
//! came back (status, headers, body or timed events, how it ended), read through the one
//! HTTP engine under its bounds.

use crate::finding::Finding;
use crate::http::sse::{End, TimedEvent};
use crate::http::{Auth, Http, Request};
use crate::mock::upstream::Act;
use crate::target::Target;
use serde_json::{json, Value};

/// What the client got for one act.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    /// The body sent.
    pub sent: Value,
    /// The user's `-H` headers sent with it (names lowercased).
    pub sent_headers: Vec<(String, String)>,
    /// None when no answer came (the transport failure is in `failure`).
    pub status: Option<u16>,
    /// Names lowercased, values scrubbed.
    pub headers: Vec<(String, String)>,
    pub headers_ms: Option<u64>,
    /// A non-streamed body, parsed (null when not JSON).
    pub body: Value,
    /// A non-streamed body as text (capped by the engine).
    pub text: String,
    /// A stream's events, with their arrival times.
    pub events: Vec<TimedEvent>,
    /// How a stream ended; None when the answer was not a stream.
    pub end: Option<End>,
    /// No answer, or the body could not be read.
    pub failure: Option<Finding>,
    /// The body is not what its `Content-Encoding` says (or an encoding the client did not
    /// ask for): the decoder's words.
    pub undecodable: Option<String>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    /// A header the client sent: the engine's own (`Accept-Encoding`) unless the user's
    /// `-H` named it.
    pub fn sent_header(&self, name: &str) -> Option<&str> {
        self.sent_headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    /// Events whose data is JSON (not `[DONE]`), parsed.
    pub fn json_events(&self) -> Vec<(u64, Value)> {
        self.events
            .iter()
            .filter_map(|e| Some((e.at_ms, serde_json::from_str(&e.data).ok()?)))
            .collect()
    }
    pub fn done(&self) -> bool {
        self.events.iter().any(|e| e.data.trim() == "[DONE]")
    }
    pub fn is_stream(&self) -> bool {
        self.end.is_some()
    }
}

/// The tool every basic request offers (and forces).
pub const TOOL: &str = "get_weather";

/// The body the client sends for `act` of run `run`, asking for `model`. Every request caps
/// its output.
pub fn body(act: Act, run: &str, model: &str) -> Value {
    let prompt = format!(
        "{} This is zencheck checking a gateway; answer briefly.",
        act.marker(run)
    );
    let messages = json!([{"role": "user", "content": prompt}]);
    match act {
        // Fields inside the message too: its `name`, its content as a text part carrying
        // `cache_control` (Anthropic's prompt caching, which gateways pass on or drop).
        Act::Basic => json!({
            "model": model, "max_tokens": 32,
            "messages": [{"role": "user", "name": "zencheck", "content": [
                {"type": "text", "text": prompt, "cache_control": {"type": "ephemeral"}}]}], "temperature": 0.3, "top_p": 0.9,
            "seed": 7, "stop": ["ZZZ"], "user": "zencheck-fidelity",
            "tools": [{"type": "function", "function": {"name": TOOL, "description": "Weather in a city",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}],
            "tool_choice": {"type": "function", "function": {"name": TOOL}},
        }),
        Act::Stream => json!({
            "model": model, "messages": messages, "max_tokens": 48, "stream": true,
            "stream_options": {"include_usage": true},
            "response_format": {"type": "json_schema", "json_schema": {"name": "words", "strict": true,
                "schema": {"type": "object", "properties": {"words": {"type": "string"}}, "required": ["words"],
                    "additionalProperties": false}}},
        }),
        Act::RateLimit | Act::BadParam => {
            json!({"model": model, "messages": messages, "max_tokens": 16, "seed": 7})
        }
        Act::StreamError | Act::StreamCut | Act::SilenceHeaders | Act::SilenceStream => json!({
            "model": model, "messages": messages, "max_tokens": 32, "stream": true,
        }),
    }
}

/// Send `body` to the gateway's chat route and read whatever comes back.
pub async fn send(http: &Http, gateway: &Target, body: Value) -> Seen {
    let stream = body.get("stream").and_then(Value::as_bool).unwrap_or(false);
    let req = Request::post("/chat/completions", body.clone(), Auth::Bearer);
    let mut seen = Seen {
        sent: body,
        sent_headers: gateway
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("accept-encoding"))
            .map(|(n, v)| {
                use secrecy::ExposeSecret;
                (n.to_ascii_lowercase(), v.expose_secret().to_string())
            })
            .collect(),
        ..Default::default()
    };
    let opened = match http.open(gateway, &req).await {
        Ok(o) => o,
        Err(f) => {
            seen.failure = Some(f);
            return seen;
        }
    };
    seen.status = Some(opened.status);
    seen.headers_ms = Some(opened.headers_ms);
    seen.headers = opened
        .response
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_ascii_lowercase(),
                opened
                    .redactor
                    .scrub(&String::from_utf8_lossy(v.as_bytes())),
            )
        })
        .collect();
    let sse = opened
        .content_type
        .as_deref()
        .is_some_and(|c| c.contains("text/event-stream"));
    let encoded = opened.content_encoding.is_some();
    if stream && sse {
        let t = http.read_stream(opened).await;
        seen.events = t.events;
        if let (End::Undecodable(why), true) = (&t.end, encoded) {
            seen.undecodable = Some(why.clone());
        }
        seen.end = Some(t.end);
        return seen;
    }
    match http.read_body(opened).await {
        Ok(a) => {
            seen.text = String::from_utf8_lossy(&a.body).into_owned();
            seen.body = serde_json::from_slice(&a.body).unwrap_or(Value::Null);
        }
        Err(f) => {
            if f.rule_hint == Some(crate::failure::RuleHint::ContentEncoding) {
                seen.undecodable = Some(f.detail.clone());
            }
            seen.failure = Some(f);
        }
    }
    seen
}
