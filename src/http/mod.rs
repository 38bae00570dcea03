//! The HTTP client: every wait bounded, every body capped, transport failures turned
//! into findings, at most `per_host` requests in flight to one host (`limit.rs`), and a
//! short `Retry-After` honoured once, by the whole host.

pub mod curl;
pub mod decode;
pub mod limit;
pub mod observe;
pub mod request;
pub mod spend;
pub mod sse;
pub mod transport;

pub use request::{Auth, Request, ANTHROPIC_VERSION};

use crate::classify::one_line;
use crate::failure::Kind;
use crate::finding::{Evidence, Finding, Timing};
use crate::redact::Redactor;
use crate::target::Target;
use reqwest::header::HeaderMap;
use secrecy::ExposeSecret;
use std::error::Error as _;
use std::sync::Arc;
use std::time::{Duration, Instant};
use transport::{ConnectWatch, Transport, TransportError};

/// Response headers that carry a request id, most specific first.
const REQUEST_ID_HEADERS: &[&str] = &[
    "x-request-id",
    "request-id",
    "x-amzn-requestid",
    "x-amz-request-id",
    "apim-request-id",
    "x-litellm-call-id",
    "x-groq-id",
    "cf-ray",
];

/// The default ceiling of requests in flight to one host (README: "Many models, fast"):
/// 20 models of one gateway at 300 ms a request finish in ~5 s instead of ~34 s at 4, and a
/// host that answers 429 brings it down at once.
pub const DEFAULT_PER_HOST: usize = 32;

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub connect: Duration,
    /// Bounds the wait for headers and every idle gap inside a body.
    pub idle: Duration,
    /// Bounds one request from send to last byte.
    pub total: Duration,
    /// A 429 whose Retry-After is at most this long is waited out once.
    pub max_retry_wait: Duration,
    /// Cap on a non-streamed body.
    pub body_cap: usize,
    /// Cap on the bytes of one stream.
    pub stream_cap: usize,
    /// The ceiling of requests in flight at once to one host:port, across all targets; the
    /// limit under it halves on a 429 and grows back (see `limit.rs`).
    pub per_host: usize,
    /// The user chose the concurrency (`--per-host`, `--concurrency`): local servers are not
    /// paced for them, and no server's slots are asked for.
    pub per_host_chosen: bool,
}

/// How long an idle pooled connection may be reused. Servers close idle keep-alive
/// connections after a few seconds (llama.cpp's server, Node and uvicorn after 5 s); a
/// connection the client keeps longer is one the server may close just as a request goes
/// out on it, and that request fails with no answer.
pub const POOL_IDLE: Duration = Duration::from_secs(4);

impl Default for Limits {
    fn default() -> Self {
        Limits {
            connect: Duration::from_secs(10),
            idle: Duration::from_secs(30),
            total: Duration::from_secs(120),
            max_retry_wait: Duration::from_secs(10),
            body_cap: 4 << 20,
            stream_cap: 8 << 20,
            per_host: DEFAULT_PER_HOST,
            per_host_chosen: false,
        }
    }
}

/// What a streamed request reserves under the memory bound. A stream is judged as it
/// arrives and not kept: read to its 8 MiB cap it holds its judge's keep (64 KiB of text,
/// an arrival time per content event), the line being read (at most [`sse::LINE_CAP`]) and
/// the event being read. Measured with endless streams (`tests/binary/hostile.rs`): three
/// read to the cap at once grew a probe by 3.6 MiB, about 1.2 MiB each; 2 MiB leaves margin.
pub const STREAM_ROOM: usize = 2 << 20;

/// The largest reservation one request makes under the memory bound, in KiB.
const MAX_ROOM_KIB: u32 = 1 << 20;

/// A response whose headers have arrived; the body is still on the wire.
pub struct Opened {
    pub response: reqwest::Response,
    pub started: Instant,
    pub deadline: Instant,
    pub headers_ms: u64,
    pub status: u16,
    pub content_type: Option<String>,
    pub request_id: Option<String>,
    /// Seconds waited for a Retry-After before this attempt.
    pub waited_secs: Option<u64>,
    /// This request's place under the per-host limit, held until the body is read.
    pub permit: Option<limit::Permit>,
    /// Its room under the memory bound (`zencheck serve --max-memory`), held until the
    /// answer is read and judged.
    pub room: Option<tokio::sync::OwnedSemaphorePermit>,
    /// The target's secrets: every byte read from this response passes through it first.
    pub redactor: Arc<Redactor>,
    /// This exchange's id in `-v`/`--trace` records, when observed.
    pub trace_id: Option<u64>,
    /// The answer's `Content-Encoding` as it came (`gzip`), kept as evidence; the body's
    /// readers get it decoded.
    pub content_encoding: Option<String>,
    /// How the body is decoded (`decode.rs`).
    decoding: Decoding,
    /// The first bytes of the body, read by [`Http::peek`]; the body's readers start with
    /// them.
    head: Vec<u8>,
    /// The error that ended the body while it was peeked at: the readers meet it after
    /// `head`.
    head_error: Option<BodyError>,
}

