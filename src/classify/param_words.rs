//! A request parameter refused in words no table holds: a grammar, not phrases.
//!
//! A refusal is a predicate (unknown, unsupported, not permitted, must be one of, invalid …
//! value, 不支持, 无效) and a name beside it: after the predicate ("unknown field `x`",
//! "does not support specifying dimensions", "invalid top_p: …"), before it ("x: Extra inputs
//! are not permitted", "x is not supported", "x参数非法"), or in a location (pydantic's
//! `'loc': ('body', 'x')`). The name counts only when it is a request parameter the API
//! references document ([`VOCABULARY`]) or one the request carried (`sent`); the request's
//! content (`messages`, `model`, `prompt`, `input`) is no optional parameter, and its refusal
//! is a bad request naming the field. Which fix the words ask for is read from the predicate:
//! a value refused ("must be one of", "Unsupported value", "invalid X value", "only 0.6 is
//! allowed") is changed, never dropped; a parameter refused ("unknown", "not permitted") is
//! dropped; "invalid X" alone says neither, and the fix then holds either way.
//!
//! Read after the message rules: only when no specific rule spoke, or a generic one
//! ("invalid request", "bad request") did without naming a parameter.

use super::facts::Facts;
use super::params;
use super::{Classification, Confidence};
use crate::failure::{Kind, RuleHint};

/// What the words ask of the refused parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fix {
    /// The parameter itself is refused: stop sending it.
    Drop,
    /// Its value is refused: send one the server takes.
    Value,
    /// "invalid x": the words do not say which.
    Either,
}

/// A refusal read by the grammar.
#[derive(Debug, PartialEq, Eq)]
pub struct Refused {
    /// The parameter, as the API spells it (`topP` is `top_p`).
    pub name: String,
    pub fix: Fix,
    /// The request's content (`messages`, `model`…), not an optional parameter.
    pub content: bool,
    /// The name stands where the predicate's grammar puts it (quoted, labelled, in a
    /// location, next to the predicate), not merely near it.
    pub direct: bool,
    /// The name is marked as one (quoted, labelled, a path, a location), not a bare word
    /// beside the predicate ("invalid input" is English).
    pub marked: bool,
    /// The predicate's words, for the evidence.
    pub predicate: &'static str,
}

/// Request parameters, from the API references (as the APIs spell them):
/// - OpenAI chat completions, responses and embeddings (platform.openai.com/docs/api-reference/chat/create,
///   …/responses/create, …/embeddings/create);
/// - Anthropic messages (docs.anthropic.com/en/api/messages);
/// - Gemini's GenerateContentRequest and generationConfig (ai.google.dev/api/generate-content, camelCase);
/// - Ollama's request fields and model options (github.com/ollama/ollama docs/api.md, "Valid Parameters and Values");
/// - vLLM's extra sampling parameters (docs.vllm.ai, OpenAI-compatible server, "Extra Parameters");
/// - TGI's `parameters` (huggingface.co/docs/text-generation-inference, API reference);
/// - DashScope's OpenAI-compatible extras (help.aliyun.com, Qwen API reference).
const VOCABULARY: &[&str] = &[
    // OpenAI chat completions
    "audio",
    "frequency_penalty",
    "function_call",
    "functions",
    "logit_bias",
    "logprobs",
    "max_completion_tokens",
    "max_tokens",
    "metadata",
    "modalities",
    "n",
    "parallel_tool_calls",
    "prediction",
    "presence_penalty",
    "prompt_cache_key",
    "prompt_cache_retention",
    "reasoning_effort",
    "response_format",
    "safety_identifier",
    "seed",
    "service_tier",
    "stop",
    "store",
    "stream",
    "stream_options",
    "temperature",
    "tool_choice",
    "tools",
    "top_logprobs",
    "top_p",
    "user",
    "verbosity",
    "web_search_options",
    // OpenAI responses
    "background",
    "include",
    "instructions",
    "max_output_tokens",
    "max_tool_calls",
    "previous_response_id",
    "reasoning",
    "text",
    "truncation",
    "conversation",
    // OpenAI embeddings
    "dimensions",
    "encoding_format",
    // Anthropic messages
    "stop_sequences",
    "thinking",
    "top_k",
    "container",
    "mcp_servers",
    // Gemini generationConfig and request
    "stopSequences",
    "responseMimeType",
    "responseSchema",
    "responseJsonSchema",
    "responseModalities",
    "candidateCount",
    "maxOutputTokens",
    "topP",
    "topK",
    "presencePenalty",
    "frequencyPenalty",
    "responseLogprobs",
    "speechConfig",
    "thinkingConfig",
    "thinkingBudget",
    "includeThoughts",
    "mediaResolution",
    "toolConfig",
    "safetySettings",
    "cachedContent",
    "generationConfig",
    // Ollama request fields and options
    "format",
    "options",
    "keep_alive",
    "think",
    "num_keep",
    "num_predict",
    "min_p",
    "typical_p",
    "repeat_last_n",
    "repeat_penalty",
    "penalize_newline",
    "num_ctx",
    "num_batch",
    "num_gpu",
    "main_gpu",
    "use_mmap",
    "num_thread",
    // vLLM extra sampling parameters
    "best_of",
    "use_beam_search",
    "repetition_penalty",
    "length_penalty",
    "stop_token_ids",
    "include_stop_str_in_output",
    "ignore_eos",
    "min_tokens",
    "skip_special_tokens",
    "spaces_between_special_tokens",
    "truncate_prompt_tokens",
    "prompt_logprobs",
    "allowed_token_ids",
    "bad_words",
    "guided_json",
    "guided_regex",
    "guided_choice",
    "guided_grammar",
    "guided_decoding_backend",
    "structured_outputs",
    "chat_template",
    "chat_template_kwargs",
    "add_generation_prompt",
    "continue_final_message",
    "mm_processor_kwargs",
    "return_tokens_as_token_ids",
    // TGI parameters
    "max_new_tokens",
    "do_sample",
    "return_full_text",
    "watermark",
    "decoder_input_details",
    "top_n_tokens",
    // DashScope extras
    "enable_thinking",
    "enable_search",
    "thinking_budget",
    "result_format",
    "incremental_output",
];

/// Parameters that are plain English words too: they count only where the grammar marks
/// them as a name (quoted, after "parameter", in a location, before a colon), never bare
/// ("the user must be verified", "stop sequences").
const PLAIN_WORDS: &[&str] = &[
    "audio",
    "metadata",
    "n",
    "stop",
    "store",
    "stream",
    "user",
    "background",
    "include",
    "instructions",
    "reasoning",
    "text",
    "truncation",
    "conversation",
    "container",
    "format",
    "options",
    "think",
    "thinking",
    "prediction",
    "modalities",
    "functions",
    "tools",
];

