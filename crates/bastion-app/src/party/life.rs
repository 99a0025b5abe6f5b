//! Organisational life (三会一课): meetings held or scheduled (on site, online or both), their
//! minutes, check-in on the day and members excused with a reason.

use std::collections::HashMap;

use bastion_core::error::{non_empty, text};
use bastion_core::party::{self as rules, MeetingKind, MeetingMode, OrgKind, OrgStatus};
use bastion_core::permission::perm;
use bastion_core::FieldError;

use super::*;
use crate::{App, AppError, AppResult, Ctx};

/// Each kind of meeting with the first day of its period containing `day` and its frequency rule,
/// worked out once for a whole list of branches.
pub(super) fn periods(day: jiff::civil::Date) -> Vec<(MeetingKind, String, String)> {
    MeetingKind::ALL
        .iter()
        .map(|k| (*k, rules::period_start(k.period(), day).to_string(), k.frequency_rule()))
        .collect()
}

/// Each kind of meeting and whether it was held in its period, from the latest date held of each
/// kind (`last`, in the order of `periods`).
pub(super) fn life(
    last: impl Fn(usize) -> Option<String>,
    periods: &[(MeetingKind, String, String)],
) -> Vec<LifeStatus> {
    periods
        .iter()
        .enumerate()
        .map(|(i, (kind, from, rule))| {
            let last = last(i);
            LifeStatus {
                kind: *kind,
                rule: rule.clone(),
                held_this_period: last.as_ref().is_some_and(|l| l >= from),
                last,
            }
        })
        .collect()
}

impl App {
    /// The compliance view of organisational life: every active branch in scope with each kind of
    /// meeting held this period (with the date) or due, the branches with the most due first, and per kind the
    /// number of branches that have not held it (e.g. 本季度未开党员大会的支部).
    pub async fn party_compliance(&self, ctx: &Ctx) -> AppResult<Compliance> {
        let orgs = self.party_orgs(ctx).await?;
        let today = bastion_core::time::today();
        let periods = periods(today);
        let windows: Vec<(MeetingKind, String)> = periods.iter().map(|(k, from, _)| (*k, from.clone())).collect();
        let held: HashMap<i64, Vec<Option<String>>> = self
            .store
            .meetings_in_periods(&windows, &today.to_string())
            .await?
            .into_iter()
            .map(|(o, d)| (o.0, d))
            .collect();
        let mut rows: Vec<ComplianceRow> = orgs
            .into_iter()
            .filter(|o| o.kind == OrgKind::Branch && o.status == OrgStatus::Active)
            .map(|o| {
                let dates = held.get(&o.id.0);
                let life = life(|i| dates.and_then(|d| d.get(i).cloned().flatten()), &periods);
                ComplianceRow {
                    due: life.iter().filter(|l| !l.held_this_period).count() as i64,
                    org_id: o.id,
                    name: o.name,
                    unit_name: o.unit_name,
                    members: o.members,
                    life,
                }
            })
            .collect();
        // Stable: within the same number due, the tree's order.
        rows.sort_by_key(|r| std::cmp::Reverse(r.due));
        let kinds = MeetingKind::ALL
            .iter()
            .enumerate()
            .map(|(i, k)| KindCompliance {
                kind: *k,
                rule: k.frequency_rule(),
                missing: rows.iter().filter(|r| r.life.get(i).is_some_and(|l| !l.held_this_period)).count() as i64,
            })
            .collect();
        Ok(Compliance { kinds, rows })
    }

