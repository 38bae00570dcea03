//! How requests reach a server: which proxy (if any) and which certificates are trusted.
//! One rule decides the proxy, used both to send and to tell the report what was used.

use crate::redact::url_for_display;
use std::path::PathBuf;

#[derive(Debug, Clone, Default)]
pub enum ProxyChoice {
    /// `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY` (either case), minus `NO_PROXY`: what curl
    /// and the SDKs do, so zencheck sees what the application sees.
    #[default]
    Environment,
    /// `--proxy URL` for every non-loopback host.
    Given(String),
    /// `--no-proxy`.
    Direct,
}

#[derive(Debug, Clone, Default)]
pub struct Transport {
    pub proxy: ProxyChoice,
    /// Extra CA certificates (PEM) to trust beside the system's.
    pub cacert: Option<PathBuf>,
    /// Skip certificate verification (`--insecure`): every report says so.
    pub insecure: bool,
}

/// The largest CA bundle read (system bundles are ~200 KiB).
const CACERT_CAP: u64 = 8 << 20;

impl Transport {
    /// The proxy a request to `url` goes through, or `None` for a direct connection.
    /// Loopback is always direct: a probe of a local server must not leave the machine.
    pub fn proxy_for(&self, url: &url::Url) -> Option<String> {
        let host = url.host_str()?.trim_matches(['[', ']']);
        if is_loopback(host) {
            return None;
        }
        match &self.proxy {
            ProxyChoice::Direct => None,
            ProxyChoice::Given(p) => Some(p.clone()),
            ProxyChoice::Environment => {
                if env_any(&["NO_PROXY", "no_proxy"])
                    .is_some_and(|list| no_proxy_matches(&list, host))
                {
                    return None;
                }
                let scheme = if url.scheme() == "https" {
                    env_any(&["HTTPS_PROXY", "https_proxy"])
                } else {
                    env_any(&["HTTP_PROXY", "http_proxy"])
                };
                scheme.or_else(|| env_any(&["ALL_PROXY", "all_proxy"]))
            }
        }
    }

    /// What the report says about the proxy of `base_url`: the proxy's URL, secrets hidden.
    pub fn shown_proxy(&self, base_url: &str) -> Option<String> {
        let url = url::Url::parse(base_url).ok()?;
        self.proxy_for(&url).map(|p| url_for_display(&p))
    }

    /// Apply the proxy rule and the trust settings to a client under construction.
    pub fn apply(
        &self,
        mut b: reqwest::ClientBuilder,
    ) -> Result<reqwest::ClientBuilder, TransportError> {
        if let ProxyChoice::Given(p) = &self.proxy {
            // Fail now, as a usage error, rather than on every request.
            reqwest::Proxy::all(p.as_str()).map_err(|e| TransportError::BadProxy {
                proxy: url_for_display(p),
                why: e.to_string(),
            })?;
        }
        let me = self.clone();
        b = b.proxy(reqwest::Proxy::custom(move |url| me.proxy_for(url)));
        if let Some(path) = &self.cacert {
            let fail = |why: String| TransportError::Cacert {
                path: path.display().to_string(),
                why,
            };
            let pem = crate::files::read_capped(path, CACERT_CAP).map_err(fail)?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| fail(format!("not a PEM certificate bundle: {e}")))?;
            if certs.is_empty() {
                return Err(fail("it holds no PEM certificate".into()));
            }
            b = b.tls_certs_merge(certs);
        }
        if self.insecure {
            b = b.danger_accept_invalid_certs(true);
        }
        Ok(b)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error("--proxy `{proxy}` is not a proxy URL: {why}")]
    BadProxy { proxy: String, why: String },
    #[error("cannot use the CA file {path}: {why}")]
    Cacert { path: String, why: String },
}

fn env_any(names: &[&str]) -> Option<String> {
    names
        .iter()
        .find_map(|n| std::env::var(n).ok())
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

pub fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.to_ascii_lowercase().ends_with(".localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// curl's `NO_PROXY`: comma-separated hosts or domains (a leading dot optional), `*` for all.
fn no_proxy_matches(list: &str, host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    list.split(',')
        .map(|e| e.trim().trim_start_matches('.').to_ascii_lowercase())
        .filter(|e| !e.is_empty())
        .any(|e| e == "*" || host == e || host.ends_with(&format!(".{e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> url::Url {
        url::Url::parse(s).unwrap()
    }

    #[test]
    fn loopback_is_always_direct() {
        let t = Transport {
            proxy: ProxyChoice::Given("http://proxy:3128".into()),
            ..Default::default()
        };
        for u in [
            "http://127.0.0.1:9/v1",
            "http://localhost/v1",
            "http://[::1]:8/v1",
        ] {
            assert_eq!(t.proxy_for(&url(u)), None, "{u}");
        }
        assert_eq!(
            t.proxy_for(&url("https://api.openai.com/v1")).as_deref(),
            Some("http://proxy:3128")
        );
    }

    #[test]
    fn no_proxy_lists_match_hosts_and_domains() {
        assert!(no_proxy_matches("example.com, .corp.net", "api.corp.net"));
        assert!(no_proxy_matches("example.com", "example.com"));
        assert!(!no_proxy_matches("example.com", "notexample.com"));
        assert!(no_proxy_matches("*", "anything"));
    }

    #[test]
    fn a_proxy_is_shown_without_its_password() {
        let t = Transport {
            proxy: ProxyChoice::Given("http://me:s3cretpw@proxy:3128".into()),
            ..Default::default()
        };
        let shown = t.shown_proxy("https://api.openai.com/v1").unwrap();
        assert!(!shown.contains("s3cretpw"), "{shown}");
    }
}

/// Counts connection attempts in flight, so the wait for response headers can tell "still
/// connecting" (bounded by `--connect-timeout`, reqwest names it when it fires) from "connected
/// and the server is silent" (bounded by `--timeout`). reqwest does not say when a request's
/// connection was made; a connector layer sees every attempt start and end.
#[derive(Clone, Default)]
pub struct ConnectWatch(pub std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl ConnectWatch {
    pub fn connecting(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::SeqCst) > 0
    }
}

impl<S> tower_layer::Layer<S> for ConnectWatch {
    type Service = Counted<S>;
    fn layer(&self, inner: S) -> Counted<S> {
        Counted {
            inner,
            watch: self.clone(),
        }
    }
}

#[derive(Clone)]
pub struct Counted<S> {
    inner: S,
    watch: ConnectWatch,
}

/// Decrements on drop, so an attempt cancelled by a timeout is counted out too.
struct InFlight(ConnectWatch);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0 .0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

impl<S, R> tower_service::Service<R> for Counted<S>
where
    S: tower_service::Service<R>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future =
        std::pin::Pin<Box<dyn std::future::Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: R) -> Self::Future {
        self.watch
            .0
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let guard = InFlight(self.watch.clone());
        let fut = self.inner.call(req);
        Box::pin(async move {
            let out = fut.await;
            drop(guard);
            out
        })
    }
}
