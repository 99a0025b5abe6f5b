//! A candidate's membership dossier (发展党员档案) as a .docx to print and file: who they are,
//! every step with its date, note and who recorded it, the training, an admission at the front
//! with its approval, and the next steps with their earliest dates or the rule that blocks them.

use bastion_core::permission::perm;
use bastion_doc::{Block, Document};
use bastion_store::party::CandidateId;

use crate::{App, AppResult, Ctx};

impl App {
    /// The dossier of one candidate of a branch in the caller's scope: (bytes, file name).
    pub async fn candidate_dossier(&self, ctx: &Ctx, id: CandidateId) -> AppResult<(Vec<u8>, String)> {
        let c = self.candidate_in_scope(ctx, perm::PARTY_PIPELINE_WRITE, id).await?;
        let row = super::pipeline_row(c);
        let c = &row.candidate;
        let mut blocks = vec![
            Block::Heading("一、基本情况".into()),
            Block::Table {
                columns: vec!["项目".into(), "内容".into()],
                rows: vec![
                    vec!["姓名".into(), c.name.clone()],
                    vec!["警号".into(), c.police_no.clone()],
                    vec!["单位".into(), c.unit_name.clone()],
                    vec!["出生日期".into(), c.birth_date.clone().unwrap_or_else(|| "—".into())],
                    vec!["所在支部".into(), c.branch_name.clone()],
                    vec!["当前阶段".into(), c.stage.zh().into()],
                    vec!["集中培训".into(), format!("{} 天，{} 学时", c.training_days, c.training_hours)],
                ],
            },
            Block::Heading("二、发展程序".into()),
        ];
        if c.steps.is_empty() {
            blocks.push(Block::Paragraph("尚无记录。".into()));
        } else {
            blocks.push(Block::Table {
                columns: ["步骤", "日期", "说明", "经办", "免除的规则"].map(String::from).to_vec(),
                rows: c
                    .steps
                    .iter()
                    .map(|s| {
                        vec![
                            s.step.zh().into(),
                            s.on_date.clone(),
                            s.note.clone().unwrap_or_default(),
                            s.recorded_by.clone(),
                            s.waived.clone().unwrap_or_default(),
                        ]
                    })
                    .collect(),
            });
        }
        if let Some(doc_no) = &c.waiver_doc_no {
            blocks.push(Block::Heading("三、火线入党".into()));
            blocks.push(Block::Paragraph(format!(
                "经党委批准（{doc_no}），理由：{}；免除的规则：{}。",
                c.waiver_reason.clone().unwrap_or_default(),
                c.waiver_rules.clone().unwrap_or_default()
            )));
        }
        blocks.push(Block::Heading(format!("{}、下一步", if c.waiver_doc_no.is_some() { "四" } else { "三" })));
        if row.next.is_empty() {
            blocks.push(Block::Paragraph("发展程序已完成。".into()));
        } else {
            blocks.push(Block::Table {
                columns: ["步骤", "最早可办日期", "情况"].map(String::from).to_vec(),
                rows: row
                    .next
                    .iter()
                    .map(|n| {
                        let state = match (&n.blocked, n.possible_now) {
                            (Some(why), _) => why.clone(),
                            (None, true) => "现在可以办理".into(),
                            (None, false) => String::new(),
                        };
                        vec![n.step.zh().into(), n.earliest.clone().unwrap_or_else(|| "—".into()), state]
                    })
                    .collect(),
            });
        }
        let today = bastion_core::time::today();
        let doc = Document {
            title: format!("发展党员档案（{}）", c.name),
            issuer: Some(c.branch_name.clone()),
            blocks,
            signer: Some(c.branch_name.clone()),
            date: Some(format!("{}年{}月{}日", today.year(), today.month(), today.day())),
            ..Document::default()
        };
        let bytes = bastion_doc::to_docx(&doc).map_err(crate::printing::doc_error)?;
        Ok((bytes, format!("dossier-{}.docx", c.police_no)))
    }
}
