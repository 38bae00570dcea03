//! Where a number in a paste is an HTTP status: the words each client, runtime and library
//! writes around one, as data.
//!
//! A three-digit number is a status only in a status-like context: after a lead such as
//! `status code:`, `HTTP/1.1 `, Java's `Server returned HTTP response code: `, .NET's
//! `Response status code does not indicate success: `, Chinese `状态码`; or followed by the
//! words a library prints after one (`Client Error:` from requests, `, message=` from
//! aiohttp). Everything else (a port `:8000`, a line `line 404`, a progress `[ 40%]`, a
//! token count, a provider's code such as `1113`, a pid, a date) is no status. Each row
//! names the runtime or library whose wording it is and where that wording is written.

/// A lead, in lowercase, after which a status may stand (spaces, quotes, colons, a full-width
/// colon between), and whether only an error status (4xx, 5xx) counts after it.
pub struct Lead {
    pub words: &'static str,
    /// Only 4xx/5xx count: the lead also stands before provider codes or successes.
    pub errors_only: bool,
    /// The library writes a colon right after the status (`HTTP Error 404: Not Found`),
    /// which elsewhere marks a time or an address, not a status.
    pub colon_after: bool,
}

const fn any(words: &'static str) -> Lead {
    Lead {
        words,
        errors_only: false,
        colon_after: false,
    }
}

const fn err(words: &'static str) -> Lead {
    Lead {
        words,
        errors_only: true,
        colon_after: false,
    }
}

/// A lead that names a status: a colon may follow the status (`HTTP status 500: …`).
const fn named(words: &'static str) -> Lead {
    Lead {
        words,
        errors_only: false,
        colon_after: true,
    }
}

/// Leads, in the order they are tried; the earliest place in the text wins among them.
pub const LEADS: &[Lead] = &[
    // The status line (RFC 9112 §4 `HTTP-version SP status-code`; curl -i, httpx's and
    // openai-python's debug log `"HTTP/1.1 429 Too Many Requests"`); HTTP/2 as curl prints it.
    any("http/1.1 "),
    any("http/1.0 "),
    any("http/2 "),
    any("http/2.0 "),
    // OkHttp/Retrofit HttpException ("HTTP " + code + " " + message), Semantic Kernel
    // "HTTP status: 404", reqwest's Display for a status error ("HTTP status client error
    // (404 Not Found) for url"): see the longer rows below.
    named("http "),
    // axios "Request failed with status code 429" (lib/core/settle.js); Go clients
    // "unexpected status code: 429"; go-openai "error, status code: 429, status: …".
    named("status code:"),
    named("status code "),
    // Dart's dio (`DioException [bad response]`): "the response has a status code of 429 and
    // RequestOptions.validateStatus was configured to throw for this status code".
    named("status code of "),
    // Swift's Alamofire (AFError.responseValidationFailed): "Response status code was
    // unacceptable: 429."
    named("status code was unacceptable: "),
    // The AI SDK's APICallError and Node dumps (`statusCode: 401`), JSON fields, Java/Kotlin
    // toString (`statusCode=500`, Lombok and data classes), Python (`status_code=`).
    any("statuscode:"),
    any("\"statuscode\":"),
    any("statuscode="),
    any("status_code="),
    any("status_code:"),
    any("\"status_code\":"),
    any("httpstatus="),
    any("httpstatus:"),
    // "Status: 401 Unauthorized", `{"status": 404}`, Python reprs, logfmt `status=502`.
    named("status:"),
    any("\"status\":"),
    any("'status':"),
    any("status="),
    // Faraday "the server responded with status 429"; "(status 404)"; "got status 500".
    named("got status"),
    named("status "),
    // AWS SDK for Java v2 "Status Code: http_status_403"-style ids; Java's HttpStatusCode.
    any("http_status_"),
    any("httpstatuscode"),
    named("http status code:"),
    // PHP curl_getinfo CURLINFO_HTTP_CODE printed as `http_code`.
    any("http_code"),
    // Java's HttpURLConnection.getInputStream: "Server returned HTTP response code: 500 for
    // URL: …" (sun.net.www.protocol.http.HttpURLConnection).
    named("http response code:"),
    // openai-python 0.x api_requestor: "Invalid response object from API: %r (HTTP response
    // code was %d)".
    named("http response code was "),
    // .NET HttpResponseMessage.EnsureSuccessStatusCode: "Response status code does not
    // indicate success: 404 (Not Found)." (System.Net.Http SR.net_http_message_not_success_statuscode).
    named("does not indicate success:"),
    // reqwest's Error Display for Kind::Status (reqwest src/error.rs): "HTTP status client
    // error (400 Bad Request) for url (…)", "HTTP status server error (…)".
    any("http status client error ("),
    any("http status server error ("),
    // Python urllib.error.HTTPError.__str__: "HTTP Error 404: Not Found".
    named("http error "),
    // Go google.golang.org/api/googleapi Error.Error(): "googleapi: Error 404: …".
    named("googleapi: error "),
    // Guzzle RequestException::create: "… resulted in a `429 Too Many Requests` response".
    any("resulted in a `"),
    // "returned 403", "responded with 503", "failed with 500" (clients' own sentences).
    any("returned "),
    any("responded with "),
    any("failed with "),
    // Chinese clients and gateways: 状态码 (status code), HTTP状态码, 响应状态码, 返回状态码;
    // "状态码为 400", "状态码：400".
    named("状态码为"),
    named("状态码是"),
    named("状态码"),
    named("状态碼"),
    // Japanese ステータスコード (status code), ステータス; Korean 상태 코드 / 상태코드.
    named("ステータスコード"),
    named("ステータス"),
    named("상태 코드"),
    named("상태코드"),
    // A status in brackets: `[400 Bad Request]`, `[429]`.
    any("["),
    // Leads after which only an error status (4xx, 5xx) counts: a bare `code` may be a
    // provider's code or a success.
    err("error code:"),
    err("error code "),
    // openai-python 0.x "HTTP code 403 from API", response_code=403, "status code not
    // equals 200,code is 401".
    err("http code "),
    err("response code "),
    err("response code:"),
    err("response_code="),
    err("code is "),
    err("api error:"),
    // curl "The requested URL returned error: 404"; "Error: 401 …".
    err("returned error:"),
    err("error:"),
    err("exception:"),
    err("code:"),
    err("code="),
    err("'code':"),
    err("\"code\":"),
    // Chinese 响应码 (response code), HTTP 错误 (HTTP error).
    err("响应码"),
    err("http 错误"),
    err("http错误"),
    err("<"),
    err("("),
    err("got "),
];

