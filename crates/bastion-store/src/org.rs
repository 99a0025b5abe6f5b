//! Units (a tree kept as materialised paths `/1/4/17/`) and people.

use bastion_core::org::{Category, DutyStatus, PoliceType, PoliticalStatus, Sex, UnitKind};
use bastion_core::{IdNumber, Phone};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::{flag, found, unique, Store, StoreError, StoreResult, Tx};
use crate::sql::{like_escape, subtree_range, Sql};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(transparent)]
pub struct UnitId(pub i64);

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(transparent)]
pub struct PersonId(pub i64);

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Unit {
    pub id: UnitId,
    pub parent_id: Option<UnitId>,
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub path: String,
    pub depth: i64,
    pub sort_order: i64,
    pub phone: Option<String>,
    pub enabled: bool,
}

#[derive(Debug, Clone)]
pub struct NewUnit {
    pub parent_id: Option<UnitId>,
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub sort_order: i64,
    pub phone: Option<String>,
}

/// The editable fields of a unit (its place in the tree and its code do not change).
#[derive(Debug, Clone)]
pub struct UnitPatch {
    pub name: String,
    pub kind: UnitKind,
    pub sort_order: i64,
    pub phone: Option<String>,
    pub enabled: bool,
}

fn unit_from(row: &AnyRow) -> StoreResult<Unit> {
    Ok(Unit {
        id: UnitId(row.try_get("id")?),
        parent_id: row.try_get::<Option<i64>, _>("parent_id")?.map(UnitId),
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        kind: UnitKind::parse(&row.try_get::<String, _>("kind")?).unwrap_or(UnitKind::Department),
        path: row.try_get("path")?,
        depth: row.try_get("depth")?,
        sort_order: row.try_get("sort_order")?,
        phone: row.try_get("phone")?,
        enabled: flag(row, "enabled")?,
    })
}

const UNIT_COLS: &str = "id, parent_id, code, name, kind, path, depth, sort_order, phone, enabled";

/// Everything a person record holds, as read. Personal numbers are masked; the clear values
/// only come out of [`Store::reveal_person`].
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Person {
    pub id: PersonId,
    pub police_no: String,
    pub name: String,
    pub category: Category,
    pub sex: Sex,
    pub birth_date: Option<String>,
    pub hire_date: Option<String>,
    pub id_number_masked: Option<String>,
    pub mobile_masked: Option<String>,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub unit_path: String,
    pub position: Option<String>,
    pub political_status: PoliticalStatus,
    pub duty_status: DutyStatus,
    pub police_types: Vec<PoliceType>,
    pub skills: Vec<String>,
    pub enabled: bool,
    pub updated_at: i64,
}

/// A person to write (create or full update). Values are already parsed.
#[derive(Debug, Clone)]
pub struct NewPerson {
    pub police_no: String,
    pub name: String,
    pub category: Category,
    pub sex: Sex,
    pub birth_date: Option<String>,
    pub hire_date: Option<String>,
    pub id_number: Option<IdNumber>,
    pub mobile: Option<Phone>,
    pub unit_id: UnitId,
    pub position: Option<String>,
    pub political_status: PoliticalStatus,
    pub duty_status: DutyStatus,
    pub police_types: Vec<PoliceType>,
    pub skills: Vec<String>,
}

/// The clear personal numbers of one person.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Revealed {
    pub id_number: Option<String>,
    pub mobile: Option<String>,
}

pub(crate) const PERSON_COLS: &str = "p.id, p.police_no, p.name, p.category, p.sex, p.birth_date, p.hire_date, \
    p.id_masked, p.mobile_masked, p.unit_id, u.name AS unit_name, u.path AS unit_path, p.position, \
    p.political_status, p.duty_status, p.police_types, p.skills, p.enabled, p.updated_at";

