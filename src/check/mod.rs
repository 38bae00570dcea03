//! The checks as the rest of zencheck sees them: ids, requests, running one, selecting
//! them. Each check is declared once, its spec beside its judge, and listed in
//! `registry.rs`; what the checks share is in `ask.rs` (the prompt and output caps) and
//! `answer.rs` (sending a request, reading its answer). Each returns a [`Finding`]; none
//! returns `Err`.
//!
//! A check's request is data ([`request`]), so `--dry-run` prints exactly what a run sends.

// The registry's macros first: the one-file checks' modules are declared from its list.
#[macro_use]
mod registry;
with_checks!(declare_check_modules);

pub mod answer;
pub mod ask;
pub mod chat;
pub mod cold_start;
pub mod edge;
pub mod error_body;
pub mod instruction;
pub mod key_scope;
pub mod long_prompt;
pub mod messages;
pub mod model_swap;
pub mod models;
pub mod responses;
pub mod schema_keywords;
pub mod spec;
pub mod stream;
pub mod stream_shape;
pub mod structured;
pub mod tier;
pub mod web_page;

pub use answer::token_counts;
pub use ask::{TokenCap, PROMPT, REASONING_MAX_TOKENS};
pub use registry::CheckId;
pub use spec::{Cost, Derive, Judge, Spec, Stage};

use crate::failure::Kind;
use crate::finding::{Finding, Status};
use crate::http::{Http, Request};
use crate::route::Route;
use crate::target::Target;
use answer::{send_json, send_stream};

impl CheckId {
    pub fn id(self) -> &'static str {
        self.spec().id
    }

    /// The generation route the check exercises; `None` for target-wide checks.
    pub fn route(self) -> Option<Route> {
        self.spec().route
    }

    pub fn endpoint(self) -> Option<&'static str> {
        self.spec().endpoint()
    }

    pub fn stage(self) -> Stage {
        self.spec().stage
    }

    pub fn cost(self) -> Cost {
        self.spec().cost
    }

    /// How the check is derived from the run, when it sends nothing of its own.
    pub fn derive(self) -> Option<Derive> {
        match self.spec().judge {
            Judge::Derived(d) => Some(d),
            _ => None,
        }
    }

    /// Whether the check asks for an event stream: a request it sends says `"stream": true`.
    pub fn streams(self) -> bool {
        requests(self, "", TokenCap::MaxTokens)
            .iter()
            .any(|r| r.body.as_ref().and_then(|b| b.get("stream")) == Some(&true.into()))
    }

    /// The route's plain stream check (`chat.stream`): the first of its checks, in report
    /// order, that streams; `None` on a route without streams (`/embeddings`).
    pub fn stream_of(route: Route) -> Option<CheckId> {
        CheckId::ALL
            .iter()
            .copied()
            .find(|c| c.route() == Some(route) && c.streams())
    }

    /// The check of this id (`chat.basic`), if zencheck has one.
    pub fn by_id(id: &str) -> Option<CheckId> {
        CheckId::ALL.iter().copied().find(|c| c.id() == id)
    }

    /// The check every other check of its route waits for (it also settles `max_tokens`).
    pub fn basic_of(route: Route) -> CheckId {
        CheckId::ALL
            .iter()
            .copied()
            .find(|c| c.route() == Some(route) && c.stage() == Stage::Basic)
            .expect("every route has a basic check (registry test)")
    }
}

/// The requests a check sends for `model`, in order (none for checks the probe derives).
pub fn requests(id: CheckId, model: &str, cap: TokenCap) -> Vec<Request> {
    let built = id.spec().build.map(|b| b(model, cap)).unwrap_or_default();
    built.into_iter().map(|r| ask::sized(r, cap)).collect()
}

/// The (first) request a check sends for `model`; `None` for checks that send none.
pub fn request(id: CheckId, model: &str, cap: TokenCap) -> Option<Request> {
    requests(id, model, cap).into_iter().next()
}

/// What every check needs.
pub struct Ctx<'a> {
    pub http: &'a Http,
    pub target: &'a Target,
}

