//! The failures users meet on real endpoints, each against a hostile server written here:
//! a gateway that answers any model id, and (beside) healthy servers that must stay clean.

use crate::common;

use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use common::{check, probe, serve_reply};
use serde_json::{json, Value};
use zencheck::failure::Kind;
use zencheck::finding::Status;

fn completion(model: &str) -> Response {
    axum::Json(json!({
        "id": "c1", "object": "chat.completion", "created": 1, "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "pong"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 9, "completion_tokens": 1, "total_tokens": 10}
    }))
    .into_response()
}

fn models(ids: &[&str]) -> Response {
    let data: Vec<Value> = ids
        .iter()
        .map(|i| json!({"id": i, "object": "model"}))
        .collect();
    axum::Json(json!({"object": "list", "data": data})).into_response()
}

async fn substitution(base: &str) -> zencheck::report::Report {
    probe(&[
        "--base-url",
        base,
        "--model",
        "gpt-4o",
        "--checks",
        "chat.basic,chat.unknown_model",
        "--timeout",
        "3",
    ])
    .await
}

/// [`substitution`] of a server that lists `gpt-4o` and answers every generation request as
/// `model`.
async fn answered_as(model: &'static str) -> zencheck::report::Report {
    let base = serve_reply(move |path, _| {
        if path.ends_with("/models") {
            models(&["gpt-4o"])
        } else {
            completion(model)
        }
    })
    .await;
    substitution(&base).await
}

#[tokio::test]
async fn a_gateway_that_answers_any_model_id_with_another_makers_model_fails_twice() {
    let r = answered_as("claude-3-5-haiku-20241022").await;
    let unknown = check(&r, "chat.unknown_model");
    assert_eq!(unknown.status, Status::Fail, "{}", r.to_json());
    assert_eq!(unknown.kind, Some(Kind::ModelMismatch));
    assert!(
        unknown.detail.contains("claude-3-5-haiku-20241022"),
        "{}",
        unknown.detail
    );
    assert!(unknown.hint.as_deref().unwrap_or("").contains("/models"));
    let basic = check(&r, "chat.basic");
    assert_eq!(
        basic.status,
        Status::Fail,
        "another maker is a failure: {}",
        basic.detail
    );
    assert_eq!(basic.kind, Some(Kind::ModelMismatch));
}

#[tokio::test]
async fn a_dated_snapshot_and_a_refused_unknown_id_stay_clean() {
    let base = serve_reply(|path, body| {
        if path.ends_with("/models") {
            return models(&["gpt-4o"]);
        }
        if body["model"] == "gpt-4o" {
            completion("gpt-4o-2024-08-06")
        } else {
            // LiteLLM's words for an unknown id, with its 400.
            (
                axum::http::StatusCode::BAD_REQUEST,
                axum::Json(json!({"error": {"message": "Invalid model name passed in model=zencheck-no-such-model-7f3a9", "type": "invalid_request_error", "code": "400"}})),
            )
                .into_response()
        }
    })
    .await;
    let r = substitution(&base).await;
    assert_eq!(r.summary.fail + r.summary.warn, 0, "{}", r.to_json());
    assert_eq!(check(&r, "chat.unknown_model").status, Status::Pass);
}

#[tokio::test]
async fn a_sibling_model_of_the_same_maker_is_a_warning_not_a_failure() {
    let r = answered_as("gpt-4o-mini").await;
    let basic = check(&r, "chat.basic");
    assert_eq!(
        (basic.status, basic.kind),
        (Status::Warn, Some(Kind::ModelMismatch))
    );
}

const LOGIN_PAGE: &str = "<!doctype html><html><head><title>Sign in</title></head><body><form action=/login><input name=user></form></body></html>";

fn html(status: u16, page: &'static str) -> Response {
    (
        axum::http::StatusCode::from_u16(status).unwrap(),
        [("content-type", "text/html; charset=utf-8")],
        page,
    )
        .into_response()
}

