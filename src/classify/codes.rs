//! Providers' own error codes (`codes.toml`), read per provider: which providers a paste
//! names, which of their codes it carries, and what their documentation says each means.
//!
//! A numeric code counts only for a provider the paste names and only where a code is
//! written (a `code` field, `[1301]`, `(2013)`, `code: 1210`): Zhipu 1001 is not Hunyuan
//! 1001, and a line number is no code. A string code that one provider alone uses counts
//! wherever it stands as a whole word, unless its row is `scoped` (a word as common as
//! `content_filter` counts only for its named provider or in the body's code field).
//!
//! A row may also carry the message(s) the provider documents for the code: a paste that
//! quotes such a message has been answered with that code, whether or not the code itself
//! survived the client's wrapping (`Open api daily request limit reached` is Qianfan's 17).
//! A long documented message counts anywhere; a short one only for its named provider.
//! Where the documentation says which parameter a message refuses, the row names it.
//! A weak row with a documented HTTP status does not count against an answer whose status is
//! of another class: a gateway that reused a generic error type says nothing of the provider.

use crate::failure::Kind;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

#[derive(Debug, Deserialize)]
struct Table {
    provider: BTreeMap<String, ProviderMarks>,
    code: Vec<Row>,
}

#[derive(Debug, Deserialize)]
struct ProviderMarks {
    doc: String,
    marks: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Row {
    pub provider: String,
    pub code: String,
    kind: String,
    /// A generic code ("invalid parameter"): a specific message decides over it.
    #[serde(default)]
    pub weak: bool,
    /// The provider documents HTTP statuses: the row is read against the answer's status.
    #[serde(default)]
    pub status: bool,
    /// A family of dotted codes (`AuthFailure` for `AuthFailure.SignatureExpire`): read after
    /// the exact rows, as a weak row.
    #[serde(default)]
    pub family: bool,
    /// What the provider's documentation says the code means.
    pub says: String,
    /// The messages the provider documents for the code (`{}` stands for a value).
    #[serde(default)]
    pub messages: Vec<String>,
    /// The parameter the documentation says this code or message refuses.
    #[serde(default)]
    pub param: Option<String>,
    /// The HTTP status the provider documents for the code.
    #[serde(default)]
    pub http: Option<u16>,
    /// The documentation's meaning fits the kind only most of the time: answer cautiously.
    #[serde(default)]
    pub cautious: bool,
    /// A string code as common as an English word: it counts only where its provider is
    /// named or where it stands in the body's code field.
    #[serde(default)]
    pub scoped: bool,
    /// The row is one documented message of a code that other rows read: it counts only
    /// where its message is quoted.
    #[serde(default)]
    pub message_only: bool,
    /// A status-level code (Google's canonical `PERMISSION_DENIED`): still strong, but a
    /// more specific code beside it (its ErrorInfo reason) decides first.
    #[serde(default)]
    pub canonical: bool,
}

impl Row {
    pub fn kind(&self) -> Kind {
        Kind::from_code(&self.kind).expect("codes.toml holds kind codes (a unit test checks)")
    }
}

fn table() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(|| {
        toml::from_str(include_str!("codes.toml")).expect("codes.toml parses (a unit test checks)")
    })
}

/// The documentation a provider's rows cite.
pub fn doc_of(provider: &str) -> Option<&'static str> {
    table().provider.get(provider).map(|p| p.doc.as_str())
}

/// The providers a (lowercased) text names.
pub fn providers_in(lower: &str) -> Vec<&'static str> {
    table()
        .provider
        .iter()
        .filter(|(_, p)| p.marks.iter().any(|m| lower.contains(m.as_str())))
        .map(|(name, _)| name.as_str())
        .collect()
}

