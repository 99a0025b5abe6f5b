//! What the benchmark examples of this crate share. An example takes it with `mod common;` (a
//! folder without `main.rs` is not an example of its own).

use bastion_store::org::{NewPerson, UnitId};
use bastion_store::Store;

/// N people spread over the demo units (no personal numbers), 5,000 per transaction.
pub async fn add_people(store: &Store, n: i64) -> anyhow::Result<()> {
    use bastion_core::org::{Category, DutyStatus, PoliceType, PoliticalStatus, Sex};
    let units: Vec<UnitId> = store.units().await?.iter().map(|u| u.id).collect();
    let mut i = 0;
    while i < n {
        let end = (i + 5000).min(n);
        let mut tx = store.begin().await?;
        for k in i..end {
            let p = NewPerson {
                police_no: format!("B{k:07}"),
                name: format!("基准{k}"),
                category: if k % 3 == 0 { Category::Auxiliary } else { Category::Police },
                sex: if k % 5 == 0 { Sex::Female } else { Sex::Male },
                birth_date: None,
                hire_date: None,
                id_number: None,
                mobile: None,
                unit_id: units[(k as usize) % units.len()],
                position: None,
                political_status: PoliticalStatus::Masses,
                duty_status: if k % 100 == 0 { DutyStatus::Leave } else { DutyStatus::OnDuty },
                police_types: vec![PoliceType::Station],
                skills: Vec::new(),
            };
            store.insert_person(&mut tx, &p).await?;
        }
        bastion_store::commit(tx).await?;
        i = end;
    }
    Ok(())
}
