//! Recall's part of the command dashboard: the order out now (or the newest), on post against
//! called, within the viewer's scope.

use bastion_core::permission::perm;

use super::{reach_of, OrderId, Tally};
use crate::dashboard::{grouped, DashboardSource, Figure, Section};
use crate::{App, AppError, AppResult, Ctx};

pub(crate) const DASHBOARD: DashboardSource =
    DashboardSource { feature: "recall", section: |app, ctx| Box::pin(app.recall_section(ctx)) };

pub(crate) const REPORT: crate::report::ReportSource = crate::report::ReportSource {
    feature: "recall",
    title: "召集令",
    read: perm::RECALL_READ,
    owner: perm::RECALL_MANAGE,
    sentences: crate::report::plain_sentences,
    day_figures: None,
};

const TITLE: &str = "召集令";

impl App {
    /// The order's counts by state within the viewer's scope — the board's tally without its unit
    /// lines, missing list, deliveries and queue (the dashboard's figures; a few rows of the kept
    /// per-unit counts whatever the size of the order). Refused like the board.
    pub async fn recall_scoped_tally(&self, ctx: &Ctx, id: OrderId) -> AppResult<Tally> {
        let scope = ctx.scope(perm::RECALL_READ)?;
        let visible = self.visible_units(&scope).await?;
        let counts = self.store.recall_counts(id).await?;
        if let Some(v) = &visible {
            reach_of(&counts, v)?;
        }
        let mut tally = Tally::default();
        for (u, s, n) in counts {
            if visible.as_ref().is_none_or(|v| v.contains(&u.0)) {
                tally.add(s, n);
            }
        }
        Ok(tally)
    }

    async fn recall_section(&self, ctx: &Ctx) -> AppResult<Section> {
        if !ctx.can(perm::RECALL_READ) {
            return Ok(Section::refused("recall", TITLE));
        }
        let orders = self.recall_orders(ctx).await?;
        // The newest order out and not closed first, then the newest; the first the viewer's scope reaches.
        let mut ordered: Vec<_> = orders.iter().filter(|o| o.sent_at.is_some() && o.closed_at.is_none()).collect();
        ordered.extend(orders.iter().filter(|o| !(o.sent_at.is_some() && o.closed_at.is_none())));
        for o in ordered {
            let t = match self.recall_scoped_tally(ctx, o.id).await {
                Ok(t) => t,
                Err(AppError::Forbidden(_) | AppError::NotFound(_)) => continue,
                Err(e) => return Err(e),
            };
            let called = t.pending + t.delivered + t.acked + t.on_post + t.exempt + t.no_response;
            let done = t.on_post + t.exempt;
            let missing = called - done;
            let href = format!("/recall/{}", o.id.0);
            let open = o.closed_at.is_none();
            let title = format!("{TITLE}《{}》{}", o.title, if open { "" } else { "（已结束）" });
            return Ok(Section::of(
                "recall",
                &title,
                vec![
                    Figure::new(
                        format!("到岗/应到（{}）", o.mode.zh()),
                        format!("{}/{}", grouped(done), grouped(called)),
                        href.clone(),
                    )
                    .alert_if(missing > 0 && open),
                    Figure::new("到岗", grouped(t.on_post), href.clone()),
                    Figure::new("免到", grouped(t.exempt), href.clone()),
                    Figure::new("未到", grouped(missing), href).alert_if(missing > 0 && open),
                ],
            ));
        }
        Ok(Section::of("recall", TITLE, vec![Figure::new("召集令", "暂无", "/recall")]))
    }
}
