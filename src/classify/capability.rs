//! A model sent to a route of another capability: an embedding, rerank, image, audio or
//! moderation model on a chat route, a chat model on `/completions` or `/embeddings`.
//!
//! The model exists and the id is right; the route is wrong (`wrong_route`). Read before
//! the codes and rules that would call it a bad id, in two ways:
//! - the server says so: a negation whose subject is the model and whose object is a
//!   route's capability ("\"x\" does not support generate", "The model does not support
//!   Chat Completions API", "embedding models do not support chat", "Model is not
//!   embedding", "This is a chat model and not supported in the v1/completions endpoint"):
//!   confident;
//! - only the id's own words say it (`bge-m3`, `text-embedding-3-small`, `whisper-1`, `FLUX.1`),
//!   the route the paste names is of another capability, and the message says no more than
//!   "not found", "does not exist", "invalid": likely, with a fix that holds whichever reading
//!   is right (check the model's type, and the route it belongs to).
//!
//! An id whose words match the route it went to (an embedding model not found on
//! `/embeddings`) is left to the rules that read a missing model.

use super::facts::Facts;
use super::{Classification, Confidence};
use crate::failure::{Kind, RuleHint};

/// What a model does, and so which route serves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cap {
    /// A conversation: `/chat/completions`, `/api/chat`, Gemini's `generateContent`.
    Chat,
    /// Text continued from a prompt: `/completions`, Ollama's `/api/generate`.
    Text,
    Embed,
    Rerank,
    Image,
    Transcribe,
    Speech,
    Moderation,
}

impl Cap {
    fn noun(self) -> &'static str {
        match self {
            Cap::Chat => "chat",
            Cap::Text => "text completion",
            Cap::Embed => "embedding",
            Cap::Rerank => "rerank",
            Cap::Image => "image generation",
            Cap::Transcribe => "speech-to-text",
            Cap::Speech => "text-to-speech",
            Cap::Moderation => "moderation",
        }
    }
}

/// The words servers use for a route's capability in their refusals, as one word or two.
/// Where they come from:
/// - vLLM's OpenAI server: "The model does not support {Chat Completions | Completions |
///   Embeddings | Rerank (Score) | Transcriptions} API", and "… does not support the
///   'embedding' task" (vllm/entrypoints/openai/api_server.py, vllm/config.py);
/// - Ollama: "\"x\" does not support {chat | generate | embeddings}" and "embedding models
///   do not support chat" (server/routes.go, the capability check before a request runs);
/// - OpenAI's model endpoint compatibility (platform.openai.com/docs/models): "This is a
///   chat model and not supported in the v1/completions endpoint", "This is not a chat
///   model and thus not supported in the v1/chat/completions endpoint";
/// - Hugging Face text-embeddings-inference: "model is not a re-ranker model" (a 424
///   "Backend error" from /rerank, router/src/http/server.rs);
/// - Infinity ("does not support `rerank`", "cannot fullyfill `rerank`", its own spelling),
///   LM Studio ("Model is not embedding"), Gemini's methods (`generateContent`,
///   `embedContent`).
///
/// Longer first, so "chat completions" is read before "completions".
const ROUTE_WORDS: &[(&str, Cap)] = &[
    ("chat completions", Cap::Chat),
    ("chat completion", Cap::Chat),
    ("chat/completions", Cap::Chat),
    ("chatcompletion", Cap::Chat),
    ("chat", Cap::Chat),
    ("generatecontent", Cap::Chat),
    ("text generation", Cap::Text),
    ("text completion", Cap::Text),
    ("completions", Cap::Text),
    ("completion", Cap::Text),
    ("generate", Cap::Text),
    ("generation", Cap::Text),
    ("embeddings", Cap::Embed),
    ("embedding", Cap::Embed),
    ("embedcontent", Cap::Embed),
    ("embed", Cap::Embed),
    ("reranking", Cap::Rerank),
    ("re-ranker", Cap::Rerank),
    ("reranker", Cap::Rerank),
    ("rerank", Cap::Rerank),
    ("image generation", Cap::Image),
    ("transcriptions", Cap::Transcribe),
    ("transcription", Cap::Transcribe),
    ("moderations", Cap::Moderation),
    ("moderation", Cap::Moderation),
];

