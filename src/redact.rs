//! Secrets and hostile text, handled where text enters zencheck.
//!
//! A [`Redactor`] holds every secret of a target (the key in each form a person might have
//! written it, credential header values, secrets in the URL) and replaces them in server
//! text before anything cuts, parses or prints that text: an excerpt cut at 120 characters
//! must never keep 119 characters of a key. It also masks key-shaped tokens zencheck never
//! held (opencode's own key, echoed by a provider) and pieces of long secrets a server
//! echoed in part. [`strip_controls`] keeps a hostile server from driving the terminal.

use aho_corasick::{AhoCorasick, MatchKind};

/// What a secret is replaced with.
pub const REDACTED: &str = "[redacted]";

/// Shorter values are not treated as secrets: replacing "abc" everywhere would wreck the
/// report and protects nothing.
const MIN_SECRET: usize = 4;

/// Secrets at least this long are also hunted in pieces: any run of `PIECE` or more of
/// their characters is masked, so a server that echoes part of a key leaks nothing.
const LONG_SECRET: usize = 16;
const PIECE: usize = 6;

/// Prefixes of API keys as providers issue them (OpenAI, Anthropic, OpenRouter, Groq…).
const KEY_PREFIXES: [&str; 3] = ["sk-", "sk_", "gsk_"];

#[derive(Clone, Default)]
pub struct Redactor {
    /// Longest first, so a secret that contains another is replaced whole.
    exact: Vec<String>,
    /// Every `PIECE`-byte window of every long secret, as one automaton: a text is searched
    /// for all of them in one pass, every overlapping occurrence found.
    pieces: Option<AhoCorasick>,
    /// Whatever makes a text need scrubbing (every secret, every piece, every key prefix),
    /// as one automaton: text with none of them, the common case, is passed in one scan.
    any: Option<AhoCorasick>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Redactor({} secrets)", self.exact.len())
    }
}

impl Redactor {
    pub fn new<I, S>(secrets: I) -> Redactor
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut exact: Vec<String> = Vec::new();
        for s in secrets {
            for form in forms(s.as_ref()) {
                // A secret inside the marker would make scrubbing loop on its own output.
                if form.len() >= MIN_SECRET && !REDACTED.contains(&form) && !exact.contains(&form) {
                    exact.push(form);
                }
            }
        }
        exact.sort_by_key(|s| std::cmp::Reverse(s.len()));
        let mut pieces: Vec<&[u8]> = exact
            .iter()
            .filter(|s| s.len() >= LONG_SECRET)
            .flat_map(|s| s.as_bytes().windows(PIECE))
            .collect();
        pieces.sort_unstable();
        pieces.dedup();
        let automaton = |words: &[&[u8]]| {
            (!words.is_empty()).then(|| {
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .build(words)
                    .expect("a few thousand short words fit an automaton")
            })
        };
        let mut words: Vec<&[u8]> = exact.iter().map(|s| s.as_bytes()).collect();
        words.extend(&pieces);
        words.extend(KEY_PREFIXES.iter().map(|p| p.as_bytes()));
        Redactor {
            pieces: automaton(&pieces),
            any: automaton(&words),
            exact,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.exact.is_empty()
    }