/// The decoding of one answer's body.
#[derive(Default)]
struct Decoding {
    decoder: Option<decode::Decoder>,
    /// A coding zencheck cannot read: the readers meet it as the body's first error.
    refused: Option<decode::DecodeError>,
    finished: bool,
}

/// What ended a body early: the transport, or a body that is not what its
/// `Content-Encoding` says.
#[derive(Debug)]
pub enum BodyError {
    Transport(reqwest::Error),
    Decode(decode::DecodeError),
}

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BodyError::Transport(e) => e.fmt(f),
            BodyError::Decode(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for BodyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BodyError::Transport(e) => e.source(),
            BodyError::Decode(e) => Some(e),
        }
    }
}

impl BodyError {
    /// The finding a body reader reports for it.
    fn finding(&self, started: Instant) -> Finding {
        match self {
            BodyError::Transport(e) => transport_finding(e, started),
            BodyError::Decode(e) => {
                let mut f = Finding::fail(Kind::BadResponse, e.0.clone());
                f.rule_hint = Some(crate::failure::RuleHint::ContentEncoding);
                f
            }
        }
    }
}

/// The next piece of a body, decoded; `None` at its end.
async fn next_chunk(
    response: &mut reqwest::Response,
    d: &mut Decoding,
) -> Result<Option<bytes::Bytes>, BodyError> {
    if let Some(e) = d.refused.take() {
        d.finished = true;
        return Err(BodyError::Decode(e));
    }
    if d.finished {
        return Ok(None);
    }
    let raw = response.chunk().await.map_err(BodyError::Transport)?;
    let Some(decoder) = d.decoder.as_mut() else {
        d.finished = raw.is_none();
        return Ok(raw);
    };
    let decoded = match raw {
        Some(c) => decoder.feed(&c).map(Some),
        None => {
            d.finished = true;
            decoder.finish().map(|b| (!b.is_empty()).then_some(b))
        }
    };
    decoded.map_err(|e| {
        d.finished = true;
        BodyError::Decode(e)
    })
}

impl Opened {
    /// The next piece of the body, decoded.
    pub async fn chunk(&mut self) -> Result<Option<bytes::Bytes>, BodyError> {
        next_chunk(&mut self.response, &mut self.decoding).await
    }

    /// The body as a stream of decoded pieces, what a peek read first included. The
    /// request's place under the host's limit and its room under the memory bound are held
    /// until the stream is dropped.
    pub fn into_body_stream(
        mut self,
    ) -> impl futures_util::Stream<Item = Result<bytes::Bytes, BodyError>> + Unpin {
        use futures_util::StreamExt;
        let mut first = Vec::new();
        if !self.head.is_empty() {
            first.push(Ok(bytes::Bytes::from(std::mem::take(&mut self.head))));
        }
        first.extend(self.head_error.take().map(Err));
        let held = (self.permit, self.room);
        let rest = futures_util::stream::unfold(
            (self.response, self.decoding, held),
            |(mut r, mut d, held)| async move {
                match next_chunk(&mut r, &mut d).await {
                    Ok(None) => None,
                    Ok(Some(c)) => Some((Ok(c), (r, d, held))),
                    Err(e) => Some((Err(e), (r, d, held))),
                }
            },
        );
        futures_util::stream::iter(first).chain(Box::pin(rest))
    }
}

/// A whole (capped) answer.
pub struct Answer {
    pub status: u16,
    pub content_type: Option<String>,
    pub request_id: Option<String>,
    pub retry_after_secs: Option<u64>,
    pub body: Vec<u8>,
    pub timing: Timing,
    pub waited_secs: Option<u64>,
    /// The output cap the request asked for (`max_tokens`, `max_completion_tokens`,
    /// `max_output_tokens`), set by the check that sent it so a judge can hold usage to it.
    pub sent_cap: Option<u64>,
    /// The path the request went to (`/v1/chat/completions`): a 404 is read by where it
    /// came from (`classify::classify_at`).
    pub path: Option<String>,
}

impl Answer {
    pub fn evidence(&self) -> Evidence {
        Evidence {
            http_status: Some(self.status),
            provider_message: None,
            request_id: self.request_id.clone(),
        }
    }
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

#[derive(Clone)]
pub struct Http {
    client: reqwest::Client,
    /// The same client without a pool: every request on a new connection (the one resend
    /// of a request whose kept-alive connection closed before any answer).
    fresh: reqwest::Client,
    pub limits: Limits,
    pub transport: Transport,
    connects: ConnectWatch,
    /// One limit per host:port, shared by every target on that host.
    hosts: Arc<limit::Hosts>,
    /// `-v`/`--trace`: told of every request, response, body and frame.
    observer: Option<Arc<observe::Observer>>,
    /// `zencheck serve --max-memory`: KiB that answers in flight may hold, each request
    /// reserving its cap (a stream's or a body's) before it is sent; None: no bound.
    room: Option<(Arc<tokio::sync::Semaphore>, u32)>,
}

impl Http {
    /// A client with the proxy from the environment and the system's certificates.
    pub fn new(limits: Limits) -> Result<Http, ClientError> {
        Http::with_transport(limits, Transport::default())
    }

