//! Compressed answers. The engine asks for `gzip, deflate` as real clients do (httpx under
//! openai-python sends `Accept-Encoding: gzip, deflate`; undici's fetch under openai-node the
//! same), and decodes what comes back itself, so that the answer's `Content-Encoding` stays
//! in its headers as evidence. The decoded size is bounded as the raw one is: a decoder
//! gives at most `cap + 1` bytes, so a gzip bomb meets the body's or the stream's cap after
//! a bounded amount of work, and the reader names it too large.

use bytes::Bytes;
use std::io::Write;

/// What the engine asks for, on every request (a `-H Accept-Encoding` of the user's wins).
pub const ACCEPT_ENCODING: &str = "gzip, deflate";

/// Input is fed to the inflater this many bytes at a time: deflate expands at most about
/// 1032:1, so one slice gives at most about 1 MiB before the cap is checked again.
const SLICE: usize = 1024;

/// A body whose `Content-Encoding` zencheck cannot read (or that is not what it says).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(pub String);

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DecodeError {}

enum Inflater {
    Gzip(flate2::write::MultiGzDecoder<Vec<u8>>),
    Zlib(flate2::write::ZlibDecoder<Vec<u8>>),
    Raw(flate2::write::DeflateDecoder<Vec<u8>>),
    /// `deflate` before its first bytes tell zlib from raw deflate.
    Deflate,
}

/// One answer's decoder.
pub struct Decoder {
    /// The coding as the answer named it (`gzip`).
    pub coding: String,
    inflater: Inflater,
    cap: usize,
    total: usize,
    /// Past the cap: the rest of the input is not inflated.
    full: bool,
}

impl Decoder {
    /// The decoder a `Content-Encoding` value asks for: `None` for none (absent, empty,
    /// `identity`), an error naming a coding zencheck does not read (`br`, `zstd`, two
    /// codings stacked).
    pub fn for_header(value: Option<&str>, cap: usize) -> Result<Option<Decoder>, DecodeError> {
        let Some(v) = value.map(|v| v.trim().to_ascii_lowercase()) else {
            return Ok(None);
        };
        let inflater = match v.as_str() {
            "" | "identity" => return Ok(None),
            "gzip" | "x-gzip" => Inflater::Gzip(flate2::write::MultiGzDecoder::new(Vec::new())),
            "deflate" => Inflater::Deflate,
            other => {
                return Err(DecodeError(format!(
                    "the answer is encoded as `{}` (Content-Encoding), which zencheck cannot decode: it asks for {ACCEPT_ENCODING}, as openai-python and openai-node do",
                    crate::redact::strip_controls(&crate::classify::one_line(other))
                )))
            }
        };
        Ok(Some(Decoder {
            coding: v,
            inflater,
            cap,
            total: 0,
            full: false,
        }))
    }

    /// The decoded bytes of the next piece of the body; never more than `cap + 1` in all.
    pub fn feed(&mut self, input: &[u8]) -> Result<Bytes, DecodeError> {
        let mut out = Vec::new();
        for piece in input.chunks(SLICE) {
            if self.full {
                break;
            }
            if let Inflater::Deflate = self.inflater {
                // RFC 9110's deflate is zlib; some servers send raw deflate. A zlib header is
                // method 8 and a multiple of 31.
                let zlib = input.len() >= 2
                    && input[0] & 0x0f == 8
                    && (u16::from(input[0]) << 8 | u16::from(input[1])) % 31 == 0;
                self.inflater = if zlib {
                    Inflater::Zlib(flate2::write::ZlibDecoder::new(Vec::new()))
                } else {
                    Inflater::Raw(flate2::write::DeflateDecoder::new(Vec::new()))
                };
            }
            let (written, produced) = match &mut self.inflater {
                Inflater::Gzip(d) => (d.write_all(piece), d.get_mut()),
                Inflater::Zlib(d) => (d.write_all(piece), d.get_mut()),
                Inflater::Raw(d) => (d.write_all(piece), d.get_mut()),
                Inflater::Deflate => unreachable!("chosen above"),
            };
            let room = (self.cap + 1).saturating_sub(self.total);
            let take = produced.len().min(room);
            out.extend_from_slice(&produced[..take]);
            produced.clear();
            self.total += take;
            if self.total > self.cap {
                self.full = true;
            }
            if let Err(e) = written {
                return Err(self.not_what_it_says(&e));
            }
        }
        Ok(Bytes::from(out))
    }

