//! Checkpoints and screening: manage checkpoints; register travellers (officer entry,
//! offline resends, self-registration passes) through the group-commit writer so each request is
//! answered only after its batch is durable; fever cases and follow-up; trace; retention purge.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant};

use bastion_core::checkpoint::{
    document_number, pass_code, CheckpointKind, CheckpointStatus, Decision, DocType, EntryMode, FeverOutcome,
    FeverRule, HealthCode, Plate, Reason, TempMethod, Temperature, VehicleType,
};
use bastion_core::error::{non_empty, opt_text, text};
use bastion_core::permission::perm;
use bastion_core::{FieldError, IdNumber, Phone};
/// The read models the web layer shows.
pub use bastion_store::checkpoint::{
    Alert, Checkpoint, CheckpointId, FeverCase, FeverCaseId, FollowUp, LiveCount, PassView, PurgeReport, Registered,
    Screening,
};
use bastion_store::checkpoint::{NewCheckpoint, NewScreening, SealedScreening};
use bastion_store::group_commit::GroupCommit;
use bastion_store::org::{RowScope, UnitId};
use bastion_store::{Store, StoreError, StoreResult};
use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::{in_scope, App, AppError, AppResult, Ctx};

mod dashboard;
pub(crate) use dashboard::{DASHBOARD, POST_TAGS, REPORT};
mod fever;
mod input;
pub(crate) use fever::TODO;
pub use input::*;

/// The checkpoints' fever alerts in the delivery queue: group messages only (the checkpoint, the
/// reading and the case number, never a person).
pub(crate) const NOTIFY_SENDER: crate::notify::Sender = crate::notify::Sender {
    feature: bastion_store::checkpoint::ALERT_SOURCE,
    name: "卡点发热预警",
    personal_text: None,
    after_attempt: None,
};

/// Settings keys (in the database, shared by every node).
pub const FEVER_THRESHOLD_KEY: &str = "epi.fever.threshold";
pub const FEVER_INCLUSIVE_KEY: &str = "epi.fever.inclusive";
pub const RETENTION_KEY: &str = "epi.checkpoint.retentionDays";
/// Default retention of screening data (days) when the bureau has not set one.
pub const DEFAULT_RETENTION_DAYS: i64 = 28;
/// A self-registration pass is valid this long.
pub const PASS_TTL_MS: i64 = 2 * 3600 * 1000;
/// Most records one durable commit carries.
pub const MAX_BATCH: usize = 1000;

/// The group-commit batch of registrations: every row of a batch, its counters, fever cases,
/// pass use and audit records in the writer's one transaction (`bastion_store::group_commit`), so
/// each request is answered only after its batch is durable. On PostgreSQL a plain batch is one
/// statement without a transaction (`Store::insert_screenings_alone`).
pub struct ScreeningBatch;

impl bastion_store::group_commit::Batch for ScreeningBatch {
    type Item = SealedScreening;
    type Output = Registered;
    fn apply<'a>(
        &'a self,
        store: &'a Store,
        tx: &'a mut bastion_store::Tx,
        items: &'a [SealedScreening],
    ) -> impl std::future::Future<Output = StoreResult<Vec<Registered>>> + Send + 'a {
        store.insert_screenings(tx, items)
    }
    fn apply_alone<'a>(
        &'a self,
        store: &'a Store,
        items: &'a [SealedScreening],
    ) -> impl std::future::Future<Output = StoreResult<Option<Vec<Registered>>>> + Send + 'a {
        store.insert_screenings_alone(items)
    }
}

/// Per-node state of the feature: the writer (started on first use) and short-lived caches.
#[derive(Default)]
pub struct Runtime {
    writer: OnceLock<GroupCommit<ScreeningBatch>>,
    checkpoints: RwLock<Option<(Instant, Arc<Vec<Checkpoint>>)>>,
    rule: RwLock<Option<(Instant, FeverRule)>>,
    /// Public self-registration: recent submissions per address (rate limit).
    public_hits: Mutex<HashMap<String, (Instant, u32)>>,
}

