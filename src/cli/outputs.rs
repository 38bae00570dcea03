//! Where one run's reports go: the terminal report (or `-o FILE`) and any of `--json`,
//! `--junit`, `--markdown`, `--html` beside it, all rendered from the one `Report`. Every path is
//! checked before the first request is sent, so a typo does not waste a paid run, and each
//! file is written whole (a temporary file in the same folder, renamed into place).

use crate::cli::{Format, OutputArgs};
use crate::error::RunError;
use crate::report::{self, Report};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The format `-o FILE` implies when `--format` is not given: `.json`, `.xml` (JUnit),
/// `.md`/`.markdown`, `.html`/`.htm`; anything else is the table.
pub fn format_for(format: Option<Format>, output: Option<&Path>) -> Format {
    if let Some(f) = format {
        return f;
    }
    let ext = output
        .and_then(Path::extension)
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("json") => Format::Json,
        Some("xml") => Format::Junit,
        Some("md" | "markdown") => Format::Markdown,
        Some("html" | "htm") => Format::Html,
        _ => Format::Table,
    }
}

/// One file to write at the end of the run, already proven writable.
struct Sink {
    format: Format,
    path: PathBuf,
    how: How,
}

enum How {
    /// A regular file (or a new one): written to a temporary file beside it, then renamed.
    Replace(tempfile::NamedTempFile, PathBuf),
    /// Something that is not a regular file (`/dev/stdout`, a pipe): written in place.
    InPlace(std::fs::File),
}

/// The outputs of one run, validated; `emit` writes them.
pub struct Plan {
    /// The main report: to stdout, or to `-o FILE` (then a short summary goes to stdout).
    main: Format,
    main_file: Option<usize>,
    sinks: Vec<Sink>,
    /// `-q`: a table on stdout shrinks to the verdict, and written files are not listed.
    quiet: bool,
    /// `--all`: the table shows every check, not one line per model for what passed.
    all: bool,
}

impl Plan {
    /// Check every path now: a folder that exists, not a folder itself, writable, and no
    /// path given twice.
    pub fn prepare(
        format: Option<Format>,
        output: Option<&Path>,
        extra: &OutputArgs,
    ) -> Result<Plan, RunError> {
        let main = format_for(format, output);
        let mut wanted: Vec<(Format, &Path)> = Vec::new();
        if let Some(o) = output {
            wanted.push((main, o));
        }
        for (f, p) in [
            (Format::Json, &extra.json),
            (Format::Junit, &extra.junit),
            (Format::Markdown, &extra.markdown),
            (Format::Html, &extra.html),
        ] {
            if let Some(p) = p {
                wanted.push((f, p));
            }
        }
        let mut sinks = Vec::new();
        for (format, path) in wanted {
            let sink = sink(format, path)?;
            if sinks.iter().any(|s: &Sink| same_file(&s.path, &sink.path)) {
                return Err(RunError::Usage(format!(
                    "{} is given for two reports; give each its own file",
                    path.display()
                )));
            }
            sinks.push(sink);
        }
        Ok(Plan {
            main,
            main_file: output.map(|_| 0),
            sinks,
            quiet: false,
            all: extra.all,
        })
    }

    /// `-q/--quiet`: only the verdict line (the summary and, when failed, why).
    pub fn quiet(mut self, quiet: bool) -> Plan {
        self.quiet = quiet;
        self
    }

    /// The main report's format.
    pub fn format(&self) -> Format {
        self.main
    }

    /// The main report goes to the terminal (not to `-o FILE`).
    pub fn to_stdout(&self) -> bool {
        self.main_file.is_none()
    }

    /// Write every report of `report`; the exit code follows its outcome. `color` applies
    /// to a table printed on the terminal, never to a file.
    pub fn emit(self, report: &Report, color: bool) -> Result<u8, RunError> {
        let to_stdout = self.to_stdout();
        let verdict = if report.failed() {
            crate::error::EXIT_CHECK_FAILED
        } else {
            crate::error::EXIT_OK
        };
        // A reader that stops early (`| head`) still gets the verdict as the exit code.
        let shown = |r: Result<(), RunError>| match r {
            Err(RunError::BrokenPipe) => Ok(false),
            other => other.map(|()| true),
        };
        let main = if self.quiet && self.main == Format::Table {
            verdict_lines(report)
        } else {
            render_with(report, self.main, color, self.all)
        };
        if to_stdout && !shown(crate::out::print(&main))? {
            return Ok(verdict);
        }
        let mut written = Vec::new();
        for s in self.sinks {
            write(
                s.how,
                &s.path,
                &render_with(report, s.format, false, self.all),
            )?;
            written.push(s.path);
        }
        let mut summary = Vec::new();
        if !to_stdout {
            summary.push(report.summary.line(report.compared_with()));
            if report.failed() {
                summary.push(format!("FAILED: {}", report.outcome.reasons.join("; ")));
            }
        }
        for p in written.iter().filter(|_| !self.quiet) {
            let line = format!("report written to {}", p.display());
            if to_stdout {
                // stdout carries only the report, so `--format json | jq` keeps working.
                crate::out::warn(&line);
            } else {
                summary.push(line);
            }
        }
        if !summary.is_empty() {
            shown(crate::out::println(&summary.join("\n")))?;
        }
        Ok(verdict)
    }
}