/// The provider code the text carries, the most specific first: a documented message or a
/// strong row before a weak one, and of a family the longest. String codes are matched in
/// their documented case (`INTERNAL`, not "internal"); `status` is the answer's HTTP status.
pub fn lookup(text: &str, tags: &[String], status: Option<u16>) -> Option<&'static Row> {
    let lower = text.to_lowercase();
    let lower = lower.as_str();
    let flat = lower.split_whitespace().collect::<Vec<_>>().join(" ");
    let providers = providers_in(lower);
    let t = table();
    let mut hits: Vec<&Row> = Vec::new();
    let mut quoted: Vec<&Row> = Vec::new();
    for row in &t.code {
        let named = providers.contains(&row.provider.as_str())
            || (row.provider == "fastchat" && tags.iter().any(|t| fastchat_shaped(t)));
        if row
            .messages
            .iter()
            .any(|m| (named || distinctive(m)) && message_in(&flat, m))
        {
            quoted.push(row);
            continue;
        }
        if row.message_only {
            continue;
        }
        let tagged = || tags.iter().any(|t| t.eq_ignore_ascii_case(&row.code));
        let found = if row.family {
            (named || unique(&row.code)) && family_in(text, &row.code)
        } else if row.status {
            named && status.is_some_and(|s| s.to_string() == row.code)
        } else if row.code.bytes().all(|b| b.is_ascii_digit()) {
            named && (tagged() || numeric_code_in(lower, &row.code))
        } else if row.scoped {
            // Tags are lowercased: a code in capitals (ABORTED) cannot show its case there,
            // so it counts only where its provider is named.
            let lower_code = !row.code.bytes().any(|b| b.is_ascii_uppercase());
            (named || (lower_code && tagged())) && (tagged() || word_in(text, &row.code))
        } else {
            (named || unique(&row.code)) && (tagged() || word_in(text, &row.code))
        };
        let other_class = |h: u16| status.is_some_and(|s| s / 100 != h / 100);
        if found && !(row.weak && row.http.is_some_and(other_class)) {
            hits.push(row);
        }
    }
    // A documented message names its code more closely than the code alone: the longest.
    if let Some(r) = quoted.iter().max_by_key(|r| {
        r.messages
            .iter()
            .filter(|m| message_in(&flat, m))
            .map(|m| m.len())
            .max()
    }) {
        return Some(r);
    }
    // Of the strong codes, a specific one before a status-level one (Google's ErrorInfo
    // reason SERVICE_DISABLED over its status PERMISSION_DENIED), and the longest of them.
    let longest = |weak: bool, canonical: bool| {
        hits.iter()
            .filter(|r| !r.family && (weak || !r.weak) && (canonical || !r.canonical))
            .fold(None::<&&Row>, |best, r| match best {
                Some(b) if b.code.len() >= r.code.len() => Some(b),
                _ => Some(r),
            })
    };
    longest(false, false)
        .or_else(|| longest(false, true))
        .or_else(|| longest(true, true))
        .or_else(|| {
            hits.iter()
                .filter(|r| r.family)
                .max_by_key(|r| r.code.len())
        })
        .copied()
}

/// A documented message long enough to name its provider by itself: four words or more, or
/// eight characters of Chinese.
fn distinctive(message: &str) -> bool {
    let fixed = message.replace("{}", " ");
    fixed.split_whitespace().count() >= 4 || fixed.chars().filter(|c| !c.is_ascii()).count() >= 8
}

/// A documented message in the (lowercased, whitespace-collapsed) text: its parts around
/// each `{}` in order, a value of at most 80 characters between them.
fn message_in(flat: &str, message: &str) -> bool {
    let message = message.to_lowercase();
    let mut parts = message.split("{}").map(str::trim).filter(|p| !p.is_empty());
    let Some(first) = parts.next() else {
        return false;
    };
    let rest: Vec<&str> = parts.collect();
    flat.match_indices(first).take(16).any(|(i, _)| {
        let mut at = i + first.len();
        rest.iter().all(|p| match flat[at..].find(p) {
            Some(j) if j <= 80 => {
                at += j + p.len();
                true
            }
            _ => false,
        })
    })
}

/// FastChat's codes are an HTTP status and two digits (`40301`, `50002`): a five-digit
/// body code of that shape names FastChat (or a server built on it) by itself.
fn fastchat_shaped(code: &str) -> bool {
    code.len() == 5
        && code.bytes().all(|b| b.is_ascii_digit())
        && matches!(&code[..3], "400" | "401" | "403" | "429" | "500")
}

/// `family` as a code of its own or as the first part of a dotted one (`AuthFailure.X`),
/// with no identifier character before it.
fn family_in(hay: &str, family: &str) -> bool {
    hay.match_indices(family).take(64).any(|(i, _)| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + family.len()..].chars().next();
        let ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '.';
        !before.is_some_and(ident) && (after == Some('.') || !after.is_some_and(ident))
    })
}

/// No other provider uses this string code.
fn unique(code: &str) -> bool {
    table()
        .code
        .iter()
        .filter(|r| r.code.eq_ignore_ascii_case(code))
        .map(|r| r.provider.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .len()
        == 1
}

/// `needle` in `hay` with no identifier character (or dot) on either side.
fn word_in(hay: &str, needle: &str) -> bool {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '.';
    hay.match_indices(needle).take(64).any(|(i, _)| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + needle.len()..].chars().next();
        !before.is_some_and(ident) && !after.is_some_and(ident)
    })
}

