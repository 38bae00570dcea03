//! `zencheck fidelity` through two small gateways written here on 127.0.0.1: a transparent
//! one, which must get a clean pass (no false alarm from re-chunking, its own `Date` or
//! `Connection`), and a hostile one that strips `stream_options` and `tool_choice`, turns
//! the upstream's 429 into a 500 without `Retry-After`, and swallows a mid-stream error (or
//! a cut) into a clean end; and three that compress: one that gzips every answer and flushes
//! after each stream chunk (faithful: no false alarm), one whose compressor holds the stream
//! (buffered, and named for its compression), one that labels plain bodies gzip. Each case
//! asserts the specific finding, or its absence.

use crate::common::{assert_valid, check, fidelity, free_port, verdict};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::response::Response;
use futures_util::StreamExt;
use serde_json::Value;
use std::sync::Arc;
use zencheck::failure::Kind;
use zencheck::finding::Status;
use zencheck::report::Report;

/// How the gateway written here treats what passes through it.
#[derive(Clone, Copy, PartialEq)]
enum Manner {
    Transparent,
    Hostile,
    /// Gzips every answer, flushing its compressor after each upstream chunk.
    GzipFlushed,
    /// Gzips every answer with a compressor that is flushed only at the end.
    GzipHeld,
    /// Says `Content-Encoding: gzip` of bodies it passes on plain.
    Mislabelled,
}

/// `body` gzipped as it passes: each chunk flushed through the compressor (`flush`), or held
/// by it until the end.
fn gzipped(
    body: impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static,
    flush: bool,
) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    use flate2::write::GzEncoder;
    use std::io::Write;
    use std::sync::Mutex;
    let enc = Arc::new(Mutex::new(Some(GzEncoder::new(
        Vec::new(),
        flate2::Compression::fast(),
    ))));
    let last = enc.clone();
    let each = body.map(move |c| {
        c.map(|b| {
            let mut g = enc.lock().unwrap();
            let g = g.as_mut().unwrap();
            g.write_all(&b).unwrap();
            if flush {
                g.flush().unwrap();
            }
            Bytes::from(std::mem::take(g.get_mut()))
        })
    });
    let end = futures_util::stream::once(async move {
        let g = last.lock().unwrap().take().unwrap();
        Ok(Bytes::from(g.finish().unwrap()))
    });
    each.chain(end)
}

struct Gw {
    upstream: String,
    client: reqwest::Client,
    manner: Manner,
}

async fn gateway(manner: Manner, upstream_port: u16) -> std::net::SocketAddr {
    let gw = Arc::new(Gw {
        upstream: format!("http://127.0.0.1:{upstream_port}"),
        client: reqwest::Client::builder().no_proxy().build().unwrap(),
        manner,
    });
    let app = axum::Router::new().fallback(forward).with_state(gw);
    crate::common::serve_app(app).await
}

const HOP: &[&str] = &[
    "host",
    "content-length",
    "connection",
    "transfer-encoding",
    "keep-alive",
];

