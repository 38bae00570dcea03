//! Which parameter an answer blames.
//!
//! The explicit `param` field first; then the parameter the message names first (messages
//! name the culprit before the alternative: "'max_tokens' is not supported … Use
//! 'max_completion_tokens' instead"); then a name quoted after a refusal phrase. Only a
//! parameter the request carried (`sent`) is blamed by a mention.

use super::facts::Facts;
use super::KNOWN_PARAMS;

/// Names that are the request's content, not an optional parameter to drop.
const CONTENT: &[&str] = &[
    "messages", "model", "prompt", "input", "contents", "system", "content", "role",
];

/// Words naming a capability rather than the key: "tool use" is `tools`.
const ALIASES: &[(&str, &str)] = &[
    ("maximum tokens", "max_tokens"),
    ("tool use", "tools"),
    ("tool calling", "tools"),
    ("function calling", "tools"),
    ("tool calls", "tools"),
    ("json mode", "response_format"),
    ("json output", "response_format"),
    ("tool call", "tools"),
    ("structured output", "response_format"),
    // A refused entry of `tools` by its `type` (OpenAI's tools[].type: `function`, or a
    // hosted tool such as `web_search`): the parameter is `tools`.
    ("tool type", "tools"),
];

/// Codes that say "this parameter" on their own.
const PARAM_CODES: &[&str] = &[
    "unsupported_parameter",
    "unknown_parameter",
    "unsupported_value",
    "extra_forbidden",
];

/// Phrases after which a server quotes the parameter it refuses.
const REFUSAL_LEADS: &[&str] = &[
    "argument supplied:",
    "arguments supplied:",
    "unknown parameter:",
    "unsupported parameter:",
    "unrecognized parameter:",
    "unknown field",
    "field:",
    "unexpected keyword argument",
    "unknown name",
    "property",
    "invalid value for",
    "unsupported value:",
];

pub fn refusal_words(msg: &str) -> bool {
    [
        "not supported",
        "not yet supported",
        "unsupported",
        "does not support",
        "unrecognized",
        "unknown parameter",
        "unknown field",
        "not permitted",
        "extra inputs",
        "not allowed",
        "invalid",
        "must be",
        "only allowed",
        "maximum allowed",
        "cannot be used",
        "cannot be combined",
        // "Send either max_tokens or max_completion_tokens, not both."
        ", not both",
        "requires",
        // DashScope: "parameter incremental_output only support stream call".
        "only support",
        "no endpoints found that support",
        // DeepSeek: "This response_format type is unavailable now" (json_schema).
        "is unavailable now",
        // Anthropic: "Unexpected value(s) `…` for the `anthropic-beta` header".
        "unexpected value",
        "参数非法",
        "unknown name",
        "cannot find field",
        "must contain",
        "不支持",
        "无效",
        // "must" (DashScope: "parameter.enable_thinking必须设置为false…"), as "must be" above.
        "必须",
    ]
    .iter()
    .any(|w| msg.contains(w))
}

/// The refusal's words are about the answer, not the request: "Invalid API Response", "an
/// empty or unparsable response". A client that could not read what came back names
/// nothing the request must drop, even when it mentions tool calls or a format.
pub fn about_the_answer(msg: &str) -> bool {
    [
        "invalid api response",
        "invalid response",
        "unparsable response",
        "unparseable response",
        "invalid json response",
        "malformed response",
        "response is invalid",
        "response was invalid",
    ]
    .iter()
    .any(|w| msg.contains(w))
}

/// The answer is about a parameter (not a parameter mentioned in passing).
pub fn param_focus(f: &Facts) -> bool {
    f.body.param.is_some()
        || refusal_words(&f.msg)
        || PARAM_CODES
            .iter()
            .any(|c| f.body.tags.iter().any(|t| t == c))
}

/// Google's location of a refused name ("Unknown name \"text\" at 'contents[1].parts[0]'"):
/// one inside the request's content is the content's shape, not an optional parameter.
pub fn located_in_content(msg: &str) -> bool {
    msg.match_indices(" at '").take(8).any(|(i, m)| {
        let path = &msg[i + m.len()..];
        CONTENT.iter().any(|c| {
            path.strip_prefix(c)
                .is_some_and(|rest| rest.starts_with(['[', '.']))
        })
    })
}

pub fn blamed(f: &Facts) -> Option<String> {
    if let Some(p) = f.body.param.as_deref() {
        if let Some(hit) = KNOWN_PARAMS.iter().find(|k| {
            p == **k
                || p.ends_with(&format!(".{k}"))
                || p.starts_with(&format!("{k}."))
                || p.starts_with(&format!("{k}["))
        }) {
            return Some(canonical(hit).to_string());
        }
        if is_ident(p) && !CONTENT.iter().any(|c| p.starts_with(c)) && param_focus(f) {
            return Some(p.to_string());
        }
    }
    if let Some(p) = first_mentioned(&f.msg, f.sent) {
        return Some(p);
    }
    if let Some(h) = header_named(&f.msg) {
        return Some(h);
    }
    let original = f.body.message.as_deref().unwrap_or("");
    let named = pydantic_errors(original)
        .into_iter()
        .find_map(|e| e.refused_name())
        .or_else(|| in_container(original))
        .or_else(|| quoted_after_refusal(&f.msg, original))
        .or_else(|| named_unsupported(&f.msg, original));
    if let Some(field) = named.as_deref().and_then(|n| located_part(original, n)) {
        return Some(field);
    }
    named
        .or_else(|| labelled(&f.words))
        .or_else(|| keyword_in_call(&f.words))
        .or_else(|| quoted_parameter(&f.words))
}

/// The content field a located message names (`'messages.1' : property 'images' is
/// unsupported`), when `name` is refused inside it: that part of the message is what to fix,
/// as LABELS.md writes a located part. A request parameter keeps its own name, and so does an
/// assistant message's reasoning sent back (LABELS.md, "Reasoning sent back").
pub fn located_part(original: &str, name: &str) -> Option<String> {
    let field = located(original).filter(|l| CONTENT.contains(&l.as_str()))?;
    let own = name.starts_with("reasoning")
        || name.starts_with(field.as_str())
        || KNOWN_PARAMS.contains(&name);
    (!own).then_some(field)
}

/// Parameters the APIs document, as they spell them (snake_case): a client that spells one
/// its own way (a Java or JS client's `topP`, `frequencyPenalty`) is told the API's name.
/// From the API references: OpenAI chat completions and responses
/// (platform.openai.com/docs/api-reference), Anthropic messages (docs.anthropic.com/en/api/messages),
/// vLLM's extra sampling parameters (docs.vllm.ai, "Extra parameters"), DashScope's
/// OpenAI-compatible extras (help.aliyun.com, "enable_thinking", "enable_search").
/// A camelCase name that is none of these keeps its spelling (`reasoningSummary` is not
/// `reasoning_summary`: the Responses API nests it as `reasoning.summary`).
const API_PARAMS: &[&str] = &[
    "top_p",
    "top_k",
    "min_p",
    "frequency_penalty",
    "presence_penalty",
    "repetition_penalty",
    "logit_bias",
    "logprobs",
    "top_logprobs",
    "seed",
    "stop",
    "stop_sequences",
    "service_tier",
    "store",
    "metadata",
    "modalities",
    "prediction",
    "web_search_options",
    "functions",
    "function_call",
    "previous_response_id",
    "best_of",
    "enable_thinking",
    "enable_search",
    "thinking_budget",
];