/// What may follow a route's word for it to name the route, not a feature of it ("chat
/// template", "generation config", "embedding images" name features): the end, a stop, or
/// one of these.
const ROUTE_TAILS: &[&str] = &[
    "api",
    "apis",
    "endpoint",
    "endpoints",
    "route",
    "routes",
    "request",
    "requests",
    "task",
    "tasks",
    "mode",
    "model",
    "models",
    "method",
    "methods",
    "operation",
    "interface",
];

/// Negations whose object is what the model does.
const NEGATIONS: &[&str] = &[
    "does not support",
    "do not support",
    "doesn't support",
    "don't support",
    "cannot fullyfill",
    "cannot fulfill",
    "cannot fulfil",
    "is not supported for",
    "is not supported in",
    "not supported in the",
    "is not",
];

/// The subject of such a negation is the model: a word for it, or its quoted name.
/// ("moded" is Infinity's own spelling in "the loaded moded cannot fullyfill".)
const SUBJECTS: &[&str] = &["model", "moded", "\"", "'", "`"];

/// Words that make the server, not the model, the subject ("This server does not support
/// embeddings" is a server started without a feature: `server_feature_off`).
const NOT_THE_MODEL: &[&str] = &["server", "backend", "provider"];

/// A model the server has no chat template for: a base model (served for `/completions`),
/// or a tokenizer that ships none, so the chat route cannot turn messages into a prompt.
/// vLLM's `ChatTemplateResolutionError` (vllm/entrypoints/chat_utils.py): "As of
/// transformers v4.44, default chat template is no longer allowed, so you must provide a chat
/// template if the tokenizer does not define one."
const NO_TEMPLATE: &[&str] = &[
    "default chat template is no longer allowed",
    "must provide a chat template if the tokenizer does not define one",
];

/// The message says the model is missing, which reads two ways when the model exists for
/// another route: Gemini's "models/x is not found for API version v1beta, or is not
/// supported for generateContent".
const MISSING: &[&str] = &[
    "not found",
    "does not exist",
    "do not exist",
    "not exist",
    "no such model",
    "unknown model",
    "invalid model",
    "model_not_found",
    "不存在",
];

/// A model that the server does not have at all, whatever its name: Ollama's "try pulling
/// it first" (the model is not in its store).
const ABSENT: &[&str] = &["try pulling", "ollama pull", "pull the model"];

