//! A forgiving reader for the object literals that clients print instead of JSON.
//!
//! openai-python prints a Python `repr` (`{'error': {'message': "it's", 'param': None}}`:
//! single quotes, double quotes when the text holds a `'`, `None`/`True`/`False`); Node's
//! `console.log` prints JavaScript literals (`{ error: { message: 'x', code: undefined } }`);
//! pasted log lines keep `\n` escapes between tokens. serde_json reads none of them. This
//! reads all three into a `serde_json::Value`, bounded in depth, and never panics.

use serde_json::{Map, Number, Value};

/// Deepest nesting read; deeper input is refused rather than recursed into.
const MAX_DEPTH: usize = 48;

/// Parse one value starting at the beginning of `s`; returns it and the bytes consumed.
pub fn parse_prefix(s: &str) -> Option<(Value, usize)> {
    let mut p = Parser {
        b: s.as_bytes(),
        s,
        i: 0,
    };
    let v = p.value(0)?;
    Some((v, p.i))
}

struct Parser<'a> {
    b: &'a [u8],
    s: &'a str,
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// Whitespace, and the literal `\n`/`\r`/`\t` escapes a log line keeps between tokens,
    /// and the `+` joins of Node's multi-line string dumps (`'{\n' +`).
    fn ws(&mut self) {
        while let Some(c) = self.peek() {
            match c {
                b' ' | b'\n' | b'\r' | b'\t' => self.i += 1,
                b'\\' if matches!(self.b.get(self.i + 1), Some(b'n' | b'r' | b't')) => self.i += 2,
                _ => break,
            }
        }
    }

    fn value(&mut self, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.ws();
        match self.peek()? {
            b'{' => self.object(depth),
            // An Elixir map: `%{"filtered" => false}`.
            b'%' if self.b.get(self.i + 1) == Some(&b'{') => {
                self.i += 1;
                self.object(depth)
            }
            b'[' => self.array(depth, b']'),
            // A Python tuple (pydantic's `'loc': ('body', 'messages')`): an array.
            b'(' => self.array(depth, b')'),
            b'"' | b'\'' | b'`' => self.string().map(Value::String),
            b'-' | b'0'..=b'9' => self.number(),
            _ => {
                let word = self.ident()?.to_string();
                // Rust's Debug output: `Some("x")`, `Ok(…)`, `Os { code: 10061 … }`.
                self.ws();
                if self.peek() == Some(b'(') {
                    self.i += 1;
                    self.ws();
                    if self.peek() == Some(b')') {
                        self.i += 1;
                        return Some(Value::String(word));
                    }
                    // Dart's and Kotlin's toString: `RequestFailedException(message: text, statusCode: 401)`,
                    // `Error(code=429, message=text)`: named fields whose values are bare text.
                    if let Some(fields) = self.named_fields(depth + 1) {
                        return Some(fields);
                    }
                    let inner = self.value(depth + 1)?;
                    // `ConnectError("tcp connect error", Os { … })`: the first value stands for all.
                    while self.peek().is_some_and(|c| c != b')') {
                        self.i += 1;
                    }
                    self.i += 1;
                    return Some(if word == "None" { Value::Null } else { inner });
                }
                if self.peek() == Some(b'{')
                    && word.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                {
                    return self.object(depth + 1);
                }
                Some(match word.as_str() {
                    "null" | "None" | "undefined" | "nil" => Value::Null,
                    "true" | "True" => Value::Bool(true),
                    "false" | "False" => Value::Bool(false),
                    // `[Object]`, `[Array]`, `[Function: x]` in Node's shallow dumps.
                    other => Value::String(other.to_string()),
                })
            }
        }
    }

    fn object(&mut self, depth: usize) -> Option<Value> {
        self.i += 1;
        let mut map = Map::new();
        loop {
            self.ws();
            match self.peek()? {
                b'}' => {
                    self.i += 1;
                    return Some(Value::Object(map));
                }
                b',' => {
                    self.i += 1;
                    continue;
                }
                _ => {}
            }
            let key = match self.peek()? {
                b'"' | b'\'' | b'`' => self.string()?,
                // Node prints symbol keys as `[Symbol(vercel.ai.error)]`.
                b'[' => {
                    let end = self.s.get(self.i..)?.find(']')?;
                    let k = self.s.get(self.i + 1..self.i + end)?.to_string();
                    self.i += end + 1;
                    k
                }
                _ => self.ident()?.to_string(),
            };
            self.ws();
            // `key: value`, or Elixir's, Ruby's and PHP's `key => value`.
            match self.peek()? {
                b':' => self.i += 1,
                b'=' if self.b.get(self.i + 1) == Some(&b'>') => self.i += 2,
                _ => return None,
            }
            let v = self.value(depth + 1)?;
            map.insert(key, v);
            self.ws();
            // A string continued on the next line: `'{\n' + '  "error"…'`.
            while self.peek() == Some(b'+') {
                self.i += 1;
                self.ws();
                let more = self.string()?;
                if let Some(Value::String(s)) = map.values_mut().last() {
                    s.push_str(&more);
                }
                self.ws();
            }
        }
    }

    /// After `Name(`: `key: value, key2: value2)` or `key=value, …)`, each value bare text up
    /// to the next `, key:` at the same nesting, or a value this parser reads (a quoted
    /// string, an object). `None`, with nothing consumed, when the text is not so.
    fn named_fields(&mut self, depth: usize) -> Option<Value> {
        let start = self.i;
        let mut map = Map::new();
        loop {
            self.ws();
            let Some(key) = self.field_key() else {
                self.i = start;
                return None;
            };
            self.ws();
            let value = match self.peek() {
                Some(b'"' | b'\'' | b'`' | b'{' | b'[') => match self.value(depth) {
                    Some(v) => v,
                    None => {
                        self.i = start;
                        return None;
                    }
                },
                _ => Value::String(self.bare_text()),
            };
            let value = match value {
                Value::String(t) => match t.parse::<i64>() {
                    Ok(n) => Value::Number(Number::from(n)),
                    Err(_) => Value::String(t),
                },
                v => v,
            };
            map.insert(key, value);
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b')') => {
                    self.i += 1;
                    return Some(Value::Object(map));
                }
                _ => {
                    self.i = start;
                    return None;
                }
            }
        }
    }

    /// `key:` (with a space after, so `https://` is no key) or `key=`, as a named field opens.
    fn field_key(&mut self) -> Option<String> {
        let at = self.i;
        let key = self.ident().filter(|k| !k.contains('.'))?.to_string();
        let rest = self.b.get(self.i..)?;
        let take = match rest {
            [b':', b' ' | b'\n', ..] => 1,
            [b'=', ..] => 1,
            _ => {
                self.i = at;
                return None;
            }
        };
        self.i += take;
        Some(key)
    }

    /// Bare text up to `, key:`/`, key=` or the `)` that closes the call, at this nesting.
    fn bare_text(&mut self) -> String {
        let start = self.i;
        let mut nest = 0usize;
        while let Some(c) = self.peek() {
            match c {
                b'(' | b'[' | b'{' => nest += 1,
                b')' | b']' | b'}' if nest > 0 => nest -= 1,
                b')' => break,
                b',' if nest == 0 => {
                    let save = self.i;
                    self.i += 1;
                    self.ws();
                    let is_key = self.field_key().is_some();
                    self.i = save;
                    if is_key {
                        break;
                    }
                }
                _ => {}
            }
            self.i += 1;
        }
        self.s.get(start..self.i).unwrap_or("").trim().to_string()
    }

    fn array(&mut self, depth: usize, close: u8) -> Option<Value> {
        self.i += 1;
        let mut out = Vec::new();
        loop {
            self.ws();
            match self.peek()? {
                c if c == close => {
                    self.i += 1;
                    return Some(Value::Array(out));
                }
                b',' => {
                    self.i += 1;
                    continue;
                }
                _ => {}
            }
            // Node's `[Object]` placeholder inside an array is an identifier.
            out.push(self.value(depth + 1)?);
        }
    }

    fn ident(&mut self) -> Option<&str> {
        let start = self.i;
        while let Some(c) = self.peek() {
            // `r#type`: a Rust raw identifier in a Debug dump.
            if c.is_ascii_alphanumeric() || matches!(c, b'_' | b'$' | b'.' | b'-' | b'@' | b'#') {
                self.i += 1;
            } else {
                break;
            }
        }
        self.s.get(start..self.i).filter(|_| self.i > start)
    }

    fn number(&mut self) -> Option<Value> {
        let start = self.i;
        while let Some(c) = self.peek() {
            if c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E') {
                self.i += 1;
            } else {
                break;
            }
        }
        let text = self.s.get(start..self.i)?;
        if let Ok(n) = text.parse::<i64>() {
            return Some(Value::Number(n.into()));
        }
        text.parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number)
            .or_else(|| Some(Value::String(text.to_string())))
    }

    /// A quoted string in any of the three quote styles, with the common escapes.
    fn string(&mut self) -> Option<String> {
        let quote = self.peek()?;
        self.i += 1;
        let mut out = String::new();
        loop {
            let rest = self.s.get(self.i..)?;
            let stop = rest.find([quote as char, '\\'])?;
            out.push_str(&rest[..stop]);
            self.i += stop;
            if self.peek()? == quote {
                self.i += 1;
                return Some(out);
            }
            // A backslash escape.
            self.i += 1;
            let c = self.s.get(self.i..)?.chars().next()?;
            self.i += c.len_utf8();
            match c {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                'u' => {
                    let hex = self.s.get(self.i..self.i + 4)?;
                    let code = u32::from_str_radix(hex, 16).ok()?;
                    self.i += 4;
                    out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                }
                'x' => {
                    let hex = self.s.get(self.i..self.i + 2)?;
                    let code = u32::from_str_radix(hex, 16).ok()?;
                    self.i += 2;
                    out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                }
                other => out.push(other),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn python_repr_with_both_quote_styles() {
        let s = r#"{'error': {'message': "Unsupported parameter: 'max_tokens' is not supported. Use 'max_completion_tokens' instead.", 'param': 'max_tokens', 'code': None, 'ok': True}} trailing"#;
        let (v, used) = parse_prefix(s).unwrap();
        assert_eq!(v["error"]["param"], json!("max_tokens"));
        assert!(v["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Unsupported parameter: 'max_tokens'"));
        assert_eq!(v["error"]["code"], Value::Null);
        assert_eq!(&s[used..], " trailing");
    }

    #[test]
    fn node_literals_with_symbols_and_placeholders() {
        let s = "{\n  cause: undefined,\n  statusCode: 401,\n  requestBodyValues: [Object],\n  data: { error: { message: 'Bad key', code: 'invalid_api_key' } },\n  [Symbol(vercel.ai.error)]: true\n}";
        let (v, _) = parse_prefix(s).unwrap();
        assert_eq!(v["statusCode"], json!(401));
        assert_eq!(v["data"]["error"]["code"], json!("invalid_api_key"));
    }

    #[test]
    fn joined_multiline_strings_and_literal_escapes() {
        let s = "{ data: '[{\\n' +\n '  \"error\": 1}]' }";
        let (v, _) = parse_prefix(s).unwrap();
        assert_eq!(v["data"], json!("[{\n  \"error\": 1}]"));
        let (v, _) = parse_prefix("{\\n  \"a\": 1\\n}").unwrap();
        assert_eq!(v["a"], json!(1));
    }

    #[test]
    fn dart_and_kotlin_named_fields_with_bare_text() {
        let s = "RequestFailedException(message: Incorrect API key provided: <sk-…>. You can find it at https://x.example/keys., statusCode: 401) tail";
        let (v, used) = parse_prefix(s).unwrap();
        assert_eq!(v["statusCode"], json!(401));
        assert!(v["message"]
            .as_str()
            .unwrap()
            .starts_with("Incorrect API key provided"));
        assert_eq!(&s[used..], " tail");
        let (v, _) =
            parse_prefix("Error(code=429, message=Too many requests (per minute))").unwrap();
        assert_eq!(v["code"], json!(429));
        assert_eq!(v["message"], json!("Too many requests (per minute)"));
        // A Rust tuple struct is read as before: its first value.
        let (v, _) = parse_prefix("Some(\"x\")").unwrap();
        assert_eq!(v, json!("x"));
    }

    #[test]
    fn deep_or_broken_input_is_refused_not_a_panic() {
        assert!(parse_prefix(&"[".repeat(10_000)).is_none());
        assert!(parse_prefix("{'a': 'unterminated").is_none());
        assert!(parse_prefix("{'a': '\\u12").is_none());
        assert!(parse_prefix("{é: 1}").is_none());
    }
}
