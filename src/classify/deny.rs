//! Who is denied what: the words of a refusal say what failed, the status only breaks ties.
//!
//! HTTP gives a refusal two statuses: 401 when the request "lacks valid authentication
//! credentials" (RFC 9110 §15.5.2) and 403 when the server "understood the request but
//! refuses to fulfill it" (§15.5.4), where credentials that were sent are "insufficient to
//! grant access" and the server "can describe that reason in the response content". Servers
//! do not keep to the line: FastAPI's `HTTPBearer`/`OAuth2PasswordBearer` answered a missing
//! token with 403 `{"detail": "Not authenticated"}` (fastapi.tiangolo.com, Security; 401
//! since FastAPI 0.116), Django REST framework answers `NotAuthenticated` ("Authentication
//! credentials were not provided.") with 403 when the scheme sends no `WWW-Authenticate`
//! (django-rest-framework.org, Authentication, "Unauthorized and Forbidden responses"), and
//! OpenAI answers a key whose project lacks a permission with 401 "You have insufficient
//! permissions for this operation. Missing scopes: …" (platform.openai.com/docs/guides/
//! error-codes, 401). So the words decide *what* was refused:
//!
//! - **identity**: the credential is missing, wrong or expired (`auth`: send a valid key);
//! - **permission**: the credential is known and lacks a right, a scope, a role (`access_denied`:
//!   widen the key's permissions; Anthropic's `permission_error`, Google's PERMISSION_DENIED,
//!   Azure's and Bedrock's IAM denials);
//! - **policy**: a security layer in front of the API refused the request before any
//!   credential was judged (`blocked`: a WAF, a relay's security layer, Arcjet's "Access
//!   denied by security policy" decision). Said cautiously: a geographic IP block reads the
//!   same. A resource's own network rules are its account's settings, not a layer in front.
//!
//! A word stands for its facet only outside names: a client's exception class that merely
//! maps a status (`openai.AuthenticationError` is any 401, llm.rb's `LLM::Error::Unauthorized`
//! any failure of its HTTP client) is the weakest evidence, not the server's word; a field or
//! error-type name (`extra_forbidden`) is no refusal of anyone. The plan, tier, region and
//! account's state are `account.rs`'s.

use super::facts::Facts;
use super::rules::{self, Rule};
use super::{Classification, Confidence};
use crate::failure::Kind;

/// What the words say was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Facet {
    Identity,
    Permission,
    Policy,
}

impl Facet {
    fn kind(self) -> Kind {
        match self {
            Facet::Identity => Kind::Auth,
            Facet::Permission => Kind::AccessDenied,
            Facet::Policy => Kind::Blocked,
        }
    }

    fn says(self) -> &'static str {
        match self {
            Facet::Identity => "the credential itself (missing, wrong or expired)",
            Facet::Permission => "what a valid credential may do",
            Facet::Policy => {
                "a security layer in front of the API, before any credential was judged"
            }
        }
    }
}

