//! How sure a verdict is, decided in one place from the evidence it rests on, not from
//! which rule fired: [`Basis`] is what the verdict stands on (which layer decided, whether
//! the words are the error's own or only the text around it, whether the answer has an
//! API's envelope and a status, whether the status agrees), and [`calibrate`] lowers a
//! verdict's confidence where that evidence is thin. The kind never changes here.

use super::{agrees, reads_two_ways, rules, Classification, Confidence};
use crate::failure::Kind;

/// Which layer of evidence decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// A provider's own code, read from `codes.toml`.
    Code,
    /// A message rule of `rules.rs`.
    Message,
    /// The status alone.
    Status,
    /// A client's exception name alone.
    Exception,
    /// A word root alone.
    Root,
    /// A structural reader (who answered, a closed connection, a runtime exception, a
    /// negation's subject, a 404 without a status…), which sets its own confidence.
    Reader,
}

/// What a verdict rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Basis {
    pub layer: Layer,
    /// The answer has a status (on the wire, or one the paste states).
    pub status: bool,
    /// The body is an API's structured error envelope.
    pub envelope: bool,
    /// The error's own message and codes, without the text around them (an exception's
    /// label, a traceback, a log line), give the same kind (weighed for message rules only;
    /// true for the other layers).
    pub own: bool,
    /// The status alone would name a kind of the same family as the verdict
    /// (`None` without a status, or when the status layer names nothing).
    pub status_agrees: Option<bool>,
    /// The status alone names the verdict's very kind (a 504 and a timeout).
    pub status_same: bool,
    /// Another layer or another message rule names a kind of another family (the message
    /// reads as auth and as a missing model; the client's exception label says network).
    pub rival: Option<Kind>,
    /// The text names two causes at once ("does not exist or you do not have access").
    pub two_ways: bool,
    /// The message is a wrapper's generic text ("An error occurred", "Connection error."),
    /// with no envelope around it.
    pub wrapper: bool,
}

impl Basis {
    /// The basis of `v`, read from the facts the rules read and the text around the body;
    /// `whole`: every part, else only those the policy weighs for this verdict (a rival
    /// reading is sought only where no envelope stands around the words).
    ///
    /// `alone` decides the body again without the text around it, and `status_alone` the
    /// status without the body: the two dearer readings, asked only when needed.
    pub(super) fn of(
        v: &Classification,
        facts: &rules::Facts,
        context: &str,
        whole: bool,
        alone: impl FnOnce() -> Option<Kind>,
        status_alone: impl FnOnce() -> Option<Kind>,
    ) -> Basis {
        let layer = layer_of(v.rule);
        let other = |k: Kind| family(k) != 0 && family(k) != family(v.kind);
        // A provider's code is the provider's own word: only another message rule rivals
        // it, not a client's exception label around it.
        let rival = match layer {
            _ if !whole && facts.body.envelope => None,
            Layer::Message => rules::all_matches(facts, rules::Layer::Message)
                .chain(rules::all_matches(facts, rules::Layer::Exception))
                .map(|r| r.kind)
                .find(|k| other(*k)),
            Layer::Code => rules::all_matches(facts, rules::Layer::Message)
                .map(|r| r.kind)
                .find(|k| other(*k)),
            _ => None,
        };
        let by_status = if whole || rival.is_some() {
            facts.status.and_then(|_| status_alone())
        } else {
            None
        };
        // The decisive rule matches the body's own words, or the body alone reads the same.
        let own = layer != Layer::Message
            || context.trim().is_empty()
            || own_words(v.rule, facts)
            || alone() == Some(v.kind);
        Basis {
            layer,
            status: facts.status.is_some(),
            envelope: facts.body.envelope,
            own,
            status_agrees: facts
                .status
                .zip(by_status)
                .map(|(s, k)| agrees(s, k, v.kind)),
            status_same: by_status == Some(v.kind),
            rival,
            two_ways: reads_two_ways(&facts.words, v.kind),
            wrapper: !facts.body.envelope
                && facts.status.is_none()
                && facts.words.len() <= BARE_WRAPPER_LEN
                && WRAPPERS.iter().any(|w| facts.msg.contains(w)),
        }
    }

