//! A connection that closed under an exchange: which side went away, and whether the answer
//! had begun.
//!
//! Three readings, each a different fix (`failure.rs`): a body cut after its answer began
//! is `stream_truncated` (the upstream died or a proxy cut it: server logs, proxy
//! timeouts); a connection that closed before any answer is `network` (host, port, proxy,
//! firewall); a server that failed to write because its *client* left is `aborted` (the
//! caller's own timeout or stop button, not the provider). The runtimes' words are tables
//! below, each row naming whose words they are; a word that does not say by itself whether
//! the answer had begun is read with what else the paste shows (a 2xx status, a stream
//! being iterated). Read in `decide_at` before the message rules, which would read "broken
//! pipe" or "premature close" one way whoever said it; a message rule of another family
//! (a rate limit, a bad key) still decides over it.
//!
//! A client's own timer is read by the phase it fired in, too: before any header (a
//! request without streaming gets its headers only once the whole answer is generated)
//! or while the body was coming (a long generation's pause outlasted a per-read limit);
//! neither is fixed by sending the same request again at once. An HTTP/2 stream the peer
//! reset (RST_STREAM, GOAWAY) says the server's side gave up on it, and the paste says
//! whether the answer had begun.

use super::rules::Facts;
use super::{Classification, Confidence};
use crate::failure::{Kind, RuleHint};

/// Words raised only while a response body is being read: the answer had begun, and its
/// body was cut short.
const BODY_CUT: &[(&str, &str)] = &[
    // httpcore/h11 RemoteProtocolError, read from the body (httpx and openai-python).
    ("incomplete chunked read", "httpcore RemoteProtocolError"),
    (
        "peer closed connection without sending complete message body",
        "httpcore RemoteProtocolError",
    ),
    // aiohttp raises ClientPayloadError from the response payload reader
    // (docs.aiohttp.org client_reference: "This exception can only be raised while reading
    // the response payload").
    (
        "response payload is not completed",
        "aiohttp ClientPayloadError",
    ),
    ("clientpayloaderror", "aiohttp ClientPayloadError"),
    ("transferencodingerror", "aiohttp TransferEncodingError"),
    ("contentlengtherror", "aiohttp ContentLengthError"),
    // requests/urllib3/http.client, reading a chunked or sized body.
    ("chunkedencodingerror", "requests ChunkedEncodingError"),
    ("incompleteread", "http.client IncompleteRead"),
    ("response ended prematurely", "urllib3 ProtocolError"),
    // node-fetch wraps an error met while consuming the body in this sentence
    // (node-fetch src/body.js consumeBody, lib/index.js), a request-phase one in
    // "request to … failed, reason:".
    (
        "invalid response body while trying to fetch",
        "node-fetch FetchError (body phase)",
    ),
    // undici's fetch terminates the body stream it was reading ("TypeError: terminated").
    ("typeerror: terminated", "undici fetch body"),
    // hyper reading a body with a length that never came: Kind::Body prints "error reading
    // a body from connection", and as Debug `hyper::Error(Body, …)` (hyper src/error.rs).
    ("error reading a body from connection", "hyper body read"),
    ("hyper::error(body", "hyper body read"),
    (
        "end of file before message length reached",
        "hyper IncompleteBody",
    ),
    // curl's CURLE_PARTIAL_FILE (18): "the server first reports an expected transfer size,
    // and then delivers data that does not match" (curl.se/libcurl/c/libcurl-errors.html);
    // its message is "transfer closed with outstanding read data remaining" for a chunked
    // body, "transfer closed with N bytes remaining to read" for a sized one.
    ("transfer closed with", "curl CURLE_PARTIAL_FILE (18)"),
    ("curle_partial_file", "curl CURLE_PARTIAL_FILE (18)"),
    // .NET SocketsHttpHandler reading a Content-Length body (its resource string
    // net_http_invalid_response_premature_eof_bytecount, dotnet/runtime
    // System.Net.Http ContentLengthReadStream).
    (
        "additional bytes expected",
        ".NET HttpIOException ResponseEnded (content-length body)",
    ),
    (
        "premature_eof_bytecount",
        ".NET HttpIOException ResponseEnded (content-length body)",
    ),
    // reactor-netty's PrematureCloseException names the phase itself: "Connection
    // prematurely closed DURING response" (reactor-netty HttpClientOperations).
    (
        "prematurely closed during response",
        "reactor-netty PrematureCloseException",
    ),
    // OkHttp's FixedLengthSource and ChunkedSource throw ProtocolException("unexpected end
    // of stream") reading a body (okhttp Http1ExchangeCodec.kt); its header reader says
    // "unexpected end of stream on <address>" instead (see [`BEFORE_ANSWER`]).
    (
        "protocolexception: unexpected end of stream",
        "OkHttp ProtocolException (body)",
    ),
];

