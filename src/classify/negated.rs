//! Fields whose value says the opposite of their name: read by their value, not their name.
//!
//! An answer pasted whole carries keys named after failures that did not happen: Azure
//! OpenAI annotates every answer with `content_filter_results`, where each category says
//! `"filtered": false`; Gemini rates every candidate (`safetyRatings`, each
//! `"probability": "NEGLIGIBLE"`); a success answer may say `"error": null` or
//! `"is_error": false`. The word rules read words, so the key's name alone would read as
//! a content filter or an error. This finds such keys with their values (JSON, a Python
//! repr, a Node literal, `key=value`) and, when the value negates the name, takes the key
//! and its value out of the words the rules read. A key whose value affirms it
//! (`"filtered": true`, `finish_reason: "content_filter"`) stays, and decides as before.

use super::loose;
use serde_json::Value;

/// What value of a key says "no".
#[derive(Clone, Copy)]
enum No {
    /// `false`.
    False,
    /// `true` (a success flag).
    True,
    /// `null`, `None`, `undefined`, `nil`.
    Null,
    /// A container of per-category results in which no flag named here is `true`.
    NoneFlagged(&'static [&'static str]),
    /// A list of ratings in which none is blocked and every probability is one of these.
    Ratings(&'static [&'static str]),
}

/// Keys whose value may negate their name, lowercased, and the value that does.
const KEYS: &[(&str, No)] = &[
    // Azure OpenAI content filtering annotations (learn.microsoft.com/azure/ai-services/
    // openai/concepts/content-filter, "Annotations"): per category `filtered` and, for
    // jailbreak and protected material, `detected`; only a `true` means a filter acted.
    // `content_filter_result` (singular) is the same object inside an error's innererror.
    (
        "content_filter_results",
        No::NoneFlagged(&["filtered", "detected"]),
    ),
    (
        "content_filter_result",
        No::NoneFlagged(&["filtered", "detected"]),
    ),
    (
        "prompt_filter_results",
        No::NoneFlagged(&["filtered", "detected"]),
    ),
    (
        "prompt_annotations",
        No::NoneFlagged(&["filtered", "detected"]),
    ),
    // Gemini SafetyRating (ai.google.dev/api/generate-content#safetyrating): `blocked` says
    // whether this rating blocked the content; HarmProbability NEGLIGIBLE and LOW are below
    // every blocking threshold (HarmBlockThreshold, the lowest blocks LOW_AND_ABOVE only
    // when asked, the default blocks MEDIUM_AND_ABOVE).
    ("safetyratings", No::Ratings(&["negligible", "low"])),
    ("safety_ratings", No::Ratings(&["negligible", "low"])),
    // Flags: Azure's and Gemini's `filtered`/`blocked`/`detected`, OpenAI moderation's
    // `flagged` (platform.openai.com/docs/api-reference/moderations/object), Claude Code's
    // result `is_error`, gateways' `success`.
    ("filtered", No::False),
    ("blocked", No::False),
    ("is_blocked", No::False),
    ("detected", No::False),
    ("flagged", No::False),
    ("is_error", No::False),
    ("iserror", No::False),
    ("success", No::True),
    ("error", No::Null),
    ("errors", No::Null),
    // A chat answer's message fields (platform.openai.com/docs/api-reference/chat/object):
    // `"tool_calls": null`, `"function_call": null`, `"refusal": null` say no call and no
    // refusal was made.
    ("tool_calls", No::Null),
    ("function_call", No::Null),
    ("refusal", No::Null),
];

/// How many occurrences of one key are looked at.
const PER_KEY: usize = 32;

