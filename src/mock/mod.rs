//! The built-in faulty provider: an OpenAI-compatible server on 127.0.0.1 that reproduces
//! one behaviour per scenario, with framing faults made real on the wire.

mod follow;
mod reply;
mod scenario;
mod thinking;
pub mod upstream;
mod window;

pub use scenario::{closest_hint, list as scenario_list, Expect, Info, Scenario, SCENARIOS};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use reply::{Ask, Ending};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Models the mock serves (the model-not-found scenario serves others).
pub const MODELS: &[&str] = &["mock-small", "mock-large", EMBED_MODEL];
/// The embedding model: `/embeddings` serves it, the generation routes refuse it.
pub const EMBED_MODEL: &str = "mock-embed";
const MODELS_RENAMED: &[&str] = &["mock-small-2025", "mock-large"];
/// The zen-routes scenario serves one model of each of Zen's route families.
const ZEN_MODELS: &[&str] = &["gpt-5-nano", "claude-haiku-4-5", "big-pickle"];
/// What the model-fallback scenario answers an id it does not serve with.
const FALLBACK_MODEL: &str = "llama-3.1-8b-instant";
/// Cloudflare's page when the origin sends nothing within 100 s (trimmed).
const CLOUDFLARE_524: &str = "<!DOCTYPE html><html><head><title>opencode.example | 524: A timeout occurred</title></head><body><h1>A timeout occurred</h1><span>Error code 524</span><p>The origin web server timed out responding to this request.</p><p>Cloudflare Ray ID: 8f1c2d3e4a5b6c7d</p></body></html>";
/// Cloudflare's managed challenge, as a client without JavaScript gets it (trimmed).
const CLOUDFLARE_CHALLENGE: &str = "<!DOCTYPE html><html lang=\"en-US\"><head><title>Just a moment...</title></head><body><div class=\"main-wrapper\"><h1>Enable JavaScript and cookies to continue</h1></div><script src=\"/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1\"></script></body></html>";
/// Gap between stream frames: slow enough to look like a real model.
const PACE: Duration = Duration::from_millis(15);
/// How long the buffering scenario holds the stream before the burst.
const BURST_AFTER: Duration = Duration::from_millis(1500);
/// How long the cold-start scenario holds the first request of each route: longer than
/// the demo's 2 s `--timeout`, so the probe sends it again.
const COLD: Duration = Duration::from_millis(3000);
/// How long "never" lasts, so a forgotten mock cannot hold a socket forever.
const NEVER: Duration = Duration::from_secs(600);

/// A running mock; stops when dropped.
pub struct MockServer {
    pub addr: SocketAddr,
    pub scenario: Scenario,
    /// Requests received so far: what a probe cost (serve mode's cost guard is tested on it).
    hits: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl MockServer {
    /// The base URL to probe (with /v1, as clients are configured).
    pub fn base_url(&self) -> String {
        if self.scenario == Scenario::Ipv4Only {
            // Listening on 127.0.0.1, probed as a client that took ::1 for localhost.
            return format!("http://[::1]:{}/v1", self.addr.port());
        }
        format!("http://{}/v1", self.addr)
    }
    /// How many requests the mock has received.
    pub fn requests(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// How the mock serves, beside its scenario (`zencheck mock --latency-ms`, `--model`).
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Held before answering each request: a remote provider's round trip.
    pub latency: Duration,
    /// Model ids served beside the scenario's own (a gateway with many models).
    pub extra_models: Vec<String>,
}

/// Start serving `scenario` on 127.0.0.1:`port` (0 for a free port).
pub async fn start(scenario: Scenario, port: u16) -> std::io::Result<MockServer> {
    start_with(scenario, port, Options::default()).await
}

/// [`start`], with a latency and more models.
pub async fn start_with(
    scenario: Scenario,
    port: u16,
    opts: Options,
) -> std::io::Result<MockServer> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    let hits = Arc::new(AtomicU64::new(0));
    let task = if scenario == Scenario::Network {
        tokio::spawn(close_without_answer(listener))
    } else {
        let counter = hits.clone();
        let latency = opts.latency;
        let app = router(scenario, opts.extra_models).layer(axum::middleware::from_fn(
            move |req: axum::extract::Request, next: axum::middleware::Next| {
                counter.fetch_add(1, Ordering::Relaxed);
                async move {
                    if !latency.is_zero() {
                        tokio::time::sleep(latency).await;
                    }
                    next.run(req).await
                }
            },
        ));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        })
    };
    Ok(MockServer {
        addr,
        scenario,
        hits,
        task,
    })
}