/// Words raised only before any response head came: the connection closed first, so no
/// answer began (`network`).
const BEFORE_ANSWER: &[(&str, &str)] = &[
    // OkHttp's Http1ExchangeCodec.readResponseHeaders: IOException("unexpected end of
    // stream on $address") when the connection ends before the status line.
    ("unexpected end of stream on ", "OkHttp response headers"),
    // reactor-netty: "Connection prematurely closed BEFORE response".
    (
        "prematurely closed before response",
        "reactor-netty PrematureCloseException",
    ),
    // aiohttp raises ServerDisconnectedError when the connection is lost with no payload
    // being read, ClientPayloadError when one was (aiohttp client_proto.py connection_lost).
    ("serverdisconnectederror", "aiohttp ServerDisconnectedError"),
    // Java's HttpClient (jdk.internal.net.http Http1Response): the connection closed
    // before a status line.
    (
        "header parser received no bytes",
        "java.net.http HttpClient (response headers)",
    ),
];

/// Timers a client runs while the response *body* comes: the answer had begun, and a long
/// generation (or a reasoning model's pause between tokens) outlasted the client's limit.
const BODY_TIMEOUT: &[(&str, &str)] = &[
    // undici's bodyTimeout: "the timeout after which a request will time out, in
    // milliseconds. Monitors time between receiving body data", 300 s by default, the
    // dispatcher of Node's fetch (undici docs, Dispatcher / Client options); its
    // BodyTimeoutError, code UND_ERR_BODY_TIMEOUT, surfaces as fetch's "terminated".
    ("und_err_body_timeout", "undici bodyTimeout"),
    ("bodytimeouterror", "undici bodyTimeout"),
    ("body timeout error", "undici bodyTimeout"),
    // Go's http.Client.Timeout "includes connection time, any redirects, and reading the
    // response body" (pkg.go.dev/net/http#Client); when it fires mid-body the reader says
    // "(Client.Timeout or context cancellation while reading body)".
    (
        "client.timeout or context cancellation while reading body",
        "Go http.Client.Timeout (body)",
    ),
    (
        "client.timeout exceeded while reading body",
        "Go http.Client.Timeout (body)",
    ),
];

/// Timers a client runs until the response *headers* come: no answer began. A request
/// without streaming gets its headers only once the whole answer is generated.
const HEADERS_TIMEOUT: &[(&str, &str)] = &[
    // undici's headersTimeout: "the amount of time the parser will wait to receive the
    // complete HTTP headers", 300 s by default (undici docs, Client options).
    ("und_err_headers_timeout", "undici headersTimeout"),
    ("headerstimeouterror", "undici headersTimeout"),
    ("headers timeout error", "undici headersTimeout"),
    // Go's net/http: http.Client.Timeout before a response ("Client.Timeout exceeded while
    // awaiting headers"), Transport.ResponseHeaderTimeout ("timeout awaiting response
    // headers"), net/http transport.go.
    (
        "client.timeout exceeded while awaiting headers",
        "Go http.Client.Timeout (headers)",
    ),
    (
        "timeout awaiting response headers",
        "Go Transport.ResponseHeaderTimeout",
    ),
];

/// An HTTP/2 stream (or connection) the peer reset or went away from: the server's side,
/// or a proxy before it, gave up on the exchange. When is read from the paste; for an
/// answer that streams for minutes, inside the body is the likelier phase.
const RESET: &[(&str, &str)] = &[
    // h2 (Rust, under hyper and reqwest): Error::Reset(.., Remote) prints "stream error
    // received: <reason>", a GOAWAY "connection error received: <reason>" (h2 src/error.rs);
    // reasons print as RFC 9113 §7's descriptions ("unexpected internal error
    // encountered", "unspecific protocol error detected").
    ("stream error received", "h2 RST_STREAM from the peer"),
    ("connection error received", "h2 GOAWAY from the peer"),
    // Go's x/net/http2: StreamError "stream error: stream ID 1; INTERNAL_ERROR; received
    // from peer", and "http2: server sent GOAWAY and closed the connection".
    ("received from peer", "Go http2 RST_STREAM from the peer"),
    ("server sent goaway", "Go http2 GOAWAY"),
    // OkHttp's StreamResetException: "stream was reset: INTERNAL_ERROR" (okhttp
    // internal/http2/StreamResetException.kt).
    ("stream was reset", "OkHttp StreamResetException"),
    // curl's CURLE_HTTP2_STREAM (92): "HTTP/2 stream N was not closed cleanly: <error>".
    ("was not closed cleanly", "curl CURLE_HTTP2_STREAM (92)"),
    // python-hyper h2 under httpx/httpcore with http2=True: httpcore raises
    // RemoteProtocolError around h2's StreamReset and ConnectionTerminated (GOAWAY) events,
    // printed as their reprs (h2 docs, "Events").
    ("streamreset stream_id", "h2 (Python) StreamReset"),
    (
        "connectionterminated error_code",
        "h2 (Python) ConnectionTerminated (GOAWAY)",
    ),
    ("rst_stream", "an HTTP/2 RST_STREAM"),
];

