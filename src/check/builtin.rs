//! The specs of the first checks, whose requests and judges live in the family files
//! (`chat.rs`, `stream.rs`, `responses.rs`, `messages.rs`, `models.rs`). Checks added
//! later keep their spec in their own file.

use super::chat::{self, ToolExpect};
use super::spec::{cost, Judge, Spec, Stage};
use super::{messages, responses, stream, MAX_TOKENS, MAX_TOKENS_TOOLS};
use crate::http::{Auth, Request};
use crate::route::Route;
use serde_json::{json, Value};

fn chat_post(body: Value) -> Vec<Request> {
    vec![Request::post(Route::Chat.path(), body, Auth::Bearer)]
}

const fn target(
    id: &'static str,
    path: Option<&'static str>,
    build: Option<super::spec::Build>,
) -> Spec {
    Spec {
        id,
        route: None,
        path,
        stage: Stage::Target,
        build,
        judge: Judge::Probe,
        cost: cost(if build.is_some() { 1 } else { 0 }, 0),
        default: true,
        rejection_warns: false,
        proves: "",
    }
}

fn named_choice() -> Value {
    json!({"type": "function", "function": {"name": chat::TOOL_NAME}})
}

pub const TARGET_BASE_URL: Spec = target("target.base_url", None, None);
pub const MODELS_LIST: Spec = target(
    "models.list",
    Some("/models"),
    Some(|_, _| vec![Request::get("/models")]),
);
pub const MODELS_EXISTS: Spec = target("models.exists", Some("/models"), None);

pub const CHAT_BASIC: Spec = Spec {
    // Sent once more, with max_completion_tokens, when max_tokens is refused.
    stage: Stage::Basic,
    ..Spec::main(
        "chat.basic",
        Route::Chat,
        |m, c| chat_post(chat::chat_request(m, false, c, json!({}))),
        Judge::Json(|a, m| chat::judge_completion(a, m, ToolExpect::Any)),
        cost(1, MAX_TOKENS),
    )
};

pub const CHAT_MAX_TOKENS: Spec = Spec {
    stage: Stage::FromBasic,
    build: None,
    judge: Judge::Probe,
    ..Spec::main(
        "chat.max_tokens",
        Route::Chat,
        |_, _| Vec::new(),
        Judge::Probe,
        cost(0, 0),
    )
};

pub const CHAT_STREAM: Spec = Spec::main(
    "chat.stream",
    Route::Chat,
    |m, c| chat_post(chat::chat_request(m, true, c, json!({}))),
    Judge::Stream(|t, h, m| stream::judge_chat_stream(t, h, m, false, ToolExpect::Any)),
    cost(1, MAX_TOKENS),
);

pub const CHAT_STREAM_USAGE: Spec = Spec::main(
    "chat.stream_usage",
    Route::Chat,
    |m, c| {
        chat_post(chat::chat_request(
            m,
            true,
            c,
            json!({"stream_options": {"include_usage": true}}),
        ))
    },
    Judge::Stream(|t, h, m| stream::judge_chat_stream(t, h, m, true, ToolExpect::Any)),
    cost(1, MAX_TOKENS),
);

pub const CHAT_TOOLS: Spec = Spec::main(
    "chat.tools",
    Route::Chat,
    |m, c| chat_post(chat::tool_request(m, false, c, json!("auto"))),
    Judge::Json(|a, m| chat::judge_completion(a, m, ToolExpect::Any)),
    cost(1, MAX_TOKENS_TOOLS),
);

pub const CHAT_TOOL_CHOICE_REQUIRED: Spec = Spec::main(
    "chat.tool_choice_required",
    Route::Chat,
    |m, c| chat_post(chat::tool_request(m, false, c, json!("required"))),
    Judge::Json(|a, m| chat::judge_completion(a, m, ToolExpect::Required)),
    cost(1, MAX_TOKENS_TOOLS),
);

pub const CHAT_TOOL_CHOICE_NONE: Spec = Spec::main(
    "chat.tool_choice_none",
    Route::Chat,
    |m, c| chat_post(chat::tool_request(m, false, c, json!("none"))),
    Judge::Json(|a, m| chat::judge_completion(a, m, ToolExpect::Forbidden)),
    cost(1, MAX_TOKENS_TOOLS),
);

pub const CHAT_TOOL_CHOICE_NAMED: Spec = Spec::main(
    "chat.tool_choice_named",
    Route::Chat,
    |m, c| chat_post(chat::tool_request(m, false, c, named_choice())),
    Judge::Json(|a, m| chat::judge_completion(a, m, ToolExpect::Named)),
    cost(1, MAX_TOKENS_TOOLS),
);

pub const CHAT_TOOL_CHOICE_NULL: Spec = Spec {
    // Whether a client library's explicit `null` is accepted is information, not an
    // outage: the fix is to omit the key.
    rejection_warns: true,
    ..Spec::main(
        "chat.tool_choice_null",
        Route::Chat,
        |m, c| chat_post(chat::tool_request(m, false, c, Value::Null)),
        Judge::Json(|a, m| chat::judge_completion(a, m, ToolExpect::Any)),
        cost(1, MAX_TOKENS_TOOLS),
    )
};

pub const CHAT_STREAM_TOOLS: Spec = Spec::main(
    "chat.stream_tools",
    Route::Chat,
    |m, c| chat_post(chat::tool_request(m, true, c, json!("required"))),
    Judge::Stream(|t, h, m| stream::judge_chat_stream(t, h, m, false, ToolExpect::Required)),
    cost(1, MAX_TOKENS_TOOLS),
);

pub const RESPONSES_BASIC: Spec = Spec {
    stage: Stage::Basic,
    ..Spec::main(
        "responses.basic",
        Route::Responses,
        |m, _| vec![responses::request(m, false, false)],
        Judge::Json(|a, m| responses::judge(a, m, ToolExpect::Any)),
        cost(1, MAX_TOKENS),
    )
};

pub const RESPONSES_STREAM: Spec = Spec::main(
    "responses.stream",
    Route::Responses,
    |m, _| vec![responses::request(m, true, false)],
    Judge::Stream(responses::judge_stream),
    cost(1, MAX_TOKENS),
);

pub const RESPONSES_TOOLS: Spec = Spec::main(
    "responses.tools",
    Route::Responses,
    |m, _| vec![responses::request(m, false, true)],
    Judge::Json(|a, m| responses::judge(a, m, ToolExpect::Required)),
    cost(1, MAX_TOKENS_TOOLS),
);

pub const MESSAGES_BASIC: Spec = Spec {
    stage: Stage::Basic,
    ..Spec::main(
        "messages.basic",
        Route::Messages,
        |m, _| vec![messages::request(m, false)],
        Judge::Json(messages::judge),
        cost(1, MAX_TOKENS),
    )
};

pub const MESSAGES_STREAM: Spec = Spec::main(
    "messages.stream",
    Route::Messages,
    |m, _| vec![messages::request(m, true)],
    Judge::Stream(messages::judge_stream),
    cost(1, MAX_TOKENS),
);
