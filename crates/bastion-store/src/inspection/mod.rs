//! Inspections (督导检查): checklist versions, plans, inspections with their results and photos,
//! findings with their deadline clock and rectification trail, circulars. An inspection is
//! stored once per `client_key`, whatever number of times a phone sends it.

use bastion_core::duty::PostKind;
use bastion_core::inspection::{FindingStatus, ItemResult, PhotoSource, Severity};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::{Store, StoreError, StoreResult, Tx};
use crate::duty::PostId;
use crate::org::{PersonId, UnitId};
use crate::sql::Sql;

mod circular;
mod counts;
pub use circular::Circular;
pub use counts::{FindingStates, UnitStat};

macro_rules! id_type {
    ($($name:ident),+) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
        #[serde(transparent)]
        pub struct $name(pub i64);
    )+};
}
id_type!(TemplateId, PlanId, InspectionId, FindingId, ActionId, PhotoId, CircularId);

/// One version of the checklist for a kind of post; an inspection keeps the version it used.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Template {
    pub id: TemplateId,
    pub kind: PostKind,
    pub version: i64,
    pub items: Vec<String>,
    pub created_by: String,
    pub created_at: i64,
}

/// An inspection plan: who inspects which posts in which order, in which window.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Plan {
    pub id: PlanId,
    pub title: String,
    /// Accounts of the inspectors.
    pub inspectors: Vec<String>,
    /// 暗访: the route and window are shown only to the inspectors and the commander until done.
    pub unannounced: bool,
    pub route: Vec<PostId>,
    pub window_start: i64,
    pub window_end: i64,
    /// `planned` or `done`
    pub status: String,
    pub created_by: String,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewPlan {
    pub title: String,
    pub inspectors: Vec<String>,
    pub unannounced: bool,
    pub route: Vec<PostId>,
    pub window_start: i64,
    pub window_end: i64,
    pub created_by: String,
}

/// One checklist line of an inspection as recorded.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ItemRecord {
    pub idx: i64,
    pub text: String,
    pub result: ItemResult,
    pub note: String,
}

/// An inspection of one post.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Inspection {
    pub id: InspectionId,
    pub plan_id: Option<PlanId>,
    pub post_id: PostId,
    pub post_name: String,
    pub unit_id: UnitId,
    pub unit_name: String,
    #[serde(skip)]
    pub unit_path: String,
    pub template_version: i64,
    /// The finding this inspection re-inspects (复查).
    pub follows_finding: Option<FindingId>,
    pub inspector: String,
    pub inspector_name: String,
    pub note: String,
    pub location: String,
    pub started_at: i64,
    /// The server's receive time.
    pub received_at: i64,
    pub items: Vec<ItemRecord>,
    pub photos: Vec<PhotoInfo>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PhotoInfo {
    pub id: PhotoId,
    pub sha256: String,
    pub source: PhotoSource,
    pub received_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewFinding {
    pub item_idx: Option<i64>,
    pub text: String,
    pub severity: Severity,
    pub person_id: Option<PersonId>,
    pub deadline_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewInspection {
    pub client_key: String,
    pub plan_id: Option<PlanId>,
    pub post_id: PostId,
    pub unit_id: UnitId,
    pub template_id: TemplateId,
    pub follows_finding: Option<FindingId>,
    pub inspector: String,
    pub inspector_name: String,
    pub note: String,
    pub location: String,
    pub started_at: i64,
    pub received_at: i64,
    pub items: Vec<(String, ItemResult, String)>,
    pub findings: Vec<NewFinding>,
}

/// A finding (问题) and where its rectification stands.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Finding {
    pub id: FindingId,
    pub inspection_id: InspectionId,
    pub text: String,
    pub severity: Severity,
    pub unit_id: UnitId,
    pub unit_name: String,
    #[serde(skip)]
    pub unit_path: String,
    pub post_id: PostId,
    pub post_name: String,
    pub person_id: Option<PersonId>,
    pub deadline_at: i64,
    pub status: FindingStatus,
    pub reminded_at: Option<i64>,
    pub escalated_at: Option<i64>,
    pub created_at: i64,
    pub closed_at: Option<i64>,
    /// The account that raised it (the inspector).
    pub inspector: String,
}

/// One step of a finding's trail: `rectify` (the unit), `close` or `return` (the inspector).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Action {
    pub id: ActionId,
    pub kind: String,
    pub body: String,
    pub author: String,
    pub at: i64,
    pub photos: Vec<PhotoId>,
}

