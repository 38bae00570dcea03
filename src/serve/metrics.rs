//! What `/probe` and `/metrics` answer, in OpenMetrics text through the official
//! `prometheus-client` crate: a fresh registry per probe answer (as blackbox_exporter does)
//! and one long-lived registry for the exporter itself.
//!
//! Labels hold only bounded values zencheck chose or the config names (model ids, check
//! ids, statuses, kind codes, target and module names): never a URL, a key or server text.

use super::guard::Outcome;
use super::listen::Counts;
use crate::check::tier::Tier;
use crate::check::CheckId;
use crate::finding::Status;
use crate::report::CheckResult;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeGaugeValue};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::metrics::info::Info;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::{Registry, Unit};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

type Labels = Vec<(String, String)>;
type FGauge = Gauge<f64, AtomicU64>;

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The answer to one `/probe`: the outcome's metrics, `age` old (0 when just probed).
pub fn probe_answer(o: &Outcome, age: Duration) -> String {
    let mut reg = Registry::default();
    let success = Gauge::<i64>::default();
    success.set(i64::from(!o.report.failed()));
    reg.register(
        "probe_success",
        "Whether the target passed under its fail policy (1) or not (0). The result may be cached: see zencheck_probe_age_seconds",
        success,
    );
    let duration = FGauge::default();
    duration.set(o.duration.as_secs_f64());
    reg.register_with_unit(
        "probe_duration",
        "How long the probe took (of the cached result, when cached)",
        Unit::Seconds,
        duration,
    );
    let age_g = FGauge::default();
    age_g.set(age.as_secs_f64());
    reg.register_with_unit(
        "zencheck_probe_age",
        "Seconds since this result was probed: above 0 it is a cached result (min_interval, single flight or the probe budget)",
        Unit::Seconds,
        age_g,
    );

    let mut check_success = Sorted::<i64>::new(
        "zencheck_check_success",
        "1 when the check passed, 0 when it failed or warned (unsupported and skipped checks are absent; see zencheck_check_status)",
        None,
    );
    let mut check_status = Sorted::<i64>::new(
        "zencheck_check_status",
        "1 for the status the check has (pass, fail, warn, unsupported, skip), 0 for the others",
        None,
    );
    let mut required = Sorted::<i64>::new(
        "zencheck_check_required",
        "1 for the checks the target's `require` names: the application depends on them",
        None,
    );
    let mut ttft = Sorted::<f64>::new(
        "zencheck_ttft",
        "Time from sending the request to the first content token",
        Some(Unit::Seconds),
    );
    let mut gap = Sorted::<f64>::new(
        "zencheck_stream_max_gap",
        "The largest gap between chunks: between two consecutive content chunks of a stream (the wait before the first is zencheck_stream_silence_before_first_token_seconds)",
        Some(Unit::Seconds),
    );
    let mut silence = Sorted::<f64>::new(
        "zencheck_stream_silence_before_first_token",
        "The silence before the first token: from a stream's response headers to its first content chunk",
        Some(Unit::Seconds),
    );
    let mut requests = Sorted::<i64>::new(
        "zencheck_requests",
        "Requests the probe sent for the model (what the probe cost)",
        None,
    );
    let mut tokens = Sorted::<i64>::new(
        "zencheck_output_tokens",
        "Output tokens the servers reported for the model's answers in this probe",
        None,
    );
    let mut failures = Vec::new();
    let mut per_model: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for c in &o.report.checks {
        let model = c.model.as_deref().unwrap_or("");
        let mc = labels(&[("model", model), ("check", &c.check)]);
        match c.status {
            Status::Pass => check_success.set(&mc, 1),
            // (`zencheck serve` does not repeat, so never flaky.)
            Status::Fail | Status::Warn | Status::Flaky => check_success.set(&mc, 0),
            Status::Unsupported | Status::Skip => {}
        };
        if c.required {
            required.set(&mc, 1);
        }
        for s in [
            Status::Pass,
            Status::Fail,
            Status::Warn,
            Status::Unsupported,
            Status::Skip,
        ] {
            let mut l = mc.clone();
            l.push(("status".into(), s.as_str().into()));
            check_status.set(&l, i64::from(s == c.status));
        }
        if let (Some(kind), true) = (c.kind, c.status.is_problem()) {
            let mut l = mc.clone();
            l.push(("kind".into(), kind.code().into()));
            failures.push(l);
        }
        if let Some(ms) = c.timing_ms.first_token {
            ttft.set(&mc, ms as f64 / 1000.0);
        }
        let m = measures(&c.detail);
        // The structured stream timings, one definition each (the detail's old "max gap"
        // was another measure and is not read).
        if let Some(ms) = c.stream.as_ref().and_then(|s| s.gap_max_ms) {
            gap.set(&mc, ms as f64 / 1000.0);
        }
        if let Some(ms) = c
            .stream
            .as_ref()
            .and_then(|s| s.silence_before_first_token_ms)
        {
            silence.set(&mc, ms as f64 / 1000.0);
        }
        if let Some(model) = &c.model {
            // The check's structured cost (every turn and retry it sent, the output tokens
            // of every answer's usage); rows without one (older reports), read from the
            // detail as one request.
            let (n, t) = match c.cost {
                Some(s) => (s.requests, s.output_tokens),
                None => (u64::from(sent_request(c)), m.output_tokens.unwrap_or(0)),
            };
            let e = per_model.entry(model.clone()).or_default();
            e.0 += n as i64;
            e.1 += t as i64;
        }
    }
    for (model, (n, t)) in &per_model {
        let l = labels(&[("model", model)]);
        requests.set(&l, *n);
        tokens.set(&l, *t);
    }
    reg.register_collector(Box::new(check_success));
    reg.register_collector(Box::new(check_status));
    reg.register_collector(Box::new(required));
    reg.register_collector(Box::new(FailureInfo(failures)));
    reg.register_collector(Box::new(ttft));
    reg.register_collector(Box::new(gap));
    reg.register_collector(Box::new(silence));
    reg.register_collector(Box::new(requests));
    reg.register_collector(Box::new(tokens));
    encode(&reg)
}

