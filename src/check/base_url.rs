//! `target.base_url`: the base URL given ended in an endpoint path (`…/v1/chat/completions`)
//! and was corrected before the run; read off the target, it sends nothing.

use super::spec::{Derive, Judge, Spec};
use crate::failure::Kind;
use crate::finding::Finding;
use crate::target::Target;

pub const SPEC: Spec = Spec {
    proves: "the given base URL ended in an endpoint path and was corrected",
    ..Spec::target(
        "target.base_url",
        None,
        None,
        Judge::Derived(Derive::FromTarget(judge)),
    )
};

/// A warning that names the path cut off, when one was; nothing otherwise.
fn judge(target: &Target) -> Option<Finding> {
    let fix = target.base_url_fix.as_ref()?;
    Some(Finding::warn(
        Kind::BaseUrl,
        format!(
            "`{}` ends in {}: probing {} instead",
            fix.given, fix.stripped, target.base_url
        ),
    ))
}
