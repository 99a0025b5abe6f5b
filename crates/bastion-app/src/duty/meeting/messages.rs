//! What meetings and tasks send and show outside their pages: the task clock's reminders and
//! escalations, the SMS texts of meeting notices and task messages (made when sent), the to-do
//! items and the counts the dashboard shows.

use bastion_core::duty::{TaskStatus, TASK_REMIND_BEFORE_MS};
use bastion_core::permission::perm;
use bastion_core::time::{fmt_ms, now_ms, DeadlineStep};
use bastion_store::duty::meeting::{MeetingId, TaskFilter, TaskId};
use bastion_store::notify::Source;

use super::{CHECK_IN_CLOSES_MS, MEETING_SOURCE, TASK_SOURCE};
use crate::{in_scope, App, AppResult, Ctx};

impl App {
    /// The task clock at `now` (the job passes the time; tests pass theirs): reminds the owner
    /// before the deadline and escalates once it has passed, each once — the owner by SMS, the
    /// groups without names. Returns the tasks it acted on.
    pub async fn duty_task_clock(&self, now: i64) -> AppResult<usize> {
        let mut acted = 0;
        let channels = self.enabled_channels().await?;
        for t in self.store.duty_tasks_due(now, TASK_REMIND_BEFORE_MS).await? {
            let step = bastion_core::time::deadline_step(
                t.deadline_at,
                TASK_REMIND_BEFORE_MS,
                t.reminded_at.is_some(),
                t.escalated_at.is_some(),
                now,
            );
            let Some(step) = step else { continue };
            let deadline = fmt_ms(t.deadline_at);
            let text = match step {
                DeadlineStep::Remind => {
                    format!("【督办提醒】{} 有 1 项督办事项将于 {deadline} 到期，请抓紧办理并在系统中反馈。", t.unit_name)
                }
                DeadlineStep::Escalate => format!(
                    "【督办逾期】{} 有 1 项督办事项已超过办理时限（{deadline}）仍未办结，请单位负责人督办，指挥部跟踪。",
                    t.unit_name
                ),
            };
            let mut tx = self.store.begin().await?;
            if !self.store.mark_duty_task_clock(&mut tx, t.id, step == DeadlineStep::Escalate, now).await? {
                continue;
            }
            let source = Source::new(TASK_SOURCE, t.id.0);
            for c in &channels {
                let person = (c.kind == crate::notify::SMS).then_some(t.owner_id);
                let body = if person.is_some() { "" } else { text.as_str() };
                self.store.queue_message(&mut tx, source, c.id, person, body).await?;
            }
            bastion_store::commit(tx).await?;
            acted += 1;
        }
        Ok(acted)
    }

    pub(crate) async fn duty_task_clock_job(&self) -> AppResult<()> {
        self.duty_task_clock(now_ms()).await.map(|_| ())
    }

    /// The text of a meeting notice to one participant, with the check-in link.
    async fn meeting_sms_text(&self, link_base: &str, meeting: Option<i64>) -> Result<String, String> {
        let id = meeting.ok_or("短信缺少会议")?;
        let m = self.store.duty_meeting(MeetingId(id)).await.map_err(|_| "会议不存在".to_string())?;
        let where_ = [m.place.as_str(), m.link.as_str()].iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>();
        Ok(format!(
            "【{}】“{}”{} 召开，{}。到会后请打开 {link_base}/duty/meetings/{id} 签到。",
            m.kind.zh(),
            m.title,
            fmt_ms(m.starts_at),
            where_.join("，")
        ))
    }

    /// The text of a task message to its owner, as the task stands when it is sent.
    async fn task_sms_text(&self, link_base: &str, task: Option<i64>) -> Result<String, String> {
        let id = task.ok_or("短信缺少督办事项")?;
        let t = self.store.duty_task(TaskId(id)).await.map_err(|_| "督办事项不存在".to_string())?;
        let link = format!("{link_base}/duty/tasks/{id}");
        Ok(match t.status {
            TaskStatus::Done => format!("【督办】“{}”已办结，谢谢。详情：{link}", t.title),
            TaskStatus::Open if t.overdue(now_ms()) => format!(
                "【督办逾期】您负责的“{}”已超过办理时限（{}），请尽快办结并反馈：{link}",
                t.title,
                fmt_ms(t.deadline_at)
            ),
            TaskStatus::Open => format!(
                "【督办】您负责的“{}”办理时限 {}，请按期办结并在系统中反馈进展：{link}",
                t.title,
                fmt_ms(t.deadline_at)
            ),
        })
    }