/// Objects that hold parameters, as a path names them: `parameters.max_new_tokens` (TGI),
/// `parameter.enable_thinking` (DashScope's native `parameters`), `generationConfig.topP`
/// (Gemini), `extra_body.top_k` (openai-python's pass-through). The parameter is the key
/// after the holder.
const HOLDERS: &[&str] = &[
    "parameters.",
    "parameter.",
    "generationconfig.",
    "generation_config.",
    "extra_body.",
];

/// A parameter named by a path through an object that holds parameters (see [`HOLDERS`]).
fn in_container(original: &str) -> Option<String> {
    let lower = original.to_ascii_lowercase();
    HOLDERS.iter().find_map(|h| {
        lower.match_indices(h).take(8).find_map(|(i, _)| {
            // The holder is a path's head, not the tail of a longer word.
            let before = lower[..i].chars().next_back();
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                return None;
            }
            let at = i + h.len();
            let name: String = original[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            is_ident(&name).then(|| api_spelling(&name))
        })
    })
}

/// One error of pydantic's text report (`1 validation error for ChatCompletionRequest`,
/// then a line with the field's location, `messages.0.content` or `body.stream_options`,
/// then an indented line with the message and `[type=extra_forbidden, …]`): the format
/// pydantic 2 prints for a `ValidationError` (docs.pydantic.dev, "Error handling").
#[derive(Debug, PartialEq, Eq)]
pub struct PydanticError {
    /// The location's segments, `body` and `query` (FastAPI's holders) left out.
    pub loc: Vec<String>,
    /// The error type (`extra_forbidden`, `missing`, `literal_error`…), lowercased.
    pub etype: String,
}

impl PydanticError {
    /// The request's top-level field the error is about.
    pub fn field(&self) -> Option<&str> {
        self.loc.first().map(String::as_str).filter(|f| is_ident(f))
    }

    /// The optional parameter the server refuses: a field it does not accept
    /// (`extra_forbidden`), or a value it does not accept for one (`literal_error`,
    /// `enum`…), never a field it says is missing, and never the request's content.
    fn refused_name(&self) -> Option<String> {
        if self.etype == "missing" {
            return None;
        }
        let f = self.field()?;
        (!CONTENT.contains(&f.to_ascii_lowercase().as_str())).then(|| api_spelling(f))
    }
}