const CACHE_TTL: Duration = Duration::from_secs(5);
/// Self-registrations one address may submit per window.
pub const PUBLIC_LIMIT: u32 = 10;
pub const PUBLIC_WINDOW: Duration = Duration::from_secs(60);

impl App {
    fn rt(&self) -> &Runtime {
        &self.checkpoint
    }

    fn writer(&self) -> &GroupCommit<ScreeningBatch> {
        self.rt().writer.get_or_init(|| GroupCommit::spawn(self.store.clone(), ScreeningBatch, MAX_BATCH))
    }

    async fn all_checkpoints(&self) -> AppResult<Arc<Vec<Checkpoint>>> {
        if let Ok(g) = self.rt().checkpoints.read() {
            if let Some((t, v)) = g.as_ref() {
                if t.elapsed() < CACHE_TTL {
                    return Ok(v.clone());
                }
            }
        }
        let v = Arc::new(self.store.checkpoints().await?);
        if let Ok(mut g) = self.rt().checkpoints.write() {
            *g = Some((Instant::now(), v.clone()));
        }
        Ok(v)
    }

    fn forget_checkpoints(&self) {
        if let Ok(mut g) = self.rt().checkpoints.write() {
            *g = None;
        }
    }

    /// The fever line in force (settings `epi.fever.threshold`, `epi.fever.inclusive`).
    pub async fn fever_rule(&self) -> AppResult<FeverRule> {
        if let Ok(g) = self.rt().rule.read() {
            if let Some((t, r)) = g.as_ref() {
                if t.elapsed() < CACHE_TTL {
                    return Ok(*r);
                }
            }
        }
        let mut rule = FeverRule::default();
        if let Some(v) = self.store.setting(FEVER_THRESHOLD_KEY).await? {
            if let Ok(t) = Temperature::parse("发热阈值", &v) {
                rule.threshold_tenths = t.tenths();
            }
        }
        if let Some(v) = self.store.setting(FEVER_INCLUSIVE_KEY).await? {
            rule.inclusive = v.trim() != "0" && v.trim() != "false";
        }
        if let Ok(mut g) = self.rt().rule.write() {
            *g = Some((Instant::now(), rule));
        }
        Ok(rule)
    }

    /// Whether `ctx` may move the fever line: it is bureau-wide, so only a bureau-wide checkpoint
    /// manager may.
    pub fn may_set_fever_rule(ctx: &Ctx) -> bool {
        matches!(ctx.scope(perm::CHECKPOINT_WRITE), Ok(RowScope::All))
    }

    /// Set the fever line (commander): audited, and only within 37.0–38.5 ℃ (a typo such as 3.73
    /// or 373 is refused, never stored).
    pub async fn set_fever_rule(&self, ctx: &Ctx, threshold: &str, inclusive: bool) -> AppResult<FeverRule> {
        ctx.scope(perm::CHECKPOINT_WRITE)?;
        if !Self::may_set_fever_rule(ctx) {
            return Err(AppError::Forbidden("发热判定线全局生效，须由全局卡点管理权限设置".into()));
        }
        let t = Temperature::parse("发热阈值", threshold).map_err(AppError::invalid)?;
        if !(370..=385).contains(&t.tenths()) {
            return Err(AppError::invalid(FieldError::new("发热阈值", "发热阈值须在 37.0–38.5 ℃ 之间")));
        }
        let rule = FeverRule { threshold_tenths: t.tenths(), inclusive };
        let mut tx = self.store.begin().await?;
        self.store.put_setting(&mut tx, FEVER_THRESHOLD_KEY, &t.to_string()).await?;
        self.store.put_setting(&mut tx, FEVER_INCLUSIVE_KEY, if inclusive { "1" } else { "0" }).await?;
        self.audit(&mut tx, ctx, "checkpoint", "设置发热阈值", "settings", &rule.label()).await?;
        bastion_store::commit(tx).await?;
        if let Ok(mut g) = self.rt().rule.write() {
            *g = None;
        }
        Ok(rule)
    }

