//! Chunks that are legal on the wire but break clients that read `chunk.choices[0]`: a chunk
//! with `choices: []` that is not the usage chunk asked for, and a usage chunk with no
//! `choices` at all. Azure's content-filter prelude (`choices: []` with
//! `prompt_filter_results`, first in every stream) and the usage chunk of
//! `stream_options.include_usage` (`choices: []`, OpenAI's own shape) are normal.

use crate::failure::Kind;
use crate::finding::Problems;
use serde_json::Value;

/// What the chunks of one stream looked like, beside their content.
#[derive(Debug, Default)]
pub struct Shapes {
    /// Chunks with `choices: []` that carry neither usage nor Azure's filter results.
    empty_choices: usize,
    /// Chunks with usage and no `choices` member.
    usage_without_choices: usize,
}

impl Shapes {
    pub fn note(&mut self, v: &Value) {
        let usage = v.get("usage").is_some_and(Value::is_object);
        match v.get("choices") {
            Some(Value::Array(cs)) if cs.is_empty() => {
                let azure_prelude = v.get("prompt_filter_results").is_some();
                if !usage && !azure_prelude {
                    self.empty_choices += 1;
                }
            }
            None if usage => self.usage_without_choices += 1,
            _ => {}
        }
    }

    /// Warnings for what was seen: the answer arrives, but some clients crash on it.
    pub fn judge(&self, p: &mut Problems) {
        if self.empty_choices > 0 {
            p.warn(
                Kind::BadResponse,
                format!(
                    "{} with `choices: []` and no usage: code that reads chunk.choices[0] crashes with IndexError (LiteLLM's stream handlers did, BerriAI/litellm#27968, #30870, #36553 as late as v1.89.4; many apps copied the openai-python loop that indexes it)",
                    crate::fit::count(self.empty_choices as u64, "chunk")
                ),
            );
        }
        if self.usage_without_choices > 0 {
            p.warn(
                Kind::BadResponse,
                "a usage chunk without a `choices` member: OpenAI sends `choices: []` there; LiteLLM's stream_chunk_builder raised KeyError 'choices' on it (BerriAI/litellm#32051), and code that reads chunk.choices fails",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn warnings(chunks: &[Value]) -> usize {
        let mut s = Shapes::default();
        chunks.iter().for_each(|c| s.note(c));
        let mut p = Problems::default();
        s.judge(&mut p);
        let f = p.into_finding(String::new());
        f.detail.matches("chunk").count().min(1) * usize::from(f.kind.is_some())
    }

    #[test]
    fn the_usage_chunk_and_azures_prelude_are_normal_other_empty_choices_are_not() {
        let usage = json!({"prompt_tokens": 1, "completion_tokens": 1});
        assert_eq!(warnings(&[json!({"choices": [], "usage": usage})]), 0);
        assert_eq!(
            warnings(&[json!({"choices": [], "prompt_filter_results": [{"prompt_index": 0}]})]),
            0
        );
        assert_eq!(warnings(&[json!({"id": "x", "choices": []})]), 1);
        assert_eq!(warnings(&[json!({"id": "x", "usage": usage})]), 1);
    }
}
