//! `zencheck opencode serve-check`: a running `opencode serve`, as an SDK uses it.
//!
//! Health, the configured providers, one tiny prompt with the nested model form while
//! `GET /event` is read (report 002: a stream that delivered only `server.connected` and
//! heartbeats), and whether the model asked for is the one that answered — also with the
//! flat `providerID`/`modelID` form some SDKs send, which opencode 1.18 ignores silently.

use super::OpencodeCheck;
use super::{read_error, ModelRef};
use crate::check::models::closest;
use crate::check::PROMPT;
use crate::error::RunError;
use crate::failure::{HintContext, Kind};
use crate::finding::{Evidence, Finding, Status, Timing};
use crate::fit::excerpt;
use crate::http::sse;
use crate::http::{Auth, Http, Limits, Request};
use crate::report::{CheckResult, TargetRun};
use crate::target::Target;
use secrecy::SecretString;
use serde_json::{json, Value};
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// Bound on each call besides the prompt: health, providers, a new session, the config.
const CALL_WAIT: Duration = Duration::from_secs(10);
/// How long the event stream may take to say `server.connected`.
const CONNECT_WAIT: Duration = Duration::from_secs(5);
/// After the prompt returns, how long the events of its end may still take to arrive.
const EVENT_GRACE: Duration = Duration::from_secs(2);
/// Deleting the sessions zencheck made may run this far past `--timeout`, no further.
const CLEANUP_WAIT: Duration = Duration::from_secs(1);
/// Events of `/event` kept for the judge (those naming a session); the rest are counted.
const KEPT_CAP: usize = 10_000;
/// Room past `KEPT_CAP` for idle and error events, which end a prompt.
const END_RESERVE: usize = 64;
/// Distinct types of the events not kept (heartbeats, other sessions), for the report.
const KINDS_CAP: usize = 32;
/// Longest type name or id kept from one event.
const FIELD_CAP: usize = 128;
/// `opencode serve` with OPENCODE_SERVER_PASSWORD wants basic auth as "opencode".
const AUTH: Auth = Auth::Basic { user: "opencode" };

pub struct ServeCheck {
    pub url: String,
    pub model: ModelRef,
    pub password_env: Option<String>,
    pub password: Option<SecretString>,
    /// Bounds the whole check: every request and wait ends by then.
    pub timeout: Duration,
}

/// The shared HTTP client, the server as its target, and the check's deadline.
#[derive(Clone)]
struct Client {
    http: Http,
    target: Arc<Target>,
    timeout: Duration,
    deadline: Instant,
}

/// One answer from the server: status and JSON (or `Null` when the body was not JSON).
struct Got {
    status: u16,
    body: Value,
    ms: u64,
}

