//! The exporter's endpoints: `/probe`, `/metrics`, `/report`, the status page `/`,
//! `/-/healthy`, and the bearer token that guards all but the last.

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
/// A probe gets at least this long (or `--deadline`, if shorter), whatever timeout a
/// scrape sends: a caller cannot make a probe that fails by design. Its result answers only
/// scrapes as short, if it was cut (see `Outcome::serves`).
const MIN_BOUND: Duration = Duration::from_secs(1);

pub fn router(state: Arc<State>) -> Router {
    let guarded = Router::new()
        .route("/probe", get(probe))
        .route("/metrics", get(own_metrics))
        .route("/report", get(report))
        .route("/", get(status_page))
        .route_layer(middleware::from_fn_with_state(state.clone(), auth));
    Router::new()
        .route("/-/healthy", get(|| async { "OK\n" }))
        .merge(guarded)
        // Prometheus always asks for gzip; answers go compressed when a client asks.
        .layer(tower_http::compression::CompressionLayer::new().gzip(true))
        .layer(middleware::from_fn_with_state(state.clone(), answering))
        .with_state(state)
}

/// Counts the request as being answered until its response is made, so a shutdown waits
/// for it (and for nothing else).
async fn answering(With(s): With<Arc<State>>, req: Request, next: Next) -> Response {
    let _answering = s.in_flight.enter();
    next.run(req).await
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
            .and_then(bearer)
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

/// The token of an `Authorization: Bearer <token>` value; the scheme is case-insensitive
/// (RFC 7235), as Prometheus and every HTTP client may spell it.
fn bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim_start().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim_matches(' '))
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
            let b = t.saturating_sub(MARGIN).max(t / 2).max(MIN_BOUND);
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
    // The configured module is a ceiling: a caller may ask less of a target, never more.
    if module > entry.module {
        s.metrics.module_refused(name, module);
        return refuse(
            StatusCode::FORBIDDEN,
            format!(
                "module {} is above this target's configured module {} (its `module` in the config is the most a scrape may ask)",
                module.name(),
                entry.module.name()
            ),
        );
    }
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
        s.metrics.render(s.guard.spent(), &s.connections),
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
    // `module=M`: the last probe in that module; without it, the last in any module.
    let module = match q.get("module") {
        None => None,
        Some(m) => match Tier::from_name(m) {
            Some(t) => Some(t),
            None => {
                return refuse(
                    StatusCode::BAD_REQUEST,
                    "unknown module: catalog, chat, stream or full".into(),
                )
            }
        },
    };
    let last = s
        .reports
        .lock()
        .expect("reports lock")
        .get(name)
        .and_then(|by| match module {
            Some(m) => by.get(&m).cloned(),
            None => by.values().min_by_key(|o| o.age()).cloned(),
        });
    match last {
        None => refuse(
            StatusCode::NOT_FOUND,
            match module {
                Some(m) => format!(
                    "no probe of this target in module {} has run yet: scrape /probe?module={} first",
                    m.name(),
                    m.name()
                ),
                None => "no probe of this target has run yet: scrape /probe first".into(),
            },
        ),
        // `started_at` and `duration_ms` are the probe's; `Age` how long ago it finished.
        Some(o) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "application/json".to_string()),
                (header::AGE, o.age().as_secs().to_string()),
            ],
            o.report.to_json() + "\n",
        )
            .into_response(),
    }
}

/// How often the status page reloads itself.
const STATUS_REFRESH_S: u32 = 30;

/// The status page: the latest probe of every target in each module it was probed in, as
/// one HTML report (a check run in several modules shows its newest result), with how old
/// each is; targets not probed yet are listed as such. Nothing is probed to answer it.
async fn status_page(With(s): With<Arc<State>>) -> Response {
    let last = s.reports.lock().expect("reports lock").clone();
    let mut probes = Vec::new();
    let mut parts = Vec::new();
    for name in s.targets.keys() {
        let Some(by) = last.get(name).filter(|by| !by.is_empty()) else {
            probes.push(crate::report::Probed {
                target: name.clone(),
                module: None,
                age_s: 0,
                passed: false,
                cut_s: None,
            });
            continue;
        };
        for o in by.values() {
            probes.push(crate::report::Probed {
                target: name.clone(),
                module: Some(o.module.name()),
                age_s: o.age().as_secs(),
                passed: !o.report.failed(),
                cut_s: o.cut.map(|c| c.as_secs_f64()),
            });
        }
        parts.push(newest_rows(by.values().map(|o| o.as_ref())));
    }
    let merged = crate::report::Report::merge(parts, s.fail_on);
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        crate::report::render_status_html(&merged, &probes, STATUS_REFRESH_S),
    )
        .into_response()
}

/// One target's probes in several modules as one report: the newest probe's, with the
/// rows of older probes whose check and model it did not run (a `catalog` scrape every
/// 30 s does not hide what the 10-minute `stream` probe found).
fn newest_rows<'a>(
    outcomes: impl Iterator<Item = &'a super::guard::Outcome>,
) -> crate::report::Report {
    let mut by_age: Vec<&super::guard::Outcome> = outcomes.collect();
    by_age.sort_by_key(|o| o.age());
    let mut r = by_age[0].report.clone();
    for older in &by_age[1..] {
        for c in &older.report.checks {
            let ran = r
                .checks
                .iter()
                .any(|n| n.check == c.check && n.model == c.model && n.target == c.target);
            if !ran {
                r.checks.push(c.clone());
            }
        }
    }
    r
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
        assert_eq!(bound(&h, conf).0, MIN_BOUND, "a floor under a tiny timeout");
        h.insert(SCRAPE_TIMEOUT, "0.001".parse().unwrap());
        assert_eq!(bound(&h, conf).0, MIN_BOUND);
        assert_eq!(
            bound(&h, Duration::from_millis(200)).0,
            Duration::from_millis(200),
            "--deadline below the floor still holds"
        );
        h.insert(SCRAPE_TIMEOUT, "nan".parse().unwrap());
        assert_eq!(bound(&h, conf).0, conf);
        h.insert(SCRAPE_TIMEOUT, "10".parse().unwrap());
        assert_eq!(bound(&h, Duration::from_secs(3)).0, Duration::from_secs(3));
    }

    #[test]
    fn the_bearer_scheme_is_case_insensitive() {
        assert_eq!(bearer("Bearer t0k"), Some("t0k"));
        assert_eq!(bearer("bearer t0k"), Some("t0k"));
        assert_eq!(bearer("BEARER  t0k"), Some("t0k"));
        assert_eq!(bearer("Basic t0k"), None);
        assert_eq!(bearer("Bearert0k"), None);
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd") && !same(b"ab", b"abc"));
    }
}
