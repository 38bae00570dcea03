//! Against a real gateway this project did not write: the LiteLLM proxy from PyPI, run on
//! 127.0.0.1 by `.ci/run` with `testdata/peers/litellm.yaml` (models that never leave the
//! machine). `ZENCHECK_LITELLM_URL` points at it; without it the test is skipped, unless
//! `ZENCHECK_REQUIRE_PEERS=1` (set by CI) makes a missing peer a failure. Its `up-*` models
//! forward to the URLs in `ZENCHECK_LITELLM_UPSTREAM` and `ZENCHECK_LITELLM_UPSTREAM_REASONING`,
//! where this test serves `zencheck mock`.

use crate::common;

use crate::peer_var;
use common::{check, probe, verdict};
use zencheck::failure::Kind;
use zencheck::finding::Status;
use zencheck::mock::{self, MockServer, Scenario};

fn peer_url() -> Option<String> {
    peer_var(
        "ZENCHECK_LITELLM_URL",
        "a LiteLLM proxy running testdata/peers/litellm.yaml",
    )
}

// All cases in one test: they share one proxy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn litellm_proxy_verdicts() {
    let _cpu = crate::CPU.read().await;
    let Some(url) = peer_url() else { return };
    common::set_env("ZC_LITELLM_KEY", "sk-test");
    common::set_env("ZC_LITELLM_WRONG", "sk-not-the-master-key");
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

    // From a cold start (CI runs this right after the proxy is up): its first streams come
    // late, headers included, and then fast. That is a slow server, not a buffering one.
    let healthy = probe(&with(&[
        "-m",
        "mock-gpt",
        "--checks",
        "models,chat.basic,chat.max_tokens,chat.stream,chat.stream_usage,chat.tools",
    ]))
    .await;
    for c in &healthy.checks {
        assert!(
            c.status == Status::Pass,
            "{}: {}",
            c.check,
            healthy.to_json()
        );
    }
    // LiteLLM's usage chunk carries choices:[{delta:{}}] rather than []: still usage.
    assert!(check(&healthy, "chat.stream_usage")
        .detail
        .contains("usage"));

    // Its mock accepts every tool_choice and answers in prose: forced calls are ignored.
    let matrix = probe(&with(&[
        "-m",
        "mock-gpt",
        "--checks",
        "chat.tool_choice_*,chat.stream_tools,responses",
    ]))
    .await;
    let outcome = |id: &str| verdict(&matrix, id);
    let ignored = (
        Status::Fail,
        Some(Kind::ParamIgnored),
        Some("tool_choice".to_string()),
    );
    for id in [
        "chat.tool_choice_required",
        "chat.tool_choice_named",
        "chat.stream_tools",
        "responses.tools",
        // Its /responses mock never calls a tool, so the round trip stops at turn one.
        "responses.tool_roundtrip",
    ] {
        assert_eq!(outcome(id), ignored, "{id}: {}", matrix.to_json());
    }
    // Nor does it follow text.format: the canned prose is an ignored format, not a failure
    // of the route (responses.basic passes).
    assert_eq!(
        outcome("responses.json_schema"),
        (
            Status::Fail,
            Some(Kind::ParamIgnored),
            Some("text.format".to_string())
        ),
        "{}",
        matrix.to_json()
    );
    for id in [
        "chat.tool_choice_none",
        "chat.tool_choice_null",
        "responses.basic",
    ] {
        assert_eq!(outcome(id).0, Status::Pass, "{id}: {}", matrix.to_json());
    }
    // Streaming /responses on a mock model is a 500 whose body is an SSE error frame.
    let rs = check(&matrix, "responses.stream");
    assert_eq!(
        (rs.kind, rs.http_status),
        (Some(Kind::ServerError), Some(500)),
        "{}",
        matrix.to_json()
    );
    assert!(
        rs.provider_message
            .as_deref()
            .unwrap_or("")
            .contains("Error processing stream start"),
        "{:?}",
        rs.provider_message
    );

    let limited = probe(&with(&["-m", "mock-ratelimit", "--checks", "chat.basic"])).await;
    let c = check(&limited, "chat.basic");
    assert_eq!((c.kind, c.http_status), (Some(Kind::RateLimit), Some(429)));
    assert!(c
        .provider_message
        .as_deref()
        .unwrap()
        .contains("RateLimitError"));

    let broken = probe(&with(&["-m", "mock-500", "--checks", "chat.basic"])).await;
    assert_eq!(check(&broken, "chat.basic").kind, Some(Kind::ServerError));

    let typo = probe(&with(&["-m", "mock-gtp", "--checks", "models,chat.basic"])).await;
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

    // What applications send, through a real gateway: mock_response answers every request
    // with its canned prose, so LiteLLM accepts response_format and tools without enforcing
    // them. That is what the checks must say (accepted but ignored), not a broken endpoint;
    // and an invalid request gets LiteLLM's JSON 400, which is the right error shape.
    let apps = probe(&with(&[
        "-m",
        "mock-gpt",
        "--checks",
        "chat.json_schema,chat.json_object,chat.tool_roundtrip,chat.stream_tool_roundtrip,chat.tools_seen,chat.error_shape",
    ]))
    .await;
    let outcome = |id: &str| {
        let c = check(&apps, id);
        (c.status, c.kind, c.param.clone(), c.http_status)
    };
    let ignored = |param: &str| {
        (
            Status::Fail,
            Some(Kind::ParamIgnored),
            Some(param.to_string()),
            Some(200),
        )
    };
    for (id, param) in [
        ("chat.json_schema", "response_format"),
        ("chat.json_object", "response_format"),
        // Its mock counts the same prompt_tokens with and without the tools: chat.tools_seen
        // says they never reached a model, and the round trips blame `tools`, not tool_choice.
        ("chat.tool_roundtrip", "tools"),
        ("chat.stream_tool_roundtrip", "tools"),
        ("chat.tools_seen", "tools"),
    ] {
        assert_eq!(outcome(id), ignored(param), "{id}: {}", apps.to_json());
    }
    assert_eq!(
        outcome("chat.error_shape"),
        (Status::Pass, None, None, Some(400)),
        "{}",
        apps.to_json()
    );

    // An embedding model is probed on /embeddings alone. LiteLLM's mock_response answers
    // one vector whatever the input count: a client sending two inputs cannot pair them.
    let embed = probe(&with(&["-m", "mock-embed"])).await;
    let generation: Vec<&str> = embed
        .checks
        .iter()
        .filter(|c| c.endpoint.as_deref().is_some_and(|e| e != "/models"))
        .map(|c| c.check.as_str())
        .collect();
    assert_eq!(generation, ["embeddings.basic"], "{}", embed.to_json());
    let e = check(&embed, "embeddings.basic");
    assert_eq!(
        (e.status, e.kind, e.http_status),
        (Status::Fail, Some(Kind::BadResponse), Some(200)),
        "{}",
        embed.to_json()
    );
    assert!(
        e.detail.contains("2 inputs sent, 1 vector came back"),
        "{}",
        e.detail
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

    through_an_upstream(&base).await;
}

