//! `zencheck serve`: the config's targets as a Prometheus exporter, until SIGTERM or
//! Ctrl-C; then in-flight probes drain and it exits 0.

use crate::cli::ServeArgs;
use crate::error::{RunError, EXIT_OK};
use crate::serve::start;

/// `zencheck serve`: run until SIGTERM (or Ctrl-C), drain, exit 0.
pub async fn command(args: &ServeArgs) -> Result<u8, RunError> {
    let server = start(args).await?;
    eprintln!(
        "zencheck serve: listening on http://{} (GET /probe?target=NAME&module=catalog|chat|stream|full, /metrics, /report?target=NAME[&module=M], /-/healthy)",
        server.addr
    );
    shutdown_signal().await;
    eprintln!("zencheck serve: stopping; draining in-flight probes");
    server.stop().await;
    Ok(EXIT_OK)
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
