//! Self-hosted inference servers' own error vocabulary, read by what each server means.
//!
//! A paste from a local or self-hosted server (llama.cpp's `llama-server`, Ollama, vLLM,
//! SGLang, TGI, KoboldCpp, tabbyAPI, Triton's vLLM backend) carries sentences the server's
//! source code writes verbatim, with values filled in. [`VOCABULARY`] holds those sentences
//! as data, each row naming the server, the file in its repository that writes it, and
//! what it means: a flag the server was not started with, a queue that is full, a value
//! refused, a prompt the server cut. A sentence is matched as its source writes it, `{}`
//! where the source fills in a value (a number, a model's name); the values a user must
//! change (a window, a limit, a batch size) are quoted in the evidence.
//!
//! Two uses, hooked into `decide_at` with a line each:
//! - [`read`]: a row decides where the message rules read the sentence as another kind
//!   (llama.cpp's "tools param requires --jinja flag" arrives as a 500 and reads as a
//!   template failure; KoboldCpp's "Server is busy" as an outage, where the server serves
//!   one generation at a time);
//! - [`quote`]: whatever decided, a row of the verdict's kind adds the server's own
//!   numbers to the evidence ("vLLM … the window: 4096").

use super::rules::Facts;
use super::{one_line, Classification, Confidence};
use crate::failure::{Kind, RuleHint};

/// One sentence of one server.
struct Row {
    server: &'static str,
    /// The file in the server's repository that writes the sentence.
    at: &'static str,
    /// The sentence as the source writes it, lowercased, `{}` where it fills in a value.
    says: &'static str,
    /// What each `{}` holds, in order, for the evidence (`""`: not quoted).
    holes: &'static [&'static str],
    /// The sentence is the whole message (TGI's "Model is overloaded", where Gemini's
    /// "The model is overloaded. Please try again later." is an outage of its own).
    whole: bool,
    /// The kind is read elsewhere (the message rules): the row only quotes its numbers.
    quote_only: bool,
    kind: Kind,
    param: Option<&'static str>,
    hint: Option<RuleHint>,
    /// The sentence reads two ways: the verdict is the likely one, said so.
    cautious: bool,
}

const ROW: Row = Row {
    server: "",
    at: "",
    says: "",
    holes: &[],
    whole: false,
    quote_only: false,
    kind: Kind::BadRequest,
    param: None,
    hint: None,
    cautious: false,
};

