//! What a refusal gives as its grounds, read as two ideas in one sentence rather than as
//! phrases.
//!
//! Providers word a safety block, a cut answer or a per-field size limit in endless ways
//! ("The response is blocked, as it may violate our policies", "did not pass the safety
//! review", a reason code `…_UNSAFE_GENERATION`; "Response truncated (max_tokens)", "the
//! completion was cut off at the token limit"; "string too long … maximum length 1048576"). A
//! phrase list learns the wordings it was shown; what they share is an act and a ground in the
//! same sentence: *blocked / refused / not passing* with *policy / safety / harm*; *truncated
//! / cut off / incomplete* with *the output's cap*. Each pair below is a class of fact, each
//! side a small set of word roots, and a sentence must hold both.
//!
//! Read after the message rules, only when none spoke or a generic one did ("invalid
//! argument", "bad request"), which says less than the grounds do. Said cautiously unless
//! both sides are strong words: the grounds are read, not matched.

use super::facts::Facts;
use super::param_words;
use super::rules::{self, Layer};
use super::{Classification, Confidence};
use crate::failure::Kind;

/// One class: a kind, the act's roots, the ground's roots, words that mean another thing
/// (a CORS policy is no content policy), and whether the pair alone is strong evidence.
struct Ground {
    kind: Kind,
    what: &'static str,
    act: &'static [&'static str],
    ground: &'static [&'static str],
    unless: &'static [&'static str],
    /// The act and the ground are each specific enough to say so with confidence.
    strong: bool,
}

const GROUNDS: &[Ground] = &[
    // A safety system or a usage policy refused the prompt or the answer (Azure's content
    // filter, Gemini's and Imagen's safety blocks, OpenAI's moderation, Chinese providers'
    // 审核): the act of refusing and a ground in safety or policy.
    Ground {
        kind: Kind::ContentFilter,
        what: "a refusal on grounds of safety or policy",
        act: &[
            "blocked",
            "block ",
            "refused",
            "rejected",
            "filtered",
            "flagged",
            "not passing",
            "not pass",
            "did not pass",
            "failed to pass",
            "violat",
            "no images were generated",
            "declined",
            "拦截",
            "屏蔽",
        ],
        ground: &[
            "our polic",
            "content polic",
            "usage polic",
            "acceptable use",
            "safety",
            "unsafe",
            "harmful",
            "harm categor",
            "moderation",
            "inappropriate",
            "nsfw",
            "community guideline",
            "content guideline",
            "responsible ai",
            "安全",
            "合规",
        ],
        unless: &[
            "cors polic",
            "retry polic",
            "password polic",
            "bucket polic",
            "iam polic",
            "access polic",
            "security polic",
            "referrer polic",
            "organization polic",
            "org polic",
            "data polic",
            "privacy polic",
            "safety_settings",
            "safetysettings",
            "safety setting",
            "thread-safe",
            "type safety",
            "safety identifier",
            "certificate",
            "firewall",
            "waf",
            "cloudflare",
        ],
        strong: true,
    },
    // A reason or error code that names the content as unsafe (`…_UNSAFE_GENERATION`,
    // `SAFETY`, `PROHIBITED_CONTENT`), whatever the envelope's generic status says.
    Ground {
        kind: Kind::ContentFilter,
        what: "a reason code that names the content unsafe",
        act: &["reason", "code", "error"],
        ground: &[
            "unsafe_",
            "_unsafe",
            "prohibited_content",
            "blocked_content",
            "safety_block",
        ],
        unless: &["safety_settings", "safetysettings"],
        strong: false,
    },
    // The answer stopped at its output cap: the act of cutting and the cap, about the output
    // (never the input: a prompt cut to fit is `context_truncated`, a prompt too long for the
    // window `context_overflow`).
    Ground {
        kind: Kind::OutputLength,
        what: "an answer cut at its output cap",
        act: &[
            "truncated",
            "cut off",
            "cut short",
            "incomplete",
            "stopped early",
            "was cut",
        ],
        ground: &[
            "max_tokens",
            "max tokens",
            "max_output_tokens",
            "maxoutputtokens",
            "max_completion_tokens",
            "output limit",
            "output token limit",
            "token limit",
            "length limit",
            "finish_reason: length",
            "(length)",
        ],
        unless: &[
            "prompt",
            "input",
            "context window",
            "context length",
            "history",
            "messages were",
        ],
        strong: false,
    },
    // A stream that ended without the event that ends an answer: cut before its finish.
    Ground {
        kind: Kind::StreamTruncated,
        what: "a stream that ended before its finish reason",
        act: &[
            "stream ended",
            "stream closed",
            "stream terminated",
            "stream finished",
            "stream was closed",
        ],
        ground: &[
            "without finish_reason",
            "without a finish_reason",
            "without finish reason",
            "no finish_reason",
            "before finish_reason",
            "missing finish_reason",
        ],
        unless: &[],
        strong: false,
    },
    // One string of the request longer than the API takes (OpenAI: "string too long. Expected
    // a string with maximum length 1048576"): a size limit on a field, in characters, not the
    // model's window in tokens.
    Ground {
        kind: Kind::RequestTooLarge,
        what: "one string of the request longer than the API takes",
        act: &[
            "string too long",
            "string is too long",
            "too long for field",
        ],
        ground: &["maximum length", "max length", "characters"],
        unless: &["token"],
        strong: false,
    },
];