/// The request's content: refused, it is a bad request naming the field, not a parameter to drop.
const CONTENT: &[&str] = &[
    "messages",
    "model",
    "prompt",
    "input",
    "contents",
    "system",
    "systemInstruction",
];

/// Words that say a value is what is refused (a predicate's neighbourhood): the fix is the
/// value, never dropping the key.
const VALUE_WORDS: &[&str] = &[
    "unsupported value",
    "invalid value",
    "value for",
    "value of",
    "must be one of",
    "should be one of",
    "must be",
    "should be",
    "input should be",
    "expected tags",
    "is not one of",
    "not a valid",
    "expected one of",
    "valid values",
    "allowed values",
    "is allowed",
    "are allowed",
    "must be in range",
    "out of range",
    "between",
    "取值",
    "范围",
    "必须",
];

/// Predicates, with the fix their words alone ask for. Longer before shorter where one
/// holds the other.
const PREDICATES: &[(&str, Fix)] = &[
    ("extra inputs are not permitted", Fix::Drop),
    // zod's unrecognized_keys issue (zod.dev, ZodIssueCode), the schema library of many JS
    // servers: "Unrecognized key(s) in object: 'stop'".
    ("unrecognized key(s) in object:", Fix::Drop),
    ("unsupported value", Fix::Value),
    // pydantic-core's union_tag_invalid: "Input tag 'adaptive' found using 'type' does not
    // match any of the expected tags: 'disabled', 'enabled'".
    ("does not match any of the expected", Fix::Value),
    ("invalid value", Fix::Value),
    ("must be one of", Fix::Value),
    ("should be one of", Fix::Value),
    ("input should be", Fix::Value),
    ("is not one of", Fix::Value),
    ("is not a valid", Fix::Value),
    ("must be in range", Fix::Value),
    // A cap over its maximum: "max_tokens (10000) cannot exceed 8192".
    ("cannot exceed", Fix::Value),
    ("can not exceed", Fix::Value),
    ("must not exceed", Fix::Value),
    ("is allowed", Fix::Value),
    ("must be", Fix::Value),
    ("should be", Fix::Value),
    ("cannot both be", Fix::Drop),
    ("mutually exclusive", Fix::Drop),
    ("cannot be used with", Fix::Drop),
    ("cannot be used together", Fix::Drop),
    ("does not support", Fix::Drop),
    ("doesn't support", Fix::Drop),
    ("do not support", Fix::Drop),
    ("is not supported", Fix::Drop),
    ("are not supported", Fix::Drop),
    ("not supported", Fix::Drop),
    ("unsupported", Fix::Drop),
    ("not permitted", Fix::Drop),
    ("not allowed", Fix::Drop),
    ("unrecognized", Fix::Drop),
    ("unrecognised", Fix::Drop),
    ("unknown", Fix::Drop),
    ("unexpected keyword argument", Fix::Drop),
    ("unexpected field", Fix::Drop),
    ("unexpected property", Fix::Drop),
    ("cannot find field", Fix::Drop),
    ("no such field", Fix::Drop),
    ("incompatible", Fix::Drop),
    ("is invalid", Fix::Either),
    ("is not valid", Fix::Either),
    ("invalid", Fix::Either),
    ("illegal", Fix::Either),
    ("不支持", Fix::Drop),
    ("不允许", Fix::Drop),
    ("未知", Fix::Drop),
    ("无法识别", Fix::Drop),
    ("非法", Fix::Either),
    ("无效", Fix::Either),
    ("错误", Fix::Either),
    ("有误", Fix::Either),
];

/// Predicates whose subject comes first and whose words after are the values allowed.
const SUBJECT_FIRST: &[&str] = &[
    "cannot exceed",
    "can not exceed",
    "must not exceed",
    "does not match any of the expected",
    "must be one of",
    "should be one of",
    "input should be",
    "should be",
    "must be",
    "is not one of",
    "must be in range",
    "is allowed",
];

/// Words between a name and its predicate that the grammar steps over ("`x` **is** not
/// supported", "does not support **specifying** dimensions", "x **参数**非法").
const FILLER: &[&str] = &[
    "is",
    "are",
    "was",
    "the",
    "a",
    "an",
    "this",
    "that",
    "parameter",
    "parameters",
    "param",
    "params",
    "field",
    "fields",
    "argument",
    "arguments",
    "key",
    "option",
    "property",
    "named",
    "specifying",
    "setting",
    "using",
    "passing",
    "custom",
    "request",
    "supplied",
    "for",
    "value",
    "参数",
    "字段",
    "的",
    "该",
];

/// Words before a name that mark it as one ("parameter x", "field: x").
const LABELS: &[&str] = &[
    "parameter",
    "parameters",
    "param",
    "params",
    "field",
    "argument",
    "arguments",
    "key",
    "option",
    "property",
    "supplied",
    "参数",
    "字段",
];

/// Read a parameter refusal from the message (and, without a body, the text around it).
pub fn read(f: &Facts) -> Option<Refused> {
    let original = f.body.message.as_deref().unwrap_or("");
    read_text(original, f.sent).or_else(|| {
        // A pydantic error repr or a loc carried in the wrapper text.
        (original.is_empty())
            .then(|| read_text(&f.words, f.sent))
            .flatten()
    })
}

/// The start of `original` a reading looks at, with JSON quoted inside a string, once or
/// twice (`{\"loc\":[\"body\",…]}` in a log line), unquoted: its keys read as they would
/// unquoted.
fn unquoted(original: &str) -> std::borrow::Cow<'_, str> {
    let text = crate::fit::prefix(original, 8 << 10).0;
    if text.contains("\\\"") {
        text.replace("\\\\", "").replace("\\\"", "\"").into()
    } else {
        text.into()
    }
}

/// A refusal a validator's location names (a pydantic `loc`, an arrow path, FastAPI's
/// `body.x:` prefix).
fn located(text: &str, lower: &str, sent: &[&str]) -> Option<Refused> {
    in_loc(text, lower, sent)
        .or_else(|| arrow_loc(lower, sent))
        .or_else(|| loc_prefix(lower, sent))
}