/// The servers' sentences. Paths are the servers' repositories' as of their 2024–2026
/// sources: ggml-org/llama.cpp, ollama/ollama, vllm-project/vllm, sgl-project/sglang,
/// huggingface/text-generation-inference, LostRuins/koboldcpp, theroyallab/tabbyAPI,
/// triton-inference-server/vllm_backend.
static VOCABULARY: &[Row] = &[
    // --- A feature the server was not started with: the fix is a flag at its start.
    Row {
        server: "llama.cpp",
        at: "tools/server/utils.hpp (oaicompat_chat_params_parse, without --jinja)",
        says: "tools param requires --jinja flag",
        kind: Kind::ParamRejected,
        param: Some("tools"),
        hint: Some(RuleHint::ServerFlag),
        ..ROW
    },
    Row {
        server: "llama.cpp",
        at: "tools/server/utils.hpp (oaicompat_chat_params_parse, without --jinja)",
        says: "tool_choice param requires --jinja flag",
        kind: Kind::ParamRejected,
        param: Some("tool_choice"),
        hint: Some(RuleHint::ServerFlag),
        ..ROW
    },
    // An embedding or rerank input must fit the physical batch (n_ubatch) whole.
    Row {
        server: "llama.cpp",
        at: "tools/server/server.cpp (embedding and rerank tasks)",
        says: "input ({} tokens) is too large to process. increase the physical batch size (current batch size: {})",
        holes: &["the input's tokens", "the physical batch (--ubatch-size)"],
        kind: Kind::ContextOverflow,
        hint: Some(RuleHint::ServerFlag),
        ..ROW
    },
    // llama-box (gpustack/llama-box, llama-box/server.cpp) words it "…, please increase…".
    Row {
        server: "llama.cpp (or llama-box)",
        at: "tools/server/server.cpp; llama-box/server.cpp (embedding and rerank tasks)",
        says: "is too large to process{}increase the physical batch size",
        holes: &[""],
        kind: Kind::ContextOverflow,
        hint: Some(RuleHint::ServerFlag),
        ..ROW
    },
    Row {
        server: "TGI",
        at: "router/src/validation.rs (ValidationError::Grammar, --disable-grammar-support)",
        says: "grammar is not supported",
        kind: Kind::ParamRejected,
        param: Some("response_format"),
        hint: Some(RuleHint::ServerFlag),
        ..ROW
    },
    // --- A parameter's value refused: the value changes, the parameter stays.
    Row {
        server: "llama.cpp",
        at: "tools/server/utils.hpp (\"n\" field)",
        says: "only one completion choice is allowed",
        kind: Kind::ParamRejected,
        param: Some("n"),
        hint: Some(RuleHint::ParamValue),
        ..ROW
    },
    Row {
        server: "vLLM",
        at: "vllm/sampling_params.py (SamplingParams._verify_args)",
        says: "n must be at least 1, got {}",
        holes: &["n sent"],
        kind: Kind::ParamRejected,
        param: Some("n"),
        hint: Some(RuleHint::ParamValue),
        ..ROW
    },
    Row {
        server: "vLLM",
        at: "vllm/v1/engine/processor.py (_validate_logprobs)",
        says: "requested sample logprobs of {}, which is greater than max allowed: {}",
        holes: &["requested", "the server's maximum (--max-logprobs)"],
        kind: Kind::ParamRejected,
        hint: Some(RuleHint::ParamValue),
        ..ROW
    },
    Row {
        server: "TGI",
        at: "router/src/validation.rs (ValidationError::StopSequence)",
        says: "`stop` supports up to {} stop sequences. given: {}",
        holes: &["the server's maximum (--max-stop-sequences)", "sent"],
        kind: Kind::ParamRejected,
        param: Some("stop"),
        hint: Some(RuleHint::ParamValue),
        ..ROW
    },
    // vLLM's structured outputs (xgrammar backend): the schema, sent as response_format or
    // built from tools for a required tool_choice, has what the backend cannot compile.
    Row {
        server: "vLLM",
        at: "vllm/v1/structured_output/backend_xgrammar.py (validate_xgrammar_grammar)",
        says: "the provided json schema contains features not supported by xgrammar",
        kind: Kind::ParamRejected,
        param: Some("response_format"),
        cautious: true,
        ..ROW
    },
    Row {
        server: "vLLM",
        at: "vllm/entrypoints/openai/protocol.py (validate_stream_options)",
        says: "stream options can only be defined when `stream=true`",
        kind: Kind::ParamRejected,
        param: Some("stream_options"),
        ..ROW
    },
    // --- A capability the model lacks (Ollama's capability check).
    Row {
        server: "Ollama",
        at: "server/routes.go (model capabilities: thinking)",
        says: "{} does not support thinking",
        holes: &["the model"],
        kind: Kind::ParamRejected,
        param: Some("think"),
        ..ROW
    },
    Row {
        server: "Ollama",
        at: "server/routes.go (model capabilities: insert, for `suffix`)",
        says: "{} does not support insert",
        holes: &["the model"],
        kind: Kind::ParamRejected,
        param: Some("suffix"),
        ..ROW
    },
    // --- A local server's queue is full: the caller's concurrency, as TGI's 429 says.
    Row {
        server: "Ollama",
        at: "server/sched.go (ErrMaxQueue, OLLAMA_MAX_QUEUE), answered 503",
        says: "server busy, please try again. maximum pending requests exceeded",
        kind: Kind::RateLimit,
        hint: Some(RuleHint::ServerQueue),
        cautious: true,
        ..ROW
    },
    // Ollama 0.1.x–0.5 asked its llama.cpp runner for a slot (llm/server.go, ServerStatus).
    Row {
        server: "Ollama",
        at: "llm/server.go (ServerStatusNoSlotsAvailable, before the runner moved to llama-server)",
        says: "llm busy - no slots available",
        kind: Kind::RateLimit,
        hint: Some(RuleHint::ServerQueue),
        cautious: true,
        ..ROW
    },
    Row {
        server: "Ollama",
        at: "llm/server.go (getServerStatusRetry)",
        says: "no slots available after {} retries",
        holes: &[""],
        kind: Kind::RateLimit,
        hint: Some(RuleHint::ServerQueue),
        cautious: true,
        ..ROW
    },
    Row {
        server: "KoboldCpp",
        at: "koboldcpp.py (one generation at a time; --multiuser queues), answered 503",
        says: "server is busy; please try again later.",
        kind: Kind::RateLimit,
        hint: Some(RuleHint::ServerQueue),
        cautious: true,
        ..ROW
    },
    Row {
        server: "TGI",
        at: "router/src/infer/mod.rs (InferError::Overloaded, error_type \"overloaded\", answered 429)",
        says: "model is overloaded",
        whole: true,
        kind: Kind::RateLimit,
        hint: Some(RuleHint::ServerQueue),
        ..ROW
    },
    // --- A prompt the server cut to fit and answered anyway.
    Row {
        server: "Ollama",
        at: "llm/server.go and runner (slog.Warn \"truncating input prompt\")",
        says: "truncating input prompt\" limit={} prompt={}",
        holes: &["the context window (num_ctx)", "the prompt's tokens"],
        kind: Kind::ContextTruncated,
        ..ROW
    },
    // llama.cpp's server before 2024's log rework, also Ollama's runner then (update_slots).
    Row {
        server: "llama.cpp",
        at: "examples/server/server.cpp (update_slots: LOG_INFO \"input truncated\")",
        says: "input truncated | n_ctx={}",
        holes: &["the context window (--ctx-size; Ollama: num_ctx)"],
        kind: Kind::ContextTruncated,
        ..ROW
    },
    Row {
        server: "KoboldCpp",
        at: "koboldcpp.py (generate: max_context_length above --contextsize)",
        says: "request max_context_length={} exceeds allocated context size of {}. it will be reduced to fit",
        holes: &["requested", "the context window (--contextsize)"],
        kind: Kind::ContextTruncated,
        ..ROW
    },
    Row {
        server: "KoboldCpp",
        at: "koboldcpp.py (request body over 32 MB)",
        says: "payload is too big. max payload size is {}.",
        holes: &["the server's maximum"],
        kind: Kind::RequestTooLarge,
        ..ROW
    },
    // --- The server's own failure, whatever exception it wraps.
    Row {
        server: "Triton vLLM backend",
        at: "src/model.py (log_error in the generation loop)",
        says: "[vllm] error generating stream:",
        kind: Kind::ServerError,
        ..ROW
    },
    Row {
        server: "Triton vLLM backend",
        at: "src/model.py (_check_health)",
        says: "model is unavailable due to unhealthy vllm engine",
        kind: Kind::ServerError,
        ..ROW
    },
    // TGI answers a shard's failure with 424 Failed Dependency: a 4xx that is the server's.
    Row {
        server: "TGI",
        at: "router/src/infer/mod.rs (InferError::GenerationError, answered 424)",
        says: "request failed during generation: {}",
        holes: &[""],
        kind: Kind::ServerError,
        ..ROW
    },
    Row {
        server: "tabbyAPI",
        at: "common/model.py (check_model_container), answered 503",
        says: "no models are currently loaded.",
        kind: Kind::ModelNotFound,
        ..ROW
    },
    // --- Quoted only: the kind is read elsewhere; these give the numbers to change.
    Row {
        server: "vLLM",
        at: "vllm/entrypoints/openai/serving_engine.py (_validate_input)",
        says: "this model's maximum context length is {} tokens",
        holes: &["the window (--max-model-len)"],
        kind: Kind::ContextOverflow,
        quote_only: true,
        ..ROW
    },
    Row {
        server: "vLLM",
        at: "vllm/v1/engine/processor.py (_validate_model_input)",
        says: "prompt length of {} is longer than the maximum model length of {}",
        holes: &["the prompt's tokens", "the window (--max-model-len)"],
        kind: Kind::ContextOverflow,
        quote_only: true,
        ..ROW
    },
    Row {
        server: "SGLang",
        at: "python/sglang/srt/managers/tokenizer_manager.py (_validate_one_request)",
        says: "the input ({} tokens) is longer than the model's context length ({} tokens)",
        holes: &["the prompt's tokens", "the window (--context-length)"],
        kind: Kind::ContextOverflow,
        quote_only: true,
        ..ROW
    },
    Row {
        server: "SGLang",
        at: "python/sglang/srt/managers/tokenizer_manager.py (_validate_one_request)",
        says: "requested token count exceeds the model's maximum context length of {} tokens. you requested a total of {} tokens",
        holes: &["the window (--context-length)", "requested"],
        kind: Kind::ContextOverflow,
        quote_only: true,
        ..ROW
    },
    Row {
        server: "TGI",
        at: "router/src/validation.rs (ValidationError::MaxTotalTokens)",
        says: "`inputs` tokens + `max_new_tokens` must be <= {}. given: {} `inputs` tokens and {} `max_new_tokens`",
        holes: &["the server's total (--max-total-tokens)", "the prompt's tokens", "max_new_tokens"],
        kind: Kind::ContextOverflow,
        quote_only: true,
        ..ROW
    },
    Row {
        server: "TGI",
        at: "router/src/validation.rs (ValidationError::InputLength)",
        says: "`inputs` must have less than {} tokens. given: {}",
        holes: &["the server's maximum (--max-input-tokens)", "the prompt's tokens"],
        kind: Kind::ContextOverflow,
        quote_only: true,
        ..ROW
    },
    Row {
        server: "tabbyAPI",
        at: "common/errors.py (validate_context_requirements)",
        says: "prompt length {} exceeds the available context size of {} tokens",
        holes: &["the prompt's tokens", "the window (max_seq_len)"],
        kind: Kind::ContextOverflow,
        quote_only: true,
        ..ROW
    },
    Row {
        server: "Ollama",
        at: "llm/server.go (memory estimate before loading)",
        says: "model requires more system memory ({}) than is available ({})",
        holes: &["needed", "available"],
        kind: Kind::ServerError,
        quote_only: true,
        ..ROW
    },
];

