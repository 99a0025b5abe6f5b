//! Handover (交接班): at the end of a shift its leader writes a note for the next shift, which
//! Bastion pre-fills with what happened at the post during the shift — who was rostered and who
//! signed in, new and open fever cases at its checkpoint, the desk-log entries flagged important —
//! and the incoming leader acknowledges it. Until then the shift shows as not taken over.

use bastion_core::duty::ShiftDef;
use bastion_core::error::multiline;
use bastion_core::permission::perm;
use bastion_core::FieldError;
use bastion_store::duty::handover::NewHandover;
/// The read models and ids the web layer shows.
pub use bastion_store::duty::handover::{Handover, HandoverId};
use bastion_store::duty::{Post, PostId};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::{in_scope, App, AppError, AppResult, Ctx};

/// A handover note (交班).
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
#[schemars(extend("required" = ["post_id", "day", "shift", "note"]))]
pub struct HandoverInput {
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "i64")]
    pub post_id: String,
    #[schemars(extend("format" = "date"))]
    pub day: String,
    /// The outgoing shift's name.
    pub shift: String,
    /// What the next shift must know (2 to 2000 characters).
    pub note: String,
}

/// A shift's handover as its page shows it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct HandoverView {
    pub post: Post,
    pub day: String,
    pub shift: String,
    pub hours: String,
    /// The next shift of the post: (day, shift name).
    pub next: Option<(String, String)>,
    /// What happened in the shift, drawn now (the written handover keeps its own copy).
    pub summary: Vec<String>,
    pub handover: Option<Handover>,
    /// The caller may write the note (a person on the shift, or the desk) and it is not written yet.
    pub can_write: bool,
    /// The caller may acknowledge it (a person on the next shift, or the desk, not the writer).
    pub can_ack: bool,
}

fn find_shift(post: &Post, name: &str) -> AppResult<ShiftDef> {
    post.shift(name).cloned().ok_or_else(|| {
        let names: Vec<&str> = post.shifts.iter().map(|s| s.name.as_str()).collect();
        AppError::invalid(FieldError::new(
            "班次",
            format!("班次“{name}”不在岗位“{}”的班次中（{}）", post.name, names.join("、")),
        ))
    })
}

/// The shift of `post` that starts first at or after `end`, on `day` or the day after.
fn next_shift(post: &Post, day: Date, end: i64) -> Option<(Date, ShiftDef)> {
    let tomorrow = day.tomorrow().ok()?;
    [day, tomorrow]
        .into_iter()
        .flat_map(|d| post.shifts.iter().map(move |s| (d, s)))
        .filter(|(d, s)| s.span(*d).0 >= end)
        .min_by_key(|(d, s)| s.span(*d).0)
        .map(|(d, s)| (d, s.clone()))
}

fn hhmm(ms: i64) -> String {
    bastion_core::time::fmt_ms(ms).get(11..16).unwrap_or_default().to_string()
}

impl App {
    /// The post, whether the caller is its desk (may write duty there) and whether they may read it.
    async fn post_for(&self, ctx: &Ctx, post: PostId) -> AppResult<(Post, bool, bool)> {
        ctx.scope(perm::DUTY_SIGN)?;
        let post = self.store.duty_post(post).await.map_err(|_| AppError::NotFound("岗位不存在".into()))?;
        let desk = ctx.scope(perm::DUTY_WRITE).is_ok_and(|s| in_scope(&s, &post.unit_path, None));
        let reader = ctx.scope(perm::DUTY_READ).is_ok_and(|s| in_scope(&s, &post.unit_path, None));
        Ok((post, desk, reader))
    }

    /// Whether the caller is rostered on `shift` of `post` on `day`.
    async fn on_shift(&self, ctx: &Ctx, post: PostId, day: &str, shift: &str) -> AppResult<bool> {
        let Some(me) = ctx.person_id else { return Ok(false) };
        Ok(self.store.post_assignments(post, day).await?.iter().any(|a| a.person_id == me && a.shift == shift))
    }

