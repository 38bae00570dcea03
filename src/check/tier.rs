//! Check tiers by cost: which checks one run of a target may send, from the free catalog
//! to everything its config selects (`zencheck serve` calls a tier a `module`).

use super::{CheckId, Selection};
use serde::Deserialize;

/// Ordered by cost: a later tier sends everything an earlier one does, and more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// `GET /models` only: free.
    Catalog,
    /// Adds each route's basic (non-streamed) answer per model.
    Chat,
    /// Adds the streaming checks.
    Stream,
    /// Everything the target's config selects.
    Full,
}

impl Tier {
    pub const ALL: [Tier; 4] = [Tier::Catalog, Tier::Chat, Tier::Stream, Tier::Full];

    pub fn name(self) -> &'static str {
        match self {
            Tier::Catalog => "catalog",
            Tier::Chat => "chat",
            Tier::Stream => "stream",
            Tier::Full => "full",
        }
    }

    pub fn from_name(s: &str) -> Option<Tier> {
        Tier::ALL.into_iter().find(|m| m.name() == s)
    }

    /// Whether the tier sends generation requests (which cost tokens, so money).
    pub fn generates(self) -> bool {
        self != Tier::Catalog
    }

    /// The check patterns of the tier (`None`: the target's own selection, unchanged).
    fn patterns(self) -> Option<&'static [&'static str]> {
        const CATALOG: &[&str] = &["models.*"];
        const CHAT: &[&str] = &["models.*", "*.basic", "chat.max_tokens"];
        const STREAM: &[&str] = &[
            "models.*",
            "*.basic",
            "chat.max_tokens",
            "chat.stream",
            "chat.stream_usage",
            "responses.stream",
            "messages.stream",
        ];
        match self {
            Tier::Catalog => Some(CATALOG),
            Tier::Chat => Some(CHAT),
            Tier::Stream => Some(STREAM),
            Tier::Full => None,
        }
    }

    /// The checks this tier runs for a target whose config selects `target`: the tier,
    /// within what the target selects (a tier never adds a check the target left out).
    pub fn selection(self, target: &Selection) -> Selection {
        let Some(patterns) = self.patterns() else {
            return target.clone();
        };
        let tier = |id: CheckId| patterns.iter().any(|p| tier_matches(p, id.id()));
        let ids: Vec<String> = CheckId::ALL
            .iter()
            .copied()
            .filter(|c| tier(*c) && target.wants(*c))
            .map(|c| c.id().to_string())
            .collect();
        // An empty include list would mean "every check": fall back to the free one.
        let ids = if ids.is_empty() {
            vec![CheckId::ModelsList.id().to_string()]
        } else {
            ids
        };
        Selection::new(&ids, &[]).expect("ids taken from CheckId::ALL")
    }
}

/// `*.basic` (a suffix glob) besides the prefix globs and ids of `check::pattern_matches`.
fn tier_matches(pattern: &str, id: &str) -> bool {
    match pattern.strip_prefix('*') {
        Some(suffix) => id.ends_with(suffix),
        None => super::pattern_matches(pattern, id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(s: &Selection) -> Vec<&'static str> {
        CheckId::ALL
            .iter()
            .copied()
            .filter(|c| s.wants(*c))
            .map(CheckId::id)
            .collect()
    }

    #[test]
    fn tiers_grow_and_stay_within_the_targets_selection() {
        let all = Selection::default();
        assert_eq!(
            ids(&Tier::Catalog.selection(&all)),
            ["models.list", "models.exists"]
        );
        let chat = ids(&Tier::Chat.selection(&all));
        assert!(chat.contains(&"chat.basic") && chat.contains(&"responses.basic"));
        assert!(!chat
            .iter()
            .any(|c| c.contains("stream") || c.contains("tool")));
        let stream = ids(&Tier::Stream.selection(&all));
        assert!(stream.contains(&"chat.stream") && !stream.contains(&"chat.stream_tools"));
        // Full is the target's own selection: by default, every check on by default.
        let defaults = CheckId::ALL.iter().filter(|c| c.spec().default).count();
        assert_eq!(ids(&Tier::Full.selection(&all)).len(), defaults);
        // The target probes only chat: the tier does not add /responses.
        let only_chat = Selection::new(&["models.*".into(), "chat".into()], &[]).unwrap();
        let chat = ids(&Tier::Chat.selection(&only_chat));
        assert!(!chat.contains(&"responses.basic"), "{chat:?}");
        // A target that selects nothing of the tier gets the free check, never everything.
        let tools = Selection::new(&["chat.tools".into()], &[]).unwrap();
        assert_eq!(ids(&Tier::Catalog.selection(&tools)), ["models.list"]);
    }

    #[test]
    fn only_catalog_is_free() {
        assert!(!Tier::Catalog.generates());
        assert!(Tier::Stream.generates());
        assert_eq!(Tier::from_name("stream"), Some(Tier::Stream));
        assert_eq!(Tier::from_name("http://x"), None);
    }
}
