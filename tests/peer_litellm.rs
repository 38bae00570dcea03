//! Against a real gateway this project did not write: the LiteLLM proxy from PyPI, run on
//! 127.0.0.1 by `.ci/run` with `testdata/peers/litellm.yaml` (models that never leave the
//! machine). `ZENCHECK_LITELLM_URL` points at it; without it the test is skipped, unless
//! `ZENCHECK_REQUIRE_PEERS=1` (set by CI) makes a missing peer a failure.

mod common;

use common::{check, probe};
use zencheck::failure::Kind;
use zencheck::outcome::Status;

fn peer_url() -> Option<String> {
    match std::env::var("ZENCHECK_LITELLM_URL") {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            assert!(
                std::env::var("ZENCHECK_REQUIRE_PEERS").as_deref() != Ok("1"),
                "ZENCHECK_REQUIRE_PEERS=1 but ZENCHECK_LITELLM_URL is not set"
            );
            eprintln!("skipped: set ZENCHECK_LITELLM_URL to a LiteLLM proxy running testdata/peers/litellm.yaml");
            None
        }
    }
}

// All cases in one test: they share one proxy, and the key variables are process-wide.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn litellm_proxy_verdicts() {
    let Some(url) = peer_url() else { return };
    // SAFETY: set before any probe runs; no other test in this binary reads the environment.
    unsafe {
        std::env::set_var("ZC_LITELLM_KEY", "sk-test");
        std::env::set_var("ZC_LITELLM_WRONG", "sk-not-the-master-key");
    }
    let base = [
        "--provider",
        "litellm",
        "--base-url",
        url.as_str(),
        "--api-key-env",
        "ZC_LITELLM_KEY",
    ];
    let with = |extra: &[&'static str]| -> Vec<&str> {
        base.iter().copied().chain(extra.iter().copied()).collect()
    };

    // The proxy's first requests after start wait ~0.5 s and then send the mock's whole
    // stream at once; that burst is real (and reported), so warm it up first.
    probe(&with(&["-m", "mock-gpt"])).await;

    let healthy = probe(&with(&["-m", "mock-gpt"])).await;
    for id in [
        "models.list",
        "models.exists",
        "chat.basic",
        "chat.stream",
        "chat.stream_usage",
        "chat.tools",
    ] {
        let c = check(&healthy, id);
        assert_eq!(c.status, Status::Pass, "{id}: {}", healthy.to_json());
    }
    // LiteLLM's usage chunk carries choices:[{delta:{}}] rather than []: still usage.
    assert!(check(&healthy, "chat.stream_usage")
        .detail
        .contains("usage"));

    let limited = probe(&with(&["-m", "mock-ratelimit"])).await;
    let c = check(&limited, "chat.basic");
    assert_eq!((c.kind, c.http_status), (Some(Kind::RateLimit), Some(429)));
    assert!(c
        .provider_message
        .as_deref()
        .unwrap()
        .contains("RateLimitError"));

    let broken = probe(&with(&["-m", "mock-500"])).await;
    assert_eq!(check(&broken, "chat.basic").kind, Some(Kind::ServerError));

    let typo = probe(&with(&["-m", "mock-gtp"])).await;
    let exists = check(&typo, "models.exists");
    assert_eq!(exists.kind, Some(Kind::ModelNotFound));
    assert!(
        exists.hint.as_deref().unwrap().contains("mock-gpt"),
        "{:?}",
        exists.hint
    );
    // LiteLLM answers an unknown model with 400, not 404: still model_not_found.
    let chat = check(&typo, "chat.basic");
    assert_eq!(
        (chat.kind, chat.http_status),
        (Some(Kind::ModelNotFound), Some(400))
    );

    let wrong_key = probe(&[
        "--provider",
        "litellm",
        "--base-url",
        &url,
        "--api-key-env",
        "ZC_LITELLM_WRONG",
        "-m",
        "mock-gpt",
    ])
    .await;
    assert_eq!(check(&wrong_key, "chat.basic").kind, Some(Kind::Auth));
    assert!(!wrong_key.to_json().contains("sk-not-the-master-key"));
}
