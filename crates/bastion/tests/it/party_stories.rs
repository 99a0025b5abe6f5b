//! A meeting's photos and signed sheet, a petition signed with a photo of the paper, and a petition
//! published as a story with its author's consent — over real HTTP on both backends.

use bastion_testkit::{both_backends, spawn_app, Backend, TestApp};
use reqwest::StatusCode;
use serde_json::json;
use sqlx::Row;

use super::party::{audited, fields, org_named, send};

async fn count(t: &TestApp, sql: &str) -> i64 {
    sqlx::query(sql).fetch_one(t.app.store.reader()).await.unwrap().get::<i64, _>(0)
}

fn upload(c: &reqwest::Client, t: &TestApp, meeting: i64, kind: &str, bytes: Vec<u8>) -> reqwest::RequestBuilder {
    let form =
        reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(bytes).file_name("会议.jpg"));
    c.post(t.url(&format!("/api/party/meetings/{meeting}/files?kind={kind}"))).multipart(form)
}

/// A JPEG photo as a phone takes it: a picture, encoded as JPEG, as a data URL.
fn jpeg_data_url(seed: u32) -> String {
    use base64::Engine as _;
    let png = bastion_app::publicity::media::generated_cover(seed);
    let img = image::load_from_memory(&png).unwrap();
    let mut out = std::io::Cursor::new(Vec::new());
    img.to_rgb8().write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    format!("data:image/jpeg;base64,{}", base64::engine::general_purpose::STANDARD.encode(out.into_inner()))
}

