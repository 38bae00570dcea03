//! `target.base_url`: the base URL given ended in an endpoint path (`…/v1/chat/completions`)
//! and was corrected before the run; read off the target, it sends nothing.

use super::spec::Spec;

pub const SPEC: Spec = Spec {
    proves: "the given base URL ended in an endpoint path and was corrected",
    ..Spec::target("target.base_url", None, None)
};
