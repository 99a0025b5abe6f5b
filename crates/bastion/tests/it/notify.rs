//! Recall delivery on both backends: chat-bot webhooks (WeCom, DingTalk, Feishu) and the SMS
//! gateway through the queue, against a real local HTTP receiver that checks signatures and
//! rate limits; an unreachable webhook is retried and logged while the order goes on; a message
//! taken by a node that stopped is sent after its lease; a channel's spacing holds across nodes.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Query, State};
use axum::routing::post;
use axum::{Json, Router};
use bastion_store::recall::OrderId;
use bastion_testkit::{both_backends, eventually, spawn_app, Backend};
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::recall::{board, issue, unit_id};

/// What the local receiver saw.
#[derive(Default)]
struct Seen {
    /// (path, arrival, signature ok)
    hits: Vec<(String, Instant, bool)>,
    sms: Vec<(String, String)>,
    too_fast: usize,
}

#[derive(Clone)]
struct Receiver {
    seen: Arc<Mutex<Seen>>,
    interval: Duration,
}

const DING_SECRET: &str = "SECtestsecret0123456789";
const FEISHU_SECRET: &str = "testsecret0123456789";

/// Like the real bots: refuse a message that comes sooner than the bot's limit allows.
fn arrive(r: &Receiver, path: &str, sig_ok: bool) -> bool {
    let mut s = r.seen.lock().unwrap();
    let now = Instant::now();
    let last = s.hits.iter().rev().find(|h| h.0 == path).map(|h| h.1);
    if last.is_some_and(|l| now.duration_since(l) < r.interval) {
        s.too_fast += 1;
        return false;
    }
    s.hits.push((path.to_string(), now, sig_ok));
    true
}

async fn receiver() -> (String, Receiver) {
    let r = Receiver { seen: Arc::default(), interval: Duration::from_millis(300) };
    let app = Router::new()
        .route(
            "/dingtalk",
            post(|State(r): State<Receiver>, Query(q): Query<std::collections::HashMap<String, String>>| async move {
                let ts: i64 = q.get("timestamp").and_then(|v| v.parse().ok()).unwrap_or(0);
                let now = bastion_core::time::now_ms();
                // The bot compares the encoded form it computes with the query value it received (decoded).
                let want = bastion_app::notify::protocol::dingtalk_sign(DING_SECRET, ts)
                    .replace("%2B", "+")
                    .replace("%2F", "/")
                    .replace("%3D", "=");
                let ok = q.get("sign") == Some(&want) && (now - ts).abs() < 3_600_000;
                if !ok {
                    return Json(json!({"errcode": 310000, "errmsg": "sign not match"}));
                }
                if !arrive(&r, "dingtalk", ok) {
                    return Json(json!({"errcode": 130101, "errmsg": "send too fast"}));
                }
                Json(json!({"errcode": 0, "errmsg": "ok"}))
            }),
        )
        .route(
            "/feishu",
            post(|State(r): State<Receiver>, Json(b): Json<Value>| async move {
                let ts: i64 = b["timestamp"].as_str().and_then(|v| v.parse().ok()).unwrap_or(0);
                let ok = b["sign"].as_str() == Some(&bastion_app::notify::protocol::feishu_sign(FEISHU_SECRET, ts))
                    && (bastion_core::time::now_ms() / 1000 - ts).abs() < 3600
                    && b["content"]["text"].as_str().is_some_and(|t| t.contains("【演练】"));
                if !ok {
                    return Json(json!({"code": 19021, "msg": "sign match fail or timestamp is not within one hour"}));
                }
                if !arrive(&r, "feishu", ok) {
                    return Json(json!({"code": 9499, "msg": "too many request"}));
                }
                Json(json!({"code": 0, "msg": "success"}))
            }),
        )
        .route(
            "/wecom",
            post(
                |State(r): State<Receiver>,
                 Query(q): Query<std::collections::HashMap<String, String>>,
                 Json(b): Json<Value>| async move {
                    let ok = q.get("key").map(String::as_str) == Some("wecom-key") && b["msgtype"] == "text";
                    if !ok || !arrive(&r, "wecom", ok) {
                        return Json(json!({"errcode": 45009, "errmsg": "api freq out of limit"}));
                    }
                    Json(json!({"errcode": 0, "errmsg": "ok"}))
                },
            ),
        )
        .route(
            "/sms",
            post(|State(r): State<Receiver>, Json(b): Json<Value>| async move {
                let mut s = r.seen.lock().unwrap();
                s.sms.push((b["mobile"].as_str().unwrap_or("").into(), b["content"].as_str().unwrap_or("").into()));
                Json(json!({"result": "accepted"}))
            }),
        )
        .with_state(r.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (base, r)
}

/// Wait (bounded) until `cond` holds on what the receiver saw.
async fn until(r: &Receiver, what: &str, cond: impl Fn(&Seen) -> bool) {
    eventually(what, Duration::from_secs(30), || async { cond(&r.seen.lock().unwrap()).then_some(()) }).await
}

/// Messages of `order` waiting in the queue for channel `channel`.
async fn waiting(t: &bastion_testkit::TestApp, order: i64, channel: i64) -> i64 {
    use sqlx::Row;
    sqlx::query("SELECT COUNT(*) AS n FROM notify_outbox WHERE source = 'recall' AND source_id = $1 AND channel_id = $2 AND status = 'queued'")
        .bind(order)
        .bind(channel)
        .fetch_one(t.app.store.reader())
        .await
        .unwrap()
        .get("n")
}

/// A TCP listener that keeps the first bytes each connection sends, then hangs up: what a client
/// puts on the wire for an `https://` address.
async fn first_bytes_listener() -> (u16, Arc<Mutex<Vec<Vec<u8>>>>) {
    use tokio::io::AsyncReadExt;
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    let seen: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
    let keep = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = l.accept().await {
            let mut buf = vec![0u8; 512];
            if let Ok(Ok(n)) = tokio::time::timeout(Duration::from_secs(5), sock.read(&mut buf)).await {
                buf.truncate(n);
                keep.lock().unwrap().push(buf);
            }
        }
    });
    (port, seen)
}

