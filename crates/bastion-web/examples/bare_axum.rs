//! Bare-stack limit for the people-list benchmark (`bench/foundation/run.sh`).
//!
//! A plain axum 0.8 server on the tokio multi-thread runtime with one route,
//! `GET /people`, that returns a fixed JSON page of 10 people, roughly the size
//! of one `/api/people?size=10` page. No database, sessions, templates or
//! middleware: what wrk measures here is the ceiling of hyper + axum + tokio on
//! this machine, to put the real `/api/people` figure in proportion.
//!
//! Usage: `bare_axum 127.0.0.1:18090`

use axum::{http::header, response::IntoResponse, routing::get, Router};

/// Ten people in the shape of `bastion_store::org::Person` as `/api/people` serialises it.
fn page() -> String {
    let surnames = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"];
    let items: Vec<serde_json::Value> = (0..10)
        .map(|i| {
            serde_json::json!({
                "id": 1_000 + i,
                "police_no": format!("B{:06}", 1_000 + i),
                "name": format!("{}建{}", surnames[i], ["国", "华", "军", "明", "强"][i % 5]),
                "category": if i % 3 == 0 { "auxiliary" } else { "police" },
                "sex": if i % 4 == 0 { "female" } else { "male" },
                "birth_date": "1988-04-12",
                "hire_date": "2012-07-01",
                "id_number_masked": "519***********123X",
                "mobile_masked": "139****5678",
                "unit_id": 12,
                "unit_name": "交警一中队",
                "unit_path": "0001.0010.0001.",
                "position": "科员",
                "political_status": "member",
                "duty_status": "on_duty",
                "police_types": ["traffic"],
                "skills": ["驾驶", "急救"],
                "enabled": true,
                "updated_at": 1_764_300_000_000_i64
            })
        })
        .collect();
    serde_json::json!({ "items": items, "total": 100_956, "page": 1, "size": 10 }).to_string()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:18090".to_owned());
    let body: &'static str = Box::leak(page().into_boxed_str());
    let app = Router::new().route(
        "/people",
        get(move || async move { ([(header::CONTENT_TYPE, "application/json")], body).into_response() }),
    );
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on http://{addr} ({} bytes per page)", body.len());
    axum::serve(listener, app).await?;
    Ok(())
}
