//! GitHub Actions workflow commands: one `::error` per check that fails the run, one
//! `::warning` per warning (and, under `--fail-on new`, per tolerated known failure). The
//! title names the check and model, the message the kind, the evidence and the fix. The
//! report is already scrubbed of secrets; server text is stripped of control characters and
//! every line break is escaped, so nothing a server says can start a workflow command.

use super::{CheckResult, Report};

pub fn render_github(r: &Report) -> String {
    let mut out = String::new();
    for c in &r.checks {
        let level = if r.counts_as_failure(c) {
            "error"
        } else if c.status.is_problem() {
            "warning"
        } else {
            continue;
        };
        let title = match &c.model {
            Some(m) => format!("zencheck {}: {} ({m})", c.target, c.check),
            None => format!("zencheck {}: {}", c.target, c.check),
        };
        out.push_str(&format!(
            "::{level} title={}::{}\n",
            property(&title),
            data(&message(c, r.compared_with()))
        ));
    }
    out
}

fn message(c: &CheckResult, with: crate::policy::ComparedWith) -> String {
    let status = if c.is_known() {
        format!("{} ({})", c.status.as_str(), with.known())
    } else {
        c.status.as_str().to_string()
    };
    let head = match (c.kind, &c.title) {
        (Some(k), Some(t)) => format!("{status} [{}] {t}", k.code()),
        _ => format!("{status} {}", c.check),
    };
    format!("{head}\n{}", super::evidence_and_fix(c))
}

/// A command's message: `%`, CR and LF escaped as the runner expects.
fn data(s: &str) -> String {
    crate::redact::strip_controls(&s.replace('\r', ""))
        .replace('%', "%25")
        .replace('\n', "%0A")
}

/// A command's property value: as `data`, and `:` and `,` too.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::failure::Kind;
    use crate::finding::Status;
    use crate::report::tests::{row, run};

    #[test]
    fn one_command_per_line_whatever_the_server_said() {
        let mut c = row("t", "chat.basic", Status::Fail, Some(Kind::ServerError));
        c.provider_message = Some("bad\n::error title=x::injected\r\n50% off".into());
        let mut w = row("t", "chat.stream", Status::Warn, Some(Kind::StreamNoDone));
        w.model = None;
        let pass = row("t", "models.list", Status::Pass, None);
        let out = render_github(&Report::new(vec![run("t", vec![c, w, pass])]));
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2, "{out}");
        assert!(
            lines[0].starts_with("::error title=zencheck t%3A chat.basic (m)::fail [server_error]")
        );
        assert!(
            lines[0].contains("bad%0A::error title=x::injected%0A50%25 off"),
            "{out}"
        );
        assert!(lines[1]
            .starts_with("::warning title=zencheck t%3A chat.stream::warn [stream_no_done]"));
    }
}
