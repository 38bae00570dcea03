//! Gateways' own grammar: what a gateway says in its own name, apart from the provider
//! error it relays.
//!
//! A gateway between the client and the provider (OpenRouter, LiteLLM's proxy and router,
//! Portkey, Cloudflare AI Gateway) refuses requests for reasons of its own: a routing
//! setting that leaves no provider, a router whose deployments all cool down, a key or tag
//! fence, a guardrail configured on the gateway. Its words for these are documented, and
//! they mean something other than what the same status means from a provider: OpenRouter's
//! 404 "no endpoints found that can handle the requested parameters" is no missing model,
//! LiteLLM's "no deployments available" is no rate limit of the provider's, Portkey's 446
//! is no client error of the request's shape. Each row below is one documented wording,
//! with the page or source file it comes from; a provider's error a gateway relays (LiteLLM's
//! `BedrockException - {…}`, OpenRouter's `metadata.raw`) is read by the other layers as the
//! provider's own.
//!
//! Also here: the parameter an account's refusal names. OpenAI's 400 "Your organization must
//! be verified to stream this model" carries `"param": "stream"`: streaming is what is
//! gated, so the fix can be to turn streaming off for that model (`refine`).

use super::facts::Facts;
use super::{Classification, Confidence, ErrorBody};
use crate::failure::{Kind, RuleHint};

/// One documented wording of a gateway's own refusal.
struct Row {
    /// Who says it.
    gateway: &'static str,
    /// Where the wording is documented (a docs page, or the gateway's source file).
    doc: &'static str,
    /// The wording (lowercase), any of which is the row's evidence; or a code-like `type`
    /// of the gateway's body (matched whole against the body's tags).
    any: &'static [&'static str],
    tags: &'static [&'static str],
    kind: Kind,
    hint: Option<RuleHint>,
    /// The documented meaning fits the kind most of the time, not always: answer "likely".
    cautious: bool,
    /// What the gateway means, in words (the evidence line).
    says: &'static str,
}

const ROWS: &[Row] = &[
    // --- OpenRouter (openrouter.ai/docs/api-reference/errors; routing: openrouter.ai/docs/
    // guides/routing/provider-selection, `require_parameters`: "only use providers that
    // support all parameters in your request"; allow/ignore lists narrow the candidates).
    Row {
        gateway: "openrouter",
        doc: "openrouter.ai/docs/guides/routing/provider-selection (require_parameters, only/ignore)",
        any: &[
            "no endpoints found that can handle the requested parameters",
            "no endpoints found that support all the requested parameters",
        ],
        tags: &[],
        kind: Kind::ParamRejected,
        hint: Some(RuleHint::ParamsNoProvider),
        cautious: true,
        says: "no provider it may route this model to supports every parameter sent",
    },
    // --- LiteLLM proxy and router (docs.litellm.ai/docs/proxy/error_reference: "No
    // deployments available for selected model" 429, every deployment of the model group
    // cooling down after repeated failures; "There are no healthy deployments for this
    // model" 400; "Not allowed to access model due to tags configuration" 401, tag-based
    // routing excluding every deployment for the caller).
    Row {
        gateway: "litellm",
        doc: "docs.litellm.ai/docs/proxy/error_reference (router cooldown, 429)",
        any: &["no deployments available for selected model"],
        tags: &[],
        kind: Kind::RateLimit,
        hint: Some(RuleHint::GatewayCooldown),
        cautious: true,
        says: "every deployment of the model group is cooling down after failures",
    },
    // The same 400 is what the proxy answers for a model name it has no group of (its
    // router raises it from `_common_checks_available_deployment` when the name matches no
    // deployment, litellm/router.py): the model name, as the proxy knows it, is what is
    // missing, likely.
    Row {
        gateway: "litellm",
        doc: "docs.litellm.ai/docs/proxy/error_reference (no healthy deployments, 400); litellm/router.py _common_checks_available_deployment",
        any: &["there are no healthy deployments for this model"],
        tags: &[],
        kind: Kind::ModelNotFound,
        hint: None,
        cautious: true,
        says: "the proxy has no deployment for this model name",
    },
    Row {
        gateway: "litellm",
        doc: "docs.litellm.ai/docs/proxy/error_reference (tag routing, 401); docs.litellm.ai/docs/proxy/tag_routing",
        any: &["not allowed to access model due to tags configuration"],
        tags: &[],
        kind: Kind::AccessDenied,
        hint: Some(RuleHint::KeyRestricted),
        cautious: false,
        says: "tag-based routing leaves the caller no deployment of this model",
    },
    // --- Portkey (portkey.ai/docs/api-reference/inference-api/error-codes: 446 "Guardrail
    // checks failed (request denied)"; the body from Portkey-AI/gateway
    // src/handlers/handlerUtils.ts: type `hooks_failed`, "The guardrail checks defined in
    // the config failed. You can find more information in the `hook_results` object.").
    Row {
        gateway: "portkey",
        doc: "portkey.ai/docs/api-reference/inference-api/error-codes (446); Portkey-AI/gateway src/handlers/handlerUtils.ts",
        any: &["guardrail checks defined in the config failed"],
        tags: &["hooks_failed"],
        kind: Kind::ContentFilter,
        hint: Some(RuleHint::GatewayGuardrail),
        cautious: false,
        says: "a guardrail configured on the gateway denied the request",
    },
    // --- Cloudflare AI Gateway (developers.cloudflare.com/ai-gateway/guardrails/
    // set-up-guardrail/: code 2016 "Prompt blocked due to security configurations", 2017
    // "Response blocked due to security configurations").
    Row {
        gateway: "cloudflare ai gateway",
        doc: "developers.cloudflare.com/ai-gateway/guardrails/set-up-guardrail/ (2016, 2017)",
        any: &[
            "prompt blocked due to security configurations",
            "response blocked due to security configurations",
        ],
        tags: &[],
        kind: Kind::ContentFilter,
        hint: Some(RuleHint::GatewayGuardrail),
        cautious: false,
        says: "the gateway's Guardrails blocked the prompt or the answer",
    },
];

