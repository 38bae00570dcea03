//! Against the real scheduler fleet mode is for: Debian's `prometheus` package (installed by
//! `.ci/run`), started here on loopback and scraping `zencheck serve` over mock targets
//! (one healthy, one broken, one generating behind `min_interval`). Everything is asserted
//! through Prometheus' own HTTP API. Without a `prometheus` binary
//! (`ZENCHECK_PROMETHEUS_BIN`, else on PATH) the test is skipped, unless
//! `ZENCHECK_REQUIRE_PEERS=1` (set by CI) makes a missing peer a failure.

use crate::common::{config_target, exporter, free_port};
use serde_json::Value;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use zencheck::mock::{self, Scenario};

fn prometheus_bin() -> Option<PathBuf> {
    crate::peer_bin(
        "ZENCHECK_PROMETHEUS_BIN",
        &["prometheus"],
        &[],
        "prometheus",
    )
}

async fn query(api: &str, q: &str) -> Vec<Value> {
    let r: Value = reqwest::Client::new()
        .get(url::Url::parse_with_params(&format!("{api}/api/v1/query"), [("query", q)]).unwrap())
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .expect("Prometheus answers")
        .json()
        .await
        .expect("Prometheus answers JSON");
    assert_eq!(r["status"], "success", "{q}: {r}");
    r["data"]["result"].as_array().cloned().unwrap_or_default()
}

fn value(sample: &Value) -> f64 {
    sample["value"][1].as_str().unwrap().parse().unwrap()
}

