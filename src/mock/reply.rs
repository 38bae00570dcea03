//! What the built-in provider says: completions, SSE frames, and error bodies in the
//! envelopes real servers use.

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use serde_json::{json, Value};
use std::time::Duration;

pub const ANSWER: &str = "pong from the zencheck mock";
/// What the mock answers a prompt that asks for CJK and an emoji.
pub const UTF8_ANSWER: &str = "你好，世界 🙂";
pub const CREATED: u64 = 1_763_700_000;

/// What a chat request asked for, as far as the mock cares.
pub struct Ask {
    pub model: String,
    pub stream: bool,
    pub include_usage: bool,
    pub max_tokens: Option<u64>,
    /// The tool to call, when tools are offered and tool_choice allows a call.
    pub tool: Option<(String, Value)>,
    pub prompt_tokens: u64,
    /// The first tool offered, whatever `tool_choice` says.
    pub offered: Option<(String, Value)>,
    /// The output format asked for (`json_schema`, `json_object`), if any.
    pub format: Option<String>,
    /// How much of `prompt_tokens` the tools account for (a server that drops them
    /// counts none).
    pub tools_tokens: u64,
    /// What the model answers in text: the usual line, JSON when a format asks for it, or
    /// the tool's result after a tool turn.
    pub text: String,
    /// `reasoning_effort` (chat) or `reasoning.effort` (Responses), if sent.
    pub effort: Option<String>,
    /// How the model reasons before answering, in scenarios with a reasoning model.
    pub thinking: Option<Thinking>,
}

/// The [`Thinking::field`] of a model whose server leaves the thought in the content, in
/// `<think>` tags (DeepSeek-R1, Qwen3 without a reasoning parser).
pub const THINK_TAGS: &str = crate::reasoning::THINK_TAGS;

/// How a reasoning model of the mock thinks before it answers.
#[derive(Clone, Copy, Debug)]
pub struct Thinking {
    /// Reasoning tokens it wants to spend; the cap stops it first if smaller.
    pub wants: u64,
    /// The chat key its reasoning text goes under; `None` sends none and counts the tokens
    /// in usage only (OpenAI's reasoning models).
    pub field: Option<&'static str>,
}

/// Words the mock's reasoning is made of.
const THOUGHT: &str = "The user wants the single word pong, so I answer pong.";
/// A stream sends reasoning in at most this many chunks, however long it is.
const THOUGHT_CHUNKS: u64 = 6;

impl Ask {
    pub fn parse(v: &Value) -> Ask {
        let tools = v
            .get("tools")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let choice = v.get("tool_choice").cloned().unwrap_or(Value::Null);
        // Chat names a forced tool under "function"; the Responses API flat.
        let named = choice
            .pointer("/function/name")
            .or(choice.get("name"))
            .and_then(Value::as_str);
        let offered = tools.iter().map(|t| {
            let f = t.get("function").unwrap_or(t);
            (
                f.get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("tool")
                    .to_string(),
                f.get("parameters").cloned().unwrap_or(json!({})),
            )
        });
        // Like a real model: a forced choice is obeyed; with "auto" a tool is called only
        // when the user's last message names it, and never right after a tool result
        // (otherwise an agent such as opencode would loop forever).
        let last = last_message(v);
        let first_offered = offered.clone().next();
        let forced = matches!(choice.as_str(), Some("required")) || named.is_some();
        let tool = match choice.as_str() {
            Some("none") => None,
            _ if forced => offered
                .into_iter()
                .find(|(n, _)| named.is_none_or(|want| want == n)),
            _ if last.0 == "tool" => None,
            _ => offered
                .into_iter()
                .find(|(n, _)| last.1.contains(n.as_str())),
        };
        let words = |v: &Value| v.to_string().split_whitespace().count() as u64;
        let tools_tokens = if tools.is_empty() {
            0
        } else {
            words(&Value::Array(tools.clone())).max(1)
        };
        let prompt_tokens =
            v.get("messages").or(v.get("input")).map(words).unwrap_or(1) + tools_tokens;
        // Chat asks for a format in `response_format`, the Responses API in `text.format`.
        let format = v
            .get("response_format")
            .or(v.pointer("/text/format"))
            .cloned()
            .unwrap_or(Value::Null);
        let text = match format.get("type").and_then(Value::as_str) {
            Some("json_schema") => tool_arguments(
                format
                    .pointer("/json_schema/schema")
                    .or(format.get("schema"))
                    .unwrap_or(&Value::Null),
            ),
            Some("json_object") => json!({"answer": "pong"}).to_string(),
            _ if last.0 == "tool" => format!("The tool returned {}", last.1),
            _ if last.1.contains("你好") => UTF8_ANSWER.to_string(),
            _ => ANSWER.to_string(),
        };
        Ask {
            model: v
                .get("model")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            stream: v.get("stream").and_then(Value::as_bool).unwrap_or(false),
            include_usage: v
                .pointer("/stream_options/include_usage")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            max_tokens: ["max_tokens", "max_completion_tokens", "max_output_tokens"]
                .iter()
                .find_map(|k| v.get(*k))
                .and_then(Value::as_u64),
            tool,
            offered: first_offered,
            format: format
                .get("type")
                .and_then(Value::as_str)
                .map(str::to_string),
            prompt_tokens,
            tools_tokens,
            text,
            effort: v
                .get("reasoning_effort")
                .or(v.pointer("/reasoning/effort"))
                .and_then(Value::as_str)
                .map(str::to_string),
            thinking: None,
        }
    }

