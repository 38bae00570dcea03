//! `zencheck explain` on hostile pastes: the real binary, fed bytes on stdin.

use assert_cmd::Command;
use proptest::prelude::*;
use serde_json::Value;
use zencheck::classify::{classify, classify_words, parse_error_body, KNOWN_PARAMS};
use zencheck::cmd::explain::{explain, INPUT_CAP};

fn run(stdin: Vec<u8>, args: &[&str]) -> (Option<i32>, String) {
    let out = Command::cargo_bin("zencheck")
        .unwrap()
        .arg("explain")
        .args(args)
        .write_stdin(stdin)
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).to_string(),
    )
}

#[test]
fn invalid_utf8_on_stdin_is_read_lossily() {
    let mut paste = b"HTTP/1.1 401 Unauthorized\n{\"error\":{\"message\":\"Incorrect API key \xff\xfe provided\"}}".to_vec();
    paste.push(0xc3);
    let (code, out) = run(paste, &[]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("kind:    auth"), "{out}");
}

#[test]
fn non_ascii_around_the_status_window_does_not_panic() {
    // Byte 200, where the status search stops, falls inside a 3-byte char.
    let text = format!("429 {}", "请求过于频繁，请稍后再试".repeat(12));
    let (code, out) = run(text.into_bytes(), &[]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("rate_limit"), "{out}");
}

#[test]
fn a_paste_over_the_cap_is_cut_and_says_so() {
    let mut paste = b"Error code: 429 - {'error': {'message': 'Rate limit reached', 'code': 'rate_limit_exceeded'}}\n".to_vec();
    paste.resize(INPUT_CAP + 10_000, b'y');
    let (code, out) = run(paste, &["--format", "json"]);
    assert_eq!(code, Some(0));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["input_truncated"], Value::Bool(true));
    assert!(v["detail"].as_str().unwrap().contains("input cut at"));
}

#[test]
fn keys_in_the_paste_are_masked_in_every_format() {
    let paste = "openai.AuthenticationError: Error code: 401 - {'error': {'message': 'Incorrect API key provided: sk-proj-AbCdEf0123456789XyZ. You can find your API key at https://platform.openai.com/account/api-keys.', 'type': 'invalid_request_error', 'param': None, 'code': 'invalid_api_key'}}\nAuthorization: Bearer abcdefghijklmnopqrstuvwxyz012345";
    for args in [&[][..], &["--format", "json"][..]] {
        let (code, out) = run(paste.as_bytes().to_vec(), args);
        assert_eq!(code, Some(0));
        assert!(!out.contains("AbCdEf0123456789XyZ"), "{out}");
        assert!(!out.contains("abcdefghijklmnop"), "{out}");
        assert!(out.contains("auth"), "{out}");
    }
}

#[test]
fn terminal_escapes_in_a_paste_do_not_reach_the_terminal() {
    let (_, out) = run(
        b"500 {\"error\":{\"message\":\"boom \x1b[2J\x1b]0;pwned\x07\"}}".to_vec(),
        &[],
    );
    assert!(!out.contains('\x1b') && !out.contains('\x07'), "{out:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic_the_classifier(bytes in proptest::collection::vec(any::<u8>(), 0..600), status in 0u16..700) {
        let b = parse_error_body(None, &bytes);
        let _ = classify(status, &b, KNOWN_PARAMS);
        let _ = classify_words(&b);
        let _ = explain(&String::from_utf8_lossy(&bytes), None);
    }

    #[test]
    fn arbitrary_text_never_panics_explain(s in "\\PC{0,400}") {
        let _ = explain(&s, None);
        let _ = explain(&format!("HTTP/1.1 400 Bad\n{{\"error\":{{\"message\":\"{s}\"}}}}"), None);
        let _ = explain(&format!("Error code: 400 - {{'error': {{'message': \"{s}\", 'param': None}}}}"), None);
        let _ = explain(&format!("data: {s}\n\ndata: [DONE]"), None);
        let _ = explain(&format!("<html><title>{s}</title></html>"), None);
        // The readers of ids, header dumps, Go field paths and quoted statuses.
        let _ = explain(&format!("The model `{s}` of account {s} not found; model: {s} {{\"Authorization\", \"Bearer {s}"), None);
        let _ = explain(&format!("HTTP 500 Request failed with status code {s} into Go struct field X.{s}.{s} of type string"), None);
        let _ = explain(&format!("TooManyRequests{s} reason: :closed {s} not allowed on {s}"), None);
    }

    #[test]
    fn text_with_structure_characters_never_panics(s in "[ -~éü中😀\\n{}<>'\":\\[\\]]{0,300}") {
        let _ = explain(&s, None);
        let b = parse_error_body(Some("text/html"), s.as_bytes());
        let _ = classify(404, &b, &["tools"]);
    }
}

#[test]
fn markdown_is_a_ticket_ready_block_and_only_supported_formats_are_offered() {
    let paste = r#"Error code: 401 - {'error': {'message': 'Incorrect API key provided: see [docs](http://evil/) ![x](http://evil/p.png)', 'type': 'invalid_request_error', 'code': 'invalid_api_key'}}"#;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_zencheck"))
        .args(["explain", "--format", "markdown", paste])
        .output()
        .unwrap();
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{md}");
    assert!(md.starts_with("#### zencheck explain: `auth`"), "{md}");
    assert!(md.contains("| fix |"), "{md}");
    assert!(
        !md.contains("[docs](http") && !md.contains("![x](http"),
        "{md}"
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_zencheck"))
        .args(["explain", "--format", "junit", paste])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