pub(crate) fn person_from(row: &AnyRow) -> StoreResult<Person> {
    let types: String = row.try_get("police_types")?;
    let skills: String = row.try_get("skills")?;
    Ok(Person {
        id: PersonId(row.try_get("id")?),
        police_no: row.try_get("police_no")?,
        name: row.try_get("name")?,
        category: Category::parse(&row.try_get::<String, _>("category")?).unwrap_or(Category::Police),
        sex: Sex::parse(&row.try_get::<String, _>("sex")?).unwrap_or(Sex::Male),
        birth_date: row.try_get("birth_date")?,
        hire_date: row.try_get("hire_date")?,
        id_number_masked: row.try_get("id_masked")?,
        mobile_masked: row.try_get("mobile_masked")?,
        unit_id: UnitId(row.try_get("unit_id")?),
        unit_name: row.try_get("unit_name")?,
        unit_path: row.try_get("unit_path")?,
        position: row.try_get("position")?,
        political_status: PoliticalStatus::parse(&row.try_get::<String, _>("political_status")?)
            .unwrap_or(PoliticalStatus::Masses),
        duty_status: DutyStatus::parse(&row.try_get::<String, _>("duty_status")?).unwrap_or(DutyStatus::OnDuty),
        police_types: types.split(',').filter_map(|c| PoliceType::parse(c).ok()).collect(),
        skills: skills.split('、').filter(|s| !s.is_empty()).map(str::to_string).collect(),
        enabled: flag(row, "enabled")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// Which rows a caller may see: the application layer turns roles into one of these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowScope {
    All,
    /// Units whose path starts with one of these, and their people.
    Subtrees(Vec<String>),
    /// Only this person.
    Person(PersonId),
    Nothing,
}

#[derive(Debug, Clone, Default, serde::Deserialize, schemars::JsonSchema)]
pub struct PersonFilter {
    /// The unit and everything below it.
    pub unit_id: Option<i64>,
    pub name: Option<String>,
    pub police_no: Option<String>,
    pub category: Option<Category>,
    pub political_status: Option<PoliticalStatus>,
    pub duty_status: Option<DutyStatus>,
    pub police_type: Option<PoliceType>,
    /// true: party members only (预备党员 and 正式党员)
    pub party: Option<bool>,
    pub enabled: Option<bool>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub size: i64,
}

impl Page<()> {
    pub fn pages(total: i64, size: i64) -> i64 {
        if size <= 0 {
            return 1;
        }
        ((total + size - 1) / size).max(1)
    }
}

fn now() -> i64 {
    bastion_core::time::now_ms()
}

impl Store {
    // ---- units ----

    pub async fn insert_unit(&self, tx: &mut Tx, u: &NewUnit) -> StoreResult<Unit> {
        let (parent_path, depth) = match u.parent_id {
            Some(pid) => {
                let row = sqlx::query("SELECT path, depth FROM units WHERE id = $1")
                    .bind(pid.0)
                    .fetch_optional(&mut **tx)
                    .await?
                    .ok_or_else(|| StoreError::Conflict("上级单位不存在".into()))?;
                (row.try_get::<String, _>("path")?, row.try_get::<i64, _>("depth")? + 1)
            }
            None => ("/".to_string(), 0),
        };
        let t = now();
        let id: i64 = sqlx::query(
            "INSERT INTO units (parent_id, code, name, kind, path, depth, sort_order, phone, enabled, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, '', $5, $6, $7, 1, $8, $8) RETURNING id",
        )
        .bind(u.parent_id.map(|p| p.0))
        .bind(&u.code)
        .bind(&u.name)
        .bind(u.kind.code())
        .bind(depth)
        .bind(u.sort_order)
        .bind(u.phone.as_deref())
        .bind(t)
        .fetch_one(&mut **tx)
        .await
        .map_err(unique("单位编码", &u.code))?
        .try_get("id")?;
        let path = format!("{parent_path}{id}/");
        sqlx::query("UPDATE units SET path = $1 WHERE id = $2").bind(&path).bind(id).execute(&mut **tx).await?;
        self.unit_in(tx, UnitId(id)).await
    }

    pub async fn update_unit(&self, tx: &mut Tx, id: UnitId, u: &UnitPatch) -> StoreResult<()> {
        let n = sqlx::query("UPDATE units SET name = $1, kind = $2, sort_order = $3, phone = $4, enabled = $5, updated_at = $6 WHERE id = $7")
            .bind(&u.name)
            .bind(u.kind.code())
            .bind(u.sort_order)
            .bind(u.phone.as_deref())
            .bind(i64::from(u.enabled))
            .bind(now())
            .bind(id.0)
            .execute(&mut **tx)
            .await?
            .rows_affected();
        found(n)
    }

    async fn unit_in(&self, tx: &mut Tx, id: UnitId) -> StoreResult<Unit> {
        let row = sqlx::query(&format!("SELECT {UNIT_COLS} FROM units WHERE id = $1"))
            .bind(id.0)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        unit_from(&row)
    }

    pub async fn unit(&self, id: UnitId) -> StoreResult<Unit> {
        let row = sqlx::query(&format!("SELECT {UNIT_COLS} FROM units WHERE id = $1"))
            .bind(id.0)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        unit_from(&row)
    }

    pub async fn unit_by_code(&self, code: &str) -> StoreResult<Option<Unit>> {
        let row = sqlx::query(&format!("SELECT {UNIT_COLS} FROM units WHERE code = $1"))
            .bind(code)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(unit_from).transpose()
    }

    /// All units in tree order (path order, siblings by sort order would need a join; path order
    /// keeps parents before children, which is what tree rendering needs).
    pub async fn units(&self) -> StoreResult<Vec<Unit>> {
        let rows = sqlx::query(&format!("SELECT {UNIT_COLS} FROM units ORDER BY depth, sort_order, id"))
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(unit_from).collect()
    }

    /// A unit and everything below it, found through the path index.
    pub async fn subtree(&self, id: UnitId) -> StoreResult<Vec<Unit>> {
        let root = self.unit(id).await?;
        let (lo, hi) = subtree_range(&root.path);
        let rows = sqlx::query(&format!(
            "SELECT {UNIT_COLS} FROM units WHERE path >= $1 AND path < $2 ORDER BY depth, sort_order, id"
        ))
        .bind(lo)
        .bind(hi)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(unit_from).collect()
    }

    /// Hold one person's row until the transaction ends (PostgreSQL; SQLite has one writer), so
    /// two writers checking a rule about the same person (overlapping shifts, a second issue of
    /// kit for one shift) check one after the other and the second sees the first's write.
    pub async fn lock_person(&self, tx: &mut Tx, person: PersonId) -> StoreResult<()> {
        if self.backend == crate::Backend::Postgres {
            sqlx::query("SELECT id FROM people WHERE id = $1 FOR UPDATE")
                .bind(person.0)
                .fetch_optional(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// Number of people per unit (direct members, enabled only).
    pub async fn unit_headcounts(&self) -> StoreResult<Vec<(UnitId, i64)>> {
        let rows = sqlx::query("SELECT unit_id, COUNT(*) AS n FROM people WHERE enabled = 1 GROUP BY unit_id")
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(|r| Ok((UnitId(r.try_get("unit_id")?), r.try_get("n")?))).collect()
    }

    // ---- people ----

    fn person_args(&self, p: &NewPerson) -> StoreResult<PersonArgs> {
        let enc = |v: Option<&str>| v.map(|s| self.crypto.encrypt(s)).transpose();
        Ok(PersonArgs {
            id_cipher: enc(p.id_number.as_ref().map(IdNumber::as_str))?,
            id_bidx: p.id_number.as_ref().map(|v| self.crypto.blind_index("id", v.as_str())),
            id_masked: p.id_number.as_ref().map(IdNumber::masked),
            mobile_cipher: enc(p.mobile.as_ref().map(Phone::as_str))?,
            mobile_bidx: p.mobile.as_ref().map(|v| self.crypto.blind_index("phone", v.as_str())),
            mobile_masked: p.mobile.as_ref().map(Phone::masked),
            police_types: format!(",{},", p.police_types.iter().map(|t| t.code()).collect::<Vec<_>>().join(",")),
            skills: p.skills.join("、"),
        })
    }

    pub async fn insert_person(&self, tx: &mut Tx, p: &NewPerson) -> StoreResult<PersonId> {
        let a = self.person_args(p)?;
        let t = now();
        let q = sqlx::query(
            "INSERT INTO people (police_no, name, category, sex, birth_date, hire_date, id_cipher, id_bidx, id_masked, \
             mobile_cipher, mobile_bidx, mobile_masked, unit_id, position, political_status, duty_status, police_types, \
             skills, enabled, created_at, updated_at, id_unique) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,1,$19,$19,$8) RETURNING id",
        );
        let row = bind_person(q, p, a).bind(t).fetch_one(&mut **tx).await.map_err(person_unique(p))?;
        Ok(PersonId(row.try_get("id")?))
    }

    /// Replace every field of a person. Personal numbers are re-encrypted only when given.
    pub async fn update_person(&self, tx: &mut Tx, id: PersonId, p: &NewPerson) -> StoreResult<()> {
        let a = self.person_args(p)?;
        let q = sqlx::query(
            "UPDATE people SET police_no=$1, name=$2, category=$3, sex=$4, birth_date=$5, hire_date=$6, \
             id_cipher=COALESCE($7, id_cipher), id_bidx=COALESCE($8, id_bidx), id_masked=COALESCE($9, id_masked), \
             id_unique=COALESCE($8, id_unique), \
             mobile_cipher=COALESCE($10, mobile_cipher), mobile_bidx=COALESCE($11, mobile_bidx), \
             mobile_masked=COALESCE($12, mobile_masked), unit_id=$13, position=$14, political_status=$15, \
             duty_status=$16, police_types=$17, skills=$18, updated_at=$19 WHERE id=$20",
        );
        let n = bind_person(q, p, a)
            .bind(now())
            .bind(id.0)
            .execute(&mut **tx)
            .await
            .map_err(person_unique(p))?
            .rows_affected();
        found(n)
    }

    pub async fn set_person_enabled(&self, tx: &mut Tx, id: PersonId, enabled: bool) -> StoreResult<()> {
        let n = sqlx::query("UPDATE people SET enabled = $1, updated_at = $2 WHERE id = $3")
            .bind(i64::from(enabled))
            .bind(now())
            .bind(id.0)
            .execute(&mut **tx)
            .await?
            .rows_affected();
        found(n)
    }

    pub async fn person(&self, id: PersonId) -> StoreResult<Person> {
        let row = sqlx::query(&format!(
            "SELECT {PERSON_COLS} FROM people p JOIN units u ON u.id = p.unit_id WHERE p.id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.read)
        .await?
        .ok_or(StoreError::NotFound)?;
        person_from(&row)
    }

    /// Person ids by police number, for imports that update existing people.
    pub async fn person_ids_by_police_no(
        &self,
        tx: &mut Tx,
    ) -> StoreResult<std::collections::HashMap<String, PersonId>> {
        let rows = sqlx::query("SELECT id, police_no FROM people").fetch_all(&mut **tx).await?;
        rows.iter().map(|r| Ok((r.try_get("police_no")?, PersonId(r.try_get("id")?)))).collect()
    }

    pub async fn reveal_person(&self, id: PersonId) -> StoreResult<Revealed> {
        let row = sqlx::query("SELECT id_cipher, mobile_cipher FROM people WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        let dec = |col: &str| -> StoreResult<Option<String>> {
            row.try_get::<Option<Vec<u8>>, _>(col)?.map(|b| self.crypto.decrypt(&b)).transpose()
        };
        Ok(Revealed { id_number: dec("id_cipher")?, mobile: dec("mobile_cipher")? })
    }

    /// Identity numbers held by more than one person (stored before duplicates were refused):
    /// for each number, the holders' police numbers, oldest record first. Nothing is decrypted.
    pub async fn duplicate_id_numbers(&self) -> StoreResult<Vec<Vec<String>>> {
        let rows = sqlx::query(
            "SELECT id_bidx, police_no FROM people WHERE id_bidx IN \
             (SELECT id_bidx FROM people WHERE id_bidx IS NOT NULL GROUP BY id_bidx HAVING COUNT(*) > 1) \
             ORDER BY id_bidx, id",
        )
        .fetch_all(&self.read)
        .await?;
        let mut groups: Vec<(String, Vec<String>)> = Vec::new();
        for r in &rows {
            let bidx: String = r.try_get("id_bidx")?;
            let police_no: String = r.try_get("police_no")?;
            match groups.last_mut() {
                Some((b, v)) if *b == bidx => v.push(police_no),
                _ => groups.push((bidx, vec![police_no])),
            }
        }
        Ok(groups.into_iter().map(|(_, v)| v).collect())
    }

    /// People whose identity number equals `id` exactly (blind index; nothing is decrypted).
    pub async fn people_by_id_number(&self, id: &IdNumber) -> StoreResult<Vec<PersonId>> {
        let rows = sqlx::query("SELECT id FROM people WHERE id_bidx = $1")
            .bind(self.crypto.blind_index("id", id.as_str()))
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(|r| Ok(PersonId(r.try_get("id")?))).collect()
    }

    /// Unit ids and paths, cached per node (see `cache`).
    pub async fn unit_paths(&self) -> StoreResult<std::sync::Arc<Vec<(i64, String)>>> {
        if let Some(v) = self.caches.units() {
            return Ok(v);
        }
        let gen = self.caches.generation();
        let rows = sqlx::query("SELECT id, path FROM units").fetch_all(&self.read).await?;
        let v: Vec<(i64, String)> =
            rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("path")?))).collect::<StoreResult<_>>()?;
        let v = std::sync::Arc::new(v);
        self.caches.put_units(gen, v.clone());
        Ok(v)
    }

    /// Turn the caller's scope and the unit filter into plain conditions on `people`: no
    /// condition, nobody, one person, or a list of unit ids (a subtree resolved in memory, so the
    /// list query never joins units to filter).
    async fn restriction(&self, scope: &RowScope, f: &PersonFilter) -> StoreResult<Restriction> {
        let units = self.unit_paths().await?;
        let within = |paths: &[String]| -> Vec<i64> {
            units
                .iter()
                .filter(|(_, p)| paths.iter().any(|root| p.starts_with(root.as_str())))
                .map(|(id, _)| *id)
                .collect()
        };
        let mut set: Option<Vec<i64>> = match scope {
            RowScope::All | RowScope::Person(_) => None,
            RowScope::Nothing => return Ok(Restriction::Nothing),
            RowScope::Subtrees(paths) => Some(within(paths)),
        };
        if let Some(uid) = f.unit_id {
            let Some(root) = units.iter().find(|(id, _)| *id == uid).map(|(_, p)| p.clone()) else {
                return Ok(Restriction::Nothing);
            };
            let sub = within(&[root]);
            set = Some(match set {
                None => sub,
                Some(s) => s.into_iter().filter(|id| sub.contains(id)).collect(),
            });
        }
        let units_cond = match set {
            None => None,
            Some(s) if s.is_empty() => return Ok(Restriction::Nothing),
            Some(s) if s.len() == units.len() => None,
            Some(s) => Some(s),
        };
        Ok(match scope {
            RowScope::Person(id) => Restriction::Person(*id, units_cond),
            _ => match units_cond {
                None => Restriction::Any,
                Some(ids) => Restriction::Units(ids),
            },
        })
    }

    fn person_where(&self, sql: &mut Sql, r: &Restriction, f: &PersonFilter) -> StoreResult<()> {
        sql.push(" WHERE 1=1");
        let in_units = |sql: &mut Sql, ids: &[i64]| {
            sql.push(" AND p.unit_id IN ").bind_i64_list(ids);
        };
        match r {
            Restriction::Any => {}
            Restriction::Nothing => {
                sql.push(" AND 1=0");
            }
            Restriction::Person(id, units) => {
                sql.push(" AND p.id = ").bind_i64(id.0);
                if let Some(ids) = units {
                    in_units(sql, ids);
                }
            }
            Restriction::Units(ids) => in_units(sql, ids),
        }
        if let Some(n) = f.name.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            sql.push(" AND p.name LIKE ").bind_text(format!("%{}%", like_escape(n))).push(" ESCAPE '\\'");
        }
        if let Some(n) = f.police_no.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            sql.push(" AND p.police_no LIKE ")
                .bind_text(format!("{}%", like_escape(&n.to_uppercase())))
                .push(" ESCAPE '\\'");
        }
        if let Some(c) = f.category {
            sql.push(" AND p.category = ").bind_text(c.code());
        }
        if let Some(s) = f.political_status {
            sql.push(" AND p.political_status = ").bind_text(s.code());
        }
        if let Some(s) = f.duty_status {
            sql.push(" AND p.duty_status = ").bind_text(s.code());
        }
        if let Some(t) = f.police_type {
            sql.push(" AND p.police_types LIKE ").bind_text(format!("%,{},%", t.code()));
        }
        match f.party {
            Some(true) => {
                sql.push(" AND p.political_status IN ('probationary', 'member')");
            }
            Some(false) => {
                sql.push(" AND p.political_status NOT IN ('probationary', 'member')");
            }
            None => {}
        }
        if let Some(e) = f.enabled {
            sql.push(" AND p.enabled = ").bind_i64(i64::from(e));
        }
        Ok(())
    }

    /// One page of people matching the filter within the caller's scope, and the total.
    pub async fn people(&self, scope: &RowScope, f: &PersonFilter, page: i64, size: i64) -> StoreResult<Page<Person>> {
        let size = size.clamp(1, 500);
        let page = page.max(1);
        let r = self.restriction(scope, f).await?;
        let mut count = Sql::new("SELECT COUNT(*) AS n FROM people p");
        self.person_where(&mut count, &r, f)?;
        // Totals are the slow part of a list page (a count over up to 100,000 rows); the same
        // filter asked again within a few seconds reuses the figure (see `cache`).
        let key = format!("{}|{:?}", count.text, count.args);
        let total = match self.caches.count(&key) {
            Some(crate::cache::Cached::Fresh(n)) => n,
            Some(crate::cache::Cached::Stale(n)) => {
                if self.caches.claim_refresh(&key) {
                    let (store, sql, key) = (self.clone(), count.clone(), key.clone());
                    tokio::spawn(async move {
                        let gen = store.caches.generation();
                        if let Ok(row) = sql.query().fetch_one(&store.read).await {
                            if let Ok(n) = row.try_get::<i64, _>("n") {
                                store.caches.put_count(gen, key.clone(), n);
                            }
                        }
                        store.caches.release_refresh(&key);
                    });
                }
                n
            }
            None => {
                let gen = self.caches.generation();
                let n: i64 = count.query().fetch_one(&self.read).await?.try_get("n")?;
                self.caches.put_count(gen, key, n);
                n
            }
        };
        let mut sql = Sql::new(&format!("SELECT {PERSON_COLS} FROM people p JOIN units u ON u.id = p.unit_id"));
        self.person_where(&mut sql, &r, f)?;
        sql.push(" ORDER BY p.id LIMIT ").bind_i64(size).push(" OFFSET ").bind_i64((page - 1).saturating_mul(size));
        let rows = sql.query().fetch_all(&self.read).await?;
        let items = rows.iter().map(person_from).collect::<StoreResult<Vec<_>>>()?;
        Ok(Page { items, total, page, size })
    }

    /// Stream every matching person in id order, in chunks, calling `each` per chunk (exports).
    pub async fn people_chunks<F>(
        &self,
        scope: &RowScope,
        f: &PersonFilter,
        chunk: i64,
        mut each: F,
    ) -> StoreResult<i64>
    where
        F: FnMut(Vec<Person>) -> StoreResult<()>,
    {
        let mut after = 0i64;
        let mut n = 0i64;
        loop {
            let items = self.people_after(scope, f, after, chunk).await?;
            let Some(last) = items.last() else { return Ok(n) };
            after = last.id.0;
            n += items.len() as i64;
            each(items)?;
        }
    }

    /// The next `chunk` people after id `after`, in id order (keyset paging for streamed exports).
    pub async fn people_after(
        &self,
        scope: &RowScope,
        f: &PersonFilter,
        after: i64,
        chunk: i64,
    ) -> StoreResult<Vec<Person>> {
        let r = self.restriction(scope, f).await?;
        let mut sql = Sql::new(&format!("SELECT {PERSON_COLS} FROM people p JOIN units u ON u.id = p.unit_id"));
        self.person_where(&mut sql, &r, f)?;
        sql.push(" AND p.id > ").bind_i64(after).push(" ORDER BY p.id LIMIT ").bind_i64(chunk);
        let rows = sql.query().fetch_all(&self.read).await?;
        rows.iter().map(person_from).collect()
    }

    /// Head counts by category, party membership and duty status of the enabled people within the
    /// caller's scope (the home page, the dashboard, the report): read from `people_unit_counts`,
    /// which triggers keep with every change of a person, so the cost is a few rows per unit
    /// whatever the number of people.
    pub async fn people_counts(&self, scope: &RowScope) -> StoreResult<PeopleCounts> {
        let f = PersonFilter { enabled: Some(true), ..PersonFilter::default() };
        let r = self.restriction(scope, &f).await?;
        let units = match &r {
            Restriction::Any => None,
            Restriction::Nothing => return Ok(PeopleCounts::default()),
            Restriction::Units(ids) => Some(ids),
            // One person: counting their row is as cheap.
            Restriction::Person(..) => return self.people_counts_scanned(scope).await,
        };
        let mut sql = Sql::new(
            "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) AS total, \
             CAST(COALESCE(SUM(CASE WHEN category = 'police' THEN n ELSE 0 END), 0) AS BIGINT) AS police, \
             CAST(COALESCE(SUM(CASE WHEN category = 'auxiliary' THEN n ELSE 0 END), 0) AS BIGINT) AS auxiliary, \
             CAST(COALESCE(SUM(CASE WHEN category = 'civilian' THEN n ELSE 0 END), 0) AS BIGINT) AS civilian, \
             CAST(COALESCE(SUM(CASE WHEN political_status IN ('probationary','member') THEN n ELSE 0 END), 0) AS BIGINT) AS party, \
             CAST(COALESCE(SUM(CASE WHEN duty_status = 'on_duty' THEN n ELSE 0 END), 0) AS BIGINT) AS on_duty \
             FROM people_unit_counts WHERE enabled = 1",
        );
        if let Some(ids) = units {
            sql.push(" AND unit_id IN ").bind_i64_list(ids);
        }
        let row = sql.query().fetch_one(&self.read).await?;
        counts_from(&row)
    }

    /// [`Store::people_counts`] counted from the people themselves (one person's scope; and the
    /// tests' check that the kept counts agree).
    pub async fn people_counts_scanned(&self, scope: &RowScope) -> StoreResult<PeopleCounts> {
        let f = PersonFilter { enabled: Some(true), ..PersonFilter::default() };
        let r = self.restriction(scope, &f).await?;
        let mut sql = Sql::new(
            "SELECT COUNT(*) AS total, \
             CAST(COALESCE(SUM(CASE WHEN p.category = 'police' THEN 1 ELSE 0 END), 0) AS BIGINT) AS police, \
             CAST(COALESCE(SUM(CASE WHEN p.category = 'auxiliary' THEN 1 ELSE 0 END), 0) AS BIGINT) AS auxiliary, \
             CAST(COALESCE(SUM(CASE WHEN p.category = 'civilian' THEN 1 ELSE 0 END), 0) AS BIGINT) AS civilian, \
             CAST(COALESCE(SUM(CASE WHEN p.political_status IN ('probationary','member') THEN 1 ELSE 0 END), 0) AS BIGINT) AS party, \
             CAST(COALESCE(SUM(CASE WHEN p.duty_status = 'on_duty' THEN 1 ELSE 0 END), 0) AS BIGINT) AS on_duty \
             FROM people p",
        );
        self.person_where(&mut sql, &r, &f)?;
        let row = sql.query().fetch_one(&self.read).await?;
        counts_from(&row)
    }
}

fn counts_from(row: &AnyRow) -> StoreResult<PeopleCounts> {
    let get = |c: &str| -> StoreResult<i64> { Ok(row.try_get::<i64, _>(c)?) };
    Ok(PeopleCounts {
        total: get("total")?,
        police: get("police")?,
        auxiliary: get("auxiliary")?,
        civilian: get("civilian")?,
        party: get("party")?,
        on_duty: get("on_duty")?,
    })
}

/// Scope and unit filter reduced to conditions on `people` alone.
enum Restriction {
    Any,
    Nothing,
    /// One person; optionally also within these units.
    Person(PersonId, Option<Vec<i64>>),
    Units(Vec<i64>),
}

#[derive(Debug, Clone, Serialize, Default, schemars::JsonSchema)]
pub struct PeopleCounts {
    pub total: i64,
    pub police: i64,
    pub auxiliary: i64,
    pub civilian: i64,
    pub party: i64,
    pub on_duty: i64,
}

/// Bind $1..$18 of the person insert and update, which list the columns in the same order.
/// A unique violation on `people`: the identity number's index or the police number's.
fn person_unique(p: &NewPerson) -> impl FnOnce(sqlx::Error) -> StoreError + '_ {
    move |e| match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            let on_id = d.constraint().is_some_and(|c| c.contains("id_unique")) || d.message().contains("id_unique");
            if on_id {
                StoreError::Duplicate {
                    field: "身份证号",
                    value: p.id_number.as_ref().map(IdNumber::masked).unwrap_or_default(),
                }
            } else {
                StoreError::Duplicate { field: "警号", value: p.police_no.clone() }
            }
        }
        _ => StoreError::Db(e),
    }
}

fn bind_person<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    p: &'q NewPerson,
    a: PersonArgs,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    q.bind(&p.police_no)
        .bind(&p.name)
        .bind(p.category.code())
        .bind(p.sex.code())
        .bind(p.birth_date.as_deref())
        .bind(p.hire_date.as_deref())
        .bind(a.id_cipher)
        .bind(a.id_bidx)
        .bind(a.id_masked)
        .bind(a.mobile_cipher)
        .bind(a.mobile_bidx)
        .bind(a.mobile_masked)
        .bind(p.unit_id.0)
        .bind(p.position.as_deref())
        .bind(p.political_status.code())
        .bind(p.duty_status.code())
        .bind(a.police_types)
        .bind(a.skills)
}

struct PersonArgs {
    id_cipher: Option<Vec<u8>>,
    id_bidx: Option<String>,
    id_masked: Option<String>,
    mobile_cipher: Option<Vec<u8>>,
    mobile_bidx: Option<String>,
    mobile_masked: Option<String>,
    police_types: String,
    skills: String,
}
