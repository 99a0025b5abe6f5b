//! The person's side of an order: the personal link (make it, open it — the page a phone shows
//! without signing in — and apply the answer given through it; the token itself is in
//! [`super::link`]), and what the home page's to-do list asks of the viewer.

use super::*;

impl App {
    /// The personal link of one person in one order (path part after `/r/`).
    pub fn recall_token(&self, order: &Order, t: &Target) -> String {
        link::make(
            &self.store.crypto,
            &link::Claims {
                order: order.id,
                person: t.person_id,
                expires: (order.deadline_at + LINK_GRACE_MS) / 1000,
                nonce: t.nonce.clone(),
            },
        )
    }

    async fn check_link(&self, token: &str) -> Result<(Order, Target), LinkRefusal> {
        let claims = match link::verify(&self.store.crypto, token, now_ms() / 1000) {
            Ok(c) => c,
            Err(link::LinkError::Forged) => return Err(LinkRefusal::Forged),
            Err(link::LinkError::Expired) => return Err(LinkRefusal::Expired),
        };
        let Ok((order, target)) = self.store.recall_order_and_target(claims.order, claims.person).await else {
            return Err(LinkRefusal::Forged);
        };
        if target.nonce != claims.nonce {
            return Err(LinkRefusal::Spent("链接已失效：该链接已被新的链接取代。请使用最新收到的链接。".into()));
        }
        match order.status {
            OrderStatus::Active => Ok((order, target)),
            OrderStatus::Closed => Err(LinkRefusal::Spent(format!(
                "召集令《{}》已结束，无需再应答。您的最终状态：{}。",
                order.title,
                target.state.zh()
            ))),
            OrderStatus::Cancelled => Err(LinkRefusal::Spent(format!("召集令《{}》已撤销，无需应答。", order.title))),
            OrderStatus::AwaitingApproval => Err(LinkRefusal::Spent("召集令尚未生效。".into())),
        }
    }

    /// Open the link: verify it, and count the message as delivered.
    pub async fn recall_link_open(&self, token: &str) -> Result<LinkView, LinkRefusal> {
        let (order, target) = self.check_link(token).await?;
        let target = if target.state == RecallState::Pending {
            let _ = self.answer(order.id, &target, Event::Deliver, "link", &actor_of(&target), None).await;
            self.store.recall_target(order.id, target.person_id).await.unwrap_or(target)
        } else {
            target
        };
        Ok(LinkView { order, target, token: token.to_string() })
    }

    /// Answer through the link (`ack` or `arrive`, with an optional post code or location).
    pub async fn recall_link_answer(
        &self,
        token: &str,
        action: &str,
        location: Option<String>,
    ) -> Result<(LinkView, LinkOutcome), LinkRefusal> {
        let (order, target) = self.check_link(token).await?;
        if target.state == RecallState::OnPost {
            // Reused after the last step: a clear answer, nothing written.
            return Ok((
                LinkView { order, target: target.clone(), token: token.into() },
                LinkOutcome::Already(RecallState::OnPost),
            ));
        }
        let event = match parse_answer(action) {
            Ok(e) => e,
            Err(_) => return Err(LinkRefusal::Forged),
        };
        let location = location.map(|l| l.chars().filter(|c| !c.is_control()).take(80).collect::<String>());
        let outcome = self
            .answer(order.id, &target, event, "link", &actor_of(&target), location.filter(|l| !l.is_empty()))
            .await
            .unwrap_or_else(|e| LinkOutcome::Refused(e.to_string()));
        // The answer says where the person now stands: no need to read the row again.
        let mut target = target;
        if let LinkOutcome::Done(s) | LinkOutcome::Already(s) = &outcome {
            target.state = *s;
        }
        Ok((LinkView { order, target, token: token.into() }, outcome))
    }

    /// One person's answer: through the batch writer (group commit), audited with its batch.
    pub(super) async fn answer(
        &self,
        id: OrderId,
        t: &Target,
        event: Event,
        via: &'static str,
        actor: &str,
        location: Option<String>,
    ) -> AppResult<LinkOutcome> {
        let tr = Transition { order: id, person: t.person_id, event, via, actor: actor.to_string(), location };
        let applied = self.recall.acks.submit(tr).await?;
        Ok(match applied {
            Applied::Changed { to, .. } => LinkOutcome::Done(to),
            Applied::Unchanged(s) => LinkOutcome::Already(s),
            Applied::Refused(m) => LinkOutcome::Refused(m),
            Applied::Missing => LinkOutcome::Refused("您不在此召集令中".into()),
        })
    }
}

/// Recall's to-do items: the viewer's own orders still to answer or to report on post, and the
/// orders waiting for the viewer's approval (never their own).
pub(crate) const TODO: crate::home::TodoSource =
    crate::home::TodoSource { feature: "召集令", items: |app, ctx| Box::pin(app.recall_todo(ctx)) };

impl App {
    async fn recall_todo(&self, ctx: &Ctx) -> AppResult<Vec<crate::home::TodoItem>> {
        use bastion_core::recall::{OrderStatus, RecallState};
        let mut out = Vec::new();
        if let Some(person) = ctx.person_id {
            for (o, t) in self.store.recall_targets_of(person).await? {
                if o.status != OrderStatus::Active {
                    continue;
                }
                let ask = match t.state {
                    RecallState::Pending | RecallState::Delivered | RecallState::NoResponse => "请确认收到",
                    RecallState::Acked => "请到岗后报到",
                    _ => continue,
                };
                out.push(crate::home::TodoItem {
                    feature: "召集令",
                    title: format!("《{}》{ask}（{} 前到岗）", o.title, bastion_core::time::fmt_ms(o.deadline_at)),
                    href: "/recall".into(),
                    urgent: true,
                });
            }
        }
        if ctx.can(bastion_core::permission::perm::RECALL_APPROVE) {
            for o in self.store.recall_orders(100).await? {
                if o.status == OrderStatus::AwaitingApproval && o.issuer_account_id != ctx.account_id.0 {
                    out.push(crate::home::TodoItem {
                        feature: "召集令",
                        title: format!("《{}》待您审批（{} 人，发布人 {}）", o.title, o.audience, o.issuer),
                        href: format!("/recall/{}", o.id.0),
                        urgent: true,
                    });
                }
            }
        }
        Ok(out)
    }
}
