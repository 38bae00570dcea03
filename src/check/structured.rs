//! Judging the text of an answer that was asked for JSON (`chat.json_schema`,
//! `chat.json_object`, `responses.json_schema`).
//!
//! A server that enforces a format constrains decoding from the first token: the answer is
//! bare JSON. What real servers send when they do not (vLLM without structured outputs,
//! llama.cpp ignoring `json_schema`, a gateway that only prompts for JSON or falls back to
//! `json_object`): JSON in a ```json fence, a sentence before it, JSON that breaks the
//! schema, JSON encoded twice. (A reasoning model's `<think>…</think>` before the JSON is
//! reasoning, reported as such by `reasoning.fields`; the JSON after it is judged.)
//! Each is `param_ignored`, saying which, because a client that parses `content` fails on all
//! of them. JSON cut at the output cap is `output_length`: the cap, not the format, failed.

use crate::failure::Kind;
use crate::finding::Problems;
use crate::fit::excerpt;
use serde_json::{json, Value};

/// Output cap for a structured answer: the object below is about 15 tokens.
pub const MAX_TOKENS_JSON: u64 = 64;
pub const SCHEMA_NAME: &str = "weather_report";
pub const JSON_PROMPT: &str =
    "Report the weather in Paris as JSON: the city, and the temperature in whole degrees Celsius.";

/// A small schema a strict server can enforce: two required fields, nothing else.
pub fn schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "temperature_c": {"type": "integer"}
        },
        "required": ["city", "temperature_c"],
        "additionalProperties": false
    })
}

/// Does `text` answer a request for JSON? Records problems against `param`; returns the
/// pass summary.
pub fn judge_text(
    text: &str,
    cut: bool,
    schema: Option<&Value>,
    param: &str,
    p: &mut Problems,
) -> String {
    let t = text.trim();
    let summary = format!("JSON {}", excerpt(t, 60));
    if t.is_empty() {
        let why = if cut {
            " at the output cap (reasoning may have used it)"
        } else {
            ""
        };
        let kind = if cut {
            Kind::OutputLength
        } else {
            Kind::BadResponse
        };
        p.fail(kind, format!("empty answer{why}"));
        return summary;
    }
    // A thought in `<think>` tags before the answer is reasoning (the server parses none out:
    // `reasoning.fields` says `think_tags`); the answer after it is judged. A cap that ran out
    // inside the thought is the cap's fault.
    let (answer, thought) = crate::reasoning::split_think(t);
    if thought.is_some() {
        if answer.trim().is_empty() && cut {
            p.warn(
                Kind::OutputLength,
                format!(
                    "the output cap ({MAX_TOKENS_JSON} tokens) ran out inside the model's <think> reasoning in content, before any JSON"
                ),
            );
            return summary;
        }
        return judge_text(&answer, cut, schema, param, p);
    }
    // A fence around the JSON: no grammar writes one, the model followed the prompt.
    if let Some(inner) = unfence(t) {
        let v = judge_json_only(inner, cut, schema);
        p.fail_param(
            Kind::ParamIgnored,
            param,
            format!(
                "the JSON came wrapped in a ``` fence{}: {param} was not enforced (a model following the prompt, not a grammar), and clients that parse content fail",
                v.after()
            ),
        );
        return summary;
    }
    match judge_json_only(t, cut, schema) {
        JsonShape::Valid => {}
        JsonShape::Cut => cut_warning(t, p),
        JsonShape::Unfinished { off_schema } => {
            let ending = if cut {
                "was cut at the output cap".to_string()
            } else {
                "does not parse (cut short or malformed)".to_string()
            };
            let detail = if off_schema.is_empty() {
                format!("{param} asked for JSON; the JSON {ending}: {}", excerpt(t, 60))
            } else {
                format!(
                    "the JSON has keys outside the schema ({}), which a server enforcing {param} never writes, and {ending}: {}",
                    off_schema.join(", "),
                    excerpt(t, 60)
                )
            };
            p.fail_param(Kind::ParamIgnored, param, detail);
        }
        JsonShape::NotObject => p.fail_param(
            Kind::ParamIgnored,
            param,
            format!("{param} asked for a JSON object, got {}", excerpt(t, 60)),
        ),
        JsonShape::Twice => p.fail_param(
            Kind::ParamIgnored,
            param,
            format!(
                "{param} asked for a JSON object, got a JSON string holding one (encoded twice): {}",
                excerpt(t, 60)
            ),
        ),
        JsonShape::Breaks(why) => p.fail_param(
            Kind::ParamIgnored,
            param,
            format!(
                "the JSON does not follow the schema ({why}): {}",
                excerpt(t, 60)
            ),
        ),
        JsonShape::Prose => match embedded_object(t) {
            Some(at) => p.fail_param(
                Kind::ParamIgnored,
                param,
                format!(
                    "{param} asked for bare JSON, got prose around it (\"{}\" before the object): clients that parse content fail",
                    excerpt(&t[..at], 40)
                ),
            ),
            None => p.fail_param(
                Kind::ParamIgnored,
                param,
                format!("{param} asked for JSON, got prose: \"{}\"", excerpt(t, 60)),
            ),
        },
    }
    summary
}

