//! Protective supplies (防护物资): items, stores, the ledger of movements and the balance per
//! store, item and batch. Stock only changes through [`Store::post_movement`], which writes the
//! ledger row and moves the balance in the caller's transaction; a decrement is conditional on
//! enough stock, so a balance never goes below zero. On PostgreSQL the balances of an item in a
//! store are read `FOR UPDATE` before a withdrawal is planned ([`Store::lock_balances`]); SQLite has
//! one writer, so its transactions never interleave.

use bastion_core::supplies::{MovementKind, ReceiptSource, StoreKind};
use serde::Serialize;
use sqlx::Row;

use crate::db::{flag, found, unique, Backend, Store, StoreError, StoreResult, Tx};
use crate::org::{PersonId, UnitId};

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

/// One ledger row, ready to post.
#[derive(Debug, Clone)]
pub struct NewMovement {
    pub kind: MovementKind,
    pub item_id: ItemId,
    pub batch: String,
    pub expires_on: Option<String>,
    /// Whole units, always positive; the direction is from → to.
    pub quantity: i64,
    pub from_store: Option<StoreId>,
    pub to_store: Option<StoreId>,
    pub person_id: Option<PersonId>,
    pub issue_id: Option<IssueId>,
    pub source: Option<ReceiptSource>,
    pub donor: Option<String>,
    pub reason: String,
    pub account_id: i64,
    pub actor: String,
}

/// One ledger row, as read.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Movement {
    pub id: i64,
    pub kind: MovementKind,
    pub item_id: ItemId,
    pub item_name: String,
    pub issue_unit: String,
    pub batch: String,
    pub expires_on: Option<String>,
    pub quantity: i64,
    pub from_store_id: Option<StoreId>,
    pub from_store: Option<String>,
    pub to_store_id: Option<StoreId>,
    pub to_store: Option<String>,
    pub person_id: Option<PersonId>,
    pub person_name: Option<String>,
    pub source: Option<ReceiptSource>,
    pub donor: Option<String>,
    pub reason: String,
    pub actor: String,
    pub at: i64,
}

/// A sign-off of kit to one person for one shift.
#[derive(Debug, Clone)]
pub struct NewIssue {
    pub store_id: StoreId,
    pub person_id: PersonId,
    pub shift_date: String,
    pub shift: String,
    pub signature: Option<(String, Vec<u8>)>,
    pub leader_reason: Option<String>,
    pub repeat_reason: Option<String>,
    pub expired_reason: Option<String>,
    pub account_id: i64,
    pub actor: String,
}

/// An issue as read, with its lines in words.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct IssueRecord {
    pub id: IssueId,
    pub store_id: StoreId,
    pub store_name: String,
    pub person_id: PersonId,
    pub person_name: String,
    pub police_no: String,
    #[serde(skip)]
    pub unit_path: String,
    pub shift_date: String,
    pub shift: String,
    pub signed: bool,
    pub leader_reason: Option<String>,
    pub repeat_reason: Option<String>,
    pub expired_reason: Option<String>,
    pub actor: String,
    pub at: i64,
    /// `N95口罩 ×2、丁腈手套 ×4`
    pub lines: String,
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

const STOCK_SELECT: &str = "SELECT b.store_id, s.name AS store_name, u.path AS unit_path, b.item_id, i.code AS item_code, \
     i.name AS item_name, i.issue_unit, b.batch, b.expires_on, b.quantity FROM supply_balances b \
     JOIN supply_stores s ON s.id = b.store_id JOIN units u ON u.id = s.unit_id JOIN supply_items i ON i.id = b.item_id";