/// Signs that the failure came while the client still waited for the response's head:
/// Go's *url.Error, which `Client.Do` returns before any response ("Post \"https://…\":
/// …"; body reads are not wrapped so), and OkHttp's header readers in a stack trace.
const HEADERS_BEING_READ: &[&str] = &[
    "post \"http",
    "get \"http",
    // undici's fetch rejects with "fetch failed" only before it has a Response; a failure
    // while the body streams terminates the body instead ("terminated").
    "typeerror: fetch failed",
    // curl's CURLE_SSL_CONNECT_ERROR (35): "a problem occurred somewhere in the SSL/TLS
    // handshake" (curl.se/libcurl/c/libcurl-errors.html).
    "curl: (35)",
    "tls handshake",
    "ssl handshake",
    "takeheaders",
    "takeresponseheaders",
    "readresponseheaders",
];

/// A body the *client* closed while still reading it: Go's x/net/http2 errClosedResponseBody
/// ("http2: response body closed", returned by a Read after the caller's Close), the
/// caller's own doing.
const CLIENT_CLOSED_BODY: &[(&str, &str)] = &[(
    "http2: response body closed",
    "Go http2 errClosedResponseBody",
)];

/// reqwest's `Kind::Decode` ("error decoding response body") is raised both by `json()` on
/// a body that arrived and did not deserialize, and by its body decoder on any failure
/// while the body streamed in: a cut connection, or reqwest's own `timeout()`, which
/// covers the whole body (reqwest src/async_impl/decoder.rs maps body errors to
/// `error::decode`). A serde message after it is the first reading.
const DECODE_AMBIGUOUS: &[(&str, &str)] =
    &[("error decoding response body", "reqwest Kind::Decode")];

/// serde_json's error messages (docs.rs/serde_json Error): the body arrived and was not
/// the shape expected.
const SERDE_SAID: &[&str] = &[
    "expected value at line",
    "at line 1 column",
    "missing field",
    "invalid type:",
    "unknown variant",
    "eof while parsing",
    "trailing characters",
];

/// An HTTP parser's own code that a paste shows like a status: aiohttp's BadHttpMessage
/// family (TransferEncodingError, ContentLengthError, ContentEncodingError) prints
/// "<code>, message=…" with code 400 (aiohttp http_exceptions.py), for a body the client
/// could not read, not an answer's status.
const PARSER_CODE_400: &[&str] = &[
    "transferencodingerror: 400",
    "contentlengtherror: 400",
    "contentencodingerror: 400",
    "payloadencodingerror: 400",
];

/// Words for a connection that closed, raised before a response as well as inside its
/// body: the rest of the paste says which.
const CLOSED: &[(&str, &str)] = &[
    // Node's stream.finished()/pipeline(): "a stream or a pipeline ends non gracefully with
    // no explicit error" (nodejs.org/api/errors.html#err_stream_premature_close).
    (
        "err_stream_premature_close",
        "Node ERR_STREAM_PREMATURE_CLOSE",
    ),
    ("premature close", "Node ERR_STREAM_PREMATURE_CLOSE"),
    // undici SocketError, code UND_ERR_SOCKET.
    ("other side closed", "undici SocketError"),
    // Go io.ErrUnexpectedEOF; OkHttp "unexpected end of stream".
    ("unexpected eof", "Go io.ErrUnexpectedEOF"),
    ("unexpected end of stream", "OkHttp ProtocolException"),
    // hyper's IncompleteMessage: "connection closed before message completed".
    (
        "connection closed before message completed",
        "hyper IncompleteMessage",
    ),
    ("incompletemessage", "hyper IncompleteMessage"),
    // .NET SocketsHttpHandler's HttpIOException(ResponseEnded) "The response ended
    // prematurely.": raised reading the response headers and a chunked body alike
    // (net_http_invalid_response_premature_eof, dotnet/runtime HttpConnection and
    // ChunkedEncodingReadStream).
    (
        "the response ended prematurely.",
        ".NET HttpIOException ResponseEnded",
    ),
    ("(responseended)", ".NET HttpIOException ResponseEnded"),
    // Node: a socket the peer reset, on a read (ECONNRESET).
    ("econnreset", "Node ECONNRESET"),
    // A client's own words for it, last: the phase is all in the rest of the paste.
    ("connection closed", "the client's words"),
];

