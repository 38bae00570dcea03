//! The tool checks against small servers on 127.0.0.1 that misbehave the way real ones were
//! seen to (Ollama, llama.cpp, vLLM, Mistral, LM Studio), each asserting the status, kind,
//! parameter, and that the detail and hint name the right thing: a user acts on the hint.

use crate::common;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use common::{check, probe, sse};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use zencheck::failure::Kind;
use zencheck::finding::Status;
use zencheck::report::CheckResult;

type Handler = Arc<dyn Fn(&Value) -> Response + Send + Sync>;

#[derive(Clone)]
struct Fake {
    handler: Handler,
    seen: Arc<Mutex<Vec<Value>>>,
}

async fn generate(State(f): State<Fake>, Json(body): Json<Value>) -> Response {
    f.seen.lock().unwrap().push(body.clone());
    (f.handler)(&body)
}

/// Serve `handler` on `/v1/chat/completions` and `/v1/responses`; the requests it got.
async fn serve(handler: impl Fn(&Value) -> Response + Send + Sync + 'static) -> (String, Fake) {
    let fake = Fake {
        handler: Arc::new(handler),
        seen: Arc::default(),
    };
    let app = Router::new()
        .route(
            "/v1/models",
            get(|| async {
                Json(json!({"object": "list", "data": [{"id": "m", "object": "model"}]}))
            }),
        )
        .route("/v1/chat/completions", post(generate))
        .route("/v1/responses", post(generate))
        .with_state(fake.clone());
    let addr = common::serve_app(app).await;
    (format!("http://{addr}/v1"), fake)
}

async fn run(url: &str, checks: &str) -> zencheck::report::Report {
    probe(&["--base-url", url, "-m", "m", "--checks", checks]).await
}

fn ok(v: Value) -> Response {
    Json(v).into_response()
}

fn error(status: u16, message: &str, etype: &str) -> Response {
    let body = json!({"error": {"message": message, "type": etype, "param": null, "code": null}});
    (StatusCode::from_u16(status).unwrap(), Json(body)).into_response()
}

/// A prompt-token count that grows with the request, as a real tokenizer's does.
fn tokens_of(body: &Value) -> u64 {
    let mut b = body.clone();
    b.as_object_mut().unwrap().remove("max_tokens");
    b.as_object_mut().unwrap().remove("stream");
    (b.to_string().len() / 4) as u64
}

fn completion(body: &Value, message: Value, finish: &str) -> Response {
    let usage = common::usage(tokens_of(body), 5);
    ok(common::chat_completion("m", message, finish, usage))
}

fn chunk(delta: Value, finish: Option<&str>) -> Value {
    common::chat_chunk("m", delta, finish)
}

fn has_tool_result(body: &Value) -> bool {
    body["messages"]
        .as_array()
        .is_some_and(|m| m.iter().any(|m| m["role"] == "tool"))
}

fn wants_tools(body: &Value) -> bool {
    body.get("tools").is_some_and(|t| !t.is_null())
}

fn call(id: Value, args: Value) -> Value {
    json!({"id": id, "type": "function", "function": {"name": "get_weather", "arguments": args}})
}

/// A healthy server: pong, a call with a string id and string arguments, and an answer that
/// quotes the tool result's report_id.
fn healthy(body: &Value) -> Response {
    if has_tool_result(body) {
        return completion(
            body,
            json!({"role": "assistant", "content": "17 °C in Paris, report ZC-4821."}),
            "stop",
        );
    }
    if wants_tools(body) && body["tool_choice"] != "none" {
        // A named choice is obeyed, whichever tool the prompt asked for.
        if let Some(name) = body.pointer("/tool_choice/function/name") {
            let named = json!({"id": "call_1", "type": "function", "function": {"name": name, "arguments": "{\"zone\":\"Europe/Paris\"}"}});
            return completion(
                body,
                json!({"role": "assistant", "content": null, "tool_calls": [named]}),
                "tool_calls",
            );
        }
        if body["stream"] == true {
            return sse(&[
                chunk(
                    json!({"role": "assistant", "tool_calls": [{"index": 0, "id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": ""}}]}),
                    None,
                ),
                chunk(
                    json!({"tool_calls": [{"index": 0, "function": {"arguments": "{\"city\":"}}]}),
                    None,
                ),
                chunk(
                    json!({"tool_calls": [{"index": 0, "function": {"arguments": "\"Paris\"}"}}]}),
                    Some("tool_calls"),
                ),
            ]);
        }
        return completion(
            body,
            json!({"role": "assistant", "content": null, "tool_calls": [call(json!("call_1"), json!("{\"city\":\"Paris\"}"))]}),
            "tool_calls",
        );
    }
    if body["stream"] == true {
        return sse(&[
            chunk(json!({"role": "assistant", "content": "pong"}), None),
            chunk(json!({}), Some("stop")),
        ]);
    }
    completion(
        body,
        json!({"role": "assistant", "content": "pong"}),
        "stop",
    )
}