    fn cap(&self) -> u64 {
        self.max_tokens.unwrap_or(u64::MAX)
    }

    /// Reasoning tokens spent: what the model wants, up to the cap.
    pub fn reasoning_tokens(&self) -> u64 {
        self.thinking.map_or(0, |t| t.wants.min(self.cap()))
    }

    /// Tokens left for the answer once reasoning is done.
    fn room(&self) -> u64 {
        self.cap().saturating_sub(self.reasoning_tokens())
    }

    /// Reasoning spent the whole cap: no answer, no tool call.
    pub fn thought_out(&self) -> bool {
        self.thinking.is_some() && self.room() == 0
    }

    /// The tool call the model makes, unless reasoning spent the cap first.
    pub fn call(&self) -> Option<&(String, Value)> {
        self.tool.as_ref().filter(|_| !self.thought_out())
    }

    /// The reasoning text in stream pieces (none when it goes to usage only).
    pub fn thought_pieces(&self) -> Vec<String> {
        let n = self.reasoning_tokens();
        if n == 0 || self.thinking.and_then(|t| t.field).is_none() {
            return Vec::new();
        }
        let words: Vec<&str> = THOUGHT.split(' ').collect();
        (0..n.min(THOUGHT_CHUNKS))
            .map(|i| format!("{} ", words[i as usize % words.len()]))
            .collect()
    }

    /// The answer's tokens, cut at the output cap; and whether the cap cut it.
    pub fn tokens(&self) -> (Vec<String>, bool) {
        let words: Vec<String> = self
            .text
            .split(' ')
            .enumerate()
            .map(|(i, w)| {
                if i == 0 {
                    w.to_string()
                } else {
                    format!(" {w}")
                }
            })
            .collect();
        let room = self.room() as usize;
        let cut = words.len() > room;
        (words.into_iter().take(room).collect(), cut)
    }

    /// The thought inside `<think>` tags, as a server without a reasoning parser leaves it in
    /// the content; the closing tag only when the cap left room for an answer.
    pub fn think_tagged(&self) -> String {
        let close = if self.thought_out() {
            ""
        } else {
            "</think>\n\n"
        };
        // A word per reasoning token: no count comes with it, so its length is the measure.
        let words: Vec<&str> = THOUGHT.split(' ').collect();
        let n = self.reasoning_tokens().min(4096) as usize;
        let thought: Vec<&str> = (0..n).map(|i| words[i % words.len()]).collect();
        format!("<think>{}{close}", thought.join(" "))
    }

    /// Usage for an answer of `completion` tokens; reasoning counts in completion_tokens, as
    /// OpenAI counts it, and again in its details (not by servers that leave the thought in
    /// the content: they count no reasoning apart).
    pub fn usage(&self, completion: usize) -> Value {
        let out = completion as u64 + self.reasoning_tokens();
        let mut u = json!({"prompt_tokens": self.prompt_tokens, "completion_tokens": out, "total_tokens": self.prompt_tokens + out});
        if self.thinking.is_some_and(|t| t.field != Some(THINK_TAGS)) {
            u["completion_tokens_details"] = json!({"reasoning_tokens": self.reasoning_tokens()});
        }
        u
    }
}