/// Of [`CLOSED`], the words that alone would be read as a cut stream: with nothing showing
/// an answer had begun, they are a connection that closed first (`network`), likely.
const CLOSED_BEFORE_UNLESS_SHOWN: &[&str] = &["err_stream_premature_close", "premature close"];

/// Of [`CLOSED`], the words raised in either phase by a client whose answers are mostly
/// body (a streamed or long answer spends its time there): with nothing showing which,
/// likely a cut body, said so.
const CLOSED_LIKELY_BODY: &[&str] = &[
    "the response ended prematurely.",
    "(responseended)",
    // Go's io.ErrUnexpectedEOF: net/http returns it from a body read (its chunked and
    // sized readers); a failure before the response comes wrapped in a *url.Error
    // (`Post "…": …`, see [`HEADERS_BEING_READ`]).
    "unexpected eof",
];

/// Signs in a paste that a response body was being read when the connection closed, and
/// whether the sign proves it: a client's stream iterator or body reader in the traceback,
/// or the answer's own events.
const BODY_BEING_READ: &[(&str, bool)] = &[
    // node-fetch raises "Premature close" only once a response has come: consuming its
    // body, or from `fixResponseChunkedTransferBadEnding`'s socket-close handler, which
    // fires for a chunked response whose last chunk never came (node-fetch 2.6.8+, 3.x).
    ("node-fetch", true),
    // openai-python's SSE iterator (openai/_streaming.py) runs only over a 2xx answer.
    ("_streaming.py", true),
    // httpx and requests body iterators, urllib3's chunked reader.
    ("iter_lines", false),
    ("iter_bytes", false),
    ("iter_raw", false),
    ("iter_text", false),
    ("iter_content", false),
    ("read_chunked", false),
    // OkHttp reading an HTTP/2 or HTTP/1 response body (okhttp Http2Stream.FramingSource,
    // Exchange.ResponseBodySource); Go's body reader.
    ("framingsource.read", true),
    ("responsebodysource", true),
    ("while reading body", true),
    // eventsource-stream and reqwest-eventsource wrap a failure of the byte stream they
    // read as "Transport error"; .NET's streamed read; a client's own words.
    ("transport error", false),
    ("readasstreamasync", false),
    ("await foreach", false),
    ("streaming", false),
    ("stream chunk", false),
    ("stream error", false),
    // A transcript's events.
    ("data: {", false),
    ("mid-stream", false),
    ("midstream", false),
    ("mid-response", false),
];

/// A server's own words for a client that went away before the answer was written.
const CLIENT_GONE: &[(&str, &str)] = &[
    ("client disconnected", "LM Studio server; Starlette"),
    ("clientdisconnect", "Starlette ClientDisconnect"),
    (
        "client closing the connection",
        "Ollama runner \"aborting completion request due to client closing the connection\"",
    ),
    ("client closed the connection", "a server's log"),
    ("client closed request", "nginx 499"),
    (
        "clientabortexception",
        "Tomcat ClientAbortException (\"caused by an abort of a request by a remote client\")",
    ),
    (
        "aborted request",
        "vLLM AsyncLLMEngine \"Aborted request <id>\"",
    ),
];

/// A write that failed because the peer had gone.
const WRITE_FAILED: &[&str] = &[
    "brokenpipeerror",
    "broken pipe",
    "errno 32",
    "epipe",
    "connectionreseterror",
    "connectionabortederror",
];

/// Signs that the failed write was a *server's*, to its client: Python's http.server
/// (socketserver's `StreamRequestHandler.wfile` is the connection to the client, and
/// `BaseServer.handle_error` prints "Exception occurred during processing of request
/// from …").
const SERVER_WRITING: &[&str] = &[
    "wfile",
    "exception occurred during processing of request",
    "handle_one_request",
    "do_post",
];

/// Kinds whose message rule the reading here gives way to: a rule of another family read
/// a cause this one cannot (a rate limit, a bad key, a proxy's page).
fn yields_to(kind: Kind) -> bool {
    !matches!(
        kind,
        Kind::Network
            | Kind::StreamTruncated
            | Kind::StreamMalformed
            | Kind::Aborted
            | Kind::Timeout
            | Kind::ServerError
            | Kind::BadResponse
    )
}

fn found<'a>(words: &str, table: &'a [(&'a str, &'a str)]) -> Option<&'a (&'a str, &'a str)> {
    table.iter().find(|(w, _)| words.contains(w))
}

fn verdict(kind: Kind, confidence: Confidence, evidence: String) -> Classification {
    Classification {
        kind,
        param: None,
        gateway: false,
        rule: "connection_closed",
        hint: None,
        confidence,
        evidence,
    }
}

fn with_hint(v: Classification, hint: RuleHint) -> Classification {
    Classification {
        hint: Some(hint),
        ..v
    }
}