/// Turn one of the round trip answers `message` (not streamed); the rest is healthy.
fn turn1_says(message: Value) -> impl Fn(&Value) -> Response + Send + Sync + 'static {
    move |body: &Value| {
        if wants_tools(body) && !has_tool_result(body) && body["stream"] != true {
            completion(body, message.clone(), "tool_calls")
        } else {
            healthy(body)
        }
    }
}

/// Turn two (the tool result sent back) answers with `reply`; the rest is healthy.
fn turn2_says(
    reply: impl Fn(&Value) -> Response + Send + Sync + 'static,
) -> impl Fn(&Value) -> Response + Send + Sync + 'static {
    move |body: &Value| {
        if has_tool_result(body) {
            reply(body)
        } else {
            healthy(body)
        }
    }
}

/// The round trip against a server that refuses turn two with `status` and `message`.
async fn turn2_refused(status: u16, message: &'static str) -> zencheck::report::Report {
    let (url, _) = serve(turn2_says(move |_| {
        error(status, message, "invalid_request_error")
    }))
    .await;
    run(&url, "chat.tool_roundtrip").await
}

fn assert_row(
    r: &CheckResult,
    status: Status,
    kind: Option<Kind>,
    param: Option<&str>,
    detail: &[&str],
    hint: &[&str],
) {
    assert_eq!(
        (r.status, r.kind, r.param.as_deref()),
        (status, kind, param),
        "{}: {}\nhint: {:?}",
        r.check,
        r.detail,
        r.hint
    );
    for w in detail {
        assert!(
            r.detail.contains(w),
            "{}: detail lacks {w:?}: {}",
            r.check,
            r.detail
        );
    }
    let h = r.hint.clone().unwrap_or_default();
    for w in hint {
        assert!(h.contains(w), "{}: hint lacks {w:?}: {h}", r.check);
    }
}

fn sent_ids(fake: &Fake) -> Vec<String> {
    let seen = fake.seen.lock().unwrap();
    seen.iter()
        .filter(|b| has_tool_result(b))
        .flat_map(|b| b["messages"].as_array().cloned().unwrap_or_default())
        .filter(|m| m["role"] == "tool")
        .map(|m| m["tool_call_id"].as_str().unwrap_or("?").to_string())
        .collect()
}

#[tokio::test]
async fn the_healthy_fake_passes_every_tool_check() {
    let (url, _) = serve(healthy).await;
    let r = run(
        &url,
        "chat.tools,chat.tool_choice_required,chat.tool_choice_named,chat.stream_tools,chat.tool_roundtrip,chat.stream_tool_roundtrip,chat.tools_seen",
    )
    .await;
    for c in &r.checks {
        assert_eq!(c.status, Status::Pass, "{}: {}", c.check, c.detail);
    }
}