/// Why a check for reasoning models did not run.
pub const NOT_REASONING: &str =
    "the model showed no reasoning in its basic check (no reasoning tokens or fields): this check is for reasoning models";
/// Run one generation check for `model`.
pub async fn run(cx: &Ctx<'_>, id: CheckId, model: &str, cap: TokenCap) -> Finding {
    let spec = id.spec();
    if matches!(spec.judge, Judge::Probe | Judge::Derived(_)) || request(id, model, cap).is_none() {
        return Finding::skip("sends no request of its own");
    }
    let mut f = attempt(cx, id, model, cap).await;
    // Reasoning spent the whole cap before any answer, or an answer that shows reasoning
    // stopped at the cap: once more, with a cap sized for a reasoning model (only when the
    // first cap was not that already). An answer that shows none is not retried: a model
    // that rambles to its cap would ramble to the larger one too, which on a CPU server costs
    // minutes. The one exception is a route's basic check: its one-word prompt ends in a few
    // tokens, so a cut there is most likely a thought left in the content untagged (R1's
    // template opens `<think>` in the prompt), which only a larger cap shows; it decides the
    // caps of every later check of the model, once.
    let retry = f.reasoning.is_some() || id.stage() == Stage::Basic;
    if f.kind == Some(Kind::OutputLength) && f.status != Status::Fail && !cap.reasoning() && retry {
        let why = if spent_on_reasoning(&f) {
            "reasoning spent the whole first one"
        } else if f.reasoning.is_some() {
            "the first answer, which shows reasoning, stopped at its cap"
        } else {
            "the first answer stopped at its cap, as an untagged thought in the content would"
        };
        let first_cap = request(id, model, cap).and_then(|r| answer::sent_cap(&r));
        let spent = spent_on_reasoning(&f);
        f = attempt(cx, id, model, cap.for_reasoning()).await;
        f.detail.push_str(&format!(
            " · retried once with a {REASONING_MAX_TOKENS}-token cap: {why}"
        ));
        if spent && f.status == Status::Pass {
            f = small_cap_warning(f, first_cap);
        }
    }
    schema_keywords::name_keyword(&mut f);
    if spec.rejection_warns && f.kind == Some(Kind::ParamRejected) {
        f.status = Status::Warn;
    }
    f
}

/// One attempt at a check: its requests, sent and judged.
async fn attempt(cx: &Ctx<'_>, id: CheckId, model: &str, cap: TokenCap) -> Finding {
    match (id.spec().judge, request(id, model, cap)) {
        (Judge::Run(run), _) => run(cx, model, cap).await,
        (Judge::Json(judge), Some(req)) => send_json(cx, &req, |a| judge(a, model)).await,
        (Judge::Stream(judge), Some(req)) => {
            send_stream(cx, &req, judge(model), |j, t, h| j.finish(t, h)).await
        }
        (Judge::Probe | Judge::Derived(_), _) | (_, None) => {
            Finding::skip("sends no request of its own")
        }
    }
}

/// A model that answered only once its cap was raised: an application that sends the
/// small cap (16 to 64 tokens is common for titles, classifiers, health checks) gets an empty
/// or cut answer. Said as a warning with what was measured: the reasoning tokens at the larger
/// cap, and the smallest cap that answered.
fn small_cap_warning(mut f: Finding, first_cap: Option<u64>) -> Finding {
    let first = first_cap.map_or("first".to_string(), |n| format!("{n}-token"));
    let measured = match f.reasoning.as_ref().and_then(|r| r.tokens) {
        Some(n) => format!(
            "{n} reasoning tokens: a max_tokens below about {n} leaves no room for the answer"
        ),
        None => "reasoning whose tokens the answer did not count".to_string(),
    };
    f.status = Status::Warn;
    f.kind = Some(Kind::OutputLength);
    f.rule_hint = Some(crate::failure::RuleHint::AnsweredAtLargerCap);
    f.answered_cap = Some(REASONING_MAX_TOKENS);
    f.detail = format!(
        "reasoning spent the whole {first} cap before any answer (an app that sends it gets empty or cut text); \
         the smallest cap tried that answered is {REASONING_MAX_TOKENS}, after {measured} · {}",
        f.detail
    );
    f
}