/// The statuses only gateways send, each with what the gateway documents for it: Portkey's
/// 446 "Guardrail checks failed (request denied)" (portkey.ai/docs/api-reference/
/// inference-api/error-codes; WSO2's AI Gateway answers its guardrails' denials with 446
/// too, apim.docs.wso2.com ai-gateway/ai-guardrails/guardrail-error-response).
const STATUSES: &[(u16, Kind, RuleHint, &str)] = &[(
    446,
    Kind::ContentFilter,
    RuleHint::GatewayGuardrail,
    "HTTP 446, which gateways (Portkey, WSO2) send when their guardrail denies a request",
)];

/// A gateway's own refusal, by its documented words or code, or by a status only gateways
/// send.
pub(super) fn read(facts: &Facts) -> Option<Classification> {
    let row = ROWS.iter().find(|r| {
        r.any.iter().any(|w| facts.words.contains(w))
            || r.tags
                .iter()
                .any(|t| facts.body.tags.iter().any(|b| b == t))
    });
    if let Some(r) = row {
        return Some(Classification {
            kind: r.kind,
            param: None,
            gateway: true,
            rule: "gateway_words",
            hint: r.hint,
            confidence: if r.cautious {
                Confidence::Low
            } else {
                Confidence::High
            },
            evidence: format!("{}'s own words: {} ({})", r.gateway, r.says, r.doc),
        });
    }
    let (_, kind, hint, says) = STATUSES.iter().find(|(s, ..)| facts.status == Some(*s))?;
    Some(Classification {
        kind: *kind,
        param: None,
        gateway: true,
        rule: "gateway_status",
        hint: Some(*hint),
        confidence: Confidence::Low,
        evidence: (*says).to_string(),
    })
}