#[tokio::test]
async fn ids_missing_empty_or_not_strings_are_named_and_the_rest_is_still_tried() {
    // A missing or empty id is one the AI SDK fills in itself for a non-streamed answer
    // (@ai-sdk/openai-compatible 3.0.35: `toolCall.id || generateId()`), so its apps carry on:
    // a warning when the rest works. A number is refused by its schema: a failure.
    let variants = [
        (json!(null), "has no id", Status::Warn),
        (json!(""), "id is empty", Status::Warn),
        (json!(0), "is 0, not a string", Status::Fail),
    ];
    for (id, says, status) in variants {
        let mut c = call(json!("x"), json!("{\"city\":\"Paris\"}"));
        if id.is_null() {
            c.as_object_mut().unwrap().remove("id");
        } else {
            c["id"] = id.clone();
        }
        let (url, fake) = serve(turn1_says(
            json!({"role": "assistant", "content": "", "tool_calls": [c]}),
        ))
        .await;
        let r = run(&url, "chat.tool_roundtrip").await;
        assert_row(
            check(&r, "chat.tool_roundtrip"),
            status,
            Some(Kind::BadResponse),
            Some("tool_calls"),
            &[says, "round trip then works"],
            &["not in the OpenAI shape", "fill in missing ids"],
        );
        if status == Status::Warn {
            let detail = &check(&r, "chat.tool_roundtrip").detail;
            assert!(
                detail.contains("@ai-sdk/openai-compatible 3.0.35 fills in its own id"),
                "{detail}"
            );
        }
        // The id filled in is one every template takes: nine letters and digits.
        assert_eq!(sent_ids(&fake), ["zccall001"], "{id}");
    }
}

#[tokio::test]
async fn arguments_as_an_object_are_named_not_called_unparseable() {
    let c = call(json!("call_1"), json!({"city": "Paris"}));
    let (url, _) = serve(turn1_says(
        json!({"role": "assistant", "content": null, "tool_calls": [c]}),
    ))
    .await;
    let r = run(&url, "chat.tools,chat.tool_roundtrip").await;
    for id in ["chat.tools", "chat.tool_roundtrip"] {
        assert_row(
            check(&r, id),
            Status::Fail,
            Some(Kind::BadResponse),
            Some("tool_calls"),
            &["arguments are a JSON object, not a string"],
            &["stringify object arguments"],
        );
    }
}

/// A stream whose tool-call deltas are `deltas`; the rest is healthy.
fn streams(deltas: Vec<Value>) -> impl Fn(&Value) -> Response + Send + Sync + 'static {
    move |body: &Value| {
        if wants_tools(body) && body["stream"] == true {
            let mut frames: Vec<Value> = deltas
                .iter()
                .map(|d| chunk(json!({"tool_calls": [d]}), None))
                .collect();
            frames.push(chunk(json!({}), Some("tool_calls")));
            sse(&frames)
        } else {
            healthy(body)
        }
    }
}

#[tokio::test]
async fn a_streamed_id_that_comes_only_in_a_later_delta_is_named_and_used() {
    let (url, fake) = serve(streams(vec![
        json!({"index": 0, "type": "function", "function": {"name": "get_weather", "arguments": "{\"ci"}}),
        json!({"index": 0, "id": "call_late", "function": {"arguments": "ty\":\"Paris\"}"}}),
    ]))
    .await;
    let r = run(&url, "chat.stream_tools,chat.stream_tool_roundtrip").await;
    assert_eq!(check(&r, "chat.stream_tools").status, Status::Pass);
    assert_row(
        check(&r, "chat.stream_tool_roundtrip"),
        Status::Fail,
        Some(Kind::BadResponse),
        Some("tool_calls"),
        &["only in a later delta", "AI SDK", "round trip then works"],
        &["not in the OpenAI shape"],
    );
    assert_eq!(sent_ids(&fake), ["call_late"]);
}

/// @ai-sdk/openai-compatible 3.0.35 buffers a call's deltas until one names the function:
/// an id that comes by then is read, so nothing is wrong for its apps.
#[tokio::test]
async fn a_streamed_id_that_comes_with_the_name_after_a_first_bare_delta_passes() {
    let (url, fake) = serve(streams(vec![
        json!({"index": 0, "function": {"arguments": ""}}),
        json!({"index": 0, "id": "call_2nd", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}),
    ]))
    .await;
    let r = run(&url, "chat.stream_tool_roundtrip").await;
    let c = check(&r, "chat.stream_tool_roundtrip");
    assert_eq!(c.status, Status::Pass, "{}", c.detail);
    assert_eq!(sent_ids(&fake), ["call_2nd"]);
}

