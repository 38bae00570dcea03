//! The gateways zencheck recognises by the headers they add to an answer, so that a fix can
//! name the gateway's own setting. Only a gateway that identifies itself is named; any other
//! gets the general fix.

/// A gateway (reverse proxy, LLM router, CDN) known by its headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gateway {
    Nginx,
    Litellm,
    Cloudflare,
    Kong,
    Envoy,
    /// uvicorn, the server under FastAPI (and so under many hand-written Python proxies).
    Uvicorn,
}

impl Gateway {
    /// The gateway these response headers name, if any. Names are matched lowercased.
    pub fn identify<'a>(headers: impl IntoIterator<Item = (&'a str, &'a str)>) -> Option<Gateway> {
        let mut found = None;
        for (name, value) in headers {
            let name = name.to_ascii_lowercase();
            let value = value.to_ascii_lowercase();
            let g = if name.starts_with("x-litellm") || name.starts_with("llm_provider-") {
                Some(Gateway::Litellm)
            } else if name == "cf-ray" || (name == "server" && value.starts_with("cloudflare")) {
                Some(Gateway::Cloudflare)
            } else if name.starts_with("x-kong") || (name == "via" && value.contains("kong")) {
                Some(Gateway::Kong)
            } else if name.starts_with("x-envoy") || (name == "server" && value == "envoy") {
                Some(Gateway::Envoy)
            } else if name == "server" && value.starts_with("nginx") {
                Some(Gateway::Nginx)
            } else if name == "server" && value.starts_with("uvicorn") {
                Some(Gateway::Uvicorn)
            } else {
                None
            };
            // An LLM router behind a web server names itself in its own headers: it wins.
            found = match (found, g) {
                (Some(Gateway::Litellm), _) => Some(Gateway::Litellm),
                (_, Some(g)) => Some(g),
                (f, None) => f,
            };
        }
        found
    }

    pub fn name(self) -> &'static str {
        match self {
            Gateway::Nginx => "nginx",
            Gateway::Litellm => "LiteLLM",
            Gateway::Cloudflare => "Cloudflare",
            Gateway::Kong => "Kong",
            Gateway::Envoy => "Envoy",
            Gateway::Uvicorn => "uvicorn (FastAPI)",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gateway_is_named_by_its_own_headers_only() {
        let id = |h: &[(&str, &str)]| Gateway::identify(h.iter().copied());
        assert_eq!(id(&[("Server", "nginx/1.22.1")]), Some(Gateway::Nginx));
        assert_eq!(
            id(&[("server", "uvicorn"), ("x-litellm-call-id", "1")]),
            Some(Gateway::Litellm)
        );
        assert_eq!(id(&[("cf-ray", "8a1-AMS")]), Some(Gateway::Cloudflare));
        assert_eq!(id(&[("content-type", "text/event-stream")]), None);
        assert_eq!(id(&[("server", "hypercorn")]), None);
    }
}
