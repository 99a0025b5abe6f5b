//! Inspections (督导检查): an inspector opens a post's checklist on a phone, pre-filled with what
//! Bastion knows of the post now (who is rostered and signed in, who has no kit issued for the
//! shift, the checkpoint's screenings and open fever cases); a "not OK" item or an accepted mismatch becomes a finding with a deadline;
//! the unit records its rectification, the inspector closes it (销号) or sends it back; the deadline
//! clock reminds and escalates through the delivery queue; plans draw unannounced night routes;
//! circulars are drafted from a period's findings and published by a second commander.

mod circular;
mod dashboard;
pub(crate) use dashboard::{DASHBOARD, REPORT};
mod input;

use bastion_core::inspection::{self, DeadlineStep, FindingStatus, ItemResult, PhotoSource, Severity};
use bastion_core::permission::perm;
use bastion_core::FieldError;
use bastion_store::duty::{Post, PostId};
/// The read models and ids the web layer shows.
pub use bastion_store::inspection::{
    Action, Circular, CircularId, Finding, FindingId, Inspection, InspectionId, PhotoId, Plan, PlanId, Template,
    UnitStat,
};
use bastion_store::inspection::{FindingFilter, NewFinding, NewInspection, NewPlan};
use serde::Serialize;

pub use circular::CircularInput;
pub use input::{FindingStepInput, InspectionInput, ItemInput, PlanInput, TemplateInput};

use crate::notify::Sender;
use crate::{in_scope, App, AppError, AppResult, Ctx};

/// Inspection messages are group messages (no personal data): reminders and escalations.
pub(crate) const NOTIFY_SENDER: Sender =
    Sender { feature: "inspection", name: "督导检查", personal_text: None, after_attempt: None };

/// What the inspector sees on opening a post: the checklist and what Bastion knows of the post.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct OnSite {
    pub post: Post,
    pub template: Template,
    /// People rostered on the post now: (name, police number, shift, signed in).
    pub rostered: Vec<(String, String, String, bool)>,
    /// Screenings at the post's checkpoint today and fevers among them (None: not a checkpoint).
    pub screenings_today: Option<(i64, i64)>,
    /// Open fever cases at the post's checkpoint.
    pub open_fever_cases: Option<i64>,
    /// What does not match, each offered as a finding with one tap.
    pub mismatches: Vec<String>,
    /// The plan this visit belongs to, when the inspector has one open for the post.
    pub plan: Option<PlanId>,
}

/// What a submission did.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Submitted {
    pub id: InspectionId,
    /// False when the same inspection had already arrived (an offline queue sending it again).
    pub stored: bool,
    pub findings: i64,
}

/// The findings page: one page of findings and the total.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct FindingPage {
    pub items: Vec<Finding>,
    pub total: i64,
}

pub(crate) fn day_start_ms(day: jiff::civil::Date) -> i64 {
    day.to_zoned(bastion_core::time::beijing()).map(|z| z.timestamp().as_millisecond()).unwrap_or_default()
}

impl App {
    /// Every checklist version, newest first within a kind.
    pub async fn inspection_templates(&self, ctx: &Ctx) -> AppResult<Vec<Template>> {
        ctx.scope(perm::INSPECTION_READ)?;
        Ok(self.store.inspection_templates().await?)
    }

    /// A new version of a kind's checklist; inspections already made keep the version they used.
    pub async fn add_inspection_template(&self, ctx: &Ctx, v: &TemplateInput) -> AppResult<Template> {
        ctx.scope(perm::INSPECTION_PLAN)?;
        let (kind, items) = v.parse().map_err(AppError::Invalid)?;
        let mut tx = self.store.begin().await?;
        let t = self.store.insert_template(&mut tx, kind, &items, &ctx.username).await?;
        let target = format!("inspection_template:{} {} v{}", t.id.0, kind.zh(), t.version);
        self.audit(&mut tx, ctx, "inspection", "新增检查表版本", &target, &format!("{} 项", items.len())).await?;
        bastion_store::commit(tx).await?;
        Ok(t)
    }

