//! The audit trail: append-only, hash-chained. Each record's hash covers the previous hash and
//! every field, so an edited, deleted or reordered record breaks the chain at that point. The hash
//! alone can be recomputed by whoever can write the database, so each record also carries a keyed
//! MAC of its hash (HMAC-SHA256 under an audit key kept outside the database, see `crypto`) and the
//! id of that key; checkpoints of the head, MAC'd and exported to a file, pin the history before
//! them even against a holder of the key.

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::borrow::Borrow;

use crate::crypto::Crypto;
use crate::db::{Backend, Store, StoreResult, Tx};

/// What the application records for one action. Never a clear-text personal number.
#[derive(Debug, Clone, Default)]
pub struct AuditEntry {
    pub account: String,
    pub unit: String,
    pub ip: String,
    pub module: String,
    pub action: String,
    pub target: String,
    pub result: String,
    pub detail: String,
    pub request_id: String,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct AuditRecord {
    pub seq: i64,
    pub at: i64,
    pub account: String,
    pub unit: String,
    pub ip: String,
    pub module: String,
    pub action: String,
    pub target: String,
    pub result: String,
    pub detail: String,
    pub request_id: String,
    pub prev_hash: String,
    pub hash: String,
    /// HMAC-SHA256 of `hash` under audit key `mac_key` (empty in records from before MACs).
    pub mac: String,
    pub mac_key: i64,
}

/// What an audit record's MAC authenticates: its hash, which covers every field and the link.
fn mac_message(hash: &str) -> Vec<u8> {
    let mut m = b"bastion-audit-record\x00".to_vec();
    m.extend_from_slice(hash.as_bytes());
    m
}

/// Bind a whole record, in the column order of `COLS`.
fn bind_record<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    r: &'q AuditRecord,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    q.bind(r.seq)
        .bind(r.at)
        .bind(r.account.as_str())
        .bind(r.unit.as_str())
        .bind(r.ip.as_str())
        .bind(r.module.as_str())
        .bind(r.action.as_str())
        .bind(r.target.as_str())
        .bind(r.result.as_str())
        .bind(r.detail.as_str())
        .bind(r.request_id.as_str())
        .bind(r.prev_hash.as_str())
        .bind(r.hash.as_str())
        .bind(r.mac.as_str())
        .bind(r.mac_key)
}

impl AuditRecord {
    /// The record of `e` as number `seq` after the record whose hash is `prev_hash`, hashed.
    pub fn linked(seq: i64, at: i64, e: &AuditEntry, prev_hash: String) -> Self {
        let mut rec = AuditRecord {
            seq,
            at,
            account: e.account.clone(),
            unit: e.unit.clone(),
            ip: e.ip.clone(),
            module: e.module.clone(),
            action: e.action.clone(),
            target: e.target.clone(),
            result: e.result.clone(),
            detail: e.detail.clone(),
            request_id: e.request_id.clone(),
            prev_hash,
            hash: String::new(),
            mac: String::new(),
            mac_key: 0,
        };
        rec.hash = rec.compute_hash();
        rec
    }

    /// Add the keyed MAC of the record's hash under the current audit key.
    pub fn seal(&mut self, crypto: &Crypto) -> StoreResult<()> {
        let (key, mac) = crypto.audit_mac(&mac_message(&self.hash))?;
        self.mac = mac;
        self.mac_key = i64::from(key);
        Ok(())
    }

    pub fn compute_hash(&self) -> String {
        let mut h = Sha256::new();
        for part in [
            self.prev_hash.as_str(),
            &self.seq.to_string(),
            &self.at.to_string(),
            &self.account,
            &self.unit,
            &self.ip,
            &self.module,
            &self.action,
            &self.target,
            &self.result,
            &self.detail,
            &self.request_id,
        ] {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part.as_bytes());
        }
        hex::encode(h.finalize())
    }
}

/// Where verification found the chain broken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub enum ChainBreak {
    /// The record's own hash does not match its content (edited).
    Altered { seq: i64 },
    /// The record does not follow the previous one (deleted or reordered before it).
    Gap { seq: i64, expected: i64 },
    /// `prev_hash` does not point at the previous record's hash.
    Unlinked { seq: i64 },
    /// The head counter and the last record disagree (records removed from the end).
    Truncated { head: i64, last: i64 },
    /// The retention anchor is not the one a purge record in the chain names (records removed
    /// from the start outside a purge).
    AnchorMoved { seq: i64 },
    /// The record's MAC does not match its hash: rewritten by someone without the audit key.
    Forged { seq: i64 },
    /// A record after the switch to MACs carries none (or names a key this deployment lacks).
    Unsealed { seq: i64 },
    /// The chain no longer holds the record an exported checkpoint vouches for.
    CheckpointMismatch { seq: i64 },
}

