//! `probe --as CLIENT`: send what a known client sends beside the request itself (its
//! User-Agent, the headers and the body fields it always adds), so a relay that blocks
//! unknown clients can be told from a broken endpoint, and a server that refuses what the
//! client always sends is seen failing as the client does. Each profile is taken from the client's public source at a
//! pinned version, cited beside it; none carries a credential (the key goes only where the
//! target says, as always). A header the user gives with `--header` wins over the profile's.

use clap::ValueEnum;
use serde_json::{json, Value};

/// The clients zencheck can speak as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Profile {
    Opencode,
    AiSdk,
    OpenaiPython,
    OpenaiNode,
    Litellm,
    Codex,
    ClaudeCode,
}

impl Profile {
    /// The name `--as` takes.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Opencode => "opencode",
            Profile::AiSdk => "ai-sdk",
            Profile::OpenaiPython => "openai-python",
            Profile::OpenaiNode => "openai-node",
            Profile::Litellm => "litellm",
            Profile::Codex => "codex",
            Profile::ClaudeCode => "claude-code",
        }
    }

    /// The headers this client adds to every request, in the order it sends them.
    pub fn headers(self) -> &'static [(&'static str, &'static str)] {
        match self {
            // anomalyco/opencode 1.18.34 (packages/opencode/package.json at 006d1ab):
            // packages/opencode/src/session/llm.ts sends `User-Agent: opencode/VERSION` to
            // providers and `x-opencode-client` (Flag.OPENCODE_CLIENT, "cli" from the terminal)
            // to its own Zen; the AI SDK's openai-compatible provider it loads (2.0.41) adds
            // no other header.
            Profile::Opencode => &[("User-Agent", "opencode/1.18.34"), ("x-opencode-client", "cli")],
            // vercel/ai at ed857f5: @ai-sdk/openai-compatible 3.0.35 appends
            // `ai-sdk/openai-compatible/VERSION` (openai-compatible-provider.ts,
            // withUserAgentSuffix), and @ai-sdk/provider-utils 5.0.29 appends its own and the
            // runtime's (post-to-api.ts, get-runtime-environment-user-agent.ts: Node 22 names
            // itself `node.js/22` through navigator.userAgent).
            Profile::AiSdk => &[(
                "User-Agent",
                "ai-sdk/openai-compatible/3.0.35 ai-sdk/provider-utils/5.0.29 runtime/node.js/22",
            )],
            // openai/openai-python 3.3.1 at e43b422: src/openai/_base_client.py
            // (`user_agent`: "{class name}/Python {version}", platform_headers) and
            // src/openai/_client.py (X-Stainless-Async); CPython 3.12 on Linux x86_64.
            Profile::OpenaiPython => &[
                ("User-Agent", "OpenAI/Python 3.3.1"),
                ("X-Stainless-Lang", "python"),
                ("X-Stainless-Package-Version", "3.3.1"),
                ("X-Stainless-OS", "Linux"),
                ("X-Stainless-Arch", "x64"),
                ("X-Stainless-Runtime", "CPython"),
                ("X-Stainless-Runtime-Version", "3.12.3"),
                ("X-Stainless-Async", "false"),
                ("x-stainless-retry-count", "0"),
            ],
            // openai/openai-node 7.5.0 at 7b7d6ca: src/client.ts (`getUserAgent`:
            // "{class name}/JS {VERSION}", X-Stainless-Retry-Count) and
            // src/internal/detect-platform.ts (the Node.js platform headers); Node 22 on Linux.
            Profile::OpenaiNode => &[
                ("User-Agent", "OpenAI/JS 7.5.0"),
                ("X-Stainless-Retry-Count", "0"),
                ("X-Stainless-Lang", "js"),
                ("X-Stainless-Package-Version", "7.5.0"),
                ("X-Stainless-OS", "Linux"),
                ("X-Stainless-Arch", "x64"),
                ("X-Stainless-Runtime", "node"),
                ("X-Stainless-Runtime-Version", "v22.12.0"),
            ],
            // BerriAI/litellm 1.106.2 (the proxy of the peers tier): an `openai/…` model goes
            // out through openai-python's AsyncOpenAI (litellm/llms/openai/openai.py), which
            // names itself "AsyncOpenAI/Python" with openai 2.54.0 and an async X-Stainless-Async.
            Profile::Litellm => &[
                ("User-Agent", "AsyncOpenAI/Python 2.54.0"),
                ("X-Stainless-Lang", "python"),
                ("X-Stainless-Package-Version", "2.54.0"),
                ("X-Stainless-OS", "Linux"),
                ("X-Stainless-Arch", "x64"),
                ("X-Stainless-Runtime", "CPython"),
                ("X-Stainless-Runtime-Version", "3.11.2"),
                ("X-Stainless-Async", "async:asyncio"),
                ("x-stainless-retry-count", "0"),
            ],
            // openai/codex at 001cb8e: codex-rs/core/src/default_client.rs sends
            // `originator: codex_cli_rs` (DEFAULT_ORIGINATOR) and a User-Agent of
            // "{originator}/{version} ({os} {os version}; {arch}) {terminal}"; the workspace
            // says 0.0.0 until a release stamps it, so a release number stands in.
            Profile::Codex => &[
                ("originator", "codex_cli_rs"),
                ("User-Agent", "codex_cli_rs/0.112.0 (Ubuntu 24.04; x86_64) xterm-256color"),
            ],
            // Claude Code's source is not public: its requests as captured in public issue
            // threads (router-for-me/CLIProxyAPI#2172, 2.x): a `claude-cli/VERSION (external,
            // cli)` User-Agent, `x-app: cli` and its beta flags.
            Profile::ClaudeCode => &[
                ("User-Agent", "claude-cli/2.0.76 (external, cli)"),
                ("x-app", "cli"),
                ("anthropic-beta", "claude-code-20250219,interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14"),
            ],
        }
    }

    /// The request body as this client sends it: the fields it always adds, where the
    /// request left them out (what a check sets on purpose stays).
    pub fn shaped(self, path: &str, body: &Value) -> Value {
        let mut b = body.clone();
        let Some(o) = b.as_object_mut() else {
            return b;
        };
        match (self, path) {
            // packages/opencode/src/provider/provider.ts sets `includeUsage` for every
            // @ai-sdk/openai-compatible provider, and that package then sends
            // stream_options on every stream (openai-compatible-chat-language-model.ts).
            (Profile::Opencode, "/chat/completions")
                if o.get("stream") == Some(&Value::Bool(true)) =>
            {
                o.entry("stream_options")
                    .or_insert(json!({"include_usage": true}));
            }
            // codex-rs ResponsesApiRequest: `store`, `parallel_tool_calls` and `include` are
            // not optional, so every request carries them (store false off Azure).
            (Profile::Codex, "/responses") => {
                o.entry("store").or_insert(json!(false));
                o.entry("parallel_tool_calls").or_insert(json!(false));
                o.entry("include").or_insert(json!([]));
            }
            _ => {}
        }
        b
    }

    /// The profile's User-Agent.
    pub fn user_agent(self) -> &'static str {
        self.headers()
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("user-agent"))
            .map_or("", |(_, v)| v)
    }
}