/// The errors of a pydantic text report in `text`, in order (at most 8).
pub fn pydantic_errors(text: &str) -> Vec<PydanticError> {
    let Some(i) = text.find("validation error") else {
        return Vec::new();
    };
    // A report quoted inside a JSON string that was not decoded has its line breaks as `\n`.
    let text = text[i..].replace("\\n", "\n");
    let i = 0;
    let mut out = Vec::new();
    let mut loc: Option<&str> = None;
    for line in text[i..].lines().skip(1).take(32) {
        if line.trim().is_empty() {
            continue;
        }
        if !line.starts_with([' ', '\t']) {
            loc = Some(line.trim());
            continue;
        }
        let Some(l) = loc.take() else { continue };
        let Some(t) = line.find("[type=") else {
            continue;
        };
        let etype: String = line[t + "[type=".len()..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let loc = l
            .split('.')
            .map(str::trim)
            .filter(|s| !s.is_empty() && !matches!(*s, "body" | "query"))
            .map(str::to_string)
            .collect();
        out.push(PydanticError {
            loc,
            etype: etype.to_ascii_lowercase(),
        });
        if out.len() == 8 {
            break;
        }
    }
    out
}

/// A parameter named in prose as what the model or server does not support: `This model
/// does not support enable_search`, `seed is not supported`. An unknown word counts only
/// when it is shaped like a parameter (snake_case or a dotted path, or one the APIs
/// document), so "does not support streaming" or "does not support assistant message
/// prefill" names none.
fn named_unsupported(msg: &str, original: &str) -> Option<String> {
    let same = msg.len() == original.len();
    let spelled = |i: usize, name: String| -> String {
        if same {
            ident_at(original, i).unwrap_or(name)
        } else {
            name
        }
    };
    let param_like = |n: &str| {
        let lower = n.to_ascii_lowercase();
        !CONTENT.contains(&lower.as_str())
            && (n.contains('_')
                || n.contains('.')
                || API_PARAMS.contains(&snake(n).as_str())
                || KNOWN_PARAMS.contains(&lower.as_str())
                || squashed(n).is_some())
    };
    for lead in [
        "does not support parameter ",
        "does not support the parameter ",
        "doesn't support parameter ",
        "does not support ",
        "doesn't support ",
        "not support ",
    ] {
        for (i, _) in msg.match_indices(lead).take(8) {
            let at = i + lead.len();
            if let Some(name) = ident_at(msg, at) {
                let name = spelled(at, name);
                if param_like(&name) {
                    return Some(api_spelling(last_segment(&name)));
                }
            }
        }
    }
    for tail in [
        " is not supported",
        " is not yet supported",
        " is unsupported",
        " not supported",
    ] {
        for (i, _) in msg.match_indices(tail).take(8) {
            // "'presencePenalty' parameter is not supported by Ollama" (LangChain4j): the
            // name before the noun.
            let head = msg[..i].trim_end();
            let head = ["parameter", "param", "argument", "option", "field"]
                .iter()
                .find_map(|n| head.strip_suffix(n).filter(|h| h.ends_with(' ')))
                .map_or(head, str::trim_end);
            let before = head.trim_end_matches(['\'', '"', '`']);
            let start = before
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
                .map_or(0, |j| j + 1);
            let name = before[start..].trim_matches('.');
            // Part of a longer token (a model id: `Mixtral-8x7B-Instruct-v0.1`, `org/model`):
            // no parameter's name.
            if !is_ident(name) || before[..start].ends_with(['-', '/', ':']) {
                continue;
            }
            let name = if same {
                original[start..start + name.len()].to_string()
            } else {
                name.to_string()
            };
            if param_like(&name) {
                return Some(api_spelling(last_segment(&name)));
            }
        }
    }
    // "parameter incremental_output only support stream call": the name after the noun,
    // when a limit on it follows.
    for (i, _) in msg.match_indices("parameter ").take(8) {
        let at = i + "parameter ".len();
        if let Some(name) = ident_at(msg, at) {
            let rest = msg[at..].trim_start_matches(['\'', '"', '`']);
            let rest = rest
                .get(name.len()..)
                .unwrap_or("")
                .trim_start_matches(['\'', '"', '`']);
            let name = spelled(at, name);
            if param_like(&name)
                && [
                    " only support",
                    " is only supported",
                    " not support",
                    " is not supported",
                ]
                .iter()
                .any(|w| rest.starts_with(w))
            {
                return Some(api_spelling(last_segment(&name)));
            }
        }
    }
    // A list refused together ("The min_tokens, min_p, and logit_bias sampling parameters
    // are not yet supported with speculative decoding"): the first parameter-shaped name of
    // the clause before, back to the sentence's start.
    for tail in [
        " are not supported",
        " are not yet supported",
        " are unsupported",
    ] {
        for (i, _) in msg.match_indices(tail).take(8) {
            let start = msg[..i].rfind(['.', ':', ';', '\n']).map_or(0, |j| j + 1);
            // A list said to be parameters: "tools are not supported" alone names a
            // capability, which the readers above judge by what was sent.
            let clause = &msg[start..i];
            if !["parameters", "params", "arguments", "fields"]
                .iter()
                .any(|w| clause.contains(w))
            {
                continue;
            }
            let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
            let mut at = start;
            while at < i {
                let run = msg[at..i].find(|c: char| !word(c)).map_or(i, |n| at + n);
                let name = match original.get(at..run) {
                    Some(o) if same => o,
                    _ => &msg[at..run],
                };
                if is_ident(name) && param_like(name) {
                    return Some(api_spelling(name));
                }
                // Past the separator (a whole character: the clause may not be ASCII).
                at = msg[run..i].chars().next().map_or(i, |c| run + c.len_utf8());
            }
        }
    }
    None
}

/// The last key of a dotted path (`generationConfig.topP` is `topP`).
fn last_segment(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

/// `topP` as snake_case: `top_p`.
pub(super) fn snake(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// A request header the message names as such (``for the `anthropic-beta` header``,
/// `header 'OpenAI-Beta'`, `x-api-version header`): a header refused is blamed by its
/// name, lowercased as HTTP compares it. Only names shaped like a header (a hyphen in
/// them) count, so "the header" or "the auth header" name none.
fn header_named(msg: &str) -> Option<String> {
    let is_header = |n: &str| {
        (3..=64).contains(&n.len())
            && n.contains('-')
            && n.starts_with(|c: char| c.is_ascii_alphabetic())
            && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    let quotes = ['`', '\'', '"', '\\'];
    msg.match_indices("header").take(8).find_map(|(i, _)| {
        // `… the `x-y` header`: the name just before.
        let before = msg[..i].trim_end().trim_end_matches(quotes);
        let start = before
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .map_or(0, |j| j + 1);
        let name = &before[start..];
        if is_header(name) {
            return Some(name.to_string());
        }
        // `header `x-y``, `header: x-y`: the name just after.
        let after = msg[i + "header".len()..]
            .trim_start_matches([' ', ':'])
            .trim_start_matches(quotes);
        let name: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        let quoted = msg[i + "header".len()..]
            .trim_start_matches([' ', ':'])
            .starts_with(quotes);
        (quoted && is_header(&name)).then_some(name)
    })
}

/// A parameter a client prints on a line of its own (.NET's `Parameter: temperature`).
fn labelled(words: &str) -> Option<String> {
    ["parameter: ", "param: "].iter().find_map(|lead| {
        let i = words.find(lead)? + lead.len();
        let name = ident_at(words, i)?;
        (!matches!(name.as_str(), "null" | "none" | "nil" | "undefined")
            && !CONTENT.contains(&name.as_str()))
        .then(|| api_spelling(&name))
    })
}

/// A name a message quotes right after the word for one (Volcengine Ark's "The parameter
/// `size` specified in the request is not valid"): a name it marks twice, known or not.
pub fn quoted_parameter(words: &str) -> Option<String> {
    const QUOTED: [char; 3] = ['`', '\'', '"'];
    ["the parameter ", "the field ", "the argument "]
        .iter()
        .find_map(|lead| {
            words.match_indices(lead).find_map(|(i, _)| {
                let at = i + lead.len();
                if !words[at..].starts_with(QUOTED) {
                    return None;
                }
                let name = ident_at(words, at)?;
                (!matches!(name.as_str(), "null" | "none" | "nil" | "undefined")
                    && !CONTENT.contains(&name.as_str()))
                .then(|| api_spelling(&name))
            })
        })
}

/// The parameter the user's own call passed, as a traceback quotes it
/// (`client.chat.completions.create(…, stream_options={…})`), when the message names none.
fn keyword_in_call(words: &str) -> Option<String> {
    KNOWN_PARAMS
        .iter()
        .find(|k| {
            words.match_indices(*k).take(8).any(|(i, _)| {
                let after = words[i + k.len()..].trim_start();
                after.starts_with('=')
                    && !after.starts_with("==")
                    && word_at(&words[i..], k) == Some(0)
                    && !words[..i].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
            })
        })
        .map(|k| canonical(k).to_string())
}

/// The sent parameter (or capability alias) the message names first.
fn first_mentioned(msg: &str, sent: &[&str]) -> Option<String> {
    let mut best: Option<(usize, &str)> = None;
    let mut consider = |at: Option<usize>, p: &'static str| {
        if let Some(at) = at {
            // "When using tools, pre-filling the response is not supported": a condition
            // the refusal holds under, not what it refuses.
            let condition = ["when using ", "while using ", "when you use "]
                .iter()
                .any(|c| msg[..at].ends_with(c));
            if !condition
                && !suggested(&msg[..at])
                && sent.contains(&p)
                && best.is_none_or(|(b, _)| at < b)
            {
                best = Some((at, p));
            }
        }
    };
    for k in KNOWN_PARAMS {
        let canon = canonical(k);
        consider(word_at(msg, k), canon);
        let spaced = k.replace('_', " ");
        if spaced != *k {
            consider(word_at(msg, &spaced), canon);
        }
    }
    for (alias, p) in ALIASES {
        consider(msg.find(alias), p);
    }
    best.map(|(_, p)| p.to_string())
}

/// Whether a name after `head` is the one a message suggests instead ("… is not supported.
/// Use \"reasoning_effort\" to control thinking", "please use max_completion_tokens"): a
/// sentence or clause that opens with the advice, never a refusal ("cannot use tools").
fn suggested(head: &str) -> bool {
    let head = head.trim_end_matches(['"', '\'', '`', ' ']);
    [
        "use",
        "use the",
        "try",
        "switch to",
        "in favor of",
        "in favour of",
        "replaced by",
    ]
    .iter()
    .any(|lead| {
        head.strip_suffix(lead).is_some_and(|before| {
            let before = before.trim_end();
            before.is_empty()
                || before.ends_with(['.', ';', ':', ',', '('])
                || before.ends_with("please")
                || before.ends_with("instead")
        })
    })
}

/// The name a refusal quotes, whatever it is (the request's own fields included):
/// `Unsupported parameter: messages`, ``unknown field `input` ``.
pub fn refused_name(msg: &str) -> Option<String> {
    REFUSAL_LEADS.iter().find_map(|lead| {
        let i = msg.find(lead)? + lead.len();
        ident_at(msg, i).map(|n| n.to_ascii_lowercase())
    })
}

fn quoted_after_refusal(msg: &str, original: &str) -> Option<String> {
    REFUSAL_LEADS.iter().find_map(|lead| {
        let i = msg.find(lead)? + lead.len();
        let name = ident_at(original, i).or_else(|| ident_at(msg, i))?;
        let lower = name.to_ascii_lowercase();
        (!CONTENT.contains(&lower.as_str())).then(|| api_spelling(&name))
    })
}

/// The identifier quoted (or not) at byte `i` of `text`, in its own case. An unquoted
/// English function word is prose, not a name: `invalid value for the 'temperature' field`
/// names `temperature` (the quoted name after it), and `property the request needs`
/// names nothing, where both read as a parameter called "the".
fn ident_at(text: &str, i: usize) -> Option<String> {
    const QUOTES: [char; 5] = [' ', '\'', '"', '`', '\\'];
    // An empty name quoted (Volcengine's "The parameter `` specified in the request are not
    // valid") names nothing: the word after it is prose.
    let lead = text.get(i..)?.trim_start_matches(' ');
    if ["``", "''", "\"\"", "\\\"\\\""]
        .iter()
        .any(|e| lead.starts_with(e))
    {
        return None;
    }
    let rest = text.get(i..)?.trim_start_matches(QUOTES);
    let quoted = text
        .get(i..)?
        .trim_start_matches(' ')
        .starts_with(&QUOTES[1..]);
    let name: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.' || *c == '-')
        .collect();
    let name = name.trim_end_matches(['.', '-']);
    if !quoted && PROSE.contains(&name.to_ascii_lowercase().as_str()) {
        let next = &rest[name.len()..];
        let next_quoted = next.trim_start_matches(' ').starts_with(&QUOTES[1..]);
        return if next_quoted && !name.is_empty() {
            ident_at(next, 0).filter(|n| !PROSE.contains(&n.to_ascii_lowercase().as_str()))
        } else {
            None
        };
    }
    is_ident(name).then(|| name.to_string())
}

/// Words that open prose after a refusal's lead ("unknown field", "property", "invalid
/// value for"): never a parameter's name when they stand unquoted.
const PROSE: &[&str] = &[
    "the", "a", "an", "this", "that", "these", "those", "it", "its", "is", "are", "was", "be",
    "not", "no", "of", "for", "in", "on", "to", "and", "or", "with", "your", "you", "please",
    "has", "have", "which", "from", "at", "by", "as", "one", "some", "any",
];

/// A parameter as the API spells it: a JS or Java client's camelCase name (`maxTokens`,
/// `responseFormat`, `topP`) maps to the snake_case parameter the APIs document
/// ([`KNOWN_PARAMS`], [`API_PARAMS`]); any other name keeps its spelling.
pub fn api_spelling(name: &str) -> String {
    let snake = snake(name);
    match KNOWN_PARAMS.iter().find(|k| **k == snake || **k == name) {
        Some(k) => canonical(k).to_string(),
        None if API_PARAMS.contains(&snake.as_str()) => snake,
        None => squashed(name).map_or_else(|| name.to_string(), |k| canonical(k).to_string()),
    }
}

/// A documented snake_case parameter a text wrote without its underscores, its case lost to
/// lowercasing (`presencepenalty` from a client's `presencePenalty`).
pub(super) fn squashed(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    KNOWN_PARAMS
        .iter()
        .chain(API_PARAMS)
        .find(|k| k.contains('_') && k.replace('_', "") == lower)
        .copied()
}

/// A field the request lacks, as the server names it: the path it gives (`model`,
/// `messages.0.content`, `input[399].id`), in the words of OpenAI ("you must
/// provide a model parameter", "Missing required parameter: 'x'"), DashScope ("Required
/// parameter \"model\" missing"), serde ("missing field `x`"), Anthropic and pydantic
/// ("x: Field required", `[type=missing]` under the field's line), JSON Schema ("'x' is a
/// required property"). A key or token asked for is a credential, not a field (read by the
/// auth rules).
pub fn missing_field(original: &str) -> Option<Missing> {
    let lower = original.to_lowercase();
    let text = if lower.len() == original.len() {
        original
    } else {
        lower.as_str()
    };
    // A client that could not read the *answer* ("failed to deserialize api response:
    // missing field `status`") says the answer lacks a field, not the request.
    if READING_THE_ANSWER.iter().any(|w| lower.contains(w)) {
        return None;
    }
    let credential = |p: &str| {
        let last = last_segment(p).to_ascii_lowercase();
        last.ends_with("key") || last.ends_with("token") || last == "authorization"
    };
    missing_path(&lower, text)
        .or_else(|| {
            pydantic_errors(original)
                .into_iter()
                .find(|e| e.etype == "missing")
                .map(|e| Missing {
                    path: e.loc.join("."),
                    rooted: true,
                })
        })
        .filter(|m| !m.path.is_empty() && !credential(&m.path))
}

/// Words of a client reading an answer, not a server reading the request.
const READING_THE_ANSWER: &[&str] = &[
    "api response",
    "deserialize response",
    "decoding response",
    "decode response",
    "parse response",
    "parsing response",
    "response body",
    "unmarshal",
];

/// A field the request lacks, at `path`; `rooted` when the path starts at the request's
/// top (JSON Schema's "'name' is a required property" names the key alone, at a depth it
/// does not say).
#[derive(Debug, PartialEq, Eq)]
pub struct Missing {
    pub path: String,
    pub rooted: bool,
}

impl Missing {
    /// The top-level field, when the path is one.
    fn top_level(&self) -> Option<&str> {
        // FastAPI's loc starts at the part of the request (`body.messages`): the body is the
        // request's top; a loc of `body` alone is the whole body missing, no field.
        let path = self.path.strip_prefix("body.").unwrap_or(&self.path);
        (self.rooted && is_ident(path) && !path.contains('.') && path != "body").then_some(path)
    }
}

fn missing_path(lower: &str, text: &str) -> Option<Missing> {
    let rooted = |path: String| Missing { path, rooted: true };
    // "you must provide a model parameter": the name between the article and the noun.
    for lead in ["must provide a ", "must provide an ", "must provide the "] {
        for (i, _) in lower.match_indices(lead).take(4) {
            let at = i + lead.len();
            let name = path_at(text, at);
            let rest = lower[at + name.len()..].trim_start_matches(['\'', '"', '`', ' ']);
            if !name.is_empty()
                && ["parameter", "field", "argument", "property"]
                    .iter()
                    .any(|n| rest.starts_with(n))
            {
                return Some(rooted(name));
            }
        }
    }
    // The name after the words, a path from the request's top.
    for lead in [
        "missing required parameter:",
        "missing required parameter ",
        "missing required field:",
        "missing required field ",
        "missing required property ",
        "missing required argument ",
        "required parameter ",
    ] {
        if let Some(i) = lower.find(lead) {
            let name = path_at(text, i + lead.len());
            if !name.is_empty() {
                return Some(rooted(name));
            }
        }
    }
    // "Parameter model is required", "field `messages` is missing": the name between the
    // noun and the words.
    for lead in ["parameter ", "field ", "argument "] {
        for (i, _) in lower.match_indices(lead).take(8) {
            let at = i + lead.len();
            let name = path_at(text, at);
            let rest = lower[at + name.len()..].trim_start_matches(['\'', '"', '`']);
            if !name.is_empty()
                && (rest.starts_with(" is required") || rest.starts_with(" is missing"))
            {
                return Some(rooted(name));
            }
        }
    }
    // serde's "missing field `x`": at the top when nothing but the target type (or the
    // start of the text) stands before it; under the path before it otherwise
    // (`messages[0]: missing field `role``).
    if let Some(i) = lower.find("missing field ") {
        let name = path_at(text, i + "missing field ".len());
        if !name.is_empty() {
            let before = lower[..i].trim_end();
            let top = before.is_empty() || before.ends_with("target type:");
            return Some(Missing {
                path: name,
                rooted: top,
            });
        }
    }
    // The path before the words.
    for (tail, from_top) in [
        // LM Studio: "'messages' field is required".
        ("' field is required", true),
        ("\" field is required", true),
        ("` field is required", true),
        (": field required", true),
        (": required field", true),
        (" is a required property", false),
    ] {
        if let Some(i) = lower.find(tail) {
            let before = text[..i].trim_end_matches(['\'', '"', '`', '\\']);
            let start = before
                .rfind(|c: char| !is_path_char(c))
                .map_or(0, |j| j + 1);
            let name = &before[start..];
            if name.starts_with(|c: char| c.is_ascii_alphabetic()) {
                return Some(Missing {
                    path: name.to_string(),
                    rooted: from_top,
                });
            }
        }
    }
    // "max_tokens is required" (Anthropic-shaped gateways): a name the APIs document, or
    // shaped like a parameter, just before the words; prose ("a key is required") is none.
    for (i, _) in lower.match_indices(" is required").take(8) {
        let before = text[..i].trim_end_matches(['\'', '"', '`']);
        let start = before
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .map_or(0, |j| j + 1);
        let name = &before[start..];
        let lower_name = name.to_ascii_lowercase();
        if is_ident(name)
            && (name.contains('_') || KNOWN_PARAMS.contains(&lower_name.as_str()))
            && !CONTENT.contains(&lower_name.as_str())
        {
            return Some(Missing {
                path: name.to_string(),
                rooted: true,
            });
        }
    }
    None
}

fn is_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '[' | ']' | '-')
}

/// The path quoted (or not) at byte `i`: `input[399].id`, `model`.
fn path_at(text: &str, i: usize) -> String {
    let Some(rest) = text.get(i..) else {
        return String::new();
    };
    let rest = rest.trim_start_matches([' ', '\'', '"', '`', '\\']);
    let path: String = rest
        .chars()
        .take_while(|c| is_path_char(*c))
        .take(128)
        .collect();
    let path = path.trim_end_matches(['.', '-']);
    if path.starts_with(|c: char| c.is_ascii_alphabetic()) && !PROSE.contains(&path) {
        path.to_string()
    } else {
        String::new()
    }
}

/// The request lacks a field the server requires (see [`missing_field`]).
pub fn lacks_field(f: &Facts) -> bool {
    missing_field(f.body.message.as_deref().unwrap_or(&f.msg)).is_some()
}

/// The head of the path serde names after "Failed to deserialize the JSON body into the
/// target type:" (axum's JSON rejection): `messages[1]: invalid type` is about `messages`,
/// `input: data did not match` about `input`, ``missing field `messages` `` about
/// `messages`.
pub fn deserialize_head(msg: &str) -> Option<String> {
    let lead = "into the target type: ";
    let i = msg.find(lead)? + lead.len();
    let rest = &msg[i..];
    if let Some(r) = rest.strip_prefix("missing field ") {
        return ident_at(r, 0);
    }
    let head: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let after = &rest[head.len()..];
    (after.starts_with([':', '[', '.']) && is_ident(&head)).then_some(head)
}

/// The path OpenAI's validation quotes as invalid (`Invalid 'input[35].call_id': string too
/// long`, `Invalid 'tools': array too long`), as its top-level field and its last key.
pub fn invalid_path(msg: &str) -> Option<(String, String)> {
    let i = msg.find("invalid '")? + "invalid '".len();
    let path = msg[i..].split('\'').next()?;
    let top: String = path
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let last = path
        .rsplit(['.', '['])
        .next()
        .unwrap_or(path)
        .trim_end_matches(']');
    (is_ident(&top) && path.len() <= 200).then(|| (top, last.to_string()))
}

/// The request field a message names as missing or invalid: `Required parameter "model"
/// missing`, ``missing field `messages` ``, `'messages' must contain`, `max_tokens参数非法`.
/// A missing field is named only when it is a top-level one: a path inside a message
/// (`messages.0.content`) is about that message's content, which no single
/// request field fixes.
pub fn field_named(f: &Facts) -> Option<String> {
    if let Some(m) = missing_field(f.body.message.as_deref().unwrap_or(&f.msg)) {
        return m.top_level().map(api_spelling);
    }
    if let Some(p) = f.body.param.as_deref() {
        let content = CONTENT.iter().any(|c| p.starts_with(c));
        return (!content && is_ident(p)).then(|| p.to_string());
    }
    let original = f.body.message.as_deref().unwrap_or("");
    let msg = &f.msg;
    if msg.len() != original.len() {
        return None;
    }
    for lead in [
        "parameter ",
        "parameter: ",
        "field ",
        "field: ",
        "property ",
        "argument ",
    ] {
        for (i, _) in msg.match_indices(lead).take(8) {
            let at = i + lead.len();
            if original[at..].starts_with(['"', '\'', '`', '\\']) {
                if let Some(name) = ident_at(original, at) {
                    return Some(api_spelling(&name));
                }
            }
        }
    }
    let i = msg.find("参数")?;
    let before: String = original[..i]
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    is_ident(&before).then(|| api_spelling(&before))
}

/// The request's top-level field a validation error's location names, whatever the
/// server's notation: an index path (`messages[7]`, `'messages.2.role'`, `tools[0].function`),
/// a JSON path or pointer (`'$.input'`, `'/messages/*/content'`), pydantic's location
/// (`"loc":["body","messages",1]`, `body -> response_format ->`), Google's (`at
/// 'request.tools[0]'`, `GenerateContentRequest.contents[3]`), Bedrock's
/// (`toolConfig.tools.0`). Only a field a chat, responses or embeddings request has at its top
/// level counts, written as LABELS.md writes it (`contents` is `messages`).
pub fn located(original: &str) -> Option<String> {
    const TOP: &[(&str, &str)] = &[
        ("messages", "messages"),
        ("contents", "messages"),
        ("input", "input"),
        ("prompt", "prompt"),
        ("tools", "tools"),
        ("toolconfig", "tools"),
        ("function_declarations", "tools"),
        ("functions", "functions"),
        ("tool_choice", "tool_choice"),
        ("response_format", "response_format"),
        ("responseformat", "response_format"),
        ("system", "system"),
        ("model", "model"),
    ];
    // Segments a location starts with before the request's own field.
    const ROOTS: &[&str] = &["body", "request", "generatecontentrequest", "$", ""];
    let lower = original.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut best: Option<(usize, &str)> = None;
    for (name, field) in TOP {
        for (i, _) in lower.match_indices(name).take(16) {
            let before = lower[..i].chars().next_back();
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                continue;
            }
            let end = i + name.len();
            let next = bytes.get(end).copied().map(char::from);
            let after = &lower[end..];
            // What follows the name: an index or a deeper key.
            let deeper = match next {
                Some('[') => after[1..].starts_with(|c: char| c.is_ascii_digit() || c == '*'),
                Some('.') | Some('/') => {
                    let rest = &after[1..];
                    rest.starts_with(|c: char| c.is_ascii_digit() || c == '*')
                        || (rest.starts_with(|c: char| c.is_ascii_lowercase())
                            // A key under it, in a quoted path or after a root; never a
                            // file (`model.py`) or a method (`model.generate`) in a traceback.
                            && ["'", "\"", "`", "$.", "body.", "request.", "/"]
                                .iter()
                                .any(|q| lower[..i].ends_with(q)))
                }
                Some('"') | Some('\'') if lower[..i].ends_with("$.") => true,
                Some('"') | Some('\'') => {
                    // pydantic's loc as a list: `"body","messages"` / `('body', 'messages'`.
                    let head = lower[..i].trim_end_matches(['"', '\'', '\\']);
                    let head = head.trim_end().trim_end_matches(',').trim_end();
                    let head = head.trim_end_matches(['"', '\'', '\\']);
                    head.ends_with("body") && !head.ends_with("_body")
                }
                Some(' ') => {
                    after.trim_start().starts_with("->") && lower[..i].trim_end().ends_with("->")
                }
                // Anthropic's (and pydantic-core's) "<field>: <what is wrong>", the field
                // opening the message or a client's "…error: " before it. Not `model`:
                // Anthropic's 404 writes "model: <id>" for an id it does not serve.
                Some(':') => {
                    let head = lower[..i].trim_end();
                    after[1..].starts_with(' ')
                        && *name != "model"
                        && (head.is_empty() || head.ends_with(':'))
                }
                _ => false,
            };
            if !deeper {
                continue;
            }
            // The segment before the name is a root, not another field (`messages.0.tools`
            // is inside a message).
            let prefix = lower[..i].trim_end_matches(['.', '/', '\'', '"', '[']);
            let seg: String = prefix
                .chars()
                .rev()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '$')
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            let joined = lower[..i].ends_with(['.', '/']) || lower[..i].ends_with("$.");
            if joined
                && !ROOTS.contains(&seg.as_str())
                && !(*name == "tools" && seg == "toolconfig")
            {
                continue;
            }
            if best.is_none_or(|(b, _)| i < b) {
                best = Some((i, field));
            }
            break;
        }
    }
    best.map(|(_, f)| f.to_string())
}