/// The target of the audit record a purge appends: it vouches for the new anchor.
pub fn anchor_target(seq: i64, hash: &str) -> String {
    format!("audit-anchor:{seq}:{hash}")
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainBreak::Altered { seq } => write!(f, "第 {seq} 条记录内容被修改（哈希不符）"),
            ChainBreak::Gap { seq, expected } => {
                write!(f, "应为第 {expected} 条，实为第 {seq} 条：其间记录被删除或顺序被改动")
            }
            ChainBreak::Unlinked { seq } => write!(f, "第 {seq} 条记录与前一条的链接断开"),
            ChainBreak::Truncated { head, last } => {
                write!(f, "链头记为第 {head} 条，但最后一条为第 {last} 条：末尾记录被删除")
            }
            ChainBreak::AnchorMoved { seq } => {
                write!(f, "保存期锚点为第 {seq} 条，但链中没有对应的清理记录：开头的记录被删除")
            }
            ChainBreak::Forged { seq } => {
                write!(f, "第 {seq} 条记录的密钥校验码不符：该记录被改写（哈希链被重新计算）")
            }
            ChainBreak::Unsealed { seq } => {
                write!(f, "第 {seq} 条记录缺少有效的密钥校验码（或所用审计密钥不在本机密钥文件中）")
            }
            ChainBreak::CheckpointMismatch { seq } => {
                write!(f, "第 {seq} 条记录与导出的检查点不符：检查点之前的历史被改写或删除")
            }
        }
    }
}

fn record_from(r: &sqlx::any::AnyRow) -> StoreResult<AuditRecord> {
    Ok(AuditRecord {
        seq: r.try_get("seq")?,
        at: r.try_get("at")?,
        account: r.try_get("account")?,
        unit: r.try_get("unit")?,
        ip: r.try_get("ip")?,
        module: r.try_get("module")?,
        action: r.try_get("action")?,
        target: r.try_get("target")?,
        result: r.try_get("result")?,
        detail: r.try_get("detail")?,
        request_id: r.try_get("request_id")?,
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
        mac: r.try_get("mac")?,
        mac_key: r.try_get("mac_key")?,
    })
}

