//! The figures equal the input, on both backends: the reference bureau is driven through its public
//! API — a recall of all 956 with 16 exempt and everyone else reporting on post by their own link,
//! a fifth checkpoint set up and a day of screenings at all five with fevers, one case closed —
//! and the dashboard, the daily report and its three exports all show exactly those numbers.

use std::collections::HashMap;

use bastion_store::recall::OrderId;
use bastion_testkit::{both_backends, spawn_app, Backend, TestApp};
use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::checkpoint::checkpoint_named;
use super::recall::{board, issue, unit_id};
use super::report::{dash_figure, figure, num, register, section, today};

/// Every checkpoint's row of a section: name → (today, fevers).
fn rows(section: &Value) -> HashMap<String, (i64, i64)> {
    section["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let cell = |i: usize| num(r["cells"][i].as_str().unwrap());
            (r["name"].as_str().unwrap().to_string(), (cell(0), cell(1)))
        })
        .collect()
}

fn dash_section<'a>(d: &'a Value, feature: &str) -> &'a Value {
    d.as_array().unwrap().iter().find(|s| s["feature"] == feature).unwrap()
}

async fn dashboard(c: &reqwest::Client, t: &TestApp) -> Value {
    let r = c.get(t.url("/api/dashboard")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

async fn the_figures_equal_the_input(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let boss = t.login("commander").await;
    let desk = t.login("duty").await;
    // A checkpoint officer whose unit covers all five checkpoints.
    let gate = t.account("gate", "checkpoint", "BUREAU", None).await;

    // A fifth checkpoint, set up through the API.
    let s04 = unit_id(&t, "S04").await;
    let r = boss
        .post(t.url("/api/checkpoints"))
        .json(&json!({"name": "S226 南山入境卡点", "kind": "entry", "location": "S226 省道南山界", "unit_id": s04,
            "police_types": "派出所", "fever_clinic": "县人民医院发热门诊"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());
    let names = ["G319", "S12", "高铁站", "幸福里", "S226"];
    let mut cps = Vec::new();
    for n in names {
        cps.push(checkpoint_named(&t, &gate, n).await);
    }
    let before = dashboard(&boss, &t).await;
    let cp_before = dash_section(&before, "checkpoint");
    let rows_before = rows(cp_before);
    assert_eq!(rows_before.len(), 5, "five checkpoints: {cp_before}");
    let passes_before = num(&dash_figure(&before, "checkpoint", "今日登记（人次）"));
    let fevers_before = num(&dash_figure(&before, "checkpoint", "今日发热"));
    let open_before = num(&dash_figure(&before, "checkpoint", "未结发热病例"));

    // The recall: the whole bureau, a drill; too large for one commander, so a second approves.
    let bureau = unit_id(&t, "BUREAU").await;
    let (s, created) = issue(&boss, &t, bureau, json!({"title": "全局返岗核查", "deadline_minutes": "60"})).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    assert_eq!(created["audience"], 956);
    let id = created["id"].as_i64().unwrap();
    let r = t
        .account("commander2", "commander", "HQ", None)
        .await
        .post(t.url(&format!("/api/recall/{id}/approve")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // Those already off duty are exempt from the start; the desk exempts more, to 16 in all.
    let auto = board(&boss, &t.base, id).await["tally"]["exempt"].as_i64().unwrap();
    assert!(auto <= 16, "{auto} exempt at issue");
    let order = t.app.store.recall_order(OrderId(id)).await.unwrap();
    let mut missing = t.app.store.recall_missing(OrderId(id), None, 2000, 0).await.unwrap();
    missing.sort_by_key(|p| p.person_id);
    assert_eq!(missing.len() as i64, 956 - auto);
    let (exempt, arrive) = missing.split_at((16 - auto) as usize);
    for p in exempt {
        let r = desk
            .post(t.url(&format!("/api/recall/{id}/people/{}", p.person_id.0)))
            .json(&json!({"action": "exempt", "reason": "sick"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
    // Everyone else reports on post from their own link, twenty at a time.
    let anon = t.client();
    for chunk in arrive.chunks(20) {
        let answers = chunk.iter().map(|p| {
            let url = t.url(&format!("/r/{}", t.app.recall_token(&order, p)));
            let anon = anon.clone();
            async move { anon.post(url).form(&[("action", "arrive"), ("location", "岗位码")]).send().await.unwrap() }
        });
        for r in join_all(answers).await {
            assert_eq!(r.status(), StatusCode::OK);
            assert!(r.text().await.unwrap().contains("到岗报到成功"));
        }
    }

    // A day of screenings: the k-th checkpoint registers 3 + k people, k of them with a fever.
    let mut passes = 0;
    let mut fevers = 0;
    for (k, cp) in cps.iter().enumerate() {
        for i in 0..3 + k {
            register(&t, &gate, *cp, i < k).await;
        }
        passes += 3 + k as i64;
        fevers += k as i64;
    }
    // One of the new fever cases is closed.
    let cases: Value = desk.get(t.url("/api/checkpoints/fever-cases")).send().await.unwrap().json().await.unwrap();
    let case = cases.as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).max().unwrap();
    let r = desk
        .post(t.url(&format!("/api/checkpoints/fever-cases/{case}/close")))
        .json(&json!({"outcome": "excluded"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let want_passes = passes_before + passes;
    let want_fevers = fevers_before + fevers;
    let want_open = open_before + fevers - 1;

    // The dashboard.
    let dash = dashboard(&boss, &t).await;
    let recall = [("到岗/应到（演练）", "956/956"), ("到岗", "940"), ("免到", "16"), ("未到", "0")];
    for (label, want) in recall {
        assert_eq!(dash_figure(&dash, "recall", label), want, "dashboard recall {label}");
    }
    assert!(dash_section(&dash, "recall")["title"].as_str().unwrap().contains("全局返岗核查"));
    assert_eq!(num(&dash_figure(&dash, "checkpoint", "今日登记（人次）")), want_passes);
    assert_eq!(num(&dash_figure(&dash, "checkpoint", "今日发热")), want_fevers);
    assert_eq!(num(&dash_figure(&dash, "checkpoint", "未结发热病例")), want_open);
    let want_rows: HashMap<String, (i64, i64)> = rows_before
        .iter()
        .map(|(name, (n, f))| {
            let k = names.iter().position(|x| name.contains(x)).unwrap() as i64;
            (name.clone(), (n + 3 + k, f + k))
        })
        .collect();
    assert_eq!(rows(dash_section(&dash, "checkpoint")), want_rows, "per checkpoint on the dashboard");

    // The daily report, assembled by the HQ desk, read by the commander.
    let r = desk.post(t.url("/api/reports")).json(&json!({"day": today()})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());
    let rep: Value = boss.get(t.url(&format!("/api/reports/{}", today()))).send().await.unwrap().json().await.unwrap();
    for (label, want) in recall {
        assert_eq!(figure(&rep, "recall", label), want, "report recall {label}");
    }
    assert_eq!(num(&figure(&rep, "checkpoint", "今日登记（人次）")), want_passes);
    assert_eq!(num(&figure(&rep, "checkpoint", "今日发热")), want_fevers);
    assert_eq!(num(&figure(&rep, "checkpoint", "未结发热病例")), want_open);
    assert_eq!(rows(&section(&rep, "checkpoint")["section"]), want_rows, "per checkpoint in the report");
    let g = bastion_app::dashboard::grouped;
    let sentence = format!(
        "今日全县 5 个卡点共登记 {} 人次，发现发热 {} 人，尚有 {} 例发热病例未结。",
        g(want_passes),
        g(want_fevers),
        g(want_open)
    );
    assert_eq!(section(&rep, "checkpoint")["section"]["sentences"][0], sentence.as_str());

    // The three exports.
    let export = |format: &str| {
        let r = boss.get(t.url(&format!("/api/reports/{}/export?format={format}", today())));
        async move {
            let r = r.send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            r.bytes().await.unwrap().to_vec()
        }
    };
    {
        use calamine::Reader;
        let mut wb: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(export("xlsx").await)).unwrap();
        let sheet = wb.worksheet_range("数字").unwrap();
        let cell = |label: &str| {
            sheet
                .rows()
                .find(|r| r.get(1).map(|c| c.to_string()).as_deref() == Some(label))
                .unwrap_or_else(|| panic!("{label} in the sheet"))[2]
                .to_string()
        };
        assert_eq!(cell("到岗/应到（演练）"), "956/956");
        assert_eq!((cell("到岗"), cell("免到"), cell("未到")), ("940".into(), "16".into(), "0".into()));
        assert_eq!(cell("今日登记（人次）").replace(',', ""), want_passes.to_string());
        assert_eq!(cell("今日发热").replace(',', ""), want_fevers.to_string());
        assert_eq!(cell("未结发热病例").replace(',', ""), want_open.to_string());
        // The checkpoints' table on a sheet of its own: one row per checkpoint.
        let name = wb.sheet_names().into_iter().find(|n| n.contains("卡点")).expect("the checkpoints' sheet");
        let table = wb.worksheet_range(&name).unwrap();
        let got: HashMap<String, (i64, i64)> = table
            .rows()
            .skip(1)
            .map(|r| (r[0].to_string(), (num(&r[1].to_string()), num(&r[2].to_string()))))
            .collect();
        assert_eq!(got, want_rows, "per checkpoint in the workbook");
    }
    let flat = |s: &str| s.split_whitespace().collect::<String>();
    // The text of the PDF with its page numbers (—2—) taken out: a sentence may run onto the next page.
    let mut pdf = flat(&super::pdf::text(&export("pdf").await));
    for page in 1..20 {
        pdf = pdf.replace(&format!("—{page}—"), "");
    }
    assert!(pdf.contains("956/956") && pdf.contains(&flat(&sentence)), "{pdf:.1200}");
    let docx = export("docx").await;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml).unwrap();
    let words: String = xml.split('<').filter_map(|p| p.split_once('>').map(|(_, t)| t)).collect();
    assert!(words.contains("956/956") && words.contains(&sentence), "{words:.1200}");
}

both_backends!(the_figures_equal_the_input);