/// The reading, when the text speaks of a closed connection. `by_message` is the kind the
/// message rules read, if any.
pub fn read(f: &Facts, by_message: Option<Kind>) -> Option<Classification> {
    if by_message.is_some_and(yields_to) {
        return None;
    }
    let w = f.words.as_str();
    if let Some((word, who)) = found(w, CLIENT_GONE) {
        return Some(verdict(
            Kind::Aborted,
            Confidence::High,
            format!("the server's words \"{word}\" ({who}): its client went away"),
        ));
    }
    if let Some(word) = WRITE_FAILED.iter().find(|x| w.contains(*x)) {
        if let Some(ctx) = SERVER_WRITING.iter().find(|x| w.contains(*x)) {
            return Some(verdict(
                Kind::Aborted,
                Confidence::Low,
                format!(
                    "\"{word}\" on a server's write to its client (\"{ctx}\"): the client closed the connection first"
                ),
            ));
        }
    }
    // A parser's own code printed like a status is no answer's status.
    let status = f
        .status
        .filter(|&s| !(s == 400 && PARSER_CODE_400.iter().any(|x| w.contains(x))));
    // An error status is what the server answered: the words around it are another
    // attempt's, or a wrapper's.
    if status.is_some_and(|s| !(200..300).contains(&s)) {
        return None;
    }
    let answered = status;
    if let Some(v) = timed_out(w) {
        return Some(v);
    }
    if let Some((word, who)) = found(w, CLIENT_CLOSED_BODY) {
        return Some(verdict(
            Kind::Aborted,
            Confidence::Low,
            format!("\"{word}\" ({who}): the client closed the body it was still reading"),
        ));
    }
    if answered.is_none() {
        if let Some((word, who)) = found(w, BEFORE_ANSWER) {
            return Some(verdict(
                Kind::Network,
                Confidence::High,
                format!("\"{word}\" ({who}): the connection closed before any response head"),
            ));
        }
    }
    // undici's fetch (Node, and Bun's, under opencode) ends a body it was reading with the
    // bare message "terminated", which apps pass on without its TypeError.
    let bare = |t: &str| t.trim().trim_end_matches('.') == "terminated";
    if bare(&f.msg) || (f.msg.is_empty() && bare(w)) {
        return Some(verdict(
            Kind::StreamTruncated,
            Confidence::Low,
            "the bare message \"terminated\" (undici fetch body): a response body was cut while being read".into(),
        ));
    }
    // .NET's bare "The response ended prematurely." holds urllib3's body-only words.
    let dotnet = w.contains("the response ended prematurely");
    let cut = BODY_CUT
        .iter()
        .filter(|(x, _)| !(dotnet && *x == "response ended prematurely"))
        .find(|(x, _)| w.contains(x));
    if let Some((word, who)) = cut {
        return Some(verdict(
            Kind::StreamTruncated,
            Confidence::High,
            format!("\"{word}\" ({who}): raised while a response body was being read"),
        ));
    }
    if let Some(v) = reset(w, answered) {
        return Some(v);
    }
    if let Some((word, who)) = found(w, CLOSED) {
        return closed(w, answered, word, who);
    }
    decode_ambiguous(w)
}

/// A client's own timer, by the phase it fired in.
fn timed_out(w: &str) -> Option<Classification> {
    if let Some((word, who)) = found(w, BODY_TIMEOUT) {
        return Some(with_hint(
            verdict(
                Kind::Timeout,
                Confidence::High,
                format!(
                    "\"{word}\" ({who}): the client's own limit fired while the answer's body was still coming"
                ),
            ),
            RuleHint::BodyTimeout,
        ));
    }
    let (word, who) = found(w, HEADERS_TIMEOUT)?;
    Some(with_hint(
        verdict(
            Kind::Timeout,
            Confidence::High,
            format!(
                "\"{word}\" ({who}): the client's own limit fired before the response headers came"
            ),
        ),
        RuleHint::HeadersTimeout,
    ))
}