/// Words that say what failed, their facet, and whether they say it plainly (`true`) or
/// could be read another way (`false`: the verdict is then `Low`).
const CAUSES: &[(&str, Facet, bool)] = &[
    // RFC 9110 §11.6/§15.5.2 (authentication); FastAPI "Not authenticated"; DRF
    // "Authentication credentials were not provided." / "Incorrect authentication
    // credentials."; Google UNAUTHENTICATED "Request had invalid authentication credentials";
    // GitHub's "Bad credentials"; Bearer tokens (RFC 6750 §3.1 invalid_token: "expired,
    // revoked, malformed, or invalid").
    ("not authenticated", Facet::Identity, true),
    ("unauthenticated", Facet::Identity, true),
    ("authentication failed", Facet::Identity, true),
    ("authentication failure", Facet::Identity, true),
    ("failed to authenticate", Facet::Identity, true),
    ("could not authenticate", Facet::Identity, true),
    ("unable to authenticate", Facet::Identity, true),
    ("authentication required", Facet::Identity, true),
    ("authentication is required", Facet::Identity, true),
    ("requires authentication", Facet::Identity, true),
    ("authentication credentials", Facet::Identity, true),
    ("invalid authentication", Facet::Identity, true),
    ("missing authentication", Facet::Identity, true),
    ("no authentication", Facet::Identity, true),
    ("invalid credentials", Facet::Identity, true),
    ("bad credentials", Facet::Identity, true),
    ("incorrect credentials", Facet::Identity, true),
    ("missing credentials", Facet::Identity, true),
    ("no credentials", Facet::Identity, true),
    ("credentials were not provided", Facet::Identity, true),
    ("credentials are missing", Facet::Identity, true),
    ("missing bearer", Facet::Identity, true),
    ("no bearer", Facet::Identity, true),
    ("invalid bearer", Facet::Identity, true),
    ("bearer token is missing", Facet::Identity, true),
    ("missing authorization header", Facet::Identity, true),
    ("authorization header is missing", Facet::Identity, true),
    ("no authorization header", Facet::Identity, true),
    ("invalid authorization header", Facet::Identity, true),
    ("missing api key", Facet::Identity, true),
    ("api key is missing", Facet::Identity, true),
    ("invalid api key", Facet::Identity, true),
    ("incorrect api key", Facet::Identity, true),
    ("api key is invalid", Facet::Identity, true),
    ("api key not valid", Facet::Identity, true),
    ("missing token", Facet::Identity, true),
    ("token is missing", Facet::Identity, true),
    ("invalid token", Facet::Identity, true),
    ("token is invalid", Facet::Identity, true),
    ("token expired", Facet::Identity, true),
    ("token has expired", Facet::Identity, true),
    ("token is expired", Facet::Identity, true),
    ("expired token", Facet::Identity, true),
    // Google APIs' 403 PERMISSION_DENIED for a call that carried no key or OAuth identity:
    // "Method doesn't allow unregistered callers (callers without established identity).
    // Please use API Key or other form of API consumer identity to call this API."
    ("unregistered callers", Facet::Identity, true),
    ("without established identity", Facet::Identity, true),
    // OpenRouter's 401 "No auth credentials found" (openrouter.ai/docs, errors: 401).
    ("no auth credentials", Facet::Identity, true),
    ("login required", Facet::Identity, true),
    ("not logged in", Facet::Identity, true),
    // "Authorization" is also the header's name: a gateway's "authorization failed" most
    // often means the header's credential did not pass, but may mean a permission.
    ("authorization failed", Facet::Identity, false),
    ("authorization failure", Facet::Identity, false),
    // The credential is known; a right is missing (RFC 9110 §15.5.4; OpenAI 401 "insufficient
    // permissions … Missing scopes"; RFC 6750 §3.1 insufficient_scope; Anthropic
    // permission_error "Your API key does not have permission to use the specified resource";
    // Google PERMISSION_DENIED "The caller does not have permission"; AWS IAM "is not
    // authorized to perform").
    ("insufficient permission", Facet::Permission, true),
    ("missing permission", Facet::Permission, true),
    ("does not have permission", Facet::Permission, true),
    ("do not have permission", Facet::Permission, true),
    ("don't have permission", Facet::Permission, true),
    ("doesn't have permission", Facet::Permission, true),
    ("no permission", Facet::Permission, true),
    ("permission to access", Facet::Permission, true),
    ("permission denied", Facet::Permission, false),
    ("missing scope", Facet::Permission, true),
    ("insufficient scope", Facet::Permission, true),
    ("required scope", Facet::Permission, true),
    ("insufficient privilege", Facet::Permission, true),
    ("not authorized to", Facet::Permission, true),
    ("not authorised to", Facet::Permission, true),
    ("does not have access", Facet::Permission, true),
    ("do not have access", Facet::Permission, true),
    ("don't have access", Facet::Permission, true),
    ("doesn't have access", Facet::Permission, true),
    ("not allowed to access", Facet::Permission, true),
    ("not allowed to use", Facet::Permission, true),
    ("not permitted to", Facet::Permission, true),
    // OpenAI's documented 401 "You must be a member of an organization to use the API"
    // (platform.openai.com/docs/guides/error-codes): the account, not the key's validity.
    ("must be a member of", Facet::Permission, true),
    // A security layer in front of the API (Arcjet's shield decision "Access denied by
    // security policy", docs.arcjet.com; a web application firewall's block): the credential
    // was never judged. Never plain: a geographic IP block reads the same. A resource's own
    // network rules (Azure AI services' "Virtual Network/Firewall rules", an IP allowlist
    // of a key) are the account's access settings, not a layer in front: not read here.
    ("security policy", Facet::Policy, false),
    ("security policies", Facet::Policy, false),
    ("web application firewall", Facet::Policy, false),
    ("security service", Facet::Policy, false),
];

