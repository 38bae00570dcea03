//! Who failed: an edge, a firewall, a proxy, a gateway, or the inference server itself,
//! read from what the text says about the answerer, not only from the status.
//!
//! - A vendor's block page (F5, Akamai, Imperva, a corporate web filter…) or a plain-text
//!   denial where the client expected JSON is a layer in front that judged the request before
//!   any key check: `blocked`, where the status alone would say `access_denied`.
//! - A gateway's own log words about its upstream (nginx's "while connecting to upstream") say
//!   the gateway answered and the server behind it failed: `server_error`, not the user's
//!   network.
//! - A proxy's access-log line (HAProxy's termination state, Envoy's response flags) names
//!   the side that failed.
//! - An inference engine that could not start for its memory says so in its own settings'
//!   names (`gpu_memory_utilization`): the server's, not a prompt over the window.
//! - Statuses only proxies and CDNs send (499, 460, 525, 530, 598…) and RFC statuses the
//!   generic 4xx/5xx reading gets wrong (424 Failed Dependency).
//!
//! The vendors and statuses are data, in `edges.toml`, each row citing its documentation.

use super::{one_line, Classification, Confidence, ErrorBody};
use crate::failure::{Kind, RuleHint};
use serde::Deserialize;
use std::sync::OnceLock;

#[derive(Debug, Deserialize)]
struct Table {
    vendor: Vec<Vendor>,
    status: Vec<StatusRow>,
}

#[derive(Debug, Deserialize)]
struct Vendor {
    name: String,
    #[allow(dead_code)]
    doc: String,
    marks: Vec<String>,
    block: Vec<String>,
    /// The vendor's managed rules that judge what the request carries (its body's size, a
    /// path or markup in its text), as its logs and labels name them: named, a rule blocked
    /// this request for its content, wherever it was sent from.
    #[serde(default)]
    rules: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct StatusRow {
    status: u16,
    kind: String,
    #[serde(default)]
    gateway: bool,
    #[serde(default)]
    hint: Option<String>,
    says: String,
    #[allow(dead_code)]
    doc: String,
}

fn table() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(|| {
        toml::from_str(include_str!("edges.toml")).expect("edges.toml parses (a unit test checks)")
    })
}

fn hint_named(name: &str) -> Option<RuleHint> {
    match name {
        "tls_scheme" => Some(RuleHint::TlsScheme),
        _ => None,
    }
}

/// `w` stands in `hay` as whole words: "error 1006" is not in "winerror 10061".
fn whole(hay: &str, w: &str) -> bool {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    hay.match_indices(w).take(64).any(|(i, _)| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + w.len()..].chars().next();
        (!word(before) || !word(w.chars().next())) && (!word(after) || !word(w.chars().next_back()))
    })
}

fn read(
    kind: Kind,
    rule: &'static str,
    gateway: bool,
    hint: Option<RuleHint>,
    confidence: Confidence,
    evidence: String,
) -> Classification {
    Classification {
        kind,
        param: None,
        gateway,
        rule,
        hint,
        confidence,
        evidence,
    }
}

/// A denial in words, whoever says it.
const DENIAL: &[&str] = &[
    "access denied",
    "access is denied",
    "forbidden",
    "blocked",
    "request rejected",
    "was rejected",
    "permission to access",
    "has been denied",
    "request unsuccessful",
];

/// Words that make a denial the API's own (a key, a model): not a layer's page.
const API_WORDS: &[&str] = &["api key", "apikey", "api_key", "model"];

/// A gateway's own log words about its upstream, as nginx writes them
/// (src/http/ngx_http_upstream.c, ngx_http_proxy_module.c): the gateway was reached and
/// answered; what failed is the server behind it. The timeout first.
const UPSTREAM_WORDS: &[(Kind, &str)] = &[
    (Kind::Timeout, "upstream timed out"),
    (Kind::ServerError, "while connecting to upstream"),
    (Kind::ServerError, "no live upstreams"),
    (Kind::ServerError, "upstream prematurely closed connection"),
    (
        Kind::ServerError,
        "while reading response header from upstream",
    ),
    (Kind::ServerError, "upstream sent invalid header"),
    (Kind::ServerError, "upstream sent too big header"),
];

