//! What a classification rule looks at: one error answer, with its message and every word
//! around it lowercased once.

use super::ErrorBody;

/// What a rule looks at.
pub struct Facts<'a> {
    pub status: Option<u16>,
    pub body: &'a ErrorBody,
    pub sent: &'a [&'a str],
    /// The message, lowercased.
    pub msg: String,
    /// Message, codes and any wrapper text around the body, lowercased.
    pub words: String,
    /// `words` hold the body alone (message and codes), without the wrapper text.
    pub body_only: bool,
}

impl Facts<'_> {
    pub(super) fn has(&self, ws: &[&str]) -> bool {
        ws.iter().any(|w| self.words.contains(w))
    }

    /// The same facts read with another status and other words (one clause of them, or
    /// without the status a code already stands for).
    pub(super) fn reread(&self, status: Option<u16>, words: String) -> Self {
        Facts {
            status,
            body: self.body,
            sent: self.sent,
            msg: if self.words == words {
                self.msg.clone()
            } else {
                words.clone()
            },
            words,
            body_only: self.body_only,
        }
    }

    /// One of `ws` starts a word here: "prompt" inside a wrapper's `Error_TranslationPrompt`
    /// is no prompt.
    pub(super) fn has_word(&self, ws: &[&str]) -> bool {
        ws.iter().any(|w| {
            self.words.match_indices(w).take(16).any(|(i, _)| {
                !(w.starts_with(|c: char| c.is_alphanumeric())
                    && self.words[..i].ends_with(|c: char| c.is_alphanumeric()))
            })
        })
    }

    /// The same facts with `words` cut down to the body itself: its message and codes (and
    /// its envelope `type` when `with_type`), without a wrapper's text or a client's
    /// exception label around it.
    pub(super) fn body_only(&self, with_type: bool) -> Self {
        let mut words = self.msg.clone();
        let etype = self.body.etype.as_ref().filter(|_| with_type);
        for t in self.body.tags.iter().chain(etype) {
            words.push(' ');
            words.push_str(&t.to_lowercase());
        }
        Facts {
            status: self.status,
            body: self.body,
            sent: self.sent,
            msg: self.msg.clone(),
            words: words.split_whitespace().collect::<Vec<_>>().join(" "),
            body_only: true,
        }
    }
}
