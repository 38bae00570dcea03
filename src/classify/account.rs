//! The account's state, plan or region: a refusal that is neither the key nor the request.
//!
//! Providers answer an account that may not do something (yet) with the statuses of a bad
//! request: OpenAI's 400 "Your organization must be verified to stream this model",
//! Anthropic's 400 "This organization has been disabled.", Groq's 400
//! `organization_restricted`, Gemini's 400 FAILED_PRECONDITION "User location is not
//! supported for the API use", a gateway's 406 or 451. Read by the status they are a bad
//! request, whose fix (change the request) sends the user the wrong way: the fix is on the
//! account (verify it, ask support to restore it, change the plan, call from a served
//! region, widen the key's permissions).
//!
//! The reading is a small table of *subjects* (who or what the state is about: the
//! organisation, account, plan, region, key; [`SUBJECTS`]) and *states* (what the text says
//! of it: not verified, suspended, not allowed, not available; [`STATES`]), paired in one
//! clause: the subject before its state ("your organization must be verified", "account is
//! locked") or the state before a scope that names the subject ("not available in your
//! region", "no endpoints available … under your current plan", "requires a
//! subscription"). Where the words come from, per provider:
//!
//! - OpenAI, error codes (platform.openai.com/docs/guides/error-codes: 403 "Country,
//!   region, or territory not supported", `unsupported_country_region_territory`; 401/403 for
//!   a key, project or organisation without access) and organisation verification
//!   (help.openai.com/en/articles/10910291-api-organization-verification: "Your organization
//!   must be verified to stream this model"; streaming is what is gated for some models).
//! - Anthropic, errors (docs.anthropic.com/en/api/errors: `permission_error` 403 for a key
//!   without permission; "This organization has been disabled." as an
//!   `invalid_request_error`), and supported countries (anthropic.com/supported-countries).
//! - Google Gemini, available regions (ai.google.dev/gemini-api/docs/available-regions) and
//!   troubleshooting (ai.google.dev/gemini-api/docs/troubleshooting: 400 FAILED_PRECONDITION
//!   "Gemini API free tier is not available in your country"; 403 PERMISSION_DENIED), and
//!   google.api.ErrorReason (CONSUMER_SUSPENDED, LOCATION_POLICY_VIOLATED).
//! - Azure OpenAI (learn.microsoft.com/azure/ai-services/openai/reference: a disabled or
//!   suspended subscription; "…is not available in the region" for a model's deployment
//!   region) and Azure Resource Manager's `SubscriptionNotFound`/`ReadOnlyDisabledSubscription`.
//! - AWS Bedrock, AccessDeniedException (docs.aws.amazon.com/bedrock/latest/userguide/
//!   troubleshooting-api-error-codes.html: "You don't have access to the model", an account
//!   "not authorized", model access by region).
//! - Groq (console.groq.com/docs/errors: `organization_restricted`, "Organization has been
//!   restricted"); Ollama's cloud models ("requires a subscription, upgrade for access",
//!   ollama.com/pricing); GitHub Copilot's plans and policies (docs.github.com/copilot:
//!   models an organisation's policy or a plan does not enable).
//! - Chinese providers' account states, as their error-code pages give them (Zhipu 1112
//!   account locked and 1113 in arrears, DashScope `Arrearage`, Volcengine Ark's model
//!   service not activated, Tencent Cloud's `ResourceUnavailable.InArrears`; `codes.toml`
//!   cites each page), in the words Chinese messages write them with: 账号, 账户, 用户,
//!   组织, 项目, 套餐, 订阅, 地区, 区域, 国家 with 封禁, 冻结, 停用, 禁用, 锁定, 未认证,
//!   未实名 (real-name verification), 未开通, 不支持, 不可用, 已过期.
//!
//! What it leaves alone: a key that is invalid, expired or revoked (auth, read by the key
//! rules), a balance, credit or payment (billing: a suspended account whose text speaks of
//! money is billing here too), and "model `x` does not exist or you do not have access to
//! it" (the model rules' contested reading). It decides when the status is 400, 403, 406 or
//! 451, or absent, and only over loose readings (a generic bad request, the status alone, a
//! weak code); over the account rules' own verdicts it only names the account action.
//! One weak word (a `user`, a `project`, "restricted", "not available") makes it `Low`.

use super::facts::Facts;
use super::rules::Rule;
use super::{Classification, Confidence};
use crate::failure::{Kind, RuleHint};

/// Who or what a state is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    /// The organisation, account, project, workspace or user behind the key.
    Account,
    /// The plan, tier or subscription the account is on.
    Plan,
    /// Where the request comes from: region, country, territory, location.
    Region,
    /// The key itself (its restrictions, not its validity).
    Key,
}

