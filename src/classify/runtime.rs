//! A client's own runtime exception, read by what its language means by it.
//!
//! A text with no HTTP status, printed by the client program itself, often carries no
//! provider's words at all: only the language's exception for what went wrong in the
//! client's code (a Swift `DecodingError.keyNotFound`, a PHP `Undefined array key`, a Lua
//! `attempt to index … (a nil value)`). For an API client those exceptions mean one of
//! three things:
//! - a value the client looked for was missing, null or of another type ([`Means::Missing`]);
//! - the answer could not be decoded at all ([`Means::Decode`]);
//! - a class, method or function the code calls does not exist in the installed library
//!   ([`Means::NoSuchApi`]).
//!
//! **The subject decides.** When what was missing is a field of an API answer (`choices`,
//! `message`, `usage`, `id`, `system_fingerprint`…), the answer is what the client could not
//! read: `bad_response`. When it is configuration (a config file's keys, a timeout option,
//! an app id, a provider setting), the client was never set up right: `provider_init`; its
//! base URL setting is the base URL's (`base_url`). A key the client looked for
//! (`OPENAI_API_KEY`) is the key's. A missing
//! class or method is a library-version mismatch. The exception alone is thin evidence: every
//! verdict here is `Confidence::Low`, and its fix holds whichever reading is right.
//!
//! The table is data; its rows come from the languages' own documentation of these errors
//! (cited per row), not from any one client's text.

use super::rules::Facts;
use super::{Classification, Confidence};
use crate::failure::{Kind, RuleHint};

/// What a runtime exception says happened in the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Means {
    /// A value the client's code read was missing, null, or of another type.
    Missing,
    /// The answer's bytes could not be decoded into what the client expected.
    Decode,
    /// A class, method, function or module the code calls does not exist as installed.
    NoSuchApi,
}

/// Where the exception names its subject, relative to its lead words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum At {
    /// The first quoted name after the lead (`KeyError: 'choices'`).
    Quoted,
    /// The next two words after the lead, unquoted (pydantic: `for TokenUsage cache_read_tokens`).
    Words,
    /// The identifier, or quoted name, right before the lead (`callTimeout cannot be null`).
    Before,
    /// Not named: the words just before the exception decide (`Failed to get supported
    /// params: argument of type 'NoneType' is not iterable`).
    Around,
    /// The expression indexed last before the exception (`response.choices[0]` in the
    /// traceback line above an `IndexError`).
    Indexed,
}

/// One row: a language's exception, as it prints (lowercased), and what it means.
struct Exc {
    /// The language or library, and the name its documentation gives the error.
    what: &'static str,
    lead: &'static str,
    means: Means,
    at: At,
    /// Its subject is a name in the client's code, whose words must not feed the word rules
    /// ("callTimeout cannot be null" is no timeout): read before the message rules, when the
    /// subject decides.
    strong: bool,
}

const fn x(what: &'static str, lead: &'static str, means: Means, at: At, strong: bool) -> Exc {
    Exc {
        what,
        lead,
        means,
        at,
        strong,
    }
}

use At::*;
use Means::*;