/// The number written where a code is: `"code":"1301"`, `'code': 1301`, `error_code: 17`,
/// `status_code: 1008`, `[1301]`, `(2013)`, `code 1210`.
fn numeric_code_in(lower: &str, code: &str) -> bool {
    lower.match_indices(code).take(64).any(|(i, _)| {
        let before = &lower[..i];
        let after = &lower[i + code.len()..];
        if after.starts_with(|c: char| c.is_ascii_digit()) {
            return false;
        }
        if before.ends_with(|c: char| c.is_ascii_digit()) {
            return false;
        }
        if before.ends_with('[') && after.starts_with(']') {
            return true;
        }
        if before.ends_with('(') && after.starts_with(')') {
            return true;
        }
        let lead = before.trim_end_matches(['"', '\'', ' ', ':', '=', '：']);
        [
            "code",
            "error_code",
            "errcode",
            "err_code",
            "status_code",
            "errorcode",
            "error",
            "错误码",
        ]
        .iter()
        .any(|k| lead.ends_with(k))
            && before.len() - lead.len() <= 6
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_parses_and_every_row_names_a_kind_and_a_documented_provider() {
        let t = table();
        assert!(t.code.len() > 100);
        for r in &t.code {
            assert!(
                Kind::from_code(&r.kind).is_some(),
                "{} {}: kind {}",
                r.provider,
                r.code,
                r.kind
            );
            assert!(
                doc_of(&r.provider).is_some_and(|d| d.contains("https://")),
                "{}: no documentation",
                r.provider
            );
            assert!(!r.says.is_empty());
        }
    }

    #[test]
    fn numeric_codes_are_read_per_provider_and_only_where_a_code_is_written() {
        let zhipu = r#"open.bigmodel.cn {"error":{"code":"1301","message":"…"}}"#;
        assert_eq!(
            lookup(zhipu, &[], Some(400)).unwrap().kind(),
            Kind::ContentFilter
        );
        // The same number for no named provider, or as a line number, is no code.
        assert!(lookup(r#"{"error":{"code":"1301"}}"#, &[], Some(400)).is_none());
        assert!(lookup("zhipu.py, line 1301, in call", &[], None).is_none());
        // 1001 is a key problem at Zhipu, not at MiniMax (a timeout there).
        assert_eq!(
            lookup("zhipu [1001]", &[], None).unwrap().kind(),
            Kind::Auth
        );
        assert_eq!(
            lookup("minimax (1001)", &[], None).unwrap().kind(),
            Kind::Timeout
        );
    }

    #[test]
    fn string_codes_unique_to_a_provider_count_anywhere() {
        let r = lookup(
            "Error: InvalidEndpointOrModel.NotFound: the model",
            &[],
            None,
        )
        .unwrap();
        assert_eq!(
            (r.provider.as_str(), r.kind()),
            ("ark", Kind::ModelNotFound)
        );
        // DashScope's AccessDenied is not the start of Bedrock's exception name.
        let r = lookup("botocore AccessDeniedException", &[], None).unwrap();
        assert_eq!(r.provider, "bedrock");
        // Codes are matched in their documented case: English words are no codes.
        assert!(lookup("an internal error, unknown cause", &[], None).is_none());
        assert!(lookup("INTERNAL", &[], None).is_some());
    }

    #[test]
    fn the_seventh_round_s_providers_are_read_by_their_documented_codes() {
        for (text, provider, kind) in [
            (
                r#"api.groq.com {"error":{"code":"capacity_exceeded"}}"#,
                "groq",
                Kind::ServerError,
            ),
            (
                "replicate.exceptions.ModelError: E1001 prediction failed",
                "replicate",
                Kind::RequestTooLarge,
            ),
            (
                r#"watsonx {"errors":[{"code":"token_quota_reached"}]}"#,
                "watsonx",
                Kind::Billing,
            ),
            (
                r#"qianfan.baidubce.com {"error":{"code":"tokens_too_long","message":"Prompt tokens too long"}}"#,
                "qianfan",
                Kind::ContextOverflow,
            ),
            (
                r#"databricks {"error_code":"REQUEST_LIMIT_EXCEEDED"}"#,
                "databricks",
                Kind::RateLimit,
            ),
        ] {
            let r = lookup(text, &[], None).unwrap_or_else(|| panic!("{text}: no code read"));
            assert_eq!((r.provider.as_str(), r.kind()), (provider, kind), "{text}");
        }
        // A status row counts only with its provider named: StepFun's 451 is its safety review.
        assert_eq!(
            lookup("stepfun HTTP 451", &[], Some(451)).map(|r| r.kind()),
            Some(Kind::ContentFilter)
        );
        assert!(lookup("HTTP 451", &[], Some(451)).is_none());
    }

    #[test]
    fn a_dotted_code_of_a_known_family_is_read_by_its_family() {
        let r = lookup("tencentcloud AuthFailure.InvalidAuthorization", &[], None).unwrap();
        assert_eq!((r.provider.as_str(), r.kind()), ("tencent", Kind::Auth));
        // A listed code beats its family.
        let r = lookup("hunyuan ResourceUnavailable.InArrears", &[], None).unwrap();
        assert_eq!(r.kind(), Kind::Billing);
        // A family needs its provider named unless no other provider uses the name.
        assert!(lookup("InternalError.Foo", &[], None).is_none());
    }

    #[test]
    fn a_strong_code_outranks_a_weak_one() {
        let r = lookup(
            "bedrock ValidationException AccessDeniedException",
            &[],
            None,
        )
        .unwrap();
        assert_eq!(r.code, "AccessDeniedException");
    }

    #[test]
    fn a_documented_message_names_its_code_without_the_code() {
        // Baidu's error_msg for 17, as a client re-raises it without the number.
        let r = lookup(
            "RuntimeError: Open api daily request limit reached",
            &[],
            None,
        )
        .unwrap();
        assert_eq!((r.provider.as_str(), r.code.as_str()), ("qianfan", "17"));
        assert_eq!(r.kind(), Kind::Billing);
        assert!(r.cautious);
        // 18 is the per-second limit: a rate limit, not the bill.
        let r = lookup("Open api qps request limit reached", &[], None).unwrap();
        assert_eq!(r.kind(), Kind::RateLimit);
        // A short documented message counts only for its named provider.
        assert!(lookup("Unknown error", &[], None).is_none());
        assert_eq!(
            lookup("ernie: Unknown error", &[], None).unwrap().kind(),
            Kind::ServerError
        );
    }

    #[test]
    fn a_documented_message_may_name_the_parameter_it_refuses() {
        let r = lookup(
            r#"{"code":"InvalidParameter","message":"This model does not support enable_search."}"#,
            &[],
            Some(400),
        )
        .unwrap();
        assert_eq!(
            (r.kind(), r.param.as_deref()),
            (Kind::ParamRejected, Some("enable_search"))
        );
        // Its `{}` stands for a value.
        let r = lookup(
            "InvalidParameter: Range of input length should be [1, 129024]",
            &[],
            Some(400),
        )
        .unwrap();
        assert_eq!(r.kind(), Kind::ContextOverflow);
        // A message-only row never matches by its (generic) code alone.
        let r = lookup("dashscope InvalidParameter", &[], Some(400)).unwrap();
        assert_eq!(r.kind(), Kind::BadRequest);
        assert!(r.param.is_none());
    }

    #[test]
    fn the_longest_family_of_a_dotted_code_decides() {
        // InternalError.Algo.InvalidParameter is DashScope's 400, not its 500 InternalError.
        let r = lookup(
            "DashScope API error: <400> InternalError.Algo.InvalidParameter: bad input",
            &[],
            Some(400),
        )
        .unwrap();
        assert_eq!(r.kind(), Kind::BadRequest);
        let r = lookup("qwen InternalError.Algo.Whatever", &[], None).unwrap();
        assert_eq!(r.kind(), Kind::ServerError);
    }

    #[test]
    fn a_weak_code_of_another_status_class_is_a_gateway_s_word() {
        // Anthropic documents api_error as 500; a 404 that carries it came from elsewhere.
        let text = r#"claude {"type":"api_error","code":"provider_response_error"}"#;
        assert!(lookup(text, &[], Some(404)).is_none());
        assert_eq!(
            lookup(text, &[], Some(500)).unwrap().kind(),
            Kind::ServerError
        );
        assert_eq!(lookup(text, &[], None).unwrap().kind(), Kind::ServerError);
    }

    #[test]
    fn a_scoped_code_needs_its_provider_or_a_code_field() {
        let listed = "expected one of `stop`, `length`, `tool_calls`, `content_filter`";
        assert!(lookup(listed, &[], None).is_none());
        assert_eq!(
            lookup("azure: content_filter", &[], None).unwrap().kind(),
            Kind::ContentFilter
        );
        assert_eq!(
            lookup("blocked", &["content_filter".to_string()], Some(400))
                .unwrap()
                .kind(),
            Kind::ContentFilter
        );
    }

    #[test]
    fn documented_messages_are_each_one_provider_s() {
        let t = table();
        let mut seen: BTreeMap<String, &str> = BTreeMap::new();
        for r in &t.code {
            for m in &r.messages {
                let m = m.to_lowercase();
                assert!(m.replace("{}", "").trim().len() >= 8, "{m}: too short");
                if let Some(p) = seen.insert(m.clone(), r.provider.as_str()) {
                    assert_eq!(p, r.provider, "{m}: two providers");
                }
            }
            assert!(
                r.param.is_none() || r.kind() == Kind::ParamRejected,
                "{} {}: a param on a row that is not param_rejected",
                r.provider,
                r.code
            );
        }
    }

    #[test]
    fn error_reasons_and_common_codes_of_the_large_clouds_are_read() {
        let r = lookup(
            r#"googleapis.com "reason": "RATE_LIMIT_EXCEEDED""#,
            &[],
            Some(429),
        )
        .unwrap();
        assert_eq!(r.kind(), Kind::RateLimit);
        // OpenAI's rate_limit_exceeded is Google's code lowercased: weak, so a message that
        // says more (a request too large for the limit) decides over it.
        let openai = ["rate_limit_exceeded".to_string()];
        assert!(
            lookup("Request too large for gpt-4o", &openai, Some(429))
                .unwrap()
                .weak
        );
        assert!(lookup("aborted", &["aborted".to_string()], None).is_none());
        let r = lookup("vertex API_KEY_IP_ADDRESS_BLOCKED", &[], Some(403)).unwrap();
        assert_eq!(r.kind(), Kind::AccessDenied);
        // The ErrorInfo reason says more than the canonical status beside it.
        let tags = [
            "permission_denied".to_string(),
            "service_disabled".to_string(),
        ];
        let r = lookup("googleapis.com", &tags, Some(403)).unwrap();
        assert_eq!(r.code, "SERVICE_DISABLED");
        // A canonical word as common as UNIMPLEMENTED needs Google named.
        assert!(lookup("state: UNIMPLEMENTED", &[], None).is_none());
        assert_eq!(
            lookup("gemini UNIMPLEMENTED", &[], Some(501))
                .unwrap()
                .kind(),
            Kind::WrongRoute
        );
        // Tencent's RequestLimitExceeded and its dotted kinds are one family.
        let r = lookup("hunyuan RequestLimitExceeded.IPLimitExceeded", &[], None).unwrap();
        assert_eq!(r.kind(), Kind::RateLimit);
    }

    fn decided(text: &str) -> (Kind, &'static str) {
        let v = crate::classify::read_pasted(text).unwrap_or_else(|| panic!("{text}: not read"));
        (v.kind, v.rule)
    }

    /// A code whose documented meaning is generic (iFlytek Spark 10003 "the message's format
    /// is wrong") does not outvote a message that names what is wrong.
    #[test]
    fn a_generic_code_yields_to_a_message_that_names_the_matter() {
        let r = lookup("xfyun spark {'code': 10003}", &[], None).unwrap();
        assert!(r.weak, "Spark 10003 is generic");
        let (kind, _) = decided("xfyun spark {'header': {'code': 10003, 'message': 'ClientMsgError: invalid model domain'}}");
        assert_eq!(kind, Kind::ModelNotFound);
        // Alone, the generic code still reads as a bad request.
        let (kind, rule) =
            decided("xfyun spark {'header': {'code': 10003, 'message': 'ClientMsgError'}}");
        assert_eq!((kind, rule), (Kind::BadRequest, "provider_code"));
    }

    /// SiliconFlow's 20042 (413) is two limits of the embeddings API: a text over the model's
    /// input tokens, or more texts than one request takes; the message says which.
    #[test]
    fn siliconflow_20042_is_read_by_the_limit_its_message_names() {
        let (kind, _) = decided("api.siliconflow.cn Error code: 413 - {'code': 20042, 'message': 'input must have less than 512 tokens', 'data': None}");
        assert_eq!(kind, Kind::ContextOverflow);
        let (kind, rule) = decided("api.siliconflow.cn Error code: 413 - {'code': 20042, 'message': 'input batch size 83 > maximum allowed batch size 64', 'data': None}");
        assert_eq!((kind, rule), (Kind::RequestTooLarge, "batch_over_limit"));
        let (kind, _) = decided("siliconflow {'code': 20042, 'message': ''} 413");
        assert_eq!(kind, Kind::RequestTooLarge);
    }
}