/// The answer stopped at its cap while the model reasoned, with nothing else written.
fn spent_on_reasoning(f: &Finding) -> bool {
    f.kind == Some(Kind::OutputLength) && f.reasoning.is_some()
}

/// Which checks a run includes: `--checks` and `--skip` patterns, each an id (`chat.basic`),
/// a family (`chat`), or a prefix glob (`chat.*`, `chat.tool_choice_*`).
#[derive(Debug, Clone, Default)]
pub struct Selection {
    include: Vec<String>,
    exclude: Vec<String>,
}

/// The check ids (or families) nearest a pattern that matched none: a typo away (at most a
/// third of its length), three at most.
fn closest_ids<'a>(pattern: &str, ids: &[&'a str]) -> Vec<&'a str> {
    let asked = pattern.trim().to_ascii_lowercase();
    let mut names: Vec<&str> = ids.to_vec();
    for id in ids {
        let fam = id.split('.').next().unwrap_or(id);
        if !names.contains(&fam) {
            names.push(fam);
        }
    }
    let best = names
        .iter()
        .map(|n| strsim::levenshtein(&asked, n))
        .min()
        .unwrap_or(usize::MAX);
    if best == 0 || best > (asked.chars().count() / 3).max(2) {
        return Vec::new();
    }
    names
        .into_iter()
        .filter(|n| strsim::levenshtein(&asked, n) == best)
        .take(3)
        .collect()
}

