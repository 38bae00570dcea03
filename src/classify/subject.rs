//! What is missing, refused or not supported: read from the noun next to the negation.
//!
//! "not found", "does not exist", "no such", "invalid", "is disabled" say nothing by
//! themselves about *what* is missing, and the fix depends on it entirely: the model id
//! (`model_not_found`: use an id the server lists), the account or key behind the request
//! (`auth`: a gateway that cannot find the user behind a key has a bad key, not a missing
//! model), the route or URL (`base_url`), a backend inside the server (`server_error`: the
//! server's install, not the request), an API or service not enabled for the project
//! (`access_denied`). A word of "model" somewhere in the text does not make the model the
//! thing that is missing: the subject of the negation does.
//!
//! The grammar is small: a negation phrase ([`AFTER`], written after its subject: "user
//! not found", "the model `x` does not exist"; [`BEFORE`], written before it: "no such
//! model", "invalid API base", "no matching route"), and the noun of the table [`NOUNS`]
//! nearest to it in the same clause. Quoted and id-like tokens (`gpt-4o`, `'llama3'`) are
//! names, not nouns, and are stepped over. A cause the text states ("… because the model
//! … is not configured") outranks the words it explains. The words are English grammar
//! and the HTTP/API vocabulary of servers' own messages, not any one text; nouns that mean
//! two things (an "engine" is a model in a local server, an "endpoint" a route or a
//! deployment) are read, but the verdict is `Low`.

use super::facts::Facts;
use super::{Classification, Confidence};
use crate::failure::{Kind, RuleHint};

/// What a noun names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Noun {
    /// The model the request named (or its deployment).
    Model,
    /// Who asks: the user, account, organisation or key behind the request.
    Account,
    /// Where the request went: a route, path, endpoint or URL.
    Route,
    /// A part inside the server: a backend, a runner, a binary.
    Backend,
    /// An API or service, enabled or not for a project.
    Service,
    /// A model's chat template: without one, the model is a base model, for the
    /// completions route (transformers: "tokenizer.chat_template is not set").
    Template,
}

/// What the negation says of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pred {
    Missing,
    Invalid,
    Unsupported,
    Disabled,
}

/// Nouns, as word sequences, and what they name; `true` when the word also means
/// something else in common use (the verdict is then `Low`). Longer first.
const NOUNS: &[(&str, Noun, bool)] = &[
    ("api key", Noun::Account, false),
    ("access key", Noun::Account, false),
    ("access token", Noun::Account, false),
    ("auth token", Noun::Account, false),
    ("api base", Noun::Route, false),
    ("base url", Noun::Route, false),
    ("api url", Noun::Route, false),
    ("grpc service", Noun::Backend, false),
    ("chat template", Noun::Template, false),
    ("template", Noun::Template, true),
    ("model", Noun::Model, false),
    ("models", Noun::Model, false),
    ("deployment", Noun::Model, false),
    ("checkpoint", Noun::Model, true),
    // Local servers (Jan/cortex, llama.cpp wrappers) call the loaded model the engine.
    ("engine", Noun::Model, true),
    ("模型", Noun::Model, false),
    ("user", Noun::Account, false),
    ("account", Noun::Account, false),
    ("organization", Noun::Account, false),
    ("organisation", Noun::Account, false),
    ("tenant", Noun::Account, true),
    ("apikey", Noun::Account, false),
    ("credentials", Noun::Account, false),
    // A token is also a piece of text to a model: read, but likely.
    ("token", Noun::Account, true),
    ("用户", Noun::Account, false),
    ("账号", Noun::Account, false),
    ("账户", Noun::Account, false),
    ("route", Noun::Route, true),
    ("path", Noun::Route, true),
    ("endpoint", Noun::Route, true),
    ("handler", Noun::Route, true),
    ("url", Noun::Route, true),
    ("uri", Noun::Route, true),
    ("page", Noun::Route, true),
    ("backend", Noun::Backend, true),
    ("runner", Noun::Backend, true),
    ("binary", Noun::Backend, true),
    ("executable", Noun::Backend, true),
    ("api", Noun::Service, true),
    ("service", Noun::Service, true),
];

