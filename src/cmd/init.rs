//! `zencheck init`: write the commented example config, since a user with only the binary
//! cannot see `zencheck.example.toml`. Never overwrites.

use crate::cli::InitArgs;
use crate::error::RunError;
use std::io::Write;

pub const EXAMPLE: &str = include_str!("../../zencheck.example.toml");

pub fn command(args: &InitArgs) -> Result<u8, RunError> {
    let shown = args.path.display();
    // create_new: an existing file (or a symlink to one) is never replaced.
    let mut f = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&args.path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(RunError::Usage(format!(
                "{shown} already exists; zencheck init does not overwrite it (remove it, or give another path)"
            )))
        }
        Err(e) => {
            return Err(RunError::Io {
                what: format!("create {shown}"),
                why: e.to_string(),
            })
        }
    };
    f.write_all(EXAMPLE.as_bytes()).map_err(|e| RunError::Io {
        what: format!("write {shown}"),
        why: e.to_string(),
    })?;
    crate::out::println(&format!(
        "wrote {shown}: edit its [targets.*], then run `zencheck probe`"
    ))?;
    Ok(crate::error::EXIT_OK)
}