/// The exceptions, in the order they are looked for (the more specific lead first).
const TABLE: &[Exc] = &[
    // Swift: DecodingError's cases (developer.apple.com/documentation/swift/decodingerror):
    // keyNotFound and valueNotFound name the key, typeMismatch the type; dataCorrupted is
    // bytes that are not JSON.
    x(
        "Swift DecodingError.keyNotFound",
        "keynotfound(",
        Missing,
        Quoted,
        true,
    ),
    x(
        "Swift DecodingError.valueNotFound",
        "valuenotfound(",
        Missing,
        Quoted,
        true,
    ),
    x(
        "Swift DecodingError.typeMismatch",
        "typemismatch(",
        Missing,
        Quoted,
        true,
    ),
    x(
        "Swift DecodingError.keyNotFound",
        "no value associated with key",
        Missing,
        Quoted,
        true,
    ),
    x(
        "Swift DecodingError.dataCorrupted",
        "datacorrupted(",
        Decode,
        Around,
        false,
    ),
    // PHP: reading an array key that is not there is a warning "Undefined array key" (PHP 8,
    // "Undefined index" before); a method or function that does not exist is a fatal Error
    // (php.net/manual/en/language.errors.php7.php); json_decode with JSON_THROW_ON_ERROR
    // throws JsonException "Syntax error".
    x(
        "PHP Undefined array key",
        "undefined array key ",
        Missing,
        Quoted,
        true,
    ),
    x(
        "PHP Undefined index",
        "undefined index: ",
        Missing,
        Quoted,
        true,
    ),
    x(
        "PHP array offset on null",
        "trying to access array offset on value of type null",
        Missing,
        Around,
        false,
    ),
    x(
        "PHP Call to undefined method",
        "call to undefined method ",
        NoSuchApi,
        Quoted,
        true,
    ),
    x(
        "PHP Call to undefined function",
        "call to undefined function ",
        NoSuchApi,
        Quoted,
        true,
    ),
    x(
        "PHP JsonException",
        "jsonexception: syntax error",
        Decode,
        Around,
        false,
    ),
    // Lua: indexing nil ("attempt to index field 'x' (a nil value)", Lua 5.1-5.4 reference
    // manual, §2.3 error handling; LuaJIT the same).
    x("Lua nil index", "attempt to index", Missing, Quoted, true),
    // JavaScript (V8, JavaScriptCore): reading a property of undefined or null
    // (developer.mozilla.org/docs/Web/JavaScript/Reference/Errors/Cant_access_property).
    x(
        "JavaScript TypeError",
        "cannot read properties of undefined (reading ",
        Missing,
        Quoted,
        true,
    ),
    x(
        "JavaScript TypeError",
        "cannot read properties of null (reading ",
        Missing,
        Quoted,
        true,
    ),
    x(
        "JavaScript TypeError",
        "cannot read property ",
        Missing,
        Quoted,
        true,
    ),
    x(
        "JavaScript TypeError",
        "undefined is not an object (evaluating ",
        Missing,
        Quoted,
        true,
    ),
    // node-fetch's Response.json() on a body that is not JSON (its FetchError type
    // 'invalid-json', node-fetch src/body.js): a whole answer, never a stream's event.
    x(
        "node-fetch FetchError invalid-json",
        "invalid json response body",
        Decode,
        Around,
        true,
    ),
    // MDN "is not a function" / "is not a constructor": the installed module has no such export.
    x(
        "JavaScript TypeError",
        " is not a function",
        NoSuchApi,
        Before,
        false,
    ),
    x(
        "JavaScript TypeError",
        " is not a constructor",
        NoSuchApi,
        Before,
        false,
    ),
    // Python: KeyError names the key (docs.python.org/3/library/exceptions.html); a None
    // where a value was expected raises AttributeError/TypeError on 'NoneType'; a value of
    // a builtin type where an object was expected has no attribute of it.
    x("Python KeyError", "keyerror: ", Missing, Quoted, true),
    x(
        "Python TypeError on None",
        "'nonetype' object is not subscriptable",
        Missing,
        Around,
        false,
    ),
    x(
        "Python TypeError on None",
        "'nonetype' object is not iterable",
        Missing,
        Around,
        false,
    ),
    x(
        "Python TypeError on None",
        "argument of type 'nonetype' is not iterable",
        Missing,
        Around,
        false,
    ),
    x(
        "Python AttributeError on None",
        "'nonetype' object has no attribute ",
        Missing,
        Around,
        false,
    ),
    x(
        "Python AttributeError",
        "'str' object has no attribute ",
        Missing,
        Quoted,
        false,
    ),
    x(
        "Python AttributeError",
        "'dict' object has no attribute ",
        Missing,
        Quoted,
        false,
    ),
    x(
        "Python AttributeError",
        "'list' object has no attribute ",
        Missing,
        Quoted,
        false,
    ),
    // pydantic ValidationError: "1 validation error for <Model>\n<field>\n  <msg> [type=…]"
    // (docs.pydantic.dev/latest/errors/validation_errors).
    x(
        "pydantic ValidationError",
        "validation error for ",
        Missing,
        Words,
        true,
    ),
    // Java: Objects.requireNonNull / Guava / Lombok messages "<name> cannot be null", "must not
    // be null"; helpful NullPointerException (JEP 358) "because \"<expr>\" is null".
    x(
        "Java IllegalArgumentException",
        " cannot be null",
        Missing,
        Before,
        true,
    ),
    x(
        "Java NullPointerException",
        " must not be null",
        Missing,
        Before,
        true,
    ),
    x(
        "Java NullPointerException",
        "\" is null",
        Missing,
        Before,
        true,
    ),
    // kotlinx.serialization MissingFieldException "Field 'id' is required for type with serial
    // name …, but it was missing".
    x(
        "kotlinx MissingFieldException",
        "missingfieldexception",
        Missing,
        Quoted,
        true,
    ),
    // .NET: KeyNotFoundException "The given key 'x' was not present in the dictionary";
    // System.Text.Json JsonException and Newtonsoft's JsonReaderException for bytes that are
    // not the JSON expected.
    x(
        ".NET KeyNotFoundException",
        "keynotfoundexception",
        Missing,
        Quoted,
        true,
    ),
    x(
        ".NET JsonException",
        "system.text.json.jsonexception",
        Decode,
        Around,
        false,
    ),
    x(
        "Newtonsoft JsonReaderException",
        "jsonreaderexception",
        Decode,
        Around,
        false,
    ),
    // Rust: reqwest's Error::is_decode, "error decoding response body" (docs.rs/reqwest,
    // Response::json): the body did not deserialize into the type asked for.
    x(
        "reqwest decode error",
        "error decoding response body",
        Decode,
        Around,
        false,
    ),
    // Go encoding/json: "json: cannot unmarshal <type> into Go struct field …"
    // (pkg.go.dev/encoding/json#UnmarshalTypeError).
    x(
        "Go json.UnmarshalTypeError",
        "json: cannot unmarshal",
        Decode,
        Around,
        false,
    ),
    // Python IndexError on a list (docs.python.org/3/library/exceptions.html#IndexError:
    // "list index out of range"): the traceback's line above shows what was indexed.
    x(
        "Python IndexError",
        "indexerror: list index out of range",
        Missing,
        Indexed,
        false,
    ),
];

