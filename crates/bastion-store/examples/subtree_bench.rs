//! Subtree queries at 10,000 units: builds a tree (bureau → 50 departments → 20 squads → 9
//! teams ≈ 10,051 units) with 100,000 people spread over the leaves, then times the queries the
//! people page runs when a unit is clicked. Usage:
//! `cargo run --release -p bastion-store --example subtree_bench [postgres://…/db]`
//! (without a URL: a fresh SQLite file in a temp directory).

use std::time::Instant;

use bastion_core::org::{Category, DutyStatus, PoliticalStatus, Sex, UnitKind};
use bastion_store::org::{NewPerson, NewUnit, PersonFilter, RowScope, UnitId};
use bastion_store::{Crypto, Store};

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args().nth(1);
    let dir = std::env::temp_dir().join(format!("bastion-subtree-{}", std::process::id()));
    let store = Store::open(&dir, url.as_deref(), Crypto::generate()).await?;
    let backend = store.backend.name();
    let t0 = Instant::now();
    let mut tx = store.begin().await?;
    let unit = |parent: Option<UnitId>, code: String, kind| NewUnit {
        parent_id: parent,
        name: code.clone(),
        code,
        kind,
        sort_order: 0,
        phone: None,
    };
    let root = store.insert_unit(&mut tx, &unit(None, "R".into(), UnitKind::Bureau)).await?.id;
    let mut leaves = Vec::new();
    let mut mids = Vec::new();
    for d in 0..50 {
        let dep = store.insert_unit(&mut tx, &unit(Some(root), format!("D{d}"), UnitKind::Department)).await?.id;
        for q in 0..20 {
            let sq = store.insert_unit(&mut tx, &unit(Some(dep), format!("D{d}-{q}"), UnitKind::Squad)).await?.id;
            mids.push(sq);
            for g in 0..9 {
                leaves.push(
                    store.insert_unit(&mut tx, &unit(Some(sq), format!("D{d}-{q}-{g}"), UnitKind::Squad)).await?.id,
                );
            }
        }
    }
    for i in 0..100_000usize {
        let p = NewPerson {
            police_no: format!("P{i:07}"),
            name: format!("人员{i}"),
            category: Category::Police,
            sex: Sex::Male,
            birth_date: None,
            hire_date: None,
            id_number: None,
            mobile: None,
            unit_id: leaves[i % leaves.len()],
            position: None,
            political_status: PoliticalStatus::Masses,
            duty_status: DutyStatus::OnDuty,
            police_types: vec![],
            skills: vec![],
        };
        store.insert_person(&mut tx, &p).await?;
    }
    bastion_store::commit(tx).await?;
    let units = store.units().await?.len();
    println!("{backend}: built {units} units and 100000 people in {:.1} s", t0.elapsed().as_secs_f64());

    let deps: Vec<UnitId> = store.units().await?.iter().filter(|u| u.depth == 1).map(|u| u.id).collect();
    let mut subtree_ms = Vec::new();
    let mut list_ms = Vec::new();
    for i in 0..200 {
        let dep = deps[i % deps.len()];
        let t = Instant::now();
        let sub = store.subtree(dep).await?;
        subtree_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(sub.len(), 1 + 20 + 180);
        let mid = mids[(i * 7) % mids.len()];
        let t = Instant::now();
        let page =
            store.people(&RowScope::All, &PersonFilter { unit_id: Some(mid.0), ..Default::default() }, 1, 10).await?;
        list_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        assert!(page.total >= 9 * (100_000 / leaves.len() as i64), "a squad subtree holds its teams' people");
    }
    println!(
        "{backend}: subtree of a department (201 units) p50 {:.2} ms p99 {:.2} ms; people page filtered by a squad's subtree p50 {:.2} ms p99 {:.2} ms",
        pct(&mut subtree_ms.clone(), 0.5),
        pct(&mut subtree_ms, 0.99),
        pct(&mut list_ms.clone(), 0.5),
        pct(&mut list_ms, 0.99)
    );
    store.close().await;
    let _ = std::fs::remove_dir_all(dir);
    Ok(())
}