/// A connection that closed, raised in either phase: the rest of the paste says which.
fn closed(w: &str, answered: Option<u16>, word: &str, who: &str) -> Option<Classification> {
    if let Some(s) = answered {
        return Some(verdict(
            Kind::StreamTruncated,
            Confidence::High,
            format!("HTTP {s}, then \"{word}\" ({who}): the answer began and its body was cut"),
        ));
    }
    if let Some(sign) = HEADERS_BEING_READ.iter().find(|x| w.contains(*x)) {
        return Some(verdict(
            Kind::Network,
            Confidence::High,
            format!(
                "\"{word}\" ({who}) while the client still waited for the response (\"{sign}\"): the connection closed before any answer"
            ),
        ));
    }
    if let Some((sign, proves)) = BODY_BEING_READ.iter().find(|(x, _)| w.contains(x)) {
        return Some(verdict(
            Kind::StreamTruncated,
            if *proves {
                Confidence::High
            } else {
                Confidence::Low
            },
            format!("\"{word}\" ({who}) while a body was being read (\"{sign}\")"),
        ));
    }
    if CLOSED_BEFORE_UNLESS_SHOWN.contains(&word) {
        return Some(verdict(
            Kind::Network,
            Confidence::Low,
            format!(
                "\"{word}\" ({who}) with nothing showing an answer had begun: the connection closed before one"
            ),
        ));
    }
    // OpenSSL's SSL_R_UNEXPECTED_EOF_WHILE_READING ("unexpected eof while reading") is a TLS
    // record layer's, in either phase: not Go's body reader.
    if CLOSED_LIKELY_BODY.contains(&word) && !w.contains("unexpected eof while reading") {
        return Some(with_hint(
            verdict(
                Kind::StreamTruncated,
                Confidence::Low,
                format!(
                    "\"{word}\" ({who}), raised before the response head and inside a body alike: likely the body, the longer phase of an answer"
                ),
            ),
            RuleHint::BodyReadFailed,
        ));
    }
    None
}

/// An HTTP/2 stream the peer reset: cut inside the body when the paste shows one was being
/// read (or nothing shows either phase: likely so), a failed exchange before any answer
/// when the client still waited for headers.
fn reset(w: &str, answered: Option<u16>) -> Option<Classification> {
    let (word, who) = found(w, RESET)?;
    // OkHttp resets a stream with CANCEL itself when its own call is cancelled (Call.cancel,
    // a call timeout): "Thrown when an HTTP/2 stream is canceled without damage to the
    // socket that carries it" (StreamResetException's doc). The client's side, likely.
    if w.contains("stream was reset: cancel") {
        return Some(verdict(
            Kind::Aborted,
            Confidence::Low,
            format!(
                "\"stream was reset: CANCEL\" ({who}): OkHttp cancels the stream itself when its call is cancelled or times out, so likely the client's side"
            ),
        ));
    }
    if answered.is_none() {
        if let Some(sign) = HEADERS_BEING_READ.iter().find(|x| w.contains(*x)) {
            return Some(verdict(
                Kind::Network,
                Confidence::Low,
                format!(
                    "\"{word}\" ({who}) while the client still waited for the response (\"{sign}\"): the server's side reset the exchange before any answer"
                ),
            ));
        }
    }
    let shown = answered.map(|s| format!("HTTP {s}")).or_else(|| {
        BODY_BEING_READ
            .iter()
            .find(|(x, proves)| *proves && w.contains(x))
            .map(|(x, _)| format!("\"{x}\""))
    });
    Some(match shown {
        Some(sign) => verdict(
            Kind::StreamTruncated,
            Confidence::High,
            format!("\"{word}\" ({who}) after the answer began ({sign}): the server's side reset the stream mid-body"),
        ),
        None => with_hint(
            verdict(
                Kind::StreamTruncated,
                Confidence::Low,
                format!(
                    "\"{word}\" ({who}): the server's side, or a proxy before it, reset the HTTP/2 stream or closed its connection; likely inside the body, the longer phase of an answer"
                ),
            ),
            RuleHint::BodyReadFailed,
        ),
    })
}