/// Which findings a list shows.
#[derive(Debug, Clone, Default)]
pub struct FindingFilter {
    /// The units a viewer's scope covers (None: all).
    pub units: Option<Vec<i64>>,
    /// Only those raised by this account (an inspector's own).
    pub raised_by: Option<String>,
    pub status: Option<FindingStatus>,
    /// Only open findings whose deadline has passed at this time.
    pub overdue_at: Option<i64>,
    pub unit_id: Option<i64>,
}

fn split(s: &str) -> Vec<String> {
    s.split(',').map(str::trim).filter(|x| !x.is_empty()).map(str::to_string).collect()
}

fn template_row(r: &AnyRow) -> StoreResult<Template> {
    let items: String = r.try_get("items")?;
    Ok(Template {
        id: TemplateId(r.try_get("id")?),
        kind: PostKind::parse(&r.try_get::<String, _>("kind")?).unwrap_or(PostKind::Team),
        version: r.try_get("version")?,
        items: items.lines().map(str::to_string).collect(),
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
    })
}

fn plan_row(r: &AnyRow) -> StoreResult<Plan> {
    Ok(Plan {
        id: PlanId(r.try_get("id")?),
        title: r.try_get("title")?,
        inspectors: split(&r.try_get::<String, _>("inspectors")?),
        unannounced: r.try_get::<i64, _>("unannounced")? != 0,
        route: split(&r.try_get::<String, _>("route")?).iter().filter_map(|p| p.parse().ok()).map(PostId).collect(),
        window_start: r.try_get("window_start")?,
        window_end: r.try_get("window_end")?,
        status: r.try_get("status")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
    })
}

const INSPECTION_COLS: &str = "i.id, i.plan_id, i.post_id, p.name AS post_name, i.unit_id, u.name AS unit_name, \
    u.path AS unit_path, t.version AS template_version, i.follows_finding, i.inspector, i.inspector_name, i.note, \
    i.location, i.started_at, i.received_at";
const INSPECTION_FROM: &str = "inspections i JOIN duty_posts p ON p.id = i.post_id JOIN units u ON u.id = i.unit_id \
    JOIN inspection_templates t ON t.id = i.template_id";

fn inspection_row(r: &AnyRow) -> StoreResult<Inspection> {
    Ok(Inspection {
        id: InspectionId(r.try_get("id")?),
        plan_id: r.try_get::<Option<i64>, _>("plan_id")?.map(PlanId),
        post_id: PostId(r.try_get("post_id")?),
        post_name: r.try_get("post_name")?,
        unit_id: UnitId(r.try_get("unit_id")?),
        unit_name: r.try_get("unit_name")?,
        unit_path: r.try_get("unit_path")?,
        template_version: r.try_get("template_version")?,
        follows_finding: r.try_get::<Option<i64>, _>("follows_finding")?.map(FindingId),
        inspector: r.try_get("inspector")?,
        inspector_name: r.try_get("inspector_name")?,
        note: r.try_get("note")?,
        location: r.try_get("location")?,
        started_at: r.try_get("started_at")?,
        received_at: r.try_get("received_at")?,
        items: Vec::new(),
        photos: Vec::new(),
    })
}

const FINDING_COLS: &str = "f.id, f.inspection_id, f.text, f.severity, f.unit_id, u.name AS unit_name, \
    u.path AS unit_path, f.post_id, p.name AS post_name, f.person_id, f.deadline_at, f.status, f.reminded_at, \
    f.escalated_at, f.created_at, f.closed_at, i.inspector";
