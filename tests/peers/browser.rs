//! The HTML report in a real browser: Debian's `chromium` (installed by `.ci/run`), headless,
//! with a fresh profile and every way to the network closed, loads a report of the mock's
//! healthy, buffered, stalled and cut streams and of a hostile server whose model ids and
//! error messages are markup. From the DOM Chromium built: every failing check is a row with
//! its kind, each streamed check has one timeline inside its row with a mark per recorded
//! chunk, and nothing the server said became an element or an attribute. Its screenshot is
//! decoded and must not be blank, wide, at phone width and in dark mode. Without a `chromium` (`ZENCHECK_CHROMIUM_BIN`, else on
//! PATH) the test is skipped, unless `ZENCHECK_REQUIRE_PEERS=1` (set by CI).

use axum::response::IntoResponse;
use axum::routing::{get, post};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use zencheck::mock::{self, Scenario};

fn chromium() -> Option<PathBuf> {
    crate::peer_bin(
        "ZENCHECK_CHROMIUM_BIN",
        &["chromium", "chromium-browser"],
        &[],
        "chromium",
    )
}

/// What a hostile server puts where a report shows server text.
const SCRIPT: &str = "<script>document.title='pwned'</script>";
const IMG: &str = "<img src=x onerror=\"document.title='pwned'\">";
const LINK: &str = "<a href=\"javascript:document.title='pwned'\">docs</a>";

/// Model ids and error messages that are markup, scripts and links.
async fn hostile_server() -> std::net::SocketAddr {
    let models = get(|| async {
        axum::Json(serde_json::json!({"object": "list", "data": [
            {"id": SCRIPT, "object": "model"},
            {"id": IMG, "object": "model"},
            {"id": "javascript:alert(1)", "object": "model"},
        ]}))
    });
    let refuse = post(|| async {
        let message = format!("model {SCRIPT} is not allowed {IMG} see {LINK}");
        (
            axum::http::StatusCode::BAD_REQUEST,
            [("x-request-id", "<b onmouseover=alert(1)>req</b>")],
            axum::Json(serde_json::json!({"error": {"message": message,
                "type": "invalid_request_error", "param": IMG, "code": null}})),
        )
            .into_response()
    });
    crate::common::serve_app(
        axum::Router::new()
            .route("/v1/models", models)
            .route("/v1/chat/completions", refuse),
    )
    .await
}

/// Run Chromium headless on `page` with `args`, bounded; its stdout.
fn run_chromium(bin: &Path, profile: &Path, page: &Path, args: &[String]) -> String {
    let mut cmd = std::process::Command::new(bin);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        // The network off: no name resolves, and any connection would go to a closed port.
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--proxy-server=http://127.0.0.1:9",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .args(args)
    .arg(format!("file://{}", page.display()))
    .stdin(std::process::Stdio::null())
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::null());
    let mut child = cmd.spawn().expect("chromium starts");
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).ok();
        s
    });
    let until = Instant::now() + Duration::from_secs(90);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > until {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    reader.join().unwrap()
}

/// One element of a serialised DOM: its tag and attributes, and how deep it sits.
#[derive(Debug)]
struct Element {
    tag: String,
    attrs: Vec<(String, String)>,
    /// Index of the enclosing `details` element among all elements, if any.
    in_details: Option<usize>,
}

impl Element {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Chromium's serialised DOM, read as elements: text escapes `<` and attribute values are
/// always double-quoted (with `"` as `&quot;`), so every raw `<` outside a value opens a
/// tag. Enough to find every element and attribute the browser built.
fn elements(dom: &str) -> Vec<Element> {
    let b = dom.as_bytes();
    let mut out = Vec::new();
    let mut open_details: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        // Comments, doctype.
        if dom[i..].starts_with("<!--") {
            i += dom[i..].find("-->").map(|e| e + 3).unwrap_or(b.len() - i);
            continue;
        }
        if dom[i..].starts_with("<!") {
            i += dom[i..].find('>').map(|e| e + 1).unwrap_or(b.len() - i);
            continue;
        }
        let closing = b.get(i + 1) == Some(&b'/');
        let mut j = i + 1 + usize::from(closing);
        let start = j;
        while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' && b[j] != b'/' {
            j += 1;
        }
        let tag = dom[start..j].to_ascii_lowercase();
        let mut attrs = Vec::new();
        loop {
            while j < b.len() && (b[j].is_ascii_whitespace() || b[j] == b'/') {
                j += 1;
            }
            if j >= b.len() || b[j] == b'>' {
                j += 1;
                break;
            }
            let n0 = j;
            while j < b.len() && b[j] != b'=' && b[j] != b'>' && !b[j].is_ascii_whitespace() {
                j += 1;
            }
            let name = dom[n0..j].to_ascii_lowercase();
            let mut value = String::new();
            if b.get(j) == Some(&b'=') {
                j += 1;
                let (v0, v1) = match b.get(j) {
                    Some(&q) if q == b'"' || q == b'\'' => {
                        let v0 = j + 1;
                        (v0, v0 + dom[v0..].find(q as char).unwrap_or(b.len() - v0))
                    }
                    // Unquoted (only in a page that is already broken): to a space or `>`.
                    _ => {
                        let mut k = j;
                        while k < b.len() && !b[k].is_ascii_whitespace() && b[k] != b'>' {
                            k += 1;
                        }
                        (j, k)
                    }
                };
                value = dom[v0..v1].replace("&quot;", "\"").replace("&amp;", "&");
                j = (v1 + 1).min(b.len());
                if v1 < b.len() && (b[v1] == b'>' || b[v1].is_ascii_whitespace()) {
                    j = v1;
                }
            } else if j == n0 {
                // Neither a name nor `>`: step over the stray character.
                j += 1;
            }
            attrs.push((name, value));
        }
        if closing {
            if tag == "details" {
                open_details.pop();
            }
        } else {
            let in_details = open_details.last().copied();
            if tag == "details" {
                open_details.push(out.len());
            }
            out.push(Element {
                tag,
                attrs,
                in_details,
            });
        }
        i = j;
    }
    out
}