/// The server's own `param` (or pydantic's loc) when it is one of the request's content
/// fields at the top level, as LABELS.md writes it.
fn top_level(p: &str) -> Option<String> {
    let p = p.trim().to_ascii_lowercase();
    match p.as_str() {
        "messages" | "contents" => Some("messages".into()),
        "input" | "prompt" | "system" | "tools" | "response_format" => Some(p),
        _ => None,
    }
}

/// The conversation's roles and turns, said in a refusal ("The input messages do not contain
/// elements with the role of user", "The last message … must be a user message", "Please use
/// a valid role: user, model", "角色需交替出现"): the request's `messages` (LABELS.md: a
/// malformed message, its order included, is a bad request on `messages`).
fn about_roles(msg: &str) -> Option<String> {
    const ROLES: &[&str] = &[
        "role of user",
        "valid role",
        "message role",
        "roles must",
        "must alternate",
        "user message",
        "assistant message",
        "tool message",
        "system message",
        "input messages",
        "角色",
    ];
    let lower = msg.to_lowercase();
    ROLES
        .iter()
        .any(|w| lower.contains(w))
        .then(|| "messages".to_string())
}

/// `v` with the field a bad request's location names, when no layer named one (the kinds
/// that name what is at fault carry none). A key missing there is missing *within* the field
/// (`input[3].id`): its fix must not ask to add the whole field.
pub fn located_in(mut v: super::Classification, body: &super::ErrorBody) -> super::Classification {
    use crate::failure::{Kind, RuleHint};
    if v.param.is_none() && v.kind == Kind::BadRequest {
        v.param = body
            .param
            .as_deref()
            .and_then(|p| located(p).or_else(|| top_level(p)))
            .or_else(|| body.message.as_deref().and_then(located))
            .or_else(|| body.message.as_deref().and_then(about_roles));
        if v.param.is_some() && v.hint == Some(RuleHint::FieldMissing) {
            v.hint = Some(RuleHint::FieldMissingWithin);
        }
    }
    v
}