    /// Every secret replaced, key-shaped tokens masked, pieces of long secrets masked.
    /// Idempotent: scrubbing scrubbed text changes nothing.
    pub fn scrub(&self, s: &str) -> String {
        if !self.needs_scrub(s) {
            return s.to_string();
        }
        let mut out = s.to_string();
        for secret in &self.exact {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), REDACTED);
            }
        }
        if self.pieces.is_some() {
            out = self.mask_pieces(&out);
        }
        if KEY_PREFIXES.iter().any(|p| out.contains(p)) {
            out = mask_key_like(&out);
        }
        out
    }

    /// As [`Redactor::scrub`], taking the text and giving it back without a copy when there
    /// is nothing to replace: the common case for each event of a stream.
    pub fn scrub_owned(&self, s: String) -> String {
        if self.needs_scrub(&s) {
            self.scrub(&s)
        } else {
            s
        }
    }

    /// Whether `s` holds a secret, a piece of a long one or a key prefix: one pass over it,
    /// whatever the number of secrets and pieces.
    fn needs_scrub(&self, s: &str) -> bool {
        self.any.as_ref().is_some_and(|a| a.is_match(s))
    }

    /// The same for a body that may not be UTF-8: valid text is scrubbed as text; other
    /// bytes are decoded lossily first (a body a secret hides in is read as text anyway).
    pub fn scrub_bytes(&self, b: Vec<u8>) -> Vec<u8> {
        let text = match String::from_utf8(b) {
            Ok(t) => t,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        };
        self.scrub(&text).into_bytes()
    }

    /// Replace every maximal run of text covered by pieces of a long secret.
    fn mask_pieces(&self, s: &str) -> String {
        let b = s.as_bytes();
        if b.len() < PIECE {
            return s.to_string();
        }
        let Some(pieces) = &self.pieces else {
            return s.to_string();
        };
        let mut covered = vec![false; b.len()];
        let mut any = false;
        // Every occurrence, overlapping ones included: each covers its `PIECE` bytes.
        for m in pieces.find_overlapping_iter(b) {
            covered[m.start()..m.end()]
                .iter_mut()
                .for_each(|c| *c = true);
            any = true;
        }
        if !any {
            return s.to_string();
        }
        let mut out = String::with_capacity(s.len());
        let mut in_run = false;
        for (i, ch) in s.char_indices() {
            // A char is masked when any of its bytes is covered.
            let hit = covered[i..i + ch.len_utf8()].iter().any(|c| *c);
            if hit {
                if !in_run {
                    out.push_str(REDACTED);
                }
            } else {
                out.push(ch);
            }
            in_run = hit;
        }
        out
    }
}

/// The forms a secret is echoed in: as given, without the quotes or `Bearer `/`Basic `
/// prefix a `.env` file or a header adds, each token of a credential value, and the
/// `name=value` values of a cookie.
fn forms(raw: &str) -> Vec<String> {
    let mut out = vec![raw.to_string()];
    let mut v = raw.trim();
    out.push(v.to_string());
    for q in ['"', '\''] {
        if v.len() >= 2 && v.starts_with(q) && v.ends_with(q) {
            v = &v[1..v.len() - 1];
            out.push(v.to_string());
        }
    }
    for token in v.split([' ', ';', ',']) {
        let token = token.trim();
        out.push(token.to_string());
        if let Some((_, value)) = token.split_once('=') {
            out.push(value.to_string());
        }
    }
    out
}

/// What a key variable's value has that its owner probably did not mean to put there.
pub fn key_value_mistake(v: &str) -> Option<&'static str> {
    let t = v.trim();
    let lower = t.to_ascii_lowercase();
    if lower.starts_with("bearer ") || lower.starts_with("basic ") {
        Some("starts with `Bearer `: the variable should hold the bare key")
    } else if (t.starts_with('"') && t.ends_with('"')) || (t.starts_with('\'') && t.ends_with('\''))
    {
        Some("is wrapped in quotes: the quotes are sent as part of the key")
    } else if t.contains(char::is_whitespace) {
        Some("holds whitespace inside the key")
    } else {
        None
    }
}