/// A request body over a server's or a proxy's size limit, in the framework's own words:
/// nginx "client intended to send too large body", ASP.NET Core (Kestrel) "Request body too
/// large", classic ASP.NET "Maximum request length exceeded", IIS request filtering's
/// maxAllowedContentLength, Go net/http "http: request body too large", Spring
/// MaxUploadSizeExceededException.
const BODY_TOO_LARGE: &[&str] = &[
    "client intended to send too large body",
    "request body too large",
    "maximum request length exceeded",
    "maxallowedcontentlength",
    "http: request body too large",
    "maxuploadsizeexceededexception",
    "maximum upload size exceeded",
];

/// An inference engine that cannot hold its configured window in the memory left for its
/// KV cache names its own memory settings (vLLM and its forks: "…stored in KV cache (…). Try
/// increasing `gpu_memory_utilization` or decreasing `max_model_len` when initializing the
/// engine"; "No available memory for the cache blocks"): the server's start-up, not a prompt.
fn engine_memory(words: &str) -> bool {
    let setting = ["gpu_memory_utilization", "gpu-memory-utilization"]
        .iter()
        .any(|w| words.contains(w));
    let cache = ["kv cache", "cache blocks"]
        .iter()
        .any(|w| words.contains(w));
    setting && cache
}

/// Go gRPC's words for a backend it could not dial (`rpc error: code = Unavailable desc =
/// connection error: desc = "transport: Error while dialing: dial tcp 127.0.0.1:43369:
/// connect: connection refused"`), to an address on the same machine: an inference server's
/// own backend process (LocalAI spawns one per model on a loopback port), not the client's
/// network. The address dialed, when it is a loopback one.
fn grpc_backend_down(words: &str) -> Option<&'static str> {
    if !(words.contains("code = unavailable") && words.contains("error while dialing")) {
        return None;
    }
    let at = words.find("error while dialing")?;
    let rest = &words[at..];
    ["127.0.0.1", "localhost", "[::1]", "unix:", "unix "]
        .into_iter()
        .find(|a| rest.contains(a))
}

/// A server or library that resolves a model id on the Hugging Face Hub and did not find it:
/// huggingface_hub's RepositoryNotFoundError ("Repository Not Found for url:
/// https://huggingface.co/api/models/…"), transformers' OSError "… is not a local folder and
/// is not a valid model identifier listed on 'https://huggingface.co/models'", or the Hub's
/// 404 to `GET /api/models/<id>` in a server's HTTP debug log.
fn hub_lookup_missed(words: &str) -> Option<&'static str> {
    if let Some(w) = [
        "repositorynotfounderror",
        "repository not found for url: https://huggingface.co/api/models/",
        "is not a valid model identifier listed on 'https://huggingface.co/models'",
    ]
    .into_iter()
    .find(|w| words.contains(w))
    {
        return Some(w);
    }
    let lookup = words
        .match_indices("\"get /api/models/")
        .take(8)
        .any(|(i, _)| {
            let line_start = words[..i]
                .rfind("huggingface.co")
                .is_some_and(|h| i - h < 80);
            let rest = &words[i..];
            let end = rest.find(" http/1.1\"").map(|e| &rest[e..]);
            line_start
                && end.is_some_and(|e| {
                    e.trim_start_matches(" http/1.1\"")
                        .trim_start()
                        .starts_with("404")
                })
        });
    lookup.then_some("GET /api/models/… 404 from huggingface.co")
}

/// Python's urllib3 names for a connection it could not open: behind a 5xx, the failure is
/// the application's own call out (Langflow, a self-hosted backend) to the provider.
const OUTGOING_CONNECT: &[&str] = &[
    "newconnectionerror",
    "failed to establish a new connection",
    "connecttimeouterror",
    "max retries exceeded with url",
];

/// What the client quoted of a body it could not read as JSON: the first character (`<`: a
/// page) and, where the runtime quotes more, the start of the text.
/// - V8 (Node, browsers): `Unexpected token 'a', "access den"... is not valid JSON`,
///   older `Unexpected token < in JSON at position 0`;
/// - Go encoding/json: `invalid character '<' looking for beginning of value`;
/// - Jackson: `Unexpected character ('<' (code 60))`;
/// - .NET System.Text.Json: `'<' is an invalid start of a value`.
#[derive(Debug, PartialEq, Eq)]
pub struct NotJson {
    pub markup: bool,
    pub text: Option<String>,
}

