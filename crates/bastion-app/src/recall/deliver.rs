//! Recall orders, the moving parts: reminders, escalation waves, the delivery queue (SMS and
//! chat bots, with rate limits, retries and the delivery log), notification channels, and the
//! background tasks each node runs for them.

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
        for c in self.store.recall_channels().await?.into_iter().filter(|c| c.enabled && c.kind == SMS) {
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
        for c in self.store.recall_channels().await?.into_iter().filter(|c| c.enabled && c.kind != SMS) {
            self.store.queue_recall_message(tx, o.id, c.id, None, &body).await?;
        }
        Ok(())
    }

    // ---- channels and the delivery queue ----

    pub async fn recall_channels(&self, ctx: &Ctx) -> AppResult<Vec<Channel>> {
        ctx.scope(perm::RECALL_CHANNEL)?;
        Ok(self.store.recall_channels().await?)
    }

    pub async fn add_recall_channel(&self, ctx: &Ctx, v: &ChannelInput) -> AppResult<ChannelId> {
        ctx.scope(perm::RECALL_CHANNEL)?;
        let mut e = Vec::new();
        let kind = v.kind.trim();
        if !CHANNEL_KINDS.iter().any(|(k, _)| *k == kind) {
            e.push(FieldError::new(
                "渠道类型",
                "渠道类型只能是：wecom（企业微信）、dingtalk（钉钉）、feishu（飞书）、sms（短信网关）",
            ));
        }
        let name = text("渠道名称", &v.name, 2, 30).map_err(|x| e.push(x)).ok();
        let url = v.url.trim();
        if !(url.starts_with("http://") || url.starts_with("https://"))
            || url.len() > 500
            || url.contains(char::is_whitespace)
        {
            e.push(FieldError::new("地址", "地址须为以 http:// 或 https:// 开头的 URL"));
        }
        let secret = opt_text("加签密钥", &v.secret, 200).map_err(|x| e.push(x)).ok().flatten();
        let template = opt_text("短信模板", &v.template, 300).map_err(|x| e.push(x)).ok().flatten().unwrap_or_default();
        if kind == SMS && !template.is_empty() && !template.contains("{link}") {
            e.push(FieldError::new("短信模板", "短信模板须包含 {link}（个人确认链接）"));
        }
        let link_base = v.link_base.trim().trim_end_matches('/').to_string();
        if kind == SMS && !(link_base.starts_with("http://") || link_base.starts_with("https://")) {
            e.push(FieldError::new(
                "链接前缀",
                "短信网关须填写本系统对外地址（如 https://bastion.example），用于生成个人链接",
            ));
        }
        let interval = match non_empty(&v.min_interval_ms) {
            None => notify::default_interval_ms(kind),
            Some(s) => match s.parse::<i64>() {
                Ok(n) if (0..=600_000).contains(&n) => n,
                _ => {
                    e.push(FieldError::new("发送间隔", "发送间隔须为 0 到 600000 之间的毫秒数"));
                    0
                }
            },
        };
        let Some(name) = name.filter(|_| e.is_empty()) else { return Err(AppError::Invalid(e)) };
        let c = NewChannel {
            kind: kind.into(),
            name,
            url: url.into(),
            secret,
            template,
            link_base,
            min_interval_ms: interval,
        };
        let mut tx = self.store.begin().await?;
        let id = self.store.insert_recall_channel(&mut tx, &c).await?;
        self.audit(&mut tx, ctx, "recall", "新增通知渠道", &format!("channel:{} {}", id.0, c.name), &c.kind).await?;
        bastion_store::commit(tx).await?;
        Ok(id)
    }

    /// Switch a channel off (its queue waits) or on again.
    pub async fn set_recall_channel_enabled(&self, ctx: &Ctx, id: ChannelId, enabled: bool) -> AppResult<()> {
        ctx.scope(perm::RECALL_CHANNEL)?;
        let mut tx = self.store.begin().await?;
        self.store.set_recall_channel_enabled(&mut tx, id, enabled).await?;
        let action = if enabled { "启用通知渠道" } else { "停用通知渠道" };
        self.audit(&mut tx, ctx, "recall", action, &format!("channel:{}", id.0), "").await?;
        bastion_store::commit(tx).await?;
        Ok(())
    }

    /// Send what is due at `now`, respecting each channel's spacing; failures are logged and
    /// retried with backoff (5 attempts), and never stop the order. Returns messages attempted.
    pub async fn recall_send_due(&self, now: i64) -> AppResult<usize> {
        let due = self.store.due_recall_messages(now, 200).await?;
        if due.is_empty() {
            return Ok(0);
        }
        let channels: HashMap<ChannelId, Channel> =
            self.store.recall_channels().await?.into_iter().map(|c| (c.id, c)).collect();
        let mut attempted = 0;
        for item in due {
            let Some(c) = channels.get(&item.channel_id) else { continue };
            if !self.recall.rate_ok(c.id, c.min_interval_ms) {
                continue;
            }
            if !self.store.claim_recall_message(item.id, now).await? {
                continue;
            }
            attempted += 1;
            let (ok, status, detail, throttled) = self.send_one(c, &item).await;
            let retry_at = (!ok && item.attempts + 1 < 5).then(|| {
                let backoff = 2_000i64 << item.attempts.min(6);
                now_ms() + if throttled { backoff.max(60_000) } else { backoff }
            });
            let mut tx = self.store.begin().await?;
            self.store.record_recall_attempt(&mut tx, &item, ok, status, &detail, retry_at).await?;
            bastion_store::commit(tx).await?;
            let Some(order) = item.order_id else { continue };
            if ok && c.kind == SMS {
                if let Some(p) = item.person_id {
                    if let Ok(t) = self.store.recall_target(order, p).await {
                        let _ = self.answer(order, &t, Event::Deliver, "sms", "sms", None).await;
                    }
                }
            }
            self.recall.changed(order);
        }
        Ok(attempted)
    }

    /// One HTTP request: (accepted, HTTP status, what the log says, rate limited).
    async fn send_one(&self, c: &Channel, item: &OutboxItem) -> (bool, i64, String, bool) {
        let secret = match c.secret_cipher.as_deref().map(|b| self.store.crypto.decrypt(b)).transpose() {
            Ok(s) => s,
            Err(_) => return (false, 0, "密钥无法解密".into(), false),
        };
        let (url, body) = if c.kind == SMS {
            let (Some(p), Some(oid)) = (item.person_id, item.order_id) else {
                return (false, 0, "短信缺少接收人".into(), false);
            };
            let (Ok(order), Ok(t)) = (self.store.recall_order(oid).await, self.store.recall_target(oid, p).await)
            else {
                return (false, 0, "召集记录不存在".into(), false);
            };
            let mobile = match self.store.person_mobile(p).await {
                Ok(Some(m)) => m,
                _ => return (false, 0, format!("人员 {} 无手机号", t.police_no), false),
            };
            let link = format!("{}/r/{}", c.link_base, self.recall_token(&order, &t));
            let text = notify::sms_text(
                &c.template,
                order.mode.zh(),
                &order.title,
                &bastion_core::time::fmt_ms(order.deadline_at),
                &link,
            );
            (c.url.clone(), serde_json::json!({"mobile": mobile, "content": text}))
        } else {
            notify::bot_request(&c.kind, &c.url, secret.as_deref(), &item.body, now_ms())
        };
        let who = item.person_id.map(|p| format!("人员 {} ", p.0)).unwrap_or_default();
        match self.recall.http.post(&url).json(&body).send().await {
            Err(e) => {
                let why = if e.is_timeout() {
                    "超时"
                } else if e.is_connect() {
                    "无法连接"
                } else {
                    "请求失败"
                };
                (false, 0, format!("{who}{why}"), false)
            }
            Ok(resp) => {
                let status = i64::from(resp.status().as_u16());
                let ok_http = resp.status().is_success();
                let text = resp.text().await.unwrap_or_default();
                if !ok_http {
                    return (false, status, format!("{who}HTTP {status}"), status == 429);
                }
                if c.kind == SMS {
                    return (true, status, format!("{who}网关已受理"), false);
                }
                match notify::bot_answer(&c.kind, &text) {
                    Ok(()) => (true, status, "已送达群机器人".into(), false),
                    Err((m, throttled)) => (false, status, m, throttled),
                }
            }
        }
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
