//! The parameter matrix and the routes: each parameter check against a server
//! written here that accepts, rejects or silently ignores that parameter.

use crate::common;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use common::{check, probe, sse, verdict};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use zencheck::failure::Kind;
use zencheck::finding::Status;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    Accept,
    Reject,
    Ignore,
}

#[derive(Clone, Copy)]
struct Behaviour {
    tool_choice: Mode,
    stream_options: Mode,
    /// Reject means: refuse max_tokens, want max_completion_tokens.
    max_tokens: Mode,
    tools: Mode,
    /// The status a refusal of tools comes with.
    tools_status: u16,
    responses: bool,
}

const ACCEPT_ALL: Behaviour = Behaviour {
    tool_choice: Mode::Accept,
    stream_options: Mode::Accept,
    max_tokens: Mode::Accept,
    tools: Mode::Accept,
    tools_status: 500,
    responses: true,
};

#[derive(Clone)]
struct Server {
    b: Behaviour,
    /// The cap parameter of every chat request seen, to prove the switch happened.
    caps: Arc<Mutex<Vec<String>>>,
}

fn bad(status: u16, msg: &str, param: Option<&str>) -> Response {
    let code = StatusCode::from_u16(status).unwrap();
    (code, Json(json!({"error": {"message": msg, "type": "invalid_request_error", "param": param, "code": null}}))).into_response()
}

async fn chat(State(s): State<Server>, Json(v): Json<Value>) -> Response {
    let b = s.b;
    s.caps
        .lock()
        .unwrap()
        .push(if v.get("max_tokens").is_some() {
            "max_tokens".into()
        } else {
            "max_completion_tokens".into()
        });
    if b.max_tokens == Mode::Reject && v.get("max_tokens").is_some() {
        return bad(400, "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", Some("max_tokens"));
    }
    // What the application checks (structured output, the tool round trip, the error
    // shape) need of a correct server.
    let Some(messages) = v.get("messages").and_then(Value::as_array) else {
        return bad(400, "'messages' must be an array", Some("messages"));
    };
    let after_tool = messages.last().and_then(|m| m["role"].as_str()) == Some("tool");
    let text = match v.pointer("/response_format/type").and_then(Value::as_str) {
        Some("json_schema") => json!({"city": "Paris", "temperature_c": 17}).to_string(),
        Some("json_object") => json!({"answer": "pong"}).to_string(),
        _ if after_tool => format!("Result: {}", messages.last().unwrap()["content"]),
        _ => "pong".to_string(),
    };
    let has_tools = v.get("tools").is_some();
    if has_tools && b.tools == Mode::Reject {
        return (
            StatusCode::from_u16(b.tools_status).unwrap(),
            Json(json!({"error": {"message": "This model does not support tools", "type": "invalid_request_error", "code": if b.tools_status == 400 { Value::from("tool_use_failed") } else { Value::Null }}})),
        )
            .into_response();
    }
    let choice = v.get("tool_choice");
    if choice.is_some() && b.tool_choice == Mode::Reject {
        // A strict validator: names the field, refuses every form but "auto".
        if choice != Some(&json!("auto")) {
            return (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({"detail": [{"loc": ["body", "tool_choice"], "msg": "Input should be 'auto'", "type": "literal_error"}]}))).into_response();
        }
    }
    if v.get("stream_options").is_some() && b.stream_options == Mode::Reject {
        return bad(
            400,
            "stream_options: Extra inputs are not permitted",
            Some("stream_options"),
        );
    }
    let call = has_tools
        && !after_tool
        && match (b.tool_choice, choice) {
            (Mode::Ignore, Some(c)) if c == &json!("none") => true,
            (Mode::Ignore, _) => false,
            (_, Some(c)) => c != &json!("none"),
            _ => true,
        };
    let model = v["model"].as_str().unwrap_or("m").to_string();
    // A healthy server refuses ids it does not serve (chat.unknown_model asks for one).
    if model.starts_with("zencheck-no-such-model") {
        return bad(404, "The model does not exist", Some("model"));
    }
    let stream = v["stream"].as_bool().unwrap_or(false);
    // The tools reach the prompt (as on a real server): chat.tools_seen must not read an
    // ignored tool_choice as tools dropped wholesale.
    let prompt_tokens = if has_tools { 60 } else { 5 };
    // A named choice is obeyed (unless ignored): the named tool is called.
    let name = match (
        b.tool_choice,
        choice.and_then(|c| c.pointer("/function/name")),
    ) {
        (Mode::Accept, Some(n)) => n.as_str().unwrap_or("get_weather").to_string(),
        _ => "get_weather".to_string(),
    };
    let tool_call = json!({"index": 0, "id": "c1", "type": "function", "function": {"name": name, "arguments": "{\"city\":\"Paris\"}"}});
    if !stream {
        let message = if call {
            json!({"role": "assistant", "content": null, "tool_calls": [tool_call]})
        } else {
            json!({"role": "assistant", "content": text})
        };
        let finish = if call { "tool_calls" } else { "stop" };
        return Json(json!({"model": model, "choices": [{"index": 0, "message": message, "finish_reason": finish}], "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": 1}})).into_response();
    }
    let delta = if call {
        json!({"tool_calls": [tool_call]})
    } else {
        json!({"content": text})
    };
    let mut frames = vec![
        json!({"model": model, "choices": [{"index": 0, "delta": delta}]}),
        json!({"model": model, "choices": [{"index": 0, "delta": {}, "finish_reason": if call { "tool_calls" } else { "stop" }}]}),
    ];
    if v.pointer("/stream_options/include_usage") == Some(&json!(true))
        && b.stream_options == Mode::Accept
    {
        frames.push(json!({"model": model, "choices": [], "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": 1}}));
    }
    sse(&frames)
}

