//! `zencheck checks`: every check, offline, from the one registry (`src/check/`): its id,
//! the endpoint it calls, whether it runs by default, what it costs and what it proves (each
//! read from the check's own spec).

use crate::check::CheckId;
use crate::cli::{ChecksArgs, Format};
use crate::error::RunError;
use serde_json::{json, Value};

/// `GET /models`, `POST /chat/completions`, or empty for a check that sends nothing itself.
fn endpoint(id: CheckId) -> String {
    match (id.route(), id.endpoint()) {
        (Some(_), Some(p)) => format!("POST {p}"),
        (None, Some(p)) => format!("GET {p}"),
        _ => String::new(),
    }
}

pub fn json() -> Value {
    let checks: Vec<Value> = CheckId::ALL
        .iter()
        .map(|&id| {
            let spec = id.spec();
            json!({
                "id": id.id(),
                "route": id.route().map(|r| r.path()),
                "endpoint": endpoint(id),
                "default": spec.default,
                "requests": spec.cost.requests,
                "output_tokens": spec.cost.output_tokens,
                "input_tokens": spec.cost.input_tokens,
                "only_by_id": spec.only_by_id,
                "proves": spec.proves,
            })
        })
        .collect();
    json!({ "checks": checks })
}

/// Two lines a check: id, endpoint and cost; then what it proves, indented. Fits 80 columns.
pub fn text() -> String {
    let width = CheckId::ALL.iter().map(|c| c.id().len()).max().unwrap_or(0);
    let mut out = String::from(
        "Every check, with what it costs: requests sent and their output-token cap\n\
         (per model; `*`: runs only when --checks names it, `!`: only by its exact id)\n\n",
    );
    for &id in CheckId::ALL {
        let spec = id.spec();
        let cost = match (spec.cost.requests, spec.cost.input_tokens) {
            (0, _) => "sends nothing".to_string(),
            (n, 0) => format!("{n} req, {} tok", spec.cost.output_tokens),
            (n, i) => format!(
                "{n} req, {} tok, ~{}k in",
                spec.cost.output_tokens,
                i / 1000
            ),
        };
        let star = match (spec.default, spec.only_by_id) {
            (true, _) => ' ',
            (false, false) => '*',
            (false, true) => '!',
        };
        out.push_str(&format!(
            "{:<width$}{star} {:<24} {cost}\n    {}\n",
            id.id(),
            endpoint(id),
            spec.proves
        ));
    }
    out
}

pub fn command(args: &ChecksArgs) -> Result<u8, RunError> {
    match args.format {
        Format::Json => crate::out::println(&format!("{:#}", json()))?,
        Format::Table => crate::out::print(&text())?,
        other => {
            return Err(RunError::Usage(format!(
                "zencheck checks prints table or json, not {other:?}"
            )))
        }
    }
    Ok(crate::error::EXIT_OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_fits_80_columns() {
        for line in text().lines() {
            assert!(line.chars().count() <= 80, "{line}");
        }
    }
}
