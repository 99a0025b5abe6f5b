//! Inspections at scale, through the use cases (no HTTP): the demo bureau on a fresh database,
//! `--inspections` inspections (default 100,000) with three findings each spread over the last 60
//! days and the demo's posts (most closed, some open, some awaiting re-inspection), then the
//! findings list (filters: open; overdue, scoped to a station) and the per-unit statistics (a week,
//! the whole period) timed `--rounds` times each; beside them, in the same run, the store's
//! trivial round trip (`SELECT 1`) as the floor. Last, five 4-MB photos added to one inspection,
//! timed as a whole. Prints p50/p99 in milliseconds.
//!
//! Usage: `inspection_bench --data EMPTY_DIR [--database URL_OF_AN_EMPTY_DATABASE] [--inspections N] [--rounds R]`

mod common;
use common::{arg, e, num, timed};

use std::time::Instant;

use bastion_app::inspection::InspectionInput;
use bastion_core::inspection::{FindingStatus, ItemResult, Severity};
use bastion_store::inspection::{NewFinding, NewInspection};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let data = std::path::PathBuf::from(arg("--data").unwrap_or_else(|| "/tmp/bastion-inspection-bench".into()));
    let database = arg("--database");
    let total: usize = num("--inspections", 100_000);
    let rounds: usize = num("--rounds", 300);
    let (store, app) = common::demo_bureau(&data, database.as_deref()).await?;
    let backend = store.backend.name();
    let (boss, secretary) = (common::ctx_of(&store, "commander").await?, common::ctx_of(&store, "secretary").await?);
    let posts = store.duty_posts().await?;
    let templates = store.inspection_templates().await?;

    // Generate: 1,000 inspections per transaction, three findings each.
    let started = Instant::now();
    let now = bastion_core::time::now_ms();
    let span = 60 * 86_400_000_i64;
    let mut n = 0usize;
    while n < total {
        let mut tx = store.begin().await?;
        for _ in 0..1000.min(total - n) {
            let post = &posts[n % posts.len()];
            let t = templates.iter().find(|t| t.kind == post.kind).ok_or_else(|| anyhow::anyhow!("no checklist"))?;
            let at = now - span + (n as i64 * 7919) % span;
            let severity = [Severity::Minor, Severity::Major, Severity::Critical][n % 3];
            let finding = |k: usize| NewFinding {
                item_idx: Some(k as i64),
                text: format!("{}：抽查发现问题", t.items[k % t.items.len()]),
                severity,
                person_id: None,
                deadline_at: at + 48 * 3_600_000,
            };
            let i = NewInspection {
                client_key: format!("bench-{n:09}"),
                plan_id: None,
                post_id: post.id,
                unit_id: post.unit_id,
                template_id: t.id,
                follows_finding: None,
                inspector: "commander".into(),
                inspector_name: "指挥长".into(),
                note: String::new(),
                location: String::new(),
                started_at: at - 600_000,
                received_at: at,
                items: t
                    .items
                    .iter()
                    .enumerate()
                    .map(|(k, x)| (x.clone(), if k < 3 { ItemResult::NotOk } else { ItemResult::Ok }, String::new()))
                    .collect(),
                findings: (0..3).map(finding).collect(),
            };
            store.insert_inspection(&mut tx, &i).await?;
            n += 1;
        }
        bastion_store::commit(tx).await?;
    }
    // Most findings closed, some awaiting re-inspection, the rest open: each moved by the store's
    // own step, so the statistics' counters follow as they do in service.
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM inspection_findings ORDER BY id").fetch_all(store.reader()).await?;
    for chunk in ids.chunks(1000) {
        let mut tx = store.begin().await?;
        for &id in chunk {
            let to = match id % 10 {
                0..=6 => FindingStatus::Closed,
                7 => FindingStatus::Rectified,
                _ => continue,
            };
            let id = bastion_store::inspection::FindingId(id);
            store
                .finding_step(&mut tx, id, FindingStatus::Open, to, "close", "复查合格", "commander", "指挥长")
                .await?;
        }
        bastion_store::commit(tx).await?;
    }
    store.analyze().await?;
    // A serving node folds the write-ahead log into the database every second (the
    // `sqlite_wal_checkpoint` job); do the same once here, so reads are timed as they are served.
    store.checkpoint_wal().await?;
    let generated = started.elapsed();
    let findings: i64 = app.findings(&boss, None, false, 1, 1).await.map_err(e)?.total;
    println!("backend={backend} inspections={total} findings={findings} generated_s={:.1}", generated.as_secs_f64());

    let today = bastion_core::time::today();
    let week = today.checked_sub(jiff::Span::new().days(6)).unwrap_or(today);
    let all = today.checked_sub(jiff::Span::new().days(60)).unwrap_or(today);
    let floor = timed(rounds, || async { store.ping().await.map_err(e) }).await?;
    let open =
        timed(rounds, || async { app.findings(&boss, Some(FindingStatus::Open), false, 1, 20).await.map_err(e) })
            .await?;
    let late = timed(rounds, || async { app.findings(&secretary, None, true, 1, 20).await.map_err(e) }).await?;
    let week_stats = timed(rounds, || async { app.inspection_stats(&boss, week, today).await.map_err(e) }).await?;
    let all_stats = timed(rounds, || async { app.inspection_stats(&boss, all, today).await.map_err(e) }).await?;
    for (what, (p50, p99)) in [
        ("floor SELECT 1", floor),
        ("findings open, page 1", open),
        ("findings overdue, a station's scope", late),
        ("statistics, 7 days", week_stats),
        ("statistics, 60 days", all_stats),
    ] {
        println!("{what}: p50 {p50:.2} ms, p99 {p99:.2} ms");
    }

    // Five 4-MB photos to one inspection, received and stored.
    let site = app.on_site(&boss, posts[0].id, now).await.map_err(e)?;
    let v = InspectionInput {
        client_key: "bench-photos-0001".into(),
        post_id: site.post.id.0.to_string(),
        template_id: site.template.id.0.to_string(),
        items: site
            .template
            .items
            .iter()
            .map(|_| bastion_app::inspection::ItemInput { result: "ok".into(), ..Default::default() })
            .collect(),
        ..Default::default()
    };
    let done = app.submit_inspection(&boss, &v).await.map_err(e)?;
    let photos: Vec<Vec<u8>> = (0..5u32).map(noise_png).collect::<anyhow::Result<_>>()?;
    let sizes: Vec<String> = photos.iter().map(|p| format!("{:.1}", p.len() as f64 / 1048576.0)).collect();
    let t = Instant::now();
    for p in photos {
        app.add_inspection_photo(&boss, done.id, p, "camera").await.map_err(e)?;
    }
    println!("five photos ({} MB): {:.2} s", sizes.join(", "), t.elapsed().as_secs_f64());
    Ok(())
}

/// A PNG of noise, about 4 MB (noise does not compress): what a phone's photo weighs.
fn noise_png(seed: u32) -> anyhow::Result<Vec<u8>> {
    let (w, h) = (1200u32, 1150u32);
    let mut x = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    let img = image::RgbImage::from_fn(w, h, |_, _| {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        image::Rgb([x as u8, (x >> 8) as u8, (x >> 16) as u8])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)?;
    Ok(out.into_inner())
}