/// What the text says of the subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Unverified,
    Suspended,
    Disabled,
    Locked,
    /// Restricted by the provider ("organization has been restricted") or to a scope
    /// ("restricted to the following models").
    Restricted,
    NotAllowed,
    NotSupported,
    NotAvailable,
    Expired,
    /// Something needs another plan or kind of account ("requires a subscription").
    Requires,
    Upgrade,
}

/// Subjects, as words (or two), their class, and whether the word is strong (it names an
/// account's subject in most texts; `user`, `project`, `key` mean other things too).
const SUBJECTS: &[(&str, Who, bool)] = &[
    ("organization", Who::Account, true),
    ("organisation", Who::Account, true),
    ("account", Who::Account, true),
    ("accounts", Who::Account, true),
    ("tenant", Who::Account, false),
    ("project", Who::Account, false),
    ("workspace", Who::Account, false),
    ("plan", Who::Plan, true),
    ("subscription", Who::Plan, true),
    ("tier", Who::Plan, false),
    // "only available to Pro users": the users of a plan.
    ("users", Who::Plan, false),
    ("region", Who::Region, true),
    ("regions", Who::Region, true),
    ("country", Who::Region, true),
    ("territory", Who::Region, true),
    ("location", Who::Region, true),
    ("api key", Who::Key, true),
    ("apikey", Who::Key, true),
];

/// The same, as Chinese providers write them (matched as characters, not words).
const SUBJECTS_ZH: &[(&str, Who, bool)] = &[
    ("组织", Who::Account, true),
    ("账号", Who::Account, true),
    ("账户", Who::Account, true),
    ("帐号", Who::Account, true),
    ("帐户", Who::Account, true),
    ("用户", Who::Account, false),
    ("项目", Who::Account, false),
    ("套餐", Who::Plan, true),
    ("订阅", Who::Plan, true),
    ("地区", Who::Region, true),
    ("区域", Who::Region, true),
    ("国家", Who::Region, true),
];

/// States, as word sequences, and whether the words are strong (one meaning in an error).
/// Longer first where one contains another.
const STATES: &[(&str, State, bool)] = &[
    ("must be verified", State::Unverified, true),
    ("needs to be verified", State::Unverified, true),
    ("is not verified", State::Unverified, true),
    ("not verified", State::Unverified, true),
    ("unverified", State::Unverified, true),
    ("requires verification", State::Unverified, true),
    ("verification required", State::Unverified, true),
    ("suspended", State::Suspended, true),
    ("banned", State::Suspended, true),
    ("terminated", State::Suspended, false),
    ("frozen", State::Suspended, true),
    ("blocked", State::Suspended, false),
    ("disabled", State::Disabled, true),
    ("deactivated", State::Disabled, true),
    ("not active", State::Disabled, false),
    ("inactive", State::Disabled, false),
    ("not activated", State::Disabled, false),
    ("not enabled", State::Disabled, false),
    ("archived", State::Disabled, false),
    ("locked", State::Locked, true),
    ("restricted", State::Restricted, false),
    ("not allowed", State::NotAllowed, true),
    ("not permitted", State::NotAllowed, true),
    ("not authorized", State::NotAllowed, true),
    ("not eligible", State::NotAllowed, true),
    ("forbidden", State::NotAllowed, true),
    ("does not have access", State::NotAllowed, true),
    ("doesn't have access", State::NotAllowed, true),
    ("do not have access", State::NotAllowed, true),
    ("don't have access", State::NotAllowed, true),
    ("denied", State::NotAllowed, false),
    ("is not supported", State::NotSupported, true),
    ("are not supported", State::NotSupported, true),
    ("not supported", State::NotSupported, true),
    ("unsupported", State::NotSupported, true),
    ("doesn't serve", State::NotSupported, true),
    ("does not serve", State::NotSupported, true),
    ("not served", State::NotSupported, true),
    ("only available to", State::NotAvailable, false),
    ("only available for", State::NotAvailable, false),
    ("not available", State::NotAvailable, false),
    ("isn't available", State::NotAvailable, false),
    ("unavailable", State::NotAvailable, false),
    ("no endpoints available", State::NotAvailable, false),
    ("has expired", State::Expired, true),
    ("expired", State::Expired, true),
    ("requires", State::Requires, false),
    ("require", State::Requires, false),
    ("required", State::Requires, false),
    ("upgrade", State::Upgrade, false),
];

