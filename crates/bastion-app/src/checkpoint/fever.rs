//! Fever cases after registration (handover, follow-up, closing), the alerts and their bot
//! deliveries, and the retention purge of screening data.

use super::*;

impl App {
    async fn case_in_scope(
        &self,
        ctx: &Ctx,
        permission: &str,
        id: FeverCaseId,
    ) -> AppResult<(FeverCase, Vec<FollowUp>)> {
        let scope = ctx.scope(permission)?;
        let (case, notes) = self.store.fever_case(id).await.map_err(|_| AppError::NotFound("病例不存在".into()))?;
        let all = self.all_checkpoints().await?;
        let path = all.iter().find(|c| c.id == case.checkpoint_id).map(|c| c.unit_path.clone()).unwrap_or_default();
        if !in_scope(&scope, &path, None) {
            return Err(AppError::forbidden_data());
        }
        Ok((case, notes))
    }

    pub async fn fever_cases(&self, ctx: &Ctx, open_only: bool) -> AppResult<Vec<FeverCase>> {
        let scope = ctx.scope(perm::SCREENING_READ)?;
        let all = self.all_checkpoints().await?;
        let ids = self.visible_ids(&scope, &all);
        Ok(self.store.fever_cases(ids.as_deref(), open_only).await?)
    }

    pub async fn fever_case(&self, ctx: &Ctx, id: FeverCaseId) -> AppResult<(FeverCase, Vec<FollowUp>)> {
        self.case_in_scope(ctx, perm::SCREENING_READ, id).await
    }

