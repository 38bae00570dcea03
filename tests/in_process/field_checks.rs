//! More failures users meet now, each against the mock and a hostile server written here:
//! text whose characters a gateway replaced with U+FFFD, a `previous_response_id` refused or
//! ignored; and the cost of a default probe, which stays within 25 requests a model.

use crate::common;

use axum::extract::Request;
use axum::response::IntoResponse;
use axum::routing::any;
use common::{check, expect, expect_of_mock, is, probe, probe_at, probe_mock, serve_reply};
use serde_json::json;
use zencheck::failure::Kind;
use zencheck::finding::Status;
use zencheck::mock::Scenario;

#[tokio::test]
async fn cjk_and_an_emoji_arrive_whole_from_the_mock_and_replaced_characters_fail() {
    // The healthy mock splits every multi-byte character across two network writes.
    expect_of_mock(
        "chat.stream_usage",
        &["-m", "mock-small", "--checks", "chat.stream_usage"],
        &[
            (Scenario::Healthy, is(Status::Pass).says("你好，世界 🙂")),
            (
                Scenario::StreamUtf8Replaced,
                is(Status::Fail).kind(Kind::StreamMalformed).says("U+FFFD"),
            ),
        ],
    )
    .await;
}

#[tokio::test]
async fn a_gateway_that_decodes_each_read_alone_is_named_whatever_the_prompt() {
    // Hostile: every stream carries "��复方法" as Zen's users saw it, valid UTF-8 on the wire.
    let base = serve_reply(|_, body| {
        if body.get("stream") != Some(&json!(true)) {
            return axum::Json(common::chat_completion("m", json!({"role": "assistant", "content": "pong"}), "stop", common::usage(5, 1))).into_response();
        }
        common::sse(&[
            common::chat_chunk("m", json!({"role": "assistant", "content": "\u{FFFD}\u{FFFD}复方法"}), None),
            common::chat_chunk("m", json!({}), Some("stop")),
            json!({"id": "c1", "object": "chat.completion.chunk", "model": "m", "choices": [], "usage": common::usage(9, 3)}),
        ])
    })
    .await;
    let r = probe_at(
        &base,
        &["-m", "m", "--checks", "chat.stream,chat.stream_usage"],
    )
    .await;
    for id in ["chat.stream", "chat.stream_usage"] {
        let c = expect(&r, id, is(Status::Fail).kind(Kind::StreamMalformed));
        assert!(c.hint.is_some(), "{id}");
    }
}

#[tokio::test]
async fn previous_response_id_honoured_by_the_mock_refused_or_ignored_by_gateways() {
    let args = [
        "-m",
        "mock-small",
        "--checks",
        "responses.previous_response",
    ];
    let warn = |kind| is(Status::Warn).kind(kind).param("previous_response_id");
    expect_of_mock(
        "responses.previous_response",
        &args,
        &[
            (Scenario::Healthy, is(Status::Pass).says("PELICAN")),
            (
                Scenario::PreviousResponseUnsupported,
                warn(Kind::ParamRejected).says("store: false"),
            ),
            (Scenario::PreviousResponseIgnored, warn(Kind::ParamIgnored)),
        ],
    )
    .await;
}