/// The parameter an account's refusal names: what an unverified organisation may not do
/// is the parameter the body blames (OpenAI's 400 "must be verified to stream this model"
/// with `"param": "stream"`, "… to generate reasoning summaries" with `reasoning.summary`;
/// help.openai.com/en/articles/10910291, API organization verification). A client that
/// dropped the body still quotes "to stream this model".
pub(super) fn refine(mut v: Classification, body: &ErrorBody) -> Classification {
    if v.kind != Kind::AccessDenied || v.param.is_some() {
        return v;
    }
    let msg = body.message.as_deref().unwrap_or("").to_lowercase();
    let verified = msg.contains("must be verified") || v.hint == Some(RuleHint::OrgVerification);
    if !verified {
        return v;
    }
    let named = body
        .param
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty() && !matches!(*p, "model" | "null" | "None"));
    let param = named.map(str::to_string).or_else(|| {
        msg.contains("verified to stream")
            .then(|| "stream".to_string())
    });
    if param.is_some() {
        v.param = param;
        v.hint = Some(RuleHint::OrgVerification);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::{decide_at, paste, KNOWN_PARAMS};

    fn explain_text(text: &str) -> Option<Classification> {
        let r = paste::read(text);
        decide_at(
            r.status,
            &r.body,
            KNOWN_PARAMS,
            &r.context,
            r.url.as_deref(),
        )
    }

    // Texts written from the gateways' documentation and source (the rows' `doc`).
    #[test]
    fn openrouter_params_no_provider_is_a_parameter_named_by_nobody() {
        let c = explain_text(
            r#"404 {"error":{"message":"No endpoints found that can handle the requested parameters. To learn more about provider routing, visit: https://openrouter.ai/docs/guides/routing/provider-selection","code":404}}"#,
        )
        .unwrap();
        assert_eq!(c.kind, Kind::ParamRejected);
        assert_eq!(c.param, None);
        assert_eq!(c.hint, Some(RuleHint::ParamsNoProvider));
        assert_eq!(c.confidence, Confidence::Low);
    }

    #[test]
    fn litellm_router_words_are_the_gateways_not_the_providers() {
        let c = explain_text(
            "429 No deployments available for selected model, Try again in 60 seconds. Passed model=gpt-4o. pre-call-checks=False, cooldown_list=['abc']",
        )
        .unwrap();
        assert_eq!(
            (c.kind, c.hint),
            (Kind::RateLimit, Some(RuleHint::GatewayCooldown))
        );
        let c = explain_text("400 litellm.BadRequestError: You passed in model=m. There are no healthy deployments for this model. Received Model Group=m").unwrap();
        assert_eq!(
            (c.kind, c.confidence),
            (Kind::ModelNotFound, Confidence::Low)
        );
        let c = explain_text(
            "401 Not allowed to access model due to tags configuration. Passed model=m and tags=['t']",
        )
        .unwrap();
        assert_eq!(
            (c.kind, c.hint),
            (Kind::AccessDenied, Some(RuleHint::KeyRestricted))
        );
    }

    #[test]
    fn a_gateways_guardrail_is_a_content_filter_of_its_own() {
        let portkey = r#"446 {"error":{"message":"The guardrail checks defined in the config failed. You can find more information in the `hook_results` object.","type":"hooks_failed","param":null,"code":null},"hook_results":{"before_request_hooks":[],"after_request_hooks":[]}}"#;
        let c = explain_text(portkey).unwrap();
        assert_eq!(
            (c.kind, c.hint),
            (Kind::ContentFilter, Some(RuleHint::GatewayGuardrail))
        );
        assert_eq!(c.confidence, Confidence::High);
        let cf = r#"{"success":false,"result":[],"messages":[],"error":[{"code":2017,"message":"Response blocked due to security configurations"}]}"#;
        let c = explain_text(cf).unwrap();
        assert_eq!(
            (c.kind, c.hint),
            (Kind::ContentFilter, Some(RuleHint::GatewayGuardrail))
        );
        // The status alone, which only gateways send: likely.
        let c = explain_text("HTTP/1.1 446").unwrap();
        assert_eq!(
            (c.kind, c.confidence),
            (Kind::ContentFilter, Confidence::Low)
        );
    }

    #[test]
    fn an_organisation_unverified_to_stream_is_refused_on_stream() {
        let body = r#"Error code: 400 - {'error': {'message': 'Your organization must be verified to stream this model. Please go to: https://platform.openai.com/settings/organization/general and click on Verify Organization.', 'type': 'invalid_request_error', 'param': 'stream', 'code': 'unsupported_value'}}"#;
        let c = explain_text(body).unwrap();
        assert_eq!(
            (c.kind, c.param.as_deref()),
            (Kind::AccessDenied, Some("stream"))
        );
        assert_eq!(c.hint, Some(RuleHint::OrgVerification));
        // Without the body, the words still say streaming is what is gated.
        let c =
            explain_text("400 Bad Request organizations must be verified to stream this model.")
                .unwrap();
        assert_eq!(
            (c.kind, c.param.as_deref()),
            (Kind::AccessDenied, Some("stream"))
        );
        // Another feature gated the same way: the body names it.
        let c = explain_text(r#"400 {"error":{"message":"Your organization must be verified to generate reasoning summaries. Please go to: https://platform.openai.com/settings/organization/general and click on Verify Organization.","type":"invalid_request_error","param":"reasoning.summary","code":"unsupported_value"}}"#).unwrap();
        assert_eq!(
            (c.kind, c.param.as_deref()),
            (Kind::AccessDenied, Some("reasoning.summary"))
        );
        // To use a model at all: no parameter to blame.
        let c = explain_text("Error code: 400 - {'error': {'message': 'Your organization must be verified to use the model `o3`.', 'type': 'invalid_request_error', 'param': None, 'code': 'unsupported_value'}}").unwrap();
        assert_eq!((c.kind, c.param), (Kind::AccessDenied, None));
    }
}
