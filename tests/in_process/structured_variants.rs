//! The application checks (`chat.json_schema`, `chat.json_object`,
//! `responses.json_schema`, `chat.error_shape`, `embeddings.basic`) against the ways real
//! servers misbehave that the built-in mock does not imitate: each case is a server written
//! here that answers every request with one captured-style answer, and the check must give
//! the status, kind and parameter a user can act on.

use crate::common;

use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use common::{check, probe};
use serde_json::{json, Value};
use zencheck::failure::Kind;
use zencheck::finding::Status;

/// One answer for every POST: status, content type, body.
#[derive(Clone)]
struct Canned(u16, &'static str, String);

fn ok_json(v: Value) -> Canned {
    Canned(200, "application/json", v.to_string())
}

fn error(status: u16, v: Value) -> Canned {
    Canned(status, "application/json", v.to_string())
}

async fn serve(c: Canned) -> String {
    let app = Router::new()
        .route(
            "/v1/models",
            get(|| async { Json(json!({"object": "list", "data": [{"id": "m"}]})) }),
        )
        .fallback(move || {
            let Canned(status, ct, body) = c.clone();
            async move {
                let code = StatusCode::from_u16(status).unwrap();
                (code, [("content-type", ct)], body).into_response()
            }
        });
    let addr = common::serve_app(app).await;
    format!("http://{addr}/v1")
}

struct Judged {
    status: Status,
    kind: Option<Kind>,
    param: Option<String>,
    detail: String,
    hint: String,
}

async fn judged(id: &str, model: &str, c: Canned) -> Judged {
    let url = serve(c).await;
    let r = probe(&["--base-url", &url, "-m", model, "--checks", id]).await;
    let row = check(&r, id);
    Judged {
        status: row.status,
        kind: row.kind,
        param: row.param.clone(),
        detail: format!(
            "{} | {}",
            row.detail,
            row.provider_message.clone().unwrap_or_default()
        ),
        hint: row.hint.clone().unwrap_or_default(),
    }
}

/// A chat completion whose only choice holds `message` and ended for `finish`.
fn completion(message: Value, finish: &str) -> Canned {
    ok_json(common::chat_completion(
        "m",
        message,
        finish,
        common::usage(30, 12),
    ))
}

fn says(content: &str) -> Canned {
    completion(json!({"role": "assistant", "content": content}), "stop")
}

const VALID: &str = r#"{"city":"Paris","temperature_c":17}"#;

fn assert_outcome(j: &Judged, want: (Status, Option<Kind>, Option<&str>), case: &str) {
    assert_eq!(
        (j.status, j.kind, j.param.as_deref()),
        want,
        "{case}: {}",
        j.detail
    );
}

#[tokio::test]
async fn json_schema_answers_that_ignore_the_format_are_param_ignored_saying_how() {
    let ignored = (
        Status::Fail,
        Some(Kind::ParamIgnored),
        Some("response_format"),
    );
    for (case, answer, word) in [
        ("fenced", format!("```json\n{VALID}\n```"), "fence"),
        (
            "leading sentence",
            format!("Sure! Here is the weather: {VALID}"),
            "prose around it",
        ),
        (
            "wrong type",
            r#"{"city":"Paris","temperature_c":"17"}"#.into(),
            "temperature_c",
        ),
        (
            "missing required",
            r#"{"city":"Paris"}"#.into(),
            "temperature_c",
        ),
        (
            "extra property",
            r#"{"city":"Paris","temperature_c":17,"humidity":60}"#.into(),
            "humidity",
        ),
        (
            "a json_object fallback",
            r#"{"weather":"mild"}"#.into(),
            "schema",
        ),
        (
            "think tags, then off-schema JSON",
            "<think>Paris in spring.</think>\n\n{\"city\":\"Paris\"}".into(),
            "temperature_c",
        ),
        (
            "prose",
            "The weather in Paris is 17 degrees.".into(),
            "prose",
        ),
    ] {
        let j = judged("chat.json_schema", "m", says(&answer)).await;
        assert_outcome(&j, ignored, case);
        assert!(j.detail.contains(word), "{case}: {}", j.detail);
        // The fix is about enforcement, not about dropping the parameter.
        assert!(!j.hint.contains("drop_params: true"), "{case}: {}", j.hint);
    }
    // A thought in <think> tags before valid JSON is reasoning, reported as such.
    let thought = judged(
        "chat.json_schema",
        "m",
        says(&format!("<think>Paris in spring.</think>\n\n{VALID}")),
    )
    .await;
    assert_outcome(
        &thought,
        (Status::Pass, None, None),
        "think tags, then the JSON",
    );
    let ok = judged("chat.json_schema", "m", says(VALID)).await;
    assert_outcome(&ok, (Status::Pass, None, None), "valid");
    // Mistral's reasoning models answer content as a list of parts.
    let parts = completion(
        json!({"role": "assistant", "content": [{"type": "thinking", "thinking": [{"type": "text", "text": "mild"}]}, {"type": "text", "text": VALID}]}),
        "stop",
    );
    let j = judged("chat.json_schema", "m", parts).await;
    assert_outcome(&j, (Status::Pass, None, None), "content parts");
}

#[tokio::test]
async fn json_schema_refusals_name_the_format_whatever_words_the_server_uses() {
    let rejected = (
        Status::Fail,
        Some(Kind::ParamRejected),
        Some("response_format"),
    );
    for (case, status, body) in [
        (
            "OpenAI strict schema error",
            400,
            json!({"error": {"message": "Invalid schema for response_format 'weather_report': In context=(), 'additionalProperties' is required to be supplied and to be false.", "type": "invalid_request_error", "param": "response_format", "code": null}}),
        ),
        (
            "Groq without json_schema",
            400,
            json!({"error": {"message": "'response_format' : one of the following must be satisfied[('response_format.type' : value is not one of the allowed values ['text']) OR ('response_format.type' : value is not one of the allowed values ['json_object'])]", "type": "invalid_request_error"}}),
        ),
        (
            "strict mode refused",
            400,
            json!({"error": {"message": "strict mode is not supported for this model", "type": "invalid_request_error"}}),
        ),
        (
            "llama.cpp grammar",
            400,
            json!({"code": 400, "message": "Failed to initialize samplers: failed to parse grammar", "type": "invalid_request_error"}),
        ),
        (
            "llama.cpp 500 on the schema",
            500,
            json!({"error": {"code": 500, "message": "JSON schema conversion failed: Unrecognized schema: {\"$ref\":\"#/x\"}", "type": "server_error"}}),
        ),
        (
            "vLLM guided decoding",
            400,
            json!({"object": "error", "message": "The provided JSON schema contains features not supported by xgrammar.", "type": "BadRequestError", "param": null, "code": 400}),
        ),
        (
            "FastAPI 422 on json_schema",
            422,
            json!({"detail": [{"loc": ["body", "response_format", "json_schema"], "msg": "Extra inputs are not permitted", "type": "extra_forbidden"}]}),
        ),
    ] {
        let j = judged("chat.json_schema", "m", error(status, body)).await;
        assert_outcome(&j, rejected, case);
        assert!(!j.hint.contains("drop_params: true"), "{case}: {}", j.hint);
    }
    // message.refusal: the model declined the structured request.
    let refused = completion(
        json!({"role": "assistant", "content": null, "refusal": "I'm sorry, I cannot help with that."}),
        "stop",
    );
    let j = judged("chat.json_schema", "m", refused).await;
    assert_outcome(&j, rejected, "message.refusal");
    assert!(j.detail.contains("cannot help"), "{}", j.detail);
}

#[tokio::test]
async fn json_schema_answers_cut_misplaced_or_failed_validation_are_not_called_ignored() {
    // Cut mid-JSON at the cap: the cap failed, not the format.
    let cut = completion(
        json!({"role": "assistant", "content": "{\"city\":\"Par"}),
        "length",
    );
    let j = judged("chat.json_schema", "m", cut).await;
    assert_outcome(&j, (Status::Warn, Some(Kind::OutputLength), None), "cut");
    // A reasoning model that spent the cap thinking inside content.
    let think = completion(
        json!({"role": "assistant", "content": "<think>The user wants the weather in Paris. I"}),
        "length",
    );
    let j = judged("chat.json_schema", "m", think).await;
    assert_eq!(j.kind, Some(Kind::OutputLength), "{}", j.detail);
    // Reasoning ate the whole cap: usage says so.
    let spent = ok_json(json!({
        "model": "m", "choices": [{"index": 0, "message": {"role": "assistant", "content": "", "reasoning_content": "Let me think about Paris"}, "finish_reason": "length"}],
        "usage": {"prompt_tokens": 30, "completion_tokens": 64, "completion_tokens_details": {"reasoning_tokens": 64}}
    }));
    let j = judged("chat.json_schema", "m", spent).await;
    assert_eq!(j.kind, Some(Kind::OutputLength), "{}", j.detail);
    // The JSON in reasoning_content, content empty (vLLM's reasoning parser).
    let misplaced = completion(
        json!({"role": "assistant", "content": null, "reasoning_content": VALID}),
        "stop",
    );
    let j = judged("chat.json_schema", "m", misplaced).await;
    assert_outcome(
        &j,
        (Status::Fail, Some(Kind::BadResponse), None),
        "reasoning_content",
    );
    assert!(j.detail.contains("reasoning_content"), "{}", j.detail);
    assert!(!j.hint.contains("login page"), "{}", j.hint);
    // Empty content, finished normally.
    let j = judged("chat.json_schema", "m", says("")).await;
    assert_outcome(&j, (Status::Fail, Some(Kind::BadResponse), None), "empty");
    // Groq validates after generation: the format is enforced, the model failed it.
    let groq = error(
        400,
        json!({"error": {"message": "Failed to generate JSON. Please adjust your prompt. See 'failed_generation' for more details.", "type": "invalid_request_error", "code": "json_validate_failed", "failed_generation": "{\"city\": \"Paris\", \"temp"}}),
    );
    let j = judged("chat.json_schema", "m", groq).await;
    assert_outcome(
        &j,
        (Status::Warn, Some(Kind::BadResponse), None),
        "json_validate_failed",
    );
    assert!(j.detail.contains("enforced"), "{}", j.detail);
    assert!(!j.hint.contains("tool call"), "{}", j.hint);
    // An error envelope inside a 200 is the error it carries.
    let in_200 = ok_json(
        json!({"error": {"message": "response_format is not supported", "type": "invalid_request_error", "param": "response_format"}}),
    );
    let j = judged("chat.json_schema", "m", in_200).await;
    assert_eq!(j.kind, Some(Kind::ParamRejected), "{}", j.detail);
}

#[tokio::test]
async fn json_object_and_responses_json_schema_judge_the_same_variants() {
    let j = judged(
        "chat.json_object",
        "m",
        says("```json\n{\"answer\":\"pong\"}\n```"),
    )
    .await;
    assert_outcome(
        &j,
        (
            Status::Fail,
            Some(Kind::ParamIgnored),
            Some("response_format"),
        ),
        "fenced json_object",
    );
    let j = judged("chat.json_object", "m", says(r#"{"answer":"pong"}"#)).await;
    assert_outcome(&j, (Status::Pass, None, None), "json_object");
    let groq = error(
        400,
        json!({"error": {"message": "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.", "type": "invalid_request_error"}}),
    );
    let j = judged("chat.json_object", "m", groq).await;
    assert_outcome(
        &j,
        (
            Status::Fail,
            Some(Kind::ParamRejected),
            Some("response_format"),
        ),
        "json mode refused",
    );

    let response = |output: Value, status: &str| {
        ok_json(
            json!({"id": "resp_1", "object": "response", "status": status, "model": "m", "output": output, "usage": {"input_tokens": 30, "output_tokens": 12}}),
        )
    };
    let message = |text: &str| json!([{"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": text}]}]);
    let j = judged(
        "responses.json_schema",
        "m",
        response(message(&format!("```json\n{VALID}\n```")), "completed"),
    )
    .await;
    assert_outcome(
        &j,
        (Status::Fail, Some(Kind::ParamIgnored), Some("text.format")),
        "fenced on /responses",
    );
    let j = judged(
        "responses.json_schema",
        "m",
        response(message("{\"city\": \"Pa"), "incomplete"),
    )
    .await;
    assert_eq!(j.kind, Some(Kind::OutputLength), "{}", j.detail);
    // vLLM with a reasoning parser: the answer escapes into the reasoning item.
    let escaped =
        json!([{"type": "reasoning", "content": [{"type": "reasoning_text", "text": VALID}]}]);
    let j = judged("responses.json_schema", "m", response(escaped, "completed")).await;
    assert_outcome(
        &j,
        (Status::Fail, Some(Kind::BadResponse), None),
        "reasoning item",
    );
    assert!(j.detail.contains("reasoning item"), "{}", j.detail);
    let refusal = json!([{"type": "message", "role": "assistant", "content": [{"type": "refusal", "refusal": "I can't help with that."}]}]);
    let j = judged("responses.json_schema", "m", response(refusal, "completed")).await;
    assert_outcome(
        &j,
        (Status::Fail, Some(Kind::ParamRejected), Some("text.format")),
        "refusal part",
    );
    let unknown = error(
        400,
        json!({"error": {"message": "Unknown parameter: 'text'.", "type": "invalid_request_error", "param": null}}),
    );
    let j = judged("responses.json_schema", "m", unknown).await;
    assert_outcome(
        &j,
        (Status::Fail, Some(Kind::ParamRejected), Some("text.format")),
        "text refused",
    );
}

#[tokio::test]
async fn error_shape_passes_only_the_envelope_clients_read() {
    let warn = (Status::Warn, Some(Kind::BadResponse), None);
    let openai = error(
        400,
        json!({"error": {"message": "Invalid type for 'messages': expected an array", "type": "invalid_request_error", "param": "messages", "code": "invalid_type"}}),
    );
    let j = judged("chat.error_shape", "m", openai).await;
    assert_outcome(&j, (Status::Pass, None, None), "OpenAI envelope");
    // Zen's envelope carries error.message too.
    let zen = error(
        400,
        json!({"type": "error", "error": {"type": "invalid_request_error", "message": "messages: Expected array"}}),
    );
    let j = judged("chat.error_shape", "m", zen).await;
    assert_outcome(&j, (Status::Pass, None, None), "Zen envelope");
    for (case, c, word) in [
        ("FastAPI 422", error(422, json!({"detail": [{"loc": ["body", "messages"], "msg": "Input should be a valid list", "type": "list_type"}]})), "detail"),
        ("vLLM object error", error(400, json!({"object": "error", "message": "messages must be a list", "type": "BadRequestError", "param": null, "code": 400})), "top-level `message`"),
        ("error as a string", error(400, json!({"error": "messages must be an array"})), "bare string"),
        ("no message", error(400, json!({"status": "invalid"})), "no error message"),
        ("Express HTML 400", Canned(400, "text/html; charset=utf-8", "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Error</title></head><body><pre>TypeError: messages.map is not a function</pre></body></html>".into()), "HTML"),
        ("text/plain 400", Canned(400, "text/plain", "Bad Request".into()), "not JSON"),
        ("500 JSON", error(500, json!({"error": {"message": "'str' object has no attribute 'get'", "type": "server_error"}})), "retry"),
        ("nginx 502", Canned(502, "text/html", "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>".into()), "HTML page"),
    ] {
        let j = judged("chat.error_shape", "m", c).await;
        assert_outcome(&j, warn, case);
        assert!(j.detail.contains(word), "{case}: {}", j.detail);
        assert!(j.hint.contains("{\"error\""), "{case}: {}", j.hint);
        assert!(!j.hint.contains("login page"), "{case}: {}", j.hint);
    }
    let j = judged("chat.error_shape", "m", ok_json(json!({"error": {"message": "messages must be an array", "type": "invalid_request_error"}}))).await;
    assert_outcome(
        &j,
        (Status::Fail, Some(Kind::BadResponse), None),
        "200 with an error",
    );
    assert!(j.detail.contains("error body"), "{}", j.detail);
    let j = judged("chat.error_shape", "m", says("pong")).await;
    assert_outcome(
        &j,
        (Status::Fail, Some(Kind::BadResponse), None),
        "200 with an answer",
    );
    assert!(j.detail.contains("accepted"), "{}", j.detail);
}

#[tokio::test]
async fn embeddings_answers_real_servers_get_wrong_say_what() {
    const MODEL: &str = "text-embedding-3-small";
    let list = |data: Value| json!({"object": "list", "model": MODEL, "data": data, "usage": {"prompt_tokens": 12, "total_tokens": 12}});
    let item = |i: usize, e: Value| json!({"object": "embedding", "index": i, "embedding": e});
    let fail = (Status::Fail, Some(Kind::BadResponse), None);
    for (case, c, word) in [
        (
            "NaN written as is",
            Canned(
                200,
                "application/json",
                format!(
                    r#"{{"object":"list","model":"{MODEL}","data":[{{"index":0,"embedding":[0.1,NaN]}},{{"index":1,"embedding":[0.2,0.3]}}],"usage":{{"prompt_tokens":12}}}}"#
                ),
            ),
            "NaN",
        ),
        (
            "NaN written as null",
            ok_json(list(json!([
                item(0, json!([0.1, null])),
                item(1, json!([0.2, 0.3]))
            ]))),
            "null",
        ),
        (
            "nested arrays",
            ok_json(list(json!([
                item(0, json!([[0.1, 0.2]])),
                item(1, json!([[0.2, 0.3]]))
            ]))),
            "nested",
        ),
        (
            "bare arrays in data",
            ok_json(list(json!([[0.1, 0.2], [0.2, 0.3]]))),
            "bare array",
        ),
        ("data empty", ok_json(list(json!([]))), "0 vectors"),
        (
            "ragged",
            ok_json(list(json!([
                item(0, json!([0.1, 0.2, 0.3])),
                item(1, json!([0.2, 0.3]))
            ]))),
            "ragged",
        ),
        (
            "Ollama native",
            ok_json(json!({"model": MODEL, "embeddings": [[0.1, 0.2], [0.2, 0.3]]})),
            "Ollama",
        ),
        (
            "TEI native",
            ok_json(json!([[0.1, 0.2], [0.2, 0.3]])),
            "bare array",
        ),
    ] {
        let j = judged("embeddings.basic", MODEL, c).await;
        assert_outcome(&j, fail, case);
        assert!(j.detail.contains(word), "{case}: {}", j.detail);
        assert!(!j.hint.contains("login page"), "{case}: {}", j.hint);
    }
    let warn = (Status::Warn, Some(Kind::BadResponse), None);
    let two = json!([item(0, json!([0.1, 0.2])), item(1, json!([0.3, 0.1]))]);
    let mut no_usage = list(two.clone());
    no_usage.as_object_mut().unwrap().remove("usage");
    let mut zero_usage = list(two.clone());
    zero_usage["usage"] = json!({"prompt_tokens": 0, "total_tokens": 0});
    for (case, v, word) in [
        ("no usage", no_usage, "usage"),
        ("usage zero", zero_usage, "0 for two inputs"),
        (
            "zeros",
            list(json!([
                item(0, json!([0.0, 0.0])),
                item(1, json!([0.3, 0.1]))
            ])),
            "all zeros",
        ),
    ] {
        let j = judged("embeddings.basic", MODEL, ok_json(v)).await;
        assert_outcome(&j, warn, case);
        assert!(j.detail.contains(word), "{case}: {}", j.detail);
    }
    let j = judged("embeddings.basic", MODEL, ok_json(list(two))).await;
    assert_outcome(&j, (Status::Pass, None, None), "healthy");
    // A server that refuses encoding_format: the parameter named.
    let refused = error(
        400,
        json!({"detail": [{"loc": ["body", "encoding_format"], "msg": "Extra inputs are not permitted", "type": "extra_forbidden"}]}),
    );
    let j = judged("embeddings.basic", MODEL, refused).await;
    assert_outcome(
        &j,
        (
            Status::Fail,
            Some(Kind::ParamRejected),
            Some("encoding_format"),
        ),
        "encoding_format refused",
    );
    assert!(j.hint.contains("leave it out"), "{}", j.hint);
}