const FINDING_FROM: &str =
    "inspection_findings f JOIN units u ON u.id = f.unit_id JOIN duty_posts p ON p.id = f.post_id \
    JOIN inspections i ON i.id = f.inspection_id";

fn finding_row(r: &AnyRow) -> StoreResult<Finding> {
    Ok(Finding {
        id: FindingId(r.try_get("id")?),
        inspection_id: InspectionId(r.try_get("inspection_id")?),
        text: r.try_get("text")?,
        severity: Severity::parse(&r.try_get::<String, _>("severity")?).unwrap_or(Severity::Minor),
        unit_id: UnitId(r.try_get("unit_id")?),
        unit_name: r.try_get("unit_name")?,
        unit_path: r.try_get("unit_path")?,
        post_id: PostId(r.try_get("post_id")?),
        post_name: r.try_get("post_name")?,
        person_id: r.try_get::<Option<i64>, _>("person_id")?.map(PersonId),
        deadline_at: r.try_get("deadline_at")?,
        status: FindingStatus::parse(&r.try_get::<String, _>("status")?).unwrap_or(FindingStatus::Open),
        reminded_at: r.try_get("reminded_at")?,
        escalated_at: r.try_get("escalated_at")?,
        created_at: r.try_get("created_at")?,
        closed_at: r.try_get("closed_at")?,
        inspector: r.try_get("inspector")?,
    })
}

fn filtered(q: &mut Sql, f: &FindingFilter) {
    counts::in_units(q, "f.unit_id", f.units.as_deref());
    if let Some(who) = &f.raised_by {
        q.push(" AND i.inspector = ").bind_text(who.clone());
    }
    if let Some(s) = f.status {
        q.push(" AND f.status = ").bind_text(s.code());
    }
    if let Some(at) = f.overdue_at {
        q.push(" AND f.status = 'open' AND f.deadline_at < ").bind_i64(at);
    }
    if let Some(u) = f.unit_id {
        q.push(" AND f.unit_id = ").bind_i64(u);
    }
}

impl Store {
    // ---- checklists ----

    /// Every version of every checklist, newest version first within a kind.
    pub async fn inspection_templates(&self) -> StoreResult<Vec<Template>> {
        let rows =
            sqlx::query("SELECT * FROM inspection_templates ORDER BY kind, version DESC").fetch_all(&self.read).await?;
        rows.iter().map(template_row).collect()
    }

    /// Add the next version of a kind's checklist.
    pub async fn insert_template(
        &self,
        tx: &mut Tx,
        kind: PostKind,
        items: &[String],
        by: &str,
    ) -> StoreResult<Template> {
        let row = sqlx::query("SELECT COALESCE(MAX(version), 0) AS v FROM inspection_templates WHERE kind = $1")
            .bind(kind.code())
            .fetch_one(&mut **tx)
            .await?;
        let version = row.try_get::<i64, _>("v")? + 1;
        let row = sqlx::query(
            "INSERT INTO inspection_templates (kind, version, items, created_by, created_at) VALUES ($1,$2,$3,$4,$5) \
             RETURNING *",
        )
        .bind(kind.code())
        .bind(version)
        .bind(items.join("\n"))
        .bind(by)
        .bind(bastion_core::time::now_ms())
        .fetch_one(&mut **tx)
        .await
        .map_err(crate::db::unique("检查表版本", kind.zh()))?;
        template_row(&row)
    }

    // ---- plans ----

    pub async fn insert_plan(&self, tx: &mut Tx, p: &NewPlan) -> StoreResult<PlanId> {
        let route: Vec<String> = p.route.iter().map(|r| r.0.to_string()).collect();
        let row = sqlx::query(
            "INSERT INTO inspection_plans (title, inspectors, unannounced, route, window_start, window_end, status, \
             created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,'planned',$7,$8) RETURNING id",
        )
        .bind(&p.title)
        .bind(p.inspectors.join(","))
        .bind(i64::from(p.unannounced))
        .bind(route.join(","))
        .bind(p.window_start)
        .bind(p.window_end)
        .bind(&p.created_by)
        .bind(bastion_core::time::now_ms())
        .fetch_one(&mut **tx)
        .await?;
        Ok(PlanId(row.try_get("id")?))
    }

