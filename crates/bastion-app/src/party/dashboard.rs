//! The party's part of the command dashboard: members at the front today, the assault teams and
//! today's mission results, within the viewer's scope.

use bastion_core::permission::perm;

use crate::dashboard::{grouped, DashboardSource, Figure, Row, Section};
use crate::{App, AppResult, Ctx};

pub(crate) const DASHBOARD: DashboardSource =
    DashboardSource { feature: "party", section: |app, ctx| Box::pin(app.party_section(ctx)) };

pub(crate) const REPORT: crate::report::ReportSource = crate::report::ReportSource {
    feature: "party",
    title: "党员在一线",
    read: perm::PARTY_ORG_READ,
    owner: perm::PARTY_ORG_WRITE,
    sentences: crate::report::plain_sentences,
    day_figures: Some(|app, day| Box::pin(app.party_day_figures(day))),
};

const TITLE: &str = "党员在一线";

impl App {
    /// A day's mission results of every assault team, as entered for that day.
    async fn party_day_figures(&self, day: jiff::civil::Date) -> AppResult<Vec<(String, i64)>> {
        let t = self.store.results_of_day(&day.to_string()).await?;
        Ok(vec![
            ("摸底排查（户）".into(), t.households),
            ("巡逻（次）".into(), t.patrols),
            ("交通查控（次）".into(), t.traffic_stops),
            ("处置案件（起）".into(), t.cases),
            ("劝导（人）".into(), t.persuaded),
        ])
    }

    async fn party_section(&self, ctx: &Ctx) -> AppResult<Section> {
        if !ctx.can(perm::PARTY_ORG_READ) {
            return Ok(Section::refused("party", TITLE));
        }
        let o = self.party_overview(ctx).await?;
        let teams = self.teams(ctx).await?;
        let today = bastion_core::time::today().to_string();
        let mut figures = vec![
            Figure::new("今日在一线党员", grouped(o.front_total), "/party"),
            Figure::new("党员总数", grouped(o.members_total), "/party"),
            Figure::new("党员突击队", teams.len(), "/party/teams"),
            Figure::new("突击队员", grouped(teams.iter().map(|t| t.team.members).sum()), "/party/teams"),
        ];
        let day: Vec<_> = teams.iter().flat_map(|t| t.days.iter().filter(|d| d.day == today)).collect();
        let sum = |f: fn(&bastion_store::party::Totals) -> i64| grouped(day.iter().map(|d| f(&d.totals)).sum());
        figures.push(Figure::new("今日摸底排查（户）", sum(|t| t.households), "/party/teams"));
        figures.push(Figure::new("今日劝导（人）", sum(|t| t.persuaded), "/party/teams"));
        let mut s = Section::of("party", TITLE, figures);
        s.columns = vec!["队员".into(), "累计排查（户）".into()];
        s.rows = teams
            .iter()
            .map(|t| Row {
                name: t.team.name.clone(),
                cells: vec![grouped(t.team.members), grouped(t.team.totals.households)],
                href: "/party/teams".into(),
                alert: false,
            })
            .collect();
        Ok(s)
    }
}
