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

use super::rules::Facts;
use super::{Classification, Confidence};
use crate::failure::Kind;

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
    // hyper reading a body with a length that never came.
    ("error reading a body from connection", "hyper body read"),
    (
        "end of file before message length reached",
        "hyper IncompleteBody",
    ),
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
];

/// Of [`CLOSED`], the words that alone would be read as a cut stream: with nothing showing
/// an answer had begun, they are a connection that closed first (`network`), likely.
const CLOSED_BEFORE_UNLESS_SHOWN: &[&str] = &["err_stream_premature_close", "premature close"];

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
    // A transcript's events.
    ("data: {", false),
    ("mid-stream", false),
    ("midstream", false),
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
    // An error status is what the server answered: the words around it are another
    // attempt's, or a wrapper's.
    if f.status.is_some_and(|s| !(200..300).contains(&s)) {
        return None;
    }
    let answered = f.status;
    if let Some((word, who)) = found(w, BODY_CUT) {
        return Some(verdict(
            Kind::StreamTruncated,
            Confidence::High,
            format!("\"{word}\" ({who}): raised while a response body was being read"),
        ));
    }
    let (word, who) = found(w, CLOSED)?;
    if let Some(s) = answered {
        return Some(verdict(
            Kind::StreamTruncated,
            Confidence::High,
            format!("HTTP {s}, then \"{word}\" ({who}): the answer began and its body was cut"),
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
    if CLOSED_BEFORE_UNLESS_SHOWN.contains(word) {
        return Some(verdict(
            Kind::Network,
            Confidence::Low,
            format!(
                "\"{word}\" ({who}) with nothing showing an answer had begun: the connection closed before one"
            ),
        ));
    }
    None
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
}
