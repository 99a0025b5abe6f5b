//! PostgreSQL's one-statement batch of registrations. A plain batch (no fever, no self-registration
//! pass, every id new) needs the rows, one linked audit record each, the chain head's move and the
//! hourly counters. Sent as one statement with no explicit transaction it costs one round trip
//! instead of six (begin, rows, head read, records, counters, commit), and it is just as atomic and
//! durable: PostgreSQL commits a lone statement as its own transaction, with the same WAL flush.
//! Its values travel as one array per column (`UNNEST`), so its text is the same for every batch:
//! PostgreSQL plans it once per connection instead of parsing and planning a VALUES list of
//! hundreds of parameters each time.
//!
//! The records are linked in Rust from the head this node last wrote (or read). The statement moves
//! the head only if it is still that one, and `batch_guard` (migration 0011) fails the whole
//! statement when the head had moved or any row was already stored. Nothing it did is kept then, and
//! the writer applies the batch in a transaction instead (`checkpoint::insert_screenings`), which
//! sorts out resends and locks the head.

use sqlx::Row;
use std::collections::{BTreeMap, HashSet};

use crate::audit::link_records;
use crate::checkpoint::{hour_of, Registered, SealedScreening};
use crate::db::{Store, StoreResult};

/// The batch statement. Parameters: 31 screening columns ($1–$31, in the order of the column
/// list), 13 audit columns ($32–$44), the head's new and expected (seq, hash) ($45–$48), the
/// counters' four columns ($49–$52), the number of rows ($53) and the audit records' MACs and key
/// ids ($54–$55).
const BATCH: &str = "WITH ins AS (\
    INSERT INTO screenings (id, checkpoint_id, mode, at, captured_at, name, doc_type, doc_cipher, doc_bidx, \
    doc_masked, sex, birth_year, phone_cipher, phone_bidx, phone_masked, plate, plate_warning, vehicle_type, driver_id, \
    origin, destination, reason, travel_flag, health_code, temp, temp2, method, fever, decision, officer_id, officer) \
    SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::text[], \
    $8::bytea[], $9::text[], $10::text[], $11::text[], $12::bigint[], $13::bytea[], $14::text[], $15::text[], \
    $16::text[], $17::bigint[], $18::text[], $19::text[], $20::text[], $21::text[], $22::text[], $23::bigint[], \
    $24::text[], $25::bigint[], $26::bigint[], $27::text[], $28::bigint[], $29::text[], $30::bigint[], $31::text[]) \
    ON CONFLICT (id) DO NOTHING RETURNING 1), \
 aud AS (INSERT INTO audit_log (seq, at, account, unit, ip, module, action, target, result, detail, request_id, \
    prev_hash, hash, mac, mac_key) \
    SELECT * FROM UNNEST($32::bigint[], $33::bigint[], $34::text[], $35::text[], $36::text[], $37::text[], \
    $38::text[], $39::text[], $40::text[], $41::text[], $42::text[], $43::text[], $44::text[], $54::text[], \
    $55::bigint[])), \
 head AS (UPDATE audit_head SET seq = $45, hash = $46 WHERE id = 1 AND seq = $47 AND hash = $48 RETURNING 1), \
 cnt AS (INSERT INTO checkpoint_counts (checkpoint_id, hour, total, fevers) \
    SELECT * FROM UNNEST($49::bigint[], $50::bigint[], $51::bigint[], $52::bigint[]) \
    ON CONFLICT (checkpoint_id, hour) DO UPDATE SET total = checkpoint_counts.total + excluded.total, \
    fevers = checkpoint_counts.fevers + excluded.fevers) \
 SELECT batch_guard((SELECT count(*) FROM ins) = $53 AND (SELECT count(*) FROM head) = 1, 'screenings') AS ok";

/// One column of the batch as an array parameter.
fn col<'a, T>(items: &'a [SealedScreening], f: impl Fn(&'a SealedScreening) -> T) -> Vec<T> {
    items.iter().map(f).collect()
}

