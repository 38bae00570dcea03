//! `zencheck checks`: every check, offline, from the one registry (`src/check/`): its id,
//! the endpoint it calls, whether it runs by default, what it costs and what it proves.

use crate::check::CheckId;
use crate::cli::Format;
use crate::error::RunError;
use clap::Args;
use serde_json::{json, Value};

#[derive(Debug, Clone, Args)]
pub struct ChecksArgs {
    /// Output format: table (a list that fits 80 columns) or json
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// What each check proves, in one line (the README's table says it at length). A check
/// added to the registry without a line here fails `every_check_says_what_it_proves`.
const PROVES: &[(&str, &str)] = &[
    (
        "target.base_url",
        "the given base URL ended in an endpoint path and was corrected",
    ),
    (
        "models.list",
        "GET /models answers JSON shaped {data:[{id…}]}",
    ),
    (
        "models.exists",
        "each --model is listed (else the closest listed ids)",
    ),
    (
        "chat.basic",
        "a tiny non-streaming chat answer: 2xx, JSON, choices, finish_reason, usage",
    ),
    (
        "chat.max_tokens",
        "max_tokens is accepted (else max_completion_tokens is used)",
    ),
    (
        "chat.stream",
        "a streamed answer: every event JSON, text assembles, [DONE], clean end",
    ),
    (
        "chat.stream_usage",
        "stream_options.include_usage is accepted and usage arrives",
    ),
    (
        "chat.tools",
        "a function tool with tool_choice auto is accepted; calls well formed",
    ),
    (
        "chat.tool_choice_required",
        "tool_choice \"required\" returns a parseable tool call",
    ),
    (
        "chat.tool_choice_none",
        "tool_choice \"none\" returns no tool call",
    ),
    (
        "chat.tool_choice_named",
        "a named tool_choice calls that tool",
    ),
    (
        "chat.tool_choice_null",
        "an explicit \"tool_choice\": null is accepted",
    ),
    (
        "chat.stream_tools",
        "streamed tool_calls deltas assemble into a valid call",
    ),
    (
        "chat.json_schema",
        "strict json_schema output parses and validates",
    ),
    (
        "chat.json_object",
        "response_format json_object returns a JSON object",
    ),
    (
        "chat.tool_roundtrip",
        "a tool call, its result sent back by id, and an answer using it",
    ),
    (
        "chat.stream_tool_roundtrip",
        "the tool round trip with turn one streamed",
    ),
    (
        "chat.tools_seen",
        "the server does not drop `tools` wholesale",
    ),
    (
        "chat.error_shape",
        "an invalid request gets a 4xx with a JSON error message",
    ),
    (
        "chat.reasoning_effort",
        "on a reasoning model, reasoning_effort low vs high changes reasoning_tokens",
    ),
    (
        "responses.basic",
        "POST /responses: output text, status, usage",
    ),
    (
        "responses.stream",
        "the Responses event stream: deltas assemble, completed arrives",
    ),
    (
        "responses.tools",
        "the Responses tool shape returns a function_call item",
    ),
    (
        "messages.basic",
        "Anthropic /messages: content text, stop_reason, usage",
    ),
    (
        "messages.stream",
        "the Anthropic event stream: message_start … message_stop",
    ),
];

pub fn proves(id: CheckId) -> &'static str {
    // A check declares its line in its own spec; the table holds the first checks'.
    let own = id.spec().proves;
    if !own.is_empty() {
        return own;
    }
    PROVES
        .iter()
        .find(|(i, _)| *i == id.id())
        .map(|(_, p)| *p)
        .unwrap_or("")
}

/// `GET /models`, `POST /chat/completions`, or empty for a check that sends nothing itself.
fn endpoint(id: CheckId) -> String {
    match (id.route(), id.endpoint()) {
        (Some(_), Some(p)) => format!("POST {p}"),
        (None, Some(p)) => format!("GET {p}"),
        _ => String::new(),
    }
}

pub fn json() -> Value {
    let checks: Vec<Value> = CheckId::ALL
        .iter()
        .map(|&id| {
            let spec = id.spec();
            json!({
                "id": id.id(),
                "route": id.route().map(|r| r.path()),
                "endpoint": endpoint(id),
                "default": spec.default,
                "requests": spec.cost.requests,
                "output_tokens": spec.cost.output_tokens,
                "proves": proves(id),
            })
        })
        .collect();
    json!({ "checks": checks })
}

/// Two lines a check: id, endpoint and cost; then what it proves, indented. Fits 80 columns.
pub fn text() -> String {
    let width = CheckId::ALL.iter().map(|c| c.id().len()).max().unwrap_or(0);
    let mut out = String::from(
        "Every check, with what it costs: requests sent and their output-token cap\n\
         (per model; `*`: runs only when --checks names it)\n\n",
    );
    for &id in CheckId::ALL {
        let spec = id.spec();
        let cost = match spec.cost.requests {
            0 => "sends nothing".to_string(),
            n => format!("{n} req, {} tok", spec.cost.output_tokens),
        };
        let star = if spec.default { ' ' } else { '*' };
        out.push_str(&format!(
            "{:<width$}{star} {:<24} {cost}\n    {}\n",
            id.id(),
            endpoint(id),
            proves(id)
        ));
    }
    out
}

pub fn command(args: &ChecksArgs) -> Result<u8, RunError> {
    match args.format {
        Format::Json => crate::out::println(&format!("{:#}", json()))?,
        Format::Table => crate::out::print(&text())?,
        other => {
            return Err(RunError::Usage(format!(
                "zencheck checks prints table or json, not {other:?}"
            )))
        }
    }
    Ok(crate::error::EXIT_OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_check_says_what_it_proves() {
        for &id in CheckId::ALL {
            assert!(!proves(id).is_empty(), "add {} to PROVES", id.id());
        }
    }

    #[test]
    fn the_list_fits_80_columns() {
        for line in text().lines() {
            assert!(line.chars().count() <= 80, "{line}");
        }
    }
}
