//! Error bodies in the shapes servers put inside a 200, beside OpenAI's `{"error": …}`:
//! relays' `{"code": 500, "msg": …}`, `{"success": false, …}`, `{"status": "error", …}`,
//! vLLM's `{"object": "error", "message": …}`, FastAPI's `{"detail": …}`. A body that
//! carries an answer (`choices`, `output`, `content`, `data`) is never one, nor a success
//! wrapper (`{"code": 0, "msg": "success"}`).

use serde_json::Value;

/// Is this 2xx JSON body an error rather than an answer?
pub fn is_error_body(v: &Value) -> bool {
    let Some(o) = v.as_object() else {
        return false;
    };
    if ["choices", "output", "content", "data", "embedding"]
        .iter()
        .any(|k| o.get(*k).is_some_and(|x| !x.is_null()))
    {
        return false;
    }
    let text = |k: &str| o.get(k).and_then(Value::as_str);
    let said = text("message").or(text("msg")).or(text("error_msg"));
    let failing_code = o.get("code").is_some_and(|c| match c {
        Value::Number(n) => n.as_i64().is_some_and(|n| n != 0 && n != 200),
        Value::String(s) => !matches!(s.as_str(), "" | "0" | "200" | "ok" | "OK" | "success"),
        _ => false,
    });
    o.get("error")
        .is_some_and(|e| !e.is_null() && e != &Value::Bool(false))
        || text("type") == Some("error")
        || text("object") == Some("error")
        || o.get("success") == Some(&Value::Bool(false))
        || matches!(text("status"), Some("error" | "fail" | "failed"))
        || o.get("detail").is_some()
        || (failing_code && said.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn error_shapes_are_errors_answers_and_success_wrappers_are_not() {
        for e in [
            json!({"error": {"message": "x"}}),
            json!({"error": "x"}),
            json!({"code": 500, "msg": "upstream failed"}),
            json!({"code": "rate_limited", "message": "slow down"}),
            json!({"success": false, "message": "no channel"}),
            json!({"status": "error", "message": "x"}),
            json!({"object": "error", "message": "x", "code": 400}),
            json!({"detail": "Not authenticated"}),
        ] {
            assert!(is_error_body(&e), "{e}");
        }
        for ok in [
            json!({"choices": [], "error": null}),
            json!({"code": 0, "msg": "success"}),
            json!({"code": 200, "message": "ok"}),
            json!({"id": "x", "object": "chat.completion", "choices": [{}]}),
            json!({"object": "list", "data": [{"embedding": [0.1]}]}),
            json!({"error": false}),
        ] {
            assert!(!is_error_body(&ok), "{ok}");
        }
    }
}