#[tokio::test]
async fn a_login_page_on_every_path_points_every_row_at_the_base_url_even_with_a_model() {
    let base = serve_reply(|_, _| html(200, LOGIN_PAGE)).await;
    let r = probe(&["--base-url", &base, "--model", "gpt-4o", "--timeout", "3"]).await;
    for id in ["models.list", "chat.basic", "responses.basic"] {
        let c = check(&r, id);
        assert_eq!(
            (c.status, c.kind),
            (Status::Fail, Some(Kind::BaseUrl)),
            "{id}: {}",
            c.detail
        );
    }
    // Nothing says the base URL is right, and nothing else is judged on a web page.
    assert_eq!(r.summary.pass, 0, "{}", r.to_json());
    assert!(r
        .checks
        .iter()
        .all(|c| !c.detail.contains("base URL is right")));
    assert!(r
        .checks
        .iter()
        .all(|c| c.kind.is_none() || c.kind == Some(Kind::BaseUrl)));
}

#[tokio::test]
async fn a_web_page_on_one_route_beside_json_on_chat_is_not_the_base_url() {
    let base = serve_reply(|path, body| {
        if path.ends_with("/models") {
            models(&["gpt-4o"])
        } else if path.ends_with("/chat/completions") {
            completion(body["model"].as_str().unwrap_or("gpt-4o"))
        } else {
            html(200, LOGIN_PAGE)
        }
    })
    .await;
    let r = probe(&[
        "--base-url",
        &base,
        "--model",
        "gpt-4o",
        "--checks",
        "chat.basic,responses.basic",
        "--timeout",
        "3",
    ])
    .await;
    assert_eq!(
        check(&r, "chat.basic").status,
        Status::Pass,
        "{}",
        r.to_json()
    );
    assert_ne!(check(&r, "responses.basic").kind, Some(Kind::BaseUrl));
}

/// A server whose /models is `public` or checks the key, and whose generation refuses
/// every key with a bare 401.
async fn lists_but_refuses(public: bool) -> zencheck::report::Report {
    const KEY_VAR: &str = "ZENCHECK_FIELD_FAILURES_KEY";
    common::set_env(KEY_VAR, "sk-field-failures-key");
    let app = axum::Router::new().fallback(any(move |req: Request| async move {
        let keyed = req.headers().contains_key("authorization");
        if req.uri().path().ends_with("/models") && (keyed || public) {
            models(&["gpt-4o"])
        } else {
            (
                axum::http::StatusCode::UNAUTHORIZED,
                axum::Json(
                    json!({"error": {"message": "Unauthorized", "type": "invalid_request_error"}}),
                ),
            )
                .into_response()
        }
    }));
    let base = format!("http://{}/v1", common::serve_app(app).await);
    probe(&[
        "--base-url",
        &base,
        "--api-key-env",
        KEY_VAR,
        "--model",
        "gpt-4o",
        "--checks",
        "models.list,chat.basic",
        "--timeout",
        "3",
    ])
    .await
}

#[tokio::test]
async fn a_key_that_lists_models_but_cannot_generate_is_access_denied_not_a_bad_key() {
    let r = lists_but_refuses(false).await;
    assert_eq!(check(&r, "models.list").status, Status::Pass);
    let basic = check(&r, "chat.basic");
    assert_eq!(basic.kind, Some(Kind::AccessDenied), "{}", r.to_json());
    assert!(
        basic.detail.contains("GET /models accepts this key"),
        "{}",
        basic.detail
    );
}

#[tokio::test]
async fn a_public_model_list_proves_nothing_about_the_key() {
    let r = lists_but_refuses(true).await;
    let basic = check(&r, "chat.basic");
    assert_eq!(basic.kind, Some(Kind::Auth), "{}", r.to_json());
    assert!(basic.detail.contains("without any key"), "{}", basic.detail);
}

