//! The real-peers tier: zencheck against software this project did not write, installed
//! and started by `.ci/run` (or by the test itself) on 127.0.0.1 and kept offline: the
//! LiteLLM proxy, opencode, Prometheus, the official MCP Python SDK (the client of
//! `zencheck mcp`), headless Chromium (the reader of the HTML report), llama.cpp's server
//! with a small model. Each module finds its peer through an environment variable or PATH
//! and is skipped without it, unless `ZENCHECK_REQUIRE_PEERS=1` (set by CI) makes a missing
//! peer a failure.
//!
//! A new peer is a new module here, with the same skip rule.

#[path = "../common/mod.rs"]
mod common;

mod browser;
mod litellm;
mod litellm_fidelity;
mod mcp;
mod model_server;
mod nginx;
mod opencode;
mod prometheus;

/// The machine's CPU, shared between the peers: they run side by side, except the model
/// server, which has it alone. Its decoding on one thread (a real CPU server's pace) met
/// 30 s header timeouts when LiteLLM, opencode, Chromium and nginx started beside it on a
/// two-core CI machine; alone it answers in a few seconds a request. Every other test of
/// this tier takes a shared turn first.
pub static CPU: tokio::sync::RwLock<()> = tokio::sync::RwLock::const_new(());

/// The value of `var`, or None when it is unset or empty: the peer is not there, and the
/// test is skipped (see [`peer_missing`]).
pub fn peer_var(var: &str, what: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Some(v),
        _ => {
            peer_missing(
                &format!("{var} is not set (see .ci/run)"),
                &format!("set {var} to {what}"),
            );
            None
        }
    }
}

/// A peer that is not there: a skip that says `how` to provide it, or under
/// `ZENCHECK_REQUIRE_PEERS=1` (CI) a failure saying what is `missing`. The skip is written
/// to the process's stderr itself, past the test harness's capture (which takes `eprintln!`
/// and shows it only for a failing test), so a plain `cargo test` shows which peer test
/// passed without its peer.
pub fn peer_missing(missing: &str, how: &str) {
    use std::io::Write;
    assert!(
        std::env::var("ZENCHECK_REQUIRE_PEERS").as_deref() != Ok("1"),
        "ZENCHECK_REQUIRE_PEERS=1 but {missing}"
    );
    let test = std::thread::current()
        .name()
        .map_or(String::new(), |t| format!(" {t}"));
    let _ = writeln!(std::io::stderr(), "skipped{test}: {how}");
}

/// A peer's binary: `var` when it is set, else the first of `names` on PATH (or in the
/// folders `also_in` after it); when there is none, the peer is missing (see
/// [`peer_missing`]), and `package` is the Debian package `.ci/run` installs it from.
pub fn peer_bin(
    var: &str,
    names: &[&str],
    also_in: &[&str],
    package: &str,
) -> Option<std::path::PathBuf> {
    use std::path::PathBuf;
    let on_path = std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .chain(also_in.iter().map(PathBuf::from))
            .flat_map(|d| names.iter().map(move |n| d.join(n)))
            .find(|f| f.is_file())
    });
    let found = std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or(on_path)
        .filter(|f| f.is_file());
    if found.is_none() {
        peer_missing(
            &format!(
                "no {} binary: `apt-get install {package}` did not run or failed (see .ci/run's \
                 output), and {var} is not set",
                names[0]
            ),
            &format!("install Debian's {package} package or set {var}"),
        );
    }
    found
}

/// A peer's process, killed when the test ends, however it ends.
pub struct Running(pub std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
