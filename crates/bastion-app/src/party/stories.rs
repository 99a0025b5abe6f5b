//! A petition published as a story (请战书 → 先进事迹): only with its author's consent, given when
//! writing it or later and withdrawable at any time. The publicity office writes a draft from a
//! consented petition; the draft goes through the publicity workflow like any article. Withdrawn
//! consent holds the article back (a published one comes down at once) until consent is given again.

use bastion_core::permission::perm;
use bastion_core::publicity::ArticleStatus;
use bastion_store::publicity::ArticleId;

use super::*;
use crate::publicity::ArticleInput;
use crate::{in_scope, App, AppError, AppResult, Ctx};

/// Why an article written from a petition may not be published while consent is withdrawn.
pub const CONSENT_WITHDRAWN: &str = "请战人已撤回公开同意，稿件暂停发布；请战人重新同意后方可发布";

impl App {
    /// Petitions whose authors allow them to be published, for the publicity office (units in its
    /// scope), newest first; each with the article written from it, if any.
    pub async fn petition_stories(&self, ctx: &Ctx) -> AppResult<Vec<Petition>> {
        let scope = ctx.scope(perm::PUBLICITY_WRITE)?;
        Ok(self
            .store
            .petitions()
            .await?
            .into_iter()
            .filter(|p| p.publish_consent_at.is_some() && in_scope(&scope, &p.unit_path, None))
            .collect())
    }

    /// The author gives or withdraws consent to publish their petition as a story.
    pub async fn set_petition_consent(&self, ctx: &Ctx, id: PetitionId, input: &ConsentInput) -> AppResult<Petition> {
        ctx.scope(perm::PARTY_PETITION_WRITE)?;
        let p = self.store.petition(id).await.map_err(|_| AppError::NotFound("请战书不存在".into()))?;
        if Some(p.person_id) != ctx.person_id {
            return Err(AppError::Forbidden("只有请战人本人可以同意或撤回公开自己的请战书".into()));
        }
        let consent = switched_on(&input.consent);
        if consent == p.publish_consent_at.is_some() {
            return Ok(p);
        }
        let mut tx = self.store.begin().await?;
        self.store.set_petition_consent(&mut tx, id, consent).await?;
        let mut detail = String::new();
        if let Some(a) = p.article_id {
            self.store.set_article_hold(&mut tx, a, if consent { "" } else { CONSENT_WITHDRAWN }).await?;
            let article = self.store.article(ArticleId(a)).await?;
            if !consent && article.status == ArticleStatus::Published {
                let note = "请战人撤回公开同意，稿件自动撤回";
                self.store
                    .set_article_status(
                        &mut tx,
                        ArticleId(a),
                        ArticleStatus::Published,
                        ArticleStatus::Withdrawn,
                        Some((&ctx.username, note)),
                    )
                    .await?;
                detail = format!("稿件 {a} 已撤回");
            } else {
                detail = format!("稿件 {a}{}", if consent { "可以发布" } else { "暂停发布" });
            }
        }
        let action = if consent { "同意公开请战书" } else { "撤回公开同意" };
        self.audit(&mut tx, ctx, "party", action, &format!("party_petition:{}", id.0), &detail).await?;
        bastion_store::commit(tx).await?;
        if p.article_id.is_some() {
            self.publicity.invalidate();
        }
        Ok(self.store.petition(id).await?)
    }

    /// Write a draft story from a petition whose author allows it (the publicity office); the
    /// draft names the author as the featured person and goes through review like any article.
    pub async fn petition_to_story(&self, ctx: &Ctx, id: PetitionId) -> AppResult<ArticleId> {
        let scope = ctx.scope(perm::PUBLICITY_WRITE)?;
        let missing = || AppError::NotFound("请战书不存在".into());
        let p = self.store.petition(id).await.map_err(|_| missing())?;
        if !in_scope(&scope, &p.unit_path, None) {
            return Err(missing());
        }
        if p.publish_consent_at.is_none() {
            return Err(AppError::Conflict("请战人未同意公开这份请战书，不能写成宣传稿件".into()));
        }
        if let Some(a) = p.article_id {
            return Err(AppError::Conflict(format!("这份请战书已写成稿件（稿件编号 {a}），请在宣传模块中编辑")));
        }
        let input = story_of(&p);
        let mut c = self.parse_article(&input).await?;
        c.publish_at = bastion_core::time::now_ms();
        let mut tx = self.store.begin().await?;
        let article = self.store.insert_article(&mut tx, &c, ctx.unit_id, &ctx.username).await?;
        if !self.store.link_petition_article(&mut tx, id, article.0).await? {
            return Err(AppError::Conflict("这份请战书刚被他人写成稿件，或请战人刚撤回同意，请刷新后重试".into()));
        }
        let target = format!("party_petition:{} article:{}", id.0, article.0);
        self.audit(&mut tx, ctx, "publicity", "请战书写成稿件", &target, &c.title).await?;
        bastion_store::commit(tx).await?;
        self.publicity.invalidate();
        Ok(article)
    }
}

/// The draft a petition becomes: its text in paragraphs, its missions, its author featured.
fn story_of(p: &Petition) -> ArticleInput {
    let escape = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let mut body: String =
        p.body.lines().map(str::trim).filter(|l| !l.is_empty()).map(|l| format!("<p>{}</p>", escape(l))).collect();
    let missions: Vec<&str> = p.missions.iter().map(|m| m.zh()).collect();
    body.push_str(&format!("<p>请战任务：{}。</p>", missions.join("、")));
    let summary: String = p.body.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(120).collect();
    ArticleInput {
        title: format!("请战书｜{}{}", p.unit_name, p.name).chars().take(80).collect(),
        body,
        summary,
        author: p.name.clone(),
        source: "党员请战书（经本人同意公开）".into(),
        column: "front".into(),
        people: p.police_no.clone(),
        ..ArticleInput::default()
    }
}