/// Words in model ids that name what the model does, as providers list them; a word
/// matches a whole token of the id (split at `-_/.:@`), or a token's start when marked.
/// - OpenAI's models page (platform.openai.com/docs/models): text-embedding-3-small,
///   dall-e-3, gpt-image-1, whisper-1, gpt-4o-transcribe, tts-1, gpt-4o-mini-tts,
///   omni-moderation-latest;
/// - Ollama's library (ollama.com/search?c=embedding): nomic-embed-text, mxbai-embed-large,
///   all-minilm, bge-m3, embeddinggemma, snowflake-arctic-embed;
/// - SiliconFlow's model list (docs.siliconflow.cn): BAAI/bge-m3, BAAI/bge-reranker-v2-m3,
///   Kwai-Kolors/Kolors, black-forest-labs/FLUX.1-dev, stabilityai/stable-diffusion-3-5-large,
///   FunAudioLLM/SenseVoiceSmall, FunAudioLLM/CosyVoice2-0.5B;
/// - Jina (jina-embeddings-v3, jina-reranker-v2-base-multilingual), Cohere (embed-english-v3.0,
///   rerank-english-v3.0), Google (text-embedding-004, gemini-embedding-001, imagen-3.0),
///   Hugging Face sentence-transformers models (intfloat/multilingual-e5-large,
///   thenlper/gte-large, moka-ai/m3e-base, all-MiniLM-L6-v2, shibing624/text2vec).
///
/// Reranking first: `bge-reranker` is a reranker, not a `bge` embedding model.
const ID_WORDS: &[(&str, bool, Cap)] = &[
    // (word, matches a token's start, capability)
    ("rerank", true, Cap::Rerank),
    ("embed", true, Cap::Embed),
    ("bge", false, Cap::Embed),
    ("e5", false, Cap::Embed),
    ("gte", false, Cap::Embed),
    ("m3e", false, Cap::Embed),
    ("minilm", true, Cap::Embed),
    ("text2vec", true, Cap::Embed),
    ("flux", false, Cap::Image),
    ("kolors", false, Cap::Image),
    ("sdxl", true, Cap::Image),
    ("sd3", true, Cap::Image),
    ("diffusion", false, Cap::Image),
    ("imagen", false, Cap::Image),
    ("cogview", true, Cap::Image),
    ("whisper", false, Cap::Transcribe),
    ("transcribe", false, Cap::Transcribe),
    ("sensevoice", true, Cap::Transcribe),
    ("tts", false, Cap::Speech),
    ("cosyvoice", true, Cap::Speech),
    ("moderation", false, Cap::Moderation),
];

/// Ids read by a phrase, since their tokens alone say nothing (`dall` `e` `3`).
const ID_PHRASES: &[(&str, Cap)] = &[("gpt-image", Cap::Image), ("dall-e", Cap::Image)];

/// Routes as a paste writes them (a URL, a log line, the SDK call), and their capability.
/// `/chat/completions` before `/completions`.
const ROUTE_PATHS: &[(&str, Cap)] = &[
    ("/chat/completions", Cap::Chat),
    ("chat.completions", Cap::Chat),
    ("chatcompletion.create", Cap::Chat),
    ("/api/chat", Cap::Chat),
    (":generatecontent", Cap::Chat),
    (":streamgeneratecontent", Cap::Chat),
    // Gemini's "… or is not supported for generateContent" names the method it was called on.
    ("supported for generatecontent", Cap::Chat),
    ("supported for embedcontent", Cap::Embed),
    ("/responses", Cap::Chat),
    ("/messages", Cap::Chat),
    ("/v1/completions", Cap::Text),
    ("/api/generate", Cap::Text),
    ("/embeddings", Cap::Embed),
    ("/api/embed", Cap::Embed),
    (":embedcontent", Cap::Embed),
    (":batchembedcontents", Cap::Embed),
    ("embeddings.create", Cap::Embed),
    ("/rerank", Cap::Rerank),
    ("/images/generations", Cap::Image),
    ("/audio/transcriptions", Cap::Transcribe),
    ("/audio/speech", Cap::Speech),
    ("/moderations", Cap::Moderation),
];

