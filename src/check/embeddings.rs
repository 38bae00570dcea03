//! `embeddings.basic` on `/embeddings`: two inputs in one request, `encoding_format: float`.
//! The answer must hold one vector of finite floats per input, both of the same length,
//! and `usage`. A malformed answer (no `data`, a vector of something else than numbers,
//! ragged dimensions, a vector missing) is `bad_response` with what was wrong, naming the
//! shapes real servers send: Ollama's native `embeddings`, TEI's bare arrays, nested
//! per-token arrays, a model's NaN written as `null` or as a bare `NaN`; base64
//! strings although floats were asked are `param_ignored` on `encoding_format` (clients
//! that asked for floats then hold a string). A server without the route is classified
//! like any other route it lacks.

use crate::fit::excerpt;
use super::spec::{cost, Judge, Spec, Stage};
use super::answer::answer_json;
use crate::failure::{CheckHint, Kind};
use crate::http::{Answer, Auth, Request};
use crate::finding::{Finding, Problems};
use crate::route::Route;
use base64::Engine;
use serde_json::{json, Value};

/// Two different inputs: one vector each, in order, of one length.
pub const INPUTS: [&str; 2] = [
    "zencheck probes OpenAI-compatible endpoints.",
    "The weather in Paris is mild.",
];

pub const SPEC: Spec = Spec {
    stage: Stage::Basic,
    proves: "two inputs: a vector of finite floats each, one length, usage",
    hint: Some(CheckHint::Embeddings),
    ..Spec::main(
        "embeddings.basic",
        Route::Embeddings,
        |m, _| vec![request(m)],
        Judge::Json(judge),
        // An embedding generates no output tokens.
        cost(1, 0),
    )
};

pub fn request(model: &str) -> Request {
    let body = json!({"model": model, "input": INPUTS, "encoding_format": "float"});
    Request::post(Route::Embeddings.path(), body, Auth::Bearer)
}

/// One `data[]` item's vector, as floats; `Err` says why it is not one.
enum Vector {
    Floats(Vec<f64>),
    /// A base64 string of little-endian f32s, decoded.
    Base64(usize),
}

fn vector(item: &Value) -> Result<Vector, String> {
    if item.is_array() {
        return Err("is a bare array, not an object with `embedding` (clients read data[i].embedding)".into());
    }
    match item.get("embedding") {
        None => Err("has no `embedding`".into()),
        Some(Value::Array(xs)) if xs.is_empty() => Err("is an empty vector".into()),
        Some(Value::Array(xs)) if xs[0].is_array() => Err(format!(
            "is a nested array ({} arrays, a vector per token or per input?), not one flat vector of floats",
            xs.len()
        )),
        Some(Value::Array(xs)) => {
            let mut out = Vec::with_capacity(xs.len());
            for (i, x) in xs.iter().enumerate() {
                match x {
                    Value::Number(n) => out.push(n.as_f64().unwrap_or(f64::NAN)),
                    // JSON has no NaN: servers that meet one write null.
                    Value::Null => {
                        return Err(format!(
                            "holds null at position {i}: a NaN or infinity the server wrote as null (the model produced non-finite values)"
                        ))
                    }
                    _ => {
                        return Err(format!(
                            "holds {} at position {i}, not a number",
                            excerpt(&x.to_string(), 24)
                        ))
                    }
                }
            }
            Ok(Vector::Floats(out))
        }
        Some(Value::String(s)) => match base64::engine::general_purpose::STANDARD.decode(s) {
            Ok(bytes) if !bytes.is_empty() && bytes.len() % 4 == 0 => {
                Ok(Vector::Base64(bytes.len() / 4))
            }
            _ => Err(format!(
                "is the string \"{}\", neither floats nor base64 floats",
                excerpt(s, 24)
            )),
        },
        Some(other) => Err(format!(
            "is {}, not a vector",
            excerpt(&other.to_string(), 24)
        )),
    }
}