const STATES_ZH: &[(&str, State, bool)] = &[
    ("未认证", State::Unverified, true),
    ("未实名", State::Unverified, true),
    ("封禁", State::Suspended, true),
    ("冻结", State::Suspended, true),
    ("停用", State::Disabled, true),
    ("禁用", State::Disabled, true),
    ("未激活", State::Disabled, false),
    ("未开通", State::NotAllowed, false),
    ("锁定", State::Locked, true),
    ("无权", State::NotAllowed, true),
    ("不支持", State::NotSupported, true),
    ("不可用", State::NotAvailable, false),
    ("已过期", State::Expired, true),
];

/// Words that open a scope after a state ("not available *in* your region").
const SCOPE: &[&str] = &[
    "in", "on", "for", "with", "under", "from", "to", "within", "at", "by",
];

/// Words that end the clause a subject may belong to.
const CLAUSE_WORDS: &[&str] = &[
    "and", "but", "because", "which", "while", "if", "when", "or",
];

/// Money: an account stopped for a balance, a credit or a payment is billing.
const MONEY: &[&str] = &[
    "balance", "credit", "billing", "payment", "arrear", "overdue", "unpaid", "invoice",
    "recharge", "top up", "funds", "quota", "欠费", "余额", "充值",
];

/// A key or token that is wrong, expired or missing: the key rules' reading (auth).
const AUTH: &[&str] = &[
    "invalid api key",
    "incorrect api key",
    "api key is invalid",
    "api key not valid",
    "invalid subscription key",
    "invalid key",
    "invalid token",
    "invalid x-api-key",
    "authentication failed",
    "authentication fails",
    "token expired",
    "token has expired",
    "token is expired",
    "key expired",
    "key has expired",
    "unauthorized",
    "密钥无效",
    "认证失败",
    "鉴权失败",
];

/// A missing thing in the same clause: the contested "does not exist or you do not have
/// access" and every "not found" are the model's or the key's rules' to read.
const MISSING: &[&str] = &[
    "does not exist",
    "not found",
    "no such",
    "not exist",
    "不存在",
];

/// Message rules whose reading is loose (a word anywhere, a generic label, the status): the
/// account's state decides over them.
const LOOSE_RULES: &[&str] = &[
    "model_words",
    "model_code",
    "url_words",
    "invalid_request_words",
    "bad_request_words",
];

/// Message rules that read account state already: the reading keeps their kind and names
/// the account's action.
const ACCOUNT_RULES: &[&str] = &[
    "account_state",
    "org_verification",
    "region_not_served",
    "access_words",
    "model_for_account",
    "access_403_model",
];

/// Statuses an account's state is sent with (or none: a paste). A 401 or 429 whose words say
/// what the account or plan may not use ("This model is only available to Pro users", "isn't
/// available for personal accounts") is that, not the key or the rate.
const STATUSES: &[u16] = &[400, 401, 403, 406, 429, 451];

/// One reading: a subject and its state.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Reading {
    kind: Kind,
    hint: Option<RuleHint>,
    subject: &'static str,
    state: &'static str,
    low: bool,
}

/// A token of a clause.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(String),
    /// An id, a quoted name, a URL: stepped over.
    Name,
}

/// The text's clauses: split at sentence ends and braces; a dot inside a token
/// (`claude.ai`, `gpt-4.1`) and a line break (a terminal's wrap) end nothing.
fn clauses(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().take(16 << 10).collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let end = match c {
            '.' => chars
                .get(i + 1)
                .is_none_or(|n| n.is_whitespace() || *n == '"' || *n == '\''),
            ';' | '!' | '?' | '{' | '}' | '[' | ']' | '|' | '。' | '；' | '！' | '？' => true,
            _ => false,
        };
        if end {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    out.push(cur);
    out.retain(|c| !c.trim().is_empty());
    out
}

/// A clause as tokens: words, and names (with a digit, a dot, a slash, a colon, `<`/`@`).
fn tokens(clause: &str) -> Vec<Tok> {
    clause
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '"' | '`' | '(' | ')' | '“' | '”'))
        .filter_map(|w| {
            let w = w.trim_matches(|c: char| matches!(c, '\'' | ':' | '-' | '*' | '\\'));
            if w.is_empty() {
                return None;
            }
            let name = w.chars().any(|c| c.is_ascii_digit())
                || w.contains(['.', '/', ':', '<', '>', '@', '=', '_']);
            Some(if name {
                Tok::Name
            } else {
                Tok::Word(w.to_string())
            })
        })
        .take(512)
        .collect()
}

fn word(t: &Tok) -> Option<&str> {
    match t {
        Tok::Word(w) => Some(w),
        Tok::Name => None,
    }
}

/// The phrase at `i`: how many tokens it takes.
fn phrase_at(toks: &[Tok], i: usize, phrase: &str) -> Option<usize> {
    let parts: Vec<&str> = phrase.split(' ').collect();
    parts
        .iter()
        .enumerate()
        .all(|(k, p)| toks.get(i + k).and_then(word) == Some(p))
        .then_some(parts.len())
}