impl Client {
    fn left(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    fn spent(&self) -> Finding {
        Finding::fail(
            Kind::Timeout,
            format!(
                "the --timeout of {} s ran out before this step",
                self.timeout.as_secs_f32()
            ),
        )
    }

    /// The shared client with its wait for headers cut to `headers` and the whole request
    /// to `total`; the connect, idle-gap and body bounds are its own.
    fn within(&self, headers: Duration, total: Duration) -> Http {
        let mut h = self.http.clone();
        h.limits.idle = headers.min(total);
        h.limits.total = total;
        h
    }

    /// One request, bounded by `bound` and by what is left of `--timeout`.
    async fn call(
        &self,
        method: reqwest::Method,
        path: impl Into<Cow<'static, str>>,
        body: Option<Value>,
        bound: Duration,
    ) -> Result<Got, Finding> {
        let left = self.left();
        if left.is_zero() {
            return Err(self.spent());
        }
        let b = bound.min(left);
        self.send(Request::new(method, path, body, AUTH), self.within(b, b))
            .await
    }

    async fn send(&self, r: Request, http: Http) -> Result<Got, Finding> {
        // The client bounds each attempt; this bounds a retried one too.
        let total = http.limits.total;
        let answer = tokio::time::timeout(total, http.call(&self.target, &r))
            .await
            .unwrap_or_else(|_| {
                Err(Finding::fail(
                    Kind::Timeout,
                    format!("no complete answer within {} s", total.as_secs_f32()),
                ))
            });
        match answer {
            Ok(a) => Ok(Got {
                status: a.status,
                body: serde_json::from_slice(&a.body).unwrap_or(Value::Null),
                ms: a.timing.total.unwrap_or(0),
            }),
            Err(mut f) => {
                f.detail = format!("{} {}: {}", r.method, r.path, f.detail);
                Err(f)
            }
        }
    }
}

/// An event of `GET /event` that names a session, reduced to what the judge reads.
#[derive(Debug, Clone)]
struct Seen {
    at: Instant,
    kind: String,
    session: String,
    /// `message.updated` of an assistant message: its id.
    assistant_message: Option<String>,
    /// `message.part.updated` of a text part: the message it belongs to.
    text_part_of: Option<String>,
    /// `message.part.delta` of the text field.
    text_delta: bool,
    idle: bool,
    /// `session.error`: the error's name.
    error: Option<String>,
}

/// What the judge needs of `GET /event`, folded in as events arrive so that memory stays
/// bounded whatever the server sends: at most `KEPT_CAP` events that name a session, the
/// types of the rest (heartbeats are not kept), and counts.
#[derive(Default)]
struct EventBook {
    /// Once the prompt's session is known, only its events are kept.
    focus: Option<String>,
    count: usize,
    kept: Vec<Seen>,
    dropped: usize,
    others: BTreeSet<String>,
    /// The focused session's idle status has arrived.
    idle: bool,
    /// The stream could not be opened or ended before zencheck stopped reading it.
    ended: Option<(Kind, String)>,
}

fn capped(s: &str) -> String {
    crate::fit::prefix(s, FIELD_CAP).0.to_string()
}

fn session_of(props: &Value) -> Option<&str> {
    ["/sessionID", "/info/sessionID", "/part/sessionID"]
        .iter()
        .find_map(|p| props.pointer(p))
        .and_then(Value::as_str)
}

impl EventBook {
    fn add(&mut self, ev: &sse::TimedEvent) {
        self.count += 1;
        let v: Value = serde_json::from_str(&ev.data).unwrap_or(Value::Null);
        let props = v.get("properties").unwrap_or(&Value::Null);
        let kind = capped(v.get("type").and_then(Value::as_str).unwrap_or(&ev.event));
        let session = session_of(props).map(capped);
        let Some(session) = session.filter(|s| self.focus.as_ref().is_none_or(|f| f == s)) else {
            self.other(kind);
            return;
        };
        let str_at = |p: &str| props.pointer(p).and_then(Value::as_str).map(capped);
        let seen = Seen {
            at: Instant::now(),
            assistant_message: (kind == "message.updated"
                && props.pointer("/info/role") == Some(&json!("assistant")))
            .then(|| str_at("/info/id"))
            .flatten(),
            text_part_of: (kind == "message.part.updated"
                && props.pointer("/part/type") == Some(&json!("text")))
            .then(|| str_at("/part/messageID"))
            .flatten(),
            text_delta: kind == "message.part.delta" && props.get("field") == Some(&json!("text")),
            idle: kind == "session.idle" || props.pointer("/status/type") == Some(&json!("idle")),
            error: (kind == "session.error")
                .then(|| str_at("/error/name").unwrap_or_else(|| "?".into())),
            kind,
            session,
        };
        // Past the cap, room is left for the few events that end a prompt.
        let ends = seen.idle || seen.error.is_some();
        if self.kept.len() >= KEPT_CAP && !(ends && self.kept.len() < KEPT_CAP + END_RESERVE) {
            self.dropped += 1;
            return;
        }
        self.idle |= seen.idle && self.focus.as_ref() == Some(&seen.session);
        self.kept.push(seen);
    }

    fn other(&mut self, kind: String) {
        if self.others.len() < KINDS_CAP {
            self.others.insert(kind);
        }
    }

