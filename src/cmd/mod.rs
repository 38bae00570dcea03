//! One file per subcommand: `zencheck X` is `cmd/X.rs`. Each takes its parsed arguments
//! from `cli` and returns an exit code or a `RunError`.

pub mod checks;
pub mod demo;
pub mod explain;
pub mod fidelity;
pub mod init;
pub mod manual;
pub mod mcp;
pub mod mock;
pub mod opencode;
pub mod probe;
pub mod report;
pub mod serve;
