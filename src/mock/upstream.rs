//! The upstream of `zencheck fidelity`: the built-in provider put behind a gateway under
//! test. It answers any model name on `/v1/…` and `/…`, plays the act a request's prompt
//! names (a marker survives gateways that rename models and rewrite headers), and records
//! what it received and what it sent, so that both sides of the gateway can be compared.
//! HTTP/1.0 requests (nginx's default towards an upstream) get a close-delimited body; it
//! never sends `X-Accel-Buffering` itself, so a gateway is judged on its own settings.

use super::reply::{self, Ask, Ending};
use axum::extract::{Request, State};
use axum::response::Response;
use axum::Router;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the upstream plays for one request, named by the marker in its prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Act {
    /// A plain answer (a forced tool call when tools are offered), with usage and a request id.
    Basic,
    /// A stream whose content chunks are `Plan::pace` apart, usage, `finish_reason`, `[DONE]`.
    Stream,
    /// 429 with a short `Retry-After`.
    RateLimit,
    /// 400 naming a parameter.
    BadParam,
    /// A stream that fails mid-way with an in-band error event, then ends.
    StreamError,
    /// A stream whose connection is cut mid-way.
    StreamCut,
    /// `Plan::silence` before the headers, then a stream.
    SilenceHeaders,
    /// Two chunks, `Plan::silence` without a byte, then the rest of the stream.
    SilenceStream,
}

impl Act {
    pub const ALL: [Act; 8] = [
        Act::Basic,
        Act::Stream,
        Act::RateLimit,
        Act::BadParam,
        Act::StreamError,
        Act::StreamCut,
        Act::SilenceHeaders,
        Act::SilenceStream,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Act::Basic => "basic",
            Act::Stream => "stream",
            Act::RateLimit => "rate-limit",
            Act::BadParam => "bad-param",
            Act::StreamError => "stream-error",
            Act::StreamCut => "stream-cut",
            Act::SilenceHeaders => "silence-headers",
            Act::SilenceStream => "silence-stream",
        }
    }

    /// What `-v` and `--trace` call the exchange of this act.
    pub fn trace_name(self) -> &'static str {
        match self {
            Act::Basic => "fidelity act basic",
            Act::Stream => "fidelity act stream",
            Act::RateLimit => "fidelity act rate-limit",
            Act::BadParam => "fidelity act bad-param",
            Act::StreamError => "fidelity act stream-error",
            Act::StreamCut => "fidelity act stream-cut",
            Act::SilenceHeaders => "fidelity act silence-headers",
            Act::SilenceStream => "fidelity act silence-stream",
        }
    }

    /// The text a prompt carries so that the upstream plays this act for run `run`.
    pub fn marker(self, run: &str) -> String {
        format!("{MARK}{run} act={}]", self.name())
    }
}

const MARK: &str = "[zencheck-fidelity run=";

/// The run and act a request body names, wherever the gateway put the prompt.
fn marked(raw: &str) -> Option<(String, Act)> {
    let rest = &raw[raw.find(MARK)? + MARK.len()..];
    let end = rest.find(']')?;
    let (run, act) = rest[..end].split_once(" act=")?;
    let act = Act::ALL.into_iter().find(|a| a.name() == act)?;
    Some((run.to_string(), act))
}

/// The answer the stream acts write, a word per content chunk.
pub const STREAM_TEXT: &str = "one two three four five six seven eight";
/// The message of the upstream's 429 and 400, as a client should get it.
pub const RATE_LIMIT_MESSAGE: &str =
    "Rate limit reached for requests per min (zencheck upstream). Please try again in 1s.";
pub const BAD_PARAM_MESSAGE: &str =
    "Unsupported value: 'seed' is not supported with this model (zencheck upstream).";
/// The upstream's in-band error (`Act::StreamError`).
pub const STREAM_ERROR_MESSAGE: &str = "Upstream overloaded mid-stream (zencheck upstream)";
/// How long the 429 asks the client to wait.
pub const RETRY_AFTER_SECS: u64 = 1;
/// Exchanges kept; a gateway's health checks beyond that are not recorded.
const LOG_CAP: usize = 1000;
/// Largest request body read.
const BODY_CAP: usize = 1 << 20;

/// How the upstream paces its acts.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Between the content chunks of `Act::Stream`: far enough apart that a burst is plain.
    pub pace: Duration,
    /// The silence of the silence acts.
    pub silence: Duration,
}

impl Default for Plan {
    fn default() -> Self {
        Plan {
            pace: Duration::from_millis(250),
            silence: Duration::from_secs(5),
        }
    }
}

/// One request the upstream received, and what it answered.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub run: Option<String>,
    pub act: Option<Act>,
    pub method: String,
    pub path: String,
    /// `HTTP/1.0`, `HTTP/1.1`…
    pub version: String,
    /// As received, names lowercased; credentials shown as `[redacted]`.
    pub headers: Vec<(String, String)>,
    /// The JSON body (null when it was not JSON).
    pub body: Value,
    pub sent: Sent,
}