    /// Keep only `session`'s events from now on.
    fn focus(&mut self, session: &str) {
        let kept = std::mem::take(&mut self.kept);
        for e in kept {
            if e.session == session {
                self.idle |= e.idle;
                self.kept.push(e);
            } else {
                self.other(e.kind);
            }
        }
        self.focus = Some(session.to_string());
    }
}

/// Read `GET /event` into `book` until the stream ends or the task is aborted.
async fn read_events(client: Client, book: Arc<Mutex<EventBook>>, wake: Arc<Notify>) {
    let ended = match open_events(&client).await {
        Err(why) => why,
        Ok(opened) => {
            // Scrubbed as it is read, as every stream is (`Http::read_stream`).
            let redactor = opened.redactor.clone();
            let bounds = sse::Bounds {
                started: opened.started,
                idle: client.timeout,
                deadline: opened.deadline,
                cap: client.http.limits.stream_cap,
            };
            let t = sse::read_each(opened.into_body_stream(), bounds, |ev| {
                let ev = sse::TimedEvent {
                    event: redactor.scrub(&ev.event),
                    data: redactor.scrub(&ev.data),
                    at_ms: ev.at_ms,
                };
                book.lock().expect("event book lock").add(&ev);
                wake.notify_one();
            })
            .await;
            let (kind, why) = stream_end(&t.end);
            (kind, redactor.scrub(&why))
        }
    };
    book.lock().expect("event book lock").ended = Some(ended);
    wake.notify_one();
}

async fn open_events(client: &Client) -> Result<crate::http::Opened, (Kind, String)> {
    let left = client.left();
    let http = client.within(CONNECT_WAIT, left);
    let r = Request::new(reqwest::Method::GET, "/event", None, AUTH);
    let open = tokio::time::timeout(CONNECT_WAIT.min(left), http.open(&client.target, &r));
    let opened = match open.await {
        Err(_) => {
            return Err((
                Kind::Timeout,
                format!(
                    "GET /event: no response headers within {} s",
                    CONNECT_WAIT.as_secs()
                ),
            ))
        }
        Ok(Err(f)) => {
            return Err((
                f.kind.unwrap_or(Kind::Network),
                format!("GET /event: {}", f.detail),
            ))
        }
        Ok(Ok(o)) => o,
    };
    if !(200..300).contains(&opened.status) {
        return Err((
            Kind::BadResponse,
            format!("GET /event answered HTTP {}", opened.status),
        ));
    }
    Ok(opened)
}

/// How the event stream ended on its own, as a kind and words.
fn stream_end(end: &sse::End) -> (Kind, String) {
    match end {
        sse::End::Clean => (
            Kind::StreamTruncated,
            "the server closed the event stream".into(),
        ),
        sse::End::Cut(m) => (
            Kind::StreamTruncated,
            format!("the event stream broke: {m}"),
        ),
        sse::End::Stalled { idle_ms } => (
            Kind::StreamStalled,
            format!("the event stream was silent for {} s", idle_ms / 1000),
        ),
        sse::End::TotalTimeout { total_ms } => (
            Kind::Timeout,
            format!("the --timeout ran out after {} s", total_ms / 1000),
        ),
        sse::End::TooLarge { cap } => (
            Kind::BadResponse,
            format!("the event stream sent more than its {cap} byte cap"),
        ),
        sse::End::TooManyEvents { cap } => (
            Kind::BadResponse,
            format!("the event stream sent more than {cap} events"),
        ),
        sse::End::Undecodable(m) => (
            Kind::StreamMalformed,
            format!("the event stream is not SSE: {m}"),
        ),
    }
}

/// Wait until `done` holds or `until` passes, woken by the event reader.
async fn wait_for(wake: &Notify, until: Instant, mut done: impl FnMut() -> bool) {
    while !done() {
        let woken = tokio::time::timeout_at(until.into(), wake.notified()).await;
        if woken.is_err() {
            return;
        }
    }
}

/// The checks, as one target's run.
pub async fn check(sc: &ServeCheck) -> Result<TargetRun, RunError> {
    let started = Instant::now();
    // Parsed as every base URL is: user info and query kept as secrets, never shown.
    let mut target =
        Target::new("opencode", &sc.url).map_err(|e| RunError::Usage(format!("--url: {e}")))?;
    target.key_env = sc.password_env.clone();
    target.key = sc.password.clone();
    target.models = vec![sc.model.to_string()];
    let limits = Limits {
        connect: Limits::default().connect.min(sc.timeout),
        // A 429 from opencode is reported, not waited out.
        max_retry_wait: Duration::ZERO,
        ..Limits::default()
    };
    let http = Http::new(limits).map_err(|e| RunError::Client(e.to_string()))?;
    let model = sc.model.to_string();
    let client = Client {
        http,
        target: Arc::new(target),
        timeout: sc.timeout,
        deadline: started + sc.timeout,
    };
    let mut rows: Vec<(OpencodeCheck, Finding)> = Vec::new();

    let health = health(&client).await;
    let healthy = health.status == Status::Pass;
    rows.push((OpencodeCheck::Health, health));
    let configured = if healthy {
        providers(&client, &sc.model).await
    } else {
        (Finding::skip("opencode.health failed"), None)
    };
    let ready = configured.0.status == Status::Pass;
    rows.push((OpencodeCheck::Providers, configured.0));

    if ready {
        let (prompt, events, selection) =
            prompt_and_events(&client, &sc.model, configured.1.as_ref()).await;
        rows.push((OpencodeCheck::Prompt, prompt));
        rows.push((OpencodeCheck::Events, events));
        rows.push((OpencodeCheck::ModelSelection, selection));
    } else {
        let why = if healthy {
            "the model is not configured (see opencode.providers)"
        } else {
            "opencode.health failed"
        };
        for c in [
            OpencodeCheck::Prompt,
            OpencodeCheck::Events,
            OpencodeCheck::ModelSelection,
        ] {
            rows.push((c, Finding::skip(why)));
        }
    }

    let cx = HintContext {
        model: Some(&model),
        opencode_provider: Some(&sc.model.provider),
        key_env: sc.password_env.as_deref(),
        ..Default::default()
    };
    let checks = rows
        .into_iter()
        .map(|(c, f)| {
            let cx = HintContext {
                check: c.hint(),
                ..cx.clone()
            };
            CheckResult::from_finding("opencode", c.id(), c.endpoint(), f, &cx)
        })
        .collect();
    Ok(TargetRun {
        info: client.target.info(),
        models_available: None,
        require: vec![],
        checks,
        secrets: client.target.secrets(),
        spent: Default::default(),
    })
}

async fn health(client: &Client) -> Finding {
    match client.call(reqwest::Method::GET, "/global/health", None, CALL_WAIT).await {
        Err(f) => f,
        Ok(g) if g.status == 401 => Finding::fail(Kind::Auth, "HTTP 401: the server has OPENCODE_SERVER_PASSWORD set; pass it with --password-env VAR").with_evidence(ev(g.status)),
        Ok(g) if g.body.get("healthy") == Some(&Value::Bool(true)) => {
            let version = g.body.get("version").and_then(Value::as_str).unwrap_or("?");
            Finding::pass(format!("healthy, opencode {version}")).with_timing(Timing { total: Some(g.ms), ..Default::default() })
        }
        Ok(g) => Finding::fail(Kind::BadResponse, format!("HTTP {}: not an opencode health answer: {}", g.status, excerpt(&g.body.to_string(), 120))).with_evidence(ev(g.status)),
    }
}

fn ev(status: u16) -> Evidence {
    Evidence {
        http_status: Some(status),
        ..Default::default()
    }
}

/// Is the model configured? Returns the provider's other model ids for the flat-form test.
async fn providers(client: &Client, want: &ModelRef) -> (Finding, Option<Vec<String>>) {
    let g = match client
        .call(reqwest::Method::GET, "/config/providers", None, CALL_WAIT)
        .await
    {
        Ok(g) => g,
        Err(f) => return (f, None),
    };
    let Some(list) = g.body.get("providers").and_then(Value::as_array) else {
        return (
            Finding::fail(
                Kind::BadResponse,
                format!("HTTP {}: no providers[] in /config/providers", g.status),
            )
            .with_evidence(ev(g.status)),
            None,
        );
    };
    let mut all = Vec::new();
    let mut same_provider = None;
    for p in list {
        let id = p.get("id").and_then(Value::as_str).unwrap_or("");
        let models: Vec<String> = p
            .get("models")
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        all.extend(models.iter().map(|m| format!("{id}/{m}")));
        if id == want.provider {
            same_provider = Some((p.clone(), models));
        }
    }
    let wanted = want.to_string();
    let Some((p, models)) = same_provider.filter(|(_, m)| m.contains(&want.model)) else {
        let mut f = Finding::fail(
            Kind::ModelNotFound,
            format!(
                "`{wanted}` is not among the {} models opencode has configured",
                all.len()
            ),
        );
        f.suggestions = closest(&all, &wanted, 3);
        return (f, None);
    };
    let api = p
        .pointer(&format!(
            "/models/{}/api",
            want.model.replace('~', "~0").replace('/', "~1")
        ))
        .cloned()
        .unwrap_or(Value::Null);
    let npm = api.get("npm").and_then(Value::as_str).unwrap_or("?");
    // Custom providers keep their URL in options.baseURL; built-in ones in the model's api.
    let url = api
        .get("url")
        .and_then(Value::as_str)
        .filter(|u| !u.is_empty())
        .or_else(|| p.pointer("/options/baseURL").and_then(Value::as_str))
        .unwrap_or("?");
    (
        Finding::pass(format!("configured: {npm} at {url}")),
        Some(models),
    )
}

/// Send one prompt (nested model form) while reading the event stream; then judge the
/// answer, the events, and which model answered (also with the flat form).
async fn prompt_and_events(
    client: &Client,
    want: &ModelRef,
    provider_models: Option<&Vec<String>>,
) -> (Finding, Finding, Finding) {
    let book = Arc::new(Mutex::new(EventBook::default()));
    let wake = Arc::new(Notify::new());
    let reader = tokio::spawn(read_events(client.clone(), book.clone(), wake.clone()));
    let lock = || book.lock().expect("event book lock");
    // Subscribe first, so no event of the prompt can be missed.
    let until = client.deadline.min(Instant::now() + CONNECT_WAIT);
    wait_for(&wake, until, || {
        let b = lock();
        b.count > 0 || b.ended.is_some()
    })
    .await;
    let mut sessions = Vec::new();
    let result = match new_session(client, &mut sessions).await {
        Ok(id) => {
            lock().focus(&id);
            prompt(client, &id, want, false).await
        }
        Err(f) => Err(f),
    };
    let sent = result
        .as_ref()
        .map(|r| r.sent)
        .unwrap_or_else(|_| Instant::now());
    let session = sessions.first().cloned();

    // Let the events of the prompt's end arrive, then stop reading.
    let until = client.deadline.min(Instant::now() + EVENT_GRACE);
    wait_for(&wake, until, || {
        let b = lock();
        b.idle || b.ended.is_some()
    })
    .await;
    reader.abort();
    let seen = std::mem::take(&mut *lock());

    let prompt_finding = match &result {
        Ok(r) => r.finding.clone(),
        Err(f) => f.clone(),
    };
    let events = judge_events(&seen, session.as_deref(), sent, &prompt_finding);
    let selection = match &result {
        Ok(r) if r.finding.status != Status::Fail => {
            model_selection(client, want, r, provider_models, &mut sessions).await
        }
        _ => Finding::skip("the prompt did not answer (see opencode.prompt)"),
    };
    // Leave the server as it was; a refusal is not worth failing a check over. Bounded
    // on its own, so that even a spent --timeout leaves no session behind on a sane server.
    let bound = client.left().clamp(CLEANUP_WAIT, CALL_WAIT);
    let deletes = sessions.iter().map(|id| {
        let r = Request::new(
            reqwest::Method::DELETE,
            format!("/session/{id}"),
            None,
            AUTH,
        );
        client.send(r, client.within(bound, bound))
    });
    futures_util::future::join_all(deletes).await;
    (prompt_finding, events, selection)
}

struct PromptReply {
    finding: Finding,
    sent: Instant,
    answered_by: Option<String>,
}

/// Create a session (remembered in `sessions`, to be deleted afterwards).
async fn new_session(client: &Client, sessions: &mut Vec<String>) -> Result<String, Finding> {
    let created = client
        .call(
            reqwest::Method::POST,
            "/session",
            Some(json!({})),
            CALL_WAIT,
        )
        .await?;
    let Some(id) = created
        .body
        .get("id")
        .and_then(Value::as_str)
        .map(str::to_string)
    else {
        return Err(Finding::fail(
            Kind::BadResponse,
            format!(
                "POST /session: HTTP {} without a session id",
                created.status
            ),
        )
        .with_evidence(ev(created.status)));
    };
    sessions.push(id.clone());
    Ok(id)
}

/// Send the prompt in session `id`, nested (`{"model":{providerID, modelID}}`) or flat
/// (`providerID`/`modelID` at the top level, as some SDKs send it). opencode answers
/// when the model has finished, so the wait for headers is the whole remaining bound.
async fn prompt(
    client: &Client,
    id: &str,
    want: &ModelRef,
    flat: bool,
) -> Result<PromptReply, Finding> {
    let parts = json!([{"type": "text", "text": PROMPT}]);
    let body = if flat {
        json!({"providerID": want.provider, "modelID": want.model, "parts": parts})
    } else {
        json!({"model": {"providerID": want.provider, "modelID": want.model}, "parts": parts})
    };
    let sent = Instant::now();
    let g = client
        .call(
            reqwest::Method::POST,
            format!("/session/{id}/message"),
            Some(body),
            client.timeout,
        )
        .await?;
    let timing = Timing {
        total: Some(g.ms),
        ..Default::default()
    };
    if !(200..300).contains(&g.status) {
        let f = read_error(&g.body).finding(&format!(
            "POST /session/{{id}}/message answered HTTP {}",
            g.status
        ));
        return Ok(PromptReply {
            finding: f.with_timing(timing),
            sent,
            answered_by: None,
        });
    }
    let info = g.body.get("info").cloned().unwrap_or(Value::Null);
    let answered_by = match (
        info.get("providerID").and_then(Value::as_str),
        info.get("modelID").and_then(Value::as_str),
    ) {
        (Some(p), Some(m)) => Some(format!("{p}/{m}")),
        _ => None,
    };
    if let Some(err) = info.get("error").filter(|e| !e.is_null()) {
        let f = read_error(err).finding("the assistant message carries an error");
        return Ok(PromptReply {
            finding: f.with_timing(timing),
            sent,
            answered_by,
        });
    }
    let text: String = g
        .body
        .get("parts")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|p| p.get("type") == Some(&json!("text")))
        .filter_map(|p| p.get("text").and_then(Value::as_str))
        .collect();
    let tokens = info
        .get("tokens")
        .map(|t| {
            format!(
                " · {} tokens",
                crate::check::token_counts(t, ("input", "output"))
            )
        })
        .unwrap_or_default();
    let finding = if text.trim().is_empty() {
        Finding::warn(
            Kind::BadResponse,
            format!("the assistant answered without text{tokens}"),
        )
    } else {
        Finding::pass(format!(
            "\"{}\" from {}{tokens}",
            excerpt(&text, 40),
            answered_by.as_deref().unwrap_or("?")
        ))
    };
    Ok(PromptReply {
        finding: finding.with_timing(timing),
        sent,
        answered_by,
    })
}