/// The role and text of the request's last message (chat `messages` or Responses `input`).
fn last_message(v: &Value) -> (String, String) {
    if let Some(input) = v.get("input").and_then(Value::as_str) {
        return ("user".into(), input.to_string());
    }
    let Some(m) = v
        .get("messages")
        .or(v.get("input"))
        .and_then(Value::as_array)
        .and_then(|m| m.last())
    else {
        return (String::new(), String::new());
    };
    let role = m.get("role").and_then(Value::as_str).unwrap_or(
        if m.get("type").and_then(Value::as_str) == Some("function_call_output") {
            "tool"
        } else {
            ""
        },
    );
    (
        role.to_string(),
        m.get("content")
            .or(m.get("output"))
            .map(|c| c.as_str().map_or_else(|| c.to_string(), str::to_string))
            .unwrap_or_default(),
    )
}

/// Arguments for a call to a tool with this JSON schema: every required property filled.
pub fn tool_arguments(schema: &Value) -> String {
    let mut args = serde_json::Map::new();
    let props = schema.get("properties").cloned().unwrap_or(json!({}));
    for name in schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        let v = match props
            .pointer(&format!("/{name}/type"))
            .and_then(Value::as_str)
        {
            Some("number") | Some("integer") => json!(1),
            Some("boolean") => json!(true),
            _ => json!("Paris"),
        };
        args.insert(name.to_string(), v);
    }
    Value::Object(args).to_string()
}

pub fn completion(ask: &Ask, answered_model: &str) -> Value {
    let (mut message, finish, n) = match ask.call() {
        Some((name, schema)) => (
            json!({"role": "assistant", "content": null, "tool_calls": [{"id": "call_mock1", "type": "function", "function": {"name": name, "arguments": tool_arguments(schema)}}]}),
            "tool_calls",
            8,
        ),
        None => {
            let (tokens, cut) = ask.tokens();
            (
                json!({"role": "assistant", "content": tokens.concat()}),
                if cut { "length" } else { "stop" },
                tokens.len(),
            )
        }
    };
    match ask.thinking.and_then(|t| t.field) {
        Some(THINK_TAGS) => {
            let answer = message["content"].as_str().unwrap_or("").to_string();
            message["content"] = json!(format!("{}{answer}", ask.think_tagged()));
        }
        Some(field) => message[field] = json!(ask.thought_pieces().concat()),
        None => {}
    }
    let finish = if ask.thought_out() { "length" } else { finish };
    json!({
        "id": "chatcmpl-mock", "object": "chat.completion", "created": CREATED, "model": answered_model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": ask.usage(n),
    })
}

