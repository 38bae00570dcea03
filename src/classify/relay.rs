//! The relays many people put in front of a provider: one-api (songquanpeng/one-api), new-api
//! (QuantumNous/new-api, once Calcium-Ion/new-api) and their forks, read by their own words.
//!
//! A relay answers in two voices. Its **own** messages are about the relay's token (the key
//! the user holds for the relay), the relay's user account and group, and the relay's
//! channels (the upstream accounts its administrator configured): "无效的令牌", "该令牌额度已用尽",
//! "当前分组 default 下对于模型 gpt-4o 无可用渠道". Those are read here from the vocabulary
//! below, taken from the relays' source code and i18n files (each entry names the file), and
//! the fix is worded for where it lies: the relay's token page, or the relay's channel
//! configuration, which only its administrator can change.
//!
//! The **upstream's** messages the relay passes through, with ` (request id: …)` appended
//! (one-api `common/helper/helper.go` MessageWithRequestId, new-api `common/utils.go`), or
//! wrapped as `upstream_error` / `bad_response_status_code` (one-api
//! `relay/controller/error.go`, new-api `service/error.go` RelayErrorHandler). The relay
//! checks the user's own token before it sends anything upstream, so a provider's "Incorrect
//! API key", "Insufficient Balance" or "model not activated" behind a relay is about the key
//! and account of the relay's channel, not the user's: [`upstream`] keeps the kind the other
//! layers read and points the fix at the channel.

use super::{Classification, Confidence};
use crate::failure::{Kind, RuleHint};

/// Where a relay's own message puts the fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    /// The user's token, user account or group at the relay: the relay's console.
    Token,
    /// The relay's channels: its administrator's configuration.
    Channel,
    /// The request the client sent: the relay could not read what it needs from it.
    Request,
}

/// One meaning of the relays' own vocabulary.
struct Said {
    kind: Kind,
    side: Side,
    /// Any of these (lowercased) in the message or codes.
    words: &'static [&'static str],
    /// These words count only where the text is a relay's (a request id of the relay's
    /// shape, or its error type): they are too common on their own.
    marked: &'static [&'static str],
    /// The kind fits the meaning most of the time, not always: answer cautiously.
    cautious: bool,
    /// The relay writes these words in place of the upstream's message: where the body
    /// still carries an upstream's own code, that code says more than the mask.
    mask: bool,
    /// Where the words come from.
    source: &'static str,
}