/// What may stand between a lead and its number besides spaces: colons (ASCII and
/// full-width), `=`, quotes, an opening bracket, a dash.
pub const BETWEEN: &[char] = &[
    ' ', ':', '：', '=', '"', '\'', '(', '-', '\u{3000}', '`', '（',
];

/// Words a library prints right after a status, whatever stands before it.
pub const FOLLOWS: &[&str] = &[
    // requests' HTTPError (requests/models.py raise_for_status): "429 Client Error: Too Many
    // Requests for url: …", "500 Server Error: …".
    " client error:",
    " server error:",
    // aiohttp ClientResponseError.__str__: "429, message='Too Many Requests', url=…".
    ", message=",
    // openai-node's APIError for an empty body: "429 status code (no body)".
    " status code",
];

/// A web framework's own words for a refusal, which state its status without writing the
/// number: a wrapper's 5xx around one of these is the wrapper's, and the framework's status
/// is the innermost.
pub const SAID_BY_FRAMEWORK: &[(&str, u16)] = &[
    // Spring's HttpRequestMethodNotSupportedException: "Request method 'POST' not supported"
    // (Spring 5), "Request method 'POST' is not supported" (Spring 6), answered as 405.
    ("request method 'post' not supported", 405),
    ("request method 'post' is not supported", 405),
    // Express's finalhandler for a route it has no handler for: "Cannot POST /path" (404).
    ("cannot post /", 404),
    // werkzeug's MethodNotAllowed and NotFound descriptions (Flask).
    ("the method is not allowed for the requested url", 405),
    ("the requested url was not found on the server", 404),
];

/// An HTTP client's own words for the status it got, as a proxy quotes them inside its own
/// 5xx: axios's settle.js ("Request failed with status code 401").
const QUOTED_BY_CLIENT: &[&str] = &[
    "request failed with status code ",
    // A relay's 500 around the upstream's answer: `{"message":"API error 400: {…}"}`.
    "api error ",
    "upstream error ",
    "upstream returned ",
];

/// The status a framework's words in `lower` state, or the one a client inside a wrapper
/// quotes, if any.
pub fn said_by_framework(lower: &str) -> Option<u16> {
    SAID_BY_FRAMEWORK
        .iter()
        .find(|(w, _)| lower.contains(w))
        .map(|(_, s)| *s)
        .or_else(|| {
            QUOTED_BY_CLIENT.iter().find_map(|w| {
                let at = lower.find(w)? + w.len();
                let digits = lower.get(at..at + 3)?;
                let after = lower[at + 3..].chars().next();
                (!after.is_some_and(|c| c.is_ascii_digit()))
                    .then(|| digits.parse().ok())
                    .flatten()
            })
        })
        .or_else(|| response_log_status(lower))
}