impl Selection {
    /// Refuses a pattern that matches no check, so a typo cannot silently select nothing.
    pub fn new(include: &[String], exclude: &[String]) -> Result<Selection, String> {
        for p in include.iter().chain(exclude) {
            if !CheckId::ALL.iter().any(|c| pattern_matches(p, c.id())) {
                let ids: Vec<&str> = CheckId::ALL.iter().map(|c| c.id()).collect();
                let near = closest_ids(p, &ids);
                let mean = match near.as_slice() {
                    [] => String::new(),
                    [one] => format!("did you mean `{one}`? "),
                    many => format!(
                        "did you mean one of {}? ",
                        many.iter()
                            .map(|n| format!("`{n}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                return Err(format!(
                    "`{p}` matches no check; {mean}ids are: {}",
                    ids.join(", ")
                ));
            }
        }
        Ok(Selection {
            include: include.to_vec(),
            exclude: exclude.to_vec(),
        })
    }

    /// Without `--checks`, the default checks; with it, whatever it names.
    /// Whether `--checks` names this check (by id, family or glob), as opposed to the
    /// default selection including it.
    pub fn names(&self, id: CheckId) -> bool {
        self.include.iter().any(|p| selects(p, id))
    }

    /// Whether `--checks` names this check by its id or family, not by a glob (`*`).
    pub fn names_outright(&self, id: CheckId) -> bool {
        self.include
            .iter()
            .any(|p| !p.contains('*') && selects(p, id))
    }

    pub fn wants(&self, id: CheckId) -> bool {
        let included = if self.include.is_empty() {
            id.spec().default
        } else {
            self.include.iter().any(|p| selects(p, id))
        };
        included && !self.exclude.iter().any(|p| pattern_matches(p, id.id()))
    }
}

/// Does an include pattern select the check? A check declared `only_by_id` (a large input
/// cost) only when the pattern is its id: `--checks '*'` and `--checks chat` leave it out.
fn selects(pattern: &str, id: CheckId) -> bool {
    if id.spec().only_by_id {
        pattern.trim() == id.id()
    } else {
        pattern_matches(pattern, id.id())
    }
}

/// Does `pattern` (an id, a family, or a prefix glob) select the check `id`?
pub fn pattern_matches(pattern: &str, id: &str) -> bool {
    let p = pattern.trim();
    match p.strip_suffix('*') {
        Some(prefix) => id.starts_with(prefix),
        None => id == p || id.split('.').next() == Some(p),
    }
}

#[cfg(test)]
mod tests {
    use super::ask::{MAX_TOKENS, MAX_TOKENS_TOOLS};
    use super::*;
    use serde_json::Value;

    #[test]
    fn ids_are_unique_and_well_formed() {
        let ids: std::collections::HashSet<_> = CheckId::ALL.iter().map(|c| c.id()).collect();
        assert_eq!(ids.len(), CheckId::ALL.len());
        assert!(
            CheckId::ALL.windows(2).all(|w| w[0] < w[1]),
            "ALL is in report order"
        );
    }

    #[test]
    fn every_generation_request_caps_its_output() {
        for &id in CheckId::ALL {
            let Some(req) = request(id, "m", TokenCap::MaxTokens) else {
                continue;
            };
            let Some(body) = req.body else { continue };
            // An embedding generates no tokens: nothing to cap.
            if id.route() == Some(Route::Embeddings) {
                continue;
            }
            let cap = ["max_tokens", "max_completion_tokens", "max_output_tokens"]
                .iter()
                .find_map(|k| body.get(*k))
                .and_then(Value::as_u64);
            // Checks for reasoning models only are sized for them from the start.
            let most = if id.stage() == Stage::Reasoning {
                REASONING_MAX_TOKENS
            } else if !id.spec().default {
                // An opt-in check may ask for more, as far as its declared cost says.
                id.cost().output_tokens.max(MAX_TOKENS_TOOLS)
            } else {
                MAX_TOKENS_TOOLS
            };
            assert!(
                cap.is_some_and(|c| c <= most),
                "{} sends no output cap",
                id.id()
            );
        }
    }

    #[test]
    fn the_checks_that_stream_say_so_in_their_id() {
        for &c in CheckId::ALL {
            assert_eq!(c.streams(), c.id().contains("stream"), "{}", c.id());
            assert_eq!(CheckId::by_id(c.id()), Some(c));
        }
        assert_eq!(CheckId::stream_of(Route::Chat), Some(CheckId::ChatStream));
        assert_eq!(
            CheckId::stream_of(Route::Responses),
            Some(CheckId::ResponsesStream)
        );
        assert_eq!(
            CheckId::stream_of(Route::Messages),
            Some(CheckId::MessagesStream)
        );
        assert_eq!(CheckId::stream_of(Route::Embeddings), None);
        assert_eq!(CheckId::by_id("chat.nope"), None);
    }

    #[test]
    fn the_token_cap_parameter_is_the_one_asked_for() {
        let r = request(CheckId::ChatStream, "m", TokenCap::MaxCompletionTokens).unwrap();
        let body = r.body.unwrap();
        assert_eq!(body["max_completion_tokens"], MAX_TOKENS);
        assert!(body.get("max_tokens").is_none());
    }

    #[test]
    fn sent_params_reads_the_body() {
        let r = request(CheckId::ChatStreamUsage, "m", TokenCap::MaxTokens).unwrap();
        assert_eq!(r.sent_params(), vec!["stream_options", "max_tokens"]);
        let null = request(CheckId::ChatToolChoiceNull, "m", TokenCap::MaxTokens).unwrap();
        assert!(
            null.sent_params().contains(&"tool_choice"),
            "an explicit null is sent"
        );
    }

    #[test]
    fn selection_patterns() {
        let s = Selection::new(&["chat.*".into()], &["chat.tool_choice_*".into()]).unwrap();
        assert!(s.wants(CheckId::ChatStream));
        assert!(!s.wants(CheckId::ChatToolChoiceNone));
        assert!(!s.wants(CheckId::ResponsesBasic));
        let family = Selection::new(&["responses".into()], &[]).unwrap();
        assert!(family.wants(CheckId::ResponsesTools) && !family.wants(CheckId::ChatBasic));
        assert!(Selection::new(&["chat.nope".into()], &[]).is_err());
        assert!(Selection::default().wants(CheckId::MessagesStream));
    }
}