    /// Checkpoints the caller may see, with live counts.
    pub async fn checkpoints(&self, ctx: &Ctx) -> AppResult<Vec<(Checkpoint, LiveCount)>> {
        let scope = ctx.scope(perm::CHECKPOINT_READ)?;
        let all = self.all_checkpoints().await?;
        let counts = self.store.live_counts().await?;
        Ok(all
            .iter()
            .filter(|c| in_scope(&scope, &c.unit_path, None))
            .map(|c| {
                let n = counts.iter().find(|n| n.checkpoint_id == c.id.0).cloned().unwrap_or_default();
                (c.clone(), LiveCount { checkpoint_id: c.id.0, ..n })
            })
            .collect())
    }

    /// Checkpoints where the caller may register travellers (open ones first).
    pub async fn entry_checkpoints(&self, ctx: &Ctx) -> AppResult<Vec<Checkpoint>> {
        let scope = ctx.scope(perm::SCREENING_WRITE)?;
        let mut v: Vec<Checkpoint> = self
            .all_checkpoints()
            .await?
            .iter()
            .filter(|c| c.status != CheckpointStatus::Closed && in_scope(&scope, &c.unit_path, None))
            .cloned()
            .collect();
        v.sort_by_key(|c| (c.status != CheckpointStatus::Open, c.id));
        Ok(v)
    }

    pub async fn checkpoint(&self, ctx: &Ctx, id: CheckpointId) -> AppResult<Checkpoint> {
        let scope = ctx.scope(perm::CHECKPOINT_READ)?;
        let c = self.store.checkpoint(id).await.map_err(|_| AppError::NotFound("卡点不存在".into()))?;
        if !in_scope(&scope, &c.unit_path, None) {
            return Err(AppError::forbidden_data());
        }
        Ok(c)
    }

    pub async fn create_checkpoint(&self, ctx: &Ctx, input: &CheckpointInput) -> AppResult<CheckpointId> {
        ctx.scope(perm::CHECKPOINT_WRITE)?;
        let c = input.parse().map_err(AppError::Invalid)?;
        self.unit_in_scope(&ctx.scope(perm::CHECKPOINT_WRITE)?, c.unit_id, "责任单位").await?;
        let code = random_code(10);
        let mut tx = self.store.begin().await?;
        let id = self.store.insert_checkpoint(&mut tx, &c, &code).await?;
        self.audit(&mut tx, ctx, "checkpoint", "新增卡点", &format!("checkpoint:{} {}", id.0, c.name), "").await?;
        bastion_store::commit(tx).await?;
        self.forget_checkpoints();
        Ok(id)
    }

    pub async fn update_checkpoint(&self, ctx: &Ctx, id: CheckpointId, input: &CheckpointInput) -> AppResult<()> {
        ctx.scope(perm::CHECKPOINT_WRITE)?;
        let c = input.parse().map_err(AppError::Invalid)?;
        let current = self.store.checkpoint(id).await.map_err(|_| AppError::NotFound("卡点不存在".into()))?;
        self.unit_in_scope(&ctx.scope(perm::CHECKPOINT_WRITE)?, current.unit_id, "责任单位").await?;
        self.unit_in_scope(&ctx.scope(perm::CHECKPOINT_WRITE)?, c.unit_id, "责任单位").await?;
        let mut tx = self.store.begin().await?;
        self.store.update_checkpoint(&mut tx, id, &c).await?;
        self.audit(&mut tx, ctx, "checkpoint", "修改卡点", &format!("checkpoint:{} {}", id.0, c.name), "").await?;
        bastion_store::commit(tx).await?;
        self.forget_checkpoints();
        Ok(())
    }

