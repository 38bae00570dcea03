//! A 404 that a paste shows without an HTTP status of its own: a server's access-log line,
//! a model registry's lookup, or a web framework's router miss quoted by a client.
//!
//! - A server's own access log (Gin, the Common Log Format of Python's http.server,
//!   werkzeug, uvicorn and nginx, logfmt's `path=… status=…`) that logs a 404 for a
//!   request on a model route written as the API documents it (`/v1/chat/completions`,
//!   Ollama's `/api/chat`): the request reached the server on its own route, so what it
//!   did not find is what the request named, most likely the model (Ollama answers an
//!   unknown model on `/api/chat` and `/api/generate` with 404, ollama/ollama#2736; vLLM
//!   and mlx_lm.server likewise on `/v1/chat/completions`). Likely, never certain: an old
//!   server without the route logs the same line.
//! - A model registry's lookup that 404s (the Hugging Face Hub's `GET /api/models/{repo}`,
//!   Ollama's registry manifests under `/v2/…/manifests/`): no such model repository.
//! - A framework's router miss (FastAPI's `{"detail":"Not Found"}`, Express's `Cannot POST
//!   /x`, Go's `404 page not found`, werkzeug's "requested URL was not found on the
//!   server", Spring's Whitelabel page, Django's and Rails' routing pages) quoted without a
//!   status: the path is not the API's, as the status layer reads it with one.

//! - A bare 404 (a client that shows the status and drops the body: `curl -f`, .NET's
//!   `EnsureSuccessStatusCode`) from a client of Ollama: Ollama answers an unknown or unpulled
//!   model with 404 on every generation route, native and OpenAI-compatible, so the model is
//!   the likely reading; a wrong path answers Go's "404 page not found", which the status
//!   layer reads as the base URL. The fix names both, the model first.

use super::{Classification, Confidence, ErrorBody};
use crate::failure::{Kind, RuleHint};

/// Model routes as APIs document them, whole paths: a 404 logged on one of these means the
/// request reached the route (OpenAI's API reference; Ollama's docs/api.md; Anthropic's
/// Messages API).
const CANONICAL_ROUTES: &[&str] = &[
    "/v1/chat/completions",
    "/v1/completions",
    "/api/chat",
    "/api/generate",
];

/// Routes of other APIs than Chat Completions that many servers with a `/v1` API do not
/// serve (the Responses API, Anthropic's Messages API).
const LACKED_ROUTES: &[&str] = &["/responses", "/messages"];

/// Model registries' lookup routes, by host and path prefix: a 404 there is no such model.
const REGISTRY_LOOKUPS: &[(&str, &str)] = &[
    // huggingface.co/docs/hub/api: GET /api/models/{repo_id} (and …/revision/{revision}).
    ("huggingface.co", "/api/models/"),
    ("hf-mirror.com", "/api/models/"),
    // Ollama's registry speaks the OCI distribution API: GET /v2/<name>/manifests/<tag>.
    ("registry.ollama.ai", "/manifests/"),
];

/// Routers' own words for a path they have no handler for, with where each comes from.
const ROUTER_MISSES: &[(&str, &str)] = &[
    // Starlette's Router.not_found (FastAPI): HTTPException(404) → {"detail":"Not Found"}.
    ("{\"detail\":\"not found\"}", "FastAPI/Starlette"),
    ("{\"detail\": \"not found\"}", "FastAPI/Starlette"),
    ("{'detail': 'not found'}", "FastAPI/Starlette"),
    // Express's finalhandler and NestJS: "Cannot POST /path".
    ("cannot post /", "Express"),
    ("cannot get /", "Express"),
    // Go's net/http NotFound and Gin's default 404 body.
    ("404 page not found", "Go net/http or Gin"),
    // werkzeug.exceptions.NotFound's description (Flask).
    (
        "the requested url was not found on the server",
        "Flask/werkzeug",
    ),
    // Spring Boot's default error page and JSON.
    ("whitelabel error page", "Spring Boot"),
    // Django's technical 404 page; Rails' routing error.
    ("didn't match any of these", "Django"),
    ("no route matches [", "Rails"),
];