/// A body that is not JSON because it holds `NaN` or `Infinity` (Python's `json.dumps`
/// writes them): say so, since "not JSON" alone points at the wrong layer.
fn non_finite(a: &Answer) -> Option<Finding> {
    let text = String::from_utf8_lossy(&a.body);
    let found = ["NaN", "-Infinity", "Infinity"]
        .into_iter()
        .find(|w| text.contains(&format!(",{w}")) || text.contains(&format!("[{w}")) || text.contains(&format!(", {w}")))?;
    serde_json::from_str::<Value>(&text).is_err().then(|| {
        Finding::fail(
            Kind::BadResponse,
            format!(
                "the body holds {found} in a vector, which is not JSON: the model produced non-finite values and the server wrote them as is; clients fail to parse the whole answer"
            ),
        )
        .with_evidence(a.evidence())
        .with_timing(a.timing)
    })
}

/// Judge a 2xx `/embeddings` answer.
pub fn judge(a: &Answer, asked: &str) -> Finding {
    let v = match answer_json(a) {
        Ok(v) => v,
        Err(f) => return non_finite(a).unwrap_or(f),
    };
    let done = |p: Problems, summary: String| {
        p.into_finding(summary)
            .with_evidence(a.evidence())
            .with_timing(a.timing)
    };
    let mut p = Problems::default();
    let Some(data) = v.get("data").and_then(Value::as_array) else {
        let why = if v.get("embeddings").is_some() {
            "no data[] in the answer, but `embeddings`: Ollama's native /api/embed shape, not OpenAI's"
        } else if v.is_array() {
            "the answer is a bare array, not {\"data\": [...]}: a native /embed shape (TEI), not OpenAI's"
        } else {
            "no data[] in the answer: not the embeddings shape"
        };
        p.fail(Kind::BadResponse, why);
        return done(p, String::new());
    };
    if data.len() != INPUTS.len() {
        p.fail(
            Kind::BadResponse,
            format!(
                "{} inputs sent, {} vector{} came back: a client cannot pair them",
                INPUTS.len(),
                data.len(),
                if data.len() == 1 { "" } else { "s" }
            ),
        );
    }
    let mut dims = Vec::new();
    let mut floats = Vec::new();
    let mut base64 = false;
    for (i, item) in data.iter().enumerate() {
        match vector(item) {
            Ok(Vector::Floats(xs)) => {
                dims.push(xs.len());
                floats.push(xs);
            }
            Ok(Vector::Base64(n)) => {
                dims.push(n);
                base64 = true;
            }
            Err(why) => p.fail(Kind::BadResponse, format!("data[{i}].embedding {why}")),
        }
        if let Some(idx) = item.get("index").and_then(Value::as_u64) {
            if idx != i as u64 {
                p.warn(
                    Kind::BadResponse,
                    format!("data[{i}] says index {idx}: the vectors are out of order"),
                );
            }
        }
    }
    if base64 {
        p.fail_param(
            Kind::ParamIgnored,
            "encoding_format",
            "encoding_format \"float\" asked, base64 strings came back: a client expecting floats holds a string",
        );
    }
    if dims.windows(2).any(|w| w[0] != w[1]) {
        let shown: Vec<String> = dims.iter().map(usize::to_string).collect();
        p.fail(
            Kind::BadResponse,
            format!(
                "ragged dimensions: vectors of {} floats for inputs of one model",
                shown.join(" and ")
            ),
        );
    } else if let Some(i) = floats.iter().position(|xs| xs.iter().all(|x| *x == 0.0)) {
        p.warn(
            Kind::BadResponse,
            format!("data[{i}].embedding is all zeros: a placeholder, not an embedding of the input"),
        );
    } else if floats.len() == 2 && floats[0] == floats[1] {
        p.warn(
            Kind::BadResponse,
            "two different inputs got the same vector: the server does not embed what it is sent",
        );
    }
    if let Some(got) = v.get("model").and_then(Value::as_str) {
        super::model_swap::judge(asked, got, &mut p);
    }
    let tokens = match v.pointer("/usage/prompt_tokens").and_then(Value::as_u64) {
        Some(0) => {
            p.warn(
                Kind::BadResponse,
                "usage.prompt_tokens is 0 for two inputs: token counts and costs will read zero",
            );
            String::new()
        }
        Some(n) => format!(" · {n} input tokens"),
        None => {
            p.warn(
                Kind::BadResponse,
                "no usage.prompt_tokens in the answer: token counts will read zero",
            );
            String::new()
        }
    };
    let dim = dims.first().map_or("no".to_string(), usize::to_string);
    done(
        p,
        format!("{} vectors of {dim} floats{tokens}", data.len()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Status, Timing};

    fn answer(v: Value) -> Answer {
        Answer {
            status: 200,
            content_type: Some("application/json".into()),
            request_id: None,
            retry_after_secs: None,
            body: v.to_string().into_bytes(),
            timing: Timing::default(),
            waited_secs: None,
            sent_cap: None,
            path: None,
        }
    }

    fn item(i: usize, e: Value) -> Value {
        json!({"object": "embedding", "index": i, "embedding": e})
    }

    fn body(data: Vec<Value>) -> Value {
        json!({"object": "list", "model": "text-embedding-3-small", "data": data, "usage": {"prompt_tokens": 12, "total_tokens": 12}})
    }

    fn outcome(v: Value) -> (Status, Option<Kind>, Option<String>, String) {
        let f = judge(&answer(v), "text-embedding-3-small");
        (f.status, f.kind, f.param, f.detail)
    }

    #[test]
    fn two_vectors_of_one_length_pass() {
        let (s, k, _, d) = outcome(body(vec![
            item(0, json!([0.1, -0.2, 0.3])),
            item(1, json!([0.3, 0.2, 0.1])),
        ]));
        assert_eq!((s, k), (Status::Pass, None), "{d}");
        assert!(d.contains("2 vectors of 3 floats") && d.contains("12 input tokens"));
    }

    #[test]
    fn malformed_answers_are_bad_responses_saying_what() {
        for (v, says) in [
            (json!({"object": "list"}), "no data[]"),
            (body(vec![item(0, json!([0.1, 0.2]))]), "2 inputs sent, 1 vector came"),
            (
                body(vec![item(0, json!(["0.1", "0.2"])), item(1, json!([0.1, 0.2]))]),
                "not a number",
            ),
            (
                body(vec![item(0, json!([0.1, 0.2, 0.3])), item(1, json!([0.1, 0.2]))]),
                "ragged dimensions: vectors of 3 and 2",
            ),
            (body(vec![item(0, json!([])), item(1, json!([0.1]))]), "empty"),
            (body(vec![json!({"index": 0}), item(1, json!([0.1]))]), "no `embedding`"),
        ] {
            let (s, k, _, d) = outcome(v);
            assert_eq!((s, k), (Status::Fail, Some(Kind::BadResponse)), "{d}");
            assert!(d.contains(says), "{says}: {d}");
        }
    }

    #[test]
    fn base64_when_floats_were_asked_is_an_ignored_encoding_format() {
        let b64 = |xs: &[f32]| {
            let bytes: Vec<u8> = xs.iter().flat_map(|x| x.to_le_bytes()).collect();
            json!(base64::engine::general_purpose::STANDARD.encode(bytes))
        };
        let (s, k, p, d) = outcome(body(vec![
            item(0, b64(&[0.1, 0.2])),
            item(1, b64(&[0.3, 0.4])),
        ]));
        assert_eq!(
            (s, k, p.as_deref()),
            (Status::Fail, Some(Kind::ParamIgnored), Some("encoding_format")),
            "{d}"
        );
        let (_, k, _, d) = outcome(body(vec![item(0, json!("not base64!")), item(1, json!([0.1]))]));
        assert_eq!(k, Some(Kind::BadResponse), "{d}");
    }

    #[test]
    fn the_same_vector_twice_and_no_usage_warn() {
        let mut v = body(vec![item(0, json!([0.5, 0.5])), item(1, json!([0.5, 0.5]))]);
        let (s, k, _, d) = outcome(v.clone());
        assert_eq!((s, k), (Status::Warn, Some(Kind::BadResponse)), "{d}");
        assert!(d.contains("same vector"), "{d}");
        v["data"][1]["embedding"] = json!([0.1, 0.2]);
        v.as_object_mut().unwrap().remove("usage");
        let (s, _, _, d) = outcome(v);
        assert_eq!(s, Status::Warn);
        assert!(d.contains("usage"), "{d}");
    }

    #[test]
    fn the_request_asks_for_floats_for_two_inputs() {
        let r = request("m");
        assert_eq!(r.path, "/embeddings");
        let b = r.body.unwrap();
        assert_eq!(b["encoding_format"], "float");
        assert_eq!(b["input"].as_array().unwrap().len(), 2);
    }
}
