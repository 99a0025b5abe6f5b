//! The audit trail as its readers see it: the audit admin's log, and the chain's verification.

use bastion_core::permission::perm;

use crate::{App, AppResult, Ctx};

/// The read model the web layer shows.
pub use bastion_store::audit::AuditRecord;

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

    /// Check the whole chain (the operator's command): the number of intact records, and the
    /// first broken one described.
    pub async fn verify_audit(&self) -> AppResult<(i64, Option<String>)> {
        let (n, broken) = self.store.verify_audit().await?;
        Ok((n, broken.map(|b| b.to_string())))
    }
}
