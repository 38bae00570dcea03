//! `chat.developer_role` (opt-in): an instruction in a `developer` message, the role OpenAI's
//! SDKs and the AI SDK send for reasoning models in place of `system`, must be followed.
//! A server that drops the role (SGLang once did) answers as if told nothing; one that does
//! not know it refuses the request. Honoured, ignored (`param_ignored`) or rejected
//! (`param_rejected`), both warnings: the client can send `system` instead.

use super::ask::{TokenCap, MAX_TOKENS};
use super::instruction::{self, Instruction};
use super::spec::{cost, Judge, Spec};
use crate::route::Route;
use crate::http::Request;
use serde_json::json;

const ASKED: Instruction = Instruction {
    word: "BANANA",
    param: "developer",
    refusal_words: &["developer", "role"],
    ignored: "the server dropped the developer message or passed it as something the model does not obey; send the instruction as `system`",
    honoured: "the answer follows the developer message",
};

pub const SPEC: Spec = Spec {
    proves: "an instruction in a developer-role message is followed",
    default: false,
    rejection_warns: true,
    ..Spec::main(
        "chat.developer_role",
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
        json!([
            {"role": "developer", "content": "Whatever the user asks, reply with the single word BANANA and nothing else."},
            {"role": "user", "content": "What colour is the sky?"},
        ]),
    )
}