pub fn not_json(words: &str) -> Option<NotJson> {
    if let Some(i) = words.find("unexpected token '") {
        let rest = &words[i + "unexpected token '".len()..];
        let first = rest.chars().next()?;
        // `'a', "access denied " is not valid json`: the quoted start of the body.
        let text = rest
            .split_once(", \"")
            .map(|(_, t)| t)
            .and_then(|t| t.split_once('"'))
            .map(|(t, _)| t.trim().to_string())
            .filter(|t| !t.is_empty());
        return Some(NotJson {
            markup: first == '<',
            text,
        });
    }
    let markup = [
        "unexpected token < in json",
        "invalid character '<' looking for beginning of value",
        "unexpected character ('<'",
        "'<' is an invalid start of a value",
    ]
    .iter()
    .any(|w| words.contains(w));
    markup.then_some(NotJson {
        markup: true,
        text: None,
    })
}

/// The layer in front, or the server itself, named by what the text says about who
/// answered. `words` are the decision's lowercased words (message, codes, wrapper text and
/// an error page's text).
pub fn who_answered(status: Option<u16>, body: &ErrorBody, words: &str) -> Option<Classification> {
    // A vendor's managed rule, named where it blocked: the request's content tripped it.
    for v in &table().vendor {
        if let Some(r) = v.rules.iter().find(|r| whole(words, r)) {
            return Some(read(
                Kind::Blocked,
                "waf_managed_rule",
                false,
                Some(RuleHint::WafManagedRule),
                Confidence::High,
                format!(
                    "{}'s managed rule {r}, which judges what the request carries",
                    v.name
                ),
            ));
        }
    }
    // A vendor's own block-page wording.
    for v in &table().vendor {
        if let Some(w) = v.block.iter().find(|w| whole(words, w)) {
            return Some(read(
                Kind::Blocked,
                "edge_vendor_page",
                false,
                None,
                Confidence::High,
                format!("{}'s block page (\"{w}\")", v.name),
            ));
        }
    }
    let denial = DENIAL.iter().find(|w| whole(words, w));
    let api_words = API_WORDS.iter().any(|w| words.contains(w));
    // A vendor's mark with a denial, in a page or a line of text, not an API's envelope.
    let fourxx = status.is_none_or(|s| (400..500).contains(&s));
    if let (Some(d), false, false, true) = (denial, body.envelope, api_words, fourxx) {
        if let Some((v, m)) = table()
            .vendor
            .iter()
            .find_map(|v| v.marks.iter().find(|m| whole(words, m)).map(|m| (v, m)))
        {
            return Some(read(
                Kind::Blocked,
                "edge_vendor_denial",
                false,
                None,
                Confidence::Low,
                format!(
                    "a denial (\"{d}\") marked as {}'s (\"{m}\"), not an API's error envelope",
                    v.name
                ),
            ));
        }
    }
    // A body the client could not read as JSON, quoted: a page with 403, or a plain-text
    // denial, is a layer in front; an API refuses in its own envelope.
    if let Some(nj) = not_json(words) {
        if nj.markup && status == Some(403) {
            return Some(read(
                Kind::Blocked,
                "edge_not_json",
                false,
                None,
                Confidence::Low,
                "HTTP 403 whose body was a page (the client read '<' where JSON starts), not an API's error envelope".into(),
            ));
        }
        if let Some(t) = &nj.text {
            if let Some(d) = DENIAL.iter().find(|w| t.contains(*w)) {
                if !API_WORDS.iter().any(|w| t.contains(w)) {
                    return Some(read(
                        Kind::Blocked,
                        "edge_not_json",
                        false,
                        None,
                        Confidence::Low,
                        format!(
                            "a plain-text denial (\"{}\", \"{d}\") where the client expected JSON: an API refuses in its own envelope",
                            one_line(t)
                        ),
                    ));
                }
            }
        }
    }
    if let Some((kind, w)) = UPSTREAM_WORDS.iter().find(|(_, w)| words.contains(w)) {
        return Some(read(
            *kind,
            "gateway_upstream",
            true,
            None,
            Confidence::High,
            format!("a gateway's own words about its upstream (\"{w}\"): the gateway answered, the server behind it did not"),
        ));
    }
    // A limit in tokens is the model's window, not a body size.
    let tokens = words.contains("token");
    if let Some(w) = BODY_TOO_LARGE
        .iter()
        .find(|w| !tokens && words.contains(*w))
    {
        return Some(read(
            Kind::RequestTooLarge,
            "body_over_limit",
            false,
            None,
            Confidence::High,
            format!("a server's or proxy's body-size limit (\"{w}\")"),
        ));
    }
    if let Some(target) = grpc_backend_down(words) {
        return Some(read(
            Kind::ServerError,
            "grpc_backend",
            false,
            None,
            Confidence::Low,
            format!("a gRPC backend on this machine ({target}) is not answering the server that dials it (Go gRPC's \"rpc error: code = Unavailable … Error while dialing\"): the server's own process, not the client's connection"),
        ));
    }
    if let (Some(s), Some(w)) = (
        status.filter(|s| (500..600).contains(s)),
        OUTGOING_CONNECT.iter().find(|w| words.contains(*w)),
    ) {
        return Some(read(
            Kind::Network,
            "outgoing_connect",
            false,
            None,
            Confidence::Low,
            format!("HTTP {s} around an application's own outgoing connection that failed (\"{w}\", Python's urllib3): the host running it could not reach the provider"),
        ));
    }
    if let Some(w) = hub_lookup_missed(words) {
        return Some(read(
            Kind::ModelNotFound,
            "hub_lookup",
            false,
            None,
            Confidence::Low,
            format!("the model id was looked up on the Hugging Face Hub, which does not list it (\"{w}\"): the id is wrong, or a private repository that needs a token"),
        ));
    }
    if engine_memory(words) {
        return Some(read(
            Kind::ServerError,
            "engine_memory",
            false,
            Some(RuleHint::ServerResources),
            Confidence::High,
            "the inference engine's own memory settings (gpu_memory_utilization, its KV cache): it cannot hold its configured window".into(),
        ));
    }
    None
}