    pub async fn inspection_plans(&self, limit: i64) -> StoreResult<Vec<Plan>> {
        let rows = sqlx::query("SELECT * FROM inspection_plans ORDER BY id DESC LIMIT $1")
            .bind(limit)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(plan_row).collect()
    }

    pub async fn inspection_plan(&self, id: PlanId) -> StoreResult<Plan> {
        let row = sqlx::query("SELECT * FROM inspection_plans WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        plan_row(&row)
    }

    /// The route of the newest unannounced plan, read in the writing transaction (the next draw
    /// must differ from it).
    pub async fn last_drawn_route(&self, tx: &mut Tx) -> StoreResult<Option<Vec<PostId>>> {
        let row = sqlx::query("SELECT * FROM inspection_plans WHERE unannounced = 1 ORDER BY id DESC LIMIT 1")
            .fetch_optional(&mut **tx)
            .await?;
        Ok(match row {
            Some(r) => Some(plan_row(&r)?.route),
            None => None,
        })
    }

    /// A plan is carried out once every post on its route has an inspection under it.
    pub async fn finish_plan_if_done(&self, tx: &mut Tx, id: PlanId) -> StoreResult<bool> {
        let row = sqlx::query("SELECT route FROM inspection_plans WHERE id = $1 AND status = 'planned'")
            .bind(id.0)
            .fetch_optional(&mut **tx)
            .await?;
        let Some(row) = row else { return Ok(false) };
        let route = split(&row.try_get::<String, _>("route")?);
        let done = sqlx::query("SELECT DISTINCT post_id FROM inspections WHERE plan_id = $1")
            .bind(id.0)
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|r| r.try_get::<i64, _>("post_id").map(|p| p.to_string()))
            .collect::<Result<Vec<_>, _>>()?;
        if route.iter().all(|p| done.contains(p)) {
            sqlx::query("UPDATE inspection_plans SET status = 'done' WHERE id = $1")
                .bind(id.0)
                .execute(&mut **tx)
                .await?;
            return Ok(true);
        }
        Ok(false)
    }

    // ---- inspections ----

    /// Store an inspection with its items and findings, once per client key. Returns the id and
    /// whether this call stored it (false: it was already there, nothing was written).
    pub async fn insert_inspection(&self, tx: &mut Tx, n: &NewInspection) -> StoreResult<(InspectionId, bool)> {
        let row = sqlx::query(
            "INSERT INTO inspections (client_key, plan_id, post_id, unit_id, template_id, follows_finding, inspector, \
             inspector_name, note, location, started_at, received_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) \
             ON CONFLICT (client_key) DO NOTHING RETURNING id",
        )
        .bind(&n.client_key)
        .bind(n.plan_id.map(|p| p.0))
        .bind(n.post_id.0)
        .bind(n.unit_id.0)
        .bind(n.template_id.0)
        .bind(n.follows_finding.map(|f| f.0))
        .bind(&n.inspector)
        .bind(&n.inspector_name)
        .bind(&n.note)
        .bind(&n.location)
        .bind(n.started_at)
        .bind(n.received_at)
        .fetch_optional(&mut **tx)
        .await?;
        let Some(row) = row else {
            let row = sqlx::query("SELECT id FROM inspections WHERE client_key = $1")
                .bind(&n.client_key)
                .fetch_one(&mut **tx)
                .await?;
            return Ok((InspectionId(row.try_get("id")?), false));
        };
        let id: i64 = row.try_get("id")?;
        self.count_inspection(tx, n.unit_id, n.received_at).await?;
        for (idx, (text, result, note)) in n.items.iter().enumerate() {
            sqlx::query(
                "INSERT INTO inspection_items (inspection_id, idx, text, result, note) VALUES ($1,$2,$3,$4,$5)",
            )
            .bind(id)
            .bind(idx as i64)
            .bind(text)
            .bind(result.code())
            .bind(note)
            .execute(&mut **tx)
            .await?;
        }
        for f in &n.findings {
            sqlx::query(
                "INSERT INTO inspection_findings (inspection_id, item_idx, text, severity, unit_id, post_id, person_id, \
                 deadline_at, status, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,'open',$9)",
            )
            .bind(id)
            .bind(f.item_idx)
            .bind(&f.text)
            .bind(f.severity.code())
            .bind(n.unit_id.0)
            .bind(n.post_id.0)
            .bind(f.person_id.map(|p| p.0))
            .bind(f.deadline_at)
            .bind(n.received_at)
            .execute(&mut **tx)
            .await?;
            self.count_finding_raised(tx, n.unit_id, n.received_at, f.deadline_at, f.severity).await?;
            self.count_finding_state(tx, n.unit_id, f.deadline_at, None, FindingStatus::Open).await?;
        }
        Ok((InspectionId(id), true))
    }