/// Negations written after their subject ("user not found"), and what they say.
const AFTER: &[(&str, Pred)] = &[
    ("not found", Pred::Missing),
    ("does not exist", Pred::Missing),
    ("do not exist", Pred::Missing),
    ("doesn't exist", Pred::Missing),
    ("not exist", Pred::Missing),
    ("could not be found", Pred::Missing),
    ("cannot be found", Pred::Missing),
    ("can't be found", Pred::Missing),
    ("is not loaded", Pred::Missing),
    ("not loaded", Pred::Missing),
    ("is not configured", Pred::Missing),
    ("is missing", Pred::Missing),
    ("is not set", Pred::Missing),
    ("不存在", Pred::Missing),
    ("未找到", Pred::Missing),
    ("is invalid", Pred::Invalid),
    ("is not valid", Pred::Invalid),
    ("is incorrect", Pred::Invalid),
    ("is not supported", Pred::Unsupported),
    ("are not supported", Pred::Unsupported),
    ("does not support", Pred::Unsupported),
    ("doesn't support", Pred::Unsupported),
    ("do not support", Pred::Unsupported),
    ("is disabled", Pred::Disabled),
    ("has been disabled", Pred::Disabled),
    ("is not enabled", Pred::Disabled),
    ("has not been enabled", Pred::Disabled),
    ("has not been used", Pred::Disabled),
    ("is not activated", Pred::Disabled),
];

/// Negations written before their subject ("no such model", "invalid API base").
const BEFORE: &[(&str, Pred)] = &[
    ("no such", Pred::Missing),
    ("no matching", Pred::Missing),
    ("unknown", Pred::Missing),
    ("cannot find", Pred::Missing),
    ("could not find", Pred::Missing),
    ("can't find", Pred::Missing),
    ("unable to find", Pred::Missing),
    ("failed to find", Pred::Missing),
    ("invalid", Pred::Invalid),
    ("incorrect", Pred::Invalid),
    ("unsupported", Pred::Unsupported),
];

/// Words stepped over between a negation and its noun: articles and the participles that
/// servers put before a model's name ("the requested model", "the specified deployment").
const FILLER: &[&str] = &[
    "the",
    "a",
    "an",
    "this",
    "that",
    "your",
    "its",
    "any",
    "such",
    "requested",
    "specified",
    "given",
    "provided",
    "selected",
    "matching",
    "valid",
];

/// What a route-like object of "does not support" is: a model that does not support this
/// API is served on another route (Volcengine Ark, Azure, OpenAI say so of the route).
const ROUTE_OBJECTS: &[&str] = &[
    "this api",
    "the api",
    "this endpoint",
    "this route",
    "this operation",
    "this method",
    "the chat",
    "chat completions",
    "the completions",
    "this interface",
];

/// Markers after which the text states the cause of what it said before.
const CAUSE: &[&str] = &["because", "due to", "caused by", "the reason is"];

/// How many words a noun may stand from its negation in the same clause.
const REACH: usize = 8;

/// One reading: what the negation is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    pub kind: Kind,
    /// The noun and the negation, as written ("user", "not found").
    pub noun: &'static str,
    pub said: &'static str,
    /// The noun means two things, or the reading is one of two.
    pub low: bool,
    /// The reading sits in a cause the text states ("because the model …").
    pub stated_cause: bool,
    /// The negation is written before its noun ("no such model").
    pub before: bool,
}

impl Reading {
    pub fn verdict(&self, status: Option<u16>) -> Classification {
        let disagree = status.is_some_and(|s| {
            let by_status = match s {
                401 => Some(Kind::Auth),
                403 => Some(Kind::AccessDenied),
                404 => Some(Kind::ModelNotFound),
                500..=599 => Some(Kind::ServerError),
                _ => None,
            };
            by_status.is_some_and(|k| !super::agrees(s, k, self.kind))
        });
        Classification {
            kind: self.kind,
            param: None,
            gateway: false,
            rule: "negation_subject",
            hint: match self.kind {
                Kind::AccessDenied => Some(RuleHint::ServiceDisabled),
                Kind::ServerError => Some(RuleHint::ServerPartMissing),
                _ => None,
            },
            confidence: if self.low || disagree || self.kind == Kind::BaseUrl {
                Confidence::Low
            } else {
                Confidence::High
            },
            evidence: format!(
                "\"{}\" in the message, which makes {} the thing at fault",
                if self.before {
                    format!("{} {}", self.said, self.noun)
                } else {
                    format!("{} … {}", self.noun, self.said)
                },
                match self.kind {
                    Kind::ModelNotFound => "the model",
                    Kind::Auth => "the account or key behind the request",
                    Kind::BaseUrl => "the route or URL the request went to",
                    Kind::ServerError => "a part inside the server",
                    Kind::AccessDenied => "a service the project has not enabled",
                    Kind::WrongRoute => "the route the model is called on",
                    _ => "what it names",
                }
            ),
        }
    }
}