/// [`read`] over one text.
pub fn read_text(original: &str, sent: &[&str]) -> Option<Refused> {
    let text = unquoted(original);
    let text = text.as_ref();
    let lower = text.to_ascii_lowercase();
    if let Some(r) = located(text, &lower, sent) {
        return Some(r);
    }
    let mut best: Option<(u8, usize, Refused)> = None;
    for (pred, fix) in PREDICATES {
        for (i, _) in lower.match_indices(pred).take(8) {
            // "unknown" inside a longer word ("unknownerror") is no predicate.
            if lower[..i].ends_with(|c: char| c.is_ascii_alphanumeric())
                && pred.starts_with(|c: char| c.is_ascii_alphabetic())
            {
                continue;
            }
            let end = i + pred.len();
            let fix = fix_at(&lower, i, end, *fix);
            let mut found: Vec<(u8, usize, Candidate)> = Vec::new();
            // "x: Input should be 'user' or 'assistant'", "x must be one of [...]": what
            // follows is the values allowed, never the field refused.
            let values_follow = SUBJECT_FIRST.contains(pred);
            if let Some(c) = after(text, end, sent).filter(|_| !values_follow) {
                found.push((if c.marked { 0 } else { 1 }, c.at.abs_diff(end), c));
            }
            if let Some(c) = before(text, i, sent) {
                found.push((if c.marked { 0 } else { 1 }, i.abs_diff(c.at), c));
            }
            if found.is_empty() {
                if let Some(c) = near(text, i, end, sent) {
                    found.push((2, c.at.abs_diff(i), c));
                }
            }
            for (rank, dist, c) in found {
                let better = best
                    .as_ref()
                    .is_none_or(|(r, d, _)| (rank, dist) < (*r, *d));
                if better {
                    let content = CONTENT.contains(&c.name.as_str());
                    best = Some((
                        rank,
                        dist,
                        Refused {
                            name: if content { c.name } else { spelled(&c.name) },
                            fix,
                            content,
                            direct: rank < 2,
                            marked: rank == 0,
                            predicate: pred,
                        },
                    ));
                }
            }
        }
    }
    best.map(|(_, _, r)| r)
}

/// The fix a predicate asks for, with the words of its clause: a value named refused
/// ("invalid reasoning value", "only 0.6 is allowed") is a value, whatever the predicate.
fn fix_at(lower: &str, start: usize, end: usize, fix: Fix) -> Fix {
    if fix == Fix::Value {
        return fix;
    }
    let from = clause_start(lower, start);
    let to = clause_end(lower, end);
    let clause = &lower[from..to];
    // "invalid reasoning value", "x value is invalid": the value, named.
    let value_named = clause.contains(" value") || clause.contains("value ");
    let value_words = VALUE_WORDS.iter().any(|w| clause.contains(w));
    match fix {
        Fix::Either if value_named || value_words => Fix::Value,
        // "not supported"/"unknown" over a value ("Unsupported value: 'temperature' does not
        // support 0.2") only where the value is named as such.
        Fix::Drop if clause.contains("unsupported value") || clause.contains("invalid value") => {
            Fix::Value
        }
        f => f,
    }
}

fn clause_start(lower: &str, i: usize) -> usize {
    let from = floor(lower, i.saturating_sub(96));
    lower[from..i]
        .rfind(['\n', ';', '{', '}', '[', ']'])
        .map_or(from, |j| from + j + 1)
}

fn clause_end(lower: &str, i: usize) -> usize {
    let to = ceil(lower, (i + 96).min(lower.len()));
    lower[i..to]
        .find(['\n', ';', '{', '}', '[', ']'])
        .map_or(to, |j| i + j)
}