/// The relays' own words, the more specific first (a database error inside "无效的令牌" before
/// the invalid token; the upstream's saturation before a status it carries).
const SAID: &[Said] = &[
    Said {
        kind: Kind::ServerError,
        side: Side::Channel,
        words: &["无效的令牌，数据库查询出错", "database query error, please contact administrator", "数据库一致性已被破坏", "数据库一致性被破坏", "database consistency has been compromised"],
        marked: &[],
        cautious: false,
        mask: false,
        source: "new-api i18n/locales/{zh-CN,en}.yaml token.db_error, ability.db_corrupted; one-api middleware/distributor.go",
    },
    // The relay found no model in the request (new-api middleware/distributor.go): the
    // request's `model` field is missing or the body did not parse.
    Said {
        kind: Kind::BadRequest,
        side: Side::Request,
        words: &["未指定模型名称", "model name not specified", "无法解析模型", "unable to parse model"],
        marked: &[],
        cautious: false,
        mask: false,
        source: "new-api i18n distributor.model_name_required, distributor.invalid_request_parse_model",
    },
    // The upstream answered 429 (one-api controller/relay.go and new-api controller/relay.go
    // replace that message with this one): a rate limit upstream of the relay.
    Said {
        kind: Kind::RateLimit,
        side: Side::Channel,
        words: &["上游负载已饱和", "当前分组负载已饱和", "upstream load is saturated"],
        marked: &[],
        cautious: false,
        mask: true,
        source: "one-api controller/relay.go; new-api controller/relay.go, i18n channel.upstream_saturated",
    },
    Said {
        kind: Kind::Billing,
        side: Side::Token,
        words: &["令牌额度已用尽", "令牌可用额度已用尽", "令牌额度不足", "用户额度不足", "token quota is exhausted", "tokenstatusexhausted", "insufficient_user_quota", "pre_consume_token_quota_failed", "user quota is not enough"],
        marked: &["额度不足", "insufficient quota"],
        cautious: false,
        mask: false,
        source: "one-api model/token.go, relay/controller; new-api model/token.go, types/error.go, i18n token.exhausted, quota.insufficient",
    },
    Said {
        kind: Kind::Auth,
        side: Side::Token,
        words: &["无效的令牌", "该令牌已过期", "令牌已过期", "该令牌状态不可用", "未提供令牌", "this token has expired", "this token status is unavailable"],
        marked: &["invalid token", "token not provided"],
        cautious: false,
        mask: false,
        source: "one-api model/token.go ValidateUserToken; new-api model/token.go, i18n token.invalid, token.expired, token.status_unavailable, token.not_provided",
    },
    Said {
        kind: Kind::AccessDenied,
        side: Side::Token,
        words: &["该令牌无权使用模型", "该令牌无权访问模型", "该令牌无权访问任何模型", "this token has no access to", "该令牌只能在指定网段使用", "无权访问该分组", "no permission to access this group", "普通用户不支持指定渠道", "用户已被封禁", "该用户已被禁用"],
        marked: &["user has been banned", "this user has been disabled"],
        cautious: false,
        mask: false,
        source: "one-api middleware/auth.go TokenAuth; new-api middleware/distributor.go, i18n distributor.token_model_forbidden, distributor.group_access_denied, user.disabled, oauth.user_banned",
    },
    // No enabled channel of the user's group serves the model: the id is not configured
    // for that group, or every channel serving it was disabled (the relays disable a channel
    // automatically when its upstream refuses its key).
    Said {
        kind: Kind::ModelNotFound,
        side: Side::Channel,
        words: &["无可用渠道", "no available channel for model", "的可用渠道失败", "failed to get available channel"],
        marked: &[],
        cautious: false,
        mask: false,
        source: "one-api middleware/distributor.go; new-api middleware/distributor.go, i18n distributor.no_available_channel, distributor.get_channel_failed",
    },
    Said {
        kind: Kind::Auth,
        side: Side::Channel,
        words: &["channel:invalid_key"],
        marked: &[],
        cautious: false,
        mask: false,
        source: "new-api types/error.go ErrorCodeChannelInvalidKey",
    },
    Said {
        kind: Kind::Timeout,
        side: Side::Channel,
        words: &["channel:response_time_exceeded"],
        marked: &[],
        cautious: false,
        mask: false,
        source: "new-api types/error.go ErrorCodeChannelResponseTimeExceeded",
    },
    Said {
        kind: Kind::ServerError,
        side: Side::Channel,
        words: &["没有可用的渠道密钥", "no available channel keys", "channel:no_available_key", "无有效上游渠道", "no valid upstream channel", "该渠道已被禁用", "this channel has been disabled",
                 "channel:model_mapped_error", "channel:param_override_invalid", "channel:header_override_invalid", "channel:aws_client_error", "unmarshal_model_mapping_failed"],
        marked: &[],
        cautious: false,
        mask: false,
        source: "new-api types/error.go channel error codes, i18n channel.no_available_key, channel.no_valid_upstream, distributor.channel_disabled; one-api middleware/distributor.go",
    },
    // The relay has no price for the model, so it will not bill (and serve) it until its
    // administrator sets one: the model is not open to the key there, most likely.
    Said {
        kind: Kind::AccessDenied,
        side: Side::Channel,
        words: &["倍率或价格未配置", "ratio or price not set", "model_price_error"],
        marked: &[],
        cautious: true,
        mask: false,
        source: "new-api relay/helper/price.go (模型 %s 倍率或价格未配置), types/error.go ErrorCodeModelPriceError",
    },
    Said {
        kind: Kind::ContentFilter,
        side: Side::Channel,
        words: &["sensitive_words_detected"],
        marked: &[],
        cautious: false,
        mask: false,
        source: "new-api types/error.go ErrorCodeSensitiveWordsDetected (the relay's own sensitive-word check)",
    },
];