    /// A short name of this basis, for the measuring test.
    pub fn label(&self) -> String {
        format!(
            "{:?}{}{}{}{}{}{}",
            self.layer,
            if self.status { " status" } else { " no-status" },
            if self.envelope { " envelope" } else { "" },
            if self.own { " own" } else { " context" },
            match self.status_agrees {
                Some(true) => " agrees",
                Some(false) => " disagrees",
                None => "",
            },
            if self.rival.is_some() { " rival" } else { "" },
            if self.wrapper { " wrapper" } else { "" },
        )
    }
}

/// The rule `id` matches the error's own message, type and codes, without the text around
/// them (a rule this table does not hold, such as the negation reading, counts as matching).
fn own_words(id: &str, f: &rules::Facts) -> bool {
    let Some(rule) = rules::RULES.iter().find(|r| r.id == id) else {
        return true;
    };
    let body = f.body_only(true);
    rule.try_match(&body).is_some()
}

/// The layer of evidence a rule id belongs to.
pub(super) fn layer_of(rule: &str) -> Layer {
    match rule {
        "provider_code" => Layer::Code,
        "word_root" => Layer::Root,
        // What a negation is about is read from the message's words, as a rule does.
        "negation_subject" => Layer::Message,
        id => match rules::RULES.iter().find(|r| r.id == id).map(|r| r.layer) {
            Some(rules::Layer::Message) => Layer::Message,
            Some(rules::Layer::Status) => Layer::Status,
            Some(rules::Layer::Exception) => Layer::Exception,
            None => Layer::Reader,
        },
    }
}

/// `v` with its confidence set by the evidence it rests on.
pub(super) fn calibrate(mut v: Classification, b: &Basis) -> Classification {
    if v.confidence == Confidence::Low {
        return v;
    }
    if let Some(why) = weakness(&v, b) {
        v.confidence = Confidence::Low;
        v.evidence = format!("{}, {why}", v.evidence);
    }
    v
}

/// Why the evidence under a confident verdict is thin, if it is.
///
/// The classes and why, with what `cargo test --test corpus calibration -- --ignored` measured
/// on the training part when they were set (692 cases, 132 of them marked uncertain: 19 %):
/// - **Strong, kept high.** A provider's documented code with a status that agrees, in an
///   envelope (54 high answers, 4 of them on uncertain cases, none wrong): the provider's own
///   word for its own failure. A message in the API's own envelope with a status that agrees
///   (136 high, 4 uncertain, none wrong): two independent layers say the same. A message rule
///   on a line of text without a status (140 high, 18 uncertain, none wrong) stays high: its
///   words are the specific ones a server or runtime prints.
/// - **Already low where they are decided**: the status alone (48 answers, 20 uncertain), an
///   exception name, a word root (6, 3), a message whose kind its status contradicts
///   (42, 7); the readers of `edges`, `cut`, `runtime`, `router`, which weigh their own.
/// - **Lowered here** (36 answers, 17 uncertain: 47 %, and 1 of the 2 confident wrong kinds):
///   - a provider code whose words name two causes ("does not exist or you do not have
///     access"; 3, 2 uncertain): the provider itself does not know which;
///   - a message rule whose words sit only in the text around the error, not its own
///     message or codes (6, 2 uncertain, 1 wrong kind): a log line or a label around it may be
///     about something else;
///   - words, with no envelope, that another rule reads as another family of causes, and no
///     status naming the verdict's own kind (13, 7 uncertain): a paraphrase that reads two ways;
///   - a missing model or a wrong route or URL named in words with no status (14, 6
///     uncertain): the status (404 from a router or from the API) is what tells them apart;
///   - a wrapper's generic text with nothing else (none on training; the issue's vague
///     wrappers): any cause it seems to name is the wrapper's guess.
fn weakness(v: &Classification, b: &Basis) -> Option<String> {
    use Kind::*;
    let message = b.layer == Layer::Message;
    if b.layer == Layer::Code && b.two_ways {
        return Some("whose words name two causes at once".into());
    }
    if message && !b.own {
        return Some("found in the text around the error rather than in its own message".into());
    }
    if let Some(k) = b.rival.filter(|_| !b.envelope && !b.status_same) {
        return Some(format!("although its words read as {} too", k.code()));
    }
    if b.wrapper {
        return Some("a wrapper's generic text with nothing else".into());
    }
    if message && !b.status && matches!(v.kind, ModelNotFound | BaseUrl | WrongRoute) {
        return Some("with no status to tell a model from a route".into());
    }
    None
}