/// An access-log line's status and path: Gin (`| 404 | … | POST "/api/chat"`), the Common
/// Log Format (`"POST /v1/chat/completions HTTP/1.1" 404`), logfmt (`path="/x" … status=404`).
fn logged(line: &str) -> Option<(u16, String)> {
    let status_at = |s: &str| -> Option<u16> {
        let d: String = s
            .trim_start()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        (d.len() == 3).then(|| d.parse().ok()).flatten()
    };
    // Gin: "[gin] date | 404 | latency | ip | post "/api/chat"", or the same columns a
    // paste kept without the date ("404 |  post "/v1/responses"").
    if line.contains('|') {
        let parts: Vec<&str> = line.split('|').collect();
        let status = parts
            .iter()
            .take(3)
            .find(|p| p.trim().len() == 3)
            .and_then(|p| status_at(p));
        let path = parts
            .last()
            .and_then(|l| l.split('"').nth(1))
            .filter(|p| p.starts_with('/'));
        if let (Some(status), Some(path)) = (status, path) {
            return Some((status, path.to_string()));
        }
        if line.contains("[gin]") {
            return None;
        }
    }
    // Common Log Format: "METHOD /path HTTP/x" STATUS.
    for method in ["\"post ", "\"get "] {
        if let Some(i) = line.find(method) {
            let rest = &line[i + method.len()..];
            let close = rest.find('"')?;
            let request = &rest[..close];
            if !request.contains(" http/") {
                continue;
            }
            let path = request.split(' ').next()?;
            let status = status_at(&rest[close + 1..])?;
            return Some((status, path.to_string()));
        }
    }
    // An unquoted request line ending in its status (llama.cpp's server:
    // `request: GET /v1/models 127.0.0.1 404`).
    let toks: Vec<&str> = line.split_whitespace().collect();
    if let (Some(m), Some(last)) = (
        toks.iter()
            .position(|t| matches!(*t, "get" | "post" | "put" | "delete" | "head")),
        toks.last(),
    ) {
        if let (Some(path), Some(status)) = (
            toks.get(m + 1).filter(|p| p.starts_with('/')),
            status_at(last).filter(|_| last.len() == 3),
        ) {
            return Some((status, path.to_string()));
        }
    }
    // The status and its reason before the request (LM Studio's server log:
    // `404 Not Found: POST - /api/v0/completions in 1ms`).
    if let Some(m) = toks
        .iter()
        .position(|t| matches!(*t, "get" | "post" | "put" | "delete" | "head"))
    {
        let path = toks[m + 1..]
            .iter()
            .find(|t| **t != "-")
            .filter(|p| p.starts_with('/'));
        let status = toks[..m]
            .iter()
            .rev()
            .find(|t| t.len() == 3 && t.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|t| status_at(t));
        if let (Some(path), Some(status)) = (path, status) {
            return Some((status, path.to_string()));
        }
    }
    // logfmt: path="/x" … status=404.
    let path = line.split("path=\"").nth(1)?.split('"').next()?;
    let status = status_at(line.split("status=").nth(1)?)?;
    Some((status, path.to_string()))
}

fn likely(
    kind: Kind,
    rule: &'static str,
    hint: Option<RuleHint>,
    evidence: String,
) -> Classification {
    Classification {
        kind,
        param: None,
        gateway: false,
        rule,
        hint,
        confidence: Confidence::Low,
        evidence,
    }
}

/// A route that generates: its 2xx starts an answer that can still fail while it streams.
fn generation_route(path: &str) -> bool {
    [
        "/chat/completions",
        "/completions",
        "/responses",
        "/messages",
        "/api/chat",
        "/api/generate",
    ]
    .iter()
    .any(|r| path.ends_with(r))
}

/// A server's error log line about streaming (`ERROR:engine: stream_generate error: …`,
/// `ERROR … streaming failed`): its level first, the stream named. Lowercased input.
fn stream_failure_line(line: &str) -> bool {
    let line = line.trim_start();
    let levelled = line.starts_with("error")
        || line.contains(" error ")
            && line
                .split_whitespace()
                .take(4)
                .any(|t| t.trim_matches(['[', ']', ':']) == "error");
    levelled && line.contains("stream")
}

