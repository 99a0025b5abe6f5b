//! Checkpoints and screening: checkpoints, screening records written in batches (the
//! hot path: one multi-row INSERT per batch, idempotent by the client-minted id), live counters,
//! self-registration passes, trace by blind index and the retention purge (fever cases, their
//! follow-ups and alerts are in `fever`). Identity and phone numbers are stored encrypted with a blind index.

mod direct;
mod fever;

use bastion_core::checkpoint::{
    CheckpointKind, CheckpointStatus, Decision, DocType, EntryMode, FeverOutcome, FeverStatus, HealthCode, Plate,
    Reason, TempMethod, Temperature, VehicleType,
};
use bastion_core::org::PoliceType;
use bastion_core::Phone;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::audit::AuditEntry;
use crate::db::{found, unique, Store, StoreError, StoreResult, Tx};
use crate::org::UnitId;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(transparent)]
pub struct CheckpointId(pub i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct FeverCaseId(pub i64);

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Checkpoint {
    pub id: CheckpointId,
    pub name: String,
    pub kind: CheckpointKind,
    pub location: String,
    pub hours: String,
    pub police_types: Vec<PoliceType>,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub unit_path: String,
    pub status: CheckpointStatus,
    pub leader: String,
    pub fever_clinic: String,
    /// The code in the poster's URL (`/p/{code}`): not guessable from the id.
    pub public_code: String,
}

#[derive(Debug, Clone)]
pub struct NewCheckpoint {
    pub name: String,
    pub kind: CheckpointKind,
    pub location: String,
    pub hours: String,
    pub police_types: Vec<PoliceType>,
    pub unit_id: UnitId,
    pub status: CheckpointStatus,
    pub leader: String,
    pub fever_clinic: String,
}

/// One traveller's pass, parsed. Numbers are clear here and encrypted by the store.
#[derive(Debug, Clone)]
pub struct NewScreening {
    /// Minted by the client (UUID); a resend with the same id is recognised, not stored twice.
    pub id: String,
    pub checkpoint_id: CheckpointId,
    pub mode: EntryMode,
    pub captured_at: i64,
    pub name: String,
    pub doc_type: DocType,
    pub doc_number: String,
    pub sex: Option<String>,
    pub birth_year: Option<i64>,
    pub phone: Option<Phone>,
    pub plate: Option<Plate>,
    pub vehicle_type: VehicleType,
    pub driver_id: Option<String>,
    pub origin: String,
    pub destination: String,
    pub reason: Reason,
    pub travel_flag: bool,
    pub health_code: HealthCode,
    pub temp: Temperature,
    pub temp2: Option<Temperature>,
    pub method: TempMethod,
    pub fever: bool,
    pub decision: Decision,
    pub officer_id: i64,
    pub officer: String,
    /// Where a fever case is referred (the checkpoint's clinic unless the officer named another).
    pub clinic: String,
    /// The self-registration pass this record finishes (marked used in the same transaction).
    pub pass_code: Option<String>,
    /// Audit fields of the request that carried this record.
    pub audit_unit: String,
    pub audit_ip: String,
    pub request_id: String,
}

/// A pass ready for the writer: its numbers already encrypted, blind-indexed and masked, and its
/// audit record written out, by the request that carried it ([`Store::seal_screening`]), so the
/// single writer only binds and sends. `row` keeps the parsed fields the writer still reads.
#[derive(Debug, Clone)]
pub struct SealedScreening {
    pub row: NewScreening,
    pub(crate) doc_cipher: Vec<u8>,
    pub(crate) doc_bidx: String,
    pub(crate) doc_masked: String,
    pub(crate) phone_cipher: Option<Vec<u8>>,
    pub(crate) phone_bidx: Option<String>,
    pub(crate) phone_masked: Option<String>,
    pub(crate) audit: AuditEntry,
}

/// A stored pass as pages and the API show it: numbers masked.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Screening {
    pub id: String,
    pub checkpoint_id: CheckpointId,
    pub checkpoint_name: String,
    pub mode: EntryMode,
    pub at: i64,
    pub name_masked: String,
    pub doc_type: DocType,
    pub doc_masked: String,
    pub phone_masked: Option<String>,
    pub plate: Option<String>,
    pub plate_warning: bool,
    pub vehicle_type: VehicleType,
    pub driver_id: Option<String>,
    pub origin: String,
    pub destination: String,
    pub reason: Reason,
    pub travel_flag: bool,
    pub health_code: HealthCode,
    pub temp: String,
    pub temp2: Option<String>,
    pub method: TempMethod,
    pub fever: bool,
    pub decision: Decision,
    pub officer: String,
}