/// The subject at `i`, if one starts there: (word, class, strong, length).
fn subject_at(toks: &[Tok], i: usize) -> Option<(&'static str, Who, bool, usize)> {
    SUBJECTS.iter().find_map(|(w, who, strong)| {
        let n = phrase_at(toks, i, w)?;
        // "subscription key" is Azure's name for the API key: a key, whose state is auth's.
        if *who == Who::Plan && toks.get(i + n).and_then(word) == Some("key") {
            return None;
        }
        // An agent's "plan mode" is no plan.
        if *w == "plan" && toks.get(i + n).and_then(word) == Some("mode") {
            return None;
        }
        Some((*w, *who, *strong, n))
    })
}

/// The subject nearest before a state at `at`, in the same clause, within six words.
fn subject_before(toks: &[Tok], at: usize) -> Option<(&'static str, Who, bool, usize)> {
    let mut words = 0;
    let mut i = at;
    while i > 0 && words < 6 {
        i -= 1;
        if let Some(w) = word(&toks[i]) {
            // "api key": the two-word subject, read from its start.
            if i > 0 && w == "key" && word(&toks[i - 1]) == Some("api") {
                return subject_at(toks, i - 1).map(|s| (s.0, s.1, s.2, at - i));
            }
            if let Some(s) = subject_at(toks, i) {
                return Some((s.0, s.1, s.2, at - i));
            }
            if CLAUSE_WORDS.contains(&w) {
                return None;
            }
            words += 1;
        }
    }
    None
}

/// The subject of a scope after a state ending at `from`: "in your region", "under your
/// current plan", "for this API key"; a state that needs something ("requires",
/// "upgrade") takes its object without a preposition.
fn subject_after(
    toks: &[Tok],
    from: usize,
    state: State,
    said: &str,
) -> Option<(&'static str, Who, bool, usize)> {
    // A state that takes an object ("requires a subscription", "doesn't serve your
    // region") needs no preposition before it.
    let mut scoped = matches!(state, State::Requires | State::Upgrade)
        || matches!(said, "doesn't serve" | "does not serve");
    let mut i = from;
    let mut steps = 0;
    while i < toks.len() && steps < 7 {
        if let Some(w) = word(&toks[i]) {
            if let Some(s) = subject_at(toks, i) {
                return scoped.then_some((s.0, s.1, s.2, i - from));
            }
            if CLAUSE_WORDS.contains(&w) {
                return None;
            }
            if SCOPE.contains(&w) {
                scoped = true;
            }
        }
        steps += 1;
        i += 1;
    }
    None
}

/// The kind and hint a subject and a state make, if they make one.
fn kind_of(
    who: Who,
    state: State,
    scoped_to: bool,
    from_scope: bool,
    money: bool,
) -> Option<(Kind, Option<RuleHint>)> {
    use State::*;
    let stopped = matches!(state, Suspended | Disabled | Locked | Expired);
    if money {
        // A balance, a credit or a payment: an account stopped for it pays to go on; any
        // other reading with money in the text is the billing rules' to make.
        return (stopped && who != Who::Key && who != Who::Region).then_some((Kind::Billing, None));
    }
    match (who, state) {
        // "disabled for your account" is something the account may not use, or the account
        // itself: the generic access fix holds for both.
        (Who::Account, Suspended | Disabled | Locked) if from_scope => {
            Some((Kind::AccessDenied, None))
        }
        (Who::Account, Unverified) => Some((Kind::AccessDenied, Some(RuleHint::OrgVerification))),
        // "restricted to the following models" is a scope the account set; "has been
        // restricted" is the provider's doing.
        (Who::Account, Restricted) if scoped_to => {
            Some((Kind::AccessDenied, Some(RuleHint::KeyRestricted)))
        }
        (Who::Account, Suspended | Disabled | Locked | Restricted) => {
            Some((Kind::AccessDenied, Some(RuleHint::AccountSuspended)))
        }
        (Who::Account, NotSupported | NotAvailable | Requires | Upgrade) => {
            Some((Kind::AccessDenied, Some(RuleHint::PlanRequired)))
        }
        (Who::Account, NotAllowed) => Some((Kind::AccessDenied, None)),
        (Who::Account, Expired) => Some((Kind::Billing, None)),
        (Who::Plan, NotAllowed | NotSupported | NotAvailable | Restricted | Requires | Upgrade) => {
            Some((Kind::AccessDenied, Some(RuleHint::PlanRequired)))
        }
        (Who::Plan, Expired | Suspended | Disabled) => Some((Kind::Billing, None)),
        (Who::Region, NotSupported | NotAvailable | NotAllowed | Restricted) => {
            Some((Kind::AccessDenied, Some(RuleHint::RegionNotServed)))
        }
        (Who::Key, NotAllowed | Restricted) => {
            Some((Kind::AccessDenied, Some(RuleHint::KeyRestricted)))
        }
        _ => None,
    }
}