/// `v` with the schema's fix when the refusal of `tools` is about a tool's JSON schema (a
/// keyword the endpoint does not take, strict mode's rules, a field missing inside it), not
/// about tools: "The model does not take tools" would send the user to drop what works.
pub fn tool_schema(mut v: super::Classification, msg: &str) -> super::Classification {
    use crate::failure::{Kind, RuleHint};
    const SCHEMA: &[&str] = &[
        "schema",
        "function_declarations",
        "additionalproperties",
        "properties",
        ".parameters",
        "'parameters'",
        "\"parameters\"",
    ];
    let schema = SCHEMA.iter().any(|w| msg.contains(w));
    // A tool's or structured output's schema refused, whatever words refused it ("missing
    // field" under `function_declarations[7].parameters`), is the parameter refused as
    // sent: its schema changes, the parameter stays (LABELS.md).
    if v.kind == Kind::BadRequest
        && matches!(v.param.as_deref(), Some("tools" | "response_format"))
        && schema
    {
        v.kind = Kind::ParamRejected;
        v.hint = None;
    }
    if v.kind == Kind::ParamRejected
        && v.param.as_deref() == Some("tools")
        && v.hint.is_none()
        && schema
    {
        v.hint = Some(RuleHint::ToolSchema);
    }
    v
}