    /// What happened at the post during the shift, in short lines.
    async fn shift_summary(
        &self,
        post: &Post,
        day: &str,
        shift: &ShiftDef,
        span: (i64, i64),
    ) -> AppResult<Vec<String>> {
        let mut out = Vec::new();
        let people: Vec<_> =
            self.store.post_assignments(post.id, day).await?.into_iter().filter(|a| a.shift == shift.name).collect();
        let present = people.iter().filter(|a| a.signed_in_at.is_some()).count();
        let missing: Vec<&str> =
            people.iter().filter(|a| a.signed_in_at.is_none()).map(|a| a.person_name.as_str()).collect();
        let mut line = format!("人员：应到 {}，已排 {}，签到 {present}", shift.required, people.len());
        if !missing.is_empty() {
            line.push_str(&format!("；未签到：{}", missing.join("、")));
        }
        out.push(line);
        if let Some(cp) = post.checkpoint_id {
            let ids = [bastion_store::checkpoint::CheckpointId(cp)];
            let cases = self.store.fever_cases(Some(&ids), false).await?;
            let new = cases.iter().filter(|c| span.0 <= c.opened_at && c.opened_at < span.1).count();
            let open = cases.iter().filter(|c| c.status != bastion_core::checkpoint::FeverStatus::Closed).count();
            out.push(format!("卡点：本班新增发热 {new} 例，未结案发热病例 {open} 例"));
        }
        for e in self.store.important_log_between(span.0, span.1).await? {
            let body: String = e.body.chars().take(60).collect();
            out.push(format!("重要日志 {} {}：{body}", hhmm(e.at), e.category.zh()));
        }
        Ok(out)
    }

    /// A shift's handover: the summary drawn now and the note, when written.
    pub async fn handover_view(&self, ctx: &Ctx, post: PostId, day: &str, shift: &str) -> AppResult<HandoverView> {
        let (post, desk, reader) = self.post_for(ctx, post).await?;
        let date = bastion_core::time::parse_date("日期", day).map_err(AppError::invalid)?;
        let day = date.to_string();
        let def = find_shift(&post, shift)?;
        let span = def.span(date);
        let mine = self.on_shift(ctx, post.id, &day, &def.name).await?;
        let next = next_shift(&post, date, span.1);
        let next_mine = match &next {
            Some((d, s)) => self.on_shift(ctx, post.id, &d.to_string(), &s.name).await?,
            None => false,
        };
        if !desk && !reader && !mine && !next_mine {
            return Err(AppError::Forbidden(format!("您不在 {day} {} 的{}，看不到它的交接班", post.name, def.name)));
        }
        let summary = self.shift_summary(&post, &day, &def, span).await?;
        let handover = self.store.handovers_of(post.id, &day).await?.into_iter().find(|h| h.shift == def.name);
        let can_write = handover.is_none() && (desk || mine);
        let can_ack = handover
            .as_ref()
            .is_some_and(|h| h.acked_at.is_none() && h.written_by != ctx.username && (desk || next_mine));
        Ok(HandoverView {
            hours: def.hours(),
            shift: def.name.clone(),
            next: next.map(|(d, s)| (d.to_string(), s.name)),
            post,
            day,
            summary,
            handover,
            can_write,
            can_ack,
        })
    }

