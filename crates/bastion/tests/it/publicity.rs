//! Publicity: the public news site, exact view counts across nodes and restarts, the editorial
//! workflow, sanitising, picture uploads, outside reads and honours. Every test runs on SQLite
//! and PostgreSQL.

use std::time::Duration;

use bastion_app::publicity::{ArticleInput, StepInput};
use bastion_app::{App, Ctx};
use bastion_core::org::UnitKind;
use bastion_store::org::NewUnit;
use bastion_store::publicity::ArticleId;
use bastion_testkit::{bastion_command, both_backends, eventually, spawn_app, Backend, ServedBinary, TestApp, TestDb};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn input(title: &str, body: &str) -> ArticleInput {
    ArticleInput {
        title: title.into(),
        body: body.into(),
        author: "政治处".into(),
        source: "青岚县公安局政治处".into(),
        column: "deeds".into(),
        ..ArticleInput::default()
    }
}

/// A unit, then an article written by one account and published by another (no demo bureau).
async fn published(app: &App, title: &str) -> ArticleId {
    let unit = match app.store.unit_by_code("T").await.unwrap() {
        Some(u) => u,
        None => {
            let mut tx = app.store.begin().await.unwrap();
            let u = app
                .store
                .insert_unit(
                    &mut tx,
                    &NewUnit {
                        parent_id: None,
                        code: "T".into(),
                        name: "测试县公安局".into(),
                        kind: UnitKind::Bureau,
                        sort_order: 0,
                        phone: None,
                    },
                )
                .await
                .unwrap();
            bastion_store::commit(tx).await.unwrap();
            u
        }
    };
    let writer = Ctx::cli(unit.id);
    let mut reviewer = Ctx::cli(unit.id);
    reviewer.username = "reviewer".into();
    let id = app.create_article(&writer, &input(title, "<p>卡点值守二十一天。</p>")).await.unwrap();
    app.article_step(&writer, id, &StepInput { action: "submit".into(), note: String::new() }).await.unwrap();
    app.article_step(&reviewer, id, &StepInput { action: "publish".into(), note: String::new() }).await.unwrap();
    id
}

async fn stored_views(app: &App, id: ArticleId) -> i64 {
    app.store.article(id).await.unwrap().views
}

/// Read `n` pages of `/news/{id}` at once (32 at a time); returns the highest count a page showed.
async fn read_many(base: &str, id: ArticleId, n: usize) -> i64 {
    let client = reqwest::Client::new();
    let url = format!("{base}/news/{}", id.0);
    let mut max = 0;
    let mut pending = Vec::new();
    for i in 0..n {
        let (c, u) = (client.clone(), url.clone());
        pending.push(tokio::spawn(async move {
            let r = c.get(&u).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            shown_views(&r.text().await.unwrap())
        }));
        if pending.len() == 32 || i + 1 == n {
            for p in pending.drain(..) {
                max = max.max(p.await.unwrap());
            }
        }
    }
    max
}

/// The figure after 浏览次数 on an article page.
fn shown_views(html: &str) -> i64 {
    let i = html.find("data-views>").expect("the page shows its view count") + "data-views>".len();
    html[i..].split('<').next().unwrap().trim().parse().unwrap()
}

async fn concurrent_views_are_counted_exactly(backend: Backend) {
    let t = spawn_app(backend, false).await;
    let id = published(&t.app, "零下八度的卡点").await;
    let shown = read_many(&t.base, id, 300).await;
    assert_eq!(shown, 300, "the last reader sees every view, flushed or not");
    t.app.flush_views().await.unwrap();
    assert_eq!(stored_views(&t.app, id).await, 300);
    // The day's row adds up too.
    let totals = t.app.read_totals(&Ctx::cli(t.app.store.unit_by_code("T").await.unwrap().unwrap().id)).await.unwrap();
    assert_eq!(totals.site, 300);
    assert_eq!(totals.trend.iter().map(|(_, s, _)| s).sum::<i64>(), 300);
}