    /// The posts an inspector may inspect (every enabled post for the bureau's inspectors).
    pub async fn inspectable_posts(&self, ctx: &Ctx) -> AppResult<Vec<Post>> {
        let scope = ctx.scope(perm::INSPECTION_WRITE)?;
        Ok(self.store.duty_posts().await?.into_iter().filter(|p| in_scope(&scope, &p.unit_path, None)).collect())
    }

    /// Open a post's inspection: the newest checklist for its kind and the post's live facts.
    pub async fn on_site(&self, ctx: &Ctx, post: PostId, now: i64) -> AppResult<OnSite> {
        let scope = ctx.scope(perm::INSPECTION_WRITE)?;
        let post = self.store.duty_post(post).await.map_err(|_| AppError::NotFound("岗位不存在".into()))?;
        if !in_scope(&scope, &post.unit_path, None) {
            return Err(AppError::forbidden_data());
        }
        let template =
            self.store.inspection_templates().await?.into_iter().find(|t| t.kind == post.kind).ok_or_else(|| {
                AppError::NotFound(format!("“{}”类岗位还没有检查表，请先在检查表中添加", post.kind.zh()))
            })?;
        // Who is rostered now: today's shifts and last night's that run past midnight.
        let today = bastion_core::time::today();
        let mut rostered = Vec::new();
        let mut mismatches = Vec::new();
        let kit = self.kit_is_issued_per_shift().await?;
        for day in [today.yesterday().unwrap_or(today), today] {
            for a in self.store.post_assignments(post.id, &day.to_string()).await? {
                if a.starts_at <= now && now < a.ends_at {
                    let present = a.present();
                    if !present {
                        mismatches.push(format!("{} {}（{}）排班在岗但未签到", a.shift, a.person_name, a.police_no));
                    }
                    if kit && !self.store.kit_issued(a.person_id, &a.day, &a.shift).await? {
                        mismatches.push(format!("{} {}（{}）本班未签领防护装备", a.shift, a.person_name, a.police_no));
                    }
                    rostered.push((a.person_name, a.police_no, a.shift, present));
                }
            }
        }
        let required: i64 = post
            .shifts
            .iter()
            .filter(|s| {
                let (a, b) = s.span(today);
                let (ya, yb) = s.span(today.yesterday().unwrap_or(today));
                (a <= now && now < b) || (ya <= now && now < yb)
            })
            .map(|s| s.required)
            .sum();
        if (rostered.len() as i64) < required {
            mismatches.push(format!("当前班次应到 {required} 人，排班只有 {} 人", rostered.len()));
        }
        let (mut screenings_today, mut open_fever_cases) = (None, None);
        if let Some(cp) = post.checkpoint_id {
            let live = self.store.live_counts().await?;
            let c = live.iter().find(|c| c.checkpoint_id == cp);
            screenings_today = Some(c.map(|c| (c.today, c.today_fevers)).unwrap_or((0, 0)));
            let ids = [bastion_store::checkpoint::CheckpointId(cp)];
            open_fever_cases = Some(self.store.fever_cases(Some(&ids), true).await?.len() as i64);
        }
        let plan = self
            .store
            .inspection_plans(50)
            .await?
            .into_iter()
            .find(|p| p.status == "planned" && p.inspectors.contains(&ctx.username) && p.route.contains(&post.id))
            .map(|p| p.id);
        Ok(OnSite { post, template, rostered, screenings_today, open_fever_cases, mismatches, plan })
    }

