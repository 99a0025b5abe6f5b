//! The demo bureau's stock.

use bastion_core::supplies::{MovementKind, StoreKind};
use bastion_store::org::UnitId;
use bastion_store::supplies::{NewMovement, NewStore};

use super::ItemId;
use crate::{App, AppResult, Ctx};

/// Demo stock: a few invented items, the bureau warehouse and a stock point per demo checkpoint
/// and the HQ desk, stocked from the warehouse. Runs after the demo bureau is committed.
pub async fn seed_demo(app: &App) -> AppResult<()> {
    use bastion_core::supplies::ReceiptSource;
    let all_units = app.store.units().await?;
    let u = |code: &str| all_units.iter().find(|x| x.code == code).map(|x| x.id).unwrap_or(UnitId(1));
    let checkpoints: Vec<(i64, String, UnitId)> =
        app.store.checkpoints().await?.into_iter().map(|c| (c.id.0, c.name, c.unit_id)).collect();
    let mut tx_owned = app.store.begin().await?;
    let tx = &mut tx_owned;
    let s = &app.store;
    let items = [
        ("N95", "N95口罩", "只", 20, true, Some(1095), 7, 2),
        ("MASK", "医用外科口罩", "只", 50, true, Some(730), 7, 4),
        ("GLOVE", "丁腈手套", "副", 100, true, Some(1095), 7, 4),
        ("SUIT", "医用防护服", "套", 10, true, Some(730), 5, 1),
        ("GOGGLE", "护目镜", "副", 10, false, None, 0, 0),
        ("ALCO", "75%酒精", "瓶", 24, false, Some(730), 7, 0),
    ];
    let mut ids = Vec::new();
    for (code, name, unit, pack, per_shift, shelf, min_days, kit) in items {
        let id = s
            .insert_supply_item(
                tx,
                &bastion_store::supplies::NewItem {
                    code: code.into(),
                    name: name.into(),
                    issue_unit: unit.into(),
                    pack_size: pack,
                    per_shift,
                    shelf_life_days: shelf,
                    min_days,
                    kit_per_shift: kit,
                },
            )
            .await?;
        ids.push(id);
    }
    let warehouse = s
        .insert_supply_store(
            tx,
            &NewStore {
                code: "WH".into(),
                name: "局装备仓库".into(),
                kind: StoreKind::Warehouse,
                unit_id: u("D03"),
                checkpoint_id: None,
            },
        )
        .await?;
    let mut posts = Vec::new();
    for (n, (cp, name, unit)) in checkpoints.iter().enumerate() {
        posts.push(
            s.insert_supply_store(
                tx,
                &NewStore {
                    code: format!("P{:02}", n + 1),
                    name: format!("{name}物资点"),
                    kind: StoreKind::Checkpoint,
                    unit_id: *unit,
                    checkpoint_id: Some(*cp),
                },
            )
            .await?,
        );
    }
    posts.push(
        s.insert_supply_store(
            tx,
            &NewStore {
                code: "HQ".into(),
                name: "指挥部值班台".into(),
                kind: StoreKind::Desk,
                unit_id: u("HQ"),
                checkpoint_id: None,
            },
        )
        .await?,
    );
    let year = bastion_core::time::today().year();
    let receipts: [(usize, i64, ReceiptSource, Option<&str>); 6] = [
        (0, 2000, ReceiptSource::Allocation, None),
        (1, 5000, ReceiptSource::Purchase, None),
        (2, 3000, ReceiptSource::Purchase, None),
        (3, 300, ReceiptSource::Donation, Some("青岚县爱心商会")),
        (4, 120, ReceiptSource::Allocation, None),
        (5, 240, ReceiptSource::Donation, Some("青岚县爱心商会")),
    ];
    let mv =
        |kind, item: ItemId, batch: &str, exp: Option<String>, q, from, to, source, donor: Option<&str>| NewMovement {
            kind,
            item_id: item,
            batch: batch.to_string(),
            expires_on: exp,
            quantity: q,
            from_store: from,
            to_store: to,
            person_id: None,
            issue_id: None,
            source,
            donor: donor.map(str::to_string),
            reason: String::new(),
            account_id: 0,
            actor: "演示数据".into(),
        };
    for (i, q, src, donor) in receipts {
        let batch = format!("{year}01-{:02}", i + 1);
        let exp = items[i].5.map(|_| format!("{}-12-31", year + 2));
        s.post_movement(
            tx,
            &mv(MovementKind::Receipt, ids[i], &batch, exp, q, None, Some(warehouse), Some(src), donor),
        )
        .await?;
    }
    // Each post gets three days of kit for a dozen people from the warehouse.
    for post in &posts {
        for (i, item) in items.iter().enumerate() {
            let q = if item.7 > 0 {
                item.7 * 12 * 3
            } else if i == 4 {
                10
            } else {
                6
            };
            let batch = format!("{year}01-{:02}", i + 1);
            let exp = item.5.map(|_| format!("{}-12-31", year + 2));
            s.post_movement(
                tx,
                &mv(MovementKind::Transfer, ids[i], &batch, exp, q, Some(warehouse), Some(*post), None, None),
            )
            .await?;
        }
    }
    let root = u("BUREAU");
    app.audit(
        tx,
        &Ctx::cli(root),
        "supplies",
        "生成演示物资",
        "局装备仓库",
        &format!("{} 个品目，{} 个物资点", ids.len(), posts.len()),
    )
    .await?;
    bastion_store::commit(tx_owned).await?;
    Ok(())
}
