//! The key lists but cannot infer: `GET /models` answered 200 with the key, and generation
//! refuses it with 401/403. Either the key is valid and lacks the right to generate (a
//! restricted or read-only key, a project or plan without the model), or `/models` checks no
//! key at all and the key is simply wrong: one keyless `GET /models`, sent only then, tells
//! which, so the finding never blames a scope that a public `/models` cannot prove.

use super::Ctx;
use crate::failure::Kind;
use crate::finding::Finding;
use crate::http::Request;
use crate::target::Target;

/// What a keyless `GET /models` said, for [`explain`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keyless {
    /// It answered 2xx without any credential: `/models` proves nothing about the key.
    Public,
    /// It refused (401/403): `/models` checks keys, and accepted this one.
    Refused,
    /// Anything else (no answer, another status): nothing to conclude.
    Unknown,
}

/// A basic check refused for the credential while `/models` listed with it.
pub fn applies(f: &Finding, listed: bool) -> bool {
    listed
        && matches!(f.kind, Some(Kind::Auth | Kind::AccessDenied))
        && matches!(f.evidence.http_status, Some(401 | 403))
}

/// One `GET /models` with the target's credentials left out.
pub async fn keyless_models(cx: &Ctx<'_>) -> Keyless {
    let bare = Target {
        key: None,
        basic_auth: None,
        headers: cx
            .target
            .headers
            .iter()
            .filter(|(n, v)| {
                !crate::redact::is_credential_header(n, secrecy::ExposeSecret::expose_secret(v))
            })
            .cloned()
            .collect(),
        ..cx.target.clone()
    };
    match cx.http.call(&bare, &Request::get("/models")).await {
        Ok(a) if a.is_success() => Keyless::Public,
        Ok(a) if matches!(a.status, 401 | 403) => Keyless::Refused,
        _ => Keyless::Unknown,
    }
}

/// Word the basic check's refusal by what the keyless list showed.
pub fn explain(f: &mut Finding, keyless: Keyless) {
    let status = f.evidence.http_status.unwrap_or(0);
    match keyless {
        Keyless::Refused => {
            f.kind = Some(Kind::AccessDenied);
            f.detail = format!(
                "{}: yet GET /models accepts this key (and refuses a request without one), so the key is valid but may not generate: a restricted or read-only key, or a project, plan or tier without this model",
                f.detail
            );
        }
        Keyless::Public => f.detail = format!(
            "{}: GET /models answers without any key as well, so its 200 says nothing about the key; the key itself is refused (HTTP {status})",
            f.detail
        ),
        Keyless::Unknown => f.detail = format!(
            "{}: GET /models answered 200 with this key, so the key may be valid but lack the right to generate (key scope, plan, project)",
            f.detail
        ),
    }
}