async fn forward(State(gw): State<Arc<Gw>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let mut bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap();
    if gw.manner == Manner::Hostile {
        if let Ok(mut v) = serde_json::from_slice::<Value>(&bytes) {
            if let Some(o) = v.as_object_mut() {
                o.remove("stream_options");
                o.remove("tool_choice");
            }
            // And inside the messages: each text part's cache_control.
            for m in v["messages"].as_array_mut().into_iter().flatten() {
                for part in m["content"].as_array_mut().into_iter().flatten() {
                    if let Some(p) = part.as_object_mut() {
                        p.remove("cache_control");
                    }
                }
            }
            bytes = Bytes::from(v.to_string());
        }
    }
    let mut rb = gw
        .client
        .request(
            parts.method.clone(),
            format!("{}{}", gw.upstream, parts.uri.path()),
        )
        .body(bytes);
    for (n, v) in &parts.headers {
        if !HOP.contains(&n.as_str()) {
            rb = rb.header(n, v);
        }
    }
    let Ok(up) = rb.send().await else {
        return Response::builder()
            .status(502)
            .body(Body::from("bad gateway"))
            .unwrap();
    };
    let status = up.status();
    if gw.manner == Manner::Hostile && status.as_u16() == 429 {
        return Response::builder()
            .status(500)
            .header("content-type", "application/json")
            .body(Body::from(r#"{"error":{"message":"An error occurred"}}"#))
            .unwrap();
    }
    let mut out = Response::builder().status(status);
    for (n, v) in up.headers() {
        if !HOP.contains(&n.as_str()) {
            out = out.header(n, v);
        }
    }
    let stream = up
        .headers()
        .get("content-type")
        .is_some_and(|c| c.as_bytes().starts_with(b"text/event-stream"));
    let hostile = gw.manner == Manner::Hostile && stream;
    // The hostile one ends a stream cleanly at its first error event, or at a cut.
    let body = up
        .bytes_stream()
        .take_while(move |c| {
            let go = match c {
                Ok(b) => !(hostile && String::from_utf8_lossy(b).contains("\"error\"")),
                Err(_) => !hostile,
            };
            std::future::ready(go)
        })
        .map(|c| c.map_err(std::io::Error::other));
    match gw.manner {
        Manner::GzipFlushed | Manner::GzipHeld => {
            out = out.header("content-encoding", "gzip");
            let flush = gw.manner == Manner::GzipFlushed;
            out.body(Body::from_stream(gzipped(body, flush))).unwrap()
        }
        Manner::Mislabelled => out
            .header("content-encoding", "gzip")
            .body(Body::from_stream(body))
            .unwrap(),
        Manner::Transparent | Manner::Hostile => out.body(Body::from_stream(body)).unwrap(),
    }
}

async fn run(manner: Manner, extra: &[&str]) -> Report {
    let port = free_port();
    let gw = gateway(manner, port).await;
    let through = format!("http://{gw}/v1");
    let listen = format!("127.0.0.1:{port}");
    let mut args = vec![
        "--through",
        through.as_str(),
        "--upstream-listen",
        listen.as_str(),
        "-m",
        "my-alias",
    ];
    args.extend_from_slice(extra);
    let r = fidelity(&args).await;
    assert_valid(&serde_json::from_str(&r.to_json()).unwrap());
    r
}

#[tokio::test]
async fn a_transparent_gateway_passes_every_aspect() {
    let r = run(Manner::Transparent, &["--silence", "1"]).await;
    let bad: Vec<String> = r
        .checks
        .iter()
        .filter(|c| c.status != Status::Pass)
        .map(|c| format!("{}: {:?} {}", c.check, c.status, c.detail))
        .collect();
    assert!(bad.is_empty(), "false alarms: {bad:#?}");
    assert!(r.checks.iter().all(|c| c.check.starts_with("fidelity.")));
    assert_eq!(r.checks.len(), 17);
    let enc = check(&r, "fidelity.encoding");
    assert!(
        enc.detail
            .contains("the client asked Accept-Encoding: gzip, deflate")
            && enc.detail.contains("the client got none"),
        "{}",
        enc.detail
    );
    assert!(!r.failed());
    // What the rows say, with both sides.
    let pacing = check(&r, "fidelity.pacing");
    assert!(pacing.detail.contains("in 8 bursts"), "{}", pacing.detail);
    assert!(check(&r, "fidelity.model").detail.contains("`my-alias`"));
    assert!(check(&r, "fidelity.status")
        .detail
        .contains("429 reached the client as 429"));
}

#[tokio::test]
async fn a_hostile_gateway_is_named_for_each_thing_it_changed() {
    let r = run(Manner::Hostile, &[]).await;
    let params = check(&r, "fidelity.params");
    assert_eq!(
        (params.status, params.kind),
        (Status::Fail, Some(Kind::GatewayAltered)),
        "{}",
        params.detail
    );
    assert!(
        params.detail.contains("stream_options")
            && params.detail.contains("tool_choice")
            && params
                .detail
                .contains("messages[0].content[0].cache_control"),
        "{}",
        params.detail
    );
    assert!(params
        .hint
        .as_deref()
        .unwrap()
        .contains("forward the client's JSON body whole"));
    assert_eq!(
        verdict(&r, "fidelity.status"),
        (
            Status::Fail,
            Some(Kind::GatewayAltered),
            Some("status".into())
        )
    );
    assert!(check(&r, "fidelity.status")
        .detail
        .contains("the upstream answered 429 (rate limited); the client got HTTP 500"));
    assert_eq!(check(&r, "fidelity.status").http_status, Some(500));
    assert_eq!(
        verdict(&r, "fidelity.retry_after"),
        (
            Status::Warn,
            Some(Kind::GatewayAltered),
            Some("Retry-After".into())
        )
    );
    assert_eq!(
        verdict(&r, "fidelity.stream_error"),
        (
            Status::Fail,
            Some(Kind::StreamTruncated),
            Some("error".into())
        )
    );
    assert!(check(&r, "fidelity.stream_error")
        .detail
        .contains("swallowed"));
    assert_eq!(
        verdict(&r, "fidelity.stream_cut"),
        (
            Status::Fail,
            Some(Kind::StreamTruncated),
            Some("cut".into())
        )
    );
    // What it left alone is not called broken.
    for id in [
        "fidelity.route",
        "fidelity.model",
        "fidelity.pacing",
        "fidelity.stream_end",
        "fidelity.request_id",
        "fidelity.error_message",
        "fidelity.headers",
        "fidelity.tool_call",
        "fidelity.usage",
    ] {
        assert_eq!(
            check(&r, id).status,
            Status::Pass,
            "{id}: {}",
            check(&r, id).detail
        );
    }
    for id in ["fidelity.silence_headers", "fidelity.silence_stream"] {
        assert_eq!(check(&r, id).status, Status::Skip, "{id}");
    }
    assert!(r.failed());
}

#[tokio::test]
async fn a_gateway_that_routes_elsewhere_is_told_where_to_point() {
    // A server that answers for itself and never calls the upstream.
    let app = axum::Router::new().fallback(|| async {
        (
            axum::http::StatusCode::BAD_REQUEST,
            [("content-type", "application/json")],
            r#"{"error":{"message":"Invalid model name passed in model=my-alias","type":"invalid_request_error","code":"400"}}"#,
        )
    });
    let gw = crate::common::serve_app(app).await;
    let port = free_port();
    let through = format!("http://{gw}/v1");
    let listen = format!("127.0.0.1:{port}");
    let r = fidelity(&[
        "--through",
        &through,
        "--upstream-listen",
        &listen,
        "-m",
        "my-alias",
    ])
    .await;
    let route = check(&r, "fidelity.route");
    assert_eq!(route.status, Status::Fail);
    assert!(
        route
            .detail
            .contains(&format!("point the gateway at http://{listen}/v1")),
        "{}",
        route.detail
    );
    assert!(r
        .checks
        .iter()
        .filter(|c| c.check != "fidelity.route")
        .all(|c| c.status == Status::Skip));
}

#[tokio::test]
async fn a_gateway_that_gzips_and_flushes_each_chunk_is_faithful() {
    let r = run(Manner::GzipFlushed, &[]).await;
    let bad: Vec<String> = r
        .checks
        .iter()
        .filter(|c| c.status != Status::Pass && c.status != Status::Skip)
        .map(|c| format!("{}: {:?} {}", c.check, c.status, c.detail))
        .collect();
    assert!(bad.is_empty(), "false alarms: {bad:#?}");
    let enc = check(&r, "fidelity.encoding");
    assert!(
        enc.detail
            .contains("the answer: the upstream sent Content-Encoding none (asked for gzip, deflate); the client got gzip, decoded whole")
            && enc.detail.contains("the compressed stream kept its pace"),
        "{}",
        enc.detail
    );
    assert!(check(&r, "fidelity.pacing").detail.contains("in 8 bursts"));
}

#[tokio::test]
async fn a_gateway_whose_compressor_holds_the_stream_is_named_for_it() {
    let r = run(Manner::GzipHeld, &[]).await;
    assert_eq!(
        verdict(&r, "fidelity.encoding"),
        (
            Status::Warn,
            Some(Kind::StreamBuffered),
            Some("Content-Encoding".into())
        )
    );
    let enc = check(&r, "fidelity.encoding");
    assert!(
        enc.detail
            .contains("the gateway compressed the stream (gzip)"),
        "{}",
        enc.detail
    );
    assert!(enc
        .hint
        .as_deref()
        .unwrap()
        .contains("flush the compressor after each event"));
    let pacing = check(&r, "fidelity.pacing");
    assert_eq!(pacing.kind, Some(Kind::StreamBuffered), "{}", pacing.detail);
    assert!(
        pacing
            .detail
            .contains("the stream came compressed (Content-Encoding: gzip)"),
        "{}",
        pacing.detail
    );
    // The compressed answers themselves are read whole: nothing else is called broken.
    for id in [
        "fidelity.route",
        "fidelity.params",
        "fidelity.model",
        "fidelity.usage",
        "fidelity.tool_call",
        "fidelity.request_id",
        "fidelity.headers",
        "fidelity.stream_end",
        "fidelity.stream_error",
        "fidelity.status",
        "fidelity.retry_after",
        "fidelity.error_message",
    ] {
        assert_eq!(
            check(&r, id).status,
            Status::Pass,
            "{id}: {}",
            check(&r, id).detail
        );
    }
}

#[tokio::test]
async fn a_gateway_that_labels_plain_bodies_gzip_is_named_for_it() {
    let r = run(Manner::Mislabelled, &[]).await;
    assert_eq!(
        verdict(&r, "fidelity.encoding"),
        (
            Status::Fail,
            Some(Kind::GatewayAltered),
            Some("Content-Encoding".into())
        )
    );
    let enc = check(&r, "fidelity.encoding");
    assert!(
        enc.detail.contains("the client got Content-Encoding: gzip")
            && enc.detail.contains("but its body is not gzip"),
        "{}",
        enc.detail
    );
    assert!(enc
        .hint
        .as_deref()
        .unwrap()
        .contains("must drop the upstream's Content-Encoding"));
    assert!(r.failed());
}