fn chunk(model: &str, delta: Value, finish: Option<&str>) -> Value {
    json!({"id": "chatcmpl-mock", "object": "chat.completion.chunk", "created": CREATED, "model": model,
           "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
}

/// The JSON payloads of a healthy stream, in order (without [DONE]). `content_frames` is
/// how many of them carry content, so faults can be injected after the first few.
pub fn stream_chunks(ask: &Ask, model: &str, with_usage: bool) -> Vec<Value> {
    let mut out = vec![chunk(
        model,
        json!({"role": "assistant", "content": ""}),
        None,
    )];
    match ask.thinking.and_then(|t| t.field) {
        Some(THINK_TAGS) => {
            let pieces = ask.thought_pieces();
            let last = pieces.len().saturating_sub(1);
            for (i, piece) in pieces.into_iter().enumerate() {
                let open = if i == 0 { "<think>" } else { "" };
                let close = if i == last && !ask.thought_out() {
                    "</think>\n\n"
                } else {
                    ""
                };
                out.push(chunk(
                    model,
                    json!({"content": format!("{open}{piece}{close}")}),
                    None,
                ));
            }
        }
        Some(field) => {
            for piece in ask.thought_pieces() {
                out.push(chunk(model, json!({field: piece}), None));
            }
        }
        None => {}
    }
    let (finish, n) = match ask.call() {
        Some((name, schema)) => {
            out.push(chunk(model, json!({"tool_calls": [{"index": 0, "id": "call_mock1", "type": "function", "function": {"name": name, "arguments": ""}}]}), None));
            let args = tool_arguments(schema);
            let mid = args.len() / 2;
            for piece in [&args[..mid], &args[mid..]] {
                out.push(chunk(
                    model,
                    json!({"tool_calls": [{"index": 0, "function": {"arguments": piece}}]}),
                    None,
                ));
            }
            ("tool_calls", 8)
        }
        None => {
            let (tokens, cut) = ask.tokens();
            for t in &tokens {
                out.push(chunk(model, json!({"content": t}), None));
            }
            (if cut { "length" } else { "stop" }, tokens.len())
        }
    };
    out.push(chunk(model, json!({}), Some(finish)));
    if with_usage {
        out.push(json!({"id": "chatcmpl-mock", "object": "chat.completion.chunk", "created": CREATED, "model": model, "choices": [], "usage": ask.usage(n)}));
    }
    out
}

pub fn frame(data: &str, crlf: bool) -> Bytes {
    let nl = if crlf { "\r\n" } else { "\n" };
    Bytes::from(format!("data: {data}{nl}{nl}"))
}

/// A frame as two network writes when it holds a multi-byte character: the cut falls inside
/// the character, as TCP may cut it anywhere; each event stays whole, so clients that join
/// reads before decoding (as they must) see no difference.
pub fn split_in_char(frame: Bytes) -> Vec<Bytes> {
    match frame.iter().position(|b| *b >= 0x80) {
        Some(i) => vec![frame.slice(..i + 1), frame.slice(i + 1..)],
        None => vec![frame],
    }
}

/// How a streamed body ends on the wire.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The chunked terminator: a clean end.
    Close,
    /// Abort the connection without the terminator.
    Cut,
    /// Keep the socket open and send nothing more.
    Stall,
}

/// An SSE response written frame by frame with `pace` between frames, or in one burst
/// after `burst_after`.
pub fn sse(
    frames: Vec<Bytes>,
    pace: Duration,
    burst_after: Option<Duration>,
    ending: Ending,
    request_id: String,
) -> Response {
    let schedule = match burst_after {
        Some(wait) => {
            let all: Vec<u8> = frames.iter().flat_map(|f| f.iter().copied()).collect();
            vec![(wait, Bytes::from(all))]
        }
        None => frames
            .into_iter()
            .enumerate()
            .map(|(i, f)| (if i == 0 { Duration::ZERO } else { pace }, f))
            .collect(),
    };
    let tail = if burst_after.is_some() {
        Duration::ZERO
    } else {
        pace
    };
    sse_timed(schedule, tail, ending, request_id)
}

/// An SSE response written on a schedule: each frame after its own wait, then `tail`
/// before the ending (a silence mid-stream is one long wait).
pub fn sse_timed(
    schedule: Vec<(Duration, Bytes)>,
    tail: Duration,
    ending: Ending,
    request_id: String,
) -> Response {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(64);
    tokio::spawn(async move {
        for (wait, f) in schedule {
            if !wait.is_zero() {
                tokio::time::sleep(wait).await;
            }
            if tx.send(Ok(f)).await.is_err() {
                return;
            }
        }
        if !tail.is_zero() {
            tokio::time::sleep(tail).await;
        }
        match ending {
            Ending::Close => {}
            // hyper aborts the connection when the body stream fails: no terminator.
            Ending::Cut => drop(
                tx.send(Err(std::io::Error::other("zencheck mock: connection cut")))
                    .await,
            ),
            Ending::Stall => {
                tokio::select! {
                    _ = tx.closed() => {}
                    _ = tokio::time::sleep(Duration::from_secs(600)) => {}
                }
            }
        }
    });
    let body = Body::from_stream(futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    }));
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "text/event-stream")
        .header(header::CACHE_CONTROL, "no-cache")
        .header("x-request-id", request_id)
        .body(body)
        .expect("static response parts are valid")
}

pub fn json_response(status: u16, v: &Value, request_id: &str) -> Response {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-request-id", request_id)
        .body(Body::from(v.to_string()))
        .expect("static response parts are valid")
}

pub fn with_header(mut r: Response, name: &'static str, value: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(value) {
        r.headers_mut().insert(name, v);
    }
    r
}

pub fn text_response(status: u16, content_type: &str, body: &'static str) -> Response {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .expect("static response parts are valid")
}

