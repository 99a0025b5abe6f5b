//! Inspections' part of the command dashboard: findings open, overdue and awaiting re-inspection,
//! and today's inspections, within the viewer's scope, from the counters kept with the findings.

use bastion_core::permission::perm;

use crate::dashboard::{grouped, DashboardSource, Figure, Section};
use crate::{App, AppResult, Ctx};

pub(crate) const DASHBOARD: DashboardSource =
    DashboardSource { feature: "inspection", section: |app, ctx| Box::pin(app.inspection_section(ctx)) };

pub(crate) const REPORT: crate::report::ReportSource = crate::report::ReportSource {
    feature: "inspection",
    title: "督导检查",
    read: perm::INSPECTION_READ,
    owner: perm::CIRCULAR_WRITE,
    sentences: crate::report::plain_sentences,
    day_figures: Some(|app, day| Box::pin(app.inspection_day_figures(day))),
};

const TITLE: &str = "督导检查";

impl App {
    /// A day's inspections across the bureau, from the daily counters.
    async fn inspection_day_figures(&self, day: jiff::civil::Date) -> AppResult<Vec<(String, i64)>> {
        let start = crate::inspection::day_start_ms(day);
        let end = crate::inspection::day_start_ms(day.tomorrow().unwrap_or(day));
        let n: i64 = self.store.inspection_stats(start, end, None).await?.iter().map(|s| s.inspections).sum();
        Ok(vec![("检查（次）".into(), n)])
    }

    async fn inspection_section(&self, ctx: &Ctx) -> AppResult<Section> {
        let Ok(scope) = ctx.scope(perm::INSPECTION_READ) else { return Ok(Section::refused("inspection", TITLE)) };
        let units = self.visible_units(&scope).await?;
        let f = self.store.finding_states(units.as_deref(), bastion_core::time::now_ms()).await?;
        let (open, overdue, rectified) = (f.open, f.overdue, f.rectified);
        let today = bastion_core::time::today();
        let checks: i64 = self.inspection_stats(ctx, today, today).await?.iter().map(|s| s.inspections).sum();
        Ok(Section::of(
            "inspection",
            TITLE,
            vec![
                Figure::new("今日检查", grouped(checks), "/inspections"),
                Figure::new("待整改问题", grouped(open), "/inspections/findings?status=open"),
                Figure::new("逾期未整改", grouped(overdue), "/inspections/findings?overdue=true").alert_if(overdue > 0),
                Figure::new("待复查", grouped(rectified), "/inspections/findings?status=rectified"),
            ],
        ))
    }
}
