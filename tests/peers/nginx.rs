//! `zencheck fidelity` through a real nginx (Debian's `nginx-light`, installed by `.ci/run`),
//! started here on loopback with its own configuration: one server under nginx's defaults
//! (`proxy_buffering on`, HTTP/1.0 to the upstream) and one with `proxy_buffering off` and
//! HTTP/1.1, both with a short `proxy_read_timeout` met by `--silence`; two that compress
//! (`gzip on; gzip_types text/event-stream application/json;`), one with buffering off (gzip
//! flushed chunk by chunk: faithful) and one under the defaults; and `probe`'s
//! `chat.stream_pacing` through the defaults in front of `zencheck mock`. Without an `nginx`
//! binary (`ZENCHECK_NGINX_BIN`, else on PATH or in /usr/sbin) the test is skipped, unless
//! `ZENCHECK_REQUIRE_PEERS=1` (set by CI) makes a missing peer a failure.

use crate::common::{check, free_port, verdict};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use zencheck::failure::Kind;
use zencheck::finding::Status;
use zencheck::report::Report;

fn nginx_bin() -> Option<PathBuf> {
    crate::peer_bin(
        "ZENCHECK_NGINX_BIN",
        &["nginx"],
        &["/usr/sbin"],
        "nginx-light",
    )
}

/// nginx's read timeout here: short, so that a 3 s silence meets it.
const READ_TIMEOUT: &str = "2s";