#[tokio::test]
async fn a_gateway_that_answers_a_chained_turn_without_its_history_is_ignoring_it() {
    // Hostile: any id is "accepted", nothing was stored, every answer is the same line.
    let base = serve_reply(|_, _| {
        axum::Json(json!({
            "id": "resp_1", "object": "response", "status": "completed", "model": "m",
            "output": [{"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "I do not know any code word."}]}],
            "usage": {"input_tokens": 9, "output_tokens": 7}
        }))
        .into_response()
    })
    .await;
    let r = probe_at(
        &base,
        &["-m", "m", "--checks", "responses.previous_response"],
    )
    .await;
    expect(
        &r,
        "responses.previous_response",
        is(Status::Warn).kind(Kind::ParamIgnored).says("PELICAN"),
    );
}

#[tokio::test]
async fn a_default_probe_of_one_model_sends_at_most_25_requests() {
    // Declared: /models, and the default checks of chat and /responses (a model's default
    // routes), each at its declared cost.
    use zencheck::check::CheckId;
    use zencheck::route::Route;
    let declared: u32 = 1 + CheckId::ALL
        .iter()
        .filter(|c| c.spec().default && matches!(c.route(), Some(Route::Chat | Route::Responses)))
        .map(|c| c.cost().requests)
        .sum::<u32>();
    assert!(
        declared <= 25,
        "a default probe declares {declared} requests"
    );
    // Measured: what the healthy mock received, /models included.
    let (m, r) = probe_mock(Scenario::Healthy, &["-m", "mock-small"]).await;
    assert_eq!(r.summary.fail + r.summary.warn, 0, "{}", r.to_json());
    assert!(m.requests() <= 25, "{} requests", m.requests());
    // `--checks '*'` on the healthy mock stays clean.
    let (_, r) = probe_mock(Scenario::Healthy, &["-m", "mock-small", "--checks", "*"]).await;
    assert_eq!(r.summary.fail + r.summary.warn, 0, "{}", r.to_json());
}

/// A chat server whose first generation request waits `first_ms` and every later one none.
async fn cold_server(first_ms: u64) -> String {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let cold = Arc::new(AtomicBool::new(true));
    let app = axum::Router::new().fallback(any(move |req: Request| {
        let cold = cold.clone();
        async move {
            let path = req.uri().path().to_string();
            if path.ends_with("/models") {
                return axum::Json(common::model_list(&["m"])).into_response();
            }
            if cold.swap(false, Ordering::SeqCst) {
                tokio::time::sleep(std::time::Duration::from_millis(first_ms)).await;
            }
            axum::Json(common::chat_completion(
                "m",
                json!({"role": "assistant", "content": "pong"}),
                "stop",
                common::usage(5, 1),
            ))
            .into_response()
        }
    }));
    format!("http://{}/v1", common::serve_app(app).await)
}

#[tokio::test]
async fn a_slow_first_answer_then_fast_ones_is_a_cold_start_never_a_timeout() {
    let checks = "chat.basic,chat.tools,chat.tool_choice_none,chat.tool_choice_null";
    let cold = |first_ms, timeout| async move {
        let base = cold_server(first_ms).await;
        let args = ["--base-url", &base, "-m", "m", "--checks", checks];
        probe(&[&args[..], &["--timeout", timeout]].concat()).await
    };
    // Slower than --timeout: sent once more, answered at once.
    let r = cold(4000, "2").await;
    let c = expect(&r, "chat.basic", is(Status::Warn).kind(Kind::ColdStart));
    assert!(
        c.hint.as_deref().unwrap().contains("timeout"),
        "{:?}",
        c.hint
    );
    assert_eq!(r.summary.fail, 0, "{}", r.to_json());
    // Within --timeout, but far slower than the answers after it.
    let r = cold(3500, "10").await;
    expect(
        &r,
        "chat.basic",
        is(Status::Warn)
            .kind(Kind::ColdStart)
            .says("the first answer took"),
    );
    // The mock's cold start.
    let (_, r) = probe_mock(Scenario::ColdStart, &["-m", "mock-small", "--timeout", "2"]).await;
    assert_eq!(
        check(&r, "chat.basic").kind,
        Some(Kind::ColdStart),
        "{}",
        r.to_json()
    );
    assert_eq!(r.summary.fail, 0, "{}", r.to_json());
}

#[tokio::test]
async fn a_server_that_never_answers_is_still_a_timeout_after_one_more_try() {
    expect_of_mock(
        "chat.basic",
        &[
            "-m",
            "mock-small",
            "--checks",
            "chat.basic",
            "--timeout",
            "1",
        ],
        &[(Scenario::Timeout, is(Status::Fail).kind(Kind::Timeout))],
    )
    .await;
}

#[tokio::test]
async fn one_address_family_refusing_names_the_one_that_answers() {
    // The mock on 127.0.0.1, probed at [::1].
    let basic = ["-m", "mock-small", "--checks", "chat.basic"];
    let family = is(Status::Fail).kind(Kind::AddressFamily);
    expect_of_mock(
        "target.address_family",
        &basic,
        &[(Scenario::Ipv4Only, family.says("http://127.0.0.1:"))],
    )
    .await;
    // Hostile: a server on [::1] only, probed at 127.0.0.1.
    let listener = tokio::net::TcpListener::bind("[::1]:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let app = axum::Router::new().fallback(any(|| async {
        axum::Json(json!({"object": "list", "data": []}))
    }));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let base = format!("http://127.0.0.1:{port}/v1");
    let r = probe(&[
        "--base-url",
        &base,
        "-m",
        "m",
        "--checks",
        "chat.basic",
        "--timeout",
        "2",
    ])
    .await;
    let c = check(&r, "target.address_family");
    assert_eq!(c.kind, Some(Kind::AddressFamily), "{}", c.detail);
    assert!(
        c.detail.contains(&format!("http://[::1]:{port}/v1")),
        "{}",
        c.detail
    );
    // Both families answering (or the one asked for answering): no row.
    let (_, r) = probe_mock(Scenario::Healthy, &basic).await;
    assert!(
        r.checks.iter().all(|c| c.check != "target.address_family"),
        "{}",
        r.to_json()
    );
}