/// The verdict for a model on a route of another capability, if the text shows one.
/// `code` is the kind a provider's own (non-generic) code names, which must leave room for
/// this reading.
pub fn read(f: &Facts, url: Option<&str>, code: Option<Kind>) -> Option<Classification> {
    if code.is_some_and(|k| {
        !matches!(
            k,
            Kind::ModelNotFound
                | Kind::WrongRoute
                | Kind::BadRequest
                | Kind::ParamRejected
                | Kind::ServerError
        )
    }) {
        return None;
    }
    let text = &f.words;
    if let Some(w) = NO_TEMPLATE.iter().find(|w| text.contains(*w)) {
        // Likely: a base model belongs on /completions, while an instruct model whose
        // tokenizer lacks the template needs one given to the server; the fix names both.
        return Some(verdict(
            Confidence::Low,
            RuleHint::NoChatTemplate,
            format!(
                "\"{w}\" in the message: the model, as the server loaded it, has no chat template"
            ),
        ));
    }
    // The message alone first: its end is a stop, where the words around it run on.
    if let Some((said, cap, sentence)) = refusal(&f.msg).or_else(|| refusal(text)) {
        // "not found …, or is not supported for generateContent" reads two ways: the id's
        // words decide below.
        if !MISSING.iter().any(|w| sentence.contains(w)) {
            return Some(verdict(
                Confidence::High,
                RuleHint::ModelCapability,
                format!(
                    "\"{said}\" in the message: the model exists, and does not do {} on this route",
                    cap.noun()
                ),
            ));
        }
    }
    if !MISSING.iter().any(|w| text.contains(w)) {
        return None;
    }
    if ABSENT.iter().any(|w| text.contains(w)) {
        return None;
    }
    let (id, id_cap) = ids(text).find_map(|id| id_capability(&id).map(|c| (id, c)))?;
    let (route, route_cap) = route(text, url)?;
    (!compatible(id_cap, route_cap)).then(|| {
        verdict(
            Confidence::Low,
            RuleHint::CapabilityByName,
            format!(
                "the id `{}` reads as {} model, and the request went to {route} ({}), where the server says it does not know it",
                super::one_line(&id),
                article(id_cap),
                route_cap.noun()
            ),
        )
    })
}

fn verdict(confidence: Confidence, hint: RuleHint, evidence: String) -> Classification {
    Classification {
        kind: Kind::WrongRoute,
        param: None,
        gateway: false,
        rule: "model_capability",
        hint: Some(hint),
        confidence,
        evidence,
    }
}

fn article(c: Cap) -> String {
    let n = c.noun();
    let an = n.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {n}", if an { "an" } else { "a" })
}

/// A chat model also continues text on most servers; nothing else serves another route.
fn compatible(model: Cap, route: Cap) -> bool {
    model == route
        || matches!(
            (model, route),
            (Cap::Chat, Cap::Text) | (Cap::Text, Cap::Chat)
        )
}

/// A negation whose subject is the model and whose object is a route's capability, or a
/// statement of the model's own kind before a refusal ("is a chat model and not supported
/// in the v1/completions endpoint"): the words as written, the capability refused, and the
/// sentence they stand in.
fn refusal(text: &str) -> Option<(String, Cap, &str)> {
    let said = |at: usize, end: usize| crate::fit::prefix(text[at..end].trim(), 80).0.to_string();
    for neg in NEGATIONS {
        for (at, _) in text.match_indices(neg).take(16) {
            if !model_is_subject(&text[..at]) {
                continue;
            }
            let from = at + neg.len();
            if let Some((cap, used)) = capability_word(&text[from..]) {
                let (a, b) = sentence_at(text, at);
                return Some((said(at, from + used), cap, &text[a..b]));
            }
        }
    }
    // "This is a chat model and not supported in the v1/completions endpoint".
    for lead in ["is a ", "is an "] {
        for (at, _) in text.match_indices(lead).take(16) {
            let Some((own, _)) = capability_word(&text[at + lead.len()..]) else {
                continue;
            };
            let (a, b) = sentence_at(text, at);
            let Some(i) = text[at..b].find("not supported in") else {
                continue;
            };
            let from = at + i + "not supported in".len();
            if let Some((r, used)) =
                capability_word(&text[from..]).filter(|(r, _)| !compatible(own, *r))
            {
                return Some((said(at, from + used), r, &text[a..b]));
            }
        }
    }
    None
}

/// Where the sentence around byte `at` starts and ends (a full stop followed by a space, or
/// a line break: ids keep their dots, `qwen2.5`).
fn sentence_at(text: &str, at: usize) -> (usize, usize) {
    let ends = [". ", "\n", "! ", "? "];
    let start = ends
        .iter()
        .filter_map(|e| text[..at].rfind(e).map(|i| i + e.len()))
        .max()
        .unwrap_or(0);
    let end = ends
        .iter()
        .filter_map(|e| text[at..].find(e).map(|i| at + i))
        .min()
        .unwrap_or(text.len());
    (start, end)
}

