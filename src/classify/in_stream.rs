//! An error event inside a 200 stream, read the way an error answer is read.
//!
//! A server that has sent its 200 and its headers can only report a failure in the body:
//! OpenAI's `data: {"error":{…}}`, Anthropic's `event: error` with `{"type":"error",
//! "error":{"type":"rate_limit_error",…}}`, a `/responses` stream's `response.failed`. What
//! the event says is as specific as any error body: a rate limit, a context overflow, a
//! content filter or a quota inside the stream each want their own fix, while an overloaded
//! or failing upstream is what `stream_error` already says. The probe's stream judges
//! (`check::stream::error_event`) and `zencheck explain` on a pasted transcript both read
//! the event here, through the envelope and [`super::decide_at`], so the two agree.

use super::{decide_at, parse_error_body, Classification, ErrorBody};
use crate::failure::Kind;
use serde_json::Value;

/// What an error event said.
#[derive(Debug, Clone)]
pub struct EventError {
    /// The event's data read as an error body (its message, type, code and tags).
    pub body: ErrorBody,
    /// The kind its own words name, when it names one more specific than `stream_error`
    /// (see [`names_more`]); `None` leaves the event a `stream_error`.
    pub verdict: Option<Classification>,
}

impl EventError {
    /// The server's message, or the data itself (capped) when no message field was found.
    pub fn message(&self, data: &str) -> String {
        self.body
            .message
            .clone()
            .unwrap_or_else(|| crate::fit::excerpt(data, 200))
    }
}

/// An event that reports an error instead of a chunk, in any of the shapes servers use
/// inside a 200 stream: OpenAI's `{"error":…}`, `{"type":"error",…}`, vLLM's
/// `{"object":"error","message":…}`, OpenRouter's chunk with `finish_reason:"error"` and an
/// `error` member, FastAPI's `{"detail":…}`, a bare `{"message":…,"code":…}`.
pub fn is_error_event(v: &Value) -> bool {
    let is = |k: &str, want: &str| v.get(k).and_then(Value::as_str) == Some(want);
    let choices = v.get("choices").and_then(Value::as_array);
    let chunk_like = choices.is_some() || v.get("id").is_some() || v.get("object").is_some();
    v.get("error")
        .is_some_and(|e| !e.is_null() && e != &Value::Bool(false))
        || is("object", "error")
        || is("type", "error")
        || choices.is_some_and(|cs| {
            cs.iter()
                .any(|c| c.get("finish_reason").and_then(Value::as_str) == Some("error"))
        })
        || (!chunk_like
            && (v.get("detail").is_some()
                || v.get("message").is_some_and(Value::is_string)
                    && (v.get("code").is_some() || v.get("type").is_some())))
        // A relay's frame that wraps its upstream's event: `{"type": …, "data": {"error": {…}}}`.
        || v
            .get("data")
            .and_then(|d| d.get("error"))
            .is_some_and(|e| e.is_object() || e.is_string())
}

/// The data of the first error event among `(event name, data)` pairs, in any of the shapes
/// the stream judges read as one (`event: error`, an error object, `response.failed`).
pub fn first_error_event<'a>(events: impl Iterator<Item = (&'a str, &'a str)>) -> Option<&'a str> {
    events
        .map(|(e, d)| (e, d.trim()))
        .find(|(event, data)| {
            let v = serde_json::from_str::<Value>(data).ok();
            let failed = v
                .as_ref()
                .and_then(|v| v.get("type"))
                .and_then(Value::as_str)
                == Some("response.failed");
            *event == "error" || failed || v.as_ref().is_some_and(is_error_event)
        })
        .map(|(_, d)| d)
}

/// The data of the first event that is not JSON but opens as an error object does
/// (`{"error": …`, `{"type": "error"…`): an error event whose JSON is broken, in a server's
/// stream or in a copy of it. Its words are still read (the envelope reads loosely); a
/// client reading the stream fails on it as malformed.
pub fn first_broken_error_frame<'a>(
    events: impl Iterator<Item = (&'a str, &'a str)>,
) -> Option<&'a str> {
    events.map(|(_, d)| d.trim()).find(|data| {
        let opens: String = data
            .chars()
            .filter(|c| !c.is_whitespace())
            .take(24)
            .collect::<String>()
            .to_ascii_lowercase();
        // Or an error object one level in, as a relay wraps its upstream's event.
        let nested: String = data
            .chars()
            .filter(|c| !c.is_whitespace())
            .take(400)
            .collect();
        serde_json::from_str::<Value>(data).is_err()
            && (opens.starts_with("{\"error\":")
                || opens.starts_with("{\"type\":\"error\"")
                || nested.contains("\"data\":{\"error\":{"))
            && parse_error_body(Some("application/json"), data.as_bytes())
                .message
                .is_some()
    })
}

/// Read an error event's data. `sent` lists the parameters the request carried (only those
/// can be blamed; the probe's stream folds pass none, `explain` the known ones).
pub fn read(data: &str, sent: &[&str]) -> EventError {
    let data = data.trim();
    // A `/responses` stream carries its error under `response.error`: read that object as
    // the body, so its code counts as the error's code.
    let inner = serde_json::from_str::<Value>(data).ok().and_then(|v| {
        v.pointer("/response/error")
            .filter(|e| e.is_object())
            .map(|e| serde_json::json!({ "error": e }).to_string())
    });
    let body = parse_error_body(
        Some("application/json"),
        inner.as_deref().unwrap_or(data).as_bytes(),
    );
    let verdict = decide_at(None, &body, sent, "", None).filter(names_more);
    EventError { body, verdict }
}

