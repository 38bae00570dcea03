//! `responses.tool_roundtrip`: the tool round trip on `/responses` as stateless clients do it.
//! Turn one forces a `function_call`; turn two replays the whole input with the call and a
//! `function_call_output` item under its `call_id` (`store: false` clients, the AI SDK). The
//! answer must use the result's token. Chaining turns by `previous_response_id` is the opt-in
//! `responses.previous_response`.

use super::chat::{tool_parameters, TOOL_NAME};
use crate::fit::excerpt;
use super::spec::{cost, Judge, Spec};
use super::tool_roundtrip::{tool_result, ROUNDTRIP_PROMPT, TOKEN};
use super::answer::{answer_error, answer_json, send_json};
use super::ask::{TokenCap, MAX_TOKENS_TOOLS};
use super::Ctx;
use crate::failure::{CheckHint, Kind};
use crate::http::{Answer, Auth, Request};
use crate::finding::{Finding, Problems, Status};
use crate::route::Route;
use serde_json::{json, Value};

/// What a dry run shows for what turn one will return.
pub const PLACEHOLDER_CALL_ID: &str = "<call_id of the function_call from turn 1>";

pub const SPEC: Spec = Spec {
    proves: "a function_call answered by call_id with the whole input replayed",
    hint: Some(CheckHint::ToolRoundtrip),
    ..Spec::main(
        "responses.tool_roundtrip",
        Route::Responses,
        |m, _| vec![first_turn(m), replayed(m, &placeholder_call())],
        Judge::Run(|cx, m, c| Box::pin(run(cx, m, c))),
        cost(2, 2 * MAX_TOKENS_TOOLS),
    )
};

fn tools() -> Value {
    json!([{"type": "function", "name": TOOL_NAME, "description": "Get the current weather for a city.", "parameters": tool_parameters()}])
}

fn user_turn() -> Value {
    json!({"role": "user", "content": ROUNDTRIP_PROMPT})
}

fn post(body: Value) -> Request {
    Request::post(Route::Responses.path(), body, Auth::Bearer)
}

/// Turn one: the weather tool, forced.
pub fn first_turn(model: &str) -> Request {
    post(json!({
        "model": model,
        "input": [user_turn()],
        "tools": tools(),
        "tool_choice": "required",
        "max_output_tokens": MAX_TOKENS_TOOLS,
    }))
}

fn placeholder_call() -> Value {
    json!({"type": "function_call", "call_id": PLACEHOLDER_CALL_ID, "name": TOOL_NAME, "arguments": "{\"city\":\"Paris\"}"})
}

fn output_item(call_id: &str) -> Value {
    json!({"type": "function_call_output", "call_id": call_id, "output": tool_result()})
}

/// Turn two: the whole conversation again, the call as the server sent it (its `id` left
/// out: a server that does not store items cannot resolve it) and its output.
pub fn replayed(model: &str, call: &Value) -> Request {
    let call_id = call.get("call_id").and_then(Value::as_str).unwrap_or("");
    let mut item = json!({"type": "function_call", "call_id": call_id});
    for k in ["name", "arguments"] {
        item[k] = call.get(k).cloned().unwrap_or(Value::Null);
    }
    post(json!({
        "model": model,
        "input": [user_turn(), item, output_item(call_id)],
        "tools": tools(),
        "max_output_tokens": MAX_TOKENS_TOOLS,
    }))
}

/// What turn one gave: the call.
struct First {
    call: Value,
}

async fn run(cx: &Ctx<'_>, model: &str, _: TokenCap) -> Finding {
    let req = first_turn(model);
    let a = match cx.http.call(cx.target, &req).await {
        Err(f) => return f,
        Ok(a) if !a.is_success() => return answer_error(&a, &req.sent_params()),
        Ok(a) => a,
    };
    let first = match first_call(&a) {
        Ok(c) => c,
        Err(f) => return f,
    };
    // Another model answering is judged as on every other check: another maker's fails here.
    let swap = model_of(&a)
        .map(|got| {
            let mut p = Problems::default();
            super::model_swap::judge_in("turn 1: ", model, &got, &mut p);
            p.into_finding(String::new())
                .with_evidence(a.evidence())
                .with_timing(a.timing)
        })
        .filter(|f| f.status != Status::Pass);
    if let Some(f) = swap.as_ref().filter(|f| f.status == Status::Fail) {
        return f.clone();
    }
    let call_id = first.call["call_id"].as_str().unwrap_or("").to_string();
    let req = replayed(model, &first.call);
    let f = send_json(cx, &req, |a| judge_answer(a, model, "turn 2 (input replayed)")).await;
    let f = refused(f, "turn 2 (input replayed)", &call_id);
    match swap {
        Some(mut w) if f.status == Status::Pass => {
            w.detail = format!("{} · then {}", w.detail, f.detail);
            w
        }
        _ => f,
    }
}

/// The model an answer names, if it names one.
fn model_of(a: &Answer) -> Option<String> {
    let v: Value = serde_json::from_slice(&a.body).ok()?;
    v.get("model").and_then(Value::as_str).map(str::to_string)
}

