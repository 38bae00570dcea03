//! What is probed: a normalised base URL, an optional secret key, extra headers, models.

use crate::provider::Provider;
use crate::redact::{is_credential_header, is_secret_param, strip_controls, url_for_display};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

/// Endpoint suffixes people paste by mistake at the end of a base URL.
const ENDPOINT_SUFFIXES: &[&str] = &[
    "/chat/completions",
    "/completions",
    "/responses",
    "/messages",
    "/models",
    "/embeddings",
];

#[derive(Debug, Clone)]
pub struct Target {
    pub name: String,
    pub provider: Option<Provider>,
    /// scheme://host[:port]/path without a trailing slash, user info or query: safe to
    /// print. Endpoints are appended to it.
    pub base_url: String,
    /// The base URL's query (Azure's `api-version`, sometimes its `api-key`), kept as a
    /// secret and sent after every endpoint path. Shown only through [`Target::shown_url`].
    pub query: Option<SecretString>,
    /// User and password written in the URL, sent as basic auth.
    pub basic_auth: Option<(SecretString, Option<SecretString>)>,
    /// Set when the given URL ended in an endpoint path and was corrected.
    pub base_url_fix: Option<BaseUrlFix>,
    pub key_env: Option<String>,
    /// `SecretString` prints as `[REDACTED]` in Debug, so a stray log cannot leak it.
    pub key: Option<SecretString>,
    pub headers: Vec<(String, SecretString)>,
    pub models: Vec<String>,
    /// The provider id when the target comes from an opencode.json.
    pub opencode_provider: Option<String>,
    /// Why no key goes to this target although one may have been named (`zencheck mcp`
    /// sends keys only to the config's targets and to a preset's own host).
    pub key_withheld: Option<String>,
    /// `probe --as CLIENT` (or opencode for an opencode.json's providers): the body fields
    /// that client always sends are added to each request (its headers are in `headers`).
    pub profile: Option<crate::profile::Profile>,
    /// How many of `headers`, at their front, the profile added (see [`Target::speak_as`]).
    pub profile_headers: usize,
    /// An opencode.json provider with `"includeUsage": false`: opencode sends it no
    /// `stream_options`, so the profile adds none.
    pub profile_omits_usage: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrlFix {
    /// As given, secrets replaced.
    pub given: String,
    pub stripped: String,
}

/// The target as the report shows it: never the key, only where it comes from.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TargetInfo {
    pub name: String,
    pub provider: Option<Provider>,
    pub base_url: String,
    pub api_key_env: Option<String>,
    pub api_key_present: bool,
    pub models: Vec<String>,
    /// The proxy requests went through (secrets hidden), or null for direct.
    #[serde(default)]
    pub proxy: Option<String>,
    /// TLS certificates were not verified (`--insecure`).
    #[serde(default)]
    pub insecure: bool,
    /// Why the target was probed with no key although one may have been named (`zencheck
    /// mcp`); absent when keys went as configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_withheld: Option<String>,
    /// The client whose request shape was sent (`--as CLIENT`, see `profile`); null when
    /// zencheck sent its own.
    #[serde(default)]
    pub client_profile: Option<String>,
}

/// A usage error about a target. Every message shows the URL with its secrets replaced and
/// a header by its name only, since these lines land in CI logs. Each says what fixes it: a
/// header error is not followed by a hint about base URLs.
#[derive(Debug, thiserror::Error, miette::Diagnostic, PartialEq, Eq)]
pub enum TargetError {
    #[error("base URL `{0}` is not a valid URL: {1}")]
    #[diagnostic(code("zencheck::target"), help("{BASE_URL_HELP}"))]
    BadUrl(String, String),
    #[error("base URL `{0}` must start with http:// or https://")]
    #[diagnostic(code("zencheck::target"), help("{BASE_URL_HELP}"))]
    BadScheme(String),
    /// `localhost:8080/v1`, `api.openai.com/v1`: the URL works once it has a scheme.
    #[error("base URL `{given}` has no http:// or https://")]
    #[diagnostic(code("zencheck::target"), help("use --base-url {suggested}"))]
    NoScheme { given: String, suggested: String },
    #[error("base URL `{0}` has a #fragment, which is never sent to a server; remove it")]
    #[diagnostic(code("zencheck::target"), help("{BASE_URL_HELP}"))]
    Fragment(String),
    #[error("header `{0}` must look like `Name: value` (a name of letters, digits, - and _)")]
    #[diagnostic(
        code("zencheck::header"),
        help("for example -H 'X-Title: my-app'; the key goes in a variable: --api-key-env NAME")
    )]
    BadHeader(String),
    #[error("the value of header `{0}` holds a line break or control character (value hidden)")]
    #[diagnostic(code("zencheck::header"), help("write the header's value on one line"))]
    BadHeaderValue(String),
}