impl Store {
    /// Store a plain batch as one statement (PostgreSQL). `Ok(None)`: nothing was stored, apply the
    /// batch with [`Store::insert_screenings`] in a transaction — on SQLite, when a row has a fever or
    /// a pass, when an id is repeated, already stored, or when the audit head moved meanwhile.
    pub async fn insert_screenings_alone(&self, items: &[SealedScreening]) -> StoreResult<Option<Vec<Registered>>> {
        let Some(pg) = &self.pg else { return Ok(None) };
        let mut ids = HashSet::with_capacity(items.len());
        let plain = |s: &crate::checkpoint::NewScreening| !s.fever && s.pass_code.is_none();
        if items.is_empty() || !items.iter().all(|x| plain(&x.row) && ids.insert(x.row.id.as_str())) {
            return Ok(None);
        }
        let head = match self.caches.audit_head() {
            Some(h) => h,
            None => match sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(pg).await {
                Ok(r) => (r.try_get("seq")?, r.try_get("hash")?),
                Err(e) => return Ok(declined(&e, items.len())),
            },
        };
        let at = bastion_core::time::now_ms();
        let entries: Vec<_> = items.iter().map(|x| &x.audit).collect();
        let recs = link_records(&self.crypto, head.0, head.1.clone(), at, &entries)?;
        let Some(last) = recs.last() else { return Ok(None) };
        let mut counts: BTreeMap<i64, i64> = BTreeMap::new();
        for x in items {
            *counts.entry(x.row.checkpoint_id.0).or_default() += 1;
        }
        let n = items.len();
        let q = sqlx::query(BATCH)
            .bind(col(items, |x| x.row.id.as_str()))
            .bind(col(items, |x| x.row.checkpoint_id.0))
            .bind(col(items, |x| x.row.mode.code()))
            .bind(vec![at; n])
            .bind(col(items, |x| x.row.captured_at))
            .bind(col(items, |x| x.row.name.as_str()))
            .bind(col(items, |x| x.row.doc_type.code()))
            .bind(col(items, |x| x.doc_cipher.as_slice()))
            .bind(col(items, |x| x.doc_bidx.as_str()))
            .bind(col(items, |x| x.doc_masked.as_str()))
            .bind(col(items, |x| x.row.sex.as_deref()))
            .bind(col(items, |x| x.row.birth_year))
            .bind(col(items, |x| x.phone_cipher.as_deref()))
            .bind(col(items, |x| x.phone_bidx.as_deref()))
            .bind(col(items, |x| x.phone_masked.as_deref()))
            .bind(col(items, |x| x.row.plate.as_ref().map(|p| p.text.as_str())))
            .bind(col(items, |x| i64::from(x.row.plate.as_ref().is_some_and(|p| p.warning.is_some()))))
            .bind(col(items, |x| x.row.vehicle_type.code()))
            .bind(col(items, |x| x.row.driver_id.as_deref()))
            .bind(col(items, |x| x.row.origin.as_str()))
            .bind(col(items, |x| x.row.destination.as_str()))
            .bind(col(items, |x| x.row.reason.code()))
            .bind(col(items, |x| i64::from(x.row.travel_flag)))
            .bind(col(items, |x| x.row.health_code.code()))
            .bind(col(items, |x| x.row.temp.tenths()))
            .bind(col(items, |x| x.row.temp2.map(|t| t.tenths())))
            .bind(col(items, |x| x.row.method.code()))
            .bind(col(items, |x| i64::from(x.row.fever)))
            .bind(col(items, |x| x.row.decision.code()))
            .bind(col(items, |x| x.row.officer_id))
            .bind(col(items, |x| x.row.officer.as_str()))
            .bind(recs.iter().map(|r| r.seq).collect::<Vec<_>>())
            .bind(vec![at; n])
            .bind(recs.iter().map(|r| r.account.as_str()).collect::<Vec<_>>())
            .bind(recs.iter().map(|r| r.unit.as_str()).collect::<Vec<_>>())
            .bind(recs.iter().map(|r| r.ip.as_str()).collect::<Vec<_>>())
            .bind(recs.iter().map(|r| r.module.as_str()).collect::<Vec<_>>())
            .bind(recs.iter().map(|r| r.action.as_str()).collect::<Vec<_>>())
            .bind(recs.iter().map(|r| r.target.as_str()).collect::<Vec<_>>())
            .bind(recs.iter().map(|r| r.result.as_str()).collect::<Vec<_>>())
            .bind(recs.iter().map(|r| r.detail.as_str()).collect::<Vec<_>>())
            .bind(recs.iter().map(|r| r.request_id.as_str()).collect::<Vec<_>>())
            .bind(recs.iter().map(|r| r.prev_hash.as_str()).collect::<Vec<_>>())
            .bind(recs.iter().map(|r| r.hash.as_str()).collect::<Vec<_>>())
            .bind(last.seq)
            .bind(last.hash.as_str())
            .bind(head.0)
            .bind(head.1.as_str())
            .bind(counts.keys().copied().collect::<Vec<_>>())
            .bind(vec![hour_of(at); counts.len()])
            .bind(counts.values().copied().collect::<Vec<_>>())
            .bind(vec![0i64; counts.len()])
            .bind(n as i64)
            .bind(recs.iter().map(|r| r.mac.as_str()).collect::<Vec<_>>())
            .bind(recs.iter().map(|r| r.mac_key).collect::<Vec<_>>());
        // Any write on this node may change cached counts (as `Store::begin` does for a transaction).
        self.caches.invalidate();
        match q.execute(pg).await {
            Ok(_) => {
                self.caches.set_audit_head(Some((last.seq, last.hash.clone())));
                Ok(Some(
                    items
                        .iter()
                        .map(|x| Registered { id: x.row.id.clone(), created: true, fever_case: None })
                        .collect(),
                ))
            }
            Err(e) => {
                // Undone as a whole; the transaction path finds out which case it was (or reports
                // the error if the database is down).
                self.caches.set_audit_head(None);
                Ok(declined(&e, n))
            }
        }
    }
}

/// The batch goes to the transaction path. A failed guard (a moved head, a resend) is routine;
/// anything else is worth an operator's look, since every batch then pays for both paths.
fn declined(e: &sqlx::Error, rows: usize) -> Option<Vec<Registered>> {
    let guard = matches!(e, sqlx::Error::Database(d) if d.code().as_deref() == Some("BS001"));
    if guard {
        tracing::debug!(error = %e, rows, "one-statement batch declined; using a transaction");
    } else {
        tracing::warn!(error = %e, rows, "one-statement batch failed; using a transaction");
    }
    None
}
