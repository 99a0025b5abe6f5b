//! Nobody on post unprotected (无防护不上岗): a person rostered on a shift that starts within the
//! lead time (or is running) with no kit issued for that shift. The groups are told once per
//! person (the count per post and shift, never names); the list and the to-do of those who issue
//! kit at that post show them until the kit is issued, which clears them. Kit close to its expiry
//! date is told to the groups too, once per store, item and batch.

use bastion_core::permission::perm;
use bastion_core::supplies::StoreKind;
use bastion_core::FieldError;
use bastion_store::duty::{Assignment, Post};
use serde::Serialize;

use super::{SupplyStore, NOTIFY_SOURCE};
use crate::{in_scope, App, AppError, AppResult, Ctx};

/// The setting that holds the lead time, in minutes before a shift starts.
pub const KIT_LEAD_KEY: &str = "supplies.kit_lead_minutes";
/// Told an hour before the shift unless the supplies officer sets otherwise.
pub const DEFAULT_KIT_LEAD_MINUTES: i64 = 60;
const MAX_KIT_LEAD_MINUTES: i64 = 720;
/// Kit expiring within this many days is told to the groups.
pub const EXPIRY_WARNING_DAYS: i64 = 30;

/// The people of one post's shift who have no kit issued for it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct UnprotectedShift {
    pub post_id: i64,
    pub post_name: String,
    /// The stock point whose issue desk serves this post: the one at its checkpoint, else one of
    /// its unit (none when the unit keeps no stock point).
    pub store_id: Option<i64>,
    pub day: String,
    pub shift: String,
    /// UTC epoch ms
    pub starts_at: i64,
    pub people: Vec<UnprotectedPerson>,
}

/// One person rostered without kit.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct UnprotectedPerson {
    pub person_id: i64,
    pub name: String,
    pub police_no: String,
}

/// The check as one viewer may see it: the lead time, and each shift with people without kit.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Unprotected {
    pub lead_minutes: i64,
    /// False when the bureau issues no kit per shift (no item has a standard issue): nothing is checked.
    pub checked: bool,
    pub shifts: Vec<UnprotectedShift>,
}

/// The issue desk of a duty post: the enabled stock point at its checkpoint, else one of its unit.
fn desk_of(post: &Post, stores: &[SupplyStore]) -> Option<i64> {
    let posts = stores.iter().filter(|s| s.enabled && s.kind != StoreKind::Warehouse);
    let at_checkpoint = posts.clone().find(|s| post.checkpoint_id.is_some() && s.checkpoint_id == post.checkpoint_id);
    at_checkpoint.or_else(|| posts.clone().find(|s| s.unit_id == post.unit_id)).map(|s| s.id.0)
}

fn shifts_of(assignments: Vec<Assignment>, posts: &[Post], stores: &[SupplyStore]) -> Vec<UnprotectedShift> {
    crate::duty::shift_groups(assignments)
        .into_iter()
        .map(|g| UnprotectedShift {
            post_id: g[0].post_id.0,
            post_name: g[0].post_name.clone(),
            store_id: posts.iter().find(|p| p.id == g[0].post_id).and_then(|p| desk_of(p, stores)),
            day: g[0].day.clone(),
            shift: g[0].shift.clone(),
            starts_at: g[0].starts_at,
            people: g
                .iter()
                .map(|a| UnprotectedPerson {
                    person_id: a.person_id.0,
                    name: a.person_name.clone(),
                    police_no: a.police_no.clone(),
                })
                .collect(),
        })
        .collect()
}

impl App {
    /// The lead time before a shift at which people without kit are told of (minutes).
    pub async fn supply_kit_lead_minutes(&self) -> AppResult<i64> {
        Ok(match self.store.setting(KIT_LEAD_KEY).await? {
            Some(v) => v.parse().unwrap_or(DEFAULT_KIT_LEAD_MINUTES),
            None => DEFAULT_KIT_LEAD_MINUTES,
        })
    }

    /// Set the lead time (the supplies officer; audited).
    pub async fn set_supply_kit_lead(&self, ctx: &Ctx, raw: &str) -> AppResult<i64> {
        ctx.scope(perm::SUPPLY_ITEM_WRITE)?;
        let field = "提前提醒分钟数";
        let minutes: i64 = raw.trim().parse().map_err(|_| {
            AppError::invalid(FieldError::new(field, format!("{field}须为 0 到 {MAX_KIT_LEAD_MINUTES} 之间的整数")))
        })?;
        if !(0..=MAX_KIT_LEAD_MINUTES).contains(&minutes) {
            return Err(AppError::invalid(FieldError::new(
                field,
                format!("{field}须为 0 到 {MAX_KIT_LEAD_MINUTES} 之间的整数"),
            )));
        }
        let mut tx = self.store.begin().await?;
        self.store.put_setting(&mut tx, KIT_LEAD_KEY, &minutes.to_string()).await?;
        self.audit(&mut tx, ctx, "supplies", "设置未领装备提醒时间", KIT_LEAD_KEY, &format!("开班前 {minutes} 分钟"))
            .await?;
        bastion_store::commit(tx).await?;
        Ok(minutes)
    }

    /// Kit is checked where the bureau issues it per shift (an enabled item with a standard issue).
    pub(crate) async fn kit_is_issued_per_shift(&self) -> AppResult<bool> {
        Ok(self.store.supply_items().await?.iter().any(|i| i.enabled && i.kit_per_shift > 0))
    }