    /// Store an inspection: its item results, a finding for each "not OK" item and each accepted
    /// mismatch, all in one transaction and once per client key (a replay stores nothing).
    pub async fn submit_inspection(&self, ctx: &Ctx, v: &InspectionInput) -> AppResult<Submitted> {
        let scope = ctx.scope(perm::INSPECTION_WRITE)?;
        let now = bastion_core::time::now_ms();
        let parsed = v.parse(now).map_err(AppError::Invalid)?;
        let post = self
            .store
            .duty_post(parsed.post)
            .await
            .map_err(|_| AppError::invalid(FieldError::new("岗位", format!("岗位 {} 不存在", parsed.post.0))))?;
        if !in_scope(&scope, &post.unit_path, None) {
            return Err(AppError::forbidden_data());
        }
        let templates = self.store.inspection_templates().await?;
        let template = templates
            .iter()
            .find(|t| t.id.0 == parsed.template && t.kind == post.kind)
            .ok_or_else(|| AppError::invalid(FieldError::new("检查表", "检查表与岗位类型不符或不存在")))?;
        if parsed.items.len() != template.items.len() {
            return Err(AppError::invalid(FieldError::new(
                "检查项目",
                format!(
                    "检查表第 {} 版有 {} 项，提交了 {} 项",
                    template.version,
                    template.items.len(),
                    parsed.items.len()
                ),
            )));
        }
        if let Some(f) = parsed.follows {
            let original = self
                .store
                .finding(f)
                .await
                .map_err(|_| AppError::invalid(FieldError::new("复查问题", format!("问题 {} 不存在", f.0))))?;
            if original.post_id != post.id {
                return Err(AppError::invalid(FieldError::new("复查问题", "复查须在原问题所在岗位进行")));
            }
        }
        let mut findings = Vec::new();
        for (idx, (text, item)) in template.items.iter().zip(&parsed.items).enumerate() {
            if item.result == ItemResult::NotOk {
                let severity = item.severity.unwrap_or(Severity::Minor);
                let what = if item.note.is_empty() { text.clone() } else { format!("{text}：{}", item.note) };
                findings.push(NewFinding {
                    item_idx: Some(idx as i64),
                    text: what,
                    severity,
                    person_id: None,
                    deadline_at: item.deadline.unwrap_or_else(|| inspection::default_deadline_ms(severity, now)),
                });
            }
        }
        for m in &parsed.mismatches {
            findings.push(NewFinding {
                item_idx: None,
                text: m.clone(),
                severity: Severity::Major,
                person_id: None,
                deadline_at: inspection::default_deadline_ms(Severity::Major, now),
            });
        }
        let n = NewInspection {
            client_key: parsed.client_key.clone(),
            plan_id: parsed.plan,
            post_id: post.id,
            unit_id: post.unit_id,
            template_id: template.id,
            follows_finding: parsed.follows,
            inspector: ctx.username.clone(),
            inspector_name: ctx.display_name.clone(),
            note: parsed.note.clone(),
            location: parsed.location.clone(),
            started_at: parsed.started_at,
            received_at: now,
            items: template
                .items
                .iter()
                .zip(&parsed.items)
                .map(|(t, i)| (t.clone(), i.result, i.note.clone()))
                .collect(),
            findings,
        };
        let mut tx = self.store.begin().await?;
        let (id, stored) = self.store.insert_inspection(&mut tx, &n).await?;
        if !stored {
            drop(tx);
            let findings = self.store.findings_of(id).await?.len() as i64;
            return Ok(Submitted { id, stored, findings });
        }
        if let Some(plan) = parsed.plan {
            self.store.finish_plan_if_done(&mut tx, plan).await?;
        }
        let bad = n.items.iter().filter(|i| i.1 == ItemResult::NotOk).count();
        let detail = format!(
            "检查表第 {} 版 · {} 项不合格 · {} 个问题{}",
            template.version,
            bad,
            n.findings.len(),
            parsed.follows.map(|f| format!(" · 复查问题 {}", f.0)).unwrap_or_default()
        );
        self.audit(&mut tx, ctx, "inspection", "督导检查", &format!("inspection:{} {}", id.0, post.name), &detail)
            .await?;
        bastion_store::commit(tx).await?;
        Ok(Submitted { id, stored, findings: n.findings.len() as i64 })
    }

