//! The audit trail as its readers see it: the audit admin's log and its export, the sign-in log,
//! the chain's verification and exported checkpoints, the audit key, and the retention purge.

use bastion_core::permission::perm;

use crate::{App, AppError, AppResult, Ctx};

/// The read model the web layer shows, and the exported checkpoint of the chain's head.
pub use bastion_store::audit::{AuditRecord, Checkpoint};

/// What `bastion audit verify` found.
#[derive(Debug, Clone)]
pub struct AuditVerified {
    /// Intact records.
    pub records: i64,
    /// Records up to this sequence number predate the keyed MACs (checked by hash only).
    pub mac_from: i64,
    /// The first record that breaks the chain, its MAC or the checkpoint, described.
    pub broken: Option<String>,
}

impl App {
    /// One page of the audit trail, newest first, filtered by account and module (audit admin).
    pub async fn audit_log(
        &self,
        ctx: &Ctx,
        account: Option<&str>,
        module: Option<&str>,
        page: i64,
        size: i64,
    ) -> AppResult<(Vec<AuditRecord>, i64)> {
        ctx.scope(perm::AUDIT_READ)?;
        let offset = (page.max(1) - 1).saturating_mul(size);
        Ok(self.store.audit_records(account, module, size, offset).await?)
    }

    /// Check the whole chain and every record's keyed MAC (the operator's command), and, when
    /// given, that the chain still agrees with a checkpoint exported earlier.
    pub async fn verify_audit(&self, checkpoint: Option<&Checkpoint>) -> AppResult<AuditVerified> {
        let (records, broken) = self.store.verify_audit().await?;
        let mut broken = broken.map(|b| b.to_string());
        if let (None, Some(cp)) = (&broken, checkpoint) {
            broken = self.store.verify_checkpoint(cp).await?.map(|b| b.to_string());
        }
        Ok(AuditVerified { records, mac_from: self.store.audit_mac_from().await?, broken })
    }

    /// A new audit key (old ones kept in the key file to check earlier records); audited.
    pub async fn rotate_audit_key(&self, ctx: &Ctx) -> AppResult<u8> {
        let id = self.store.crypto.rotate_audit_key()?;
        let mut tx = self.store.begin().await?;
        self.audit(&mut tx, ctx, "system", "轮换审计密钥", &format!("audit-key:{id}"), "").await?;
        bastion_store::commit(tx).await?;
        Ok(id)
    }

    /// Log a MAC'd checkpoint of the audit head, to be shipped off the machine (hourly job).
    pub(crate) async fn log_audit_checkpoint(&self) -> AppResult<()> {
        let cp = self.audit_checkpoint().await?;
        tracing::info!(
            seq = cp.seq,
            hash = %cp.hash,
            at = cp.at,
            key = cp.key,
            mac = %cp.mac,
            "audit checkpoint (keep a copy off this machine)"
        );
        Ok(())
    }

    /// Purge audit records older than the retention period (policy, never under 180 days). The
    /// purge is itself audited, with the count and the new anchor only. Returns the count.
    pub async fn purge_expired_audit(&self, ctx: &Ctx, now_ms: i64) -> AppResult<i64> {
        let days = self.policy().audit_retention_days.max(180);
        let mut tx = self.store.begin().await?;
        let (n, seq, hash) = self.store.purge_audit(&mut tx, now_ms - days * 86_400_000).await?;
        if n == 0 {
            return Ok(0);
        }
        let target = bastion_store::audit::anchor_target(seq, &hash);
        self.audit(&mut tx, ctx, "audit", "清理过期审计日志", &target, &format!("{n} 条（保存期 {days} 天）")).await?;
        bastion_store::commit(tx).await?;
        Ok(n)
    }

    /// A MAC'd checkpoint of the audit chain's head (the server logs one every hour; `bastion audit
    /// checkpoint` writes one to a file to keep off the machine).
    pub async fn audit_checkpoint(&self) -> AppResult<bastion_store::audit::Checkpoint> {
        Ok(self.store.audit_checkpoint().await?)
    }

    /// The audit trail as CSV (audit admin), newest first; the export itself is audited.
    pub async fn export_audit(
        &self,
        ctx: &Ctx,
        account: Option<&str>,
        module: Option<&str>,
    ) -> AppResult<(Vec<u8>, usize)> {
        ctx.scope(perm::AUDIT_READ)?;
        let mut out = b"\xEF\xBB\xBF".to_vec();
        let mut n = 0usize;
        {
            let mut w = csv::Writer::from_writer(&mut out);
            let header =
                ["序号", "时间", "账号", "单位", "IP", "模块", "操作", "对象", "结果", "说明", "请求号", "哈希"];
            w.write_record(header).map_err(|e| AppError::Internal(e.into()))?;
            let mut offset = 0;
            loop {
                let (recs, _) = self.store.audit_records(account, module, 2000, offset).await?;
                if recs.is_empty() {
                    break;
                }
                offset += recs.len() as i64;
                for r in recs {
                    n += 1;
                    w.write_record(bastion_core::csv::neutralise_record([
                        r.seq.to_string(),
                        bastion_core::time::fmt_ms(r.at),
                        r.account,
                        r.unit,
                        r.ip,
                        r.module,
                        r.action,
                        r.target,
                        r.result,
                        r.detail,
                        r.request_id,
                        r.hash,
                    ]))
                    .map_err(|e| AppError::Internal(e.into()))?;
                }
            }
            w.flush().map_err(|e| AppError::Internal(e.into()))?;
        }
        let mut tx = self.store.begin().await?;
        self.audit(&mut tx, ctx, "audit", "导出审计日志", &format!("{n} 条"), "").await?;
        bastion_store::commit(tx).await?;
        Ok((out, n))
    }

    pub async fn login_log(
        &self,
        ctx: &Ctx,
        page: i64,
        size: i64,
    ) -> AppResult<(Vec<crate::auth::LoginLogEntry>, i64)> {
        ctx.scope(perm::AUDIT_READ)?;
        let total = self.store.login_log_count().await?;
        Ok((self.store.login_log(size, (page.max(1) - 1).saturating_mul(size)).await?, total))
    }
}
