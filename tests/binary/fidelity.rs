//! `zencheck fidelity` as a user runs it: exit codes as for `probe` (2 for a bad
//! `--upstream-listen` or `--silence`, 3 when the upstream's port is taken, 1 when the
//! gateway fails a row), and a JSON report valid against the schema.

use crate::common::{assert_valid, free_port};
use assert_cmd::Command;

fn zencheck() -> Command {
    let mut c = Command::cargo_bin("zencheck").unwrap();
    c.env_remove("ZENCHECK_TIMEOUT")
        .env_remove("ZENCHECK_FORMAT");
    c
}

#[test]
fn usage_errors_exit_2_and_a_taken_port_exits_3() {
    let out = zencheck()
        .args(["fidelity", "--through", "http://127.0.0.1:9/v1"])
        .args(["--upstream-listen", "no-port-here"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--upstream-listen takes HOST:PORT"));
    let out = zencheck()
        .args(["fidelity", "--through", "http://127.0.0.1:9/v1"])
        .args(["--upstream-listen", "127.0.0.1:0", "--silence", "-1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = zencheck()
        .args(["fidelity", "--through", "http://127.0.0.1:9/v1"])
        .args(["--upstream-listen", &addr])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{out:?}");
}

#[test]
fn a_gateway_that_is_not_there_fails_the_route_with_a_valid_json_report() {
    let listen = format!("127.0.0.1:{}", free_port());
    let through = format!("http://127.0.0.1:{}/v1", free_port());
    let out = zencheck()
        .args([
            "fidelity",
            "--through",
            &through,
            "--upstream-listen",
            &listen,
        ])
        .args(["--format", "json", "--timeout", "3"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid(&v);
    let route = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "fidelity.route")
        .unwrap();
    assert_eq!(route["status"], "fail");
    assert_eq!(route["kind"], "network");
    assert!(route["detail"]
        .as_str()
        .unwrap()
        .contains("is the gateway's URL right (--through)?"));
}

#[test]
fn verbose_and_trace_show_each_act_through_the_gateway_without_its_key() {
    // The upstream answering for itself: the most faithful gateway there is.
    let listen = format!("127.0.0.1:{}", free_port());
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("fidelity.jsonl");
    let out = zencheck()
        .args(["fidelity", "--through", &format!("http://{listen}/v1")])
        .args(["--upstream-listen", &listen, "--format", "json", "-v"])
        .args(["-H", "Authorization: Bearer sk-gateway-secret-0123456789"])
        .arg("--trace")
        .arg(&trace)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("POST") && stderr.contains("/v1/chat/completions"),
        "{stderr}"
    );
    let text = std::fs::read_to_string(&trace).unwrap();
    assert!(!text.contains("sk-gateway-secret") && !stderr.contains("sk-gateway-secret"));
    let records: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Every act's request, named by its act; the stream's frames too.
    for act in [
        "basic",
        "stream",
        "rate-limit",
        "bad-param",
        "stream-error",
        "stream-cut",
    ] {
        let name = format!("fidelity act {act}");
        assert!(
            records
                .iter()
                .any(|r| r["type"] == "request" && r["check"] == name.as_str()),
            "{name}: {text}"
        );
    }
    assert!(records
        .iter()
        .any(|r| r["type"] == "sse" && r["check"] == "fidelity act stream"));
}