#[tokio::test]
async fn a_refusal_of_a_request_without_a_key_blames_no_key() {
    // No key sent: a 403 says nothing of a key's scope, so no keyless GET /models is sent to
    // tell one, and neither the evidence nor the fix speaks of the key as valid or refused.
    let lists = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = lists.clone();
    let base = serve_reply(move |path, _| {
        if path.ends_with("/models") {
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            models(&["gpt-4o"])
        } else {
            (
                axum::http::StatusCode::FORBIDDEN,
                axum::Json(
                    json!({"error": {"message": "You are not allowed to use this model.",
                    "type": "permission_error", "code": "model_access_denied"}}),
                ),
            )
                .into_response()
        }
    })
    .await;
    let r = probe(&[
        "--base-url",
        &base,
        "--model",
        "gpt-4o",
        "--checks",
        "models.list,chat.basic",
        "--timeout",
        "3",
    ])
    .await;
    let basic = check(&r, "chat.basic");
    assert_eq!(basic.kind, Some(Kind::AccessDenied), "{}", r.to_json());
    assert!(
        !basic.detail.contains("key itself") && !basic.detail.contains("this key"),
        "{}",
        basic.detail
    );
    let hint = basic.hint.as_deref().unwrap_or_default();
    assert!(
        hint.contains("No key was sent") && !hint.contains("key is valid"),
        "{hint}"
    );
    assert_eq!(lists.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_list_of_one_model_says_1_model() {
    let base = serve_reply(|_, _| models(&["only-one"])).await;
    let r = probe(&["--base-url", &base, "--checks", "models.list"]).await;
    assert_eq!(check(&r, "models.list").detail, "1 model: only-one");
}

#[tokio::test]
async fn a_relays_own_error_shape_inside_a_200_is_named_with_its_message() {
    for body in [
        json!({"code": 500, "msg": "no available channel for model gpt-4o", "data": null}),
        json!({"success": false, "message": "no available channel for model gpt-4o"}),
    ] {
        let base = serve_reply(move |path, _| {
            if path.ends_with("/models") {
                models(&["gpt-4o"])
            } else {
                axum::Json(body.clone()).into_response()
            }
        })
        .await;
        let r = substitution(&base).await;
        let basic = check(&r, "chat.basic");
        assert_eq!(basic.status, Status::Fail, "{}", r.to_json());
        assert!(
            basic.detail.contains("error body inside HTTP 200")
                && basic.detail.contains("no available channel"),
            "{}",
            basic.detail
        );
        // The impossible id got the same error: a refusal, not a substitution.
        assert_ne!(
            check(&r, "chat.unknown_model").kind,
            Some(Kind::ModelMismatch)
        );
    }
}

/// A raw server that answers every request with a text/event-stream body written in
/// `parts`, each its own write 30 ms after the last, then closes: the client reads them
/// as separate network reads.
async fn stream_in_parts(parts: Vec<Vec<u8>>) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let parts = parts.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65536];
                let mut seen = Vec::new();
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match sock.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                // The body is small: give it time to arrive whole before answering.
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                let head = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n";
                let _ = sock.write_all(head).await;
                for p in parts {
                    let _ = sock.write_all(&p).await;
                    let _ = sock.flush().await;
                    tokio::time::sleep(std::time::Duration::from_millis(30)).await;
                }
            });
        }
    });
    format!("http://{addr}/v1")
}

fn event(json: &Value) -> Vec<u8> {
    format!("data: {json}\n\n").into_bytes()
}

fn delta(content: &str) -> Value {
    json!({"id": "c", "object": "chat.completion.chunk", "model": "m", "choices": [{"index": 0, "delta": {"content": content}}]})
}

