//! Requests as a person can read and replay them: the key is written as a reference to
//! its environment variable, never its value.

use crate::http::Request;
use crate::redact::is_credential_header;
use crate::target::Target;
use secrecy::ExposeSecret;
use serde_json::{json, Value};

/// `$OPENAI_API_KEY`, or `None` when the target has no key variable.
/// (An environment variable name cannot contain quotes or `$`, so it is safe in double quotes.)
pub fn key_ref(target: &Target) -> Option<String> {
    target.key_env.as_ref().map(|v| format!("${v}"))
}

/// The headers a request carries, credentials hidden: the key as `$VAR`, credential-like
/// extra headers as `[redacted]`.
pub fn headers(target: &Target, req: &Request) -> Vec<(String, String)> {
    // A key with no variable (written in an opencode.json) is shown hidden, not dropped.
    let key = target
        .key
        .is_some()
        .then(|| key_ref(target).unwrap_or_else(|| "[redacted]".into()));
    let mut out: Vec<(String, String)> = req
        .auth_headers(key.as_deref())
        .into_iter()
        .map(|(n, v)| (n.to_string(), v))
        .collect();
    if target.basic_auth.is_some() {
        // From the URL's user info; sent as basic auth, shown only as being there.
        out.push(("Authorization".into(), "Basic [redacted]".into()));
    }
    for (name, value) in &target.headers {
        let value = value.expose_secret();
        let shown = if is_credential_header(name, value) {
            "[redacted]".to_string()
        } else {
            value.to_string()
        };
        out.push((name.clone(), shown));
    }
    out
}

/// Text for `--dry-run`.
pub fn describe(
    target: &Target,
    planned: &[(crate::check::CheckId, Option<String>, Request)],
) -> String {
    let mut out = format!(
        "zencheck dry run: {} requests to {}, at most {} output tokens (nothing sent)\n",
        planned.len(),
        target.shown_url(),
        output_cap(planned)
    );
    if let (Some(env), None) = (&target.key_env, &target.key) {
        out.push_str(&format!(
            "note: ${env} is not set, so no key would be sent\n"
        ));
    }
    for (id, model, req) in planned {
        let what = match model {
            Some(m) => format!("{} · {m}", id.id()),
            None => id.id().to_string(),
        };
        out.push_str(&format!(
            "\n{} {}    [{what}]\n",
            req.method,
            target.shown_endpoint(&req.path)
        ));
        for (n, v) in headers(target, req) {
            out.push_str(&format!("  {n}: {v}\n"));
        }
        if let Some(b) = &req.body {
            out.push_str(&format!("  {b}\n"));
        }
    }
    out.push_str(
        "\nA run may also send: one retry of a request after a short Retry-After, and chat.basic once more with \
         max_completion_tokens if a model refuses max_tokens. Checks after a failing basic check are skipped.\n",
    );
    out.push_str(&format!(
        "A model whose answers show reasoning gets every later request with its output cap raised to {cap} tokens, \
         and a request whose whole cap went to reasoning, or whose answer stopped at its cap, is sent once more with \
         {cap}; chat.reasoning_effort's \
         requests go only to such a model.\n",
        cap = crate::check::REASONING_MAX_TOKENS
    ));
    out
}

/// JSON for `--dry-run --format json`.
pub fn describe_json(
    target: &Target,
    planned: &[(crate::check::CheckId, Option<String>, Request)],
) -> Value {
    let requests: Vec<Value> = planned
        .iter()
        .map(|(id, model, req)| {
            let headers: serde_json::Map<String, Value> = headers(target, req).into_iter().map(|(n, v)| (n, json!(v))).collect();
            json!({"check": id.id(), "model": model, "method": req.method.as_str(), "url": target.shown_endpoint(&req.path), "headers": headers, "body": req.body})
        })
        .collect();
    json!({"dry_run": true, "base_url": target.shown_url(), "count": requests.len(), "output_tokens_cap": output_cap(planned),
           "reasoning_max_tokens": crate::check::REASONING_MAX_TOKENS, "requests": requests})
}

/// The sum of the output caps the planned requests carry.
pub fn output_cap(planned: &[(crate::check::CheckId, Option<String>, Request)]) -> u64 {
    planned
        .iter()
        .filter_map(|(_, _, r)| r.body.as_ref())
        .filter_map(|b| {
            ["max_tokens", "max_completion_tokens", "max_output_tokens"]
                .iter()
                .find_map(|k| b.get(*k).and_then(Value::as_u64))
        })
        .sum()
}

/// The request as a curl command. Everything is single-quoted, so pasting it runs nothing
/// but curl, except zencheck's own auth header, which is double-quoted so the shell fills
/// in `$VAR` (a plain identifier, checked when the target was built).
pub fn curl(target: &Target, req: &Request) -> String {
    let mut parts = vec!["curl -sS".to_string()];
    if req
        .body
        .as_ref()
        .is_some_and(|b| b.get("stream") == Some(&serde_json::Value::Bool(true)))
    {
        parts.push("-N".to_string());
    }
    if req.method != reqwest::Method::GET {
        parts.push(format!("-X {}", req.method));
    }
    parts.push(single_quote(&target.shown_endpoint(&req.path)));
    let key = target.key.is_some().then(|| key_ref(target)).flatten();
    let own = req.auth_headers(key.as_deref()).len();
    for (i, (name, value)) in headers(target, req).into_iter().enumerate() {
        let header = format!("{name}: {value}");
        let quoted = match &key {
            Some(k) if i < own && value.ends_with(k.as_str()) => format!("\"{header}\""),
            _ => single_quote(&header),
        };
        parts.push(format!("-H {quoted}"));
    }
    if let Some(b) = &req.body {
        parts.push(format!("-d {}", single_quote(&b.to_string())));
    }
    parts.join(" ")
}

fn single_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}
