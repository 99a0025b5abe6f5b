//! Circulars (督导通报): drafted from a period's inspections and findings with the figures filled
//! in, edited by the drafter, published by a commander other than the drafter; then every account
//! that reads inspections sees it.

use bastion_core::error::text;
use bastion_core::permission::perm;
use bastion_core::FieldError;
use bastion_store::inspection::{Circular, CircularId, FindingFilter};
use serde::{Deserialize, Serialize};

use crate::{App, AppError, AppResult, Ctx};

/// The period of a circular to draft, or a draft's new title and body.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
pub struct CircularInput {
    #[schemars(extend("format" = "date"))]
    pub from: String,
    #[schemars(extend("format" = "date"))]
    pub to: String,
    pub title: String,
    pub body: String,
}

impl App {
    /// Published circulars for readers; drafts too for those who draft or publish them.
    pub async fn circulars(&self, ctx: &Ctx) -> AppResult<Vec<Circular>> {
        ctx.scope(perm::INSPECTION_READ)?;
        let drafts = ctx.can(perm::CIRCULAR_WRITE) || ctx.can(perm::CIRCULAR_APPROVE);
        Ok(self.store.circulars().await?.into_iter().filter(|c| drafts || c.status == "published").collect())
    }

    /// The issuing office printed on a circular's red header: the bureau (the root unit).
    pub async fn circular_office(&self, ctx: &Ctx) -> AppResult<String> {
        ctx.scope(perm::INSPECTION_READ)?;
        self.bureau_name().await
    }

    pub async fn circular(&self, ctx: &Ctx, id: CircularId) -> AppResult<Circular> {
        self.circulars(ctx)
            .await?
            .into_iter()
            .find(|c| c.id == id)
            .ok_or_else(|| AppError::NotFound("通报不存在".into()))
    }

    /// Draft the circular of a period from what was recorded in it.
    pub async fn draft_circular(&self, ctx: &Ctx, v: &CircularInput) -> AppResult<CircularId> {
        ctx.scope(perm::CIRCULAR_WRITE)?;
        let mut e = Vec::new();
        let from = bastion_core::time::parse_date("起始日期", &v.from).map_err(|x| e.push(x)).ok();
        let to = bastion_core::time::parse_date("截止日期", &v.to).map_err(|x| e.push(x)).ok();
        let (Some(from), Some(to)) = (from, to) else { return Err(AppError::Invalid(e)) };
        if to < from {
            return Err(AppError::invalid(FieldError::new("截止日期", "截止日期不能早于起始日期")));
        }
        if to > bastion_core::time::today() {
            return Err(AppError::invalid(FieldError::new("截止日期", "截止日期不能晚于今天")));
        }
        let stats = self
            .store
            .inspection_stats(super::day_start_ms(from), super::day_start_ms(to.tomorrow().unwrap_or(to)), None)
            .await?;
        let now = bastion_core::time::now_ms();
        let overdue =
            self.store.findings(&FindingFilter { overdue_at: Some(now), ..FindingFilter::default() }, 100, 0).await?.0;
        let sum = |f: fn(&bastion_store::inspection::UnitStat) -> i64| stats.iter().map(f).sum::<i64>();
        let (checks, found, critical, major, minor) =
            (sum(|s| s.inspections), sum(|s| s.findings), sum(|s| s.critical), sum(|s| s.major), sum(|s| s.minor));
        let closed = sum(|s| s.on_time);
        let mut body = format!(
            "一、基本情况\n{from}至{to}，督导组共检查岗位 {checks} 次，发现问题 {found} 个（严重 {critical} 个、较重 {major} 个、一般 {minor} 个），按期整改销号 {closed} 个，目前逾期未整改 {} 个。\n\n二、各单位情况\n",
            overdue.len()
        );
        if stats.is_empty() {
            body.push_str("本期无检查记录。\n");
        }
        for (i, s) in stats.iter().enumerate() {
            body.push_str(&format!(
                "{}. {}：检查 {} 次，发现问题 {} 个，按期整改 {} 个，逾期 {} 个，尚未整改 {} 个。\n",
                i + 1,
                s.unit_name,
                s.inspections,
                s.findings,
                s.on_time,
                s.overdue,
                s.open
            ));
        }
        body.push_str("\n三、逾期未整改问题\n");
        if overdue.is_empty() {
            body.push_str("无。\n");
        }
        for (i, f) in overdue.iter().enumerate() {
            body.push_str(&format!(
                "（{}）{}·{}：{}（{}，整改期限 {}）\n",
                i + 1,
                f.unit_name,
                f.post_name,
                f.text,
                f.severity.zh(),
                bastion_core::time::fmt_ms(f.deadline_at)
            ));
        }
        body.push_str("\n四、工作要求\n各单位要对照问题清单逐项整改，举一反三，整改情况在系统中填报，由督导组复查销号；逾期未整改的，由单位主要负责人向指挥部说明情况。\n");
        let year = to.year();
        let n = self.store.circulars().await?.iter().filter(|c| c.doc_no.contains(&format!("〔{year}〕"))).count() + 1;
        let c = Circular {
            id: CircularId(0),
            doc_no: format!("督查通报〔{year}〕{n}号"),
            title: format!("关于{from}至{to}督导检查情况的通报"),
            period_from: from.to_string(),
            period_to: to.to_string(),
            body,
            status: "draft".into(),
            drafted_by: ctx.username.clone(),
            approved_by: None,
            created_at: now,
            approved_at: None,
        };
        let mut tx = self.store.begin().await?;
        let id = self.store.insert_circular(&mut tx, &c).await?;
        self.audit(&mut tx, ctx, "inspection", "起草督导通报", &format!("circular:{} {}", id.0, c.doc_no), &c.title)
            .await?;
        bastion_store::commit(tx).await?;
        Ok(id)
    }