fn stop() -> Value {
    json!({"id": "c", "object": "chat.completion.chunk", "model": "m", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
}

async fn stream_check(parts: Vec<Vec<u8>>) -> zencheck::report::CheckResult {
    let base = stream_in_parts(parts).await;
    let r = probe(&[
        "--base-url",
        &base,
        "--model",
        "m",
        "--checks",
        "chat.stream",
        "--timeout",
        "3",
    ])
    .await;
    check(&r, "chat.stream").clone()
}

#[tokio::test]
async fn a_character_split_across_network_reads_is_fine_but_cut_inside_an_event_fails() {
    // "你好 👋" whole in its event, its bytes split mid-character across two writes.
    let whole = event(&delta("你好 👋"));
    let cut = whole.iter().position(|b| *b == 0xE4).unwrap() + 1;
    let parts = vec![
        whole[..cut].to_vec(),
        whole[cut..].to_vec(),
        event(&stop()),
        b"data: [DONE]\n\n".to_vec(),
    ];
    let c = stream_check(parts).await;
    assert_eq!(c.status, Status::Pass, "{}", c.detail);

    // The same event with the last byte of 你 missing from its data: broken for every client.
    let mut broken = event(&delta("你好"));
    let at = broken.iter().position(|b| *b == 0xE4).unwrap() + 2;
    broken.remove(at);
    let c = stream_check(vec![broken, event(&stop()), b"data: [DONE]\n\n".to_vec()]).await;
    assert_eq!(
        (c.status, c.kind),
        (Status::Fail, Some(Kind::StreamMalformed)),
        "{}",
        c.detail
    );
    assert!(c.detail.contains("not UTF-8"), "{}", c.detail);
}

#[tokio::test]
async fn done_without_any_finish_reason_is_its_own_failure() {
    let c = stream_check(vec![event(&delta("pong")), b"data: [DONE]\n\n".to_vec()]).await;
    assert_eq!(
        (c.status, c.kind),
        (Status::Fail, Some(Kind::StreamNoFinish)),
        "{}",
        c.detail
    );
}

#[tokio::test]
async fn empty_choices_warn_but_azures_prelude_and_the_usage_chunk_do_not() {
    let azure = json!({"id": "", "object": "", "model": "", "choices": [], "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": {}}]});
    let usage = json!({"id": "c", "object": "chat.completion.chunk", "model": "m", "choices": [], "usage": {"prompt_tokens": 5, "completion_tokens": 1}});
    let clean = stream_check(vec![
        event(&azure),
        event(&delta("pong")),
        event(&stop()),
        event(&usage),
        b"data: [DONE]\n\n".to_vec(),
    ])
    .await;
    assert_eq!(clean.status, Status::Pass, "{}", clean.detail);
    let init = json!({"id": "c", "object": "chat.completion.chunk", "model": "m", "choices": []});
    let c = stream_check(vec![
        event(&init),
        event(&delta("pong")),
        event(&stop()),
        b"data: [DONE]\n\n".to_vec(),
    ])
    .await;
    assert_eq!(
        (c.status, c.kind),
        (Status::Warn, Some(Kind::BadResponse)),
        "{}",
        c.detail
    );
    assert!(c.detail.contains("choices: []"), "{}", c.detail);
}

#[tokio::test]
async fn a_gateway_that_refuses_additional_properties_fails_the_tools_check_naming_the_keyword() {
    let base = serve_reply(|path, body| {
        if path.ends_with("/models") {
            return models(&["gpt-4o"]);
        }
        if body["tools"].to_string().contains("additionalProperties") {
            return (
                axum::http::StatusCode::BAD_REQUEST,
                axum::Json(json!({"error": {"code": 400, "message": "Invalid JSON payload received. Unknown name \"additionalProperties\" at 'tools[0].function_declarations[0].parameters': Cannot find field.", "status": "INVALID_ARGUMENT"}})),
            )
                .into_response();
        }
        completion("gpt-4o")
    })
    .await;
    let r = probe(&[
        "--base-url",
        &base,
        "--model",
        "gpt-4o",
        "--checks",
        "chat.tools",
        "--timeout",
        "3",
    ])
    .await;
    let c = check(&r, "chat.tools");
    assert_eq!(
        (c.status, c.kind),
        (Status::Fail, Some(Kind::ParamRejected)),
        "{}",
        r.to_json()
    );
    assert_eq!(c.param.as_deref(), Some("additionalProperties"));
    assert!(
        c.hint.as_deref().unwrap_or("").contains("zod"),
        "{:?}",
        c.hint
    );
}