/// How far a filled-in value reaches: a number, a model's name, a size with its unit.
const HOLE_CAP: usize = 120;

/// The sentence `says` in `words`, with what fills each `{}`.
fn find(words: &str, says: &str) -> Option<Vec<String>> {
    let parts: Vec<&str> = says.split("{}").collect();
    let leading = parts[0].is_empty();
    // The sentence's fixed start: the first part that is not empty.
    let first = parts.iter().position(|p| !p.is_empty())?;
    let mut from = 0;
    'start: while let Some(i) = words[from..].find(parts[first]) {
        let start = from + i;
        from = start + 1;
        while !words.is_char_boundary(from) {
            from += 1;
        }
        // A sentence starts a word: "n must be at least 1" is not the end of "top_n must…".
        let joined = words[..start]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
        if joined && !leading {
            continue;
        }
        let mut values = Vec::new();
        if leading {
            // A value before the sentence: the word just before it, a name as Ollama writes
            // one (`%q`, or a registry path `registry.ollama.ai/library/x:tag`), not a noun
            // ("this model does not support thinking" is another server's).
            let before = words[..start].trim_end();
            let word = before.rsplit(' ').next().unwrap_or("");
            if !word.contains(['"', '\'', ':', '/']) {
                continue;
            }
            values.push(word.to_string());
        }
        let mut at = start + parts[first].len();
        for (n, part) in parts.iter().enumerate().skip(first + 1) {
            let rest = &words[at..];
            if part.is_empty() && n + 1 == parts.len() {
                // A value at the sentence's end: the next word.
                let word = rest.split([' ', ',', ';']).next().unwrap_or("");
                values.push(word.to_string());
                break;
            }
            let Some(j) = rest.find(part).filter(|j| *j <= HOLE_CAP) else {
                continue 'start;
            };
            values.push(rest[..j].to_string());
            at += j + part.len();
        }
        return Some(values);
    }
    None
}

