//! The daily report (每日战报): the day's figures of every feature, assembled from the same
//! sections as the command dashboard (the bureau-wide view, whoever asks), with short generated
//! sentences; section owners add their text; a commander signs it off. Signing freezes it: its
//! content is never written again, its hash goes into the audit chain, and a digest (counts
//! only) goes to the chat-bot groups. Late data for a signed day is noted as a correction in the
//! next day's report. A feature adds its part through [`SOURCES`], never by editing this file's
//! logic.

mod export;

use std::future::Future;
use std::pin::Pin;

use bastion_core::error::opt_multiline;
use bastion_core::permission::perm;
use bastion_core::time::{now_ms, today};
use bastion_store::notify::Source;
use bastion_store::report::ReportRow;
pub use bastion_store::report::{ReportId, ReportNote};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::dashboard::{Figure, Row, Section};
use crate::notify::Sender;
use crate::{App, AppError, AppResult, Ctx, RowScope};

pub use export::{title_of, ExportFormat};

type Fut<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
/// A feature's counts of one past day, recomputed from its daily counters (label, count).
pub type DayFiguresFn = for<'a> fn(&'a App, Date) -> Fut<'a, AppResult<Vec<(String, i64)>>>;

/// A feature's part of the daily report: its dashboard section, and these.
pub struct ReportSource {
    pub feature: &'static str,
    /// The section's title in a report made from day counters (the dashboard's title names the
    /// present, e.g. 今日, 当前班次).
    pub title: &'static str,
    /// Who may read the section (a reader without it sees the section marked, not zeros).
    pub read: &'static str,
    /// Whose section it is: who holds this bureau-wide (and may write the report) adds its text.
    pub owner: &'static str,
    /// The generated sentences of the section's figures.
    pub sentences: fn(&Section) -> Vec<String>,
    /// Counts of a given day from daily counters, for the late corrections of a signed day.
    pub day_figures: Option<DayFiguresFn>,
}

/// Every feature's part of the report, in the dashboard's order.
pub const SOURCES: &[ReportSource] = &[
    crate::recall::REPORT,
    crate::org::REPORT,
    crate::checkpoint::REPORT,
    crate::duty::REPORT,
    crate::supplies::REPORT,
    crate::party::REPORT,
    crate::inspection::REPORT,
    crate::publicity::REPORT,
];

pub(crate) const NOTIFY_SENDER: Sender =
    Sender { feature: "report", name: "每日战报", personal_text: None, after_attempt: None };

/// The sentences of a section that has no words of its own: its figures in a row.
pub fn plain_sentences(s: &Section) -> Vec<String> {
    match &s.figures {
        Some(f) if !f.is_empty() => {
            let parts: Vec<String> = f.iter().map(|f| format!("{} {}", f.label, f.value)).collect();
            vec![format!("{}：{}。", s.title, parts.join("，"))]
        }
        _ => Vec::new(),
    }
}

/// A section as assembled and frozen.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema, PartialEq, Eq)]
pub struct Frozen {
    pub feature: String,
    pub title: String,
    /// `None`: the feature was not readable when assembled.
    pub figures: Option<Vec<FrozenFigure>>,
    pub columns: Vec<String>,
    pub rows: Vec<FrozenRow>,
    pub sentences: Vec<String>,
    /// The day's counts from daily counters (for later corrections).
    pub day_figures: Vec<(String, i64)>,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema, PartialEq, Eq)]
pub struct FrozenFigure {
    pub label: String,
    pub value: String,
    pub href: String,
    pub alert: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema, PartialEq, Eq)]
pub struct FrozenRow {
    pub name: String,
    pub cells: Vec<String>,
}

impl Frozen {
    fn of(s: &Section, sentences: Vec<String>, day_figures: Vec<(String, i64)>) -> Self {
        let fig = |f: &Figure| FrozenFigure {
            label: f.label.clone(),
            value: f.value.clone(),
            href: f.href.clone(),
            alert: f.alert,
        };
        Self {
            feature: s.feature.into(),
            title: s.title.clone(),
            figures: s.figures.as_ref().map(|v| v.iter().map(fig).collect()),
            columns: s.columns.clone(),
            rows: s.rows.iter().map(|r: &Row| FrozenRow { name: r.name.clone(), cells: r.cells.clone() }).collect(),
            sentences,
            day_figures,
        }
    }
}