/// A token of the text: a word, or a name (quoted, or id-like: digits, `/`, `:`, `.`),
/// which no noun matches.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(String),
    Name,
    /// A clause ends here.
    Stop,
}

/// The text as tokens. Quoted spans are names, except a quoted code made of words joined
/// by `_` (`"route_not_found"`), read as its words.
fn tokens(text: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut Vec<Tok>| {
        if word.is_empty() {
            return;
        }
        let w = word.trim_matches(|c: char| c == '-' || c == '.' || c == '/' || c == ':');
        if !w.is_empty() {
            let name =
                w.chars().any(|c| c.is_ascii_digit()) || w.contains(['/', ':', '.', '=', '@', '$']);
            out.push(if name {
                Tok::Name
            } else {
                Tok::Word(w.to_string())
            });
        }
        word.clear();
    };
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() && out.len() < 4096 {
        let c = chars[i];
        match c {
            '`' | '"' | '\'' | '“' | '‘' => {
                // An apostrophe inside a word (don't, model's) is part of it.
                if c == '\''
                    && !word.is_empty()
                    && chars.get(i + 1).is_some_and(|n| n.is_alphabetic())
                {
                    word.push(c);
                    i += 1;
                    continue;
                }
                let close = match c {
                    '“' => '”',
                    '‘' => '’',
                    _ => c,
                };
                let end = chars[i + 1..]
                    .iter()
                    .take(120)
                    .position(|&x| x == close || x == '\n');
                match end {
                    Some(n) if chars[i + 1 + n] == close => {
                        flush(&mut word, &mut out);
                        let inner: String = chars[i + 1..i + 1 + n].iter().collect();
                        if inner.contains(char::is_whitespace) && out.len() < 2048 {
                            // A quoted sentence (a JSON string) is text to read.
                            out.push(Tok::Stop);
                            out.extend(tokens(&inner));
                            out.push(Tok::Stop);
                        } else if inner.contains('_')
                            && inner.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                        {
                            out.extend(
                                inner
                                    .split('_')
                                    .filter(|w| !w.is_empty())
                                    .map(|w| Tok::Word(w.to_string())),
                            );
                        } else if !inner.trim().is_empty() {
                            out.push(Tok::Name);
                        }
                        i += n + 2;
                        continue;
                    }
                    _ => flush(&mut word, &mut out),
                }
            }
            '.' | ';' | '!' | '?' | '\n' | ',' | '(' | ')' | '[' | ']' | '{' | '}' | '|' | '。'
            | '，' | '：' => {
                // A dot or colon inside a token (`gpt-4.1`, `host:8080`) stays in it.
                let inside = matches!(c, '.')
                    && !word.is_empty()
                    && chars.get(i + 1).is_some_and(|n| n.is_alphanumeric());
                if inside {
                    word.push(c);
                } else {
                    flush(&mut word, &mut out);
                    out.push(Tok::Stop);
                }
            }
            // A label's colon ("The model: `x` does not exist") ends no clause.
            ':' => {
                let inside = !word.is_empty()
                    && chars
                        .get(i + 1)
                        .is_some_and(|n| n.is_alphanumeric() || *n == '/');
                if inside {
                    word.push(c);
                } else {
                    flush(&mut word, &mut out);
                }
            }
            '_' => {
                flush(&mut word, &mut out);
            }
            c if c.is_whitespace() => flush(&mut word, &mut out),
            c if is_cjk(c) => {
                flush(&mut word, &mut out);
                out.push(Tok::Word(c.to_string()));
            }
            c if c.is_alphanumeric() || matches!(c, '-' | '/' | '=' | '@' | '$') => word.push(c),
            _ => flush(&mut word, &mut out),
        }
        i += 1;
    }
    flush(&mut word, &mut out);
    out
}

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

fn word(t: &Tok) -> Option<&str> {
    match t {
        Tok::Word(w) => Some(w),
        _ => None,
    }
}

/// The phrase (as words, CJK one char a token) at `i`: how many tokens it takes.
fn phrase_at(toks: &[Tok], i: usize, phrase: &str) -> Option<usize> {
    let parts: Vec<String> = if phrase.chars().any(is_cjk) {
        phrase.chars().map(|c| c.to_string()).collect()
    } else {
        phrase.split(' ').map(str::to_string).collect()
    };
    parts
        .iter()
        .enumerate()
        .all(|(k, p)| toks.get(i + k).and_then(word) == Some(p.as_str()))
        .then_some(parts.len())
}

