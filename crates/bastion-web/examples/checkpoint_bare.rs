//! Bare-stack limit for the checkpoint registration benchmark (`bench/checkpoint/run.sh`): a plain
//! axum 0.8 server with one route, `POST /registrations`, that parses the same JSON body a phone
//! sends and answers `{"id", "created": true}` — no session, no validation, no database.
//!
//! Usage: `checkpoint_bare 127.0.0.1:18291`

use axum::{routing::post, Json, Router};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:18291".to_owned());
    let app = Router::new().route(
        "/registrations",
        post(|Json(v): Json<serde_json::Value>| async move {
            (
                axum::http::StatusCode::CREATED,
                Json(serde_json::json!({"id": v.get("id").cloned().unwrap_or_default(), "created": true, "fever_case": null})),
            )
        }),
    );
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on http://{addr}");
    axum::serve(listener, app).await?;
    Ok(())
}