/// Move the chain's head to `last`, the newest record appended in `tx`.
async fn move_head(tx: &mut Tx, last: &AuditRecord) -> StoreResult<()> {
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(last.seq)
        .bind(last.hash.as_str())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

const COLS: &str =
    "seq, at, account, unit, ip, module, action, target, result, detail, request_id, prev_hash, hash, mac, mac_key";
/// The number of columns in `COLS`.
const NCOLS: usize = 15;

/// Hash `entries` into records numbered after the head `(seq, hash)`, each linked to the one
/// before and sealed with the audit key.
pub(crate) fn link_records<E: Borrow<AuditEntry>>(
    crypto: &Crypto,
    head_seq: i64,
    head_hash: String,
    at: i64,
    entries: &[E],
) -> StoreResult<Vec<AuditRecord>> {
    let mut prev = head_hash;
    let mut recs = Vec::with_capacity(entries.len());
    for (seq, e) in (head_seq + 1..).zip(entries) {
        let mut rec = AuditRecord::linked(seq, at, e.borrow(), prev);
        rec.seal(crypto)?;
        prev = rec.hash.clone();
        recs.push(rec);
    }
    Ok(recs)
}

impl Store {
    /// Append several audit records in one multi-row INSERT, linked here: the head is read (and on
    /// PostgreSQL locked until commit) once, every record is hashed in Rust, and the head moves once.
    /// PostgreSQL's trigger passes records that arrive linked through unchanged (migration 0008).
    pub async fn append_audit_many<E: Borrow<AuditEntry> + Sync>(&self, tx: &mut Tx, entries: &[E]) -> StoreResult<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let at = bastion_core::time::now_ms();
        let lock = if self.backend == Backend::Postgres { " FOR UPDATE" } else { "" };
        let head =
            sqlx::query(&format!("SELECT seq, hash FROM audit_head WHERE id = 1{lock}")).fetch_one(&mut **tx).await?;
        let recs = link_records(&self.crypto, head.try_get("seq")?, head.try_get("hash")?, at, entries)?;
        // On PostgreSQL the last chunk's INSERT and the head's move are one statement (one round
        // trip less while the head is locked, from the read above until commit).
        let pg = self.backend == Backend::Postgres;
        let chunks: Vec<&[AuditRecord]> = recs.chunks(1000).collect();
        for (i, chunk) in chunks.iter().enumerate() {
            let with_head = pg && i + 1 == chunks.len();
            let mut sql = String::from(if with_head { "WITH linked AS (" } else { "" });
            sql.push_str(&format!("INSERT INTO audit_log ({COLS}) VALUES "));
            self.backend.push_values(&mut sql, chunk.len(), NCOLS);
            if with_head {
                let n = chunk.len() * NCOLS;
                sql.push_str(&format!(") UPDATE audit_head SET seq = ${}, hash = ${} WHERE id = 1", n + 1, n + 2));
            }
            let mut q = sqlx::query(&sql);
            for r in chunk.iter() {
                q = bind_record(q, r);
            }
            if let (true, Some(last)) = (with_head, chunk.last()) {
                q = q.bind(last.seq).bind(last.hash.clone());
            }
            q.execute(&mut **tx).await?;
        }
        if let (false, Some(last)) = (pg, recs.last()) {
            move_head(tx, last).await?;
        }
        if let Some(last) = recs.last() {
            // A guess for the next batch written without a transaction: checked there, not trusted.
            self.caches.set_audit_head(Some((last.seq, last.hash.clone())));
        }
        Ok(())
    }

    /// Append to the chain inside the caller's transaction: the action and its record commit together.
    /// On PostgreSQL a trigger links the record (see migration 0006) and the MAC of the hash it
    /// returns is added by a second statement (the key never reaches the database); on SQLite the
    /// record is linked and sealed here and the head moved after the insert.
    pub async fn append_audit(&self, tx: &mut Tx, e: &AuditEntry) -> StoreResult<i64> {
        let at = bastion_core::time::now_ms();
        if self.backend == Backend::Postgres {
            let row = sqlx::query(
                "INSERT INTO audit_log (at, account, unit, ip, module, action, target, result, detail, request_id, \
                 prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,'','') RETURNING seq, hash",
            )
            .bind(at)
            .bind(&e.account)
            .bind(&e.unit)
            .bind(&e.ip)
            .bind(&e.module)
            .bind(&e.action)
            .bind(&e.target)
            .bind(&e.result)
            .bind(&e.detail)
            .bind(&e.request_id)
            .fetch_one(&mut **tx)
            .await?;
            let seq: i64 = row.try_get("seq")?;
            let hash: String = row.try_get("hash")?;
            let (key, mac) = self.crypto.audit_mac(&mac_message(&hash))?;
            sqlx::query("UPDATE audit_log SET mac = $1, mac_key = $2 WHERE seq = $3")
                .bind(mac)
                .bind(i64::from(key))
                .bind(seq)
                .execute(&mut **tx)
                .await?;
            return Ok(seq);
        }
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(&mut **tx).await?;
        let mut rec = AuditRecord::linked(head.try_get::<i64, _>("seq")? + 1, at, e, head.try_get("hash")?);
        rec.seal(&self.crypto)?;
        let sql = format!("INSERT INTO audit_log ({COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)");
        bind_record(sqlx::query(&sql), &rec).execute(&mut **tx).await?;
        move_head(tx, &rec).await?;
        Ok(rec.seq)
    }

    /// Newest first, optionally filtered by account and module.
    pub async fn audit_records(
        &self,
        account: Option<&str>,
        module: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> StoreResult<(Vec<AuditRecord>, i64)> {
        let mut w = crate::sql::Sql::new(" WHERE 1=1");
        if let Some(a) = account.filter(|s| !s.is_empty()) {
            w.push(" AND account = ").bind_text(a);
        }
        if let Some(m) = module.filter(|s| !s.is_empty()) {
            w.push(" AND module = ").bind_text(m);
        }
        let mut count = crate::sql::Sql::new("SELECT COUNT(*) AS n FROM audit_log");
        count.push(&w.text);
        count.args = w.args.clone();
        let total: i64 = count.query().fetch_one(&self.read).await?.try_get("n")?;
        let mut q = crate::sql::Sql::new(&format!("SELECT {COLS} FROM audit_log"));
        q.push(&w.text);
        q.args = w.args;
        q.push(" ORDER BY seq DESC LIMIT ").bind_i64(limit).push(" OFFSET ").bind_i64(offset);
        let rows = q.query().fetch_all(&self.read).await?;
        Ok((rows.iter().map(record_from).collect::<StoreResult<_>>()?, total))
    }

    /// Delete the records made before `before_ms` (the caller enforces the retention floor) and
    /// move the anchor to the last one deleted. Returns (records deleted, anchor seq, anchor hash).
    pub async fn purge_audit(&self, tx: &mut Tx, before_ms: i64) -> StoreResult<(i64, i64, String)> {
        let lock = if self.backend == Backend::Postgres { " FOR UPDATE" } else { "" };
        let anchor =
            sqlx::query(&format!("SELECT seq, hash FROM audit_anchor WHERE id = 1{lock}")).fetch_one(&mut **tx).await?;
        let (from, from_hash): (i64, String) = (anchor.try_get("seq")?, anchor.try_get("hash")?);
        // The chain is in seq order and times only grow, so the expired records are one prefix.
        let last =
            sqlx::query("SELECT seq, hash FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log WHERE at < $1)")
                .bind(before_ms)
                .fetch_optional(&mut **tx)
                .await?;
        let Some(last) = last else { return Ok((0, from, from_hash)) };
        let (seq, hash): (i64, String) = (last.try_get("seq")?, last.try_get("hash")?);
        let deleted =
            sqlx::query("DELETE FROM audit_log WHERE seq <= $1").bind(seq).execute(&mut **tx).await?.rows_affected();
        sqlx::query("UPDATE audit_anchor SET seq = $1, hash = $2 WHERE id = 1")
            .bind(seq)
            .bind(&hash)
            .execute(&mut **tx)
            .await?;
        Ok((deleted as i64, seq, hash))
    }

    /// Walk the chain in order from the retention anchor; `Ok(None)` when intact, with the number
    /// of records checked.
    pub async fn verify_audit(&self) -> StoreResult<(i64, Option<ChainBreak>)> {
        let mac_from = self.audit_mac_from().await?;
        let anchor = sqlx::query("SELECT seq, hash FROM audit_anchor WHERE id = 1").fetch_one(&self.read).await?;
        let mut prev_hash: String = anchor.try_get("hash")?;
        let anchor_seq: i64 = anchor.try_get("seq")?;
        let vouching = anchor_target(anchor_seq, &prev_hash);
        let mut vouched = anchor_seq == 0;
        let mut expected = anchor_seq + 1;
        let mut checked = 0i64;
        loop {
            let rows = sqlx::query(&format!("SELECT {COLS} FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT 5000"))
                .bind(expected)
                .fetch_all(&self.read)
                .await?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                let rec = record_from(r)?;
                if rec.seq != expected {
                    return Ok((checked, Some(ChainBreak::Gap { seq: rec.seq, expected })));
                }
                if rec.compute_hash() != rec.hash {
                    return Ok((checked, Some(ChainBreak::Altered { seq: rec.seq })));
                }
                if rec.prev_hash != prev_hash {
                    return Ok((checked, Some(ChainBreak::Unlinked { seq: rec.seq })));
                }
                if rec.seq > mac_from {
                    let key = u8::try_from(rec.mac_key).ok();
                    match key.and_then(|k| self.crypto.audit_mac_matches(k, &mac_message(&rec.hash), &rec.mac)) {
                        Some(true) => {}
                        Some(false) if !rec.mac.is_empty() => {
                            return Ok((checked, Some(ChainBreak::Forged { seq: rec.seq })))
                        }
                        _ => return Ok((checked, Some(ChainBreak::Unsealed { seq: rec.seq }))),
                    }
                }
                vouched |= rec.target == vouching;
                prev_hash = rec.hash;
                expected += 1;
                checked += 1;
            }
        }
        let head: i64 =
            sqlx::query("SELECT seq FROM audit_head WHERE id = 1").fetch_one(&self.read).await?.try_get("seq")?;
        if head != expected - 1 {
            return Ok((checked, Some(ChainBreak::Truncated { head, last: expected - 1 })));
        }
        if !vouched {
            return Ok((checked, Some(ChainBreak::AnchorMoved { seq: anchor_seq })));
        }
        Ok((checked, None))
    }
}

