//! Recall orders, the moving parts: reminders, escalation waves, what recall sends through the
//! delivery queue (`notify`: digests to the bot groups, one SMS per person rendered at send time),
//! and the listener that keeps each node's boards live.

use super::*;

impl App {
    /// Remind the unanswered now (the desk's 再次提醒): SMS again to them only, counted.
    pub async fn recall_remind(&self, ctx: &Ctx, id: OrderId) -> AppResult<i64> {
        let scope = ctx.scope(perm::RECALL_MANAGE)?;
        let o = self.store.recall_order(id).await?;
        // A reminder goes to everyone unanswered: only a viewer who covers the whole audience sends it.
        let visible = self.visible_units(&scope).await?;
        if self.audience_reach(id, visible.as_deref()).await? != Reach::Whole {
            return Err(AppError::Forbidden(
                "该召集令还召集了您管辖范围以外的人员，再次提醒须由能看到全部人员的指挥部发出".into(),
            ));
        }
        if o.status != OrderStatus::Active {
            return Err(AppError::Conflict(format!("召集令{}，不能再提醒", o.status.zh())));
        }
        let mut tx = self.store.begin().await?;
        let n = self.remind_unanswered(&mut tx, &o, 0, "值班员再次提醒").await?;
        self.audit(
            &mut tx,
            ctx,
            "recall",
            "再次提醒未响应人员",
            &format!("recall:{} {}", id.0, o.title),
            &format!("{n} 人"),
        )
        .await?;
        bastion_store::commit(tx).await?;
        self.recall_changed(id).await;
        Ok(n)
    }

    async fn remind_unanswered(&self, tx: &mut Tx, o: &Order, wave: i64, why: &str) -> AppResult<i64> {
        let n = self.store.recall_count_reminders(tx, o.id).await?;
        for c in self.enabled_channels().await?.into_iter().filter(|c| c.kind == SMS) {
            self.store.queue_recall_sms(tx, o.id, c.id, true).await?;
        }
        self.store
            .insert_recall_notice(
                tx,
                o.id,
                wave,
                "未响应人员",
                None,
                None,
                &format!("{why}：{n} 人尚未应答，已再次通知"),
            )
            .await?;
        Ok(n)
    }

    /// The escalation ticker's work at `now` (injectable for tests): past the deadline the
    /// unanswered become 未响应; each wave that is due runs once (remind, unit heads, command).
    pub async fn recall_tick(&self, now: i64) -> AppResult<()> {
        for o in self.store.active_recall_orders().await? {
            let mut changed = false;
            if now >= o.deadline_at && !o.expired {
                let mut tx = self.store.begin().await?;
                let n = self.store.expire_recall(&mut tx, o.id, now).await?;
                self.system_audit(&mut tx, "召集令到期", &o, &format!("{n} 人未响应")).await?;
                bastion_store::commit(tx).await?;
                changed = true;
            }
            let start = o.sent_at.unwrap_or(o.created_at);
            for (i, minutes) in o.waves.iter().enumerate().skip(o.waves_done as usize) {
                if now < start + minutes * 60_000 {
                    break;
                }
                let wave = i as i64 + 1;
                let mut tx = self.store.begin().await?;
                self.store.set_recall_waves_done(&mut tx, o.id, wave).await?;
                let detail = match i {
                    0 => format!("{} 人", self.remind_unanswered(&mut tx, &o, wave, "第 1 轮提醒").await?),
                    1 => self.notify_unit_heads(&mut tx, &o, wave).await?,
                    _ => self.notify_command(&mut tx, &o, wave).await?,
                };
                self.system_audit(&mut tx, WAVE_NAMES.get(i).copied().unwrap_or("升级提醒"), &o, &detail).await?;
                bastion_store::commit(tx).await?;
                changed = true;
            }
            if changed {
                self.recall_changed(o.id).await;
            }
        }
        Ok(())
    }

    async fn system_audit(&self, tx: &mut Tx, action: &str, o: &Order, detail: &str) -> AppResult<()> {
        self.store
            .append_audit(
                tx,
                &AuditEntry {
                    account: "system".into(),
                    module: "recall".into(),
                    action: action.into(),
                    target: format!("recall:{} {}", o.id.0, o.title),
                    result: "成功".into(),
                    detail: detail.into(),
                    ..Default::default()
                },
            )
            .await?;
        Ok(())
    }

    /// Counts of the unanswered per unit (no names leave through bots).
    async fn unanswered_by_unit(&self, id: OrderId) -> AppResult<Vec<(UnitId, i64)>> {
        let mut m: HashMap<UnitId, i64> = HashMap::new();
        let mut after = 0;
        loop {
            let chunk = self.store.recall_unanswered(id, after, 5000).await?;
            let Some(last) = chunk.last() else { break };
            after = last.0 .0;
            for (_, u) in chunk {
                *m.entry(u).or_default() += 1;
            }
        }
        let mut v: Vec<(UnitId, i64)> = m.into_iter().collect();
        v.sort();
        Ok(v)
    }