pub fn openai_error(
    status: u16,
    message: &str,
    etype: &str,
    code: Option<&str>,
    param: Option<&str>,
    request_id: &str,
) -> Response {
    json_response(
        status,
        &json!({"error": {"message": message, "type": etype, "param": param, "code": code}}),
        request_id,
    )
}

pub fn zen_error(status: u16, etype: &str, message: &str, request_id: &str) -> Response {
    json_response(
        status,
        &json!({"type": "error", "error": {"type": etype, "message": message}}),
        request_id,
    )
}

pub const NGINX_502: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.24.0</center>\r\n</body>\r\n</html>\r\n";
pub const HTML_500: &str = "<!DOCTYPE html><html><head><title>500 Internal Server Error</title></head><body><h1>Internal Server Error</h1><p>The server encountered an internal error.</p></body></html>";
pub const LOGIN_PAGE: &str = "<!doctype html><html><head><title>Sign in - Corporate SSO</title></head><body><form action=\"/login\"><input name=\"user\"></form></body></html>";

/// An SSE frame with an `event:` line, as the Responses and Anthropic streams send.
pub fn event_frame(event: &str, data: &Value) -> Bytes {
    Bytes::from(format!("event: {event}\ndata: {data}\n\n"))
}

/// A Responses API answer: text, or a function call when a tool must be called.
pub fn response_object(ask: &Ask, model: &str, status: &str, output: Vec<Value>) -> Value {
    let n = if ask.call().is_some() {
        8
    } else {
        ask.tokens().0.len() as u64
    } + ask.reasoning_tokens();
    let cut = ask.thinking.is_some() && ask.call().is_none() && ask.tokens().1;
    let status = if status == "completed" && cut {
        "incomplete"
    } else {
        status
    };
    let mut usage = json!({"input_tokens": ask.prompt_tokens, "output_tokens": n, "total_tokens": ask.prompt_tokens + n});
    if ask.thinking.is_some() {
        usage["output_tokens_details"] = json!({"reasoning_tokens": ask.reasoning_tokens()});
    }
    let mut r = json!({
        "id": "resp_mock", "object": "response", "created_at": CREATED, "status": status, "model": model,
        "output": output,
        "usage": usage,
    });
    if status == "incomplete" {
        r["incomplete_details"] = json!({"reason": "max_output_tokens"});
    }
    r
}

pub fn response_output(ask: &Ask) -> Vec<Value> {
    let mut out = Vec::new();
    if ask.thinking.is_some() {
        // OpenAI's reasoning item: its text stays hidden unless a summary is asked for.
        out.push(json!({"type": "reasoning", "id": "rs_mock", "summary": []}));
    }
    out.extend(response_items(ask));
    out
}

fn response_items(ask: &Ask) -> Vec<Value> {
    match ask.call() {
        Some((name, schema)) => {
            vec![
                json!({"type": "function_call", "id": "fc_mock", "call_id": "call_mock1", "name": name, "arguments": tool_arguments(schema), "status": "completed"}),
            ]
        }
        None => vec![
            json!({"type": "message", "id": "msg_mock", "status": "completed", "role": "assistant",
                            "content": [{"type": "output_text", "text": ask.tokens().0.concat(), "annotations": []}]}),
        ],
    }
}

/// The events of a Responses stream; with `fail_after`, `response.failed` replaces the
/// rest after that many deltas.
pub fn response_events(
    ask: &Ask,
    model: &str,
    fail_after: Option<usize>,
    extras: bool,
) -> Vec<Bytes> {
    let mut seq = 0u64;
    let mut ev = |ty: &str, mut data: Value| {
        data["type"] = json!(ty);
        data["sequence_number"] = json!(seq);
        seq += 1;
        event_frame(ty, &data)
    };
    let mut out = vec![ev(
        "response.created",
        json!({"response": response_object(ask, model, "in_progress", vec![])}),
    )];
    out.push(ev(
        "response.output_item.added",
        json!({"output_index": 0, "item": {"type": "message", "role": "assistant", "content": []}}),
    ));
    for (i, t) in ask.tokens().0.iter().enumerate() {
        if fail_after == Some(i) {
            let failed = json!({"status": "failed", "error": {"code": "server_error", "message": "The upstream model failed mid-response (zencheck mock)"}});
            out.push(ev("response.failed", json!({"response": failed})));
            return out;
        }
        out.push(ev(
            "response.output_text.delta",
            json!({"output_index": 0, "content_index": 0, "delta": t}),
        ));
    }
    let done = response_object(ask, model, "completed", response_output(ask));
    let terminal = if done["status"] == "incomplete" {
        "response.incomplete"
    } else {
        "response.completed"
    };
    out.push(ev(terminal, json!({"response": done})));
    if extras {
        out.push(event_frame(
            "ping",
            &json!({"type": "ping", "cost": "0.00002100"}),
        ));
    }
    out
}