    /// Schedule or record a meeting of organisational life (within a year back, 60 days ahead): on
    /// site with its place, online with its video-meeting link, or both; with its agenda.
    pub async fn hold_meeting(&self, ctx: &Ctx, id: OrgId, input: &MeetingInput) -> AppResult<i64> {
        ctx.scope(perm::PARTY_ORG_WRITE)?;
        let mut e = Vec::new();
        let kind = MeetingKind::parse(&input.kind).map_err(|x| e.push(x)).ok();
        let on = bastion_core::time::parse_date("会议日期", &input.on_date).map_err(|x| e.push(x)).ok();
        let topic = text("会议主题", &input.topic, 2, 200).map_err(|x| e.push(x)).ok();
        let mode = match non_empty(&input.mode) {
            None => Some(MeetingMode::Offline),
            Some(m) => MeetingMode::parse(m).map_err(|x| e.push(x)).ok(),
        };
        let venue = mode.and_then(|m| rules::meeting_venue(m, &input.place, &input.link).map_err(|x| e.extend(x)).ok());
        let agenda = input.agenda.trim();
        if agenda.chars().count() > 2000 {
            e.push(FieldError::new("会议议程", "会议议程不能超过 2000 字"));
        }
        let today = bastion_core::time::today();
        if let Some(d) = on {
            let back = today.checked_sub(jiff::Span::new().days(365)).unwrap_or(today);
            let ahead = today.checked_add(jiff::Span::new().days(60)).unwrap_or(today);
            if d < back || d > ahead {
                e.push(FieldError::new("会议日期", "会议日期须在一年前到 60 天后之间"));
            }
        }
        let (Some(kind), Some(on), Some(topic), Some(mode), Some((place, link)), true) =
            (kind, on, topic, mode, venue, e.is_empty())
        else {
            return Err(AppError::Invalid(e));
        };
        let org = self.org_in_scope(ctx, perm::PARTY_ORG_WRITE, id).await?;
        if org.status != OrgStatus::Active || org.kind == OrgKind::Committee {
            return Err(AppError::Conflict(format!("“{}”不是运行中的支部，不能召开组织生活会议", org.name)));
        }
        let day = on.to_string();
        let new = bastion_store::party::NewMeeting {
            org: id,
            kind,
            on_date: &day,
            topic: &topic,
            mode,
            place: &place,
            link: &link,
            agenda,
            by: &ctx.username,
        };
        let mut tx = self.store.begin().await?;
        let mid = self.store.insert_meeting(&mut tx, &new).await?;
        let detail = format!("{}；{}", kind.zh(), mode.zh());
        self.audit(&mut tx, ctx, "party", "召开组织生活会议", &format!("party_meeting:{mid} {}", org.name), &detail)
            .await?;
        bastion_store::commit(tx).await?;
        Ok(mid)
    }

    /// A meeting of an organisation the caller may see.
    pub async fn party_meeting(&self, ctx: &Ctx, meeting: i64) -> AppResult<Meeting> {
        let m = self.store.meeting(meeting).await.map_err(|_| AppError::NotFound("会议不存在".into()))?;
        self.org_in_scope(ctx, perm::PARTY_ORG_READ, m.org_id).await?;
        Ok(m)
    }

    /// A meeting of an organisation the caller writes for.
    pub(super) async fn meeting_to_write(&self, ctx: &Ctx, meeting: i64) -> AppResult<(Meeting, Org)> {
        let m = self.store.meeting(meeting).await.map_err(|_| AppError::NotFound("会议不存在".into()))?;
        let org = self.org_in_scope(ctx, perm::PARTY_ORG_WRITE, m.org_id).await?;
        Ok((m, org))
    }

    /// Write the minutes of a meeting held (today or before).
    pub async fn record_minutes(&self, ctx: &Ctx, meeting: i64, input: &MinutesInput) -> AppResult<Meeting> {
        let minutes = text("会议记录", &input.minutes, 2, 5000).map_err(AppError::invalid)?;
        let (m, org) = self.meeting_to_write(ctx, meeting).await?;
        if m.on_date > bastion_core::time::today().to_string() {
            return Err(AppError::Conflict(format!("会议定于 {} 召开，尚未召开，不能填写会议记录", m.on_date)));
        }
        let mut tx = self.store.begin().await?;
        self.store.set_minutes(&mut tx, meeting, &minutes).await?;
        self.audit(
            &mut tx,
            ctx,
            "party",
            "填写会议记录",
            &format!("party_meeting:{meeting} {}", org.name),
            m.kind.zh(),
        )
        .await?;
        bastion_store::commit(tx).await?;
        Ok(self.store.meeting(meeting).await?)
    }

