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
    ("structured output", "response_format"),
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
        "requires",
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
    quoted_after_refusal(&f.msg, f.body.message.as_deref().unwrap_or(""))
        .or_else(|| labelled(&f.words))
        .or_else(|| keyword_in_call(&f.words))
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
            if sent.contains(&p) && best.is_none_or(|(b, _)| at < b) {
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

/// A parameter as the API spells it: a JS client's camelCase name (`maxTokens`,
/// `responseFormat`) maps to the known snake_case parameter; any other name keeps its
/// spelling.
fn api_spelling(name: &str) -> String {
    let mut snake = String::new();
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            if !snake.is_empty() {
                snake.push('_');
            }
            snake.push(c.to_ascii_lowercase());
        } else {
            snake.push(c);
        }
    }
    match KNOWN_PARAMS.iter().find(|k| **k == snake || **k == name) {
        Some(k) => canonical(k).to_string(),
        None => name.to_string(),
    }
}

/// The request field a message names as missing or invalid: `Required parameter "model"
/// missing`, ``missing field `messages` ``, `'messages' must contain`, `max_tokens参数非法`.
pub fn field_named(f: &Facts) -> Option<String> {
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

fn is_ident(p: &str) -> bool {
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