/// The verdict of a 404 the paste shows without a status of its own. `words` is the
/// paste lowercased.
pub fn read(status: Option<u16>, body: &ErrorBody, words: &str) -> Option<Classification> {
    if status.is_some() {
        return None;
    }
    let lines = words.lines().take(400);
    let mut registry = None;
    let mut route = None;
    let mut other = None;
    // A generation route the log shows answered 2xx, then a server error line about the
    // stream: the server had sent its 200 when it failed, so the failure reached the client
    // inside the stream or as a cut one (uvicorn logs a streamed answer when it starts).
    let mut answered = None;
    let mut failed_after = None;
    for line in lines {
        let Some((status, path)) = logged(line) else {
            if answered.is_some() && failed_after.is_none() && stream_failure_line(line) {
                failed_after.clone_from(&answered);
            }
            continue;
        };
        // Never the query: it can carry a key (`?key=…`).
        let path = path.split('?').next().unwrap_or("").to_string();
        if (200..300).contains(&status) && generation_route(&path) {
            answered = answered.or(Some(path));
            continue;
        }
        if status != 404 {
            other = other.or((status >= 500).then_some((status, path)));
            continue;
        }
        if let Some((host, _)) = REGISTRY_LOOKUPS
            .iter()
            .find(|(h, p)| line.contains(h) && path.contains(p))
        {
            registry = registry.or(Some((host.to_string(), path)));
        } else if CANONICAL_ROUTES.contains(&path.as_str()) {
            route = route.or(Some(path));
        } else if !path.starts_with("/favicon") {
            other = other.or(Some((404, path)));
        }
    }
    if let Some((host, path)) = registry {
        return Some(likely(
            Kind::ModelNotFound,
            "registry_404",
            None,
            format!("the model registry {host} answered 404 for {path}: no such model repository"),
        ));
    }
    if let Some(path) = route {
        return Some(likely(
            Kind::ModelNotFound,
            "logged_404",
            Some(RuleHint::RouteAnswered),
            format!(
                "the server's own log, which shows 404 for {path}, a route it serves as documented: what it did not find is what the request named"
            ),
        ));
    }
    // Any other path the log shows a 404 for is one the server has no route for; a 5xx
    // there is the server's own failure.
    match other {
        // A route many OpenAI-compatible servers lack, under a versioned base: the base URL
        // reached the API, and this server has no such route.
        Some((404, path))
            if LACKED_ROUTES.iter().any(|r| path.ends_with(r)) && super::versioned_base(&path) =>
        {
            return Some(likely(
                Kind::WrongRoute,
                "logged_route_missing",
                Some(RuleHint::RouteMissing),
                format!(
                    "the server's own log, which shows 404 for {path}: the base URL reached its API, which has no such route"
                ),
            ))
        }
        Some((404, path)) => {
            return Some(likely(
                Kind::BaseUrl,
                "logged_route_404",
                None,
                format!(
                    "the server's own log, which shows 404 for {path}, a path it serves no route for: the client's base URL or route is not this server's"
                ),
            ))
        }
        Some((status, path)) => {
            return Some(likely(
                Kind::ServerError,
                "logged_5xx",
                None,
                format!("the server's own log, which shows {status} for {path}: the server failed that request"),
            ))
        }
        None => {}
    }
    if let Some(path) = failed_after {
        return Some(likely(
            Kind::StreamError,
            "logged_200_then_stream_error",
            None,
            format!(
                "the server's own log, which shows 200 for {path}, then an error while it streamed: it failed after the answer had begun"
            ),
        ));
    }
    // Only a framework's own words: "invalid URL" in an API's envelope is that API speaking.
    // A structured body whose whole message is the 404 reason phrase, with no code or type
    // (`{"detail":"Not Found"}`, `{"error":"Not Found"}`), is a framework's default: an
    // API's own 404 says what it did not find.
    let bare = body.envelope
        && body.code.is_none()
        && body.etype.is_none()
        && body.message.as_deref().is_some_and(|m| {
            m.trim()
                .trim_end_matches('.')
                .eq_ignore_ascii_case("not found")
        });
    let miss = ROUTER_MISSES
        .iter()
        .find(|(w, _)| words.contains(w))
        .map(|(_, who)| *who)
        .or(bare.then_some("a web framework (FastAPI/Starlette, Spring)"));
    if let Some(who) = miss {
        return Some(likely(
            Kind::BaseUrl,
            "router_miss",
            None,
            format!("{who}'s answer for a path it has no route for, quoted without its status"),
        ));
    }
    None
}