/// The noun ending at `end` (exclusive), reading backwards: (noun, its class, two-ways, start).
fn noun_ending(toks: &[Tok], end: usize) -> Option<(&'static str, Noun, bool, usize)> {
    NOUNS.iter().find_map(|(n, class, low)| {
        let len = if n.chars().any(is_cjk) {
            n.chars().count()
        } else {
            n.split(' ').count()
        };
        let start = end.checked_sub(len)?;
        phrase_at(toks, start, n).map(|_| (*n, *class, *low, start))
    })
}

/// The noun starting at `i`.
fn noun_starting(toks: &[Tok], i: usize) -> Option<(&'static str, Noun, bool, usize)> {
    NOUNS
        .iter()
        .find_map(|(n, class, low)| phrase_at(toks, i, n).map(|len| (*n, *class, *low, i + len)))
}

/// The subject of a negation that ends at `at` (exclusive): the nearest noun before it in
/// the clause, names stepped over; a model among nouns joined by "or"/"and" ("the model or
/// endpoint `x` does not exist") is the one meant.
fn subject_before(toks: &[Tok], at: usize) -> Option<(&'static str, Noun, bool)> {
    let mut i = at;
    let mut words = 0;
    while i > 0 && words < REACH {
        match &toks[i - 1] {
            Tok::Stop => return None,
            Tok::Name => i -= 1,
            Tok::Word(w) => {
                if let Some((n, class, low, start)) = noun_ending(toks, i) {
                    // "endpoint `x` of account `y` not found": the head of the phrase is
                    // the noun before "of"; the one after it only says whose.
                    if start >= 1 && word(&toks[start - 1]) == Some("of") {
                        if let Some(head) = subject_before(toks, start - 1) {
                            return Some(head);
                        }
                    }
                    // "model or endpoint": look one noun further back.
                    if start >= 2 && matches!(word(&toks[start - 1]), Some("or" | "and")) {
                        if let Some((m, Noun::Model, l, _)) = noun_ending(toks, start - 1) {
                            return Some((m, Noun::Model, l || low));
                        }
                    }
                    return Some((n, class, low));
                }
                // Another negation or a verb between: the subject is that clause's.
                if matches!(
                    w.as_str(),
                    "and" | "or" | "but" | "when" | "while" | "if" | "which" | "that" | "because"
                ) {
                    return None;
                }
                words += 1;
                i -= 1;
            }
        }
    }
    None
}

/// The noun right after a negation written before it, fillers stepped over.
fn subject_after(toks: &[Tok], mut i: usize) -> Option<(&'static str, Noun, bool)> {
    for _ in 0..4 {
        match toks.get(i)? {
            Tok::Word(w) if FILLER.contains(&w.as_str()) => i += 1,
            Tok::Word(_) => return noun_starting(toks, i).map(|(n, c, l, _)| (n, c, l)),
            _ => return None,
        }
    }
    None
}

/// What "does not support" has as its object: a route-like one ("this api").
fn route_object(toks: &[Tok], i: usize) -> bool {
    ROUTE_OBJECTS
        .iter()
        .any(|o| phrase_at(toks, i, o).is_some())
}

/// The kind a noun and a negation make together, if they make one.
fn kind_of(noun: Noun, low: bool, pred: Pred, said: &str, route_obj: bool) -> Option<Kind> {
    use Noun::*;
    use Pred::*;
    match (noun, pred) {
        // "model is not set" is an application with nothing configured, not an id.
        (Model, Missing) if said == "is not set" => None,
        (Model, Missing | Invalid) => Some(Kind::ModelNotFound),
        // No chat template: a base model, served for /completions, not chat.
        (Template, Missing) => Some(Kind::WrongRoute),
        (Model, Unsupported) if route_obj => Some(Kind::WrongRoute),
        // "model x is not supported", "unsupported model": the id; "does not support
        // tools" is a feature of a model that exists.
        (Model, Unsupported) if !said.starts_with("do") => Some(Kind::ModelNotFound),
        (Account, Missing | Invalid) => Some(Kind::Auth),
        (Route, Missing) => Some(Kind::BaseUrl),
        // "invalid URL" may be any URL the request carried (an image's); "invalid API
        // base" is the configured one.
        (Route, Invalid) if !low => Some(Kind::BaseUrl),
        (Backend, Missing | Unsupported) => Some(Kind::ServerError),
        (Service, Disabled) => Some(Kind::AccessDenied),
        _ => None,
    }
}

