//! What a probe spent: requests sent and output tokens the servers reported in `usage`.
//!
//! Counted where requests leave and answers arrive (`http/mod.rs`, the stream reader's caller),
//! into the counter of the probe running on this task: `probe` runs each target inside
//! [`scope`], so concurrent targets sharing one client keep their own totals.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A run's (or a target's) spend, as reported.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spent {
    /// HTTP requests sent, retries included (a short `Retry-After`'s, `chat.basic` with
    /// `max_completion_tokens`, a check sent again because reasoning spent its cap).
    pub requests: u64,
    /// Output tokens the answers' `usage` reported (`completion_tokens` or `output_tokens`,
    /// which include reasoning tokens); answers without usage count zero.
    pub output_tokens: u64,
    /// Requests sent once more after a wait for headers that ended in silence (not in the
    /// report: a basic check's cold start is read from it).
    #[serde(skip)]
    pub silent_resends: u64,
}

impl Spent {
    pub fn plus(self, o: Spent) -> Spent {
        Spent {
            requests: self.requests + o.requests,
            output_tokens: self.output_tokens + o.output_tokens,
            silent_resends: self.silent_resends + o.silent_resends,
        }
    }
}

#[derive(Default)]
pub struct Counter {
    requests: AtomicU64,
    output_tokens: AtomicU64,
    silent_resends: AtomicU64,
    /// The scope this one runs inside (a check's, inside its target's): it counts there too.
    parent: Option<Arc<Counter>>,
}

impl Counter {
    pub fn spent(&self) -> Spent {
        Spent {
            requests: self.requests.load(Ordering::Relaxed),
            output_tokens: self.output_tokens.load(Ordering::Relaxed),
            silent_resends: self.silent_resends.load(Ordering::Relaxed),
        }
    }
    fn add(&self, requests: u64, output_tokens: u64) {
        let mut c = Some(self);
        while let Some(counter) = c {
            counter.requests.fetch_add(requests, Ordering::Relaxed);
            counter
                .output_tokens
                .fetch_add(output_tokens, Ordering::Relaxed);
            c = counter.parent.as_deref();
        }
    }
}

tokio::task_local! {
    static COUNTER: Arc<Counter>;
}

/// Run `fut` with its own counter; returns what it spent beside its output. Inside another
/// scope (a check inside its target's probe) the spend counts in both.
pub async fn scope<F: std::future::Future>(fut: F) -> (F::Output, Spent) {
    let c = Arc::new(Counter {
        parent: COUNTER.try_with(Arc::clone).ok(),
        ..Counter::default()
    });
    let out = COUNTER.scope(c.clone(), fut).await;
    (out, c.spent())
}

/// One request left (outside a probe's scope, nothing is counted).
pub fn request_sent() {
    let _ = COUNTER.try_with(|c| c.add(1, 0));
}

/// A request got no headers within `--timeout` and is sent once more.
pub fn resent_after_silence() {
    let _ = COUNTER.try_with(|c| {
        let mut at = Some(c.as_ref());
        while let Some(counter) = at {
            counter.silent_resends.fetch_add(1, Ordering::Relaxed);
            at = counter.parent.as_deref();
        }
    });
}

/// An answer's `usage` object (chat, Responses or Messages keys).
pub fn usage_seen(usage: &Value) {
    let n = ["completion_tokens", "output_tokens"]
        .iter()
        .find_map(|k| usage.get(*k).and_then(Value::as_u64))
        .unwrap_or(0);
    if n > 0 {
        let _ = COUNTER.try_with(|c| c.add(0, n));
    }
}

/// The output tokens of a JSON answer body, if it carries usage.
pub fn body_seen(body: &[u8]) {
    if let Ok(v) = serde_json::from_slice::<Value>(body) {
        if let Some(u) = v.get("usage").filter(|u| u.is_object()) {
            usage_seen(u);
        }
    }
}

/// The output tokens of a stream, read event by event as it arrives: the last usage any
/// event carried (chat's final chunk, `response.completed`, Anthropic's `message_delta`).
/// Only an event that names `usage` is parsed (a stream read to the cap is about 41 000
/// events and most carry none), and only the last usage is kept.
#[derive(Default)]
pub struct StreamUsage(Option<Value>);

impl StreamUsage {
    pub fn note(&mut self, data: &str) {
        static USAGE: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
            std::sync::LazyLock::new(|| memchr::memmem::Finder::new("usage"));
        if USAGE.find(data.as_bytes()).is_none() {
            return;
        }
        let Ok(v) = serde_json::from_str::<Value>(data.trim()) else {
            return;
        };
        if let Some(u) = v
            .get("usage")
            .or(v.pointer("/response/usage"))
            .filter(|u| u.is_object())
        {
            self.0 = Some(u.clone());
        }
    }

    /// The stream is over: count what its last usage said.
    pub fn seen(self) {
        if let Some(u) = self.0 {
            usage_seen(&u);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn each_scope_counts_its_own() {
        let ((), a) = scope(async {
            request_sent();
            body_seen(br#"{"usage":{"prompt_tokens":9,"completion_tokens":4}}"#);
        })
        .await;
        let ((), b) = scope(async {
            request_sent();
            request_sent();
            body_seen(br#"{"usage":{"input_tokens":9,"output_tokens":7}}"#);
        })
        .await;
        assert_eq!((a.requests, a.output_tokens), (1, 4));
        assert_eq!((b.requests, b.output_tokens), (2, 7));
        request_sent(); // outside any probe: ignored, no panic
    }

    #[tokio::test]
    async fn a_stream_counts_the_last_usage_it_carried() {
        let ev = |data: &str| super::super::sse::TimedEvent {
            event: "message".into(),
            data: data.into(),
            at_ms: 0,
        };
        let mut events = vec![ev(r#"{"usage":{"completion_tokens":3}}"#)];
        events.extend((0..1000).map(|_| ev(r#"{"choices":[{"delta":{"content":"x"}}]}"#)));
        events.push(ev(r#"{"choices":[],"usage":{"completion_tokens":5}}"#));
        events.push(ev("[DONE]"));
        let ((), seen) = scope(async {
            let mut u = StreamUsage::default();
            events.iter().for_each(|e| u.note(&e.data));
            u.seen()
        })
        .await;
        assert_eq!(seen.output_tokens, 5);
    }

    #[tokio::test]
    async fn a_nested_scope_counts_in_its_parent_too() {
        let (inner, outer) = scope(async {
            request_sent();
            let ((), inner) = scope(async {
                request_sent();
                body_seen(br#"{"usage":{"completion_tokens":5}}"#);
            })
            .await;
            inner
        })
        .await;
        assert_eq!((inner.requests, inner.output_tokens), (1, 5));
        assert_eq!((outer.requests, outer.output_tokens), (2, 5));
    }
}