impl From<TargetError> for crate::error::RunError {
    fn from(e: TargetError) -> crate::error::RunError {
        crate::error::RunError::Target(Box::new(e))
    }
}

const BASE_URL_HELP: &str =
    "a base URL looks like https://opencode.ai/zen/v1 or http://127.0.0.1:11434/v1";

/// The scheme a base URL written without one most likely needs: `http://` for this machine
/// and local networks (a host without a dot, a loopback or private address), else `https://`.
fn likely_scheme(rest: &str) -> &'static str {
    let host_port = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = host_port.rsplit('@').next().unwrap_or(host_port);
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host_port.split(':').next().unwrap_or(""),
    };
    let local = match host.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(ip)) => {
            ip.is_loopback() || ip.is_private() || ip.is_link_local() || ip.is_unspecified()
        }
        Ok(std::net::IpAddr::V6(ip)) => ip.is_loopback() || ip.is_unspecified(),
        Err(_) => {
            let h = host.to_ascii_lowercase();
            h == "localhost" || h.ends_with(".localhost") || !h.contains('.')
        }
    };
    if local {
        "http"
    } else {
        "https"
    }
}

/// A base URL taken apart: what is printed, what is sent, what is secret.
#[derive(Debug)]
pub struct BaseUrl {
    pub base: String,
    pub query: Option<String>,
    pub userinfo: Option<(String, Option<String>)>,
    pub fix: Option<BaseUrlFix>,
}

/// Check the scheme and host, refuse a fragment, strip an endpoint suffix from the path
/// (reported as a fix), and keep the query apart so endpoints join the path, not the query.
pub fn normalise_base_url(input: &str) -> Result<BaseUrl, TargetError> {
    let shown = url_for_display(input);
    let trimmed = input.trim();
    // A URL without a scheme (`localhost:8080/v1` even parses, with `localhost` as scheme):
    // when adding one makes it a base URL, say which one.
    let lower = trimmed.to_ascii_lowercase();
    if !trimmed.contains("://") && !lower.starts_with("http:") && !lower.starts_with("https:") {
        let candidate = format!("{}://{trimmed}", likely_scheme(trimmed));
        if normalise_base_url(&candidate).is_ok() {
            let suggested = url_for_display(&candidate);
            return Err(TargetError::NoScheme {
                given: suggested
                    .split_once("://")
                    .map_or(shown, |(_, r)| r.to_string()),
                suggested,
            });
        }
    }
    let mut url =
        url::Url::parse(trimmed).map_err(|e| TargetError::BadUrl(shown.clone(), e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(TargetError::BadScheme(shown));
    }
    // `http:///v1` parses with `v1` as the host; a person meant a host that is missing.
    let after_scheme = &trimmed[url.scheme().len() + 1..];
    if after_scheme.starts_with("///") || url.host_str().is_none_or(str::is_empty) {
        return Err(TargetError::BadUrl(shown, "it has no host".into()));
    }
    if url.fragment().is_some() {
        return Err(TargetError::Fragment(shown));
    }
    let query = url.query().filter(|q| !q.is_empty()).map(str::to_string);
    let userinfo = (!url.username().is_empty() || url.password().is_some()).then(|| {
        (
            percent_decode(url.username()),
            url.password().map(percent_decode),
        )
    });
    url.set_query(None);
    let _ = url.set_username("");
    let _ = url.set_password(None);
    let mut base = url.as_str().trim_end_matches('/').to_string();
    let mut fix = None;
    if let Some(suffix) = ENDPOINT_SUFFIXES.iter().find(|s| base.ends_with(*s)) {
        base.truncate(base.len() - suffix.len());
        base = base.trim_end_matches('/').to_string();
        fix = Some(BaseUrlFix {
            given: shown.trim_end_matches('/').to_string(),
            stripped: suffix.to_string(),
        });
    }
    Ok(BaseUrl {
        base,
        query,
        userinfo,
        fix,
    })
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

pub fn parse_header(raw: &str) -> Result<(String, SecretString), TargetError> {
    let Some((name, value)) = raw.split_once(':') else {
        // No colon: the text may be a bare key pasted as a header; show none of it.
        return Err(TargetError::BadHeader("(no `:` in it)".into()));
    };
    let name = name.trim();
    let valid = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b));
    if !valid {
        let shown: String = strip_controls(name).chars().take(40).collect();
        return Err(TargetError::BadHeader(shown));
    }
    let value = value.trim();
    if value.chars().any(|c| c.is_control() && c != '\t') {
        return Err(TargetError::BadHeaderValue(name.to_string()));
    }
    Ok((name.to_string(), SecretString::from(value.to_string())))
}