/// `v` as a refused message shape when a bad request on `messages` says the endpoint does
/// not take a shape the API has (`msg` lowercased): content-part arrays where it takes a
/// string, a role outside the ones it allows, a field inside a message it forbids. The
/// fix is the shape, never the messages (LABELS.md: `param_rejected` on `messages`).
pub fn message_shape(mut v: super::Classification, msg: &str) -> super::Classification {
    use crate::failure::{Kind, RuleHint};
    const SHAPE: &[&str] = &[
        // serde (Rust servers: DeepSeek, TGI-style routers) and JSON-schema validators.
        "invalid type: sequence, expected a string",
        "'array' not in 'string'",
        "value must be a string",
        // pydantic: a literal role or part type outside the allowed ones.
        "input should be 'user' or 'assistant'",
        "input should be 'text'",
        "extra inputs are not permitted",
        "extra_forbidden",
    ];
    // The reasoning sent back inside a message has its own reading and fix (the second
    // turn's checks, `reasoning_content` refused or required).
    if v.kind == Kind::BadRequest
        && v.param.as_deref() == Some("messages")
        && SHAPE.iter().any(|w| msg.contains(w))
        && !msg.contains("reasoning")
    {
        v.kind = Kind::ParamRejected;
        v.hint = Some(RuleHint::MessageShape);
    }
    v
}