    pub fn with_transport(limits: Limits, transport: Transport) -> Result<Http, ClientError> {
        let connects = ConnectWatch::default();
        let builder = || {
            reqwest::Client::builder()
                .connect_timeout(limits.connect)
                .user_agent(concat!("zencheck/", env!("CARGO_PKG_VERSION")))
                // As real clients ask (decoded by `decode.rs`); a `-H` of the user's wins.
                .default_headers(reqwest::header::HeaderMap::from_iter([(
                    reqwest::header::ACCEPT_ENCODING,
                    reqwest::header::HeaderValue::from_static(decode::ACCEPT_ENCODING),
                )]))
                // A redirect would carry the key (x-api-key, api-key, a query) to another
                // origin, maybe over plain http, and turn a POST into a GET: it is reported,
                // never followed. Without redirects there is no Referer to send either.
                .redirect(reqwest::redirect::Policy::none())
                .referer(false)
                .pool_idle_timeout(POOL_IDLE)
                .connector_layer(connects.clone())
        };
        let build = |b: reqwest::ClientBuilder| {
            transport
                .apply(b)
                .map_err(ClientError::Transport)?
                .build()
                .map_err(|e| ClientError::Build(e.to_string()))
        };
        let client = build(builder())?;
        let fresh = build(builder().pool_max_idle_per_host(0))?;
        Ok(Http {
            client,
            fresh,
            limits,
            transport,
            connects,
            hosts: Arc::default(),
            observer: None,
            room: None,
        })
    }

    /// This client, holding at most `bytes` of answers in flight: each request reserves
    /// what its answer may hold ([`STREAM_ROOM`] for a stream, the body cap for any other) before
    /// it is sent and keeps it until its answer is read, so requests past the bound queue
    /// instead of growing the process.
    pub fn with_memory_bound(mut self, bytes: usize) -> Http {
        let kib = (bytes >> 10).clamp(1, MAX_ROOM_KIB as usize) as u32;
        self.room = Some((Arc::new(tokio::sync::Semaphore::new(kib as usize)), kib));
        self
    }

    /// Wait for room for `r`'s answer under the memory bound (none without one).
    async fn reserve(&self, r: &Request) -> Option<tokio::sync::OwnedSemaphorePermit> {
        let (room, total) = self.room.as_ref()?;
        let streamed = r
            .body
            .as_ref()
            .and_then(|b| b.get("stream"))
            .and_then(serde_json::Value::as_bool)
            == Some(true);
        let cap = if streamed {
            STREAM_ROOM
        } else {
            self.limits.body_cap
        };
        // A request larger than the whole bound waits for all of it, then runs alone.
        let kib = ((cap >> 10).max(1)).min(*total as usize) as u32;
        room.clone().acquire_many_owned(kib).await.ok()
    }

    /// This client, reporting its exchange to `observer` (`-v`, `--trace`).
    pub fn observed(mut self, observer: Option<observe::Observer>) -> Http {
        self.observer = observer.map(Arc::new);
        self
    }

    fn build(&self, target: &Target, r: &Request, fresh: bool) -> reqwest::RequestBuilder {
        let client = if fresh { &self.fresh } else { &self.client };
        let mut req = client.request(r.method.clone(), target.endpoint(&r.path));
        if let Some((user, pass)) = &target.basic_auth {
            req = req.basic_auth(
                user.expose_secret(),
                pass.as_ref().map(|p| p.expose_secret()),
            );
        }
        let key = target.key.as_ref().map(|k| k.expose_secret());
        if let (Auth::Basic { user }, Some(k)) = (r.auth, key) {
            req = req.basic_auth(user, Some(k));
        }
        for (name, value) in r.auth_headers(key) {
            req = req.header(name, value);
        }
        // The user's headers last, so they can override anything above.
        for (name, value) in &target.headers {
            req = req.header(name.as_str(), value.expose_secret());
        }
        if let Some(b) = &r.body {
            req = req.body(b.to_string());
        }
        req
    }

    /// The limit of the target's host:port (`None` for a URL without a host). A local
    /// server's is paced by latency unless the user chose the concurrency.
    fn host_limit(&self, target: &Target) -> Option<Arc<limit::Host>> {
        let u = url::Url::parse(&target.base_url).ok()?;
        let host = format!(
            "{}:{}",
            u.host_str().unwrap_or(""),
            u.port_or_known_default().unwrap_or(0)
        );
        let local = !self.limits.per_host_chosen && is_local(&u, target.provider);
        Some(self.hosts.host_paced(&host, self.limits.per_host, local))
    }