/// A late correction: a count of a signed day that changed after it was signed.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema, PartialEq, Eq)]
pub struct Correction {
    pub day: String,
    pub section: String,
    pub label: String,
    pub reported: i64,
    pub now: i64,
}

/// A figure that changed since the day before's report.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema, PartialEq, Eq)]
pub struct Change {
    pub section: String,
    pub label: String,
    pub before: String,
    pub after: String,
    /// `+12`, `-3` when both are counts.
    pub delta: Option<String>,
}

/// One section as a viewer sees it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct SectionView {
    pub feature: String,
    pub title: String,
    /// False: the viewer may not read this feature (shown marked, never as zeros).
    pub readable: bool,
    pub section: Option<Frozen>,
    pub note: Option<ReportNote>,
    /// The viewer may write this section's text now (owner, report still a draft).
    pub may_note: bool,
}

/// A day's report for one viewer.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Report {
    pub id: ReportId,
    pub day: String,
    /// `draft` or `signed`.
    pub status: String,
    pub assembled_by: String,
    pub assembled_at: i64,
    pub signed_by: Option<String>,
    pub signed_at: Option<i64>,
    /// SHA-256 of the signed content (also in the audit chain).
    pub content_hash: Option<String>,
    pub sections: Vec<SectionView>,
    pub corrections: Vec<Correction>,
    /// Against the report of the day before, when there is one.
    pub changes: Vec<Change>,
    pub may_refresh: bool,
    pub may_sign: bool,
    /// The digest's deliveries to the chat-bot groups (retried and logged; a bot that is down
    /// never stops the sign-off).
    pub deliveries: Vec<crate::notify::Delivery>,
    /// The issuing office (the bureau).
    pub office: String,
}

/// One line of the history.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ReportSummary {
    pub day: String,
    pub status: String,
    pub assembled_at: i64,
    pub signed_by: Option<String>,
    pub signed_at: Option<i64>,
    /// Figures that changed against the report before it.
    pub changed: usize,
}

/// A section owner's text as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
pub struct NoteInput {
    #[schemars(length(max = 2000))]
    pub body: String,
}

fn parse_day(raw: &str) -> AppResult<Date> {
    bastion_core::time::parse_date("日期", raw).map_err(AppError::invalid)
}

fn frozen_of(row: &ReportRow) -> AppResult<(Vec<Frozen>, Vec<Correction>)> {
    let bad = |e: serde_json::Error| AppError::Internal(anyhow::anyhow!("战报内容损坏：{e}"));
    Ok((serde_json::from_str(&row.sections).map_err(bad)?, serde_json::from_str(&row.corrections).map_err(bad)?))
}

/// A count as shown (`1,234`) back to a number; `None` for `956/956`, `3.5 天`, text.
fn count(v: &str) -> Option<i64> {
    v.replace(',', "").trim().parse().ok()
}

fn changes(before: &[Frozen], after: &[Frozen]) -> Vec<Change> {
    let mut out = Vec::new();
    for a in after {
        let Some(b) = before.iter().find(|b| b.feature == a.feature) else { continue };
        let (Some(af), Some(bf)) = (&a.figures, &b.figures) else { continue };
        for f in af {
            let Some(old) = bf.iter().find(|o| o.label == f.label) else { continue };
            if old.value != f.value {
                let delta = match (count(&old.value), count(&f.value)) {
                    (Some(o), Some(n)) => Some(format!("{:+}", n - o)),
                    _ => None,
                };
                out.push(Change {
                    section: a.title.clone(),
                    label: f.label.clone(),
                    before: old.value.clone(),
                    after: f.value.clone(),
                    delta,
                });
            }
        }
    }
    out
}