/// Fields of an API answer, matched as a whole name or a segment of one (`choices[0]`,
/// `response.usage`). From the answer objects of the OpenAI chat/completions and responses,
/// Anthropic messages and Gemini generateContent API references.
const ANSWER_FIELDS: &[&str] = &[
    "choices",
    "choice",
    "message",
    "delta",
    "content",
    "text",
    "usage",
    "id",
    "object",
    "created",
    "data",
    "system_fingerprint",
    "finish_reason",
    "stop_reason",
    "candidates",
    "parts",
    "output",
    "output_text",
    "embedding",
    "embeddings",
    "logprobs",
    "index",
    "role",
    "tool_calls",
    "function_call",
    "response",
    "result",
    "results",
    "completion",
    "generations",
];

/// Roots of answer field names, matched inside a name (`cache_read_tokens`, `TokenUsage`,
/// `getChoices()`, `candidatesTokenCount`).
const ANSWER_ROOTS: &[&str] = &[
    "choices",
    "usage",
    "tokens",
    "tokencount",
    "finish_reason",
    "finishreason",
    "fingerprint",
    "candidates",
    "completion",
    "logprobs",
    "tool_calls",
    "toolcalls",
];

/// A key the client looked up: the key's problem (a variable not set), not the client's setup.
const KEY_ROOTS: &[&str] = &[
    "api_key",
    "apikey",
    "api-key",
    "access_key",
    "accesskey",
    "secret_key",
    "secretkey",
    "access_token",
    "auth_token",
];

