//! Late sign-ins (缺岗): a running shift whose people have not signed in after a grace period is
//! told to the groups once (the count, no names) and stays on the desk's to-do until they sign in.

use bastion_core::permission::perm;
use bastion_store::duty::{Assignment, AssignmentId};

use super::{clock, roster};
use crate::{in_scope, App, AppResult, Ctx};

/// A shift is late when nobody of it has signed in this long after its start.
pub const LATE_GRACE_MS: i64 = 15 * 60_000;
/// How far back the late-sign-in clock looks (a shift that began earlier is the desk's business).
const LATE_LOOKBACK_MS: i64 = 12 * 3_600_000;

/// Assignments ordered by post, day and start, grouped per (post, day, shift).
pub(crate) fn shift_groups(assignments: Vec<Assignment>) -> Vec<Vec<Assignment>> {
    let mut groups: Vec<Vec<Assignment>> = Vec::new();
    for a in assignments {
        match groups.last_mut() {
            Some(g) if g[0].post_id == a.post_id && g[0].day == a.day && g[0].shift == a.shift => g.push(a),
            _ => groups.push(vec![a]),
        }
    }
    groups
}

impl App {
    /// Tell the groups (no names: the count) of every running shift whose people have not signed
    /// in `LATE_GRACE_MS` after its start, once per person; returns the messages queued.
    pub async fn duty_late_clock(&self, now: i64) -> AppResult<usize> {
        let late = self.store.late_sign_ins(now - LATE_LOOKBACK_MS, now - LATE_GRACE_MS, now, true).await?;
        let mut sent = 0;
        for g in shift_groups(late) {
            let ids: Vec<AssignmentId> = g.iter().map(|a| a.id).collect();
            let mut tx = self.store.begin().await?;
            let n = self.store.mark_late_alerted(&mut tx, &ids, now).await?;
            if n == 0 {
                continue;
            }
            let a = &g[0];
            let text = format!(
                "【缺岗提醒】{} {} {}（{} 开班）已超过 {} 分钟，{n} 人未签到，请岗位负责人和指挥部值班台立即核实。",
                a.post_name,
                a.day,
                a.shift,
                clock(a.starts_at).get(11..16).unwrap_or_default(),
                LATE_GRACE_MS / 60_000
            );
            self.notify_groups(&mut tx, bastion_store::notify::Source::new(roster::NOTIFY_SOURCE, None), &text).await?;
            bastion_store::commit(tx).await?;
            sent += 1;
        }
        Ok(sent)
    }

    pub(crate) async fn duty_late_clock_job(&self) -> AppResult<()> {
        self.duty_late_clock(bastion_core::time::now_ms()).await.map(|_| ())
    }

    /// The desk's to-do: running shifts of its posts with people not signed in after the grace.
    pub(super) async fn late_todo(&self, ctx: &Ctx) -> AppResult<Vec<crate::home::TodoItem>> {
        let Ok(scope) = ctx.scope(perm::DUTY_WRITE) else { return Ok(Vec::new()) };
        let now = bastion_core::time::now_ms();
        // Already alerted ones are still late: the to-do stays until they sign in.
        let all = self.store.late_sign_ins(now - LATE_LOOKBACK_MS, now - LATE_GRACE_MS, now, false).await?;
        Ok(shift_groups(all.into_iter().filter(|a| in_scope(&scope, &a.post_unit_path, None)).collect())
            .into_iter()
            .map(|g| crate::home::TodoItem {
                feature: "值班",
                title: format!(
                    "{} {} {}：{} 人开班超过 {} 分钟未签到",
                    g[0].post_name,
                    g[0].day,
                    g[0].shift,
                    g.len(),
                    LATE_GRACE_MS / 60_000
                ),
                href: format!("/duty/posts/{}?day={}", g[0].post_id.0, g[0].day),
                urgent: true,
            })
            .collect())
    }
}