    pub async fn inspection(&self, id: InspectionId) -> StoreResult<Inspection> {
        let row = sqlx::query(&format!("SELECT {INSPECTION_COLS} FROM {INSPECTION_FROM} WHERE i.id = $1"))
            .bind(id.0)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut i = inspection_row(&row)?;
        let rows =
            sqlx::query("SELECT idx, text, result, note FROM inspection_items WHERE inspection_id = $1 ORDER BY idx")
                .bind(id.0)
                .fetch_all(&self.read)
                .await?;
        for r in rows {
            i.items.push(ItemRecord {
                idx: r.try_get("idx")?,
                text: r.try_get("text")?,
                result: ItemResult::parse(&r.try_get::<String, _>("result")?).unwrap_or(ItemResult::NotApplicable),
                note: r.try_get("note")?,
            });
        }
        let rows = sqlx::query(
            "SELECT id, sha256, source, received_at FROM inspection_photos WHERE inspection_id = $1 ORDER BY id",
        )
        .bind(id.0)
        .fetch_all(&self.read)
        .await?;
        for r in rows {
            i.photos.push(PhotoInfo {
                id: PhotoId(r.try_get("id")?),
                sha256: r.try_get("sha256")?,
                source: PhotoSource::parse(&r.try_get::<String, _>("source")?).unwrap_or(PhotoSource::Unknown),
                received_at: r.try_get("received_at")?,
            });
        }
        Ok(i)
    }