    /// A llama.cpp server (`Server: llama.cpp`) says in `/props` how many requests it
    /// decodes at once (`total_slots`); the rest wait in its queue. Asked once per host,
    /// bounded to 3 s; the host's ceiling becomes that number. Nothing is asked when the
    /// user chose the concurrency.
    async fn learn_slots(&self, target: &Target, host: &limit::Host, headers: &HeaderMap) {
        let llama = header_str(headers, "server").is_some_and(|s| s.starts_with("llama.cpp"));
        if self.limits.per_host_chosen || !llama || !host.first_to_ask_slots() {
            return;
        }
        let Ok(mut u) = url::Url::parse(&target.base_url) else {
            return;
        };
        // `/props` is at the server's root, not under `/v1`.
        let root = u
            .path()
            .trim_end_matches('/')
            .trim_end_matches("/v1")
            .to_string();
        u.set_path(&format!("{root}/props"));
        spend::request_sent();
        let ask = async {
            let r = self.client.get(u).send().await.ok()?;
            let v: serde_json::Value = r.json().await.ok()?;
            v.get("total_slots").and_then(serde_json::Value::as_u64)
        };
        if let Ok(Some(slots)) = tokio::time::timeout(Duration::from_secs(3), ask).await {
            host.serves_at_once(slots.clamp(1, 1024) as usize);
        }
    }

    /// What the per-host limit of `target` looks like now.
    pub fn host_snapshot(&self, target: &Target) -> Option<limit::Snapshot> {
        self.host_limit(target).map(|h| h.snapshot())
    }

    /// Send and wait for headers. A 429 halves the host's limit; one with a short
    /// Retry-After pauses the whole host that long, and this request is sent once more.
    pub async fn open(&self, target: &Target, r: &Request) -> Result<Opened, Finding> {
        // `--as CLIENT`: the body as that client sends it, for the wire and the trace alike.
        let shaped;
        let r = match (target.profile, &r.body) {
            (Some(_), Some(b)) => {
                shaped = Request {
                    body: Some(target.shaped(&r.path, b)),
                    ..r.clone()
                };
                &shaped
            }
            _ => r,
        };
        let redactor = Arc::new(target.redactor());
        let scrubbed = |mut f: Finding| {
            f.detail = redactor.scrub(&f.detail);
            f
        };
        // Room for the answer first: a request queued under the memory bound holds no
        // place under the host's limit while it waits.
        let room = self.reserve(r).await;
        let host = self.host_limit(target);
        let mut waited = None;
        // Each sent at most once more: on a new connection after a kept-alive one closed
        // with no answer, or after a wait in the host's queue behind zencheck's own requests.
        let mut fresh = false;
        let mut requeued = false;
        let mut note = String::new();
        loop {
            // Taken anew for each attempt: a retry waits out the host's pause like any other.
            let permit = match &host {
                Some(h) => Some(h.acquire().await),
                None => None,
            };
            let trace_id = self.observer.as_ref().map(|o| {
                let id = o.next_id();
                o.request(id, target, r, &redactor);
                id
            });
            let observed_failure = |f: Finding| {
                if let (Some(o), Some(id)) = (&self.observer, trace_id) {
                    o.failed(id, &f.detail);
                }
                f
            };
            let started = Instant::now();
            let deadline = started + self.limits.total;
            let answers_before = host.as_ref().map(|h| h.answers());
            spend::request_sent();
            let sent = self
                .send_for_headers(self.build(target, r, fresh), started)
                .await;
            let response = match sent {
                Err(detail) => {
                    // Others to this host were answered while this one got nothing: it
                    // waited in the server's queue behind zencheck's own requests.
                    let others = match (&host, answers_before) {
                        (Some(h), Some(b)) => h.answers().saturating_sub(b),
                        _ => 0,
                    };
                    let mut f = Finding::fail(Kind::Timeout, format!("{detail}{note}"));
                    if others > 0 {
                        if let Some(p) = &permit {
                            p.queued_too_long();
                        }
                        if !requeued {
                            requeued = true;
                            spend::resent_after_silence();
                            observed_failure(f);
                            note = format!(
                                " · sent once more at a lower concurrency: the first wait ended with no headers while {others} other requests of zencheck to this host were answered (zencheck's own queue)"
                            );
                            drop(permit);
                            continue;
                        }
                        f.status = crate::finding::Status::Warn;
                        f.detail = format!(
                            "{detail}, while {others} other requests of zencheck to this host were answered: the server is up and working through zencheck's own queue (it serves fewer at once than were sent); {}",
                            if self.limits.per_host_chosen {
                                "lower --per-host, or raise --timeout"
                            } else {
                                "raise --timeout, or lower --per-host"
                            }
                        );
                        f.detail.push_str(&note);
                    }
                    let f = observed_failure(f);
                    return Err(f.with_timing(Timing {
                        total: Some(ms(started)),
                        ..Default::default()
                    }));
                }
                Ok(Err(e)) if !fresh && closed_unanswered(&e) => {
                    // Most likely a kept-alive connection the server closed as the request
                    // went out (its idle timeout): nothing was answered, so nothing was
                    // done; once more on a new connection.
                    observed_failure(scrubbed(transport_finding(&e, started)));
                    fresh = true;
                    note = " · sent once more on a new connection: the first closed without a byte of answer".to_string();
                    drop(permit);
                    continue;
                }
                Ok(r) => r.map_err(|e| {
                    let mut f = scrubbed(transport_finding(&e, started));
                    f.detail.push_str(&note);
                    observed_failure(f)
                }),
            };
            let headers_ms = ms(started);
            let response = response?;
            let status = response.status().as_u16();
            if let Some(h) = &host {
                self.learn_slots(target, h, response.headers()).await;
            }
            if let (Some(o), Some(id)) = (&self.observer, trace_id) {
                o.response(id, status, response.headers(), headers_ms, &redactor);
            }
            if (300..400).contains(&status) && status != 304 {
                return Err(redirect_finding(&response, &redactor).with_timing(Timing {
                    headers: Some(headers_ms),
                    total: Some(ms(started)),
                    ..Default::default()
                }));
            }
            let retry_after = retry_after_secs(response.headers());
            // A Retry-After zencheck may wait out (a zero bound, as in serve mode or
            // --max-retry-wait 0, never waits, not even on `Retry-After: 0`).
            let pause = retry_after.map(Duration::from_secs).filter(|d| {
                !self.limits.max_retry_wait.is_zero() && *d <= self.limits.max_retry_wait
            });
            if let Some(p) = &permit {
                match status {
                    429 => p.throttled(pause),
                    _ => p.answered_in(Some(headers_ms)),
                }
            }
            if status == 429 && waited.is_none() {
                if let Some(secs) = pause.and(retry_after) {
                    // Drain what the server sent (bounded) so the connection can be reused;
                    // the place is given back, and the next attempt waits for the pause.
                    let _ = tokio::time::timeout(Duration::from_secs(2), response.bytes()).await;
                    drop(permit);
                    waited = Some(secs);
                    continue;
                }
            }
            let content_encoding = header_str(response.headers(), "content-encoding");
            let cap = self.limits.body_cap.max(self.limits.stream_cap);
            let decoding = match decode::Decoder::for_header(content_encoding.as_deref(), cap) {
                Ok(decoder) => Decoding {
                    decoder,
                    ..Default::default()
                },
                Err(e) => Decoding {
                    refused: Some(e),
                    ..Default::default()
                },
            };
            return Ok(Opened {
                content_type: header_str(response.headers(), "content-type")
                    .map(|c| redactor.scrub(&c)),
                content_encoding: content_encoding.map(|c| redactor.scrub(&c)),
                decoding,
                request_id: request_id(response.headers()).map(|id| redactor.scrub(&id)),
                redactor,
                response,
                started,
                deadline,
                headers_ms,
                status,
                waited_secs: waited,
                permit,
                room,
                trace_id,
                head: Vec::new(),
                head_error: None,
            });
        }
    }

