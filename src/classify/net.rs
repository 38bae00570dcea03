//! The network below HTTP, by the phase it failed in: DNS, connect, TLS, proxy, read.
//!
//! A paste from an LLM client often carries only its OS's or its TLS library's words: a
//! Windows `[WinError 10061]`, an `NSURLErrorDomain Code=-1009`, a glibc `EAI_AGAIN`, an
//! OpenSSL "unable to get local issuer certificate", a Go `x509: certificate signed by
//! unknown authority`, a proxy's 407. Each names the phase the connection failed in, and
//! each phase has its own fix (`failure.rs`, the hints of `Kind::Network`): a certificate
//! is fixed by the client's CA bundle, never by a retry; a refused port by starting the
//! server or fixing the port; a proxy by its settings.
//!
//! The vocabulary is data (`net.toml`): one row per documented word, name or code, with the
//! stack that prints it, its phase and its documentation. A number counts only in its own
//! context (`WinError 10061`, `errno: -4078`, `os error 111`, `NSURLErrorDomain
//! Code=-1009`), never alone: a port or a line number is no code.
//!
//! Read after the layers of `decide_at` ([`read`]): a `network` verdict gets its phase's
//! fix; a text no layer read, or read only by a client's exception name or a word root,
//! is read here (rule `network_phase`); a client's timeout label around a connect that
//! never opened is the connection (`network`), and a refusal on IPv6's loopback (`::1`) gets
//! the fix for one address family refusing (use 127.0.0.1, or listen on both), still a
//! `network` failure: the server may not run at all.

use super::facts::Facts;
use super::{confidence, Classification, Confidence};
use crate::failure::{Kind, RuleHint};
use serde::Deserialize;
use std::sync::OnceLock;

#[derive(Debug, Deserialize)]
struct Table {
    row: Vec<Row>,
}

/// One documented word, name or code.
#[derive(Debug, Deserialize)]
pub struct Row {
    pub stack: String,
    /// A phrase or a symbolic name, lowercased, matched as whole words.
    #[serde(default)]
    pub word: Option<String>,
    /// A number that counts only after a word of its `context`.
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub context: Option<String>,
    /// One of these must stand in the text too.
    #[serde(default)]
    pub also: Vec<String>,
    phase: String,
    pub says: String,
    pub doc: String,
    #[serde(default)]
    pub cautious: bool,
    /// Clients reuse these words for timers of their own ("Connection timed out after
    /// 600 s"): they word a network verdict's fix, and decide no kind.
    #[serde(default)]
    pub fix_only: bool,
}

/// The phase of a connection a failure belongs to, the most specific first: a proxy's
/// failure before the TLS it carries, a certificate's reason before "verify failed".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    ProxyAuth,
    ProxyRefused,
    ProxyUnreachable,
    TlsHostname,
    TlsExpired,
    TlsUntrusted,
    TlsScheme,
    TlsHandshake,
    Dns,
    Offline,
    Refused,
    ConnectTimeout,
    Unreachable,
    Reset,
}

impl Phase {
    fn parse(s: &str) -> Option<Phase> {
        Some(match s {
            "proxy_auth" => Phase::ProxyAuth,
            "proxy_refused" => Phase::ProxyRefused,
            "proxy_unreachable" => Phase::ProxyUnreachable,
            "tls_hostname" => Phase::TlsHostname,
            "tls_expired" => Phase::TlsExpired,
            "tls_untrusted" => Phase::TlsUntrusted,
            "tls_scheme" => Phase::TlsScheme,
            "tls_handshake" => Phase::TlsHandshake,
            "dns" => Phase::Dns,
            "offline" => Phase::Offline,
            "refused" => Phase::Refused,
            "connect_timeout" => Phase::ConnectTimeout,
            "unreachable" => Phase::Unreachable,
            "reset" => Phase::Reset,
            _ => return None,
        })
    }

