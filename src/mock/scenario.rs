//! The behaviours the built-in provider can reproduce, and what zencheck should say of each.

use crate::failure::Kind;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scenario {
    Healthy,
    HealthyExtras,
    Auth,
    Billing,
    RateLimit,
    RateLimitBrief,
    AccessDenied,
    ModelNotFound,
    WrongRoute,
    StreamOptionsRejected,
    UsageIgnored,
    BadRequest,
    ServerError,
    Timeout,
    Network,
    BaseUrl,
    BadResponse,
    ModelMismatch,
    NotSse,
    StreamMalformed,
    StreamTruncated,
    StreamStalled,
    StreamError,
    StreamNoDone,
    StreamBuffered,
}

pub struct Info {
    pub scenario: Scenario,
    pub name: &'static str,
    pub summary: &'static str,
    /// The kind a probe must report (on the check named), or `None` for a clean pass.
    pub expect: Option<(&'static str, Kind)>,
    /// Shown by `zencheck demo` without `--all`.
    pub showcase: bool,
    /// Probe it as OpenCode Zen, whose error classes it imitates.
    pub zen: bool,
}

const fn info(
    scenario: Scenario,
    name: &'static str,
    summary: &'static str,
    expect: Option<(&'static str, Kind)>,
    showcase: bool,
    zen: bool,
) -> Info {
    Info {
        scenario,
        name,
        summary,
        expect,
        showcase,
        zen,
    }
}

pub const SCENARIOS: &[Info] = &[
    info(
        Scenario::Healthy,
        "healthy",
        "a correct OpenAI-compatible server, streams paced like a real model",
        None,
        true,
        false,
    ),
    info(
        Scenario::HealthyExtras,
        "healthy-extras",
        "correct, with Zen's extras: SSE comments, CRLF lines, a cost chunk after [DONE]",
        None,
        false,
        true,
    ),
    info(
        Scenario::Auth,
        "auth",
        "401 invalid_api_key, echoing the key it was sent",
        Some(("chat.basic", Kind::Auth)),
        true,
        false,
    ),
    info(
        Scenario::Billing,
        "billing",
        "429 insufficient_quota: billing dressed as a rate limit",
        Some(("chat.basic", Kind::Billing)),
        false,
        false,
    ),
    info(
        Scenario::RateLimit,
        "rate-limit",
        "429 rate_limit_exceeded with Retry-After: 120",
        Some(("chat.basic", Kind::RateLimit)),
        false,
        false,
    ),
    info(
        Scenario::RateLimitBrief,
        "rate-limit-brief",
        "each request's first attempt gets 429 with Retry-After: 1, the retry passes",
        None,
        false,
        false,
    ),
    info(
        Scenario::AccessDenied,
        "access-denied",
        "Zen's 403 FreeTierError for clients other than opencode",
        Some(("chat.basic", Kind::AccessDenied)),
        false,
        true,
    ),
    info(
        Scenario::ModelNotFound,
        "model-not-found",
        "serves mock-small-2025 and mock-large; anything else is 404 model_not_found",
        Some(("models.exists", Kind::ModelNotFound)),
        true,
        false,
    ),
    info(
        Scenario::WrongRoute,
        "wrong-route",
        "Zen's 401 ModelError: the model is not supported for format oa-compat",
        Some(("chat.basic", Kind::WrongRoute)),
        false,
        true,
    ),
    info(
        Scenario::StreamOptionsRejected,
        "stream-options-rejected",
        "400 Unrecognized request argument supplied: stream_options (old Azure)",
        Some(("chat.stream_usage", Kind::ParamRejected)),
        true,
        false,
    ),
    info(
        Scenario::UsageIgnored,
        "usage-ignored",
        "accepts stream_options.include_usage but never sends usage",
        Some(("chat.stream_usage", Kind::ParamIgnored)),
        false,
        false,
    ),
    info(
        Scenario::BadRequest,
        "bad-request",
        "400 in vLLM's envelope for every generation request",
        Some(("chat.basic", Kind::BadRequest)),
        false,
        false,
    ),
    info(
        Scenario::ServerError,
        "server-error",
        "nginx's HTML 502 Bad Gateway page",
        Some(("chat.basic", Kind::ServerError)),
        true,
        false,
    ),
    info(
        Scenario::Timeout,
        "timeout",
        "accepts the connection, never sends headers",
        Some(("chat.basic", Kind::Timeout)),
        false,
        false,
    ),
    info(
        Scenario::Network,
        "network",
        "accepts the connection and closes it without a word",
        Some(("chat.basic", Kind::Network)),
        false,
        false,
    ),
    info(
        Scenario::BaseUrl,
        "base-url",
        "plain-text 404 on every path, as a server probed at the wrong prefix answers",
        Some(("chat.basic", Kind::BaseUrl)),
        false,
        false,
    ),
    info(
        Scenario::BadResponse,
        "bad-response",
        "200 with an HTML login page instead of JSON",
        Some(("chat.basic", Kind::BadResponse)),
        false,
        false,
    ),
    info(
        Scenario::ModelMismatch,
        "model-mismatch",
        "answers as mock-fallback whatever model is asked",
        Some(("chat.basic", Kind::ModelMismatch)),
        false,
        false,
    ),
    info(
        Scenario::NotSse,
        "not-sse",
        "answers stream:true with one application/json completion",
        Some(("chat.stream", Kind::NotSse)),
        false,
        false,
    ),
    info(
        Scenario::StreamMalformed,
        "stream-malformed",
        "a stream event whose data is a Python dict, not JSON",
        Some(("chat.stream", Kind::StreamMalformed)),
        false,
        false,
    ),
    info(
        Scenario::StreamTruncated,
        "stream-truncated",
        "closes the socket mid-stream without the chunked terminator",
        Some(("chat.stream", Kind::StreamTruncated)),
        true,
        false,
    ),
    info(
        Scenario::StreamStalled,
        "stream-stalled",
        "sends two chunks, then silence with the socket open",
        Some(("chat.stream", Kind::StreamStalled)),
        true,
        false,
    ),
    info(
        Scenario::StreamError,
        "stream-error",
        "an error event inside a 200 stream",
        Some(("chat.stream", Kind::StreamError)),
        false,
        false,
    ),
    info(
        Scenario::StreamNoDone,
        "stream-no-done",
        "finish_reason arrives but data: [DONE] never does",
        Some(("chat.stream", Kind::StreamNoDone)),
        false,
        false,
    ),
    info(
        Scenario::StreamBuffered,
        "stream-buffered",
        "holds the whole stream and sends it in one burst, like a buffering proxy",
        Some(("chat.stream", Kind::StreamBuffered)),
        true,
        false,
    ),
];

impl Scenario {
    pub fn info(self) -> &'static Info {
        SCENARIOS
            .iter()
            .find(|i| i.scenario == self)
            .expect("every scenario is in SCENARIOS")
    }
    pub fn name(self) -> &'static str {
        self.info().name
    }
    pub fn from_name(name: &str) -> Option<Scenario> {
        SCENARIOS
            .iter()
            .find(|i| i.name == name)
            .map(|i| i.scenario)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_failure_kind_has_a_scenario() {
        let covered: HashSet<Kind> = SCENARIOS
            .iter()
            .filter_map(|i| i.expect.map(|e| e.1))
            .collect();
        for k in Kind::ALL {
            assert!(covered.contains(&k), "no scenario reproduces {k:?}");
        }
    }

    #[test]
    fn names_are_unique_and_resolve() {
        let names: HashSet<_> = SCENARIOS.iter().map(|i| i.name).collect();
        assert_eq!(names.len(), SCENARIOS.len());
        for i in SCENARIOS {
            assert_eq!(Scenario::from_name(i.name), Some(i.scenario));
        }
    }
}
