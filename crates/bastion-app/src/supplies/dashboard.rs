//! Supplies' part of the command dashboard: stock points below their minimum days of supply.

use bastion_core::permission::perm;

use crate::dashboard::{DashboardSource, Figure, Row, Section};
use crate::{App, AppResult, Ctx};

pub(crate) const DASHBOARD: DashboardSource =
    DashboardSource { feature: "supplies", section: |app, ctx| Box::pin(app.supplies_section(ctx)) };

pub(crate) const REPORT: crate::report::ReportSource = crate::report::ReportSource {
    feature: "supplies",
    title: "防护物资",
    read: perm::SUPPLY_READ,
    owner: perm::SUPPLY_MOVE,
    sentences: crate::report::plain_sentences,
    day_figures: Some(|app, day| Box::pin(app.supplies_day_figures(day))),
};

const TITLE: &str = "防护物资";

impl App {
    /// A day's pieces issued and transferred, from the daily outflow counters.
    async fn supplies_day_figures(&self, day: jiff::civil::Date) -> AppResult<Vec<(String, i64)>> {
        let start = day.to_zoned(bastion_core::time::beijing()).map(|z| z.timestamp().as_millisecond()).unwrap_or(0);
        let (issued, sent) = self.store.supply_outflow_of_day(start).await?;
        Ok(vec![("发放（件）".into(), issued), ("调拨（件）".into(), sent)])
    }

    async fn supplies_section(&self, ctx: &Ctx) -> AppResult<Section> {
        if !ctx.can(perm::SUPPLY_READ) {
            return Ok(Section::refused("supplies", TITLE));
        }
        let lines = self.supply_forecast(ctx).await?;
        let short: Vec<_> = lines.iter().filter(|l| l.below_minimum).collect();
        let least = lines
            .iter()
            .filter_map(|l| l.days_of_supply)
            .fold(None, |m: Option<f64>, d| Some(m.map_or(d, |m| m.min(d))));
        let mut s = Section::of(
            "supplies",
            TITLE,
            vec![
                Figure::new("低于最低保障天数", short.len(), "/supplies").alert_if(!short.is_empty()),
                Figure::new(
                    "最短保障天数",
                    least.map(|d| format!("{d:.1} 天")).unwrap_or_else(|| "—".into()),
                    "/supplies",
                ),
            ],
        );
        s.columns = vec!["物资".into(), "保障天数".into()];
        s.rows = short
            .iter()
            .map(|l| Row {
                name: l.store_name.clone(),
                cells: vec![l.item_name.clone(), l.days_of_supply.map(|d| format!("{d:.1}")).unwrap_or_default()],
                href: "/supplies".into(),
                alert: true,
            })
            .collect();
        Ok(s)
    }
}