/// A status only proxies, load balancers and CDNs send, or an RFC status the generic
/// 4xx/5xx reading gets wrong: what it means, as cautiously as any status alone.
pub fn by_status(status: u16) -> Option<Classification> {
    let row = table().status.iter().find(|r| r.status == status)?;
    Some(read(
        Kind::from_code(&row.kind).expect("edges.toml holds kind codes (a unit test checks)"),
        "status_table",
        row.gateway,
        row.hint.as_deref().and_then(hint_named),
        Confidence::Low,
        format!("HTTP {status} alone: {}", row.says),
    ))
}

/// What nginx's own modules write in its error log about a request it refused or could not
/// serve (ngx_http_access_module, ngx_http_limit_req_module, ngx_http_limit_conn_module,
/// ngx_http_static_module, ngx_http_index_module): read only in an error-log line.
const NGINX_LOG_WORDS: &[(Kind, &str, &str)] = &[
    (
        Kind::Blocked,
        "access forbidden by rule",
        "an allow/deny rule refused the client's address",
    ),
    (
        Kind::RateLimit,
        "limiting requests",
        "limit_req refused the request's rate",
    ),
    (
        Kind::RateLimit,
        "limiting connections",
        "limit_conn refused another connection",
    ),
    (
        Kind::BaseUrl,
        "failed (2: no such file or directory)",
        "nginx looked for a file, so the URL is not proxied to the API",
    ),
    (
        Kind::BaseUrl,
        "directory index of",
        "nginx listed a directory, so the URL is not proxied to the API",
    ),
];

/// An nginx (or OpenResty, Kong, APISIX) error-log line: `2024/04/16 13:58:38 [error]
/// 1279#0: *20351 …`. Its module's words when they say more; else the gateway itself failed
/// handling the request.
fn nginx_error_line(line: &str) -> Option<Classification> {
    let (i, level) = ["[error] ", "[crit] ", "[alert] ", "[emerg] "]
        .iter()
        .find_map(|l| line.find(l).map(|i| (i, *l)))?;
    let before = line[..i].trim_end();
    let date = before.len() >= 19 && {
        let d = &before.as_bytes()[before.len() - 19..];
        d[4] == b'/' && d[7] == b'/' && d[13] == b':' && d[16] == b':'
    };
    let after = &line[i + level.len()..];
    let pid = after.split_once(": ").is_some_and(|(p, _)| {
        p.split_once('#').is_some_and(|(a, b)| {
            !a.is_empty() && a.bytes().chain(b.bytes()).all(|c| c.is_ascii_digit())
        })
    });
    if !(date && pid) {
        return None;
    }
    let lower = line.to_lowercase();
    if let Some((kind, _, says)) = NGINX_LOG_WORDS.iter().find(|(_, w, _)| lower.contains(w)) {
        return Some(read(
            *kind,
            "nginx_error_log",
            false,
            None,
            Confidence::Low,
            format!("nginx's error log: {says}"),
        ));
    }
    Some(read(
        Kind::ServerError,
        "nginx_error_log",
        false,
        None,
        Confidence::Low,
        format!("an error line of nginx's log (nginx, OpenResty, Kong, APISIX): the gateway failed handling the request ({})", level.trim().trim_matches(['[', ']'])),
    ))
}