    /// The first `n` bytes of an opened answer's body (fewer when it ends first, or stays
    /// silent past the idle bound), kept for whichever reader reads it next: what an answer
    /// is can be told from its start when its content type does not say (an event stream
    /// labelled `application/json`).
    pub async fn peek<'a>(&self, o: &'a mut Opened, n: usize) -> &'a [u8] {
        while o.head.len() < n && o.head_error.is_none() {
            let left = o.deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(self.limits.idle.min(left), o.chunk()).await {
                Ok(Ok(Some(chunk))) => o.head.extend_from_slice(&chunk),
                Ok(Err(e)) => o.head_error = Some(e),
                Ok(Ok(None)) | Err(_) => break,
            }
        }
        &o.head
    }

    /// Send and wait for the response headers. The connection has its own bound (reqwest's
    /// connect timeout, named when it fires); the wait for headers starts counting only
    /// once no connection attempt is in flight, so a slow connect is never misnamed as a
    /// silent server, and a silent server is named within `--timeout` of connecting.
    async fn send_for_headers(
        &self,
        req: reqwest::RequestBuilder,
        started: Instant,
    ) -> Result<Result<reqwest::Response, reqwest::Error>, String> {
        let send = req.send();
        tokio::pin!(send);
        let header_wait = self.limits.idle;
        let mut silent_since = Instant::now();
        loop {
            let left = (started + self.limits.total).saturating_duration_since(Instant::now());
            let tick = header_wait
                .saturating_sub(silent_since.elapsed())
                .min(Duration::from_millis(100))
                .min(left);
            match tokio::time::timeout(tick, &mut send).await {
                Ok(r) => return Ok(r),
                Err(_) if left <= tick => {
                    return Err(format!(
                        "no response headers within the total bound ({} s, --max-time)",
                        self.limits.total.as_secs_f32()
                    ))
                }
                Err(_) if self.connects.connecting() => silent_since = Instant::now(),
                Err(_) if silent_since.elapsed() >= header_wait => {
                    return Err(format!(
                        "connected, but no response headers within {} s (--timeout)",
                        header_wait.as_secs_f32()
                    ))
                }
                Err(_) => {}
            }
        }
    }

    /// Send, then read the whole body under the cap and the idle/total bounds.
    pub async fn call(&self, target: &Target, r: &Request) -> Result<Answer, Finding> {
        let opened = self.open(target, r).await?;
        self.read_body(opened).await
    }

    /// Read the rest of an opened response under the cap and the idle/total bounds.
    pub async fn read_body(&self, o: Opened) -> Result<Answer, Finding> {
        let id = o.trace_id;
        let answer = self.read_body_unobserved(o).await;
        if let (Some(obs), Some(id)) = (&self.observer, id) {
            match &answer {
                Ok(a) => obs.body(id, &a.body, a.timing.total.unwrap_or(0)),
                Err(f) => obs.failed(id, &f.detail),
            }
        }
        answer
    }

    async fn read_body_unobserved(&self, mut o: Opened) -> Result<Answer, Finding> {
        let retry_after = retry_after_secs(o.response.headers());
        let path = o.response.url().path().to_string();
        let mut buf = std::mem::take(&mut o.head);
        let mut peeked_error = o.head_error.take();
        let evidence = Evidence {
            http_status: Some(o.status),
            provider_message: None,
            request_id: o.request_id.clone(),
        };
        loop {
            let left = o.deadline.saturating_duration_since(Instant::now());
            let wait = self.limits.idle.min(left);
            let timing = Timing {
                headers: Some(o.headers_ms),
                first_token: None,
                total: Some(ms(o.started)),
            };
            let next = match peeked_error.take() {
                Some(e) => Ok(Err(e)),
                None => tokio::time::timeout(wait, o.chunk()).await,
            };
            match next {
                Err(_) => {
                    let what = if left <= self.limits.idle {
                        "the total time bound"
                    } else {
                        "the idle bound"
                    };
                    return Err(Finding::fail(
                        Kind::Timeout,
                        format!(
                            "body stalled after {} bytes ({what}, {} s)",
                            buf.len(),
                            wait.as_secs_f32()
                        ),
                    )
                    .with_evidence(evidence)
                    .with_timing(timing));
                }
                Ok(Err(e)) => {
                    let mut f = e.finding(o.started).with_evidence(evidence);
                    f.detail = o.redactor.scrub(&format!(
                        "body cut after {} bytes: {}",
                        buf.len(),
                        f.detail
                    ));
                    return Err(f.with_timing(timing));
                }
                Ok(Ok(None)) => break,
                Ok(Ok(Some(chunk))) => {
                    buf.extend_from_slice(&chunk);
                    if buf.len() > self.limits.body_cap {
                        return Err(Finding::fail(
                            Kind::BadResponse,
                            format!("body larger than the {} byte cap", self.limits.body_cap),
                        )
                        .with_evidence(evidence)
                        .with_timing(timing));
                    }
                }
            }
        }
        spend::body_seen(&buf);
        Ok(Answer {
            status: o.status,
            content_type: o.content_type,
            request_id: o.request_id,
            retry_after_secs: retry_after,
            // Scrubbed whole, before any judge parses, cuts or quotes it.
            body: o.redactor.scrub_bytes(buf),
            timing: Timing {
                headers: Some(o.headers_ms),
                first_token: None,
                total: Some(ms(o.started)),
            },
            waited_secs: o.waited_secs,
            sent_cap: None,
            path: Some(path),
        })
    }
}

