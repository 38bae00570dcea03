//! Seeing the exchange: `-v` (requests and responses on stderr as they happen), `-vv`
//! (bodies and SSE frames too, capped) and `--trace FILE` (every record as JSON Lines).
//!
//! The one HTTP client (`http/mod.rs`) reports to an optional [`Observer`]; nothing here
//! sends anything. What reaches a record is already hidden: request headers come from
//! `request::headers` (the key as `$VAR`), response headers and bodies pass through the
//! target's `Redactor` (bodies are scrubbed at entry by `Http`; everything else here), and
//! text bound for the terminal loses its control characters.

use crate::fit::prefix;
use crate::http::Request;
use crate::redact::{is_credential_header, strip_controls, Redactor};
use crate::target::Target;
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Most characters of one body (or one frame's data) shown on stderr under `-vv`.
pub const SHOWN_BODY_CAP: usize = 2000;
/// Most SSE frames of one stream shown on stderr under `-vv`; the rest are counted.
pub const SHOWN_FRAMES_CAP: usize = 50;
/// Most characters of one body or frame in the trace file.
pub const TRACE_BODY_CAP: usize = 64 * 1024;
/// Most SSE frames of one stream in the trace file.
pub const TRACE_FRAMES_CAP: usize = 2000;
/// Most characters of one response header value (or SSE event name) on stderr: a server
/// may send a header of tens of kilobytes, which would bury the exchange.
pub const SHOWN_HEADER_CAP: usize = 300;
/// Most characters of one response header value in the trace file.
pub const TRACE_HEADER_CAP: usize = 8 * 1024;

/// The trace file could not be created.
#[derive(Debug, thiserror::Error)]
#[error("cannot create the trace file {}: {source}", path.display())]
pub struct TraceError {
    pub path: PathBuf,
    pub source: std::io::Error,
}

impl From<TraceError> for crate::error::RunError {
    fn from(e: TraceError) -> crate::error::RunError {
        crate::error::RunError::Io {
            what: format!("create the trace file {}", e.path.display()),
            why: e.source.to_string(),
        }
    }
}

/// Where the exchange is reported: stderr at a verbosity, and/or a trace file.
pub struct Observer {
    verbose: u8,
    trace: Option<Mutex<std::io::BufWriter<std::fs::File>>>,
    next: AtomicU64,
}

impl Observer {
    /// `None` when neither `-v` nor `--trace` was given. The trace file is created now,
    /// before the first request, so a bad path costs nothing.
    pub fn new(verbose: u8, trace: Option<&Path>) -> Result<Option<Observer>, TraceError> {
        if verbose == 0 && trace.is_none() {
            return Ok(None);
        }
        let trace = match trace {
            Some(p) => Some(Mutex::new(std::io::BufWriter::new(
                std::fs::File::create(p).map_err(|source| TraceError {
                    path: p.to_path_buf(),
                    source,
                })?,
            ))),
            None => None,
        };
        Ok(Some(Observer {
            verbose,
            trace,
            next: AtomicU64::new(1),
        }))
    }

    /// A new exchange id, shared by the records of one request.
    pub fn next_id(&self) -> u64 {
        self.next.fetch_add(1, Ordering::Relaxed)
    }

    fn emit(&self, record: Value, line: Option<String>) {
        if let (Some(line), true) = (line, self.verbose > 0) {
            crate::out::warn(&line);
        }
        if let Some(t) = &self.trace {
            let record = with_owner(record, belongs());
            let mut w = t.lock().expect("trace lock");
            // A full disk must not stop the probe; the trace is a side product.
            let _ = writeln!(w, "{record}").and_then(|()| w.flush());
        }
    }

    /// A request about to be sent (each attempt, a Retry-After retry too).
    pub fn request(&self, id: u64, target: &Target, req: &Request, redactor: &Redactor) {
        let url = target.shown_endpoint(&req.path);
        let headers = super::request::headers(target, req);
        let body = req.body.as_ref().map(|b| redactor.scrub(&b.to_string()));
        let mut line = match belongs() {
            Some(b) => format!("[{id}] * {}\n", owner(&b)),
            None => String::new(),
        };
        line.push_str(&format!("[{id}] > {} {}", req.method, strip_controls(&url)));
        for (n, v) in &headers {
            line.push_str(&format!("\n[{id}] > {n}: {}", strip_controls(v)));
        }
        if let (Some(b), true) = (&body, self.verbose > 1) {
            line.push_str(&format!("\n[{id}] > {}", shown(b)));
        }
        let headers: serde_json::Map<String, Value> =
            headers.into_iter().map(|(n, v)| (n, json!(v))).collect();
        self.emit(
            json!({"type": "request", "id": id, "ts": now(), "target": target.name,
                   "method": req.method.as_str(), "url": url, "headers": headers, "body": body}),
            Some(line),
        );
    }

    /// Response headers arrived after `headers_ms`.
    pub fn response(
        &self,
        id: u64,
        status: u16,
        headers: &reqwest::header::HeaderMap,
        headers_ms: u64,
        redactor: &Redactor,
    ) {
        let shown: Vec<(String, String)> = headers
            .iter()
            .map(|(n, v)| {
                let v = String::from_utf8_lossy(v.as_bytes());
                let v = if is_credential_header(n.as_str(), &v) {
                    "[redacted]".to_string()
                } else {
                    // Scrubbed whole before the cut, so a cut cannot keep part of a key.
                    let v = redactor.scrub(&v);
                    match prefix(&v, TRACE_HEADER_CAP) {
                        (kept, false) => kept.to_string(),
                        (kept, true) => {
                            format!("{kept} … ({} characters in all)", v.chars().count())
                        }
                    }
                };
                (n.as_str().to_string(), v)
            })
            .collect();
        let mut line = format!("[{id}] < HTTP {status} ({headers_ms} ms to headers)");
        for (n, v) in &shown {
            line.push_str(&format!(
                "\n[{id}] < {n}: {}",
                shown_capped(v, SHOWN_HEADER_CAP)
            ));
        }
        let map: serde_json::Map<String, Value> =
            shown.into_iter().map(|(n, v)| (n, json!(v))).collect();
        self.emit(
            json!({"type": "response", "id": id, "ts": now(), "status": status,
                   "headers_ms": headers_ms, "headers": map}),
            Some(line),
        );
    }

    /// A whole body, already scrubbed by `Http`.
    pub fn body(&self, id: u64, body: &[u8], total_ms: u64) {
        let text = String::from_utf8_lossy(body);
        let mut line = format!("[{id}] < body: {} bytes in {total_ms} ms", body.len());
        if self.verbose > 1 && !text.is_empty() {
            line.push_str(&format!("\n[{id}] < {}", shown(&text)));
        }
        let (kept, cut) = prefix(&text, TRACE_BODY_CAP);
        self.emit(
            json!({"type": "body", "id": id, "ts": now(), "bytes": body.len(),
                   "total_ms": total_ms, "body": kept, "truncated": cut}),
            Some(line),
        );
    }

    /// The request ended without a whole answer (a stall, a cut, a cap); `detail` is scrubbed.
    pub fn failed(&self, id: u64, detail: &str) {
        self.emit(
            json!({"type": "error", "id": id, "ts": now(), "detail": detail}),
            Some(format!("[{id}] ! {}", shown(detail))),
        );
    }

    /// One frame of an event stream, already scrubbed, the moment it arrives; `index`
    /// counts the stream's frames from 0 (the caps apply to it).
    pub fn frame(&self, id: u64, index: usize, e: &super::sse::TimedEvent) {
        let line = (self.verbose > 1 && index < SHOWN_FRAMES_CAP).then(|| {
            format!(
                "[{id}] < +{} ms event {}: {}",
                e.at_ms,
                shown_capped(&e.event, SHOWN_HEADER_CAP),
                shown(&e.data)
            )
        });
        if index < TRACE_FRAMES_CAP {
            let (kept, cut) = prefix(&e.data, TRACE_BODY_CAP);
            let record = json!({"type": "sse", "id": id, "ts": now(), "at_ms": e.at_ms,
                "event": e.event, "data": kept, "truncated": cut});
            self.emit(record, line);
        } else if let Some(l) = line {
            crate::out::warn(&l);
        }
    }

    /// The end of an event stream whose `events` frames went through [`Observer::frame`].
    pub fn stream_end(&self, id: u64, t: &super::sse::Transcript, events: usize) {
        let end = match t.end.error() {
            Some(e) => format!("{}: {e}", t.end.code()),
            None => t.end.code().to_string(),
        };
        let mut line = format!(
            "[{id}] < stream: {} events, {} bytes, ended after {} ms (end: {end})",
            events, t.bytes, t.ended_at_ms,
        );
        if self.verbose > 1 && events > SHOWN_FRAMES_CAP {
            line.push_str(&format!(
                " ({} frames not shown)",
                events - SHOWN_FRAMES_CAP
            ));
        }
        self.emit(
            json!({"type": "stream_end", "id": id, "ts": now(), "events": events,
                   "bytes": t.bytes, "ended_at_ms": t.ended_at_ms,
                   "end": t.end.code(), "end_error": t.end.error(),
                   "unterminated_tail": t.unterminated_tail}),
            Some(strip_controls(&line)),
        );
    }
}

tokio::task_local! {
    /// The check (and model) whose requests the current task sends.
    static BELONGS: Belongs;
}

/// Which check, for which model, an exchange belongs to.
#[derive(Debug, Clone)]
struct Belongs {
    check: &'static str,
    model: Option<String>,
}

/// Run `fut` as check `check` for `model`: every record of its exchange names them. The
/// probe wraps each check in it; requests outside one (serve-check, opencode) name none.
pub async fn belonging<F: std::future::Future>(
    check: &'static str,
    model: Option<String>,
    fut: F,
) -> F::Output {
    BELONGS.scope(Belongs { check, model }, fut).await
}

fn belongs() -> Option<Belongs> {
    BELONGS.try_with(Belongs::clone).ok()
}

/// `chat.stream (gpt-x)`: control characters gone (a model id comes from the user).
fn owner(b: &Belongs) -> String {
    match &b.model {
        Some(m) => format!("{} ({})", b.check, strip_controls(m)),
        None => b.check.to_string(),
    }
}

/// The record with `check` and `model` right after its `id` (null outside a check).
fn with_owner(record: Value, b: Option<Belongs>) -> Value {
    let Value::Object(fields) = record else {
        return record;
    };
    let mut out = serde_json::Map::new();
    for (k, v) in fields {
        let after_id = k == "id";
        out.insert(k, v);
        if after_id {
            out.insert("check".into(), json!(b.as_ref().map(|b| b.check)));
            out.insert(
                "model".into(),
                json!(b.as_ref().and_then(|b| b.model.clone())),
            );
        }
    }
    Value::Object(out)
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A body as shown on stderr: control characters gone, capped, on as few lines as it has.
fn shown(s: &str) -> String {
    shown_capped(s, SHOWN_BODY_CAP)
}

/// `s` for stderr: control characters gone, at most `cap` characters and a count.
fn shown_capped(s: &str, cap: usize) -> String {
    let (kept, cut) = prefix(s, cap);
    let mut out = strip_controls(kept);
    if cut {
        out.push_str(&format!(" … ({} characters in all)", s.chars().count()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_text_is_capped_and_loses_control_characters() {
        let long = "x".repeat(SHOWN_BODY_CAP + 10);
        let s = shown(&long);
        assert!(s.ends_with(&format!("({} characters in all)", SHOWN_BODY_CAP + 10)));
        assert_eq!(shown("a\x1b]0;title\x07b"), "a]0;titleb");
        assert_eq!(prefix("héllo", 2), ("hé", true));
    }
}