/// Replace every key-shaped token (a known prefix and at least 12 more key characters)
/// with its prefix and `[redacted]`. A key a provider masked itself (`sk-NM6A****…MC1`, as
/// OpenAI's "Incorrect API key provided" prints it) still shows a piece of the key at each
/// end: its stars count as key characters, so it is masked whole too.
pub fn mask_key_like(s: &str) -> String {
    let is_key_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '*';
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some((i, prefix)) = KEY_PREFIXES
        .iter()
        .filter_map(|p| rest.find(p).map(|i| (i, *p)))
        .min_by_key(|(i, _)| *i)
    {
        let starts_word = rest[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !is_key_char(c));
        let tail = &rest[i + prefix.len()..];
        let len = tail.find(|c: char| !is_key_char(c)).unwrap_or(tail.len());
        out.push_str(&rest[..i + prefix.len()]);
        if starts_word && len >= 12 {
            out.push_str(REDACTED);
        } else {
            out.push_str(&tail[..len]);
        }
        rest = &tail[len..];
    }
    out.push_str(rest);
    out
}

/// Server text made safe for a terminal: C0 and C1 control characters (ESC, OSC's BEL,
/// CR that overwrites a line, DEL) and the bidirectional overrides that reorder a line
/// are removed; tab and newline stay.
pub fn strip_controls(s: &str) -> String {
    if !s.chars().any(is_hostile) {
        return s.to_string();
    }
    s.chars().filter(|c| !is_hostile(*c)).collect()
}