/// The account reading of one clause (English words).
fn read_clause(clause: &str, money: bool) -> Option<Reading> {
    if MISSING.iter().any(|m| clause.contains(m)) {
        return None;
    }
    let toks = tokens(clause);
    let mut i = 0;
    while i < toks.len() {
        let Some((said, state, strong, n)) = STATES
            .iter()
            .find_map(|(p, s, strong)| phrase_at(&toks, i, p).map(|n| (*p, *s, *strong, n)))
        else {
            i += 1;
            continue;
        };
        let scope_to = toks.get(i + n).and_then(word) == Some("to");
        let before = subject_before(&toks, i);
        let after = subject_after(&toks, i + n, state, said);
        // A scope that names a region or a plan says why ("your account is not allowed in
        // this region"); otherwise the subject the state is said of.
        let subject = match (before, after) {
            (_, Some(a)) if matches!(a.1, Who::Region | Who::Plan) => Some(a),
            (Some(b), _) if !matches!(state, State::Requires | State::Upgrade) || b.3 <= 1 => {
                Some(b)
            }
            (_, a) => a,
        };
        if let Some((noun, who, noun_strong, dist)) = subject {
            // "required" follows its subject ("subscription required"); "requires" and
            // "upgrade" precede it.
            let from_scope = !before.is_some_and(|b| b.0 == noun && b.3 == dist);
            let order_ok = match state {
                State::Requires if said == "required" => !from_scope,
                // What needs another plan is said of a plan or an account, not of a
                // project or a workspace ("requires a project id").
                State::Requires | State::Upgrade => noun_strong,
                _ => true,
            };
            if let Some((kind, hint)) = order_ok
                .then(|| kind_of(who, state, scope_to, from_scope, money))
                .flatten()
            {
                return Some(Reading {
                    kind,
                    hint,
                    subject: noun,
                    state: said,
                    low: !strong || !noun_strong || dist > 4 || kind == Kind::Billing,
                });
            }
        }
        i += n;
    }
    None
}

/// The account reading of one clause in Chinese: a subject and a state within a few
/// characters of each other, either order.
fn read_clause_zh(clause: &str, money: bool) -> Option<Reading> {
    if !clause
        .chars()
        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    {
        return None;
    }
    if MISSING.iter().any(|m| clause.contains(m)) {
        return None;
    }
    let chars: Vec<char> = clause.chars().take(2048).collect();
    let find = |w: &str| -> Vec<usize> {
        let w: Vec<char> = w.chars().collect();
        (0..chars.len().saturating_sub(w.len() - 1))
            .filter(|&i| chars[i..].starts_with(&w))
            .collect()
    };
    for (said, state, strong) in STATES_ZH {
        for s in find(said) {
            let near = SUBJECTS_ZH.iter().find_map(|(w, who, noun_strong)| {
                find(w)
                    .into_iter()
                    .any(|p| p.abs_diff(s) <= 8)
                    .then_some((*w, *who, *noun_strong))
            });
            let Some((noun, who, noun_strong)) = near else {
                continue;
            };
            // 用户 and 项目 name other things too ("用户消息"): only a stopped state is theirs.
            if !noun_strong && !matches!(state, State::Suspended | State::Disabled | State::Locked)
            {
                continue;
            }
            if let Some((kind, hint)) = kind_of(who, *state, false, false, money) {
                return Some(Reading {
                    kind,
                    hint,
                    subject: noun,
                    state: said,
                    low: !strong || !noun_strong || kind == Kind::Billing,
                });
            }
        }
    }
    None
}

/// The first account reading of a text.
fn read(text: &str) -> Option<Reading> {
    if AUTH.iter().any(|w| text.contains(w)) {
        return None;
    }
    let money = MONEY.iter().any(|w| text.contains(w));
    clauses(text)
        .iter()
        .find_map(|c| read_clause(c, money).or_else(|| read_clause_zh(c, money)))
}

