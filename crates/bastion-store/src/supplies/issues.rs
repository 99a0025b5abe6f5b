//! Issues to people (签领): the sign-offs, their lines in words and their signatures.

use serde::Serialize;
use sqlx::Row;

use super::{IssueId, StoreId};
use crate::db::{Store, StoreError, StoreResult, Tx};
use crate::org::PersonId;

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
    /// The submission this issue came with.
    pub submission_id: Option<i64>,
}

/// Which issues to read (every condition given must hold), newest first, at most `limit`.
#[derive(Debug, Clone, Default)]
pub struct IssueQuery<'a> {
    pub person: Option<PersonId>,
    pub store: Option<StoreId>,
    /// (shift date, shift)
    pub shift: Option<(&'a str, &'a str)>,
    /// Stores whose unit path starts with one of these (`None`: every store).
    pub paths: Option<&'a [String]>,
    pub limit: i64,
}

/// One submission at the issue desk: who issued, to how many, and the issuer's drawn signature.
#[derive(Debug, Clone)]
pub struct NewSubmission {
    pub store_id: StoreId,
    pub shift_date: String,
    pub shift: String,
    pub people: i64,
    /// (mime, bytes)
    pub issuer_signature: Option<(String, Vec<u8>)>,
    pub account_id: i64,
    pub actor: String,
}

/// The issuer of one submission, as printed on the shift's form.
#[derive(Debug, Clone)]
pub struct Issuer {
    pub actor: String,
    pub people: i64,
    pub at: i64,
    /// The drawn signature's bytes, when the issuer signed.
    pub signature: Option<Vec<u8>>,
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
    pub async fn insert_supply_issue(&self, tx: &mut Tx, i: &NewIssue) -> StoreResult<IssueId> {
        let (mime, bytes) = match &i.signature {
            Some((m, b)) => (Some(m.as_str()), Some(b.clone())),
            None => (None, None),
        };
        let row = sqlx::query(
            "INSERT INTO supply_issues (store_id, person_id, shift_date, shift, signature, signature_mime, leader_reason, \
             repeat_reason, expired_reason, account_id, actor, at, submission_id) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) RETURNING id",
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
        .bind(i.submission_id)
        .fetch_one(&mut **tx)
        .await?;
        Ok(IssueId(row.try_get("id")?))
    }

    pub async fn insert_supply_submission(&self, tx: &mut Tx, s: &NewSubmission) -> StoreResult<i64> {
        let (mime, bytes) = match &s.issuer_signature {
            Some((m, b)) => (Some(m.as_str()), Some(b.clone())),
            None => (None, None),
        };
        let row = sqlx::query(
            "INSERT INTO supply_issue_submissions (store_id, shift_date, shift, people, issuer_signature, \
             issuer_signature_mime, account_id, actor, at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id",
        )
        .bind(s.store_id.0)
        .bind(&s.shift_date)
        .bind(&s.shift)
        .bind(s.people)
        .bind(bytes)
        .bind(mime)
        .bind(s.account_id)
        .bind(&s.actor)
        .bind(bastion_core::time::now_ms())
        .fetch_one(&mut **tx)
        .await?;
        Ok(row.try_get("id")?)
    }

    /// The submissions of one shift at one store, first first, with the issuers' signatures.
    pub async fn supply_issuers(&self, store: StoreId, date: &str, shift: &str) -> StoreResult<Vec<Issuer>> {
        let rows = sqlx::query(
            "SELECT actor, people, at, issuer_signature FROM supply_issue_submissions \
             WHERE store_id = $1 AND shift_date = $2 AND shift = $3 ORDER BY id",
        )
        .bind(store.0)
        .bind(date)
        .bind(shift)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Issuer {
                    actor: r.try_get("actor")?,
                    people: r.try_get("people")?,
                    at: r.try_get("at")?,
                    signature: r.try_get("issuer_signature")?,
                })
            })
            .collect()
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

    /// Issues, newest first, that match every condition of `q`.
    pub async fn supply_issues(&self, q: &IssueQuery<'_>) -> StoreResult<Vec<IssueRecord>> {
        let mut sql = format!("{ISSUE_SELECT} WHERE 1=1");
        let mut texts: Vec<String> = Vec::new();
        let mut n = 0;
        let mut next = || {
            n += 1;
            format!("${n}")
        };
        let mut ids: Vec<i64> = Vec::new();
        if let Some(p) = q.person {
            sql.push_str(&format!(" AND x.person_id = CAST({} AS BIGINT)", next()));
            ids.push(p.0);
        }
        if let Some(s) = q.store {
            sql.push_str(&format!(" AND x.store_id = CAST({} AS BIGINT)", next()));
            ids.push(s.0);
        }
        if let Some((date, shift)) = q.shift {
            sql.push_str(&format!(" AND x.shift_date = {} AND x.shift = {}", next(), next()));
            texts.extend([date.to_string(), shift.to_string()]);
        }
        if let Some(paths) = q.paths {
            if paths.is_empty() {
                return Ok(Vec::new());
            }
            let conds: Vec<String> = paths
                .iter()
                .map(|p| {
                    texts.push(p.clone());
                    let k = next();
                    format!("substr(u.path, 1, length({k})) = {k}")
                })
                .collect();
            sql.push_str(&format!(" AND ({})", conds.join(" OR ")));
        }
        let limit_param = next();
        sql.push_str(&format!(" ORDER BY x.id DESC LIMIT {limit_param}"));
        let mut query = sqlx::query(&sql);
        for id in &ids {
            query = query.bind(*id);
        }
        for t in &texts {
            query = query.bind(t.clone());
        }
        let rows = query.bind(q.limit).fetch_all(&self.read).await?;
        let mut out: Vec<IssueRecord> = rows.iter().map(issue_row).collect::<StoreResult<_>>()?;
        // The lines of these issues, in one read.
        // (By their ids: a range from the oldest to the newest would read every issue between.)
        if !out.is_empty() {
            let marks: Vec<String> = (1..=out.len()).map(|k| format!("${k}")).collect();
            let sql = format!(
                "SELECT m.issue_id, i.name, i.issue_unit, CAST(SUM(m.quantity) AS BIGINT) AS n FROM supply_movements m \
                 JOIN supply_items i ON i.id = m.item_id WHERE m.issue_id IN ({}) \
                 GROUP BY m.issue_id, i.name, i.issue_unit, i.code ORDER BY m.issue_id, i.code",
                marks.join(",")
            );
            let mut query = sqlx::query(&sql);
            for i in &out {
                query = query.bind(i.id.0);
            }
            let rows = query.fetch_all(&self.read).await?;
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
}