    /// The checkpoint a registration names, if the caller may register there.
    async fn entry_checkpoint(&self, ctx: &Ctx, raw: &str) -> AppResult<Checkpoint> {
        let bad = |m: &str| AppError::Invalid(vec![FieldError::new("卡点", m)]);
        let id: i64 = match non_empty(raw) {
            None => return Err(AppError::Invalid(vec![FieldError::required("卡点")])),
            Some(s) => s.parse().map_err(|_| bad("卡点应为卡点编号"))?,
        };
        let scope = ctx.scope(perm::SCREENING_WRITE)?;
        let all = self.all_checkpoints().await?;
        let c = match all.iter().find(|c| c.id.0 == id) {
            Some(c) => c.clone(),
            None => self.store.checkpoint(CheckpointId(id)).await.map_err(|_| bad("卡点不存在"))?,
        };
        if !in_scope(&scope, &c.unit_path, None) {
            return Err(AppError::Forbidden("您不能在该卡点登记（不在您的数据范围内）".into()));
        }
        if c.status == CheckpointStatus::Closed {
            return Err(bad("该卡点已撤除，不能登记"));
        }
        Ok(c)
    }

    /// Register one traveller. Answered after the batch holding it is durable; a resend of the
    /// same id answers `created: false` with nothing written twice.
    pub async fn register(&self, ctx: &Ctx, input: &RegistrationInput) -> AppResult<Registered> {
        ctx.scope(perm::SCREENING_WRITE)?;
        let cp = self.entry_checkpoint(ctx, &input.checkpoint_id).await?;
        let rule = self.fever_rule().await?;
        let now = bastion_core::time::now_ms();
        let mut e = Vec::new();
        let id = match non_empty(&input.id) {
            None => uuid::Uuid::now_v7().to_string(),
            Some(s) => uuid_like("记录编号", s).map_err(|x| e.push(x)).unwrap_or_default(),
        };
        let captured_at = match non_empty(&input.captured_at).map(str::parse::<i64>) {
            None => now,
            Some(Ok(t)) if t > now - 30 * 86_400_000 && t < now + 300_000 => t,
            _ => {
                e.push(FieldError::new("采集时间", "采集时间无效（应为最近 30 天内的毫秒时间戳）"));
                now
            }
        };
        // A pass brings the traveller's part filled in by the traveller.
        let (pass, traveller_input, mode) = match non_empty(&input.pass_code) {
            Some(raw) => {
                let code = pass_code(raw).map_err(AppError::invalid)?;
                let (view, payload) = self.usable_pass(ctx, &code, Some(cp.id)).await?;
                let json = self.store.crypto.decrypt(&payload)?;
                let t: TravellerInput = serde_json::from_str(&json)
                    .map_err(|e| AppError::Internal(anyhow::anyhow!("pass payload: {e}")))?;
                (Some(view.code), t, EntryMode::SelfScan)
            }
            None => {
                let mode = match non_empty(&input.mode) {
                    Some(m) => match EntryMode::parse(m) {
                        Ok(EntryMode::SelfScan) => {
                            e.push(FieldError::new("登记方式", "扫码自助登记须提供通行码"));
                            None
                        }
                        Ok(m) => Some(m),
                        Err(x) => {
                            e.push(x);
                            None
                        }
                    },
                    None => Some(EntryMode::Officer),
                };
                (None, input.traveller.clone(), mode.unwrap_or(EntryMode::Officer))
            }
        };
        let traveller = traveller_input.parse(false, &mut e);
        let driver_id = match non_empty(&input.driver_id) {
            None => None,
            Some(d) => uuid_like("同车驾驶员记录", d).map_err(|x| e.push(x)).ok(),
        };
        let temp = Temperature::parse("体温", &input.temp).map_err(|x| e.push(x)).ok();
        let temp2 = match non_empty(&input.temp2) {
            None => Some(None),
            Some(t) => Temperature::parse("复测体温", t).map(Some).map_err(|x| e.push(x)).ok(),
        };
        let method = match non_empty(&input.method) {
            None => Some(TempMethod::Forehead),
            Some(m) => TempMethod::parse(m).map_err(|x| e.push(x)).ok(),
        };
        let decision = Decision::parse(&input.decision).map_err(|x| e.push(x)).ok();
        let mut fever = false;
        let mut clinic = String::new();
        if let (Some(t), Some(t2)) = (temp, temp2) {
            if rule.is_fever(t) && t2.is_none() {
                e.push(FieldError::new(
                    "复测体温",
                    format!("首次体温 {t} ℃ 达到发热标准（{} ℃），请休息片刻后复测并填写复测体温", rule.label()),
                ));
            }
            fever = rule.is_fever(t2.unwrap_or(t));
            if fever {
                if decision.is_some_and(|d| d != Decision::Transfer) {
                    e.push(FieldError::new("处置结果", "体温异常者处置结果须为“转运留观”"));
                }
                clinic = non_empty(&input.clinic).unwrap_or(cp.fever_clinic.as_str()).trim().to_string();
                if clinic.is_empty() {
                    e.push(FieldError::new("发热门诊", "体温异常须填写转诊的发热门诊"));
                } else if clinic.chars().count() > 60 {
                    e.push(FieldError::new("发热门诊", "发热门诊名称最多 60 字"));
                }
            }
        }
        if !e.is_empty() {
            return Err(AppError::Invalid(e));
        }
        let (Some(t), Some(temp), Some(temp2), Some(method), Some(decision)) =
            (traveller, temp, temp2, method, decision)
        else {
            return Err(AppError::Invalid(vec![FieldError::new("输入", "输入有误")]));
        };
        let item = NewScreening {
            id,
            checkpoint_id: cp.id,
            mode,
            captured_at,
            name: t.name,
            doc_type: t.doc_type,
            doc_number: t.doc_number,
            sex: t.sex,
            birth_year: t.birth_year,
            phone: t.phone,
            plate: t.plate,
            vehicle_type: t.vehicle_type,
            driver_id,
            origin: t.origin,
            destination: t.destination,
            reason: t.reason,
            travel_flag: t.travel_flag,
            health_code: t.health_code,
            temp,
            temp2,
            method,
            fever,
            decision,
            officer_id: ctx.account_id.0,
            officer: ctx.username.clone(),
            clinic,
            pass_code: pass,
            audit_unit: ctx.unit_name.clone(),
            audit_ip: ctx.ip.clone(),
            request_id: ctx.request_id.clone(),
        };
        // Encrypted and indexed here, on the request's own thread: the one writer only binds and sends.
        let sealed = self.store.seal_screening(item)?;
        Ok(self.writer().submit(sealed).await?)
    }