    async fn notify_unit_heads(&self, tx: &mut Tx, o: &Order, wave: i64) -> AppResult<String> {
        let units = self.store.units().await?;
        let heads: HashMap<UnitId, (PersonId, String)> =
            self.store.unit_heads().await?.into_iter().map(|(u, p, n, _)| (u, (p, n))).collect();
        let by_unit = self.unanswered_by_unit(o.id).await?;
        let mut lines = Vec::new();
        for (u, n) in &by_unit {
            let name = units.iter().find(|x| x.id == *u).map(|x| x.name.clone()).unwrap_or_default();
            let head = heads.get(u);
            let body = format!("本单位尚有 {n} 人未响应召集令《{}》，请单位负责人督促", o.title);
            self.store.insert_recall_notice(tx, o.id, wave, "单位负责人", Some(*u), head.map(|h| h.0), &body).await?;
            lines.push(format!("{name} {n} 人"));
        }
        self.queue_digest(tx, o, &format!("未响应人员分布：{}", lines.join("；"))).await?;
        Ok(format!("{} 个单位", by_unit.len()))
    }

    async fn notify_command(&self, tx: &mut Tx, o: &Order, wave: i64) -> AppResult<String> {
        let t = self.store.recall_tally(o.id).await?;
        let body = format!("召集令《{}》：{}，仍缺 {} 人，请指挥部调度", o.title, t.headline(false), t.missing());
        self.store.insert_recall_notice(tx, o.id, wave, "指挥部", None, None, &body).await?;
        self.queue_digest(tx, o, &body).await?;
        Ok(t.headline(false))
    }

    async fn queue_digest(&self, tx: &mut Tx, o: &Order, text: &str) -> AppResult<()> {
        let body = format!("{}{}", mode_tag(o.mode), text);
        self.notify_groups(tx, notify_source(o.id), &body).await?;
        Ok(())
    }

    /// The SMS to one person of an order, through channel `c` (its template and link address):
    /// the personal link is minted now, so none waits in the queue.
    async fn recall_sms_text(&self, c: &Channel, order: Option<i64>, p: PersonId) -> Result<String, String> {
        let Some(oid) = order.map(OrderId) else { return Err("短信缺少召集令".into()) };
        let (Ok(order), Ok(t)) = (self.store.recall_order(oid).await, self.store.recall_target(oid, p).await) else {
            return Err("召集记录不存在".into());
        };
        let link = format!("{}/r/{}", c.link_base, self.recall_token(&order, &t));
        Ok(sms_text(&c.template, order.mode.zh(), &order.title, &bastion_core::time::fmt_ms(order.deadline_at), &link))
    }

    /// After an attempt on one of recall's messages: an accepted SMS marks the person reached
    /// (送达), and the order's boards are woken either way.
    async fn recall_after_attempt(&self, c: &Channel, item: &OutboxItem, ok: bool) {
        let Some(order) = item.source_id.map(OrderId) else { return };
        if ok && c.kind == SMS {
            if let Some(p) = item.person_id {
                if let Ok(t) = self.store.recall_target(order, p).await {
                    let _ = self.answer(order, &t, Event::Deliver, "sms", "sms", None).await;
                }
            }
        }
        self.recall.changed(order);
    }

    /// Something on this order changed: wake the boards on this node, and on PostgreSQL every node.
    pub async fn recall_changed(&self, id: OrderId) {
        if self.store.backend == bastion_store::Backend::Postgres {
            if let Err(e) = self.store.notify_recall(id).await {
                tracing::warn!("recall notify: {e}");
                self.recall.changed(id);
            }
        } else {
            self.recall.changed(id);
        }
    }

    /// The long-running listener of one node (PostgreSQL LISTEN: boards follow other nodes'
    /// changes); the delivery queue and the escalation ticker are periodic jobs (`schedule`).
    pub(crate) fn start_recall_listener(&self) -> tokio::task::JoinHandle<()> {
        let app = self.clone();
        tokio::spawn(async move {
            loop {
                let hub = app.recall.clone();
                if let Err(e) = app.store.listen_recall(move |id| hub.changed(id)).await {
                    tracing::warn!("recall listener: {e}; reconnecting");
                }
                if app.store.backend != bastion_store::Backend::Postgres {
                    return;
                }
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
        })
    }
}

/// Recall's messages in the delivery queue.
pub(crate) const NOTIFY_SENDER: notify::Sender = notify::Sender {
    feature: NOTIFY_SOURCE,
    name: "召集令",
    personal_text: Some(|app, c, order, p| Box::pin(app.recall_sms_text(c, order, p))),
    after_attempt: Some(|app, c, item, ok| Box::pin(app.recall_after_attempt(c, item, ok))),
};

/// The queue's name for one order's messages.
pub(crate) fn notify_source(id: OrderId) -> Source {
    Source::new(NOTIFY_SOURCE, id.0)
}

/// The SMS text from the channel's template: `{mode}` `{title}` `{deadline}` `{link}`.
pub fn sms_text(template: &str, mode: &str, title: &str, deadline: &str, link: &str) -> String {
    let t = if template.trim().is_empty() { DEFAULT_SMS_TEMPLATE } else { template };
    t.replace("{mode}", mode).replace("{title}", title).replace("{deadline}", deadline).replace("{link}", link)
}

/// The SMS template when a gateway's is left empty.
pub const DEFAULT_SMS_TEMPLATE: &str = "【{mode}召集令】{title}，请于{deadline}前到岗。确认及报到：{link}";

#[cfg(test)]
mod tests {
    #[test]
    fn default_sms_text() {
        assert_eq!(
            super::sms_text("", "演练", "全员返岗", "08:30", "http://x/r/t"),
            "【演练召集令】全员返岗，请于08:30前到岗。确认及报到：http://x/r/t"
        );
    }
}