#[tokio::test]
async fn embeddings_base64_honoured_by_the_mock_ignored_or_misencoded_by_a_gateway() {
    let args = [
        "-m",
        "mock-embed",
        "--routes",
        "embeddings",
        "--checks",
        "embeddings.base64",
    ];
    expect_of_mock(
        "embeddings.base64",
        &args,
        &[
            (Scenario::Healthy, is(Status::Pass)),
            (
                Scenario::EmbeddingsBase64Ignored,
                is(Status::Warn)
                    .kind(Kind::ParamIgnored)
                    .param("encoding_format"),
            ),
        ],
    )
    .await;
    // Hostile: base64 of big-endian floats.
    let base = serve_reply(|_, body| {
        let xs = [0.25f32, -0.5, 0.125];
        let embedding = if body["encoding_format"] == "base64" {
            use base64::Engine;
            let bytes: Vec<u8> = xs.iter().flat_map(|x| x.to_be_bytes()).collect();
            json!(base64::engine::general_purpose::STANDARD.encode(bytes))
        } else {
            json!(xs)
        };
        axum::Json(json!({"object": "list", "data": [{"object": "embedding", "index": 0, "embedding": embedding}], "usage": {"prompt_tokens": 5, "total_tokens": 5}})).into_response()
    })
    .await;
    let r = probe_at(
        &base,
        &[
            "-m",
            "e",
            "--routes",
            "embeddings",
            "--checks",
            "embeddings.base64",
        ],
    )
    .await;
    expect(
        &r,
        "embeddings.base64",
        is(Status::Fail).kind(Kind::BadResponse),
    );
}

#[tokio::test]
async fn schema_keywords_refused_are_named_and_a_healthy_server_takes_them_all() {
    let args = ["-m", "mock-small", "--checks", "chat.schema_keywords"];
    expect_of_mock(
        "chat.schema_keywords",
        &args,
        &[
            (Scenario::Healthy, is(Status::Pass)),
            (
                Scenario::SchemaRefRefused,
                is(Status::Warn).kind(Kind::ParamRejected).param("anyOf"),
            ),
        ],
    )
    .await;
    // Hostile: a validator that refuses additionalProperties and enum, as some do.
    let base = serve_reply(|_, body| {
        let tools = body["tools"].to_string();
        if tools.contains("additionalProperties") || tools.contains("\"enum\"") {
            return (axum::http::StatusCode::BAD_REQUEST, axum::Json(json!({"error": {"message": "Invalid schema for function 'get_weather'", "type": "invalid_request_error"}}))).into_response();
        }
        axum::Json(common::chat_completion("m", json!({"role": "assistant", "content": "pong"}), "stop", common::usage(5, 1))).into_response()
    })
    .await;
    let r = probe_at(&base, &["-m", "m", "--checks", "chat.schema_keywords"]).await;
    let c = check(&r, "chat.schema_keywords");
    assert_eq!(
        (c.kind, c.param.as_deref()),
        (Some(Kind::ParamRejected), Some("additionalProperties")),
        "{}",
        c.detail
    );
    assert!(
        c.detail.contains("additionalProperties, enum"),
        "{}",
        c.detail
    );
}
