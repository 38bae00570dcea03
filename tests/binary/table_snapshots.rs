//! Snapshots of the human table (#12) at 80 and 120 columns, compact and `--all`, for a
//! healthy, a broken and a multi-model report, so a layout change is reviewed as a diff.
//!
//! The reports are frozen JSON in `testdata/reports/` (written by real probes of the
//! built-in mock, then fixed: port 8080, a fixed start time), read as `zencheck report` reads
//! them; the width is passed in, not read from `COLUMNS`. So the snapshots do not depend on
//! timings, ports, dates or the terminal. Under `CI=true` (and with `INSTA_UPDATE=no`, as
//! `.ci/run` sets) insta fails on a mismatch and writes nothing; locally it leaves a
//! `.snap.new` to review (`cargo insta review`, or rename it after reading the diff).

use zencheck::report::{render_table_with, Layout, Report};

fn report(name: &str) -> Report {
    let path = format!(
        "{}/testdata/reports/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    Report::from_json(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn table(name: &str, width: usize, all: bool) -> String {
    let text = render_table_with(
        &report(name),
        false,
        Layout {
            all,
            width: Some(width),
        },
    );
    for line in text.lines() {
        let cols = unicode_width::UnicodeWidthStr::width(line);
        assert!(cols <= width, "{name} at {width}: {cols} columns: {line}");
    }
    text
}

macro_rules! snap {
    ($test:ident, $name:literal, $width:literal, $all:literal) => {
        #[test]
        fn $test() {
            insta::assert_snapshot!(table($name, $width, $all));
        }
    };
}

snap!(healthy_80, "healthy", 80, false);
snap!(healthy_120, "healthy", 120, false);
snap!(healthy_80_all, "healthy", 80, true);
snap!(healthy_120_all, "healthy", 120, true);
snap!(broken_80, "broken", 80, false);
snap!(broken_120, "broken", 120, false);
snap!(broken_80_all, "broken", 80, true);
snap!(broken_120_all, "broken", 120, true);
snap!(multi_model_80, "multi-model", 80, false);
snap!(multi_model_120, "multi-model", 120, false);
snap!(multi_model_80_all, "multi-model", 80, true);
snap!(multi_model_120_all, "multi-model", 120, true);

/// The grouping the snapshots show, asserted in words too: the same rejection on two
/// models is one entry naming both.
#[test]
fn the_same_failure_on_two_models_is_one_entry() {
    let text = table("multi-model", 80, false);
    assert_eq!(text.matches("FAIL Parameter rejected").count(), 1, "{text}");
    assert!(text.contains("2 models: mock-small, mock-large"), "{text}");
    // JSON stays one entry per check.
    let r = report("multi-model");
    let rejected = r
        .checks
        .iter()
        .filter(|c| c.check == "chat.stream_usage" && c.status.as_str() == "fail")
        .count();
    assert_eq!(rejected, 2);
}