/// `text` without the keys whose values negate their names (case-insensitively; the
/// spans are cut from `text` as written).
pub fn scrub(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut cuts: Vec<std::ops::Range<usize>> = Vec::new();
    for (key, no) in KEYS {
        for (i, _) in lower.match_indices(key).take(PER_KEY) {
            if cuts.iter().any(|c| c.contains(&i)) {
                continue;
            }
            if let Some(end) = negated_at(&lower, i, key, *no) {
                let start = if i > 0 && matches!(lower.as_bytes()[i - 1], b'"' | b'\'') {
                    i - 1
                } else {
                    i
                };
                cuts.push(start..end);
            }
        }
    }
    if cuts.is_empty() {
        return text.to_string();
    }
    cuts.sort_by_key(|c| c.start);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for c in cuts {
        if c.start >= at {
            out.push_str(&text[at..c.start]);
            out.push(' ');
            at = c.end;
        } else {
            at = at.max(c.end);
        }
    }
    out.push_str(&text[at..]);
    out
}

/// Where the key at `i` and its value end, when the value negates the key's name.
fn negated_at(lower: &str, i: usize, key: &str, no: No) -> Option<usize> {
    let b = lower.as_bytes();
    // A whole key, not the end or start of a longer name.
    let before = i.checked_sub(1).map(|j| b[j]);
    if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_') {
        return None;
    }
    let mut j = i + key.len();
    if b.get(j)
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
    {
        return None;
    }
    if matches!(b.get(j), Some(b'"' | b'\'')) {
        j += 1;
    }
    while b.get(j) == Some(&b' ') {
        j += 1;
    }
    if !matches!(b.get(j), Some(b':' | b'=')) {
        return None;
    }
    j += 1;
    // Elixir's, Ruby's and PHP's `key => value`.
    if b[j - 1] == b'=' && b.get(j) == Some(&b'>') {
        j += 1;
    }
    while b.get(j) == Some(&b' ') {
        j += 1;
    }
    let (v, used) = loose::parse_prefix(lower.get(j..)?)?;
    // A field's value ends the field; in prose ("Error: null pointer") it does not.
    let next = lower
        .get(j + used..)?
        .trim_start_matches([' ', '\t'])
        .bytes()
        .next();
    let ends = matches!(
        next,
        None | Some(b',' | b'}' | b']' | b')' | b'\n' | b'\r' | b';')
    );
    (ends && says_no(&v, no)).then_some(j + used)
}

fn says_no(v: &Value, no: No) -> bool {
    match no {
        No::False => v == &Value::Bool(false),
        No::True => v == &Value::Bool(true),
        No::Null => is_null(v),
        No::NoneFlagged(flags) => (v.is_object() || v.is_array()) && !any_flag(v, flags, 0),
        No::Ratings(low) => {
            v.as_array().is_some_and(|a| !a.is_empty())
                && !any_flag(v, &["blocked"], 0)
                && v.as_array().is_some_and(|a| {
                    a.iter().all(|r| {
                        r.get("probability")
                            .and_then(Value::as_str)
                            .is_some_and(|p| low.contains(&p))
                    })
                })
        }
    }
}

fn is_null(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => matches!(s.as_str(), "none" | "null" | "undefined" | "nil"),
        _ => false,
    }
}

