//! Providers' own error codes (`codes.toml`), read per provider: which providers a paste
//! names, which of their codes it carries, and what their documentation says each means.
//!
//! A numeric code counts only for a provider the paste names and only where a code is
//! written (a `code` field, `[1301]`, `(2013)`, `code: 1210`): Zhipu 1001 is not Hunyuan
//! 1001, and a line number is no code. A string code that one provider alone uses counts
//! wherever it stands as a whole word.

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

/// The provider code the text carries, the most specific first: a strong row before a weak
/// one. String codes are matched in their documented case (`INTERNAL`, not "internal");
/// `status` is the answer's HTTP status.
pub fn lookup(text: &str, tags: &[String], status: Option<u16>) -> Option<&'static Row> {
    let lower = text.to_lowercase();
    let lower = lower.as_str();
    let providers = providers_in(lower);
    let t = table();
    let mut hits: Vec<&Row> = Vec::new();
    for row in &t.code {
        let named = providers.contains(&row.provider.as_str())
            || (row.provider == "fastchat" && tags.iter().any(|t| fastchat_shaped(t)));
        let tagged = || tags.iter().any(|t| t.eq_ignore_ascii_case(&row.code));
        let found = if row.family {
            (named || unique(&row.code)) && family_in(text, &row.code)
        } else if row.status {
            named && status.is_some_and(|s| s.to_string() == row.code)
        } else if row.code.bytes().all(|b| b.is_ascii_digit()) {
            named && (tagged() || numeric_code_in(lower, &row.code))
        } else {
            (named || unique(&row.code)) && (tagged() || word_in(text, &row.code))
        };
        if found {
            hits.push(row);
        }
    }
    hits.iter()
        .find(|r| !r.weak && !r.family)
        .or_else(|| hits.iter().find(|r| !r.family))
        .or(hits.first())
        .copied()
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
}
