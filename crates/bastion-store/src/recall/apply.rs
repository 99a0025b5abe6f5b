//! Writing recall answers in batches: a batch of transitions costs one read of the current states,
//! one multi-row conditional UPDATE and one multi-row INSERT of the history, whatever its size.
//! Per-statement costs dominated the old one-UPDATE-per-answer path (on SQLite every statement is
//! a hand-off to the database thread, on PostgreSQL a round trip). The batch's moves are added to
//! the order's counts per unit and state (`recall_unit_counts`) in one more statement.

use std::collections::{BTreeMap, HashMap, HashSet};

use bastion_core::recall::{Event, RecallState};
use sqlx::Row;

use crate::db::{Store, StoreError, StoreResult, Tx};
use crate::recall::{Applied, Transition};
use crate::sql::Sql;

type Key = (i64, i64);

/// Rows per multi-row statement (13 parameters a row: far below either database's limit).
const CHUNK: usize = 500;

/// One person's changes within a batch, in order: (item index, from, to). Never empty; the first
/// step's `from` is the state they were read in, the last step's `to` where they end.
type Plan = Vec<(usize, RecallState, RecallState)>;

fn parse_state(s: &str) -> RecallState {
    RecallState::parse(s).unwrap_or(RecallState::Pending)
}

/// The column stamped when a person reaches `to`.
fn stamp_col(to: RecallState) -> &'static str {
    match to {
        RecallState::Delivered => "delivered_at",
        RecallState::Acked => "acked_at",
        RecallState::OnPost => "on_post_at",
        RecallState::Exempt => "exempt_at",
        RecallState::NoResponse => "no_response_at",
        RecallState::Pending => "updated_at",
    }
}

fn reason_of(e: Event) -> Option<&'static str> {
    match e {
        Event::Exempt(r) => Some(r.code()),
        _ => None,
    }
}

impl Store {
    /// Apply transitions in one transaction, one outcome per item in order (a person twice in one
    /// batch sees their first change). The update is conditional on the state read, so concurrent
    /// writers on PostgreSQL cannot both move a person: a person changed by another writer since
    /// the read is re-read and their items applied again one by one.
    pub async fn apply_recall_transitions(&self, tx: &mut Tx, items: &[Transition]) -> StoreResult<Vec<Applied>> {
        let (mut states, units) = read_states(tx, items.iter().map(|i| (i.order.0, i.person.0))).await?;
        let t = bastion_core::time::now_ms();
        let mut out: Vec<Applied> = Vec::with_capacity(items.len());
        let mut plans: Vec<(Key, Plan)> = Vec::new();
        let mut plan_of: HashMap<Key, usize> = HashMap::new();
        for (idx, it) in items.iter().enumerate() {
            let key = (it.order.0, it.person.0);
            let Some(from) = states.get(&key).copied() else {
                out.push(Applied::Missing);
                continue;
            };
            out.push(match from.next(it.event) {
                Err(e) => Applied::Refused(e.0.to_string()),
                Ok(None) => Applied::Unchanged(from),
                Ok(Some(to)) => {
                    let p = *plan_of.entry(key).or_insert_with(|| {
                        plans.push((key, Plan::new()));
                        plans.len() - 1
                    });
                    plans[p].1.push((idx, from, to));
                    states.insert(key, to);
                    Applied::Changed { from, to }
                }
            });
        }
        let written = self.write_plans(tx, items, &plans, t).await?;
        let mut events: Vec<(usize, RecallState, RecallState, i64)> = Vec::new();
        let mut conflicted: HashSet<Key> = HashSet::new();
        for (key, plan) in &plans {
            if written.contains(key) {
                events.extend(plan.iter().map(|&(i, from, to)| (i, from, to, t)));
            } else {
                conflicted.insert(*key);
            }
        }
        if !conflicted.is_empty() {
            // Every item of these people was judged on a stale state: judge them again, in order.
            for (idx, it) in items.iter().enumerate() {
                if conflicted.contains(&(it.order.0, it.person.0)) {
                    out[idx] = one_by_one(tx, idx, it, &mut events).await?;
                }
            }
        }
        self.insert_events(tx, items, &events).await?;
        self.add_moves(tx, items, &units, &events).await?;
        Ok(out)
    }