fn cut_warning(t: &str, p: &mut Problems) {
    p.warn(
        Kind::OutputLength,
        format!(
            "the JSON was cut at the output cap ({MAX_TOKENS_JSON} tokens): {}",
            excerpt(t, 60)
        ),
    );
}

/// What a piece of text is, read as the JSON answer.
enum JsonShape {
    Valid,
    /// Starts like JSON but ends early at the cap.
    Cut,
    NotObject,
    /// A JSON string whose content is an object.
    Twice,
    Breaks(String),
    /// Starts as a JSON object but does not parse: cut at the cap with keys a schema forbids,
    /// or cut with no sign of the cap, or malformed. Not prose: what was seen is named.
    Unfinished {
        off_schema: Vec<String>,
    },
    Prose,
}

impl JsonShape {
    /// How a wrapper's finding goes on about what was inside it.
    fn after(&self) -> String {
        match self {
            JsonShape::Valid => String::new(),
            JsonShape::Breaks(why) => format!(" and does not follow the schema ({why})"),
            JsonShape::Cut => " and was cut at the output cap".into(),
            JsonShape::Unfinished { off_schema } if !off_schema.is_empty() => format!(
                " and has keys outside the schema ({}) and does not parse",
                off_schema.join(", ")
            ),
            JsonShape::Unfinished { .. } => " and does not parse".into(),
            JsonShape::Prose | JsonShape::NotObject | JsonShape::Twice => {
                " and what follows is no JSON object".into()
            }
        }
    }
}

fn judge_json_only(t: &str, cut: bool, schema: Option<&Value>) -> JsonShape {
    match serde_json::from_str::<Value>(t) {
        Ok(v @ Value::Object(_)) => match schema.and_then(|s| violation(s, &v)) {
            Some(why) => JsonShape::Breaks(why),
            None => JsonShape::Valid,
        },
        Ok(Value::String(s)) if serde_json::from_str::<Value>(&s).is_ok_and(|v| v.is_object()) => {
            JsonShape::Twice
        }
        Ok(_) => JsonShape::NotObject,
        Err(_) if t.starts_with('{') => {
            let off_schema = schema.map(|s| off_schema_keys(s, t)).unwrap_or_default();
            if cut && off_schema.is_empty() {
                JsonShape::Cut
            } else {
                JsonShape::Unfinished { off_schema }
            }
        }
        Err(_) if cut && t.starts_with('[') => JsonShape::Cut,
        Err(_) => JsonShape::Prose,
    }
}

