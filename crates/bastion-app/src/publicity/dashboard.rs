//! Publicity's part of the command dashboard: reads today and in all (site views and the reads
//! recorded from outside channels).

use bastion_core::permission::perm;

use crate::dashboard::{grouped, DashboardSource, Figure, Section};
use crate::{App, AppResult, Ctx};

pub(crate) const DASHBOARD: DashboardSource =
    DashboardSource { feature: "publicity", section: |app, ctx| Box::pin(app.publicity_section(ctx)) };

pub(crate) const REPORT: crate::report::ReportSource = crate::report::ReportSource {
    feature: "publicity",
    title: "宣传报道",
    read: perm::PUBLICITY_READ,
    owner: perm::PUBLICITY_WRITE,
    sentences: crate::report::plain_sentences,
    day_figures: Some(|app, day| Box::pin(app.publicity_day_figures(day))),
};

const TITLE: &str = "宣传报道";

impl App {
    /// A day's reads on the site and on outside channels, from the daily counters.
    async fn publicity_day_figures(&self, day: jiff::civil::Date) -> AppResult<Vec<(String, i64)>> {
        let day = day.to_string();
        let t = self.store.read_totals(&day).await?;
        let (site, outside) =
            t.trend.iter().filter(|(d, _, _)| *d == day).fold((0, 0), |a, (_, s, o)| (a.0 + s, a.1 + o));
        Ok(vec![("网站阅读".into(), site), ("外部渠道阅读".into(), outside)])
    }

    async fn publicity_section(&self, ctx: &Ctx) -> AppResult<Section> {
        if !ctx.can(perm::PUBLICITY_READ) {
            return Ok(Section::refused("publicity", TITLE));
        }
        let t = self.read_totals(ctx).await?;
        let outside: i64 = t.channels.iter().map(|(_, n)| n).sum();
        let today = bastion_core::time::today().to_string();
        let today_reads = t.trend.iter().filter(|(d, _, _)| *d == today).map(|(_, s, o)| s + o).sum::<i64>();
        Ok(Section::of(
            "publicity",
            TITLE,
            vec![
                Figure::new("累计阅读", grouped(t.site + outside), "/publicity/dashboard"),
                Figure::new("今日阅读", grouped(today_reads), "/publicity/dashboard"),
            ],
        ))
    }
}