/// Poll `q` until `done` holds for its result (bounded).
async fn wait_for(api: &str, q: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let until = Instant::now() + Duration::from_secs(40);
    loop {
        let r = query(api, q).await;
        if done(&r) {
            return r;
        }
        assert!(Instant::now() < until, "Prometheus never had {q}: {r:?}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_scrapes_the_exporter_and_the_guard_holds() {
    let _cpu = crate::CPU.read().await;
    let Some(bin) = prometheus_bin() else { return };
    let good = mock::start(Scenario::Healthy, 0).await.unwrap();
    let bad = mock::start(Scenario::Auth, 0).await.unwrap();
    let cached = mock::start(Scenario::Healthy, 0).await.unwrap();
    let config = [
        config_target("good", &good, ""),
        config_target("bad", &bad, ""),
        config_target("cached", &cached, "module = \"chat\"\nmin_interval = 300"),
    ]
    .concat();
    let (exporter, dir) = exporter(&config, &[]).await;
    let addr = exporter.addr;

    // The multi-target pattern of deploy/prometheus/prometheus.yml, scraped every second.
    let relabel = relabel(addr);
    let prom_yml = format!(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n\
         scrape_configs:\n\
         \x20 - job_name: catalog\n    metrics_path: /probe\n    params: {{module: [catalog]}}\n\
         \x20   static_configs: [{{targets: [good, bad]}}]\n{relabel}\
         \x20 - job_name: chat\n    metrics_path: /probe\n    params: {{module: [chat]}}\n\
         \x20   static_configs: [{{targets: [cached]}}]\n{relabel}\
         \x20 - job_name: exporter\n    static_configs: [{{targets: ['{addr}']}}]\n"
    );
    let (_prometheus, api) = start_prometheus(&bin, dir.path(), "prometheus", &prom_yml).await;

    // probe_success through Prometheus: 1 for the healthy target, 0 for the broken one.
    let r = wait_for(&api, "probe_success{job=\"catalog\"}", |r| r.len() == 2).await;
    for s in &r {
        let want = if s["metric"]["instance"] == "good" {
            1.0
        } else {
            0.0
        };
        assert_eq!(value(s), want, "{s}");
    }
    let r = query(
        &api,
        "zencheck_failure_info{instance=\"bad\",check=\"models.list\"}",
    )
    .await;
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(r[0]["metric"]["kind"], "auth");
    assert!(query(&api, "zencheck_failure_info{instance=\"good\"}")
        .await
        .is_empty());

    // Several scrapes of the generating target inside its min_interval: one probe.
    let scrapes = wait_for(
        &api,
        "count_over_time(probe_success{instance=\"cached\"}[1m])",
        |r| r.first().is_some_and(|s| value(s) >= 4.0),
    )
    .await;
    let age = query(&api, "zencheck_probe_age_seconds{instance=\"cached\"}").await;
    assert!(
        value(&age[0]) > 0.0,
        "the later scrapes were cached: {age:?}"
    );
    let cost = query(&api, "zencheck_requests{instance=\"cached\"}").await;
    // /models, then the model's requests: counted on the mock itself.
    assert_eq!(
        cached.requests() as f64,
        1.0 + value(&cost[0]),
        "{} scrapes cost more than one probe",
        value(&scrapes[0])
    );
    let probes = wait_for(
        &api,
        "zencheck_probes_total{job=\"exporter\",target=\"cached\"}",
        |r| !r.is_empty(),
    )
    .await;
    assert_eq!(value(&probes[0]), 1.0, "{probes:?}");
    exporter.stop().await;
}

/// The relabelling of deploy/prometheus/prometheus.yml's multi-target pattern: the target
/// goes to `/probe` as `target` and is the `instance`; the scrape goes to the exporter.
fn relabel(exporter: std::net::SocketAddr) -> String {
    format!(
        "    relabel_configs:\n\
         \x20     - source_labels: [__address__]\n        target_label: __param_target\n\
         \x20     - source_labels: [__param_target]\n        target_label: instance\n\
         \x20     - target_label: __address__\n        replacement: {exporter}\n"
    )
}

/// Start Debian's Prometheus on a free loopback port with `yml` and wait until it is ready;
/// returns it (killed when dropped) and its API's base URL.
async fn start_prometheus(
    bin: &std::path::Path,
    dir: &std::path::Path,
    name: &str,
    yml: &str,
) -> (crate::Running, String) {
    let cfg = dir.join(format!("{name}.yml"));
    std::fs::write(&cfg, yml).unwrap();
    let port = free_port();
    let api = format!("http://127.0.0.1:{port}");
    let log_path = dir.join(format!("{name}.log"));
    let log = std::fs::File::create(&log_path).unwrap();
    let running = crate::Running(
        std::process::Command::new(bin)
            .arg(format!("--config.file={}", cfg.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.join(format!("{name}-data")).display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(std::process::Stdio::null())
            .stderr(log)
            .spawn()
            .expect("prometheus starts"),
    );
    let until = Instant::now() + Duration::from_secs(20);
    loop {
        let ready = reqwest::Client::new()
            .get(format!("{api}/-/ready"))
            .timeout(Duration::from_secs(1))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success());
        if ready {
            break;
        }
        assert!(
            Instant::now() < until,
            "Prometheus {name} not ready:\n{}",
            std::fs::read_to_string(&log_path).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    (running, api)
}

/// The usual HA pair: two Prometheus servers with the same scrape config, each scraping the
/// one exporter for `chat` and `stream` of one generating target every 3 s. The
/// upstream (the mock, which counts what it receives) sees one probe per module in the
/// `min_interval`, not one per server and scrape.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ha_pair_of_prometheus_servers_costs_one_probe_per_module() {
    let _cpu = crate::CPU.read().await;
    let Some(bin) = prometheus_bin() else { return };
    let upstream = mock::start(Scenario::Healthy, 0).await.unwrap();
    let config = config_target("paid", &upstream, "module = \"stream\"\nmin_interval = 300");
    let (exporter, dir) = exporter(&config, &[]).await;
    let addr = exporter.addr;
    let relabel = relabel(addr);
    // Generous scrape timeouts: a loaded machine must not cut the probes short.
    let job = |module: &str| {
        format!(
            "\x20 - job_name: {module}\n    metrics_path: /probe\n    params: {{module: [{module}]}}\n\
             \x20   scrape_interval: 3s\n    scrape_timeout: 3s\n\
             \x20   static_configs: [{{targets: [paid]}}]\n{relabel}"
        )
    };
    let yml = |replica: &str| {
        format!(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  external_labels: {{replica: {replica}}}\n\
             scrape_configs:\n{}{}",
            job("chat"),
            job("stream")
        )
    };
    let (_a, api_a) = start_prometheus(&bin, dir.path(), "a", &yml("a")).await;
    let (_b, api_b) = start_prometheus(&bin, dir.path(), "b", &yml("b")).await;

    // Both servers have scraped both modules several times, and every answer says success.
    for api in [&api_a, &api_b] {
        for module in ["chat", "stream"] {
            wait_for(
                api,
                &format!("count_over_time(probe_success{{job=\"{module}\"}}[1m])"),
                |r| r.first().is_some_and(|s| value(s) >= 4.0),
            )
            .await;
            let ok = query(
                api,
                &format!("min_over_time(probe_success{{job=\"{module}\"}}[1m])"),
            )
            .await;
            assert_eq!(value(&ok[0]), 1.0, "{api} {module}: {ok:?}");
        }
    }
    // The upstream saw one /models and one set of requests per module: the probes' own
    // count of what they sent (zencheck_requests, the same in both servers).
    let mut sent = 0.0;
    for module in ["chat", "stream"] {
        let a = query(&api_a, &format!("zencheck_requests{{job=\"{module}\"}}")).await;
        let b = query(&api_b, &format!("zencheck_requests{{job=\"{module}\"}}")).await;
        assert_eq!(value(&a[0]), value(&b[0]), "both servers read one result");
        sent += 1.0 + value(&a[0]);
    }
    assert_eq!(
        upstream.requests() as f64,
        sent,
        "two Prometheus servers scraping every 3 s cost more than one probe per module"
    );
    let metrics = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for module in ["chat", "stream"] {
        let probes: f64 = metrics
            .lines()
            .filter(|l| {
                l.starts_with("zencheck_probes_total{")
                    && l.contains(&format!("module=\"{module}\""))
            })
            .map(|l| l.rsplit(' ').next().unwrap().parse::<f64>().unwrap())
            .sum();
        assert_eq!(probes, 1.0, "{module}: {metrics}");
    }
    exporter.stop().await;
}