/// Every negation of the text, in order: its subject's class, and the reading when the
/// noun and the negation make a kind.
fn readings(text: &str) -> Vec<(Option<Noun>, Option<Reading>)> {
    let toks = tokens(text);
    let mut cause_from = usize::MAX;
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if cause_from == usize::MAX && CAUSE.iter().any(|c| phrase_at(&toks, i, c).is_some()) {
            cause_from = i;
        }
        let after = AFTER
            .iter()
            .find_map(|(p, pred)| phrase_at(&toks, i, p).map(|n| (*p, *pred, n)));
        if let Some((said, pred, n)) = after {
            let subject = subject_before(&toks, i);
            let reading = subject.and_then(|(noun, class, low)| {
                let kind = kind_of(class, low, pred, said, route_object(&toks, i + n))?;
                Some(Reading {
                    kind,
                    noun,
                    said,
                    low,
                    stated_cause: i > cause_from,
                    before: false,
                })
            });
            // A negation whose subject is no noun of the table still counts: it says the
            // missing thing is something else (a feature, a field).
            out.push((subject.map(|s| s.1), reading));
            i += n;
            continue;
        }
        let before = BEFORE
            .iter()
            .find_map(|(p, pred)| phrase_at(&toks, i, p).map(|n| (*p, *pred, n)));
        if let Some((said, pred, n)) = before {
            if let Some((noun, class, low)) = subject_after(&toks, i + n) {
                let reading = kind_of(class, low, pred, said, false).map(|kind| Reading {
                    kind,
                    noun,
                    said,
                    low,
                    stated_cause: i > cause_from,
                    before: true,
                });
                out.push((Some(class), reading));
            }
            i += n;
            continue;
        }
        i += 1;
    }
    out
}

/// What the text's negations are about: a stated cause first, else the first negation
/// whose subject the table knows.
pub fn read(text: &str) -> Option<Reading> {
    let all = readings(text);
    let found = all.iter().filter_map(|(_, r)| r.as_ref());
    found
        .clone()
        .find(|r| r.stated_cause)
        .or_else(|| found.clone().next())
        .cloned()
}

/// Message rules that read a word's presence anywhere ("model" and "not found" in one
/// text), a generic label or the status alone: the subject of the negation says more.
const LOOSE_RULES: &[&str] = &[
    "model_words",
    "model_code",
    "url_words",
    "model_load_failed",
    // A template that raised on the conversation is the request's; one that is missing is
    // the model's.
    "chat_template",
    "chat_template_5xx",
    "invalid_request_words",
    "bad_request_words",
    "status_4xx",
];

/// The verdict of the negation's subject, when it says more than the message rules: a
/// cause the text states, or a text no rule reads but by loose words. `message_rule` is
/// the id of the first message rule that reads the text (the caller asks the rules, so
/// this file depends on the rules table only through that id).
pub fn decide(f: &Facts, message_rule: Option<&str>) -> Option<Classification> {
    let reading = read(&f.msg).or_else(|| read(&f.words))?;
    // On a 404 the status layer knows the URL the request went to: a route's miss is read
    // there, by its shape and route.
    if reading.kind == Kind::BaseUrl && f.status == Some(404) {
        return None;
    }
    let decides = reading.stated_cause || message_rule.is_none_or(|id| LOOSE_RULES.contains(&id));
    decides.then(|| {
        let mut v = reading.verdict(f.status);
        if super::reads_two_ways(&f.words, v.kind) {
            v.confidence = Confidence::Low;
        }
        v
    })
}

/// The text says something is missing or unsupported, and none of those negations has
/// the model as its subject: a word "model" elsewhere (a JSON key, a header line) does not
/// make the model what is missing.
pub fn model_not_the_subject(text: &str) -> bool {
    let all = readings(text);
    if all.is_empty() || all.iter().any(|(class, _)| *class == Some(Noun::Model)) {
        return false;
    }
    // Another noun is what is missing ("user not found"); or no noun is said, and "model"
    // stands only inside identifiers (`external_model_error`), never as a word.
    all.iter().any(|(class, _)| class.is_some()) || !free_word(text, "model")
}

