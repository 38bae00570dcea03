//! A refusal's words, not its status alone, name what was refused (`src/classify/deny.rs`),
//! for the probe as for `explain`: real servers on 127.0.0.1 answering as documented.

use crate::common;

use axum::response::IntoResponse;
use common::{check, probe, serve_reply};
use serde_json::json;
use zencheck::failure::Kind;

async fn probe_refused(
    status: axum::http::StatusCode,
    body: serde_json::Value,
) -> zencheck::report::Report {
    let base = serve_reply(move |_, _| (status, axum::Json(body.clone())).into_response()).await;
    probe(&[
        "--base-url",
        &base,
        "--model",
        "gpt-4o",
        "--checks",
        "models.list,chat.basic",
        "--timeout",
        "3",
    ])
    .await
}

#[tokio::test]
async fn a_403_that_says_not_authenticated_is_the_credential() {
    // FastAPI's HTTPBearer answered a request without a token so before 0.116: every route.
    let r = probe_refused(
        axum::http::StatusCode::FORBIDDEN,
        json!({"detail": "Not authenticated"}),
    )
    .await;
    let basic = check(&r, "chat.basic");
    assert_eq!(basic.kind, Some(Kind::Auth), "{}", r.to_json());
}

#[tokio::test]
async fn a_403_from_a_security_layer_is_a_block_not_the_key() {
    // A security middleware's decision (Arcjet's documented "Access denied by security policy").
    let r = probe_refused(
        axum::http::StatusCode::FORBIDDEN,
        json!({"message": "Access denied by security policy."}),
    )
    .await;
    let basic = check(&r, "chat.basic");
    assert_eq!(basic.kind, Some(Kind::Blocked), "{}", r.to_json());
}