/// Did `/event` carry this session's answer (or its error) and its idle status?
fn judge_events(
    book: &EventBook,
    session: Option<&str>,
    sent: Instant,
    prompt: &Finding,
) -> Finding {
    // Why the stream stopped early, when it did: part of every verdict that lacks events.
    let ended = book
        .ended
        .as_ref()
        .map(|(_, why)| format!(" ({why})"))
        .unwrap_or_default();
    if book.count == 0 {
        return match &book.ended {
            Some((kind, why)) => Finding::fail(
                *kind,
                format!("GET /event delivered no event at all: {why}"),
            ),
            None => Finding::fail(
                Kind::StreamStalled,
                format!(
                    "GET /event delivered no event at all within {} s",
                    CONNECT_WAIT.as_secs()
                ),
            ),
        };
    }
    let ours: Vec<&Seen> = book
        .kept
        .iter()
        .filter(|e| Some(e.session.as_str()) == session)
        .collect();
    let assistant_ids: Vec<&str> = ours
        .iter()
        .filter_map(|e| e.assistant_message.as_deref())
        .collect();
    let parts: Vec<&&Seen> = ours
        .iter()
        .filter(|e| {
            e.text_delta
                || e.text_part_of
                    .as_deref()
                    .is_some_and(|m| assistant_ids.contains(&m))
        })
        .collect();
    let idle = ours.iter().any(|e| e.idle);
    let error = ours.iter().find_map(|e| e.error.as_deref());
    let others: Vec<&str> = {
        let mut k: BTreeSet<&str> = book.others.iter().map(String::as_str).collect();
        k.extend(
            book.kept
                .iter()
                .filter(|e| Some(e.session.as_str()) != session)
                .map(|e| e.kind.as_str()),
        );
        k.into_iter().collect()
    };
    let dropped = if book.dropped > 0 {
        format!(
            "; {} events past the first {KEPT_CAP} were not kept",
            book.dropped
        )
    } else {
        String::new()
    };
    let first_ms = parts
        .first()
        .map(|e| e.at.saturating_duration_since(sent).as_millis() as u64);
    let timing = Timing {
        first_token: first_ms,
        ..Default::default()
    };
    if prompt.status == Status::Fail {
        return match error {
            Some(name) => Finding::pass(format!(
                "the failure reached /event as session.error ({name}){}",
                if idle { ", then idle" } else { "" }
            )),
            None if ours.is_empty() => Finding::fail(
                Kind::StreamStalled,
                format!(
                    "the prompt failed but /event said nothing about this session (only {}){ended}{dropped}",
                    others.join(", ")
                ),
            ),
            None => Finding::warn(
                Kind::StreamError,
                format!("the prompt failed, but /event carried no session.error for it{ended}{dropped}"),
            ),
        };
    }
    if parts.is_empty() {
        // Report 002: the stream stays up and delivers only connection and heartbeat events.
        let what = if ours.is_empty() {
            format!("only {} — nothing for this session", others.join(", "))
        } else {
            format!(
                "{} events for this session, none with the assistant's text",
                ours.len()
            )
        };
        let kind = book.ended.as_ref().map_or(Kind::StreamStalled, |e| e.0);
        return Finding::fail(kind, format!("the prompt answered, but /event delivered {what}{ended}{dropped}: a client that renders from the event stream shows nothing")).with_timing(timing);
    }
    if !idle {
        return Finding::warn(
            Kind::StreamTruncated,
            format!(
                "{} text events for this session, but no idle status within {} s of the answer{ended}{dropped}",
                parts.len(),
                EVENT_GRACE.as_secs()
            ),
        )
        .with_timing(timing);
    }
    Finding::pass(format!(
        "{} events for this session: {} with the assistant's text, then idle",
        ours.len(),
        parts.len()
    ))
    .with_timing(timing)
}