/// What `/probe` answers when the hour's budget is spent and nothing is cached.
pub fn budget_exhausted_answer() -> String {
    let mut reg = Registry::default();
    let g = Gauge::<i64>::default();
    g.set(1);
    reg.register(
        "zencheck_probe_budget_exhausted",
        "1: max_probes_per_hour is spent and this target and module have no cached result, so nothing was probed",
        g,
    );
    encode(&reg)
}

fn encode(reg: &Registry) -> String {
    let mut out = String::new();
    prometheus_client::encoding::text::encode(&mut out, reg).expect("writing to a String");
    out
}

/// One gauge family whose series come out sorted by their labels: a `Family` writes its
/// series in hash order, a different one in every answer, and two scrapes of the same result
/// should read the same.
#[derive(Debug)]
struct Sorted<V> {
    name: &'static str,
    help: String,
    unit: Option<Unit>,
    series: BTreeMap<Labels, V>,
}

impl<V> Sorted<V> {
    fn new(name: &'static str, help: &str, unit: Option<Unit>) -> Sorted<V> {
        Sorted {
            name,
            // As the registry writes a help text.
            help: format!("{help}."),
            unit,
            series: BTreeMap::new(),
        }
    }

    fn set(&mut self, labels: &Labels, v: V) {
        self.series.insert(labels.clone(), v);
    }
}

impl<V: EncodeGaugeValue + std::fmt::Debug + Send + Sync + 'static> Collector for Sorted<V> {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let mut m = encoder.encode_descriptor(
            self.name,
            &self.help,
            self.unit.as_ref(),
            MetricType::Gauge,
        )?;
        for (labels, v) in &self.series {
            m.encode_family(labels)?.encode_gauge(v)?;
        }
        Ok(())
    }
}

/// `zencheck_failure_info{model,check,kind} 1`: one info sample per failing or warning check.
#[derive(Debug)]
struct FailureInfo(Vec<Labels>);

impl Collector for FailureInfo {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        if self.0.is_empty() {
            return Ok(());
        }
        let mut m = encoder.encode_descriptor(
            "zencheck_failure",
            "The failure kind of each check that failed or warned (stable codes, see the README).",
            None,
            MetricType::Info,
        )?;
        for l in &self.0 {
            m.encode_info(l)?;
        }
        Ok(())
    }
}

/// Whether the check sent a request of its own (the reads off other answers did not): a
/// check the registry derives from the run sends none.
fn sent_request(c: &CheckResult) -> bool {
    c.status != Status::Skip && CheckId::by_id(&c.check).is_none_or(|id| id.derive().is_none())
}

/// Numbers the checks write into their detail (`· 9+1 tokens`, `· usage 9+1`), for
/// reports of versions without a structured cost.
#[derive(Debug, Default, PartialEq)]
pub struct Measures {
    pub output_tokens: Option<u64>,
}

pub fn measures(detail: &str) -> Measures {
    let mut m = Measures::default();
    for part in detail.split(" · ") {
        let part = part.trim();
        let counts = part
            .strip_suffix(" tokens")
            .or_else(|| part.strip_prefix("usage "));
        if let Some((_, out)) = counts.and_then(|c| c.split_once('+')) {
            m.output_tokens = out.parse().ok().or(m.output_tokens);
        }
    }
    m
}

/// The exporter's own metrics, for `GET /metrics`.
pub struct Exporter {
    registry: Registry,
    probes: Family<Labels, Counter>,
    cache_hits: Family<Labels, Counter>,
    durations: Family<Labels, Histogram>,
    budget_refusals: Counter,
    budget_spent: Gauge,
    module_refusals: Family<Labels, Counter>,
    cut_short: Family<Labels, Counter>,
    connections_open: Gauge,
    connections_refused: Counter,
}