fn verdict(r: Reading, status: Option<u16>) -> Classification {
    Classification {
        kind: r.kind,
        param: None,
        gateway: false,
        rule: "account_subject_state",
        hint: r.hint,
        confidence: if r.low || status == Some(406) {
            Confidence::Low
        } else {
            Confidence::High
        },
        evidence: format!(
            "\"{}\" … \"{}\" in the message: {}, not the request",
            r.subject,
            r.state,
            match r.kind {
                Kind::Billing => "the account's payment",
                _ if r.hint == Some(RuleHint::RegionNotServed) =>
                    "the region the request comes from",
                _ if r.hint == Some(RuleHint::PlanRequired) => "the account's plan",
                _ if r.hint == Some(RuleHint::KeyRestricted) => "the key's restrictions",
                _ => "the account's state",
            }
        ),
    }
}

/// Parts of a request a model may not take, as providers name them when they refuse one
/// ("… is not enabled for models/x"), and the kind and field a refusal of each is: the
/// subject of "not enabled" is then the request's part, not an account, a plan or an API.
/// Gemma on the Gemini API takes no system or developer instruction (ai.google.dev/gemma/
/// docs/core/prompt-structure: "Gemma's instruction-tuned models … only support user and
/// model roles"), which the API refuses as "Developer instruction is not enabled for
/// models/…"; a system turn refused is a message's (the corpus's MiniMax 2013 "invalid
/// message role: system" reads so); tools, JSON mode and streaming are the request's
/// options of those names (Gemini function calling, JSON mode; OpenAI `stream`).
const FEATURES: &[(&str, Kind, &str)] = &[
    ("developer instructions", Kind::BadRequest, "messages"),
    ("developer instruction", Kind::BadRequest, "messages"),
    ("developer messages", Kind::BadRequest, "messages"),
    ("developer message", Kind::BadRequest, "messages"),
    ("developer role", Kind::BadRequest, "messages"),
    ("system instructions", Kind::BadRequest, "messages"),
    ("system instruction", Kind::BadRequest, "messages"),
    ("system prompts", Kind::BadRequest, "messages"),
    ("system prompt", Kind::BadRequest, "messages"),
    ("system messages", Kind::BadRequest, "messages"),
    ("system message", Kind::BadRequest, "messages"),
    ("system role", Kind::BadRequest, "messages"),
    ("function calling", Kind::ParamRejected, "tools"),
    ("tool calling", Kind::ParamRejected, "tools"),
    ("tool use", Kind::ParamRejected, "tools"),
    ("tools", Kind::ParamRejected, "tools"),
    ("json mode", Kind::ParamRejected, "response_format"),
    ("structured outputs", Kind::ParamRejected, "response_format"),
    ("structured output", Kind::ParamRejected, "response_format"),
    ("response schema", Kind::ParamRejected, "response_format"),
    ("streaming", Kind::ParamRejected, "stream"),
];

/// "Not enabled", as a state written after its subject.
const NOT_ENABLED: &[&str] = &[
    "is not enabled",
    "are not enabled",
    "has not been enabled",
    "have not been enabled",
    "not enabled",
];

/// A request's part said to be not enabled, for a model or for nothing named: the
/// feature's kind and field. Said of an account, a plan, a region or a key ("streaming is
/// not enabled for your account"), it is the account's reading, not this one.
fn feature_off(text: &str) -> Option<(Kind, &'static str, &'static str)> {
    for clause in clauses(text) {
        let toks = tokens(&clause);
        for i in 0..toks.len() {
            let Some(n) = NOT_ENABLED.iter().find_map(|p| phrase_at(&toks, i, p)) else {
                continue;
            };
            let feature = FEATURES.iter().find(|(f, ..)| {
                let len = f.split(' ').count();
                i.checked_sub(len)
                    .is_some_and(|start| phrase_at(&toks, start, f).is_some())
            });
            let Some((f, kind, param)) = feature else {
                continue;
            };
            let scope = subject_after(&toks, i + n, State::Disabled, "not enabled");
            if scope.is_none() {
                return Some((*kind, param, f));
            }
        }
    }
    None
}

