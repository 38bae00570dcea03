//! `models.list` and `models.exists`: the only live truth about which ids exist.

use super::answer::{answer_error, json_body};
use super::spec::{Derive, Judge, Spec};
use super::Ctx;
use crate::failure::Kind;
use crate::finding::{Finding, Status};
use crate::http::Request;

pub const MODELS_LIST: Spec = Spec {
    proves: "GET /models answers JSON shaped {data:[{id…}]}",
    ..Spec::target(
        "models.list",
        Some("/models"),
        Some(|_, _| vec![Request::get("/models")]),
        Judge::Probe,
    )
};

pub const MODELS_EXISTS: Spec = Spec {
    proves: "each --model is listed (else the closest listed ids)",
    ..Spec::target(
        "models.exists",
        Some("/models"),
        None,
        Judge::Derived(Derive::FromList(exists)),
    )
};

/// When every route 404s, the base URL may only lack its API prefix (`http://host:8080` for
/// `http://host:8080/v1`): one GET {base}/v1/models, and the base URL to use if that answers
/// with a model list. Never switched to silently: the report says which URL to give.
pub async fn answers_below(cx: &Ctx<'_>) -> Option<String> {
    if cx.target.base_url.ends_with("/v1") {
        return None;
    }
    let answer = cx
        .http
        .call(cx.target, &Request::get("/v1/models"))
        .await
        .ok()?;
    if !answer.is_success() {
        return None;
    }
    json_body(&answer).ok()?.get("data")?.as_array()?;
    Some(format!("{}/v1", cx.target.base_url))
}

/// GET {base}/models. Returns the ids when the list could be read.
pub async fn list(cx: &Ctx<'_>) -> (Finding, Option<Vec<String>>) {
    let answer = match cx.http.call(cx.target, &Request::get("/models")).await {
        Ok(a) => a,
        Err(f) => return (f, None),
    };
    if !answer.is_success() {
        let mut f = answer_error(&answer, &[]);
        // Some servers simply have no /models (Azure deployments, some gateways): that is
        // not a failure by itself; the generation checks tell whether the URL is right.
        if f.kind == Some(Kind::BaseUrl) {
            f.status = Status::Unsupported;
            f.kind = None;
            f.detail = format!("{}: no /models route here", f.detail);
        }
        return (f, None);
    }
    let v = match json_body(&answer) {
        Ok(v) => v,
        // A web app (its HTML page with 200) at /models: the base URL points at a site, not
        // at the API. The probe takes this back when a generation route answers.
        Err(mut f) if f.kind == Some(Kind::BadResponse) && f.detail.contains("HTML page") => {
            f.kind = Some(Kind::BaseUrl);
            f.detail = format!("{}: the base URL serves a web page, not the API", f.detail);
            return (f, None);
        }
        Err(f) => return (f, None),
    };
    let Some(data) = v.get("data").and_then(|d| d.as_array()) else {
        let keys: Vec<_> = v
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        let f = Finding::fail(
            Kind::BadResponse,
            format!(
                "expected {{\"data\":[{{\"id\":…}}]}}, got keys [{}]",
                keys.join(", ")
            ),
        )
        .with_evidence(answer.evidence())
        .with_timing(answer.timing);
        return (f, None);
    };
    let ids: Vec<String> = data
        .iter()
        .filter_map(|m| m.get("id").and_then(|i| i.as_str()).map(str::to_string))
        .collect();
    let f = if ids.len() < data.len() {
        Finding::fail(
            Kind::BadResponse,
            format!(
                "{} of {} entries in data[] have no string id",
                data.len() - ids.len(),
                data.len()
            ),
        )
    } else if ids.is_empty() {
        Finding::warn(
            Kind::BadResponse,
            "the model list is empty: no model is loaded or the key sees none",
        )
    } else {
        Finding::pass(format!(
            "{}: {}",
            crate::fit::count(ids.len() as u64, "model"),
            preview(&ids)
        ))
    };
    (
        f.with_evidence(answer.evidence())
            .with_timing(answer.timing)
            .note_retry(answer.waited_secs),
        Some(ids),
    )
}