/// Read the request, then close: the client sees the connection end with no response.
async fn close_without_answer(listener: tokio::net::TcpListener) {
    use tokio::io::AsyncReadExt;
    while let Ok((mut sock, _)) = listener.accept().await {
        tokio::spawn(async move {
            let mut buf = vec![0u8; 64 << 10];
            let _ = tokio::time::timeout(Duration::from_millis(200), sock.read(&mut buf)).await;
        });
    }
}

struct Mock {
    scenario: Scenario,
    /// Request bodies already answered with 429 (rate-limit-brief).
    seen: Mutex<HashSet<String>>,
    next_id: AtomicU64,
    /// Served beside `models()` (`--model`).
    extra_models: Vec<String>,
    /// What each stored `/responses` answer was asked, by its id (`previous_response_id`).
    stored: Mutex<std::collections::HashMap<String, String>>,
}

impl Mock {
    fn request_id(&self) -> String {
        format!("req_mock_{}", self.next_id.fetch_add(1, Ordering::Relaxed))
    }
    fn models(&self) -> &'static [&'static str] {
        match self.scenario {
            Scenario::ModelNotFound => MODELS_RENAMED,
            Scenario::ZenRoutes => ZEN_MODELS,
            _ => MODELS,
        }
    }
    fn serves(&self, id: &str) -> bool {
        self.models().contains(&id) || self.extra_models.iter().any(|m| m == id)
    }
    /// Answers every route gets in this scenario, before routing matters.
    async fn global(&self, headers: &HeaderMap, key: &str) -> Option<Response> {
        let id = self.request_id();
        match self.scenario {
            Scenario::Timeout => {
                tokio::time::sleep(NEVER).await;
                Some(reply::text_response(504, "text/plain", "too late"))
            }
            Scenario::Redirect => Some(
                Response::builder()
                    .status(301)
                    .header("location", "http://127.0.0.1:9/v1/chat/completions")
                    .body(axum::body::Body::from("Moved Permanently"))
                    .expect("static response"),
            ),
            Scenario::BaseUrl => Some(reply::text_response(
                404,
                "text/plain; charset=utf-8",
                "404 page not found\n",
            )),
            Scenario::ServerError => Some(reply::text_response(502, "text/html", reply::NGINX_502)),
            Scenario::WafChallenge => Some(reply::with_header(
                reply::text_response(403, "text/html; charset=UTF-8", CLOUDFLARE_CHALLENGE),
                "cf-ray",
                "8f1c2d3e4a5b6c7d-AMS",
            )),
            Scenario::BadResponse => Some(reply::text_response(
                200,
                "text/html; charset=utf-8",
                reply::LOGIN_PAGE,
            )),
            Scenario::Auth => {
                let msg = match headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")) {
                    // Echo the key the way careless servers do, so redaction is tested for real.
                    Some(token) => format!("Incorrect API key provided: {token}. You can find your API key in your account settings."),
                    None => "You didn't provide an API key.".to_string(),
                };
                Some(reply::openai_error(
                    401,
                    &msg,
                    "invalid_request_error",
                    Some("invalid_api_key"),
                    None,
                    &id,
                ))
            }
            Scenario::RateLimitBrief => {
                let first = self.seen.lock().expect("mock lock").insert(key.to_string());
                first.then(|| {
                    let r = reply::openai_error(
                        429,
                        "Rate limit reached for requests. Please try again in 1s.",
                        "requests",
                        Some("rate_limit_exceeded"),
                        None,
                        &id,
                    );
                    reply::with_header(r, "retry-after", "1")
                })
            }
            _ => None,
        }
    }
}

fn router(scenario: Scenario, extra_models: Vec<String>) -> Router {
    let state = Arc::new(Mock {
        scenario,
        seen: Mutex::new(HashSet::new()),
        next_id: AtomicU64::new(1),
        extra_models,
        stored: Mutex::new(std::collections::HashMap::new()),
    });
    Router::new()
        .route("/v1/models", get(list_models))
        .route("/v1/chat/completions", post(chat))
        .route("/v1/responses", post(responses))
        .route("/v1/messages", post(messages))
        .route("/v1/embeddings", post(embeddings))
        .fallback(not_found)
        // Room for the context checks' long prompts (axum's default is 2 MB).
        .layer(axum::extract::DefaultBodyLimit::max(16 * 1024 * 1024))
        .with_state(state)
}