/// What is signed and hashed: the sections, the corrections and the owners' text.
fn signed_content(day: &str, sections: &str, corrections: &str, notes: &[ReportNote]) -> String {
    let notes: Vec<(&str, &str, &str)> =
        notes.iter().map(|n| (n.feature.as_str(), n.body.as_str(), n.written_by.as_str())).collect();
    serde_json::json!({"day": day, "sections": sections, "corrections": corrections, "notes": notes}).to_string()
}

impl App {
    /// The first day a report may be made for: the start of the earliest operation.
    async fn report_first_day(&self) -> AppResult<Date> {
        let ops = self.store.operations().await?;
        let first = ops.iter().map(|o| o.start_date.as_str()).min();
        let Some(first) = first else {
            return Err(AppError::Conflict("尚未建立行动，无法生成战报".into()));
        };
        bastion_core::time::parse_date("行动开始日期", first).map_err(AppError::invalid)
    }

    fn owner_of(ctx: &Ctx, source: &ReportSource) -> bool {
        ctx.can(perm::REPORT_WRITE) && matches!(ctx.scope(source.owner), Ok(RowScope::All))
    }

    /// Assemble (or re-assemble) today's draft from the live figures. A past day with no report
    /// (nobody assembled it that day) is assembled once from the features' daily counters; a past
    /// day keeps the draft it has, since its live figures can no longer be read as they were.
    pub async fn assemble_report(&self, ctx: &Ctx, day: &str) -> AppResult<ReportId> {
        ctx.scope(perm::REPORT_WRITE)?;
        let day = parse_day(day)?;
        self.assemble_report_of(ctx, day).await
    }

    async fn assemble_report_of(&self, ctx: &Ctx, day: Date) -> AppResult<ReportId> {
        let now = today();
        if day > now {
            return Err(AppError::invalid(bastion_core::FieldError::new("日期", "不能为将来的日期生成战报")));
        }
        let first = self.report_first_day().await?;
        if day < first {
            return Err(AppError::invalid(bastion_core::FieldError::new(
                "日期",
                format!("日期早于行动开始日期（{first}），该日没有战报"),
            )));
        }
        let existing = self.store.report_of_day(&day.to_string()).await?;
        if let Some(r) = &existing {
            if r.status == "signed" {
                return Err(AppError::Conflict(format!("{day} 的战报已签发，不能重新生成")));
            }
        }
        if day < now && existing.is_some() {
            return Err(AppError::Conflict(format!(
                "{day} 已有战报草稿（当日按实时数字生成），不能按日计数重新生成，请审核并签发已有草稿"
            )));
        }
        let sections = if day < now { self.counted_sections(day).await? } else { self.live_sections(ctx, day).await? };
        // Late data for the last signed day, against what was signed.
        let mut corrections = Vec::new();
        if let Some(prev) = self.store.signed_report_before(&day.to_string()).await? {
            let (frozen, _) = frozen_of(&prev)?;
            let prev_day = parse_day(&prev.day)?;
            for src in SOURCES {
                let (Some(f), Some(old)) = (src.day_figures, frozen.iter().find(|s| s.feature == src.feature)) else {
                    continue;
                };
                for (label, n) in f(self, prev_day).await? {
                    if let Some((_, reported)) = old.day_figures.iter().find(|(l, _)| *l == label) {
                        if *reported != n {
                            corrections.push(Correction {
                                day: prev.day.clone(),
                                section: old.title.clone(),
                                label,
                                reported: *reported,
                                now: n,
                            });
                        }
                    }
                }
            }
        }
        let json = |e: serde_json::Error| AppError::Internal(e.into());
        let (sj, cj) =
            (serde_json::to_string(&sections).map_err(json)?, serde_json::to_string(&corrections).map_err(json)?);
        let mut tx = self.store.begin().await?;
        if !self.store.save_report_draft(&mut tx, &day.to_string(), &sj, &cj, &ctx.username, now_ms()).await? {
            return Err(AppError::Conflict(format!("{day} 的战报已签发，不能重新生成")));
        }
        let row = self.store.report_of_day_in(&mut tx, &day.to_string()).await?;
        let action = if existing.is_some() { "刷新每日战报" } else { "生成每日战报" };
        self.audit(&mut tx, ctx, "report", action, &format!("report:{day}"), &format!("{} 个部分", sections.len()))
            .await?;
        bastion_store::commit(tx).await?;
        Ok(row.id)
    }

