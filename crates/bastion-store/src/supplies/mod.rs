//! Protective supplies (防护物资): items, stores, the ledger of movements and the balance per
//! store, item and batch. Stock only changes through [`Store::post_movement`], which writes the
//! ledger row and moves the balance in the caller's transaction; a decrement is conditional on
//! enough stock, so a balance never goes below zero. On PostgreSQL the balances of an item in a
//! store are read `FOR UPDATE` before a withdrawal is planned ([`Store::lock_balances`]); SQLite has
//! one writer, so its transactions never interleave.

use bastion_core::supplies::StoreKind;
use serde::Serialize;
use sqlx::Row;

use crate::db::{flag, found, unique, Store, StoreError, StoreResult, Tx};
use crate::org::{PersonId, UnitId};

mod issues;
mod ledger;
mod requests;
mod unprotected;
pub use issues::{IssueQuery, IssueRecord, Issuer, NewIssue, NewSubmission};
pub use ledger::{Movement, NewMovement};
pub use requests::{RequestId, RequestLine, SupplyRequest};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct ItemId(pub i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct StoreId(pub i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct IssueId(pub i64);

/// 物资品目
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Item {
    pub id: ItemId,
    pub code: String,
    pub name: String,
    /// The unit of issue (只、副、套、瓶…).
    pub issue_unit: String,
    pub pack_size: i64,
    /// Used up within a shift (a mask) rather than durable (goggles).
    pub per_shift: bool,
    pub shelf_life_days: Option<i64>,
    /// Minimum days of supply to keep.
    pub min_days: i64,
    /// Kit per person per shift, in units of issue (0: not in the standard kit).
    pub kit_per_shift: i64,
    pub enabled: bool,
}

#[derive(Debug, Clone)]
pub struct NewItem {
    pub code: String,
    pub name: String,
    pub issue_unit: String,
    pub pack_size: i64,
    pub per_shift: bool,
    pub shelf_life_days: Option<i64>,
    pub min_days: i64,
    pub kit_per_shift: i64,
}

/// 库点: the warehouse, or a post's stock point; its data scope is its unit.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct SupplyStore {
    pub id: StoreId,
    pub code: String,
    pub name: String,
    pub kind: StoreKind,
    pub unit_id: UnitId,
    pub unit_name: String,
    #[serde(skip)]
    pub unit_path: String,
    pub checkpoint_id: Option<i64>,
    pub enabled: bool,
}

#[derive(Debug, Clone)]
pub struct NewStore {
    pub code: String,
    pub name: String,
    pub kind: StoreKind,
    pub unit_id: UnitId,
    pub checkpoint_id: Option<i64>,
}

/// What one store holds of one batch of one item.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Balance {
    pub store_id: StoreId,
    pub item_id: ItemId,
    pub batch: String,
    pub expires_on: Option<String>,
    pub quantity: i64,
}

/// A stock line for display.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct StockLine {
    pub store_id: StoreId,
    pub store_name: String,
    #[serde(skip)]
    pub unit_path: String,
    pub item_id: ItemId,
    pub item_code: String,
    pub item_name: String,
    pub issue_unit: String,
    pub batch: String,
    pub expires_on: Option<String>,
    pub quantity: i64,
}

/// A person who may be issued kit at a post.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PostPerson {
    pub id: PersonId,
    pub name: String,
    pub police_no: String,
    pub unit_path: String,
}

const ITEM_COLS: &str =
    "id, code, name, issue_unit, pack_size, per_shift, shelf_life_days, min_days, kit_per_shift, enabled";

fn item_row(r: &sqlx::any::AnyRow) -> StoreResult<Item> {
    Ok(Item {
        id: ItemId(r.try_get("id")?),
        code: r.try_get("code")?,
        name: r.try_get("name")?,
        issue_unit: r.try_get("issue_unit")?,
        pack_size: r.try_get("pack_size")?,
        per_shift: flag(r, "per_shift")?,
        shelf_life_days: r.try_get("shelf_life_days")?,
        min_days: r.try_get("min_days")?,
        kit_per_shift: r.try_get("kit_per_shift")?,
        enabled: flag(r, "enabled")?,
    })
}

const STORE_SELECT: &str = "SELECT s.id, s.code, s.name, s.kind, s.unit_id, u.name AS unit_name, u.path AS unit_path, \
     s.checkpoint_id, s.enabled FROM supply_stores s JOIN units u ON u.id = s.unit_id";

fn store_row(r: &sqlx::any::AnyRow) -> StoreResult<SupplyStore> {
    Ok(SupplyStore {
        id: StoreId(r.try_get("id")?),
        code: r.try_get("code")?,
        name: r.try_get("name")?,
        kind: StoreKind::parse(&r.try_get::<String, _>("kind")?).unwrap_or(StoreKind::Team),
        unit_id: UnitId(r.try_get("unit_id")?),
        unit_name: r.try_get("unit_name")?,
        unit_path: r.try_get("unit_path")?,
        checkpoint_id: r.try_get("checkpoint_id")?,
        enabled: flag(r, "enabled")?,
    })
}

pub(super) const STOCK_SELECT: &str = "SELECT b.store_id, s.name AS store_name, u.path AS unit_path, b.item_id, i.code AS item_code, \
     i.name AS item_name, i.issue_unit, b.batch, b.expires_on, b.quantity FROM supply_balances b \
     JOIN supply_stores s ON s.id = b.store_id JOIN units u ON u.id = s.unit_id JOIN supply_items i ON i.id = b.item_id";

