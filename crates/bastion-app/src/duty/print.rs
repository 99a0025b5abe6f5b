//! Duty's printables, laid out by the document engine: the operation's command structure (A4
//! landscape, a table per kind of group: remit, leader, deputies, members) and a day's desk log.

use bastion_core::duty::{GroupKind, GroupRole};
use bastion_doc::{Block, Document};

use crate::{App, AppResult, Ctx};

/// The date as printed on a document: 2026年12月6日.
pub(super) fn printed(day: &str) -> String {
    jiff::civil::Date::strptime("%Y-%m-%d", day)
        .map(|d| format!("{}年{}月{}日", d.year(), d.month(), d.day()))
        .unwrap_or_else(|_| day.to_string())
}

impl App {
    /// The command structure of an operation as a PDF (A4 landscape), for the wall of the HQ.
    pub async fn command_chart_pdf(&self, ctx: &Ctx, operation: Option<&str>) -> AppResult<Vec<u8>> {
        let view = self.command_structure(ctx, operation).await?;
        let office = Some(self.bureau_name().await?).filter(|n| !n.is_empty());
        let names = |g: &crate::duty::command::GroupView, role: GroupRole| {
            let v: Vec<String> = g
                .members
                .iter()
                .filter(|m| m.role == role)
                .map(|m| match &m.position {
                    Some(p) if !p.is_empty() => format!("{}（{p}）", m.name),
                    _ => m.name.clone(),
                })
                .collect();
            if v.is_empty() {
                "—".to_string()
            } else {
                v.join("、")
            }
        };
        let mut blocks = Vec::new();
        for kind in [GroupKind::Leading, GroupKind::Hq, GroupKind::Work] {
            let groups: Vec<_> = view.groups.iter().filter(|g| g.group.kind == kind).collect();
            if groups.is_empty() {
                continue;
            }
            blocks.push(Block::Heading(kind.zh().to_string()));
            blocks.push(Block::Table {
                columns: ["组别", "职责", "组长", "副组长", "成员"].map(String::from).to_vec(),
                rows: groups
                    .iter()
                    .map(|g| {
                        vec![
                            g.group.name.clone(),
                            g.group.remit.clone(),
                            names(g, GroupRole::Leader),
                            names(g, GroupRole::Deputy),
                            names(g, GroupRole::Member),
                        ]
                    })
                    .collect(),
            });
        }
        if blocks.is_empty() {
            blocks.push(Block::Paragraph("本行动尚未建立指挥体系。".into()));
        }
        let today = bastion_core::time::today().to_string();
        let doc = Document {
            title: format!("{}指挥体系", view.operation_name),
            issuer: office.clone(),
            blocks,
            signer: office,
            date: Some(printed(&today)),
            landscape: true,
            ..Document::default()
        };
        self.render_pdf(doc).await
    }

    /// A day's desk log as a PDF: every entry in order, corrections named, the important marked.
    pub async fn desk_log_pdf(&self, ctx: &Ctx, day: Option<&str>) -> AppResult<Vec<u8>> {
        let (day, entries) = self.desk_log(ctx, day).await?;
        let rows: Vec<Vec<String>> = entries
            .iter()
            .map(|e| {
                let mut body = e.body.clone();
                if let Some(c) = e.corrects {
                    body = format!("（更正第 {} 条）{body}", c.0);
                }
                vec![
                    e.id.0.to_string(),
                    bastion_core::time::fmt_ms(e.at).get(11..).unwrap_or_default().to_string(),
                    e.category.zh().to_string(),
                    if e.important { "重要".into() } else { String::new() },
                    body,
                    e.author.clone(),
                ]
            })
            .collect();
        let blocks = if rows.is_empty() {
            vec![Block::Paragraph("当日没有值班日志记录。".into())]
        } else {
            vec![
                Block::Paragraph(format!("共 {} 条记录。", rows.len())),
                Block::Table {
                    columns: ["序号", "时间", "类别", "重要", "内容", "记录人"].map(String::from).to_vec(),
                    rows,
                },
            ]
        };
        let doc = Document {
            title: format!("{}值班日志", printed(&day)),
            blocks,
            date: Some(printed(&bastion_core::time::today().to_string())),
            ..Document::default()
        };
        self.render_pdf(doc).await
    }
}
