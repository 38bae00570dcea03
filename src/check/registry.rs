//! The one list of checks. A new check is one file holding its [`Spec`] (named `SPEC`) and
//! one line here, `CheckId => file,`: the file's module is declared from that line (no
//! `pub mod` in `mod.rs`), and the enum of ids, report order, selection, planning, dry runs
//! and costs all derive from this list. Checks that share a file name their spec instead,
//! `CheckId => file::CONST,` (that file is declared in `mod.rs` by hand).

use super::spec::Spec;
use super::*;

/// The list itself, handed to `$then`: `registry!` builds the ids from it here, and
/// `declare_check_modules!` declares the one-file checks' modules in `mod.rs` (a module must
/// be declared in its parent's file for `super::` and the file path to be the usual ones).
macro_rules! with_checks {
    ($then:ident) => {
        $then! {
            TargetBaseUrl => base_url,
            TargetAddressFamily => address_family,
            ModelsList => models::MODELS_LIST,
            ModelsExists => models::MODELS_EXISTS,
            ChatBasic => chat::CHAT_BASIC,
            ChatMaxTokens => chat::CHAT_MAX_TOKENS,
            ChatStream => stream::CHAT_STREAM,
            ChatStreamUsage => stream::CHAT_STREAM_USAGE,
            ChatTools => chat::CHAT_TOOLS,
            ChatToolChoiceRequired => chat::CHAT_TOOL_CHOICE_REQUIRED,
            ChatToolChoiceNone => chat::CHAT_TOOL_CHOICE_NONE,
            ChatToolChoiceNamed => chat::CHAT_TOOL_CHOICE_NAMED,
            ChatToolChoiceNull => chat::CHAT_TOOL_CHOICE_NULL,
            ChatStreamTools => stream::CHAT_STREAM_TOOLS,
            ChatStreamPacing => stream_pacing,
            ChatJsonSchema => json_schema,
            ChatJsonObject => json_object,
            ChatToolRoundtrip => tool_roundtrip,
            ChatStreamToolRoundtrip => stream_tool_roundtrip,
            ChatToolsSeen => tools_seen,
            ChatErrorShape => error_shape,
            ChatUnknownModel => unknown_model,
            ChatReasoningEffort => reasoning_effort,
            ChatReasoningPassback => reasoning_passback,
            ChatDeveloperRole => developer_role,
            ChatContentParts => content_parts,
            ChatSchemaKeywords => schema_keywords_check,
            ChatTruncationCanary => truncation_canary,
            ChatContextOverflow => context_overflow,
            ResponsesBasic => responses::RESPONSES_BASIC,
            ResponsesStream => responses::RESPONSES_STREAM,
            ResponsesTools => responses::RESPONSES_TOOLS,
            ResponsesJsonSchema => responses_json_schema,
            ResponsesToolRoundtrip => responses_tool_roundtrip,
            ResponsesPreviousResponse => responses_previous,
            MessagesBasic => messages::MESSAGES_BASIC,
            MessagesStream => messages::MESSAGES_STREAM,
            MessagesThinking => messages_thinking,
            EmbeddingsBasic => embeddings,
            EmbeddingsBase64 => embeddings_base64,
        }
    };
}

/// `file` alone is a one-file check: declare its module. `file::CONST` declares nothing.
macro_rules! check_module {
    ($file:ident) => {
        pub mod $file;
    };
    ($file:ident :: $spec:ident) => {};
}

/// The spec a registry line names: `file` means `file::SPEC`.
macro_rules! spec_of {
    ($file:ident) => {
        &$file::SPEC
    };
    ($file:ident :: $spec:ident) => {
        &$file::$spec
    };
}

macro_rules! declare_check_modules {
    ($($variant:ident => $file:ident $(:: $spec:ident)?,)*) => {
        $(check_module!($file $(:: $spec)?);)*
    };
}

macro_rules! registry {
    ($($variant:ident => $file:ident $(:: $spec:ident)?,)*) => {
        /// Stable check ids: part of the JSON contract. Declared in report order.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum CheckId {
            $($variant,)*
        }

        impl CheckId {
            /// Every check, in report order.
            pub const ALL: &'static [CheckId] = &[$(CheckId::$variant,)*];

            pub fn spec(self) -> &'static Spec {
                match self {
                    $(CheckId::$variant => spec_of!($file $(:: $spec)?),)*
                }
            }
        }
    };
}

with_checks!(registry);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::route::Route;

    /// The output cap a request body declares, under whichever key its API uses.
    fn output_cap(r: &crate::http::Request) -> u64 {
        let body = r.body.as_ref();
        ["max_tokens", "max_completion_tokens", "max_output_tokens"]
            .iter()
            .find_map(|k| {
                body.and_then(|b| b.get(*k))
                    .and_then(serde_json::Value::as_u64)
            })
            .unwrap_or(0)
    }

    #[test]
    fn every_route_has_exactly_one_basic_check() {
        use clap::ValueEnum;
        for &r in Route::value_variants() {
            let basics = CheckId::ALL
                .iter()
                .filter(|c| c.route() == Some(r) && c.stage() == Stage::Basic)
                .count();
            assert_eq!(basics, 1, "{r:?}");
            assert_eq!(CheckId::basic_of(r).route(), Some(r));
        }
    }

    #[test]
    fn declared_costs_match_what_the_builders_send() {
        for &c in CheckId::ALL {
            let reqs = requests(c, "m", TokenCap::MaxTokens);
            let declared = c.cost();
            assert_eq!(
                declared.requests as usize,
                reqs.len(),
                "{}: requests",
                c.id()
            );
            let caps: u64 = reqs.iter().map(output_cap).sum();
            assert_eq!(declared.output_tokens, caps, "{}: output tokens", c.id());
        }
    }

    #[test]
    fn every_check_says_what_it_proves() {
        for &c in CheckId::ALL {
            assert!(
                !c.spec().proves.is_empty(),
                "{}: its spec says nothing in `proves`",
                c.id()
            );
        }
    }

    #[test]
    fn ids_name_their_family_and_route() {
        for &c in CheckId::ALL {
            let s = c.spec();
            assert!(s.id.contains('.'), "{}", s.id);
            if let Some(r) = s.route {
                assert_eq!(
                    s.family(),
                    format!("{r:?}").to_ascii_lowercase(),
                    "{} is on {r:?}",
                    s.id
                );
            }
            let sends = s.build.is_some();
            match s.judge {
                Judge::Probe => assert!(s.route.is_none() && sends, "{}", s.id),
                Judge::Derived(d) => {
                    assert!(!sends, "{} is derived: it builds no request", s.id);
                    let from_basic = matches!(d, Derive::FromBasic(_));
                    assert_eq!(from_basic, s.stage == Stage::FromBasic, "{}", s.id);
                    assert_eq!(from_basic, s.route.is_some(), "{}", s.id);
                }
                Judge::Json(_) | Judge::Stream(_) => assert!(sends, "{} builds no request", s.id),
                Judge::Run(_) => {}
            }
        }
    }
}