/// The text is a one-api or new-api relay's answer: its request id (` (request id:
/// 2024…)`, a timestamp of at least 14 digits), or its own error type.
pub(super) fn relayed(words: &str) -> bool {
    const TYPES: &[&str] = &["one_api_error", "new_api_error", "bad_response_status_code"];
    TYPES.iter().any(|t| words.contains(t)) || request_id_at(words).is_some()
}

/// Where a relay's request id starts: `(request id: ` then a timestamp's digits.
fn request_id_at(words: &str) -> Option<usize> {
    words.match_indices("(request id: ").find_map(|(i, m)| {
        let digits = words[i + m.len()..]
            .bytes()
            .take_while(u8::is_ascii_digit)
            .count();
        (digits >= 14).then_some(i)
    })
}

/// The relays' own error types and codes (forks name their type `<name>_api_error`).
fn relays_tag(tag: &str) -> bool {
    [
        "upstream_error",
        "bad_response_status_code",
        "unknown_error",
    ]
    .contains(&tag)
        || tag.ends_with("_api_error")
}

/// The model slot of the relay's "no available channel" message is empty ("对于模型  无可用渠道",
/// "for model  under group"): the relay parsed no model from the request, so what is missing
/// may be the request's model rather than a channel.
fn no_model_named(words: &str) -> bool {
    [
        "对于模型 无可用渠道",
        "下模型 无可用渠道",
        "for model under group",
    ]
    .iter()
    .any(|w| words.contains(w))
}

/// A relay's own message, read by the vocabulary above; `tags` are the body's codes.
pub(super) fn own(words: &str, tags: &[String]) -> Option<Classification> {
    let marked = relayed(words);
    let said = SAID.iter().find(|s| {
        s.words.iter().any(|w| words.contains(w))
            || (marked && s.marked.iter().any(|w| words.contains(w)))
    })?;
    // The relay's words over an upstream's code: the code is the upstream's own word.
    if said.mask && tags.iter().any(|t| !relays_tag(t)) {
        return None;
    }
    let unnamed = said.kind == Kind::ModelNotFound && no_model_named(words);
    Some(Classification {
        kind: said.kind,
        param: (said.side == Side::Request).then(|| "model".to_string()),
        gateway: false,
        rule: "relay_words",
        hint: Some(hint_of(said.side)),
        confidence: if said.cautious || unnamed {
            Confidence::Low
        } else {
            Confidence::High
        },
        evidence: format!(
            "the relay's own message (one-api/new-api: {}), about {}{}",
            said.source,
            match said.side {
                Side::Token => "the token or account the client holds at the relay",
                Side::Channel => "the relay's channel configuration",
                Side::Request => "the request the client sent",
            },
            if unnamed {
                "; it names no model, so the request's own model may be missing"
            } else {
                ""
            }
        ),
    })
}

/// Words by which a relay or gateway says what its upstream answered (one-api's "bad
/// response status code", and the plain English of others: "Upstream returned 429").
const UPSTREAM_LEADS: &[&str] = &[
    "bad response status code ",
    "upstream returned ",
    "upstream responded with ",
    "upstream server returned ",
    "upstream error ",
    "upstream status ",
    "upstream http ",
    "provider returned ",
];