/// HAProxy's session state at disconnection, first character: who ended the session
/// (docs.haproxy.org, configuration manual §8.5). `None`: the status speaks.
fn haproxy_side(first: char, status: u16) -> Option<(Kind, &'static str)> {
    Some(match first {
        'S' => (
            Kind::ServerError,
            "the server aborted or refused the connection",
        ),
        's' => (Kind::Timeout, "the server-side timeout expired"),
        'C' => (Kind::Aborted, "the client aborted"),
        'c' => (Kind::Aborted, "the client-side timeout expired"),
        'P' if status == 403 => (Kind::Blocked, "the proxy denied the request (a deny rule)"),
        'P' if status == 429 => (
            Kind::RateLimit,
            "the proxy refused the request for its rate",
        ),
        'P' => (Kind::ServerError, "the proxy aborted the session"),
        'R' => (Kind::ServerError, "a resource on the proxy ran out"),
        'I' => (Kind::ServerError, "the proxy found an internal error"),
        'D' => (Kind::ServerError, "the server was detected down"),
        'U' | 'K' => (Kind::ServerError, "the proxy killed the session"),
        _ => return None,
    })
}

/// HAProxy's second character: where the session was when it ended (§8.5).
fn haproxy_phase(second: char) -> &'static str {
    match second {
        'R' => "while waiting for the request",
        'Q' => "while queued for a server",
        'C' => "while connecting to the server",
        'H' => "while waiting for the server's headers",
        'D' => "while passing data",
        'L' => "while passing the last data",
        'T' => "while tarpitted",
        _ => "",
    }
}

/// Envoy's response flags (envoyproxy.io, access logging, %RESPONSE_FLAGS%): the ones that
/// name who failed.
const ENVOY_FLAGS: &[(&str, Kind, &str)] = &[
    ("UH", Kind::ServerError, "no healthy upstream"),
    ("UF", Kind::ServerError, "upstream connection failure"),
    (
        "UO",
        Kind::ServerError,
        "upstream overflow (circuit breaking)",
    ),
    ("URX", Kind::ServerError, "upstream retry limit exceeded"),
    ("UC", Kind::ServerError, "upstream connection termination"),
    ("UR", Kind::ServerError, "upstream remote reset"),
    ("LR", Kind::ServerError, "connection local reset"),
    (
        "LH",
        Kind::ServerError,
        "local service failed its health check",
    ),
    ("NC", Kind::ServerError, "upstream cluster not found"),
    (
        "DF",
        Kind::ServerError,
        "DNS resolution of the upstream failed",
    ),
    ("UPE", Kind::ServerError, "upstream protocol error"),
    ("OM", Kind::ServerError, "overload manager"),
    ("UT", Kind::Timeout, "upstream request timeout"),
    ("SI", Kind::Timeout, "stream idle timeout"),
    ("DT", Kind::Timeout, "request exceeded its maximum duration"),
    (
        "UMSDR",
        Kind::Timeout,
        "upstream maximum stream duration reached",
    ),
    ("RL", Kind::RateLimit, "rate limited locally"),
    (
        "UAEX",
        Kind::AccessDenied,
        "refused by the external authorization service",
    ),
    ("DC", Kind::Aborted, "downstream connection termination"),
    ("NR", Kind::BaseUrl, "no route configured for the request"),
];

fn status_token(t: &str) -> Option<u16> {
    (t.len() == 3 && t.bytes().all(|b| b.is_ascii_digit()))
        .then(|| t.parse().ok())
        .flatten()
        .filter(|s| (100..600).contains(s))
}

