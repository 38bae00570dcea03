//! Google's APIs (the Gemini API, Vertex AI, and the googleapis clients in Python, JS, Go and
//! Java) read by their own grammar, where a generic reading points the wrong way.
//!
//! Three things Google's answers say in their own terms:
//! - **Why a candidate stopped, or why the prompt was blocked**: `finishReason` (JSON),
//!   `finish_reason: SAFETY` (proto text, Python), `FinishReason.SAFETY` (Python enums),
//!   `FinishReasonSafety` (Go), `FINISH_REASON_SAFETY` (Vertex's TS enum), or its number in
//!   google-generativeai's "The candidate's [finish_reason](…) is 3"; `promptFeedback.
//!   blockReason` likewise. A value of [`FINISH`] names the kind: a safety block is a
//!   content filter, not an answer that lacks a field (the candidate came back without
//!   content *because* it was blocked). Values and numbers from the API references:
//!   ai.google.dev/api/generate-content#FinishReason and #BlockReason (the Gemini API's
//!   `google.ai.generativelanguage.v1beta` enums: STOP 1, MAX_TOKENS 2, SAFETY 3,
//!   RECITATION 4, OTHER 5, LANGUAGE 6, BLOCKLIST 7, PROHIBITED_CONTENT 8, SPII 9,
//!   MALFORMED_FUNCTION_CALL 10, IMAGE_SAFETY 11, UNEXPECTED_TOOL_CALL 12) and
//!   cloud.google.com/vertex-ai/generative-ai/docs/reference/rest/v1/GenerateContentResponse
//!   (Vertex's enum numbers differ from 5 up: only the numbers both APIs give the same
//!   meaning are read, [`FINISH_NUMBERS`]).
//! - **A model the method does not serve**: "models/x is not found for API version v1beta,
//!   or is not supported for generateContent" reads two ways. Each Google model serves its
//!   own methods (ai.google.dev/gemini-api/docs/models: Gemini and Gemma models
//!   `generateContent`, embedding models `embedContent`, Imagen `predict`, Veo
//!   `predictLongRunning`, Live models `bidiGenerateContent`): when the id's family serves
//!   another method than the one named, the model is on the wrong method (`wrong_route`,
//!   likely); when it serves that method, the id is retired, renamed or not on this API
//!   version (`model_not_found`, likely), never a spelling matter to fix blind.
//! - **A 404 with no message from a client that builds its own URL**: Google's SDKs put the
//!   model id and the API version in the path (`/v1beta/models/ID:generateContent`,
//!   `…/publishers/google/models/ID:generateContent`), so their bare 404 (`googleapi: Error
//!   404:`) is most likely the model or the version, not a base URL: likely, with a fix that
//!   names both.
//!
//! Every verdict of Google's that names a missing model gets Google's fix: list the models
//! (ListModels, Vertex's model versions page), since Google retires and renames models
//! (cloud.google.com/vertex-ai/generative-ai/docs/learn/model-versions#retired-models,
//! ai.google.dev/gemini-api/docs/changelog).

use super::facts::Facts;
use super::{Classification, Confidence};
use crate::failure::{Kind, RuleHint};

/// Words that name Google's APIs or clients, beyond the provider marks of `codes.toml`:
/// the Go client's error prefix (google.golang.org/api/googleapi: "googleapi: Error 404:"),
/// the JS SDKs' error labels, the Python SDKs' module names, Vertex's resource names and
/// the Gemini API's own advice.
const MARKS: &[&str] = &[
    "googleapi:",
    "googlegenerativeai",
    "google.generativeai",
    "google_genai",
    "generativelanguage",
    "publisher model",
    "publishers/google/",
    "call listmodels",
    // The Gemini API's resource name for a Gemma model it serves.
    "models/gemma",
];

/// The text is Google's, or about Google's APIs.
pub fn is_google(words: &str) -> bool {
    MARKS.iter().any(|m| words.contains(m)) || super::codes::providers_in(words).contains(&"google")
}

/// Keys whose value says why a candidate stopped, or why the prompt was blocked, as each
/// client spells them (lowercased): `finishReason`, `finish_reason`, `promptFeedback.
/// blockReason`, `block_reason`, Vertex's `BlockedReason`.
const FINISH_KEYS: &[&str] = &["finishreason", "finish_reason"];
const BLOCK_KEYS: &[&str] = &[
    "blockreason",
    "block_reason",
    "blockedreason",
    "blocked_reason",
];