    /// A photo of an inspection (`inspection`) or of a rectification step: checked by content,
    /// re-encoded; its hash, source and the server's receive time go into the audit chain. The
    /// same picture sent twice for one record is stored once.
    pub async fn add_inspection_photo(
        &self,
        ctx: &Ctx,
        inspection: InspectionId,
        bytes: Vec<u8>,
        source: &str,
    ) -> AppResult<PhotoId> {
        let scope = ctx.scope(perm::INSPECTION_WRITE)?;
        let i = self.store.inspection(inspection).await.map_err(|_| AppError::NotFound("检查记录不存在".into()))?;
        if i.inspector != ctx.username || !in_scope(&scope, &i.unit_path, None) {
            return Err(AppError::Forbidden("只有检查人本人可以为该次检查补传照片".into()));
        }
        let source = PhotoSource::parse(source).unwrap_or(PhotoSource::Unknown);
        let (sha, img) = self.checked_photo(bytes).await?;
        if let Some(p) = i.photos.iter().find(|p| p.sha256 == sha) {
            return Ok(p.id);
        }
        let mut tx = self.store.begin().await?;
        let id = self
            .store
            .insert_inspection_photo(
                &mut tx,
                Some(inspection),
                None,
                &sha,
                source,
                (img.width, img.height),
                &img.data,
                &ctx.username,
            )
            .await?;
        let detail = format!(
            "SHA-256 {sha} · {} · 服务器接收 {}",
            source.zh(),
            bastion_core::time::fmt_ms(bastion_core::time::now_ms())
        );
        self.audit(
            &mut tx,
            ctx,
            "inspection",
            "检查照片",
            &format!("inspection:{} photo:{}", inspection.0, id.0),
            &detail,
        )
        .await?;
        bastion_store::commit(tx).await?;
        Ok(id)
    }