/// The first row that `keep` keeps whose sentence `f` holds, and its values.
fn matching(f: &Facts, keep: impl Fn(&Row) -> bool) -> Option<(&'static Row, Vec<String>)> {
    VOCABULARY.iter().filter(|r| keep(r)).find_map(|row| {
        let says = row.says.split_whitespace().collect::<Vec<_>>().join(" ");
        if row.whole {
            let msg = f.msg.split_whitespace().collect::<Vec<_>>().join(" ");
            return (msg.trim_end_matches('.') == says).then(|| (row, Vec::new()));
        }
        find(&f.words, &says).map(|values| (row, values))
    })
}

/// The values worth quoting, as "label value" pairs.
fn quoted(row: &Row, values: &[String]) -> String {
    row.holes
        .iter()
        .zip(values)
        .filter(|(label, v)| !label.is_empty() && !v.trim().is_empty())
        .map(|(label, v)| {
            let v = v.trim().trim_matches(['"', '\'', '\\', '(', ')', '.']);
            format!("{label}: {}", one_line(v))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn evidence(row: &Row, values: &[String]) -> String {
    let numbers = quoted(row, values);
    let sentence = row.says.replace("{}", "…");
    let sentence = sentence.split_whitespace().collect::<Vec<_>>().join(" ");
    if numbers.is_empty() {
        format!("{}'s own message \"{sentence}\" ({})", row.server, row.at)
    } else {
        format!(
            "{}'s own message \"{sentence}\" ({}); {numbers}",
            row.server, row.at
        )
    }
}

/// A server's own sentence, read as its source means it, where the message rules read it
/// as another kind (`by_message`) or not at all. Quoted-only rows of the same kind as the
/// message rules leave the decision to them.
pub fn read(f: &Facts, by_message: Option<Kind>) -> Option<Classification> {
    let (row, values) = matching(f, |_| true)?;
    if by_message == Some(row.kind) {
        return None;
    }
    // A row that only quotes numbers decides nothing the rules did not: its kind is read
    // elsewhere (`CONTEXT_WORDS`, `server_resources`).
    if row.quote_only {
        return None;
    }
    Some(Classification {
        kind: row.kind,
        param: row.param.map(str::to_string),
        gateway: false,
        rule: "server_vocabulary",
        hint: row.hint,
        confidence: if row.cautious {
            Confidence::Low
        } else {
            Confidence::High
        },
        evidence: evidence(row, &values),
    })
}

/// `v`, with the numbers a server's own sentence of the same kind holds added to its
/// evidence (the window, the limit, the batch size the user must change).
pub fn quote(mut v: Classification, f: &Facts) -> Classification {
    if v.rule == "server_vocabulary" {
        return v;
    }
    if let Some((row, values)) = matching(f, |row| row.kind == v.kind) {
        let numbers = quoted(row, &values);
        if !numbers.is_empty() {
            v.evidence = format!("{}; {} ({}): {numbers}", v.evidence, row.server, row.at);
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use crate::classify::{decide, parse_error_body, Classification, Confidence, KNOWN_PARAMS};
    use crate::failure::{Kind, RuleHint};

    fn read(status: Option<u16>, body: &str) -> Classification {
        let b = parse_error_body(Some("application/json"), body.as_bytes());
        decide(status, &b, KNOWN_PARAMS, "").expect("a verdict")
    }

    fn words(text: &str) -> Classification {
        let b = crate::classify::ErrorBody {
            message: Some(text.to_string()),
            ..Default::default()
        };
        decide(None, &b, KNOWN_PARAMS, "").expect("a verdict")
    }

    #[test]
    fn every_row_matches_its_own_sentence_with_values_filled_in() {
        for row in super::VOCABULARY {
            let filled = row.says.replace("{}", "m:4096");
            let found = super::find(&filled, row.says);
            assert!(found.is_some(), "{}: {}", row.server, row.says);
            assert!(!row.at.is_empty() && !row.server.is_empty(), "{}", row.says);
            assert_eq!(
                row.says.matches("{}").count(),
                row.holes.len(),
                "{}: one label per value",
                row.says
            );
        }
    }

    #[test]
    fn llama_cpp_without_jinja_refuses_tools_by_the_flag_not_as_a_template_failure() {
        // llama.cpp's server throws it as a runtime_error: a 500 in its error envelope.
        let v = read(
            Some(500),
            r#"{"error":{"code":500,"message":"tools param requires --jinja flag","type":"server_error"}}"#,
        );
        assert_eq!(
            (v.kind, v.param.as_deref(), v.hint),
            (
                Kind::ParamRejected,
                Some("tools"),
                Some(RuleHint::ServerFlag)
            )
        );
        assert!(v.evidence.contains("--jinja"), "{}", v.evidence);
        let v = read(
            Some(500),
            r#"{"error":{"code":500,"message":"tool_choice param requires --jinja flag","type":"server_error"}}"#,
        );
        assert_eq!(v.param.as_deref(), Some("tool_choice"));
    }

    #[test]
    fn an_embedding_input_over_the_physical_batch_quotes_the_batch_size() {
        let v = read(
            Some(500),
            r#"{"error":{"code":500,"message":"input (9000 tokens) is too large to process. increase the physical batch size (current batch size: 512)","type":"server_error"}}"#,
        );
        assert_eq!(v.kind, Kind::ContextOverflow);
        assert_eq!(v.hint, Some(RuleHint::ServerFlag));
        assert!(v.evidence.contains("--ubatch-size): 512"), "{}", v.evidence);
    }

    #[test]
    fn a_full_queue_is_the_callers_concurrency_said_cautiously() {
        // Ollama's ErrMaxQueue (server/sched.go), with its two spaces.
        let v = read(
            Some(503),
            r#"{"error":"server busy, please try again.  maximum pending requests exceeded"}"#,
        );
        assert_eq!(
            (v.kind, v.hint, v.confidence),
            (
                Kind::RateLimit,
                Some(RuleHint::ServerQueue),
                Confidence::Low
            )
        );
        // KoboldCpp's 503 body (koboldcpp.py).
        let v = read(
            Some(503),
            r#"{"detail": {"msg": "Server is busy; please try again later.", "type": "service_unavailable"}}"#,
        );
        assert_eq!(v.kind, Kind::RateLimit);
        // TGI's Overloaded, known by its error_type even without the 429.
        let v = words_body(r#"{"error":"Model is overloaded","error_type":"overloaded"}"#);
        assert_eq!(v.kind, Kind::RateLimit);
    }

    fn words_body(body: &str) -> Classification {
        read(None, body)
    }

    #[test]
    fn another_servers_busy_words_stay_an_outage() {
        // A cloud API's busy page is its own outage, not a local queue: no row speaks.
        let v = read(
            Some(503),
            r#"{"error":{"message":"The server is busy. Please try again later.","type":"server_error"}}"#,
        );
        assert_eq!(v.kind, Kind::ServerError);
        let v = read(
            Some(503),
            r#"{"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}"#,
        );
        assert_eq!(v.kind, Kind::ServerError);
    }

    #[test]
    fn values_refused_keep_the_parameter_and_change_its_value() {
        let v = read(
            Some(500),
            r#"{"error":{"code":500,"message":"Only one completion choice is allowed","type":"server_error"}}"#,
        );
        assert_eq!(
            (v.kind, v.param.as_deref(), v.hint),
            (Kind::ParamRejected, Some("n"), Some(RuleHint::ParamValue))
        );
        let v = read(
            Some(400),
            r#"{"object":"error","message":"n must be at least 1, got 0.","type":"BadRequestError","param":null,"code":400}"#,
        );
        assert_eq!(
            (v.param.as_deref(), v.hint),
            (Some("n"), Some(RuleHint::ParamValue))
        );
        let v = read(
            Some(422),
            r#"{"error":"Input validation error: `stop` supports up to 4 stop sequences. Given: 6","error_type":"validation"}"#,
        );
        assert_eq!(
            (v.kind, v.param.as_deref()),
            (Kind::ParamRejected, Some("stop"))
        );
        assert!(v.evidence.contains(": 4"), "{}", v.evidence);
    }

    #[test]
    fn a_negative_max_tokens_is_a_prompt_that_fills_the_window_not_a_key_to_drop() {
        // vLLM's SamplingParams check, "max_tokens must be at least 1, got {}": a cap below
        // zero is what a client computes as the window minus a prompt that fills it
        // (`param_words::negative_cap`), said as likely, and never "stop sending it".
        let v = read(
            Some(400),
            r#"{"object":"error","message":"max_tokens must be at least 1, got -120.","type":"BadRequestError","param":null,"code":400}"#,
        );
        assert_eq!(
            (v.kind, v.confidence, v.hint),
            (
                Kind::ContextOverflow,
                Confidence::Low,
                Some(RuleHint::NegativeCap)
            )
        );
    }

    #[test]
    fn ollama_capabilities_name_the_field_they_refuse() {
        let v = read(
            Some(400),
            r#"{"error":"\"qwen2.5:7b\" does not support thinking"}"#,
        );
        assert_eq!(
            (v.kind, v.param.as_deref()),
            (Kind::ParamRejected, Some("think"))
        );
        assert!(v.evidence.contains("qwen2.5:7b"), "{}", v.evidence);
        let v = read(
            Some(400),
            r#"{"error":"\"llama3:8b\" does not support insert"}"#,
        );
        assert_eq!(v.param.as_deref(), Some("suffix"));
    }

    #[test]
    fn another_servers_thinking_refusal_names_no_ollama_field() {
        let b = crate::classify::ErrorBody {
            message: Some("This model does not support thinking".to_string()),
            ..Default::default()
        };
        let v = decide(Some(400), &b, KNOWN_PARAMS, "");
        assert!(
            v.as_ref()
                .is_none_or(|v| v.param.as_deref() != Some("think")),
            "{v:?}"
        );
    }

    #[test]
    fn a_prompt_the_server_cut_quotes_the_window() {
        let v = words(
            "time=2025-03-01T10:00:00.000Z level=WARN source=runner.go:130 msg=\"truncating input prompt\" limit=4096 prompt=9000 keep=4 new=4096",
        );
        assert_eq!(v.kind, Kind::ContextTruncated);
        assert!(v.evidence.contains("num_ctx): 4096"), "{}", v.evidence);
        let v = words("Warning! Request max_context_length=16384 exceeds allocated context size of 8192. It will be reduced to fit. Consider launching with increased --contextsize to avoid errors.");
        assert_eq!(v.kind, Kind::ContextTruncated);
        assert!(v.evidence.contains("8192"), "{}", v.evidence);
    }

    #[test]
    fn a_server_log_of_its_own_generation_failure_is_the_servers() {
        let v = words("E0101 10:00:00.000000 1 model.py:500] \"[vllm] Error generating stream: No module named 'foo'\"");
        assert_eq!(v.kind, Kind::ServerError);
    }

    #[test]
    fn a_generation_failure_answered_424_is_the_servers_not_the_request() {
        // TGI's InferError::GenerationError, as its router answers it.
        let v = read(
            Some(424),
            r#"{"error":"Request failed during generation: Server error: Unexpected <class 'RuntimeError'>: shard 0 failed","error_type":"generation"}"#,
        );
        assert_eq!(v.kind, Kind::ServerError);
        // Its out-of-memory words keep the memory fix they have.
        let v = read(
            Some(424),
            r#"{"error":"Request failed during generation: Server error: CUDA out of memory. Tried to allocate 2.00 GiB","error_type":"generation"}"#,
        );
        assert_eq!(
            (v.kind, v.hint),
            (Kind::ServerError, Some(RuleHint::ServerResources))
        );
    }

    #[test]
    fn a_context_overflow_read_elsewhere_gets_the_servers_numbers() {
        let v = read(
            Some(400),
            r#"{"object":"error","message":"This model's maximum context length is 8192 tokens. However, you requested 9100 tokens (8000 in the messages, 1100 in the completion). Please reduce the length of the messages or completion.","type":"BadRequestError","param":null,"code":400}"#,
        );
        assert_eq!(v.kind, Kind::ContextOverflow);
        assert_ne!(v.rule, "server_vocabulary");
        assert!(
            v.evidence.contains("--max-model-len): 8192"),
            "{}",
            v.evidence
        );
        let v = read(
            Some(422),
            r#"{"error":"Input validation error: `inputs` tokens + `max_new_tokens` must be <= 4096. Given: 4000 `inputs` tokens and 500 `max_new_tokens`","error_type":"validation"}"#,
        );
        assert_eq!(v.kind, Kind::ContextOverflow);
        assert!(
            v.evidence.contains("--max-total-tokens): 4096"),
            "{}",
            v.evidence
        );
    }

    #[test]
    fn a_hole_reaches_no_further_than_a_value() {
        let far = format!(
            "model requires more system memory ({}) than is available (2 GiB)",
            "x".repeat(200)
        );
        assert!(super::find(
            &far,
            "model requires more system memory ({}) than is available ({})"
        )
        .is_none());
    }
}
