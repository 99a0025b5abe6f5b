//! Supplies at scale, through the use cases (no HTTP): the demo bureau on a fresh database, grown to
//! 100 post stores, the warehouse and 30 items, then 1,000,000 ledger movements over the last 60
//! days generated in bulk (receipts into the warehouse every 20 days, transfers to every post every
//! 3 days, and each day about 28 people per post issued the standard kit plus two consumables, first
//! to expire first). The generator keeps every balance in memory as it posts, never lets one go
//! below zero, writes the balance rows it ends with and then checks each store's balances against
//! the sum of its movements (the product's invariant).
//!
//! Timed, p50/p99 in milliseconds: the floor (`SELECT 1` through the store's read pool) and the
//! smallest use case (the item list); the stock page of each of the 100 posts (`supply_post`);
//! the bureau's stock (`supply_stock`) and the whole bureau stock page as served (stock, stores,
//! forecast); the forecast for all posts; a shift of 40 people issued in one submission, each with
//! a drawn signature and the issuer's own (fresh shift every round).
//!
//! Usage: `supplies_stock_bench --data EMPTY_DIR [--database URL_OF_AN_EMPTY_DATABASE]
//!         [--movements N] [--rounds R] [--issue-rounds K]`

mod common;
use common::{arg, e, num, pct};

use std::collections::HashMap;
use std::time::Instant;

use bastion_app::supplies::{IssueInput, IssuePersonInput, ReceiptInput};
use bastion_core::supplies::StoreKind;
use bastion_store::supplies::{NewItem, NewStore, StoreId};
use bastion_store::Backend;

/// A 16×16 PNG with a few dark strokes: a drawn signature.
const SIGNED: &str = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAS0lEQVR4nKWTiQkAMAgDs//SdoD6nEYQQomHFpWk0D3iE5fiC6T0Esjo6Qy4y8y4/qco9BqCZnayBWcat07ecDGGWItkrbJ1TNY5PxIBLdPOsbqpAAAAAElFTkSuQmCC";
const DAY: i64 = 86_400_000;
const POSTS: usize = 100;
const ITEMS: usize = 30;
const DAYS: i64 = 60;
const PER_POST_DAY: i64 = 28;

/// The balances the generator keeps: (store, item) → lots (batch, expiry, quantity), first to expire first.
type Balances = HashMap<(i64, i64), Vec<(String, Option<String>, i64)>>;

/// Rows waiting for one multi-row INSERT.
struct Bulk {
    table: &'static str,
    cols: &'static str,
    rows: Vec<String>,
    written: usize,
}

impl Bulk {
    fn new(table: &'static str, cols: &'static str) -> Self {
        Bulk { table, cols, rows: Vec::new(), written: 0 }
    }
    fn push(&mut self, row: String) {
        self.rows.push(row);
    }
    async fn flush(&mut self, tx: &mut bastion_store::Tx) -> anyhow::Result<()> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let sql = format!("INSERT INTO {} ({}) VALUES {}", self.table, self.cols, self.rows.join(","));
        sqlx::raw_sql(&sql).execute(&mut **tx).await?;
        self.written += self.rows.len();
        self.rows.clear();
        Ok(())
    }
}

fn opt(s: &Option<String>) -> String {
    s.as_ref().map(|x| format!("'{x}'")).unwrap_or_else(|| "NULL".into())
}

/// Take `need` of `item` from `store`, first to expire first; the parts taken.
fn take(b: &mut Balances, store: i64, item: i64, need: i64) -> Vec<(String, Option<String>, i64)> {
    let mut left = need;
    let mut out = Vec::new();
    for (batch, exp, q) in b.entry((store, item)).or_default().iter_mut() {
        if left == 0 {
            break;
        }
        let n = left.min(*q);
        if n > 0 {
            *q -= n;
            left -= n;
            out.push((batch.clone(), exp.clone(), n));
        }
    }
    out
}

