//! Writing to the terminal without panicking. `print!` panics when stdout is a closed pipe
//! (`zencheck probe | head -1`) or a full disk; here a closed pipe is a quiet end and any
//! other write error is "could not run" (exit 3). Diagnostics on stderr never fail the run.

use crate::error::RunError;
use std::io::Write;

/// Write `text` to stdout and flush it.
pub fn print(text: &str) -> Result<(), RunError> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::BrokenPipe => RunError::BrokenPipe,
            _ => RunError::Io {
                what: "write to standard output".into(),
                why: e.to_string(),
            },
        })
}

/// `text` and a newline.
pub fn println(text: &str) -> Result<(), RunError> {
    print(&format!("{text}\n"))
}

/// A line on stderr; a closed stderr is ignored (the report on stdout is what matters).
/// It goes above the progress line, if one is drawn.
pub fn warn(text: &str) {
    crate::progress::suspend(|| {
        let _ = writeln!(std::io::stderr().lock(), "{text}");
    });
}
