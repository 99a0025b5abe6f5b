//! Checkpoints' part of the command dashboard: today's passes and fevers from the hourly
//! counters, open fever cases, one line per checkpoint.

use bastion_core::permission::perm;

use crate::dashboard::{grouped, DashboardSource, Figure, Row, Section};
use crate::{App, AppResult, Ctx};

pub(crate) const DASHBOARD: DashboardSource =
    DashboardSource { feature: "checkpoint", section: |app, ctx| Box::pin(app.checkpoint_section(ctx)) };

pub(crate) const REPORT: crate::report::ReportSource = crate::report::ReportSource {
    feature: "checkpoint",
    title: "卡点测温",
    read: perm::CHECKPOINT_READ,
    owner: perm::FEVER_WRITE,
    sentences: report_sentences,
    day_figures: Some(|app, day| Box::pin(app.checkpoint_day_figures(day))),
};

/// A checkpoint's post on duty boards and the schematic: its fever cases not yet closed (a count,
/// no person named).
pub(crate) const POST_TAGS: crate::duty::PostTagSource =
    crate::duty::PostTagSource { feature: "卡点测温", tags: |app, ids| Box::pin(app.checkpoint_post_tags(ids)) };

const TITLE: &str = "卡点测温（今日）";
const PASSES: &str = "今日登记（人次）";
const FEVERS: &str = "今日发热";
const OPEN: &str = "未结发热病例";

/// 今日全县 5 个卡点共登记 1,234 人次，发现发热 3 人，……
fn report_sentences(s: &Section) -> Vec<String> {
    let Some(f) = &s.figures else { return Vec::new() };
    let value = |label: &str| f.iter().find(|x| x.label == label).map(|x| x.value.clone());
    let (Some(passes), Some(fevers)) = (value(PASSES), value(FEVERS)) else { return Vec::new() };
    let mut out = format!("今日全县 {} 个卡点共登记 {passes} 人次，", s.rows.len());
    if fevers == "0" {
        out.push_str("未发现发热人员");
    } else {
        out.push_str(&format!("发现发热 {fevers} 人"));
    }
    match value(OPEN).as_deref() {
        Some("0") => out.push_str("，发热病例均已处置完毕。"),
        Some(open) => out.push_str(&format!("，尚有 {open} 例发热病例未结。")),
        None => out.push('。'),
    }
    vec![out]
}

impl App {
    async fn checkpoint_post_tags(&self, posts: &[crate::duty::Post]) -> AppResult<Vec<crate::duty::PostTag>> {
        let posts: Vec<_> = posts.iter().filter_map(|p| p.checkpoint_id.map(|c| (p.id, c))).collect();
        if posts.is_empty() {
            return Ok(Vec::new());
        }
        let checkpoints: Vec<_> = posts.iter().map(|(_, c)| bastion_store::checkpoint::CheckpointId(*c)).collect();
        let open = self.store.fever_cases(Some(&checkpoints), true).await?;
        let mut open_at: std::collections::HashMap<i64, usize> = std::collections::HashMap::new();
        for case in &open {
            *open_at.entry(case.checkpoint_id.0).or_default() += 1;
        }
        Ok(posts
            .into_iter()
            .filter_map(|(post, cp)| {
                let n = open_at.get(&cp).copied().unwrap_or(0);
                (n > 0).then(|| crate::duty::PostTag {
                    post_id: post,
                    feature: "卡点测温".into(),
                    label: format!("发热病例待处置 {n} 例"),
                    detail: "请按发热处置流程转运并结案".into(),
                    alert: true,
                })
            })
            .collect())
    }

    /// A day's passes and fevers at every checkpoint, from the hourly counters.
    async fn checkpoint_day_figures(&self, day: jiff::civil::Date) -> AppResult<Vec<(String, i64)>> {
        let start = day.to_zoned(bastion_core::time::beijing()).map(|z| z.timestamp().as_millisecond()).unwrap_or(0);
        let (passes, fevers) = self.store.counts_between(start, start + 24 * 3600 * 1000).await?;
        Ok(vec![("登记（人次）".into(), passes), ("发热".into(), fevers)])
    }

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
            Figure::new(PASSES, grouped(today), "/checkpoints"),
            Figure::new(FEVERS, grouped(fevers), fever_list).alert_if(fevers > 0),
            Figure::new("本小时登记", grouped(hour), "/checkpoints"),
        ];
        // Open cases only for those who may read screenings (their checkpoints).
        if let Ok(scope) = ctx.scope(perm::SCREENING_READ) {
            let ids: Vec<_> =
                list.iter().filter(|(c, _)| crate::in_scope(&scope, &c.unit_path, None)).map(|(c, _)| c.id).collect();
            let open = self.store.fever_cases(Some(&ids), true).await?.len() as i64;
            figures.push(Figure::new(OPEN, grouped(open), "/checkpoints/fever").alert_if(open > 0));
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