    /// The original upload's hash and the checked, re-encoded picture.
    async fn checked_photo(&self, bytes: Vec<u8>) -> AppResult<(String, bastion_store::publicity::NewImage)> {
        use sha2::{Digest, Sha256};
        let sha = hex::encode(Sha256::digest(&bytes));
        let img = tokio::task::spawn_blocking(move || crate::publicity::media::process(&bytes, "photo"))
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!("image task: {e}")))?
            .map_err(|mut e| {
                e.field = "照片".into();
                e.message = e.message.replace("图片", "照片");
                AppError::invalid(e)
            })?;
        Ok((sha, img))
    }

    /// A photo's JPEG bytes, for viewers who may see the inspection or finding it belongs to.
    pub async fn inspection_photo(&self, ctx: &Ctx, id: PhotoId) -> AppResult<Vec<u8>> {
        let scope = ctx.scope(perm::INSPECTION_READ)?;
        let (bytes, path, inspector) =
            self.store.inspection_photo(id).await.map_err(|_| AppError::NotFound("照片不存在".into()))?;
        if !in_scope(&scope, &path, None) && inspector != ctx.username {
            return Err(AppError::NotFound("照片不存在".into()));
        }
        Ok(bytes)
    }

    /// One inspection with its findings, if the viewer's scope covers its post (or they made it).
    pub async fn inspection(&self, ctx: &Ctx, id: InspectionId) -> AppResult<(Inspection, Vec<Finding>)> {
        let scope = ctx.scope(perm::INSPECTION_READ)?;
        let i = self.store.inspection(id).await.map_err(|_| AppError::NotFound("检查记录不存在".into()))?;
        if !in_scope(&scope, &i.unit_path, None) && i.inspector != ctx.username {
            return Err(AppError::NotFound("检查记录不存在".into()));
        }
        let findings = self.store.findings_of(id).await?;
        Ok((i, findings))
    }

    /// The newest inspections the viewer may see.
    pub async fn recent_inspections(&self, ctx: &Ctx) -> AppResult<Vec<Inspection>> {
        let scope = ctx.scope(perm::INSPECTION_READ)?;
        let units = self.visible_units(&scope).await?;
        Ok(self.store.recent_inspections(units.as_deref(), None, 30).await?)
    }

    /// Findings within the viewer's scope: a unit sees its own, the commander all.
    pub async fn findings(
        &self,
        ctx: &Ctx,
        status: Option<FindingStatus>,
        overdue: bool,
        page: i64,
        size: i64,
    ) -> AppResult<FindingPage> {
        let scope = ctx.scope(perm::INSPECTION_READ)?;
        let units = self.visible_units(&scope).await?;
        let now = bastion_core::time::now_ms();
        let f = FindingFilter {
            units,
            raised_by: None,
            status: if overdue { None } else { status },
            overdue_at: overdue.then_some(now),
            unit_id: None,
        };
        let size = size.clamp(1, 100);
        let (items, total) = self.store.findings(&f, size, (page.max(1) - 1) * size).await?;
        Ok(FindingPage { items, total })
    }

    /// One finding with its trail and the inspections that re-inspected it.
    pub async fn finding(&self, ctx: &Ctx, id: FindingId) -> AppResult<(Finding, Vec<Action>, Vec<Inspection>)> {
        let f = self.finding_in_scope(ctx, id).await?;
        let actions = self.store.finding_actions(id).await?;
        let follow_ups = self
            .store
            .recent_inspections(Some(&[f.unit_id.0]), None, 200)
            .await?
            .into_iter()
            .filter(|i| i.follows_finding == Some(id))
            .collect();
        Ok((f, actions, follow_ups))
    }

    async fn finding_in_scope(&self, ctx: &Ctx, id: FindingId) -> AppResult<Finding> {
        let scope = ctx.scope(perm::INSPECTION_READ)?;
        let f = self.store.finding(id).await.map_err(|_| AppError::NotFound("问题不存在".into()))?;
        if !in_scope(&scope, &f.unit_path, None) && f.inspector != ctx.username {
            return Err(AppError::NotFound("问题不存在".into()));
        }
        Ok(f)
    }

    /// The unit records what it did (text, and optionally a photo); the finding waits for the
    /// inspector's re-inspection.
    pub async fn rectify_finding(
        &self,
        ctx: &Ctx,
        id: FindingId,
        v: &FindingStepInput,
        photo: Option<(Vec<u8>, String)>,
    ) -> AppResult<()> {
        let scope = ctx.scope(perm::INSPECTION_RECTIFY)?;
        let f = self.store.finding(id).await.map_err(|_| AppError::NotFound("问题不存在".into()))?;
        if !in_scope(&scope, &f.unit_path, None) {
            return Err(AppError::forbidden_data());
        }
        let body = v.parse_text("整改情况", 4).map_err(AppError::invalid)?;
        let photo = match photo {
            Some((bytes, source)) => Some((self.checked_photo(bytes).await?, source)),
            None => None,
        };
        let mut tx = self.store.begin().await?;
        let action = self
            .store
            .finding_step(
                &mut tx,
                id,
                FindingStatus::Open,
                FindingStatus::Rectified,
                "rectify",
                &body,
                &ctx.username,
                &ctx.display_name,
            )
            .await?;
        let mut detail = String::new();
        if let Some(((sha, img), source)) = photo {
            let source = PhotoSource::parse(&source).unwrap_or(PhotoSource::Unknown);
            self.store
                .insert_inspection_photo(
                    &mut tx,
                    None,
                    Some(action),
                    &sha,
                    source,
                    (img.width, img.height),
                    &img.data,
                    &ctx.username,
                )
                .await?;
            detail = format!("附照片 SHA-256 {sha} · {}", source.zh());
        }
        self.audit(&mut tx, ctx, "inspection", "问题整改", &format!("finding:{} {}", id.0, f.post_name), &detail)
            .await?;
        bastion_store::commit(tx).await?;
        Ok(())
    }

    /// The inspector re-inspects: `close` (销号, only after a rectification is on record) or
    /// `return` (退回重改, with the reason).
    pub async fn review_finding(&self, ctx: &Ctx, id: FindingId, close: bool, v: &FindingStepInput) -> AppResult<()> {
        let scope = ctx.scope(perm::INSPECTION_WRITE)?;
        let f = self.store.finding(id).await.map_err(|_| AppError::NotFound("问题不存在".into()))?;
        if !in_scope(&scope, &f.unit_path, None) {
            return Err(AppError::forbidden_data());
        }
        if f.status == FindingStatus::Open {
            return Err(AppError::Conflict("该问题还没有整改记录：单位填报整改情况后才能复查销号或退回".into()));
        }
        if f.status == FindingStatus::Closed {
            return Err(AppError::Conflict("该问题已销号".into()));
        }
        let (kind, to, action, min) = if close {
            ("close", FindingStatus::Closed, "问题销号", 0)
        } else {
            ("return", FindingStatus::Open, "问题退回重改", 4)
        };
        let body = v.parse_text(if close { "复查意见" } else { "退回理由" }, min).map_err(AppError::invalid)?;
        let mut tx = self.store.begin().await?;
        self.store
            .finding_step(&mut tx, id, FindingStatus::Rectified, to, kind, &body, &ctx.username, &ctx.display_name)
            .await?;
        self.audit(&mut tx, ctx, "inspection", action, &format!("finding:{} {}", id.0, f.post_name), &body).await?;
        bastion_store::commit(tx).await?;
        Ok(())
    }

    /// The deadline clock at `now` (the job passes the time; tests pass theirs): reminds the unit
    /// before a finding's deadline and escalates to the unit's head and the HQ after it, each
    /// once, as group messages without names. Returns messages queued.
    pub async fn inspection_clock(&self, now: i64) -> AppResult<usize> {
        let mut sent = 0;
        for f in self.store.findings_due(now, inspection::REMIND_BEFORE_MS).await? {
            let step = inspection::deadline_step(
                f.status,
                f.deadline_at,
                f.reminded_at.is_some(),
                f.escalated_at.is_some(),
                now,
            );
            let Some(step) = step else { continue };
            let deadline = bastion_core::time::fmt_ms(f.deadline_at);
            let (escalate, text) = match step {
                DeadlineStep::Remind => (
                    false,
                    format!(
                        "【督导整改提醒】{}·{} 有 1 项{}问题将于 {deadline} 到期，请抓紧整改并在系统中填报整改情况。",
                        f.unit_name,
                        f.post_name,
                        f.severity.zh()
                    ),
                ),
                DeadlineStep::Escalate => (
                    true,
                    format!(
                        "【督导整改逾期】{}·{} 有 1 项{}问题已超过整改期限（{deadline}）仍未整改，请单位负责人督办，指挥部跟踪。",
                        f.unit_name,
                        f.post_name,
                        f.severity.zh()
                    ),
                ),
            };
            let mut tx = self.store.begin().await?;
            if self.store.mark_finding_clock(&mut tx, f.id, escalate, now).await? {
                self.notify_groups(&mut tx, bastion_store::notify::Source::new("inspection", f.id.0), &text).await?;
                bastion_store::commit(tx).await?;
                sent += 1;
            }
        }
        Ok(sent)
    }

    pub(crate) async fn inspection_clock_job(&self) -> AppResult<()> {
        self.inspection_clock(bastion_core::time::now_ms()).await.map(|_| ())
    }

    /// Plans the viewer may see: all for the planners; otherwise announced plans, and unannounced
    /// ones only for their inspectors until they are carried out.
    pub async fn inspection_plans(&self, ctx: &Ctx) -> AppResult<Vec<Plan>> {
        ctx.scope(perm::INSPECTION_READ)?;
        let planner = ctx.can(perm::INSPECTION_PLAN);
        Ok(self
            .store
            .inspection_plans(100)
            .await?
            .into_iter()
            .filter(|p| planner || !p.unannounced || p.status == "done" || p.inspectors.contains(&ctx.username))
            .collect())
    }

    /// A plan: the posts in the order given, or for an unannounced one a drawn order (never the
    /// previous draw's) and a drawn two-hour window of the coming night.
    pub async fn create_inspection_plan(&self, ctx: &Ctx, v: &PlanInput) -> AppResult<PlanId> {
        ctx.scope(perm::INSPECTION_PLAN)?;
        let p = v.parse().map_err(AppError::Invalid)?;
        let posts = self.store.duty_posts().await?;
        let mut e = Vec::new();
        for id in &p.posts {
            if !posts.iter().any(|x| x.id.0 == *id) {
                e.push(FieldError::new("检查岗位", format!("岗位 {id} 不存在")));
            }
        }
        for who in &p.inspectors {
            if self.store.account_by_username(who).await?.is_none() {
                e.push(FieldError::new("检查人", format!("账号“{who}”不存在")));
            }
        }
        if !e.is_empty() {
            return Err(AppError::Invalid(e));
        }
        let mut tx = self.store.begin().await?;
        let (route, window) = if p.unannounced {
            let previous = self.store.last_drawn_route(&mut tx).await?;
            let previous: Option<Vec<i64>> = previous.map(|r| r.iter().map(|x| x.0).collect());
            let seed = rand::random::<u64>();
            let route = inspection::draw_route(&p.posts, previous.as_deref(), seed);
            let night = day_start_ms(p.day) + 22 * 3_600_000;
            (route, inspection::draw_night_window(night, seed))
        } else {
            (p.posts.clone(), p.window)
        };
        let plan = NewPlan {
            title: p.title.clone(),
            inspectors: p.inspectors.clone(),
            unannounced: p.unannounced,
            route: route.iter().map(|x| PostId(*x)).collect(),
            window_start: window.0,
            window_end: window.1,
            created_by: ctx.username.clone(),
        };
        let id = self.store.insert_plan(&mut tx, &plan).await?;
        let kind = if p.unannounced { "暗访" } else { "明查" };
        let detail = format!("{kind} · {} 个岗位 · 检查人 {}", route.len(), p.inspectors.join("、"));
        self.audit(
            &mut tx,
            ctx,
            "inspection",
            "新增检查计划",
            &format!("inspection_plan:{} {}", id.0, p.title),
            &detail,
        )
        .await?;
        bastion_store::commit(tx).await?;
        Ok(id)
    }

    /// Per-unit statistics of a period (Beijing dates, inclusive), within the viewer's scope.
    pub async fn inspection_stats(
        &self,
        ctx: &Ctx,
        from: jiff::civil::Date,
        to: jiff::civil::Date,
    ) -> AppResult<Vec<UnitStat>> {
        let scope = ctx.scope(perm::INSPECTION_READ)?;
        let units = self.visible_units(&scope).await?;
        let end = to.tomorrow().unwrap_or(to);
        Ok(self.store.inspection_stats(day_start_ms(from), day_start_ms(end), units.as_deref()).await?)
    }
}