fn put(b: &mut Balances, store: i64, item: i64, batch: &str, exp: &Option<String>, q: i64) {
    let lots = b.entry((store, item)).or_default();
    match lots.iter_mut().find(|l| l.0 == batch) {
        Some(l) => l.2 += q,
        None => {
            lots.push((batch.to_string(), exp.clone(), q));
            lots.sort_by(|x, y| (x.1.is_none(), &x.1, &x.0).cmp(&(y.1.is_none(), &y.1, &y.0)));
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let data = std::path::PathBuf::from(arg("--data").unwrap_or_else(|| "/tmp/bastion-supplies-stock-bench".into()));
    let database = arg("--database");
    let target: i64 = num("--movements", 1_000_000);
    let rounds: usize = num("--rounds", 10);
    let issue_rounds: usize = num("--issue-rounds", 30);
    let (store, app) = common::demo_bureau(&data, database.as_deref()).await?;
    let backend = store.backend;
    // The supplies officer: every store, the bureau-wide view.
    let officer = common::ctx_of(&store, "supplies").await?;

    // ---- generate
    let started = Instant::now();
    let mut tx = store.begin().await?;
    // 30 items: the demo's six and 24 invented ones, twelve of them used up within a shift.
    for n in 0..ITEMS - store.supply_items().await?.len() {
        let item = NewItem {
            code: format!("GEN{:02}", n + 1),
            name: format!("演练物资{:02}", n + 1),
            issue_unit: "件".into(),
            pack_size: 10,
            per_shift: n < 12,
            shelf_life_days: Some(730),
            min_days: if n < 12 { 7 } else { 0 },
            kit_per_shift: 0,
        };
        store.insert_supply_item(&mut tx, &item).await?;
    }
    // 100 post stores over the units that have people (the demo's posts and new ones).
    let units = store.units().await?;
    let mut staffed = Vec::new();
    for u in units.iter().filter(|u| u.depth > 0) {
        if store.post_people(&u.path).await?.len() >= 10 {
            staffed.push(u.id);
        }
    }
    let have = store.supply_stores().await?.iter().filter(|s| s.kind != StoreKind::Warehouse).count();
    for n in have..POSTS {
        let s = NewStore {
            code: format!("GP{:03}", n + 1),
            name: format!("演练物资点{:03}", n + 1),
            kind: StoreKind::Team,
            unit_id: staffed[n % staffed.len()],
            checkpoint_id: None,
        };
        store.insert_supply_store(&mut tx, &s).await?;
    }
    bastion_store::commit(tx).await?;
    let items = store.supply_items().await?;
    let stores = store.supply_stores().await?;
    let warehouse = stores.iter().find(|s| s.kind == StoreKind::Warehouse).map(|s| s.id.0).unwrap_or(1);
    let posts: Vec<(i64, Vec<i64>)> = {
        let mut out = Vec::new();
        for s in stores.iter().filter(|s| s.kind != StoreKind::Warehouse) {
            let people = store.post_people(&s.unit_path).await?.into_iter().map(|p| p.id.0).collect();
            out.push((s.id.0, people));
        }
        out
    };
    let kit: Vec<(i64, i64)> =
        items.iter().filter(|i| i.kit_per_shift > 0).map(|i| (i.id.0, i.kit_per_shift)).collect();
    let extras: Vec<i64> =
        items.iter().filter(|i| i.per_shift && i.kit_per_shift == 0).map(|i| i.id.0).collect::<Vec<_>>();
    let mut bal: Balances = HashMap::new();
    for s in &stores {
        for b in store.supply_balances(s.id).await? {
            put(&mut bal, s.id.0, b.item_id.0, &b.batch, &b.expires_on, b.quantity);
        }
    }
    let count = |sql: &'static str| {
        let store = store.clone();
        async move {
            let mut tx = store.begin().await?;
            let row = sqlx::query(sql).fetch_one(&mut *tx).await?;
            bastion_store::commit(tx).await?;
            anyhow::Ok(sqlx::Row::try_get::<i64, _>(&row, "n")?)
        }
    };
    let existing = count("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM supply_movements").await?;
    let next_issue = count("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) AS n FROM supply_issues").await? + 1;
    let now = bastion_core::time::now_ms();
    let day0 = now - DAYS * DAY;
    let far = format!("{}-12-31", bastion_core::time::today().year() + 2);
    // Per post per day: the standard kit and two consumables for each person issued.
    let daily = |item: i64| -> i64 {
        kit.iter().find(|(i, _)| *i == item).map(|(_, k)| k * PER_POST_DAY).unwrap_or(0)
            + if extras.contains(&item) { PER_POST_DAY * 2 / extras.len().max(1) as i64 + 2 } else { 0 }
    };
    let mcols = "kind, item_id, batch, expires_on, quantity, from_store_id, to_store_id, person_id, issue_id, source, \
                 donor, reason, account_id, actor, at";
    let mut moves = Bulk::new("supply_movements", mcols);
    let mut issues =
        Bulk::new("supply_issues", "id, store_id, person_id, shift_date, shift, leader_reason, account_id, actor, at");
    let mut issue_id = next_issue;
    let mut total = existing;
    let mut tx = store.begin().await?;
    'days: for d in 0..DAYS {
        let t = day0 + d * DAY;
        if d % 20 == 0 {
            for it in &items {
                let q = (daily(it.id.0) * 22 * POSTS as i64).max(500);
                let batch = format!("G{d:02}");
                put(&mut bal, warehouse, it.id.0, &batch, &Some(far.clone()), q);
                let row = format!(
                    "('receipt',{},'{batch}','{far}',{q},NULL,{warehouse},NULL,NULL,'purchase',NULL,'',0,'生成数据',{t})",
                    it.id.0
                );
                moves.push(row);
                total += 1;
            }
        }
        if d % 3 == 0 {
            for (post, _) in &posts {
                for it in &items {
                    let q = if daily(it.id.0) > 0 {
                        daily(it.id.0) * 3 * 11 / 10
                    } else if d == 0 {
                        4
                    } else {
                        0
                    };
                    if q == 0 {
                        continue;
                    }
                    for (batch, exp, n) in take(&mut bal, warehouse, it.id.0, q) {
                        put(&mut bal, *post, it.id.0, &batch, &exp, n);
                        let row = format!(
                            "('transfer',{},'{batch}',{},{n},{warehouse},{post},NULL,NULL,NULL,NULL,'',0,'生成数据',{})",
                            it.id.0,
                            opt(&exp),
                            t + 1000
                        );
                        moves.push(row);
                        total += 1;
                    }
                }
            }
        }
        let date = bastion_core::time::today()
            .checked_sub(jiff::Span::new().days(DAYS - d))
            .map(|x| x.to_string())
            .unwrap_or_default();
        for (post, people) in &posts {
            for k in 0..PER_POST_DAY {
                if total >= target {
                    break 'days;
                }
                let Some(person) = people.get((k as usize + d as usize * 7) % people.len().max(1)) else { continue };
                let at = t + 3_600_000 + k * 60_000;
                let shift = if k % 2 == 0 { "白班" } else { "夜班" };
                issues.push(format!("({issue_id},{post},{person},'{date}','{shift}','生成数据',0,'生成数据',{at})"));
                let two = [extras[(k as usize) % extras.len()], extras[(k as usize + 5) % extras.len()]];
                let lines = kit.iter().copied().chain(two.iter().map(|i| (*i, 1)));
                for (item, q) in lines {
                    for (batch, exp, n) in take(&mut bal, *post, item, q) {
                        let row = format!(
                            "('issue',{item},'{batch}',{},{n},{post},NULL,{person},{issue_id},NULL,NULL,'',0,'生成数据',{at})",
                            opt(&exp)
                        );
                        moves.push(row);
                        total += 1;
                    }
                }
                issue_id += 1;
            }
            if moves.rows.len() >= 2000 {
                // Issues first: movements name them.
                issues.flush(&mut tx).await?;
                moves.flush(&mut tx).await?;
            }
        }
        if d % 5 == 4 {
            issues.flush(&mut tx).await?;
            moves.flush(&mut tx).await?;
            bastion_store::commit(tx).await?;
            tx = store.begin().await?;
        }
    }
    issues.flush(&mut tx).await?;
    moves.flush(&mut tx).await?;
    // The balances the ledger says, written once.
    sqlx::raw_sql("DELETE FROM supply_balances").execute(&mut *tx).await?;
    let mut balances = Bulk::new("supply_balances", "store_id, item_id, batch, expires_on, quantity");
    for ((s, i), lots) in &bal {
        for (batch, exp, q) in lots {
            balances.push(format!("({s},{i},'{batch}',{},{q})", opt(exp)));
            if balances.rows.len() >= 2000 {
                balances.flush(&mut tx).await?;
            }
        }
    }
    balances.flush(&mut tx).await?;
    // The daily outflow counters, which posting a movement keeps in service, from the rows written
    // here (the statement the migration that made them ran).
    sqlx::raw_sql("DELETE FROM supply_outflow_days").execute(&mut *tx).await?;
    sqlx::raw_sql(
        "INSERT INTO supply_outflow_days (store_id, item_id, day, issued, sent) \
         SELECT from_store_id, item_id, (at + 28800000) / 86400000 * 86400000 - 28800000, \
         SUM(CASE WHEN kind = 'issue' THEN quantity ELSE 0 END), SUM(CASE WHEN kind = 'transfer' THEN quantity ELSE 0 END) \
         FROM supply_movements WHERE from_store_id IS NOT NULL AND kind IN ('issue', 'transfer') GROUP BY 1, 2, 3",
    )
    .execute(&mut *tx)
    .await?;
    if backend == Backend::Postgres {
        sqlx::raw_sql(
            "SELECT setval(pg_get_serial_sequence('supply_issues', 'id'), (SELECT MAX(id) FROM supply_issues))",
        )
        .execute(&mut *tx)
        .await?;
    }
    bastion_store::commit(tx).await?;
    if backend == Backend::Postgres {
        // What autovacuum would do after a bulk load.
        sqlx::raw_sql("ANALYZE").execute(&mut *store.begin().await?).await?;
    }
    store.analyze().await?;
    store.checkpoint_wal().await?;
    let generated = started.elapsed();
    let total = count("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM supply_movements").await?;

    // The invariant: every store's balances are the sum of its movements.
    let mut checked = 0;
    for s in &stores {
        let ledger = store.supply_ledger_stock(s.id).await?;
        let held: Vec<(i64, String, i64)> = store
            .supply_balances(s.id)
            .await?
            .into_iter()
            .filter(|b| b.quantity != 0)
            .map(|b| (b.item_id.0, b.batch, b.quantity))
            .collect();
        let ledger: Vec<(i64, String, i64)> = ledger.into_iter().map(|(i, b, n)| (i.0, b, n)).collect();
        anyhow::ensure!(held == ledger, "store {} balances differ from its ledger", s.name);
        anyhow::ensure!(held.iter().all(|x| x.2 > 0), "store {} below zero", s.name);
        checked += held.len();
    }
    let issued = issue_id - next_issue;
    println!(
        "backend={} movements={total} (generated {}) issues={issued} posts={} items={} balance_rows={checked} generated_s={:.1} ledger=balances OK",
        backend.name(),
        moves.written,
        posts.len(),
        items.len(),
        generated.as_secs_f64()
    );

    // ---- timed
    let name = backend.name();
    let report = |what: &str, (p50, p99): (f64, f64), n: usize| {
        println!("RESULT {name} | {what} | n={n} | p50 {p50:.2} ms | p99 {p99:.2} ms");
    };
    let n = rounds * 100;
    let mut v = Vec::new();
    for _ in 0..n {
        let t = Instant::now();
        store.ping().await?;
        v.push(t.elapsed());
    }
    report("floor: SELECT 1 (read pool)", pct(v), n);
    let mut v = Vec::new();
    for _ in 0..n {
        let t = Instant::now();
        app.supply_items(&officer).await.map_err(e)?;
        v.push(t.elapsed());
    }
    report("smallest use case: item list", pct(v), n);
    let mut v = Vec::new();
    for _ in 0..rounds {
        for (post, _) in &posts {
            let t = Instant::now();
            app.supply_post(&officer, StoreId(*post)).await.map_err(e)?;
            v.push(t.elapsed());
        }
    }
    report("stock page of one post (each of 100)", pct(v.clone()), v.len());
    let mut v = Vec::new();
    for _ in 0..rounds * 10 {
        let t = Instant::now();
        app.supply_stock(&officer).await.map_err(e)?;
        v.push(t.elapsed());
    }
    report("bureau stock (all stores, totals)", pct(v), rounds * 10);
    let mut v = Vec::new();
    for _ in 0..rounds * 10 {
        let t = Instant::now();
        app.supply_forecast(&officer).await.map_err(e)?;
        v.push(t.elapsed());
    }
    report("forecast, all posts", pct(v), rounds * 10);
    let mut v = Vec::new();
    for _ in 0..rounds * 10 {
        let t = Instant::now();
        // What the bureau's stock page asks for (pages/supplies.rs `stock`).
        app.supply_overview(&officer).await.map_err(e)?;
        v.push(t.elapsed());
    }
    report("bureau stock page as served (stock + stores + forecast)", pct(v), rounds * 10);

    // A shift of 40 in one submission, at a post with at least 40 people, on a fresh shift each round.
    let (post, people) = posts
        .iter()
        .filter(|(_, p)| p.len() >= 40)
        .max_by_key(|(_, p)| p.len())
        .ok_or_else(|| anyhow::anyhow!("no post with 40 people"))?;
    for it in items.iter().filter(|i| i.kit_per_shift > 0) {
        let r = ReceiptInput {
            store_id: post.to_string(),
            item_id: it.id.0.to_string(),
            quantity: (it.kit_per_shift * 40 * issue_rounds as i64 + 100).to_string(),
            batch: "BENCH40".into(),
            expires_on: far.clone(),
            source: "purchase".into(),
            ..Default::default()
        };
        app.receive_supplies(&officer, &r).await.map_err(e)?;
    }
    let mut v = Vec::new();
    for r in 0..issue_rounds {
        let input = IssueInput {
            store_id: post.to_string(),
            shift_date: bastion_core::time::today().to_string(),
            shift: format!("演练{r}"),
            people: people
                .iter()
                .take(40)
                .map(|p| IssuePersonInput { person_id: p.to_string(), signature: SIGNED.into(), ..Default::default() })
                .collect(),
            issuer_signature: SIGNED.into(),
            ..Default::default()
        };
        let t = Instant::now();
        let out = app.issue_supplies(&officer, &input).await.map_err(e)?;
        v.push(t.elapsed());
        anyhow::ensure!(out.issues.len() == 40, "issued {} of 40", out.issues.len());
    }
    report("issue to a shift of 40, one submission", pct(v), issue_rounds);
    Ok(())
}
