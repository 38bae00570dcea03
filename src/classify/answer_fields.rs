//! An answer that lacks a field every answer has: a malformed answer, not a server error.
//!
//! A client, an agent or a gateway that checks an answer before using it says which field
//! it did not find, in its own words: "missing or empty choices array", "choices is null",
//! "Received response with null value for `choices`", serde's "missing field `choices`",
//! "no candidates", Chinese "缺少 choices", "choices 为空". The server answered, so it is
//! no outage and the request was not refused: what came back was not an answer
//! (`bad_response`), often an error object or a page the client took for a result. The
//! words are thin (a field's name beside a word for "absent"), so the verdict is always
//! `Confidence::Low`, with a fix that holds either way: log the raw body.
//!
//! Fields are read from the answer objects of the API references: OpenAI chat
//! completions (`choices[].message`, `choices[].delta` in a stream, `usage`,
//! `system_fingerprint`), Responses (`output`, `output_text`), embeddings
//! (`data[].embedding`), Gemini generateContent (`candidates[].content.parts`), Anthropic
//! messages (`content`), TGI (`generated_text`).

use super::rules::Facts;
use super::{Classification, Confidence};
use crate::failure::{Kind, RuleHint};

/// Fields only an answer carries: no request sends them, so a message about one missing is
/// about the answer.
const ANSWER_ONLY: &[&str] = &[
    "choices",
    "candidates",
    "output_text",
    "generated_text",
    "embedding",
    "embeddings",
    "system_fingerprint",
    "usage",
];

/// Fields an answer carries that a request may carry too (`messages[].content`): read only
/// when the clause names the answer ("response", "returned", 响应, 返回).
const SHARED: &[&str] = &[
    "message", "content", "delta", "output", "data", "parts", "text",
];

/// Words naming the answer, for [`SHARED`] fields.
const ANSWER_WORDS: &[&str] = &[
    "response",
    "answer",
    "reply",
    "returned",
    "completion",
    "响应",
    "返回",
    "回复",
    "应答",
];

/// Words for "absent" written before the field ("missing or empty choices array", "no
/// candidates", "null value for `choices`", serde's "missing field `choices`").
const BEFORE: &[&str] = &[
    "missing",
    "empty",
    "no",
    "null value for",
    "without",
    "lacks",
    "lacking",
    "contained no",
    "contains no",
    "缺少",
    "缺失",
    "没有",
    "无",
    "空的",
];

/// Words for "absent" written after the field ("choices is null", "choices 为空").
const AFTER: &[&str] = &[
    "is missing",
    "was missing",
    "are missing",
    "missing",
    "is empty",
    "was empty",
    "are empty",
    "is null",
    "was null",
    "is none",
    "is undefined",
    "is nil",
    "not found",
    "not present",
    "was not present",
    "is required",
    "为空",
    "是空",
    "为 null",
    "为null",
    "不存在",
    "缺失",
    "丢失",
];

/// Words that may stand between a field and what is said of it ("choices array is empty",
/// "`choices` field missing", "choices 字段为空").
const BETWEEN: &[&str] = &[
    "array",
    "field",
    "list",
    "key",
    "property",
    "attribute",
    "in response",
    "in the response",
    "字段",
    "数组",
    "列表",
];

/// How many words may stand between a "before" word and the field.
const GAP_WORDS: usize = 3;

/// One field said to be absent, and the words that said it.
struct Found {
    field: &'static str,
    said: &'static str,
    strong: bool,
}

/// A byte that can be part of a field's name.
fn name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// How far a clause reaches on each side of the field, in bytes.
const REACH: usize = 80;

/// A sentence's end: `. `, `; `, `。`, `；`, `! `, `? `, a line's end.
fn stop_at(w: &str, i: usize, c: char) -> bool {
    match c {
        '。' | '；' | '\n' => true,
        '.' | ';' | '!' | '?' => w[i + 1..].starts_with(' ') || i + 1 == w.len(),
        _ => false,
    }
}

/// The clause around `at..end`, within [`REACH`] bytes and the sentence.
fn clause_bounds(w: &str, at: usize, end: usize) -> (usize, usize) {
    let mut lo = at.saturating_sub(REACH);
    while !w.is_char_boundary(lo) {
        lo += 1;
    }
    let mut hi = (end + REACH).min(w.len());
    while !w.is_char_boundary(hi) {
        hi -= 1;
    }
    let start = w[lo..at]
        .char_indices()
        .rfind(|(i, c)| stop_at(w, lo + i, *c))
        .map_or(lo, |(i, c)| lo + i + c.len_utf8());
    let stop = w[end..hi]
        .char_indices()
        .find(|(i, c)| stop_at(w, end + i, *c))
        .map_or(hi, |(i, _)| end + i);
    (start, stop)
}

/// The "absent" word before the field, within [`GAP_WORDS`] words.
fn said_before(head: &str) -> Option<&'static str> {
    BEFORE.iter().copied().find(|p| {
        head.rmatch_indices(p).take(4).any(|(i, _)| {
            let ascii = p.is_ascii();
            let edge = i == 0 || !ascii || !name_byte(head.as_bytes()[i - 1]);
            let gap = &head[i + p.len()..];
            let edge_after = !ascii || gap.bytes().next().is_none_or(|b| !name_byte(b));
            edge && edge_after
                && gap.split_whitespace().count() <= GAP_WORDS
                && !gap.contains([',', ':'])
        })
    })
}