/// Finish and block reasons by name (the enums' values, lowercased), and the kind each one
/// is. `BLOCK_REASON_UNSPECIFIED`, `STOP`, `OTHER` and `LANGUAGE` say nothing of a failure
/// zencheck names, and are not here.
const FINISH: &[(&str, Kind)] = &[
    ("safety", Kind::ContentFilter),
    ("recitation", Kind::ContentFilter),
    ("blocklist", Kind::ContentFilter),
    ("prohibited_content", Kind::ContentFilter),
    ("spii", Kind::ContentFilter),
    ("image_safety", Kind::ContentFilter),
    ("image_prohibited_content", Kind::ContentFilter),
    ("image_recitation", Kind::ContentFilter),
    ("max_tokens", Kind::OutputLength),
    ("malformed_function_call", Kind::ToolCallMalformed),
    ("unexpected_tool_call", Kind::ToolCallMalformed),
    ("too_many_tool_calls", Kind::ToolCallMalformed),
];

/// Finish reasons by number, where the Gemini API's and Vertex AI's enums agree.
const FINISH_NUMBERS: &[(&str, &str)] =
    &[("2", "max_tokens"), ("3", "safety"), ("4", "recitation")];

/// A prompt blocked for a reason the API does not name (`BlockReason.OTHER`): blocked, so a
/// content filter, but which one it does not say.
const BLOCK_UNNAMED: &[&str] = &["other", "2"];

/// Words that may stand between a key and its value: a Markdown link's target (the Python
/// SDK links the key to its reference), "is", an enum's class name.
const VALUE_FILLER: &[&str] = &["is", "was", "of"];

/// The value written after a key: `"SAFETY"`, `: SAFETY`, `=<FinishReason.SAFETY: 3>`,
/// `](https://…) is 3`, or run into it (`FinishReasonSafety`, `FINISH_REASON_SAFETY`).
fn value_after(rest: &str) -> Option<String> {
    // Run into the key: Go's `FinishReasonSafety`, the proto's `FINISH_REASON_SAFETY`.
    let glued = rest.strip_prefix('_').unwrap_or(rest);
    if rest.starts_with(|c: char| c.is_ascii_alphabetic()) || rest.starts_with('_') {
        let v: String = glued
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        return (!v.is_empty()).then_some(v);
    }
    let mut rest = rest;
    // The key named in prose as inline code (`no \`finish_reason\``): a value follows only
    // as one is stated (`\`finish_reason\`: 3`, `\`finish_reason\` is 3`), never the next
    // list item's number.
    if let Some(r) = rest.strip_prefix('`') {
        let r = r.trim_start();
        if !(r.starts_with([':', '=']) || r.starts_with("is ") || r.starts_with("was ")) {
            return None;
        }
        rest = r;
    }
    // A Markdown link after the key: `[finish_reason](https://ai.google.dev/…) is 3`.
    if let Some(r) = rest.strip_prefix("](") {
        rest = r.split_once(')').map_or("", |(_, after)| after);
    }
    let window = crate::fit::prefix(rest, 80).0;
    window
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .map(|t| t.trim_matches('.'))
        .filter(|t| !t.is_empty() && !VALUE_FILLER.contains(t))
        .map(|t| t.rsplit('.').next().unwrap_or(t).to_string())
        .next()
}

/// A finish or block reason the text states, and the kind it names.
fn stated_reason(words: &str) -> Option<(Kind, Confidence, String)> {
    for (keys, block) in [(FINISH_KEYS, false), (BLOCK_KEYS, true)] {
        for key in keys {
            for (at, _) in words.match_indices(key).take(16) {
                // The key is a whole word's start: not `xfinishreason`.
                if at > 0 && words.as_bytes()[at - 1].is_ascii_alphanumeric() {
                    continue;
                }
                let Some(value) = value_after(&words[at + key.len()..]) else {
                    continue;
                };
                let value = value
                    .trim_start_matches("finish_reason_")
                    .trim_start_matches("block_reason_")
                    .trim_start_matches("blocked_reason_")
                    .to_string();
                let named = FINISH_NUMBERS
                    .iter()
                    .filter(|_| !block)
                    .find(|(n, _)| *n == value)
                    .map_or(value.as_str(), |(_, v)| v);
                if let Some((_, kind)) = FINISH.iter().find(|(v, _)| *v == named) {
                    let said = format!("{key} {}", named.to_uppercase());
                    return Some((*kind, Confidence::High, said));
                }
                if block && BLOCK_UNNAMED.contains(&named) {
                    let said = format!("{key} {}", named.to_uppercase());
                    return Some((Kind::ContentFilter, Confidence::Low, said));
                }
            }
        }
    }
    None
}