/// Words by which a sentence guesses at its grounds rather than states them.
const HEDGES: &[&str] = &[
    "might",
    "possibly",
    "perhaps",
    "could be due",
    "may be due",
    "probably",
    "may be temporarily",
    "may be down",
    "may be unavailable",
];

/// The text guesses at a cause rather than states one (a client's wrapper guessing at an
/// outage around a 401): a definite status outweighs it.
pub(super) fn guesses(words: &str) -> bool {
    let words = prose(words);
    HEDGES.iter().any(|h| words.contains(h))
}

/// The words without URLs and paths: a slug ("…-why-they-might-impact") guesses nothing.
fn prose(words: &str) -> String {
    words
        .split_whitespace()
        .filter(|t| !t.contains("://") && !t.contains('/'))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Words by which a clause offers a cause as one possibility among others.
/// ("could not connect" and Windows' "no connection could be made" state a failure; "may
/// contain" is how DashScope states a block).
const MAYBE: &[&str] = &[
    " may be ",
    " may have ",
    " might ",
    " could have ",
    "possibly",
    "perhaps",
    "probably",
    "maybe",
];

/// A wrapper's notice that only lists guesses ("The provider may be unavailable or the API
/// key may have insufficient quota"), with no status and no code beside it, names no cause:
/// a fix for any one of the guesses is a guess too. True when two clauses or more guess, and
/// every clause a message rule reads is one of them.
pub(super) fn guesses_several(f: &Facts) -> bool {
    if f.status.is_some() || f.body.code.is_some() || !f.body.tags.is_empty() {
        return false;
    }
    let (mut guesses, mut read) = (0, 0);
    let words = prose(&f.words);
    for s in sentences(&words).take(32) {
        for c in s.split(" or ").take(8) {
            let c = format!(" {} ", c.trim());
            let guess = MAYBE.iter().any(|m| c.contains(m));
            guesses += usize::from(guess);
            if rules::first_match(&f.reread(None, c), Layer::Message).is_some() {
                if !guess {
                    return false;
                }
                read += 1;
            }
        }
    }
    guesses >= 2 && read >= 1
}

/// The sentences of `words`: a refusal's grounds count only inside one.
fn sentences(words: &str) -> impl Iterator<Item = &str> {
    words
        .split(['.', '\n', ';', '!', '?', '。', '；'])
        .filter(|s| !s.trim().is_empty())
}

/// The verdict of this layer, when no specific message rule spoke (`by_message`: the first
/// message rule's id).
pub(super) fn decide(f: &Facts, by_message: Option<&'static str>) -> Option<Classification> {
    if by_message.is_some_and(|id| !param_words::is_generic(id)) {
        return None;
    }
    // The tags (codes, reasons) read as sentences of their own.
    let tags = f.body.tags.join("\n").to_lowercase();
    GROUNDS.iter().find_map(|g| {
        let hit = sentences(&f.words).chain(sentences(&tags)).find_map(|s| {
            if g.unless.iter().any(|w| s.contains(w)) {
                return None;
            }
            let act = g.act.iter().find(|w| s.contains(*w))?;
            let ground = g.ground.iter().find(|w| s.contains(*w))?;
            Some((act.trim(), *ground, HEDGES.iter().any(|h| s.contains(h))))
        })?;
        Some(Classification {
            kind: g.kind,
            param: None,
            gateway: false,
            rule: "grounds",
            hint: None,
            // A sentence that only guesses its grounds ("this might be due to …") is read so.
            confidence: if g.strong && !hit.2 {
                Confidence::High
            } else {
                Confidence::Low
            },
            evidence: format!(
                "{}: \"{}\" and \"{}\" in one sentence",
                g.what, hit.0, hit.1
            ),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::ErrorBody;

    fn read(status: Option<u16>, msg: &str) -> Option<Kind> {
        let body = ErrorBody {
            message: Some(msg.into()),
            ..Default::default()
        };
        let f = Facts {
            status,
            body: &body,
            sent: &[],
            msg: msg.to_lowercase(),
            words: msg.to_lowercase(),
            body_only: true,
        };
        decide(&f, None).map(|v| v.kind)
    }

    #[test]
    fn a_block_on_safety_or_policy_grounds_is_a_content_filter() {
        // Worded as in Google's and OpenAI's documentation of their safety systems.
        for m in [
            "Your request was rejected as a result of our safety system.",
            "The prompt was blocked because it may violate our usage policies",
            "Output was filtered by the moderation endpoint",
        ] {
            assert_eq!(read(Some(400), m), Some(Kind::ContentFilter), "{m}");
        }
    }

    #[test]
    fn a_policy_that_is_not_about_content_is_not_a_filter() {
        for m in [
            "Access to fetch at 'https://api.x' has been blocked by CORS policy",
            "Request blocked by the organization policy constraint",
            "Invalid safety_settings: threshold rejected",
            "Request blocked by Cloudflare's security policy",
        ] {
            assert_ne!(read(Some(400), m), Some(Kind::ContentFilter), "{m}");
        }
    }

    #[test]
    fn an_answer_cut_at_its_cap_is_output_length_and_a_cut_prompt_is_not() {
        assert_eq!(
            read(None, "the completion was cut off at the max_tokens limit"),
            Some(Kind::OutputLength)
        );
        assert_eq!(
            read(None, "the prompt was truncated to fit the max tokens"),
            None
        );
    }

    #[test]
    fn grounds_the_text_only_guesses_are_said_cautiously() {
        let body = ErrorBody::default();
        let words = "no images were generated. this might be due to the image not passing the safety review".to_string();
        let f = Facts {
            status: None,
            body: &body,
            sent: &[],
            msg: words.clone(),
            words,
            body_only: true,
        };
        let v = decide(&f, None).unwrap();
        assert_eq!(
            (v.kind, v.confidence),
            (Kind::ContentFilter, Confidence::Low)
        );
    }

    #[test]
    fn one_string_over_the_api_s_length_is_too_large_not_over_the_window() {
        assert_eq!(
            read(
                Some(400),
                "Invalid 'input': string too long, expected a maximum length of 1048576 characters"
            ),
            Some(Kind::RequestTooLarge)
        );
    }

    #[test]
    fn the_two_ideas_must_share_a_sentence() {
        assert_eq!(
            read(None, "Request rejected. See our safety documentation"),
            None
        );
    }
}