/// The verdict alone, as the table ends: the summary line and, when the run failed, why.
pub fn verdict_lines(report: &Report) -> String {
    let mut out = format!("{}\n", report.summary.line(report.compared_with()));
    if report.failed() {
        out.push_str(&format!("FAILED: {}\n", report.outcome.reasons.join("; ")));
    }
    out
}

/// A report in one format, exactly as every writer of that format writes it.
pub fn render(report: &Report, format: Format, color: bool) -> String {
    render_with(report, format, color, false)
}

/// [`render`], with `all`: a table with every check on its own row (`--all`).
pub fn render_with(report: &Report, format: Format, color: bool, all: bool) -> String {
    match format {
        Format::Table => report::render_table_with(
            report,
            color,
            report::Layout {
                all,
                ..Default::default()
            },
        ),
        Format::Json => report.to_json() + "\n",
        Format::Junit => report::render_junit(report),
        Format::Markdown => report::render_markdown(report),
        Format::Github => report::render_github(report),
        Format::Html => report::render_html(report),
    }
}

fn io(what: String, e: impl std::fmt::Display) -> RunError {
    RunError::Io {
        what,
        why: e.to_string(),
    }
}

fn sink(format: Format, path: &Path) -> Result<Sink, RunError> {
    let shown = path.display();
    let meta = std::fs::metadata(path).ok();
    if meta.as_ref().is_some_and(|m| m.is_dir()) {
        return Err(RunError::Usage(format!(
            "{shown} is a folder; give a file name for the report"
        )));
    }
    if meta.as_ref().is_some_and(|m| !m.is_file()) {
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(|e| io(format!("open {shown} for the report"), e))?;
        return Ok(Sink {
            format,
            path: path.to_path_buf(),
            how: How::InPlace(f),
        });
    }
    // Through a symlink, the file it points at is the one replaced.
    let target = if meta.is_some() {
        std::fs::canonicalize(path).map_err(|e| io(format!("resolve {shown}"), e))?
    } else {
        path.to_path_buf()
    };
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(RunError::Usage(format!(
            "cannot write {shown}: the folder {} does not exist",
            dir.display()
        )));
    }
    let tmp = tempfile::Builder::new()
        .prefix(".zencheck-")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(|e| io(format!("write a report in {}", dir.display()), e))?;
    Ok(Sink {
        format,
        path: path.to_path_buf(),
        how: How::Replace(tmp, target),
    })
}

fn write(how: How, path: &Path, text: &str) -> Result<(), RunError> {
    let what = || format!("write {}", path.display());
    match how {
        How::InPlace(mut f) => f.write_all(text.as_bytes()).map_err(|e| io(what(), e)),
        How::Replace(mut tmp, target) => {
            tmp.write_all(text.as_bytes())
                .and_then(|_| tmp.flush())
                .map_err(|e| io(what(), e))?;
            tmp.persist(&target).map_err(|e| io(what(), e.error))?;
            Ok(())
        }
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    a == b || canon(a) == canon(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_extension_names_the_format_unless_format_is_given() {
        let f = |p: &str| format_for(None, Some(Path::new(p)));
        assert_eq!(f("r.json"), Format::Json);
        assert_eq!(f("r.XML"), Format::Junit);
        assert_eq!(f("r.md"), Format::Markdown);
        assert_eq!(f("r.HTML"), Format::Html);
        assert_eq!(f("r.txt"), Format::Table);
        assert_eq!(
            format_for(Some(Format::Table), Some(Path::new("r.json"))),
            Format::Table
        );
        assert_eq!(format_for(None, None), Format::Table);
    }

    #[test]
    fn bad_paths_are_refused_before_anything_runs() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no/such/r.json");
        let err = Plan::prepare(None, Some(&missing), &OutputArgs::default())
            .err()
            .unwrap();
        assert!(err.to_string().contains("does not exist"), "{err}");
        let err = Plan::prepare(None, Some(dir.path()), &OutputArgs::default())
            .err()
            .unwrap();
        assert!(err.to_string().contains("is a folder"), "{err}");
        let same = dir.path().join("r.json");
        let extra = OutputArgs {
            json: Some(same.clone()),
            ..Default::default()
        };
        let err = Plan::prepare(None, Some(&same), &extra).err().unwrap();
        assert!(err.to_string().contains("two reports"), "{err}");
        assert!(!same.exists(), "nothing is written before the run");
    }
}