/// Some flag named in `flags`, at any depth, is `true`.
fn any_flag(v: &Value, flags: &[&str], depth: u8) -> bool {
    if depth > 8 {
        return true;
    }
    match v {
        Value::Object(o) => o.iter().any(|(k, x)| {
            (flags.contains(&k.as_str()) && x == &Value::Bool(true))
                || any_flag(x, flags, depth + 1)
        }),
        Value::Array(a) => a.iter().any(|x| any_flag(x, flags, depth + 1)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::scrub;
    use crate::classify::{decide, ErrorBody, KNOWN_PARAMS};
    use crate::failure::Kind;

    fn kind(text: &str) -> Option<Kind> {
        crate::classify::read_pasted(text).map(|v| v.kind)
    }

    // An Azure OpenAI chat answer's annotations as its documentation shows them, every
    // category unfiltered.
    const AZURE_CLEAN: &str = r#"{"choices":[{"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}},"finish_reason":"stop","index":0,"message":{"content":"","role":"assistant"}}],"prompt_filter_results":[{"prompt_index":0,"content_filter_results":{"jailbreak":{"filtered":false,"detected":false}}}]}"#;

    #[test]
    fn keys_that_say_no_are_taken_out_and_keys_that_say_yes_stay() {
        let s = scrub(AZURE_CLEAN);
        assert!(!s.contains("content_filter"), "{s}");
        assert!(s.contains("\"finish_reason\":\"stop\""), "{s}");
        let hit = AZURE_CLEAN.replacen(
            r#""sexual":{"filtered":false"#,
            r#""sexual":{"filtered":true"#,
            1,
        );
        assert!(scrub(&hit).contains("content_filter_results"));
        assert_eq!(
            scrub("{'error': None, 'is_error': False, 'blocked': True}"),
            "{ ,  , 'blocked': True}"
        );
        // The same annotations as an Elixir map (`%{"filtered" => false}`) say no as well.
        let elixir = r#"original: %{"content_filter_results" => %{"hate" => %{"filtered" => false, "severity" => "safe"}, "self_harm" => %{"filtered" => false}}, "finish_reason" => "stop"}"#;
        assert!(
            !scrub(elixir).contains("content_filter"),
            "{}",
            scrub(elixir)
        );
        let hit = elixir.replacen(r#""filtered" => false"#, r#""filtered" => true"#, 1);
        assert!(scrub(&hit).contains("content_filter_results"));
        // Names inside longer names and keys in prose are left alone.
        assert_eq!(scrub("unfiltered: false"), "unfiltered: false");
        assert_eq!(scrub("the request was blocked"), "the request was blocked");
        assert_eq!(
            scrub("Error: None of the models"),
            "Error: None of the models"
        );
        assert_eq!(
            scrub("TypeError: null is not an object"),
            "TypeError: null is not an object"
        );
    }

    proptest::proptest! {
        // Pasted text of any shape: keys, values, quotes, brackets and multi-byte
        // characters in any order are read without a panic, and a second pass over what
        // was scrubbed reads too.
        #[test]
        fn any_text_is_scrubbed_without_a_panic(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just("\"filtered\": false".to_string()),
                    proptest::strategy::Just("'error': None".to_string()),
                    proptest::strategy::Just("content_filter_results: {".to_string()),
                    proptest::strategy::Just("safetyRatings=[".to_string()),
                    proptest::strategy::Just("missing choices 为空".to_string()),
                    "[ -~é✓状态码：]{0,6}",
                ],
                0..16,
            ),
        ) {
            let text = parts.concat();
            let once = scrub(&text);
            let _ = scrub(&once);
            let _ = crate::classify::paste::explicit_status(&text);
            let _ = kind(&text);
        }
    }

    #[test]
    fn gemini_ratings_below_every_threshold_are_no_block() {
        let clean = r#"{"finishReason": "MAX_TOKENS", "safetyRatings": [{"category": "HARM_CATEGORY_HATE_SPEECH", "probability": "NEGLIGIBLE"}, {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "LOW"}]}"#;
        assert!(!scrub(clean).to_lowercase().contains("harm_category"));
        let high = clean.replace("\"LOW\"", "\"HIGH\"");
        assert!(scrub(&high).to_lowercase().contains("harm_category"));
    }

    #[test]
    fn an_unfiltered_answer_is_no_content_filter_and_a_filtered_one_is() {
        let paste = format!("Error: the model returned an empty message\n{AZURE_CLEAN}");
        assert_ne!(kind(&paste), Some(Kind::ContentFilter));
        let filtered = AZURE_CLEAN
            .replacen(
                r#""violence":{"filtered":false,"severity":"safe"}"#,
                r#""violence":{"filtered":true,"severity":"high"}"#,
                1,
            )
            .replace(
                r#""finish_reason":"stop""#,
                r#""finish_reason":"content_filter""#,
            );
        assert_eq!(
            kind(&format!("Error: empty answer\n{filtered}")),
            Some(Kind::ContentFilter)
        );
        let b = ErrorBody {
            message: Some("blocked: false".into()),
            ..Default::default()
        };
        assert!(decide(None, &b, KNOWN_PARAMS, "").is_none_or(|v| v.kind != Kind::Blocked));
    }
}
