//! Shift swaps (换班): an officer asks to give one of their shifts to a colleague (代班) or to
//! exchange it for one of the colleague's on a given day; the head of the post's unit (anyone who
//! may write duty there) approves or refuses. The rules are checked when asking and again, under a
//! lock of both people, when approving: no overlapping shifts, 11 hours' rest, nobody off duty.

use bastion_core::duty::{self, Breach, MIN_REST_MS};
use bastion_core::error::{non_empty, opt_text, text};
use bastion_core::org::DutyStatus;
use bastion_core::permission::perm;
use bastion_core::FieldError;
use bastion_store::duty::swap::NewSwap;
/// The read models and ids the web layer shows.
pub use bastion_store::duty::swap::{Swap, SwapId};
use bastion_store::duty::{Assignment, AssignmentId};
use bastion_store::org::PersonId;
use bastion_store::Tx;
use serde::{Deserialize, Serialize};

use crate::{in_scope, App, AppError, AppResult, Ctx};

/// Ask for a swap.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
#[schemars(extend("required" = ["assignment_id", "police_no", "reason"]))]
pub struct SwapInput {
    /// One's own shift to give away or exchange.
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "i64")]
    pub assignment_id: String,
    /// The colleague's police number (警号).
    #[serde(deserialize_with = "bastion_core::input::flex")]
    pub police_no: String,
    /// To exchange: the day of the colleague's shift taken in return; empty to give the shift away.
    pub their_day: String,
    pub reason: String,
}

/// Approve or refuse.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
pub struct DecisionInput {
    /// Required when refusing.
    pub note: String,
}

/// A request with the two shifts in words.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct SwapView {
    pub swap: Swap,
    pub from_name: String,
    pub mine: String,
    pub theirs: Option<String>,
    /// The caller may approve or refuse it.
    pub can_decide: bool,
}

fn words(a: &Assignment) -> String {
    format!(
        "{} {} {} {}",
        a.day,
        a.post_name,
        a.shift,
        bastion_core::time::fmt_ms(a.starts_at).get(11..16).unwrap_or_default()
    )
}

impl App {
    /// Would `person` keep the rules with `taking` added and `leaving` taken away? Checked in `tx`.
    async fn swap_rules(
        &self,
        tx: &mut Tx,
        person: PersonId,
        taking: &Assignment,
        leaving: Option<AssignmentId>,
    ) -> AppResult<()> {
        let p =
            self.store.person(person).await.map_err(|_| AppError::invalid(FieldError::new("人员", "人员不存在")))?;
        if p.duty_status != DutyStatus::OnDuty || !p.enabled {
            return Err(AppError::invalid(FieldError::new(
                "人员",
                format!("{}当前状态为“{}”，不能接班", p.name, p.duty_status.zh()),
            )));
        }
        let near = self
            .store
            .person_shifts_between(tx, person, taking.starts_at - MIN_REST_MS, taking.ends_at + MIN_REST_MS)
            .await?;
        for other in near.iter().filter(|o| Some(o.id) != leaving && o.id != taking.id) {
            let what = words(other);
            match duty::breach((taking.starts_at, taking.ends_at), (other.starts_at, other.ends_at)) {
                Some(Breach::Overlap) => {
                    return Err(AppError::invalid(FieldError::new(
                        "班次",
                        format!(
                            "违反“同一人不能同时在两个班次”规则：{} 已排 {what}，与 {} 时间重叠",
                            p.name,
                            words(taking)
                        ),
                    )))
                }
                Some(Breach::Rest { gap_ms }) => {
                    return Err(AppError::invalid(FieldError::new(
                        "班次",
                        format!(
                            "违反“两班之间至少休息 11 小时”规则：{} 已排 {what}，换班后与 {} 间隔仅 {:.1} 小时",
                            p.name,
                            words(taking),
                            gap_ms as f64 / 3_600_000.0
                        ),
                    )))
                }
                None => {}
            }
        }
        Ok(())
    }