/// Start `zencheck mock` on the loopback URL in `var`, where LiteLLM's up-* models send.
async fn upstream(var: &str, scenario: Scenario) -> Option<MockServer> {
    let url = peer_var(var, "the loopback URL LiteLLM's up-* models forward to")?;
    let port: u16 = url
        .strip_prefix("http://127.0.0.1:")
        .and_then(|rest| rest.split('/').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("{var}={url} is not http://127.0.0.1:PORT/v1"));
    Some(
        mock::start(scenario, port)
            .await
            .unwrap_or_else(|e| panic!("{var}: cannot serve the mock on port {port}: {e}")),
    )
}

/// LiteLLM in front of a real upstream (`zencheck mock`, healthy, and a reasoning model):
/// every request is translated by LiteLLM's openai/ adapter, its /responses bridge and its
/// embeddings route, so the checks that its mock_response models can only call ignored must
/// pass here, where the feature really works behind the gateway.
async fn through_an_upstream(base: &[&str]) {
    let with = |extra: &[&'static str]| -> Vec<&str> {
        base.iter().copied().chain(extra.iter().copied()).collect()
    };
    let Some(healthy) = upstream("ZENCHECK_LITELLM_UPSTREAM", Scenario::Healthy).await else {
        return;
    };
    let Some(reasoning) =
        upstream("ZENCHECK_LITELLM_UPSTREAM_REASONING", Scenario::Reasoning).await
    else {
        return;
    };
    let apps = [
        "chat.json_schema",
        "chat.json_object",
        "chat.tool_roundtrip",
        "chat.stream_tool_roundtrip",
        "chat.tools_seen",
        "chat.error_shape",
        "responses.basic",
        "responses.json_schema",
        "responses.tool_roundtrip",
    ];
    let checks = "chat.basic,chat.stream,chat.reasoning_effort,responses.basic,responses.stream,chat.json_schema,chat.json_object,chat.tool_roundtrip,chat.stream_tool_roundtrip,chat.tools_seen,chat.error_shape,responses.json_schema,responses.tool_roundtrip";

    // LiteLLM's Anthropic-style /v1/messages route too, for an openai/ model.
    let r = probe(&with(&[
        "-m",
        "up-healthy",
        "--routes",
        "chat,responses,messages",
        "--checks",
        checks,
        "--checks",
        "messages.basic",
    ]))
    .await;
    for id in apps
        .iter()
        .chain(&["chat.basic", "chat.stream", "messages.basic"])
    {
        let c = check(&r, id);
        // A first answer slowed by the tier's other peers (llama.cpp's inference shares the
        // CPU) is a cold start by its timings: a warning about the machine, not a verdict on
        // LiteLLM, which is what this test holds.
        let slow_first = c.status == Status::Warn && c.kind == Some(Kind::ColdStart);
        assert!(
            c.status == Status::Pass || slow_first,
            "{id}: {}",
            r.to_json()
        );
    }
    // Not a reasoning model: reasoning_effort, asked for by name, is skipped, not judged.
    let effort = check(&r, "chat.reasoning_effort");
    assert_eq!(
        (effort.status, effort.kind),
        (Status::Skip, None),
        "{}",
        r.to_json()
    );
    assert!(check(&r, "chat.stream").reasoning.is_none());
    // Its /responses stream events carry the alias at the top but the upstream's own model id
    // inside `response`, which is what an SDK reads: a warning, true of LiteLLM 1.106.2.
    let rs = check(&r, "responses.stream");
    assert_eq!(
        (rs.status, rs.kind),
        (Status::Warn, Some(Kind::ModelMismatch)),
        "{}",
        r.to_json()
    );
    // The answers came from the upstream, not from a canned reply: it saw every turn (two
    // per round trip, three for /responses).
    assert!(
        healthy.requests() >= 15,
        "the upstream saw {} requests",
        healthy.requests()
    );

    // A reasoning model behind the gateway: LiteLLM passes reasoning_content and
    // reasoning_tokens through, so zencheck recognises it and judges reasoning_effort.
    let r = probe(&with(&["-m", "up-reasoning", "--checks", checks])).await;
    for id in apps
        .iter()
        .chain(&["chat.basic", "chat.stream", "chat.reasoning_effort"])
    {
        let c = check(&r, id);
        if id.ends_with(".basic") {
            // Its 24 reasoning tokens spend a basic check's first 16-token cap: said as a
            // warning once the larger cap answered.
            assert_eq!(
                (c.status, c.kind),
                (Status::Warn, Some(Kind::OutputLength)),
                "{id}: {}",
                r.to_json()
            );
        } else {
            assert_eq!(c.status, Status::Pass, "{id}: {}", r.to_json());
        }
    }
    let stream = check(&r, "chat.stream").reasoning.clone();
    assert_eq!(
        stream.map(|s| s.fields),
        Some(vec!["reasoning_content".to_string()]),
        "{}",
        r.to_json()
    );
    let basic = check(&r, "chat.basic");
    assert!(
        basic.reasoning.as_ref().and_then(|s| s.tokens).unwrap_or(0) > 0,
        "{}",
        r.to_json()
    );
    assert!(reasoning.requests() > 0);

    // Embeddings through LiteLLM's /embeddings: two inputs, two vectors of one length.
    let e = probe(&with(&["-m", "up-embed"])).await;
    let c = check(&e, "embeddings.basic");
    assert_eq!(c.status, Status::Pass, "{}", e.to_json());
    assert!(c.detail.contains("2 vectors"), "{}", c.detail);
}