async fn responses(Json(v): Json<Value>) -> Response {
    let model = v["model"].as_str().unwrap_or("m");
    // A healthy /responses: honours text.format json_schema, and answers a
    // function_call_output (replayed or by previous_response_id) from its output.
    let tool_output = v["input"].as_array().and_then(|items| {
        items
            .iter()
            .find(|i| i["type"] == "function_call_output")
            .map(|i| i["output"].to_string())
    });
    let text = match (
        &tool_output,
        v.pointer("/text/format/type").and_then(Value::as_str),
    ) {
        (Some(out), _) => format!("Result: {out}"),
        (None, Some("json_schema")) => json!({"city": "Paris", "temperature_c": 17}).to_string(),
        _ => "pong".to_string(),
    };
    let output = if v.get("tools").is_some() && tool_output.is_none() {
        json!([{"type": "function_call", "name": "get_weather", "arguments": "{\"city\":\"Paris\"}", "call_id": "c1"}])
    } else {
        json!([{"type": "message", "content": [{"type": "output_text", "text": text}]}])
    };
    let resp = json!({"id": "resp_1", "object": "response", "status": "completed", "model": model, "output": output, "usage": {"input_tokens": 5, "output_tokens": 1}});
    if v["stream"].as_bool() != Some(true) {
        return Json(resp).into_response();
    }
    let body = format!(
        "event: response.created\ndata: {}\n\nevent: response.output_text.delta\ndata: {}\n\nevent: response.completed\ndata: {}\n\n",
        json!({"type": "response.created", "response": {"model": model}}),
        json!({"type": "response.output_text.delta", "delta": "pong"}),
        json!({"type": "response.completed", "response": resp})
    );
    ([("content-type", "text/event-stream")], body).into_response()
}

async fn serve(b: Behaviour) -> (String, Arc<Mutex<Vec<String>>>) {
    let caps = Arc::new(Mutex::new(Vec::new()));
    let mut app = Router::new()
        .route("/v1/chat/completions", post(chat))
        .route(
            "/v1/models",
            axum::routing::get(|| async { Json(json!({"data": [{"id": "m"}]})) }),
        );
    if b.responses {
        app = app.route("/v1/responses", post(responses));
    }
    let app = app.with_state(Server {
        b,
        caps: caps.clone(),
    });
    let addr = common::serve_app(app).await;
    (format!("http://{addr}/v1"), caps)
}

async fn run(b: Behaviour, extra: &[&str]) -> zencheck::report::Report {
    let (url, _) = serve(b).await;
    let mut args = vec!["--base-url", url.as_str(), "-m", "m"];
    args.extend_from_slice(extra);
    probe(&args).await
}