/// A verdict that says more than `stream_error`: a cause with its own fix, read from the
/// event's code or message. An upstream that failed, was overloaded or timed out, or a
/// request the server could not take for a reason it does not name, is what `stream_error`
/// already says; a word root alone is too thin to replace it.
pub fn names_more(v: &Classification) -> bool {
    v.rule != "word_root" && names_more_kind(v.kind)
}

/// The kinds that say more than `stream_error` (see [`names_more`]).
pub fn names_more_kind(k: Kind) -> bool {
    matches!(
        k,
        Kind::RateLimit
            | Kind::Billing
            | Kind::Auth
            | Kind::AccessDenied
            | Kind::ModelNotFound
            | Kind::ParamRejected
            | Kind::ContextOverflow
            | Kind::ContentFilter
            | Kind::RequestTooLarge
            | Kind::ToolCallMalformed
            | Kind::OutputLength
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::KNOWN_PARAMS;

    fn kind(data: &str) -> Option<Kind> {
        read(data, KNOWN_PARAMS).verdict.map(|v| v.kind)
    }

    #[test]
    fn a_relay_s_frame_that_wraps_an_upstream_error_is_an_error_event() {
        let v: Value = serde_json::from_str(
            r#"{"type":"chat:completion","data":{"error":{"detail":"blocked"},"done":true}}"#,
        )
        .unwrap();
        assert!(is_error_event(&v));
        let chunk: Value =
            serde_json::from_str(r#"{"type":"chat:completion","data":{"delta_content":"hi"}}"#)
                .unwrap();
        assert!(!is_error_event(&chunk));
        // Its JSON cut short, it is still read as an error frame.
        let cut = r#"{"type":"chat:completion","data":{"error":{"detail":"Content Security Warning: inappropriate content."},"done":true"#;
        assert_eq!(first_broken_error_frame([("", cut)].into_iter()), Some(cut));
    }

    #[test]
    fn an_event_naming_its_cause_is_read_as_that_cause() {
        // Shapes from the providers' documentation: OpenAI's error object with its code
        // (platform.openai.com/docs/guides/error-codes), Anthropic's streamed error event
        // (docs.anthropic.com/en/api/messages-streaming#error-events, errors page types).
        assert_eq!(
            kind(
                r#"{"error":{"message":"Rate limit reached for gpt-4o in organization org-x on tokens per min (TPM): Limit 30000, Used 30000, Requested 200. Please try again in 400ms.","type":"tokens","code":"rate_limit_exceeded"}}"#
            ),
            Some(Kind::RateLimit)
        );
        assert_eq!(
            kind(
                r#"{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"}}"#
            ),
            Some(Kind::RateLimit)
        );
        assert_eq!(
            kind(
                r#"{"error":{"message":"This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.","type":"invalid_request_error","code":"context_length_exceeded"}}"#
            ),
            Some(Kind::ContextOverflow)
        );
        assert_eq!(
            kind(
                r#"{"error":{"message":"You exceeded your current quota, please check your plan and billing details.","type":"insufficient_quota","code":"insufficient_quota"}}"#
            ),
            Some(Kind::Billing)
        );
    }

    #[test]
    fn a_failing_or_overloaded_upstream_stays_a_stream_error() {
        for data in [
            r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
            r#"{"error":{"message":"upstream overloaded","type":"server_error"}}"#,
            r#"{"object":"error","message":"CUDA out of memory","type":"InternalServerError","code":500}"#,
            "something went wrong",
            r#"{"error":{"message":"boom"}}"#,
        ] {
            assert_eq!(kind(data), None, "{data}");
        }
    }

    #[test]
    fn error_events_are_found_in_their_shapes_and_a_broken_one_by_how_it_opens() {
        let events = [
            ("", r#"{"choices":[{"delta":{"content":"po"}}]}"#),
            ("", r#"{"error":{"message":"boom","type":"server_error"}"#),
            ("", r#"{"object":"error","message":"late","code":500}"#),
        ];
        assert_eq!(
            first_error_event(events.iter().copied()),
            Some(r#"{"object":"error","message":"late","code":500}"#)
        );
        assert_eq!(
            first_broken_error_frame(events.iter().copied()),
            Some(r#"{"error":{"message":"boom","type":"server_error"}"#)
        );
        // A broken chunk is no error frame.
        let chunk = [("", r#"{"choices":[{"delta":{"content":"po"}"#)];
        assert_eq!(first_broken_error_frame(chunk.iter().copied()), None);
        assert_eq!(
            first_error_event([("error", "Overloaded")].iter().copied()),
            Some("Overloaded")
        );
    }

    #[test]
    fn a_failed_response_is_read_by_its_error_object() {
        let failed = r#"{"type":"response.failed","response":{"id":"r","status":"failed","error":{"code":"rate_limit_exceeded","message":"Rate limit reached for requests"}}}"#;
        let e = read(failed, KNOWN_PARAMS);
        assert_eq!(e.verdict.map(|v| v.kind), Some(Kind::RateLimit));
        assert_eq!(
            e.body.message.as_deref(),
            Some("Rate limit reached for requests")
        );
        let plain = r#"{"type":"response.failed","response":{"error":{"code":"server_error","message":"The model failed to generate a response."}}}"#;
        assert_eq!(kind(plain), None);
    }
}