    /// The fix of this phase (a hint of `Kind::Network`).
    pub fn hint(self) -> RuleHint {
        match self {
            Phase::ProxyAuth => RuleHint::ProxyAuth,
            Phase::ProxyRefused => RuleHint::ProxyRefused,
            Phase::ProxyUnreachable => RuleHint::ProxyUnreachable,
            Phase::TlsHostname => RuleHint::TlsHostname,
            Phase::TlsExpired => RuleHint::TlsExpired,
            Phase::TlsUntrusted => RuleHint::TlsCertificate,
            Phase::TlsScheme => RuleHint::TlsScheme,
            Phase::TlsHandshake => RuleHint::TlsHandshake,
            Phase::Dns => RuleHint::Dns,
            Phase::Offline => RuleHint::Offline,
            Phase::Refused => RuleHint::ConnectRefused,
            Phase::ConnectTimeout | Phase::Unreachable => RuleHint::Unreachable,
            Phase::Reset => RuleHint::ConnectionReset,
        }
    }

    /// The phase in words, for the evidence.
    fn name(self) -> &'static str {
        match self {
            Phase::ProxyAuth => "the proxy asked for credentials",
            Phase::ProxyRefused => "the proxy refused the tunnel",
            Phase::ProxyUnreachable => "the proxy could not be reached",
            Phase::TlsHostname => "TLS: the certificate names another host",
            Phase::TlsExpired => "TLS: the certificate is outside its dates",
            Phase::TlsUntrusted => "TLS: the certificate's issuer is not trusted",
            Phase::TlsScheme => "TLS spoken to a port that does not speak it",
            Phase::TlsHandshake => "the TLS handshake failed",
            Phase::Dns => "DNS: the host name did not resolve",
            Phase::Offline => "no network on this machine",
            Phase::Refused => "connect: refused",
            Phase::ConnectTimeout => "connect: never answered",
            Phase::Unreachable => "connect: no route, or blocked",
            Phase::Reset => "the connection was cut",
        }
    }

    /// Phases a rule's own hint of the same family gives way to.
    fn family(self) -> u8 {
        match self {
            Phase::ProxyAuth | Phase::ProxyRefused | Phase::ProxyUnreachable => 1,
            Phase::TlsHostname
            | Phase::TlsExpired
            | Phase::TlsUntrusted
            | Phase::TlsScheme
            | Phase::TlsHandshake => 2,
            _ => 3,
        }
    }
}

impl Row {
    fn phase(&self) -> Phase {
        Phase::parse(&self.phase).expect("net.toml holds known phases (a unit test checks)")
    }
}

fn table() -> &'static [Row] {
    static T: OnceLock<Table> = OnceLock::new();
    &T.get_or_init(|| {
        toml::from_str(include_str!("net.toml")).expect("net.toml parses (a unit test checks)")
    })
    .row
}

/// Words after which a number is an OS's socket error: Python's `[WinError 10061]` and
/// `[Errno 111]`, Rust's `(os error 10061)`, Node's `errno: -4078`, .NET's
/// `SocketException (10061)`, Delphi's `Socket Error # 10061`.
const SOCKET_CONTEXT: &[&str] = &[
    "winerror",
    "errno",
    "os error",
    "socketexception",
    "socket error",
    "error code",
    "errorcode",
];

/// Apple's error domains and keys, after which a number is their code
/// (`Error Domain=NSURLErrorDomain Code=-1009`, `(NSURLErrorDomain error -1004.)`,
/// `_kCFStreamErrorCodeKey=-9807`).
const APPLE_CONTEXT: &[&str] = &[
    "nsurlerrordomain",
    "kcferrordomaincfnetwork",
    "_kcfstreamerrorcodekey",
    "nsosstatuserrordomain",
];

/// Words after which a number is libcurl's CURLcode: curl's `curl: (7) Failed to connect`,
/// PHP's and Unity's `cURL error 28:` / `Curl error 56:`. A bare "curl" is no context: its
/// version (`curl 7.88.1`) would read as a code.
const CURL_CONTEXT: &[&str] = &["curl error", "curl: (", "curl errno", "curlcode", "curle_"];