#[tokio::test]
async fn an_edge_timeout_names_cloudflares_limit_and_the_stream_checks_still_run() {
    const PAGE: &str = "<!DOCTYPE html><html><head><title>example.com | 524: A timeout occurred</title></head><body><h1>A timeout occurred</h1><p>Cloudflare Ray ID: 8f1c2d3e4a5b6c7d</p></body></html>";
    let base = serve_reply(|path, body| {
        if path.ends_with("/models") {
            models(&["gpt-4o"])
        } else if body["stream"] == true {
            common::sse(&[
                common::chat_chunk("gpt-4o", json!({"content": "pong"}), None),
                common::chat_chunk("gpt-4o", json!({}), Some("stop")),
            ])
        } else {
            html(524, PAGE)
        }
    })
    .await;
    let r = probe(&[
        "--base-url",
        &base,
        "--model",
        "gpt-4o",
        "--checks",
        "chat.basic,chat.stream,chat.tools",
        "--timeout",
        "3",
    ])
    .await;
    let basic = check(&r, "chat.basic");
    assert_eq!(basic.status, Status::Fail, "{}", r.to_json());
    assert!(
        basic.detail.contains("Cloudflare") && basic.detail.contains("100 s"),
        "{}",
        basic.detail
    );
    assert!(basic.detail.contains("stream"), "{}", basic.detail);
    // Streaming is the advice: whether it works is shown, not skipped.
    assert_eq!(
        check(&r, "chat.stream").status,
        Status::Pass,
        "{}",
        r.to_json()
    );
    assert_eq!(check(&r, "chat.tools").status, Status::Skip);
}

#[tokio::test]
async fn a_waf_challenge_is_blocked_not_auth_and_stops_the_probe() {
    const CHALLENGE: &str = "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body><h1>Enable JavaScript and cookies to continue</h1><script src=\"/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1\"></script></body></html>";
    let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = hits.clone();
    let base = serve_reply(move |_, _| {
        counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        html(403, CHALLENGE)
    })
    .await;
    let r = probe(&["--base-url", &base, "--model", "gpt-4o", "--timeout", "3"]).await;
    let basic = check(&r, "chat.basic");
    assert_eq!(
        (basic.status, basic.kind),
        (Status::Fail, Some(Kind::Blocked)),
        "{}",
        r.to_json()
    );
    assert!(r.checks.iter().all(|c| c.kind != Some(Kind::Auth)));
    assert!(
        basic.hint.as_deref().unwrap_or("").contains("banned"),
        "{:?}",
        basic.hint
    );
    // The rest of each route is skipped: probing a firewall again and again gets addresses banned.
    assert_eq!(check(&r, "chat.stream").status, Status::Skip);
    assert!(
        hits.load(std::sync::atomic::Ordering::Relaxed) <= 4,
        "{} requests",
        hits.load(std::sync::atomic::Ordering::Relaxed)
    );
}

/// A firewall's block page names its vendor in its own words (F5 BIG-IP ASM's default page,
/// as F5 documents it): whatever status it comes with, the probe says blocked, not a wrong
/// base URL or a server that answered something else.
#[tokio::test]
async fn a_firewall_vendor_s_block_page_is_blocked_whatever_its_status() {
    const F5_PAGE: &str = "<html><head><title>Request Rejected</title></head><body>The requested URL was rejected. Please consult with your administrator.<br><br>Your support ID is: 1234567890123456789<br><br><a href='javascript:history.back();'>[Go Back]</a></body></html>";
    for status in [200, 400, 403] {
        let base = serve_reply(move |_, _| html(status, F5_PAGE)).await;
        let r = probe(&["--base-url", &base, "--model", "gpt-4o", "--timeout", "3"]).await;
        let basic = check(&r, "chat.basic");
        assert_eq!(
            (basic.status, basic.kind),
            (Status::Fail, Some(Kind::Blocked)),
            "HTTP {status}: {}",
            r.to_json()
        );
        assert!(r.checks.iter().all(|c| c.kind != Some(Kind::Auth)));
    }
}

/// llama.cpp and single-model servers answer any id with the one model they serve: the model
/// under test answered, so nothing else ran. A typo goes unrefused (a warning), not a failure.
#[tokio::test]
async fn a_single_model_server_answering_any_id_with_the_model_under_test_is_a_warning() {
    let r = answered_as("gpt-4o").await;
    let unknown = check(&r, "chat.unknown_model");
    assert_eq!(unknown.status, Status::Warn, "{}", r.to_json());
    assert_eq!(unknown.kind, Some(Kind::ModelMismatch));
    assert!(
        unknown.detail.contains("model under test"),
        "{}",
        unknown.detail
    );
    assert_eq!(check(&r, "chat.basic").status, Status::Pass);
}