/// What the upstream answered.
#[derive(Debug, Clone, Default)]
pub struct Sent {
    /// 0 until the headers were sent.
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// The model named in the answer.
    pub model: Option<String>,
    /// A non-streamed answer's body.
    pub body: Option<Value>,
    /// A stream's events: when each was planned, in ms after the headers, and its data.
    pub events: Vec<(u64, String)>,
    /// The stream was cut (no terminator) after its events.
    pub cut: bool,
    /// The silence held, in ms (before the headers or mid-stream).
    pub silence_ms: u64,
}

impl Exchange {
    pub fn header(&self, name: &str) -> Option<&str> {
        find(&self.headers, name)
    }
}

impl Sent {
    pub fn header(&self, name: &str) -> Option<&str> {
        find(&self.headers, name)
    }
}

fn find<'a>(h: &'a [(String, String)], name: &str) -> Option<&'a str> {
    h.iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// A running upstream; stops when dropped.
pub struct Upstream {
    pub addr: SocketAddr,
    log: Arc<Mutex<Vec<Exchange>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Upstream {
    /// Every exchange so far, in arrival order.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.log.lock().expect("upstream log").clone()
    }
    /// The exchanges of one act of run `run` (a gateway's retries make several).
    pub fn of(&self, run: &str, act: Act) -> Vec<Exchange> {
        self.exchanges()
            .into_iter()
            .filter(|e| e.act == Some(act) && e.run.as_deref() == Some(run))
            .collect()
    }
}

impl Drop for Upstream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

struct Shared {
    plan: Plan,
    log: Arc<Mutex<Vec<Exchange>>>,
    next_id: AtomicU64,
}

/// Listen on `addr` and answer until dropped.
pub async fn start(addr: SocketAddr, plan: Plan) -> std::io::Result<Upstream> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let log = Arc::new(Mutex::new(Vec::new()));
    let shared = Arc::new(Shared {
        plan,
        log: log.clone(),
        next_id: AtomicU64::new(1),
    });
    let app = Router::new().fallback(answer).with_state(shared);
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(Upstream { addr, log, task })
}

async fn answer(State(s): State<Arc<Shared>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let raw = axum::body::to_bytes(body, BODY_CAP)
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&raw);
    let (run, act) = marked(&text).unzip();
    let headers = parts
        .headers
        .iter()
        .map(|(n, v)| {
            let n = n.as_str().to_ascii_lowercase();
            let v = if matches!(n.as_str(), "authorization" | "api-key" | "x-api-key") {
                "[redacted]".to_string()
            } else {
                String::from_utf8_lossy(v.as_bytes()).into_owned()
            };
            (n, v)
        })
        .collect();
    let path = parts.uri.path().to_string();
    let body: Value = serde_json::from_slice(&raw).unwrap_or(Value::Null);
    let slot = {
        let mut log = s.log.lock().expect("upstream log");
        (log.len() < LOG_CAP).then(|| {
            log.push(Exchange {
                run,
                act,
                method: parts.method.to_string(),
                path: path.clone(),
                version: format!("{:?}", parts.version),
                headers,
                body: body.clone(),
                sent: Sent::default(),
            });
            log.len() - 1
        })
    };
    let id = format!("req_upstream_{}", s.next_id.fetch_add(1, Ordering::Relaxed));
    let route = path.strip_prefix("/v1").unwrap_or(&path);
    let (response, mut sent) = match (parts.method.as_str(), route) {
        ("GET", "/models") => {
            let list = json!({"object": "list", "data": [{"id": "zencheck-upstream", "object": "model", "created": reply::CREATED, "owned_by": "zencheck"}]});
            (reply::json_response(200, &list, &id), Sent::default())
        }
        ("POST", "/chat/completions") if body.is_object() => chat(&s.plan, act, &body, &id).await,
        ("POST", "/chat/completions") => (
            reply::openai_error(
                400,
                "We could not parse the JSON body of your request.",
                "invalid_request_error",
                None,
                None,
                &id,
            ),
            Sent::default(),
        ),
        _ => (
            reply::openai_error(
                404,
                &format!("Invalid URL ({} {path})", parts.method),
                "invalid_request_error",
                Some("unknown_url"),
                None,
                &id,
            ),
            Sent::default(),
        ),
    };
    sent.status = response.status().as_u16();
    sent.headers = response
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    if let Some(i) = slot {
        s.log.lock().expect("upstream log")[i].sent = sent;
    }
    response
}

/// One content chunk's worth of a stream: a word of [`STREAM_TEXT`].
fn stream_ask(v: &Value) -> Ask {
    let mut ask = Ask::parse(v);
    ask.tool = None;
    ask.max_tokens = None;
    ask.text = STREAM_TEXT.to_string();
    ask
}