/// A MAC'd statement of the chain's head, to be kept outside the database: whoever rewrites the
/// history before it — even with the audit key — no longer matches it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
    /// When it was taken (epoch ms).
    pub at: i64,
    pub key: i64,
    pub mac: String,
}

impl Checkpoint {
    fn message(seq: i64, hash: &str, at: i64) -> Vec<u8> {
        format!("bastion-audit-checkpoint\x00{seq}\x00{hash}\x00{at}").into_bytes()
    }

    /// The file an operator ships off the machine (also the line printed in the log).
    pub fn to_text(&self) -> String {
        format!(
            "# Bastion 审计检查点：请复制到本机以外保存；校验：bastion audit verify --checkpoint 文件\n\
             seq={}\nhash={}\nat={}\nkey={}\nmac={}\n",
            self.seq, self.hash, self.at, self.key, self.mac
        )
    }

    pub fn parse(text: &str) -> StoreResult<Self> {
        let mut f = std::collections::HashMap::new();
        for line in text.lines().map(str::trim).filter(|l| !l.starts_with('#') && !l.is_empty()) {
            if let Some((k, v)) = line.split_once('=') {
                f.insert(k.trim(), v.trim());
            }
        }
        let bad = |what: &str| crate::db::StoreError::Conflict(format!("检查点文件无效：缺少或无法识别 {what}"));
        let num = |k: &str| f.get(k).and_then(|v| v.parse::<i64>().ok()).ok_or_else(|| bad(k));
        Ok(Self {
            seq: num("seq")?,
            hash: f.get("hash").ok_or_else(|| bad("hash"))?.to_string(),
            at: num("at")?,
            key: num("key")?,
            mac: f.get("mac").ok_or_else(|| bad("mac"))?.to_string(),
        })
    }
}