    /// Write a shift's handover (交班): a person on the shift or the desk, once the shift has begun.
    pub async fn write_handover(&self, ctx: &Ctx, input: &HandoverInput) -> AppResult<HandoverId> {
        let mut e = Vec::new();
        let post = match input.post_id.trim().parse::<i64>() {
            Ok(n) if n > 0 => Some(PostId(n)),
            _ => {
                e.push(FieldError::new("岗位", "岗位须为正整数编号"));
                None
            }
        };
        let date = bastion_core::time::parse_date("日期", &input.day).map_err(|x| e.push(x)).ok();
        let note = multiline("交班说明", &input.note, 2, 2000).map_err(|x| e.push(x)).ok();
        let (Some(post), Some(date), Some(note)) = (post, date, note) else { return Err(AppError::Invalid(e)) };
        let (post, desk, _) = self.post_for(ctx, post).await?;
        let def = find_shift(&post, input.shift.trim())?;
        let day = date.to_string();
        if !desk && !self.on_shift(ctx, post.id, &day, &def.name).await? {
            return Err(AppError::Forbidden(format!(
                "只有 {day} {} {}的值班人员或指挥部值班员可以交班",
                post.name, def.name
            )));
        }
        let span = def.span(date);
        let now = bastion_core::time::now_ms();
        if now < span.0 {
            return Err(AppError::invalid(FieldError::new(
                "班次",
                format!("{day} {} 尚未开始（{} 开始），不能交班", def.name, bastion_core::time::fmt_ms(span.0)),
            )));
        }
        let summary = self.shift_summary(&post, &day, &def, span).await?.join("\n");
        let new = NewHandover {
            post_id: post.id,
            day: day.clone(),
            shift: def.name.clone(),
            summary,
            note,
            written_by: ctx.username.clone(),
            written_name: ctx.display_name.clone(),
            written_at: now,
        };
        let mut tx = self.store.begin().await?;
        let id = self.store.insert_handover(&mut tx, &new).await.map_err(|err| match err {
            bastion_store::StoreError::Duplicate { .. } => {
                AppError::Conflict(format!("{day} {} {} 已经交班，不能重复交班", post.name, def.name))
            }
            other => other.into(),
        })?;
        self.audit(
            &mut tx,
            ctx,
            "duty",
            "交班",
            &format!("duty_handover:{} {} {day} {}", id.0, post.name, def.name),
            "",
        )
        .await?;
        bastion_store::commit(tx).await?;
        Ok(id)
    }

    /// Acknowledge a handover (接班): a person on the next shift or the desk, not its writer, once.
    pub async fn ack_handover(&self, ctx: &Ctx, id: HandoverId) -> AppResult<Handover> {
        let h = self.store.handover(id).await.map_err(|_| AppError::NotFound("交班记录不存在".into()))?;
        let (post, desk, _) = self.post_for(ctx, h.post_id).await?;
        let date = bastion_core::time::parse_date("日期", &h.day).map_err(AppError::invalid)?;
        let def = find_shift(&post, &h.shift)?;
        let next = next_shift(&post, date, def.span(date).1);
        let next_mine = match &next {
            Some((d, s)) => self.on_shift(ctx, post.id, &d.to_string(), &s.name).await?,
            None => false,
        };
        if !desk && !next_mine {
            return Err(AppError::Forbidden(format!(
                "只有下一班的值班人员或指挥部值班员可以确认接班（{}）",
                post.name
            )));
        }
        if h.written_by == ctx.username {
            return Err(AppError::Forbidden("交班人不能自己确认接班，须由接班人确认".into()));
        }
        let now = bastion_core::time::now_ms();
        let mut tx = self.store.begin().await?;
        if !self.store.ack_handover(&mut tx, id, &ctx.username, &ctx.display_name, now).await? {
            drop(tx);
            let h = self.store.handover(id).await?;
            return Err(AppError::Conflict(format!(
                "已由 {} 于 {} 确认接班",
                h.acked_name.unwrap_or_default(),
                h.acked_at.map(bastion_core::time::fmt_ms).unwrap_or_default()
            )));
        }
        self.audit(
            &mut tx,
            ctx,
            "duty",
            "接班",
            &format!("duty_handover:{} {} {} {}", id.0, post.name, h.day, h.shift),
            "",
        )
        .await?;
        bastion_store::commit(tx).await?;
        Ok(self.store.handover(id).await?)
    }
}
