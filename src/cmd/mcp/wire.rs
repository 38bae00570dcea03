//! stdin on its way to the MCP session: one message a line, each at most
//! [`MAX_MESSAGE`] bytes. rmcp drops a longer line without a word, so the client would wait
//! for an answer that never comes; here such a line is read past (never held whole) and
//! replaced by a small request with the same id, which the server answers with an MCP error
//! saying how large the message was. Every other byte passes unchanged.

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};

/// The most one message may weigh, its newline included (rmcp's own line cap).
pub const MAX_MESSAGE: usize = 16 << 20;
/// How much of a message past the cap is kept to find its id in.
const ID_WINDOW: usize = 64 << 10;
/// The argument of the stand-in request that carries the dropped message's size.
pub const OVERSIZED: &str = "zencheck_message_bytes";

/// Copy `input` to `out` line by line, each line past [`MAX_MESSAGE`] replaced by its
/// stand-in; ends (and closes `out`) when `input` does.
pub async fn pump<R, W>(input: R, mut out: W) -> std::io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut input = BufReader::with_capacity(ID_WINDOW, input);
    let mut line: Vec<u8> = Vec::new();
    // While a line past the cap is read past: its first bytes and its length so far.
    let mut skipped: Option<(Vec<u8>, usize)> = None;
    loop {
        let (take, ends) = {
            let buf = input.fill_buf().await?;
            if buf.is_empty() {
                break;
            }
            let newline = buf.iter().position(|b| *b == b'\n');
            let take = newline.map_or(buf.len(), |i| i + 1);
            let piece = &buf[..take];
            match &mut skipped {
                Some((_, n)) => *n += take,
                None if line.len() + take > MAX_MESSAGE => {
                    let n = line.len() + take;
                    let mut head = std::mem::take(&mut line);
                    head.truncate(ID_WINDOW);
                    let room = ID_WINDOW - head.len();
                    head.extend_from_slice(&piece[..room.min(take)]);
                    skipped = Some((head, n));
                }
                None => line.extend_from_slice(piece),
            }
            (take, newline.is_some())
        };
        input.consume(take);
        if ends {
            match skipped.take() {
                Some((head, n)) => out.write_all(stand_in(&head, n).as_bytes()).await?,
                None => {
                    out.write_all(&line).await?;
                    line.clear();
                }
            }
            out.flush().await?;
        }
    }
    // A last line without its newline passes as it came (the session drops it).
    if skipped.is_none() {
        out.write_all(&line).await?;
    }
    out.shutdown().await
}

/// What stands in for a message of `n` bytes that starts with `head`: a `tools/call` with
/// its id (answered with an error naming the size); nothing for a notification (JSON-RPC
/// answers none); else, with no id to answer under, a message of no known shape, which the
/// session answers with an Invalid Request error of id null.
fn stand_in(head: &[u8], n: usize) -> String {
    let id = top_level(head, "id").filter(|v| v.is_number() || v.is_string());
    let method = top_level(head, "method");
    let message = match (id, method) {
        (Some(id), _) => json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
                               "params": {"name": "", "arguments": {OVERSIZED: n}}}),
        (None, Some(Value::String(m))) if m.starts_with("notifications/") => return String::new(),
        _ => json!({"jsonrpc": "2.0", OVERSIZED: n}),
    };
    format!("{message}\n")
}

/// The member `key` of the JSON object `head` begins, when its value is a number or a
/// string within `head`; members of nested objects are not it.
fn top_level(head: &[u8], key: &str) -> Option<Value> {
    let quoted = format!("\"{key}\"");
    let text = String::from_utf8_lossy(head);
    let b = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                let start = i;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += usize::from(b[i] == b'\\') + 1;
                }
                if i >= b.len() {
                    return None;
                }
                if depth == 1 && text[start..=i] == quoted {
                    if let Some(rest) = text[i + 1..].trim_start().strip_prefix(':') {
                        let mut values =
                            serde_json::Deserializer::from_str(rest).into_iter::<Value>();
                        return match values.next() {
                            Some(Ok(v @ (Value::Number(_) | Value::String(_)))) => Some(v),
                            _ => None,
                        };
                    }
                }
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_is_the_top_level_one() {
        let id = |s: &str| top_level(s.as_bytes(), "id");
        assert_eq!(
            id(r#"{"jsonrpc":"2.0","id":7,"method":"tools/call"}"#),
            Some(json!(7))
        );
        assert_eq!(
            id(r#"{"params":{"id":1,"x":"\"id\":3"},"method":"id", "id" : "a-1","#),
            Some(json!("a-1"))
        );
        assert_eq!(
            id(r#"{"method":"notifications/x","params":{"id":2}}"#),
            None
        );
        assert_eq!(id(r#"{"id":{"x":1}}"#), None);
        let n = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{";
        assert_eq!(
            stand_in(n.as_bytes(), 9),
            "",
            "a notification gets no answer"
        );
        assert!(stand_in(b"{\"params\":{\"text\":\"xx", 9).contains(OVERSIZED));
    }

    #[tokio::test]
    async fn a_line_past_the_cap_becomes_a_request_with_its_id() {
        let big = format!(
            "{{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{{\"name\":\"explain\",\"arguments\":{{\"text\":\"{}\"}}}}}}\n",
            "x".repeat(MAX_MESSAGE)
        );
        let input = format!("{{\"a\":1}}\n{big}{{\"b\":2}}\n{{\"c\":");
        let mut out = Vec::new();
        pump(input.as_bytes(), &mut out).await.unwrap();
        let out = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = out.split_inclusive('\n').collect();
        assert_eq!(lines.len(), 4, "{}", &out[..out.len().min(500)]);
        assert_eq!(lines[0], "{\"a\":1}\n");
        let stand_in: Value = serde_json::from_str(lines[1]).unwrap();
        assert_eq!(stand_in["id"], 5);
        assert_eq!(stand_in["method"], "tools/call");
        assert_eq!(stand_in["params"]["arguments"][OVERSIZED], big.len());
        assert_eq!(lines[2], "{\"b\":2}\n");
        assert_eq!(lines[3], "{\"c\":", "a last partial line passes as it came");
    }
}
