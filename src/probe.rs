//! Plans the checks for one target, runs them concurrently, and builds the report.

use crate::check::{self, chat, models, stream, CheckId, Ctx};
use crate::failure::{HintContext, Kind};
use crate::http::Http;
use crate::outcome::Finding;
use crate::report::{CheckResult, Report};
use crate::target::Target;
use futures_util::StreamExt;
use indicatif::ProgressBar;

/// Run every check against `target`, at most `concurrency` requests at a time.
pub async fn probe(
    http: &Http,
    target: &Target,
    concurrency: usize,
    progress: Option<&ProgressBar>,
) -> Report {
    let cx = Ctx { http, target };
    let mut jobs: Vec<(CheckId, Option<usize>)> = vec![(CheckId::ModelsList, None)];
    for i in 0..target.models.len() {
        jobs.extend(CheckId::GENERATION.iter().map(|c| (*c, Some(i))));
    }
    if let Some(pb) = progress {
        pb.set_length(jobs.len() as u64);
    }
    let cx = &cx;
    // (check, model index, finding, ids when the check was models.list)
    type Ran = (CheckId, Option<usize>, Finding, Option<Vec<String>>);
    let done: Vec<Ran> = futures_util::stream::iter(jobs)
        .map(|(id, mi)| async move {
            let model = mi.map(|i| target.models[i].as_str());
            let (finding, ids) = match (id, model) {
                (CheckId::ModelsList, _) => models::list(cx).await,
                (CheckId::ChatBasic, Some(m)) => (chat::basic(cx, m).await, None),
                (CheckId::ChatTools, Some(m)) => (chat::tools(cx, m).await, None),
                (CheckId::ChatStream, Some(m)) => (stream::stream(cx, m).await, None),
                (CheckId::ChatStreamUsage, Some(m)) => (stream::stream_usage(cx, m).await, None),
                (other, _) => unreachable!("{other:?} is not planned as a job"),
            };
            if let Some(pb) = progress {
                pb.inc(1);
            }
            (id, mi, finding, ids)
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;

    let listed = done.iter().find_map(|d| d.3.clone());
    let mut rows: Vec<(Option<usize>, CheckId, Finding)> =
        done.into_iter().map(|(id, mi, f, _)| (mi, id, f)).collect();
    for (i, m) in target.models.iter().enumerate() {
        rows.push((
            Some(i),
            CheckId::ModelsExists,
            models::exists(listed.as_deref(), m),
        ));
    }
    if target.models.is_empty() {
        let why = match &listed {
            Some(ids) if !ids.is_empty() => {
                format!("no --model given; pick one of the {} listed ids", ids.len())
            }
            _ => "no --model given".to_string(),
        };
        for c in CheckId::GENERATION {
            rows.push((None, c, check::skipped(&why)));
        }
    }
    if let Some(fix) = &target.base_url_fix {
        let f = Finding::warn(
            Kind::BaseUrl,
            format!(
                "`{}` ends in {}: probing {} instead",
                fix.given, fix.stripped, target.base_url
            ),
        );
        rows.push((None, CheckId::TargetBaseUrl, f));
    }
    // A generation check that hit an unknown model gets the closest listed ids too.
    for (mi, _, f) in rows.iter_mut() {
        if let (Some(i), Some(Kind::ModelNotFound), Some(ids)) = (*mi, f.kind, &listed) {
            if f.suggestions.is_empty() {
                f.suggestions = models::closest(ids, &target.models[i], 3);
            }
        }
    }
    // Target-wide rows first, then each model's rows in check order.
    rows.sort_by_key(|(mi, id, _)| (mi.map_or(0, |i| i + 1), *id));
    let results = rows
        .into_iter()
        .map(|(mi, id, f)| result(target, id, mi.map(|i| target.models[i].as_str()), f))
        .collect();
    Report::new(target.info(), listed, results, &target.secrets())
}

fn result(target: &Target, id: CheckId, model: Option<&str>, f: Finding) -> CheckResult {
    let cx = HintContext {
        provider: target.provider,
        key_env: target.key_env.as_deref(),
        model,
        param: f.param.as_deref(),
        suggestions: &f.suggestions,
        gateway: f.gateway,
        retry_after_secs: f.retry_after_secs,
    };
    CheckResult {
        check: id.id().to_string(),
        model: model.map(str::to_string),
        endpoint: id.endpoint().map(str::to_string),
        status: f.status,
        kind: f.kind,
        title: f.kind.map(|k| k.title().to_string()),
        hint: f.kind.map(|k| k.hint(&cx)),
        detail: f.detail,
        param: f.param,
        http_status: f.evidence.http_status,
        provider_message: f.evidence.provider_message,
        request_id: f.evidence.request_id,
        timing_ms: f.timing,
    }
}