pub fn is_ident(p: &str) -> bool {
    (2..=64).contains(&p.len())
        && p.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        && p.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
}

/// `include_usage` lives inside `stream_options`: blame the key a client can remove.
fn canonical(p: &str) -> &str {
    if p == "include_usage" {
        "stream_options"
    } else {
        p
    }
}

/// Where `needle` occurs in `hay` not as part of a longer identifier.
pub fn word_at(hay: &str, needle: &str) -> Option<usize> {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    hay.match_indices(needle).map(|(i, _)| i).find(|&i| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + needle.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

/// [`header_named`], for the classifier's tests.
#[cfg(test)]
pub fn blamed_for_test(msg: &str) -> Option<String> {
    header_named(msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `named_unsupported` on a text as a message would carry it (lowercased beside its
    /// original).
    fn named(original: &str) -> Option<String> {
        named_unsupported(&original.to_lowercase(), original)
    }

    #[test]
    fn the_name_a_message_suggests_is_not_the_one_it_refuses() {
        let sent = &[
            "reasoning_effort",
            "tools",
            "max_completion_tokens",
            "max_tokens",
        ];
        assert_eq!(
            first_mentioned(
                "\"thinking\" is not supported on /v1/chat/completions. use \"reasoning_effort\" to control thinking.",
                sent
            ),
            None
        );
        assert_eq!(
            first_mentioned(
                "unsupported parameter: 'max_tokens'. please use max_completion_tokens instead.",
                sent
            ),
            Some("max_tokens".into())
        );
        // A refusal to use a parameter names it.
        assert_eq!(
            first_mentioned("this model cannot use tools", sent),
            Some("tools".into())
        );
    }

    #[test]
    fn openai_s_invalid_path_is_its_top_level_field_and_last_key() {
        assert_eq!(
            invalid_path("invalid 'input[35].call_id': string too long."),
            Some(("input".into(), "call_id".into()))
        );
        assert_eq!(
            invalid_path("invalid 'messages[17].content': string too long"),
            Some(("messages".into(), "content".into()))
        );
        assert_eq!(
            invalid_path("invalid 'tools': array too long"),
            Some(("tools".into(), "tools".into()))
        );
        assert_eq!(invalid_path("the request was invalid"), None);
        // A condition the refusal holds under is not what it refuses.
        assert_eq!(
            first_mentioned(
                "when using tools, pre-filling the assistant response is not supported.",
                &["tools", "messages"]
            ),
            None
        );
    }

    #[test]
    fn a_location_names_its_top_level_field_in_any_notation() {
        for (text, field) in [
            ("messages[7]: invalid type: sequence, expected a string", "messages"),
            ("'' is not one of ['system', 'user'] - 'messages.2.role'", "messages"),
            ("* GenerateContentRequest.contents[13].parts: must not be empty", "messages"),
            ("Unknown name \"$schema\" at 'request.tools[0].function_declarations[0]'", "tools"),
            ("'$.input' is invalid.", "input"),
            ("Type mismatch of '/messages/*/content', 'array' not in 'string'", "messages"),
            (r#"{"loc":["body","messages",1,"role"],"msg":"Input should be 'user'"}"#, "messages"),
            ("{'loc': ('body', 'input'), 'msg': 'Input should be a valid string'}", "input"),
            ("At body -> response_format -> ResponseFormatText -> type", "response_format"),
            ("The format of the value at toolConfig.tools.0.toolSpec.inputSchema.json is invalid", "tools"),
            ("system.1.cache_control.ephemeral.scope: Extra inputs are not permitted", "system"),
            ("messages: text content blocks must be non-empty", "messages"),
            ("Anthropic API error: system: text content blocks must contain non-whitespace text", "system"),
        ] {
            assert_eq!(located(text).as_deref(), Some(field), "{text}");
        }
        // A traceback's file or method, a word in prose, a field inside a message: no location.
        for text in [
            "File \"/app/model.py\", line 3, in model.generate",
            "The messages are too long for this model.",
            "input should be a string",
            // A field named in prose before a colon, and Anthropic's "model: <id>" (not found).
            "Invalid messages: see the docs",
            "model: claude-3-5-sonnet-latest",
        ] {
            assert_eq!(located(text), None, "{text}");
        }
    }

    #[test]
    fn a_parameter_named_by_its_noun_or_in_a_list_is_the_one_refused() {
        // A list said to be parameters names its first.
        assert_eq!(
            named("The min_tokens, min_p, and logit_bias sampling parameters are not yet supported with speculative decoding.").as_deref(),
            Some("min_tokens")
        );
        // "tools are not supported" alone is a capability: not named by the list reader.
        assert_eq!(named("tools are not supported"), None);
        // The name after "parameter", before the limit on it.
        assert_eq!(
            named("parameter incremental_output only support stream call").as_deref(),
            Some("incremental_output")
        );
        // The name before "parameter", in a client's camelCase; and with the case lost.
        assert_eq!(
            named("'presencePenalty' parameter is not supported by Ollama").as_deref(),
            Some("presence_penalty")
        );
        assert_eq!(
            named_unsupported("model xxx does not support parameter presencepenalty.", "")
                .as_deref(),
            Some("presence_penalty")
        );
        // A model id's version is no dotted parameter.
        assert_eq!(
            named("Model mistralai/Mixtral-8x7B-Instruct-v0.1 is not supported for task text-generation"),
            None
        );
    }

    #[test]
    fn an_empty_quoted_name_names_nothing() {
        assert_eq!(
            ident_at("The parameter `` specified in the request", 14),
            None
        );
        assert_eq!(ident_at(" `top_p` is invalid", 0).as_deref(), Some("top_p"));
    }

    #[test]
    fn a_field_said_to_be_required_before_the_words_is_named() {
        let lower = |t: &str| t.to_lowercase();
        let t = "max_tokens is required";
        assert_eq!(
            missing_path(&lower(t), t).map(|m| m.path).as_deref(),
            Some("max_tokens")
        );
        let t = "[ERROR] 'messages' field is required";
        assert_eq!(
            missing_path(&lower(t), t).map(|m| m.path).as_deref(),
            Some("messages")
        );
        // Prose before the words names no field.
        let t = "An API key is required";
        assert_eq!(missing_path(&lower(t), t), None);
    }

    #[test]
    fn a_field_said_to_be_required_after_its_noun_is_named() {
        assert_eq!(
            missing_path("parameter model is required", "Parameter model is required"),
            Some(Missing {
                path: "model".into(),
                rooted: true
            })
        );
    }

    #[test]
    fn a_name_google_locates_inside_the_content_is_the_content_s_shape() {
        assert!(located_in_content(
            "invalid json payload received. unknown name \"text\" at 'contents[1].parts[0]': proto field is not repeating, cannot start list."
        ));
        assert!(!located_in_content(
            "invalid json payload received. unknown name \"temprature\" at 'generation_config': cannot find field."
        ));
    }

    #[test]
    fn a_client_s_spelling_of_a_documented_parameter_is_the_api_s() {
        // camelCase from Java and JS clients, for parameters the API references document.
        assert_eq!(api_spelling("topP"), "top_p");
        assert_eq!(api_spelling("frequencyPenalty"), "frequency_penalty");
        assert_eq!(api_spelling("maxTokens"), "max_tokens");
        // A name the APIs do not document keeps its spelling: no name is invented.
        assert_eq!(api_spelling("reasoningSummary"), "reasoningSummary");
        assert_eq!(api_spelling("workflow.isValid"), "workflow.isValid");
    }

    #[test]
    fn a_path_through_a_parameter_holder_names_the_parameter() {
        assert_eq!(
            in_container("parameter.enable_thinking must be set to false").as_deref(),
            Some("enable_thinking")
        );
        assert_eq!(
            in_container("Error in `parameters.max_new_tokens`: must be <= 250").as_deref(),
            Some("max_new_tokens")
        );
        assert_eq!(
            in_container("Invalid value at 'generationConfig.topP'").as_deref(),
            Some("top_p")
        );
        // Not the tail of a longer word.
        assert_eq!(in_container("hyperparameters.json is missing"), None);
    }

    #[test]
    fn pydantic_s_report_names_the_field_and_the_error_type() {
        // pydantic 2's ValidationError text (docs.pydantic.dev, "Error handling").
        let text = "1 validation error for ChatCompletionRequest\nlogit_bias\n  Extra inputs are not permitted [type=extra_forbidden, input_value={}, input_type=dict]";
        let errors = pydantic_errors(text);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].loc, vec!["logit_bias".to_string()]);
        assert_eq!(errors[0].etype, "extra_forbidden");
        assert_eq!(errors[0].refused_name().as_deref(), Some("logit_bias"));
        // FastAPI's `body` holder is left out; a missing field is no refusal; the
        // request's content is never a parameter to drop; `\n` undecoded reads as a break.
        let text = r"2 validation errors for Request\nbody.model\n  Field required [type=missing, input_value={}, input_type=dict]\nmessages.0.role\n  Input should be 'user' [type=literal_error, input_value='x', input_type=str]";
        let errors = pydantic_errors(text);
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].field(), Some("model"));
        assert_eq!(errors[0].refused_name(), None);
        assert_eq!(errors[1].field(), Some("messages"));
        assert_eq!(errors[1].refused_name(), None);
        // An error with no location line (a JSON body that did not parse) names nothing.
        let text = "1 validation error for ResponseModel\n  Invalid JSON: EOF while parsing [type=json_invalid, input_value='{', input_type=str]";
        assert!(pydantic_errors(text).is_empty());
    }

    #[test]
    fn what_a_model_does_not_support_is_named_when_it_is_shaped_like_a_parameter() {
        let named = |m: &str| named_unsupported(&m.to_lowercase(), m);
        assert_eq!(
            named("This model does not support enable_search.").as_deref(),
            Some("enable_search")
        );
        assert_eq!(
            named("`logprobs` is not supported").as_deref(),
            Some("logprobs")
        );
        assert_eq!(
            named("seed is not supported with this model").as_deref(),
            Some("seed")
        );
        assert_eq!(
            named("The model does not support topK").as_deref(),
            Some("top_k")
        );
        // Prose is no parameter.
        assert_eq!(
            named("This model does not support assistant message prefill."),
            None
        );
        assert_eq!(named("The model does not support streaming"), None);
        assert_eq!(named("this request is not supported"), None);
        assert_eq!(named("messages is not supported"), None);
    }

    #[test]
    fn a_missing_field_is_named_only_at_the_request_s_top() {
        let top = |t: &str| missing_field(t).and_then(|m| m.top_level().map(str::to_string));
        // OpenAI's, DashScope's, serde's and pydantic's wordings (the training cases' shapes).
        assert_eq!(
            top("you must provide a model parameter").as_deref(),
            Some("model")
        );
        assert_eq!(
            top(r#"Required parameter "model" missing from request."#).as_deref(),
            Some("model")
        );
        assert_eq!(
            top("Failed to deserialize the JSON body into the target type: missing field `messages` at line 4").as_deref(),
            Some("messages")
        );
        assert_eq!(
            top("max_tokens: Field required").as_deref(),
            Some("max_tokens")
        );
        // A path inside the request, or a key at a depth the message does not say: missing,
        // but no top-level field to name.
        assert!(missing_field("Missing required parameter: 'input[399].id'.").is_some());
        assert_eq!(top("Missing required parameter: 'input[399].id'."), None);
        assert_eq!(top("messages.0.content: Field required"), None);
        assert_eq!(top("target type: messages[0]: missing field `role`"), None);
        assert_eq!(top("'name' is a required property"), None);
        // A key asked for is a credential; an answer the client could not read is not the
        // request's; a sentence with no field names none.
        assert_eq!(missing_field("You must provide an api_key parameter"), None);
        assert_eq!(
            missing_field("failed to deserialize api response: missing field `status`"),
            None
        );
        assert_eq!(missing_field("you must provide a valid request"), None);
    }

    #[test]
    fn serde_s_path_names_the_field_that_failed() {
        let head = |t: &str| deserialize_head(&t.to_lowercase());
        assert_eq!(
            head("Failed to deserialize the JSON body into the target type: messages[1]: invalid type").as_deref(),
            Some("messages")
        );
        assert_eq!(
            head("Failed to deserialize the JSON body into the target type: input: data did not match any variant").as_deref(),
            Some("input")
        );
        assert_eq!(head("the request body is not valid JSON"), None);
    }

    #[test]
    fn a_refusal_about_the_answer_is_not_about_a_parameter() {
        assert!(about_the_answer(
            "invalid api response: the provider returned an empty or unparsable response"
        ));
        assert!(!about_the_answer("unsupported parameter: 'max_tokens'"));
    }

    #[test]
    fn prose_after_a_refusal_lead_is_not_a_parameter() {
        // An unquoted function word names nothing; a quoted name after it is the name.
        assert_eq!(refused_name("unknown field the request carried"), None);
        assert_eq!(
            refused_name("invalid value for the 'temperature' field").as_deref(),
            Some("temperature")
        );
        assert_eq!(refused_name("property the model needs is missing"), None);
        // A quoted word is a name, whatever it spells, and plain names read as before.
        assert_eq!(refused_name("unknown field `the`").as_deref(), Some("the"));
        assert_eq!(
            refused_name("unsupported parameter: 'max_tokens' is not supported").as_deref(),
            Some("max_tokens")
        );
        assert_eq!(
            refused_name("unexpected keyword argument seed").as_deref(),
            Some("seed")
        );
        assert_eq!(
            quoted_after_refusal("unknown field the thing", "unknown field the thing"),
            None
        );
    }
}
