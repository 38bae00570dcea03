//! What every check asks with: the prompt, the output caps, and which parameter carries
//! them ([`TokenCap`]), raised for a model that reasons.

use crate::http::Request;
use serde_json::Value;

/// The tiny prompt every generation check sends.
pub const PROMPT: &str = "Reply with the single word: pong";
/// The prompt of `chat.stream_usage`: an answer in CJK with an emoji (3- and 4-byte UTF-8),
/// so a stream that cuts a character between chunks shows it (opencode#39694).
pub const UTF8_PROMPT: &str = "Reply with exactly this and nothing else: 你好，世界 🙂";
/// The cap of `chat.stream_usage`: a byte-level tokenizer trained mostly on English spends up
/// to three tokens on a CJK character and four on an emoji, so the six characters of
/// [`UTF8_PROMPT`] can need more than the plain cap of 16 from a model that copies them
/// exactly.
pub const UTF8_MAX_TOKENS: u64 = 48;
/// Output cap for plain answers: cheap, and enough for "pong".
pub const MAX_TOKENS: u64 = 16;
/// Output cap when a tool call is expected: a call with its JSON arguments needs more.
pub const MAX_TOKENS_TOOLS: u64 = 64;
/// Output cap of every request to a model whose answers show reasoning, and of the one retry
/// a request gets when reasoning spent its whole first cap: enough for a low-effort
/// reasoning about "pong" (DeepSeek R1, Qwen3 and o-series spend tens to hundreds of tokens
/// there), small enough that a probe stays cheap.
pub const REASONING_MAX_TOKENS: u64 = 1024;

/// Which parameter caps the output of a chat request, and how generous the caps are.
/// OpenAI's reasoning models refuse `max_tokens` and want `max_completion_tokens`;
/// `chat.basic` finds out which. A model whose answers show reasoning gets every cap raised
/// to [`REASONING_MAX_TOKENS`], since reasoning spends the cap before any answer is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenCap {
    completion_tokens: bool,
    /// The least cap of every request: 0, or [`REASONING_MAX_TOKENS`] for a reasoning model.
    floor: u64,
}

// Named like the variants of the enum this replaced, so call sites (and patterns) read the same.
#[allow(non_upper_case_globals)]
impl TokenCap {
    pub const MaxTokens: TokenCap = TokenCap {
        completion_tokens: false,
        floor: 0,
    };
    pub const MaxCompletionTokens: TokenCap = TokenCap {
        completion_tokens: true,
        floor: 0,
    };

    pub fn key(self) -> &'static str {
        if self.completion_tokens {
            "max_completion_tokens"
        } else {
            "max_tokens"
        }
    }

    /// The same parameter, with `max_completion_tokens`.
    pub fn completion_tokens(self) -> TokenCap {
        TokenCap {
            completion_tokens: true,
            ..self
        }
    }

    /// The caps for a model that reasons: at least [`REASONING_MAX_TOKENS`] each.
    pub fn for_reasoning(self) -> TokenCap {
        TokenCap {
            floor: REASONING_MAX_TOKENS,
            ..self
        }
    }

    /// The model was recognised as a reasoning model (its caps are raised).
    pub fn reasoning(self) -> bool {
        self.floor > 0
    }

    /// The cap a request whose own cap is `base` sends.
    pub fn tokens(self, base: u64) -> u64 {
        base.max(self.floor)
    }
}

/// The keys an output cap goes under, by API: chat (two of them), Responses.
pub const CAP_KEYS: [&str; 3] = ["max_tokens", "max_completion_tokens", "max_output_tokens"];

/// Raise the output cap a request body carries to `cap.tokens(...)`, under whichever key its
/// API uses; so builders that do not take a [`TokenCap`] (`/responses`, `/messages`) are
/// sized for a reasoning model too.
pub(super) fn sized(mut req: Request, cap: TokenCap) -> Request {
    if let Some(body) = req.body.as_mut().and_then(Value::as_object_mut) {
        for k in CAP_KEYS {
            if let Some(n) = body.get(k).and_then(Value::as_u64) {
                body.insert(k.to_string(), Value::from(cap.tokens(n)));
            }
        }
    }
    req
}
