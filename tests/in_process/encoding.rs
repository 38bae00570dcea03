//! Compressed answers: the engine asks `Accept-Encoding: gzip, deflate` as openai-python and
//! openai-node do and decodes what comes back, so a server that gzips its answers and its
//! streams passes as one that does not; a body labelled gzip that is not, and a gzip bomb
//! (a few KiB that inflate past the caps: a hostile upstream), are named, within the caps.

use crate::common::{chat_chunk, chat_completion, check, probe, serve_app, usage};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use flate2::write::GzEncoder;
use serde_json::{json, Value};
use std::io::Write;
use std::time::{Duration, Instant};
use zencheck::failure::Kind;
use zencheck::finding::Status;

fn gzip(b: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(b).unwrap();
    e.finish().unwrap()
}

/// What the server does with its answers.
#[derive(Clone, Copy)]
enum Way {
    /// Gzips them when asked, each stream event flushed through the compressor as it goes.
    Gzip,
    /// Labels its plain answers gzip.
    Mislabelled,
    /// Answers with a few KiB of gzip that inflate to 64 MiB.
    Bomb,
}

fn stream_frames() -> Vec<String> {
    let mut frames: Vec<String> = ["Hel", "lo", " there"]
        .iter()
        .map(|t| format!("data: {}\n\n", chat_chunk("m", json!({"content": t}), None)))
        .collect();
    frames.push(format!(
        "data: {}\n\n",
        chat_chunk("m", json!({}), Some("stop"))
    ));
    frames.push("data: [DONE]\n\n".to_string());
    frames
}

fn bomb() -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), flate2::Compression::fast());
    // Events of 512 KiB: neither a body nor a stream ends before its byte cap.
    let mut event = b"data: ".to_vec();
    event.extend_from_slice(&[b'x'; 512 << 10]);
    event.extend_from_slice(b"\n\n");
    for _ in 0..128 {
        e.write_all(&event).unwrap();
    }
    e.finish().unwrap()
}

async fn server(way: Way) -> String {
    let bomb = std::sync::Arc::new(bomb());
    let app = axum::Router::new()
        .route(
            "/v1/models",
            get(|| async {
                axum::Json(json!({"object": "list", "data": [{"id": "m", "object": "model"}]}))
            }),
        )
        .route(
            "/v1/chat/completions",
            post(move |headers: HeaderMap, body: axum::Json<Value>| {
                let bomb = bomb.clone();
                async move {
                    let asked = headers
                        .get("accept-encoding")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_string();
                    let stream = body.get("stream") == Some(&json!(true));
                    let ct = if stream {
                        "text/event-stream"
                    } else {
                        "application/json"
                    };
                    let plain = if stream {
                        stream_frames().concat().into_bytes()
                    } else {
                        let message = json!({"role": "assistant", "content": "pong"});
                        chat_completion("m", message, "stop", usage(5, 1))
                            .to_string()
                            .into_bytes()
                    };
                    let body = match way {
                        Way::Gzip if !asked.contains("gzip") => {
                            return ([("content-type", ct)], plain).into_response()
                        }
                        Way::Gzip if stream => {
                            // One gzip stream, flushed after each event, sent event by event.
                            let mut e = GzEncoder::new(Vec::new(), flate2::Compression::fast());
                            let mut parts = Vec::new();
                            for f in stream_frames() {
                                e.write_all(f.as_bytes()).unwrap();
                                e.flush().unwrap();
                                parts.push(std::mem::take(e.get_mut()));
                            }
                            parts.push(e.finish().unwrap());
                            let s = futures_util::stream::iter(
                                parts.into_iter().map(Ok::<_, std::io::Error>),
                            );
                            axum::body::Body::from_stream(s)
                        }
                        Way::Gzip => gzip(&plain).into(),
                        Way::Mislabelled => plain.into(),
                        Way::Bomb => bomb.to_vec().into(),
                    };
                    Response::builder()
                        .header("content-type", ct)
                        .header("content-encoding", "gzip")
                        .body(body)
                        .unwrap()
                }
            }),
        );
    format!("http://{}/v1", serve_app(app).await)
}

async fn probe_way(way: Way) -> zencheck::report::Report {
    let url = server(way).await;
    probe(&[
        "--base-url",
        &url,
        "-m",
        "m",
        "--checks",
        "chat.basic,chat.stream",
    ])
    .await
}

#[tokio::test]
async fn gzipped_answers_and_streams_are_read_as_plain_ones() {
    let r = probe_way(Way::Gzip).await;
    for id in ["chat.basic", "chat.stream"] {
        assert_eq!(check(&r, id).status, Status::Pass, "{}", r.to_json());
    }
}

#[tokio::test]
async fn a_body_labelled_gzip_that_is_not_is_named() {
    let r = probe_way(Way::Mislabelled).await;
    let basic = check(&r, "chat.basic");
    assert_eq!(
        (basic.status, basic.kind),
        (Status::Fail, Some(Kind::BadResponse)),
        "{}",
        r.to_json()
    );
    assert!(
        basic
            .detail
            .contains("the answer says Content-Encoding: gzip, but its body is not gzip"),
        "{}",
        basic.detail
    );
    assert!(basic
        .hint
        .as_deref()
        .unwrap()
        .contains("must drop the upstream's Content-Encoding"));
    let stream = check(&r, "chat.stream");
    assert_ne!(stream.status, Status::Pass, "{}", r.to_json());
}

#[tokio::test]
async fn a_gzip_bomb_meets_the_caps_quickly() {
    let started = Instant::now();
    let r = probe_way(Way::Bomb).await;
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    let basic = check(&r, "chat.basic");
    assert_eq!(basic.status, Status::Fail, "{}", r.to_json());
    assert!(
        basic.detail.contains("larger than the 4194304 byte cap"),
        "{}",
        basic.detail
    );
    let stream = check(&r, "chat.stream");
    assert_ne!(stream.status, Status::Pass, "{}", r.to_json());
    assert!(
        stream.detail.contains("8388608"),
        "the stream cap is named: {}",
        stream.detail
    );
}