async fn chat(plan: &Plan, act: Option<Act>, v: &Value, id: &str) -> (Response, Sent) {
    let model = v
        .get("model")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let mut sent = Sent {
        model: Some(model.clone()),
        ..Default::default()
    };
    let quick = Duration::from_millis(15);
    match act {
        Some(Act::RateLimit) => {
            let r = reply::openai_error(
                429,
                RATE_LIMIT_MESSAGE,
                "requests",
                Some("rate_limit_exceeded"),
                None,
                id,
            );
            sent.model = None;
            (
                reply::with_header(r, "retry-after", &RETRY_AFTER_SECS.to_string()),
                sent,
            )
        }
        Some(Act::BadParam) => {
            sent.model = None;
            (
                reply::openai_error(
                    400,
                    BAD_PARAM_MESSAGE,
                    "invalid_request_error",
                    Some("unsupported_value"),
                    Some("seed"),
                    id,
                ),
                sent,
            )
        }
        Some(Act::Stream) => {
            let ask = stream_ask(v);
            let chunks = reply::stream_chunks(&ask, &model, ask.include_usage);
            stream(chunks, plan.pace, None, Ending::Close, id, sent)
        }
        Some(Act::StreamError) => {
            let ask = stream_ask(v);
            let mut chunks: Vec<Value> = reply::stream_chunks(&ask, &model, false)
                .into_iter()
                .take(4)
                .collect();
            chunks.push(json!({"error": {"message": STREAM_ERROR_MESSAGE, "type": "server_error", "code": "overloaded"}}));
            stream(
                chunks,
                Duration::from_millis(100),
                None,
                Ending::Close,
                id,
                sent,
            )
        }
        Some(Act::StreamCut) => {
            let ask = stream_ask(v);
            let chunks = reply::stream_chunks(&ask, &model, false)
                .into_iter()
                .take(4)
                .collect();
            stream(
                chunks,
                Duration::from_millis(100),
                None,
                Ending::Cut,
                id,
                sent,
            )
        }
        Some(Act::SilenceHeaders) => {
            tokio::time::sleep(plan.silence).await;
            sent.silence_ms = plan.silence.as_millis() as u64;
            let ask = stream_ask(v);
            let chunks = reply::stream_chunks(&ask, &model, ask.include_usage);
            stream(chunks, quick, None, Ending::Close, id, sent)
        }
        Some(Act::SilenceStream) => {
            sent.silence_ms = plan.silence.as_millis() as u64;
            let ask = stream_ask(v);
            let chunks = reply::stream_chunks(&ask, &model, ask.include_usage);
            stream(
                chunks,
                quick,
                Some((3, plan.silence)),
                Ending::Close,
                id,
                sent,
            )
        }
        Some(Act::Basic) | None => {
            let ask = Ask::parse(v);
            if ask.stream {
                let chunks = reply::stream_chunks(&ask, &model, ask.include_usage);
                return stream(chunks, quick, None, Ending::Close, id, sent);
            }
            let c = reply::completion(&ask, &model);
            sent.body = Some(c.clone());
            (reply::json_response(200, &c, id), sent)
        }
    }
}

/// A stream of `chunks` (and `[DONE]` unless it is cut or ends in an error), `pace` apart,
/// with `silence` = (before which event, how long) held mid-stream; recorded in `sent`.
fn stream(
    chunks: Vec<Value>,
    pace: Duration,
    silence: Option<(usize, Duration)>,
    ending: Ending,
    id: &str,
    mut sent: Sent,
) -> (Response, Sent) {
    let failed = chunks.last().is_some_and(|c| c.get("error").is_some());
    let mut data: Vec<String> = chunks.iter().map(Value::to_string).collect();
    if ending == Ending::Close && !failed {
        data.push("[DONE]".to_string());
    }
    let mut at = Duration::ZERO;
    let mut schedule = Vec::new();
    for (i, d) in data.into_iter().enumerate() {
        let wait = match silence {
            Some((n, s)) if n == i => s,
            _ if i == 0 => Duration::ZERO,
            _ => pace,
        };
        at += wait;
        sent.events.push((at.as_millis() as u64, d.clone()));
        schedule.push((wait, reply::frame(&d, false)));
    }
    sent.cut = ending == Ending::Cut;
    let tail = if ending == Ending::Cut {
        pace
    } else {
        Duration::ZERO
    };
    (
        reply::sse_timed(schedule, tail, ending, id.to_string()),
        sent,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_marker_is_found_wherever_the_prompt_went() {
        let m = Act::RateLimit.marker("r1");
        let body = json!({"messages": [{"role": "user", "content": format!("hello {m} there")}]});
        assert_eq!(
            marked(&body.to_string()),
            Some(("r1".to_string(), Act::RateLimit))
        );
        assert_eq!(marked("no marker"), None);
        assert_eq!(marked("[zencheck-fidelity run=r1 act=dance]"), None);
    }
}
