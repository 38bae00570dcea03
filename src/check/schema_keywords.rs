//! A tool refused for a JSON Schema keyword in its parameters, not for being a tool: the
//! finding names the keyword (`param`), so the fix is the schema, not the model's tool support.
//! Applications send zod's schemas, which close every object with `additionalProperties: false`.

use crate::failure::{Kind, SCHEMA_KEYWORDS};
use crate::finding::Finding;

/// A `param_rejected` on `tools` whose message names a schema keyword names the keyword.
pub fn name_keyword(f: &mut Finding) {
    if f.kind != Some(Kind::ParamRejected) || !matches!(f.param.as_deref(), Some("tools") | None) {
        return;
    }
    let Some(msg) = f.evidence.provider_message.as_deref() else {
        return;
    };
    if let Some(k) = SCHEMA_KEYWORDS.iter().find(|k| msg.contains(**k)) {
        f.param = Some((*k).to_string());
        f.detail = format!(
            "{}: the tool's schema keyword `{k}` is refused, not tools themselves",
            f.detail
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Evidence;

    #[test]
    fn a_refused_keyword_is_named_and_a_refused_tool_is_not() {
        let refused = |msg: &str| {
            let mut f = Finding::fail(Kind::ParamRejected, "HTTP 400").with_param("tools");
            f.evidence = Evidence {
                provider_message: Some(msg.into()),
                ..Default::default()
            };
            name_keyword(&mut f);
            f.param
        };
        assert_eq!(
            refused("Unknown name \"additionalProperties\" at 'tools[0].function_declarations[0].parameters'").as_deref(),
            Some("additionalProperties")
        );
        assert_eq!(
            refused("This model does not support tools").as_deref(),
            Some("tools")
        );
    }
}