    async fn live_pass(&self, code: &str) -> AppResult<(PassView, Vec<u8>)> {
        let (view, payload) = self.store.pass(code).await.map_err(|e| match e {
            StoreError::NotFound => AppError::NotFound("通行码不存在，请核对或请旅客重新扫码登记".into()),
            other => other.into(),
        })?;
        if view.used_at.is_some() {
            return Err(AppError::Conflict("该通行码已核验使用".into()));
        }
        if view.expires_at < bastion_core::time::now_ms() {
            return Err(AppError::Conflict("该通行码已过期，请旅客重新扫码登记".into()));
        }
        Ok((view, payload))
    }

    /// A pass for `ctx`, decided here for the lookup and the registration alike: a pass is usable
    /// only at the checkpoint it was issued for, by an officer who may register there. To anyone
    /// else it answers as an unknown code (its holder's data stays with that checkpoint's officers);
    /// at another checkpoint of the same officer it says where it belongs.
    async fn usable_pass(&self, ctx: &Ctx, code: &str, at: Option<CheckpointId>) -> AppResult<(PassView, Vec<u8>)> {
        let (view, payload) = self.live_pass(code).await?;
        if self.entry_checkpoint(ctx, &view.checkpoint_id.0.to_string()).await.is_err() {
            return Err(AppError::NotFound("通行码不存在，请核对或请旅客重新扫码登记".into()));
        }
        if at.is_some_and(|c| c != view.checkpoint_id) {
            return Err(AppError::invalid(FieldError::new(
                "通行码",
                "该通行码是为另一卡点签发的，只能在签发它的卡点核验使用",
            )));
        }
        Ok((view, payload))
    }