/// What registering one record did.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Registered {
    pub id: String,
    /// False when a record with this id was already stored (a resend).
    pub created: bool,
    pub fever_case: Option<FeverCaseId>,
}

#[derive(Debug, Clone, Serialize, Default, schemars::JsonSchema)]
pub struct LiveCount {
    pub checkpoint_id: i64,
    pub today: i64,
    pub today_fevers: i64,
    /// Registrations in the current clock hour.
    pub this_hour: i64,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PassView {
    pub code: String,
    pub checkpoint_id: CheckpointId,
    pub summary: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub screening_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct FeverCase {
    pub id: FeverCaseId,
    pub screening_id: String,
    pub checkpoint_id: CheckpointId,
    pub checkpoint_name: String,
    pub opened_at: i64,
    pub temp: String,
    pub clinic: String,
    pub status: FeverStatus,
    pub handed_over_at: Option<i64>,
    pub handed_over_by: Option<String>,
    pub receiver: Option<String>,
    pub closed_at: Option<i64>,
    pub outcome: Option<FeverOutcome>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct FollowUp {
    pub at: i64,
    pub account: String,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Alert {
    pub id: i64,
    pub at: i64,
    pub checkpoint_id: CheckpointId,
    pub case_id: Option<FeverCaseId>,
    pub audience: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, Default, schemars::JsonSchema)]
pub struct PurgeReport {
    pub screenings: i64,
    pub fever_cases: i64,
    pub passes: i64,
}

const CP_COLS: &str = "c.id, c.name, c.kind, c.location, c.hours, c.police_types, c.unit_id, u.name AS unit_name, \
     u.path AS unit_path, c.status, c.leader, c.fever_clinic, c.public_code";

fn checkpoint_from(r: &AnyRow) -> StoreResult<Checkpoint> {
    let types: String = r.try_get("police_types")?;
    Ok(Checkpoint {
        id: CheckpointId(r.try_get("id")?),
        name: r.try_get("name")?,
        kind: CheckpointKind::parse(&r.try_get::<String, _>("kind")?).unwrap_or(CheckpointKind::Other),
        location: r.try_get("location")?,
        hours: r.try_get("hours")?,
        police_types: types.split(',').filter(|s| !s.is_empty()).filter_map(|s| PoliceType::parse(s).ok()).collect(),
        unit_id: UnitId(r.try_get("unit_id")?),
        unit_name: r.try_get("unit_name")?,
        unit_path: r.try_get("unit_path")?,
        status: CheckpointStatus::parse(&r.try_get::<String, _>("status")?).unwrap_or(CheckpointStatus::Open),
        leader: r.try_get("leader")?,
        fever_clinic: r.try_get("fever_clinic")?,
        public_code: r.try_get("public_code")?,
    })
}

const SC_COLS: &str =
    "s.id, s.checkpoint_id, c.name AS checkpoint_name, s.mode, s.at, s.name, s.doc_type, s.doc_masked, \
     s.phone_masked, s.plate, s.plate_warning, s.vehicle_type, s.driver_id, s.origin, s.destination, s.reason, \
     s.travel_flag, s.health_code, s.temp, s.temp2, s.method, s.fever, s.decision, s.officer";

pub(crate) fn tenths(t: i64) -> String {
    format!("{}.{}", t / 10, t % 10)
}

fn screening_from(r: &AnyRow) -> StoreResult<Screening> {
    let name: String = r.try_get("name")?;
    Ok(Screening {
        id: r.try_get("id")?,
        checkpoint_id: CheckpointId(r.try_get("checkpoint_id")?),
        checkpoint_name: r.try_get("checkpoint_name")?,
        mode: EntryMode::parse(&r.try_get::<String, _>("mode")?).unwrap_or(EntryMode::Officer),
        at: r.try_get("at")?,
        name_masked: bastion_core::mask::name(&name),
        doc_type: DocType::parse(&r.try_get::<String, _>("doc_type")?).unwrap_or(DocType::Other),
        doc_masked: r.try_get("doc_masked")?,
        phone_masked: r.try_get("phone_masked")?,
        plate: r.try_get("plate")?,
        plate_warning: r.try_get::<i64, _>("plate_warning")? != 0,
        vehicle_type: VehicleType::parse(&r.try_get::<String, _>("vehicle_type")?).unwrap_or(VehicleType::Other),
        driver_id: r.try_get("driver_id")?,
        origin: r.try_get("origin")?,
        destination: r.try_get("destination")?,
        reason: Reason::parse(&r.try_get::<String, _>("reason")?).unwrap_or(Reason::Other),
        travel_flag: r.try_get::<i64, _>("travel_flag")? != 0,
        health_code: HealthCode::parse(&r.try_get::<String, _>("health_code")?).unwrap_or(HealthCode::None),
        temp: tenths(r.try_get("temp")?),
        temp2: r.try_get::<Option<i64>, _>("temp2")?.map(tenths),
        method: TempMethod::parse(&r.try_get::<String, _>("method")?).unwrap_or(TempMethod::Forehead),
        fever: r.try_get::<i64, _>("fever")? != 0,
        decision: Decision::parse(&r.try_get::<String, _>("decision")?).unwrap_or(Decision::Pass),
        officer: r.try_get("officer")?,
    })
}

fn types_text(t: &[PoliceType]) -> String {
    let mut s = String::from(",");
    for p in t {
        s.push_str(p.code());
        s.push(',');
    }
    s
}

const HOUR_MS: i64 = 3_600_000;

/// The `source` of the checkpoints' fever alerts in the delivery queue (`source_id`: the case).
pub const ALERT_SOURCE: &str = "checkpoint";

/// The start (UTC ms) of the clock hour holding `ms`: the key of the live counters.
pub fn hour_of(ms: i64) -> i64 {
    ms - ms.rem_euclid(HOUR_MS)
}

/// Midnight in Beijing (UTC ms) of the day holding `ms`; Beijing is UTC+8, so it starts an hour.
pub fn beijing_day_start(ms: i64) -> i64 {
    let offset = 8 * HOUR_MS;
    ms - (ms + offset).rem_euclid(24 * HOUR_MS)
}

/// Rows per INSERT statement: well under SQLite's 32,766 and PostgreSQL's 65,535 parameters.
const ROWS_PER_INSERT: usize = 400;

/// The screening INSERT up to its VALUES; [`Store::bind_screening`] binds one row's
/// `SCREENING_COLS` values in this order.
const SCREENING_INSERT: &str =
    "INSERT INTO screenings (id, checkpoint_id, mode, at, captured_at, name, doc_type, doc_cipher, doc_bidx, \
     doc_masked, sex, birth_year, phone_cipher, phone_bidx, phone_masked, plate, plate_warning, vehicle_type, \
     driver_id, origin, destination, reason, travel_flag, health_code, temp, temp2, method, fever, decision, \
     officer_id, officer) VALUES ";
const SCREENING_COLS: usize = 31;

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// The audit record of one new registration (no personal number: the record's id and checkpoint).
fn screening_audit(s: &NewScreening) -> AuditEntry {
    AuditEntry {
        account: s.officer.clone(),
        unit: s.audit_unit.clone(),
        ip: s.audit_ip.clone(),
        module: "checkpoint".into(),
        action: if s.mode == EntryMode::SelfScan { "核验自助登记" } else { "测温登记" }.into(),
        target: format!("screening:{} checkpoint:{}", s.id, s.checkpoint_id.0),
        result: "成功".into(),
        detail: format!("方式={} 处置={}{}", s.mode.zh(), s.decision.zh(), if s.fever { " 体温异常" } else { "" }),
        request_id: s.request_id.clone(),
    }
}

impl Store {
    /// Encrypt, blind-index and mask a pass's numbers and write out its audit record (done by
    /// each request, in parallel, before it queues for the writer).
    pub fn seal_screening(&self, row: NewScreening) -> StoreResult<SealedScreening> {
        let doc_kind = bastion_core::checkpoint::document_index_kind(row.doc_type);
        Ok(SealedScreening {
            doc_cipher: self.crypto.encrypt(&row.doc_number)?,
            doc_bidx: self.crypto.blind_index(&doc_kind, &row.doc_number),
            doc_masked: bastion_core::checkpoint::mask_document(&row.doc_number),
            phone_cipher: row.phone.as_ref().map(|p| self.crypto.encrypt(p.as_str())).transpose()?,
            phone_bidx: row.phone.as_ref().map(|p| self.crypto.blind_index("phone", p.as_str())),
            phone_masked: row.phone.as_ref().map(Phone::masked),
            audit: screening_audit(&row),
            row,
        })
    }

    /// Bind one sealed screening row (`SCREENING_COLS` values, in `SCREENING_INSERT`'s order).
    fn bind_screening<'q>(q: AnyQuery<'q>, x: &'q SealedScreening, at: i64) -> AnyQuery<'q> {
        let s = &x.row;
        q.bind(s.id.as_str())
            .bind(s.checkpoint_id.0)
            .bind(s.mode.code())
            .bind(at)
            .bind(s.captured_at)
            .bind(s.name.as_str())
            .bind(s.doc_type.code())
            .bind(x.doc_cipher.as_slice())
            .bind(x.doc_bidx.as_str())
            .bind(x.doc_masked.as_str())
            .bind(s.sex.as_deref())
            .bind(s.birth_year)
            .bind(x.phone_cipher.as_deref())
            .bind(x.phone_bidx.as_deref())
            .bind(x.phone_masked.as_deref())
            .bind(s.plate.as_ref().map(|p| p.text.as_str()))
            .bind(i64::from(s.plate.as_ref().is_some_and(|p| p.warning.is_some())))
            .bind(s.vehicle_type.code())
            .bind(s.driver_id.as_deref())
            .bind(s.origin.as_str())
            .bind(s.destination.as_str())
            .bind(s.reason.code())
            .bind(i64::from(s.travel_flag))
            .bind(s.health_code.code())
            .bind(s.temp.tenths())
            .bind(s.temp2.map(Temperature::tenths))
            .bind(s.method.code())
            .bind(i64::from(s.fever))
            .bind(s.decision.code())
            .bind(s.officer_id)
            .bind(s.officer.as_str())
    }

    pub async fn insert_checkpoint(
        &self,
        tx: &mut Tx,
        c: &NewCheckpoint,
        public_code: &str,
    ) -> StoreResult<CheckpointId> {
        let t = bastion_core::time::now_ms();
        let row = sqlx::query(
            "INSERT INTO checkpoints (name, kind, location, hours, police_types, unit_id, status, leader, fever_clinic, \
             public_code, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$11) RETURNING id",
        )
        .bind(&c.name)
        .bind(c.kind.code())
        .bind(&c.location)
        .bind(&c.hours)
        .bind(types_text(&c.police_types))
        .bind(c.unit_id.0)
        .bind(c.status.code())
        .bind(&c.leader)
        .bind(&c.fever_clinic)
        .bind(public_code)
        .bind(t)
        .fetch_one(&mut **tx)
        .await
        .map_err(unique("卡点名称", &c.name))?;
        Ok(CheckpointId(row.try_get("id")?))
    }

    pub async fn update_checkpoint(&self, tx: &mut Tx, id: CheckpointId, c: &NewCheckpoint) -> StoreResult<()> {
        let n = sqlx::query(
            "UPDATE checkpoints SET name=$1, kind=$2, location=$3, hours=$4, police_types=$5, unit_id=$6, status=$7, \
             leader=$8, fever_clinic=$9, updated_at=$10 WHERE id=$11",
        )
        .bind(&c.name)
        .bind(c.kind.code())
        .bind(&c.location)
        .bind(&c.hours)
        .bind(types_text(&c.police_types))
        .bind(c.unit_id.0)
        .bind(c.status.code())
        .bind(&c.leader)
        .bind(&c.fever_clinic)
        .bind(bastion_core::time::now_ms())
        .bind(id.0)
        .execute(&mut **tx)
        .await
        .map_err(unique("卡点名称", &c.name))?
        .rows_affected();
        found(n)
    }

    pub async fn checkpoints(&self) -> StoreResult<Vec<Checkpoint>> {
        let rows =
            sqlx::query(&format!("SELECT {CP_COLS} FROM checkpoints c JOIN units u ON u.id = c.unit_id ORDER BY c.id"))
                .fetch_all(&self.read)
                .await?;
        rows.iter().map(checkpoint_from).collect()
    }

    pub async fn checkpoint(&self, id: CheckpointId) -> StoreResult<Checkpoint> {
        let row = sqlx::query(&format!(
            "SELECT {CP_COLS} FROM checkpoints c JOIN units u ON u.id = c.unit_id WHERE c.id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.read)
        .await?
        .ok_or(StoreError::NotFound)?;
        checkpoint_from(&row)
    }

    pub async fn checkpoint_by_public_code(&self, code: &str) -> StoreResult<Checkpoint> {
        let row = sqlx::query(&format!(
            "SELECT {CP_COLS} FROM checkpoints c JOIN units u ON u.id = c.unit_id WHERE c.public_code = $1"
        ))
        .bind(code)
        .fetch_optional(&self.read)
        .await?
        .ok_or(StoreError::NotFound)?;
        checkpoint_from(&row)
    }

    /// Store a batch of passes in `tx`: new rows, their counters, fever cases and alerts, and one
    /// audit record each. Ids already stored are reported as resends and change nothing.
    pub async fn insert_screenings(&self, tx: &mut Tx, items: &[SealedScreening]) -> StoreResult<Vec<Registered>> {
        let at = bastion_core::time::now_ms();
        let mut created: std::collections::HashSet<String> = std::collections::HashSet::new();
        for chunk in items.chunks(ROWS_PER_INSERT) {
            let mut sql = String::with_capacity(chunk.len() * 200 + 400);
            sql.push_str(SCREENING_INSERT);
            self.backend.push_values(&mut sql, chunk.len(), SCREENING_COLS);
            sql.push_str(" ON CONFLICT (id) DO NOTHING RETURNING id");
            let mut q = sqlx::query(&sql);
            for s in chunk {
                q = Self::bind_screening(q, s, at);
            }
            for r in q.fetch_all(&mut **tx).await? {
                created.insert(r.try_get("id")?);
            }
        }
        // Counters, fever cases and audit records for the rows this batch created (first occurrence only).
        let mut counts: std::collections::BTreeMap<(i64, i64), (i64, i64)> = std::collections::BTreeMap::new();
        let mut audits = Vec::new();
        let mut out = Vec::with_capacity(items.len());
        let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for sealed in items {
            let s = &sealed.row;
            let new = created.contains(&s.id) && seen.insert(s.id.as_str());
            let mut case = None;
            if new {
                let e = counts.entry((s.checkpoint_id.0, hour_of(at))).or_default();
                e.0 += 1;
                e.1 += i64::from(s.fever);
                if let Some(code) = &s.pass_code {
                    self.use_pass(tx, code, &s.id, at).await?;
                }
                if s.fever {
                    let t = s.temp2.unwrap_or(s.temp);
                    case = Some(self.open_fever_case(tx, s, t, at).await?);
                }
                audits.push(&sealed.audit);
            }
            out.push(Registered { id: s.id.clone(), created: new, fever_case: case });
        }
        // The audit chain's head, then the hourly counters (one statement for every checkpoint and
        // hour of the batch): the rows every writer shares are locked last, in one order.
        self.append_audit_many(tx, &audits).await?;
        if !counts.is_empty() {
            let mut sql = String::from("INSERT INTO checkpoint_counts (checkpoint_id, hour, total, fevers) VALUES ");
            self.backend.push_values(&mut sql, counts.len(), 4);
            sql.push_str(
                " ON CONFLICT (checkpoint_id, hour) DO UPDATE SET total = checkpoint_counts.total + excluded.total, \
                 fevers = checkpoint_counts.fevers + excluded.fevers",
            );
            let mut q = sqlx::query(&sql);
            for ((cp, hour), (n, f)) in counts {
                q = q.bind(cp).bind(hour).bind(n).bind(f);
            }
            q.execute(&mut **tx).await?;
        }
        Ok(out)
    }

    async fn open_fever_case(
        &self,
        tx: &mut Tx,
        s: &NewScreening,
        t: Temperature,
        at: i64,
    ) -> StoreResult<FeverCaseId> {
        let row = sqlx::query(
            "INSERT INTO fever_cases (screening_id, checkpoint_id, opened_at, temp, clinic, status, updated_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$3) RETURNING id",
        )
        .bind(&s.id)
        .bind(s.checkpoint_id.0)
        .bind(at)
        .bind(t.tenths())
        .bind(&s.clinic)
        .bind(FeverStatus::Referred.code())
        .fetch_one(&mut **tx)
        .await?;
        let id = FeverCaseId(row.try_get("id")?);
        // Alerts carry no personal data: the checkpoint, the reading, the case number.
        let name: String = sqlx::query("SELECT name FROM checkpoints WHERE id = $1")
            .bind(s.checkpoint_id.0)
            .fetch_one(&mut **tx)
            .await?
            .try_get("name")?;
        let text = format!("发热预警：{name} 测得体温 {t} ℃，已转诊{}，病例 #{}", s.clinic, id.0);
        for audience in ["leader", "hq"] {
            sqlx::query(
                "INSERT INTO checkpoint_alerts (at, checkpoint_id, case_id, audience, text) VALUES ($1,$2,$3,$4,$5)",
            )
            .bind(at)
            .bind(s.checkpoint_id.0)
            .bind(id.0)
            .bind(audience)
            .bind(&text)
            .execute(&mut **tx)
            .await?;
        }
        // The same words to the bot groups (the delivery queue: retried and logged).
        self.queue_to_groups(tx, crate::notify::Source::new(ALERT_SOURCE, id.0), &text).await?;
        Ok(id)
    }

    /// Today's count and fevers (Beijing day) and this clock hour's count, from the hourly counters.
    pub async fn live_counts(&self) -> StoreResult<Vec<LiveCount>> {
        let now = bastion_core::time::now_ms();
        let rows = sqlx::query(
            "SELECT checkpoint_id, hour, total, fevers FROM checkpoint_counts WHERE hour >= $1 ORDER BY checkpoint_id",
        )
        .bind(beijing_day_start(now))
        .fetch_all(&self.read)
        .await?;
        let this_hour = hour_of(now);
        let mut out: std::collections::BTreeMap<i64, LiveCount> = std::collections::BTreeMap::new();
        for r in rows {
            let id: i64 = r.try_get("checkpoint_id")?;
            let hour: i64 = r.try_get("hour")?;
            let total: i64 = r.try_get("total")?;
            let e = out.entry(id).or_insert(LiveCount { checkpoint_id: id, ..Default::default() });
            e.today += total;
            e.today_fevers += r.try_get::<i64, _>("fevers")?;
            if hour == this_hour {
                e.this_hour += total;
            }
        }
        Ok(out.into_values().collect())
    }

    /// Passes and fevers at every checkpoint in `[from, to)` (ms), from the hourly counters.
    pub async fn counts_between(&self, from: i64, to: i64) -> StoreResult<(i64, i64)> {
        let r = sqlx::query(
            "SELECT CAST(COALESCE(SUM(total), 0) AS BIGINT) AS total, \
             CAST(COALESCE(SUM(fevers), 0) AS BIGINT) AS fevers FROM checkpoint_counts \
             WHERE hour >= $1 AND hour < $2",
        )
        .bind(from)
        .bind(to)
        .fetch_one(&self.read)
        .await?;
        Ok((r.try_get("total")?, r.try_get("fevers")?))
    }

    /// Passes and fevers per Beijing day in `[from, to)` (ms): (day start ms, passes, fevers),
    /// days without any left out.
    pub async fn daily_counts(&self, from: i64, to: i64) -> StoreResult<Vec<(i64, i64, i64)>> {
        let rows = sqlx::query(
            "SELECT (hour + 28800000) / 86400000 AS d, CAST(SUM(total) AS BIGINT) AS total, \
             CAST(SUM(fevers) AS BIGINT) AS fevers FROM checkpoint_counts WHERE hour >= $1 AND hour < $2 \
             GROUP BY (hour + 28800000) / 86400000 ORDER BY d",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                let d: i64 = r.try_get("d")?;
                Ok((d * 86_400_000 - 28_800_000, r.try_get("total")?, r.try_get("fevers")?))
            })
            .collect()
    }

    /// The newest passes at some checkpoints (`None`: all).
    pub async fn recent_screenings(
        &self,
        checkpoints: Option<&[CheckpointId]>,
        limit: i64,
    ) -> StoreResult<Vec<Screening>> {
        let mut sql = format!("SELECT {SC_COLS} FROM screenings s JOIN checkpoints c ON c.id = s.checkpoint_id");
        if let Some(ids) = checkpoints {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            let list: Vec<String> = ids.iter().map(|i| i.0.to_string()).collect();
            sql.push_str(&format!(" WHERE s.checkpoint_id IN ({})", list.join(",")));
        }
        sql.push_str(" ORDER BY s.at DESC LIMIT $1");
        let rows = sqlx::query(&sql).bind(limit.clamp(1, 500)).fetch_all(&self.read).await?;
        rows.iter().map(screening_from).collect()
    }

    pub async fn screening(&self, id: &str) -> StoreResult<Screening> {
        let row = sqlx::query(&format!(
            "SELECT {SC_COLS} FROM screenings s JOIN checkpoints c ON c.id = s.checkpoint_id WHERE s.id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.read)
        .await?
        .ok_or(StoreError::NotFound)?;
        screening_from(&row)
    }

    pub async fn count_screenings(&self) -> StoreResult<i64> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM screenings").fetch_one(&self.read).await?.try_get("n")?)
    }

    /// Every pass of one person across all checkpoints, by the blind index of a document or a phone.
    pub async fn trace(&self, doc: Option<(&str, &str)>, phone: Option<&Phone>) -> StoreResult<Vec<Screening>> {
        let (col, key) = match (doc, phone) {
            (Some((kind, number)), _) => ("doc_bidx", self.crypto.blind_index(kind, number)),
            (None, Some(p)) => ("phone_bidx", self.crypto.blind_index("phone", p.as_str())),
            (None, None) => return Ok(Vec::new()),
        };
        let rows = sqlx::query(&format!(
            "SELECT {SC_COLS} FROM screenings s JOIN checkpoints c ON c.id = s.checkpoint_id WHERE s.{col} = $1 \
             ORDER BY s.at DESC LIMIT 500"
        ))
        .bind(key)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(screening_from).collect()
    }

    pub async fn insert_pass(
        &self,
        tx: &mut Tx,
        code: &str,
        checkpoint: CheckpointId,
        payload: &[u8],
        summary: &str,
        expires_at: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO self_registrations (code, checkpoint_id, payload, summary, created_at, expires_at) \
             VALUES ($1,$2,$3,$4,$5,$6)",
        )
        .bind(code)
        .bind(checkpoint.0)
        .bind(payload.to_vec())
        .bind(summary)
        .bind(bastion_core::time::now_ms())
        .bind(expires_at)
        .execute(&mut **tx)
        .await
        .map_err(unique("通行码", code))?;
        Ok(())
    }

    /// Remove passes that expired unused, so their codes can be issued again.
    pub async fn delete_expired_passes(&self, tx: &mut Tx, now: i64) -> StoreResult<i64> {
        let n = sqlx::query("DELETE FROM self_registrations WHERE expires_at < $1 AND used_at IS NULL")
            .bind(now)
            .execute(&mut **tx)
            .await?
            .rows_affected();
        Ok(n as i64)
    }

    pub async fn pass(&self, code: &str) -> StoreResult<(PassView, Vec<u8>)> {
        let r = sqlx::query(
            "SELECT code, checkpoint_id, payload, summary, created_at, expires_at, used_at, screening_id \
             FROM self_registrations WHERE code = $1",
        )
        .bind(code)
        .fetch_optional(&self.read)
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok((
            PassView {
                code: r.try_get("code")?,
                checkpoint_id: CheckpointId(r.try_get("checkpoint_id")?),
                summary: r.try_get("summary")?,
                created_at: r.try_get("created_at")?,
                expires_at: r.try_get("expires_at")?,
                used_at: r.try_get("used_at")?,
                screening_id: r.try_get("screening_id")?,
            },
            r.try_get("payload")?,
        ))
    }

    /// Mark a pending pass used by a finished record; Conflict when it was used or expired meanwhile.
    pub async fn use_pass(&self, tx: &mut Tx, code: &str, screening_id: &str, now: i64) -> StoreResult<()> {
        let n = sqlx::query(
            "UPDATE self_registrations SET used_at = $1, screening_id = $2 WHERE code = $3 AND used_at IS NULL \
             AND expires_at >= $1",
        )
        .bind(now)
        .bind(screening_id)
        .bind(code)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict("通行码已使用或已过期，请重新登记".into()));
        }
        Ok(())
    }

    /// Delete screening data older than `cutoff` (UTC ms): passes, closed fever cases with their
    /// follow-ups and alerts, and pending codes. A pass tied to an open fever case is kept.
    /// The daily counters hold no personal data and stay.
    pub async fn purge_screenings(&self, tx: &mut Tx, cutoff: i64) -> StoreResult<PurgeReport> {
        let old_cases = "SELECT id FROM fever_cases WHERE status = 'closed' AND opened_at < $1";
        sqlx::query(&format!("DELETE FROM fever_followups WHERE case_id IN ({old_cases})"))
            .bind(cutoff)
            .execute(&mut **tx)
            .await?;
        sqlx::query(&format!("DELETE FROM checkpoint_alerts WHERE case_id IN ({old_cases})"))
            .bind(cutoff)
            .execute(&mut **tx)
            .await?;
        let cases = sqlx::query("DELETE FROM fever_cases WHERE status = 'closed' AND opened_at < $1")
            .bind(cutoff)
            .execute(&mut **tx)
            .await?
            .rows_affected();
        let screenings =
            sqlx::query("DELETE FROM screenings WHERE at < $1 AND id NOT IN (SELECT screening_id FROM fever_cases)")
                .bind(cutoff)
                .execute(&mut **tx)
                .await?
                .rows_affected();
        let passes = sqlx::query("DELETE FROM self_registrations WHERE created_at < $1")
            .bind(cutoff)
            .execute(&mut **tx)
            .await?
            .rows_affected();
        Ok(PurgeReport { screenings: screenings as i64, fever_cases: cases as i64, passes: passes as i64 })
    }
}
