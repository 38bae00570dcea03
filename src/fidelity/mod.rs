//! `zencheck fidelity`: is a gateway faithful? The built-in provider plays known acts as the
//! gateway's upstream (`mock::upstream`), requests go through the gateway (`through.rs`),
//! and each aspect is judged from both sides (`judge.rs`), one report row per aspect
//! (`aspect.rs`) naming the gateway as the layer.

pub mod aspect;
pub mod judge;
pub mod through;

use crate::failure::{CheckHint, HintContext};
use crate::gateway::Gateway;
use crate::http::Http;
use crate::mock::upstream::{Act, Upstream};
use crate::report::{CheckResult, TargetRun};
use crate::target::Target;
use aspect::Aspect;
use judge::Sides;
use std::collections::HashMap;
use std::time::Duration;
use through::Seen;

/// One fidelity run: the gateway, the model alias it routes to the upstream, the upstream.
pub struct Run<'a> {
    pub http: &'a Http,
    pub gateway: &'a Target,
    pub model: &'a str,
    pub upstream: &'a Upstream,
    /// The URL the gateway must forward to, as the user configured it (for the details).
    pub upstream_url: String,
    /// The silence the silence acts hold; `None` leaves them out.
    pub silence: Option<Duration>,
}

/// A run id that tells this run's requests from any other's at the upstream.
fn run_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{:x}", (nanos as u64) ^ u64::from(std::process::id()))
}

/// Play every act through the gateway, one after another, and judge each aspect.
pub async fn check(run: &Run<'_>) -> TargetRun {
    let id = run_id();
    let (rows, spent) = crate::http::spend::scope(async {
        let mut seen: HashMap<Act, Seen> = HashMap::new();
        for act in Act::ALL {
            let silent = matches!(act, Act::SilenceHeaders | Act::SilenceStream);
            if silent && run.silence.is_none() {
                continue;
            }
            let body = through::body(act, &id, run.model);
            // `-v` and `--trace` name each exchange by the act it plays.
            let sent = crate::http::observe::belonging(
                act.trace_name(),
                Some(run.model.to_string()),
                through::send(run.http, run.gateway, body),
            );
            seen.insert(act, sent.await);
        }
        rows(run, &id, &seen)
    })
    .await;
    let mut info = run.gateway.info();
    info.models = vec![run.model.to_string()];
    TargetRun {
        info,
        models_available: None,
        require: Vec::new(),
        checks: rows,
        secrets: run.gateway.secrets(),
        spent,
    }
}

fn rows(run: &Run<'_>, id: &str, seen: &HashMap<Act, Seen>) -> Vec<CheckResult> {
    let up: HashMap<Act, Vec<_>> = Act::ALL
        .into_iter()
        .map(|a| (a, run.upstream.of(id, a)))
        .collect();
    let none = Seen::default();
    let sides = |a: Act| Sides {
        up: &up[&a],
        seen: seen.get(&a).unwrap_or(&none),
    };
    let via = Gateway::identify(
        seen.values()
            .flat_map(|s| s.headers.iter().map(|(n, v)| (n.as_str(), v.as_str()))),
    );
    let silence = run.silence.map(|d| d.as_secs_f64());
    let not_tried = || {
        crate::finding::Finding::skip(
            "not tried: give --silence SECS, at the gateway's timeout (nginx and ALBs cut at 60 s, Cloudflare at 100 s)",
        )
    };
    let (basic, stream) = (sides(Act::Basic), sides(Act::Stream));
    let (pacing, pacing_stats) = judge::pacing(&stream);
    let buffered = pacing.kind == Some(crate::failure::Kind::StreamBuffered);
    let mut out = Vec::new();
    for aspect in Aspect::ALL {
        let s = sides(aspect.act());
        let mut stats = None;
        let f = match aspect {
            Aspect::Route => judge::route(&basic, &run.upstream_url),
            Aspect::Params => judge::params(&[&basic, &stream]),
            Aspect::Model => judge::model(&basic),
            Aspect::Usage => judge::usage(&basic, &stream),
            Aspect::ToolCall => judge::tool_call(&basic),
            Aspect::RequestId => judge::request_id(&basic),
            Aspect::Headers => judge::headers(&stream),
            Aspect::Pacing => {
                stats = pacing_stats.clone();
                judge::pacing_encoded(pacing.clone(), &stream)
            }
            Aspect::Encoding => judge::encoding(&basic, &stream, buffered),
            Aspect::StreamEnd => judge::stream_end(&stream),
            Aspect::StreamError => judge::stream_error(&s),
            Aspect::StreamCut => judge::stream_cut(&s),
            Aspect::Status => judge::status(&s),
            Aspect::RetryAfter => judge::retry_after(&s),
            Aspect::ErrorMessage => judge::error_message(&s),
            Aspect::SilenceHeaders => match silence {
                Some(secs) => judge::silence_headers(&s, secs),
                None => not_tried(),
            },
            Aspect::SilenceStream => match silence {
                Some(secs) => judge::silence_stream(&s, secs),
                None => not_tried(),
            },
        };
        let mut f = f;
        if f.evidence.http_status.is_none() {
            f.evidence = judge::evidence(s.seen);
        }
        f.gateway = false;
        if stats.is_some() {
            f.stream = stats;
        }
        let timing = crate::finding::Timing {
            headers: s.seen.headers_ms,
            first_token: None,
            total: None,
        };
        f = f.with_timing(timing);
        let cx = HintContext {
            model: Some(run.model),
            check: Some(CheckHint::Fidelity),
            via,
            ..Default::default()
        };
        let mut row = CheckResult::from_finding(
            &run.gateway.name,
            aspect.id(),
            Some("/chat/completions"),
            f,
            &cx,
        );
        if let Some(g) = via.filter(|_| row.kind.is_some()) {
            row.detail = format!("{} [the gateway: {} by its headers]", row.detail, g.name());
        }
        out.push(row);
    }
    out
}