#[tokio::test]
async fn a_healthy_server_passes_every_check() {
    let r = run(ACCEPT_ALL, &[]).await;
    assert_eq!(
        r.summary.fail + r.summary.warn + r.summary.skip + r.summary.unsupported,
        0,
        "{}",
        r.to_json()
    );
}

/// The tool checks, with the opt-in `chat.tool_choice_null`.
const TOOL_CHECKS: &[&str] = &["--checks", "chat.tool*,chat.stream_tools"];

#[tokio::test]
async fn tool_choice_forms_accepted_rejected_ignored() {
    let forced = [
        "chat.tool_choice_required",
        "chat.tool_choice_named",
        "chat.stream_tools",
    ];
    let accepted = run(ACCEPT_ALL, TOOL_CHECKS).await;
    let rejected = run(
        Behaviour {
            tool_choice: Mode::Reject,
            ..ACCEPT_ALL
        },
        TOOL_CHECKS,
    )
    .await;
    let ignored = run(
        Behaviour {
            tool_choice: Mode::Ignore,
            ..ACCEPT_ALL
        },
        TOOL_CHECKS,
    )
    .await;
    let tc = Some("tool_choice".to_string());
    for id in forced.iter().chain(&["chat.tool_choice_none"]) {
        assert_eq!(verdict(&accepted, id).0, Status::Pass, "{id}");
        assert_eq!(
            verdict(&rejected, id),
            (Status::Fail, Some(Kind::ParamRejected), tc.clone()),
            "{id}"
        );
        assert_eq!(
            verdict(&ignored, id),
            (Status::Fail, Some(Kind::ParamIgnored), tc.clone()),
            "{id}"
        );
    }
    // "auto" is what this validator allows, so chat.tools still passes.
    assert_eq!(verdict(&rejected, "chat.tools").0, Status::Pass);
    // An explicit null: refused is a warning whose hint says to omit the key.
    let null = check(&rejected, "chat.tool_choice_null");
    assert_eq!(
        (null.status, null.kind),
        (Status::Warn, Some(Kind::ParamRejected))
    );
    assert!(
        null.hint.as_deref().unwrap().contains("omit the key"),
        "{:?}",
        null.hint
    );
    assert_eq!(verdict(&accepted, "chat.tool_choice_null").0, Status::Pass);
    // Ignored: the evidence says what came back instead.
    assert!(check(&ignored, "chat.tool_choice_required")
        .detail
        .contains("prose"));
    assert!(check(&ignored, "chat.tool_choice_none")
        .detail
        .contains("called get_weather"));
}

#[tokio::test]
async fn stream_options_accepted_rejected_ignored() {
    let so = Some("stream_options".to_string());
    assert_eq!(
        verdict(&run(ACCEPT_ALL, &[]).await, "chat.stream_usage").0,
        Status::Pass
    );
    let rejected = run(
        Behaviour {
            stream_options: Mode::Reject,
            ..ACCEPT_ALL
        },
        &[],
    )
    .await;
    assert_eq!(
        verdict(&rejected, "chat.stream_usage"),
        (Status::Fail, Some(Kind::ParamRejected), so.clone())
    );
    assert!(check(&rejected, "chat.stream_usage")
        .provider_message
        .as_deref()
        .unwrap()
        .contains("Extra inputs"));
    let ignored = run(
        Behaviour {
            stream_options: Mode::Ignore,
            ..ACCEPT_ALL
        },
        &[],
    )
    .await;
    assert_eq!(
        verdict(&ignored, "chat.stream_usage"),
        (Status::Warn, Some(Kind::ParamIgnored), so)
    );
}

#[tokio::test]
async fn a_refused_max_tokens_switches_every_check_to_max_completion_tokens() {
    let (url, caps) = serve(Behaviour {
        max_tokens: Mode::Reject,
        ..ACCEPT_ALL
    })
    .await;
    // The chat checks on by default (the opt-in canary needs a server that counts tokens).
    let r = probe(&[
        "--base-url",
        &url,
        "-m",
        "m",
        "--checks",
        "chat",
        "--skip",
        "chat.truncation_canary",
    ])
    .await;
    assert_eq!(
        verdict(&r, "chat.max_tokens"),
        (
            Status::Warn,
            Some(Kind::ParamRejected),
            Some("max_tokens".into())
        )
    );
    for id in [
        "chat.basic",
        "chat.stream",
        "chat.tools",
        "chat.tool_choice_required",
        "chat.stream_tools",
    ] {
        assert_eq!(verdict(&r, id).0, Status::Pass, "{id}: {}", r.to_json());
    }
    // One refused request, then only max_completion_tokens.
    let seen = caps.lock().unwrap().clone();
    assert_eq!(
        seen.iter().filter(|c| *c == "max_tokens").count(),
        1,
        "{seen:?}"
    );
    assert_eq!(r.summary.fail, 0);
}