/// Configuration, as client libraries name their settings (the OpenAI SDKs' `base_url`
/// and `timeout` options, LangChain's and LangChain4j's builders, config files' keys): a
/// missing one means the client was never set up right.
const CONFIG_ROOTS: &[&str] = &[
    "config",
    "setting",
    "timeout",
    "provider",
    "app_id",
    "appid",
    "secret_id",
    "secretid",
    "region",
    "organization",
    "project_id",
    "deployment",
    "params",
    "options",
    "environ",
];

/// The client's base URL setting (openai-python `base_url`, its 0.x `api_base`, openai-node
/// `baseURL`, LangChain4j `baseUrl`): missing, it is the base URL's fix that holds.
const URL_ROOTS: &[&str] = &["base_url", "baseurl", "api_base", "apibase", "endpoint"];

/// A name that a server's own request validation uses: the request was refused, so the
/// client's setup is not what the exception is about.
const REQUEST_ROOTS: &[&str] = &["request", "body"];

/// What a subject names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Subject {
    Answer,
    Key,
    Url,
    Config,
    Request,
    Unknown,
}

fn segments(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
}

fn subject_of(name: &str) -> Subject {
    let has = |roots: &[&str]| roots.iter().any(|r| name.contains(r));
    if has(KEY_ROOTS) {
        Subject::Key
    } else if has(REQUEST_ROOTS) && !has(&["response"]) {
        Subject::Request
    } else if segments(name).any(|s| ANSWER_FIELDS.contains(&s)) || has(ANSWER_ROOTS) {
        Subject::Answer
    } else if has(URL_ROOTS) {
        Subject::Url
    } else if has(CONFIG_ROOTS) {
        Subject::Config
    } else {
        Subject::Unknown
    }
}

/// The first quoted name within a short reach after `at`.
fn quoted_after(words: &str, at: usize) -> Option<&str> {
    let rest = reach(words, at, 90);
    let (open, q) = rest
        .char_indices()
        .find(|(_, c)| matches!(c, '\'' | '"' | '`'))?;
    let inner = &rest[open + 1..];
    let end = inner.find(q).filter(|&e| e > 0 && e <= 80)?;
    Some(inner[..end].trim_matches('\\'))
}

/// The next two words after `at`.
fn words_after(words: &str, at: usize) -> Option<String> {
    let rest = reach(words, at, 120);
    let w: Vec<&str> = rest.split_whitespace().take(2).collect();
    (!w.is_empty()).then(|| w.join(" "))
}

/// The identifier, or the quoted name, that ends right before `at`.
fn before(words: &str, at: usize) -> Option<&str> {
    let head = words[..at].trim_end();
    if let Some(h) = head.strip_suffix(['"', '\'', '`']) {
        let open = h.rfind(['"', '\'', '`'])?;
        return Some(&h[open + 1..]).filter(|s| !s.is_empty() && s.len() <= 120);
    }
    let start = head
        .rfind(|c: char| !(c.is_alphanumeric() || "_.$()[]".contains(c)))
        .map_or(0, |i| i + 1);
    Some(&head[start..]).filter(|s| !s.is_empty())
}

