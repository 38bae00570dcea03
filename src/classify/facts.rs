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

    /// The body itself (message and codes, without a client's exception label around it)
    /// reads as something: a client's generic label must not outvote it.
    pub(super) fn body_says_more(&self) -> bool {
        if self.body_only {
            return false;
        }
        let mut words = self.msg.clone();
        for t in &self.body.tags {
            words.push(' ');
            words.push_str(t);
        }
        let body = Facts {
            status: self.status,
            body: self.body,
            sent: self.sent,
            msg: self.msg.clone(),
            words: words.split_whitespace().collect::<Vec<_>>().join(" "),
            body_only: true,
        };
        super::rules::first_match(&body, super::rules::Layer::Message)
            .is_some_and(|(r, _)| r.kind != crate::failure::Kind::Network)
    }
}