#[tokio::test]
async fn tools_refused_with_a_500_is_still_a_rejected_parameter() {
    let r = run(
        Behaviour {
            tools: Mode::Reject,
            ..ACCEPT_ALL
        },
        &["--checks", "chat.tools"],
    )
    .await;
    assert_eq!(
        verdict(&r, "chat.tools"),
        (
            Status::Fail,
            Some(Kind::ParamRejected),
            Some("tools".into())
        )
    );
    assert!(check(&r, "chat.tools")
        .hint
        .as_deref()
        .unwrap()
        .contains("tool support"));
}

#[tokio::test]
async fn tools_refused_with_a_400_and_a_tool_code_is_a_rejected_parameter_in_every_check_that_sends_them(
) {
    // Groq-style: 400, code tool_use_failed, and a message that says the model has no tools.
    let r = run(
        Behaviour {
            tools: Mode::Reject,
            tools_status: 400,
            responses: false,
            ..ACCEPT_ALL
        },
        &[],
    )
    .await;
    let sending_tools: Vec<_> = r
        .checks
        .iter()
        .filter(|c| c.detail.contains("`tools` refused") || c.kind == Some(Kind::ToolCallMalformed))
        .collect();
    assert!(sending_tools.len() >= 4, "{}", r.to_json());
    for c in sending_tools {
        assert_eq!(
            (c.kind, c.param.as_deref()),
            (Some(Kind::ParamRejected), Some("tools")),
            "{}: {}",
            c.check,
            c.detail
        );
        assert!(
            c.hint.as_deref().unwrap_or("").contains("tool support"),
            "{}: {:?}",
            c.check,
            c.hint
        );
    }
}

#[tokio::test]
async fn a_server_without_responses_is_unsupported_not_failed() {
    let r = run(
        Behaviour {
            responses: false,
            ..ACCEPT_ALL
        },
        &[],
    )
    .await;
    assert_eq!(
        verdict(&r, "responses.basic"),
        (Status::Unsupported, None, None)
    );
    for id in ["responses.stream", "responses.tools"] {
        let c = check(&r, id);
        assert_eq!(c.status, Status::Skip);
        assert!(c.detail.contains("no /responses route"), "{}", c.detail);
    }
    assert_eq!(r.summary.fail, 0);
}

#[tokio::test]
async fn checks_and_skip_select_what_runs() {
    let r = run(
        ACCEPT_ALL,
        &[
            "--checks",
            "chat.*,responses.basic",
            "--skip",
            "chat.tool_choice_*",
        ],
    )
    .await;
    let ids: Vec<&str> = r.checks.iter().map(|c| c.check.as_str()).collect();
    assert!(ids.contains(&"chat.stream") && ids.contains(&"responses.basic"));
    assert!(
        !ids.iter().any(|i| i.starts_with("chat.tool_choice_")
            || i.starts_with("models.")
            || *i == "responses.stream"),
        "{ids:?}"
    );
}

#[tokio::test]
async fn several_models_share_one_grid() {
    let (url, _) = serve(ACCEPT_ALL).await;
    let r = probe(&[
        "--base-url",
        &url,
        "-m",
        "m",
        "-m",
        "m2",
        "--checks",
        "chat.basic",
    ])
    .await;
    let all = zencheck::report::Layout {
        all: true,
        width: Some(120),
    };
    let text = zencheck::report::render_table_with(&r, false, all);
    assert!(text.contains("Capabilities (check × model)"));
    let row = text.lines().find(|l| l.contains("chat.basic")).unwrap();
    assert_eq!(row.matches("pass").count(), 2, "{row}");
}