async fn two_nodes_on_one_database_add_up(backend: Backend) {
    let a = spawn_app(backend, false).await;
    let id = published(&a.app, "两个节点").await;
    let b = a.spawn_node().await;
    let (base_a, base_b) = (a.base.clone(), b.base.clone());
    let ra = tokio::spawn(async move { read_many(&base_a, id, 200).await });
    let rb = tokio::spawn(async move { read_many(&base_b, id, 150).await });
    ra.await.unwrap();
    rb.await.unwrap();
    // Each node flushes what it counted; neither overwrites the other.
    a.app.flush_views().await.unwrap();
    b.app.flush_views().await.unwrap();
    assert_eq!(stored_views(&a.app, id).await, 350);
    // After a tick, node A shows the views node B counted.
    a.app.publicity_tick().await.unwrap();
    let r = reqwest::get(format!("{}/news/{}", a.base, id.0)).await.unwrap().text().await.unwrap();
    assert_eq!(shown_views(&r), 351);
}

async fn graceful_shutdown_flushes_the_last_views(backend: Backend) {
    let mut t = spawn_app(backend, false).await;
    let id = published(&t.app, "停机前的浏览").await;
    read_many(&t.base, id, 40).await;
    t.stop().await;
    assert_eq!(stored_views(&t.app, id).await, 40);
}

/// An article published on `db` before any server runs there.
async fn published_on(db: &TestDb, title: &str) -> ArticleId {
    let store = db.store_with_key_file().await;
    let app = App::new(store.clone(), bastion_app::Policy::default());
    let id = published(&app, title).await;
    store.close().await;
    id
}

/// The real binary serving `db`.
fn serve_binary(db: &TestDb) -> ServedBinary {
    let mut cmd = bastion_command(env!("CARGO_BIN_EXE_bastion"), db);
    cmd.args(["serve", "--listen", "127.0.0.1:0"]);
    ServedBinary::start(cmd, Duration::from_secs(60))
}

/// `bastion serve` killed with SIGKILL loses at most the views of its last flush interval (1 s).
async fn kill_9_then_restart_counts_every_answered_view(backend: Backend) {
    let db = TestDb::new(backend).await;
    let id = published_on(&db, "强制结束").await;
    let serve = || serve_binary(&db);
    let mut served = serve();
    let addr = served.addr.clone();
    read_many(&addr, id, 120).await;
    // Everything read so far reaches the database within a flush interval or two.
    let store = db.store_with_key_file().await;
    eventually("the first 120 views flushed", Duration::from_secs(30), || async {
        (store.article(id).await.unwrap().views >= 120).then_some(())
    })
    .await;
    read_many(&addr, id, 60).await;
    served.kill(); // SIGKILL: no graceful shutdown, no final flush
    let n = store.article(id).await.unwrap().views;
    assert!((120..=180).contains(&n), "stored {n} before the restart");
    // Started again on the same data directory: the views it answered and did not write are added
    // from its journal before it listens — every answered view, none twice.
    let mut again = serve();
    assert_eq!(store.article(id).await.unwrap().views, 180);
    again.kill();
    let mut third = serve();
    assert_eq!(store.article(id).await.unwrap().views, 180, "a second restart adds nothing");
    third.kill();
}

/// `bastion restore` puts back the counts the backup holds: the views the data directory's journal
/// holds from after the backup are not added to the restored database when it starts (SQLite: on
/// PostgreSQL the operator restores with pg_restore and sets the journal aside by hand, as the
/// operations guide says).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restored_database_gets_no_views_from_after_its_backup() {
    let db = TestDb::new(Backend::Sqlite).await;
    let id = published_on(&db, "备份之后").await;
    let serve = || serve_binary(&db);
    let store = db.store_with_key_file().await;
    let flushed = |n: i64| {
        let store = store.clone();
        async move {
            eventually("the views flushed", Duration::from_secs(30), || async {
                (store.article(id).await.unwrap().views >= n).then_some(())
            })
            .await
        }
    };
    let mut served = serve();
    read_many(&served.addr, id, 50).await;
    flushed(50).await;
    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("before.db");
    let (ok, out) =
        bastion_testkit::run_bastion(env!("CARGO_BIN_EXE_bastion"), &db, &["backup", backup.to_str().unwrap()]);
    assert!(ok, "backup: {out}");
    read_many(&served.addr, id, 30).await;
    flushed(80).await;
    served.kill();
    store.close().await;
    let (ok, out) = bastion_testkit::run_bastion(
        env!("CARGO_BIN_EXE_bastion"),
        &db,
        &["restore", backup.to_str().unwrap(), "--force"],
    );
    assert!(ok && out.contains("原浏览计数日志已改名保留"), "restore: {out}");
    let mut again = serve();
    let store = db.store_with_key_file().await;
    assert_eq!(store.article(id).await.unwrap().views, 50, "the backup's count, not the 30 read after it");
    let page = reqwest::get(format!("{}/news/{}", again.addr, id.0)).await.unwrap().text().await.unwrap();
    assert_eq!(shown_views(&page), 51, "the page counts on from the backup's figure");
    again.kill();
    let kept = std::fs::read_dir(db.data_dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .any(|e| e.file_name().to_string_lossy().starts_with("views.journal.replaced-"));
    assert!(kept, "the journal that was there is kept under another name");
}