impl Store {
    /// The last record written before records carried MACs (0: every record has one).
    pub async fn audit_mac_from(&self) -> StoreResult<i64> {
        Ok(sqlx::query("SELECT seq FROM audit_mac_from WHERE id = 1").fetch_one(&self.read).await?.try_get("seq")?)
    }

    /// A checkpoint of the current head, MAC'd with the current audit key.
    pub async fn audit_checkpoint(&self) -> StoreResult<Checkpoint> {
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(&self.read).await?;
        let (seq, hash): (i64, String) = (head.try_get("seq")?, head.try_get("hash")?);
        let at = bastion_core::time::now_ms();
        let (key, mac) = self.crypto.audit_mac(&Checkpoint::message(seq, &hash, at))?;
        Ok(Checkpoint { seq, hash, at, key: i64::from(key), mac })
    }

    /// Check the chain against an exported checkpoint: the checkpoint's own MAC, then that the
    /// record it names is still there with the same hash (the chain's own verification, run
    /// separately, covers everything after it). `Ok(None)` when it holds.
    pub async fn verify_checkpoint(&self, cp: &Checkpoint) -> StoreResult<Option<ChainBreak>> {
        let genuine = u8::try_from(cp.key)
            .ok()
            .and_then(|k| self.crypto.audit_mac_matches(k, &Checkpoint::message(cp.seq, &cp.hash, cp.at), &cp.mac));
        if genuine != Some(true) {
            return Err(crate::db::StoreError::Conflict(
                "检查点文件的校验码不符（文件被改动，或其审计密钥不在本机密钥文件中）".into(),
            ));
        }
        if cp.seq == 0 {
            return Ok(None);
        }
        let anchor: i64 =
            sqlx::query("SELECT seq FROM audit_anchor WHERE id = 1").fetch_one(&self.read).await?.try_get("seq")?;
        let row =
            sqlx::query("SELECT hash FROM audit_log WHERE seq = $1").bind(cp.seq).fetch_optional(&self.read).await?;
        match row {
            Some(r) if r.try_get::<String, _>("hash")? == cp.hash => Ok(None),
            // Purged by the retention job since: the anchor moved past it, legitimately.
            None if anchor >= cp.seq => Ok(None),
            _ => Ok(Some(ChainBreak::CheckpointMismatch { seq: cp.seq })),
        }
    }
}