    /// What a pass holds (masked), for the officer who scanned it.
    pub async fn pass(&self, ctx: &Ctx, raw: &str) -> AppResult<PassView> {
        ctx.scope(perm::SCREENING_WRITE)?;
        let code = pass_code(raw).map_err(AppError::invalid)?;
        Ok(self.usable_pass(ctx, &code, None).await?.0)
    }

    /// Public self-registration (no account): rate-limited per address; gives a pass code, never
    /// a finished record — an officer takes the temperature and decides.
    pub async fn self_register(&self, public_code: &str, input: &TravellerInput, ip: &str) -> AppResult<IssuedPass> {
        self.public_rate_limit(ip)?;
        let cp = self
            .store
            .checkpoint_by_public_code(public_code)
            .await
            .map_err(|_| AppError::NotFound("卡点不存在或二维码已失效".into()))?;
        if cp.status != CheckpointStatus::Open {
            return Err(AppError::Conflict(format!("{}当前未开放自助登记", cp.name)));
        }
        let mut e = Vec::new();
        let t = input.parse(true, &mut e);
        let Some(t) = t.filter(|_| e.is_empty()) else { return Err(AppError::Invalid(e)) };
        // Store the normalised input, encrypted; the summary is masked.
        let normalised = TravellerInput {
            name: t.name.clone(),
            doc_type: t.doc_type.code().into(),
            doc_number: t.doc_number.clone(),
            phone: t.phone.as_ref().map(|p| p.as_str().to_string()).unwrap_or_default(),
            plate: t.plate.as_ref().map(|p| p.text.clone()).unwrap_or_default(),
            vehicle_type: t.vehicle_type.code().into(),
            passengers: String::new(),
            origin: t.origin.clone(),
            destination: t.destination.clone(),
            reason: t.reason.code().into(),
            travel_flag: if t.travel_flag { "1" } else { "0" }.into(),
            health_code: t.health_code.code().into(),
        };
        let json = serde_json::to_string(&normalised).map_err(|e| AppError::Internal(e.into()))?;
        let payload = self.store.crypto.encrypt(&json)?;
        let summary = TravellerInput::summary(&t);
        let now = bastion_core::time::now_ms();
        let expires_at = now + PASS_TTL_MS;
        for _ in 0..5 {
            let code = format!("{:08}", rand::thread_rng().gen_range(0..100_000_000u32));
            let mut tx = self.store.begin().await?;
            self.store.delete_expired_passes(&mut tx, now).await?;
            match self.store.insert_pass(&mut tx, &code, cp.id, &payload, &summary, expires_at).await {
                Ok(()) => {}
                Err(StoreError::Duplicate { .. }) => continue,
                Err(e) => return Err(e.into()),
            }
            self.store
                .append_audit(
                    &mut tx,
                    &bastion_store::audit::AuditEntry {
                        account: "public".into(),
                        unit: String::new(),
                        ip: ip.into(),
                        module: "checkpoint".into(),
                        action: "扫码自助登记".into(),
                        target: format!("pass checkpoint:{}", cp.id.0),
                        result: "成功".into(),
                        detail: "待核验".into(),
                        request_id: String::new(),
                    },
                )
                .await?;
            bastion_store::commit(tx).await?;
            return Ok(IssuedPass { code, expires_at, checkpoint: cp.name });
        }
        Err(AppError::Conflict("通行码生成冲突，请重试".into()))
    }

    fn public_rate_limit(&self, ip: &str) -> AppResult<()> {
        let Ok(mut hits) = self.rt().public_hits.lock() else { return Ok(()) };
        let now = Instant::now();
        if hits.len() > 10_000 {
            hits.retain(|_, (t, _)| now.duration_since(*t) < PUBLIC_WINDOW);
        }
        let e = hits.entry(ip.to_string()).or_insert((now, 0));
        if now.duration_since(e.0) >= PUBLIC_WINDOW {
            *e = (now, 0);
        }
        e.1 += 1;
        if e.1 > PUBLIC_LIMIT {
            return Err(AppError::Locked(format!(
                "提交过于频繁：同一网络地址每分钟最多登记 {PUBLIC_LIMIT} 次，请稍后再试"
            )));
        }
        Ok(())
    }

