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

fn page() -> String {
    let surnames = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"];
    let items: Vec<serde_json::Value> = (0..10)
        .map(|i| {
            serde_json::json!({
                "id": format!("0190a0b2-7c3d-7e11-9a0b-00000000000{i}"),
                "police_no": format!("B{:06}", 1000 + i),
                "name": format!("{}建{}", surnames[i], ["国", "华", "军", "明", "强"][i % 5]),
                "category": if i % 3 == 0 { "辅警" } else { "民警" },
                "gender": if i % 2 == 0 { "男" } else { "女" },
                "birth_date": "1988-04-12",
                "hire_date": "2012-07-01",
                "id_number": "5199**********123X",
                "phone": "139****5678",
                "unit_id": "0190a0b2-7c3d-7e11-9a0b-0000000000d7",
                "unit_name": "第七派出所",
                "position": "科员",
                "political_status": "中共党员",
                "duty_status": "在岗",
                "police_type": "治安",
                "skills": "驾驶",
                "version": 1
            })
        })
        .collect();
    serde_json::json!({ "items": items, "total": 100000, "page": 1, "size": 10 }).to_string()
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