/// A fresh node (no jobs, no server) on the test's database.
async fn bare_node(t: &TestApp) -> App {
    let mut store = t.db.store().await;
    store.crypto = t.app.store.crypto.clone();
    App::new(store, bastion_app::Policy::default())
}

async fn the_view_journal_is_counted_once_and_replaced_when_long(backend: Backend) {
    let t = spawn_app(backend, false).await;
    let id = published(&t.app, "计数日志").await;
    let dir = tempfile::tempdir().unwrap();
    let a = bare_node(&t).await;
    assert_eq!(a.open_view_journal(dir.path()).await.unwrap(), 0);
    // One journal per data directory: a second process there is refused.
    let err = bare_node(&t).await.open_view_journal(dir.path()).await.unwrap_err().to_string();
    assert!(err.contains("另一个 bastion serve") && err.contains("--data"), "{err}");
    for _ in 0..25 {
        a.count_view(id);
    }
    assert_eq!(a.flush_views().await.unwrap(), 25);
    for _ in 0..17 {
        a.count_view(id);
    }
    drop(a); // gone without a flush
    assert_eq!(stored_views(&t.app, id).await, 25);
    let b = bare_node(&t).await;
    assert_eq!(b.open_view_journal(dir.path()).await.unwrap(), 17, "only what the last flush had not written");
    assert_eq!(stored_views(&t.app, id).await, 42);
    // The day's row got them too.
    let unit = t.app.store.unit_by_code("T").await.unwrap().unwrap().id;
    assert_eq!(t.app.read_totals(&Ctx::cli(unit)).await.unwrap().trend.iter().map(|(_, s, _)| s).sum::<i64>(), 42);
    drop(b);
    let c = bare_node(&t).await;
    assert_eq!(c.open_view_journal(dir.path()).await.unwrap(), 0);
    // A journal past its size is replaced once counted to its end; what follows is in the new one.
    for _ in 0..90_000 {
        c.count_view(id);
    }
    assert_eq!(c.flush_views().await.unwrap(), 90_000);
    for _ in 0..5 {
        c.count_view(id);
    }
    let size = std::fs::metadata(dir.path().join("views.journal")).unwrap().len();
    assert!(size < 1024, "the journal was replaced: {size} bytes");
    drop(c);
    let d = bare_node(&t).await;
    assert_eq!(d.open_view_journal(dir.path()).await.unwrap(), 5);
    assert_eq!(stored_views(&t.app, id).await, 42 + 90_000 + 5);
}

