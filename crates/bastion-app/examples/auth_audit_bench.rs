//! Sign-in figures: sign-in cost with the chosen argon2 parameters, and what the audit record adds
//! to a write (the same person update with and without its audit append, same transaction shape).
//! `cargo run --release -p bastion-app --example auth_audit_bench [postgres://…/empty_db]`

use std::time::Instant;

use bastion_app::org::PersonInput;
use bastion_app::{App, Ctx, Policy};
use bastion_store::org::{PersonFilter, RowScope, UnitId};
use bastion_store::{Crypto, Store};

fn stats(v: &mut [f64]) -> (f64, f64, f64) {
    v.sort_by(|a, b| a.total_cmp(b));
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    (mean, v[v.len() / 2], v[((v.len() as f64 - 1.0) * 0.99) as usize])
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args().nth(1);
    let dir = std::env::temp_dir().join(format!("bastion-authbench-{}", std::process::id()));
    let store = Store::open(&dir, url.as_deref(), Crypto::generate()).await?;
    let backend = store.backend.name();
    let app = App::new(store.clone(), Policy::default());
    app.create_demo("Bench#2026pw", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP").await.map_err(|e| format!("{e:?}"))?;

    // Sign-in: sequential latency, then throughput with two concurrent callers (2 cores).
    let mut lat = Vec::new();
    for _ in 0..60 {
        let t = Instant::now();
        app.login("commander", "Bench#2026pw", None, "127.0.0.1", "bench").await.map_err(|e| format!("{e:?}"))?;
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let (mean, p50, p99) = stats(&mut lat);
    let t = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..2 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..40 {
                let _ = app.login("commander", "Bench#2026pw", None, "127.0.0.1", "bench").await;
            }
        }));
    }
    for task in tasks {
        task.await?;
    }
    let rate = 80.0 / t.elapsed().as_secs_f64();
    println!("{backend}: login (argon2id m=19456 KiB, t=2, p=1) mean {mean:.1} ms p50 {p50:.1} ms p99 {p99:.1} ms; {rate:.0} logins/s with 2 callers");

    // A write with its audit record vs the same write without.
    let ctx = Ctx::cli(UnitId(1));
    let people = store.people(&RowScope::All, &PersonFilter::default(), 1, 200).await?.items;
    let input = |i: usize| PersonInput {
        police_no: people[i % people.len()].police_no.clone(),
        name: format!("基准{}", i % 97),
        category: "police".into(),
        sex: "male".into(),
        unit_id: people[i % people.len()].unit_id.0.to_string(),
        ..Default::default()
    };
    let rounds = 1500;
    let (mut with, mut without) = (Vec::new(), Vec::new());
    for i in 0..rounds {
        let p = &people[i % people.len()];
        let parsed = input(i).parse(Some(p.unit_id)).map_err(|e| format!("{e:?}"))?;
        // Alternate so both see the same machine state.
        let t = Instant::now();
        let mut tx = store.begin().await?;
        store.update_person(&mut tx, p.id, &parsed).await?;
        bastion_store::commit(tx).await?;
        without.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        let mut tx = store.begin().await?;
        store.update_person(&mut tx, p.id, &parsed).await?;
        app.audit(&mut tx, &ctx, "org", "修改人员", &format!("person:{}", p.id.0), "")
            .await
            .map_err(|e| format!("{e:?}"))?;
        bastion_store::commit(tx).await?;
        with.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let (wm, w50, w99) = stats(&mut with);
    let (nm, n50, n99) = stats(&mut without);
    println!(
        "{backend}: person update without audit mean {nm:.3} ms p50 {n50:.3} p99 {n99:.3}; with audit mean {wm:.3} ms p50 {w50:.3} p99 {w99:.3}; audit adds {:.1}% to the mean",
        (wm / nm - 1.0) * 100.0
    );
    let (n, broken) = store.verify_audit().await?;
    println!("{backend}: audit chain of {n} records verified: {}", if broken.is_none() { "intact" } else { "BROKEN" });
    store.close().await;
    let _ = std::fs::remove_dir_all(dir);
    Ok(())
}