async fn not_found(
    State(m): State<Arc<Mock>>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    if let Some(r) = m.global(&headers, uri.path()).await {
        return r;
    }
    unknown_url(uri.path(), &m.request_id())
}

fn unknown_url(path: &str, id: &str) -> Response {
    reply::openai_error(
        404,
        &format!("Invalid URL (POST {path})"),
        "invalid_request_error",
        Some("unknown_url"),
        None,
        id,
    )
}

async fn list_models(State(m): State<Arc<Mock>>, headers: HeaderMap) -> Response {
    if let Some(r) = m.global(&headers, "GET /models").await {
        return r;
    }
    let ids = m.models().iter().copied();
    let data: Vec<Value> = ids.chain(m.extra_models.iter().map(String::as_str)).map(|id| json!({"id": id, "object": "model", "created": reply::CREATED, "owned_by": "zencheck-mock"})).collect();
    reply::json_response(
        200,
        &json!({"object": "list", "data": data}),
        &m.request_id(),
    )
}

/// Which wire format a route speaks, for the route's own errors.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Route {
    Chat,
    Responses,
    Messages,
    Embeddings,
}

impl Route {
    fn path(self) -> &'static str {
        match self {
            Route::Chat => "/v1/chat/completions",
            Route::Responses => "/v1/responses",
            Route::Messages => "/v1/messages",
            Route::Embeddings => "/v1/embeddings",
        }
    }
    /// The format name Zen uses in "not supported for format F".
    fn zen_format(self) -> &'static str {
        match self {
            Route::Chat => "oa-compat",
            Route::Responses => "openai",
            Route::Messages => "anthropic",
            Route::Embeddings => "openai",
        }
    }
}