fn boundary(c: Option<char>) -> bool {
    c.is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
}

/// `needle` stands in `hay` as whole words (an edge that is a letter or digit must not
/// run on into another).
pub(super) fn has_word(hay: &str, needle: &str) -> bool {
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let (first, last) = (needle.chars().next(), needle.chars().last());
    hay.match_indices(needle).any(|(i, _)| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + needle.len()..].chars().next();
        (!alnum(first) || boundary(before)) && (!alnum(last) || boundary(after))
    })
}

/// The numbers written right after a word of `context`: the skip between them is at most a
/// few separators and the words "code" or "error" (`Domain=NSURLErrorDomain Code=-1009`).
fn codes_after<'a>(hay: &'a str, context: &[&str]) -> Vec<&'a str> {
    let mut out = Vec::new();
    for word in context {
        for (i, _) in hay.match_indices(word) {
            let mut rest = &hay[i + word.len()..];
            let start = rest.len();
            loop {
                let trimmed =
                    rest.trim_start_matches([' ', ':', '=', '#', '(', '[', '"', '\'', ',']);
                let trimmed = ["code", "error", "domain"]
                    .iter()
                    .find_map(|w| trimmed.strip_prefix(w))
                    .unwrap_or(trimmed);
                if trimmed.len() == rest.len() {
                    break;
                }
                rest = trimmed;
            }
            if start - rest.len() > 16 {
                continue;
            }
            let sign = usize::from(rest.starts_with('-'));
            let digits = rest[sign..].bytes().take_while(u8::is_ascii_digit).count();
            if digits > 0 {
                out.push(&rest[..sign + digits]);
            }
        }
    }
    out
}

/// The rows the (lowercased, one-line) text carries.
fn matches(words: &str) -> impl Iterator<Item = &'static Row> + '_ {
    let socket = codes_after(words, SOCKET_CONTEXT);
    let apple = codes_after(words, APPLE_CONTEXT);
    let curl = codes_after(words, CURL_CONTEXT);
    table().iter().filter(move |r| {
        let said = match (&r.word, &r.code, r.context.as_deref()) {
            (Some(w), _, _) => has_word(words, w),
            (None, Some(c), Some("socket")) => socket.contains(&c.as_str()),
            (None, Some(c), Some("apple")) => apple.contains(&c.as_str()),
            (None, Some(c), Some("curl")) => curl.contains(&c.as_str()),
            _ => false,
        };
        said && (r.also.is_empty() || r.also.iter().any(|a| words.contains(a.as_str())))
    })
}

/// The most specific row the text carries, and its phase.
pub fn phase_of(words: &str) -> Option<(Phase, &'static Row)> {
    matches(words)
        .map(|r| (r.phase(), r))
        .min_by_key(|(p, _)| *p)
}

/// [`phase_of`], of the rows that may decide a kind.
fn deciding_phase_of(words: &str) -> Option<(Phase, &'static Row)> {
    matches(words)
        .filter(|r| !r.fix_only)
        .map(|r| (r.phase(), r))
        .min_by_key(|(p, _)| *p)
}

/// A refusal on IPv6's loopback: the name resolved to `::1` and the server listens on
/// 127.0.0.1 only (Node 17 and later resolve `localhost` to `::1` first).
fn refused_on_v6_loopback(words: &str) -> bool {
    [
        "econnrefused ::1:",
        "connect econnrefused ::1",
        "[::1]:",
        "address: '::1'",
        "\"address\":\"::1\"",
    ]
    .iter()
    .any(|w| words.contains(w))
}

/// Rules whose verdict a connection's phase words outvote: a timeout read from a client's
/// label or generic words, around a connect that never opened.
const TIMEOUT_WORDS: &[&str] = &["timeout_exception", "timeout_words"];

