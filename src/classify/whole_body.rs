//! A JSON parse failure of a whole answer, told from one of a stream's events.
//!
//! The message rules read a client's JSON parse error ("Unexpected end of JSON input",
//! `JSONDecodeError`) as a malformed stream event (`stream_malformed`), which is what it is
//! when the client was reading a stream. A client that parsed a *whole* response body
//! names the reader that did it, and then the answer itself was not JSON, or was cut:
//! `bad_response`, whose fix is the server's answer, not its event framing.

use super::rules::Facts;
use super::{Classification, Confidence};
use crate::failure::Kind;

/// Whole-body JSON readers, by the words their errors carry.
const WHOLE_BODY_READERS: &[(&str, &str)] = &[
    // node-fetch's Body.json(): FetchError of type 'invalid-json' ("invalid json response
    // body at ${url} reason: ${err.message}", node-fetch src/body.js).
    (
        "invalid json response body at",
        "node-fetch Response.json()",
    ),
    // undici's Body mixin json() (Node's global fetch): JSON.parse over the whole body in
    // parseJSONFromBytes.
    ("parsejsonfrombytes", "undici Response.json()"),
];

/// Signs that what failed to parse was a stream's event after all.
const STREAM_SIGNS: &[&str] = &["data: {", "\"delta\"", "_streaming.py", "chunk"];

/// The reading, when the text is a whole-body JSON parse failure. `by_message` is the kind
/// the message rules read, if any: only a JSON-parse reading (or none) is replaced.
pub fn read(f: &Facts, by_message: Option<Kind>) -> Option<Classification> {
    if by_message.is_some_and(|k| k != Kind::StreamMalformed) {
        return None;
    }
    let w = f.words.as_str();
    let (word, who) = WHOLE_BODY_READERS.iter().find(|(x, _)| w.contains(x))?;
    if STREAM_SIGNS.iter().any(|s| w.contains(s)) {
        return None;
    }
    Some(Classification {
        kind: Kind::BadResponse,
        param: None,
        gateway: false,
        rule: "whole_body_json",
        hint: None,
        confidence: Confidence::High,
        evidence: format!("\"{word}\" ({who}): a whole response body that did not parse as JSON"),
    })
}

#[cfg(test)]
mod tests {
    use crate::classify::{decide, ErrorBody, KNOWN_PARAMS};
    use crate::failure::Kind;

    fn kind(text: &str) -> Option<Kind> {
        let body = ErrorBody {
            message: Some(text.to_string()),
            ..Default::default()
        };
        decide(None, &body, KNOWN_PARAMS, text).map(|v| v.kind)
    }

    #[test]
    fn a_whole_body_that_did_not_parse_is_a_bad_response_and_an_event_a_malformed_stream() {
        // node-fetch's Body.json() wording, from its source.
        assert_eq!(
            kind("FetchError: invalid json response body at https://api.example.com/v1/chat/completions reason: Unexpected end of JSON input"),
            Some(Kind::BadResponse)
        );
        assert_eq!(
            kind("SyntaxError: Unexpected end of JSON input\n    at JSON.parse (<anonymous>)\n    at parseJSONFromBytes (node:internal/deps/undici/undici:5472:19)"),
            Some(Kind::BadResponse)
        );
        // A parse error with no whole-body reader named stays a stream event's.
        assert_eq!(
            kind("AI_JSONParseError: JSON parsing failed: Text: {\"choices\":[{\"delta\":{\"content\":\"po\"\nError message: Unexpected end of JSON input"),
            Some(Kind::StreamMalformed)
        );
    }
}