/// "… is not supported by the model", "… not available for this model": the model is who
/// does not support something (a feature, a modality, a parameter), so it exists.
pub fn model_is_the_agent(text: &str) -> bool {
    const NEGATIONS: &[&str] = &[
        "not supported",
        "not available",
        "not allowed",
        "not enabled",
    ];
    const AGENT: &[&str] = &[
        " by the model",
        " by this model",
        " by model",
        " for this model",
        " for the model",
        " with this model",
        " with the model",
    ];
    NEGATIONS.iter().any(|n| {
        text.match_indices(n)
            .take(16)
            .any(|(i, _)| AGENT.iter().any(|a| text[i + n.len()..].starts_with(a)))
    })
}

/// `w` stands in `text` as a word of its own, not inside an identifier.
fn free_word(text: &str, w: &str) -> bool {
    text.match_indices(w).take(64).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + w.len()..].chars().next();
        let joins = |c: Option<char>| c.is_some_and(|c| c == '_' || c.is_alphanumeric());
        !joins(before) && (!joins(after) || after == Some('s'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(text: &str) -> Option<Kind> {
        read(&text.to_lowercase()).map(|r| r.kind)
    }

    #[test]
    fn the_noun_next_to_the_negation_names_what_is_missing() {
        // OpenAI's documented model_not_found message.
        assert_eq!(
            kind("The model `gpt-5-turbo` does not exist or you do not have access to it."),
            Some(Kind::ModelNotFound)
        );
        // Ollama's "model 'x' not found, try pulling it first".
        assert_eq!(
            kind("model 'llama9' not found, try pulling it first"),
            Some(Kind::ModelNotFound)
        );
        // A gateway that cannot find the account behind a key: the key.
        assert_eq!(kind("401 User not found."), Some(Kind::Auth));
        assert_eq!(kind("Account does not exist"), Some(Kind::Auth));
        // A part inside the server, whatever model it was loading.
        assert_eq!(
            kind("failed to load model with internal loader: backend not found: llama-cpp"),
            Some(Kind::ServerError)
        );
        // A route, quoted as a code.
        assert_eq!(
            kind(r#"{"response_code":"404","response_code_details":"route_not_found"}"#),
            Some(Kind::BaseUrl)
        );
        assert_eq!(kind("Invalid base URL"), Some(Kind::BaseUrl));
        // Google's SERVICE_DISABLED: the API is not enabled in the project.
        assert_eq!(
            kind("Generative Language API has not been used in project 123 before or it is disabled."),
            Some(Kind::AccessDenied)
        );
        // Volcengine Ark: "model or endpoint" is the model.
        assert_eq!(
            kind("The model or endpoint doubao-1.5-pro-32k does not exist or you do not have access to it."),
            Some(Kind::ModelNotFound)
        );
        // "X of Y not found": X is what is missing, Y only says whose.
        assert_eq!(
            kind("Model acme-7b of organization org-12 not found"),
            Some(Kind::ModelNotFound)
        );
        assert_ne!(
            kind("Endpoint my-endpoint-1 of account 1234 not found"),
            Some(Kind::Auth)
        );
    }

    #[test]
    fn a_stated_cause_outranks_what_it_explains() {
        assert_eq!(
            kind("No matching route found. This happens because the model named in the request is not configured."),
            Some(Kind::ModelNotFound)
        );
        assert_eq!(kind("No matching route found."), Some(Kind::BaseUrl));
    }

    #[test]
    fn a_model_that_does_not_support_this_api_is_served_elsewhere() {
        assert_eq!(
            kind("the requested model m-250915 does not support this api."),
            Some(Kind::WrongRoute)
        );
        // No chat template: a base model, for /completions (transformers' own words).
        assert_eq!(
            kind("Cannot use chat template functions because tokenizer.chat_template is not set and no template argument was passed!"),
            Some(Kind::WrongRoute)
        );
        // A template that raised is the conversation's, not a missing template.
        assert_eq!(
            kind("Conversation roles must alternate user/assistant"),
            None
        );
        // A feature it lacks is no route and no missing model.
        assert_eq!(kind("This model does not support tools"), None);
    }

    #[test]
    fn a_negation_about_something_else_clears_the_model() {
        let t = r#"{"external_model_provider":"x","external_model_error":{"message":"When using tools, pre-filling the `assistant` response is not supported."}}"#;
        assert!(model_not_the_subject(&t.to_lowercase()));
        assert!(!model_not_the_subject("the model `x` not found"));
        // No negation at all: nothing to say.
        assert!(!model_not_the_subject("model overloaded"));
        // Names are no nouns: an id with "user" in it is not the account.
        assert_eq!(
            kind("model `user-model` not found"),
            Some(Kind::ModelNotFound)
        );
    }
}
