//! Checkpoints' part of the command dashboard: today's passes and fevers from the hourly
//! counters, open fever cases, one line per checkpoint.

use bastion_core::permission::perm;

use crate::dashboard::{grouped, DashboardSource, Figure, Row, Section};
use crate::{App, AppResult, Ctx};

pub(crate) const DASHBOARD: DashboardSource =
    DashboardSource { feature: "checkpoint", section: |app, ctx| Box::pin(app.checkpoint_section(ctx)) };

const TITLE: &str = "卡点测温（今日）";

impl App {
    async fn checkpoint_section(&self, ctx: &Ctx) -> AppResult<Section> {
        if !ctx.can(perm::CHECKPOINT_READ) {
            return Ok(Section::refused("checkpoint", TITLE));
        }
        let list = self.checkpoints(ctx).await?;
        let (today, fevers, hour) =
            list.iter().fold((0, 0, 0), |a, (_, c)| (a.0 + c.today, a.1 + c.today_fevers, a.2 + c.this_hour));
        // Every figure links to a list the viewer may open.
        let fever_list = if ctx.can(perm::SCREENING_READ) { "/checkpoints/fever" } else { "/checkpoints" };
        let mut figures = vec![
            Figure::new("今日登记（人次）", grouped(today), "/checkpoints"),
            Figure::new("今日发热", grouped(fevers), fever_list).alert_if(fevers > 0),
            Figure::new("本小时登记", grouped(hour), "/checkpoints"),
        ];
        // Open cases only for those who may read screenings (their checkpoints).
        if let Ok(scope) = ctx.scope(perm::SCREENING_READ) {
            let ids: Vec<_> =
                list.iter().filter(|(c, _)| crate::in_scope(&scope, &c.unit_path, None)).map(|(c, _)| c.id).collect();
            let open = self.store.fever_cases(Some(&ids), true).await?.len() as i64;
            figures.push(Figure::new("未结发热病例", grouped(open), "/checkpoints/fever").alert_if(open > 0));
        }
        let mut s = Section::of("checkpoint", TITLE, figures);
        s.columns = vec!["今日".into(), "发热".into(), "本小时".into()];
        s.rows = list
            .iter()
            .map(|(c, n)| Row {
                name: c.name.clone(),
                cells: vec![grouped(n.today), grouped(n.today_fevers), grouped(n.this_hour)],
                href: format!("/checkpoints/{}", c.id.0),
                alert: n.today_fevers > 0,
            })
            .collect();
        Ok(s)
    }
}