async fn meeting_photos_and_sign_in_sheet(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let secretary = t.login("secretary").await;
    let committee = t.login("commander").await;
    let officer = t.login("officer").await;
    let branch = org_named(&committee, &t, "城关派出所党支部").await["id"].as_i64().unwrap();
    let other = org_named(&committee, &t, "指挥中心党支部").await["id"].as_i64().unwrap();
    let hold = |org: i64, on: String| {
        committee
            .post(t.url(&format!("/api/party/orgs/{org}/meetings")))
            .json(&json!({"kind": "theme_day", "on_date": on, "topic": "主题党日：卡点一线重温入党誓词", "place": "城关卡点帐篷"}))
    };
    let today = bastion_core::time::today();
    let (s, v) = send(hold(branch, today.to_string())).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let held = v["id"].as_i64().unwrap();
    let later = today.checked_add(jiff::Span::new().days(3)).unwrap().to_string();
    let (s, v) = send(hold(branch, later)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let planned = v["id"].as_i64().unwrap();
    let (s, v) = send(hold(other, today.to_string())).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let elsewhere = v["id"].as_i64().unwrap();

    // A photo and the signed sheet; the same photo again is the one stored; its hash is audited.
    let photo = bastion_app::publicity::media::generated_cover(5);
    let sheet = bastion_app::publicity::media::generated_cover(9);
    let (s, first) = send(upload(&secretary, &t, held, "photo", photo.clone())).await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    let (s, again) = send(upload(&secretary, &t, held, "photo", photo.clone())).await;
    assert_eq!(s, StatusCode::CREATED, "{again}");
    assert_eq!(first["id"], again["id"]);
    let (s, v) = send(upload(&secretary, &t, held, "sign_in_sheet", sheet)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let sheet_id = v["id"].as_i64().unwrap();
    assert_eq!(audited(&t, "上传会议附件").await, 2);
    let detail: String = sqlx::query("SELECT detail FROM audit_log WHERE action = '上传会议附件' ORDER BY seq LIMIT 1")
        .fetch_one(t.app.store.reader())
        .await
        .unwrap()
        .get("detail");
    assert!(detail.contains("会议照片") && detail.contains("SHA-256"), "{detail}");

    // Listed with the meeting, kinds as sent; the picture is a re-encoded JPEG.
    let (s, list) = send(secretary.get(t.url(&format!("/api/party/meetings/{held}/files")))).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let kinds: Vec<&str> = list.as_array().unwrap().iter().map(|f| f["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, vec!["photo", "sign_in_sheet"]);
    let r = committee.get(t.url(&format!("/api/party/meeting-files/{sheet_id}"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/jpeg");
    assert!(r.bytes().await.unwrap().starts_with(&[0xFF, 0xD8]));
    let (_, branch_view) = send(secretary.get(t.url(&format!("/api/party/orgs/{branch}")))).await;
    let m = branch_view["meetings"].as_array().unwrap().iter().find(|m| m["meeting"]["id"] == held).unwrap();
    assert_eq!(m["files"].as_array().unwrap().len(), 2);
    let html = secretary.get(t.url(&format!("/party/branches/{branch}"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(&format!("/api/party/meeting-files/{sheet_id}")), "the branch page shows the sheet");

    // Refused, nothing written: not a picture, a bomb, a meeting not yet held, an unknown kind,
    // another branch's meeting, an officer.
    let before = count(&t, "SELECT COUNT(*) FROM party_meeting_files").await;
    let (s, v) = send(upload(&secretary, &t, held, "photo", b"%PDF-1.4 not a picture".to_vec())).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (f, msg) = fields(&v);
    assert_eq!(f, vec!["会议照片"]);
    assert!(msg.contains("不是 JPEG、PNG 或 WebP"), "{msg}");
    let (s, v) =
        send(upload(&secretary, &t, held, "sign_in_sheet", super::publicity::png_claiming(30_000, 30_000))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(fields(&v).1.contains("解压炸弹"), "{v}");
    let (s, v) = send(upload(&secretary, &t, planned, "photo", photo.clone())).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert!(v["message"].as_str().unwrap().contains("尚未召开"), "{v}");
    let (s, v) = send(upload(&secretary, &t, held, "video", photo.clone())).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(fields(&v).0, vec!["附件类型"]);
    let (s, v) = send(upload(&secretary, &t, elsewhere, "photo", photo.clone())).await;
    assert!(s == StatusCode::FORBIDDEN || s == StatusCode::NOT_FOUND, "{s} {v}");
    // An officer may neither read the branch's pictures nor add one (read first: a refused upload
    // is answered before its body is read, and the server then closes that connection).
    let r = officer.get(t.url(&format!("/api/party/meeting-files/{sheet_id}"))).send().await.unwrap();
    assert!(r.status() == StatusCode::FORBIDDEN || r.status() == StatusCode::NOT_FOUND, "{}", r.status());
    let (s, _) = send(upload(&officer, &t, held, "photo", photo.clone())).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM party_meeting_files").await, before);
}

async fn petition_signed_on_paper(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let officer = t.login("officer").await;
    let commander = t.login("commander").await;
    let body = "疫情就是命令，我志愿到卡点一线参加值守和排查工作。";
    let (s, v) = send(officer.post(t.url("/api/party/petitions")).json(
        &json!({"body": body, "missions": ["screening"], "signature": jpeg_data_url(4), "publish_consent": true}),
    ))
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let id = v["id"].as_i64().unwrap();
    let r = commander.get(t.url(&format!("/api/party/petitions/{id}/signature"))).send().await.unwrap();
    assert_eq!(r.headers()["content-type"], "image/jpeg");
    let bytes = r.bytes().await.unwrap();
    assert!(bytes.starts_with(&[0xFF, 0xD8]));
    assert!(image::load_from_memory(&bytes).unwrap().width() >= 16);
    // A "photo" that is not one: refused naming the field, nothing written.
    let before = count(&t, "SELECT COUNT(*) FROM party_petitions").await;
    let (s, v) = send(officer.post(t.url("/api/party/petitions")).json(&json!({
        "body": body, "missions": ["screening"], "signature": "data:image/jpeg;base64,JVBERi0xLjQgbm90IGEgcGljdHVyZQ=="
    })))
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (f, msg) = fields(&v);
    assert_eq!(f, vec!["签名"]);
    assert!(msg.contains("纸质请战书照片"), "{msg}");
    assert_eq!(count(&t, "SELECT COUNT(*) FROM party_petitions").await, before);
}

async fn petition_published_as_story_with_consent(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let officer = t.login("officer").await;
    let editor = t.login("editor").await;
    let commander = t.login("commander").await;
    let duty = t.login("duty").await;
    let public = reqwest::Client::new();
    let body = "疫情就是命令，防控就是责任。\n我志愿到城关卡点一线值守，<b>不获全胜决不收兵</b>。";
    let petition = |consent: bool| {
        officer.post(t.url("/api/party/petitions")).json(
            &json!({"body": body, "missions": ["screening", "patrol"], "signature": super::party::SIGNED, "publish_consent": consent}),
        )
    };
    let (s, v) = send(petition(false)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let id = v["id"].as_i64().unwrap();

    // Without consent the publicity office neither sees it nor may write from it.
    let (s, list) = send(editor.get(t.url("/api/party/petition-stories"))).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    assert!(list.as_array().unwrap().iter().all(|p| p["id"] != id));
    let (s, v) = send(editor.post(t.url(&format!("/api/party/petitions/{id}/story")))).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert!(v["message"].as_str().unwrap().contains("未同意公开"), "{v}");
    // Only the author gives consent; an officer may not list the office's petitions.
    let (s, _) =
        send(duty.post(t.url(&format!("/api/party/petitions/{id}/consent"))).json(&json!({"consent": true}))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = send(officer.get(t.url("/api/party/petition-stories"))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) =
        send(officer.post(t.url(&format!("/api/party/petitions/{id}/consent"))).json(&json!({"consent": true}))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v["publish_consent_at"].is_i64(), "{v}");
    let (_, list) = send(editor.get(t.url("/api/party/petition-stories"))).await;
    assert!(list.as_array().unwrap().iter().any(|p| p["id"] == id));

    // The editor writes a draft from it, once; the text is escaped, the author featured.
    let (s, v) = send(editor.post(t.url(&format!("/api/party/petitions/{id}/story")))).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let article = v["id"].as_i64().unwrap();
    let (s, v) = send(editor.post(t.url(&format!("/api/party/petitions/{id}/story")))).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(audited(&t, "请战书写成稿件").await, 1);
    let (_, d) = send(editor.get(t.url(&format!("/api/publicity/articles/{article}")))).await;
    assert_eq!(d["article"]["status"], "draft");
    let text = d["article"]["body"].as_str().unwrap();
    assert!(text.contains("<p>疫情就是命令，防控就是责任。</p>"), "{text}");
    assert!(!text.contains("<b>") && text.contains("&lt;b&gt;"), "{text}");
    assert!(text.contains("摸底排查") || text.contains("卡点"), "{text}");
    assert_eq!(d["featured"].as_array().unwrap().len(), 1, "{d}");
    let (_, mine) = send(officer.get(t.url("/api/party/petitions"))).await;
    let p = mine.as_array().unwrap().iter().find(|p| p["id"] == id).unwrap().clone();
    assert_eq!(p["article_id"], article);

    // Through the workflow: submitted by the editor, published by the commander, on the site.
    let step = |c: &reqwest::Client, action: &str| {
        c.post(t.url(&format!("/api/publicity/articles/{article}/step"))).json(&json!({"action": action}))
    };
    let (s, v) = send(step(&editor, "submit")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = send(step(&commander, "publish")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(public.get(t.url(&format!("/news/{article}"))).send().await.unwrap().status(), StatusCode::OK);

    // The author withdraws consent: the story comes down at once and cannot go up again.
    let (s, v) =
        send(officer.post(t.url(&format!("/api/party/petitions/{id}/consent"))).json(&json!({"consent": false}))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v["publish_consent_at"].is_null());
    let (_, d) = send(editor.get(t.url(&format!("/api/publicity/articles/{article}")))).await;
    assert_eq!(d["article"]["status"], "withdrawn");
    assert!(d["article"]["hold"].as_str().unwrap().contains("撤回公开同意"), "{d}");
    assert_eq!(public.get(t.url(&format!("/news/{article}"))).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    let (_, list) = send(editor.get(t.url("/api/party/petition-stories"))).await;
    assert!(list.as_array().unwrap().iter().all(|p| p["id"] != id));
    let (s, _) = send(step(&editor, "reopen")).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = send(step(&editor, "submit")).await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = send(step(&commander, "publish")).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert!(v["message"].as_str().unwrap().contains("撤回公开同意"), "{v}");
    // Consent again releases it.
    let (s, _) =
        send(officer.post(t.url(&format!("/api/party/petitions/{id}/consent"))).json(&json!({"consent": true}))).await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = send(step(&commander, "publish")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(audited(&t, "撤回公开同意").await, 1);
    assert_eq!(audited(&t, "同意公开请战书").await, 2);

    // The page: the author's consent switch, the office's list with its button.
    let html = officer.get(t.url("/party/petitions")).send().await.unwrap().text().await.unwrap();
    assert!(
        html.contains(&format!("data-testid=\"consent-{id}\"")) && html.contains("撤回公开同意"),
        "author's switch"
    );
    assert!(!html.contains("petition-stories"), "an officer does not see the office's list");
    let html = editor.get(t.url("/party/petitions")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("data-testid=\"petition-stories\""), "the office's list");
    assert!(html.contains(&format!("href=\"/publicity/{article}\"")), "the story written is linked");
}

both_backends!(meeting_photos_and_sign_in_sheet, petition_signed_on_paper, petition_published_as_story_with_consent);