/// The documentation a row cites (its `doc`), by the name `net.toml`'s header gives it.
const DOCS: &[(&str, &str)] = &[
    ("wsa", "Microsoft's Windows Sockets error codes"),
    (
        "schannel",
        "Microsoft's COM error codes (SEC_E_*, CRYPT_E_*)",
    ),
    ("dotnet", ".NET's SslPolicyErrors and WebExceptionStatus"),
    ("apple", "Apple's URL Loading System error codes"),
    ("sectrans", "Apple's Secure Transport result codes"),
    ("gai", "getaddrinfo(3)"),
    ("errno", "errno(3)"),
    ("libuv", "libuv's error constants"),
    ("node", "Node.js's errors and TLS docs"),
    ("openssl", "OpenSSL's verification errors"),
    ("go", "Go's crypto/x509, net and net/http"),
    ("java", "Java's JSSE guide and java.net"),
    ("rustls", "rustls's CertificateError"),
    ("curl", "libcurl's error codes"),
    ("chromium", "Chromium's net error list"),
    ("urllib3", "urllib3's and CPython's proxy errors"),
    ("aiohttp", "aiohttp's client exceptions"),
    ("socks", "RFC 1928"),
    (
        "erlang",
        "Erlang's inet error reasons and Mint's TransportError",
    ),
];

fn evidence(phase: Phase, row: &Row) -> String {
    let doc = DOCS
        .iter()
        .find(|(k, _)| *k == row.doc)
        .map_or(row.doc.as_str(), |(_, d)| d);
    format!("{} ({}; {}; {doc})", row.says, row.stack, phase.name())
}

/// The verdict of the layers, read again for the phase of a connection that failed below
/// HTTP. `status` is the answer's status, when there is one.
pub(super) fn read(v: Option<Classification>, f: &Facts) -> Option<Classification> {
    let mut v = read_phase(v, f)?;
    // A refusal on IPv6's loopback from this client (not a gateway's leg behind it) is most
    // likely one address family refusing: the server listens on 127.0.0.1 only. Likely, not
    // certain: no server at all refuses ::1 too, which the fix says how to tell.
    if v.kind == Kind::Network && v.hint == Some(RuleHint::RefusedOnIpv6) && !v.gateway {
        v.kind = Kind::AddressFamily;
        v.confidence = Confidence::Low;
    }
    Some(v)
}

fn read_phase(v: Option<Classification>, f: &Facts) -> Option<Classification> {
    let Some((phase, row)) = phase_of(&f.words) else {
        return v;
    };
    let fresh = |(phase, row): (Phase, &Row)| Classification {
        kind: Kind::Network,
        param: None,
        gateway: false,
        rule: "network_phase",
        hint: Some(hint_for(phase, &f.words)),
        confidence: if row.cautious {
            Confidence::Low
        } else {
            Confidence::High
        },
        evidence: evidence(phase, row),
    };
    let status_less = f.status.is_none();
    let deciding = || deciding_phase_of(&f.words);
    let v = match v {
        // Nothing read it, or only a client's exception name, a word root or words that say
        // no more than "it failed": the OS's or the library's own words are the stronger
        // evidence ("Embedding generation failed … [Errno -2] Name or service not known").
        v if status_less
            && v.as_ref()
                .is_none_or(|v| weak(v.rule) || says_only_it_failed(v.rule)) =>
        {
            match deciding() {
                Some(d) => fresh(d),
                None => return v,
            }
        }
        // A network verdict: its phase's fix, unless the rule words its own of another
        // family (a proxy answering for localhost).
        Some(mut v) if v.kind == Kind::Network => {
            let own = v.hint.and_then(family_of_hint);
            let proxy = phase.family() == 1;
            if v.hint.is_none() || own == Some(phase.family()) || proxy {
                let hint = hint_for(phase, &f.words);
                if v.hint != Some(hint) {
                    v.hint = Some(hint);
                    v.evidence = format!("{}; {}", v.evidence, evidence(phase, row));
                }
            }
            v
        }
        // A timeout read from generic words around a connect that never opened.
        Some(v) if status_less && v.kind == Kind::Timeout && TIMEOUT_WORDS.contains(&v.rule) => {
            match deciding().filter(|(p, _)| *p == Phase::ConnectTimeout) {
                Some(d) => fresh(d),
                None => v,
            }
        }
        // An answer read from its status alone, whose words are a connection failure: the
        // answering server's own leg to the one behind it failed (a gateway's 502 "dial tcp …
        // connection refused", an app backend's 400 "[Errno -3] Temporary failure in name
        // resolution"). Likely: the server behind may be down as well.
        Some(v) if matches!(v.rule, "status_4xx" | "status_5xx") => match deciding() {
            Some((phase, row)) => Classification {
                kind: Kind::Network,
                param: None,
                gateway: true,
                rule: "gateway_upstream_network",
                hint: Some(RuleHint::GatewayUpstream),
                confidence: Confidence::Low,
                evidence: format!(
                    "HTTP {} from a server whose words are its own connection failing: {}",
                    f.status.unwrap_or_default(),
                    evidence(phase, row)
                ),
            },
            None => v,
        },
        v => return v,
    };
    Some(v)
}