impl Http {
    /// Read an opened event stream under the idle, total and byte bounds, keeping every
    /// event in the transcript (`zencheck fidelity` compares them with what its upstream
    /// sent); every event's data is scrubbed of the target's secrets as it is read.
    pub async fn read_stream(&self, o: Opened) -> sse::Transcript {
        let mut events = Vec::new();
        let mut t = self.read_stream_each(o, |e| events.push(e.clone())).await;
        t.events = events;
        t
    }

    /// As [`Http::read_stream`], but each event, scrubbed, is lent to `on_event` the moment
    /// it is read and is not kept: the transcript's `events` stay empty, so a stream read
    /// to its cap costs what the caller keeps of it, not the stream.
    pub async fn read_stream_each(
        &self,
        o: Opened,
        mut on_event: impl FnMut(&sse::TimedEvent),
    ) -> sse::Transcript {
        let bounds = sse::Bounds {
            started: o.started,
            idle: self.limits.idle,
            deadline: o.deadline,
            cap: self.limits.stream_cap,
        };
        let (redactor, trace_id) = (o.redactor.clone(), o.trace_id);
        let redactor = &redactor;
        let observer = self.observer.as_deref().zip(trace_id);
        let mut frames = 0;
        let mut usage = spend::StreamUsage::default();
        // Each frame is scrubbed, and shown (`-vv`, `--trace`), as it arrives. The bytes a
        // peek read first, and the error it met, come before the rest; all of it decoded.
        let body = o.into_body_stream();
        let mut t = sse::read_folded(body, bounds, |e| {
            e.data = redactor.scrub_owned(std::mem::take(&mut e.data));
            e.event = redactor.scrub_owned(std::mem::take(&mut e.event));
            if let Some((obs, id)) = observer {
                obs.frame(id, frames, e);
            }
            frames += 1;
            usage.note(&e.data);
            on_event(e);
        })
        .await;
        usage.seen();
        t.unterminated_tail = t.unterminated_tail.map(|s| redactor.scrub(&s));
        if let sse::End::Cut(m) | sse::End::Undecodable(m) = &mut t.end {
            *m = redactor.scrub(m);
        }
        if let (Some(obs), Some(id)) = (&self.observer, trace_id) {
            obs.stream_end(id, &t, frames);
        }
        t
    }
}

/// zencheck could not build its HTTP client (a bad --proxy or --cacert, usually).
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error("{0}")]
    Build(String),
}