impl Target {
    /// A target with nothing but a name and a base URL (tests, the demo).
    pub fn new(name: &str, base_url: &str) -> Result<Target, TargetError> {
        Ok(Target::from_base(name, normalise_base_url(base_url)?))
    }

    /// A target from a base URL already taken apart; the rest left empty.
    pub fn from_base(name: &str, b: BaseUrl) -> Target {
        Target {
            name: name.to_string(),
            provider: None,
            base_url: b.base,
            query: b.query.map(SecretString::from),
            basic_auth: b
                .userinfo
                .map(|(u, p)| (SecretString::from(u), p.map(SecretString::from))),
            base_url_fix: b.fix,
            key_env: None,
            key: None,
            headers: Vec::new(),
            models: Vec::new(),
            opencode_provider: None,
            key_withheld: None,
            profile: None,
            profile_headers: 0,
            profile_omits_usage: false,
        }
    }

    /// Send what `client` sends beside each request: its headers in front of the user's (a
    /// header the user set wins) and its body fields ([`Target::shaped`]).
    pub fn speak_as(&mut self, client: crate::profile::Profile, stream_usage: bool) {
        let own = std::mem::take(&mut self.headers);
        let n = own.len();
        self.headers =
            crate::profile::with_profile(client, own, |v| SecretString::from(v.to_string()));
        self.profile_headers = self.headers.len() - n;
        self.profile = Some(client);
        self.profile_omits_usage = !stream_usage;
    }

    /// This target as zencheck itself speaks to it: no profile's headers or body fields.
    pub fn as_zencheck(&self) -> Target {
        Target {
            headers: self.headers[self.profile_headers..].to_vec(),
            profile: None,
            profile_headers: 0,
            profile_omits_usage: false,
            ..self.clone()
        }
    }

    /// The profile's headers this target sends (the user's own left out).
    pub fn profile_header_names(&self) -> Vec<&str> {
        self.headers[..self.profile_headers]
            .iter()
            .map(|(n, _)| n.as_str())
            .collect()
    }

    /// A request body as it goes out: with a client profile, that client's fields added.
    pub fn shaped(&self, path: &str, body: &serde_json::Value) -> serde_json::Value {
        let Some(p) = self.profile else {
            return body.clone();
        };
        let mut b = p.shaped(path, body);
        if self.profile_omits_usage && body.get("stream_options").is_none() {
            if let Some(o) = b.as_object_mut() {
                o.remove("stream_options");
            }
        }
        b
    }

    /// Where a request for `path` goes: the path joins the base's path, the query stays last.
    /// May hold secrets (the query): send it, never print it.
    pub fn endpoint(&self, path: &str) -> String {
        match &self.query {
            Some(q) => format!("{}{path}?{}", self.base_url, q.expose_secret()),
            None => format!("{}{path}", self.base_url),
        }
    }