/// The first function call of a Responses answer, with a `call_id` a client can answer.
fn first_call(a: &Answer) -> Result<First, Finding> {
    let v = answer_json(a)?;
    let fail = |kind, param: Option<&str>, detail: String| {
        let mut f = Finding::fail(kind, format!("turn 1: {detail}"))
            .with_evidence(a.evidence())
            .with_timing(a.timing);
        f.param = param.map(str::to_string);
        f
    };
    let output = v
        .get("output")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            fail(
                Kind::BadResponse,
                None,
                super::responses::NOT_RESPONSES.into(),
            )
        })?;
    let Some(call) = output
        .iter()
        .find(|i| i.get("type").and_then(Value::as_str) == Some("function_call"))
    else {
        let text = super::responses::output_text(output);
        return Err(fail(
            Kind::ParamIgnored,
            Some("tool_choice"),
            format!(
                "tool_choice \"required\" got no function_call (\"{}\"), so there is no result to send back",
                excerpt(&text, 40)
            ),
        ));
    };
    if let Err(why) = super::chat::check_tool_call(call) {
        return Err(fail(Kind::BadResponse, None, format!("function_call: {why}")));
    }
    match call.get("call_id") {
        Some(Value::String(s)) if !s.trim().is_empty() => {}
        Some(Value::String(_)) => return Err(fail(Kind::BadResponse, None, "the function_call's call_id is empty: a client cannot send the result back under it".into())),
        Some(other) => return Err(fail(Kind::BadResponse, None, format!("the function_call's call_id is {}, not a string: a client cannot send the result back", excerpt(&other.to_string(), 24)))),
        None => return Err(fail(Kind::BadResponse, None, "the function_call has no call_id: a client cannot send the result back (a function_call_output is matched by call_id, not by the item's id)".into())),
    }
    Ok(First { call: call.clone() })
}

/// Name what a refusal of the replayed turn means: the output item or its call_id.
fn refused(mut f: Finding, label: &str, call_id: &str) -> Finding {
    let status = f.evidence.http_status.unwrap_or(0);
    if status < 300 {
        return f;
    }
    let msg = f
        .evidence
        .provider_message
        .as_deref()
        .unwrap_or("")
        .to_ascii_lowercase();
    let classed_as_request = matches!(f.kind, Some(Kind::BadRequest) | Some(Kind::ParamRejected));
    let about_the_turn = classed_as_request || f.kind == Some(Kind::ServerError);
    let rule = super::tool_roundtrip::refusal(&msg).filter(|_| about_the_turn);
    // A gateway translating to chat passes its upstream's refusal of the id on (Mistral's
    // "Tool call id was …", as a 400 or a 500).
    let id_refused = (400..500).contains(&status) && classed_as_request && msg.contains("call_id")
        || rule == Some(super::tool_roundtrip::Refusal::Id);
    if id_refused {
        f.kind = Some(Kind::ParamRejected);
        f.param = Some("call_id".into());
        f.detail = format!(
            "{label}: the call_id `{}` was refused when sent back ({})",
            excerpt(call_id, 40),
            f.detail
        );
    } else if (400..500).contains(&status) && classed_as_request && msg.contains("function_call") {
        f.kind = Some(Kind::ParamRejected);
        f.param = Some("function_call_output".into());
        f.detail = format!(
            "{label}: the function_call_output item was refused: this /responses cannot take a tool result ({})",
            f.detail
        );
    } else if rule == Some(super::tool_roundtrip::Refusal::Template)
        || (about_the_turn && status >= 500)
    {
        f.param = Some("tool".into());
        f.detail = format!(
            "{label}: the server failed on the tool result after turn 1 worked (a chat template that cannot render it, most often): {}",
            f.detail
        );
    } else {
        f.detail = format!("{label}, the tool result sent back: {}", f.detail);
    }
    f
}

/// Judge the 2xx answer to the tool result: text that uses the result, no new call.
fn judge_answer(a: &Answer, model: &str, label: &str) -> Finding {
    let v = match answer_json(a) {
        Ok(v) => v,
        Err(mut f) => {
            f.detail = format!("{label}: {}", f.detail);
            return f;
        }
    };
    let mut p = Problems::default();
    if let Some(got) = v.get("model").and_then(Value::as_str) {
        super::model_swap::judge_in(&format!("{label}: "), model, got, &mut p);
    }
    let output = v
        .get("output")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let text = super::responses::output_text(&output);
    let again = output
        .iter()
        .any(|i| i.get("type").and_then(Value::as_str) == Some("function_call"));
    if again {
        p.fail_param(
            Kind::ParamIgnored,
            "function_call_output",
            format!("{label} called {TOOL_NAME} again instead of answering from its output: an agent loops"),
        );
    } else if text.trim().is_empty() {
        p.warn(Kind::BadResponse, format!("{label} answered with no text"));
    } else if !text.contains(TOKEN) && !text.contains(&TOKEN[3..]) {
        p.warn_param(
            Kind::ParamIgnored,
            "function_call_output",
            format!(
                "{label} answered without the tool output's report_id {TOKEN}: \"{}\"",
                excerpt(&text, 60)
            ),
        );
    }
    p.into_finding(format!("{label} answered \"{}\"", excerpt(&text, 40)))
        .with_evidence(a.evidence())
        .with_timing(a.timing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_replayed_turn_carries_the_call_id() {
        let call = json!({"type": "function_call", "id": "fc_1", "call_id": "call_9", "name": TOOL_NAME, "arguments": "{}"});
        let two = replayed("m", &call).body.unwrap();
        let input = two["input"].as_array().unwrap();
        assert_eq!(input.len(), 3);
        assert_eq!(input[1]["call_id"], "call_9");
        assert!(input[1].get("id").is_none(), "the stored item's id is not replayed");
        assert_eq!(input[2]["type"], "function_call_output");
        assert_eq!(input[2]["call_id"], "call_9");
        assert!(first_turn("m").body.unwrap()["tool_choice"] == "required");
    }
}