/// The upstream's status a relay reports in its own words: `bad response status code 401`
/// (one-api and new-api RelayErrorHandler, when the upstream's body said nothing readable),
/// "Upstream returned 429".
pub(super) fn upstream_status(words: &str) -> Option<Classification> {
    let status = UPSTREAM_LEADS.iter().find_map(|lead| {
        let at = words.find(lead)?;
        // "upstream returned status 429", "upstream returned http 429", "… code: 429".
        let rest = words[at + lead.len()..].trim_start();
        let rest = ["status code", "status", "http", "code", "error"]
            .iter()
            .find_map(|w| rest.strip_prefix(w))
            .unwrap_or(rest)
            .trim_start_matches([' ', ':', '=']);
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        (digits.len() == 3)
            .then(|| digits.parse::<u16>().ok())
            .flatten()
            .filter(|s| (400..600).contains(s))
    })?;
    let kind = match status {
        401 => Kind::Auth,
        402 => Kind::Billing,
        403 => Kind::AccessDenied,
        404 => Kind::ModelNotFound,
        408 | 504 | 524 => Kind::Timeout,
        413 => Kind::RequestTooLarge,
        429 => Kind::RateLimit,
        500..=599 => Kind::ServerError,
        _ => Kind::BadRequest,
    };
    Some(Classification {
        kind,
        param: None,
        gateway: false,
        rule: "relay_upstream_status",
        // A refusal of the channel's key, account or model is the relay administrator's; a
        // busy or failing upstream is worded as any rate limit or server error is.
        hint: matches!(kind, Kind::Auth | Kind::Billing | Kind::AccessDenied | Kind::ModelNotFound)
            .then_some(RuleHint::RelayChannel),
        confidence: Confidence::Low,
        evidence: format!(
            "the relay's words that its channel's upstream answered HTTP {status}, with no message it passed on"
        ),
    })
}

/// A verdict the other layers read from an upstream's message that a relay passed on: the
/// key, account or model it is about is the relay channel's, so the fix is worded for the
/// relay's administrator. Verdicts of other kinds, or that already name their own fix, stay.
pub(super) fn upstream(mut v: Classification, words: &str) -> Classification {
    // A connection failure or timeout inside a relay's answer is the relay's own leg to
    // its upstream: the client's connection to the relay worked.
    let about_channel = matches!(
        v.kind,
        Kind::Auth
            | Kind::Billing
            | Kind::AccessDenied
            | Kind::ModelNotFound
            | Kind::Network
            | Kind::Timeout
    );
    // A transport fix (a client's own timer, a proxy, DNS) speaks of the client's leg, which
    // worked: it yields; another rule's own fix (an organisation to verify) stays.
    let transport = matches!(v.kind, Kind::Network | Kind::Timeout);
    if v.rule.starts_with("relay_")
        || (v.hint.is_some() && !transport)
        || !about_channel
        || !relayed(words)
    {
        return v;
    }
    v.hint = Some(RuleHint::RelayChannel);
    v.evidence = format!(
        "{}, passed on by a one-api/new-api relay (its request id or error type) from the upstream of its channel",
        v.evidence
    );
    v
}

