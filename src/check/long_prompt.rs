//! The long prompts of the context checks: filler whose size in tokens is known within a
//! little (one token a word in every common tokenizer), a code word near its start, and the
//! placeholder `--dry-run` shows instead of megabytes of filler.

use serde_json::Value;

/// Nine words that are one token each in cl100k, o200k, Llama, Qwen and Mistral tokenizers.
const FILLER: &str = "the quick brown fox jumps over the lazy dog";
const FILLER_WORDS: u64 = 9;

/// `words` words of filler (rounded up to a whole sentence), about as many tokens.
pub fn filler(words: u64) -> String {
    let sentences = words.div_ceil(FILLER_WORDS) as usize;
    let mut s = String::with_capacity(sentences * (FILLER.len() + 2));
    for _ in 0..sentences {
        s.push_str(FILLER);
        s.push_str(". ");
    }
    s
}

/// What `--dry-run` shows in place of the filler.
pub fn placeholder(words: u64) -> String {
    format!("<{words} words of filler, about {words} input tokens, built when the check runs>")
}

/// The prompt tokens an answer's usage counts, under either API's key.
pub fn prompt_tokens(v: &Value) -> Option<u64> {
    let u = v.get("usage")?;
    u.get("prompt_tokens")
        .or(u.get("input_tokens"))
        .and_then(Value::as_u64)
}

/// The server counted well under what was sent: less than half of it.
pub fn counted_short(counted: Option<u64>, sent: u64) -> bool {
    counted.is_some_and(|c| c.saturating_mul(2) < sent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filler_has_the_words_asked_for() {
        let n = filler(100).split_whitespace().count() as u64;
        assert!((100..100 + FILLER_WORDS).contains(&n), "{n}");
    }

    #[test]
    fn a_count_under_half_is_short() {
        assert!(counted_short(Some(4096), 12_000));
        assert!(!counted_short(Some(11_000), 12_000));
        assert!(!counted_short(None, 12_000));
    }
}