    /// Excuse a member from a meeting (请假) with the reason: one the meeting expects, not already
    /// checked in.
    pub async fn excuse_absence(&self, ctx: &Ctx, meeting: i64, input: &AbsenceInput) -> AppResult<Meeting> {
        let mut e = Vec::new();
        let no = text("警号", &input.police_no, 1, 20).map_err(|x| e.push(x)).ok();
        let reason = text("缺席原因", &input.reason, 2, 100).map_err(|x| e.push(x)).ok();
        let (Some(no), Some(reason), true) = (no, reason, e.is_empty()) else { return Err(AppError::Invalid(e)) };
        let (_, org) = self.meeting_to_write(ctx, meeting).await?;
        let expected = self.expected_members(&org).await?;
        let Some(member) = expected.iter().find(|x| x.police_no == no) else {
            return Err(AppError::invalid(FieldError::new("警号", format!("警号“{no}”不是“{}”的党员", org.name))));
        };
        if self.store.checked_in(meeting, member.person_id).await? {
            return Err(AppError::Conflict(format!("{} 已签到，不能登记缺席", member.name)));
        }
        let mut tx = self.store.begin().await?;
        if !self.store.insert_absence(&mut tx, meeting, member.person_id, &reason, &ctx.username).await? {
            return Err(AppError::Conflict(format!("{} 已登记缺席", member.name)));
        }
        let target = format!("party_meeting:{meeting} {}", org.name);
        self.audit(&mut tx, ctx, "party", "登记会议缺席", &target, &format!("{}：{reason}", member.name)).await?;
        bastion_store::commit(tx).await?;
        Ok(self.store.meeting(meeting).await?)
    }

    /// Who a meeting of this organisation expects: its members, or its seconded members.
    pub(super) async fn expected_members(&self, org: &Org) -> AppResult<Vec<Member>> {
        Ok(if org.kind == OrgKind::Temporary {
            self.store.seconded_members(org.id).await?
        } else {
            self.store.branch_members(org.id).await?
        })
    }

    /// Check oneself in to a meeting of a branch one belongs to, on the day.
    pub async fn check_in(&self, ctx: &Ctx, meeting: i64) -> AppResult<Meeting> {
        ctx.scope(perm::PARTY_MEMBER_READ)?;
        let Some(person) = ctx.person_id else {
            return Err(AppError::invalid(FieldError::new("人员", "您的账号未关联人员档案，不能签到")));
        };
        let m = self.store.meeting(meeting).await.map_err(|_| AppError::NotFound("会议不存在".into()))?;
        let today = bastion_core::time::today().to_string();
        if m.on_date != today {
            return Err(AppError::Conflict(format!(
                "只能在会议当天签到：{}{}于 {} 召开",
                m.org_name,
                m.kind.zh(),
                m.on_date
            )));
        }
        let org = self.store.party_org(m.org_id).await?;
        let member = if org.kind == OrgKind::Temporary {
            self.store.seconded_members(org.id).await?.iter().any(|x| x.person_id == person)
        } else {
            self.store.party_member(person).await?.is_some_and(|x| x.branch_id == org.id)
        };
        if !member {
            return Err(AppError::invalid(FieldError::new("会议", format!("您不是“{}”的党员，不能签到", org.name))));
        }
        let mut tx = self.store.begin().await?;
        if !self.store.check_in(&mut tx, meeting, person).await? {
            return Err(AppError::Conflict("您已签到".into()));
        }
        self.audit(&mut tx, ctx, "party", "会议签到", &format!("party_meeting:{meeting} {}", org.name), m.kind.zh())
            .await?;
        bastion_store::commit(tx).await?;
        Ok(self.store.meeting(meeting).await?)
    }
}