fn preview(ids: &[String]) -> String {
    let shown: Vec<&str> = ids.iter().take(5).map(String::as_str).collect();
    if ids.len() > shown.len() {
        format!("{}, …", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// Is `model` among the listed ids? If not, name the closest.
pub fn exists(ids: Option<&[String]>, model: &str) -> Finding {
    let Some(ids) = ids else {
        return Finding::skip("the model list could not be read (see models.list)");
    };
    if ids.iter().any(|i| i == model) {
        return Finding::pass("listed");
    }
    let trimmed = model.trim();
    if trimmed != model {
        // A space or a line break carried in from a config or a copied value: the server
        // looks up the id with it.
        let listed = if ids.iter().any(|i| i == trimmed) {
            format!("`{trimmed}` is listed: remove the whitespace")
        } else {
            format!("nor is `{trimmed}` listed")
        };
        let mut f = Finding::fail(
            Kind::ModelNotFound,
            format!(
                "the model id {model:?} has whitespace around it, which the server reads as part of the id; {listed}"
            ),
        );
        f.suggestions = closest(ids, trimmed, 3);
        return f;
    }
    let mut f = Finding::fail(
        Kind::ModelNotFound,
        format!("`{model}` is not among the {} listed ids", ids.len()),
    );
    f.suggestions = closest(ids, model, 3);
    f
}

/// Ids ranked by likeness: case-insensitive equality, then containment, then
/// Jaro-Winkler similarity above a floor.
pub fn closest(ids: &[String], wanted: &str, n: usize) -> Vec<String> {
    let w = wanted.to_ascii_lowercase();
    let mut scored: Vec<(f64, &String)> = ids
        .iter()
        .map(|id| {
            let l = id.to_ascii_lowercase();
            let score = if l == w {
                3.0
            } else if l.contains(&w) || w.contains(&l) {
                2.0 + strsim::jaro_winkler(&l, &w)
            } else {
                strsim::jaro_winkler(&l, &w)
            };
            (score, id)
        })
        .filter(|(s, _)| *s >= 0.75)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored
        .into_iter()
        .take(n)
        .map(|(_, id)| id.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_model_id_with_whitespace_around_it_is_named_as_such() {
        let ids = vec!["mock-small".to_string(), "mock-large".to_string()];
        let f = exists(Some(&ids), "mock-small ");
        assert_eq!(f.kind, Some(Kind::ModelNotFound));
        assert!(
            f.detail
                .contains("\"mock-small \" has whitespace around it")
                && f.detail
                    .contains("`mock-small` is listed: remove the whitespace"),
            "{}",
            f.detail
        );
        assert_eq!(f.suggestions[0], "mock-small");
    }

    #[test]
    fn closest_ids_rank_containment_and_similarity() {
        let list = ids(&[
            "gpt-5-nano",
            "gpt-5",
            "claude-sonnet-4-5",
            "big-pickle",
            "kimi-k2",
        ]);
        assert_eq!(closest(&list, "gpt-5-mini", 2), vec!["gpt-5", "gpt-5-nano"]);
        assert_eq!(
            closest(&list, "claude-sonnet-4.5", 1),
            vec!["claude-sonnet-4-5"]
        );
        assert!(closest(&list, "zzzzzz", 3).is_empty());
    }

    #[test]
    fn exists_passes_listed_ids_and_suggests_otherwise() {
        let list = ids(&["mock-small-2025", "mock-large"]);
        assert_eq!(exists(Some(&list), "mock-large").status, Status::Pass);
        let f = exists(Some(&list), "mock-small");
        assert_eq!(f.kind, Some(Kind::ModelNotFound));
        assert_eq!(
            f.suggestions.first().map(String::as_str),
            Some("mock-small-2025")
        );
        assert_eq!(exists(None, "x").status, Status::Skip);
    }
}
