//! The progress line (#12), through the real binary with its stderr on a pseudo-terminal
//! (80×50), against the built-in mock: elapsed time, checks done of total, the checks
//! still waiting; ticking while nothing completes; whatever the format; never on stdout,
//! never under `-q`, never when stderr is not a terminal; erased before the table.
#![cfg(unix)]

use rustix::fs::{Mode, OFlags};
use rustix::pty::OpenptFlags;
use std::io::Read;
use std::os::fd::OwnedFd;
use std::process::{Command, Stdio};
use std::time::Duration;
use zencheck::mock::{self, Scenario};

/// A terminal of 80 columns and 50 rows: (the side the test reads, the side the child writes).
fn pty() -> (OwnedFd, OwnedFd) {
    let master = rustix::pty::openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY).expect("openpt");
    rustix::pty::grantpt(&master).expect("grantpt");
    rustix::pty::unlockpt(&master).expect("unlockpt");
    let name = rustix::pty::ptsname(&master, Vec::new()).expect("ptsname");
    let slave = rustix::fs::open(
        name.as_c_str(),
        OFlags::RDWR | OFlags::NOCTTY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .expect("open the terminal's side");
    rustix::termios::tcsetwinsize(
        &master,
        rustix::termios::Winsize {
            ws_row: 50,
            ws_col: 80,
            ws_xpixel: 0,
            ws_ypixel: 0,
        },
    )
    .expect("set the size");
    (master, slave)
}

struct Run {
    code: Option<i32>,
    stdout: String,
    /// What reached the terminal, escapes and all.
    terminal: String,
    stderr_piped: String,
}

/// Run the binary with `args`; stderr (and stdout too when `stdout_on_terminal`) on a
/// terminal when `on_terminal`, else piped.
fn run(args: &[String], on_terminal: bool, stdout_on_terminal: bool) -> Run {
    run_with(args, on_terminal, stdout_on_terminal, &[])
}

/// [`run`] with `env` set.
fn run_with(
    args: &[String],
    on_terminal: bool,
    stdout_on_terminal: bool,
    env: &[(&str, &str)],
) -> Run {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin("zencheck"));
    for v in ["NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE", "COLUMNS"] {
        c.env_remove(v);
    }
    for (k, v) in env {
        c.env(k, v);
    }
    c.env("TERM", "xterm-256color")
        .args(args)
        .stdin(Stdio::null());
    let mut reader = None;
    if on_terminal {
        let (master, slave) = pty();
        if stdout_on_terminal {
            c.stdout(Stdio::from(slave.try_clone().unwrap()));
        } else {
            c.stdout(Stdio::piped());
        }
        c.stderr(Stdio::from(slave));
        reader = Some(master);
    } else {
        c.stdout(Stdio::piped()).stderr(Stdio::piped());
    }
    let mut child = c.spawn().expect("start zencheck");
    // The parent's copies of the terminal's side are gone with `c`: the reader sees the
    // end (EIO) once the child exits.
    drop(c);
    let terminal = reader.map(|m| {
        std::thread::spawn(move || {
            let mut f = std::fs::File::from(m);
            let mut all = Vec::new();
            let mut buf = [0u8; 4096];
            while let Ok(n) = f.read(&mut buf) {
                if n == 0 {
                    break;
                }
                all.extend_from_slice(&buf[..n]);
            }
            String::from_utf8_lossy(&all).into_owned()
        })
    });
    let mut stdout = String::new();
    if let Some(mut o) = child.stdout.take() {
        o.read_to_string(&mut stdout).unwrap();
    }
    let mut stderr_piped = String::new();
    if let Some(mut e) = child.stderr.take() {
        e.read_to_string(&mut stderr_piped).unwrap();
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("zencheck did not end within 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        code: status.code(),
        stdout,
        terminal: terminal.map(|t| t.join().unwrap()).unwrap_or_default(),
        stderr_piped,
    }
}

