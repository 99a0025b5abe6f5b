//! Recall orders (召集令): orders, one row per recalled person with their state, the timed and
//! attributed transitions, escalation notices (`notices`). Messages go out through `notify`.
//! Audiences are written with one `INSERT … SELECT` (100,000 people in one statement).

mod apply;
mod notices;

pub use notices::NOTIFY_SOURCE;

use bastion_core::org::{Category, DutyStatus, PoliceType};
use bastion_core::recall::{Event, ExemptReason, OrderStatus, RecallMode, RecallState, ReportTo, Tally};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::{found, Backend, Store, StoreError, StoreResult, Tx};
use crate::org::{PersonId, RowScope, UnitId};
use crate::sql::{subtree_range, Sql};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(transparent)]
pub struct OrderId(pub i64);

/// Who an order reaches, already parsed. Empty lists mean "no restriction of that kind".
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct AudienceSel {
    /// Units (each with everything below it), by path.
    pub unit_paths: Vec<String>,
    pub category: Option<Category>,
    pub police_type: Option<PoliceType>,
    /// A named list of people.
    pub person_ids: Vec<i64>,
}

#[derive(Debug, Clone)]
pub struct NewOrder {
    pub title: String,
    pub message: String,
    pub mode: RecallMode,
    pub scope_kind: String,
    pub scope_text: String,
    pub audience: AudienceSel,
    pub report_to: ReportTo,
    pub report_post: Option<String>,
    pub deadline_at: i64,
    pub waves: Vec<i64>,
    pub status: OrderStatus,
    pub issuer_account_id: i64,
    pub issuer: String,
    pub issuer_unit_path: String,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Order {
    pub id: OrderId,
    pub title: String,
    pub message: String,
    pub mode: RecallMode,
    pub scope_kind: String,
    pub scope_text: String,
    #[serde(skip)]
    pub audience_sel: AudienceSel,
    pub report_to: ReportTo,
    pub report_post: Option<String>,
    pub deadline_at: i64,
    pub waves: Vec<i64>,
    pub waves_done: i64,
    pub status: OrderStatus,
    pub audience: i64,
    pub issuer_account_id: i64,
    pub issuer: String,
    pub approver: Option<String>,
    pub approved_at: Option<i64>,
    pub sent_at: Option<i64>,
    pub expired: bool,
    pub closed_at: Option<i64>,
    pub created_at: i64,
}

const ORDER_COLS: &str = "id, title, message, mode, scope_kind, scope_text, scope_json, report_to, report_post, \
    deadline_at, waves, waves_done, status, audience, issuer_account_id, issuer, approver, approved_at, sent_at, \
    expired, closed_at, created_at";

fn order_from(r: &AnyRow) -> StoreResult<Order> {
    let waves: String = r.try_get("waves")?;
    let scope_json: String = r.try_get("scope_json")?;
    Ok(Order {
        id: OrderId(r.try_get("id")?),
        title: r.try_get("title")?,
        message: r.try_get("message")?,
        mode: RecallMode::parse(&r.try_get::<String, _>("mode")?).unwrap_or(RecallMode::Live),
        scope_kind: r.try_get("scope_kind")?,
        scope_text: r.try_get("scope_text")?,
        audience_sel: serde_json::from_str(&scope_json).unwrap_or_default(),
        report_to: ReportTo::parse(&r.try_get::<String, _>("report_to")?).unwrap_or(ReportTo::AnyPost),
        report_post: r.try_get("report_post")?,
        deadline_at: r.try_get("deadline_at")?,
        waves: waves.split(',').filter_map(|w| w.parse().ok()).collect(),
        waves_done: r.try_get("waves_done")?,
        status: OrderStatus::parse(&r.try_get::<String, _>("status")?).unwrap_or(OrderStatus::Closed),
        audience: r.try_get("audience")?,
        issuer_account_id: r.try_get("issuer_account_id")?,
        issuer: r.try_get("issuer")?,
        approver: r.try_get("approver")?,
        approved_at: r.try_get("approved_at")?,
        sent_at: r.try_get("sent_at")?,
        expired: r.try_get::<i64, _>("expired")? != 0,
        closed_at: r.try_get("closed_at")?,
        created_at: r.try_get("created_at")?,
    })
}

/// One recalled person as the board and the link page show them.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Target {
    pub order_id: OrderId,
    pub person_id: PersonId,
    pub name: String,
    pub police_no: String,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub unit_path: String,
    pub duty_status: DutyStatus,
    pub state: RecallState,
    pub exempt_reason: Option<ExemptReason>,
    /// Part of the personal link: never sent to clients.
    #[serde(skip)]
    pub nonce: String,
    pub acked_at: Option<i64>,
    pub on_post_at: Option<i64>,
    pub reminders: i64,
    pub updated_by: String,
    pub updated_at: i64,
}