    /// Ask to give a shift to a colleague or exchange it for theirs on a day.
    pub async fn request_swap(&self, ctx: &Ctx, v: &SwapInput) -> AppResult<SwapId> {
        let scope = ctx.scope(perm::DUTY_SIGN)?;
        let mut e = Vec::new();
        let id = match v.assignment_id.trim().parse::<i64>() {
            Ok(n) if n > 0 => Some(AssignmentId(n)),
            _ => {
                e.push(FieldError::new("我的班次", "我的班次须为正整数编号"));
                None
            }
        };
        let reason = text("理由", &v.reason, 2, 200).map_err(|x| e.push(x)).ok();
        let their_day = match non_empty(&v.their_day) {
            None => Some(None),
            Some(d) => bastion_core::time::parse_date("对方班次日期", d)
                .map(|d| Some(d.to_string()))
                .map_err(|x| e.push(x))
                .ok(),
        };
        let colleague = match non_empty(&v.police_no) {
            None => {
                e.push(FieldError::required("对方警号"));
                None
            }
            Some(no) => match self.store.person_by_police_no(no).await? {
                Some(p) => Some(p),
                None => {
                    e.push(FieldError::new("对方警号", format!("警号“{no}”不存在")));
                    None
                }
            },
        };
        let (Some(id), Some(reason), Some(their_day), Some(colleague)) = (id, reason, their_day, colleague) else {
            return Err(AppError::Invalid(e));
        };
        let mine = self.store.assignment(id).await.map_err(|_| AppError::NotFound("班次不存在".into()))?;
        let own = ctx.person_id == Some(mine.person_id);
        if !own && !in_scope(&scope, &mine.post_unit_path, Some(mine.person_id)) {
            return Err(AppError::Forbidden("只能为自己的班次申请换班".into()));
        }
        if colleague == mine.person_id {
            return Err(AppError::invalid(FieldError::new("对方警号", "不能和自己换班")));
        }
        let now = bastion_core::time::now_ms();
        if mine.starts_at <= now || mine.signed_in_at.is_some() {
            return Err(AppError::invalid(FieldError::new(
                "我的班次",
                format!("{} 已开始或已签到，不能再换班", words(&mine)),
            )));
        }
        let theirs = match &their_day {
            None => None,
            Some(day) => {
                let found = self.store.person_assignments(colleague, day, day).await?;
                let Some(t) = found.into_iter().find(|a| a.starts_at > now && a.signed_in_at.is_none()) else {
                    return Err(AppError::invalid(FieldError::new(
                        "对方班次日期",
                        format!("对方 {day} 没有尚未开始的班次，无法对换；只把自己的班次交给对方请留空"),
                    )));
                };
                Some(t)
            }
        };
        let mut tx = self.store.begin().await?;
        if self.store.pending_swap_of(&mut tx, mine.id).await?.is_some() {
            return Err(AppError::Conflict(format!("{} 已有待审批的换班申请", words(&mine))));
        }
        self.swap_rules(&mut tx, colleague, &mine, theirs.as_ref().map(|t| t.id)).await?;
        if let Some(t) = &theirs {
            self.swap_rules(&mut tx, mine.person_id, t, Some(mine.id)).await?;
        }
        let new = NewSwap {
            assignment_id: mine.id,
            to_person: colleague,
            their_assignment_id: theirs.as_ref().map(|t| t.id),
            reason,
            requested_by: ctx.username.clone(),
        };
        let sid = self.store.insert_swap(&mut tx, &new).await?;
        self.audit(&mut tx, ctx, "duty", "申请换班", &format!("duty_swap:{} {}", sid.0, words(&mine)), &new.reason)
            .await?;
        bastion_store::commit(tx).await?;
        Ok(sid)
    }

    /// Requests the caller asked, is asked, or may decide; newest first.
    pub async fn swaps(&self, ctx: &Ctx) -> AppResult<Vec<SwapView>> {
        ctx.scope(perm::DUTY_SIGN)?;
        let write = ctx.scope(perm::DUTY_WRITE).ok();
        let mut out = Vec::new();
        for s in self.store.swaps(200).await? {
            let Ok(mine) = self.store.assignment(s.assignment_id).await else { continue };
            let head = write.as_ref().is_some_and(|w| in_scope(w, &mine.post_unit_path, None));
            let involved = s.requested_by == ctx.username
                || ctx.person_id.is_some_and(|p| p == s.to_person || p == mine.person_id);
            if !head && !involved {
                continue;
            }
            let theirs = match s.their_assignment_id {
                Some(t) => self.store.assignment(t).await.ok().map(|a| words(&a)),
                None => None,
            };
            out.push(SwapView {
                can_decide: head && s.status == "requested",
                from_name: mine.person_name.clone(),
                mine: words(&mine),
                theirs,
                swap: s,
            });
        }
        Ok(out)
    }