/// The clause before a negation makes the model its subject.
fn model_is_subject(before: &str) -> bool {
    // A label before a colon ("Backend error: model is not …") is no part of the clause.
    let cut = [". ", ", ", "; ", ": ", "\n", "! ", "? "]
        .iter()
        .filter_map(|e| before.rfind(e).map(|i| i + e.len()))
        .max()
        .unwrap_or(0);
    let mut from = cut.max(before.len().saturating_sub(120));
    while !before.is_char_boundary(from) {
        from += 1;
    }
    let clause = &before[from..];
    SUBJECTS.iter().any(|w| clause.contains(w))
        && !clause
            .split_whitespace()
            .map(|t| t.trim_matches(|c: char| !c.is_alphanumeric()))
            .any(|t| NOT_THE_MODEL.contains(&t))
}

/// The route capability a negation's object names, with what follows it a route's tail:
/// "generate", "chat completions api", "`rerank`.", "the 'embedding' task", "a chat model";
/// and how many bytes of `rest` that took.
fn capability_word(rest: &str) -> Option<(Cap, usize)> {
    let total = rest.len();
    let rest = rest.trim_start();
    let rest = ["the ", "a ", "an "]
        .iter()
        .find_map(|a| rest.strip_prefix(a))
        .unwrap_or(rest);
    let rest = rest.trim_start_matches(['`', '\'', '"', '\\', ' ']);
    let rest = rest.strip_prefix("v1/").unwrap_or(rest);
    let (word, cap) = ROUTE_WORDS.iter().find(|(w, _)| rest.starts_with(w))?;
    let after = &rest[word.len()..];
    // The word ends where the route's name ends, not inside a longer word ("chatbot").
    if after.starts_with(|c: char| c.is_alphanumeric() || c == '_') {
        return None;
    }
    let after = after.trim_start_matches(['`', '\'', '"', '\\']);
    let spaced = after.trim_start();
    let bare = &spaced[..spaced
        .find(|c: char| !c.is_alphanumeric())
        .unwrap_or(spaced.len())];
    let tail = !bare.is_empty() && ROUTE_TAILS.contains(&bare);
    let stop = spaced.is_empty()
        || spaced.starts_with(['.', ',', ';', ':', '!', '?', ')', '(', '}', ']'])
            && !ROUTE_TAILS.contains(&bare);
    let used = if tail {
        total - spaced.len() + bare.len()
    } else {
        total - after.len()
    };
    (stop || tail).then_some((*cap, used))
}

/// The route the request went to: the URL the caller knows, else the first route the text
/// writes.
fn route(text: &str, url: Option<&str>) -> Option<(String, Cap)> {
    if let Some(u) = url {
        if let Some((r, c)) = route_in(&u.to_ascii_lowercase()) {
            return Some((r.to_string(), c));
        }
    }
    route_in(text).map(|(r, c)| (r.trim_start_matches("supported for ").to_string(), c))
}

/// The route written first in a text (by position), with its capability.
fn route_in(text: &str) -> Option<(&'static str, Cap)> {
    ROUTE_PATHS
        .iter()
        .filter_map(|(p, c)| text.find(p).map(|at| (at, *p, *c)))
        .min_by_key(|(at, _, _)| *at)
        .map(|(_, p, c)| (p, c))
}

/// Model ids a text names: quoted tokens, and the value after a `model` key.
fn ids(text: &str) -> impl Iterator<Item = String> + '_ {
    let mut out = Vec::new();
    for q in ['"', '\'', '`'] {
        let mut parts = text.split(q);
        parts.next();
        for (i, p) in parts.enumerate().take(256) {
            // Every other part sits inside the quotes.
            if i % 2 == 0 && id_shaped(p) {
                out.push(p.to_string());
            }
        }
    }
    for key in ["model=", "model: ", "model:", "models/", "model "] {
        for (at, _) in text.match_indices(key).take(16) {
            let v: String = text[at + key.len()..]
                .trim_start_matches(['"', '\'', '`', ' '])
                .chars()
                .take_while(|c| c.is_alphanumeric() || "-_./:@".contains(*c))
                .take(128)
                .collect();
            let v = v.trim_end_matches(['.', ':']).to_string();
            if id_shaped(&v) {
                out.push(v);
            }
        }
    }
    out.into_iter()
}