    /// [`Target::endpoint`] as a person may see it: secrets in the query and user info
    /// replaced (the reader still sees that they were there).
    pub fn shown_endpoint(&self, path: &str) -> String {
        let mut s = format!("{}{path}", self.base_url);
        if let Some(q) = &self.query {
            s = url_for_display(&format!("{s}?{}", q.expose_secret()));
        }
        if self.basic_auth.is_some() {
            s = s.replacen("://", "://[redacted]@", 1);
        }
        s
    }

    /// No credential goes with the requests: no key, no basic auth, no credential header.
    /// (A key in the base URL's query is a credential too.)
    pub fn sends_no_credentials(&self) -> bool {
        self.key.is_none()
            && self.basic_auth.is_none()
            && self.query.is_none()
            && !self
                .headers
                .iter()
                .any(|(n, v)| crate::redact::is_credential_header(n, v.expose_secret()))
    }

    /// The base URL as reports show it.
    pub fn shown_url(&self) -> String {
        self.shown_endpoint("")
    }

    pub fn info(&self) -> TargetInfo {
        TargetInfo {
            name: self.name.clone(),
            provider: self.provider,
            base_url: self.shown_url(),
            api_key_env: self.key_env.clone(),
            api_key_present: self.key.is_some(),
            models: self.models.clone(),
            proxy: None,
            insecure: false,
            key_withheld: self.key_withheld.clone(),
            client_profile: self.profile.map(|p| p.name().to_string()),
        }
    }

    /// Every secret value this target holds: the key, the values of headers that carry
    /// credentials, user info and secret query values of the URL. The [`Redactor`] built
    /// from them adds the forms they are echoed in.
    ///
    /// [`Redactor`]: crate::redact::Redactor
    pub fn secrets(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .key
            .iter()
            .map(|k| k.expose_secret().to_string())
            .collect();
        for (name, value) in &self.headers {
            let v = value.expose_secret();
            if is_credential_header(name, v) {
                out.push(v.to_string());
            }
        }
        if let Some((u, p)) = &self.basic_auth {
            use base64::Engine as _;
            let (u, p) = (u.expose_secret(), p.as_ref().map(|p| p.expose_secret()));
            out.push(u.to_string());
            out.extend(p.map(str::to_string));
            // The Authorization header it becomes, which an echoing server sends back.
            let pair = format!("{u}:{}", p.unwrap_or_default());
            out.push(base64::engine::general_purpose::STANDARD.encode(pair));
        }
        if let Some(q) = &self.query {
            let q = q.expose_secret();
            for (k, v) in url::form_urlencoded::parse(q.as_bytes()) {
                if is_secret_param(&k) {
                    out.push(v.into_owned());
                }
            }
            // The raw, percent-encoded forms too: a server may echo the URL it got.
            for (k, v) in q.split('&').filter_map(|p| p.split_once('=')) {
                if is_secret_param(k) {
                    out.push(v.to_string());
                }
            }
        }
        out
    }