#[tokio::test]
async fn stream_deltas_without_index_warn_and_a_repeated_name_is_not_a_wrong_tool() {
    let (url, _) = serve(streams(vec![
        json!({"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":"}}),
        json!({"function": {"name": "get_weather", "arguments": "\"Paris\"}"}}),
    ]))
    .await;
    let r = run(
        &url,
        "chat.stream_tools,chat.tool_choice_named,chat.stream_tool_roundtrip",
    )
    .await;
    let st = check(&r, "chat.stream_tools");
    assert_row(
        st,
        Status::Warn,
        Some(Kind::BadResponse),
        Some("tool_calls"),
        &["no index", "repeated"],
        &[],
    );
    assert!(
        !st.detail.contains("get_weatherget_weather ("),
        "{}",
        st.detail
    );
    // The round trip itself works; turn one's warning stands.
    let rt = check(&r, "chat.stream_tool_roundtrip");
    assert_row(
        rt,
        Status::Warn,
        Some(Kind::BadResponse),
        Some("tool_calls"),
        &["no index", "the result was used"],
        &[],
    );
}

#[tokio::test]
async fn parallel_calls_are_all_answered_streamed_or_not() {
    let two = json!({"role": "assistant", "content": null, "tool_calls": [
        call(json!("call_a"), json!("{\"city\":\"Paris\"}")),
        call(json!("call_b"), json!("{\"city\":\"Lyon\"}")),
    ]});
    let (url, fake) = serve(turn1_says(two)).await;
    let r = run(&url, "chat.tool_roundtrip").await;
    assert_eq!(
        check(&r, "chat.tool_roundtrip").status,
        Status::Pass,
        "{}",
        check(&r, "chat.tool_roundtrip").detail
    );
    assert_eq!(sent_ids(&fake), ["call_a", "call_b"]);

    let (url, fake) = serve(streams(vec![
        json!({"index": 0, "id": "call_a", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}),
        json!({"index": 1, "id": "call_b", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":"}}),
        json!({"index": 1, "function": {"arguments": "\"Lyon\"}"}}),
    ]))
    .await;
    let r = run(&url, "chat.stream_tools,chat.stream_tool_roundtrip").await;
    for c in &r.checks {
        assert_eq!(c.status, Status::Pass, "{}: {}", c.check, c.detail);
    }
    assert_eq!(sent_ids(&fake), ["call_a", "call_b"]);

    // The same id twice: the results cannot be told apart.
    let same = json!({"role": "assistant", "content": null, "tool_calls": [
        call(json!("call_1"), json!("{\"city\":\"Paris\"}")),
        call(json!("call_1"), json!("{\"city\":\"Lyon\"}")),
    ]});
    let (url, _) = serve(turn1_says(same)).await;
    let r = run(&url, "chat.tool_roundtrip").await;
    assert_row(
        check(&r, "chat.tool_roundtrip"),
        Status::Fail,
        Some(Kind::BadResponse),
        Some("tool_calls"),
        &["share the id `call_1`"],
        &[],
    );
}

#[tokio::test]
async fn chat_template_errors_point_at_the_template_not_at_an_outage() {
    let cases: [(u16, &str, Kind, &str, &str); 3] = [
        // llama.cpp / LM Studio: the jinja exception as a 500.
        (500, "While executing CallExpression: Jinja Exception: After the optional system message, conversation roles must alternate user and assistant roles except for tool calls and results.",
         Kind::ServerError, "chat template cannot render the tool messages", "not an outage to retry"),
        // vLLM: the template's raise_exception as a 400.
        (400, "Only user and assistant roles are supported!",
         Kind::BadRequest, "chat template cannot render the tool messages", "--chat-template"),
        // A bare 500 on the second turn only.
        (500, "", Kind::ServerError, "turn 1 worked on the same server", "not an outage to retry"),
    ];
    for (status, message, kind, says, fix) in cases {
        let (url, _) = serve(turn2_says(move |_| {
            if message.is_empty() {
                (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response()
            } else {
                error(status, message, "server_error")
            }
        }))
        .await;
        let r = run(&url, "chat.tool_roundtrip").await;
        let row = check(&r, "chat.tool_roundtrip");
        assert_row(row, Status::Fail, Some(kind), Some("tool"), &[says], &[fix]);
        let hint = row.hint.clone().unwrap();
        assert!(!hint.contains("retry later"), "{hint}");
    }
}

#[tokio::test]
async fn an_echoed_id_refused_by_mistrals_rule_is_named_as_400_or_500() {
    for status in [400, 500] {
        let r = turn2_refused(
            status,
            "Tool call id was call_1 but must be a-z, A-Z, 0-9, with a length of 9.",
        )
        .await;
        assert_row(
            check(&r, "chat.tool_roundtrip"),
            Status::Fail,
            Some(Kind::ParamRejected),
            Some("tool_call_id"),
            &["`call_1` was refused", "9 letters or digits"],
            &["9 letters or digits", "Do not drop tool_call_id"],
        );
    }
}

#[tokio::test]
async fn calling_the_tool_again_is_a_loop() {
    let (url, _) = serve(turn2_says(|body| {
        completion(
            body,
            json!({"role": "assistant", "content": null, "tool_calls": [call(json!("call_2"), json!("{\"city\":\"Paris\"}"))]}),
            "tool_calls",
        )
    }))
    .await;
    let r = run(&url, "chat.tool_roundtrip").await;
    assert_row(
        check(&r, "chat.tool_roundtrip"),
        Status::Fail,
        Some(Kind::ParamIgnored),
        Some("tool"),
        &["called get_weather again"],
        &["step limit"],
    );
}

#[tokio::test]
async fn the_assistant_content_goes_back_as_the_server_sent_it_and_its_refusal_is_named() {
    // The server sent content "" and takes it back: what it sent is what comes back.
    let (url, fake) = serve(turn1_says(json!({"role": "assistant", "content": "", "tool_calls": [call(json!("call_1"), json!("{\"city\":\"Paris\"}"))]}))).await;
    let r = run(&url, "chat.tool_roundtrip").await;
    assert_eq!(check(&r, "chat.tool_roundtrip").status, Status::Pass);
    let seen = fake.seen.lock().unwrap().clone();
    let second = seen.iter().find(|b| has_tool_result(b)).unwrap();
    assert_eq!(second["messages"][1]["content"], "");

    // A server that sends content null and refuses it back.
    let (url, _) = serve(turn2_says(|body| {
        if body["messages"][1]["content"].is_null() {
            error(
                400,
                "messages.1.content: content must be a string",
                "invalid_request_error",
            )
        } else {
            healthy(body)
        }
    }))
    .await;
    let r = run(&url, "chat.tool_roundtrip").await;
    assert_row(
        check(&r, "chat.tool_roundtrip"),
        Status::Fail,
        Some(Kind::BadRequest),
        Some("content"),
        &["content: null", "sent itself in turn 1"],
        &["null"],
    );
}

#[tokio::test]
async fn tools_dropped_wholesale_and_servers_without_usage() {
    // llama.cpp with a template lacking tool support: no call, the same prompt_tokens.
    let dropped = |body: &Value| {
        let mut b = body.clone();
        let o = b.as_object_mut().unwrap();
        o.remove("tools");
        o.remove("tool_choice");
        completion(
            &b,
            json!({"role": "assistant", "content": "I cannot check the weather."}),
            "stop",
        )
    };
    let (url, _) = serve(dropped).await;
    let r = run(&url, "chat.tools_seen").await;
    assert_row(
        check(&r, "chat.tools_seen"),
        Status::Fail,
        Some(Kind::ParamIgnored),
        Some("tools"),
        &["drops `tools`"],
        &["--jinja", "same size without them"],
    );

    // No usage at all, or usage of zeros: nothing to compare, so no verdict.
    for usage in [
        Value::Null,
        json!({"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}),
    ] {
        let (url, _) = serve(move |_body: &Value| {
            let mut v = json!({"id": "c1", "object": "chat.completion", "model": "m",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": "Sunny."}, "finish_reason": "stop"}]});
            if !usage.is_null() {
                v["usage"] = usage.clone();
            }
            ok(v)
        })
        .await;
        let r = run(&url, "chat.tools_seen").await;
        let c = check(&r, "chat.tools_seen");
        assert_eq!((c.status, c.kind), (Status::Skip, None), "{}", c.detail);
        assert!(c.detail.contains("cannot tell"), "{}", c.detail);
    }
}

#[tokio::test]
async fn a_call_written_as_text_is_the_parser_not_tool_choice() {
    // vLLM without --tool-call-parser: the model's call arrives as content.
    let text = "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>";
    let (url, _) = serve(move |body: &Value| {
        if wants_tools(body) && !has_tool_result(body) && body["stream"] != true {
            completion(body, json!({"role": "assistant", "content": text}), "stop")
        } else {
            healthy(body)
        }
    })
    .await;
    let r = run(
        &url,
        "chat.tools,chat.tool_choice_required,chat.tool_roundtrip,chat.tools_seen",
    )
    .await;
    for id in [
        "chat.tools",
        "chat.tool_choice_required",
        "chat.tool_roundtrip",
    ] {
        assert_row(
            check(&r, id),
            Status::Fail,
            Some(Kind::ParamIgnored),
            Some("tools"),
            &["wrote its tool call into the answer text", "<tool_call>"],
            &["--tool-call-parser"],
        );
    }
    let seen = check(&r, "chat.tools_seen");
    assert_eq!(seen.status, Status::Pass, "{}", seen.detail);
    assert!(seen.detail.contains("as text"), "{}", seen.detail);
}

#[tokio::test]
async fn responses_replay_failing_on_a_template_is_named() {
    let (url, _) = serve(|body: &Value| {
        let input = body["input"].as_array().cloned().unwrap_or_default();
        if input.iter().any(|i| i["type"] == "function_call_output") {
            return error(500, "Error in applying chat template from request: Conversation roles must alternate user/assistant/user/assistant/...", "InternalServerError");
        }
        if body.get("tools").is_some() {
            return ok(json!({"id": "resp_1", "object": "response", "status": "completed", "model": "m",
                "output": [{"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}],
                "usage": {"input_tokens": 20, "output_tokens": 5}}));
        }
        ok(json!({"id": "resp_0", "object": "response", "status": "completed", "model": "m",
            "output": [{"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "pong"}]}],
            "usage": {"input_tokens": 5, "output_tokens": 1}}))
    })
    .await;
    let r = run(&url, "responses.tool_roundtrip").await;
    assert_row(
        check(&r, "responses.tool_roundtrip"),
        Status::Fail,
        Some(Kind::ServerError),
        Some("tool"),
        &["after turn 1 worked"],
        &["not an outage to retry"],
    );
}

#[tokio::test]
async fn a_result_the_server_cannot_match_to_its_call_is_named() {
    // What OpenAI says when the assistant message with tool_calls did not arrive before the
    // tool message: a gateway that strips tool_calls from the history answers the same.
    let r = turn2_refused(
        400,
        "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
    )
    .await;
    assert_row(
        check(&r, "chat.tool_roundtrip"),
        Status::Fail,
        Some(Kind::BadRequest),
        Some("tool"),
        &["did not match the tool result", "`call_1`"],
        &["ordering"],
    );
}

/// llama.cpp started without `--jinja` refuses any request that carries tools with a 500
/// ("tools param requires --jinja flag", tools/server/utils.hpp): the tool check names
/// `tools` and the flag, not a chat template nor an outage to retry.
#[tokio::test]
async fn llama_cpp_without_jinja_names_the_flag_for_tools() {
    let (url, _) = serve(|body: &Value| {
        if wants_tools(body) {
            let body = json!({"error": {"code": 500, "message": "tools param requires --jinja flag", "type": "server_error"}});
            return (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response();
        }
        healthy(body)
    })
    .await;
    let r = run(&url, "chat.tools").await;
    assert_row(
        check(&r, "chat.tools"),
        Status::Fail,
        Some(Kind::ParamRejected),
        Some("tools"),
        &[],
        &["--jinja"],
    );
    let hint = check(&r, "chat.tools").hint.clone().unwrap();
    assert!(!hint.contains("chat template"), "{hint}");
}