    /// Each move takes one person from (unit, from) to (unit, to) in the order's counts: the net
    /// change per count, written by one upsert per chunk, in key order (two writers on PostgreSQL
    /// lock the rows they share in the same order: no deadlock).
    async fn add_moves(
        &self,
        tx: &mut Tx,
        items: &[Transition],
        units: &HashMap<Key, i64>,
        events: &[(usize, RecallState, RecallState, i64)],
    ) -> StoreResult<()> {
        let mut delta: BTreeMap<(i64, i64, &'static str), i64> = BTreeMap::new();
        for &(i, from, to, _) in events {
            let key = (items[i].order.0, items[i].person.0);
            let Some(&unit) = units.get(&key) else { continue };
            *delta.entry((key.0, unit, from.code())).or_insert(0) -= 1;
            *delta.entry((key.0, unit, to.code())).or_insert(0) += 1;
        }
        let changes: Vec<_> = delta.into_iter().filter(|(_, n)| *n != 0).collect();
        for chunk in changes.chunks(CHUNK) {
            let mut sql = String::from("INSERT INTO recall_unit_counts (order_id, unit_id, state, n) VALUES ");
            self.backend.push_values(&mut sql, chunk.len(), 4);
            sql.push_str(" ON CONFLICT (order_id, unit_id, state) DO UPDATE SET n = recall_unit_counts.n + excluded.n");
            let mut q = sqlx::query(&sql);
            for ((order, unit, state), n) in chunk {
                q = q.bind(*order).bind(*unit).bind(*state).bind(*n);
            }
            q.execute(&mut **tx).await?;
        }
        Ok(())
    }

    /// One conditional UPDATE per chunk of people; returns the people it moved.
    async fn write_plans(
        &self,
        tx: &mut Tx,
        items: &[Transition],
        plans: &[(Key, Plan)],
        t: i64,
    ) -> StoreResult<HashSet<Key>> {
        const COLS: [&str; 5] = ["delivered_at", "acked_at", "on_post_at", "exempt_at", "no_response_at"];
        let mut written = HashSet::with_capacity(plans.len());
        for chunk in plans.chunks(CHUNK) {
            let mut sql = String::from("WITH v(o, p, f, s, who, why, loc, ");
            sql.push_str(&COLS.map(|c| format!("v_{c}")).join(", "));
            sql.push_str(", t) AS (VALUES ");
            self.backend.push_values(&mut sql, chunk.len(), 13);
            sql.push_str(") UPDATE recall_targets SET state = v.s, updated_at = v.t, updated_by = v.who, ");
            sql.push_str("exempt_reason = COALESCE(v.why, recall_targets.exempt_reason), ");
            sql.push_str("location = COALESCE(v.loc, recall_targets.location)");
            for c in COLS {
                sql.push_str(&format!(", {c} = COALESCE(v.v_{c}, recall_targets.{c})"));
            }
            sql.push_str(
                " FROM v WHERE recall_targets.order_id = v.o AND recall_targets.person_id = v.p \
                 AND recall_targets.state = v.f RETURNING order_id, person_id",
            );
            let mut q = sqlx::query(&sql);
            for ((order, person), plan) in chunk {
                // A plan is created with its first step, so neither index can miss.
                let (first, last) = (plan[0], plan[plan.len() - 1]);
                let reached = |c: &str| plan.iter().any(|s| stamp_col(s.2) == c).then_some(t);
                let why = plan.iter().rev().find_map(|s| reason_of(items[s.0].event));
                let loc = plan.iter().rev().find_map(|s| items[s.0].location.as_deref());
                q = q
                    .bind(*order)
                    .bind(*person)
                    .bind(first.1.code())
                    .bind(last.2.code())
                    .bind(items[last.0].actor.as_str())
                    .bind(why)
                    .bind(loc);
                for c in COLS {
                    q = q.bind(reached(c));
                }
                q = q.bind(t);
            }
            for r in q.fetch_all(&mut **tx).await? {
                written.insert((r.try_get("order_id")?, r.try_get("person_id")?));
            }
        }
        Ok(written)
    }

    /// The history of a batch, in one multi-row INSERT per chunk.
    async fn insert_events(
        &self,
        tx: &mut Tx,
        items: &[Transition],
        events: &[(usize, RecallState, RecallState, i64)],
    ) -> StoreResult<()> {
        for chunk in events.chunks(CHUNK) {
            let mut sql = String::from(
                "INSERT INTO recall_events (order_id, person_id, from_state, to_state, via, actor, at) VALUES ",
            );
            self.backend.push_values(&mut sql, chunk.len(), 7);
            let mut q = sqlx::query(&sql);
            for &(i, from, to, t) in chunk {
                let it = &items[i];
                q = q
                    .bind(it.order.0)
                    .bind(it.person.0)
                    .bind(from.code())
                    .bind(to.code())
                    .bind(it.via)
                    .bind(it.actor.as_str())
                    .bind(t);
            }
            q.execute(&mut **tx).await?;
        }
        Ok(())
    }
}

/// Everyone's current state and unit, one read per order and chunk of people.
async fn read_states(
    tx: &mut Tx,
    keys: impl Iterator<Item = Key>,
) -> StoreResult<(HashMap<Key, RecallState>, HashMap<Key, i64>)> {
    let mut by_order: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for (order, person) in keys {
        by_order.entry(order).or_default().push(person);
    }
    let mut states = HashMap::new();
    let mut units = HashMap::new();
    for (order, mut people) in by_order {
        people.sort_unstable();
        people.dedup();
        for chunk in people.chunks(CHUNK) {
            let mut q = Sql::new("SELECT person_id, state, unit_id FROM recall_targets WHERE order_id = ");
            q.bind_i64(order).push(" AND person_id IN (");
            for (i, p) in chunk.iter().enumerate() {
                q.push(if i == 0 { "" } else { "," }).bind_i64(*p);
            }
            q.push(")");
            for r in q.query().fetch_all(&mut **tx).await? {
                let key = (order, r.try_get("person_id")?);
                states.insert(key, parse_state(&r.try_get::<String, _>("state")?));
                units.insert(key, r.try_get("unit_id")?);
            }
        }
    }
    Ok((states, units))
}

/// The slow path for a person another writer moved since the batch's read: read, update
/// conditionally, and read again if moved once more (at most three tries).
async fn one_by_one(
    tx: &mut Tx,
    idx: usize,
    it: &Transition,
    events: &mut Vec<(usize, RecallState, RecallState, i64)>,
) -> StoreResult<Applied> {
    for _ in 0..3 {
        let row = sqlx::query("SELECT state FROM recall_targets WHERE order_id = $1 AND person_id = $2")
            .bind(it.order.0)
            .bind(it.person.0)
            .fetch_optional(&mut **tx)
            .await?;
        let Some(row) = row else { return Ok(Applied::Missing) };
        let from = parse_state(&row.try_get::<String, _>("state")?);
        let to = match from.next(it.event) {
            Err(e) => return Ok(Applied::Refused(e.0.to_string())),
            Ok(None) => return Ok(Applied::Unchanged(from)),
            Ok(Some(to)) => to,
        };
        let t = bastion_core::time::now_ms();
        let col = stamp_col(to);
        let n = sqlx::query(&format!(
            "UPDATE recall_targets SET state = $1, {col} = $2, updated_at = $2, updated_by = $3, \
             exempt_reason = COALESCE($4, exempt_reason), location = COALESCE($5, location) \
             WHERE order_id = $6 AND person_id = $7 AND state = $8"
        ))
        .bind(to.code())
        .bind(t)
        .bind(&it.actor)
        .bind(reason_of(it.event))
        .bind(it.location.as_deref())
        .bind(it.order.0)
        .bind(it.person.0)
        .bind(from.code())
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if n == 1 {
            events.push((idx, from, to, t));
            return Ok(Applied::Changed { from, to });
        }
    }
    Err(StoreError::Conflict("状态已被他人修改，请重试".into()))
}