    pub fn redactor(&self) -> crate::redact::Redactor {
        crate::redact::Redactor::new(self.secrets())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(s: &str) -> String {
        normalise_base_url(s).unwrap().base
    }

    #[test]
    fn trailing_slashes_are_trimmed() {
        assert_eq!(base("http://h:1/v1///"), "http://h:1/v1");
    }

    #[test]
    fn an_endpoint_suffix_is_stripped_and_reported() {
        let b = normalise_base_url("https://opencode.ai/zen/v1/chat/completions/").unwrap();
        assert_eq!(b.base, "https://opencode.ai/zen/v1");
        assert_eq!(b.fix.unwrap().stripped, "/chat/completions");
        let b = normalise_base_url("http://127.0.0.1:4000/models").unwrap();
        assert_eq!(
            (b.base.as_str(), b.fix.is_some()),
            ("http://127.0.0.1:4000", true)
        );
    }

    #[test]
    fn the_query_stays_a_query_and_its_secrets_are_hidden() {
        let t = Target::new(
            "az",
            "https://me:pa55word@x.openai.azure.com/openai/v1?api-version=2024-10-21&api-key=AZK-123456",
        )
        .unwrap();
        assert_eq!(
            t.endpoint("/chat/completions"),
            "https://x.openai.azure.com/openai/v1/chat/completions?api-version=2024-10-21&api-key=AZK-123456"
        );
        assert_eq!(
            t.shown_endpoint("/models"),
            "https://[redacted]@x.openai.azure.com/openai/v1/models?api-version=2024-10-21&api-key=[redacted]"
        );
        let s = t.secrets();
        assert!(s.contains(&"AZK-123456".to_string()) && s.contains(&"pa55word".to_string()));
        assert!(!t.info().base_url.contains("pa55word"));
    }

    #[test]
    fn bad_urls_are_refused_without_showing_their_secrets() {
        let no_scheme = |u: &str| match normalise_base_url(u) {
            Err(TargetError::NoScheme { suggested, .. }) => suggested,
            other => panic!("{u}: {other:?}"),
        };
        assert_eq!(no_scheme("localhost:11434/v1"), "http://localhost:11434/v1");
        assert_eq!(no_scheme("127.0.0.1:8080/v1"), "http://127.0.0.1:8080/v1");
        assert_eq!(no_scheme("[::1]:8080/v1"), "http://[::1]:8080/v1");
        assert_eq!(
            no_scheme("192.168.1.20:11434/v1"),
            "http://192.168.1.20:11434/v1"
        );
        assert_eq!(no_scheme("ollama:11434/v1"), "http://ollama:11434/v1");
        assert_eq!(no_scheme("api.openai.com/v1"), "https://api.openai.com/v1");
        let e = normalise_base_url("u:SECRET99@api.example.com/v1").unwrap_err();
        assert!(!format!("{e:?}").contains("SECRET9"), "{e:?}");
        assert!(matches!(
            normalise_base_url("ftp://x/v1"),
            Err(TargetError::BadScheme(_))
        ));
        assert!(matches!(
            normalise_base_url("not a url"),
            Err(TargetError::BadUrl(..))
        ));
        assert!(matches!(
            normalise_base_url("http:///v1"),
            Err(TargetError::BadUrl(..))
        ));
        let e = normalise_base_url("https://h/v1#api-key=SECRET99").unwrap_err();
        assert!(matches!(e, TargetError::Fragment(_)));
        let e = normalise_base_url("ftp://u:SECRET99@h/v1?key=SECRET98").unwrap_err();
        assert!(!e.to_string().contains("SECRET9"), "{e}");
    }

    #[test]
    fn header_errors_name_the_header_only() {
        let e = parse_header("sk-live-0123456789").unwrap_err();
        assert!(!e.to_string().contains("0123456789"), "{e}");
        let e = parse_header("api-key: abc\r\nX-Evil: 1").unwrap_err();
        assert_eq!(e, TargetError::BadHeaderValue("api-key".into()));
        assert!(!e.to_string().contains("abc"));
    }

    #[test]
    fn headers_parse_and_credentials_are_secrets() {
        let (n, _) = parse_header("X-Title: my app").unwrap();
        assert_eq!(n, "X-Title");
        assert!(parse_header("no colon here").is_err());
        let t = Target {
            key: Some(SecretString::from("sk-secret-1")),
            headers: vec![
                parse_header("Authorization: Bearer tok-9999").unwrap(),
                parse_header("Helicone-Auth: Bearer hel-7777").unwrap(),
                parse_header("X-Title: app").unwrap(),
            ],
            ..Target::new("t", "http://x").unwrap()
        };
        let s = t.secrets();
        assert!(s.contains(&"sk-secret-1".to_string()));
        assert!(!s.iter().any(|x| x == "app"));
        let r = t.redactor();
        assert_eq!(
            r.scrub("echo tok-9999 hel-7777"),
            "echo [redacted] [redacted]"
        );
        assert!(
            !format!("{t:?}").contains("sk-secret-1"),
            "Debug must not print the key"
        );
    }
}
