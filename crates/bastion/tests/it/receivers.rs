//! Real receivers the tests send to over HTTP on a local port, keeping what they are sent: a chat-bot
//! group's webhook (WeCom's protocol) and an SMS gateway.

use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

/// A chat-bot group's webhook (WeCom's protocol, at `/wecom`): its base URL and every text sent.
pub(super) async fn group_bot() -> (String, Arc<Mutex<Vec<String>>>) {
    use axum::extract::State;
    type Got = Arc<Mutex<Vec<String>>>;
    let got: Got = Default::default();
    let app = axum::Router::new()
        .route(
            "/wecom",
            axum::routing::post(|State(g): State<Got>, axum::Json(b): axum::Json<Value>| async move {
                g.lock().unwrap().push(b["text"]["content"].as_str().unwrap_or("").into());
                axum::Json(json!({"errcode": 0, "errmsg": "ok"}))
            }),
        )
        .with_state(got.clone());
    (serve(app).await, got)
}

/// An SMS gateway (at `/sms`): its base URL and every (mobile, text) sent.
pub(super) async fn sms_gateway() -> (String, Arc<Mutex<Vec<(String, String)>>>) {
    use axum::extract::State;
    type Got = Arc<Mutex<Vec<(String, String)>>>;
    let got: Got = Default::default();
    let app = axum::Router::new()
        .route(
            "/sms",
            axum::routing::post(|State(g): State<Got>, axum::Json(b): axum::Json<Value>| async move {
                g.lock()
                    .unwrap()
                    .push((b["mobile"].as_str().unwrap_or("").into(), b["content"].as_str().unwrap_or("").into()));
                axum::Json(json!({"result": "accepted"}))
            }),
        )
        .with_state(got.clone());
    (serve(app).await, got)
}

/// Serve `app` on a free loopback port; its base URL.
async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    base
}
