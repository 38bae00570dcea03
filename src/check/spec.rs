//! What a check is, as data: its id, route, stage, requests, judge and cost. The registry
//! (`registry.rs`) lists one [`Spec`] per check; every list of checks derives from it.

use super::ask::TokenCap;
use super::Ctx;
use crate::failure::CheckHint;
use crate::finding::Finding;
use crate::http::sse::{TimedEvent, Transcript};
use crate::http::{Answer, Request};
use crate::route::Route;
use crate::target::Target;
use futures_util::future::BoxFuture;

/// When a check runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Target-wide and first (`models.list`), or read off the run itself (`target.base_url`,
    /// `models.exists`): sends nothing per model.
    Target,
    /// The route's first check: every other check of its route waits for it.
    Basic,
    /// Judged from the basic answer, no request of its own (`chat.max_tokens`).
    FromBasic,
    /// The rest of the route, once its basic check has passed far enough.
    Main,
    /// Like `Main`, for reasoning models only: planned with the basic check, whose answer
    /// tells whether the model reasons; a model that does not gets a skip, and no request.
    Reasoning,
}

/// Builds the requests a check sends for a model, in order. A multi-turn check lists every
/// turn; a later turn that depends on an earlier answer shows a placeholder (dry run).
pub type Build = fn(&str, TokenCap) -> Vec<Request>;

/// A check that drives its own requests (several turns, a comparison).
pub type RunFn = for<'a> fn(&'a Ctx<'a>, &'a str, TokenCap) -> BoxFuture<'a, Finding>;

/// How a check that sends nothing of its own is judged, from what the run already holds.
#[derive(Clone, Copy)]
pub enum Derive {
    /// From its route's basic answer (the first attempt), per model: `chat.max_tokens`.
    FromBasic(fn(&Finding) -> Finding),
    /// From the model list (`None` when it could not be read), per model: `models.exists`.
    FromList(fn(Option<&[String]>, &str) -> Finding),
    /// From the target as given, once; `None` when there is nothing to say: `target.base_url`.
    FromTarget(fn(&Target) -> Option<Finding>),
}

/// How a check's answer is judged.
#[derive(Clone, Copy)]
pub enum Judge {
    /// The probe sends it first, for the whole target, and reads the model list from it
    /// (`models.list`).
    Probe,
    /// Read off the run: no request of its own.
    Derived(Derive),
    /// One non-streaming request; a 2xx is judged by the function, the rest classified.
    Json(fn(&Answer, &str) -> Finding),
    /// One streaming request, judged by a fold made for the model asked: it reads each
    /// event as it arrives, then how the stream ended and the time to headers.
    Stream(fn(&str) -> Box<dyn StreamJudge>),
    /// The check sends its requests itself.
    Run(RunFn),
}

/// What reads a stream's events one at a time, as they arrive, keeping only what it
/// judges on: a stream read to its cap is never held whole.
pub trait Fold: Send {
    fn event(&mut self, e: &TimedEvent);
}

/// A stream's judge: a fold, then a finding from what it kept, how the stream ended (the
/// transcript, whose `events` are empty when read live) and the time to headers.
pub trait StreamJudge: Fold {
    fn finish(self: Box<Self>, t: &Transcript, headers_ms: u64) -> Finding;
}

impl<A: Fold, B: Fold> Fold for (A, B) {
    fn event(&mut self, e: &TimedEvent) {
        self.0.event(e);
        self.1.event(e);
    }
}

impl Fold for Box<dyn StreamJudge> {
    fn event(&mut self, e: &TimedEvent) {
        (**self).event(e)
    }
}

/// Judge a stream whose events are all in hand (a recording, a paste): the same fold.
pub fn judge_whole(mut j: Box<dyn StreamJudge>, t: &Transcript, headers_ms: u64) -> Finding {
    t.events.iter().for_each(|e| j.event(e));
    j.finish(t, headers_ms)
}

/// What a check sends when everything goes right: its first attempts, which `--dry-run`
/// lists and sums. Retries are not in it — the one after a short `Retry-After`, `chat.basic`
/// again with `max_completion_tokens`, and one per check at `REASONING_MAX_TOKENS` when
/// reasoning spent its whole cap or the answer stopped at it; `--dry-run` names them, and the report's spent totals
/// (`spend.rs`) count every request sent and every output token reported, retries included.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cost {
    /// Requests sent, per model.
    pub requests: u32,
    /// The sum of the output caps of those requests.
    pub output_tokens: u64,
    /// Input tokens sent, when a check sends a prompt far larger than a line (an estimate:
    /// one token a filler word); 0 for the rest, whose prompts are a few dozen tokens.
    pub input_tokens: u64,
}

/// One check.
#[derive(Clone, Copy)]
pub struct Spec {
    /// Stable id (`family.name`): part of the JSON contract.
    pub id: &'static str,
    /// The generation route; `None` for target-wide checks.
    pub route: Option<Route>,
    /// Endpoint of a target-wide check (`/models`); generation checks use their route's.
    pub path: Option<&'static str>,
    pub stage: Stage,
    pub build: Option<Build>,
    pub judge: Judge,
    pub cost: Cost,
    /// Runs without `--checks` naming it. Checks that cost several turns may stay out.
    pub default: bool,
    /// Runs only when `--checks` names its id exactly: a family or a glob (`chat`, `*`)
    /// leaves it out. For checks whose input-token cost is large.
    pub only_by_id: bool,
    /// A `param_rejected` here is information (a warning), not an outage.
    pub rejection_warns: bool,
    /// What the check proves, in a line (`zencheck checks`).
    pub proves: &'static str,
    /// The hint wording the check asks for, when its findings need their own.
    pub hint: Option<CheckHint>,
}

impl Spec {
    /// The defaults a generation check starts from: main stage, on by default.
    pub const fn main(
        id: &'static str,
        route: Route,
        build: Build,
        judge: Judge,
        cost: Cost,
    ) -> Spec {
        Spec {
            id,
            route: Some(route),
            path: None,
            stage: Stage::Main,
            build: Some(build),
            judge,
            cost,
            default: true,
            only_by_id: false,
            rejection_warns: false,
            proves: "",
            hint: None,
        }
    }

    /// A target-wide check: first (`models.list`, which sends `build`), or read off the run
    /// itself (no `build`).
    pub const fn target(
        id: &'static str,
        path: Option<&'static str>,
        build: Option<Build>,
        judge: Judge,
    ) -> Spec {
        Spec {
            id,
            route: None,
            path,
            stage: Stage::Target,
            build,
            judge,
            cost: cost(if build.is_some() { 1 } else { 0 }, 0),
            default: true,
            only_by_id: false,
            rejection_warns: false,
            proves: "",
            hint: None,
        }
    }

    pub fn endpoint(&self) -> Option<&'static str> {
        self.path.or(self.route.map(Route::path))
    }

    pub fn family(&self) -> &'static str {
        self.id.split('.').next().unwrap_or(self.id)
    }
}

/// `Cost { requests, output_tokens }`, short.
pub const fn cost(requests: u32, output_tokens: u64) -> Cost {
    Cost {
        requests,
        output_tokens,
        input_tokens: 0,
    }
}

/// A cost with a large prompt: `input_tokens` sent besides.
pub const fn cost_with_input(requests: u32, output_tokens: u64, input_tokens: u64) -> Cost {
    Cost {
        requests,
        output_tokens,
        input_tokens,
    }
}