/// The Python SDK's words for an answer whose candidate carried no part: "The `response.text`
/// quick accessor requires the response to contain a valid `Part`, but none were returned"
/// (google-generativeai, generation_types.py), and the JS SDKs' "Text not available".
const NO_PART: &[&str] = &[
    "quick accessor requires the response to contain a valid",
    "quick accessor only works when the response contains a valid",
];

/// Google SDKs' own words for an answer without candidates or parts that they read as a
/// block: google-generativeai's "Check the `response.prompt_feedback` to see if the prompt
/// was blocked" (no candidate at all: the prompt's block, per the API reference's
/// `promptFeedback`), the Vertex AI SDK's "The candidate is likely blocked by the safety
/// filters" (vertexai/generative_models/_generative_models.py). Likely, as they say.
const SDK_BLOCKED: &[&str] = &[
    "to see if the prompt was blocked",
    "likely blocked by the safety filters",
];

/// A Gemini answer that stopped for a reason that is a failure of its own: a safety block
/// (`content_filter`), the output cap (`output_length`), a malformed function call; or an
/// answer without a part whose reason says no more (`bad_response`, likely).
pub fn finish(f: &Facts) -> Option<Classification> {
    let w = &f.words;
    if let Some((kind, confidence, said)) = stated_reason(w) {
        return Some(Classification {
            kind,
            param: None,
            gateway: false,
            rule: "gemini_finish_reason",
            hint: (kind == Kind::ContentFilter).then_some(RuleHint::GeminiSafety),
            confidence,
            evidence: format!(
                "`{said}` in the text: Gemini's own reason why the answer stopped or the prompt was blocked"
            ),
        });
    }
    if let Some(said) = SDK_BLOCKED.iter().find(|p| w.contains(*p)) {
        return Some(Classification {
            kind: Kind::ContentFilter,
            param: None,
            gateway: false,
            rule: "gemini_finish_reason",
            hint: Some(RuleHint::GeminiSafety),
            confidence: Confidence::Low,
            evidence: format!(
                "\"{said}\" in the text: Google's SDK says the answer came back empty, most likely blocked by the safety filters"
            ),
        });
    }
    let said = NO_PART.iter().find(|p| w.contains(*p))?;
    Some(Classification {
        kind: Kind::BadResponse,
        param: None,
        gateway: false,
        rule: "gemini_no_part",
        hint: Some(RuleHint::ClientDecode),
        confidence: Confidence::Low,
        evidence: format!(
            "\"{said}\" in the text: the candidate came back without a part, and no finish reason zencheck reads says why"
        ),
    })
}

/// What a Google model serves, by its id's family (ai.google.dev/gemini-api/docs/models,
/// each model's "supported methods"; Vertex AI's model reference pages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    /// `generateContent`, `streamGenerateContent`, `countTokens`: Gemini, Gemma, LearnLM.
    Generate,
    /// `embedContent`, `batchEmbedContents` (Vertex: also `predict`).
    Embed,
    /// `predict`, `predictLongRunning`: Imagen, Veo.
    Predict,
    /// `bidiGenerateContent`: the Live API's models.
    Live,
}

impl Method {
    fn name(self) -> &'static str {
        match self {
            Method::Generate => "generateContent",
            Method::Embed => "embedContent",
            Method::Predict => "predict",
            Method::Live => "bidiGenerateContent",
        }
    }
}

/// Method names as the Gemini API writes them after "is not supported for" (lowercased).
const METHODS: &[(&str, Method)] = &[
    ("streamgeneratecontent", Method::Generate),
    ("generatecontent", Method::Generate),
    ("counttokens", Method::Generate),
    ("batchgeneratecontent", Method::Generate),
    ("createcachedcontent", Method::Generate),
    ("batchembedcontents", Method::Embed),
    ("embedcontent", Method::Embed),
    ("embedtext", Method::Embed),
    ("predictlongrunning", Method::Predict),
    ("predict", Method::Predict),
    ("bidigeneratecontent", Method::Live),
];