/// The account's state, when only loose words, a weak code or the status speak otherwise;
/// over an account rule's own verdict, the same kind with the account's action. HTTP 451
/// (RFC 7725, Unavailable For Legal Reasons) without words says the same of a region.
pub fn decide(f: &Facts, message_rule: Option<&Rule>) -> Option<Classification> {
    if f.status.is_some_and(|s| !STATUSES.contains(&s)) {
        return None;
    }
    let refines = message_rule.is_some_and(|r| ACCOUNT_RULES.contains(&r.id));
    if !refines && !message_rule.is_none_or(|r| LOOSE_RULES.contains(&r.id)) {
        return None;
    }
    if let Some((kind, param, feature)) = feature_off(&f.msg).or_else(|| feature_off(&f.words)) {
        return Some(Classification {
            kind,
            param: Some(param.to_string()),
            gateway: false,
            rule: "feature_not_enabled",
            hint: None,
            confidence: Confidence::High,
            evidence: format!(
                "\"{feature}\" … \"not enabled\" in the message: a part of the request the model does not take, not the account"
            ),
        });
    }
    let Some(reading) = read(&f.msg).or_else(|| read(&f.words)) else {
        return (f.status == Some(451) && message_rule.is_none()).then(|| Classification {
            kind: Kind::AccessDenied,
            param: None,
            gateway: false,
            rule: "account_subject_state",
            hint: Some(RuleHint::RegionNotServed),
            confidence: Confidence::Low,
            evidence: "HTTP 451 (Unavailable For Legal Reasons, RFC 7725): the provider may not serve this request where it comes from".into(),
        });
    };
    if refines {
        // The rule's own account hint (verification, region) stands; a reading without
        // one adds nothing to it.
        let rule = message_rule?;
        if reading.kind != rule.kind || rule.hint.is_some() || reading.hint.is_none() {
            return None;
        }
        let mut v = verdict(reading, f.status);
        if rule.cautious {
            v.confidence = Confidence::Low;
        }
        return Some(v);
    }
    Some(verdict(reading, f.status))
}