fn probe_args(base_url: &str, extra: &[&str]) -> Vec<String> {
    let mut a: Vec<String> = [
        "probe",
        "--base-url",
        base_url,
        "--model",
        zencheck::cmd::demo::DEMO_MODEL,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    a.extend(extra.iter().map(|s| s.to_string()));
    a
}

/// Every state the line was drawn in (indicatif redraws after a carriage return and an
/// erase), escapes removed.
fn drawn(terminal: &str) -> Vec<String> {
    terminal
        .split(['\r', '\n'])
        .map(|l| {
            l.replace("\x1b[2K", "")
                .replace("\x1b[?25l", "")
                .replace("\x1b[?25h", "")
        })
        .filter(|l| l.contains(" checks") || l.contains("starting"))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_slow_probe_shows_elapsed_time_counts_and_what_it_waits_for() {
    // Headers never come: for --timeout 3 s nothing completes.
    let server = mock::start(Scenario::Timeout, 0).await.unwrap();
    let args = probe_args(&server.base_url(), &["--timeout", "3", "--format", "json"]);
    let r = tokio::task::spawn_blocking(move || run(&args, true, false))
        .await
        .unwrap();
    assert_eq!(r.code, Some(1), "{}", r.terminal);
    let report: serde_json::Value =
        serde_json::from_str(&r.stdout).expect("stdout is the JSON report alone");
    let total = report["checks"].as_array().unwrap().len();
    let lines = drawn(&r.terminal);
    assert!(
        !lines.is_empty(),
        "no progress on the terminal: {:?}",
        r.terminal
    );
    // Counted in checks, the count the report has.
    assert!(
        lines
            .iter()
            .any(|l| l.contains(&format!("0/{total} checks"))),
        "{lines:#?}"
    );
    // The pending checks by name, with how long each has waited.
    assert!(
        lines
            .iter()
            .any(|l| l.contains("waiting: models.list 2s, chat.basic 2s")),
        "{lines:#?}"
    );
    // It ticks while nothing completes: every second of the wait is drawn.
    // After the clock, the bound that ends every wait: the run's --deadline (300 s).
    for s in ["0s/5m00s · ", "1s/5m00s · ", "2s/5m00s · "] {
        assert!(
            lines.iter().any(|l| l.contains(s)),
            "no `{s}` in {lines:#?}"
        );
    }
    // 80 columns: no drawn line wraps.
    for l in &lines {
        assert!(l.chars().count() <= 80, "over 80 columns: {l}");
    }
    // It ends erased.
    let tail = &r.terminal[r.terminal.rfind("checks").unwrap()..];
    assert!(tail.contains("\x1b[2K"), "not erased at the end: {tail:?}");
    drop(server);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_line_is_erased_before_the_table_and_absent_off_a_terminal_or_under_quiet() {
    let server = mock::start(Scenario::StreamStalled, 0).await.unwrap();
    let url = server.base_url();
    let args = probe_args(&url, &["--timeout", "1"]);
    // stdout and stderr on the one terminal, as a user sees them.
    let a = args.clone();
    let r = tokio::task::spawn_blocking(move || run(&a, true, true))
        .await
        .unwrap();
    let t = &r.terminal;
    assert!(
        t.contains("waiting: chat.stream"),
        "the stalled stream is named: {t:?}"
    );
    // What follows the line's last erasure is the report, and no more of the line.
    let after = &t[t.rfind("\x1b[2K").expect("the line was erased")..];
    assert!(
        after.contains("pass,"),
        "the report after the erasure: {t:?}"
    );
    assert!(
        !after.contains(" · waiting: "),
        "drawn after the report: {t:?}"
    );

    // Off a terminal: nothing of it.
    let a = args.clone();
    let r = tokio::task::spawn_blocking(move || run(&a, false, false))
        .await
        .unwrap();
    assert!(r.stdout.contains("pass,"), "{}", r.stdout);
    for s in [&r.stdout, &r.stderr_piped] {
        assert!(!s.contains(" checks ·") && !s.contains("waiting:"), "{s}");
    }

    // -q on a terminal: nothing of it either.
    let mut a = args.clone();
    a.push("-q".into());
    let r = tokio::task::spawn_blocking(move || run(&a, true, false))
        .await
        .unwrap();
    assert!(drawn(&r.terminal).is_empty(), "{:?}", r.terminal);
    assert_eq!(
        r.stdout.lines().count(),
        2,
        "verdict and FAILED: {}",
        r.stdout
    );
    drop(server);
}

#[tokio::test(flavor = "multi_thread")]
async fn verbose_lines_go_above_the_line() {
    let server = mock::start(Scenario::StreamStalled, 0).await.unwrap();
    let args = probe_args(
        &server.base_url(),
        &[
            "--timeout",
            "1",
            "--checks",
            "chat.stream",
            "-v",
            "-o",
            "/dev/null",
            "--format",
            "json",
        ],
    );
    let r = tokio::task::spawn_blocking(move || run(&args, true, false))
        .await
        .unwrap();
    // Each -v line starts a line of its own: the progress line was lifted, not overwritten
    // mid-way.
    let t = r.terminal.replace("\x1b[2K", "");
    for l in t.split(['\r', '\n']).filter(|l| l.contains("> POST")) {
        assert!(
            l.starts_with('['),
            "a -v line mixed with the progress line: {l:?}"
        );
    }
    assert!(
        drawn(&r.terminal).iter().any(|l| l.contains("/1 checks")),
        "{t:?}"
    );
    drop(server);
}

/// The line's total is the report's row count from the start: for every scenario (one
/// target each, concurrently, as `demo --all` runs them), with and without a selection,
/// the rows each plan predicted are the rows its report had.
#[tokio::test(flavor = "multi_thread")]
async fn the_planned_total_is_the_reports_row_count() {
    use zencheck::check::Selection;
    let limits = zencheck::http::Limits {
        idle: Duration::from_secs(1),
        total: Duration::from_secs(4),
        max_retry_wait: Duration::from_secs(1),
        ..Default::default()
    };
    let http = zencheck::http::Http::new(limits).unwrap();
    let mut servers = Vec::new();
    for info in mock::SCENARIOS {
        servers.push(mock::start(info.scenario, 0).await.unwrap());
    }
    let selections = [
        Selection::default(),
        Selection::new(&["chat.stream".into(), "models.exists".into()], &[]).unwrap(),
        Selection::new(&[], &["chat.basic".into(), "models.list".into()]).unwrap(),
    ];
    let (http, servers) = (&http, &servers);
    let runs = selections.into_iter().map(|selection| async move {
        let progress = zencheck::progress::Progress::hidden();
        let probes = servers.iter().zip(mock::SCENARIOS).map(|(server, info)| {
            let mut target = zencheck::target::Target::new(info.name, &server.base_url()).unwrap();
            target.provider = info.zen.then_some(zencheck::provider::Provider::Zen);
            // The healthy one without a model too: only the catalog, the rest skipped.
            if info.scenario != Scenario::Healthy {
                target.models = info.models.iter().map(|m| m.to_string()).collect();
            }
            let opts = zencheck::probe::Options {
                concurrency: 4,
                selection: selection.clone(),
                ..Default::default()
            };
            let progress = &progress;
            async move { zencheck::probe::probe(http, &target, &opts, Some(progress)).await }
        });
        let runs = futures_util::future::join_all(probes).await;
        assert!(progress.drift().is_empty(), "{:#?}", progress.drift());
        let rows: usize = runs.iter().map(|r| r.checks.len()).sum();
        assert_eq!(progress.counts(), (rows, rows));
    });
    // The three selections at once: the slow scenarios' bounds overlap.
    futures_util::future::join_all(runs).await;
}

/// `--color auto` on a real terminal: the table is coloured; NO_COLOR turns it off there,
/// and `--color never` too; FORCE_COLOR=0 forces nothing. (Piped: terminal.rs.)
#[tokio::test(flavor = "multi_thread")]
async fn colour_on_a_terminal_follows_auto_and_no_color() {
    let server = mock::start(Scenario::Auth, 0).await.unwrap();
    let args = probe_args(&server.base_url(), &[]);
    let on_tty = |extra: &'static [&'static str], env: &'static [(&'static str, &'static str)]| {
        let mut a = args.clone();
        a.extend(extra.iter().map(|s| s.to_string()));
        tokio::task::spawn_blocking(move || run_with(&a, true, true, env))
    };
    // The FAIL status is drawn in colour: an SGR sequence just before it.
    let coloured = |t: &str| t.contains("m✗") || t.contains("mFAIL");
    let auto = on_tty(&[], &[]).await.unwrap();
    assert_eq!(auto.code, Some(1), "{}", auto.terminal);
    assert!(
        coloured(&auto.terminal),
        "auto on a terminal: {:?}",
        auto.terminal
    );
    for (extra, env) in [
        (&[][..], &[("NO_COLOR", "1")][..]),
        (&["--color", "never"][..], &[][..]),
    ] {
        let r = on_tty(extra, env).await.unwrap();
        assert!(r.terminal.contains("FAIL"), "{}", r.terminal);
        assert!(
            !coloured(&r.terminal),
            "{extra:?} {env:?}: {:?}",
            r.terminal
        );
    }
    // Piped with FORCE_COLOR=0 or CLICOLOR_FORCE=false: not forced.
    for env in [
        &[("FORCE_COLOR", "0")][..],
        &[("CLICOLOR_FORCE", "false")][..],
    ] {
        let a = args.clone();
        let r = tokio::task::spawn_blocking(move || run_with(&a, false, false, env))
            .await
            .unwrap();
        assert!(r.stdout.contains("FAIL"), "{}", r.stdout);
        assert!(!r.stdout.contains("\x1b["), "{env:?}: {:?}", r.stdout);
    }
    drop(server);
}
