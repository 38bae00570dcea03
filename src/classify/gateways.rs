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

/// Keys that carry a request's content in one model family's InvokeModel body or another's
/// (docs.aws.amazon.com/bedrock/latest/userguide/model-parameters.html: Anthropic's
/// `messages`/`system`/`anthropic_version`, Cohere's `message`/`prompt`/`texts`, Titan's
/// `inputText`, Llama's and Mistral's `prompt`): refused as extraneous, they say the body is
/// another family's, not that the content should go.
const BODY_KEYS: &[&str] = &[
    "prompt",
    "message",
    "messages",
    "system",
    "anthropic_version",
    "inputtext",
    "texts",
    "input",
    "text",
    "contents",
    "chat_history",
    "textgenerationconfig",
    "max_tokens_to_sample",
];

/// Bedrock's "Malformed input request: #…: …" (InvokeModel's ValidationException around a
/// JSON Schema validator's messages, one per violation, each starting `#`; the wordings are
/// everit-org/json-schema's: "required key [k] not found", "extraneous key [k] is not
/// permitted", "v is not less or equal to m"). `#` is the body itself, `#/a/…` a place inside
/// its field `a`. Read at the body's top level only:
/// - keys both missing and extraneous, or an extraneous key that carries content in some
///   family's format (`prompt`, `inputText`, `anthropic_version`): the body is another model
///   family's (`bad_request`, rule hint `BodyFormat`): the integration for this model, not
///   dropping keys, is the fix;
/// - one extraneous key of another kind (`top_k`, `stream`): `param_rejected` on it;
/// - one missing key: `bad_request` on it, add it;
/// - one field's value out of range (`#/temperature: 1.5 is not less or equal to 1.0`):
///   `param_rejected` on it, change the value.
fn bedrock_schema(facts: &Facts) -> Option<Classification> {
    // The keys as written (a camelCase key is the client's own spelling), from the message
    // when it holds the words, else from the lowercased words around it.
    let own = facts.body.message.as_deref().unwrap_or("");
    let src = if own.to_lowercase().contains("malformed input request: #") && own.is_ascii() {
        own
    } else {
        facts.words.as_str()
    };
    let at = src.to_lowercase().find("malformed input request: #")?;
    let tail = &src[at + "malformed input request: ".len()..];
    let tail = tail.split(", please reformat").next().unwrap_or(tail);
    let tail = tail.split(", reformat").next().unwrap_or(tail);
    let key = |said: &str, w: &str| {
        let k = said.trim_start().strip_prefix(w)?.split(']').next()?;
        (!k.is_empty() && k.len() <= 64 && !k.contains(' ')).then(|| k.to_string())
    };
    let (mut required, mut extraneous, mut range, mut nested) = (vec![], vec![], vec![], false);
    for v in tail.split('#').map(str::trim).filter(|v| !v.is_empty()) {
        let (path, said) = v.split_once(':').unwrap_or((v, ""));
        if path.is_empty() {
            if let Some(k) = key(said, "extraneous key [") {
                extraneous.push(k);
            } else if let Some(k) = key(said, "required key [") {
                required.push(k);
            } else {
                nested = true;
            }
        } else if let Some(field) = path.strip_prefix('/').filter(|f| !f.contains('/')) {
            if ["is not less", "is not greater"]
                .iter()
                .any(|r| said.contains(r))
            {
                range.push(field.to_string());
            } else {
                nested = true;
            }
        } else {
            nested = true;
        }
    }
    let other_format = !required.is_empty() && !extraneous.is_empty()
        || extraneous
            .iter()
            .any(|k| BODY_KEYS.contains(&k.to_lowercase().as_str()));
    let (kind, param, hint) = if other_format {
        (Kind::BadRequest, None, Some(RuleHint::BodyFormat))
    } else if nested {
        return None;
    } else {
        match (required.as_slice(), extraneous.as_slice(), range.as_slice()) {
            ([], [k], []) => (Kind::ParamRejected, Some(k.clone()), None),
            ([k], [], []) => (
                Kind::BadRequest,
                Some(k.clone()),
                Some(RuleHint::FieldMissing),
            ),
            ([], [], [k]) => (
                Kind::ParamRejected,
                Some(k.clone()),
                Some(RuleHint::ParamValue),
            ),
            _ => return None,
        }
    };
    Some(Classification {
        kind,
        param,
        gateway: false,
        rule: "bedrock_schema",
        hint,
        confidence: Confidence::High,
        evidence: "bedrock's \"Malformed input request\" with its schema validator's words at the body's top level"
            .to_string(),
    })
}

/// A gateway's own refusal, by its documented words or code, or by a status only gateways
/// send; Bedrock's schema validator's words.
pub(super) fn read(facts: &Facts) -> Option<Classification> {
    if let Some(v) = bedrock_schema(facts) {
        return Some(v);
    }
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

    fn explain_text(text: &str) -> Option<Classification> {
        crate::classify::read_pasted(text)
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
    fn bedrocks_schema_words_name_the_parameter_at_the_bodys_top_level() {
        // Bedrock's InvokeModel wording around the JSON Schema validator's (everit) messages.
        let c = explain_text("An error occurred (ValidationException) when calling the InvokeModel operation: Malformed input request: #: extraneous key [top_k] is not permitted, please reformat your input and try again.").unwrap();
        assert_eq!(
            (c.kind, c.param.as_deref()),
            (Kind::ParamRejected, Some("top_k"))
        );
        // Without the exception name, "permitted" is no permission.
        let c = explain_text("The model returned the following errors: Malformed input request: #: extraneous key [top_k] is not permitted, please reformat your input and try again.").unwrap();
        assert_eq!(
            (c.kind, c.param.as_deref()),
            (Kind::ParamRejected, Some("top_k"))
        );
        // Another family's body: keys missing and extraneous, or a content key refused.
        let c = explain_text("An error occurred (ValidationException) when calling the InvokeModel operation: Malformed input request: #: required key [message] not found#: extraneous key [prompt] is not permitted, please reformat your input and try again.").unwrap();
        assert_eq!(
            (c.kind, c.param, c.hint),
            (Kind::BadRequest, None, Some(RuleHint::BodyFormat))
        );
        let c = explain_text("An error occurred (ValidationException) when calling the InvokeModel operation: Malformed input request: #: extraneous key [inputText] is not permitted, please reformat your input and try again.").unwrap();
        assert_eq!(
            (c.kind, c.param, c.hint),
            (Kind::BadRequest, None, Some(RuleHint::BodyFormat))
        );
        let c = explain_text("An error occurred (ValidationException) when calling the InvokeModel operation: Malformed input request: #: required key [max_tokens] not found, please reformat your input and try again.").unwrap();
        assert_eq!(
            (c.kind, c.param.as_deref(), c.hint),
            (
                Kind::BadRequest,
                Some("max_tokens"),
                Some(RuleHint::FieldMissing)
            )
        );
        let c = explain_text("An error occurred (ValidationException) when calling the InvokeModel operation: Malformed input request: #/temperature: 1.5 is not less or equal to 1.0, please reformat your input and try again.").unwrap();
        assert_eq!(
            (c.kind, c.param.as_deref(), c.hint),
            (
                Kind::ParamRejected,
                Some("temperature"),
                Some(RuleHint::ParamValue)
            )
        );
        // Inside a field (a message's own keys): left to the other layers.
        let c = explain_text("An error occurred (ValidationException) when calling the InvokeModel operation: Malformed input request: #/messages/0: required key [content] not found, please reformat your input and try again.").unwrap();
        assert_ne!(c.rule, "bedrock_schema");
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