/// Families of kinds a reader can confuse with each other; 0 for kinds that say little of
/// their own (a bad request, a parameter refused), which are no rival to anything.
fn family(k: Kind) -> u8 {
    use Kind::*;
    match k {
        Auth | AccessDenied | Blocked => 1,
        ModelNotFound | BaseUrl | WrongRoute => 2,
        RateLimit => 3,
        ServerError | StreamError | StreamTruncated => 4,
        RequestTooLarge | ContextOverflow => 5,
        Billing => 6,
        // A connect timeout is both: the connection did not complete.
        Network | Timeout => 7,
        ContentFilter => 8,
        _ => 0,
    }
}

/// Longest text (message, codes and the words around them) read as a bare wrapper.
const BARE_WRAPPER_LEN: usize = 200;

/// Generic texts a client, an app or a gateway puts in place of the cause it did not pass
/// on: whatever else such a message says is the wrapper's guess, not the server's word.
const WRAPPERS: &[&str] = &[
    // Generic UI and app banners (LibreChat, ChatGPT-style front ends, agents' CLIs).
    "an error occurred",
    "an unexpected error",
    "something went wrong",
    "unknown error",
    // openai-python's APIConnectionError default message.
    "connection error.",
    // OpenRouter's message when the upstream provider failed (its errors documentation:
    // the provider's own answer is in metadata.raw, if anywhere).
    "provider returned error",
    // The AI SDK's NoOutputGeneratedError.
    "no output generated",
];

#[cfg(test)]
mod tests {
    use super::super::{decide, decide_layers, decide_with_basis, parse_error_body, KNOWN_PARAMS};
    use super::*;
    use crate::classify::paste;

    /// A paste read as `explain` reads it: the verdict and what it rests on.
    fn read(text: &str) -> (Classification, Basis) {
        let r = paste::read(text);
        decide_with_basis(
            r.status,
            &r.body,
            KNOWN_PARAMS,
            &r.context,
            r.url.as_deref(),
        )
        .expect("a verdict")
    }

    #[test]
    fn a_documented_envelope_with_an_agreeing_status_stays_confident() {
        // OpenAI's documented 401 and context-length answers.
        for text in [
            r#"401 {"error":{"message":"Incorrect API key provided: sk-abc***","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#,
            r#"400 {"error":{"message":"This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}"#,
        ] {
            let (v, b) = read(text);
            assert_eq!(v.confidence, Confidence::High, "{text}: {b:?}");
            assert!(b.envelope && b.status && b.own, "{b:?}");
        }
    }

    #[test]
    fn a_bare_wrapper_text_is_only_likely() {
        // openai-python's APIConnectionError says this and nothing else: DNS, a refused
        // connection, TLS and a proxy all read the same.
        let (v, b) = read("Connection error.");
        assert!(b.wrapper, "{b:?}");
        assert_eq!((v.kind, v.confidence), (Kind::Network, Confidence::Low));
        assert!(v.evidence.contains("generic text"), "{}", v.evidence);
        // botocore's own form carries the service's code: no bare wrapper.
        let (v, b) = read("An error occurred (ThrottlingException) when calling the InvokeModel operation (reached max retries: 4): Too many requests, please wait before trying again.");
        assert!(!b.wrapper, "{b:?}");
        assert_eq!((v.kind, v.confidence), (Kind::RateLimit, Confidence::High));
    }

