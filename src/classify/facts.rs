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
}