/// Words that hold a cause's words but say something else: Amazon API Gateway answers a
/// path or method it has no resource for with 403 "Missing Authentication Token"
/// (docs.aws.amazon.com/apigateway, "Troubleshoot 403 errors"), most often a wrong URL.
const NOT_CAUSES: &[&str] = &["missing authentication token"];

/// The message rules that read a refusal by a word or two: the words' facet decides over
/// them when it is another one.
const DENY_RULES: &[&str] = &[
    "auth_words",
    "access_words",
    "account_state",
    "access_403_model",
];

/// Statuses a refusal is sent with (or none: a paste).
const STATUSES: &[u16] = &[400, 401, 403];

/// Class names that only map a status (openai-python's and anthropic-sdk's
/// `AuthenticationError` is any 401 and `PermissionDeniedError` any 403, per their READMEs'
/// "Handling errors" tables; Ruby's `Net::HTTPUnauthorized`; a client's own `Unauthorized`),
/// as the last segment of a class path or glued into one word.
const STATUS_LABELS: &[&str] = &[
    "authenticationerror",
    "authenticationexception",
    "unauthorizederror",
    "unauthorizedexception",
    "unauthorized",
    "httpunauthorized",
    "permissiondeniederror",
    "forbiddenerror",
    "forbiddenexception",
    "httpforbidden",
];

/// A token of the words is a status label: a class path ending in one (`llm::error::
/// unauthorized`, `openai.authenticationerror`), or one glued into a class name
/// (`authenticationerror`), not the plain word "unauthorized".
fn is_status_label(token: &str) -> bool {
    let token = token.trim_matches(|c: char| !c.is_alphanumeric());
    let last = token.rsplit([':', '.']).next().unwrap_or("");
    if !STATUS_LABELS.contains(&last) {
        return false;
    }
    let qualified = last.len() < token.len();
    qualified || last.ends_with("error") || last.ends_with("exception")
}