    /// The viewer's to-do from meetings and tasks: their open tasks (urgent when due within 12
    /// hours or overdue), meetings they are called to that start within 12 hours or run now and
    /// they have not checked in to, and for the HQ the overdue tasks of their scope.
    pub(crate) async fn meeting_todo(&self, ctx: &Ctx) -> AppResult<Vec<crate::home::TodoItem>> {
        use crate::home::TodoItem;
        let now = now_ms();
        let mut out = Vec::new();
        if let Some(me) = ctx.person_id {
            for (m, checked_in) in self.store.duty_meetings_of_person(me, now - CHECK_IN_CLOSES_MS).await? {
                if checked_in.is_some() || m.closed_at.is_some() || m.starts_at > now + 12 * 3_600_000 {
                    continue;
                }
                let started = m.starts_at <= now;
                out.push(TodoItem {
                    feature: "会议",
                    title: format!(
                        "{}“{}”{}：{}",
                        m.kind.zh(),
                        m.title,
                        fmt_ms(m.starts_at),
                        if started { "已开始，请签到" } else { "请准时参加并签到" }
                    ),
                    href: format!("/duty/meetings/{}", m.id.0),
                    urgent: started,
                });
            }
            let mine = TaskFilter { owner: Some(me), status: Some(TaskStatus::Open), ..TaskFilter::default() };
            for t in self.store.duty_tasks(&mine, 50).await? {
                let overdue = t.overdue(now);
                out.push(TodoItem {
                    feature: "督办",
                    title: format!(
                        "{}（时限 {}{}）",
                        t.title,
                        fmt_ms(t.deadline_at),
                        if overdue { "，已逾期" } else { "" }
                    ),
                    href: format!("/duty/tasks/{}", t.id.0),
                    urgent: overdue || t.deadline_at <= now + TASK_REMIND_BEFORE_MS,
                });
            }
        }
        if let Ok(scope) = ctx.scope(perm::DUTY_MEETING) {
            let (_, n) = self.task_counts(&scope).await?;
            if n > 0 {
                out.push(TodoItem {
                    feature: "督办",
                    title: format!("{n} 项督办事项已逾期，请督促责任单位"),
                    href: "/duty/tasks?status=overdue".into(),
                    urgent: true,
                });
            }
        }
        Ok(out)
    }

    /// Open and overdue tasks of the units in `scope` (the dashboard's figures, the HQ's to-do),
    /// counted by the database per unit.
    pub(crate) async fn task_counts(&self, scope: &bastion_store::org::RowScope) -> AppResult<(i64, i64)> {
        let counts = self.store.open_duty_task_counts(now_ms()).await?;
        Ok(counts
            .iter()
            .filter(|(path, _, _)| in_scope(scope, path, None))
            .fold((0, 0), |(o, d), (_, open, overdue)| (o + open, d + overdue)))
    }
}

/// Meeting notices in the delivery queue: the personal notice carries the check-in link.
pub(crate) const MEETING_SENDER: crate::notify::Sender = crate::notify::Sender {
    feature: MEETING_SOURCE,
    name: "会议通知",
    personal_text: Some(|app, c, meeting, _p| Box::pin(app.meeting_sms_text(&c.link_base, meeting))),
    after_attempt: None,
};

/// Task messages in the delivery queue: assignment, reminder and escalation.
pub(crate) const TASK_SENDER: crate::notify::Sender = crate::notify::Sender {
    feature: TASK_SOURCE,
    name: "督办提醒",
    personal_text: Some(|app, c, task, _p| Box::pin(app.task_sms_text(&c.link_base, task))),
    after_attempt: None,
};
