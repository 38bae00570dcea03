//! The aspects `zencheck fidelity` compares, typed: each a row of the report under the
//! `fidelity.` family (its id is part of the JSON contract), and the act it reads.

use crate::mock::upstream::Act;

/// One aspect of a gateway's fidelity. Declared in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aspect {
    /// Requests reach the upstream at all (everything else depends on it).
    Route,
    Params,
    Model,
    Usage,
    ToolCall,
    RequestId,
    Headers,
    Pacing,
    /// Compression: what the gateway did with `Content-Encoding` (reads both acts).
    Encoding,
    StreamEnd,
    StreamError,
    StreamCut,
    Status,
    RetryAfter,
    ErrorMessage,
    SilenceHeaders,
    SilenceStream,
}

impl Aspect {
    pub const ALL: [Aspect; 17] = [
        Aspect::Route,
        Aspect::Params,
        Aspect::Model,
        Aspect::Usage,
        Aspect::ToolCall,
        Aspect::RequestId,
        Aspect::Headers,
        Aspect::Pacing,
        Aspect::Encoding,
        Aspect::StreamEnd,
        Aspect::StreamError,
        Aspect::StreamCut,
        Aspect::Status,
        Aspect::RetryAfter,
        Aspect::ErrorMessage,
        Aspect::SilenceHeaders,
        Aspect::SilenceStream,
    ];

    /// Stable id: part of the JSON contract.
    pub fn id(self) -> &'static str {
        match self {
            Aspect::Route => "fidelity.route",
            Aspect::Params => "fidelity.params",
            Aspect::Model => "fidelity.model",
            Aspect::Usage => "fidelity.usage",
            Aspect::ToolCall => "fidelity.tool_call",
            Aspect::RequestId => "fidelity.request_id",
            Aspect::Headers => "fidelity.headers",
            Aspect::Pacing => "fidelity.pacing",
            Aspect::Encoding => "fidelity.encoding",
            Aspect::StreamEnd => "fidelity.stream_end",
            Aspect::StreamError => "fidelity.stream_error",
            Aspect::StreamCut => "fidelity.stream_cut",
            Aspect::Status => "fidelity.status",
            Aspect::RetryAfter => "fidelity.retry_after",
            Aspect::ErrorMessage => "fidelity.error_message",
            Aspect::SilenceHeaders => "fidelity.silence_headers",
            Aspect::SilenceStream => "fidelity.silence_stream",
        }
    }

    /// The act whose exchange the aspect reads first.
    pub fn act(self) -> Act {
        match self {
            Aspect::Route
            | Aspect::Params
            | Aspect::Model
            | Aspect::Usage
            | Aspect::ToolCall
            | Aspect::RequestId => Act::Basic,
            Aspect::Headers | Aspect::Pacing | Aspect::Encoding | Aspect::StreamEnd => Act::Stream,
            Aspect::StreamError => Act::StreamError,
            Aspect::StreamCut => Act::StreamCut,
            Aspect::Status | Aspect::RetryAfter => Act::RateLimit,
            Aspect::ErrorMessage => Act::BadParam,
            Aspect::SilenceHeaders => Act::SilenceHeaders,
            Aspect::SilenceStream => Act::SilenceStream,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_in_the_fidelity_family() {
        let ids: std::collections::HashSet<_> = Aspect::ALL.iter().map(|a| a.id()).collect();
        assert_eq!(ids.len(), Aspect::ALL.len());
        assert!(Aspect::ALL.iter().all(|a| a.id().starts_with("fidelity.")));
    }
}
