//! `zencheck opencode serve-check`: a running `opencode serve`, as an SDK uses it.
//!
//! Health, the configured providers, one tiny prompt with the nested model form while
//! `GET /event` is read (report 002: a stream that delivered only `server.connected` and
//! heartbeats), and whether the model asked for is the one that answered — also with the
//! flat `providerID`/`modelID` form some SDKs send, which opencode 1.18 ignores silently.

use super::{read_error, ModelRef};
use crate::check::chat::excerpt;
use crate::check::models::closest;
use crate::failure::{HintContext, Kind};
use crate::http::transport_finding;
use crate::outcome::{Evidence, Finding, Status, Timing};
use crate::report::{CheckResult, TargetRun};
use crate::target::TargetInfo;
use eventsource_stream::Eventsource;
use futures_util::StreamExt;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const PROMPT: &str = "Reply with the single word: pong";
/// Cap on a JSON body from the server.
const BODY_CAP: usize = 4 << 20;
/// How long the event stream may take to say `server.connected`.
const CONNECT_WAIT: Duration = Duration::from_secs(5);
/// After the prompt returns, how long the events of its end may still take to arrive.
const EVENT_GRACE: Duration = Duration::from_secs(2);

pub struct ServeCheck {
    pub url: String,
    pub model: ModelRef,
    pub password_env: Option<String>,
    pub password: Option<SecretString>,
    /// Bounds the prompt (opencode sends a large system prompt and tools) and each wait.
    pub timeout: Duration,
}

struct Client {
    http: reqwest::Client,
    base: String,
    password: Option<SecretString>,
    timeout: Duration,
}

/// One answer from the server: status and JSON (or `Null` when the body was not JSON).
struct Got {
    status: u16,
    body: Value,
    ms: u64,
}

impl Client {
    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let r = self.http.request(method, format!("{}{path}", self.base));
        match &self.password {
            // `opencode serve` with OPENCODE_SERVER_PASSWORD wants basic auth as "opencode".
            Some(p) => r.basic_auth("opencode", Some(p.expose_secret())),
            None => r,
        }
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
        wait: Duration,
    ) -> Result<Got, Finding> {
        let started = Instant::now();
        let mut req = self.request(method, path);
        if let Some(b) = body {
            req = req.json(b);
        }
        let mut resp = match tokio::time::timeout(wait, req.send()).await {
            Err(_) => {
                return Err(Finding::fail(
                    Kind::Timeout,
                    format!("no answer within {} s", wait.as_secs()),
                ))
            }
            Ok(Err(e)) => return Err(transport_finding(&e, started)),
            Ok(Ok(r)) => r,
        };
        let status = resp.status().as_u16();
        let mut buf = Vec::new();
        loop {
            match tokio::time::timeout(self.timeout, resp.chunk()).await {
                Ok(Ok(Some(c))) if buf.len() + c.len() <= BODY_CAP => buf.extend_from_slice(&c),
                Ok(Ok(Some(_))) => {
                    return Err(Finding::fail(
                        Kind::BadResponse,
                        format!("body larger than {BODY_CAP} bytes"),
                    ))
                }
                Ok(Ok(None)) => break,
                Ok(Err(e)) => return Err(transport_finding(&e, started)),
                Err(_) => return Err(Finding::fail(Kind::Timeout, "the body stalled")),
            }
        }
        Ok(Got {
            status,
            body: serde_json::from_slice(&buf).unwrap_or(Value::Null),
            ms: started.elapsed().as_millis() as u64,
        })
    }
}

/// An event of `GET /event`, kept with its arrival time.
#[derive(Debug, Clone)]
struct Seen {
    at: Instant,
    kind: String,
    session: Option<String>,
    props: Value,
}

