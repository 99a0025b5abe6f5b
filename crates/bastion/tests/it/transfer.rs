//! Import and export: round trips change nothing, broken files write nothing and say why.

use bastion_app::transfer::{Format2, ImportOptions};
use bastion_app::Ctx;
use bastion_store::org::{PersonFilter, RowScope, UnitId};
use bastion_testkit::{both_backends, spawn_app, Backend};
use calamine::Reader;
use reqwest::StatusCode;
use serde_json::Value;

fn admin() -> Ctx {
    Ctx::cli(UnitId(1))
}

fn no_progress(_: usize, _: usize) {}

fn xlsx_rows(bytes: &[u8], sheet: &str) -> Vec<Vec<String>> {
    let mut wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = wb.worksheet_range(sheet).unwrap();
    range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

async fn export_then_reimport_changes_nothing(backend: Backend) {
    let t = spawn_app(backend, true).await;
    for format in [Format2::Xlsx, Format2::Csv] {
        let (bytes, n) = t.app.export_people(&admin(), &PersonFilter::default(), format).await.unwrap();
        assert_eq!(n, 956);
        if format == Format2::Xlsx {
            let rows = xlsx_rows(&bytes, "人员");
            assert_eq!(rows.len(), 957);
            assert_eq!(rows[0][0], "警号");
            let id_col = rows[0].iter().position(|h| h == "身份证号").unwrap();
            assert!(rows[1][id_col].contains("***********"), "exported ID numbers are masked");
        }
        let name = if format == Format2::Xlsx { "people.xlsx" } else { "people.csv" };
        let before =
            t.app.store.people(&RowScope::All, &PersonFilter::default(), 1, 1).await.unwrap().items[0].updated_at;
        let report = t
            .app
            .import_people(
                &admin(),
                name,
                &bytes,
                ImportOptions { update_existing: true, dry_run: false },
                &no_progress,
            )
            .await
            .unwrap();
        assert!(report.errors.is_empty(), "{:?}", &report.errors[..report.errors.len().min(3)]);
        assert_eq!((report.total, report.created, report.updated, report.unchanged), (956, 0, 0, 956));
        let after =
            t.app.store.people(&RowScope::All, &PersonFilter::default(), 1, 1).await.unwrap().items[0].updated_at;
        assert_eq!(before, after, "no row was rewritten");
    }
}

async fn broken_rows_write_nothing_and_are_reported(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let id = bastion_testkit::test_id_number;
    let csv = format!(
        "警号,姓名,人员类别,性别,出生日期,入职日期,身份证号,手机号,单位编码,职务,政治面貌,在岗状态,警种,技能特长\n\
        880001,好人甲,民警,男,,,{},,S01,,,,,\n\
        880002,校验错,民警,,,,110105194912310021,,S01,,,,,\n\
        880003,单位错,民警,男,,,{},,NOPE,,,,,\n\
        880001,重复号,民警,男,,,{},,S01,,,,,\n\
        880004,日期错,民警,男,,2020-13-01,{},,S01,,,,,\n\
        880005,,民警,男,,,{},,S01,,,,,\n\
        510001,已存在,民警,男,,,,,S01,,,,,\n",
        id(1),
        id(3),
        id(5),
        id(7),
        id(9)
    );
    let report =
        t.app.import_people(&admin(), "bad.csv", csv.as_bytes(), ImportOptions::default(), &no_progress).await.unwrap();
    assert!(!report.committed);
    let mut seen: Vec<(usize, &str)> = report.errors.iter().map(|e| (e.row, e.column.as_str())).collect();
    seen.sort();
    assert_eq!(seen, vec![(3, "身份证号"), (4, "单位编码"), (5, "警号"), (6, "入职日期"), (7, "姓名"), (8, "警号")]);
    let id_err = report.errors.iter().find(|e| e.column == "身份证号").unwrap();
    assert_eq!(id_err.value, "110***********0021", "personal numbers are masked in the report");
    assert!(id_err.rule.contains("校验位"));
    let total = t.app.store.people(&RowScope::All, &PersonFilter::default(), 1, 1).await.unwrap().total;
    assert_eq!(total, 956, "nothing written");
    // The report downloads as xlsx with row, column, value, rule.
    let xlsx = bastion_app::transfer::error_report(&report.errors).unwrap();
    let rows = xlsx_rows(&xlsx, "错误报告");
    assert_eq!(rows[0], vec!["行号", "列", "值", "错误原因"]);
    assert_eq!(rows.len(), 7);
}

async fn wrong_sheet_and_wrong_file_are_explained(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let mut wb = rust_xlsxwriter::Workbook::new();
    wb.add_worksheet().set_name("Sheet1").unwrap();
    wb.add_worksheet().set_name("其他").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let err =
        t.app.import_people(&admin(), "x.xlsx", &bytes, ImportOptions::default(), &no_progress).await.unwrap_err();
    assert!(format!("{err:?}").contains("未找到工作表“人员”"), "{err:?}");
    let err = t.app.import_people(&admin(), "x.txt", b"abc", ImportOptions::default(), &no_progress).await.unwrap_err();
    assert!(format!("{err:?}").contains("仅允许导入 xlsx 或 csv"), "{err:?}");
    let err = t
        .app
        .import_people(&admin(), "x.xlsx", b"not a zip", ImportOptions::default(), &no_progress)
        .await
        .unwrap_err();
    assert!(format!("{err:?}").contains("无法读取该 Excel 文件"), "{err:?}");
    let err = t
        .app
        .import_people(&admin(), "x.csv", "姓名,警号\n".as_bytes(), ImportOptions::default(), &no_progress)
        .await
        .unwrap_err();
    assert!(format!("{err:?}").contains("表头缺少列：人员类别、单位编码"), "{err:?}");
}

async fn template_imports_and_dry_run_writes_nothing(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let template = bastion_app::transfer::people_template(Format2::Xlsx).unwrap();
    let dry = t
        .app
        .import_people(
            &admin(),
            "t.xlsx",
            &template,
            ImportOptions { dry_run: true, update_existing: false },
            &no_progress,
        )
        .await
        .unwrap();
    assert_eq!((dry.created, dry.committed), (1, false));
    assert_eq!(t.app.store.people(&RowScope::All, &PersonFilter::default(), 1, 1).await.unwrap().total, 956);
    let real =
        t.app.import_people(&admin(), "t.xlsx", &template, ImportOptions::default(), &no_progress).await.unwrap();
    assert_eq!((real.created, real.committed), (1, true));
    assert_eq!(t.app.store.people(&RowScope::All, &PersonFilter::default(), 1, 1).await.unwrap().total, 957);
    // Units import: a new station under the bureau, then a squad under it.
    let units = "单位编码,单位名称,上级单位编码,单位类型,显示顺序,联系电话\nS99,新城派出所,BUREAU,派出所,99,\nS99-1,新城一中队,S99,中队,1,\n";
    let r = t.app.import_units(&admin(), "u.csv", units.as_bytes(), ImportOptions::default()).await.unwrap();
    assert_eq!((r.created, r.committed), (2, true));
    let squad = t.app.store.unit_by_code("S99-1").await.unwrap().unwrap();
    let station = t.app.store.unit_by_code("S99").await.unwrap().unwrap();
    assert!(squad.path.starts_with(&station.path));
}

async fn import_and_export_over_http(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("sysadmin").await;
    let r = c.get(t.url("/api/people/export?format=csv&category=auxiliary")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains("attachment"));
    let body = r.bytes().await.unwrap();
    assert!(body.starts_with(b"\xEF\xBB\xBF"), "CSV carries a BOM for Excel/WPS");
    let text = String::from_utf8_lossy(&body);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() > 100);
    assert!(lines[1..].iter().all(|l| l.contains(",辅警,")), "the filter applies to the export");
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(body.to_vec()).file_name("aux.csv"));
    let r = c.post(t.url("/api/people/import?update_existing=true&dry_run=true")).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let rep: Value = r.json().await.unwrap();
    assert_eq!(rep["unchanged"], rep["total"]);
    let (recs, _) = t.app.store.audit_records(Some("sysadmin"), None, 5, 0).await.unwrap();
    assert!(recs.iter().any(|r| r.action == "导出人员"), "exports are audited");
}

both_backends!(
    export_then_reimport_changes_nothing,
    broken_rows_write_nothing_and_are_reported,
    wrong_sheet_and_wrong_file_are_explained,
    template_imports_and_dry_run_writes_nothing,
    import_and_export_over_http
);