/// A proxy's access-log line in the text that names who failed: HAProxy's HTTP log
/// (`… Tq/Tw/Tc/Tr/Tt STATUS BYTES - - SC-- ac/fc/bc/sc/rc …`) or Envoy's default format
/// (`"POST /v1/chat/completions HTTP/1.1" 503 UF …`).
pub fn proxy_log(raw: &str) -> Option<Classification> {
    if let Some(v) = raw.lines().take(2000).find_map(nginx_error_line) {
        return Some(v);
    }
    for line in raw.lines().take(2000) {
        let t: Vec<&str> = line.split_whitespace().collect();
        for (k, tok) in t.iter().enumerate() {
            let Some(status) = status_token(tok) else {
                continue;
            };
            // HAProxy: status, bytes, two captured cookies, the state, then the five
            // connection counters.
            if let (Some(state), Some(conns)) = (t.get(k + 4), t.get(k + 5)) {
                let c: Vec<char> = state.chars().collect();
                let counters = conns.split('/').count() == 5
                    && conns.split('/').all(|n| {
                        !n.is_empty()
                            && n.trim_start_matches('+')
                                .bytes()
                                .all(|b| b.is_ascii_digit())
                    });
                if c.len() == 4
                    && counters
                    && t.get(k + 1).is_some_and(|b| {
                        b.trim_start_matches('+')
                            .bytes()
                            .all(|x| x.is_ascii_digit())
                    })
                {
                    if let Some((kind, who)) = haproxy_side(c[0], status) {
                        let phase = haproxy_phase(c[1]);
                        return Some(read(
                            kind,
                            "proxy_log",
                            true,
                            None,
                            Confidence::Low,
                            format!("HAProxy's log line: {status} with termination state {state} ({who} {phase})"),
                        ));
                    }
                }
            }
            // Envoy: the quoted request line, the status, then the flags.
            let after_request = k > 0 && t[k - 1].ends_with('"') && t[k - 1].contains("HTTP/");
            if let (true, Some(flags)) = (after_request, t.get(k + 1)) {
                if let Some((flag, kind, says)) = flags
                    .split(',')
                    .find_map(|f| ENVOY_FLAGS.iter().find(|(name, _, _)| *name == f))
                {
                    return Some(read(
                        *kind,
                        "proxy_log",
                        true,
                        None,
                        Confidence::Low,
                        format!(
                            "Envoy's access-log line: {status} with response flag {flag} ({says})"
                        ),
                    ));
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_parses_and_names_kinds() {
        let t = table();
        assert!(t.vendor.len() >= 10);
        for r in &t.status {
            assert!(Kind::from_code(&r.kind).is_some(), "{}", r.kind);
            assert!(r.hint.as_deref().is_none_or(|h| hint_named(h).is_some()));
        }
        for v in &t.vendor {
            for w in v.marks.iter().chain(&v.block) {
                assert_eq!(w, &w.to_lowercase(), "{}: words are lowercase", v.name);
            }
        }
    }

    fn who(status: Option<u16>, text: &str) -> Option<(Kind, &'static str)> {
        who_answered(status, &ErrorBody::default(), &text.to_lowercase()).map(|v| (v.kind, v.rule))
    }

    #[test]
    fn a_firewall_rule_that_judges_the_request_s_content_is_named_with_its_own_fix() {
        // An AWS WAF log line and a label, as the core rule set's documentation names them.
        for t in [
            "12:00:01 | BLOCK | POST /v1/chat/completions | CL=90211 | SizeRestrictions_BODY",
            "terminatingRuleId: GenericLFI_BODY, action: BLOCK",
            "labels: awswaf:managed:aws:core-rule-set:CrossSiteScripting_Body",
        ] {
            let v = who_answered(Some(403), &ErrorBody::default(), &t.to_lowercase()).expect(t);
            assert_eq!(
                (v.kind, v.rule, v.hint),
                (
                    Kind::Blocked,
                    "waf_managed_rule",
                    Some(RuleHint::WafManagedRule)
                )
            );
        }
        // A rule's name inside a longer identifier is not the rule.
        assert_eq!(
            who(Some(403), "field x_sizerestrictions_body_limit is refused"),
            None
        );
    }

    #[test]
    fn a_vendor_block_page_is_blocked_and_an_api_denial_is_not() {
        // F5's default blocking page, as its documentation gives it.
        assert_eq!(
            who(None, "Request Rejected. The requested URL was rejected. Please consult with your administrator. Your support ID is: 123"),
            Some((Kind::Blocked, "edge_vendor_page"))
        );
        // A denial with Akamai's reference link; the same words with an API's key are not.
        assert_eq!(
            who(
                Some(403),
                "Access Denied. Reference #18.1.2.3 https://errors.edgesuite.net/18.1.2.3"
            ),
            Some((Kind::Blocked, "edge_vendor_denial"))
        );
        assert_eq!(
            who(
                Some(403),
                "Access denied: your API key may not use this model (akamai)"
            ),
            None
        );
        // A 5xx page of an edge is no block.
        assert_eq!(
            who(
                Some(502),
                "Bad gateway. Access denied? cloudflare Ray ID: 1"
            ),
            None
        );
        // Words are matched whole: Windows' error 10061 is no Cloudflare 1006.
        assert_eq!(
            who(None, "[WinError 10061] No connection could be made"),
            None
        );
    }

    #[test]
    fn a_body_the_client_could_not_read_as_json_names_a_layer() {
        assert_eq!(
            not_json("syntaxerror: unexpected token '<', \"<!doctype \"... is not valid json"),
            Some(NotJson {
                markup: true,
                text: Some("<!doctype".into())
            })
        );
        assert_eq!(
            who(Some(403), "error, status code: 403, message: invalid character '<' looking for beginning of value"),
            Some((Kind::Blocked, "edge_not_json"))
        );
        assert_eq!(
            who(
                None,
                "SyntaxError: Unexpected token 'F', \"Forbidden\" is not valid JSON"
            ),
            Some((Kind::Blocked, "edge_not_json"))
        );
        // A page with a 502 is the gateway's, read by the status; a plain-text word that is
        // no denial says nothing here.
        assert_eq!(
            who(
                Some(502),
                "invalid character '<' looking for beginning of value"
            ),
            None
        );
        assert_eq!(
            who(
                None,
                "Unexpected token 'I', \"Internal S\"... is not valid JSON"
            ),
            None
        );
    }

    #[test]
    fn a_gateway_s_words_about_its_upstream_are_the_server_s_side() {
        assert_eq!(
            who(None, "connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.0.1"),
            Some((Kind::ServerError, "gateway_upstream"))
        );
        assert_eq!(
            who(None, "upstream timed out (110: Connection timed out) while reading response header from upstream"),
            Some((Kind::Timeout, "gateway_upstream"))
        );
        assert_eq!(
            who(
                Some(413),
                "client intended to send too large body: 40000000 bytes"
            ),
            Some((Kind::RequestTooLarge, "body_over_limit"))
        );
        // A size in tokens is the model's window.
        assert_eq!(
            who(
                Some(413),
                "Request body too large for model. Max size: 4000 tokens."
            ),
            None
        );
    }

    #[test]
    fn an_engine_that_cannot_hold_its_window_is_the_server_s_memory() {
        assert_eq!(
            who(None, "ValueError: No available memory for the cache blocks. Try increasing `gpu_memory_utilization` when initializing the engine."),
            Some((Kind::ServerError, "engine_memory"))
        );
        // A prompt over the window names no engine setting.
        assert_eq!(
            who(
                Some(400),
                "This model's maximum context length is 4096 tokens"
            ),
            None
        );
    }

    #[test]
    fn who_failed_inside_a_server_or_behind_it() {
        // A backend the server dials on its own machine, and the same words to a remote host.
        assert_eq!(
            who(None, "rpc error: code = Unavailable desc = connection error: desc = \"transport: Error while dialing: dial tcp 127.0.0.1:40001: connect: connection refused\""),
            Some((Kind::ServerError, "grpc_backend"))
        );
        assert_eq!(
            who(None, "rpc error: code = Unavailable desc = connection error: desc = \"transport: Error while dialing: dial tcp: lookup api.example.com: no such host\""),
            None
        );
        // An application's 500 around its own call out that could not connect.
        assert_eq!(
            who(Some(500), "Error communicating with the provider: HTTPSConnectionPool(host='api.example.com', port=443): Max retries exceeded with url: /v1/chat/completions (Caused by NewConnectionError('Failed to establish a new connection: [Errno 111] Connection refused'))"),
            Some((Kind::Network, "outgoing_connect"))
        );
    }

    #[test]
    fn a_model_id_the_hub_does_not_list_is_not_found() {
        assert_eq!(
            who(None, "huggingface_hub.errors.RepositoryNotFoundError: 401 Client Error. Repository Not Found for url: https://huggingface.co/api/models/acme/nope/revision/main."),
            Some((Kind::ModelNotFound, "hub_lookup"))
        );
        assert_eq!(
            who(None, "DEBUG - https://huggingface.co:443 \"GET /api/models/acme/nope/revision/main HTTP/1.1\" 404 64"),
            Some((Kind::ModelNotFound, "hub_lookup"))
        );
        // The Hub answering is no miss.
        assert_eq!(
            who(None, "DEBUG - https://huggingface.co:443 \"GET /api/models/acme/yes/revision/main HTTP/1.1\" 200 1024"),
            None
        );
    }

    #[test]
    fn nginx_error_log_lines_name_the_gateway_or_its_module() {
        let line = "2024/01/02 03:04:05 [error] 31#31: *7 access forbidden by rule, client: 10.0.0.9, server: api, request: \"POST /v1/chat/completions HTTP/1.1\"";
        assert_eq!(proxy_log(line).map(|v| v.kind), Some(Kind::Blocked));
        let line = "2024/01/02 03:04:05 [error] 31#31: *7 limiting requests, excess: 5.120 by zone \"llm\", client: 10.0.0.9";
        assert_eq!(proxy_log(line).map(|v| v.kind), Some(Kind::RateLimit));
        let line = "nginx-1 | 2024/01/02 03:04:05 [error] 31#31: *7 open() \"/usr/share/nginx/html/v1/chat/completions\" failed (2: No such file or directory), client: 10.0.0.9";
        assert_eq!(proxy_log(line).map(|v| v.kind), Some(Kind::BaseUrl));
        let line = "2024/01/02 03:04:05 [error] 31#31: *7 [lua] handler.lua:12: plugin failed, client: 10.0.0.9";
        assert_eq!(proxy_log(line).map(|v| v.kind), Some(Kind::ServerError));
        // A warning, or a line that is not nginx's, says nothing.
        assert!(
            proxy_log("2024/01/02 03:04:05 [warn] 31#31: *7 an upstream response is buffered")
                .is_none()
        );
        assert!(proxy_log("[error] something failed").is_none());
    }

    #[test]
    fn statuses_only_layers_send() {
        assert_eq!(by_status(424).map(|v| v.kind), Some(Kind::ServerError));
        assert_eq!(by_status(499).map(|v| v.kind), Some(Kind::Aborted));
        let v = by_status(497).unwrap();
        assert_eq!((v.kind, v.hint), (Kind::Network, Some(RuleHint::TlsScheme)));
        assert_eq!(
            by_status(599).map(|v| (v.kind, v.gateway)),
            Some((Kind::Timeout, true))
        );
        assert!(by_status(400).is_none() && by_status(503).is_none());
    }

    #[test]
    fn proxy_log_lines_name_who_failed() {
        // HAProxy's documented HTTP log example shape, with a server-side connect failure.
        let line = "haproxy[14389]: 10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/-1/-1/3010 503 212 - - SC-- 3/3/0/0/3 0/0 \"GET /v1/models HTTP/1.1\"";
        let v = proxy_log(line).unwrap();
        assert_eq!((v.kind, v.gateway), (Kind::ServerError, true));
        assert!(v.evidence.contains("connecting"), "{}", v.evidence);
        let deny =
            "10/0/0/0/10 403 188 - - PR-- 1/1/0/0/0 0/0 \"POST /v1/chat/completions HTTP/1.1\"";
        assert_eq!(proxy_log(deny).map(|v| v.kind), Some(Kind::Blocked));
        // Normal completion: the status speaks, not the log.
        assert!(proxy_log("10/0/1/2/3 200 99 - - ---- 1/1/0/0/0 0/0 \"GET / HTTP/1.1\"").is_none());
        // Envoy's default access-log format.
        let envoy = "[2024-01-01T00:00:00.000Z] \"POST /v1/chat/completions HTTP/1.1\" 503 UF 0 91 3 - \"-\" \"openai/python\"";
        assert_eq!(proxy_log(envoy).map(|v| v.kind), Some(Kind::ServerError));
        let timeout = "[2024-01-01T00:00:00.000Z] \"POST /v1/chat/completions HTTP/1.1\" 504 UT 120 24 15000 - \"-\"";
        assert_eq!(proxy_log(timeout).map(|v| v.kind), Some(Kind::Timeout));
        assert!(proxy_log("\"GET / HTTP/1.1\" 200 - 0 5 1").is_none());
    }
}
