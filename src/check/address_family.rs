//! `target.address_family`: one address family refuses and the other answers. `localhost`
//! is ::1 and 127.0.0.1; a server bound to 127.0.0.1 refuses ::1, and clients that try one
//! address only (Node.js before 20: promptfoo#160) fail although the server is up. One TCP
//! connect to each family, no HTTP request: a row only when one refuses and the other
//! accepts, naming which works and the URL to use.

use super::spec::{Derive, Judge, Spec};
use crate::failure::Kind;
use crate::finding::Finding;
use crate::target::Target;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

pub const SPEC: Spec = Spec {
    proves: "one address family refuses while the other accepts (localhost and ::1)",
    ..Spec::target(
        "target.address_family",
        None,
        None,
        // Said by the probe after its connects (`tell`), never from the target alone.
        Judge::Derived(Derive::FromTarget(|_| None)),
    )
};

/// How long one connect may take: refusals are immediate, and a silence says nothing here.
const CONNECT: Duration = Duration::from_secs(2);

/// What a connect to one address did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    Accepts,
    Refuses,
    /// Unreachable, timed out, another error: no evidence either way.
    Unknown,
}

async fn connect(addr: SocketAddr) -> Reach {
    match tokio::time::timeout(CONNECT, tokio::net::TcpStream::connect(addr)).await {
        Ok(Ok(_)) => Reach::Accepts,
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => Reach::Refuses,
        _ => Reach::Unknown,
    }
}

/// The finding for `target`, if one family refuses and the other accepts. `direct`: no proxy
/// carries the target's requests (a proxy makes this machine's connects irrelevant).
pub async fn tell(target: &Target, direct: bool) -> Option<Finding> {
    let url = url::Url::parse(&target.base_url).ok()?;
    let port = url.port_or_known_default()?;
    let (given, other) = match url.host()? {
        url::Host::Ipv4(a) if a.is_loopback() => (IpAddr::V4(a), IpAddr::V6(Ipv6Addr::LOCALHOST)),
        url::Host::Ipv6(a) if a.is_loopback() => (IpAddr::V6(a), IpAddr::V4(Ipv4Addr::LOCALHOST)),
        url::Host::Domain(name) if direct => return by_name(&url, name, port).await,
        _ => return None,
    };
    // A loopback literal that refuses: does the other loopback answer?
    if connect(SocketAddr::new(given, port)).await != Reach::Refuses {
        return None;
    }
    if connect(SocketAddr::new(other, port)).await != Reach::Accepts {
        return None;
    }
    Some(Finding::fail(
        Kind::AddressFamily,
        format!(
            "nothing listens on {} port {port} (connection refused), but {} port {port} accepts: the server listens on {} only. Use {}",
            shown(given),
            shown(other),
            family(other),
            with_host(&url, other)
        ),
    ))
}

/// A name with addresses of both families: connect to the first of each.
async fn by_name(url: &url::Url, name: &str, port: u16) -> Option<Finding> {
    let lookup = tokio::net::lookup_host((name, port));
    let addrs: Vec<SocketAddr> = tokio::time::timeout(CONNECT, lookup).await.ok()?.ok()?.collect();
    let v6 = addrs.iter().find(|a| a.is_ipv6()).copied()?;
    let v4 = addrs.iter().find(|a| a.is_ipv4()).copied()?;
    let (r6, r4) = tokio::join!(connect(v6), connect(v4));
    let (works, refuses) = match (r6, r4) {
        (Reach::Refuses, Reach::Accepts) => (v4.ip(), v6.ip()),
        (Reach::Accepts, Reach::Refuses) => (v6.ip(), v4.ip()),
        _ => return None,
    };
    Some(Finding::warn(
        Kind::AddressFamily,
        format!(
            "{name} resolves to {} and {}; {} refuses connections on port {port} while {} accepts: zencheck fell back to it, but clients that try one address only (Node.js before 20, promptfoo#160) fail with ECONNREFUSED. Use {}",
            shown(v6.ip()),
            shown(v4.ip()),
            shown(refuses),
            shown(works),
            with_host(url, works)
        ),
    ))
}

fn family(ip: IpAddr) -> &'static str {
    if ip.is_ipv6() {
        "IPv6"
    } else {
        "IPv4"
    }
}

fn shown(ip: IpAddr) -> String {
    match ip {
        IpAddr::V6(a) => format!("[{a}]"),
        IpAddr::V4(a) => a.to_string(),
    }
}

/// The base URL with the address that works as its host.
fn with_host(url: &url::Url, ip: IpAddr) -> String {
    let mut u = url.clone();
    let _ = u.set_ip_host(ip);
    u.to_string().trim_end_matches('/').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fix_names_the_address_that_works() {
        let u = url::Url::parse("http://localhost:11434/v1").unwrap();
        assert_eq!(
            with_host(&u, IpAddr::V4(Ipv4Addr::LOCALHOST)),
            "http://127.0.0.1:11434/v1"
        );
        assert_eq!(
            with_host(&u, IpAddr::V6(Ipv6Addr::LOCALHOST)),
            "http://[::1]:11434/v1"
        );
    }
}