impl From<ClientError> for crate::error::RunError {
    fn from(e: ClientError) -> crate::error::RunError {
        use crate::error::RunError;
        match e {
            ClientError::Transport(t @ TransportError::BadProxy { .. }) => {
                RunError::Usage(t.to_string())
            }
            ClientError::Transport(t @ TransportError::Cacert { .. }) => RunError::Io {
                what: "set up TLS".into(),
                why: t.to_string(),
            },
            ClientError::Build(why) => RunError::Client(why),
        }
    }
}

/// A 3xx answer: where it points and what following it would have done with the key.
fn redirect_finding(r: &reqwest::Response, redactor: &Redactor) -> Finding {
    let status = r.status().as_u16();
    let from = r.url().clone();
    let location = header_str(r.headers(), "location");
    let to = location.as_deref().and_then(|l| from.join(l).ok());
    let shown = |u: &url::Url| crate::redact::url_for_display(&redactor.scrub(u.as_str()));
    let mut detail = match (&location, &to) {
        (_, Some(to)) => format!("HTTP {status} redirect to {}", shown(to)),
        (Some(l), None) => format!(
            "HTTP {status} redirect to an unusable Location `{}`",
            crate::redact::strip_controls(&redactor.scrub(l))
        ),
        (None, None) => format!("HTTP {status} redirect without a Location"),
    };
    if let Some(to) = &to {
        if from.scheme() == "https" && to.scheme() == "http" {
            detail.push_str(
                "; it drops from https to plain http, so the key would travel unencrypted",
            );
        } else if from.scheme() != to.scheme() {
            detail.push_str(&format!(
                "; the scheme changes from {} to {}",
                from.scheme(),
                to.scheme()
            ));
        }
        if from.origin() != to.origin() {
            detail.push_str("; it leaves this origin, taking the key's headers with it");
        }
        if matches!(status, 301..=303) {
            detail.push_str("; clients turn a POST into a GET on it");
        }
    }
    detail.push_str(" (zencheck does not follow redirects)");
    let mut f = Finding::fail(Kind::Redirect, detail).with_evidence(Evidence {
        http_status: Some(status),
        provider_message: None,
        request_id: request_id(r.headers()).map(|id| redactor.scrub(&id)),
    });
    f.redirect_base = to
        .as_ref()
        .and_then(|to| redirect_base(&from, to))
        .map(|u| crate::redact::url_for_display(&redactor.scrub(&u)));
    f
}

/// The base URL a redirect implies: `to` without the endpoint zencheck appended to the base
/// URL (`/chat/completions`, `/responses`…), when `to` ends with it too; `None` when the
/// redirect leads somewhere else (a login page).
fn redirect_base(from: &url::Url, to: &url::Url) -> Option<String> {
    let segs = |u: &url::Url| -> Vec<String> {
        u.path_segments()
            .map(|s| s.filter(|p| !p.is_empty()).map(str::to_string).collect())
            .unwrap_or_default()
    };
    let (a, b) = (segs(from), segs(to));
    // The endpoint zencheck appended to the base URL: its last one or two segments.
    let endpoint = match a.iter().rev().map(String::as_str).collect::<Vec<_>>()[..] {
        ["completions", "chat", ..] => 2,
        ["completions" | "responses" | "messages" | "models" | "embeddings", ..] => 1,
        _ => 0,
    };
    let shared = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    if shared < endpoint || endpoint == 0 {
        return None;
    }
    let shared = endpoint;
    if shared == 0 {
        return None;
    }
    let mut base = to.clone();
    base.set_query(None);
    base.set_fragment(None);
    base.set_path(&b[..b.len() - shared].join("/"));
    Some(base.as_str().trim_end_matches('/').to_string())
}

pub fn ms(since: Instant) -> u64 {
    since.elapsed().as_millis() as u64
}

