//! Escaping for the HTML report and its SVG timelines: server text made inert, one place
//! that both the page and the pictures inside it use.

/// Text made inert for HTML text and double- or single-quoted attributes: markup characters
/// become entities and control characters are dropped.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}
