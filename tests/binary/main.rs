//! The real-binary tier: `zencheck` as a user or CI runs it (`assert_cmd`, or
//! `std::process::Command` on `CARGO_BIN_EXE_zencheck`), on pipes and on pseudo-terminals,
//! against the built-in mock and hostile servers on 127.0.0.1: exit codes, stdout and
//! stderr, every report format against the committed schema, signals, no key in any
//! output, and insta snapshots of the table (`snapshots/`, named `binary__MODULE__NAME`).
//!
//! One binary, one module per subject (`cargo test --test binary terminal::`). What a test
//! needs in the environment it gives the child process (`Command::env`), never this one.

#[path = "../common/mod.rs"]
mod common;

mod action;
mod cli;
mod deadline;
mod explain;
mod fidelity;
mod help;
mod hostile;
mod install;
mod leaks;
mod mcp_stdio;
mod newcomer;
mod openai_env;
mod opencode_auth;
mod opencode_bounds;
mod outputs;
mod progress;
mod repeat;
mod reports;
mod serve_hostile;
mod table_snapshots;
mod table_width;
mod terminal;
mod verbose_hostile;
mod wrong_turns;