    /// The newest inspections of some units (None: all), or by one inspector.
    pub async fn recent_inspections(
        &self,
        units: Option<&[i64]>,
        inspector: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<Inspection>> {
        let mut q = Sql::new(&format!("SELECT {INSPECTION_COLS} FROM {INSPECTION_FROM} WHERE 1=1"));
        if let Some(units) = units {
            q.push(" AND i.unit_id IN (0");
            for u in units {
                q.push(", ").bind_i64(*u);
            }
            q.push(")");
        }
        if let Some(who) = inspector {
            q.push(" AND i.inspector = ").bind_text(who);
        }
        q.push(" ORDER BY i.id DESC LIMIT ").bind_i64(limit);
        let rows = q.query().fetch_all(&self.read).await?;
        rows.iter().map(inspection_row).collect()
    }

    // ---- photos ----

    #[allow(clippy::too_many_arguments)]
    pub async fn insert_inspection_photo(
        &self,
        tx: &mut Tx,
        inspection: Option<InspectionId>,
        action: Option<ActionId>,
        sha256: &str,
        source: PhotoSource,
        size: (u32, u32),
        data: &[u8],
        by: &str,
    ) -> StoreResult<PhotoId> {
        let row = sqlx::query(
            "INSERT INTO inspection_photos (inspection_id, action_id, sha256, source, width, height, data, uploaded_by, \
             received_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id",
        )
        .bind(inspection.map(|i| i.0))
        .bind(action.map(|a| a.0))
        .bind(sha256)
        .bind(source.code())
        .bind(i64::from(size.0))
        .bind(i64::from(size.1))
        .bind(data)
        .bind(by)
        .bind(bastion_core::time::now_ms())
        .fetch_one(&mut **tx)
        .await?;
        Ok(PhotoId(row.try_get("id")?))
    }

    /// A photo's bytes and the unit path of the post it was taken at.
    pub async fn inspection_photo(&self, id: PhotoId) -> StoreResult<(Vec<u8>, String, String)> {
        let row = sqlx::query(
            "SELECT ph.data, u.path, COALESCE(i.inspector, i2.inspector) AS inspector FROM inspection_photos ph \
             LEFT JOIN inspections i ON i.id = ph.inspection_id \
             LEFT JOIN inspection_actions a ON a.id = ph.action_id \
             LEFT JOIN inspection_findings f ON f.id = a.finding_id \
             LEFT JOIN inspections i2 ON i2.id = f.inspection_id \
             JOIN units u ON u.id = COALESCE(i.unit_id, f.unit_id) WHERE ph.id = $1",
        )
        .bind(id.0)
        .fetch_optional(&self.read)
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok((row.try_get("data")?, row.try_get("path")?, row.try_get("inspector")?))
    }

    // ---- findings ----

    pub async fn findings(&self, f: &FindingFilter, limit: i64, offset: i64) -> StoreResult<(Vec<Finding>, i64)> {
        // The joined rows always exist (the keys are required), so only a filter on the
        // inspector needs the join to count.
        let from = if f.raised_by.is_some() { FINDING_FROM } else { "inspection_findings f" };
        let mut count = Sql::new(&format!("SELECT COUNT(*) AS n FROM {from} WHERE 1=1"));
        filtered(&mut count, f);
        let total: i64 = count.query().fetch_one(&self.read).await?.try_get("n")?;
        let mut q = Sql::new(&format!("SELECT {FINDING_COLS} FROM {FINDING_FROM} WHERE 1=1"));
        filtered(&mut q, f);
        // One status: the deadline order, which the (status, deadline) index gives without a sort.
        if f.status.is_some() || f.overdue_at.is_some() {
            q.push(" ORDER BY f.deadline_at, f.id");
        } else {
            q.push(
                " ORDER BY CASE f.status WHEN 'open' THEN 0 WHEN 'rectified' THEN 1 ELSE 2 END, f.deadline_at, f.id",
            );
        }
        q.push(" LIMIT ").bind_i64(limit).push(" OFFSET ").bind_i64(offset);
        let rows = q.query().fetch_all(&self.read).await?;
        Ok((rows.iter().map(finding_row).collect::<StoreResult<_>>()?, total))
    }

    pub async fn finding(&self, id: FindingId) -> StoreResult<Finding> {
        let row = sqlx::query(&format!("SELECT {FINDING_COLS} FROM {FINDING_FROM} WHERE f.id = $1"))
            .bind(id.0)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        finding_row(&row)
    }

    /// The findings an inspection raised.
    pub async fn findings_of(&self, inspection: InspectionId) -> StoreResult<Vec<Finding>> {
        let rows =
            sqlx::query(&format!("SELECT {FINDING_COLS} FROM {FINDING_FROM} WHERE f.inspection_id = $1 ORDER BY f.id"))
                .bind(inspection.0)
                .fetch_all(&self.read)
                .await?;
        rows.iter().map(finding_row).collect()
    }

    pub async fn finding_actions(&self, id: FindingId) -> StoreResult<Vec<Action>> {
        let rows =
            sqlx::query("SELECT id, kind, body, author, at FROM inspection_actions WHERE finding_id = $1 ORDER BY id")
                .bind(id.0)
                .fetch_all(&self.read)
                .await?;
        let photos = sqlx::query(
            "SELECT ph.id, ph.action_id FROM inspection_photos ph JOIN inspection_actions a ON a.id = ph.action_id \
             WHERE a.finding_id = $1 ORDER BY ph.id",
        )
        .bind(id.0)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                let id: i64 = r.try_get("id")?;
                let mut shots = Vec::new();
                for p in &photos {
                    if p.try_get::<i64, _>("action_id")? == id {
                        shots.push(PhotoId(p.try_get("id")?));
                    }
                }
                Ok(Action {
                    id: ActionId(id),
                    kind: r.try_get("kind")?,
                    body: r.try_get("body")?,
                    author: r.try_get("author")?,
                    at: r.try_get("at")?,
                    photos: shots,
                })
            })
            .collect()
    }

    /// Record a step of a finding's trail and move it from `from` to `to`; Conflict when it is no
    /// longer in `from` (someone else moved it first).
    #[allow(clippy::too_many_arguments)]
    pub async fn finding_step(
        &self,
        tx: &mut Tx,
        id: FindingId,
        from: FindingStatus,
        to: FindingStatus,
        kind: &str,
        body: &str,
        account: &str,
        author: &str,
    ) -> StoreResult<ActionId> {
        let now = bastion_core::time::now_ms();
        let closed = to == FindingStatus::Closed;
        let moved = sqlx::query(
            "UPDATE inspection_findings SET status = $1, closed_at = $2, closed_by = $3 WHERE id = $4 AND status = $5 \
             RETURNING unit_id, created_at, deadline_at",
        )
        .bind(to.code())
        .bind(closed.then_some(now))
        .bind(closed.then_some(account))
        .bind(id.0)
        .bind(from.code())
        .fetch_optional(&mut **tx)
        .await?;
        let Some(moved) = moved else {
            return Err(StoreError::Conflict(format!("该问题已不是“{}”状态，请刷新后再试", from.zh())));
        };
        let unit = UnitId(moved.try_get("unit_id")?);
        let deadline_at: i64 = moved.try_get("deadline_at")?;
        self.count_finding_state(tx, unit, deadline_at, Some(from), to).await?;
        if closed {
            self.count_finding_closed(tx, unit, moved.try_get("created_at")?, deadline_at, now).await?;
        }
        let row = sqlx::query(
            "INSERT INTO inspection_actions (finding_id, kind, body, account, author, at) VALUES ($1,$2,$3,$4,$5,$6) \
             RETURNING id",
        )
        .bind(id.0)
        .bind(kind)
        .bind(body)
        .bind(account)
        .bind(author)
        .bind(now)
        .fetch_one(&mut **tx)
        .await?;
        Ok(ActionId(row.try_get("id")?))
    }

    /// Open findings whose deadline is within `window` of `now` or past, oldest deadline first.
    pub async fn findings_due(&self, now: i64, window: i64) -> StoreResult<Vec<Finding>> {
        let rows = sqlx::query(&format!(
            "SELECT {FINDING_COLS} FROM {FINDING_FROM} WHERE f.status = 'open' AND f.deadline_at <= $1 \
             AND (f.escalated_at IS NULL) ORDER BY f.deadline_at, f.id LIMIT 500"
        ))
        .bind(now + window)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(finding_row).collect()
    }

    /// Note that a finding's unit was reminded (`escalated`: the deadline passed and the head and
    /// the HQ were told). False when another node did it first.
    pub async fn mark_finding_clock(&self, tx: &mut Tx, id: FindingId, escalated: bool, at: i64) -> StoreResult<bool> {
        let sql = if escalated {
            "UPDATE inspection_findings SET escalated_at = $1 WHERE id = $2 AND escalated_at IS NULL"
        } else {
            "UPDATE inspection_findings SET reminded_at = $1 WHERE id = $2 AND reminded_at IS NULL"
        };
        Ok(sqlx::query(sql).bind(at).bind(id.0).execute(&mut **tx).await?.rows_affected() == 1)
    }
}