/// The configuration: server `defaults` proxies to `up_a` as nginx does unless told
/// otherwise; server `unbuffered` to `up_b` with buffering off and HTTP/1.1; server
/// `in_front` to a healthy `zencheck mock`, under the defaults; `gzipped` to `up_c`, as
/// `unbuffered` and compressing streams and JSON; `gzip_held` to `up_d`, compressing them
/// under the defaults.
fn config(dir: &std::path::Path, ports: [u16; 10]) -> String {
    let [defaults, unbuffered, up_a, up_b, in_front, mock, gzipped, up_c, gzip_held, up_d] = ports;
    let d = dir.display();
    format!(
        "master_process off; daemon off; worker_processes 1;
pid {d}/nginx.pid; error_log {d}/error.log;
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {d}/body; proxy_temp_path {d}/proxy; fastcgi_temp_path {d}/fastcgi;
  uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;
  server {{
    listen 127.0.0.1:{defaults};
    location / {{ proxy_pass http://127.0.0.1:{up_a}; proxy_read_timeout {READ_TIMEOUT}; }}
  }}
  server {{
    listen 127.0.0.1:{unbuffered};
    location / {{
      proxy_pass http://127.0.0.1:{up_b}; proxy_read_timeout {READ_TIMEOUT};
      proxy_buffering off; proxy_http_version 1.1; proxy_set_header Connection \"\";
    }}
  }}
  server {{
    listen 127.0.0.1:{gzipped};
    gzip on; gzip_types text/event-stream application/json;
    location / {{
      proxy_pass http://127.0.0.1:{up_c};
      proxy_buffering off; proxy_http_version 1.1; proxy_set_header Connection \"\";
    }}
  }}
  server {{
    listen 127.0.0.1:{gzip_held};
    gzip on; gzip_types text/event-stream application/json;
    location / {{ proxy_pass http://127.0.0.1:{up_d}; }}
  }}
  server {{
    listen 127.0.0.1:{in_front};
    location / {{ proxy_pass http://127.0.0.1:{mock}; }}
  }}
}}
"
    )
}

async fn fidelity(gateway: u16, upstream: u16) -> Report {
    fidelity_with(gateway, upstream, &["--silence", "3"]).await
}

async fn fidelity_with(gateway: u16, upstream: u16, extra: &[&str]) -> Report {
    let through = format!("http://127.0.0.1:{gateway}/v1");
    let listen = format!("127.0.0.1:{upstream}");
    let mut args = vec!["--through", &through, "--upstream-listen", &listen];
    args.extend_from_slice(extra);
    crate::common::fidelity(&args).await
}

#[tokio::test]
async fn nginx_buffering_its_http_1_0_upstream_and_its_read_timeout_are_named() {
    let _cpu = crate::CPU.read().await;
    let Some(bin) = nginx_bin() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (defaults, unbuffered, up_a, up_b) = (free_port(), free_port(), free_port(), free_port());
    let in_front = free_port();
    let (gzipped, up_c, gzip_held, up_d) = (free_port(), free_port(), free_port(), free_port());
    let mock = zencheck::mock::start(zencheck::mock::Scenario::Healthy, 0)
        .await
        .unwrap();
    let conf = dir.path().join("nginx.conf");
    let ports = [
        defaults,
        unbuffered,
        up_a,
        up_b,
        in_front,
        mock.addr.port(),
        gzipped,
        up_c,
        gzip_held,
        up_d,
    ];
    std::fs::write(&conf, config(dir.path(), ports)).unwrap();
    let child = std::process::Command::new(&bin)
        .arg("-c")
        .arg(&conf)
        .arg("-p")
        .arg(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("nginx starts");
    let _nginx = crate::Running(child);
    let until = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", unbuffered)).is_err() {
        assert!(
            Instant::now() < until,
            "nginx did not listen: {}",
            std::fs::read_to_string(dir.path().join("error.log")).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // nginx's defaults: the stream held and let go at once, a cut upstream turned into a clean
    // end (HTTP/1.0 has no terminator to miss), the read timeout met before the headers (504)
    // and mid-stream (a cut).
    let r = fidelity(defaults, up_a).await;
    assert!(
        check(&r, "fidelity.route").detail.contains("HTTP/1.0"),
        "{}",
        r.to_json()
    );
    assert_eq!(
        verdict(&r, "fidelity.pacing"),
        (Status::Warn, Some(Kind::StreamBuffered), None)
    );
    let pacing = check(&r, "fidelity.pacing");
    assert!(pacing.detail.contains("in 1 burst"), "{}", pacing.detail);
    assert!(
        pacing.detail.contains("nginx by its headers"),
        "{}",
        pacing.detail
    );
    assert!(pacing
        .hint
        .as_deref()
        .unwrap()
        .contains("proxy_buffering off"));
    assert_eq!(
        verdict(&r, "fidelity.stream_cut"),
        (
            Status::Fail,
            Some(Kind::StreamTruncated),
            Some("cut".into())
        )
    );
    assert!(check(&r, "fidelity.stream_cut")
        .hint
        .as_deref()
        .unwrap()
        .contains("proxy_http_version 1.1"));
    assert_eq!(
        verdict(&r, "fidelity.silence_headers"),
        (Status::Fail, Some(Kind::Timeout), Some("silence".into()))
    );
    assert_eq!(check(&r, "fidelity.silence_headers").http_status, Some(504));
    assert_eq!(
        verdict(&r, "fidelity.silence_stream"),
        (
            Status::Fail,
            Some(Kind::StreamTruncated),
            Some("silence".into())
        )
    );
    assert!(check(&r, "fidelity.silence_stream")
        .hint
        .as_deref()
        .unwrap()
        .contains("proxy_read_timeout"));
    // What nginx passes through untouched is not called broken.
    for id in [
        "fidelity.params",
        "fidelity.model",
        "fidelity.usage",
        "fidelity.tool_call",
        "fidelity.request_id",
        "fidelity.headers",
        "fidelity.encoding",
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

    // Buffering off and HTTP/1.1 upstream: paced as sent, a cut stays a cut; the read timeout
    // still meets the silences.
    let r = fidelity(unbuffered, up_b).await;
    assert!(
        check(&r, "fidelity.route").detail.contains("HTTP/1.1"),
        "{}",
        r.to_json()
    );
    let bad: Vec<String> = r
        .checks
        .iter()
        .filter(|c| c.status != Status::Pass)
        .map(|c| c.check.clone())
        .collect();
    assert_eq!(
        bad,
        ["fidelity.silence_headers", "fidelity.silence_stream"],
        "{}",
        r.to_json()
    );

    // gzip with buffering off: nginx flushes its compressor after each chunk, the stream
    // keeps its pace, and every compressed answer is read whole: faithful.
    let r = fidelity_with(gzipped, up_c, &[]).await;
    let bad: Vec<String> = r
        .checks
        .iter()
        .filter(|c| !matches!(c.status, Status::Pass | Status::Skip))
        .map(|c| format!("{}: {}", c.check, c.detail))
        .collect();
    assert!(bad.is_empty(), "false alarms: {bad:#?}");
    let enc = check(&r, "fidelity.encoding");
    assert!(
        enc.detail.contains("the client got gzip, decoded whole")
            && enc.detail.contains("the compressed stream kept its pace"),
        "{}",
        enc.detail
    );

    // gzip under the defaults: the compressed stream held; the fix names nginx's gzip.
    let r = fidelity_with(gzip_held, up_d, &[]).await;
    assert_eq!(
        verdict(&r, "fidelity.encoding"),
        (
            Status::Warn,
            Some(Kind::StreamBuffered),
            Some("Content-Encoding".into())
        ),
        "{}",
        check(&r, "fidelity.encoding").detail
    );
    assert!(check(&r, "fidelity.encoding")
        .hint
        .as_deref()
        .unwrap()
        .contains("gzip_types"));

    // probe alone, in front of a provider (the mock) under nginx's defaults: the 16-token
    // stream passes, the long one is named buffered.
    let r = crate::common::probe(&[
        "--base-url",
        &format!("http://127.0.0.1:{in_front}/v1"),
        "-m",
        "mock-small",
        "--checks",
        "chat.stream,chat.stream_pacing",
    ])
    .await;
    assert_eq!(
        check(&r, "chat.stream").status,
        Status::Pass,
        "{}",
        r.to_json()
    );
    let pacing = check(&r, "chat.stream_pacing");
    assert_eq!(
        (pacing.status, pacing.kind),
        (Status::Warn, Some(Kind::StreamBuffered)),
        "{}",
        r.to_json()
    );
    assert!(pacing
        .hint
        .as_deref()
        .unwrap()
        .contains("proxy_buffering off"));
}