pub(crate) const TODO: crate::home::TodoSource =
    crate::home::TodoSource { feature: "督导检查", items: |app, ctx| Box::pin(app.inspection_todo(ctx)) };

impl App {
    async fn inspection_todo(&self, ctx: &Ctx) -> AppResult<Vec<crate::home::TodoItem>> {
        let item = |title: String, href: String, urgent: bool| crate::home::TodoItem {
            feature: "督导检查",
            title,
            href,
            urgent,
        };
        let mut out = Vec::new();
        let now = bastion_core::time::now_ms();
        if ctx.can(perm::INSPECTION_WRITE) {
            for p in self.store.inspection_plans(50).await? {
                if p.status == "planned" && p.inspectors.contains(&ctx.username) {
                    let when = bastion_core::time::fmt_ms(p.window_start);
                    out.push(item(
                        format!("检查计划《{}》：{when} 起，{} 个岗位", p.title, p.route.len()),
                        "/inspections".into(),
                        false,
                    ));
                }
            }
            let f = FindingFilter {
                raised_by: Some(ctx.username.clone()),
                status: Some(FindingStatus::Rectified),
                ..FindingFilter::default()
            };
            let (_, n) = self.store.findings(&f, 1, 0).await?;
            if n > 0 {
                out.push(item(
                    format!("{n} 项问题已整改，待您复查销号"),
                    "/inspections/findings?status=rectified".into(),
                    false,
                ));
            }
        }
        if let Ok(scope) = ctx.scope(perm::INSPECTION_RECTIFY) {
            let units = self.visible_units(&scope).await?;
            let f =
                FindingFilter { units: units.clone(), status: Some(FindingStatus::Open), ..FindingFilter::default() };
            let (_, open) = self.store.findings(&f, 1, 0).await?;
            let late = FindingFilter { units, overdue_at: Some(now), ..FindingFilter::default() };
            let (_, overdue) = self.store.findings(&late, 1, 0).await?;
            if open > 0 {
                let tail = if overdue > 0 { format!("，其中 {overdue} 项已逾期") } else { String::new() };
                out.push(item(
                    format!("{open} 项督导问题待整改{tail}"),
                    "/inspections/findings?status=open".into(),
                    overdue > 0,
                ));
            }
        }
        Ok(out)
    }
}

