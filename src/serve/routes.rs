//! The exporter's endpoints: `/probe`, `/metrics`, `/report`, `/-/healthy`, and the bearer
//! token that guards all but the last.

use super::{metrics, Answer, State};
use crate::check::tier::Tier;
use axum::extract::{Query, Request, State as With};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use secrecy::ExposeSecret;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// Prometheus sends its scrape timeout with every scrape.
const SCRAPE_TIMEOUT: &str = "x-prometheus-scrape-timeout-seconds";
/// Left for encoding and the answer's way back, as blackbox_exporter does.
const MARGIN: Duration = Duration::from_millis(500);

pub fn router(state: Arc<State>) -> Router {
    let guarded = Router::new()
        .route("/probe", get(probe))
        .route("/metrics", get(own_metrics))
        .route("/report", get(report))
        .route_layer(middleware::from_fn_with_state(state.clone(), auth));
    Router::new()
        .route("/-/healthy", get(|| async { "OK\n" }))
        .merge(guarded)
        .with_state(state)
}

/// One line of text: why a request was refused. Never echoes what the caller sent.
fn refuse(status: StatusCode, why: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        why + "\n",
    )
        .into_response()
}

async fn auth(With(s): With<Arc<State>>, req: Request, next: Next) -> Response {
    if let Some(token) = &s.token {
        let given = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if !same(given.as_bytes(), token.expose_secret().as_bytes()) {
            let mut r = refuse(
                StatusCode::UNAUTHORIZED,
                "this exporter wants `Authorization: Bearer <token>` (--auth-token-env)".into(),
            );
            r.headers_mut()
                .insert(header::WWW_AUTHENTICATE, "Bearer".parse().expect("static"));
            return r;
        }
    }
    next.run(req).await
}

/// Compare without stopping at the first difference, so timing does not reveal the token.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn known(s: &State) -> String {
    s.targets
        .keys()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The probe's bound: the scrape's timeout minus the margin, else the configured deadline.
fn bound(headers: &HeaderMap, configured: Duration) -> (Duration, &'static str) {
    let scrape = headers
        .get(SCRAPE_TIMEOUT)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|t| t.is_finite() && *t > 0.0);
    match scrape {
        Some(t) => {
            let t = Duration::from_secs_f64(t.min(86_400.0));
            // A timeout under a second keeps half of itself rather than nothing.
            let b = t.saturating_sub(MARGIN).max(t / 2);
            (b.min(configured), "the scrape timeout")
        }
        None => (configured, "--deadline"),
    }
}

async fn probe(
    With(s): With<Arc<State>>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let Some(name) = q.get("target") else {
        return refuse(
            StatusCode::BAD_REQUEST,
            format!("give ?target=NAME, one of: {}", known(&s)),
        );
    };
    // Only a config target's name: a URL (or anything else) is unknown, and nothing is sent.
    let Some(entry) = s.targets.get(name.as_str()) else {
        return refuse(
            StatusCode::NOT_FOUND,
            format!(
                "unknown target: give the name of a [targets.NAME] of the config (never a URL), one of: {}",
                known(&s)
            ),
        );
    };
    let module = match q.get("module") {
        None => entry.module,
        Some(m) => match Tier::from_name(m) {
            Some(m) => m,
            None => {
                return refuse(
                    StatusCode::BAD_REQUEST,
                    "unknown module: catalog, chat, stream or full".into(),
                )
            }
        },
    };
    let (bound, source) = bound(&headers, s.deadline);
    match s.answer(name, module, bound, source).await {
        Answer::Metrics(text) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, metrics::CONTENT_TYPE)],
            text,
        )
            .into_response(),
        Answer::Busy => refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            "a probe of this target and module is still running and there is no earlier result"
                .into(),
        ),
    }
}

async fn own_metrics(With(s): With<Arc<State>>) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, metrics::CONTENT_TYPE)],
        s.metrics.render(s.guard.budget()),
    )
        .into_response()
}

async fn report(With(s): With<Arc<State>>, Query(q): Query<HashMap<String, String>>) -> Response {
    let Some(name) = q
        .get("target")
        .filter(|n| s.targets.contains_key(n.as_str()))
    else {
        return refuse(
            StatusCode::NOT_FOUND,
            format!("unknown target: give ?target=NAME, one of: {}", known(&s)),
        );
    };
    let last = s.reports.lock().expect("reports lock").get(name).cloned();
    match last {
        None => refuse(
            StatusCode::NOT_FOUND,
            "no probe of this target has run yet: scrape /probe first".into(),
        ),
        Some(o) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            o.report.to_json() + "\n",
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bound_is_the_scrape_timeout_minus_a_margin() {
        let mut h = HeaderMap::new();
        let conf = Duration::from_secs(300);
        assert_eq!(bound(&h, conf), (conf, "--deadline"));
        h.insert(SCRAPE_TIMEOUT, "2".parse().unwrap());
        assert_eq!(bound(&h, conf).0, Duration::from_millis(1500));
        h.insert(SCRAPE_TIMEOUT, "0.6".parse().unwrap());
        assert_eq!(bound(&h, conf).0, Duration::from_millis(300));
        h.insert(SCRAPE_TIMEOUT, "nan".parse().unwrap());
        assert_eq!(bound(&h, conf).0, conf);
        h.insert(SCRAPE_TIMEOUT, "10".parse().unwrap());
        assert_eq!(bound(&h, Duration::from_secs(3)).0, Duration::from_secs(3));
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd") && !same(b"ab", b"abc"));
    }
}