/// The fix for the phase a connection failed in, from a transport error's own words (the
/// probe's, as its client library chains them), if they name one.
pub(super) fn hint_of(text: &str) -> Option<RuleHint> {
    let words = text
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    phase_of(&words).map(|(phase, _)| hint_for(phase, &words))
}

/// A message rule whose words say no more than that the request, or the server, failed.
fn says_only_it_failed(rule: &str) -> bool {
    super::param_words::is_generic(rule) || rule == "server_side_words"
}

/// A verdict that rests on a client's exception name or a word root alone.
fn weak(rule: &str) -> bool {
    matches!(
        confidence::layer_of(rule),
        confidence::Layer::Exception | confidence::Layer::Root
    )
}

fn family_of_hint(h: RuleHint) -> Option<u8> {
    match h {
        RuleHint::ProxyAuth | RuleHint::ProxyRefused | RuleHint::ProxyUnreachable => Some(1),
        RuleHint::TlsHostname
        | RuleHint::TlsExpired
        | RuleHint::TlsCertificate
        | RuleHint::TlsScheme
        | RuleHint::TlsHandshake => Some(2),
        RuleHint::Dns
        | RuleHint::Offline
        | RuleHint::ConnectRefused
        | RuleHint::RefusedOnIpv6
        | RuleHint::Unreachable
        | RuleHint::ConnectionReset => Some(3),
        _ => None,
    }
}