    /// The shifts starting within the lead time or running, in the viewer's scope of issuing kit,
    /// with the people who have none issued for them.
    pub async fn unprotected(&self, ctx: &Ctx) -> AppResult<Unprotected> {
        let scope = ctx.scope(perm::SUPPLY_ISSUE)?;
        let lead_minutes = self.supply_kit_lead_minutes().await?;
        if !self.kit_is_issued_per_shift().await? {
            return Ok(Unprotected { lead_minutes, checked: false, shifts: Vec::new() });
        }
        let now = bastion_core::time::now_ms();
        let all = self.store.unprotected_assignments(now, now + lead_minutes * 60_000, false).await?;
        let mine = all.into_iter().filter(|a| in_scope(&scope, &a.post_unit_path, None)).collect();
        let (posts, stores) = (self.store.duty_posts().await?, self.store.supply_stores().await?);
        Ok(Unprotected { lead_minutes, checked: true, shifts: shifts_of(mine, &posts, &stores) })
    }

    /// Tell the groups, once per person, of shifts starting within the lead time (or running)
    /// whose people have no kit issued: the count per post and shift. Returns the messages queued.
    pub async fn unprotected_clock(&self, now: i64) -> AppResult<usize> {
        if !self.kit_is_issued_per_shift().await? {
            return Ok(0);
        }
        let lead = self.supply_kit_lead_minutes().await? * 60_000;
        let found = self.store.unprotected_assignments(now, now + lead, true).await?;
        let mut sent = 0;
        for g in crate::duty::shift_groups(found) {
            let ids: Vec<_> = g.iter().map(|a| a.id).collect();
            let mut tx = self.store.begin().await?;
            let n = self.store.mark_kit_alerted(&mut tx, &ids, now).await?;
            if n == 0 {
                continue;
            }
            let a = &g[0];
            let when = bastion_core::time::fmt_ms(a.starts_at);
            let text = format!(
                "【防护装备提醒】{} {} {}（{} 开班）有 {n} 人尚未签领防护装备，请岗位负责人在上岗前发放。",
                a.post_name,
                a.day,
                a.shift,
                when.get(11..16).unwrap_or_default()
            );
            self.notify_groups(&mut tx, bastion_store::notify::Source::new(NOTIFY_SOURCE, None), &text).await?;
            bastion_store::commit(tx).await?;
            sent += 1;
        }
        Ok(sent)
    }

    /// Tell the groups, once per store, item and batch, of stock held that expires within
    /// `EXPIRY_WARNING_DAYS` of `today` (and has not expired). Returns the messages queued.
    pub async fn expiry_clock(&self, today: jiff::civil::Date, now: i64) -> AppResult<usize> {
        let until = today.checked_add(jiff::Span::new().days(EXPIRY_WARNING_DAYS)).unwrap_or(today);
        let mut sent = 0;
        for l in self.store.expiring_untold(&today.to_string(), &until.to_string()).await? {
            let mut tx = self.store.begin().await?;
            if !self.store.mark_expiry_alerted(&mut tx, &l, now).await? {
                continue;
            }
            let text = format!(
                "【防护物资临期】{} {}（批次 {}）{}{} 将于 {} 过期，请优先发放或调剂到用量大的岗位。",
                l.store_name,
                l.item_name,
                if l.batch.is_empty() { "未标注" } else { l.batch.as_str() },
                l.quantity,
                l.issue_unit,
                l.expires_on.as_deref().unwrap_or_default()
            );
            self.notify_groups(&mut tx, bastion_store::notify::Source::new(NOTIFY_SOURCE, l.store_id.0), &text).await?;
            bastion_store::commit(tx).await?;
            sent += 1;
        }
        Ok(sent)
    }

    /// The periodic check: people rostered without kit, kit close to expiry, posts that run out
    /// before their next delivery.
    pub(crate) async fn supply_alerts_job(&self) -> AppResult<()> {
        let now = bastion_core::time::now_ms();
        self.unprotected_clock(now).await?;
        self.expiry_clock(bastion_core::time::today(), now).await?;
        self.runout_clock(now).await.map(|_| ())
    }

    /// The post board's note: 未领装备 beside each person whose shift starts within the lead time
    /// (or is running) with no kit issued for it.
    pub(super) async fn kit_marks(&self, assignments: &[Assignment]) -> AppResult<Vec<crate::duty::BoardMark>> {
        if assignments.is_empty() || !self.kit_is_issued_per_shift().await? {
            return Ok(Vec::new());
        }
        let now = bastion_core::time::now_ms();
        let by = now + self.supply_kit_lead_minutes().await? * 60_000;
        if !assignments.iter().any(|a| a.starts_at <= by && a.ends_at > now) {
            return Ok(Vec::new());
        }
        // One read of everyone without kit in the window, however many people are shown.
        let without: std::collections::HashSet<_> =
            self.store.unprotected_assignments(now, by, false).await?.into_iter().map(|a| a.id).collect();
        Ok(assignments
            .iter()
            .filter(|a| without.contains(&a.id))
            .map(|a| crate::duty::BoardMark {
                assignment_id: a.id,
                feature: "防护物资".into(),
                label: "未领装备".into(),
            })
            .collect())
    }

    /// The to-do of those who issue kit at a post: each shift with people still without kit.
    pub(super) async fn unprotected_todo(&self, ctx: &Ctx) -> AppResult<Vec<crate::home::TodoItem>> {
        if !ctx.can(perm::SUPPLY_ISSUE) {
            return Ok(Vec::new());
        }
        Ok(self
            .unprotected(ctx)
            .await?
            .shifts
            .into_iter()
            .map(|s| crate::home::TodoItem {
                feature: "防护物资",
                title: format!("{} {} {}：{} 人未签领防护装备", s.post_name, s.day, s.shift, s.people.len()),
                href: "/supplies/unprotected".into(),
                urgent: true,
            })
            .collect())
    }
}