fn header_str(h: &HeaderMap, name: &str) -> Option<String> {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

pub fn request_id(h: &HeaderMap) -> Option<String> {
    REQUEST_ID_HEADERS
        .iter()
        .find_map(|n| header_str(h, n))
        .map(|s| one_line(&s))
}

/// `Retry-After` in seconds (the HTTP-date form is rare on these APIs), or
/// `retry-after-ms` rounded up.
pub fn retry_after_secs(h: &HeaderMap) -> Option<u64> {
    if let Some(s) = header_str(h, "retry-after").and_then(|v| v.parse::<f64>().ok()) {
        return Some(s.max(0.0).ceil() as u64);
    }
    header_str(h, "retry-after-ms")
        .and_then(|v| v.parse::<f64>().ok())
        .map(|m| (m / 1000.0).ceil() as u64)
}

/// Is this host on this machine, or a preset of a server that runs on it? Loopback
/// addresses and `localhost`, Ollama and LM Studio.
fn is_local(u: &url::Url, provider: Option<crate::provider::Provider>) -> bool {
    use crate::provider::Provider;
    let loopback = match u.host() {
        Some(url::Host::Ipv4(a)) => a.is_loopback(),
        Some(url::Host::Ipv6(a)) => a.is_loopback(),
        Some(url::Host::Domain(d)) => {
            d.eq_ignore_ascii_case("localhost") || d.ends_with(".localhost")
        }
        None => false,
    };
    loopback || matches!(provider, Some(Provider::Ollama | Provider::Lmstudio))
}

/// The connection closed (or was reset) before any byte of the answer: what a request sent on
/// a kept-alive connection the server was closing looks like. Not a connect failure, not a
/// timeout.
fn closed_unanswered(e: &reqwest::Error) -> bool {
    if e.is_connect() || e.is_timeout() || e.status().is_some() {
        return false;
    }
    let mut src: Option<&(dyn std::error::Error + 'static)> = e.source();
    while let Some(s) = src {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            if matches!(
                io.kind(),
                ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof
            ) {
                return true;
            }
        }
        let text = s.to_string().to_ascii_lowercase();
        if text.contains("closed before message completed") || text.contains("connection reset") {
            return true;
        }
        src = s.source();
    }
    false
}

/// Name a transport failure by walking the error's source chain (DNS, refused, reset,
/// TLS, closed without answer), since reqwest's own message is generic. The chain's own
/// words are kept as written (a TLS alert's `UnknownIssuer` means something); only the
/// matching is case-blind.
pub fn transport_finding(e: &reqwest::Error, started: Instant) -> Finding {
    let mut chain = Vec::new();
    let mut io_kind = None;
    let mut src: Option<&(dyn std::error::Error + 'static)> = e.source();
    while let Some(s) = src {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            io_kind.get_or_insert(io.kind());
        }
        let text = s.to_string();
        if !chain.contains(&text) {
            chain.push(text);
        }
        src = s.source();
    }
    let words = if chain.is_empty() {
        e.to_string()
    } else {
        chain.join(": ")
    };
    let text = words.to_ascii_lowercase();
    let timing = Timing {
        total: Some(ms(started)),
        ..Default::default()
    };
    let (kind, detail) = if e.is_timeout() || io_kind == Some(std::io::ErrorKind::TimedOut) {
        if e.is_connect() {
            (
                Kind::Timeout,
                "no connection within the connect bound (--connect-timeout): the host does not answer on that port \
                 (a firewall, a wrong port or address)"
                    .to_string(),
            )
        } else {
            (
                Kind::Timeout,
                "timed out waiting for the server".to_string(),
            )
        }
    } else if io_kind == Some(std::io::ErrorKind::ConnectionRefused)
        || text.contains("connection refused")
    {
        (
            Kind::Network,
            "connection refused: nothing is listening at that host and port".to_string(),
        )
    } else if text.contains("dns")
        || text.contains("lookup")
        || text.contains("name or service not known")
    {
        (
            Kind::Network,
            format!("{DNS_FAILED}: the host name does not resolve"),
        )
    } else if [
        "certificate",
        "tls",
        "ssl",
        "handshake",
        "corrupt message",
        "invalidcontenttype",
        "alert",
    ]
    .iter()
    .any(|w| text.contains(w))
    {
        (Kind::Network, tls_detail(&text, &words))
    } else if io_kind == Some(std::io::ErrorKind::ConnectionReset) || text.contains("reset") {
        (Kind::Network, "connection reset by the server".to_string())
    } else if text.contains("closed before message completed")
        || text.contains("incomplete")
        || io_kind == Some(std::io::ErrorKind::UnexpectedEof)
    {
        (
            Kind::Network,
            "the server closed the connection without a complete answer".to_string(),
        )
    } else {
        (
            Kind::Network,
            format!("request failed: {}", one_line(&words)),
        )
    };
    let mut f = Finding::fail(kind, crate::redact::strip_controls(&detail)).with_timing(timing);
    if f.detail.starts_with(DNS_FAILED) {
        f.rule_hint = Some(crate::failure::RuleHint::Dns);
    } else if kind == Kind::Network {
        // The phase's own fix, read as `explain` reads a pasted error.
        f.rule_hint = crate::classify::network_hint(&words);
    }
    f
}

/// How the detail of a name that does not resolve begins.
const DNS_FAILED: &str = "DNS lookup failed";

/// A TLS failure's cause in words a person can act on, then rustls' own words.
fn tls_detail(lower: &str, words: &str) -> String {
    let cause = if lower.contains("unknownissuer")
        || lower.contains("unknown issuer")
        || lower.contains("self-signed")
        || lower.contains("self signed")
    {
        "untrusted or self-signed certificate: give its CA with --cacert FILE (or SSL_CERT_FILE)"
    } else if lower.contains("notvalidforname") || lower.contains("not valid for name") {
        "the certificate is for another host name: use the name it was issued for"
    } else if lower.contains("expired") {
        "the certificate has expired (or this machine's clock is wrong)"
    } else if lower.contains("invalidcontenttype")
        || lower.contains("corrupt message")
        || lower.contains("wrong version")
        || lower.contains("invalid message")
    {
        "the server does not speak TLS on that port: use http:// instead of https://"
    } else {
        "TLS handshake failed (http vs https, or a bad certificate)"
    };
    format!("TLS failed: {cause} ({})", one_line(words))
}