/// A provider's code that says access is denied, with the account's action when the text
/// names it ("this model requires a subscription" under Anthropic's `permission_error`).
pub fn refine(mut v: Classification, f: &Facts) -> Classification {
    if v.kind != Kind::AccessDenied || v.hint.is_some() {
        return v;
    }
    if let Some(r) = read(&f.msg).or_else(|| read(&f.words)) {
        if r.kind == Kind::AccessDenied && r.hint.is_some() {
            v.evidence = format!(
                "{}; \"{}\" … \"{}\" in the message",
                v.evidence, r.subject, r.state
            );
            v.hint = r.hint;
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(text: &str) -> Option<(Kind, Option<RuleHint>)> {
        read(&text.to_lowercase()).map(|r| (r.kind, r.hint))
    }

    #[test]
    fn an_organisation_that_must_be_verified_is_verified_not_changed() {
        // OpenAI's organisation-verification message (help.openai.com, 10910291).
        assert_eq!(
            reading("Your organization must be verified to stream this model. Please go to: https://platform.openai.com/settings/organization/general and click on Verify Organization."),
            Some((Kind::AccessDenied, Some(RuleHint::OrgVerification)))
        );
    }

    #[test]
    fn a_suspended_or_disabled_account_is_the_provider_s_doing() {
        for text in [
            "This organization has been disabled.",
            "Organization has been restricted. Please reach out to support if you believe this was in error.",
            "Your account has been locked, please contact customer service to unlock",
            "用户已被封禁",
            "账户已被停用",
        ] {
            assert_eq!(
                reading(text),
                Some((Kind::AccessDenied, Some(RuleHint::AccountSuspended))),
                "{text}"
            );
        }
    }

    #[test]
    fn a_region_or_a_plan_named_as_the_scope_says_why() {
        // Gemini's documented FAILED_PRECONDITION message; OpenAI's 403 for a country.
        assert_eq!(
            reading("User location is not supported for the API use."),
            Some((Kind::AccessDenied, Some(RuleHint::RegionNotServed)))
        );
        assert_eq!(
            reading("Country, region, or territory not supported"),
            Some((Kind::AccessDenied, Some(RuleHint::RegionNotServed)))
        );
        assert_eq!(
            reading("This model provider doesn't serve your region."),
            Some((Kind::AccessDenied, Some(RuleHint::RegionNotServed)))
        );
        assert_eq!(
            reading("This model is not available in your region."),
            Some((Kind::AccessDenied, Some(RuleHint::RegionNotServed)))
        );
        assert_eq!(
            reading("no endpoints available for this model under your current plan and policies"),
            Some((Kind::AccessDenied, Some(RuleHint::PlanRequired)))
        );
        assert_eq!(
            reading("this model requires a subscription, upgrade for access"),
            Some((Kind::AccessDenied, Some(RuleHint::PlanRequired)))
        );
        assert_eq!(
            reading("该模型在您所在的地区不可用"),
            Some((Kind::AccessDenied, Some(RuleHint::RegionNotServed)))
        );
    }

    #[test]
    fn a_key_restricted_to_some_models_is_the_key_s_restriction() {
        assert_eq!(
            reading("This endpoint is forbidden for this API key."),
            Some((Kind::AccessDenied, Some(RuleHint::KeyRestricted)))
        );
        // A key's validity is auth's: nothing read here.
        assert_eq!(
            reading("Invalid API key. Your key has been disabled."),
            None
        );
        assert_eq!(reading("API key expired. Please renew the API key."), None);
        // Azure's "subscription key" is a key.
        assert_eq!(
            reading("Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource."),
            None
        );
    }

    #[test]
    fn money_is_billing_and_a_missing_model_is_left_alone() {
        // Moonshot's account suspended for its balance.
        assert_eq!(
            reading("Your account x<ak-y> is suspended due to insufficient balance, please recharge your account"),
            Some((Kind::Billing, None))
        );
        // OpenAI's contested model_not_found message stays the model rules'.
        assert_eq!(
            reading(
                "The model `gpt-5` does not exist or your organization does not have access to it."
            ),
            None
        );
        // Nothing about an account: an encrypted item that could not be verified.
        assert_eq!(
            reading("The encrypted content for item rs_1 could not be verified."),
            None
        );
        // A plan mode or an upgraded client is no plan or account.
        assert_eq!(reading("Please upgrade the openai package to 1.0"), None);
    }

    #[test]
    fn words_of_a_request_are_no_account() {
        // A conversation's roles and a request's fields name no account.
        assert_eq!(reading("user messages are not allowed to be empty"), None);
        assert_eq!(reading("The request requires a project id"), None);
        assert_eq!(reading("用户消息不支持图片"), None);
        // A feature disabled for the account: access, without claiming a suspension.
        assert_eq!(
            reading("Streaming is disabled for your account"),
            Some((Kind::AccessDenied, None))
        );
        // A kind of account the client needs (a Claude Code training case).
        assert_eq!(
            reading("Claude Code web sessions require authentication with a Claude.ai account."),
            Some((Kind::AccessDenied, Some(RuleHint::PlanRequired)))
        );
    }

    #[test]
    fn a_feature_not_enabled_for_a_model_is_the_request_s_part() {
        // The Gemini API's refusal of a system instruction for Gemma (see FEATURES).
        assert_eq!(
            feature_off("developer instruction is not enabled for models/gemma-3-27b-it"),
            Some((Kind::BadRequest, "messages", "developer instruction"))
        );
        assert_eq!(
            feature_off("json mode is not enabled for this model").map(|f| f.1),
            Some("response_format")
        );
        assert_eq!(
            feature_off("system prompt not enabled").map(|f| f.0),
            Some(Kind::BadRequest)
        );
        // Said of an account, or of an API for a project, it is not a request's part.
        assert_eq!(
            feature_off("streaming is not enabled for your account"),
            None
        );
        assert_eq!(
            feature_off("generative language api has not been enabled for project 123"),
            None
        );
    }

    #[test]
    fn a_provider_code_for_access_gets_the_account_s_action() {
        let body = super::super::ErrorBody::default();
        let text = "this model requires a subscription, upgrade for access".to_string();
        let f = Facts {
            status: Some(403),
            body: &body,
            sent: &[],
            msg: text.clone(),
            words: text,
            body_only: false,
        };
        let code = Classification {
            kind: Kind::AccessDenied,
            param: None,
            gateway: false,
            rule: "provider_code",
            hint: None,
            confidence: Confidence::High,
            evidence: "anthropic code permission_error".into(),
        };
        let v = refine(code.clone(), &f);
        assert_eq!(v.hint, Some(RuleHint::PlanRequired));
        assert_eq!(v.rule, "provider_code");
        // Another kind is left as it is.
        let other = Classification {
            kind: Kind::RateLimit,
            ..code
        };
        assert_eq!(refine(other, &f).hint, None);
    }

    #[test]
    fn it_decides_over_the_status_and_loose_words_only() {
        let body = super::super::ErrorBody {
            message: Some("This organization has been disabled.".into()),
            ..Default::default()
        };
        let facts = |status| Facts {
            status,
            body: &body,
            sent: &[],
            msg: "this organization has been disabled.".into(),
            words: "this organization has been disabled.".into(),
            body_only: false,
        };
        let v = decide(&facts(Some(400)), None).unwrap();
        assert_eq!(v.kind, Kind::AccessDenied);
        assert_eq!(v.hint, Some(RuleHint::AccountSuspended));
        assert_eq!(v.confidence, Confidence::High);
        // Not on a 404 or a 5xx: those statuses say something else.
        assert!(decide(&facts(Some(404)), None).is_none());
        assert!(decide(&facts(Some(500)), None).is_none());
        // A bare 451 is a region, cautiously.
        let empty = super::super::ErrorBody::default();
        let bare = Facts {
            status: Some(451),
            body: &empty,
            sent: &[],
            msg: String::new(),
            words: String::new(),
            body_only: false,
        };
        let v = decide(&bare, None).unwrap();
        assert_eq!(
            (v.kind, v.confidence),
            (Kind::AccessDenied, Confidence::Low)
        );
    }
}