    /// The end of the body: the last decoded bytes, or an error when the compressed stream
    /// was not whole.
    pub fn finish(&mut self) -> Result<Bytes, DecodeError> {
        if self.full {
            return Ok(Bytes::new());
        }
        let (done, produced) = match &mut self.inflater {
            Inflater::Gzip(d) => (d.try_finish(), d.get_mut()),
            Inflater::Zlib(d) => (d.try_finish(), d.get_mut()),
            Inflater::Raw(d) => (d.try_finish(), d.get_mut()),
            Inflater::Deflate => return Ok(Bytes::new()),
        };
        let room = (self.cap + 1).saturating_sub(self.total);
        let take = produced.len().min(room);
        let out = Bytes::copy_from_slice(&produced[..take]);
        produced.clear();
        self.total += take;
        match done {
            Ok(()) => Ok(out),
            Err(e) => Err(self.not_what_it_says(&e)),
        }
    }

    fn not_what_it_says(&self, e: &std::io::Error) -> DecodeError {
        DecodeError(format!(
            "the answer says Content-Encoding: {}, but its body is not {} ({}): a client cannot read it",
            self.coding,
            self.coding,
            crate::classify::one_line(&e.to_string())
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::{DeflateEncoder, GzEncoder, ZlibEncoder};
    use flate2::Compression;

    fn gzip(b: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(b).unwrap();
        e.finish().unwrap()
    }

    fn decode(coding: &str, body: &[u8], cap: usize) -> Result<Vec<u8>, DecodeError> {
        let mut d = Decoder::for_header(Some(coding), cap)?.unwrap();
        let mut out = Vec::new();
        for c in body.chunks(7) {
            out.extend_from_slice(&d.feed(c)?);
        }
        out.extend_from_slice(&d.finish()?);
        Ok(out)
    }

    #[test]
    fn gzip_zlib_and_raw_deflate_are_read_back_whole() {
        let text = b"{\"choices\":[{\"message\":{\"content\":\"hello\"}}]}".repeat(50);
        assert_eq!(decode("gzip", &gzip(&text), 1 << 20).unwrap(), text);
        let mut z = ZlibEncoder::new(Vec::new(), Compression::default());
        z.write_all(&text).unwrap();
        assert_eq!(
            decode("deflate", &z.finish().unwrap(), 1 << 20).unwrap(),
            text
        );
        let mut r = DeflateEncoder::new(Vec::new(), Compression::default());
        r.write_all(&text).unwrap();
        assert_eq!(
            decode("deflate", &r.finish().unwrap(), 1 << 20).unwrap(),
            text
        );
    }

    #[test]
    fn no_coding_needs_no_decoder_and_an_unknown_one_is_named() {
        assert!(Decoder::for_header(None, 10).unwrap().is_none());
        assert!(Decoder::for_header(Some("identity"), 10).unwrap().is_none());
        let e = Decoder::for_header(Some("br"), 10).err().unwrap();
        assert!(e.0.contains("`br`"), "{e}");
    }

    #[test]
    fn a_body_that_is_not_what_its_label_says_is_an_error() {
        let e = decode("gzip", b"{\"choices\": []}", 1 << 20).unwrap_err();
        assert!(
            e.0.contains("Content-Encoding: gzip, but its body is not gzip"),
            "{e}"
        );
        // A gzip stream cut before its end.
        let whole = gzip(&b"x".repeat(10_000));
        assert!(decode("gzip", &whole[..whole.len() - 6], 1 << 20).is_err());
    }

    #[test]
    fn a_gzip_bomb_gives_at_most_the_cap_and_one_byte() {
        // 64 MiB of zeros in about 64 KiB.
        let mut e = GzEncoder::new(Vec::new(), Compression::best());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..64 {
            e.write_all(&zeros).unwrap();
        }
        let bomb = e.finish().unwrap();
        assert!(bomb.len() < 100_000, "{}", bomb.len());
        let mut d = Decoder::for_header(Some("gzip"), 4096).unwrap().unwrap();
        let out = d.feed(&bomb).unwrap();
        assert_eq!(out.len(), 4097);
        assert!(d.feed(&bomb).unwrap().is_empty());
        assert!(d.finish().unwrap().is_empty());
    }
}
