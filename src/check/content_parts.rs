//! `chat.content_parts` (opt-in): a user message whose `content` is an array of text parts,
//! the shape the AI SDK, LangChain and every client that can attach files send, must be read
//! whole: the instruction is split across two parts and the answer must follow it. A server
//! that wants a string refuses (`param_rejected`), one that keeps only a part or reads the
//! array as text answers without the word (`param_ignored`): both warnings.

use super::ask::{TokenCap, MAX_TOKENS};
use super::instruction::{self, Instruction};
use super::spec::{cost, Judge, Spec};
use crate::route::Route;
use crate::http::Request;
use serde_json::json;

const ASKED: Instruction = Instruction {
    word: "MARIGOLD",
    param: "content",
    refusal_words: &["content", "string", "array", "part"],
    ignored: "the server did not read the text parts as one message (it kept one part, or read the array as text)",
    honoured: "content as an array of text parts is read whole",
};

pub const SPEC: Spec = Spec {
    proves: "content as an array of text parts is read whole",
    default: false,
    rejection_warns: true,
    ..Spec::main(
        "chat.content_parts",
        Route::Chat,
        |m, c| vec![request(m, c)],
        Judge::Run(|cx, m, c| Box::pin(instruction::run(cx, request(m, c), &ASKED))),
        cost(1, MAX_TOKENS),
    )
};

fn request(model: &str, cap: TokenCap) -> Request {
    instruction::request(
        model,
        cap,
        json!([{"role": "user", "content": [
            {"type": "text", "text": "Reply with the single word"},
            {"type": "text", "text": "MARIGOLD and nothing else."},
        ]}]),
    )
}