/// The fix of `phase` for this text: a refusal on IPv6's loopback is one address family
/// refusing (or no server at all), the rest their phase's.
fn hint_for(phase: Phase, words: &str) -> RuleHint {
    if phase == Phase::Refused && refused_on_v6_loopback(words) {
        RuleHint::RefusedOnIpv6
    } else {
        phase.hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::ErrorBody;

    fn phase(text: &str) -> Option<Phase> {
        phase_of(&text.to_lowercase()).map(|(p, _)| p)
    }

    fn decide(text: &str) -> Option<Classification> {
        super::super::decide(None, &ErrorBody::default(), &[], text)
    }

    #[test]
    fn a_status_only_reading_whose_words_are_a_connection_failure_is_the_answering_server_s_leg() {
        let body = ErrorBody {
            message: Some("Post \"http://10.0.0.5:8000/v1/chat/completions\": dial tcp 10.0.0.5:8000: connect: connection refused".into()),
            ..Default::default()
        };
        let v = super::super::decide(Some(502), &body, &[], "").expect("read");
        assert_eq!(
            (v.kind, v.rule, v.hint, v.confidence),
            (
                Kind::Network,
                "gateway_upstream_network",
                Some(RuleHint::GatewayUpstream),
                Confidence::Low
            )
        );
        // Without connection words the status stays the reading.
        let body = ErrorBody {
            message: Some("request failed".into()),
            ..Default::default()
        };
        let v = super::super::decide(Some(502), &body, &[], "").expect("read");
        assert_eq!(v.kind, Kind::ServerError);
    }

    #[test]
    fn the_table_parses_and_every_row_is_whole() {
        assert!(table().len() > 150);
        for r in table() {
            let _ = r.phase();
            assert!(
                r.word.is_some() != r.code.is_some(),
                "{}: a word or a code",
                r.says
            );
            if r.code.is_some() {
                assert!(
                    matches!(r.context.as_deref(), Some("socket" | "apple" | "curl")),
                    "{}: a code needs its context",
                    r.says
                );
            }
            if let Some(w) = &r.word {
                assert_eq!(w, &w.to_lowercase(), "{w}: words are lowercase");
            }
            assert!(
                DOCS.iter().any(|(k, _)| *k == r.doc),
                "{}: doc {:?} is one of net.toml's header",
                r.says,
                r.doc
            );
            assert!(!r.stack.is_empty());
        }
    }

    // Documented strings, one per stack and phase.
    #[test]
    fn windows_socket_codes_name_their_phase_in_their_context_only() {
        assert_eq!(
            phase("[WinError 10061] No connection could be made"),
            Some(Phase::Refused)
        );
        assert_eq!(phase("(os error 10061)"), Some(Phase::Refused));
        assert_eq!(
            phase("System.Net.Sockets.SocketException (10060)"),
            Some(Phase::ConnectTimeout)
        );
        assert_eq!(phase("Socket Error # 10054"), Some(Phase::Reset));
        assert_eq!(phase("[Errno 11001] getaddrinfo failed"), Some(Phase::Dns));
        assert_eq!(phase("errno: -4078, code: 'E'"), Some(Phase::Refused));
        assert_eq!(
            phase("[WinError 10013] An attempt was made"),
            Some(Phase::Unreachable)
        );
        // A number alone, a port or a line number, is no code.
        assert_eq!(phase("listening on port 10061"), None);
        assert_eq!(phase("File \"x.py\", line 10054, in run"), None);
        assert_eq!(phase("127.0.0.1:10061"), None);
        assert_eq!(phase("errno 100610"), None);
    }

    #[test]
    fn curl_codes_count_after_curl_s_own_words() {
        assert_eq!(
            phase("\"Curl error 56: Recv failure: Connection was reset\""),
            Some(Phase::Reset)
        );
        assert_eq!(
            phase("cURL error 6: Could not resolve: api.example.com"),
            Some(Phase::Dns)
        );
        assert_eq!(
            phase("curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL"),
            Some(Phase::TlsHandshake)
        );
        // curl's version, a port or a line number near the word is no code.
        assert_eq!(phase("curl 7.88.1 (x86_64-pc-linux-gnu)"), None);
        assert_eq!(phase("curl 56 http://localhost:56/v1"), None);
    }

    #[test]
    fn apple_codes_count_after_their_domain() {
        assert_eq!(
            phase("Error Domain=NSURLErrorDomain Code=-1009 \"(null)\""),
            Some(Phase::Offline)
        );
        assert_eq!(
            phase("The operation couldn’t be completed. (NSURLErrorDomain error -1003.)"),
            Some(Phase::Dns)
        );
        assert_eq!(
            phase("Error Domain=kCFErrorDomainCFNetwork Code=-1005 \"(null)\""),
            Some(Phase::Reset)
        );
        assert_eq!(
            phase("NSURLErrorDomain Code=-1202 … _kCFStreamErrorCodeKey=-9807"),
            Some(Phase::TlsUntrusted)
        );
        assert_eq!(phase("Code=-1009"), None);
        assert_eq!(phase("NSURLErrorDomain Code=-1001"), None);
    }

    #[test]
    fn tls_libraries_name_the_reason_before_the_failure() {
        let openssl = "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (_ssl.c:1006)";
        assert_eq!(phase(openssl), Some(Phase::TlsUntrusted));
        assert_eq!(
            phase("certificate verify failed: certificate has expired"),
            Some(Phase::TlsExpired)
        );
        assert_eq!(
            phase("certificate verify failed: Hostname mismatch"),
            Some(Phase::TlsHostname)
        );
        assert_eq!(
            phase("x509: certificate signed by unknown authority"),
            Some(Phase::TlsUntrusted)
        );
        assert_eq!(
            phase("x509: certificate is valid for a.example, not b.example"),
            Some(Phase::TlsHostname)
        );
        assert_eq!(
            phase("invalid peer certificate: UnknownIssuer"),
            Some(Phase::TlsUntrusted)
        );
        assert_eq!(
            phase("code: 'ERR_TLS_CERT_ALTNAME_INVALID'"),
            Some(Phase::TlsHostname)
        );
        assert_eq!(
            phase("schannel: SEC_E_UNTRUSTED_ROOT (0x80090325)"),
            Some(Phase::TlsUntrusted)
        );
        assert_eq!(
            phase("javax.net.ssl.SSLException: Unsupported or unrecognized SSL message"),
            Some(Phase::TlsScheme)
        );
        assert_eq!(
            phase("http: server gave HTTP response to HTTPS client"),
            Some(Phase::TlsScheme)
        );
    }

    #[test]
    fn resolvers_and_sockets_of_each_os() {
        assert_eq!(
            phase("getaddrinfo EAI_AGAIN api.openai.com"),
            Some(Phase::Dns)
        );
        assert_eq!(phase("[Errno -3] Temporary failure"), Some(Phase::Dns));
        assert_eq!(
            phase("lookup api.x.com on 127.0.0.11:53: server misbehaving"),
            Some(Phase::Dns)
        );
        assert_eq!(
            phase("[Errno 111] Connection refused"),
            Some(Phase::Refused)
        );
        assert_eq!(phase("[Errno 61] Connection refused"), Some(Phase::Refused));
        assert_eq!(
            phase("dial tcp 1.2.3.4:443: i/o timeout"),
            Some(Phase::ConnectTimeout)
        );
        assert_eq!(phase("read tcp: i/o timeout"), None);
        assert_eq!(
            phase("[Errno 113] No route to host"),
            Some(Phase::Unreachable)
        );
        assert_eq!(phase("write EPIPE"), Some(Phase::Reset));
        // Whole words only: a longer name is another name.
        assert_eq!(phase("EPIPELINE"), None);
    }

    #[test]
    fn proxies_before_what_they_carry() {
        assert_eq!(
            phase("ProxyError('Cannot connect to proxy.', NewConnectionError('[Errno 111] Connection refused'))"),
            Some(Phase::ProxyUnreachable)
        );
        assert_eq!(
            phase("OSError: Tunnel connection failed: 407 Proxy Authentication Required"),
            Some(Phase::ProxyAuth)
        );
        assert_eq!(
            phase("Tunnel connection failed: 403 Forbidden"),
            Some(Phase::ProxyRefused)
        );
        assert_eq!(
            phase("proxyconnect tcp: dial tcp 10.0.0.1:3128: connect: connection refused"),
            Some(Phase::ProxyUnreachable)
        );
        assert_eq!(
            phase("curl: (56) Received HTTP code 407 from proxy after CONNECT"),
            Some(Phase::ProxyAuth)
        );
        assert_eq!(
            phase("SOCKS5 error: Connection not allowed by ruleset"),
            Some(Phase::ProxyRefused)
        );
    }

    #[test]
    fn a_code_alone_names_the_phase_and_its_fix() {
        let v = decide("Error Domain=NSURLErrorDomain Code=-1009").unwrap();
        assert_eq!((v.kind, v.hint), (Kind::Network, Some(RuleHint::Offline)));
        let v = decide("errno 10061").unwrap();
        assert_eq!(
            (v.kind, v.hint),
            (Kind::Network, Some(RuleHint::ConnectRefused))
        );
        let v = decide("curl: (35) schannel: next InitializeSecurityContext failed: SEC_E_UNTRUSTED_ROOT (0x80090325) - The certificate chain was issued by an authority that is not trusted.").unwrap();
        assert_eq!(
            (v.kind, v.hint),
            (Kind::Network, Some(RuleHint::TlsCertificate))
        );
    }

    #[test]
    fn a_certificate_named_in_a_client_exception_is_tls_not_a_bad_key() {
        let v = decide("System.Security.Authentication.AuthenticationException: The remote certificate is invalid according to the validation procedure: RemoteCertificateNameMismatch").unwrap();
        assert_eq!(
            (v.kind, v.hint),
            (Kind::Network, Some(RuleHint::TlsHostname))
        );
    }

    #[test]
    fn a_connect_timeout_is_the_connection_and_a_client_timer_stays_a_timeout() {
        let v = decide("litellm.Timeout: Connection timed out after 600.0 seconds.").unwrap();
        assert_eq!(v.kind, Kind::Timeout);
        let v = decide("java.net.SocketTimeoutException: connect timed out").unwrap();
        assert_eq!(
            (v.kind, v.hint),
            (Kind::Network, Some(RuleHint::Unreachable))
        );
        let v = decide("java.net.SocketTimeoutException: Read timed out").unwrap();
        assert_eq!(v.kind, Kind::Timeout);
    }

    #[test]
    fn a_refusal_on_ipv6_loopback_gets_the_address_family_fix() {
        // Likely, not certain: no server at all refuses ::1 too, as the fix says.
        let v = decide("Error: connect ECONNREFUSED ::1:11434").unwrap();
        assert_eq!(
            (v.kind, v.hint, v.confidence),
            (
                Kind::AddressFamily,
                Some(RuleHint::RefusedOnIpv6),
                Confidence::Low
            )
        );
        let v = decide("Error: connect ECONNREFUSED 127.0.0.1:11434").unwrap();
        assert_eq!(
            (v.kind, v.hint),
            (Kind::Network, Some(RuleHint::ConnectRefused))
        );
    }

    #[test]
    fn a_transport_error_chain_names_its_phase_for_the_probe() {
        let refused = "error sending request for url (http://127.0.0.1:9/v1/chat/completions): client error (Connect): tcp connect error: Connection refused (os error 111)";
        assert_eq!(hint_of(refused), Some(RuleHint::ConnectRefused));
        let tls = "client error (Connect): invalid peer certificate: UnknownIssuer";
        assert_eq!(hint_of(tls), Some(RuleHint::TlsCertificate));
        assert_eq!(hint_of("error decoding response body"), None);
    }

    #[test]
    fn an_answer_with_a_status_keeps_its_reading() {
        let body = ErrorBody {
            message: Some("upstream connect error: connection refused".into()),
            ..Default::default()
        };
        let v = super::super::decide(Some(503), &body, &[], "").unwrap();
        assert_ne!(v.rule, "network_phase");
    }

    proptest::proptest! {
        // Any text, with codes, contexts and multi-byte characters in any order, is read
        // without a panic (the number scan slices the text by bytes).
        #[test]
        fn any_text_is_read_without_a_panic(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just("winerror ".to_string()),
                    proptest::strategy::Just("errno: -".to_string()),
                    proptest::strategy::Just("nsurlerrordomain code=".to_string()),
                    proptest::strategy::Just("10061".to_string()),
                    proptest::strategy::Just("::1:".to_string()),
                    proptest::strategy::Just("积极拒绝".to_string()),
                    "[ -~é✓：]{0,6}",
                ],
                0..16,
            ),
        ) {
            let text = parts.concat();
            let _ = phase_of(&text);
            let _ = decide(&text);
        }
    }
}