/// A client's debug log of the exchange, where `<` marks what the server sent (curl -v's
/// `< HTTP/1.1 400 Bad Request`, the Databricks SDK's request log `< 400 Bad Request`): the
/// server's own status, under whatever status the client's wrapper then made up.
fn response_log_status(lower: &str) -> Option<u16> {
    lower
        .lines()
        .take(2000)
        .find_map(|line| logged_status(line.trim_start().strip_prefix("< ")?))
}

/// The status of one `<` line's text (`HTTP/1.1 400 Bad Request`, `400 Bad Request`).
pub fn logged_status(rest: &str) -> Option<u16> {
    let rest = match rest.get(..5).filter(|p| p.eq_ignore_ascii_case("http/")) {
        Some(_) => rest.split_once(' ')?.1,
        None => rest,
    };
    let digits = rest.get(..3)?;
    let after = rest[3..].chars().next();
    (after.is_none_or(|c| c == ' ') && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
        .filter(|s| (100..600).contains(s))
}

/// Words right after a number that say it counts something (`404 passed`, `503 tokens`):
/// it is no status, whatever stands before it.
pub const COUNTS: &[&str] = &[
    "passed",
    "failed",
    "tests",
    "test",
    "tokens",
    "token",
    "items",
    "rows",
    "errors",
    "warnings",
    "files",
    "bytes",
    "ms",
    "seconds",
    "secs",
    "chunks",
    "lines",
    "requests",
    "cases",
    "skipped",
    "deselected",
    "results",
    "records",
    "documents",
    "characters",
    "chars",
    "words",
    "steps",
    "times",
    "attempts",
    "retries",
    "messages",
    "images",
    "kb",
    "mb",
    "gb",
];

/// The number at the start of `rest` (after `BETWEEN` chars) counts something.
pub fn counts_something(rest: &str) -> bool {
    let word: String = rest
        .trim_start_matches(BETWEEN)
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    COUNTS.contains(&word.as_str())
}

#[cfg(test)]
mod tests {
    use super::super::paste::explicit_status;

    #[test]
    fn statuses_in_each_runtime_s_wording() {
        let cases: &[(&str, u16)] = &[
            ("Server returned HTTP response code: 500 for URL: https://api.example.com/v1/chat/completions", 500),
            ("unexpected status code 429", 429),
            ("status: 400 Bad Request", 400),
            ("System.Net.Http.HttpRequestException: Response status code does not indicate success: 404 (Not Found).", 404),
            ("HTTP status client error (401 Unauthorized) for url (https://api.example.com/v1/models)", 401),
            ("HTTP status server error (529 <unknown status code>) for url (https://api.example.com/v1/messages)", 529),
            ("urllib.error.HTTPError: HTTP Error 404: Not Found", 404),
            ("googleapi: Error 404:", 404),
            ("Client error: `POST https://api.example.com/v1/chat/completions` resulted in a `429 Too Many Requests` response", 429),
            ("requests.exceptions.HTTPError: 503 Server Error: Service Unavailable for url: https://x/v1", 503),
            ("503 Server Error: Service Unavailable for url: https://x/v1", 503),
            ("aiohttp.client_exceptions.ClientResponseError: 429, message='Too Many Requests', url=URL('https://x/v1')", 429),
            ("ApiException(statusCode=500, body=null)", 500),
            ("(status 404)", 404),
            ("内部错误: http status 400", 400),
            ("请求失败，状态码：429", 429),
            ("HTTP状态码: 500", 500),
            ("状态码为 401", 401),
            ("ステータスコード: 503", 503),
            ("요청 실패: 상태 코드 429", 429),
            ("curl: (22) The requested URL returned error: 404", 404),
            ("net/http/response.rb:277:in `error!': 400 \"Bad Request\" (Net::HTTPClientException)", 400),
            ("openai.error.APIError: Invalid response object from API: 'Internal Server Error' (HTTP response code was 500)", 500),
        ];
        // A wrapper's 5xx around a framework's own refusal: the framework's status.
        assert_eq!(
            crate::classify::paste::read(
                "APIError(message=\"HTTP code 500 from API (Request method 'POST' not supported)\", http_status=500)"
            )
            .status,
            Some(405)
        );
        for (text, want) in cases {
            assert_eq!(explicit_status(text), Some(*want), "{text}");
        }
    }

    #[test]
    fn numbers_that_are_not_statuses() {
        for text in [
            "Uvicorn running on http://0.0.0.0:8000 (Press CTRL+C to quit)",
            "File \"client.py\", line 404, in create",
            "[ 40%] Building CXX object",
            "tests/test_api.py::test_chat PASSED [100%]",
            "the model returned 500 tokens",
            "{\"error\":{\"code\":1113,\"message\":\"余额不足\"}}",
            "错误码：1113",
            "worker pid 4032 exited",
            "2024-05-01 12:00:00 request done",
            "Retrying request in 500 ms",
        ] {
            assert_eq!(explicit_status(text), None, "{text}");
        }
    }
}