const TARGET_COLS: &str = "t.order_id, t.person_id, p.name, p.police_no, t.unit_id, u.name AS unit_name, \
    u.path AS unit_path, t.duty_status, t.state, t.exempt_reason, t.nonce, t.acked_at, t.on_post_at, t.reminders, \
    t.updated_by, t.updated_at";

fn target_from(r: &AnyRow) -> StoreResult<Target> {
    Ok(Target {
        order_id: OrderId(r.try_get("order_id")?),
        person_id: PersonId(r.try_get("person_id")?),
        name: r.try_get("name")?,
        police_no: r.try_get("police_no")?,
        unit_id: UnitId(r.try_get("unit_id")?),
        unit_name: r.try_get("unit_name")?,
        unit_path: r.try_get("unit_path")?,
        duty_status: DutyStatus::parse(&r.try_get::<String, _>("duty_status")?).unwrap_or(DutyStatus::OnDuty),
        state: RecallState::parse(&r.try_get::<String, _>("state")?).unwrap_or(RecallState::Pending),
        exempt_reason: r.try_get::<Option<String>, _>("exempt_reason")?.and_then(|s| ExemptReason::parse(&s).ok()),
        nonce: r.try_get("nonce")?,
        acked_at: r.try_get("acked_at")?,
        on_post_at: r.try_get("on_post_at")?,
        reminders: r.try_get("reminders")?,
        updated_by: r.try_get("updated_by")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// One transition to apply: who, what, through which channel, by whom.
#[derive(Debug, Clone)]
pub struct Transition {
    pub order: OrderId,
    pub person: PersonId,
    pub event: Event,
    /// `link`, `app`, `desk`, `sms`, `system`
    pub via: &'static str,
    pub actor: String,
    pub location: Option<String>,
}

/// What a transition did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub enum Applied {
    Changed {
        from: RecallState,
        to: RecallState,
    },
    /// Already there: nothing written (a double acknowledgement).
    Unchanged(RecallState),
    Refused(String),
    /// No such person in that order.
    Missing,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Notice {
    pub wave: i64,
    pub audience: String,
    pub unit_name: Option<String>,
    pub body: String,
    pub created_at: i64,
}

/// Positions that head a unit, in order of precedence.
pub const HEAD_POSITIONS: &[&str] = &["局长", "指挥长", "大队长", "所长", "中队长"];

fn now() -> i64 {
    bastion_core::time::now_ms()
}

impl Store {
    /// The people an audience selects within `scope`: `WHERE …` on `people p` (enabled, not left).
    async fn audience_where(&self, scope: &RowScope, a: &AudienceSel) -> StoreResult<Sql> {
        let mut w = Sql::new(" WHERE p.enabled = 1 AND p.duty_status <> 'left'");
        let unit_cond = |w: &mut Sql, paths: &[String]| {
            w.push(" AND p.unit_id IN (SELECT id FROM units WHERE 1=0");
            for p in paths {
                let (lo, hi) = subtree_range(p);
                w.push(" OR (path >= ").bind_text(lo).push(" AND path < ").bind_text(hi).push(")");
            }
            w.push(")");
        };
        match scope {
            RowScope::All => {}
            RowScope::Nothing => {
                w.push(" AND 1=0");
            }
            RowScope::Person(id) => {
                w.push(" AND p.id = ").bind_i64(id.0);
            }
            RowScope::Subtrees(paths) => unit_cond(&mut w, paths),
        }
        if !a.unit_paths.is_empty() {
            unit_cond(&mut w, &a.unit_paths);
        }
        if let Some(c) = a.category {
            w.push(" AND p.category = ").bind_text(c.code());
        }
        if let Some(t) = a.police_type {
            w.push(" AND p.police_types LIKE ").bind_text(format!("%,{},%", t.code()));
        }
        if !a.person_ids.is_empty() {
            w.push(" AND p.id IN (");
            for (i, id) in a.person_ids.iter().enumerate() {
                if i > 0 {
                    w.push(", ");
                }
                w.bind_i64(*id);
            }
            w.push(")");
        }
        Ok(w)
    }

    /// How many people an audience reaches within `scope`, and how many of them start exempt
    /// (sick leave, quarantine).
    pub async fn recall_audience_size(&self, scope: &RowScope, a: &AudienceSel) -> StoreResult<(i64, i64)> {
        let w = self.audience_where(scope, a).await?;
        let mut q = Sql::new(
            "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(CASE WHEN p.duty_status IN ('sick', 'quarantine') \
             THEN 1 ELSE 0 END), 0) AS BIGINT) AS e FROM people p",
        );
        q.push(&w.text);
        q.args = w.args;
        let row = q.query().fetch_one(&self.read).await?;
        Ok((row.try_get("n")?, row.try_get("e")?))
    }

    /// People ids by police number (for a list audience); unknown numbers come back separately.
    pub async fn recall_people_by_police_no(&self, nos: &[String]) -> StoreResult<(Vec<i64>, Vec<String>)> {
        let mut found_ids = Vec::new();
        let mut unknown = Vec::new();
        for no in nos {
            let row = sqlx::query("SELECT id FROM people WHERE police_no = $1 AND enabled = 1")
                .bind(no)
                .fetch_optional(&self.read)
                .await?;
            match row {
                Some(r) => found_ids.push(r.try_get("id")?),
                None => unknown.push(no.clone()),
            }
        }
        Ok((found_ids, unknown))
    }

    /// Insert the order and its whole audience (one `INSERT … SELECT`); people on sick leave or
    /// in quarantine start exempt. Returns the id and the audience size.
    pub async fn insert_recall_order(
        &self,
        tx: &mut Tx,
        scope: &RowScope,
        o: &NewOrder,
    ) -> StoreResult<(OrderId, i64)> {
        let t = now();
        let waves = o.waves.iter().map(|w| w.to_string()).collect::<Vec<_>>().join(",");
        let scope_json = serde_json::to_string(&o.audience).map_err(|e| StoreError::Conflict(e.to_string()))?;
        let sent_at = (o.status == OrderStatus::Active).then_some(t);
        let row = sqlx::query(
            "INSERT INTO recall_orders (title, message, mode, scope_kind, scope_text, scope_json, report_to, report_post, \
             deadline_at, waves, status, audience, issuer_account_id, issuer, issuer_unit_path, sent_at, created_at, updated_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,0,$12,$13,$14,$15,$16,$16) RETURNING id",
        )
        .bind(&o.title)
        .bind(&o.message)
        .bind(o.mode.code())
        .bind(&o.scope_kind)
        .bind(&o.scope_text)
        .bind(scope_json)
        .bind(o.report_to.code())
        .bind(o.report_post.as_deref())
        .bind(o.deadline_at)
        .bind(waves)
        .bind(o.status.code())
        .bind(o.issuer_account_id)
        .bind(&o.issuer)
        .bind(&o.issuer_unit_path)
        .bind(sent_at)
        .bind(t)
        .fetch_one(&mut **tx)
        .await?;
        let id = OrderId(row.try_get("id")?);
        let nonce = match self.backend {
            Backend::Sqlite => "lower(hex(randomblob(8)))",
            Backend::Postgres => "substr(replace(gen_random_uuid()::text, '-', ''), 1, 16)",
        };
        let w = self.audience_where(scope, &o.audience).await?;
        let mut q = Sql::new(
            "INSERT INTO recall_targets (order_id, person_id, unit_id, duty_status, state, exempt_reason, \
             nonce, exempt_at, updated_by, updated_at) SELECT ",
        );
        q.bind_i64(id.0)
            .push(
                ", p.id, p.unit_id, p.duty_status, \
               CASE WHEN p.duty_status IN ('sick', 'quarantine') THEN 'exempt' ELSE 'pending' END, \
               CASE WHEN p.duty_status IN ('sick', 'quarantine') THEN p.duty_status ELSE NULL END, ",
            )
            .push(nonce)
            .push(", CASE WHEN p.duty_status IN ('sick', 'quarantine') THEN ")
            .bind_i64(t)
            .push(" ELSE NULL END, 'system', ")
            .bind_i64(t)
            .push(" FROM people p");
        let offset = q.args.len();
        q.push(&renumber(&w.text, offset));
        q.args.extend(w.args);
        let n = q.query().execute(&mut **tx).await?.rows_affected() as i64;
        self.recount_recall(tx, id).await?;
        sqlx::query("UPDATE recall_orders SET audience = $1 WHERE id = $2")
            .bind(n)
            .bind(id.0)
            .execute(&mut **tx)
            .await?;
        Ok((id, n))
    }

    pub async fn recall_order(&self, id: OrderId) -> StoreResult<Order> {
        let row = sqlx::query(&format!("SELECT {ORDER_COLS} FROM recall_orders WHERE id = $1"))
            .bind(id.0)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        order_from(&row)
    }

    /// The same, read on the writer inside a transaction (for state checks before a change).
    pub async fn recall_order_tx(&self, tx: &mut Tx, id: OrderId) -> StoreResult<Order> {
        let row = sqlx::query(&format!("SELECT {ORDER_COLS} FROM recall_orders WHERE id = $1"))
            .bind(id.0)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        order_from(&row)
    }

    /// Newest first.
    pub async fn recall_orders(&self, limit: i64) -> StoreResult<Vec<Order>> {
        let rows = sqlx::query(&format!("SELECT {ORDER_COLS} FROM recall_orders ORDER BY id DESC LIMIT $1"))
            .bind(limit)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(order_from).collect()
    }

    /// Active orders (the ticker walks these).
    pub async fn active_recall_orders(&self) -> StoreResult<Vec<Order>> {
        let rows = sqlx::query(&format!("SELECT {ORDER_COLS} FROM recall_orders WHERE status = 'active' ORDER BY id"))
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(order_from).collect()
    }

    /// Move an order between statuses, only from `from` (so two approvers cannot both approve).
    pub async fn set_recall_status(
        &self,
        tx: &mut Tx,
        id: OrderId,
        from: OrderStatus,
        to: OrderStatus,
        approver: Option<&str>,
    ) -> StoreResult<()> {
        let t = now();
        let n = sqlx::query(
            "UPDATE recall_orders SET status = $1, updated_at = $2, \
             approver = COALESCE($3, approver), approved_at = CASE WHEN $3 IS NULL THEN approved_at ELSE $2 END, \
             sent_at = CASE WHEN $1 = 'active' AND sent_at IS NULL THEN $2 WHEN $1 = 'awaiting_approval' THEN NULL \
             ELSE sent_at END, \
             closed_at = CASE WHEN $1 IN ('closed', 'cancelled') THEN $2 ELSE closed_at END \
             WHERE id = $4 AND status = $5",
        )
        .bind(to.code())
        .bind(t)
        .bind(approver)
        .bind(id.0)
        .bind(from.code())
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict(format!("召集令不是“{}”状态，无法执行此操作", from.zh())));
        }
        Ok(())
    }

    pub async fn set_recall_waves_done(&self, tx: &mut Tx, id: OrderId, done: i64) -> StoreResult<()> {
        let n =
            sqlx::query("UPDATE recall_orders SET waves_done = $1, updated_at = $2 WHERE id = $3 AND waves_done < $1")
                .bind(done)
                .bind(now())
                .bind(id.0)
                .execute(&mut **tx)
                .await?
                .rows_affected();
        found(n)
    }

    /// After the deadline: everyone not yet reached or not answering becomes 未响应 (once).
    pub async fn expire_recall(&self, tx: &mut Tx, id: OrderId, at: i64) -> StoreResult<i64> {
        let n = sqlx::query("UPDATE recall_orders SET expired = 1, updated_at = $1 WHERE id = $2 AND expired = 0")
            .bind(at)
            .bind(id.0)
            .execute(&mut **tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Ok(0);
        }
        sqlx::query(
            "INSERT INTO recall_events (order_id, person_id, from_state, to_state, via, actor, at) \
             SELECT order_id, person_id, state, 'no_response', 'system', 'system', $1 FROM recall_targets \
             WHERE order_id = $2 AND state IN ('pending', 'delivered')",
        )
        .bind(at)
        .bind(id.0)
        .execute(&mut **tx)
        .await?;
        let n = sqlx::query(
            "UPDATE recall_targets SET state = 'no_response', no_response_at = $1, updated_by = 'system', updated_at = $1 \
             WHERE order_id = $2 AND state IN ('pending', 'delivered')",
        )
        .bind(at)
        .bind(id.0)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        self.recount_recall(tx, id).await?;
        Ok(n as i64)
    }

    /// The demo's finished drill: issued at `sent`, everyone not exempt acknowledged within 20
    /// minutes and on post within 80, the order closed (deterministic times from the person id).
    pub async fn recall_demo_finish(&self, tx: &mut Tx, id: OrderId, sent: i64) -> StoreResult<()> {
        for (from, to, col, spread) in [("pending", "acked", "acked_at", 20), ("acked", "on_post", "on_post_at", 80)] {
            sqlx::query(&format!(
                "INSERT INTO recall_events (order_id, person_id, from_state, to_state, via, actor, at) \
                 SELECT order_id, person_id, state, '{to}', 'link', 'self', $1 + (person_id % {spread}) * 60000 + 60000 \
                 FROM recall_targets WHERE order_id = $2 AND state = '{from}'"
            ))
            .bind(sent)
            .bind(id.0)
            .execute(&mut **tx)
            .await?;
            sqlx::query(&format!(
                "UPDATE recall_targets SET state = '{to}', {col} = $1 + (person_id % {spread}) * 60000 + 60000, \
                 updated_by = 'self', updated_at = $1 + (person_id % {spread}) * 60000 + 60000 \
                 WHERE order_id = $2 AND state = '{from}'"
            ))
            .bind(sent)
            .bind(id.0)
            .execute(&mut **tx)
            .await?;
        }
        self.recount_recall(tx, id).await?;
        sqlx::query(
            "UPDATE recall_orders SET status = 'closed', sent_at = $1, created_at = $1, closed_at = $2, waves_done = 0, \
             updated_at = $2 WHERE id = $3",
        )
        .bind(sent)
        .bind(sent + 95 * 60_000)
        .bind(id.0)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Counts by unit and state (the board rolls them up the unit tree), from the maintained
    /// counts.
    pub async fn recall_counts(&self, id: OrderId) -> StoreResult<Vec<(UnitId, RecallState, i64)>> {
        let rows = sqlx::query("SELECT unit_id, state, n FROM recall_unit_counts WHERE order_id = $1 AND n <> 0")
            .bind(id.0)
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    UnitId(r.try_get("unit_id")?),
                    RecallState::parse(&r.try_get::<String, _>("state")?).unwrap_or(RecallState::Pending),
                    r.try_get("n")?,
                ))
            })
            .collect()
    }

    /// The whole order's tally (the maintained counts, summed).
    pub async fn recall_tally(&self, id: OrderId) -> StoreResult<Tally> {
        let rows = sqlx::query(
            "SELECT state, CAST(SUM(n) AS BIGINT) AS n FROM recall_unit_counts WHERE order_id = $1 GROUP BY state",
        )
        .bind(id.0)
        .fetch_all(&self.read)
        .await?;
        let mut t = Tally::default();
        for r in &rows {
            if let Ok(s) = RecallState::parse(&r.try_get::<String, _>("state")?) {
                t.add(s, r.try_get("n")?);
            }
        }
        Ok(t)
    }

    /// Count an order's people by unit and state afresh (after a change of many at once: the
    /// order's people written, the unanswered marked at expiry).
    pub(crate) async fn recount_recall(&self, tx: &mut Tx, id: OrderId) -> StoreResult<()> {
        sqlx::query("DELETE FROM recall_unit_counts WHERE order_id = $1").bind(id.0).execute(&mut **tx).await?;
        sqlx::query(
            "INSERT INTO recall_unit_counts (order_id, unit_id, state, n) \
             SELECT order_id, unit_id, state, COUNT(*) FROM recall_targets WHERE order_id = $1 GROUP BY order_id, unit_id, state",
        )
        .bind(id.0)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// People not yet accounted for (not on post, not exempt), by unit, within `units` (None: all).
    pub async fn recall_missing(
        &self,
        id: OrderId,
        units: Option<&[i64]>,
        limit: i64,
        after: i64,
    ) -> StoreResult<Vec<Target>> {
        let mut q = Sql::new(&format!(
            "SELECT {TARGET_COLS} FROM recall_targets t JOIN people p ON p.id = t.person_id \
             JOIN units u ON u.id = t.unit_id WHERE t.order_id = "
        ));
        q.bind_i64(id.0).push(" AND t.state IN ('pending', 'delivered', 'acked', 'no_response') AND t.person_id > ");
        q.bind_i64(after);
        if let Some(ids) = units {
            q.push(" AND t.unit_id IN (0");
            for u in ids {
                q.push(", ").bind_i64(*u);
            }
            q.push(")");
        }
        q.push(" ORDER BY t.person_id LIMIT ").bind_i64(limit);
        let rows = q.query().fetch_all(&self.read).await?;
        rows.iter().map(target_from).collect()
    }

    pub async fn recall_target(&self, order: OrderId, person: PersonId) -> StoreResult<Target> {
        let row = sqlx::query(&format!(
            "SELECT {TARGET_COLS} FROM recall_targets t JOIN people p ON p.id = t.person_id \
             JOIN units u ON u.id = t.unit_id WHERE t.order_id = $1 AND t.person_id = $2"
        ))
        .bind(order.0)
        .bind(person.0)
        .fetch_optional(&self.read)
        .await?
        .ok_or(StoreError::NotFound)?;
        target_from(&row)
    }

    /// PostgreSQL: refresh the planner's statistics after an order wrote a large audience. Without
    /// them the planner, still counting the table as small, answers each acknowledgement's
    /// `UPDATE … WHERE order_id = $ AND person_id = $ AND state = $` through the (order, state)
    /// index — a scan of every pending person of the order instead of one primary-key lookup
    /// (measured: 130 acknowledgements/s instead of thousands on a 100,956-person order).
    pub async fn analyze_recall(&self) -> StoreResult<()> {
        if self.backend == Backend::Postgres {
            sqlx::raw_sql("ANALYZE recall_targets; ANALYZE notify_outbox").execute(&self.write).await?;
        }
        Ok(())
    }

    /// An order and one of its people in one query (the personal link's check: one read, not two).
    pub async fn recall_order_and_target(&self, order: OrderId, person: PersonId) -> StoreResult<(Order, Target)> {
        static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let sql = SQL.get_or_init(|| {
            let order_cols: Vec<String> = ORDER_COLS.split(',').map(|c| format!("o.{}", c.trim())).collect();
            format!(
                "SELECT {}, {TARGET_COLS} FROM recall_targets t JOIN recall_orders o ON o.id = t.order_id \
                 JOIN people p ON p.id = t.person_id JOIN units u ON u.id = t.unit_id \
                 WHERE t.order_id = $1 AND t.person_id = $2",
                order_cols.join(", ")
            )
        });
        let row = sqlx::query(sql)
            .bind(order.0)
            .bind(person.0)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok((order_from(&row)?, target_from(&row)?))
    }

    /// The orders one person is recalled by, newest first (their in-app notices).
    pub async fn recall_targets_of(&self, person: PersonId) -> StoreResult<Vec<(Order, Target)>> {
        let rows = sqlx::query(&format!(
            "SELECT {TARGET_COLS} FROM recall_targets t JOIN people p ON p.id = t.person_id \
             JOIN units u ON u.id = t.unit_id JOIN recall_orders o ON o.id = t.order_id \
             WHERE t.person_id = $1 AND o.status IN ('active', 'closed') ORDER BY t.order_id DESC LIMIT 10"
        ))
        .bind(person.0)
        .fetch_all(&self.read)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let t = target_from(r)?;
            out.push((self.recall_order(t.order_id).await?, t));
        }
        Ok(out)
    }

    /// Unanswered people of an order (reminders go to them), `after` a person id, in chunks.
    pub async fn recall_unanswered(&self, id: OrderId, after: i64, limit: i64) -> StoreResult<Vec<(PersonId, UnitId)>> {
        let rows = sqlx::query(
            "SELECT person_id, unit_id FROM recall_targets WHERE order_id = $1 \
             AND state IN ('pending', 'delivered', 'no_response') AND person_id > $2 ORDER BY person_id LIMIT $3",
        )
        .bind(id.0)
        .bind(after)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(|r| Ok((PersonId(r.try_get("person_id")?), UnitId(r.try_get("unit_id")?)))).collect()
    }

    /// Count a reminder for every unanswered person (one statement).
    pub async fn recall_count_reminders(&self, tx: &mut Tx, id: OrderId) -> StoreResult<i64> {
        let n = sqlx::query(
            "UPDATE recall_targets SET reminders = reminders + 1 WHERE order_id = $1 \
             AND state IN ('pending', 'delivered', 'no_response')",
        )
        .bind(id.0)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        Ok(n as i64)
    }

    /// The head of each unit: (unit id, name, position), by HEAD_POSITIONS precedence then id.
    pub async fn unit_heads(&self) -> StoreResult<Vec<(UnitId, PersonId, String, String)>> {
        let mut q = Sql::new("SELECT id, unit_id, name, position FROM people WHERE enabled = 1 AND position IN (");
        for (i, h) in HEAD_POSITIONS.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.bind_text(*h);
        }
        q.push(") ORDER BY id");
        let rows = q.query().fetch_all(&self.read).await?;
        let mut out: Vec<(UnitId, PersonId, String, String)> = Vec::new();
        for r in &rows {
            let unit = UnitId(r.try_get("unit_id")?);
            let pos: String = r.try_get::<Option<String>, _>("position")?.unwrap_or_default();
            let rank = HEAD_POSITIONS.iter().position(|h| *h == pos).unwrap_or(99);
            match out.iter_mut().find(|h| h.0 == unit) {
                Some(h) if HEAD_POSITIONS.iter().position(|x| *x == h.3).unwrap_or(99) > rank => {
                    *h = (unit, PersonId(r.try_get("id")?), r.try_get("name")?, pos);
                }
                Some(_) => {}
                None => out.push((unit, PersonId(r.try_get("id")?), r.try_get("name")?, pos)),
            }
        }
        Ok(out)
    }
}

/// Shift `$n` placeholders of a fragment by `offset` (to append a WHERE built on its own).
fn renumber(text: &str, offset: usize) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(|d| d.is_ascii_digit()) {
            let mut n = String::new();
            while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                n.push(*d);
                chars.next();
            }
            let v: usize = n.parse().unwrap_or(0);
            out.push_str(&format!("${}", v + offset));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn renumbers() {
        assert_eq!(super::renumber(" WHERE a = $1 AND b = $12", 3), " WHERE a = $4 AND b = $15");
    }
}