/// A 404 with no message from a client of Ollama (the paste names it): the model, likely.
/// A page, an API envelope or Go's router miss ("404 page not found") says otherwise, and so
/// does a quoted URL whose OpenAI route has no version before it: Ollama serves those routes
/// under `/v1` only (docs.ollama.com/api/openai-compatibility), so the base URL lacks it.
pub fn ollama_bare_404(body: &ErrorBody, words: &str, url: Option<&str>) -> Option<Classification> {
    let routed = ["page not found", "cannot post", "cannot get", "no route"];
    if body.html
        || body.envelope
        || routed.iter().any(|w| words.contains(w))
        || !words.contains("ollama")
    {
        return None;
    }
    let path = url.map(|u| super::url_parts(u).1);
    if let Some(path) = path.filter(|p| super::route_of(p).is_some() && !p.contains("/v1")) {
        return Some(Classification {
            kind: Kind::BaseUrl,
            param: None,
            gateway: false,
            rule: "ollama_unversioned_route",
            hint: None,
            confidence: Confidence::Low,
            evidence: format!(
                "HTTP 404 on {}, with no version before the route: Ollama serves its OpenAI routes under /v1 only",
                super::one_line(&path)
            ),
        });
    }
    Some(Classification {
        kind: Kind::ModelNotFound,
        param: None,
        gateway: false,
        rule: "ollama_bare_404",
        hint: Some(RuleHint::OllamaBare404),
        confidence: Confidence::Low,
        evidence: "HTTP 404 with no message from a client of Ollama, which answers a model it has not pulled with 404".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(t: &str) -> Option<(Kind, &'static str)> {
        let body = super::super::parse_error_body(None, t.as_bytes());
        read(None, &body, &t.to_lowercase()).map(|v| (v.kind, v.rule))
    }

    #[test]
    fn a_bare_404_from_a_client_of_ollama_is_the_model_likely() {
        let read = |status: u16, t: &str| {
            let body = super::super::parse_error_body(None, t.as_bytes());
            super::super::decide(Some(status), &body, &[], "")
                .map(|v| (v.kind, v.rule, v.confidence))
        };
        // .NET's EnsureSuccessStatusCode inside an Ollama client: no body reaches the paste.
        assert_eq!(
            read(404, "HttpRequestException: Response status code does not indicate success: 404 (Not Found).\n   at OllamaSharp.OllamaApiClient.GenerateAsync()"),
            Some((Kind::ModelNotFound, "ollama_bare_404", Confidence::Low))
        );
        // Go's router miss is the path, whoever the client is.
        assert_ne!(
            read(404, "ollama client: 404 page not found").map(|v| v.1),
            Some("ollama_bare_404")
        );
        // Without Ollama named, a bare 404 stays the status's reading.
        assert_ne!(
            read(404, "HttpRequestException: Response status code does not indicate success: 404 (Not Found).").map(|v| v.1),
            Some("ollama_bare_404")
        );
    }

    #[test]
    fn a_server_log_of_a_200_then_a_stream_error_is_a_stream_error() {
        let ok = "INFO:     127.0.0.1:5000 - \"POST /v1/chat/completions HTTP/1.1\" 200 OK";
        let err = "ERROR:engine.model: stream_generate error: RuntimeError: out of memory";
        assert_eq!(
            read_text(&format!("{ok}\n{err}")),
            Some((Kind::StreamError, "logged_200_then_stream_error"))
        );
        // The error logged before the answer began is not one inside it.
        assert_eq!(read_text(&format!("{err}\n{ok}")), None);
        // An error line that is not about the stream says nothing of it.
        assert_eq!(
            read_text(&format!("{ok}\nERROR:engine: cache eviction failed")),
            None
        );
        // A 200 on a route that does not generate starts no stream.
        assert_eq!(
            read_text(&format!("INFO: \"GET /v1/models HTTP/1.1\" 200 OK\n{err}")),
            None
        );
    }

    #[test]
    fn a_server_log_of_a_404_on_its_own_route_is_the_model() {
        // Ollama's Gin access log, as ollama/ollama#2736 shows it.
        assert_eq!(
            read_text("[GIN] 2024/02/24 - 14:48:29 | 404 |     580.375µs |       127.0.0.1 | POST     \"/api/generate\""),
            Some((Kind::ModelNotFound, "logged_404"))
        );
        // A 200 is no miss; a doubled /v1 is not a route as documented.
        assert_eq!(
            read_text("[GIN] 2024/02/24 - 14:48:29 | 200 | 5ms | 127.0.0.1 | POST \"/api/chat\""),
            None
        );
        // ... it is a path the server has no route for: the base URL.
        assert_eq!(
            read_text("127.0.0.1 - - [01/Jan/2026 10:00:00] \"POST /v1/v1/chat/completions HTTP/1.1\" 404 -"),
            Some((Kind::BaseUrl, "logged_route_404"))
        );
        // llama.cpp's request log, unquoted, asked for Ollama's routes.
        assert_eq!(
            read_text("srv  log_server_r: request: GET /api/version 127.0.0.1 404\nsrv  log_server_r: request: GET /api/tags 127.0.0.1 200"),
            Some((Kind::BaseUrl, "logged_route_404"))
        );
        // The Gin columns a paste kept without the date, a 404 on a route of another API
        // under a versioned base: the server lacks the route.
        assert_eq!(
            read_text(
                " 200 |  POST     \"/v1/chat/completions\"\n 404 |  POST     \"/v1/messages\""
            ),
            Some((Kind::WrongRoute, "logged_route_missing"))
        );
        // The status before the request, as LM Studio logs it.
        assert_eq!(
            read_text("2025-09-30 12:32:52 INFO  Server - 404 Not Found: POST - /v2/api/completions in 1ms"),
            Some((Kind::BaseUrl, "logged_route_404"))
        );
        // A logged 5xx is the server's own failure.
        assert_eq!(
            read_text("[GIN] 2025/03/06 - 11:42:21 | 503 |   42.044125ms |       127.0.0.1 | POST     \"/api/generate\""),
            Some((Kind::ServerError, "logged_5xx"))
        );
        assert_eq!(
            read_text(
                "INFO:     127.0.0.1:5000 - \"POST /v1/chat/completions HTTP/1.1\" 404 Not Found"
            ),
            Some((Kind::ModelNotFound, "logged_404"))
        );
        assert_eq!(
            read_text("level=info path=\"/api/chat\" status=404"),
            Some((Kind::ModelNotFound, "logged_404"))
        );
    }

    #[test]
    fn a_registry_lookup_404_is_no_such_model() {
        assert_eq!(
            read_text("DEBUG - https://huggingface.co:443 \"GET /api/models/org/nope/revision/main HTTP/1.1\" 404 64"),
            Some((Kind::ModelNotFound, "registry_404"))
        );
    }

    #[test]
    fn a_router_miss_without_a_status_is_the_path() {
        for t in [
            "SomeHttpException: {\"detail\":\"Not Found\"}",
            "Error: Cannot POST /v1/chat/completions",
            "<title>404 Not Found</title> The requested URL was not found on the server.",
        ] {
            assert_eq!(read_text(t).map(|r| r.0), Some(Kind::BaseUrl), "{t}");
        }
        // With a status, the status layer reads it (it knows the URL).
        let body = super::super::parse_error_body(None, br#"{"detail":"Not Found"}"#);
        assert!(read(Some(404), &body, "").is_none());
        assert_eq!(read(None, &body, "").map(|v| v.kind), Some(Kind::BaseUrl));
        // An API's own envelope saying "Invalid URL" is the API speaking, not a router.
        assert_eq!(
            read_text(r#"{"error":{"type":"client","message":"Invalid URL"}}"#),
            None
        );
    }
}