pub fn anthropic_message(ask: &Ask, model: &str) -> Value {
    let (tokens, cut) = ask.tokens();
    json!({"id": "msg_mock", "type": "message", "role": "assistant", "model": model,
           "content": [{"type": "text", "text": tokens.concat()}],
           "stop_reason": if cut { "max_tokens" } else { "end_turn" }, "stop_sequence": null,
           "usage": {"input_tokens": ask.prompt_tokens, "output_tokens": tokens.len()}})
}

pub fn anthropic_events(ask: &Ask, model: &str, extras: bool) -> Vec<Bytes> {
    let (tokens, cut) = ask.tokens();
    let mut start = anthropic_message(ask, model);
    start["content"] = json!([]);
    start["stop_reason"] = Value::Null;
    let mut out = vec![
        event_frame(
            "message_start",
            &json!({"type": "message_start", "message": start}),
        ),
        event_frame(
            "content_block_start",
            &json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
        ),
        event_frame("ping", &json!({"type": "ping"})),
    ];
    for t in &tokens {
        out.push(event_frame("content_block_delta", &json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": t}})));
    }
    out.push(event_frame(
        "content_block_stop",
        &json!({"type": "content_block_stop", "index": 0}),
    ));
    out.push(event_frame("message_delta", &json!({"type": "message_delta", "delta": {"stop_reason": if cut { "max_tokens" } else { "end_turn" }}, "usage": {"output_tokens": tokens.len()}})));
    out.push(event_frame(
        "message_stop",
        &json!({"type": "message_stop"}),
    ));
    if extras {
        out.push(event_frame(
            "ping",
            &json!({"type": "ping", "cost": "0.00003000"}),
        ));
    }
    out
}

/// An `/embeddings` answer: one vector per input, floats or base64 as asked; the
/// embeddings scenarios break it the way real servers do.
pub fn embeddings(v: &Value, model: &str, scenario: crate::mock::Scenario) -> Value {
    use crate::mock::Scenario;
    use base64::Engine;
    let inputs: Vec<String> = match v.get("input") {
        Some(Value::Array(xs)) => xs.iter().map(|x| x.to_string()).collect(),
        Some(x) => vec![x.to_string()],
        None => Vec::new(),
    };
    let base64 = v.get("encoding_format").and_then(Value::as_str) == Some("base64")
        && scenario != Scenario::EmbeddingsBase64Ignored
        || scenario == Scenario::EmbeddingsBase64;
    let data: Vec<Value> = inputs
        .iter()
        .enumerate()
        .map(|(i, text)| {
            // A vector that depends on the text: different inputs, different vectors.
            let dims = if scenario == Scenario::EmbeddingsRagged && i > 0 {
                7
            } else {
                8
            };
            let seed = text
                .bytes()
                .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(b as u32));
            let xs: Vec<f32> = (0..dims)
                .map(|d: u32| {
                    ((seed.wrapping_add(d.wrapping_mul(2_654_435_761)) % 2000) as f32 / 1000.0)
                        - 1.0
                })
                .collect();
            let embedding = if base64 {
                let bytes: Vec<u8> = xs.iter().flat_map(|x| x.to_le_bytes()).collect();
                json!(base64::engine::general_purpose::STANDARD.encode(bytes))
            } else if scenario == Scenario::EmbeddingsMalformed {
                // Numbers as strings, as a careless serializer writes them.
                json!(xs.iter().map(|x| format!("{x:.3}")).collect::<Vec<_>>())
            } else {
                json!(xs)
            };
            json!({"object": "embedding", "index": i, "embedding": embedding})
        })
        .collect();
    let tokens: u64 = inputs
        .iter()
        .map(|t| t.split_whitespace().count() as u64)
        .sum();
    json!({"object": "list", "model": model, "data": data,
           "usage": {"prompt_tokens": tokens, "total_tokens": tokens}})
}
