//! A web page where the API should answer: a 2xx HTML page (a login page, a web app, a
//! single-page app's catch-all) is never an answer. When no route answered JSON, the base
//! URL points at a site, not at the API, and every row says so.

use crate::failure::Kind;
use crate::finding::{Finding, Status};

/// How `json_body` words a 2xx HTML answer; read back here, so the two stay one phrase.
pub const HTML_INSTEAD_OF_JSON: &str = "with an HTML page instead of JSON";

/// A finding made from a 2xx answer that was an HTML page.
pub fn is_web_page(f: &Finding) -> bool {
    f.kind == Some(Kind::BadResponse)
        && f.evidence
            .http_status
            .is_some_and(|s| (200..300).contains(&s))
        && f.detail.contains(HTML_INSTEAD_OF_JSON)
}

/// A basic check's answer was JSON from the API (whatever it said).
fn answered_json(f: &Finding) -> bool {
    f.evidence
        .http_status
        .is_some_and(|s| (200..300).contains(&s))
        && !is_web_page(f)
        && f.kind != Some(Kind::BaseUrl)
}

/// When every basic check that got a 2xx got a web page, they all point at the base URL.
/// One route answering JSON means the others are routes this server lacks: left alone.
pub fn point_at_base_url(mut basics: Vec<&mut Finding>) {
    if basics.iter().any(|f| answered_json(f)) {
        return;
    }
    for f in basics.iter_mut().filter(|f| is_web_page(f)) {
        f.status = Status::Fail;
        f.kind = Some(Kind::BaseUrl);
        f.detail = format!(
            "{}: a web page answers where the API should (a login page or a web app), so the base URL points at a site, not at the API",
            f.detail
        );
    }
}