/// A model id's family and the methods it serves: the first row whose words the id holds.
/// Embedding first (`gemini-embedding-001` is no generateContent model), Live models
/// (`gemini-live-2.5-flash`, `…-native-audio-…`) before the Gemini family.
fn id_method(id: &str) -> Option<Method> {
    let id = id.rsplit('/').next().unwrap_or(id);
    if id.contains("embedding") || id.starts_with("embed") {
        return Some(Method::Embed);
    }
    if id.starts_with("imagen") || id.starts_with("veo") {
        return Some(Method::Predict);
    }
    if id.contains("-live") || id.contains("native-audio") {
        return Some(Method::Live);
    }
    ["gemini", "gemma", "learnlm"]
        .iter()
        .any(|f| id.starts_with(f))
        .then_some(Method::Generate)
}

/// The Gemini API's two-way sentence: the model id after `models/`, and the method after
/// "is not supported for".
fn not_found_or_unsupported(words: &str) -> Option<(String, Method)> {
    let at = words.find("or is not supported for ")?;
    let rest = &words[at + "or is not supported for ".len()..];
    let method = METHODS.iter().find(|(m, _)| rest.starts_with(m))?.1;
    let before = &words[..at];
    let m = before.rfind("models/")?;
    let id: String = before[m + "models/".len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '@'))
        .collect();
    (!id.is_empty()).then_some((id, method))
}

/// "models/x is not found for API version v1beta, or is not supported for M", read by what
/// the id serves: another method than M is a model on the wrong method (`wrong_route`); M
/// itself, or an id of no Google family, is a model this API version does not serve now
/// (`model_not_found`). Both likely: the sentence says either.
pub fn model_method(f: &Facts) -> Option<Classification> {
    let Some((id, method)) = not_found_or_unsupported(&f.words) else {
        return method_refused(f);
    };
    let id = super::one_line(&id);
    match id_method(&id) {
        Some(serves) if serves != method => Some(Classification {
            kind: Kind::WrongRoute,
            param: None,
            gateway: false,
            rule: "google_model_method",
            hint: Some(RuleHint::GoogleMethod),
            confidence: Confidence::Low,
            evidence: format!(
                "`models/{id}` is a model for {}, and the request called {}: Google's message says the model is missing or not supported for that method",
                serves.name(),
                method.name()
            ),
        }),
        _ => Some(Classification {
            kind: Kind::ModelNotFound,
            param: None,
            gateway: false,
            rule: "google_model_retired",
            hint: Some(RuleHint::GoogleModelId),
            confidence: Confidence::Low,
            evidence: format!(
                "`models/{id}` not found for this API version or not served for {}: a model Google retired or renamed, or one this API version does not serve",
                method.name()
            ),
        }),
    }
}

/// Words before a method's name that make it the object of a refusal: "Model X is not
/// supported in the embedContent API", "… is not supported for predict".
const REFUSED_FOR: &[&str] = &[
    "is not supported in the ",
    "is not supported in ",
    "is not supported for the ",
    "is not supported for ",
];

/// Subjects that make the refusal a parameter's, not the model's.
const NOT_A_MODEL: &[&str] = &["parameter", "field", "argument", "mime type", "modality"];

/// A model refused for one of Google's methods ("Publisher Model `…` is not supported in the
/// embedContent API"): the object of "not supported" is a method, so the model exists and
/// the method is wrong (`wrong_route`), whatever a bad-id reading of "model … not
/// supported" says. The subject must be the model: a parameter refused for a method is the
/// parameter's.
fn method_refused(f: &Facts) -> Option<Classification> {
    let msg = if f.msg.is_empty() { &f.words } else { &f.msg };
    REFUSED_FOR.iter().find_map(|lead| {
        let at = msg.find(lead)?;
        let rest = &msg[at + lead.len()..];
        let (name, method) = METHODS.iter().find(|(m, _)| {
            rest.starts_with(m)
                && !rest[m.len()..].starts_with(|c: char| c.is_ascii_alphanumeric())
        })?;
        let before = &msg[..at];
        (before.contains("model") && !NOT_A_MODEL.iter().any(|w| before.contains(w))).then(
            || Classification {
                kind: Kind::WrongRoute,
                param: None,
                gateway: false,
                rule: "google_model_method",
                hint: Some(RuleHint::GoogleMethod),
                confidence: Confidence::High,
                evidence: format!(
                    "\"{}{name}\" in the message: the model exists, and the method called ({}) does not serve it",
                    lead.trim_end(),
                    method.name()
                ),
            },
        )
    })
}