fn session_of(props: &Value) -> Option<String> {
    ["/sessionID", "/info/sessionID", "/part/sessionID"]
        .iter()
        .find_map(|p| props.pointer(p))
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// Read the event stream into a channel until the task is aborted.
async fn collect_events(client: &Client, tx: tokio::sync::mpsc::UnboundedSender<Seen>) {
    let Ok(Ok(resp)) = tokio::time::timeout(
        CONNECT_WAIT,
        client.request(reqwest::Method::GET, "/event").send(),
    )
    .await
    else {
        return;
    };
    let mut events = resp.bytes_stream().eventsource();
    while let Some(Ok(ev)) = events.next().await {
        let v: Value = serde_json::from_str(&ev.data).unwrap_or(Value::Null);
        let props = v.get("properties").cloned().unwrap_or(Value::Null);
        let kind = v
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or(&ev.event)
            .to_string();
        if tx
            .send(Seen {
                at: Instant::now(),
                session: session_of(&props),
                kind,
                props,
            })
            .is_err()
        {
            return;
        }
    }
}

/// The checks, as one target's run.
pub async fn check(sc: &ServeCheck) -> Result<TargetRun, crate::error::RunError> {
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .no_proxy()
        .build()
        .map_err(|e| crate::error::RunError::Client(e.to_string()))?;
    let client = Client {
        http,
        base: sc.url.trim_end_matches('/').to_string(),
        password: sc.password.clone(),
        timeout: sc.timeout,
    };
    let model = sc.model.to_string();
    let mut rows: Vec<(&'static str, &'static str, Finding)> = Vec::new();

    let health = health(&client).await;
    let healthy = health.status == Status::Pass;
    rows.push(("opencode.health", "/global/health", health));
    let configured = if healthy {
        providers(&client, &sc.model).await
    } else {
        (skip("opencode.health failed"), None)
    };
    let ready = configured.0.status == Status::Pass;
    rows.push(("opencode.providers", "/config/providers", configured.0));

    if ready {
        let (prompt, events, selection) =
            prompt_and_events(&client, &sc.model, configured.1.as_ref()).await;
        rows.push(("opencode.prompt", "/session/{id}/message", prompt));
        rows.push(("opencode.events", "/event", events));
        rows.push((
            "opencode.model_selection",
            "/session/{id}/message",
            selection,
        ));
    } else {
        let why = if healthy {
            "the model is not configured (see opencode.providers)"
        } else {
            "opencode.health failed"
        };
        for (id, ep) in [
            ("opencode.prompt", "/session/{id}/message"),
            ("opencode.events", "/event"),
            ("opencode.model_selection", "/session/{id}/message"),
        ] {
            rows.push((id, ep, skip(why)));
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
        .map(|(id, ep, f)| CheckResult::from_finding("opencode", id, Some(ep), f, &cx))
        .collect();
    let info = TargetInfo {
        name: "opencode".into(),
        provider: None,
        base_url: client.base.clone(),
        api_key_env: sc.password_env.clone(),
        api_key_present: sc.password.is_some(),
        models: vec![model],
    };
    let secrets = sc
        .password
        .iter()
        .map(|p| p.expose_secret().to_string())
        .collect();
    Ok(TargetRun {
        info,
        models_available: None,
        require: vec![],
        checks,
        secrets,
    })
}

fn skip(why: &str) -> Finding {
    Finding::new(Status::Skip, None, why)
}

async fn health(client: &Client) -> Finding {
    match client.call(reqwest::Method::GET, "/global/health", None, Duration::from_secs(10)).await {
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
        .call(
            reqwest::Method::GET,
            "/config/providers",
            None,
            Duration::from_secs(10),
        )
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
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let reader = {
        let c = Client {
            http: client.http.clone(),
            base: client.base.clone(),
            password: client.password.clone(),
            timeout: client.timeout,
        };
        tokio::spawn(async move { collect_events(&c, tx).await })
    };
    // Subscribe first, so no event of the prompt can be missed.
    let first = tokio::time::timeout(CONNECT_WAIT, rx.recv())
        .await
        .ok()
        .flatten();
    let mut sessions = Vec::new();
    let result = prompt(client, want, &mut sessions, false).await;
    let sent = result
        .as_ref()
        .map(|r| r.sent)
        .unwrap_or_else(|_| Instant::now());
    let session = sessions.first().cloned();

    // Let the events of the prompt's end arrive, then stop reading.
    let mut seen: Vec<Seen> = first.into_iter().collect();
    let deadline = Instant::now() + EVENT_GRACE;
    while let Ok(Some(e)) = tokio::time::timeout(
        deadline.saturating_duration_since(Instant::now()),
        rx.recv(),
    )
    .await
    {
        let idle = e.session == session
            && (e.kind == "session.idle"
                || e.props.pointer("/status/type") == Some(&json!("idle")));
        seen.push(e);
        if idle {
            break;
        }
    }
    reader.abort();
    while let Ok(e) = rx.try_recv() {
        seen.push(e);
    }

    let prompt_finding = match &result {
        Ok(r) => r.finding.clone(),
        Err(f) => f.clone(),
    };
    let events = judge_events(&seen, session.as_deref(), sent, &prompt_finding);
    let selection = match &result {
        Ok(r) if r.finding.status != Status::Fail => {
            model_selection(client, want, r, provider_models, &mut sessions).await
        }
        _ => skip("the prompt did not answer (see opencode.prompt)"),
    };
    for id in &sessions {
        // Leave the server as it was; a refusal is not worth failing a check over.
        let _ = client
            .call(
                reqwest::Method::DELETE,
                &format!("/session/{id}"),
                None,
                Duration::from_secs(10),
            )
            .await;
    }
    (prompt_finding, events, selection)
}

struct Answer {
    finding: Finding,
    sent: Instant,
    answered_by: Option<String>,
}

/// Create a session and send the prompt, nested (`{"model":{providerID, modelID}}`) or
/// flat (`providerID`/`modelID` at the top level, as some SDKs send it).
async fn prompt(
    client: &Client,
    want: &ModelRef,
    sessions: &mut Vec<String>,
    flat: bool,
) -> Result<Answer, Finding> {
    let created = client
        .call(
            reqwest::Method::POST,
            "/session",
            Some(&json!({})),
            Duration::from_secs(10),
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
            &format!("/session/{id}/message"),
            Some(&body),
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
        return Ok(Answer {
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
        return Ok(Answer {
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
    Ok(Answer {
        finding: finding.with_timing(timing),
        sent,
        answered_by,
    })
}

/// Did `/event` carry this session's answer (or its error) and its idle status?
fn judge_events(seen: &[Seen], session: Option<&str>, sent: Instant, prompt: &Finding) -> Finding {
    if seen.is_empty() {
        return Finding::fail(
            Kind::StreamStalled,
            format!(
                "GET /event delivered no event at all within {} s",
                CONNECT_WAIT.as_secs()
            ),
        );
    }
    let ours: Vec<&Seen> = seen
        .iter()
        .filter(|e| session.is_some() && e.session.as_deref() == session)
        .collect();
    let assistant_ids: Vec<&str> = ours
        .iter()
        .filter(|e| {
            e.kind == "message.updated"
                && e.props.pointer("/info/role") == Some(&json!("assistant"))
        })
        .filter_map(|e| e.props.pointer("/info/id").and_then(Value::as_str))
        .collect();
    let is_text = |e: &&&Seen| match e.kind.as_str() {
        "message.part.delta" => e.props.get("field") == Some(&json!("text")),
        "message.part.updated" => {
            e.props.pointer("/part/type") == Some(&json!("text"))
                && e.props
                    .pointer("/part/messageID")
                    .and_then(Value::as_str)
                    .is_some_and(|m| assistant_ids.contains(&m))
        }
        _ => false,
    };
    let parts: Vec<&&Seen> = ours.iter().filter(is_text).collect();
    let idle = ours.iter().any(|e| {
        e.kind == "session.idle" || e.props.pointer("/status/type") == Some(&json!("idle"))
    });
    let error = ours.iter().find(|e| e.kind == "session.error");
    let others: Vec<&str> = {
        let mut k: Vec<&str> = seen
            .iter()
            .filter(|e| e.session.as_deref() != session || session.is_none())
            .map(|e| e.kind.as_str())
            .collect();
        k.sort_unstable();
        k.dedup();
        k
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
            Some(e) => Finding::pass(format!(
                "the failure reached /event as session.error ({}){}",
                e.props
                    .pointer("/error/name")
                    .and_then(Value::as_str)
                    .unwrap_or("?"),
                if idle { ", then idle" } else { "" }
            )),
            None if ours.is_empty() => Finding::fail(
                Kind::StreamStalled,
                format!(
                    "the prompt failed but /event said nothing about this session (only {})",
                    others.join(", ")
                ),
            ),
            None => Finding::warn(
                Kind::StreamError,
                "the prompt failed, but /event carried no session.error for it",
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
        return Finding::fail(Kind::StreamStalled, format!("the prompt answered, but /event delivered {what}: a client that renders from the event stream shows nothing")).with_timing(timing);
    }
    if !idle {
        return Finding::warn(
            Kind::StreamTruncated,
            format!(
                "{} text events for this session, but no idle status within {} s of the answer",
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
    nested: &Answer,
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
        .call(
            reqwest::Method::GET,
            "/config",
            None,
            Duration::from_secs(10),
        )
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
    match prompt(client, &flat, sessions, true).await {
        Ok(Answer { answered_by: Some(a), .. }) if a == flat_asked => Finding::pass(format!("{asked} answered; the flat providerID/modelID form is honoured too")),
        // Information for SDK users, not a failure of this server's nested form.
        Ok(Answer { answered_by: Some(a), .. }) => Finding::pass(format!(
            "{asked} answered. Note for SDK users: the flat form (providerID/modelID at the top level) asking for {flat_asked} was \
             answered by {a}: this server ignores it silently, so SDKs must send {{\"model\":{{\"providerID\",\"modelID\"}}}}"
        )),
        Ok(_) => Finding::pass(format!("{asked} answered; the flat-form answer named no model")),
        Err(f) => Finding::pass(format!("{asked} answered; the flat-form test could not run: {}", f.detail)),
    }
}
