//! `zencheck mock`: serve one built-in faulty provider on 127.0.0.1 until Ctrl-C, or list
//! the scenarios.

use crate::cli::MockArgs;
use crate::error::{RunError, EXIT_OK};
use crate::{mock, out};

pub async fn command(args: &MockArgs) -> Result<u8, RunError> {
    if args.list {
        out::print(&mock::scenario_list(crate::fit::line_width()))?;
        return Ok(EXIT_OK);
    }
    let name = args
        .scenario
        .as_deref()
        .or(args.scenario_name.as_deref())
        .unwrap_or_default();
    let scenario = mock::Scenario::from_name(name).ok_or_else(|| RunError::UnknownScenario {
        name: crate::redact::strip_controls(name),
        help: mock::closest_hint(name),
    })?;
    let opts = mock::Options {
        latency: std::time::Duration::from_millis(args.latency_ms),
        extra_models: args.models.clone(),
    };
    let server = mock::start_with(scenario, args.port, opts)
        .await
        .map_err(|e| RunError::Mock(e.to_string()))?;
    out::println(&format!(
        "zencheck mock: scenario `{name}` listening on {}",
        server.base_url()
    ))?;
    out::println(&format!(
        "try: zencheck probe --base-url {} --model {}",
        server.base_url(),
        crate::cmd::demo::DEMO_MODEL
    ))?;
    let _ = tokio::signal::ctrl_c().await;
    Ok(EXIT_OK)
}