/// The expression indexed with a literal (`chunk.choices[0]`) last before `at`, within
/// 600 bytes.
fn indexed_before(words: &str, at: usize) -> Option<&str> {
    let mut lo = at.saturating_sub(600);
    while !words.is_char_boundary(lo) {
        lo += 1;
    }
    let head = &words[lo..at];
    let open = head.match_indices('[').rev().find(|(i, _)| {
        let rest = &head[i + 1..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        digits > 0 && rest.as_bytes().get(digits) == Some(&b']')
    })?;
    let before = &head[..open.0];
    let start = before
        .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .map_or(0, |i| i + 1);
    Some(&before[start..]).filter(|s| !s.is_empty())
}

/// Up to `n` bytes of `words` from `at`, cut on a char boundary.
fn reach(words: &str, at: usize, n: usize) -> &str {
    let mut end = (at + n).min(words.len());
    while !words.is_char_boundary(end) {
        end -= 1;
    }
    &words[at..end]
}

/// The words just before `at` on the same sentence (after the last `. `, `: {`, `"message":`),
/// at most 100 bytes.
fn around(words: &str, at: usize) -> &str {
    let mut start = at.saturating_sub(100);
    while !words.is_char_boundary(start) {
        start += 1;
    }
    let head = &words[start..at];
    let cut = ["\"message\":", "{", ". "]
        .iter()
        .filter_map(|m| head.rfind(m).map(|i| i + m.len()))
        .max()
        .unwrap_or(0);
    &head[cut..]
}

/// One exception found and what its subject makes of it.
struct Found {
    exc: &'static Exc,
    name: String,
    subject: Subject,
}

/// The first exception of the table in the text, with its subject. Where an exception
/// needs one, a pydantic error that is not about a missing value (the model's output was no
/// JSON, an extra input was refused) is no client-side read of a missing field.
fn find(f: &Facts) -> Option<Found> {
    let words = &f.words;
    TABLE.iter().find_map(|exc| {
        let at = words.find(exc.lead)?;
        let end = at + exc.lead.len();
        let name = match exc.at {
            Quoted => quoted_after(words, end).map(str::to_string),
            Words => words_after(words, end),
            Before => before(words, at).map(str::to_string),
            Around => None,
            Indexed => indexed_before(words, at).map(str::to_string),
        };
        if exc.at == Words && !pydantic_missing(reach(words, end, 400)) {
            return None;
        }
        if exc.lead == "attempt to index" && !reach(words, end, 60).contains("nil") {
            return None;
        }
        let subject = match &name {
            Some(n) => subject_of(n),
            None => match subject_of(around(words, at)) {
                // Words around an unnamed value name a family, not an answer's field.
                s @ (Subject::Config | Subject::Url) => s,
                _ => Subject::Unknown,
            },
        };
        Some(Found {
            exc,
            name: name.unwrap_or_default(),
            subject,
        })
    })
}

/// A pydantic error about a value that is missing, null or of another type (not the
/// model's output cut short, not an extra input a server refused).
fn pydantic_missing(after: &str) -> bool {
    [
        "type=missing",
        "field required",
        "input_value=none",
        "input_type=nonetype",
    ]
    .iter()
    .any(|w| after.contains(w))
        && ![
            "json_invalid",
            "invalid json",
            "extra_forbidden",
            "extra inputs",
        ]
        .iter()
        .any(|w| after.contains(w))
}

/// The verdict for an exception and its subject; `None` when the subject does not decide
/// and `sure_only` asks for a decided one.
fn verdict(f: &Facts, found: &Found, sure_only: bool) -> Option<Classification> {
    let e = found.exc;
    let (kind, hint, says) = match (e.means, found.subject) {
        (_, Subject::Request) => return None,
        (Missing, Subject::Key) => (Kind::Auth, None, "a key the client looked up"),
        (Missing, Subject::Url) => (Kind::BaseUrl, None, "the client's base URL setting"),
        (Missing, Subject::Config) => (
            Kind::ProviderInit,
            Some(RuleHint::ClientConfig),
            "the client's own configuration",
        ),
        (NoSuchApi, Subject::Answer)
            if !segments(&found.name).any(|s| ANSWER_FIELDS.contains(&s)) =>
        {
            (
                Kind::ProviderInit,
                Some(RuleHint::LibraryVersion),
                "a class or method the installed library lacks",
            )
        }
        (Missing | NoSuchApi | Decode, Subject::Answer) => (
            Kind::BadResponse,
            Some(RuleHint::ClientDecode),
            "a field of the API's answer",
        ),
        (NoSuchApi, _) => (
            Kind::ProviderInit,
            Some(RuleHint::LibraryVersion),
            "a class or method the installed library lacks",
        ),
        (Decode, _) if !sure_only || e.strong => (
            Kind::BadResponse,
            Some(RuleHint::ClientDecode),
            "an answer the client could not decode",
        ),
        (Missing, _) if !sure_only => (
            Kind::BadResponse,
            Some(RuleHint::ClientDecode),
            "a value the client expected in the answer",
        ),
        _ => return None,
    };
    let name = crate::fit::excerpt(&as_written(f, &found.name), 60);
    let about = if name.is_empty() {
        String::new()
    } else {
        format!(" about `{name}`")
    };
    Some(Classification {
        kind,
        param: None,
        gateway: false,
        rule: "runtime_exception",
        hint,
        confidence: Confidence::Low,
        evidence: format!(
            "the client's own {} error{about} ({says}), with no HTTP status",
            e.what
        ),
    })
}

/// The client's own setup, named as such and failed: its configuration, settings or
/// provider list could not be loaded or holds something it refuses. Pairs of (what went
/// wrong, what it happened to), the second within a few words after the first; the words are
/// the ones CLIs and SDKs use for their own settings (a config file, `settings.json`, a
/// provider registry), not any provider's. A provider that is invalid or missing may be the
/// server's answer about a name; only loading or configuring one is the client's setup.
const SETUP: &[(&[&str], &[&str])] = &[
    (
        &[
            "failed to load",
            "error loading",
            "could not load",
            "unable to load",
            "cannot load",
            "failed to read",
            "failed to parse",
            "failed to configure",
            "failed to initialize",
            "failed to initialise",
            "failed to init",
        ],
        &["config", "settings", "provider", "配置"],
    ),
    (
        &["invalid", "missing", "not configured", "无效", "缺少"],
        &["config", "settings", "配置"],
    ),
];

/// How far after the failure words the setup's noun may come.
const SETUP_REACH: usize = 40;

fn setup_failed(f: &Facts) -> Option<Classification> {
    let words = &f.words;
    let (fail, noun) = SETUP.iter().find_map(|(fails, nouns)| {
        fails.iter().find_map(|fail| {
            words.match_indices(fail).take(8).find_map(|(i, _)| {
                let after = reach(words, i + fail.len(), SETUP_REACH);
                nouns
                    .iter()
                    .find(|n| after.contains(*n))
                    .map(|n| (*fail, *n))
            })
        })
    })?;
    Some(Classification {
        kind: Kind::ProviderInit,
        param: None,
        gateway: false,
        rule: "client_setup",
        hint: Some(RuleHint::ClientConfig),
        confidence: Confidence::Low,
        evidence: format!(
            "the client's own words \"{fail} … {noun}\": its setup failed before any request, with no HTTP status"
        ),
    })
}

/// A client's own table of models (for counting tokens, a context window, a price) that
/// does not list the model asked for: the client stops, or warns, before or beside any
/// request; the provider may serve the model well. From LiteLLM's `get_model_info` and
/// `get_max_tokens` ("This model isn't mapped yet … model_prices_and_context_window.json",
/// litellm/utils.py) and tiktoken's `encoding_for_model` ("Could not automatically map … to
/// a tokeniser", tiktoken/model.py).
const MODEL_TABLE: &[&str] = &[
    "isn't mapped yet",
    "is not mapped yet",
    "not mapped in model cost map",
    "model_prices_and_context_window",
    "to a tokeniser",
    "to a tokenizer. please use",
    "encoding_for_model",
];

fn model_table(f: &Facts) -> Option<Classification> {
    let word = MODEL_TABLE.iter().find(|w| f.words.contains(*w))?;
    Some(Classification {
        kind: Kind::ProviderInit,
        param: None,
        gateway: false,
        rule: "client_model_table",
        hint: Some(RuleHint::ClientConfig),
        confidence: Confidence::Low,
        evidence: format!(
            "the client's own words \"{word}\": its table of models does not list this one, with no HTTP status"
        ),
    })
}

/// A name as the message writes it (`callTimeout`, not the lowercased `calltimeout` the
/// rules read), when the message holds it.
fn as_written(f: &Facts, name: &str) -> String {
    f.body
        .message
        .as_deref()
        .and_then(|m| {
            let lower = m.to_lowercase();
            let i = (lower.len() == m.len())
                .then(|| lower.find(name))
                .flatten()?;
            m.get(i..i + name.len())
        })
        .unwrap_or(name)
        .to_string()
}

/// Read before the message rules: a strong row whose subject decides. Only without a status
/// (a server's answer is read by its status and body).
pub(super) fn early(f: &Facts) -> Option<Classification> {
    if f.status.is_some() {
        return None;
    }
    find(f)
        .filter(|found| found.exc.strong)
        .and_then(|found| verdict(f, &found, true))
        .or_else(|| model_table(f))
}

/// Read once no message rule, code or status spoke: any row, the subject deciding where it
/// can, the exception's usual meaning for an API client where it cannot.
pub(super) fn late(f: &Facts) -> Option<Classification> {
    if f.status.is_some() {
        return None;
    }
    find(f)
        .and_then(|found| verdict(f, &found, false))
        .or_else(|| setup_failed(f))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::{decide, ErrorBody, KNOWN_PARAMS};

    fn read(text: &str) -> Option<(Kind, Option<RuleHint>, Confidence)> {
        let b = ErrorBody {
            message: Some(text.into()),
            ..Default::default()
        };
        decide(None, &b, KNOWN_PARAMS, text).map(|v| (v.kind, v.hint, v.confidence))
    }

    fn kind(text: &str) -> Option<Kind> {
        read(text).map(|v| v.0)
    }

    #[test]
    fn a_missing_field_of_the_answer_is_a_bad_response_in_any_language() {
        // Texts written from each language's documented error format.
        for t in [
            "Swift.DecodingError.keyNotFound(CodingKeys(stringValue: \"choices\", intValue: nil), Swift.DecodingError.Context(codingPath: [], debugDescription: \"No value associated with key\", underlyingError: nil))",
            "Warning: Undefined array key \"usage\" in /app/vendor/x/src/Response.php on line 12",
            "client.lua:40: attempt to index field 'message' (a nil value)",
            "TypeError: Cannot read properties of undefined (reading 'delta')",
            "KeyError: 'finish_reason'",
            "kotlinx.serialization.MissingFieldException: Field 'id' is required for type with serial name 'ChatCompletion', but it was missing",
            "System.Collections.Generic.KeyNotFoundException: The given key 'candidates' was not present in the dictionary.",
            "java.lang.NullPointerException: Cannot invoke \"java.util.List.get(int)\" because the return value of \"com.example.ChatResponse.getChoices()\" is null",
            // A traceback's line shows what the IndexError indexed.
            "  File \"app.py\", line 12, in ask\n    return response.choices[0].message.content\nIndexError: list index out of range",
        ] {
            assert_eq!(
                read(t),
                Some((Kind::BadResponse, Some(RuleHint::ClientDecode), Confidence::Low)),
                "{t}"
            );
        }
    }

    #[test]
    fn a_missing_setting_is_the_client_s_setup_and_a_missing_key_the_key_s() {
        for t in [
            "java.lang.IllegalArgumentException: region cannot be null",
            "TypeError: Cannot read properties of undefined (reading 'providerConfig')",
            "KeyError: 'timeout'",
            "ERROR: Failed to load settings: 'NoneType' object is not subscriptable",
        ] {
            assert_eq!(
                read(t),
                Some((
                    Kind::ProviderInit,
                    Some(RuleHint::ClientConfig),
                    Confidence::Low
                )),
                "{t}"
            );
        }
        assert_eq!(kind("KeyError: 'OPENAI_API_KEY'"), Some(Kind::Auth));
        assert_eq!(
            kind("java.lang.IllegalArgumentException: baseUrl cannot be null"),
            Some(Kind::BaseUrl)
        );
        // The client's own setup, in its own words.
        for t in [
            "Error: failed to load configuration: ~/.tool/config.toml:3:1: invalid type: map, expected a sequence",
            "could not load providers: the provider registry is unreachable",
        ] {
            assert_eq!(
                read(t),
                Some((Kind::ProviderInit, Some(RuleHint::ClientConfig), Confidence::Low)),
                "{t}"
            );
        }
    }

    #[test]
    fn a_model_the_client_s_own_table_lacks_is_its_setup() {
        // Written from LiteLLM's and tiktoken's sources (utils.py, model.py).
        for t in [
            "Exception: This model isn't mapped yet. model=some-model, custom_llm_provider=ollama. Add it here - https://github.com/BerriAI/litellm/blob/main/model_prices_and_context_window.json.",
            "KeyError: 'Could not automatically map some-model to a tokeniser. Please use `tiktoken.get_encoding` to explicitly get the tokeniser you expect.'",
        ] {
            assert_eq!(
                read(t),
                Some((Kind::ProviderInit, Some(RuleHint::ClientConfig), Confidence::Low)),
                "{t}"
            );
        }
    }

    #[test]
    fn a_method_the_library_lacks_is_its_version() {
        for t in [
            "PHP Fatal error: Uncaught Error: Call to undefined method Vendor\\Client::responses()",
            "TypeError: openai.createChatCompletion is not a function",
        ] {
            assert_eq!(
                read(t).map(|v| (v.0, v.1)),
                Some((Kind::ProviderInit, Some(RuleHint::LibraryVersion))),
                "{t}"
            );
        }
    }

    #[test]
    fn an_answer_the_client_could_not_decode() {
        for t in [
            "Error: reqwest::Error { kind: Decode, source: \"error decoding response body\" }",
            "FetchError: invalid json response body at http://127.0.0.1:8080/v1/chat/completions reason: Unexpected token < in JSON at position 0",
        ] {
            assert_eq!(kind(t), Some(Kind::BadResponse), "{t}");
        }
        // A stream's event that is not JSON stays the stream's.
        assert_eq!(
            kind("SyntaxError: Unexpected end of JSON input"),
            Some(Kind::StreamMalformed)
        );
    }

    #[test]
    fn a_name_in_code_does_not_feed_the_word_rules() {
        // "callTimeout" is a setting, not a timeout; "cache_read_tokens" a usage field.
        assert_eq!(
            kind("java.lang.IllegalArgumentException: connectTimeout cannot be null"),
            Some(Kind::ProviderInit)
        );
        assert_eq!(
            kind("pydantic_core._pydantic_core.ValidationError: 1 validation error for ChatUsage\nprompt_tokens\n  Input should be a valid integer [type=int_type, input_value=None, input_type=NoneType]"),
            Some(Kind::BadResponse)
        );
        // A server's own request validation, or the model's output cut short, is not this.
        assert_ne!(
            read("1 validation error for ChatCompletionRequest\nfoo\n  Extra inputs are not permitted [type=extra_forbidden, input_value=1]")
                .map(|v| v.1),
            Some(Some(RuleHint::ClientDecode))
        );
        assert_ne!(
            kind("1 validation error for Answer\n  Invalid JSON: EOF while parsing a string at line 1 column 391 [type=json_invalid, input_value='{\"a\":\"', input_type=str]"),
            Some(Kind::BadResponse)
        );
    }

    #[test]
    fn the_evidence_names_the_subject_as_written() {
        let t = "java.lang.IllegalArgumentException: callTimeout cannot be null";
        let b = ErrorBody {
            message: Some(t.into()),
            ..Default::default()
        };
        let v = decide(None, &b, KNOWN_PARAMS, t).unwrap();
        assert!(v.evidence.contains("`callTimeout`"), "{}", v.evidence);
    }

    #[test]
    fn a_server_answer_with_a_status_is_not_read_here() {
        let b = ErrorBody {
            message: Some("KeyError: 'choices'".into()),
            ..Default::default()
        };
        let f = Facts {
            status: Some(500),
            body: &b,
            sent: &[],
            msg: "keyerror: 'choices'".into(),
            words: "keyerror: 'choices'".into(),
            body_only: false,
        };
        assert!(early(&f).is_none() && late(&f).is_none());
    }
}