/// Google's words for a key it blocked because the key was found exposed in public
/// (ai.google.dev/gemini-api/docs/api-key: leaked keys are blocked from the Gemini API).
/// A 403 PERMISSION_DENIED, but no permission is missing: the key itself is dead.
const KEY_LEAKED: &[&str] = &["api key was reported as leaked"];

/// A key Google blocked as leaked: `auth` (a new key is the fix), not `access_denied`,
/// which says the key is valid.
pub fn key_state(f: &Facts) -> Option<Classification> {
    let said = KEY_LEAKED.iter().find(|w| f.words.contains(*w))?;
    Some(Classification {
        kind: Kind::Auth,
        param: None,
        gateway: false,
        rule: "google_key_leaked",
        hint: Some(RuleHint::KeyLeaked),
        confidence: Confidence::High,
        evidence: format!("\"{said}\" in the message: Google blocked the key itself"),
    })
}

/// A 404 without a message from a Google client, whose URL carries the model id and the
/// API version: the model (or the version), likely. `url` is where the request went, when
/// known: a URL without a model in its path (the OpenAI-compatible endpoint) is left to the
/// reading of 404s by route.
pub fn bare_404(f: &Facts, url: Option<&str>) -> Option<Classification> {
    // An HTML 404 is a router's page (Google's "That's an error."): the path, not the model.
    if f.status != Some(404) || f.body.html {
        return None;
    }
    if url.is_some_and(|u| !u.to_ascii_lowercase().contains("/models/")) {
        return None;
    }
    let google = is_google(&f.words) || url.is_some_and(|u| is_google(&u.to_ascii_lowercase()));
    google.then(|| Classification {
        kind: Kind::ModelNotFound,
        param: None,
        gateway: false,
        rule: "google_404_model_path",
        hint: Some(RuleHint::GoogleModelPath),
        confidence: Confidence::Low,
        evidence: "HTTP 404 with no message from a Google client, which puts the model id and the API version in the URL".into(),
    })
}

/// A verdict about Google's API gets Google's fix: a missing model is listed, not
/// spelled (Google retires and renames models); a model on a method it does not serve is
/// called by one it does.
pub fn refine(mut v: Classification, f: &Facts) -> Classification {
    let hint = match (v.kind, v.hint) {
        (Kind::ModelNotFound, None | Some(RuleHint::RouteAnswered)) => RuleHint::GoogleModelId,
        (Kind::WrongRoute, Some(RuleHint::ModelCapability)) => RuleHint::GoogleMethod,
        (Kind::ContentFilter, None) => RuleHint::GeminiSafety,
        // "Developer instruction is not enabled for models/gemma-…" (`account`'s reading).
        (Kind::BadRequest, None)
            if v.rule == "feature_not_enabled" && v.param.as_deref() == Some("messages") =>
        {
            RuleHint::NoSystemInstruction
        }
        _ => return v,
    };
    if is_google(&f.words) {
        v.hint = Some(hint);
    }
    v
}

#[cfg(test)]
mod tests {
    use crate::classify::{decide, paste, Confidence, KNOWN_PARAMS};
    use crate::failure::{Kind, RuleHint};

    fn read(text: &str) -> (Kind, &'static str, Confidence, Option<RuleHint>) {
        let v = crate::classify::read_pasted(text).expect(text);
        (v.kind, v.rule, v.confidence, v.hint)
    }

