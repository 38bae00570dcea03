//! `zencheck fidelity` through the real LiteLLM proxy `.ci/run` starts (`ZENCHECK_LITELLM_URL`,
//! `testdata/peers/litellm.yaml`): its alias `up-fidelity` routes to the upstream this test has
//! `zencheck fidelity` serve on `ZENCHECK_LITELLM_FIDELITY_UPSTREAM`. Skipped without them,
//! unless `ZENCHECK_REQUIRE_PEERS=1` (set by CI) makes a missing peer a failure.

use crate::common::check;
use crate::peer_var;
use zencheck::failure::Kind;
use zencheck::finding::Status;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn litellm_renames_through_its_alias_and_hides_retry_after_and_the_request_id() {
    let _cpu = crate::CPU.read().await;
    let Some(url) = peer_var(
        "ZENCHECK_LITELLM_URL",
        "a LiteLLM proxy running testdata/peers/litellm.yaml",
    ) else {
        return;
    };
    let Some(upstream) = peer_var(
        "ZENCHECK_LITELLM_FIDELITY_UPSTREAM",
        "the URL litellm.yaml's up-fidelity forwards to (http://127.0.0.1:PORT/v1)",
    ) else {
        return;
    };
    let listen = upstream
        .trim_start_matches("http://")
        .trim_end_matches("/v1")
        .to_string();
    let r = crate::common::fidelity(&[
        "--through",
        &url,
        "--upstream-listen",
        &listen,
        "-m",
        "up-fidelity",
        "-H",
        "Authorization: Bearer sk-test",
    ])
    .await;
    let json = r.to_json();
    assert!(
        !json.contains("sk-test"),
        "the gateway's key leaked: {json}"
    );

    // The alias is renamed on the way and back: a note, not a fault.
    let model = check(&r, "fidelity.model");
    assert_eq!(model.status, Status::Pass, "{json}");
    assert!(
        model
            .detail
            .contains("the upstream received `zencheck-upstream`")
            && model.detail.contains("the client got `up-fidelity`")
            && model.detail.contains("an alias"),
        "{}",
        model.detail
    );
    // It keeps the stream's pacing, its end, the error event, the 429 and the 400's message.
    for id in [
        "fidelity.route",
        "fidelity.pacing",
        "fidelity.stream_end",
        "fidelity.stream_error",
        "fidelity.stream_cut",
        "fidelity.status",
        "fidelity.error_message",
        "fidelity.usage",
        "fidelity.tool_call",
    ] {
        assert_eq!(check(&r, id).status, Status::Pass, "{id}: {json}");
    }
    // litellm.yaml turns LiteLLM's retries off (num_retries: 0; it retries twice by default):
    // the 429 reached the upstream once, so the status is judged on one request.
    let status = check(&r, "fidelity.status");
    assert!(
        status.detail.contains("429 reached the client as 429")
            && !status.detail.contains("retried"),
        "{}",
        status.detail
    );
    // It names itself, so the fixes are LiteLLM's.
    let request_id = check(&r, "fidelity.request_id");
    assert_eq!(
        (
            request_id.status,
            request_id.kind,
            request_id.param.as_deref()
        ),
        (
            Status::Warn,
            Some(Kind::GatewayAltered),
            Some("x-request-id")
        ),
        "{json}"
    );
    assert!(
        request_id.detail.contains("LiteLLM by its headers"),
        "{}",
        request_id.detail
    );
    let retry = check(&r, "fidelity.retry_after");
    assert_eq!(
        (retry.status, retry.kind, retry.param.as_deref()),
        (
            Status::Warn,
            Some(Kind::GatewayAltered),
            Some("Retry-After")
        ),
        "{json}"
    );
    assert!(
        retry.detail.contains("llm_provider-retry-after"),
        "{}",
        retry.detail
    );
    assert!(
        retry.hint.as_deref().unwrap().contains("LiteLLM"),
        "{:?}",
        retry.hint
    );
    // `user` is not forwarded: a warning naming it, with LiteLLM's fix.
    let params = check(&r, "fidelity.params");
    assert_eq!(
        (params.status, params.kind, params.param.as_deref()),
        (Status::Warn, Some(Kind::GatewayAltered), Some("user")),
        "{json}"
    );
    assert!(params.hint.as_deref().unwrap().contains("drop_params"));
}