pub(super) fn stock_row(r: &sqlx::any::AnyRow) -> StoreResult<StockLine> {
    Ok(StockLine {
        store_id: StoreId(r.try_get("store_id")?),
        store_name: r.try_get("store_name")?,
        unit_path: r.try_get("unit_path")?,
        item_id: ItemId(r.try_get("item_id")?),
        item_code: r.try_get("item_code")?,
        item_name: r.try_get("item_name")?,
        issue_unit: r.try_get("issue_unit")?,
        batch: r.try_get("batch")?,
        expires_on: r.try_get("expires_on")?,
        quantity: r.try_get("quantity")?,
    })
}

impl Store {
    // ---- items and stores

    pub async fn supply_items(&self) -> StoreResult<Vec<Item>> {
        let rows =
            sqlx::query(&format!("SELECT {ITEM_COLS} FROM supply_items ORDER BY code")).fetch_all(&self.read).await?;
        rows.iter().map(item_row).collect()
    }

    pub async fn insert_supply_item(&self, tx: &mut Tx, i: &NewItem) -> StoreResult<ItemId> {
        let t = bastion_core::time::now_ms();
        let row = sqlx::query(
            "INSERT INTO supply_items (code, name, issue_unit, pack_size, per_shift, shelf_life_days, min_days, \
             kit_per_shift, enabled, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,1,$9,$9) RETURNING id",
        )
        .bind(&i.code)
        .bind(&i.name)
        .bind(&i.issue_unit)
        .bind(i.pack_size)
        .bind(i64::from(i.per_shift))
        .bind(i.shelf_life_days)
        .bind(i.min_days)
        .bind(i.kit_per_shift)
        .bind(t)
        .fetch_one(&mut **tx)
        .await
        .map_err(unique("物资编码", &i.code))?;
        Ok(ItemId(row.try_get("id")?))
    }

    pub async fn update_supply_item(&self, tx: &mut Tx, id: ItemId, i: &NewItem) -> StoreResult<()> {
        let n = sqlx::query(
            "UPDATE supply_items SET code=$1, name=$2, issue_unit=$3, pack_size=$4, per_shift=$5, shelf_life_days=$6, \
             min_days=$7, kit_per_shift=$8, updated_at=$9 WHERE id=$10",
        )
        .bind(&i.code)
        .bind(&i.name)
        .bind(&i.issue_unit)
        .bind(i.pack_size)
        .bind(i64::from(i.per_shift))
        .bind(i.shelf_life_days)
        .bind(i.min_days)
        .bind(i.kit_per_shift)
        .bind(bastion_core::time::now_ms())
        .bind(id.0)
        .execute(&mut **tx)
        .await
        .map_err(unique("物资编码", &i.code))?
        .rows_affected();
        found(n)
    }

    pub async fn supply_stores(&self) -> StoreResult<Vec<SupplyStore>> {
        let rows =
            sqlx::query(&format!("{STORE_SELECT} ORDER BY CASE WHEN s.kind = 'warehouse' THEN 0 ELSE 1 END, s.code"))
                .fetch_all(&self.read)
                .await?;
        rows.iter().map(store_row).collect()
    }

    pub async fn insert_supply_store(&self, tx: &mut Tx, s: &NewStore) -> StoreResult<StoreId> {
        let row = sqlx::query(
            "INSERT INTO supply_stores (code, name, kind, unit_id, checkpoint_id, enabled, created_at) \
             VALUES ($1,$2,$3,$4,$5,1,$6) RETURNING id",
        )
        .bind(&s.code)
        .bind(&s.name)
        .bind(s.kind.code())
        .bind(s.unit_id.0)
        .bind(s.checkpoint_id)
        .bind(bastion_core::time::now_ms())
        .fetch_one(&mut **tx)
        .await
        .map_err(unique("库点编码", &s.code))?;
        Ok(StoreId(row.try_get("id")?))
    }

    /// The people of a post's unit (and the units below it), enabled, by police number.
    pub async fn post_people(&self, unit_path: &str) -> StoreResult<Vec<PostPerson>> {
        let rows = sqlx::query(
            "SELECT p.id, p.name, p.police_no, u.path FROM people p JOIN units u ON u.id = p.unit_id \
             WHERE p.enabled = 1 AND substr(u.path, 1, length($1)) = $1 ORDER BY u.path, p.police_no",
        )
        .bind(unit_path)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PostPerson {
                    id: PersonId(r.try_get("id")?),
                    name: r.try_get("name")?,
                    police_no: r.try_get("police_no")?,
                    unit_path: r.try_get("path")?,
                })
            })
            .collect()
    }

    /// A person's name and unit path (inside a transaction, for issues).
    pub async fn supply_person(&self, tx: &mut Tx, id: PersonId) -> StoreResult<PostPerson> {
        let r = sqlx::query(
            "SELECT p.id, p.name, p.police_no, u.path FROM people p JOIN units u ON u.id = p.unit_id \
             WHERE p.id = $1 AND p.enabled = 1",
        )
        .bind(id.0)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok(PostPerson {
            id: PersonId(r.try_get("id")?),
            name: r.try_get("name")?,
            police_no: r.try_get("police_no")?,
            unit_path: r.try_get("path")?,
        })
    }
}