/// The top-level keys of a JSON object's text (whole or cut short) that `schema` forbids
/// (`additionalProperties: false` and not among its `properties`), in order of appearance.
fn off_schema_keys(schema: &Value, text: &str) -> Vec<String> {
    if schema.get("additionalProperties") != Some(&Value::Bool(false)) {
        return Vec::new();
    }
    let allowed = schema.get("properties").and_then(Value::as_object);
    let mut out: Vec<String> = Vec::new();
    for key in top_level_keys(text) {
        if !allowed.is_some_and(|a| a.contains_key(&key)) && !out.contains(&key) {
            out.push(key);
        }
    }
    out
}

/// The keys of the outermost object in `text`, read as far as the text goes (it may stop
/// mid-value): strings at depth 1 followed by a colon.
fn top_level_keys(text: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let mut current = String::new();
    let mut last_string: Option<String> = None;
    for c in text.chars() {
        if in_string {
            match c {
                _ if escaped => {
                    escaped = false;
                    current.push(c);
                }
                '\\' => escaped = true,
                '"' => {
                    in_string = false;
                    last_string = (depth == 1).then(|| std::mem::take(&mut current));
                }
                _ => current.push(c),
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                current.clear();
            }
            '{' | '[' => depth += 1,
            '}' | ']' => depth = depth.saturating_sub(1),
            ':' => {
                if let Some(k) = last_string.take() {
                    keys.push(k);
                }
            }
            c if c.is_whitespace() => {}
            _ => last_string = None,
        }
        if c != ':' && !c.is_whitespace() && c != '"' {
            last_string = None;
        }
    }
    keys
}

/// The inside of a Markdown code fence that is the whole text (```json … ```).
fn unfence(t: &str) -> Option<&str> {
    let rest = t.strip_prefix("```")?;
    let body = rest.split_once('\n').map_or("", |(_, b)| b);
    Some(body.trim_end().strip_suffix("```").unwrap_or(body).trim())
}

/// Where a JSON object starts inside prose, if one parses there.
fn embedded_object(t: &str) -> Option<usize> {
    t.match_indices('{').take(16).find_map(|(i, _)| {
        let mut it = serde_json::Deserializer::from_str(&t[i..]).into_iter::<Value>();
        matches!(it.next(), Some(Ok(Value::Object(_)))).then_some(i)
    })
}

/// The first way `v` breaks `schema`, if any.
pub fn violation(schema: &Value, v: &Value) -> Option<String> {
    let validator = match jsonschema::validator_for(schema) {
        Ok(val) => val,
        Err(e) => return Some(format!("zencheck's schema does not compile: {e}")),
    };
    let errors: Vec<String> = validator
        .iter_errors(v)
        .map(|e| {
            let at = e.instance_path().to_string();
            if at.is_empty() {
                e.to_string()
            } else {
                format!("{at}: {e}")
            }
        })
        .collect();
    match errors.len() {
        0 => None,
        1 => Some(errors[0].clone()),
        n => Some(format!("{}; and {} more", errors[0], n - 1)),
    }
}

