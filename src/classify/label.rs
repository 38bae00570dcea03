//! A client's exception label weighed against what the body says.
//!
//! Client libraries raise one class around many causes: openai-python's and LiteLLM's
//! `APIConnectionError` wraps any failure they did not map (an IAM denial from Bedrock, a
//! bad key), httpx's `ConnectError` and undici's "fetch failed" wrap whatever the socket
//! said, a browser's "NETWORK ERROR" or Google's `ServiceUnavailable` name a family, not the
//! cause. The layers of `decide_at` already let the body speak first (a provider code, a
//! message rule, the status, then the exception name); here a verdict the body decided
//! that the label contradicts is said as what it is: the likelier reading, not a sure one.
//! The label is the weakest evidence, so it never changes the kind.

use super::{Classification, Confidence, ErrorBody};
use crate::failure::Kind;

/// Labels that name a family by the class alone, as the text prints them (lowercased), the
/// family they would mean, and whose they are.
const LABELS: &[(&str, Family, &str)] = &[
    // openai-python and openai-node raise APIConnectionError for any failure to get an
    // answer (openai-python README, "Handling errors"); LiteLLM maps unknown provider
    // failures to it too (docs.litellm.ai, "Exception Mapping").
    (
        "apiconnectionerror",
        Family::Connection,
        "APIConnectionError",
    ),
    // httpx ConnectError, requests ConnectionError (python-httpx.org/exceptions,
    // requests.readthedocs.io api#exceptions).
    ("connecterror", Family::Connection, "ConnectError"),
    ("connectionerror", Family::Connection, "ConnectionError"),
    // undici's fetch rejects with TypeError "fetch failed" whatever the cause (its `cause`
    // says); browsers with "Failed to fetch" (MDN, fetch() exceptions). Not node-fetch's
    // FetchError as such: its type 'invalid-json' is a body that arrived (node-fetch
    // ERROR-HANDLING.md).
    ("fetch failed", Family::Connection, "fetch failed"),
    ("failed to fetch", Family::Connection, "Failed to fetch"),
    // axios's and browsers' generic network label (axios AxiosError ERR_NETWORK "Network
    // Error").
    ("network error", Family::Connection, "Network Error"),
    ("networkerror", Family::Connection, "NetworkError"),
    // google.api_core.exceptions.ServiceUnavailable (503), openai's InternalServerError
    // and ServiceUnavailableError: a status family, whatever the body adds.
    ("serviceunavailable", Family::Server, "ServiceUnavailable"),
    ("internalservererror", Family::Server, "InternalServerError"),
    // openai-python's and anthropic-sdk's AuthenticationError (any 401) and
    // PermissionDeniedError (any 403), per their READMEs' error tables; a Ruby client's
    // `…::Unauthorized` raised around whatever its HTTP client failed on (llm.rb).
    (
        "authenticationerror",
        Family::Credential,
        "AuthenticationError",
    ),
    (
        "permissiondeniederror",
        Family::Credential,
        "PermissionDeniedError",
    ),
    ("::unauthorized", Family::Credential, "Unauthorized"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    /// The connection, or the exchange over it, failed.
    Connection,
    /// The server failed on its side.
    Server,
    /// The server refused who asked (a 401 or 403 by the client's mapping).
    Credential,
}

impl Family {
    fn holds(self, kind: Kind) -> bool {
        match self {
            Family::Connection => matches!(
                kind,
                Kind::Network
                    | Kind::Timeout
                    | Kind::StreamTruncated
                    | Kind::StreamStalled
                    | Kind::StreamNoDone
                    | Kind::Aborted
            ),
            Family::Server => matches!(kind, Kind::ServerError | Kind::StreamError),
            // Only the request's own shape contradicts a refusal's status: a 401 or 403
            // also carries a model, a balance or a block.
            Family::Credential => !matches!(
                kind,
                Kind::BadRequest
                    | Kind::ParamRejected
                    | Kind::ContextOverflow
                    | Kind::RequestTooLarge
            ),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Family::Connection => "a connection failure",
            Family::Server => "a server error",
            Family::Credential => "a refused credential",
        }
    }
}

/// The label in the text (the body's message and the text around it) that contradicts the
/// verdict's kind, if any.
fn contradicting(text: &str, kind: Kind) -> Option<(&'static str, Family)> {
    LABELS
        .iter()
        .find(|(w, family, _)| !family.holds(kind) && text.contains(w))
        .map(|(_, family, name)| (*name, *family))
}

/// The verdict, said as likely when the client's label alone would have meant another
/// family: the body decided, and the label is the weaker evidence.
pub(super) fn weigh(body: &ErrorBody, context: &str, v: Classification) -> Classification {
    if v.confidence == Confidence::Low {
        return v;
    }
    let text = format!("{} {}", body.message.as_deref().unwrap_or(""), context).to_lowercase();
    match contradicting(&text, v.kind) {
        Some((name, family)) => Classification {
            confidence: Confidence::Low,
            evidence: format!(
                "{}, which outweighs the client's label `{name}` (alone, {})",
                v.evidence,
                family.name()
            ),
            ..v
        },
        None => v,
    }
}

#[cfg(test)]
mod tests {
    use crate::classify::{decide, Confidence, ErrorBody, KNOWN_PARAMS};
    use crate::failure::Kind;

    fn read(message: &str, context: &str) -> (Kind, Confidence) {
        let b = ErrorBody {
            message: Some(message.into()),
            ..Default::default()
        };
        let v = decide(None, &b, KNOWN_PARAMS, context).unwrap();
        (v.kind, v.confidence)
    }

    #[test]
    fn a_body_that_contradicts_the_client_s_label_decides_cautiously() {
        // LiteLLM's APIConnectionError around Bedrock's IAM denial (the IAM wording from
        // AWS's documentation of AccessDeniedException).
        assert_eq!(
            read(
                "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: bedrock:InvokeModel on resource",
                "litellm.APIConnectionError: BedrockException - "
            ),
            (Kind::AccessDenied, Confidence::Low)
        );
        // axios's "Network Error" label around OpenAI's documented quota error.
        assert_eq!(
            read(
                "You exceeded your current quota, please check your plan and billing details.",
                "AxiosError: Network Error"
            )
            .1,
            Confidence::Low
        );
    }

    #[test]
    fn a_credential_label_around_a_bad_request_leaves_the_body_s_reading_likely() {
        // openai-python's AuthenticationError around a 400 whose message names the request.
        assert_eq!(
            read(
                "Invalid value for messages[0].role",
                "openai.AuthenticationError: Error code: 400 - "
            ),
            (Kind::BadRequest, Confidence::Low)
        );
        // Around a refused key it agrees.
        assert_eq!(
            read(
                "Incorrect API key provided: sk-abc***",
                "openai.AuthenticationError: Error code: 401 - "
            ),
            (Kind::Auth, Confidence::High)
        );
    }

    #[test]
    fn a_label_that_agrees_or_is_all_there_is_changes_nothing() {
        assert_eq!(
            read(
                "Connection error.",
                "openai.APIConnectionError: Connection error."
            )
            .0,
            Kind::Network
        );
        assert_eq!(
            read(
                "peer closed connection without sending complete message body (incomplete chunked read)",
                "openai.APIConnectionError: Connection error."
            ),
            (Kind::StreamTruncated, Confidence::High)
        );
        // No label: the body's reading keeps its confidence.
        assert_eq!(
            read("Incorrect API key provided: sk-abc***", ""),
            (Kind::Auth, Confidence::High)
        );
    }
}
