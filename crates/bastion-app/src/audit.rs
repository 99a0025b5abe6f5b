//! The audit trail as its readers see it: the audit admin's log, and the chain's verification.

use bastion_core::permission::perm;

use crate::{App, AppResult, Ctx};

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
}
