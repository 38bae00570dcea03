//! The opencode checks' ids, typed: each with its stable id (part of the JSON contract), the
//! endpoint it calls, and the hint wording it asks for.

use crate::failure::CheckHint;

/// One opencode check. Declared in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpencodeCheck {
    Health,
    Providers,
    Prompt,
    Events,
    ModelSelection,
    /// `opencode run`, judged from its output (`run-check`).
    Run,
}

impl OpencodeCheck {
    /// The checks of `serve-check`, in report order.
    pub const SERVE: [OpencodeCheck; 5] = [
        OpencodeCheck::Health,
        OpencodeCheck::Providers,
        OpencodeCheck::Prompt,
        OpencodeCheck::Events,
        OpencodeCheck::ModelSelection,
    ];

    /// Stable id: part of the JSON contract.
    pub fn id(self) -> &'static str {
        match self {
            OpencodeCheck::Health => "opencode.health",
            OpencodeCheck::Providers => "opencode.providers",
            OpencodeCheck::Prompt => "opencode.prompt",
            OpencodeCheck::Events => "opencode.events",
            OpencodeCheck::ModelSelection => "opencode.model_selection",
            OpencodeCheck::Run => "opencode.run",
        }
    }

    /// The opencode server endpoint the check calls; none for `opencode run`.
    pub fn endpoint(self) -> Option<&'static str> {
        match self {
            OpencodeCheck::Health => Some("/global/health"),
            OpencodeCheck::Providers => Some("/config/providers"),
            OpencodeCheck::Prompt | OpencodeCheck::ModelSelection => Some("/session/{id}/message"),
            OpencodeCheck::Events => Some("/event"),
            OpencodeCheck::Run => None,
        }
    }

    /// The hint wording this check asks for, when it has its own.
    pub fn hint(self) -> Option<CheckHint> {
        match self {
            OpencodeCheck::Events => Some(CheckHint::OpencodeEvents),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_in_the_opencode_family() {
        let all = [OpencodeCheck::SERVE.as_slice(), &[OpencodeCheck::Run]].concat();
        let ids: std::collections::HashSet<_> = all.iter().map(|c| c.id()).collect();
        assert_eq!(ids.len(), all.len());
        assert!(all.iter().all(|c| c.id().starts_with("opencode.")));
    }
}