    /// Today's sections: every section as the bureau sees it, whoever asks, with the day's counts.
    async fn live_sections(&self, ctx: &Ctx, day: Date) -> AppResult<Vec<Frozen>> {
        let bureau = Ctx::system(ctx.unit_id);
        let mut sections = Vec::with_capacity(SOURCES.len());
        for src in SOURCES {
            let Some(dash) = crate::dashboard::SECTIONS.iter().find(|d| d.feature == src.feature) else { continue };
            let s = (dash.section)(self, &bureau).await?;
            let day_figures = match src.day_figures {
                Some(f) => f(self, day).await?,
                None => Vec::new(),
            };
            sections.push(Frozen::of(&s, (src.sentences)(&s), day_figures));
        }
        Ok(sections)
    }

    /// A past day that has no report (nobody assembled it that day): the counts its features keep
    /// per day, re-read from their daily counters. States that were only live (people on post,
    /// stock, open cases) cannot be read as they were and are said to be missing, not shown as 0.
    async fn counted_sections(&self, day: Date) -> AppResult<Vec<Frozen>> {
        let mut sections = Vec::with_capacity(SOURCES.len());
        for src in SOURCES {
            let (figures, sentences, day_figures) = match src.day_figures {
                Some(f) => {
                    let counts = f(self, day).await?;
                    let figures: Vec<FrozenFigure> = counts
                        .iter()
                        .map(|(label, n)| FrozenFigure {
                            label: label.clone(),
                            value: crate::dashboard::grouped(*n),
                            href: String::new(),
                            alert: false,
                        })
                        .collect();
                    let parts: Vec<String> = figures.iter().map(|f| format!("{} {}", f.label, f.value)).collect();
                    let sentence = format!("{day} {}：{}（按当日计数补记）。", src.title, parts.join("，"));
                    (Some(figures), vec![sentence], counts)
                }
                None => (None, vec![format!("{}：该日的实时状态数字未留存，无法补记。", src.title)], Vec::new()),
            };
            sections.push(Frozen {
                feature: src.feature.into(),
                title: src.title.into(),
                figures,
                columns: Vec::new(),
                rows: Vec::new(),
                sentences,
                day_figures,
            });
        }
        Ok(sections)
    }

    /// Figures (feature, label) as each day's report froze them, oldest day first: per day, the
    /// value as shown of each asked figure. For the dashboard's trends of figures that are states,
    /// not counts (people on post, stock); each report is read once for all of them.
    pub(crate) async fn reported_figures(
        &self,
        asked: &[(&str, &str)],
    ) -> AppResult<Vec<(String, Vec<Option<String>>)>> {
        let mut out = Vec::new();
        for r in self.store.reports(400).await? {
            let (frozen, _) = frozen_of(&r)?;
            let values = asked
                .iter()
                .map(|(feature, label)| {
                    frozen
                        .iter()
                        .find(|s| s.feature == *feature)
                        .and_then(|s| s.figures.as_ref())
                        .and_then(|f| f.iter().find(|f| f.label == *label))
                        .map(|f| f.value.clone())
                })
                .collect();
            out.push((r.day.clone(), values));
        }
        out.reverse();
        Ok(out)
    }

    /// The history, newest first, each with how many figures changed against the one before.
    pub async fn reports(&self, ctx: &Ctx) -> AppResult<Vec<ReportSummary>> {
        ctx.scope(perm::REPORT_READ)?;
        let rows = self.store.reports(400).await?;
        let mut out = Vec::with_capacity(rows.len());
        for (i, r) in rows.iter().enumerate() {
            let changed = match rows.get(i + 1) {
                Some(prev) => changes(&frozen_of(prev)?.0, &frozen_of(r)?.0).len(),
                None => 0,
            };
            out.push(ReportSummary {
                day: r.day.clone(),
                status: r.status.clone(),
                assembled_at: r.assembled_at,
                signed_by: r.signed_by.clone(),
                signed_at: r.signed_at,
                changed,
            });
        }
        Ok(out)
    }

