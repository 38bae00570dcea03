//! `embeddings.base64` (opt-in): the same input with `encoding_format: "float"` and with
//! `"base64"` (what openai-python and openai-node ask for by default, and decode). Honoured:
//! a string that decodes (little-endian float32) to the float call's vector. Ignored: floats
//! returned. Rejected: the parameter refused. Decoding to another vector is a failure.

use super::answer::{answer_error, answer_json, send_json};
use super::ask::TokenCap;
use super::embeddings::INPUTS;
use super::spec::{cost, Judge, Spec};
use super::Ctx;
use crate::failure::{CheckHint, Kind};
use crate::finding::{Finding, Status};
use crate::http::{Auth, Request};
use crate::route::Route;
use base64::Engine;
use serde_json::{json, Value};

pub const SPEC: Spec = Spec {
    proves: "encoding_format base64 decodes to the vector the float call returns",
    default: false,
    rejection_warns: true,
    hint: Some(CheckHint::Embeddings),
    ..Spec::main(
        "embeddings.base64",
        Route::Embeddings,
        |m, _| vec![request(m, "float"), request(m, "base64")],
        Judge::Run(|cx, m, c| Box::pin(run(cx, m, c))),
        cost(2, 0),
    )
};

pub fn request(model: &str, format: &str) -> Request {
    let body = json!({"model": model, "input": INPUTS[0], "encoding_format": format});
    Request::post(Route::Embeddings.path(), body, Auth::Bearer)
}

/// The first vector of an answer: floats, a base64 string, or neither.
fn first(v: &Value) -> Option<&Value> {
    v.pointer("/data/0/embedding")
}

async fn run(cx: &Ctx<'_>, model: &str, _: TokenCap) -> Finding {
    let req = request(model, "float");
    let mut floats = Vec::new();
    let f = send_json(cx, &req, |a| match answer_json(a) {
        Err(f) => f,
        Ok(v) => match first(&v).and_then(Value::as_array) {
            Some(xs) => {
                floats = xs.iter().filter_map(Value::as_f64).collect();
                Finding::pass("")
            }
            None => Finding::fail(Kind::BadResponse, "the float call has no data[0].embedding array: see embeddings.basic"),
        },
    })
    .await;
    if f.status != Status::Pass {
        return f;
    }
    let req = request(model, "base64");
    let a = match cx.http.call(cx.target, &req).await {
        Err(f) => return f,
        Ok(a) => a,
    };
    if !a.is_success() {
        let mut f = answer_error(&a, &req.sent_params());
        if f.kind == Some(Kind::ParamRejected) || (400..500).contains(&a.status) && f.kind == Some(Kind::BadRequest) {
            f.kind = Some(Kind::ParamRejected);
            f.param = Some("encoding_format".into());
            f.status = Status::Warn;
            f.detail = format!("encoding_format \"base64\" refused: {}", f.detail);
        }
        return f;
    }
    let v = match answer_json(&a) {
        Ok(v) => v,
        Err(f) => return f,
    };
    judge(first(&v), &floats)
        .with_evidence(a.evidence())
        .with_timing(a.timing)
}

/// The base64 answer's first vector against the float call's.
pub fn judge(got: Option<&Value>, floats: &[f64]) -> Finding {
    let s = match got {
        Some(Value::Array(_)) => {
            let mut f = Finding::warn(
                Kind::ParamIgnored,
                "encoding_format \"base64\" asked, floats came back: clients that decode base64 (openai-python and openai-node ask for it by default) must accept floats too",
            );
            f.param = Some("encoding_format".into());
            return f;
        }
        Some(Value::String(s)) => s,
        _ => return Finding::fail(Kind::BadResponse, "the base64 answer has no data[0].embedding"),
    };
    let bytes = match base64::engine::general_purpose::STANDARD.decode(s) {
        Ok(b) if b.len() % 4 == 0 => b,
        _ => {
            return Finding::fail(
                Kind::BadResponse,
                format!("data[0].embedding is not base64 of float32s (\"{}\")", crate::fit::excerpt(s, 24)),
            )
            .with_param("encoding_format")
        }
    };
    let decoded: Vec<f64> = bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]) as f64)
        .collect();
    if decoded.len() != floats.len() {
        return Finding::fail(
            Kind::BadResponse,
            format!(
                "base64 decodes to {} little-endian float32s, the float call returned {} values: clients decode it wrong",
                decoded.len(),
                floats.len()
            ),
        )
        .with_param("encoding_format");
    }
    let worst = decoded
        .iter()
        .zip(floats)
        .map(|(a, b)| (a - b).abs() / b.abs().max(1e-3))
        .fold(0.0, f64::max);
    if worst > 1e-3 {
        return Finding::fail(
            Kind::BadResponse,
            format!(
                "base64 decodes (little-endian float32) to another vector than the float call's (largest relative difference {worst:.3}): clients decode it wrong"
            ),
        )
        .with_param("encoding_format");
    }
    Finding::pass(format!(
        "base64 decodes to the float call's vector ({} dimensions)",
        decoded.len()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(xs: &[f32]) -> Value {
        let bytes: Vec<u8> = xs.iter().flat_map(|x| x.to_le_bytes()).collect();
        json!(base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    #[test]
    fn honoured_ignored_and_wrongly_encoded() {
        let floats = [0.25, -0.5, 0.125];
        assert_eq!(judge(Some(&b64(&[0.25, -0.5, 0.125])), &floats).status, Status::Pass);
        let f = judge(Some(&json!([0.25, -0.5, 0.125])), &floats);
        assert_eq!((f.status, f.kind), (Status::Warn, Some(Kind::ParamIgnored)));
        // Big-endian, or float64: another vector.
        let be: Vec<u8> = [0.25f32, -0.5, 0.125].iter().flat_map(|x| x.to_be_bytes()).collect();
        let f = judge(Some(&json!(base64::engine::general_purpose::STANDARD.encode(be))), &floats);
        assert_eq!(f.kind, Some(Kind::BadResponse));
        let f64s: Vec<u8> = [0.25f64, -0.5, 0.125].iter().flat_map(|x| x.to_le_bytes()).collect();
        let f = judge(Some(&json!(base64::engine::general_purpose::STANDARD.encode(f64s))), &floats);
        assert_eq!(f.kind, Some(Kind::BadResponse), "{}", f.detail);
    }
}