/// The checklists of the demo bureau, one per kind of post.
const DEMO_CHECKLISTS: &[(bastion_core::duty::PostKind, &str)] = &[
    (
        bastion_core::duty::PostKind::Checkpoint,
        "应到人员全部在岗，带班民警在位\n防护装备穿戴规范（口罩、手套、防护服）\n逐车逐人测温登记，无漏检\n发热人员按规定转运留观并登记\n登记台账与系统一致\n消毒记录按时填写\n夜间照明、警示标志完好",
    ),
    (
        bastion_core::duty::PostKind::Desk,
        "值班领导、值班员在位\n值班日志记录及时完整\n上级指令传达落实有记录\n通讯设备畅通\n交接班手续齐全",
    ),
    (bastion_core::duty::PostKind::Patrol, "巡逻人员、车辆按计划出动\n防护装备配备到位\n巡逻记录完整\n发现问题及时处置上报"),
    (bastion_core::duty::PostKind::Team, "专班人员在岗\n任务台账清楚\n防护物资充足\n工作记录完整"),
];

/// Checklists for every kind of post, and one inspection of a checkpoint post two hours ago with a
/// finding its unit has yet to put right.
pub(crate) async fn seed_demo(app: &App) -> AppResult<()> {
    let mut tx = app.store.begin().await?;
    let mut templates = Vec::new();
    for (kind, items) in DEMO_CHECKLISTS {
        let items: Vec<String> = items.lines().map(str::to_string).collect();
        templates.push(app.store.insert_template(&mut tx, *kind, &items, "demo").await?);
    }
    let posts = app.store.duty_posts().await?;
    if let (Some(post), Some(t)) = (
        posts.iter().find(|p| p.kind == bastion_core::duty::PostKind::Checkpoint),
        templates.iter().find(|t| t.kind == bastion_core::duty::PostKind::Checkpoint),
    ) {
        let at = bastion_core::time::now_ms() - 2 * 3_600_000;
        let items = t
            .items
            .iter()
            .enumerate()
            .map(|(i, text)| {
                let bad = i == 1;
                let note = if bad { "一名辅警未戴手套".to_string() } else { String::new() };
                (text.clone(), if bad { ItemResult::NotOk } else { ItemResult::Ok }, note)
            })
            .collect();
        let n = NewInspection {
            client_key: "demo-inspection-0001".into(),
            plan_id: None,
            post_id: post.id,
            unit_id: post.unit_id,
            template_id: t.id,
            follows_finding: None,
            inspector: "commander".into(),
            inspector_name: "指挥长".into(),
            note: "夜间检查，总体良好。".into(),
            location: String::new(),
            started_at: at - 15 * 60_000,
            received_at: at,
            items,
            findings: vec![NewFinding {
                item_idx: Some(1),
                text: format!("{}：一名辅警未戴手套", t.items[1]),
                severity: Severity::Major,
                person_id: None,
                deadline_at: inspection::default_deadline_ms(Severity::Major, at),
            }],
        };
        app.store.insert_inspection(&mut tx, &n).await?;
    }
    bastion_store::commit(tx).await?;
    Ok(())
}