/// The "absent" word after the field, with only [`BETWEEN`] words and quotes in between.
fn said_after(tail: &str) -> Option<&'static str> {
    let mut t = tail.trim_start_matches(['`', '\'', '"', ')', ']', ' ']);
    for _ in 0..2 {
        if let Some(b) = BETWEEN.iter().find(|b| t.starts_with(*b)) {
            t = t[b.len()..].trim_start_matches(['`', '\'', '"', ' ']);
        }
    }
    AFTER.iter().copied().find(|p| {
        t.starts_with(p)
            && (!p.is_ascii() || t.as_bytes().get(p.len()).is_none_or(|b| !name_byte(*b)))
    })
}

/// The first answer field the text says is absent.
fn find(w: &str) -> Option<Found> {
    let fields = ANSWER_ONLY
        .iter()
        .map(|f| (*f, true))
        .chain(SHARED.iter().map(|f| (*f, false)));
    for (field, strong) in fields {
        for (at, _) in w.match_indices(field).take(32) {
            let end = at + field.len();
            let b = w.as_bytes();
            if (at > 0 && name_byte(b[at - 1])) || b.get(end).is_some_and(|c| name_byte(*c)) {
                continue;
            }
            let (start, stop) = clause_bounds(w, at, end);
            let said = said_before(&w[start..at]).or_else(|| said_after(&w[end..stop]));
            let Some(said) = said else { continue };
            let clause = &w[start..stop];
            if !strong && !ANSWER_WORDS.iter().any(|a| clause.contains(a)) {
                continue;
            }
            return Some(Found {
                field,
                said,
                strong,
            });
        }
    }
    None
}

/// The reading, when the text says an answer lacks a field every answer has. `by_message`
/// is the kind the message rules read, if any: a field that only answers carry replaces a
/// generic reading (a server error, a bad request, a parameter read from "response
/// format"); a field requests carry too replaces only a server error or nothing.
pub fn read(f: &Facts, by_message: Option<Kind>) -> Option<Classification> {
    // A refusal of the request is about the request.
    if f.status.is_some_and(|s| (400..500).contains(&s)) {
        return None;
    }
    let found = find(&f.words)?;
    let replaceable = match by_message {
        None | Some(Kind::ServerError) => true,
        Some(Kind::BadRequest | Kind::ParamRejected | Kind::BadResponse) => found.strong,
        _ => false,
    };
    if !replaceable {
        return None;
    }
    Some(Classification {
        kind: Kind::BadResponse,
        param: None,
        gateway: false,
        rule: "answer_field_missing",
        // Without a status the client's own check spoke; with one, a gateway or server
        // reported what it got.
        hint: f.status.is_none().then_some(RuleHint::ClientDecode),
        confidence: Confidence::Low,
        evidence: format!(
            "the answer's `{}` field, said \"{}\": an answer without the field every answer has",
            found.field, found.said
        ),
    })
}

#[cfg(test)]
mod tests {
    use crate::classify::read_pasted;
    use crate::failure::Kind;

    fn read(text: &str) -> Option<(Kind, &'static str)> {
        read_pasted(text).map(|v| (v.kind, v.rule))
    }

    #[test]
    fn an_answer_without_its_fields_is_a_bad_response_in_english_and_chinese() {
        for text in [
            // Written from the predicates a client's check prints, over the API's fields.
            "API Error: Invalid OpenAI response format - missing or empty choices array",
            "TypeError: Received response with null value for `choices`.",
            "Error(\"missing field `choices`\", line: 0, column: 0)",
            "Gemini API error: no candidates returned",
            "http status 500: 内部错误: choices is null",
            "请求失败: 响应格式错误，缺少 choices 字段",
            "错误: choices 为空",
            "Error: 500 upstream returned empty choices",
            "embedding request failed: the response data array is empty",
            "the model's response message is null",
        ] {
            assert_eq!(
                read(text),
                Some((Kind::BadResponse, "answer_field_missing")),
                "{text}"
            );
        }
    }

    #[test]
    fn a_request_s_own_fields_and_refusals_are_not_the_answer_s() {
        // The request's content, refused by the server: a bad request.
        assert_ne!(
            read("openai.BadRequestError: Error code: 400 - {'error': {'message': 'messages: content must not be empty'}}").map(|v| v.0),
            Some(Kind::BadResponse)
        );
        // A shared field with no answer named: not read.
        assert_eq!(read("Error: the message content is empty"), None);
        // A field inside a longer name, a count of choices asked for.
        assert!(read("Error: empty choices_count").is_none_or(|v| v.1 != "answer_field_missing"));
        // A content filter that left no choices stays a content filter.
        assert_eq!(
            read("Error: the response has no choices: finish_reason content_filter, blocked by content filter").map(|v| v.0),
            Some(Kind::ContentFilter)
        );
    }
}