fn hint_of(side: Side) -> RuleHint {
    match side {
        Side::Token => RuleHint::RelayToken,
        Side::Channel => RuleHint::RelayChannel,
        Side::Request => RuleHint::FieldMissing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_relays_request_id_is_a_timestamp_not_any_id() {
        assert!(relayed(
            "无效的令牌 (request id: 20250611163933932579227vkhshz5f)"
        ));
        assert!(relayed("x (request id: 2024121602163036521732429064585)"));
        assert!(!relayed("model not found (request id: req_abc123)"));
        assert!(!relayed("request id: 2024121602163036521732429064585"));
        assert!(relayed("{\"type\":\"one_api_error\"}"));
    }

    /// The relays' own messages, as their source code and i18n files write them.
    #[test]
    fn the_relays_own_messages_are_read_by_meaning() {
        let cases: &[(&str, Kind, RuleHint)] = &[
            // one-api model/token.go
            (
                "无效的令牌 (request id: 20240903132633756782166)",
                Kind::Auth,
                RuleHint::RelayToken,
            ),
            ("该令牌已过期", Kind::Auth, RuleHint::RelayToken),
            ("该令牌额度已用尽", Kind::Billing, RuleHint::RelayToken),
            ("用户额度不足", Kind::Billing, RuleHint::RelayToken),
            // new-api i18n en.yaml
            (
                "this token quota is exhausted tokenstatusexhausted[sk-ab***cd]",
                Kind::Billing,
                RuleHint::RelayToken,
            ),
            (
                "invalid token (request id: 20250611163933932579227)",
                Kind::Auth,
                RuleHint::RelayToken,
            ),
            (
                "this token has no access to model gpt-4o",
                Kind::AccessDenied,
                RuleHint::RelayToken,
            ),
            // one-api middleware/auth.go
            (
                "该令牌无权使用模型：gpt-4o",
                Kind::AccessDenied,
                RuleHint::RelayToken,
            ),
            // one-api middleware/distributor.go; new-api i18n distributor.no_available_channel
            (
                "当前分组 default 下对于模型 gpt-4o 无可用渠道",
                Kind::ModelNotFound,
                RuleHint::RelayChannel,
            ),
            (
                "no available channel for model gpt-5 under group vip (distributor)",
                Kind::ModelNotFound,
                RuleHint::RelayChannel,
            ),
            // one-api controller/relay.go; new-api i18n channel.upstream_saturated
            (
                "当前分组上游负载已饱和，请稍后再试",
                Kind::RateLimit,
                RuleHint::RelayChannel,
            ),
            (
                "current group upstream load is saturated, please try again later",
                Kind::RateLimit,
                RuleHint::RelayChannel,
            ),
            // new-api types/error.go
            (
                "no available channel keys channel:no_available_key",
                Kind::ServerError,
                RuleHint::RelayChannel,
            ),
            (
                "无效的令牌，数据库查询出错，请联系管理员",
                Kind::ServerError,
                RuleHint::RelayChannel,
            ),
        ];
        for (text, kind, hint) in cases {
            let v = own(text, &[]).unwrap_or_else(|| panic!("{text}: not read"));
            assert_eq!((v.kind, v.hint), (*kind, Some(*hint)), "{text}");
        }
        // Common words count only in a relay's answer.
        assert!(own("invalid token", &[]).is_none());
        assert!(own("insufficient quota", &[]).is_none());
    }

    #[test]
    fn a_relays_mask_yields_to_the_upstreams_code_it_kept() {
        let saturated = "当前分组负载已饱和，请稍后再试";
        assert_eq!(
            own(saturated, &["new_api_error".into()]).map(|v| v.kind),
            Some(Kind::RateLimit)
        );
        assert!(own(saturated, &["billing_not_active".into()]).is_none());
    }

    #[test]
    fn no_channel_for_an_empty_model_is_said_cautiously() {
        let v = own("当前分组 vip 下对于模型 无可用渠道", &[]).unwrap();
        assert_eq!(
            (v.kind, v.confidence),
            (Kind::ModelNotFound, Confidence::Low)
        );
        let v = own("当前分组 vip 下对于模型 gpt-4o 无可用渠道", &[]).unwrap();
        assert_eq!(v.confidence, Confidence::High);
    }

    #[test]
    fn the_upstream_status_a_relay_reports_is_read_cautiously() {
        let v =
            upstream_status("bad response status code 401 upstream_error bad_response_status_code")
                .unwrap();
        assert_eq!((v.kind, v.confidence), (Kind::Auth, Confidence::Low));
        assert_eq!(
            upstream_status("bad response status code 503")
                .unwrap()
                .kind,
            Kind::ServerError
        );
        assert!(upstream_status("bad response status code 200").is_none());
    }

    #[test]
    fn an_upstream_refusal_behind_a_relay_points_at_the_channel() {
        let v = Classification {
            kind: Kind::Auth,
            param: None,
            gateway: false,
            rule: "auth_words",
            hint: None,
            confidence: Confidence::High,
            evidence: "the message".into(),
        };
        let words =
            "incorrect api key provided: sk-ab***cd. (request id: 2024121602163036521732429064585)";
        assert_eq!(
            upstream(v.clone(), words).hint,
            Some(RuleHint::RelayChannel)
        );
        // Without the relay's marks, nothing changes.
        assert_eq!(upstream(v, "incorrect api key provided").hint, None);
    }

    fn read(text: &str) -> (Kind, Option<RuleHint>, Confidence) {
        let v = crate::classify::read_pasted(text).unwrap_or_else(|| panic!("{text}: not read"));
        (v.kind, v.hint, v.confidence)
    }

    /// Whole pastes in the shapes the relays answer (one-api middleware/utils.go
    /// abortWithMessage; relay/controller/error.go RelayErrorHandler), through a client.
    #[test]
    fn relay_pastes_are_read_with_the_fix_where_it_lies() {
        // The relay's own refusal of its token: the relay's console.
        let (k, h, _) = read("openai.AuthenticationError: Error code: 401 - {'error': {'message': '无效的令牌 (request id: 20250611163933932579227VkHShZ5f)', 'type': 'new_api_error', 'param': '', 'code': None}}");
        assert_eq!((k, h), (Kind::Auth, Some(RuleHint::RelayToken)));
        // The upstream's refusal of the channel's key, passed on: the relay's administrator.
        let (k, h, _) = read(
            r#"Error code: 401 - {"error":{"message":"Incorrect API key provided: sk-ab***cd. (request id: 2024121602163036521732429064585)","type":"invalid_request_error","code":"invalid_api_key"}}"#,
        );
        assert_eq!((k, h), (Kind::Auth, Some(RuleHint::RelayChannel)));
        // Only the upstream's status, in the relay's words: cautiously.
        let (k, h, c) = read(
            r#"{"error":{"message":"bad response status code 403 (request id: 2024121602163036521732429064585)","type":"upstream_error","param":"403","code":"bad_response_status_code"}}"#,
        );
        assert_eq!(
            (k, h, c),
            (
                Kind::AccessDenied,
                Some(RuleHint::RelayChannel),
                Confidence::Low
            )
        );
        // No channel for the model in the group.
        let (k, h, _) = read(
            r#"{"error":{"message":"当前分组 default 下对于模型 gpt-5 无可用渠道 (request id: 2025082215093026624875464905761)","type":"one_api_error"}}"#,
        );
        assert_eq!((k, h), (Kind::ModelNotFound, Some(RuleHint::RelayChannel)));
        // The relay's own request upstream failed or timed out (code do_request_failed): the
        // relay's leg, not the client's; the kind is the transport reading's.
        let (k, h, _) = read(
            r#"{"error":{"message":"Post \"https://api.openai.com/v1/chat/completions\": dial tcp 1.2.3.4:443: i/o timeout (request id: 2024121602163036521732429064585)","type":"one_api_error","code":"do_request_failed"}}"#,
        );
        assert_eq!((k, h), (Kind::Network, Some(RuleHint::RelayChannel)));
        let (k, h, _) = read(
            r#"{"error":{"message":"Post \"https://api.deepseek.com/v1/chat/completions\": context deadline exceeded (Client.Timeout exceeded while awaiting headers) (request id: 2024121602163036521732429064585)","type":"new_api_error"}}"#,
        );
        assert_eq!((k, h), (Kind::Timeout, Some(RuleHint::RelayChannel)));
        // The same refusal without a relay's marks keeps the ordinary fix.
        let (k, h, _) = read(
            r#"Error code: 401 - {"error":{"message":"Incorrect API key provided: sk-ab***cd.","type":"invalid_request_error","code":"invalid_api_key"}}"#,
        );
        assert_eq!((k, h), (Kind::Auth, None));
    }
}
