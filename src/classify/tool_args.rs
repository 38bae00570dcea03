//! A tool call whose arguments did not read: the model's output, not the request.
//!
//! A model calls a tool by writing its arguments as a JSON text (OpenAI's
//! `tool_calls[].function.arguments` is a string). When that text is cut or is not JSON, or
//! lacks an argument the tool's schema requires, whoever reads it fails: the server's
//! tool-call parser (llama.cpp, Ollama, Groq's `tool_use_failed`), or the agent that runs
//! the tool. Their words differ; two things say it in all of them: the text is about a
//! tool's arguments, and it carries a JSON decoder's failure or a schema check's
//! (missing, required, did not match). The fix is the model's or the parser's, never the
//! request's shape, so it must not read as a parameter the server refused (`tools`).

use super::facts::Facts;

/// Words that put the failure on a tool call's arguments.
const ARGS: &[&str] = &[
    "arguments",
    "tool input",
    "parameters for tool",
    "tool call",
    "function call",
];

/// A tool named as such: `for tool 'file_editor'`, `parameters for tool search`. Not a
/// `tool_calls` key: a request echoed back in an error carries its history's tool calls.
const FOR_TOOL: &[&str] = &["for tool ", "in tool ", "of tool "];

/// What JSON decoders say when a text is not JSON, in the runtimes' own words:
/// Python's `json` (`JSONDecodeError`: "Unterminated string starting at", "Expecting ','
/// delimiter", "Expecting property name enclosed in double quotes"), JavaScript's
/// `JSON.parse` ("Unterminated string in JSON", "Unexpected end of JSON input", "is not
/// valid JSON"), Go's `encoding/json` ("unexpected end of JSON input", "invalid character
/// … after object key"), Rust's serde_json ("EOF while parsing"), nlohmann::json, which
/// llama.cpp's server uses (`[json.exception.parse_error.101]`).
const JSON_BROKEN: &[&str] = &[
    "unterminated string",
    "expecting ',' delimiter",
    "expecting ':' delimiter",
    "expecting property name",
    "expecting value",
    "jsondecodeerror",
    "invalid control character",
    "unexpected end of json",
    "is not valid json",
    "not valid json",
    "invalid json",
    "json parse error",
    "bad control character",
    "after property value",
    "after object key",
    "eof while parsing",
    "json.exception.parse_error",
    "syntax error while parsing",
];

/// A schema check that failed: an argument missing or not what the tool takes.
const SCHEMA_FAILED: &[&str] = &[
    "missing properties",
    "missing property",
    "missing required",
    "required property",
    "is required",
    "field required",
    "missing_argument",
    "did not match schema",
    "does not match schema",
    "validating args",
    "validating arguments",
    "validation failed",
];

/// The request's own tool definitions or ids, not the model's call: these are read by the
/// parameter and conversation rules.
const NOT_THE_CALL: &[&str] = &[
    "tool_choice",
    "tool choice",
    "tool_call_id",
    "tool call id",
    "does not support",
    "not supported",
    "unsupported",
    "invalid schema",
    "tools[",
];

/// The text says a tool call's arguments did not read: a JSON decoder's failure about
/// them, or a schema check on a named tool's arguments that failed.
pub fn malformed(f: &Facts) -> bool {
    let m = &f.words;
    let has = |ws: &[&str]| ws.iter().any(|w| m.contains(w));
    if has(NOT_THE_CALL) {
        return false;
    }
    let args = has(ARGS) || bare_args(m);
    (args && has(JSON_BROKEN)) || (has(FOR_TOOL) && args && has(SCHEMA_FAILED))
}

/// `args` as a word of its own (`Error validating args {…}`), not a traceback's
/// `*args, **kwargs`.
fn bare_args(m: &str) -> bool {
    m.match_indices("args").take(16).any(|(i, _)| {
        let before = m[..i].chars().next_back();
        let after = m[i + 4..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '*')
            && !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::ErrorBody;

    fn reads(text: &str) -> bool {
        let body = ErrorBody::default();
        malformed(&Facts {
            status: None,
            body: &body,
            sent: &[],
            msg: String::new(),
            words: text.to_lowercase(),
            body_only: false,
        })
    }

    #[test]
    fn a_tool_call_s_arguments_that_do_not_read_are_the_model_s_call() {
        // Runtimes' JSON decoders about a tool call's arguments (texts written from the
        // decoders' documented messages and the training cases' shapes).
        assert!(reads(
            "Failed to parse tool call arguments as JSON: [json.exception.parse_error.101] parse error at line 1, column 74"
        ));
        assert!(reads(
            "json.decoder.JSONDecodeError: Unterminated string starting at: line 1 column 9 (char 8) while reading the arguments of tool 'shell'"
        ));
        assert!(reads(
            "Could not parse tool input because the arguments is not valid JSON"
        ));
        // A schema check on a named tool's arguments (Groq's tool_use_failed wording).
        assert!(reads(
            "tool call validation failed: parameters for tool search did not match schema: errors: [missing properties: 'query']"
        ));
    }

    #[test]
    fn the_request_s_tools_or_an_unrelated_json_failure_are_not() {
        assert!(!reads("This model does not support tools"));
        assert!(!reads(
            "Invalid schema for function 'search': tools[0] is not valid json schema"
        ));
        assert!(!reads("Expecting value: line 1 column 1 (char 0)"));
        assert!(!reads("Invalid 'tool_choice': unterminated string"));
        assert!(!reads("missing required parameter: 'model'"));
        // A request's history echoed back names tool calls and arguments; what is missing
        // is the request's (a message's content), and a test's name is no tool call.
        assert!(!reads(
            r#"{"type":"missing","loc":["body","messages",5,"content"],"msg":"Field required","input":{"tool_calls":[{"function":{"arguments":"{}"}}]}}"#
        ));
        assert!(!reads(
            "FAILED test_agent_loop_sequential_tool_calls - InvalidRequestError: Input validation error"
        ));
        // A traceback's `*args, **kwargs` is no tool's arguments.
        assert!(!reads(
            "return func(*args, **kwargs) json.decoder.JSONDecodeError: Expecting value: line 1 column 1"
        ));
    }
}