    /// Change a draft's title and body.
    pub async fn edit_circular(&self, ctx: &Ctx, id: CircularId, v: &CircularInput) -> AppResult<()> {
        ctx.scope(perm::CIRCULAR_WRITE)?;
        let mut e = Vec::new();
        let title = text("标题", &v.title, 4, 100).map_err(|x| e.push(x)).ok();
        let body = bastion_core::error::multiline("正文", &v.body, 10, 20_000).map_err(|x| e.push(x)).ok();
        let (Some(title), Some(body)) = (title, body) else { return Err(AppError::Invalid(e)) };
        let c = self.store.circular(id).await.map_err(|_| AppError::NotFound("通报不存在".into()))?;
        if c.status != "draft" {
            return Err(AppError::Conflict("通报已发布，不能再修改".into()));
        }
        let mut tx = self.store.begin().await?;
        self.store.update_circular(&mut tx, id, &title, &body).await?;
        self.audit(&mut tx, ctx, "inspection", "修改督导通报", &format!("circular:{} {}", id.0, c.doc_no), &title)
            .await?;
        bastion_store::commit(tx).await?;
        Ok(())
    }

    /// Publish a draft: a commander other than its drafter.
    pub async fn publish_circular(&self, ctx: &Ctx, id: CircularId) -> AppResult<()> {
        ctx.scope(perm::CIRCULAR_APPROVE)?;
        let c = self.store.circular(id).await.map_err(|_| AppError::NotFound("通报不存在".into()))?;
        if c.status != "draft" {
            return Err(AppError::Conflict("通报已发布".into()));
        }
        if c.drafted_by == ctx.username {
            return Err(AppError::Forbidden("通报须由起草人以外的领导审批发布".into()));
        }
        let mut tx = self.store.begin().await?;
        self.store.publish_circular(&mut tx, id, &ctx.username).await?;
        self.audit(&mut tx, ctx, "inspection", "发布督导通报", &format!("circular:{} {}", id.0, c.doc_no), &c.title)
            .await?;
        bastion_store::commit(tx).await?;
        Ok(())
    }
    /// A circular as a document to print or send (PDF) or to edit further (.docx), in the layout
    /// of an official document: the office's red header, the number, the title, the addressee,
    /// the body (its "一、…" lines as headings), the office and the date.
    pub async fn circular_document(&self, ctx: &Ctx, id: CircularId) -> AppResult<bastion_doc::Document> {
        let c = self.circular(ctx, id).await?;
        let office = self.circular_office(ctx).await?;
        let heading = |l: &str| {
            let mut ch = l.chars();
            matches!(ch.next(), Some('一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十'))
                && l.contains('、')
                && l.chars().count() <= 20
        };
        let blocks = c
            .body
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                if heading(l) {
                    bastion_doc::Block::Heading(l.into())
                } else {
                    bastion_doc::Block::Paragraph(l.into())
                }
            })
            .collect();
        let date = c.approved_at.map(|at| {
            let d = jiff::Timestamp::from_millisecond(at).map(|t| t.to_zoned(bastion_core::time::beijing()).date());
            d.map(|d| format!("{}年{}月{}日", d.year(), d.month(), d.day())).unwrap_or_default()
        });
        Ok(bastion_doc::Document {
            title: c.title.clone(),
            issuer: Some(office.clone()),
            number: Some(c.doc_no.clone()),
            addressee: Some("各派出所、各大队、指挥部各工作组：".into()),
            blocks,
            signer: Some(office),
            date: Some(date.unwrap_or_else(|| "（草稿，未发布）".into())),
            landscape: false,
        })
    }

    /// A circular as a file: (bytes, file name, MIME type); `format` is `pdf` or `docx`.
    pub async fn export_circular(
        &self,
        ctx: &Ctx,
        id: CircularId,
        format: &str,
    ) -> AppResult<(Vec<u8>, String, &'static str)> {
        let doc = self.circular_document(ctx, id).await?;
        match format {
            "pdf" => Ok((self.render_pdf(doc).await?, format!("circular-{}.pdf", id.0), "application/pdf")),
            "docx" => Ok((
                bastion_doc::to_docx(&doc).map_err(crate::printing::doc_error)?,
                format!("circular-{}.docx", id.0),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            )),
            _ => Err(AppError::invalid(FieldError::new("格式", "导出格式只能是 pdf 或 docx"))),
        }
    }
}
