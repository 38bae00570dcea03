//! The in-process tier: zencheck's own functions (`probe_report`, the exporter, the opencode
//! serve check) called in this process, against real HTTP servers on 127.0.0.1: the
//! built-in mock in every scenario, and small axum or raw TCP servers written beside each
//! test for the ways real servers misbehave that the mock does not imitate. The fastest
//! tier, and the one a new check's verdicts are tested in first.
//!
//! One binary, one module per subject (`cargo test --test in_process probe::`). The tests
//! share this process: none may change process-wide state (environment, current
//! directory, signal handlers) that another reads; see `common::set_env` for the one
//! exception and why it is safe.

#[path = "../common/mod.rs"]
mod common;

mod client_profiles;
mod context;
mod deny_words;
mod diagnosis;
mod encoding;
mod fidelity;
mod field_checks;
mod field_failures;
mod host_limit;
mod layout;
mod opencode;
mod pacing;
mod params;
mod probe;
mod probe_misses;
mod reasoning;
mod reasoning_variants;
mod reference;
mod second_turns;
mod serve;
mod shapes;
mod stream_errors;
mod structured_variants;
mod tool_variants;