async fn webhooks_and_sms_through_the_queue(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("commander").await;
    let (rb, rx) = receiver().await;
    let (tls_port, wire) = first_bytes_listener().await;
    let channels = [
        json!({"kind": "dingtalk", "name": "指挥部钉钉群", "url": format!("{rb}/dingtalk?access_token=tok"), "secret": DING_SECRET, "min_interval_ms": "300"}),
        json!({"kind": "feishu", "name": "指挥部飞书群", "url": format!("{rb}/feishu"), "secret": FEISHU_SECRET, "min_interval_ms": "300"}),
        json!({"kind": "wecom", "name": "指挥部企业微信群", "url": format!("{rb}/wecom?key=wecom-key"), "min_interval_ms": "300"}),
        json!({"kind": "sms", "name": "短信网关", "url": format!("{rb}/sms"), "link_base": t.base, "min_interval_ms": "0"}),
        json!({"kind": "wecom", "name": "失联的群", "url": "http://127.0.0.1:9/unreachable"}),
        json!({"kind": "wecom", "name": "外网企业微信群", "url": format!("https://127.0.0.1:{tls_port}/cgi-bin/webhook/send?key=k")}),
    ];
    for ch in &channels {
        let r = c.post(t.url("/api/notify/channels")).json(ch).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());
    }
    let r = c
        .post(t.url("/api/notify/channels"))
        .json(&json!({"kind": "pager", "name": "x", "url": "ftp://x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let listed: Value = c.get(t.url("/api/notify/channels")).send().await.unwrap().json().await.unwrap();
    assert!(!listed.to_string().contains("tok") && !listed.to_string().contains(DING_SECRET), "keys hidden: {listed}");

    let d13 = unit_id(&t, "D13").await;
    let (_, a) = issue(&c, &t, d13, json!({})).await;
    let (_, b) = issue(&c, &t, d13, json!({"title": "督察大队第二次召集"})).await;
    let id = a["id"].as_i64().unwrap();
    let audience = a["audience"].as_i64().unwrap();
    // Two digests per bot, spaced by the bot's limit; every signature right; nothing refused.
    until(&rx, "two digests per bot", |s| {
        ["dingtalk", "feishu", "wecom"].iter().all(|p| s.hits.iter().filter(|h| h.0 == *p).count() >= 2)
    })
    .await;
    let exempt = board(&c, &t.base, id).await["tally"]["exempt"].as_i64().unwrap();
    until(&rx, "one SMS per person not exempt", |s| s.sms.len() as i64 >= 2 * (audience - exempt)).await;
    {
        let s = rx.seen.lock().unwrap();
        assert_eq!(s.too_fast, 0, "the queue respects each bot's rate limit");
        assert!(s.hits.iter().all(|h| h.2));
        for p in ["dingtalk", "feishu", "wecom"] {
            let times: Vec<Instant> = s.hits.iter().filter(|h| h.0 == p).map(|h| h.1).collect();
            assert!(times.windows(2).all(|w| w[1].duration_since(w[0]) >= Duration::from_millis(300)));
        }
        assert!(s.sms.iter().all(|(m, text)| m.len() == 11 && text.contains("/r/") && text.contains("演练")));
    }
    // The SMS link works: follow the first one.
    let text = rx.seen.lock().unwrap().sms[0].1.clone();
    let url = text.split_whitespace().last().unwrap().rsplit("：").next().unwrap().to_string();
    let link_url = &url[url.find("http").unwrap()..];
    let r = t.client().post(link_url).form(&[("action", "ack")]).send().await.unwrap();
    assert!(r.text().await.unwrap().contains("已确认收到"));

    // The unreachable bot is retried and logged beside the bots that answered; the order goes on.
    // (The log is written after each answer, so it is polled until both show.)
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let b = board(&c, &t.base, id).await;
        let logged = |channel: &str, ok: bool| {
            b["deliveries"].as_array().unwrap().iter().any(|d| d["channel"] == channel && d["ok"] == ok)
        };
        if logged("失联的群", false) && logged("指挥部钉钉群", true) {
            assert_eq!(b["order"]["status"], "active");
            // No phone number in the delivery log or the audit trail.
            let log = b["deliveries"].to_string();
            let (audit, _) = t.app.store.audit_records(None, None, 1000, 0).await.unwrap();
            let audit: String = audit.iter().map(|r| format!("{} {} {}", r.target, r.detail, r.account)).collect();
            for (mobile, _) in rx.seen.lock().unwrap().sms.iter() {
                assert!(!log.contains(mobile.as_str()) && !audit.contains(mobile.as_str()), "a number leaked");
            }
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the unreachable bot's failure and the answered bot's delivery logged: {}",
            b["deliveries"]
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(b["status"], "active");
    // An https:// bot is spoken to in TLS (a ClientHello, never the message in clear); this
    // listener cannot finish the handshake, so the failure is logged and the order goes on.
    let deadline = Instant::now() + Duration::from_secs(20);
    while wire.lock().unwrap().is_empty() {
        assert!(Instant::now() < deadline, "nothing sent to the https:// bot");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for first in wire.lock().unwrap().iter() {
        assert!(first.starts_with(&[0x16, 0x03]), "not a TLS handshake: {:?}", String::from_utf8_lossy(first));
        assert!(!first.windows(4).any(|w| w == b"POST"), "sent in clear");
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    while !board(&c, &t.base, id).await["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["channel"] == "外网企业微信群" && d["ok"] == false)
    {
        assert!(Instant::now() < deadline, "the failed TLS handshake was not logged");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Reminders go to the unanswered only: one more SMS per person who has not answered.
    let before = rx.seen.lock().unwrap().sms.len();
    let r: Value = c.post(t.url(&format!("/api/recall/{id}/remind"))).send().await.unwrap().json().await.unwrap();
    let reminded = r["reminded"].as_i64().unwrap();
    assert_eq!(reminded, audience - exempt - 1, "the one who acknowledged is not reminded");
    let listed: Value = c.get(t.url("/api/notify/channels")).send().await.unwrap().json().await.unwrap();
    let sms_id = listed.as_array().unwrap().iter().find(|ch| ch["name"] == "短信网关").unwrap()["id"].as_i64().unwrap();
    until(&rx, "reminder SMS", |s| s.sms.len() >= before + reminded as usize).await;
    // Once the queue holds no SMS of this order, exactly one reminder per unanswered person went out.
    eventually("the SMS queue of the order drained", Duration::from_secs(30), || async {
        (waiting(&t, id, sms_id).await == 0).then_some(())
    })
    .await;
    assert_eq!(rx.seen.lock().unwrap().sms.len(), before + reminded as usize);

    // The desk switches the SMS gateway off on the channels page: a reminder then sends nothing
    // through it (messages already queued wait); switched on again, reminders go out.
    let switch =
        |on: &'static str| c.post(t.url(&format!("/notify/channels/{sms_id}/enabled"))).form(&[("enabled", on)]).send();
    let r = switch("0").await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/notify/channels", "back to the channels page");
    let page = c.get(t.url("/notify/channels")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("已停用") && page.contains(">启用<"), "the page shows it off, with the switch to turn it on");
    let r =
        c.post(t.url(&format!("/notify/channels/{sms_id}/enabled"))).form(&[("enabled", "yes")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("取值须为 1（启用）或 0（停用）"));
    let r = c.post(t.url("/notify/channels/999999/enabled")).form(&[("enabled", "0")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let before = rx.seen.lock().unwrap().sms.len();
    let r: Value = c.post(t.url(&format!("/api/recall/{id}/remind"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(r["reminded"].as_i64().unwrap(), reminded);
    // Nothing is queued for the switched-off gateway, and a full pass of the sender sends nothing.
    assert_eq!(waiting(&t, id, sms_id).await, 0, "no reminder queued on a channel switched off");
    t.app.send_due(bastion_core::time::now_ms()).await.unwrap();
    assert_eq!(rx.seen.lock().unwrap().sms.len(), before, "nothing goes out on a channel switched off");
    // The same reminder with the gateway switched on again is queued and delivered.
    assert_eq!(switch("1").await.unwrap().status(), StatusCode::SEE_OTHER);
    c.post(t.url(&format!("/api/recall/{id}/remind"))).send().await.unwrap();
    until(&rx, "reminders after switching on", |s| s.sms.len() >= before + reminded as usize).await;
    eventually("the SMS queue of the order drained", Duration::from_secs(30), || async {
        (waiting(&t, id, sms_id).await == 0).then_some(())
    })
    .await;
    assert_eq!(rx.seen.lock().unwrap().sms.len(), before + reminded as usize, "one reminder per unanswered person");
    let (audit, _) = t.app.store.audit_records(None, None, 1000, 0).await.unwrap();
    for action in ["停用通知渠道", "启用通知渠道"] {
        assert!(
            audit.iter().any(|a| a.action == action && a.target == format!("channel:{sms_id}")),
            "{action} audited"
        );
    }
}

/// A node that took a message for sending and stopped before recording the attempt does not
/// strand it: once the lease (`SEND_LEASE_MS`) has run out, the next poll sends it.
async fn a_message_taken_by_a_stopped_node_is_sent_after_its_lease(backend: Backend) {
    use sqlx::Row;
    let t = spawn_app(backend, true).await;
    let c = t.login("commander").await;
    let (rb, rx) = receiver().await;
    let ch = json!({"kind": "sms", "name": "短信网关", "url": format!("{rb}/sms"), "link_base": t.base, "min_interval_ms": "0"});
    let r = c.post(t.url("/api/notify/channels")).json(&ch).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let listed: Value = c.get(t.url("/api/notify/channels")).send().await.unwrap().json().await.unwrap();
    let sms = bastion_store::notify::ChannelId(listed[0]["id"].as_i64().unwrap());
    let off = c.post(t.url(&format!("/notify/channels/{}/enabled", sms.0))).form(&[("enabled", "0")]).send();
    assert_eq!(off.await.unwrap().status(), StatusCode::SEE_OTHER);
    // With the gateway off, the order's messages wait in the queue.
    let d13 = unit_id(&t, "D13").await;
    let (_, created) = issue(&c, &t, d13, json!({})).await;
    let id = OrderId(created["id"].as_i64().unwrap());
    let mut tx = t.app.store.begin().await.unwrap();
    let queued = t.app.store.queue_recall_sms(&mut tx, id, sms, false).await.unwrap();
    bastion_store::commit(tx).await.unwrap();
    assert!(queued >= 3, "{queued}");
    let first: i64 = sqlx::query("SELECT MIN(id) AS id FROM notify_outbox WHERE channel_id = $1")
        .bind(sms.0)
        .fetch_one(t.app.store.reader())
        .await
        .unwrap()
        .get("id");
    // A node takes the first message, then stops.
    let now = bastion_core::time::now_ms();
    assert!(t.app.store.claim_message(first, now).await.unwrap());
    assert!(!t.app.store.claim_message(first, now).await.unwrap(), "taken once only");
    let on = c.post(t.url(&format!("/notify/channels/{}/enabled", sms.0))).form(&[("enabled", "1")]).send();
    assert_eq!(on.await.unwrap().status(), StatusCode::SEE_OTHER);
    until(&rx, "the other messages", |s| s.sms.len() as i64 >= queued - 1).await;
    // A full pass of the sender within the lease leaves the taken one alone.
    t.app.send_due(bastion_core::time::now_ms()).await.unwrap();
    assert_eq!(rx.seen.lock().unwrap().sms.len() as i64, queued - 1, "the taken one waits for its lease");
    // The lease runs out: the next poll sends it.
    t.app.send_due(now + bastion_store::notify::SEND_LEASE_MS + 1).await.unwrap();
    until(&rx, "the stranded message", |s| s.sms.len() as i64 >= queued).await;
    let status: String = sqlx::query("SELECT status FROM notify_outbox WHERE id = $1")
        .bind(first)
        .fetch_one(t.app.store.reader())
        .await
        .unwrap()
        .get("status");
    assert_eq!(status, "sent");
}

/// Two nodes on one database share a channel's spacing: the bot never sees two messages closer
/// than its limit, though each node polls the queue on its own (each alone would keep the spacing
/// only between its own sends).
async fn a_channels_spacing_holds_across_nodes(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let other = t.spawn_node().await;
    let c = t.login("commander").await;
    let (rb, rx) = receiver().await;
    // The bot refuses anything within 300 ms of its last; the channel is set to 450 ms.
    let ch = json!({"kind": "wecom", "name": "指挥部企业微信群", "url": format!("{rb}/wecom?key=wecom-key"), "min_interval_ms": "450"});
    let r = c.post(t.url("/api/notify/channels")).json(&ch).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let mut tx = t.app.store.begin().await.unwrap();
    for i in 0..6 {
        let text = format!("【演练】第 {i} 条");
        let n = t.app.store.queue_to_groups(&mut tx, bastion_store::notify::Source::new("notify", None), &text).await;
        assert_eq!(n.unwrap(), 1);
    }
    bastion_store::commit(tx).await.unwrap();
    // Both nodes' delivery jobs run; each also sends on its own here, as fast as it may.
    let (a, b) = (t.app.clone(), other.app.clone());
    let pump = |app: bastion_app::App| async move {
        for _ in 0..80 {
            let _ = app.send_due(bastion_core::time::now_ms()).await;
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    };
    let (ja, jb) = (tokio::spawn(pump(a)), tokio::spawn(pump(b)));
    until(&rx, "six messages at the bot", |s| s.hits.len() >= 6).await;
    ja.abort();
    jb.abort();
    let s = rx.seen.lock().unwrap();
    assert_eq!(s.too_fast, 0, "no message came sooner than the bot allows");
    let gaps: Vec<u128> = s.hits.windows(2).map(|w| w[1].1.duration_since(w[0].1).as_millis()).collect();
    assert!(gaps.iter().all(|g| *g >= 400), "spacing between arrivals (ms): {gaps:?}");
    assert_eq!(s.hits.len(), 6, "each message once");
}

both_backends!(
    webhooks_and_sms_through_the_queue,
    a_message_taken_by_a_stopped_node_is_sent_after_its_lease,
    a_channels_spacing_holds_across_nodes
);