/// Everything a generation route may refuse before answering: the scenario's global
/// behaviour, its refusals, the body, the model. `Ok` carries the parsed request.
async fn gate(
    m: &Mock,
    route: Route,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<(Value, Ask), Response> {
    let raw = String::from_utf8_lossy(body).to_string();
    if let Some(r) = m.global(headers, &raw).await {
        return Err(r);
    }
    if m.scenario == Scenario::ColdStart {
        let first = m
            .seen
            .lock()
            .expect("mock lock")
            .insert(format!("cold {}", route.path()));
        if first {
            // The model loads while the first request of the route waits.
            tokio::time::sleep(COLD).await;
        }
    }
    let id = m.request_id();
    let Ok(v) = serde_json::from_str::<Value>(&raw) else {
        return Err(reply::openai_error(
            400,
            "We could not parse the JSON body of your request.",
            "invalid_request_error",
            None,
            None,
            &id,
        ));
    };
    let ask = Ask::parse(&v);
    let chat = route == Route::Chat;
    if chat {
        if let Some(r) = m.check_messages(&v, &id) {
            return Err(r);
        }
    }
    let refusal = match m.scenario {
        Scenario::Billing => Some(reply::openai_error(429, "You exceeded your current quota, please check your plan and billing details.", "insufficient_quota", Some("insufficient_quota"), None, &id)),
        Scenario::RateLimit => {
            let r = reply::openai_error(429, "Rate limit reached for requests per min (RPM): Limit 3, Used 3. Please try again in 120s.", "requests", Some("rate_limit_exceeded"), None, &id);
            Some(reply::with_header(r, "retry-after", "120"))
        }
        Scenario::ModelsPublic => Some(reply::openai_error(401, "Invalid token (request id: 2026120607)", "invalid_request_error", Some("invalid_api_key"), None, &id)),
        Scenario::AccessDenied => Some(reply::zen_error(403, "FreeTierError", "Free models are only available in the opencode client. Add credits to use them from other clients.", &id)),
        Scenario::BadRequest => Some(reply::json_response(400, &json!({"object": "error", "message": "Request validation failed: the prompt was rejected by the input guard", "type": "BadRequestError", "param": null, "code": 400}), &id)),
        Scenario::ContextOverflow => Some(reply::openai_error(
            400,
            "This model's maximum context length is 16 tokens. However, your messages resulted in 24 tokens. Please reduce the length of the messages.",
            "invalid_request_error",
            Some("context_length_exceeded"),
            Some("messages"),
            &id,
        )),
        Scenario::ChatOnly if !chat => Some(unknown_url(route.path(), &id)),
        Scenario::WrongRoute if chat => Some(zen_format_error(&ask.model, route, &id)),
        Scenario::StreamOptionsRejected if chat && v.get("stream_options").is_some() => {
            Some(reply::openai_error(400, "Unrecognized request argument supplied: stream_options", "invalid_request_error", None, None, &id))
        }
        Scenario::ToolChoiceRejected if chat && v.get("tool_choice") == Some(&json!("auto")) => Some(reply::json_response(
            400,
            &json!({"object": "error", "message": "\"auto\" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set", "type": "BadRequestError", "param": null, "code": 400}),
            &id,
        )),
        Scenario::StrictValidator if chat && v.get("tool_choice") == Some(&Value::Null) => Some(reply::json_response(
            422,
            &json!({"detail": [{"type": "literal_error", "loc": ["body", "tool_choice"], "msg": "Input should be 'none', 'auto' or 'required'", "input": null}]}),
            &id,
        )),
        Scenario::ToolsUnsupported if chat && v.get("tools").is_some() => {
            Some(reply::openai_error(500, "registry.ollama.ai/library/gemma3:1b does not support tools", "api_error", None, None, &id))
        }
        Scenario::SchemaKeywordRefused if chat && v.get("tools").is_some_and(|t| t.to_string().contains("additionalProperties")) => Some(reply::json_response(
            400,
            &json!({"error": {"code": 400, "message": "Invalid JSON payload received. Unknown name \"additionalProperties\" at 'tools[0].function_declarations[0].parameters': Cannot find field.", "status": "INVALID_ARGUMENT"}}),
            &id,
        )),
        Scenario::SchemaRefRefused if chat && v.get("tools").is_some_and(|t| t.to_string().contains("$ref") || t.to_string().contains("anyOf")) => Some(reply::json_response(
            400,
            &json!({"error": {"code": 400, "message": "Invalid JSON payload received. Unknown name \"$ref\" at 'tools[0].function_declarations[0].parameters.properties[0].value': Cannot find field.", "status": "INVALID_ARGUMENT"}}),
            &id,
        )),
        Scenario::ReasoningModel if chat && v.get("max_tokens").is_some() => Some(reply::openai_error(
            400,
            "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
            "invalid_request_error",
            Some("unsupported_parameter"),
            Some("max_tokens"),
            &id,
        )),
        _ => None,
    };
    if let Some(r) = refusal {
        return Err(r);
    }
    if route == Route::Messages && !headers.contains_key("anthropic-version") {
        return Err(reply::json_response(
            400,
            &json!({"type": "error", "error": {"type": "invalid_request_error", "message": "anthropic-version: header is required"}}),
            &id,
        ));
    }
    // A fallback gateway answers every id, served or not.
    if !m.serves(&ask.model) && m.scenario != Scenario::ModelFallback {
        let msg = format!(
            "The model `{}` does not exist or you do not have access to it.",
            ask.model
        );
        return Err(reply::openai_error(
            404,
            &msg,
            "invalid_request_error",
            Some("model_not_found"),
            Some("model"),
            &id,
        ));
    }
    // OpenAI's words when an embedding model is asked to generate, and the reverse.
    if (ask.model == EMBED_MODEL) != (route == Route::Embeddings) {
        let msg = if route == Route::Embeddings {
            format!("The model `{}` does not support embeddings.", ask.model)
        } else {
            format!(
                "This is not a chat model and thus not supported in the {} endpoint.",
                route.path()
            )
        };
        return Err(reply::openai_error(
            404,
            &msg,
            "invalid_request_error",
            Some("model_not_found"),
            Some("model"),
            &id,
        ));
    }
    if m.scenario == Scenario::ZenRoutes && zen_route_of(&ask.model) != route {
        return Err(zen_format_error(&ask.model, route, &id));
    }
    Ok((v, ask))
}

fn zen_format_error(model: &str, route: Route, id: &str) -> Response {
    reply::zen_error(
        401,
        "ModelError",
        &format!(
            "Model {model} is not supported for format {}",
            route.zen_format()
        ),
        id,
    )
}

/// Zen's family table: GPT on /responses, Claude on /messages, the rest on chat.
fn zen_route_of(model: &str) -> Route {
    if model.starts_with("gpt-") {
        Route::Responses
    } else if model.starts_with("claude-") {
        Route::Messages
    } else {
        Route::Chat
    }
}

impl Mock {
    /// The code word a stored response was told, when a chained turn asks for it (the
    /// previous-response-ignored scenario forgets it, as a gateway that drops the id does).
    fn recall(&self, v: &Value) -> Option<String> {
        let prev = v.get("previous_response_id").and_then(Value::as_str)?;
        if self.scenario == Scenario::PreviousResponseIgnored {
            return None;
        }
        let asked = v.get("input").map(|i| i.to_string()).unwrap_or_default();
        if !asked.contains("code word") {
            return None;
        }
        let stored = self.stored.lock().expect("mock lock");
        let (_, rest) = stored.get(prev)?.split_once("code word: ")?;
        Some(rest.chars().take_while(char::is_ascii_alphabetic).collect())
    }

    /// Real providers answer with a dated variant of the id asked for.
    fn answered_model(&self, asked: &str) -> String {
        if self.scenario == Scenario::ModelMismatch {
            "mock-fallback".to_string()
        } else if self.scenario == Scenario::ModelFallback && !self.serves(asked) {
            FALLBACK_MODEL.to_string()
        } else {
            format!("{asked}-2025-01-01")
        }
    }
    fn extras(&self) -> bool {
        matches!(self.scenario, Scenario::HealthyExtras | Scenario::ZenRoutes)
    }
    /// The ask as this scenario treats it: some servers never call a tool.
    fn adjust(&self, mut ask: Ask) -> Ask {
        ask.thinking = self.thinking(ask.effort.as_deref());
        match self.scenario {
            Scenario::ToolChoiceIgnored => ask.tool = None,
            // The model calls, in its own syntax; the server hands that over as text.
            Scenario::ToolCallAsText => {
                if let Some((name, schema)) = ask.tool.take() {
                    let args: Value = serde_json::from_str(&reply::tool_arguments(&schema))
                        .unwrap_or(Value::Null);
                    ask.text = format!(
                        "<tool_call> {} </tool_call>",
                        json!({"name": name, "arguments": args})
                    );
                }
            }
            Scenario::ToolsDropped => {
                ask.tool = None;
                ask.prompt_tokens -= ask.tools_tokens;
            }
            Scenario::ToolLoop
                if ask.tool.is_none() && ask.text.starts_with("The tool returned") =>
            {
                ask.tool = ask.offered.clone();
            }
            Scenario::SchemaIgnored if ask.format.as_deref() == Some("json_schema") => {
                ask.text = json!({"answer": "pong"}).to_string();
            }
            Scenario::JsonObjectIgnored if ask.format.is_some() => {
                ask.text = reply::ANSWER.to_string();
            }
            _ => {}
        }
        ask
    }

    /// What a Responses server checks of `input` before answering: a `previous_response_id`
    /// it stored, and tool outputs that answer a call (in the input, or in the stored
    /// response). Some scenarios refuse what OpenAI accepts.
    fn check_input(&self, v: &Value, id: &str) -> Option<Response> {
        let prev = v.get("previous_response_id").and_then(Value::as_str);
        if let Some(prev) = prev {
            // The mock keeps what it stored, unless it says store: false.
            let known = self.stored.lock().expect("mock lock").contains_key(prev);
            if !known || self.scenario == Scenario::PreviousResponseUnsupported {
                return Some(reply::openai_error(
                    400,
                    &format!("Previous response with id '{prev}' not found."),
                    "invalid_request_error",
                    None,
                    Some("previous_response_id"),
                    id,
                ));
            }
        }
        let items = v.get("input").and_then(Value::as_array)?;
        let outputs: Vec<&str> = items
            .iter()
            .filter(|i| i.get("type").and_then(Value::as_str) == Some("function_call_output"))
            .map(|i| i.get("call_id").and_then(Value::as_str).unwrap_or(""))
            .collect();
        if self.scenario == Scenario::FunctionCallOutputRejected && !outputs.is_empty() {
            return Some(reply::openai_error(
                400,
                "Invalid value: 'function_call_output'. Supported values are: 'message'.",
                "invalid_request_error",
                Some("invalid_value"),
                Some("input[2].type"),
                id,
            ));
        }
        let mut calls: Vec<&str> = items
            .iter()
            .filter(|i| i.get("type").and_then(Value::as_str) == Some("function_call"))
            .filter_map(|i| i.get("call_id").and_then(Value::as_str))
            .collect();
        if prev.is_some() {
            calls.push("call_mock1");
        }
        outputs.iter().find(|o| !calls.contains(o)).map(|o| {
            reply::openai_error(
                400,
                &format!("No tool call found for function call output with call_id {o}."),
                "invalid_request_error",
                None,
                Some("input"),
                id,
            )
        })
    }

    /// How this scenario's model reasons at this `reasoning_effort`, if it is a reasoning
    /// model: more tokens at higher efforts, unless the scenario ignores the effort.
    fn thinking(&self, effort: Option<&str>) -> Option<reply::Thinking> {
        let by_effort = match effort {
            Some("none") => 0,
            Some("minimal" | "low") => 8,
            Some("high" | "xhigh") => 96,
            _ => 24,
        };
        let (wants, field) = match self.scenario {
            Scenario::ReasoningModel => (by_effort, None),
            Scenario::Reasoning => (by_effort, Some("reasoning_content")),
            Scenario::ReasoningField => (by_effort, Some("reasoning")),
            Scenario::ReasoningRequired => (by_effort, Some("reasoning_content")),
            Scenario::ThinkTags => (by_effort, Some(reply::THINK_TAGS)),
            Scenario::ReasoningEffortIgnored => (24, Some("reasoning_content")),
            Scenario::ReasoningEatsCap => (u64::MAX, Some("reasoning_content")),
            _ => return None,
        };
        Some(reply::Thinking { wants, field })
    }

    /// What a chat server checks of `messages` before answering: an array, and tool
    /// results that answer a call made earlier (OpenAI's rules). Some scenarios break it.
    fn check_messages(&self, v: &Value, id: &str) -> Option<Response> {
        let messages = v.get("messages")?;
        let Some(list) = messages.as_array() else {
            return match self.scenario {
                Scenario::ErrorShape200 => None,
                Scenario::ErrorShapeHtml => Some(reply::text_response(500, "text/html", reply::HTML_500)),
                Scenario::ErrorShapeDetail => Some(reply::text_response(422, "application/json", r#"{"detail":[{"type":"list_type","loc":["body","messages"],"msg":"Input should be a valid list","input":"this should be an array of messages"}]}"#)),
                _ => Some(reply::openai_error(400, "Invalid type for 'messages': expected an array of objects, but got a string instead.", "invalid_request_error", Some("invalid_type"), Some("messages"), id)),
            };
        };
        let results: Vec<&str> = list
            .iter()
            .filter(|m| m.get("role").and_then(Value::as_str) == Some("tool"))
            .map(|m| m.get("tool_call_id").and_then(Value::as_str).unwrap_or(""))
            .collect();
        if results.is_empty() {
            return None;
        }
        match self.scenario {
            Scenario::ToolIdRejected => return Some(reply::openai_error(400, "Tool call id was call_mock1 but must be a-z, A-Z, 0-9, with a length of 9.", "invalid_request_error", None, None, id)),
            Scenario::TemplateError => return Some(reply::openai_error(500, "Error rendering prompt with jinja template: Conversation roles must alternate user/assistant/user/assistant/...", "server_error", None, None, id)),
            Scenario::ReasoningRequired => {
                // DeepSeek's words, with the index of the first call that lost its reasoning.
                let bare = list.iter().position(|m| {
                    m.get("tool_calls").is_some_and(|c| !c.is_null())
                        && m.get("reasoning_content").and_then(Value::as_str).is_none_or(|r| r.is_empty())
                });
                if let Some(i) = bare {
                    return Some(reply::openai_error(400, &format!("Missing `reasoning_content` field in the assistant message at message index {i}. For more information, please refer to https://api-docs.deepseek.com/guides/thinking_mode#tool-calls"), "invalid_request_error", Some("invalid_request_error"), None, id));
                }
            }
            _ => {}
        }
        let called: Vec<&str> = list
            .iter()
            .flat_map(|m| {
                m.get("tool_calls")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
            })
            .filter_map(|c| c.get("id").and_then(Value::as_str))
            .collect();
        results.iter().find(|r| !called.contains(r)).map(|r| {
            reply::openai_error(400, &format!("Invalid parameter: messages with role 'tool' must be a response to a preceding message with 'tool_calls' (no call has id '{r}')."), "invalid_request_error", None, Some("messages"), id)
        })
    }
}

async fn chat(State(m): State<Arc<Mock>>, headers: HeaderMap, body: Bytes) -> Response {
    let (v, ask) = match gate(&m, Route::Chat, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let mut ask = m.adjust(ask);
    let id = m.request_id();
    if let Some(r) = m.window(&v, &mut ask, &id) {
        return r;
    }
    if let Some(r) = m.follow(&v, &mut ask, &id) {
        return r;
    }
    let answered = m.answered_model(&ask.model);
    if !ask.stream && m.scenario == Scenario::EdgeTimeout {
        return reply::text_response(524, "text/html; charset=UTF-8", CLOUDFLARE_524);
    }
    if !ask.stream && m.scenario == Scenario::ErrorIn200 {
        let body = json!({"code": 500, "msg": "当前分组上游负载已饱和，请稍后再试 (upstream saturated, try again later)", "success": false, "data": null});
        return reply::json_response(200, &body, &id);
    }
    if !ask.stream || m.scenario == Scenario::NotSse {
        let mut c = reply::completion(&ask, &answered);
        if m.scenario == Scenario::ToolIdMissing {
            strip_call_ids(&mut c);
        }
        if m.extras() {
            c["cost"] = json!("0.00001840");
        }
        return reply::json_response(200, &c, &id);
    }
    chat_stream(&m, &ask, &answered, id)
}

async fn responses(State(m): State<Arc<Mock>>, headers: HeaderMap, body: Bytes) -> Response {
    let (v, ask) = match gate(&m, Route::Responses, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let mut ask = m.adjust(ask);
    let id = m.request_id();
    if let Some(r) = m.check_input(&v, &id) {
        return r;
    }
    if m.scenario == Scenario::ResponsesSchemaIgnored && ask.format.is_some() {
        ask.text = reply::ANSWER.to_string();
    }
    if let Some(word) = m.recall(&v) {
        ask.text = word;
    }
    let answered = m.answered_model(&ask.model);
    if !ask.stream {
        let mut answer =
            reply::response_object(&ask, &answered, "completed", reply::response_output(&ask));
        let response_id = format!("resp_{id}");
        answer["id"] = json!(response_id);
        let stores = m.scenario != Scenario::PreviousResponseUnsupported
            && v.get("store") != Some(&Value::Bool(false));
        if stores {
            let asked = v.get("input").map(|i| i.to_string()).unwrap_or_default();
            m.stored
                .lock()
                .expect("mock lock")
                .insert(response_id, asked);
        }
        answer["store"] = json!(stores);
        if m.scenario == Scenario::CallIdMissing {
            for item in answer["output"].as_array_mut().into_iter().flatten() {
                if let Some(o) = item.as_object_mut() {
                    o.remove("call_id");
                }
            }
        }
        return reply::json_response(200, &answer, &id);
    }
    let fail_after = (m.scenario == Scenario::ResponsesFailed).then_some(2);
    reply::sse(
        reply::response_events(&ask, &answered, fail_after, m.extras()),
        PACE,
        None,
        Ending::Close,
        id,
    )
}

async fn messages(State(m): State<Arc<Mock>>, headers: HeaderMap, body: Bytes) -> Response {
    let (v, ask) = match gate(&m, Route::Messages, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let id = m.request_id();
    let answered = m.answered_model(&ask.model);
    if !ask.stream && thinking::involved(&v) {
        if let Some(msg) = thinking::refusal(&v) {
            let e = json!({"type": "error", "error": {"type": "invalid_request_error", "message": msg}});
            return reply::json_response(400, &e, &id);
        }
        let unsigned = m.scenario == Scenario::ThinkingUnsigned;
        return reply::json_response(200, &thinking::answer(&v, &answered, unsigned), &id);
    }
    if !ask.stream {
        return reply::json_response(200, &reply::anthropic_message(&ask, &answered), &id);
    }
    reply::sse(
        reply::anthropic_events(&ask, &answered, m.extras()),
        PACE,
        None,
        Ending::Close,
        id,
    )
}

async fn embeddings(State(m): State<Arc<Mock>>, headers: HeaderMap, body: Bytes) -> Response {
    let (v, ask) = match gate(&m, Route::Embeddings, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let id = m.request_id();
    let answer = reply::embeddings(&v, &m.answered_model(&ask.model), m.scenario);
    reply::json_response(200, &answer, &id)
}

fn chat_stream(m: &Mock, ask: &Ask, model: &str, id: String) -> Response {
    let s = m.scenario;
    let extras = m.extras();
    let with_usage = (ask.include_usage || extras) && s != Scenario::UsageIgnored;
    let mut chunks = reply::stream_chunks(ask, model, with_usage);
    if s == Scenario::ToolIdMissing {
        chunks.iter_mut().for_each(strip_call_ids);
    }
    if s == Scenario::StreamNoFinish {
        for c in chunks.iter_mut() {
            for choice in c["choices"].as_array_mut().into_iter().flatten() {
                if let Some(o) = choice.as_object_mut() {
                    o.remove("finish_reason");
                }
            }
        }
    }
    let mut frames: Vec<Bytes> = Vec::new();
    if extras {
        frames.push(Bytes::from_static(b": keep-alive\r\n\r\n"));
    }
    if s == Scenario::StreamEmptyChoices {
        frames.push(reply::frame(&json!({"id": "chatcmpl-mock", "object": "chat.completion.chunk", "created": reply::CREATED, "model": model, "choices": []}).to_string(), false));
    }
    if s == Scenario::StreamUtf8Broken {
        // "中" is E4 B8 AD: the event carries its first two bytes only.
        let mut bad = b"data: {\"id\":\"chatcmpl-mock\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"".to_vec();
        bad.extend_from_slice(&[0xE4, 0xB8]);
        bad.extend_from_slice(b"\"}}]}\n\n");
        frames.push(Bytes::from(bad));
    }
    let mut ending = if s == Scenario::StreamNeverCloses {
        Ending::Stall
    } else {
        Ending::Close
    };
    let mut done = true;
    for (i, c) in chunks.iter().enumerate() {
        // Faults strike after the role chunk and two pieces of content.
        if i == 3 {
            match s {
                Scenario::StreamTruncated => (ending, done) = (Ending::Cut, false),
                Scenario::StreamStalled => (ending, done) = (Ending::Stall, false),
                Scenario::StreamError => {
                    frames.push(reply::frame(&json!({"error": {"message": "Upstream provider overloaded (zencheck mock)", "type": "server_error", "code": "overloaded"}}).to_string(), false));
                    done = false;
                }
                Scenario::StreamMalformed => frames.push(reply::frame(
                    "{'choices': [{'delta': {'content': ' oops'}}]}",
                    false,
                )),
                _ => {}
            }
            if !done {
                break;
            }
        }
        let mut data = c.to_string();
        if s == Scenario::StreamUtf8Replaced {
            // A gateway that decoded 你 (E4 BD A0) cut across two reads, one read at a time.
            data = data.replace('你', "\u{FFFD}\u{FFFD}");
        }
        frames.extend(reply::split_in_char(reply::frame(&data, extras)));
    }
    if s == Scenario::StreamNoDone {
        done = false;
    }
    if done {
        frames.push(reply::frame("[DONE]", extras));
        if extras {
            frames.push(reply::frame(&json!({"id": "chatcmpl-mock", "object": "chat.completion.chunk", "choices": [], "cost": "0.00001840"}).to_string(), true));
        }
    }
    let burst = (s == Scenario::StreamBuffered).then_some(BURST_AFTER);
    reply::sse(frames, PACE, burst, ending, id)
}

/// Remove the `id` of every tool call in a completion or chunk (tool-id-missing).
fn strip_call_ids(v: &mut Value) {
    for choice in v
        .get_mut("choices")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        for key in ["message", "delta"] {
            if let Some(calls) = choice
                .get_mut(key)
                .and_then(|m| m.get_mut("tool_calls"))
                .and_then(Value::as_array_mut)
            {
                for c in calls.iter_mut().filter_map(Value::as_object_mut) {
                    c.remove("id");
                }
            }
        }
    }
}