    /// Approve (the people change places, the rules checked again) or refuse (with a note).
    pub async fn decide_swap(&self, ctx: &Ctx, id: SwapId, approve: bool, v: &DecisionInput) -> AppResult<Swap> {
        let scope = ctx.scope(perm::DUTY_WRITE)?;
        let s = self.store.swap(id).await.map_err(|_| AppError::NotFound("换班申请不存在".into()))?;
        let mine = self.store.assignment(s.assignment_id).await?;
        if !in_scope(&scope, &mine.post_unit_path, None) {
            return Err(AppError::forbidden_data());
        }
        let note = opt_text("意见", &v.note, 200).map_err(AppError::invalid)?;
        if !approve && note.is_none() {
            return Err(AppError::invalid(FieldError::new("意见", "不同意时须写明意见")));
        }
        let mut tx = self.store.begin().await?;
        let done = if approve {
            // Both people are locked: a desk assigning either of them at this moment waits.
            self.store.lock_person(&mut tx, s.to_person).await?;
            self.store.lock_person(&mut tx, mine.person_id).await?;
            let theirs = match s.their_assignment_id {
                Some(t) => Some(self.store.assignment(t).await?),
                None => None,
            };
            if s.status == "requested" {
                self.swap_rules(&mut tx, s.to_person, &mine, theirs.as_ref().map(|t| t.id)).await?;
                if let Some(t) = &theirs {
                    self.swap_rules(&mut tx, mine.person_id, t, Some(mine.id)).await?;
                }
            }
            let ok = self.store.decide_swap(&mut tx, id, "approved", &ctx.username, note.as_deref()).await?;
            if ok {
                let moved = self.store.move_assignment(&mut tx, mine.id, s.to_person).await?
                    && match &theirs {
                        Some(t) => self.store.move_assignment(&mut tx, t.id, mine.person_id).await?,
                        None => true,
                    };
                if !moved {
                    return Err(AppError::Conflict("班次已有人签到，不能再换班".into()));
                }
            }
            ok
        } else {
            self.store.decide_swap(&mut tx, id, "refused", &ctx.username, note.as_deref()).await?
        };
        if !done {
            return Err(AppError::Conflict(format!(
                "这份换班申请已处理（{}）",
                if s.status == "approved" { "已同意" } else { "已不同意" }
            )));
        }
        let action = if approve { "同意换班" } else { "不同意换班" };
        self.audit(
            &mut tx,
            ctx,
            "duty",
            action,
            &format!("duty_swap:{} {}", id.0, words(&mine)),
            note.as_deref().unwrap_or(""),
        )
        .await?;
        // Both people hear of the decision by SMS (rendered when sent, from the swap as decided).
        let source = bastion_store::notify::Source::new(SWAP_SOURCE, id.0);
        for c in self.enabled_channels().await?.iter().filter(|c| c.kind == crate::notify::SMS) {
            for p in [mine.person_id, s.to_person] {
                self.store.queue_message(&mut tx, source, c.id, Some(p), "").await?;
            }
        }
        bastion_store::commit(tx).await?;
        Ok(self.store.swap(id).await?)
    }

    /// The SMS about a decided swap to one of its two people.
    async fn swap_sms_text(&self, swap: Option<i64>, p: PersonId) -> Result<String, String> {
        let s =
            self.store.swap(SwapId(swap.ok_or("短信缺少换班申请")?)).await.map_err(|_| "换班申请不存在".to_string())?;
        let shift = self.store.assignment(s.assignment_id).await.map_err(|_| "班次不存在".to_string())?;
        let what = words(&shift);
        let note = s.decision_note.as_deref().map(|n| format!("意见：{n}。")).unwrap_or_default();
        Ok(match (s.status.as_str(), p == s.to_person) {
            ("approved", false) => {
                format!("【换班】您申请的换班（{what}）已同意，请按调整后的班次到岗，详见“我的班次”。{note}")
            }
            ("approved", true) => format!("【换班】同事与您的换班已同意：{what} 由您值班，详见“我的班次”。{note}"),
            (_, false) => format!("【换班】您申请的换班（{what}）未获同意，原班次不变。{note}"),
            (_, true) => format!("【换班】同事与您的换班申请未获同意，您的班次不变。{note}"),
        })
    }
}

/// The delivery queue's name for swap decisions.
const SWAP_SOURCE: &str = "duty.swap";

/// Swap decisions in the delivery queue: an SMS to each of the two people.
pub(crate) const SWAP_SENDER: crate::notify::Sender = crate::notify::Sender {
    feature: SWAP_SOURCE,
    name: "换班审批",
    personal_text: Some(|app, _c, swap, p| Box::pin(app.swap_sms_text(swap, p))),
    after_attempt: None,
};