    #[test]
    fn words_that_name_a_model_or_a_route_without_a_status_are_only_likely() {
        // Without a status, "does not exist" does not tell a model id from a path or an
        // account that may not see the model.
        // LiteLLM's words for a model its proxy does not list.
        let (v, b) = read("Invalid model name passed in model=nope. Call `/v1/models` to view available models for your key.");
        assert!(!b.status && b.layer == Layer::Message, "{b:?}");
        assert_eq!(
            (v.kind, v.confidence),
            (Kind::ModelNotFound, Confidence::Low)
        );
        // With the API's own 400 envelope around it, the same words are the API's.
        let (v, _) = read(
            r#"400 {"error":{"message":"400: Invalid model name passed in model=nope. Call `/v1/models` to view available models for your key.","type":"invalid_request_error"}}"#,
        );
        assert_eq!(
            (v.kind, v.confidence),
            (Kind::ModelNotFound, Confidence::High)
        );
    }

    #[test]
    fn a_provider_code_whose_words_name_two_causes_is_only_likely() {
        // Volcengine Ark's documented InvalidEndpointOrModel.NotFound, whose message says
        // "does not exist or you do not have access to it" (a training case's shape).
        let (v, b) = read(
            r#"Error code: 404 - {"code":"InvalidEndpointOrModel.NotFound","message":"The model or endpoint doubao-x does not exist or you do not have access to it.","param":"","type":"NotFound"}"#,
        );
        assert_eq!(b.layer, Layer::Code, "{b:?}");
        assert!(b.two_ways, "{b:?}");
        assert_eq!(v.confidence, Confidence::Low);
    }

    #[test]
    fn words_that_also_read_as_another_family_are_only_likely() {
        // Cursor's banner (a training case): "not available" reads as a model, "doesn't
        // serve your region" as access.
        let (v, b) = read("Model not available This model provider doesn't serve your region.Visit https://docs.cursor.com/account/regions for more information.");
        assert!(b.rival.is_some(), "{b:?}");
        assert_eq!(v.confidence, Confidence::Low);
        assert!(v.evidence.contains("read as"), "{}", v.evidence);
        // A status that names the verdict's very kind settles it: nginx's 504 page.
        let (v, b) = read("<html><head><title>504 Gateway Time-out</title></head><body><center><h1>504 Gateway Time-out</h1></center><hr><center>nginx</center></body></html>");
        assert!(b.status_same || b.rival.is_none(), "{b:?}");
        assert_eq!((v.kind, v.confidence), (Kind::Timeout, Confidence::High));
    }

    #[test]
    fn a_message_rule_that_matched_only_the_text_around_the_error_is_only_likely() {
        // The body says nothing the rules know; the words around it (a log line) do.
        let body = parse_error_body(
            Some("application/json"),
            br#"{"error":{"message":"request failed","type":"error"}}"#,
        );
        let around = "worker log: upstream said: Rate limit reached for requests";
        let v = decide(None, &body, KNOWN_PARAMS, around).expect("a verdict");
        assert_eq!((v.kind, v.confidence), (Kind::RateLimit, Confidence::Low));
        assert!(v.evidence.contains("around the error"), "{}", v.evidence);
    }

    #[test]
    fn calibration_never_changes_the_kind_or_the_parameter() {
        for text in [
            "Connection error.",
            "The model `gpt-9` does not exist",
            r#"429 {"error":{"message":"Rate limit reached","code":"rate_limit_exceeded"}}"#,
            r#"400 {"error":{"message":"Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.","param":"max_tokens","code":"unsupported_parameter"}}"#,
            "Model not available This model provider doesn't serve your region.",
            "HTTP/1.1 503 Service Unavailable",
        ] {
            let r = paste::read(text);
            let raw = decide_layers(
                r.status,
                &r.body,
                KNOWN_PARAMS,
                &r.context,
                r.url.as_deref(),
            );
            let (v, _) = read(text);
            let raw = raw.expect("a verdict");
            assert_eq!(
                (v.kind, &v.param, v.rule),
                (raw.kind, &raw.param, raw.rule),
                "{text}"
            );
            // Only ever lowered.
            assert!(
                raw.confidence == Confidence::High || v.confidence == Confidence::Low,
                "{text}"
            );
        }
    }
}