impl Exporter {
    pub fn new(budget: Option<u32>) -> Exporter {
        let mut registry = Registry::default();
        let probes = Family::<Labels, Counter>::default();
        let cache_hits = Family::<Labels, Counter>::default();
        let durations = Family::<Labels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.05, 2.0, 12))
        });
        let budget_refusals = Counter::default();
        let budget_spent = Gauge::default();
        let budget_limit: Gauge = Gauge::default();
        budget_limit.set(budget.map_or(-1, i64::from));
        registry.register(
            "zencheck_probes",
            "Probes run, by target, module and result (success or failure)",
            probes.clone(),
        );
        registry.register(
            "zencheck_cache_hits",
            "Scrapes answered from a cached result, by target and module",
            cache_hits.clone(),
        );
        registry.register_with_unit(
            "zencheck_probe_duration",
            "How long probes took, by target and module",
            Unit::Seconds,
            durations.clone(),
        );
        registry.register(
            "zencheck_probe_budget_refusals",
            "Generation probes not run because max_probes_per_hour was spent",
            budget_refusals.clone(),
        );
        registry.register(
            "zencheck_probe_budget_spent",
            "Generation probes run in the last hour, counted with or without max_probes_per_hour",
            budget_spent.clone(),
        );
        registry.register(
            "zencheck_probe_budget_per_hour",
            "max_probes_per_hour (-1: no budget)",
            budget_limit,
        );
        let module_refusals = Family::<Labels, Counter>::default();
        registry.register(
            "zencheck_module_refusals",
            "Scrapes refused (403) for asking a module above the target's configured one, by target and the module asked",
            module_refusals.clone(),
        );
        let cut_short = Family::<Labels, Counter>::default();
        registry.register(
            "zencheck_probes_cut_short",
            "Probes whose deadline (the scrape timeout or --deadline) fired before they finished, by target and module: their result answers only scrapes as short",
            cut_short.clone(),
        );
        let connections_open = Gauge::default();
        registry.register(
            "zencheck_connections_open",
            "Connections open now (at most --max-connections)",
            connections_open.clone(),
        );
        let connections_refused = Counter::default();
        registry.register(
            "zencheck_connections_refused",
            "Connections closed at once because --max-connections were open",
            connections_refused.clone(),
        );
        registry.register(
            "zencheck_build",
            "zencheck's version",
            Info::new(vec![("version", env!("CARGO_PKG_VERSION"))]),
        );
        Exporter {
            registry,
            probes,
            cache_hits,
            durations,
            budget_refusals,
            budget_spent,
            module_refusals,
            cut_short,
            connections_open,
            connections_refused,
        }
    }

    pub fn module_refused(&self, target: &str, module: Tier) {
        self.module_refusals
            .get_or_create(&labels(&[("target", target), ("module", module.name())]))
            .inc();
    }

    pub fn probed(&self, target: &str, module: Tier, o: &Outcome) {
        if o.cut.is_some() {
            self.cut_short
                .get_or_create(&labels(&[("target", target), ("module", module.name())]))
                .inc();
        }
        let result = if o.report.failed() {
            "failure"
        } else {
            "success"
        };
        let tm = labels(&[("target", target), ("module", module.name())]);
        let mut l = tm.clone();
        l.push(("result".into(), result.into()));
        self.probes.get_or_create(&l).inc();
        self.durations
            .get_or_create(&tm)
            .observe(o.duration.as_secs_f64());
    }

    pub fn cache_hit(&self, target: &str, module: Tier) {
        self.cache_hits
            .get_or_create(&labels(&[("target", target), ("module", module.name())]))
            .inc();
    }

    pub fn budget_refused(&self) {
        self.budget_refusals.inc();
    }

    /// The exporter's metrics, with the last hour's generation probes (`spent`) and the
    /// accept loop's counts as they are now.
    pub fn render(&self, spent: u32, connections: &Counts) -> String {
        self.budget_spent.set(i64::from(spent));
        self.connections_open
            .set(connections.open.load(Ordering::Relaxed) as i64);
        let refused = connections.refused.load(Ordering::Relaxed) as u64;
        let counted = self.connections_refused.get();
        if refused > counted {
            self.connections_refused.inc_by(refused - counted);
        }
        encode(&self.registry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_read_the_checks_own_suffixes() {
        assert_eq!(
            measures("\"pong\" · 12 chunks · finish stop · [DONE] · usage 9+3 · max gap 120 ms"),
            Measures {
                output_tokens: Some(3)
            }
        );
        assert_eq!(
            measures("\"pong\" · finish stop · 9+1 tokens").output_tokens,
            Some(1)
        );
        assert_eq!(measures("HTTP 401 invalid_api_key"), Measures::default());
        assert_eq!(measures("usage null+null").output_tokens, None);
    }
}