/// reqwest's decode error without a serde message after it, while a body streamed in: the
/// stream broke off (a cut, or the client's own timeout), likely.
fn decode_ambiguous(w: &str) -> Option<Classification> {
    let (word, who) = found(w, DECODE_AMBIGUOUS)?;
    if SERDE_SAID.iter().any(|x| w.contains(x)) {
        return None;
    }
    let (sign, _) = BODY_BEING_READ.iter().find(|(x, _)| w.contains(x))?;
    Some(with_hint(
        verdict(
            Kind::StreamTruncated,
            Confidence::Low,
            format!(
                "\"{word}\" ({who}) while a body streamed in (\"{sign}\"): reqwest reports a body that broke off, by a cut or its own timeout, as a decode error"
            ),
        ),
        RuleHint::BodyReadFailed,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::{decide, ErrorBody, KNOWN_PARAMS};

    /// `decide` on a pasted text without a status, as `explain` reads a line of text.
    fn read_text(status: Option<u16>, text: &str) -> Option<(Kind, Confidence)> {
        let body = ErrorBody {
            message: Some(text.to_string()),
            ..Default::default()
        };
        decide(status, &body, KNOWN_PARAMS, text).map(|v| (v.kind, v.confidence))
    }

    #[test]
    fn a_body_cut_after_its_answer_began_is_a_truncated_stream() {
        // Runtimes' own words for a body cut short (see the table's sources).
        for text in [
            "aiohttp.client_exceptions.ClientPayloadError: Response payload is not completed",
            "FetchError: Invalid response body while trying to fetch https://api.example.com/v1/chat/completions: Premature close",
            "hyper::Error(Body, Error { kind: UnexpectedEof }): error reading a body from connection: end of file before message length reached",
        ] {
            assert_eq!(
                read_text(None, text),
                Some((Kind::StreamTruncated, Confidence::High)),
                "{text}"
            );
        }
        // A word that does not say when, after a 2xx status: the body was cut.
        assert_eq!(
            read_text(Some(200), "SocketError: other side closed"),
            Some((Kind::StreamTruncated, Confidence::High))
        );
        // …or while openai-python iterated the stream, or raised by node-fetch (only ever
        // once a response came).
        assert_eq!(
            read_text(
                None,
                "File \"site-packages/openai/_streaming.py\", line 46, in __iter__\nError: unexpected EOF"
            ),
            Some((Kind::StreamTruncated, Confidence::High))
        );
        assert_eq!(
            read_text(
                None,
                "Error: Premature close\n    at IncomingMessage.<anonymous> (/app/node_modules/node-fetch/lib/index.js:1748:18)"
            ),
            Some((Kind::StreamTruncated, Confidence::High))
        );
        // An error status decides: the cut words are another attempt's.
        assert_eq!(
            read_text(
                Some(400),
                "stream error: premature close; then 400 invalid_request_error"
            )
            .map(|v| v.0),
            Some(Kind::BadRequest)
        );
    }

    #[test]
    fn a_premature_close_with_no_answer_shown_is_likely_the_connection() {
        assert_eq!(
            read_text(None, "{\"code\":\"ERR_STREAM_PREMATURE_CLOSE\"}"),
            Some((Kind::Network, Confidence::Low))
        );
    }

    #[test]
    fn a_server_whose_client_left_reads_it_as_aborted() {
        assert_eq!(
            read_text(
                None,
                "[LM STUDIO SERVER] Client disconnected. Stopping generation..."
            ),
            Some((Kind::Aborted, Confidence::High))
        );
        // Python's http.server writing to a client that left.
        assert_eq!(
            read_text(
                None,
                "Exception occurred during processing of request from ('127.0.0.1', 5000)\n  File \"server.py\", line 9, in do_POST\n    self.wfile.write(b)\nBrokenPipeError: [Errno 32] Broken pipe"
            ),
            Some((Kind::Aborted, Confidence::Low))
        );
        // A client's own broken pipe is its connection, as before.
        assert_eq!(
            read_text(
                None,
                "requests.exceptions.ConnectionError: ('Connection aborted.', BrokenPipeError(32, 'Broken pipe'))"
            )
            .map(|v| v.0),
            Some(Kind::Network)
        );
    }

    #[test]
    fn a_message_of_another_family_still_decides() {
        assert_eq!(
            read_text(
                None,
                "Rate limit reached for requests; the stream ended: premature close"
            )
            .map(|v| v.0),
            Some(Kind::RateLimit)
        );
    }

    /// `decide` with its hint, for the readings that word their own fix.
    fn read_hint(text: &str) -> Option<(Kind, Confidence, Option<RuleHint>)> {
        let body = ErrorBody {
            message: Some(text.to_string()),
            ..Default::default()
        };
        decide(None, &body, KNOWN_PARAMS, text).map(|v| (v.kind, v.confidence, v.hint))
    }

    #[test]
    fn a_client_timer_is_read_by_the_phase_it_fired_in() {
        // Written from undici's and Go's documented messages (see the tables' sources).
        for text in [
            "TypeError: terminated\n  [cause]: BodyTimeoutError: Body Timeout Error\n    code: 'UND_ERR_BODY_TIMEOUT'",
            "{\"message\":\"terminated\",\"code\":\"UND_ERR_BODY_TIMEOUT\"}",
            "read chunk: context deadline exceeded (Client.Timeout or context cancellation while reading body)",
        ] {
            assert_eq!(
                read_hint(text),
                Some((Kind::Timeout, Confidence::High, Some(RuleHint::BodyTimeout))),
                "{text}"
            );
        }
        for text in [
            "TypeError: fetch failed\n  [cause]: HeadersTimeoutError: Headers Timeout Error\n    code: 'UND_ERR_HEADERS_TIMEOUT'",
            "Post \"https://api.example.com/v1/chat/completions\": net/http: request canceled (Client.Timeout exceeded while awaiting headers)",
            "net/http: timeout awaiting response headers",
        ] {
            assert_eq!(
                read_hint(text),
                Some((Kind::Timeout, Confidence::High, Some(RuleHint::HeadersTimeout))),
                "{text}"
            );
        }
    }

    #[test]
    fn each_runtime_s_words_say_whether_the_answer_had_begun() {
        // Raised only inside a body: cut.
        for text in [
            "curl: (18) transfer closed with outstanding read data remaining",
            "curl: (18) transfer closed with 1729 bytes remaining to read",
            "System.IO.IOException: The response ended prematurely, with at least 1374192 additional bytes expected.",
            "reactor.netty.http.client.PrematureCloseException: Connection prematurely closed DURING response",
            "java.net.ProtocolException: unexpected end of stream",
            "Error: reqwest::Error { kind: Decode, source: hyper::Error(Body, Error { kind: Io, kind: UnexpectedEof }) }",
        ] {
            assert_eq!(
                read_text(None, text),
                Some((Kind::StreamTruncated, Confidence::High)),
                "{text}"
            );
        }
        // Raised only before a response head: the connection.
        for text in [
            "java.io.IOException: unexpected end of stream on https://api.example.com/...",
            "reactor.netty.http.client.PrematureCloseException: Connection prematurely closed BEFORE response",
            "Post \"https://api.example.com/v1/chat/completions\": unexpected EOF",
        ] {
            assert_eq!(
                read_text(None, text),
                Some((Kind::Network, Confidence::High)),
                "{text}"
            );
        }
        // aiohttp's parser code 400 is no answer's status.
        assert_eq!(
            read_text(
                Some(400),
                "aiohttp.client_exceptions.ClientPayloadError: Response payload is not completed: <TransferEncodingError: 400, message='Not enough data for satisfy transfer length header.'>"
            ),
            Some((Kind::StreamTruncated, Confidence::High))
        );
        assert_eq!(
            read_text(
                None,
                "aiohttp.client_exceptions.ServerDisconnectedError: Server disconnected"
            ),
            Some((Kind::Network, Confidence::High))
        );
        // undici's fetch rejects before a Response; its body terminates after one.
        assert_eq!(
            read_text(
                None,
                "TypeError: fetch failed\n  [cause]: SocketError: other side closed"
            ),
            Some((Kind::Network, Confidence::High))
        );
        // OpenSSL's EOF inside curl's TLS handshake (35): the connection.
        assert_eq!(
            read_text(
                None,
                "curl: (35) error:0A000126:SSL routines::unexpected eof while reading"
            )
            .map(|v| v.0),
            Some(Kind::Network)
        );
        // A client's own words that name the phase.
        assert_eq!(
            read_text(None, "API Error: Connection closed mid-response."),
            Some((Kind::StreamTruncated, Confidence::Low))
        );
        // The client closed the body itself.
        assert_eq!(
            read_text(None, "http2: response body closed"),
            Some((Kind::Aborted, Confidence::Low))
        );
    }

    #[test]
    fn a_reset_stream_or_an_ambiguous_body_failure_is_likely_a_cut_body() {
        for text in [
            "http2 error: stream error received: unexpected internal error encountered",
            "stream error: stream ID 1; INTERNAL_ERROR; received from peer",
            "http2: server sent GOAWAY and closed the connection; LastStreamID=1999, ErrCode=NO_ERROR, debug=\"\"",
            "curl: (92) HTTP/2 stream 1 was not closed cleanly: INTERNAL_ERROR (err 2)",
            "System.Net.Http.HttpIOException: The response ended prematurely. (ResponseEnded)",
            "Transport Error: error decoding response body",
            "httpcore.RemoteProtocolError: <StreamReset stream_id:1, error_code:ErrorCodes.INTERNAL_ERROR, remote_reset:True>",
            "read: unexpected EOF",
        ] {
            assert_eq!(
                read_hint(text),
                Some((
                    Kind::StreamTruncated,
                    Confidence::Low,
                    Some(RuleHint::BodyReadFailed)
                )),
                "{text}"
            );
        }
        // The body reader in the trace proves it; the header reader says the opposite.
        assert_eq!(
            read_text(None, "okhttp3.internal.http2.StreamResetException: stream was reset: INTERNAL_ERROR\n    at okhttp3.internal.http2.Http2Stream$FramingSource.read(Http2Stream.kt:355)"),
            Some((Kind::StreamTruncated, Confidence::High))
        );
        assert_eq!(
            read_text(None, "okhttp3.internal.http2.StreamResetException: stream was reset: INTERNAL_ERROR\n    at okhttp3.internal.http2.Http2Stream.takeHeaders(Http2Stream.kt:148)"),
            Some((Kind::Network, Confidence::Low))
        );
        // OkHttp's own cancel (a call timeout) resets with CANCEL: the client's side.
        assert_eq!(
            read_text(
                None,
                "okhttp3.internal.http2.StreamResetException: stream was reset: CANCEL"
            ),
            Some((Kind::Aborted, Confidence::Low))
        );
        // reqwest's decode error over a serde message is a body that arrived: not this.
        assert_eq!(
            read_text(
                None,
                "error decoding response body: expected value at line 1 column 1"
            )
            .map(|v| v.0),
            Some(Kind::BadResponse)
        );
    }
}