fn stock_row(r: &sqlx::any::AnyRow) -> StoreResult<StockLine> {
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

const MOVEMENT_SELECT: &str =
    "SELECT m.id, m.kind, m.item_id, i.name AS item_name, i.issue_unit, m.batch, m.expires_on, \
     m.quantity, m.from_store_id, fs.name AS from_store, m.to_store_id, ts.name AS to_store, m.person_id, \
     p.name AS person_name, m.source, m.donor, m.reason, m.actor, m.at FROM supply_movements m \
     JOIN supply_items i ON i.id = m.item_id LEFT JOIN supply_stores fs ON fs.id = m.from_store_id \
     LEFT JOIN supply_stores ts ON ts.id = m.to_store_id LEFT JOIN people p ON p.id = m.person_id";

fn movement_row(r: &sqlx::any::AnyRow) -> StoreResult<Movement> {
    let source: Option<String> = r.try_get("source")?;
    Ok(Movement {
        id: r.try_get("id")?,
        kind: MovementKind::parse(&r.try_get::<String, _>("kind")?).unwrap_or(MovementKind::Adjust),
        item_id: ItemId(r.try_get("item_id")?),
        item_name: r.try_get("item_name")?,
        issue_unit: r.try_get("issue_unit")?,
        batch: r.try_get("batch")?,
        expires_on: r.try_get("expires_on")?,
        quantity: r.try_get("quantity")?,
        from_store_id: r.try_get::<Option<i64>, _>("from_store_id")?.map(StoreId),
        from_store: r.try_get("from_store")?,
        to_store_id: r.try_get::<Option<i64>, _>("to_store_id")?.map(StoreId),
        to_store: r.try_get("to_store")?,
        person_id: r.try_get::<Option<i64>, _>("person_id")?.map(PersonId),
        person_name: r.try_get("person_name")?,
        source: source.as_deref().and_then(|s| ReceiptSource::parse(s).ok()),
        donor: r.try_get("donor")?,
        reason: r.try_get("reason")?,
        actor: r.try_get("actor")?,
        at: r.try_get("at")?,
    })
}

const ISSUE_SELECT: &str = "SELECT x.id, x.store_id, s.name AS store_name, x.person_id, p.name AS person_name, \
     p.police_no, u.path AS unit_path, x.shift_date, x.shift, x.signature_mime, x.leader_reason, x.repeat_reason, \
     x.expired_reason, x.actor, x.at FROM supply_issues x JOIN supply_stores s ON s.id = x.store_id \
     JOIN people p ON p.id = x.person_id JOIN units u ON u.id = s.unit_id";

fn issue_row(r: &sqlx::any::AnyRow) -> StoreResult<IssueRecord> {
    Ok(IssueRecord {
        id: IssueId(r.try_get("id")?),
        store_id: StoreId(r.try_get("store_id")?),
        store_name: r.try_get("store_name")?,
        person_id: PersonId(r.try_get("person_id")?),
        person_name: r.try_get("person_name")?,
        police_no: r.try_get("police_no")?,
        unit_path: r.try_get("unit_path")?,
        shift_date: r.try_get("shift_date")?,
        shift: r.try_get("shift")?,
        signed: r.try_get::<Option<String>, _>("signature_mime")?.is_some(),
        leader_reason: r.try_get("leader_reason")?,
        repeat_reason: r.try_get("repeat_reason")?,
        expired_reason: r.try_get("expired_reason")?,
        actor: r.try_get("actor")?,
        at: r.try_get("at")?,
        lines: String::new(),
    })
}

/// Issues to one person for one shift.
const ISSUES_FOR_SHIFT: &str =
    "SELECT COUNT(*) AS n FROM supply_issues WHERE person_id = $1 AND shift_date = $2 AND shift = $3";

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

    // ---- the ledger

    /// The balances of `item` in `store`, first to expire first (no expiry last). On PostgreSQL the
    /// rows are locked until the transaction ends, so two withdrawals of the same item from the
    /// same store plan one after the other.
    pub async fn lock_balances(&self, tx: &mut Tx, store: StoreId, item: ItemId) -> StoreResult<Vec<Balance>> {
        let lock = if self.backend == Backend::Postgres { " FOR UPDATE" } else { "" };
        let rows = sqlx::query(&format!(
            "SELECT store_id, item_id, batch, expires_on, quantity FROM supply_balances \
             WHERE store_id = $1 AND item_id = $2 AND quantity > 0 \
             ORDER BY CASE WHEN expires_on IS NULL THEN 1 ELSE 0 END, expires_on, batch{lock}"
        ))
        .bind(store.0)
        .bind(item.0)
        .fetch_all(&mut **tx)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Balance {
                    store_id: StoreId(r.try_get("store_id")?),
                    item_id: ItemId(r.try_get("item_id")?),
                    batch: r.try_get("batch")?,
                    expires_on: r.try_get("expires_on")?,
                    quantity: r.try_get("quantity")?,
                })
            })
            .collect()
    }

    /// Write one ledger row and move the balances it touches. A withdrawal is conditional on the
    /// balance covering it: when it does not, `Conflict` and the caller's transaction rolls back.
    pub async fn post_movement(&self, tx: &mut Tx, m: &NewMovement) -> StoreResult<i64> {
        if m.quantity <= 0 {
            return Err(StoreError::Conflict("数量须为正数".into()));
        }
        if let Some(from) = m.from_store {
            let n = sqlx::query(
                "UPDATE supply_balances SET quantity = quantity - $1 \
                 WHERE store_id = $2 AND item_id = $3 AND batch = $4 AND quantity >= $1",
            )
            .bind(m.quantity)
            .bind(from.0)
            .bind(m.item_id.0)
            .bind(&m.batch)
            .execute(&mut **tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict("库存不足".into()));
            }
        }
        if let Some(to) = m.to_store {
            sqlx::query(
                "INSERT INTO supply_balances (store_id, item_id, batch, expires_on, quantity) VALUES ($1,$2,$3,$4,$5) \
                 ON CONFLICT (store_id, item_id, batch) DO UPDATE SET quantity = supply_balances.quantity + excluded.quantity, \
                 expires_on = COALESCE(supply_balances.expires_on, excluded.expires_on)",
            )
            .bind(to.0)
            .bind(m.item_id.0)
            .bind(&m.batch)
            .bind(m.expires_on.as_deref())
            .bind(m.quantity)
            .execute(&mut **tx)
            .await?;
        }
        let row = sqlx::query(
            "INSERT INTO supply_movements (kind, item_id, batch, expires_on, quantity, from_store_id, to_store_id, \
             person_id, issue_id, source, donor, reason, account_id, actor, at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15) RETURNING id",
        )
        .bind(m.kind.code())
        .bind(m.item_id.0)
        .bind(&m.batch)
        .bind(m.expires_on.as_deref())
        .bind(m.quantity)
        .bind(m.from_store.map(|s| s.0))
        .bind(m.to_store.map(|s| s.0))
        .bind(m.person_id.map(|p| p.0))
        .bind(m.issue_id.map(|i| i.0))
        .bind(m.source.map(|s| s.code()))
        .bind(m.donor.as_deref())
        .bind(&m.reason)
        .bind(m.account_id)
        .bind(&m.actor)
        .bind(bastion_core::time::now_ms())
        .fetch_one(&mut **tx)
        .await?;
        Ok(row.try_get("id")?)
    }

    pub async fn insert_supply_issue(&self, tx: &mut Tx, i: &NewIssue) -> StoreResult<IssueId> {
        let (mime, bytes) = match &i.signature {
            Some((m, b)) => (Some(m.as_str()), Some(b.clone())),
            None => (None, None),
        };
        let row = sqlx::query(
            "INSERT INTO supply_issues (store_id, person_id, shift_date, shift, signature, signature_mime, leader_reason, \
             repeat_reason, expired_reason, account_id, actor, at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) RETURNING id",
        )
        .bind(i.store_id.0)
        .bind(i.person_id.0)
        .bind(&i.shift_date)
        .bind(&i.shift)
        .bind(bytes)
        .bind(mime)
        .bind(i.leader_reason.as_deref())
        .bind(i.repeat_reason.as_deref())
        .bind(i.expired_reason.as_deref())
        .bind(i.account_id)
        .bind(&i.actor)
        .bind(bastion_core::time::now_ms())
        .fetch_one(&mut **tx)
        .await?;
        Ok(IssueId(row.try_get("id")?))
    }

    /// How many issues a person already has for a shift.
    pub async fn supply_issue_count(&self, tx: &mut Tx, person: PersonId, date: &str, shift: &str) -> StoreResult<i64> {
        let row = sqlx::query(ISSUES_FOR_SHIFT).bind(person.0).bind(date).bind(shift).fetch_one(&mut **tx).await?;
        Ok(row.try_get("n")?)
    }

    /// Whether a person has been issued kit for a shift (a read outside any transaction, for the
    /// inspector's checklist).
    pub async fn kit_issued(&self, person: PersonId, date: &str, shift: &str) -> StoreResult<bool> {
        let row = sqlx::query(ISSUES_FOR_SHIFT).bind(person.0).bind(date).bind(shift).fetch_one(&self.read).await?;
        Ok(row.try_get::<i64, _>("n")? > 0)
    }

    // ---- reads

    /// Every non-zero balance, by store and item.
    pub async fn supply_stock(&self) -> StoreResult<Vec<StockLine>> {
        let rows = sqlx::query(&format!(
            "{STOCK_SELECT} WHERE b.quantity <> 0 ORDER BY CASE WHEN s.kind = 'warehouse' THEN 0 ELSE 1 END, s.code, i.code, \
             CASE WHEN b.expires_on IS NULL THEN 1 ELSE 0 END, b.expires_on, b.batch"
        ))
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(stock_row).collect()
    }

    /// The balance rows of a store (zeros included), for stocktakes and the invariant test.
    pub async fn supply_balances(&self, store: StoreId) -> StoreResult<Vec<Balance>> {
        let rows = sqlx::query(
            "SELECT store_id, item_id, batch, expires_on, quantity FROM supply_balances WHERE store_id = $1 \
             ORDER BY item_id, batch",
        )
        .bind(store.0)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Balance {
                    store_id: StoreId(r.try_get("store_id")?),
                    item_id: ItemId(r.try_get("item_id")?),
                    batch: r.try_get("batch")?,
                    expires_on: r.try_get("expires_on")?,
                    quantity: r.try_get("quantity")?,
                })
            })
            .collect()
    }

    /// What the ledger alone says a store holds: (item, batch, received − sent), zeros left out.
    pub async fn supply_ledger_stock(&self, store: StoreId) -> StoreResult<Vec<(ItemId, String, i64)>> {
        let rows = sqlx::query(
            "SELECT item_id, batch, CAST(SUM(CASE WHEN to_store_id = $1 THEN quantity ELSE 0 END) \
             - SUM(CASE WHEN from_store_id = $1 THEN quantity ELSE 0 END) AS BIGINT) AS n \
             FROM supply_movements WHERE to_store_id = $1 OR from_store_id = $1 GROUP BY item_id, batch ORDER BY item_id, batch",
        )
        .bind(store.0)
        .fetch_all(&self.read)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let n: i64 = r.try_get("n")?;
            if n != 0 {
                out.push((ItemId(r.try_get("item_id")?), r.try_get("batch")?, n));
            }
        }
        Ok(out)
    }

    /// The newest movements touching `store` (or every store), newest first.
    pub async fn supply_movements(&self, store: Option<StoreId>, limit: i64) -> StoreResult<Vec<Movement>> {
        let rows = match store {
            Some(s) => {
                sqlx::query(&format!(
                    "{MOVEMENT_SELECT} WHERE m.from_store_id = $1 OR m.to_store_id = $1 ORDER BY m.id DESC LIMIT $2"
                ))
                .bind(s.0)
                .bind(limit)
                .fetch_all(&self.read)
                .await?
            }
            None => {
                sqlx::query(&format!("{MOVEMENT_SELECT} ORDER BY m.id DESC LIMIT $1"))
                    .bind(limit)
                    .fetch_all(&self.read)
                    .await?
            }
        };
        rows.iter().map(movement_row).collect()
    }

    /// Issues, newest first: of one person, or of the stores whose unit path starts with one of
    /// `paths` (`None`: every store).
    pub async fn supply_issues(
        &self,
        person: Option<PersonId>,
        paths: Option<&[String]>,
        limit: i64,
    ) -> StoreResult<Vec<IssueRecord>> {
        let mut sql = format!("{ISSUE_SELECT} WHERE 1=1");
        let mut binds: Vec<String> = Vec::new();
        let mut n = 0;
        let mut next = || {
            n += 1;
            format!("${n}")
        };
        let person_param = person.map(|_| next());
        if let Some(p) = &person_param {
            sql.push_str(&format!(" AND x.person_id = CAST({p} AS BIGINT)"));
        }
        if let Some(paths) = paths {
            if paths.is_empty() {
                return Ok(Vec::new());
            }
            let conds: Vec<String> = paths
                .iter()
                .map(|p| {
                    binds.push(p.clone());
                    let k = next();
                    format!("substr(u.path, 1, length({k})) = {k}")
                })
                .collect();
            sql.push_str(&format!(" AND ({})", conds.join(" OR ")));
        }
        let limit_param = next();
        sql.push_str(&format!(" ORDER BY x.id DESC LIMIT {limit_param}"));
        let mut q = sqlx::query(&sql);
        if let Some(p) = person {
            q = q.bind(p.0);
        }
        for b in &binds {
            q = q.bind(b.clone());
        }
        let rows = q.bind(limit).fetch_all(&self.read).await?;
        let mut out: Vec<IssueRecord> = rows.iter().map(issue_row).collect::<StoreResult<_>>()?;
        // The lines of these issues, in one read.
        if let (Some(first), Some(last)) = (out.last().map(|i| i.id.0), out.first().map(|i| i.id.0)) {
            let rows = sqlx::query(
                "SELECT m.issue_id, i.name, i.issue_unit, CAST(SUM(m.quantity) AS BIGINT) AS n FROM supply_movements m \
                 JOIN supply_items i ON i.id = m.item_id WHERE m.issue_id BETWEEN $1 AND $2 \
                 GROUP BY m.issue_id, i.name, i.issue_unit, i.code ORDER BY m.issue_id, i.code",
            )
            .bind(first)
            .bind(last)
            .fetch_all(&self.read)
            .await?;
            let mut lines: std::collections::HashMap<i64, Vec<String>> = std::collections::HashMap::new();
            for r in &rows {
                let id: i64 = r.try_get("issue_id")?;
                let name: String = r.try_get("name")?;
                let unit: String = r.try_get("issue_unit")?;
                let q: i64 = r.try_get("n")?;
                lines.entry(id).or_default().push(format!("{name} ×{q}{unit}"));
            }
            for i in &mut out {
                i.lines = lines.remove(&i.id.0).unwrap_or_default().join("、");
            }
        }
        Ok(out)
    }

    /// The signature image of an issue: (mime, bytes).
    pub async fn supply_issue_signature(&self, id: IssueId) -> StoreResult<Option<(String, Vec<u8>)>> {
        let row = sqlx::query("SELECT signature_mime, signature FROM supply_issues WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mime: Option<String> = row.try_get("signature_mime")?;
        let bytes: Option<Vec<u8>> = row.try_get("signature")?;
        Ok(mime.zip(bytes))
    }

    /// One issue (for its scope check).
    pub async fn supply_issue(&self, id: IssueId) -> StoreResult<IssueRecord> {
        let row = sqlx::query(&format!("{ISSUE_SELECT} WHERE x.id = $1"))
            .bind(id.0)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        issue_row(&row)
    }

    // ---- forecast

    /// Enabled people on duty (在岗) per unit path.
    pub async fn on_duty_by_unit(&self) -> StoreResult<Vec<(String, i64)>> {
        let rows = sqlx::query(
            "SELECT u.path, COUNT(*) AS n FROM people p JOIN units u ON u.id = p.unit_id \
             WHERE p.enabled = 1 AND p.duty_status = 'on_duty' GROUP BY u.path",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(|r| Ok((r.try_get("path")?, r.try_get("n")?))).collect()
    }

    /// What left each store per item since `since` (UTC ms): (store, item, issued to people,
    /// transferred to other stores).
    pub async fn supply_outflow_since(&self, since: i64) -> StoreResult<Vec<(StoreId, ItemId, i64, i64)>> {
        let rows = sqlx::query(
            "SELECT from_store_id, item_id, \
             CAST(SUM(CASE WHEN kind = 'issue' THEN quantity ELSE 0 END) AS BIGINT) AS issued, \
             CAST(SUM(CASE WHEN kind = 'transfer' THEN quantity ELSE 0 END) AS BIGINT) AS sent \
             FROM supply_movements WHERE from_store_id IS NOT NULL AND at >= $1 GROUP BY from_store_id, item_id",
        )
        .bind(since)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    StoreId(r.try_get("from_store_id")?),
                    ItemId(r.try_get("item_id")?),
                    r.try_get("issued")?,
                    r.try_get("sent")?,
                ))
            })
            .collect()
    }

    // ---- requests (申领)

    pub async fn insert_supply_request(
        &self,
        tx: &mut Tx,
        store: StoreId,
        note: &str,
        lines: &[(ItemId, i64)],
        account_id: i64,
        actor: &str,
    ) -> StoreResult<RequestId> {
        let row = sqlx::query(
            "INSERT INTO supply_requests (store_id, status, note, requested_by, account_id, created_at) \
             VALUES ($1, 'requested', $2, $3, $4, $5) RETURNING id",
        )
        .bind(store.0)
        .bind(note)
        .bind(actor)
        .bind(account_id)
        .bind(bastion_core::time::now_ms())
        .fetch_one(&mut **tx)
        .await?;
        let id = RequestId(row.try_get("id")?);
        for (item, q) in lines {
            sqlx::query("INSERT INTO supply_request_lines (request_id, item_id, requested) VALUES ($1, $2, $3)")
                .bind(id.0)
                .bind(item.0)
                .bind(q)
                .execute(&mut **tx)
                .await?;
        }
        Ok(id)
    }

    /// Close a request still open: `Conflict` when someone decided it first.
    pub async fn decide_supply_request(
        &self,
        tx: &mut Tx,
        id: RequestId,
        status: &str,
        reason: Option<&str>,
        approved: &[(ItemId, i64)],
        actor: &str,
    ) -> StoreResult<()> {
        let n = sqlx::query(
            "UPDATE supply_requests SET status = $1, decision_reason = $2, decided_by = $3, decided_at = $4 \
             WHERE id = $5 AND status = 'requested'",
        )
        .bind(status)
        .bind(reason)
        .bind(actor)
        .bind(bastion_core::time::now_ms())
        .bind(id.0)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict("该申领已由他人处理".into()));
        }
        for (item, q) in approved {
            sqlx::query("UPDATE supply_request_lines SET approved = $1 WHERE request_id = $2 AND item_id = $3")
                .bind(q)
                .bind(id.0)
                .bind(item.0)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// Requests, newest first, with their lines.
    pub async fn supply_requests(&self, limit: i64) -> StoreResult<Vec<SupplyRequest>> {
        let rows = sqlx::query(
            "SELECT r.id, r.store_id, s.name AS store_name, u.path AS unit_path, r.status, r.note, r.requested_by, \
             r.created_at, r.decided_by, r.decision_reason, r.decided_at FROM supply_requests r \
             JOIN supply_stores s ON s.id = r.store_id JOIN units u ON u.id = s.unit_id ORDER BY r.id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        let mut out: Vec<SupplyRequest> = rows
            .iter()
            .map(|r| {
                Ok(SupplyRequest {
                    id: RequestId(r.try_get("id")?),
                    store_id: StoreId(r.try_get("store_id")?),
                    store_name: r.try_get("store_name")?,
                    unit_path: r.try_get("unit_path")?,
                    status: r.try_get("status")?,
                    note: r.try_get("note")?,
                    requested_by: r.try_get("requested_by")?,
                    created_at: r.try_get("created_at")?,
                    decided_by: r.try_get("decided_by")?,
                    decision_reason: r.try_get("decision_reason")?,
                    decided_at: r.try_get("decided_at")?,
                    lines: Vec::new(),
                })
            })
            .collect::<StoreResult<_>>()?;
        if let (Some(lo), Some(hi)) = (out.last().map(|r| r.id.0), out.first().map(|r| r.id.0)) {
            let rows = sqlx::query(
                "SELECT l.request_id, l.item_id, i.name, i.issue_unit, l.requested, l.approved FROM supply_request_lines l \
                 JOIN supply_items i ON i.id = l.item_id WHERE l.request_id BETWEEN $1 AND $2 ORDER BY l.request_id, i.code",
            )
            .bind(lo)
            .bind(hi)
            .fetch_all(&self.read)
            .await?;
            for r in &rows {
                let rid: i64 = r.try_get("request_id")?;
                if let Some(req) = out.iter_mut().find(|x| x.id.0 == rid) {
                    req.lines.push(RequestLine {
                        item_id: ItemId(r.try_get("item_id")?),
                        item_name: r.try_get("name")?,
                        issue_unit: r.try_get("issue_unit")?,
                        requested: r.try_get("requested")?,
                        approved: r.try_get("approved")?,
                    });
                }
            }
        }
        Ok(out)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct RequestId(pub i64);

/// A post's request to the warehouse. `status`: requested / fulfilled / rejected.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct SupplyRequest {
    pub id: RequestId,
    pub store_id: StoreId,
    pub store_name: String,
    #[serde(skip)]
    pub unit_path: String,
    pub status: String,
    pub note: String,
    pub requested_by: String,
    pub created_at: i64,
    pub decided_by: Option<String>,
    pub decision_reason: Option<String>,
    pub decided_at: Option<i64>,
    pub lines: Vec<RequestLine>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct RequestLine {
    pub item_id: ItemId,
    pub item_name: String,
    pub issue_unit: String,
    pub requested: i64,
    pub approved: Option<i64>,
}