/// The nested form must be honoured; the flat form is tried once with a model that is not
/// the server's default, since with the default nobody could tell the difference.
async fn model_selection(
    client: &Client,
    want: &ModelRef,
    nested: &PromptReply,
    provider_models: Option<&Vec<String>>,
    sessions: &mut Vec<String>,
) -> Finding {
    let asked = want.to_string();
    match nested.answered_by.as_deref() {
        Some(a) if a == asked => {}
        Some(a) => {
            return Finding::fail(
                Kind::ModelMismatch,
                format!("asked for {asked} with the nested form, {a} answered"),
            )
        }
        None => {
            return Finding::warn(
                Kind::BadResponse,
                "the assistant message names no providerID/modelID",
            )
        }
    }
    let default = client
        .call(reqwest::Method::GET, "/config", None, CALL_WAIT)
        .await
        .ok()
        .and_then(|g| {
            g.body
                .get("model")
                .and_then(Value::as_str)
                .map(str::to_string)
        });
    let flat_model = if default.as_deref() != Some(asked.as_str()) {
        Some(want.clone())
    } else {
        provider_models
            .and_then(|ms| ms.iter().find(|m| **m != want.model))
            .map(|m| ModelRef {
                provider: want.provider.clone(),
                model: m.clone(),
            })
    };
    let Some(flat) = flat_model else {
        return Finding::pass(format!("{asked} answered; the flat form was not tried: {asked} is the server's default and its provider has no other model"));
    };
    let flat_asked = flat.to_string();
    let answer = match new_session(client, sessions).await {
        Ok(id) => prompt(client, &id, &flat, true).await,
        Err(f) => Err(f),
    };
    match answer {
        Ok(PromptReply { answered_by: Some(a), .. }) if a == flat_asked => Finding::pass(format!("{asked} answered; the flat providerID/modelID form is honoured too")),
        // Information for SDK users, not a failure of this server's nested form.
        Ok(PromptReply { answered_by: Some(a), .. }) => Finding::pass(format!(
            "{asked} answered. Note for SDK users: the flat form (providerID/modelID at the top level) asking for {flat_asked} was \
             answered by {a}: this server ignores it silently, so SDKs must send {{\"model\":{{\"providerID\",\"modelID\"}}}}"
        )),
        Ok(_) => Finding::pass(format!("{asked} answered; the flat-form answer named no model")),
        Err(f) => Finding::pass(format!("{asked} answered; the flat-form test could not run: {}", f.detail)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(data: &str) -> sse::TimedEvent {
        sse::TimedEvent {
            event: "message".into(),
            data: data.into(),
            at_ms: 0,
        }
    }

    #[test]
    fn the_event_book_keeps_only_what_the_judge_reads() {
        let mut b = EventBook::default();
        b.add(&event(r#"{"type":"server.heartbeat","properties":{}}"#));
        b.add(&event(
            r#"{"type":"session.status","properties":{"sessionID":"ses_other","status":{"type":"idle"}}}"#,
        ));
        b.focus("ses_1");
        assert!(!b.idle, "another session's idle is not ours");
        for _ in 0..KEPT_CAP + 5 {
            b.add(&event(r#"{"type":"message.part.delta","properties":{"sessionID":"ses_1","field":"text","delta":"p"}}"#));
            b.add(&event(r#"{"type":"server.heartbeat","properties":{}}"#));
        }
        b.add(&event(
            r#"{"type":"session.idle","properties":{"sessionID":"ses_1"}}"#,
        ));
        assert_eq!(b.count, 2 * (KEPT_CAP + 5) + 3);
        assert_eq!((b.kept.len(), b.dropped), (KEPT_CAP + 1, 5));
        assert!(b.idle, "the idle status is kept past the cap");
        assert_eq!(
            b.others.iter().map(String::as_str).collect::<Vec<_>>(),
            ["server.heartbeat", "session.status"]
        );
        let long = format!(
            r#"{{"type":"{}","properties":{{}}}}"#,
            "é".repeat(FIELD_CAP * 2)
        );
        b.add(&event(&long));
        assert!(b.others.iter().all(|k| k.chars().count() <= FIELD_CAP));
    }
}