fn is_hostile(c: char) -> bool {
    (c.is_control() && c != '\t' && c != '\n')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A URL as a person may see it: a password or user name in it, and the values of query
/// parameters named like a secret, replaced. Text that is not a URL is cut at the first
/// `@`/`?`-bearing part instead, since it may still hold one.
pub fn url_for_display(raw: &str) -> String {
    match url::Url::parse(raw.trim()) {
        Ok(mut u) => {
            if !u.username().is_empty() {
                let _ = u.set_username(REDACTED);
            }
            if u.password().is_some() {
                let _ = u.set_password(Some(REDACTED));
            }
            if u.query().is_some() {
                let pairs: Vec<(String, String)> = u
                    .query_pairs()
                    .map(|(k, v)| {
                        let v = if is_secret_param(&k) {
                            REDACTED.to_string()
                        } else {
                            v.into_owned()
                        };
                        (k.into_owned(), v)
                    })
                    .collect();
                u.query_pairs_mut().clear().extend_pairs(pairs);
            }
            // `set_username` percent-encodes the marker; show it as written.
            u.as_str()
                .replace("%5Bredacted%5D", REDACTED)
                .replace("%5bredacted%5d", REDACTED)
        }
        Err(_) => {
            // Not parseable, so the parts cannot be told apart: hide whatever could be
            // userinfo (up to an `@`) and everything after a `?` or `#`.
            let mut out = raw.trim().to_string();
            if let Some(at) = out.rfind('@') {
                let start = out[..at].rfind("//").map_or(0, |i| i + 2);
                out.replace_range(start..at, REDACTED);
            }
            if let Some(q) = out.find(['?', '#']) {
                out.replace_range(q + 1.., REDACTED);
            }
            strip_controls(&out)
        }
    }
}

/// Query parameters whose values are credentials (Azure's `api-key`, SAS `sig`, OAuth
/// `code`, `token`s of every kind).
pub fn is_secret_param(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.contains("key")
        || n.contains("token")
        || n.contains("secret")
        || n.contains("password")
        || n.contains("auth")
        || n.starts_with("sig")
        || n == "code"
}

/// Header names that carry credentials, and values that look like one whatever the name.
pub fn is_credential_header(name: &str, value: &str) -> bool {
    let n = name.to_ascii_lowercase();
    let v = value.trim_start().to_ascii_lowercase();
    [
        "auth",
        "key",
        "token",
        "secret",
        "password",
        "signature",
        "cookie",
        "session",
    ]
    .iter()
    .any(|w| n.contains(w))
        || v.starts_with("bearer ")
        || v.starts_with("basic ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_of_a_key_is_replaced() {
        let r = Redactor::new(["\"Bearer sk-live-0123456789abcdef\""]);
        for echoed in [
            "bad key sk-live-0123456789abcdef",
            "bad key Bearer sk-live-0123456789abcdef!",
            "\"Bearer sk-live-0123456789abcdef\"",
        ] {
            let s = r.scrub(echoed);
            assert!(!s.contains("0123456789"), "{s}");
        }
    }

    #[test]
    fn a_partly_echoed_long_key_leaves_no_piece() {
        let r = Redactor::new(["zz-9f8e7d6c5b4a3210ffee"]);
        let s = r.scrub("key zz-9f8e7d6c5b4a32 was cut; tail: c5b4a3210ffee.");
        assert!(!s.contains("9f8e7d") && !s.contains("a3210f"), "{s}");
        assert!(s.starts_with("key [redacted] was cut"), "{s}");
    }

    #[test]
    fn scrubbing_is_idempotent_and_keeps_other_text() {
        let r = Redactor::new(["secret-value-1234567"]);
        let once = r.scrub("x secret-value-1234567 y — naïve ✓");
        assert_eq!(once, "x [redacted] y — naïve ✓");
        assert_eq!(r.scrub(&once), once);
    }

    #[test]
    fn key_shaped_tokens_are_masked_even_when_unknown() {
        assert_eq!(
            mask_key_like("Incorrect API key provided: sk-proj-abcdef123456789."),
            "Incorrect API key provided: sk-[redacted]."
        );
        assert_eq!(
            mask_key_like("gsk_0123456789abcdef and task-sk-xyz"),
            "gsk_[redacted] and task-sk-xyz"
        );
        assert_eq!(mask_key_like("model sk-small"), "model sk-small");
        // A key the provider masked itself still holds pieces of it at both ends.
        assert_eq!(
            mask_key_like("provided: <sk-NM6A*****************************************MC1>. You"),
            "provided: <sk-[redacted]>. You"
        );
    }

    #[test]
    fn controls_are_stripped_but_tab_and_newline_stay() {
        assert_eq!(
            strip_controls("a\x1b[2J\x1b]0;pwned\x07b\rc\td\ne\u{9b}f\u{202e}g"),
            "a[2J]0;pwnedbc\td\nefg"
        );
    }

    #[test]
    fn urls_are_shown_without_their_secrets() {
        assert_eq!(
            url_for_display("https://me:hunter2222@h.example/v1?api-version=1&api-key=K123456"),
            "https://[redacted]:[redacted]@h.example/v1?api-version=1&api-key=[redacted]"
        );
        assert_eq!(
            url_for_display("http//me:pw@host/v1?sig=abc"),
            "http//[redacted]@host/v1?[redacted]"
        );
    }

    #[test]
    fn credential_headers_by_any_name() {
        for n in [
            "Proxy-Authorization",
            "cf-aig-authorization",
            "Helicone-Auth",
            "X-Auth-Token",
            "api-key",
            "Cookie",
            "X-Session-Id",
            "X-Signature",
        ] {
            assert!(is_credential_header(n, "v"), "{n}");
        }
        assert!(is_credential_header("X-Custom", "Bearer abc"));
        assert!(!is_credential_header("X-Title", "my app"));
    }

    #[test]
    fn key_value_mistakes_are_named() {
        assert!(key_value_mistake("Bearer sk-1").is_some());
        assert!(key_value_mistake("\"sk-1\"").is_some());
        assert!(key_value_mistake("'sk-1'").is_some());
        assert!(key_value_mistake("sk-1").is_none());
    }

    /// Scrubbing as it was before the automaton: each secret sought in turn, then every
    /// 6-byte window of the text looked up in a set of the pieces.
    fn scrub_by_windows(r: &Redactor, s: &str) -> String {
        let pieces: std::collections::HashSet<&[u8]> = r
            .exact
            .iter()
            .filter(|x| x.len() >= LONG_SECRET)
            .flat_map(|x| x.as_bytes().windows(PIECE))
            .collect();
        let mut out = s.to_string();
        for secret in &r.exact {
            out = out.replace(secret.as_str(), REDACTED);
        }
        let b = out.as_bytes();
        let mut covered = vec![false; b.len()];
        for i in 0..b.len().saturating_sub(PIECE - 1) {
            if pieces.contains(&b[i..i + PIECE]) {
                covered[i..i + PIECE].iter_mut().for_each(|c| *c = true);
            }
        }
        let mut masked = String::new();
        let mut in_run = false;
        for (i, ch) in out.char_indices() {
            let hit = covered[i..i + ch.len_utf8()].iter().any(|c| *c);
            if hit && !in_run {
                masked.push_str(REDACTED);
            } else if !hit {
                masked.push(ch);
            }
            in_run = hit;
        }
        if KEY_PREFIXES.iter().any(|p| masked.contains(p)) {
            masked = mask_key_like(&masked);
        }
        masked
    }

    proptest::proptest! {
        /// The automaton masks what looking up every window in a set masked: pieces of keys
        /// overlapping, repeated, cut, among other text, in any of the forms a key is given.
        #[test]
        fn one_pass_scrubs_as_every_window_did(
            key in "[A-Za-z0-9_-]{16,40}",
            form in 0usize..3,
            parts in proptest::collection::vec((0usize..40, 0usize..40, "[ -~é✓]{0,8}"), 0..12),
        ) {
            let given = match form { 0 => key.clone(), 1 => format!("Bearer {key}"), _ => format!("sk-{key}") };
            let r = Redactor::new([given]);
            let mut text = String::new();
            for (a, b, filler) in parts {
                let (a, b) = (a.min(key.len()), b.min(key.len()));
                text.push_str(&key[a.min(b)..a.max(b)]);
                text.push_str(&filler);
            }
            proptest::prop_assert_eq!(r.scrub(&text), scrub_by_windows(&r, &text));
            proptest::prop_assert_eq!(r.scrub_owned(text.clone()), scrub_by_windows(&r, &text));
        }

        /// A key hidden in any text, in any of the forms a person writes it, leaves no piece
        /// of 6 or more of its characters after scrubbing, however the result is cut; and
        /// scrubbing twice changes nothing.
        #[test]
        fn no_piece_of_a_key_survives(
            key in "[A-Za-z0-9]{16,40}",
            form in 0usize..4,
            before in "[ -~é✓…]{0,60}",
            after in "[ -~é✓…]{0,60}",
            cut in 0usize..200,
        ) {
            let given = match form { 0 => key.clone(), 1 => format!("Bearer {key}"), 2 => format!("\"{key}\""), _ => format!("'{key}'") };
            let r = Redactor::new([given]);
            // Text around the key uses none of its characters' runs: only the key can match.
            let text = format!("{before}<{key}>{after} and again {}", &key[..key.len() - 1]);
            let once = r.scrub(&text);
            proptest::prop_assert_eq!(r.scrub(&once), once.clone());
            proptest::prop_assert_eq!(r.scrub_owned(text.clone()), once.clone());
            let shown: String = once.chars().take(cut).collect();
            for w in key.as_bytes().windows(6) {
                let w = std::str::from_utf8(w).unwrap();
                let in_context = before.contains(w) || after.contains(w);
                proptest::prop_assert!(in_context || !shown.contains(w), "{} survives in {}", w, shown);
            }
        }

        #[test]
        fn arbitrary_text_never_panics_the_scrub(text in "\\PC{0,200}", secret in "\\PC{0,30}") {
            let r = Redactor::new([secret]);
            let s = r.scrub(&text);
            proptest::prop_assert_eq!(r.scrub(&s), s.clone());
            // Without a copy when nothing is replaced, and the same text either way.
            proptest::prop_assert_eq!(r.scrub_owned(text.clone()), s.clone());
            let _ = strip_controls(&s);
            let _ = url_for_display(&text);
        }
    }
}