    /// The public page's view of a checkpoint (name and kind only).
    pub async fn public_checkpoint(&self, public_code: &str) -> AppResult<Checkpoint> {
        self.store
            .checkpoint_by_public_code(public_code)
            .await
            .map_err(|_| AppError::NotFound("卡点不存在或二维码已失效".into()))
    }

    fn visible_ids(&self, scope: &RowScope, all: &[Checkpoint]) -> Option<Vec<CheckpointId>> {
        match scope {
            RowScope::All => None,
            s => Some(all.iter().filter(|c| in_scope(s, &c.unit_path, None)).map(|c| c.id).collect()),
        }
    }

    /// The newest passes, masked (one checkpoint or all the caller may see).
    pub async fn screenings(
        &self,
        ctx: &Ctx,
        checkpoint: Option<CheckpointId>,
        limit: i64,
    ) -> AppResult<Vec<Screening>> {
        let scope = ctx.scope(perm::SCREENING_READ)?;
        let all = self.all_checkpoints().await?;
        let mut ids = self.visible_ids(&scope, &all);
        if let Some(c) = checkpoint {
            if ids.as_ref().is_some_and(|v| !v.contains(&c)) {
                return Err(AppError::forbidden_data());
            }
            ids = Some(vec![c]);
        }
        Ok(self.store.recent_screenings(ids.as_deref(), limit).await?)
    }

    /// Every pass of one person, by document or phone number: its own permission, a reason, audited.
    pub async fn trace(&self, ctx: &Ctx, input: &TraceInput) -> AppResult<Vec<Screening>> {
        ctx.scope(perm::SCREENING_TRACE)?;
        let mut e = Vec::new();
        let reason = text("查询事由", &input.reason, 2, 100).map_err(|x| e.push(x)).ok();
        let doc_type = match non_empty(&input.doc_type) {
            None => Some(DocType::IdCard),
            Some(d) => DocType::parse(d).map_err(|x| e.push(x)).ok(),
        };
        let (doc, phone) = match (non_empty(&input.doc_number), non_empty(&input.phone)) {
            (Some(n), _) => {
                let number = doc_type
                    .and_then(|d| document_number(d, n, bastion_core::time::today()).map_err(|x| e.push(x)).ok());
                (doc_type.zip(number), None)
            }
            (None, Some(p)) => (None, Phone::parse(p).map_err(|x| e.push(x)).ok()),
            (None, None) => {
                e.push(FieldError::new("证件号码", "请填写证件号码或手机号"));
                (None, None)
            }
        };
        if !e.is_empty() {
            return Err(AppError::Invalid(e));
        }
        let kind = doc.as_ref().map(|(d, _)| bastion_core::checkpoint::document_index_kind(*d));
        let rows = self.store.trace(kind.as_deref().zip(doc.as_ref().map(|(_, n)| n.as_str())), phone.as_ref()).await?;
        let by = if doc.is_some() { "证件号码" } else { "手机号" };
        let mut tx = self.store.begin().await?;
        self.audit(
            &mut tx,
            ctx,
            "checkpoint",
            "轨迹追溯查询",
            &format!("按{by}"),
            &format!("事由：{}；命中 {} 条", reason.unwrap_or_default(), rows.len()),
        )
        .await?;
        bastion_store::commit(tx).await?;
        Ok(rows)
    }
}

fn random_code(n: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::thread_rng();
    (0..n).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect()
}