/// A token that can be a model id: one word of letters, digits and `-_./:@`, with a letter.
fn id_shaped(s: &str) -> bool {
    (2..=128).contains(&s.len())
        && s.chars().any(|c| c.is_alphabetic())
        && s.chars()
            .all(|c| c.is_alphanumeric() || "-_./:@".contains(c))
}

/// What an id's own words say the model does.
fn id_capability(id: &str) -> Option<Cap> {
    let id = id.to_lowercase();
    if let Some((_, c)) = ID_PHRASES.iter().find(|(p, _)| id.contains(p)) {
        return Some(*c);
    }
    let tokens: Vec<&str> = id.split(['-', '_', '/', '.', ':', '@']).collect();
    ID_WORDS.iter().find_map(|(w, prefix, c)| {
        tokens
            .iter()
            .any(|t| if *prefix { t.starts_with(w) } else { t == w })
            .then_some(*c)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::ErrorBody;

    fn read_text(text: &str, url: Option<&str>) -> Option<Classification> {
        let body = ErrorBody::default();
        let words = text.to_lowercase();
        let f = Facts {
            status: None,
            body: &body,
            sent: &[],
            msg: words.clone(),
            words: words.split_whitespace().collect::<Vec<_>>().join(" "),
            body_only: false,
        };
        read(&f, url, None)
    }

    fn kind_conf(text: &str) -> Option<(Kind, Confidence)> {
        read_text(text, None).map(|v| (v.kind, v.confidence))
    }

    #[test]
    fn a_server_that_says_the_model_lacks_the_route_s_capability_is_the_route() {
        for text in [
            // vLLM's own messages (vllm/entrypoints/openai/api_server.py).
            r#"{"object":"error","message":"The model does not support Chat Completions API","type":"BadRequestError","param":null,"code":400}"#,
            "The model does not support Embeddings API",
            "The model does not support Rerank (Score) API",
            "The model does not support Transcriptions API",
            // Ollama's capability check.
            r#"{"error":"\"quentinz/bge-large-zh-v1.5\" does not support generate"}"#,
            r#"Error: 400 Bad Request: "embeddinggemma" does not support generate"#,
            "error : embedding models do not support chat",
            "this model does not support embeddings",
            // OpenAI's compatibility refusals, both ways.
            "This is a chat model and not supported in the v1/completions endpoint. Did you mean to use v1/chat/completions?",
            "This is not a chat model and thus not supported in the v1/chat/completions endpoint. Did you mean to use v1/completions?",
            // text-embeddings-inference's /rerank on an embedding model (a 424).
            "Backend error: model is not a re-ranker model",
            // Infinity and LM Studio.
            "ModelNotDeployedError: model=`jinaai/jina-reranker-v1-tiny-en` does not support `rerank`.",
            "InternalServerError: the loaded moded cannot fullyfill `rerank`.options are {'embed'}",
            "Failed to load model \"e5-mistral-7b-instruct-embedding@q8_0\". Error: Model is not embedding.",
        ] {
            assert_eq!(
                kind_conf(text),
                Some((Kind::WrongRoute, Confidence::High)),
                "{text}"
            );
        }
    }

    #[test]
    fn a_model_without_a_chat_template_is_likely_for_completions() {
        // vLLM's ChatTemplateResolutionError, as its 400 carries it.
        let v = read_text("400 As of transformers v4.44, default chat template is no longer allowed, so you must provide a chat template if the tokenizer does not define one. None", None).unwrap();
        assert_eq!(
            (v.kind, v.confidence, v.hint),
            (
                Kind::WrongRoute,
                Confidence::Low,
                Some(RuleHint::NoChatTemplate)
            )
        );
        // A template that raised on the conversation is the request's, not a missing one.
        assert_eq!(
            kind_conf("Template error: syntax error: Conversation roles must alternate user/assistant/user/assistant"),
            None
        );
    }

    #[test]
    fn a_feature_or_the_server_is_not_a_route_capability() {
        for text in [
            "This model does not support tools",
            "this model does not support chat templates",
            "The model does not support image input",
            "does not support streaming",
            // The server started without the feature: llama.cpp's own rule reads it.
            "This server does not support embeddings. Start it with `--embeddings`",
            "model gpt-4o does not support generation config",
        ] {
            assert_eq!(kind_conf(text), None, "{text}");
        }
    }

    #[test]
    fn an_id_that_names_another_capability_on_a_chat_route_is_likely_the_route() {
        // SiliconFlow's 20012 "Model does not exist" for a reranker sent to chat.
        let v = read_text(
            r#"url: 'https://api.siliconflow.cn/v1/chat/completions', responseBody: '{"code":20012,"message":"Model does not exist. Please check it carefully.","data":null}' model: BAAI/bge-reranker-v2-m3"#,
            None,
        )
        .unwrap();
        assert_eq!((v.kind, v.confidence), (Kind::WrongRoute, Confidence::Low));
        assert!(v.evidence.contains("rerank"), "{}", v.evidence);
        // Gemini's two-way message: an embedding id on generateContent.
        assert_eq!(
            kind_conf("models/text-embedding-004 is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods."),
            Some((Kind::WrongRoute, Confidence::Low))
        );
        // The route from the URL the caller knows.
        assert_eq!(
            read_text(
                "The model `whisper-1` does not exist",
                Some("https://x/v1/chat/completions")
            )
            .map(|v| v.kind),
            Some(Kind::WrongRoute)
        );
    }

    #[test]
    fn a_missing_model_on_its_own_route_stays_a_missing_model() {
        for text in [
            // An embedding id on the embedding method, retired.
            "models/text-embedding-004 is not found for API version v1beta, or is not supported for embedContent.",
            // Not in Ollama's store at all.
            r#"POST /api/chat {"error":"model \"nomic-embed-text\" not found, try pulling it first"}"#,
            // A chat id, not found on chat.
            "POST /v1/chat/completions: The model `gpt-5-turbo` does not exist",
            // No route named: nothing says the route is wrong.
            "The model `BAAI/bge-reranker-v2-m3___VLLM` does not exist.",
        ] {
            assert_eq!(kind_conf(text), None, "{text}");
        }
        assert_eq!(
            read_text(
                "The model `text-embedding-3-smal` does not exist",
                Some("/v1/embeddings")
            ),
            None
        );
    }

    #[test]
    fn ids_are_read_by_their_whole_tokens() {
        assert_eq!(id_capability("BAAI/bge-reranker-v2-m3"), Some(Cap::Rerank));
        assert_eq!(id_capability("bge-m3"), Some(Cap::Embed));
        assert_eq!(
            id_capability("intfloat/multilingual-e5-large"),
            Some(Cap::Embed)
        );
        assert_eq!(
            id_capability("black-forest-labs/FLUX.1-schnell"),
            Some(Cap::Image)
        );
        assert_eq!(id_capability("gpt-4o-mini-tts"), Some(Cap::Speech));
        assert_eq!(id_capability("whisper-large-v3"), Some(Cap::Transcribe));
        assert_eq!(
            id_capability("omni-moderation-latest"),
            Some(Cap::Moderation)
        );
        // Chat models whose names only contain the letters.
        for id in [
            "gpt-4o",
            "qwen2.5-72b-instruct",
            "gemma3:27b",
            "deepseek-chat",
            "integrate-7b",
        ] {
            assert_eq!(id_capability(id), None, "{id}");
        }
    }
}