    /// A case with its follow-ups and the registration that raised it (`None` once that
    /// registration has been purged); the registration is read under the case's own scope check.
    pub async fn fever_case_detail(
        &self,
        ctx: &Ctx,
        id: FeverCaseId,
    ) -> AppResult<(FeverCase, Vec<FollowUp>, Option<Screening>)> {
        let (case, notes) = self.case_in_scope(ctx, perm::SCREENING_READ, id).await?;
        let screening = match self.store.screening(&case.screening_id).await {
            Ok(s) => Some(s),
            Err(bastion_store::StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        };
        Ok((case, notes, screening))
    }

    pub async fn hand_over(&self, ctx: &Ctx, id: FeverCaseId, receiver: &str) -> AppResult<()> {
        self.case_in_scope(ctx, perm::FEVER_WRITE, id).await?;
        let receiver = text("接收人", receiver, 1, 30).map_err(AppError::invalid)?;
        let mut tx = self.store.begin().await?;
        self.store.hand_over(&mut tx, id, &receiver, &ctx.username).await?;
        self.audit(&mut tx, ctx, "checkpoint", "发热病例交接", &format!("fever:{}", id.0), "").await?;
        bastion_store::commit(tx).await?;
        Ok(())
    }

    pub async fn follow_up(&self, ctx: &Ctx, id: FeverCaseId, note: &str) -> AppResult<()> {
        self.case_in_scope(ctx, perm::FEVER_WRITE, id).await?;
        let note = bastion_core::error::multiline("随访记录", note, 2, 500).map_err(AppError::invalid)?;
        let mut tx = self.store.begin().await?;
        self.store.add_follow_up(&mut tx, id, &ctx.username, &note).await?;
        self.audit(&mut tx, ctx, "checkpoint", "发热病例随访", &format!("fever:{}", id.0), "").await?;
        bastion_store::commit(tx).await?;
        Ok(())
    }

    pub async fn close_case(&self, ctx: &Ctx, id: FeverCaseId, outcome: &str) -> AppResult<()> {
        self.case_in_scope(ctx, perm::FEVER_WRITE, id).await?;
        let outcome = FeverOutcome::parse(outcome).map_err(AppError::invalid)?;
        let mut tx = self.store.begin().await?;
        self.store.close_case(&mut tx, id, outcome).await?;
        self.audit(&mut tx, ctx, "checkpoint", "发热病例结案", &format!("fever:{}", id.0), outcome.zh()).await?;
        bastion_store::commit(tx).await?;
        Ok(())
    }

    /// The delivery log of the fever alerts sent to the bot groups (no personal data in them). It
    /// spans every checkpoint, so only bureau-wide readers (the HQ desk) see it; others get none.
    pub async fn alert_deliveries(&self, ctx: &Ctx) -> AppResult<Vec<crate::notify::Delivery>> {
        match ctx.scope(perm::SCREENING_READ)? {
            RowScope::All => {
                let source = crate::notify::Source::new(bastion_store::checkpoint::ALERT_SOURCE, None);
                self.deliveries_of(source, None, 20).await
            }
            _ => Ok(Vec::new()),
        }
    }

    /// Alerts for the checkpoint leaders (`leader`, scoped) or the HQ desk (`hq`).
    pub async fn alerts(&self, ctx: &Ctx) -> AppResult<Vec<Alert>> {
        let scope = ctx.scope(perm::SCREENING_READ)?;
        let audience = if matches!(scope, RowScope::All) { "hq" } else { "leader" };
        let all = self.all_checkpoints().await?;
        let ids = self.visible_ids(&scope, &all);
        let mut v = self.store.alerts(audience, 50).await?;
        if let Some(ids) = ids {
            v.retain(|a| ids.contains(&a.checkpoint_id));
        }
        Ok(v)
    }

    /// Retention days in force (`epi.checkpoint.retentionDays`).
    pub async fn retention_days(&self) -> AppResult<i64> {
        Ok(self
            .store
            .setting(RETENTION_KEY)
            .await?
            .and_then(|v| v.trim().parse::<i64>().ok())
            .filter(|d| *d >= 1)
            .unwrap_or(DEFAULT_RETENTION_DAYS))
    }

    /// Delete screening data past retention (PIPL §19, §47); the purge is audited with counts only.
    pub async fn purge_screenings(&self, ctx: &Ctx, days: Option<i64>) -> AppResult<PurgeReport> {
        ctx.scope(perm::SCREENING_PURGE)?;
        let days = match days {
            Some(d) if !(1..=3650).contains(&d) => {
                return Err(AppError::invalid(FieldError::new("保存天数", "保存天数应在 1–3650 之间")))
            }
            Some(d) => d,
            None => self.retention_days().await?,
        };
        self.purge_screenings_before(ctx, bastion_core::time::now_ms(), days, true).await
    }

    /// The scheduled purge (hourly, run by the server as `system`): screening data older than the
    /// retention period in force at `now_ms`. Audited when it deleted something; a run that finds
    /// nothing leaves no record.
    pub async fn purge_expired_screenings(&self, ctx: &Ctx, now_ms: i64) -> AppResult<PurgeReport> {
        ctx.scope(perm::SCREENING_PURGE)?;
        let days = self.retention_days().await?;
        self.purge_screenings_before(ctx, now_ms, days, false).await
    }

    async fn purge_screenings_before(
        &self,
        ctx: &Ctx,
        now_ms: i64,
        days: i64,
        audit_empty: bool,
    ) -> AppResult<PurgeReport> {
        let cutoff = now_ms - days * 86_400_000;
        let mut tx = self.store.begin().await?;
        let r = self.store.purge_screenings(&mut tx, cutoff).await?;
        if !audit_empty && r.screenings == 0 && r.fever_cases == 0 && r.passes == 0 {
            return Ok(r);
        }
        self.audit(
            &mut tx,
            ctx,
            "checkpoint",
            "清理过期登记数据",
            &format!("保存期 {days} 天"),
            &format!("登记 {} 条，病例 {} 条，通行码 {} 条", r.screenings, r.fever_cases, r.passes),
        )
        .await?;
        bastion_store::commit(tx).await?;
        Ok(r)
    }
}

/// The checkpoints' to-do items: open fever cases in the viewer's scope that the viewer may follow
/// up — a case not yet handed over to the clinic first.
pub(crate) const TODO: crate::home::TodoSource =
    crate::home::TodoSource { feature: "发热随访", items: |app, ctx| Box::pin(app.fever_todo(ctx)) };

impl App {
    async fn fever_todo(&self, ctx: &Ctx) -> AppResult<Vec<crate::home::TodoItem>> {
        if !ctx.can(perm::FEVER_WRITE) {
            return Ok(Vec::new());
        }
        Ok(self
            .fever_cases(ctx, true)
            .await?
            .into_iter()
            .map(|c| {
                let referred = c.status == bastion_core::checkpoint::FeverStatus::Referred;
                let ask = if referred { "待交接发热门诊" } else { "随访中，待结案" };
                crate::home::TodoItem {
                    feature: "发热随访",
                    title: format!("发热病例 #{}（{}，{} ℃）{ask}", c.id.0, c.checkpoint_name, c.temp),
                    href: format!("/checkpoints/fever/{}", c.id.0),
                    urgent: referred,
                }
            })
            .collect())
    }
}
