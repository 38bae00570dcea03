//! `zencheck opencode run-check`: `opencode run --format json` as a wrapper script uses it.
//!
//! Its exit code is not to be trusted (versions before 1.18 exit 0 on provider errors), and
//! piped stdout is cut at 64 KiB, so stdout goes to a file and the JSON events decide.

use super::OpencodeCheck;
use super::{read_error, ModelRef};
use crate::check::PROMPT;
use crate::error::RunError;
use crate::failure::{HintContext, Kind};
use crate::finding::{Finding, Timing};
use crate::fit::excerpt;
use crate::report::{CheckResult, TargetRun};
use crate::target::TargetInfo;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Cap on what is read back from opencode's output file.
const OUTPUT_CAP: u64 = 8 << 20;
/// opencode is killed when its stdout or stderr file grows past this.
const DISK_CAP: u64 = 64 << 20;

pub struct RunCheck {
    pub model: ModelRef,
    pub bin: PathBuf,
    pub dir: PathBuf,
    pub timeout: Duration,
}

/// The binary to run: `--opencode-bin`, else `opencode` on PATH.
pub fn find_bin(explicit: Option<&Path>) -> Result<PathBuf, RunError> {
    if let Some(p) = explicit {
        return Ok(p.to_path_buf());
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join("opencode"))
        .find(|p| p.is_file())
        .ok_or_else(|| RunError::Io {
            what: "find opencode".into(),
            why: "no `opencode` on PATH: install it (npm i -g opencode-ai) or pass --opencode-bin"
                .into(),
        })
}

pub async fn check(rc: &RunCheck) -> Result<TargetRun, RunError> {
    let io = |what: &str, e: std::io::Error| RunError::Io {
        what: what.to_string(),
        why: e.to_string(),
    };
    let out = tempfile::NamedTempFile::new().map_err(|e| io("create a temporary file", e))?;
    let err = tempfile::NamedTempFile::new().map_err(|e| io("create a temporary file", e))?;
    let model = rc.model.to_string();
    let mut cmd = tokio::process::Command::new(&rc.bin);
    cmd.args(["run", "--format", "json", "-m", &model, PROMPT])
        .current_dir(&rc.dir)
        .stdin(std::process::Stdio::null())
        .stdout(out.reopen().map_err(|e| io("open the output file", e))?)
        .stderr(err.reopen().map_err(|e| io("open the output file", e))?)
        .kill_on_drop(true);
    let started = Instant::now();
    let mut child = cmd
        .spawn()
        .map_err(|e| io(&format!("run {}", rc.bin.display()), e))?;
    // Wait for the exit, the timeout, or output beyond any sane answer (it goes to disk).
    let deadline = tokio::time::Instant::now() + rc.timeout;
    let mut watch = tokio::time::interval(Duration::from_millis(100));
    let mut runaway = false;
    let exit = loop {
        tokio::select! {
            status = child.wait() => match status {
                Ok(status) => break Some(status.code()),
                Err(e) => return Err(io("wait for opencode", e)),
            },
            _ = tokio::time::sleep_until(deadline) => break None,
            _ = watch.tick() => {
                let size = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len());
                if size(out.path()).max(size(err.path())) > DISK_CAP {
                    runaway = true;
                    break None;
                }
            }
        }
    };
    if exit.is_none() {
        let _ = child.kill().await;
    }
    let ms = started.elapsed().as_millis() as u64;
    let (stdout, more) = read_capped(out.path());
    let (stderr, _) = read_capped(err.path());
    let mut finding = match judge(&stdout, &stderr, exit, rc.timeout) {
        f if runaway && f.kind == Some(Kind::Timeout) => Finding::fail(
            Kind::BadResponse,
            format!(
                "opencode run printed more than {} MiB without finishing (killed)",
                DISK_CAP >> 20
            ),
        ),
        f => f,
    }
    .with_timing(Timing {
        total: Some(ms),
        ..Default::default()
    });
    if more && finding.status != crate::finding::Status::Pass {
        finding.detail.push_str(&format!(
            "; opencode printed more than {} MiB, the rest was not read",
            OUTPUT_CAP >> 20
        ));
    }
    let cx = HintContext {
        model: Some(&model),
        opencode_provider: Some(&rc.model.provider),
        check: OpencodeCheck::Run.hint(),
        ..Default::default()
    };
    let checks = vec![CheckResult::from_finding(
        "opencode run",
        OpencodeCheck::Run.id(),
        OpencodeCheck::Run.endpoint(),
        finding,
        &cx,
    )];
    let info = TargetInfo {
        name: "opencode run".into(),
        provider: None,
        base_url: rc.bin.display().to_string(),
        api_key_env: None,
        api_key_present: false,
        models: vec![model],
        ..Default::default()
    };
    Ok(TargetRun {
        info,
        models_available: None,
        require: vec![],
        checks,
        secrets: vec![],
        spent: Default::default(),
    })
}

/// At most `OUTPUT_CAP` bytes of the file, and whether there was more.
fn read_capped(p: &Path) -> (String, bool) {
    use std::io::Read;
    let mut s = Vec::new();
    if let Ok(f) = std::fs::File::open(p) {
        let _ = f.take(OUTPUT_CAP + 1).read_to_end(&mut s);
    }
    let more = s.len() as u64 > OUTPUT_CAP;
    s.truncate(OUTPUT_CAP as usize);
    let text =
        String::from_utf8(s).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    (text, more)
}

/// Longest line of opencode's output that is parsed: an event of a tiny prompt is far
/// smaller, and parsing is what could cost memory beyond the output cap.
const LINE_CAP: usize = 1 << 20;
/// Cap on the answer's text kept for the report (which shows 40 characters of it).
const TEXT_CAP: usize = 4 << 10;