/// `headers` with the profile's in front, leaving out those the user set (by name, any case).
pub fn with_profile<V>(
    profile: Profile,
    headers: Vec<(String, V)>,
    value: impl Fn(&'static str) -> V,
) -> Vec<(String, V)> {
    let mut out: Vec<(String, V)> = profile
        .headers()
        .iter()
        .filter(|(n, _)| !headers.iter().any(|(h, _)| h.eq_ignore_ascii_case(n)))
        .map(|(n, v)| (n.to_string(), value(v)))
        .collect();
    out.extend(headers);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_profile_names_itself_and_carries_no_credential() {
        for &p in Profile::value_variants() {
            assert_eq!(p.to_possible_value().unwrap().get_name(), p.name());
            assert!(!p.user_agent().is_empty(), "{}", p.name());
            for (n, _) in p.headers() {
                let n = n.to_ascii_lowercase();
                assert!(
                    !["authorization", "x-api-key", "api-key", "cookie"].contains(&n.as_str()),
                    "{} sends {n}",
                    p.name()
                );
            }
        }
    }

    #[test]
    fn bodies_gain_only_what_the_client_always_sends() {
        let stream = json!({"model": "m", "stream": true});
        let o = Profile::Opencode.shaped("/chat/completions", &stream);
        assert_eq!(o["stream_options"]["include_usage"], true);
        let plain = json!({"model": "m", "stream": false});
        assert_eq!(Profile::Opencode.shaped("/chat/completions", &plain), plain);
        let stored = json!({"model": "m", "store": true});
        let c = Profile::Codex.shaped("/responses", &stored);
        assert_eq!(
            (c["store"].clone(), c["include"].clone()),
            (json!(true), json!([]))
        );
        assert_eq!(
            Profile::OpenaiPython.shaped("/chat/completions", &stream),
            stream
        );
    }

    #[test]
    fn the_users_header_wins() {
        let h = with_profile(
            Profile::Opencode,
            vec![("user-agent".to_string(), "mine")],
            |v| v,
        );
        assert_eq!(
            h,
            vec![
                ("x-opencode-client".to_string(), "cli"),
                ("user-agent".to_string(), "mine")
            ]
        );
    }
}