/// A PNG's pixels, as RGB triples.
fn pixels(png_path: &Path) -> Vec<[u8; 3]> {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(png_path).expect("a screenshot"),
    ));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("a size")];
    let info = reader.next_frame(&mut buf).expect("a frame");
    let step = info.color_type.samples();
    assert!(step >= 3, "an RGB screenshot");
    buf[..info.buffer_size()]
        .chunks(step)
        .map(|p| [p[0], p[1], p[2]])
        .collect()
}

/// Distinct colours of a screenshot.
fn colours(px: &[[u8; 3]]) -> usize {
    px.iter().collect::<BTreeSet<_>>().len()
}

/// The page's background: the colour of the top-left pixel, as a brightness 0–255.
fn background(px: &[[u8; 3]]) -> u32 {
    px[0].iter().map(|&c| u32::from(c)).sum::<u32>() / 3
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_html_report_in_a_real_browser() {
    let _cpu = crate::CPU.read().await;
    let Some(bin) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let mut servers = Vec::new();
    let mut toml = String::from("[settings]\ntimeout = 2\n\n");
    for (name, scenario) in [
        ("healthy", Scenario::Healthy),
        ("buffered", Scenario::StreamBuffered),
        ("stalled", Scenario::StreamStalled),
        ("cut", Scenario::StreamTruncated),
    ] {
        let s = mock::start(scenario, 0).await.unwrap();
        toml.push_str(&format!(
            "[targets.{name}]\nbase_url = \"{}\"\nmodels = [\"mock-small\"]\n\
             checks = [\"chat.basic\", \"chat.stream\"]\n\n",
            s.base_url()
        ));
        servers.push(s);
    }
    let hostile = hostile_server().await;
    toml.push_str(&format!(
        "[targets.hostile]\nbase_url = \"http://{hostile}/v1\"\nmodels = [\"{}\"]\n\
         checks = [\"models\", \"chat.basic\", \"chat.stream\"]\n",
        "mock-small"
    ));
    let config = dir.path().join("zencheck.toml");
    std::fs::write(&config, toml).unwrap();
    let report = crate::common::probe(&["--config", config.to_str().unwrap()]).await;
    let html = zencheck::report::render_html(&report);
    let page = dir.path().join("report.html");
    std::fs::write(&page, &html).unwrap();

    // The page needs nothing from anywhere: no attribute loads or links anything.
    let own = elements(&html);
    for e in &own {
        for (n, v) in &e.attrs {
            assert!(
                !matches!(
                    n.as_str(),
                    "src" | "href" | "xlink:href" | "action" | "srcset"
                ),
                "<{} {n}=\"{v}\"> in the page",
                e.tag
            );
        }
    }
    assert!(!html.contains("url(") && !html.contains("@import"));

    let profile = dir.path().join("profile");
    let dom = run_chromium(&bin, &profile, &page, &["--dump-dom".into()]);
    assert!(dom.contains("</html>"), "no DOM from chromium: {dom}");
    let els = elements(&dom);

    // Nothing injected: only the elements the renderer writes, no handler, no script.
    let allowed = [
        "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "span", "ul",
        "li", "dl", "dt", "dd", "div", "b", "code", "time", "p", "section", "table", "thead",
        "tbody", "tr", "th", "td", "article", "q", "details", "summary", "pre", "svg", "line",
        "rect", "path", "text", "footer",
    ];
    for e in &els {
        assert!(
            allowed.contains(&e.tag.as_str()),
            "an element the report never writes: <{}> {:?}",
            e.tag,
            e.attrs
        );
        for (n, v) in &e.attrs {
            assert!(!n.starts_with("on"), "handler {n}=\"{v}\" on <{}>", e.tag);
            assert!(!v.trim_start().starts_with("javascript:") || n.starts_with("data-"));
        }
    }
    let title: Vec<&Element> = els.iter().filter(|e| e.tag == "title").collect();
    assert!(
        dom.contains("<title>zencheck report: failed</title>"),
        "{dom}"
    );
    assert!(!title.is_empty());
    // The server's words are there, as text.
    assert!(dom.contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;"));

    // Every failing check is a row carrying its id and kind code.
    let rows: Vec<(usize, &Element)> = els
        .iter()
        .enumerate()
        .filter(|(_, e)| e.tag == "details" && e.attr("data-check").is_some())
        .collect();
    assert_eq!(rows.len(), report.checks.len());
    let failing: Vec<_> = report
        .checks
        .iter()
        .filter(|c| c.status == zencheck::finding::Status::Fail)
        .collect();
    assert!(failing.len() >= 3, "stall, cut and the hostile server fail");
    for c in &failing {
        let kind = c.kind.map(|k| k.code()).unwrap_or("");
        assert!(
            rows.iter()
                .any(|(_, e)| e.attr("data-target") == Some(&c.target)
                    && e.attr("data-check") == Some(&c.check)
                    && e.attr("data-model") == c.model.as_deref().or(Some(""))
                    && e.attr("data-status") == Some("fail")
                    && e.attr("data-kind") == Some(kind)),
            "no row for {}/{} ({kind})",
            c.target,
            c.check
        );
        assert!(els
            .iter()
            .any(|e| e.tag == "article" && e.attr("data-kind") == Some(kind)));
    }
    // One timeline per streamed check, inside its row, with a mark per recorded chunk.
    for (i, row) in &rows {
        let c = report
            .checks
            .iter()
            .find(|c| {
                Some(c.target.as_str()) == row.attr("data-target")
                    && Some(c.check.as_str()) == row.attr("data-check")
            })
            .unwrap();
        let svgs: Vec<&Element> = els
            .iter()
            .filter(|e| e.tag == "svg" && e.in_details == Some(*i))
            .collect();
        match &c.stream {
            Some(st) => {
                assert_eq!(svgs.len(), 1, "{}/{}", c.target, c.check);
                let marks: Vec<u64> = els
                    .iter()
                    .filter(|e| {
                        e.in_details == Some(*i)
                            && e.tag == "rect"
                            && e.attr("class") == Some("chunk")
                    })
                    .map(|e| e.attr("data-ms").unwrap().parse().unwrap())
                    .collect();
                assert_eq!(marks, st.arrivals_ms, "{}/{}", c.target, c.check);
                let ttft = row.attr("data-ttft-ms").unwrap();
                assert_eq!(
                    ttft,
                    c.timing_ms
                        .first_token
                        .map(|t| t.to_string())
                        .unwrap_or_default()
                );
            }
            None => assert!(svgs.is_empty(), "{}/{}", c.target, c.check),
        }
    }
    let ends: Vec<&str> = els
        .iter()
        .filter(|e| e.tag == "svg")
        .filter_map(|e| e.attr("data-end"))
        .collect();
    for end in ["ended", "stalled", "cut"] {
        assert!(ends.contains(&end), "{ends:?}");
    }

    // The screenshot shows something: more than a few colours (a blank page has one); at
    // phone width too; and the system's dark mode turns the page dark.
    for (size, dark, name) in [
        ("1200,2000", false, "wide.png"),
        ("390,844", false, "phone.png"),
        ("390,844", true, "dark.png"),
    ] {
        let shot = dir.path().join(name);
        let mut args = vec![
            format!("--window-size={size}"),
            format!("--screenshot={}", shot.display()),
            "--hide-scrollbars".into(),
        ];
        if dark {
            // prefers-color-scheme: dark (Blink's scheme 0).
            args.push("--force-dark-mode".into());
            args.push("--blink-settings=preferredColorScheme=0".into());
        }
        run_chromium(&bin, &profile, &page, &args);
        let px = pixels(&shot);
        let n = colours(&px);
        assert!(n > 16, "{name}: {n} colours, the page looks blank");
        let bg = background(&px);
        if dark {
            assert!(bg < 64, "{name}: background brightness {bg}, not dark");
        } else {
            assert!(bg > 192, "{name}: background brightness {bg}, not light");
        }
    }
    drop(servers);
}