/// Demo data: four checkpoints, a day's screening and one open fever case.
pub async fn seed_demo(app: &App, tx: &mut bastion_store::Tx, units: &HashMap<&str, UnitId>) -> AppResult<()> {
    let u = |code: &str| units.get(code).copied().unwrap_or(UnitId(1));
    let defs: [(&str, CheckpointKind, &str, &str, &str, &str); 4] = [
        (
            "G319 青岚东入境卡点",
            CheckpointKind::Entry,
            "G319 国道青岚东收费站",
            "D07-1",
            "交警、巡特警",
            "县人民医院发热门诊",
        ),
        ("S12 北坪入境卡点", CheckpointKind::Entry, "S12 省道北坪界", "D07-1", "交警、派出所", "县中医院发热门诊"),
        ("青岚高铁站出站口", CheckpointKind::Station, "青岚站出站通道", "S08", "派出所、治安", "县人民医院发热门诊"),
        ("城关幸福里社区", CheckpointKind::Community, "城关镇幸福里小区南门", "S01", "派出所", "城关卫生院发热哨点"),
    ];
    let mut ids = Vec::new();
    for (i, (name, kind, loc, unit, types, clinic)) in defs.iter().enumerate() {
        let c = NewCheckpoint {
            name: name.to_string(),
            kind: *kind,
            location: loc.to_string(),
            hours: "24小时".into(),
            police_types: bastion_core::org::police_types(types).unwrap_or_default(),
            unit_id: u(unit),
            status: CheckpointStatus::Open,
            leader: ["赵立新", "钱思远", "孙明杰", "李文静"][i].into(),
            fever_clinic: clinic.to_string(),
        };
        ids.push(app.store.insert_checkpoint(tx, &c, &format!("demo{i}{}", random_code(6))).await?);
    }
    // Deterministic screening records (invented people with valid-looking numbers).
    let names = ["王建国", "李秀英", "张伟", "刘洋", "陈静", "杨帆", "黄磊", "赵敏", "吴昊", "周婷", "徐强", "孙丽"];
    let origins = ["武汉市", "南昌市", "长沙市", "本县城关镇", "合肥市", "九江市"];
    let mut items = Vec::new();
    for n in 0..36usize {
        let birth = format!("{}{:02}{:02}", 1960 + (n * 7) % 40, 1 + n % 12, 1 + (n * 3) % 28);
        let body = format!("360430{birth}{:03}", 100 + n);
        let doc = format!("{body}{}", bastion_core::id_number::check_char(body.as_bytes()));
        let fever = n == 5;
        let plate = (n % 3 != 0).then(|| Plate { text: format!("赣G{:05}", 10_000 + n * 37), warning: None });
        items.push(NewScreening {
            id: uuid::Uuid::now_v7().to_string(),
            checkpoint_id: ids[n % ids.len()],
            mode: if n % 4 == 0 { EntryMode::SelfScan } else { EntryMode::Officer },
            captured_at: bastion_core::time::now_ms(),
            name: names[n % names.len()].into(),
            doc_type: DocType::IdCard,
            doc_number: doc,
            sex: None,
            birth_year: None,
            phone: Phone::parse(&format!("139{:08}", 7_000_000 + n * 131)).ok(),
            vehicle_type: if plate.is_some() { VehicleType::Car } else { VehicleType::Walk },
            plate,
            driver_id: None,
            origin: origins[n % origins.len()].into(),
            destination: "青岚县城关镇".into(),
            reason: [Reason::ReturnHome, Reason::Work, Reason::Supplies, Reason::Official][n % 4],
            travel_flag: n % 6 == 0,
            health_code: HealthCode::None,
            temp: Temperature::clamped(if fever { 381 } else { 360 + (n as i64 % 9) }),
            temp2: fever.then(|| Temperature::clamped(379)),
            method: TempMethod::Forehead,
            fever,
            decision: if fever { Decision::Transfer } else { Decision::Pass },
            officer_id: 0,
            officer: "checkpoint".into(),
            clinic: defs[n % defs.len()].5.into(),
            pass_code: None,
            audit_unit: "演示数据".into(),
            audit_ip: "local".into(),
            request_id: String::new(),
        });
    }
    let sealed = items.into_iter().map(|s| app.store.seal_screening(s)).collect::<Result<Vec<_>, _>>()?;
    app.store.insert_screenings(tx, &sealed).await?;
    Ok(())
}