/// A JSON object somewhere in `text` (bare, fenced or after prose): where an answer that
/// went to the wrong field (reasoning, a tool call) would be found.
pub fn holds_object(text: &str) -> bool {
    let t = text.trim();
    let t = unfence(t).unwrap_or(t);
    embedded_object(t).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Finding, Status};

    fn judge(text: &str, cut: bool) -> Finding {
        let mut p = Problems::default();
        let s = judge_text(text, cut, Some(&schema()), "response_format", &mut p);
        p.into_finding(s)
    }

    #[test]
    fn valid_json_passes_and_violations_are_ignored_params() {
        assert_eq!(
            judge(r#"{"city":"Paris","temperature_c":17}"#, false).status,
            Status::Pass
        );
        for (bad, says) in [
            (r#"{"answer":"pong"}"#, "does not follow the schema"),
            (
                r#"{"city":"Paris","temperature_c":"warm"}"#,
                "temperature_c",
            ),
            (
                r#"{"city":"Paris","temperature_c":17,"sky":"clear"}"#,
                "sky",
            ),
            ("It is 17 degrees in Paris.", "got prose"),
            (
                "```json\n{\"city\":\"Paris\",\"temperature_c\":17}\n```",
                "fence",
            ),
            (
                "Here is the JSON: {\"city\":\"Paris\",\"temperature_c\":17}",
                "prose around it",
            ),
            (
                "<think>Paris is mild.</think>\n{\"city\":\"Paris\"}",
                "temperature_c",
            ),
            (
                r#""{\"city\":\"Paris\",\"temperature_c\":17}""#,
                "encoded twice",
            ),
            ("[17]", "JSON object"),
        ] {
            let f = judge(bad, false);
            assert_eq!(
                (f.kind, f.param.as_deref()),
                (Some(Kind::ParamIgnored), Some("response_format")),
                "{bad}"
            );
            assert!(f.detail.contains(says), "{says}: {}", f.detail);
        }
        let fenced_bad = judge("```json\n{\"city\":\"Paris\"}\n```", false);
        assert!(
            fenced_bad.detail.contains("temperature_c"),
            "{}",
            fenced_bad.detail
        );
    }

    #[test]
    fn cut_json_is_described_by_what_was_seen_not_called_prose() {
        // llama.cpp's /responses ignoring text.format: JSON with its own keys, cut at the cap.
        let off = "{\n  \"description\": \"Paris, France\",\n  \"location\": \"Paris\",\n  \"city\": \"Paris\",\n  \"weather\": {\n    \"desc\": \"x\",\n    \"";
        for cut in [true, false] {
            let f = judge(off, cut);
            assert_eq!(
                (f.kind, f.param.as_deref()),
                (Some(Kind::ParamIgnored), Some("response_format")),
                "{}",
                f.detail
            );
            assert!(
                f.detail
                    .contains("keys outside the schema (description, location, weather)"),
                "{}",
                f.detail
            );
            assert!(!f.detail.contains("prose"), "{}", f.detail);
            let ending = if cut {
                "cut at the output cap"
            } else {
                "does not parse"
            };
            assert!(f.detail.contains(ending), "{}", f.detail);
        }
        // Only keys of the schema, cut: the cap's fault.
        let f = judge(r#"{"city":"Paris","temperature_c":1"#, true);
        assert_eq!(f.kind, Some(Kind::OutputLength), "{}", f.detail);
        // Only keys of the schema, no sign of the cap: JSON that does not parse, not prose.
        let f = judge(r#"{"city":"Paris","temperature_c":1"#, false);
        assert_eq!(f.kind, Some(Kind::ParamIgnored), "{}", f.detail);
        assert!(
            f.detail.contains("does not parse") && !f.detail.contains("prose"),
            "{}",
            f.detail
        );
    }

    #[test]
    fn top_level_keys_are_read_from_cut_text() {
        assert_eq!(
            top_level_keys(r#"{"a": "x:y", "b": {"c": 1}, "d\"e": [1, {"f": 2}], "g""#),
            ["a", "b", "d\"e"]
        );
    }

    #[test]
    fn a_cut_answer_is_the_output_cap_not_an_ignored_format() {
        let f = judge(r#"{"city":"Pa"#, true);
        assert_eq!((f.status, f.kind), (Status::Warn, Some(Kind::OutputLength)));
        assert_eq!(judge("", true).kind, Some(Kind::OutputLength));
        let thinking = judge("<think>The user wants the weather in", true);
        assert_eq!(
            thinking.kind,
            Some(Kind::OutputLength),
            "{}",
            thinking.detail
        );
        // The template opened <think> in the prompt: only the closing tag shows, and the
        // JSON after the thought is the answer.
        let opened = judge(
            "Paris is mild.</think>{\"city\":\"Paris\",\"temperature_c\":17}",
            false,
        );
        assert_eq!(opened.status, Status::Pass, "{}", opened.detail);
        // Uncut, an empty answer is malformed, not a cap.
        assert_eq!(judge("", false).kind, Some(Kind::BadResponse));
    }
}