async fn public_site_pages(backend: Backend) {
    let t = spawn_app(backend, false).await;
    let first = published(&t.app, "社区里的移动登记台").await;
    let second = published(&t.app, "指挥部专班的灯").await;
    let c = reqwest::Client::new();
    // A bogus session cookie changes nothing: the public site never looks sessions up.
    let home =
        c.get(t.url("/news")).header("cookie", format!("bastion_session={}", "a".repeat(64))).send().await.unwrap();
    assert_eq!(home.status(), StatusCode::OK);
    let home = home.text().await.unwrap();
    assert!(home.contains("社区里的移动登记台") && home.contains("指挥部专班的灯"), "{home}");
    assert!(home.contains("测试县公安局新闻中心"));
    let page = c.get(t.url(&format!("/news/{}", first.0))).send().await.unwrap();
    assert_eq!(page.headers()["cache-control"], "no-cache");
    let page = page.text().await.unwrap();
    for want in [
        "发布日期",
        "浏览次数",
        "信息来源：青岚县公安局政治处",
        "返回首页",
        "href=\"/news\"",
        "<p>卡点值守二十一天。</p>",
    ] {
        assert!(page.contains(want), "{want} missing in {page}");
    }
    assert!(
        page.contains("<meta property=\"og:title\" content=\"社区里的移动登记台 - 测试县公安局新闻中心\">"),
        "{page}"
    );
    assert!(page.contains("<meta name=\"description\" content=\"卡点值守二十一天。\">"), "{page}");
    // The older article links to the newer one and back.
    assert!(page.contains(&format!("href=\"/news/{}\"", second.0)), "{page}");
    // Without a configured public address there is no feed or sitemap (they need absolute links).
    for path in ["/news/feed.xml", "/news/sitemap.xml"] {
        let r = c.get(t.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(r.text().await.unwrap().contains("public_url"), "{path}: the reason is given");
    }
    // Drafts, unknown numbers and junk are a 404 page, never a 500.
    let unit = t.app.store.unit_by_code("T").await.unwrap().unwrap();
    let draft = t.app.create_article(&Ctx::cli(unit.id), &input("还在草稿", "<p>草稿</p>")).await.unwrap();
    // They stay in the public site's look and lead back to /news, never to the staff sign-in.
    for path in [format!("/news/{}", draft.0), "/news/999999".into(), "/news/abc".into(), "/news/a/b/c".into()] {
        let r = c.get(t.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
        let page = r.text().await.unwrap();
        assert!(page.contains("/assets/news.") && page.contains("href=\"/news\">返回新闻首页"), "{path}: {page}");
        assert!(!page.contains("/login") && !page.contains("href=\"/\""), "{path}: {page}");
    }
    let r = c.get(t.url("/news/images/x.jpg")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Without public_url, share tags carry no host at all: a forged Host header is never reflected.
    let forged = |path: String| c.get(t.url(&path)).header("host", "evil.example").send();
    let page = forged(format!("/news/{}", first.0)).await.unwrap().text().await.unwrap();
    assert!(page.contains(&format!("og:url\" content=\"/news/{}\"", first.0)), "{page}");
    assert!(!page.contains("evil.example"), "{page}");
    let node = t
        .spawn_node_with(bastion_web::WebSettings {
            public_url: Some("https://news.example.cn".into()),
            ..Default::default()
        })
        .await;
    for path in [format!("/news/{}", first.0), "/news/feed.xml".into(), "/news/sitemap.xml".into()] {
        let body = c.get(node.url(&path)).header("host", "evil.example").send().await.unwrap().text().await.unwrap();
        assert!(body.contains(&format!("https://news.example.cn/news/{}", first.0)), "{path}: {body}");
        assert!(!body.contains("evil.example"), "{path}: {body}");
    }
    let feed = c.get(node.url("/news/feed.xml")).send().await.unwrap();
    assert!(feed.headers()["content-type"].to_str().unwrap().starts_with("application/atom+xml"));
    let feed = feed.text().await.unwrap();
    assert_eq!(feed.matches("<entry>").count(), 2, "{feed}");
    assert!(feed.contains(&format!("/news/{}</id>", first.0)));
    let sitemap = c.get(node.url("/news/sitemap.xml")).send().await.unwrap().text().await.unwrap();
    assert!(sitemap.contains(&format!("/news/{}</loc>", second.0)), "{sitemap}");
    // Withdrawing takes the article off the site at once (the cached page is dropped).
    let reviewer = Ctx { username: "reviewer".into(), ..Ctx::cli(unit.id) };
    t.app.article_step(&reviewer, first, &StepInput { action: "withdraw".into(), note: String::new() }).await.unwrap();
    let r = c.get(t.url(&format!("/news/{}", first.0))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(!c.get(t.url("/news")).send().await.unwrap().text().await.unwrap().contains("社区里的移动登记台"));
}

async fn scheduled_article_appears_when_due(backend: Backend) {
    let t = spawn_app(backend, false).await;
    let id = published(&t.app, "先发一篇").await;
    let unit = t.app.store.unit_by_code("T").await.unwrap().unwrap();
    let writer = Ctx::cli(unit.id);
    let reviewer = Ctx { username: "reviewer".into(), ..Ctx::cli(unit.id) };
    let mut later = input("定时发布的稿件", "<p>明天见</p>");
    later.publish_at = "2099-01-01 08:00".into();
    let s = t.app.create_article(&writer, &later).await.unwrap();
    t.app.article_step(&writer, s, &StepInput { action: "submit".into(), note: String::new() }).await.unwrap();
    t.app.article_step(&reviewer, s, &StepInput { action: "publish".into(), note: String::new() }).await.unwrap();
    let r = reqwest::get(t.url(&format!("/news/{}", s.0))).await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "not before its time");
    assert!(reqwest::get(t.url(&format!("/news/{}", id.0))).await.unwrap().status().is_success());
}

/// An editor writes (with a hostile paste), the commander reviews, a reader reads.
async fn editorial_workflow_over_the_api(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let editor = t.login("editor").await;
    let commander = t.login("commander").await;
    let body = r#"<p onclick="steal()">一线<script>alert(1)</script>民警</p><a href="javascript:alert(1)">点我</a><img src="x" onerror="alert(1)"><p>第二段</p>"#;
    let r = editor
        .post(t.url("/api/publicity/articles"))
        .json(&json!({"title": "凌晨三点的卡点", "body": body, "author": "政治处", "source": "青岚县公安局政治处", "column": "先进事迹", "people": "510001"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let d: Value =
        editor.get(t.url(&format!("/api/publicity/articles/{id}"))).send().await.unwrap().json().await.unwrap();
    let stored = d["article"]["body"].as_str().unwrap();
    for bad in ["script", "onclick", "onerror", "javascript", "alert"] {
        assert!(!stored.contains(bad), "{bad} survived: {stored}");
    }
    assert!(stored.contains("<p>一线民警</p>"), "{stored}");
    assert_eq!(d["featured"][0]["person_id"].as_i64(), Some(1));
    // Edit: a second version, and the diff shows the change.
    let r = editor
        .put(t.url(&format!("/api/publicity/articles/{id}")))
        .json(&json!({"title": "凌晨三点的卡点", "body": "<p>一线民警</p><p>第三段</p>", "author": "政治处", "source": "青岚县公安局政治处", "column": "deeds"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let diff: Value = editor
        .get(t.url(&format!("/api/publicity/articles/{id}/diff?from=1&to=2")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let lines: Vec<String> = diff
        .as_array()
        .unwrap()
        .iter()
        .map(|l| format!("{}{}", l["tag"].as_str().unwrap(), l["text"].as_str().unwrap()))
        .collect();
    assert!(lines.contains(&"-第二段".to_string()) && lines.contains(&"+第三段".to_string()), "{lines:?}");
    // The editor cannot publish; the reviewer must give a reason to return it.
    let step = |c: &reqwest::Client, action: &str, note: &str| {
        c.post(t.url(&format!("/api/publicity/articles/{id}/step")))
            .json(&json!({"action": action, "note": note}))
            .send()
    };
    assert_eq!(step(&editor, "submit", "").await.unwrap().status(), StatusCode::OK);
    assert_eq!(step(&editor, "publish", "").await.unwrap().status(), StatusCode::FORBIDDEN);
    let r = step(&commander, "return", "").await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("退回修改须填写审核意见"));
    assert_eq!(reqwest::get(t.url(&format!("/news/{id}"))).await.unwrap().status(), StatusCode::NOT_FOUND);
    let r = step(&commander, "publish", "同意发布").await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // Publishing twice is a conflict, editing a published article too.
    assert_eq!(step(&commander, "publish", "").await.unwrap().status(), StatusCode::CONFLICT);
    let r = editor
        .put(t.url(&format!("/api/publicity/articles/{id}")))
        .json(&json!({"title": "改标题", "body": "<p>x</p>", "author": "a", "source": "来源单位", "column": "deeds"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    // A reader sees the page and its count rise.
    let first = shown_views(&reqwest::get(t.url(&format!("/news/{id}"))).await.unwrap().text().await.unwrap());
    let second = shown_views(&reqwest::get(t.url(&format!("/news/{id}"))).await.unwrap().text().await.unwrap());
    assert_eq!((first, second), (1, 2));
    // Audit: every step is in the chain, by the right account.
    let (audit, _) = t.app.store.audit_records(None, Some("publicity"), 50, 0).await.unwrap();
    let actions: Vec<(String, String)> = audit.iter().map(|r| (r.account.clone(), r.action.clone())).collect();
    for want in [("editor", "新建稿件"), ("editor", "修改稿件"), ("editor", "提交审核"), ("commander", "审核发布")]
    {
        assert!(actions.contains(&(want.0.into(), want.1.into())), "{want:?} not in {actions:?}");
    }
    // Field errors name the field and the rule.
    let r = editor
        .post(t.url("/api/publicity/articles"))
        .json(&json!({"title": "x", "body": "<script>1</script>", "column": "杂谈"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let msg = r.json::<Value>().await.unwrap()["message"].as_str().unwrap().to_string();
    for want in
        ["标题长度必须介于 2 和 80 之间", "正文不能为空", "栏目只能是：先进事迹", "作者不能为空", "信息来源不能为空"]
    {
        assert!(msg.contains(want), "{want} missing in {msg}");
    }
}

/// Build a PNG whose header claims `w`×`h` pixels (the data is tiny): a decompression bomb.
pub(super) fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut c = 0xffff_ffffu32;
        for b in data {
            c ^= u32::from(*b);
            for _ in 0..8 {
                c = if c & 1 != 0 { 0xedb8_8320 ^ (c >> 1) } else { c >> 1 };
            }
        }
        !c
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend((data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend(data);
        out.extend(&body);
        out.extend(crc32(&body).to_be_bytes());
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend(w.to_be_bytes());
    ihdr.extend(h.to_be_bytes());
    ihdr.extend([8, 6, 0, 0, 0]); // 8-bit RGBA
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
    chunk(&mut out, b"IEND", &[]);
    out
}

async fn picture_uploads_are_checked_by_content(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let editor = t.login("editor").await;
    let upload = |bytes: Vec<u8>, name: &str| {
        let form = reqwest::multipart::Form::new()
            .part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()));
        editor.post(t.url("/api/publicity/images")).multipart(form).send()
    };
    let cover = bastion_app::publicity::media::generated_cover(2);
    let r = upload(cover, "封面.png").await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.unwrap();
    assert_eq!((v["width"].as_i64(), v["phone_width"].as_i64()), (Some(1200), Some(720)));
    // Attached to no published article: the public gets nothing, the back office sees it.
    for url in [v["url"].as_str().unwrap(), v["phone_url"].as_str().unwrap()] {
        assert_eq!(reqwest::get(t.url(url)).await.unwrap().status(), StatusCode::NOT_FOUND, "{url}");
    }
    let img = editor.get(t.url(v["phone_url"].as_str().unwrap())).send().await.unwrap();
    assert_eq!(img.status(), StatusCode::OK);
    assert_eq!(img.headers()["content-type"], "image/jpeg");
    assert_eq!(&img.bytes().await.unwrap()[..3], &[0xff, 0xd8, 0xff]);
    // Once an article showing it is published, it is public.
    let unit = t.app.store.unit_by_code("BUREAU").await.unwrap().unwrap();
    let (writer, mut reviewer) = (Ctx::cli(unit.id), Ctx::cli(unit.id));
    reviewer.username = "reviewer".into();
    let body = format!("<p>图文</p><img src=\"{}\" alt=\"卡点\">", v["url"].as_str().unwrap());
    let a = t.app.create_article(&writer, &input("带图的稿件", &body)).await.unwrap();
    assert_eq!(
        reqwest::get(t.url(v["url"].as_str().unwrap())).await.unwrap().status(),
        StatusCode::NOT_FOUND,
        "a draft"
    );
    t.app.article_step(&writer, a, &StepInput { action: "submit".into(), note: String::new() }).await.unwrap();
    t.app.article_step(&reviewer, a, &StepInput { action: "publish".into(), note: String::new() }).await.unwrap();
    // The public reaches it only under its published name, which cannot be had by counting.
    let page = reqwest::get(t.url(&format!("/news/{}", a.0))).await.unwrap().text().await.unwrap();
    let id = v["id"].as_i64().unwrap();
    let start = page.find(&format!("/news/images/{id}-")).expect("the article shows the picture by its public name");
    let name: String = page[start + "/news/images/".len()..].chars().take_while(|c| *c != '/' && *c != '.').collect();
    assert!(name.len() > 10, "{name}");
    for url in [format!("/news/images/{name}.jpg"), format!("/news/images/{name}/phone.jpg")] {
        let r = reqwest::get(t.url(&url)).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{url}");
        assert_eq!(r.headers()["content-type"], "image/jpeg");
    }
    let forged = format!("{id}-{}", "0".repeat(16));
    let other = name.replacen(&id.to_string(), &(id - 1).to_string(), 1);
    for url in [
        v["url"].as_str().unwrap().to_string(),
        format!("/news/images/{forged}.jpg"),
        format!("/news/images/{other}.jpg"),
    ] {
        assert_eq!(reqwest::get(t.url(&url)).await.unwrap().status(), StatusCode::NOT_FOUND, "{url}: not by counting");
    }
    let cases: Vec<(Vec<u8>, &str, &str)> = vec![
        (b"#!/bin/sh\necho not a picture\n".to_vec(), "photo.png", "文件内容不是 JPEG、PNG 或 WebP 图片"),
        (png_claiming(30_000, 30_000), "bomb.png", "解压炸弹"),
        (png_claiming(7_900, 7_900), "bomb2.png", "解压炸弹"),
        (vec![0xff; 11 * 1024 * 1024], "huge.jpg", "图片文件过大"),
    ];
    for (bytes, name, want) in cases {
        let r = upload(bytes, name).await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        let msg = r.json::<Value>().await.unwrap()["message"].as_str().unwrap().to_string();
        assert!(msg.contains(want), "{name}: {msg}");
    }
    // Someone without the permission is refused before the body is read.
    let officer = t.login("officer").await;
    let r = officer.post(t.url("/api/publicity/images")).body("x").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

async fn outside_reads_and_honours(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let editor = t.login("editor").await;
    let commander = t.login("commander").await;
    // The demo bureau's stories and their reads add up to 50万+.
    let before: Value = editor.get(t.url("/api/publicity/totals")).send().await.unwrap().json().await.unwrap();
    assert!(before["total"].as_i64().unwrap() > 500_000, "{before}");
    let r = editor
        .post(t.url("/api/publicity/reads"))
        .json(&json!({"article_id": "1", "channel": "抖音", "reads": "12,000", "day": "2020-02-10"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let after: Value = editor.get(t.url("/api/publicity/totals")).send().await.unwrap().json().await.unwrap();
    assert_eq!(after["total"].as_i64().unwrap(), before["total"].as_i64().unwrap() + 12_000);
    let r = editor
        .post(t.url("/api/publicity/reads"))
        .json(&json!({"article_id": "1", "channel": "报纸", "reads": "-5"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let msg = r.json::<Value>().await.unwrap()["message"].as_str().unwrap().to_string();
    assert!(msg.contains("渠道只能是") && msg.contains("阅读量应为 1 到 10 亿之间的整数"), "{msg}");
    // A nomination goes 推荐 → 公示 (shown on the public site) → 授予 only after the notice period.
    let r = editor
        .post(t.url("/api/publicity/honours"))
        .json(&json!({"honour": "市级优秀人民警察", "nominating_body": "青岚县公安局党委", "team": "D08-1", "reason": "突击队成立第一周出动巡逻一百四十余次。", "articles": "4"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let hid = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let step = |body: Value| commander.post(t.url(&format!("/api/publicity/honours/{hid}/step"))).json(&body).send();
    assert_eq!(step(json!({"status": "awarded"})).await.unwrap().status(), StatusCode::CONFLICT);
    let r = step(json!({"status": "notice", "notice_start": "2026-12-01", "notice_end": "2026-11-20"})).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let today = bastion_core::time::today();
    let end = today.checked_add(jiff::Span::new().days(5)).unwrap();
    let r = step(json!({"status": "notice", "notice_start": today.to_string(), "notice_end": end.to_string()}))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let public = reqwest::get(t.url("/news/honours")).await.unwrap().text().await.unwrap();
    assert!(public.contains("特警一中队 · 市级优秀人民警察") && public.contains(&end.to_string()), "{public}");
    let r = step(json!({"status": "awarded"})).await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("公示期满后方可授予"));
    assert_eq!(step(json!({"status": "declined", "note": "名额已满"})).await.unwrap().status(), StatusCode::OK);
    let public = reqwest::get(t.url("/news/honours")).await.unwrap().text().await.unwrap();
    assert!(!public.contains("市级优秀人民警察"));
}

/// The back-office pages render for the editor and for the commander.
async fn back_office_pages(backend: Backend) {
    let t: TestApp = spawn_app(backend, true).await;
    let editor = t.login("editor").await;
    for path in [
        "/publicity",
        "/publicity/new",
        "/publicity/1",
        "/publicity/dashboard",
        "/publicity/honours",
        "/publicity/images",
    ] {
        let r = editor.get(t.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
    }
    let dash = editor.get(t.url("/publicity/dashboard")).send().await.unwrap().text().await.unwrap();
    assert!(dash.contains("累计阅读") && dash.contains("万"), "{dash}");
    let officer = t.login("officer").await;
    assert_eq!(officer.get(t.url("/publicity")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    // The demo site is alive: 首页 lists the stories, each with a cover picture.
    let home = reqwest::get(t.url("/news")).await.unwrap().text().await.unwrap();
    assert!(home.contains("零下八度的卡点") && home.contains("/news/images/"), "{home}");
}

/// The news home shows each article's own picture beside its title: the cover, else the first of
/// the site's pictures in its body; an article with neither shows none (no stand-in picture).
async fn news_lists_show_each_articles_picture(backend: Backend) {
    let t = spawn_app(backend, false).await;
    let plain = published(&t.app, "没有配图的一篇").await;
    let unit = t.app.store.unit_by_code("T").await.unwrap().unwrap();
    let writer = Ctx::cli(unit.id);
    let mut reviewer = Ctx::cli(unit.id);
    reviewer.username = "reviewer".into();
    let bytes = bastion_app::publicity::media::generated_cover(5);
    let image = t.app.upload_image(&writer, bytes, "现场.png").await.unwrap();
    let body = format!("<p>夜里的卡点。</p><img src=\"/news/images/{}.jpg\" alt=\"\">", image.0);
    let pictured = t.app.create_article(&writer, &input("正文里有图的一篇", &body)).await.unwrap();
    t.app.article_step(&writer, pictured, &StepInput { action: "submit".into(), note: String::new() }).await.unwrap();
    t.app
        .article_step(&reviewer, pictured, &StepInput { action: "publish".into(), note: String::new() })
        .await
        .unwrap();

    let home = reqwest::get(t.url("/news")).await.unwrap().text().await.unwrap();
    let item = |id: ArticleId| {
        let at = home.rfind(&format!("<a href=\"/news/{}\">", id.0)).expect("the article is listed");
        let start = home[..at].rfind("<li").unwrap();
        home[start..at].to_string()
    };
    let name = t.app.image_public_name(image);
    assert!(item(pictured).contains(&format!("/news/images/{name}/phone.jpg")), "{}", item(pictured));
    assert!(!item(plain).contains("<img"), "{}", item(plain));
    let r = reqwest::get(t.url(&format!("/news/images/{name}/phone.jpg"))).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "the picture of a published article is public");
}

both_backends!(
    concurrent_views_are_counted_exactly,
    two_nodes_on_one_database_add_up,
    graceful_shutdown_flushes_the_last_views,
    kill_9_then_restart_counts_every_answered_view,
    the_view_journal_is_counted_once_and_replaced_when_long,
    public_site_pages,
    scheduled_article_appears_when_due,
    editorial_workflow_over_the_api,
    picture_uploads_are_checked_by_content,
    outside_reads_and_honours,
    back_office_pages,
    news_lists_show_each_articles_picture,
);