/// The events the verdict needs, folded line by line so that memory stays bounded
/// whatever opencode prints: the answer's text (capped), the last `step_finish` and the
/// first `error`.
#[derive(Default)]
struct Events {
    count: usize,
    text: String,
    finish: Option<Value>,
    error: Option<Value>,
}

fn fold(stdout: &str) -> Events {
    let mut ev = Events::default();
    for line in stdout.lines().filter(|l| l.len() <= LINE_CAP) {
        let Ok(e) = serde_json::from_str::<Value>(line.trim()) else {
            continue;
        };
        ev.count += 1;
        match e.get("type").and_then(Value::as_str) {
            Some("text") => {
                let t = e
                    .pointer("/part/text")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                let room = TEXT_CAP.saturating_sub(ev.text.len());
                ev.text.extend(t.chars().take(room));
            }
            Some("step_finish") => ev.finish = Some(e),
            Some("error") if ev.error.is_none() => ev.error = Some(e),
            _ => {}
        }
    }
    ev
}

/// Judge opencode's JSON lines and exit code. `exit` is `None` after a timeout, and
/// `Some(None)` when the process was killed by a signal.
pub fn judge(stdout: &str, stderr: &str, exit: Option<Option<i32>>, timeout: Duration) -> Finding {
    let Events {
        count,
        text,
        finish,
        error,
    } = fold(stdout);
    let code = exit.flatten();
    if let Some(e) = &error {
        let oc = read_error(e.get("error").unwrap_or(&Value::Null));
        let mut f = oc.finding("opencode run printed an error event");
        if code == Some(0) {
            f.detail.push_str(
                "; opencode exited 0, so a script that trusts its exit code sees success",
            );
        }
        return f;
    }
    let Some(code) = exit else {
        return Finding::fail(
            Kind::Timeout,
            format!(
                "opencode run did not finish within {} s (killed)",
                timeout.as_secs()
            ),
        );
    };
    if code != Some(0) {
        let why = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no message on stderr");
        return Finding::fail(
            Kind::BadResponse,
            format!(
                "opencode run exited {} without an error event: {}",
                code.map_or("by a signal".into(), |c| c.to_string()),
                excerpt(why, 160)
            ),
        );
    }
    if text.trim().is_empty() {
        let stray = if stdout.trim().is_empty() {
            "no output at all".to_string()
        } else {
            format!("{count} events, no text")
        };
        return Finding::fail(
            Kind::BadResponse,
            format!("opencode run exited 0 with {stray}"),
        );
    }
    let usage = finish
        .as_ref()
        .and_then(|f| f.pointer("/part/tokens"))
        .map(|t| {
            format!(
                " · {} tokens",
                crate::check::token_counts(t, ("input", "output"))
            )
        })
        .unwrap_or_default();
    let cost = finish
        .as_ref()
        .and_then(|f| f.pointer("/part/cost"))
        .map(|c| format!(" · cost {c}"))
        .unwrap_or_default();
    Finding::pass(format!("\"{}\"{usage}{cost}", excerpt(&text, 40)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Status;

    const T: Duration = Duration::from_secs(60);
    const ERROR_LINE: &str = r#"{"type":"error","timestamp":1,"sessionID":"ses_1","error":{"name":"APIError","data":{"message":"Incorrect API key provided","statusCode":401,"isRetryable":false,"responseBody":"{\"error\":{\"message\":\"Incorrect API key provided\",\"code\":\"invalid_api_key\"}}"}}}"#;

    #[test]
    fn an_error_event_with_exit_0_is_a_failure_that_says_so() {
        let f = judge(ERROR_LINE, "", Some(Some(0)), T);
        assert_eq!((f.status, f.kind), (Status::Fail, Some(Kind::Auth)));
        assert!(f.detail.contains("exited 0"), "{}", f.detail);
        assert_eq!(
            judge(ERROR_LINE, "", Some(Some(1)), T).kind,
            Some(Kind::Auth)
        );
    }

    #[test]
    fn a_good_run_reports_text_tokens_and_cost() {
        let out = "{\"type\":\"step_start\"}\n{\"type\":\"text\",\"part\":{\"text\":\"pong\"}}\n{\"type\":\"step_finish\",\"part\":{\"reason\":\"stop\",\"tokens\":{\"input\":10,\"output\":1},\"cost\":0.0002}}\n";
        let f = judge(out, "", Some(Some(0)), T);
        assert_eq!(f.status, Status::Pass, "{}", f.detail);
        assert!(f.detail.contains("10+1 tokens") && f.detail.contains("cost 0.0002"));
    }

    #[test]
    fn only_what_the_verdict_needs_is_kept() {
        let text = "{\"type\":\"text\",\"part\":{\"text\":\"pong pong \"}}\n";
        let huge = format!(
            "{{\"type\":\"error\",\"pad\":\"{}\"}}\n",
            "x".repeat(LINE_CAP)
        );
        let out = format!("{huge}{}{ERROR_LINE}\n{ERROR_LINE}\n", text.repeat(2000));
        let ev = fold(&out);
        assert_eq!(ev.count, 2002, "the over-long line is not parsed");
        assert_eq!(ev.text.len(), TEXT_CAP);
        assert_eq!(judge(&out, "", Some(Some(1)), T).kind, Some(Kind::Auth));
    }

    #[test]
    fn silence_crashes_and_timeouts() {
        assert_eq!(
            judge("", "", Some(Some(0)), T).kind,
            Some(Kind::BadResponse)
        );
        assert!(judge("", "Error: boom\n", Some(Some(2)), T)
            .detail
            .contains("boom"));
        assert_eq!(judge("", "", None, T).kind, Some(Kind::Timeout));
    }
}