    async fn report_row(&self, day: Date) -> AppResult<ReportRow> {
        self.store.report_of_day(&day.to_string()).await?.ok_or_else(|| AppError::NotFound(format!("{day} 还没有战报")))
    }

    /// One day's report as this viewer may see it.
    pub async fn report(&self, ctx: &Ctx, day: &str) -> AppResult<Report> {
        ctx.scope(perm::REPORT_READ)?;
        let day = parse_day(day)?;
        let row = self.report_row(day).await?;
        let (frozen, corrections) = frozen_of(&row)?;
        let notes = self.store.report_notes(row.id).await?;
        let before = match day.yesterday() {
            Ok(d) => self.store.report_of_day(&d.to_string()).await?,
            Err(_) => None,
        };
        let changes = match &before {
            Some(b) => changes(&frozen_of(b)?.0, &frozen),
            None => Vec::new(),
        };
        let draft = row.status == "draft";
        let sections = SOURCES
            .iter()
            .filter_map(|src| {
                let s = frozen.iter().find(|s| s.feature == src.feature)?;
                let readable = matches!(ctx.scope(src.read), Ok(RowScope::All));
                Some(SectionView {
                    feature: s.feature.clone(),
                    title: s.title.clone(),
                    readable,
                    section: readable.then(|| s.clone()),
                    note: if readable { notes.iter().find(|n| n.feature == s.feature).cloned() } else { None },
                    may_note: draft && readable && Self::owner_of(ctx, src),
                })
            })
            .collect();
        let office = self.bureau_name().await?;
        Ok(Report {
            id: row.id,
            day: row.day.clone(),
            status: row.status.clone(),
            assembled_by: row.assembled_by.clone(),
            assembled_at: row.assembled_at,
            signed_by: row.signed_by.clone(),
            signed_at: row.signed_at,
            content_hash: row.content_hash.clone(),
            sections,
            corrections,
            changes,
            may_refresh: draft && ctx.can(perm::REPORT_WRITE) && day == today(),
            may_sign: draft && ctx.can(perm::REPORT_APPROVE),
            deliveries: self.deliveries_of(Source::new("report", row.id.0), None, 50).await?,
            office,
        })
    }

    /// A section owner's text on a draft (empty: removes nothing, keeps an empty note).
    pub async fn note_report(&self, ctx: &Ctx, day: &str, feature: &str, v: &NoteInput) -> AppResult<()> {
        ctx.scope(perm::REPORT_WRITE)?;
        let day = parse_day(day)?;
        let src = SOURCES
            .iter()
            .find(|s| s.feature == feature)
            .ok_or_else(|| AppError::NotFound("战报没有这一部分".into()))?;
        if !Self::owner_of(ctx, src) {
            return Err(AppError::Forbidden("只有该部分的负责人可以填写说明".into()));
        }
        let body = opt_multiline("说明", &v.body, 2000).map_err(AppError::invalid)?.unwrap_or_default();
        let row = self.report_row(day).await?;
        let mut tx = self.store.begin().await?;
        if !self.store.lock_report_draft(&mut tx, row.id).await? {
            return Err(AppError::Conflict("战报已签发，不能再修改".into()));
        }
        self.store.put_report_note(&mut tx, row.id, feature, &body, &ctx.username, now_ms()).await?;
        self.audit(&mut tx, ctx, "report", "填写战报说明", &format!("report:{day} {feature}"), &body).await?;
        bastion_store::commit(tx).await?;
        Ok(())
    }