    #[test]
    fn a_finish_or_block_reason_names_the_kind_in_every_client_s_spelling() {
        // Written from the enums of ai.google.dev/api/generate-content, as each client
        // prints them.
        for text in [
            r#"{"candidates":[{"finishReason":"SAFETY","index":0}]}"#,
            r#"{"promptFeedback":{"blockReason":"PROHIBITED_CONTENT"},"usageMetadata":{"promptTokenCount":9}}"#,
            "google.generativeai.types.generation_types.StopCandidateException: finish_reason: RECITATION\nindex: 0",
            "finish_reason=<FinishReason.SAFETY: 'SAFETY'>",
            "the candidate's `finish_reason` is 3",
            "blocked: candidate: FinishReasonSafety",
            "candidate.finishReason === FINISH_REASON_BLOCKLIST",
            "TypeError: Cannot read properties of undefined (reading 'parts') candidates: [ { finishReason: 'SPII', index: 0 } ]",
            "ValueError: Invalid operation: The `response.text` quick accessor requires the response to contain a valid `Part`, but none were returned. The candidate's [finish_reason](https://ai.google.dev/api/generate-content#finishreason) is 3.",
        ] {
            let (kind, rule, confidence, _) = read(text);
            assert_eq!(
                (kind, rule, confidence),
                (Kind::ContentFilter, "gemini_finish_reason", Confidence::High),
                "{text}"
            );
        }
        assert_eq!(
            read("The candidate's [finish_reason](https://ai.google.dev/api/generate-content#finishreason) is 2.").0,
            Kind::OutputLength
        );
        assert_eq!(
            read(r#"{"candidates":[{"finishReason":"MALFORMED_FUNCTION_CALL","index":0}]}"#).0,
            Kind::ToolCallMalformed
        );
        // A prompt blocked for a reason the API does not name: blocked, likely a filter.
        assert_eq!(
            read("BlockedPromptException: block_reason: OTHER"),
            (
                Kind::ContentFilter,
                "gemini_finish_reason",
                Confidence::Low,
                Some(RuleHint::GeminiSafety)
            )
        );
    }

    #[test]
    fn reasons_that_are_no_failure_and_other_apis_values_are_not_read() {
        use super::stated_reason;
        for w in [
            r#"{"finishreason":"stop"}"#,
            r#"finish_reason: "length""#,
            r#""finish_reason":"content_filter""#,
            "finishreason: 'other'",
            "finishreason: 'content-filter'",
            r#""blockreason": """#,
            "finish_reason is 9",
            // A key named in prose, then the next list item's number.
            "last chunk: mid-sentence, no `finish_reason` 3. error chunk (seq 4699)",
        ] {
            assert_eq!(stated_reason(w), None, "{w}");
        }
        // The SDKs' own reading of an empty answer as a block: likely a filter.
        for text in [
            "ValueError: Cannot get the Candidate text.\nResponse candidate content has no parts (and thus no text). The candidate is likely blocked by the safety filters.",
            "ValueError: The `response.parts` quick accessor only works for a single candidate, but none were returned. Check the `response.prompt_feedback` to see if the prompt was blocked.",
        ] {
            let (kind, _, confidence, hint) = read(text);
            assert_eq!(
                (kind, confidence, hint),
                (Kind::ContentFilter, Confidence::Low, Some(RuleHint::GeminiSafety)),
                "{text}"
            );
        }
        // A Google client's own words for a block get Gemini's fix.
        assert_eq!(
            read("Error: [GoogleGenerativeAI Error]: Candidate was blocked due to RECITATION").3,
            Some(RuleHint::GeminiSafety)
        );
        // An answer without a part whose reason is STOP: the answer, likely.
        let (kind, rule, confidence, _) = read("ValueError: Invalid operation: The `response.text` quick accessor requires the response to contain a valid `Part`, but none were returned. The candidate's [finish_reason](https://ai.google.dev/api/generate-content#finishreason) is 1.");
        assert_eq!(
            (kind, rule, confidence),
            (Kind::BadResponse, "gemini_no_part", Confidence::Low)
        );
    }

    #[test]
    fn a_model_not_served_for_a_method_is_read_by_what_the_id_serves() {
        let two_ways = |id: &str, method: &str| {
            format!(
                r#"{{"error":{{"code":404,"message":"models/{id} is not found for API version v1beta, or is not supported for {method}. Call ListModels to see the list of available models and their supported methods.","status":"NOT_FOUND"}}}}"#
            )
        };
        // A chat model on the embedding method, an Imagen model on generateContent: the method.
        for (id, method) in [
            ("gemini-2.0-flash", "embedContent"),
            ("imagen-3.0-generate-002", "generateContent"),
            ("gemini-2.0-flash-live-001", "generateContent"),
        ] {
            let (kind, _, confidence, hint) = read(&two_ways(id, method));
            assert_eq!(
                (kind, confidence),
                (Kind::WrongRoute, Confidence::Low),
                "{id} {method}"
            );
            assert!(
                matches!(
                    hint,
                    Some(RuleHint::GoogleMethod | RuleHint::CapabilityByName)
                ),
                "{id}: {hint:?}"
            );
        }
        // The id serves that method: retired, renamed or not on this version, never a typo.
        for (id, method) in [
            ("gemini-pro", "generateContent"),
            ("text-embedding-004", "embedContent"),
            ("imagen-3.0-generate-002", "predict"),
            ("gpt-4o", "generateContent"),
        ] {
            let (kind, rule, confidence, hint) = read(&two_ways(id, method));
            assert_eq!(
                (kind, rule, confidence, hint),
                (
                    Kind::ModelNotFound,
                    "google_model_retired",
                    Confidence::Low,
                    Some(RuleHint::GoogleModelId)
                ),
                "{id} {method}"
            );
        }
    }

    #[test]
    fn a_model_refused_for_a_method_is_the_method_not_the_id() {
        // The object of "not supported" is one of Google's methods (ai.google.dev/api):
        // the model exists, whatever its name is written as.
        for text in [
            r#"{"error":{"code":400,"message":"Publisher Model `projects/p/locations/europe-west4/publishers/google/models/text-embedding-005` is not supported in the embedContent API.","status":"INVALID_ARGUMENT"}}"#,
            r#"{"error":{"code":400,"message":"The model is not supported for predict.","status":"INVALID_ARGUMENT"}}"#,
        ] {
            let (kind, _, _, hint) = read(text);
            assert_eq!(
                (kind, hint),
                (Kind::WrongRoute, Some(RuleHint::GoogleMethod)),
                "{text}"
            );
        }
        // A parameter refused for a method is the parameter's.
        assert_ne!(
            read(r#"{"error":{"code":400,"message":"Parameter outputDimensionality is not supported for embedContent with this model version.","status":"INVALID_ARGUMENT"}}"#).0,
            Kind::WrongRoute
        );
    }

    #[test]
    fn google_s_missing_model_gets_google_s_fix_and_its_bare_404_the_model() {
        // Vertex's wording (cloud.google.com/vertex-ai/generative-ai/docs/learn/model-versions):
        // Google's fix, not a spelling check.
        let (kind, _, _, hint) = read("404 Publisher Model `projects/p/locations/us-central1/publishers/google/models/gemini-1.0-pro-001` was not found or your project does not have access to it. Please ensure you are using a valid model version.");
        assert_eq!(
            (kind, hint),
            (Kind::ModelNotFound, Some(RuleHint::GoogleModelId))
        );
        // The Go client's bare 404: the model in the URL, likely.
        assert_eq!(
            read("googleapi: Error 404:"),
            (
                Kind::ModelNotFound,
                "google_404_model_path",
                Confidence::Low,
                Some(RuleHint::GoogleModelPath)
            )
        );
        // Another API's bare 404 is not Google's to read.
        assert_ne!(read("HTTP/1.1 404 Not Found").1, "google_404_model_path");
    }

    #[test]
    fn a_system_instruction_the_model_lacks_gets_google_s_fix_and_a_leaked_key_is_dead() {
        let r = paste::read(
            r#"{"error":{"code":400,"message":"Developer instruction is not enabled for models/gemma-3-4b-it","status":"INVALID_ARGUMENT"}}"#,
        );
        let v = decide(r.status, &r.body, KNOWN_PARAMS, &r.context).unwrap();
        assert_eq!(
            (v.kind, v.param.as_deref(), v.hint),
            (
                Kind::BadRequest,
                Some("messages"),
                Some(RuleHint::NoSystemInstruction)
            )
        );
        let (kind, rule, _, hint) = read(
            r#"{"error":{"code":403,"message":"Your API key was reported as leaked. Please use another API key.","status":"PERMISSION_DENIED"}}"#,
        );
        assert_eq!(
            (kind, rule, hint),
            (Kind::Auth, "google_key_leaked", Some(RuleHint::KeyLeaked))
        );
    }

    #[test]
    fn google_s_own_fixes_never_say_spelling() {
        use crate::failure::HintContext;
        for (kind, rule) in [
            (Kind::ModelNotFound, RuleHint::GoogleModelId),
            (Kind::ModelNotFound, RuleHint::GoogleModelPath),
            (Kind::WrongRoute, RuleHint::GoogleMethod),
            (Kind::ContentFilter, RuleHint::GeminiSafety),
            (Kind::BadRequest, RuleHint::NoSystemInstruction),
        ] {
            let cx = HintContext {
                rule: Some(rule),
                offline: true,
                ..Default::default()
            };
            let hint = kind.hint(&cx).to_lowercase();
            assert!(!hint.contains("spelling"), "{rule:?}: {hint}");
            assert!(!hint.contains("api key"), "{rule:?}: {hint}");
        }
    }
}