/// The words with every status label blanked out.
fn without_labels(words: &str) -> String {
    words
        .split(' ')
        .map(|t| if is_status_label(t) { "" } else { t })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A deny rule that matched only on a client's status label: the label is the weakest
/// evidence, so the message layer reads the words without it (another rule, or none, and
/// then the status and the exception name speak). Any other verdict is kept.
pub fn unlabelled(
    f: &Facts,
    by_message: Option<(&'static Rule, Option<String>)>,
) -> Option<(&'static Rule, Option<String>)> {
    let (rule, _) = by_message.as_ref()?;
    if !DENY_RULES.contains(&rule.id) || !f.words.split(' ').any(is_status_label) {
        return by_message;
    }
    let bare = Facts {
        status: f.status,
        body: f.body,
        sent: f.sent,
        msg: without_labels(&f.msg),
        words: without_labels(&f.words),
        body_only: f.body_only,
    };
    if rule.try_match(&bare).is_some() {
        return by_message;
    }
    rules::first_match(&bare, rules::Layer::Message)
}

/// Words with names blanked: a token with `_`, `::`, or a dot inside (`extra_forbidden`,
/// `openai.permissiondeniederror`, a host) says nothing as a sentence does.
fn sentence_words(words: &str) -> String {
    words
        .split(' ')
        .map(|t| {
            let inner = t.trim_matches(|c: char| !c.is_alphanumeric());
            let name = inner.contains('_')
                || inner.contains("::")
                || inner
                    .char_indices()
                    .any(|(i, c)| c == '.' && i + 1 < inner.len())
                || is_status_label(inner);
            if name {
                ""
            } else {
                t
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// One reading of the words: the facet, the words it rests on, and whether they are plain.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Reading {
    facet: Facet,
    said: &'static str,
    plain: bool,
    /// Words of another facet were there too: the status broke the tie.
    contested: bool,
}

/// The facet the words give, the status breaking a tie between identity and permission.
fn read(words: &str, status: Option<u16>) -> Option<Reading> {
    let mut text = sentence_words(words);
    for w in NOT_CAUSES {
        text = text.replace(w, " ");
    }
    let found: Vec<(&'static str, Facet, bool)> = CAUSES
        .iter()
        .copied()
        .filter(|(w, ..)| text.contains(w))
        .collect();
    let of = |facet| found.iter().copied().find(|(_, f, _)| *f == facet);
    let reading = |(said, facet, plain): (&'static str, Facet, bool), contested| Reading {
        facet,
        said,
        plain,
        contested,
    };
    // A policy in front decides first: behind it, nothing was judged.
    if let Some(p) = of(Facet::Policy) {
        return Some(reading(p, false));
    }
    match (of(Facet::Identity), of(Facet::Permission)) {
        (Some(i), Some(p)) => Some(reading(if status == Some(403) { p } else { i }, true)),
        (Some(one), None) | (None, Some(one)) => Some(reading(one, false)),
        (None, None) => None,
    }
}

/// The kind the status alone gives a refusal.
fn by_status(status: Option<u16>) -> Option<Kind> {
    match status {
        Some(401) => Some(Kind::Auth),
        Some(403) => Some(Kind::AccessDenied),
        _ => None,
    }
}

/// The words' facet, where it names another kind than a deny rule's word or the status
/// alone would: "Not authenticated" under 403 is the credential, "Missing scopes" under 401
/// a permission, "Access denied by security policy" a policy in front.
pub fn decide(f: &Facts, message_rule: Option<&Rule>) -> Option<Classification> {
    if f.status.is_some_and(|s| !STATUSES.contains(&s)) {
        return None;
    }
    let current = match message_rule {
        Some(r) if DENY_RULES.contains(&r.id) => Some(r.kind),
        Some(_) => return None,
        None => by_status(f.status),
    };
    // The body's own message first: a client's wrapper text around it ("Authentication
    // failed (401): {…}") is the client's reading of the status, the weaker evidence.
    let r = read(&f.msg, f.status).or_else(|| read(&f.words, f.status))?;
    let kind = r.facet.kind();
    if current == Some(kind) {
        return None;
    }
    // Without a deny rule or a refusal's status, only plain words of the credential or a
    // permission speak (a 400 or a paste that says "invalid credentials" says so).
    if current.is_none() && !r.plain {
        return None;
    }
    let sure = r.plain && !r.contested && matches!(f.status, None | Some(401) | Some(403));
    let status = f
        .status
        .map_or(String::new(), |s| format!(" under HTTP {s}"));
    Some(Classification {
        kind,
        param: None,
        gateway: false,
        rule: "deny_words",
        hint: None,
        confidence: if sure {
            Confidence::High
        } else {
            Confidence::Low
        },
        evidence: format!(
            "\"{}\" in the message{status}: what was refused is {}",
            r.said,
            r.facet.says()
        ),
    })
}

/// A status-level code (Google's canonical `PERMISSION_DENIED`, `UNAUTHENTICATED`: the
/// status in other words, cloud.google.com/apis/design/errors) is read as the status is: the
/// refusal's plain words of the other facet decide over it.
pub fn over_status_code(v: Classification, canonical: bool, f: &Facts) -> Classification {
    if !canonical || !matches!(v.kind, Kind::Auth | Kind::AccessDenied) {
        return v;
    }
    match read(&f.msg, f.status) {
        Some(r)
            if r.plain && !r.contested && r.facet != Facet::Policy && r.facet.kind() != v.kind =>
        {
            Classification {
                kind: r.facet.kind(),
                rule: "deny_words",
                hint: None,
                evidence: format!(
                    "\"{}\" in the message, over {}: what was refused is {}",
                    r.said,
                    v.evidence,
                    r.facet.says()
                ),
                ..v
            }
        }
        _ => v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::{decide as classify, ErrorBody, KNOWN_PARAMS};

    fn verdict(status: u16, message: &str) -> (Kind, Confidence) {
        let b = ErrorBody {
            message: Some(message.into()),
            envelope: true,
            ..Default::default()
        };
        let v = classify(Some(status), &b, KNOWN_PARAMS, "").unwrap();
        (v.kind, v.confidence)
    }

    #[test]
    fn a_403_that_says_the_credential_failed_is_the_credential() {
        // FastAPI's HTTPBearer without a token (403 before 0.116); DRF's NotAuthenticated
        // under 403; a gateway's missing bearer token.
        for m in [
            "Not authenticated",
            "Authentication credentials were not provided.",
            "Missing bearer token",
            "Unauthenticated.",
        ] {
            assert_eq!(verdict(403, m), (Kind::Auth, Confidence::High), "{m}");
        }
        // "Authorization failed" may be the header's credential or a permission: likely.
        assert_eq!(
            verdict(403, "Authorization failed"),
            (Kind::Auth, Confidence::Low)
        );
    }

    #[test]
    fn a_401_that_says_a_permission_is_missing_is_access() {
        // OpenAI's documented 401 for a key without a scope; a key not allowed a model.
        assert_eq!(
            verdict(
                401,
                "Unauthorized: this API key is not allowed to access model gpt-x"
            )
            .0,
            Kind::AccessDenied
        );
        assert_eq!(
            verdict(
                401,
                "You have insufficient permissions for this operation. Missing scopes: api.responses.write."
            )
            .0,
            Kind::AccessDenied
        );
        assert_eq!(
            verdict(
                401,
                "You must be a member of an organization to use the API. Please contact us through our help center at help.openai.com."
            )
            .0,
            Kind::AccessDenied
        );
        // The status alone and plain words that agree change nothing.
        assert_eq!(verdict(401, "Not authenticated").0, Kind::Auth);
        assert_eq!(
            verdict(403, "The caller does not have permission").0,
            Kind::AccessDenied
        );
    }

    #[test]
    fn a_status_level_code_yields_to_the_words_as_the_status_does() {
        // Google's documented refusal of a call without a key, under PERMISSION_DENIED.
        let b = ErrorBody {
            message: Some("Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.".into()),
            tags: vec!["permission_denied".into()],
            envelope: true,
            ..Default::default()
        };
        let v = classify(Some(403), &b, KNOWN_PARAMS, "").unwrap();
        assert_eq!(v.kind, Kind::Auth, "{v:?}");
        // Its documented permission message stays access.
        let b = ErrorBody {
            message: Some("The caller does not have permission".into()),
            tags: vec!["permission_denied".into()],
            envelope: true,
            ..Default::default()
        };
        let v = classify(Some(403), &b, KNOWN_PARAMS, "").unwrap();
        assert_eq!(v.kind, Kind::AccessDenied);
    }

    #[test]
    fn a_security_policy_in_front_is_a_block_said_cautiously() {
        // Arcjet's shield decision, as its docs' Express example answers it.
        assert_eq!(
            verdict(403, "Access denied by security policy."),
            (Kind::Blocked, Confidence::Low)
        );
    }

    #[test]
    fn words_of_both_facets_are_decided_by_the_status_cautiously() {
        let m = "invalid credentials or insufficient permissions for this resource";
        assert_eq!(read(m, Some(401)).map(|r| r.facet), Some(Facet::Identity));
        assert_eq!(read(m, Some(403)).map(|r| r.facet), Some(Facet::Permission));
        assert!(read(m, Some(403)).is_some_and(|r| r.contested));
    }

    #[test]
    fn words_inside_names_are_no_refusal() {
        // pydantic's error type and a field path are names; a client's class is a label.
        assert_eq!(read("type=extra_forbidden", None), None);
        assert_eq!(
            read("openai.permissiondeniederror: error code: 400", None),
            None
        );
        assert!(is_status_label("(llm::error::unauthorized)"));
        assert!(is_status_label("authenticationerror:"));
        assert!(!is_status_label("unauthorized"));
        assert!(!is_status_label("unauthorized:"));
    }

    #[test]
    fn a_client_s_status_label_around_a_bad_request_is_not_the_key() {
        // llm.rb raised its Unauthorized around any 400 of its HTTP client (a training case);
        // Ruby's Net::HTTP writes the status as `400 "Bad Request"`.
        let context = "http_client.rb:31:in `rescue in request': Authentication error (LLM::Error::Unauthorized)\n/usr/local/lib/ruby/3.2/net/http/response.rb:277:in `error!': 400 \"Bad Request\" (Net::HTTPClientException)";
        let b = ErrorBody::default();
        let v = classify(Some(400), &b, KNOWN_PARAMS, context).unwrap();
        assert_eq!((v.kind, v.confidence), (Kind::BadRequest, Confidence::Low));
        // The plain word is the server's, whatever the label.
        let b = ErrorBody {
            message: Some("Unauthorized".into()),
            ..Default::default()
        };
        assert_eq!(
            classify(Some(401), &b, KNOWN_PARAMS, "").unwrap().kind,
            Kind::Auth
        );
    }
}