    /// Sign a draft off: frozen from now on, its hash in the audit chain, a digest to the groups.
    pub async fn sign_report(&self, ctx: &Ctx, day: &str) -> AppResult<String> {
        ctx.scope(perm::REPORT_APPROVE)?;
        let day = parse_day(day)?;
        let row = self.report_row(day).await?;
        let signed = || {
            AppError::Conflict(format!(
                "{day} 的战报已由 {} 于 {} 签发，不能重复签发",
                row.signed_by.clone().unwrap_or_default(),
                row.signed_at.map(bastion_core::time::fmt_ms).unwrap_or_default()
            ))
        };
        if row.status == "signed" {
            return Err(signed());
        }
        let mut tx = self.store.begin().await?;
        if !self.store.lock_report_draft(&mut tx, row.id).await? {
            return Err(AppError::Conflict(format!("{day} 的战报已签发，不能重复签发")));
        }
        let current = self.store.report_of_day_in(&mut tx, &day.to_string()).await?;
        let notes = self.store.report_notes_in(&mut tx, row.id).await?;
        let content = signed_content(&current.day, &current.sections, &current.corrections, &notes);
        let hash = hex::encode(Sha256::digest(content.as_bytes()));
        let at = now_ms();
        self.store.sign_report(&mut tx, row.id, &ctx.username, at, &hash).await?;
        self.audit(&mut tx, ctx, "report", "签发每日战报", &format!("report:{day}"), &format!("sha256={hash}")).await?;
        let (frozen, _) = frozen_of(&current)?;
        self.notify_groups(&mut tx, Source::new("report", row.id.0), &digest(&day, &frozen)).await?;
        bastion_store::commit(tx).await?;
        Ok(hash)
    }

    /// The assembly at the configured time (`report.time`, default 20:00 Beijing time): today's
    /// draft when there is none yet.
    pub(crate) async fn report_clock(&self) -> AppResult<()> {
        let at = self.store.setting("report.time").await?.unwrap_or_else(|| "20:00".into());
        let Ok(at) = jiff::civil::Time::strptime("%H:%M", at.trim()) else { return Ok(()) };
        let now = jiff::Timestamp::now().to_zoned(bastion_core::time::beijing());
        if now.time() < at {
            return Ok(());
        }
        let day = now.date();
        if self.store.report_of_day(&day.to_string()).await?.is_some() {
            return Ok(());
        }
        if self.report_first_day().await.map(|f| day < f).unwrap_or(true) {
            return Ok(());
        }
        let ctx = Ctx::system(crate::org::UnitId(0));
        match self.assemble_report_of(&ctx, day).await {
            Ok(_) | Err(AppError::Conflict(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

/// The group digest of a signed report: counts only, no names.
fn digest(day: &Date, sections: &[Frozen]) -> String {
    let mut out = format!("【每日战报】{} 已签发", day.strftime("%Y年%m月%d日"));
    for s in sections {
        if let Some(f) = &s.figures {
            let parts: Vec<String> = f.iter().take(3).map(|f| format!("{} {}", f.label, f.value)).collect();
            if !parts.is_empty() {
                out.push_str(&format!("\n{}：{}", s.title, parts.join("，")));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sec(feature: &str, figs: &[(&str, &str)]) -> Frozen {
        Frozen {
            feature: feature.into(),
            title: feature.into(),
            figures: Some(
                figs.iter()
                    .map(|(l, v)| FrozenFigure {
                        label: (*l).into(),
                        value: (*v).into(),
                        href: String::new(),
                        alert: false,
                    })
                    .collect(),
            ),
            columns: Vec::new(),
            rows: Vec::new(),
            sentences: Vec::new(),
            day_figures: Vec::new(),
        }
    }

    #[test]
    fn changes_name_the_figure_and_the_difference() {
        let a = vec![sec("checkpoint", &[("今日登记（人次）", "1,200"), ("到岗/应到", "900/956")])];
        let b = vec![sec("checkpoint", &[("今日登记（人次）", "1,234"), ("到岗/应到", "956/956")])];
        let c = changes(&a, &b);
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].delta.as_deref(), Some("+34"));
        assert_eq!(c[1].delta, None);
        assert!(changes(&b, &b).is_empty());
    }

    #[test]
    fn the_signed_content_covers_the_notes() {
        let note =
            |b: &str| ReportNote { feature: "duty".into(), body: b.into(), written_by: "x".into(), written_at: 1 };
        assert_ne!(signed_content("d", "[]", "[]", &[note("a")]), signed_content("d", "[]", "[]", &[note("b")]));
    }
}