fn floor(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil(s: &str, mut i: usize) -> usize {
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

struct Candidate {
    name: String,
    /// Byte offset of the name.
    at: usize,
    /// Quoted, labelled, a path, or followed by a colon: marked as a name.
    marked: bool,
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.'
}

const QUOTES: &[char] = &['\'', '"', '`', '\\', '“', '”', '‘', '’'];

/// Is `name` a parameter (or the request's content) the grammar may name?
fn accepted(name: &str, marked: bool, sent: &[&str]) -> Option<String> {
    let last = name.rsplit('.').next().unwrap_or(name);
    if last.is_empty() || !last.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let snake = params::snake(last);
    let known = VOCABULARY.contains(&last)
        || VOCABULARY.contains(&snake.as_str())
        || sent.contains(&last)
        || sent.contains(&snake.as_str());
    let content = CONTENT.contains(&last);
    if !known && !content {
        return None;
    }
    // Plain words and the request's content need a mark; a path's last key is marked.
    let plain = PLAIN_WORDS.contains(&last) || content;
    if plain && !marked && !name.contains('.') {
        return None;
    }
    // A path inside the request's content (`messages.0.role`) locates a part of that field:
    // the field is what the refusal is about.
    if let Some(head) = name.split('.').next().filter(|_| name.contains('.')) {
        if CONTENT.contains(&head) && head != last {
            return Some(head.to_string());
        }
    }
    // The API's spelling of a name the vocabulary knows in snake_case ("Thinking budget" names
    // `thinking`, not `Thinking`).
    if !VOCABULARY.contains(&last) && VOCABULARY.contains(&snake.as_str()) {
        return Some(snake);
    }
    Some(last.to_string())
}

/// The name after a predicate: "unknown field `x`", "does not support specifying x",
/// "invalid top_p: …", "argument supplied: x".
fn after(text: &str, end: usize, sent: &[&str]) -> Option<Candidate> {
    let mut at = end;
    let mut marked = false;
    for _ in 0..5 {
        let rest = text.get(at..)?;
        let trimmed = rest.trim_start_matches([' ', ':']);
        at += rest.len() - trimmed.len();
        if trimmed.starts_with(QUOTES) {
            marked = true;
            let q = trimmed.chars().next()?;
            at += q.len_utf8();
            continue;
        }
        let word: String = trimmed.chars().take_while(|c| is_name_char(*c)).collect();
        let word = word.trim_end_matches('.');
        if word.is_empty() {
            // CJK filler ("参数", "字段") between predicate and name.
            let f = FILLER
                .iter()
                .find(|f| !f.is_ascii() && trimmed.starts_with(**f))?;
            at += f.len();
            marked |= LABELS.contains(f);
            continue;
        }
        let lw = word.to_ascii_lowercase();
        // "invalid reasoning value": the noun before "value" is the parameter's name.
        let before_value = trimmed[word.len()..].starts_with(" value");
        // A label after a label ("argument supplied: x") is still no name.
        let label = LABELS.contains(&lw.as_str());
        if (!marked || label) && !before_value && FILLER.contains(&lw.as_str()) {
            marked |= LABELS.contains(&lw.as_str());
            at += word.len();
            continue;
        }
        let next = trimmed[word.len()..].chars().next();
        // A path into the request's content (`input[181].content`) names no field.
        if next == Some('[') && CONTENT.contains(&word) {
            return None;
        }
        let colon = next == Some(':');
        let cjk_label = trimmed[word.len()..].starts_with("参数");
        // A colon after a content word is the sentence's ("invalid input: …"), no mark.
        let colon = colon && !CONTENT.contains(&word);
        let marked = marked || colon || cjk_label || before_value;
        let name = accepted(word, marked, sent)?;
        return Some(Candidate {
            name: effort(name, &trimmed[word.len()..]),
            at,
            marked: marked || word.contains('.'),
        });
    }
    None
}

/// `reasoning` refused by its value where the values are effort levels is the reasoning
/// effort: OpenAI's `reasoning_effort` (chat) and `reasoning.effort` (responses) take
/// none, minimal, low, medium, high (platform.openai.com/docs/api-reference), and
/// Ollama's OpenAI layer reads `reasoning_effort` so (docs.ollama.com, OpenAI
/// compatibility).
fn effort(name: String, rest: &str) -> String {
    let rest = rest
        .get(..rest.len().min(120))
        .unwrap_or(rest)
        .to_ascii_lowercase();
    let levels = ["minimal", "medium", "high", "low"]
        .iter()
        .filter(|l| rest.contains(*l))
        .count();
    if name == "reasoning" && rest.starts_with(" value") && levels >= 2 {
        "reasoning_effort".to_string()
    } else {
        name
    }
}

/// The name before a predicate: "`x` is not supported", "x: Extra inputs are not
/// permitted", "x参数非法", "`a` and `b` cannot both be specified" (the second of a pair:
/// Anthropic's reference advises altering temperature, not top_p, so the later-named,
/// less usual one is the one to drop).
fn before(text: &str, start: usize, sent: &[&str]) -> Option<Candidate> {
    let mut at = start;
    let mut marked = false;
    for _ in 0..4 {
        let head = text.get(..at)?;
        let trimmed = head.trim_end_matches([' ', ':']);
        let colon = head[trimmed.len()..].contains(':');
        at = trimmed.len();
        if trimmed.ends_with(QUOTES) {
            marked = true;
            let q = trimmed.chars().next_back()?;
            at -= q.len_utf8();
            continue;
        }
        let word_start = trimmed.rfind(|c: char| !is_name_char(c)).map_or(0, |j| {
            j + trimmed[j..].chars().next().map_or(1, char::len_utf8)
        });
        let word = trimmed[word_start..].trim_start_matches('.');
        if word.is_empty() {
            let f = FILLER
                .iter()
                .find(|f| !f.is_ascii() && trimmed.ends_with(**f))?;
            at -= f.len();
            marked |= LABELS.contains(f);
            continue;
        }
        let lw = word.to_ascii_lowercase();
        if FILLER.contains(&lw.as_str()) {
            at = word_start;
            continue;
        }
        let quoted_before = trimmed[..word_start].ends_with(QUOTES);
        let m = marked || colon || quoted_before || word.contains('.');
        let name = accepted(word, m, sent)?;
        return Some(Candidate {
            name,
            at: word_start,
            marked: m,
        });
    }
    None
}

/// A parameter-shaped name in the predicate's clause (proximity alone: low confidence).
fn near(text: &str, start: usize, end: usize, sent: &[&str]) -> Option<Candidate> {
    let lower = text.to_ascii_lowercase();
    let from = clause_start(&lower, start);
    let to = clause_end(&lower, end);
    let mut best: Option<Candidate> = None;
    let mut i = from;
    while i < to {
        let rest = &text[i..to];
        let Some(off) = rest.find(|c: char| c.is_ascii_alphabetic()) else {
            break;
        };
        let s = i + off;
        let word: String = text[s..to]
            .chars()
            .take_while(|c| is_name_char(*c))
            .collect();
        let word = word.trim_end_matches('.').to_string();
        let len = word.len().max(1);
        let boundary = !text[..s].ends_with(|c: char| is_name_char(c));
        if boundary && !(start..end).contains(&s) {
            if let Some(name) =
                accepted(&word, false, sent).filter(|n| !CONTENT.contains(&n.as_str()))
            {
                let d = if s < start { start - s } else { s - end };
                if best.as_ref().is_none_or(|b| {
                    let bd = if b.at < start {
                        start - b.at
                    } else {
                        b.at - end
                    };
                    d < bd
                }) {
                    best = Some(Candidate {
                        name,
                        at: s,
                        marked: false,
                    });
                }
            }
        }
        i = s + len;
    }
    best
}

/// pydantic's error as a Python repr or JSON (`{'type': 'extra_forbidden', 'loc': ('body',
/// 'x'), 'msg': …}`), in a message that was not decoded into FastAPI's `detail`: the field
/// is the location's first key after `body`; the type says which fix
/// (docs.pydantic.dev, "Validation Errors": extra_forbidden, literal_error, enum, …).
fn in_loc(text: &str, lower: &str, sent: &[&str]) -> Option<Refused> {
    for lead in ["'loc': (", "'loc': [", "\"loc\": [", "\"loc\":["] {
        let Some(i) = lower.find(lead) else { continue };
        let inner = &text[i + lead.len()..];
        let close = inner.find([')', ']'])?;
        let keys: Vec<&str> = inner[..close]
            .split(',')
            .map(|k| k.trim().trim_matches(QUOTES))
            .filter(|k| !k.is_empty() && !matches!(*k, "body" | "query"))
            .collect();
        let field = *keys.first()?;
        // The error's type, in the same dict: before or after the loc.
        let from = lower[..i].rfind('{').unwrap_or(0);
        let to = lower[i..].find('}').map_or(lower.len(), |j| i + j);
        let dict = &lower[from..to];
        if dict.contains("missing") {
            return None;
        }
        let fix = if dict.contains("extra_forbidden") || dict.contains("not permitted") {
            Fix::Drop
        } else {
            Fix::Value
        };
        let content = CONTENT.contains(&field);
        // pydantic's `extra_forbidden` names a key the body carried and the schema lacks:
        // whatever its name, it is a field of the request, to be dropped.
        let extra = fix == Fix::Drop && params::is_ident(field);
        if !content && !extra && accepted(field, true, sent).is_none() {
            return None;
        }
        return Some(Refused {
            name: if content {
                field.to_string()
            } else {
                spelled(field)
            },
            fix,
            content,
            direct: true,
            marked: true,
            predicate: if fix == Fix::Drop {
                "extra_forbidden"
            } else {
                "a value pydantic refused"
            },
        });
    }
    None
}

/// A location written with arrows (`"loc": "body -> messages -> 0 -> content"`, Perplexity's
/// "At body -> response_format -> ResponseFormatText -> type: Input should be 'text'"): the
/// segment after `body` is the top-level field refused. A missing field is the field
/// readings', not this one's.
fn arrow_loc(lower: &str, sent: &[&str]) -> Option<Refused> {
    let i = lower.find("body -> ")? + "body -> ".len();
    let rest = &lower[i..];
    let field: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    // The clause this location opens, to its message's end.
    let clause = rest.split(['"', '\n', '}']).next().unwrap_or(rest);
    let clause = &clause[..clause.len().min(400)];
    if field.is_empty() || clause.contains("field required") || clause.contains("missing") {
        return None;
    }
    let fix = if clause.contains("extra") || clause.contains("not permitted") {
        Fix::Drop
    } else {
        Fix::Value
    };
    let content = CONTENT.contains(&field.as_str());
    if !content && accepted(&field, true, sent).is_none() {
        return None;
    }
    Some(Refused {
        name: if content { field } else { spelled(&field) },
        fix,
        content,
        direct: true,
        marked: true,
        predicate: "a value its location refuses",
    })
}

/// FastAPI's `detail` as zencheck words it (`body.messages.1.role: Input should be 'user' or
/// 'assistant'`): the loc before the colon names the field; the quoted words after it are
/// the values it takes, not names.
fn loc_prefix(lower: &str, sent: &[&str]) -> Option<Refused> {
    // FastAPI's `body.x: …`, or Anthropic's `x: …` opening the message, whose rest must then
    // read as a refusal ("thinking: Input tag 'adaptive' … does not match any of the
    // expected tags"): a bare "model: <id>" is Anthropic's not-found, no refusal.
    let (rest, bare) = match lower.strip_prefix("body.") {
        Some(rest) => (rest, false),
        None => (lower, true),
    };
    let (path, said) = rest.split_once(": ")?;
    if path.contains(char::is_whitespace) || said.starts_with("field required") {
        return None;
    }
    let field = path.split('.').next()?;
    let content = CONTENT.contains(&field);
    // Bare, only a parameter the request names (never its content, which the location
    // readings own, nor a dotted exception name such as `System.Security…`), with the fix
    // its predicate asks for.
    let fix = if bare {
        if content || path.contains('.') {
            return None;
        }
        PREDICATES.iter().find(|(p, _)| said.contains(p))?.1
    } else if said.starts_with("extra inputs are not permitted")
        || said.starts_with("extra fields not permitted")
    {
        // pydantic's extra_forbidden, as FastAPI's `body.x: msg` writes it.
        Fix::Drop
    } else {
        Fix::Value
    };
    // pydantic's extra_forbidden names a key the body carried, whatever its name (as in `in_loc`).
    let extra = !bare && fix == Fix::Drop && params::is_ident(field);
    if !content && !extra && accepted(field, true, sent).is_none() {
        return None;
    }
    Some(Refused {
        name: if content {
            field.to_string()
        } else {
            spelled(field)
        },
        fix,
        content,
        direct: true,
        marked: true,
        predicate: if !bare && fix == Fix::Drop {
            "extra_forbidden"
        } else {
            "a value pydantic refused"
        },
    })
}

/// The API's spelling of a parameter: a camelCase name whose snake_case is documented in
/// OpenAI's spelling is told in it (the existing blame's rule), any other keeps its own.
fn spelled(name: &str) -> String {
    params::api_spelling(name)
}

/// Message rules whose verdict says no more than "the request was refused": a parameter
/// named refused says more.
const GENERIC_RULES: &[&str] = &["invalid_request_words", "bad_request_words", "body_invalid"];

/// A message rule that says no more than "the request was refused".
pub(super) fn is_generic(id: &str) -> bool {
    GENERIC_RULES.contains(&id)
}

/// The verdict of this layer, when no specific message rule spoke (`by_message`: the
/// first message rule's id and whether it named a parameter).
pub fn decide(f: &Facts, by_message: Option<(&'static str, bool)>) -> Option<Classification> {
    if let Some((id, named)) = by_message {
        if named || !GENERIC_RULES.contains(&id) {
            return None;
        }
    }
    // A status about the key, the model, the proxy or the rate says more than any words.
    if matches!(f.status, Some(401 | 403 | 404 | 407 | 429))
        || params::about_the_answer(&f.msg)
        || reading_an_answer(&f.words)
    {
        return None;
    }
    // `reasoning` is both the Responses API's parameter and a key of an assistant message
    // sent back (DeepSeek's, OpenRouter's): its name alone does not say which, and their
    // fixes differ, so the grammar leaves it to the readings that know.
    let r = read(f).filter(|r| r.name != "reasoning")?;
    Some(verdict(f, r, by_message))
}

/// A schema validator's own record that the body carried a field its schema lacks (pydantic's
/// `extra_forbidden` at `loc: ["body", x]`), in the message or quoted anywhere in the paste
/// (a log line's escaped JSON the message reader cut short): no wrapper's words (a client's
/// "authentication failed" around it) say more about what was refused.
pub fn extra_field(f: &Facts) -> Option<Classification> {
    let in_text = |text: &str| {
        let text = unquoted(text);
        located(&text, &text.to_ascii_lowercase(), f.sent)
    };
    let r = in_text(f.body.message.as_deref().unwrap_or(""))
        .or_else(|| in_text(&f.words))
        // A bare `x: …` opening (Anthropic's) is a weaker place than a location.
        .filter(|r| r.fix == Fix::Drop && r.predicate != "a value pydantic refused")
        .filter(|r| r.marked && r.direct && r.name != "reasoning")?;
    Some(verdict(f, r, None))
}

/// The verdict on a refusal [`read`] found.
fn verdict(f: &Facts, mut r: Refused, by_message: Option<(&'static str, bool)>) -> Classification {
    // A name refused inside a located message is a part of that message (`params::located_part`).
    if !r.content {
        let original = f.body.message.as_deref().unwrap_or(&f.words);
        if let Some(field) = params::located_part(original, &r.name) {
            r.name = field;
            r.content = true;
        }
    }
    // A 5xx or a bare text speaks less surely than a 4xx refusal.
    let sure = r.direct && f.status.is_some_and(|s| (400..500).contains(&s));
    let sure = sure || (r.direct && f.status.is_none() && by_message.is_none());
    // A name the text does not spell so (a client's camelCase, the effort of `reasoning`)
    // is this reading's, not the server's word.
    let sure = sure && f.msg.contains(&r.name.to_ascii_lowercase());
    let place = if r.direct {
        "the name it refuses"
    } else {
        "the parameter named nearest to it"
    };
    // A content field refused as a field ("Unknown parameter: 'model'", "Unrecognized request
    // argument supplied: system", `unknown field "input"`) is one this endpoint does not
    // take at all, as an optional parameter is: the fix is about that field, by its name.
    // Its value or shape refused ("invalid messages") stays the request's content.
    let content = r.content && !(r.fix == Fix::Drop && r.marked);
    let evidence = if content {
        format!(
            "the refusal \"{}\" of `{}`, the request's content, not an optional parameter",
            r.predicate, r.name
        )
    } else {
        format!(
            "the refusal \"{}\" with `{}` as {place}",
            r.predicate, r.name
        )
    };
    if content {
        // No optional parameter is blamed: the content field the refusal names directly is
        // the part to fix (`messages 参数非法`, pydantic's `loc: ["body", "input"]`).
        return Classification {
            kind: Kind::BadRequest,
            param: r.marked.then(|| r.name.clone()),
            gateway: false,
            rule: "param_words",
            hint: None,
            confidence: if sure {
                Confidence::High
            } else {
                Confidence::Low
            },
            evidence,
        };
    }
    Classification {
        kind: Kind::ParamRejected,
        param: Some(r.name),
        gateway: false,
        rule: "param_words",
        hint: hint_for(r.fix),
        confidence: if sure {
            Confidence::High
        } else {
            Confidence::Low
        },
        evidence,
    }
}

fn hint_for(fix: Fix) -> Option<RuleHint> {
    match fix {
        Fix::Drop => None,
        Fix::Value => Some(RuleHint::ParamValue),
        Fix::Either => Some(RuleHint::ParamValueOrDrop),
    }
}

/// A client that could not read the answer (Jackson's "Unrecognized field … (class
/// …Response)"), not a server refusing the request.
fn reading_an_answer(words: &str) -> bool {
    [
        "response), not marked",
        "response\"), not marked",
        "deserialize api response",
        "decoding response",
    ]
    .iter()
    .any(|w| words.contains(w))
}

/// A parameter verdict of another layer whose words refuse a value, not the parameter
/// ("Unsupported value: 'temperature' does not support 0.2", "invalid temperature: only
/// 0.6 is allowed"): its fix changes the value instead of dropping the key.
pub fn value_fix(mut v: Classification, body: &super::ErrorBody) -> Classification {
    if v.kind != Kind::ParamRejected || v.hint.is_some() {
        return v;
    }
    let Some(p) = v.param.clone() else { return v };
    let text = body.message.as_deref().unwrap_or("");
    let fix = read_text(text, &[p.as_str()])
        .filter(|r| r.name == p)
        .map(|r| r.fix)
        .or_else(|| {
            let lower = text.to_ascii_lowercase();
            (lower.contains("unsupported value") || lower.contains("invalid value for"))
                .then_some(Fix::Value)
        });
    v.hint = match fix {
        Some(Fix::Value) => Some(RuleHint::ParamValue),
        Some(Fix::Either) => Some(RuleHint::ParamValueOrDrop),
        _ => None,
    };
    v
}

/// Output caps, by every name the APIs and servers give them.
const OUTPUT_CAPS: &[&str] = &[
    "max_tokens",
    "max_completion_tokens",
    "max_output_tokens",
    "max_new_tokens",
    "num_predict",
    "n_predict",
];

/// An output cap refused for being below zero is, most likely, a context overflow one
/// layer up: clients and agent frameworks compute the cap as the window minus the prompt
/// (Roo/Kilo Code's and agent harnesses' context-window arithmetic; vLLM then answers
/// "max_tokens must be at least 1, got -412"), so a negative value means the prompt alone
/// fills the window. Said as likely: a cap set by hand to a negative number reads the same,
/// and the fix covers both.
pub fn negative_cap(v: Classification, body: &super::ErrorBody) -> Classification {
    if v.kind != Kind::ParamRejected
        || !v.param.as_deref().is_some_and(|p| OUTPUT_CAPS.contains(&p))
    {
        return v;
    }
    let text = body.message.as_deref().unwrap_or("");
    let Some(n) = negative_number(text) else {
        return v;
    };
    Classification {
        kind: Kind::ContextOverflow,
        param: None,
        hint: Some(RuleHint::NegativeCap),
        confidence: Confidence::Low,
        evidence: format!(
            "`{}` refused with the value {n}: a cap below zero is what a client computes as the window minus a prompt that already fills it",
            v.param.as_deref().unwrap_or("")
        ),
        ..v
    }
}

/// OpenAI's overflow arithmetic, "you requested 8334 tokens (338 in the messages, 7996 in
/// the completion)": when the completion's share is the larger, the cap the request asked
/// for is what overflows, and the fix is the cap's (lower it), not the prompt's. No
/// parameter is named: the window is the refusal, the cap its larger part.
pub fn cap_share(v: Classification, body: &super::ErrorBody) -> Classification {
    if v.kind != Kind::ContextOverflow || v.hint.is_some() {
        return v;
    }
    let text = body.message.as_deref().unwrap_or("").to_ascii_lowercase();
    let number_before = |key: &str| -> Option<u64> {
        let head = &text[..text.find(key)?];
        let digits: String = head
            .trim_end()
            .chars()
            .rev()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.chars().rev().collect::<String>().parse().ok()
    };
    let number_after = |key: &str| -> Option<u64> {
        let tail = text[text.find(key)? + key.len()..].trim_start();
        let digits: String = tail.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    };
    // vLLM's form: "You passed 74655 input characters (or 300 input tokens) and requested
    // 32000 output tokens. However, the model's context length is only 32000 tokens": the
    // cap alone fills the window, or outweighs the input when the input is counted in tokens.
    let vllm = number_before(" output tokens").filter(|_| text.contains("requested"));
    let window = number_after("context length is only")
        .or_else(|| number_after("maximum context length is"));
    let input = number_before(" input tokens");
    let (messages, completion) = match (vllm, window) {
        (Some(c), Some(w)) if input.is_none() && c.saturating_mul(2) >= w => (Some(0), Some(c)),
        (Some(c), Some(_)) if input.is_some() => (input, Some(c)),
        _ => (
            number_before(" in the messages"),
            number_before(" in the completion"),
        ),
    };
    match (messages, completion) {
        // The cap is what to change: named as the vLLM rule for the same case names it.
        (Some(m), Some(c)) if c > m => Classification {
            param: Some("max_tokens".into()),
            hint: Some(RuleHint::CapOverWindow),
            evidence: format!(
                "{}; the completion's share ({c} tokens) is larger than the messages' ({m})",
                v.evidence
            ),
            ..v
        },
        _ => v,
    }
}

/// A negative integer written as a value in the message ("got -412", "= -5", "(-1)"),
/// not a hyphen inside a word or a range ("1-4096").
fn negative_number(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    (0..b.len()).find_map(|i| {
        let after_digit_or_word = i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
        if b[i] != b'-' || after_digit_or_word || !b.get(i + 1).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        let end = (i + 1..b.len())
            .find(|&j| !b[j].is_ascii_digit())
            .unwrap_or(b.len());
        // A digit run glued to letters is an identifier or a version ("-3b"), not a value.
        if b.get(end).is_some_and(|c| c.is_ascii_alphabetic()) {
            return None;
        }
        text[i..end].parse::<i64>().ok().filter(|n| *n < 0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(t: &str) -> Option<(String, Fix, bool, bool)> {
        read_text(t, &[]).map(|r| (r.name, r.fix, r.content, r.direct))
    }

    fn name_fix(t: &str) -> Option<(String, Fix)> {
        read(t).map(|(n, f, _, _)| (n, f))
    }

    #[test]
    fn a_negative_output_cap_is_a_prompt_that_fills_the_window_likely() {
        let rejected = |msg: &str, param: &str| {
            let body = crate::classify::ErrorBody {
                message: Some(msg.to_string()),
                ..Default::default()
            };
            let v = Classification {
                kind: Kind::ParamRejected,
                param: Some(param.to_string()),
                gateway: false,
                rule: "param_named",
                hint: None,
                confidence: Confidence::High,
                evidence: String::new(),
            };
            negative_cap(v, &body)
        };
        // vLLM's protocol validation, as its source words it.
        let v = rejected("max_tokens must be at least 1, got -412.", "max_tokens");
        assert_eq!(v.kind, Kind::ContextOverflow);
        assert_eq!(v.confidence, Confidence::Low);
        assert_eq!(v.hint, Some(RuleHint::NegativeCap));
        // A positive value, a range, another parameter: unchanged.
        for (msg, p) in [
            ("max_tokens must be at most 4096, got 8192.", "max_tokens"),
            ("max_tokens must be in 1-4096", "max_tokens"),
            ("temperature must be at least 0, got -1", "temperature"),
            (
                "max_tokens is not supported with model llama-3-8b",
                "max_tokens",
            ),
        ] {
            assert_eq!(rejected(msg, p).kind, Kind::ParamRejected, "{msg}");
        }
    }

    #[test]
    fn values_after_a_subject_first_predicate_are_no_field() {
        // "x: Input should be 'user' or 'assistant'": `user` is a value, the path the field.
        assert_ne!(
            read("messages.0.role: Input should be 'user' or 'assistant'").map(|r| r.0),
            Some("user".into())
        );
        assert_eq!(
            name_fix("temperature must be one of 'low', 'medium'"),
            Some(("temperature".into(), Fix::Value))
        );
        // An arrow location names the top-level field (Perplexity, tinker).
        assert_eq!(
            name_fix(
                "At body -> response_format -> ResponseFormatText -> type: Input should be 'text'"
            ),
            Some(("response_format".into(), Fix::Value))
        );
        // A label after a label: "argument supplied: system" names `system`.
        assert_eq!(
            read("Unrecognized request argument supplied: system").map(|r| (r.0, r.1)),
            Some(("system".into(), Fix::Drop))
        );
    }

    #[test]
    fn a_parameter_after_its_predicate_is_named() {
        // OpenAI's embeddings reference: dimensions is only for text-embedding-3 and later.
        assert_eq!(
            name_fix("This model does not support specifying dimensions."),
            Some(("dimensions".into(), Fix::Drop))
        );
        // serde's and Go's encoding/json's unknown-field errors.
        assert_eq!(
            name_fix("json: unknown field \"stream_options\""),
            Some(("stream_options".into(), Fix::Drop))
        );
        assert_eq!(
            name_fix("Model incompatible request argument supplied: temperature"),
            Some(("temperature".into(), Fix::Drop))
        );
        // Protobuf JSON (Gemini): a camelCase generationConfig key, in the API's spelling.
        assert_eq!(
            name_fix("Invalid JSON payload received. Unknown name \"topK\" at 'generation_config': Cannot find field."),
            Some(("top_k".into(), Fix::Drop))
        );
    }

    #[test]
    fn a_parameter_before_its_predicate_is_named() {
        // Anthropic's and pydantic's "x: <msg>" (docs.anthropic.com, errors).
        assert_eq!(
            name_fix("top_k: Extra inputs are not permitted"),
            Some(("top_k".into(), Fix::Drop))
        );
        assert_eq!(
            name_fix("`logprobs` is not supported with this model"),
            Some(("logprobs".into(), Fix::Drop))
        );
        // Chinese: the name, 参数, the predicate.
        assert_eq!(
            name_fix("presence_penalty参数不支持"),
            Some(("presence_penalty".into(), Fix::Drop))
        );
        assert_eq!(
            name_fix("参数 top_p 无效"),
            Some(("top_p".into(), Fix::Either))
        );
    }

    #[test]
    fn a_refused_value_is_a_value_to_change() {
        // OpenAI's unsupported_value; Ollama's OpenAI layer for reasoning_effort (docs:
        // high, medium, low or none); pydantic's literal_error (SGLang, vLLM).
        assert_eq!(
            name_fix("'reasoning_effort' must be one of 'low', 'medium', 'high'"),
            Some(("reasoning_effort".into(), Fix::Value))
        );
        assert_eq!(
            name_fix("invalid top_p: only 0.95 is allowed for this model"),
            Some(("top_p".into(), Fix::Value))
        );
        assert_eq!(
            name_fix("temperature: Input should be less than or equal to 2"),
            Some(("temperature".into(), Fix::Value))
        );
        let repr = "1 validation error:\n  {'type': 'literal_error', 'loc': ('body', 'reasoning_effort'), 'msg': \"Input should be 'low', 'medium' or 'high'\", 'input': 'xhigh'}";
        assert_eq!(
            name_fix(repr),
            Some(("reasoning_effort".into(), Fix::Value))
        );
        let repr = "[{'type': 'extra_forbidden', 'loc': ('body', 'max_completion_tokens'), 'msg': 'Extra inputs are not permitted', 'input': 800}]";
        assert_eq!(
            name_fix(repr),
            Some(("max_completion_tokens".into(), Fix::Drop))
        );
    }

    #[test]
    fn a_reasoning_value_among_effort_levels_is_the_effort() {
        assert_eq!(
            name_fix("invalid reasoning value: 'minimal' (must be \"high\", \"medium\", \"low\", or \"none\")"),
            Some(("reasoning_effort".into(), Fix::Value))
        );
        assert_eq!(
            name_fix("invalid seed value: 'abc'"),
            Some(("seed".into(), Fix::Value))
        );
    }

    #[test]
    fn of_a_pair_that_cannot_go_together_the_second_is_dropped() {
        assert_eq!(
            name_fix("`temperature` and `top_p` cannot both be specified for this model. Please use only one."),
            Some(("top_p".into(), Fix::Drop))
        );
    }

    #[test]
    fn zod_s_unrecognized_keys_names_the_key_to_drop() {
        let r = read("API Error: Unrecognized key(s) in object: 'stop'").unwrap();
        assert_eq!((r.0.as_str(), r.1), ("stop", Fix::Drop));
    }

    #[test]
    fn an_overflow_whose_larger_part_is_the_cap_gets_the_cap_s_fix() {
        let read = |m: &str| {
            let body = super::super::ErrorBody {
                message: Some(m.into()),
                param: Some("messages".into()),
                ..Default::default()
            };
            super::super::decide(Some(400), &body, &[], "").expect("read")
        };
        let v = read("This model's maximum context length is 8192 tokens. However, you requested 8334 tokens (338 in the messages, 7996 in the completion). Please reduce the length of the messages or completion.");
        assert_eq!(
            (v.kind, v.param.as_deref(), v.hint),
            (
                Kind::ContextOverflow,
                Some("max_tokens"),
                Some(RuleHint::CapOverWindow)
            )
        );
        // The messages' share the larger: the prompt's fix, as before, and no parameter.
        // vLLM's form: the cap alone fills the window.
        let v = read("You passed 74655 input characters and requested 32000 output tokens. However, the model's context length is only 32000 tokens, resulting in a maximum input length of 0 tokens.");
        assert_eq!(v.param.as_deref(), Some("max_tokens"));
        let v = read("You passed 9000 input tokens and requested 100 output tokens. However, the model's context length is only 8192 tokens.");
        assert_eq!(v.param, None);
        let v = read("This model's maximum context length is 4097 tokens. However, you requested 4268 tokens (4012 in the messages, 256 in the completion).");
        assert_eq!(
            (v.kind, v.param.as_deref(), v.hint),
            (Kind::ContextOverflow, None, None)
        );
    }

    #[test]
    fn the_request_s_content_is_a_field_not_a_parameter() {
        assert_eq!(
            read("Unknown parameter: 'input'."),
            Some(("input".into(), Fix::Drop, true, true))
        );
        assert_eq!(
            read("messages: Input should be a valid list").map(|r| (r.0, r.2)),
            Some(("messages".into(), true))
        );
    }

    #[test]
    fn a_path_into_the_content_names_no_field() {
        assert_eq!(
            read("Invalid 'input[3].content[0].image_url'. Expected a base64-encoded data URL"),
            None
        );
        assert_eq!(
            read("messages.0.content: Input should be a valid string"),
            None
        );
    }

    #[test]
    fn prose_and_words_that_are_not_parameters_name_nothing() {
        assert_eq!(read("The model does not support streaming"), None);
        assert_eq!(read("this request is not supported"), None);
        assert_eq!(read("The user must be verified to use this model"), None);
        assert_eq!(read("stop sequences are not supported"), None);
        assert_eq!(read("Invalid API key provided"), None);
        // A key the APIs do not document, quoted or not, is not guessed at.
        assert_eq!(
            read("Unknown name \"generationconfigs\": Cannot find field."),
            None
        );
    }

    fn facts<'a>(status: Option<u16>, body: &'a super::super::ErrorBody) -> Facts<'a> {
        let msg = body.message.as_deref().unwrap_or("").to_lowercase();
        Facts {
            status,
            body,
            sent: &[],
            words: msg.clone(),
            msg,
            body_only: false,
        }
    }

    #[test]
    fn the_verdict_names_the_fix_and_defers_to_the_status_and_specific_rules() {
        let body = super::super::ErrorBody {
            message: Some("invalid temperature: only 0.6 is allowed for this model".into()),
            ..Default::default()
        };
        let v = decide(&facts(Some(400), &body), None).unwrap();
        assert_eq!(
            (v.kind, v.param.as_deref(), v.hint, v.confidence),
            (
                Kind::ParamRejected,
                Some("temperature"),
                Some(RuleHint::ParamValue),
                Confidence::High
            )
        );
        // A status about the key or the rate says more; so does a specific message rule.
        assert!(decide(&facts(Some(401), &body), None).is_none());
        assert!(decide(&facts(Some(400), &body), Some(("context_overflow", false))).is_none());
        assert!(decide(
            &facts(Some(400), &body),
            Some(("invalid_request_words", false))
        )
        .is_some());
        // `reasoning` alone: a request parameter or an assistant message's key.
        let body = super::super::ErrorBody {
            message: Some("reasoning: Extra inputs are not permitted".into()),
            ..Default::default()
        };
        assert!(decide(&facts(Some(400), &body), None).is_none());
        // A content field refused as a field is one this endpoint does not take at all.
        let body = super::super::ErrorBody {
            message: Some("Unknown parameter: 'input'.".into()),
            ..Default::default()
        };
        let v = decide(&facts(Some(400), &body), None).unwrap();
        assert_eq!(
            (v.kind, v.param.as_deref()),
            (Kind::ParamRejected, Some("input"))
        );
        // Its value refused is a malformed part of it: a bad request naming the field, never
        // an optional parameter to drop; a bare English word ("invalid input") names none.
        let body = super::super::ErrorBody {
            message: Some("'messages' must be a non-empty array".into()),
            ..Default::default()
        };
        let v = decide(&facts(Some(400), &body), None).unwrap();
        assert_eq!(
            (v.kind, v.param.as_deref()),
            (Kind::BadRequest, Some("messages"))
        );
        let body = super::super::ErrorBody {
            message: Some("Invalid API parameter, please check the documentation. invalid input: see the docs".into()),
            ..Default::default()
        };
        assert!(decide(&facts(Some(400), &body), None).is_none_or(|v| v.param.is_none()));
    }

    #[test]
    fn another_layer_s_parameter_verdict_gets_the_value_fix_its_words_ask_for() {
        let v = |msg: &str| {
            Classification {
                kind: Kind::ParamRejected,
                param: Some("temperature".into()),
                gateway: false,
                rule: "param_named",
                hint: None,
                confidence: Confidence::High,
                evidence: String::new(),
            }
            .pipe(msg)
        };
        assert_eq!(
            v("Unsupported value: 'temperature' does not support 0.2 with this model. Only the default (1) value is supported."),
            Some(RuleHint::ParamValue)
        );
        assert_eq!(
            v("temperature参数非法。请检查文档。"),
            Some(RuleHint::ParamValueOrDrop)
        );
        assert_eq!(
            v("Unsupported parameter: 'temperature' is not supported with this model."),
            None
        );
    }

    trait Pipe {
        fn pipe(self, msg: &str) -> Option<RuleHint>;
    }

    impl Pipe for Classification {
        fn pipe(self, msg: &str) -> Option<RuleHint> {
            let body = super::super::ErrorBody {
                message: Some(msg.into()),
                ..Default::default()
            };
            value_fix(self, &body).hint
        }
    }

    #[test]
    fn a_parameter_only_near_a_predicate_is_a_weak_reading() {
        let r =
            read("Request failed: invalid settings for this deployment (max_new_tokens)").unwrap();
        assert_eq!(r.0, "max_new_tokens");
        assert!(!r.3, "proximity alone is not direct");
    }
}
