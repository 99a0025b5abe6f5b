//! Publicity (宣传、先进事迹、评选): the editorial workflow 草稿 → 待审 → 已发布 → 已撤回 with a
//! reviewer, versions and their diff; pictures; the public site's articles and view counts; reads
//! on outside channels; nominations for honours (推荐 → 公示 → 授予/未授予).

mod dashboard;
pub(crate) use dashboard::{DASHBOARD, REPORT};
pub mod demo;
pub mod html;
pub mod media;
mod parse;
use parse::split_list;
pub use parse::{fmt_publish_at, parse_publish_at};
pub(crate) mod journal;
pub mod runtime;
mod views;

use bastion_core::error::{non_empty, opt_text, text};
use bastion_core::permission::perm;
use bastion_core::publicity::{ArticleStatus, Channel, Column, HonourStatus, Step};
use bastion_core::FieldError;
use bastion_store::org::{PersonId, UnitId};
/// The read models the web layer shows.
pub use bastion_store::publicity::{
    Article, ArticleId, ChannelRead, Featured, Honour, HonourId, ImageId, ImageInfo, ReadTotals,
};
use bastion_store::publicity::{ArticleContent, ArticleVersion, NewChannelRead, NewHonour};
use serde::{Deserialize, Serialize};

pub use runtime::{CachedPage, PublicityRuntime};

use crate::{in_scope, App, AppError, AppResult, Ctx};

/// An article as typed in the back office or sent to the API.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
#[schemars(extend("required" = ["title"]))]
pub struct ArticleInput {
    pub title: String,
    pub subtitle: String,
    /// HTML; sanitised before it is stored.
    pub body: String,
    pub summary: String,
    pub author: String,
    pub source: String,
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "bastion_core::publicity::Column")]
    pub column: String,
    /// An uploaded image's number (empty: none).
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "i64")]
    pub cover_image_id: String,
    /// `YYYY-MM-DD HH:MM` Beijing time (empty: as soon as it is published).
    pub publish_at: String,
    /// Police numbers of featured people, separated by commas, spaces or 、.
    pub people: String,
    /// Unit codes of featured teams.
    pub teams: String,
}

/// Reads on an outside channel, as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
#[schemars(extend("required" = ["article_id", "channel", "reads"]))]
pub struct ChannelReadInput {
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "i64")]
    pub article_id: String,
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "bastion_core::publicity::Channel")]
    pub channel: String,
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "i64")]
    #[schemars(range(min = 0))]
    pub reads: String,
    #[schemars(extend("format" = "date"))]
    pub day: String,
    pub note: String,
}

/// A nomination, as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
#[schemars(extend("required" = ["honour"]))]
pub struct HonourInput {
    pub honour: String,
    pub nominating_body: String,
    /// Police number of the nominee, or empty for a team.
    pub police_no: String,
    /// Unit code of a nominated team.
    pub team: String,
    pub reason: String,
    pub evidence: String,
    /// Numbers of linked articles.
    #[serde(deserialize_with = "bastion_core::input::flex_list")]
    #[schemars(with = "Vec<i64>")]
    pub articles: String,
}

/// Moving a nomination on.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
#[schemars(extend("required" = ["status"]))]
pub struct HonourStepInput {
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "bastion_core::publicity::HonourStatus")]
    pub status: String,
    #[schemars(extend("format" = "date"))]
    pub notice_start: String,
    #[schemars(extend("format" = "date"))]
    pub notice_end: String,
    pub note: String,
}

/// A workflow step with the reviewer's note.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
#[schemars(extend("required" = ["action"]))]
pub struct StepInput {
    #[schemars(extend("enum" = ["submit", "return", "publish", "withdraw", "reopen"]))]
    pub action: String,
    pub note: String,
}

/// Everything the back office shows about one article.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ArticleDetail {
    pub article: Article,
    pub featured: Vec<Featured>,
    pub versions: Vec<ArticleVersion>,
    pub live_views: i64,
}

/// One article on the public site with its neighbours.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PublicArticle {
    pub article: Article,
    pub featured: Vec<Featured>,
    /// (id, title) of the newer and the older article.
    pub newer: Option<(ArticleId, String)>,
    pub older: Option<(ArticleId, String)>,
}

/// How many articles the public site lists at most.
const PUBLIC_LIMIT: i64 = 500;

impl App {
    fn check_unit_scope(&self, ctx: &Ctx, p: &str, unit_path: &str) -> AppResult<()> {
        let scope = ctx.scope(p)?;
        if in_scope(&scope, unit_path, None) {
            Ok(())
        } else {
            Err(AppError::forbidden_data())
        }
    }

    async fn article_in_scope(&self, ctx: &Ctx, p: &str, id: ArticleId) -> AppResult<Article> {
        ctx.scope(p)?;
        let a = self.store.article(id).await.map_err(|e| match e {
            bastion_store::StoreError::NotFound => AppError::NotFound("稿件不存在".into()),
            other => other.into(),
        })?;
        let unit = self.store.unit(a.unit_id).await?;
        self.check_unit_scope(ctx, p, &unit.path)?;
        Ok(a)
    }

    pub(crate) async fn parse_article(&self, input: &ArticleInput) -> AppResult<ArticleContent> {
        let mut e = Vec::new();
        let title = text("标题", &input.title, 2, 80).map_err(|x| e.push(x)).ok();
        let subtitle = opt_text("副标题", &input.subtitle, 120).map_err(|x| e.push(x)).ok();
        let author = text("作者", &input.author, 1, 60).map_err(|x| e.push(x)).ok();
        let source = text("信息来源", &input.source, 2, 80).map_err(|x| e.push(x)).ok();
        let column = Column::parse(&input.column).map_err(|x| e.push(x)).ok();
        let body = if input.body.chars().count() > 200_000 {
            e.push(FieldError::new("正文", "正文过长（上限 20 万字符）"));
            None
        } else {
            let clean = html::sanitize(&input.body);
            if html::text_of(&clean).is_empty() {
                e.push(FieldError::required("正文"));
                None
            } else {
                Some(clean)
            }
        };
        let summary = bastion_core::error::opt_multiline("摘要", &input.summary, 200).map_err(|x| e.push(x)).ok();
        let publish_at = match non_empty(&input.publish_at) {
            None => Some(0),
            Some(s) => parse_publish_at(s).map_err(|x| e.push(x)).ok(),
        };
        let cover = match non_empty(&input.cover_image_id) {
            None => Some(None),
            Some(s) => match s.parse::<i64>() {
                Ok(n) => match self.store.image_info(ImageId(n)).await {
                    Ok(_) => Some(Some(ImageId(n))),
                    Err(_) => {
                        e.push(FieldError::new("封面图片", format!("封面图片 {n} 不存在，请先上传")));
                        None
                    }
                },
                Err(_) => {
                    e.push(FieldError::new("封面图片", "封面图片应为已上传图片的编号"));
                    None
                }
            },
        };
        let mut people = Vec::new();
        let police_nos = split_list(&input.people);
        if !police_nos.is_empty() {
            let mut tx = self.store.begin().await?;
            let known = self.store.person_ids_by_police_no(&mut tx).await?;
            drop(tx);
            for no in police_nos {
                match known.get(&no) {
                    Some(id) if !people.contains(id) => people.push(*id),
                    Some(_) => {}
                    None => e.push(FieldError::new("报道人物", format!("报道人物：警号“{no}”不存在"))),
                }
            }
        }
        let mut units = Vec::new();
        for code in split_list(&input.teams) {
            match self.store.unit_by_code(&code).await? {
                Some(u) if !units.contains(&u.id) => units.push(u.id),
                Some(_) => {}
                None => e.push(FieldError::new("报道集体", format!("报道集体：单位代码“{code}”不存在"))),
            }
        }
        match (title, subtitle, author, source, column, body, summary, publish_at, cover) {
            (
                Some(title),
                Some(sub),
                Some(author),
                Some(source),
                Some(column),
                Some(body),
                Some(summary),
                Some(p),
                Some(cover),
            ) if e.is_empty() => {
                let summary = summary.unwrap_or_else(|| html::summary_of(&body, 110));
                Ok(ArticleContent {
                    title,
                    subtitle: sub.unwrap_or_default(),
                    body,
                    summary,
                    author,
                    source,
                    column,
                    cover_image_id: cover,
                    publish_at: p,
                    people,
                    units,
                })
            }
            _ => Err(AppError::Invalid(e)),
        }
    }

    pub async fn articles(&self, ctx: &Ctx, status: Option<ArticleStatus>) -> AppResult<Vec<Article>> {
        ctx.scope(perm::PUBLICITY_READ)?;
        let mut list = self.store.articles(status).await?;
        for a in &mut list {
            a.views = a.views.max(self.publicity.live(a.id));
        }
        Ok(list)
    }

    pub async fn article_detail(&self, ctx: &Ctx, id: ArticleId) -> AppResult<ArticleDetail> {
        let article = self.article_in_scope(ctx, perm::PUBLICITY_READ, id).await?;
        let featured = self.store.article_featured(id).await?;
        let versions = self.store.article_versions(id).await?;
        let live_views = article.views.max(self.publicity.live(id));
        Ok(ArticleDetail { article, featured, versions, live_views })
    }

    pub async fn create_article(&self, ctx: &Ctx, input: &ArticleInput) -> AppResult<ArticleId> {
        let scope = ctx.scope(perm::PUBLICITY_WRITE)?;
        if !in_scope(&scope, &ctx.unit_path, None) {
            return Err(AppError::forbidden_data());
        }
        let mut c = self.parse_article(input).await?;
        if c.publish_at == 0 {
            c.publish_at = bastion_core::time::now_ms();
        }
        let mut tx = self.store.begin().await?;
        let id = self.store.insert_article(&mut tx, &c, ctx.unit_id, &ctx.username).await?;
        self.audit(&mut tx, ctx, "publicity", "新建稿件", &format!("article:{} {}", id.0, c.title), "").await?;
        bastion_store::commit(tx).await?;
        self.publicity.invalidate();
        Ok(id)
    }

    /// Save a new version. Only a draft can be edited: a published article is withdrawn first.
    pub async fn update_article(&self, ctx: &Ctx, id: ArticleId, input: &ArticleInput) -> AppResult<i64> {
        let a = self.article_in_scope(ctx, perm::PUBLICITY_WRITE, id).await?;
        if a.status != ArticleStatus::Draft {
            return Err(AppError::Conflict(format!(
                "稿件当前为“{}”，只有草稿可以修改（已发布的稿件请先撤回，再重新编辑）",
                a.status.zh()
            )));
        }
        let mut c = self.parse_article(input).await?;
        if c.publish_at == 0 {
            c.publish_at = bastion_core::time::now_ms();
        }
        let mut tx = self.store.begin().await?;
        let version = self.store.update_article(&mut tx, id, &c, &ctx.username).await?;
        self.audit(
            &mut tx,
            ctx,
            "publicity",
            "修改稿件",
            &format!("article:{} {}", id.0, c.title),
            &format!("第 {version} 版"),
        )
        .await?;
        bastion_store::commit(tx).await?;
        self.publicity.invalidate();
        Ok(version)
    }

    /// 提交审核 / 退回修改 / 审核发布 / 撤回 / 重新编辑.
    pub async fn article_step(&self, ctx: &Ctx, id: ArticleId, input: &StepInput) -> AppResult<ArticleStatus> {
        if !ctx.can(perm::PUBLICITY_WRITE) && !ctx.can(perm::PUBLICITY_REVIEW) {
            ctx.scope(perm::PUBLICITY_REVIEW)?;
        }
        let step = Step::parse(&input.action).map_err(AppError::invalid)?;
        let needs = match step {
            Step::Submit | Step::Reopen => perm::PUBLICITY_WRITE,
            Step::Return | Step::Publish | Step::Withdraw => perm::PUBLICITY_REVIEW,
        };
        let a = self.article_in_scope(ctx, needs, id).await?;
        let to = step.next(a.status).map_err(|e| AppError::Conflict(e.message))?;
        let note = bastion_core::error::opt_multiline("审核意见", &input.note, 500)
            .map_err(AppError::invalid)?
            .unwrap_or_default();
        if step == Step::Publish && !a.hold.is_empty() {
            return Err(AppError::Conflict(a.hold));
        }
        if step == Step::Publish && a.created_by == ctx.username {
            return Err(AppError::Forbidden("审核人不能审核发布自己撰写的稿件".into()));
        }
        if step == Step::Return && note.is_empty() {
            return Err(AppError::invalid(FieldError::new("审核意见", "退回修改须填写审核意见")));
        }
        let mut tx = self.store.begin().await?;
        let reviewer = matches!(step, Step::Return | Step::Publish | Step::Withdraw);
        self.store
            .set_article_status(&mut tx, id, a.status, to, reviewer.then_some((ctx.username.as_str(), note.as_str())))
            .await?;
        self.audit(&mut tx, ctx, "publicity", step.zh(), &format!("article:{} {}", id.0, a.title), &note).await?;
        bastion_store::commit(tx).await?;
        self.publicity.invalidate();
        Ok(to)
    }

    /// A line diff between two versions of an article.
    pub async fn article_diff(&self, ctx: &Ctx, id: ArticleId, from: i64, to: i64) -> AppResult<Vec<html::DiffLine>> {
        self.article_in_scope(ctx, perm::PUBLICITY_READ, id).await?;
        let versions = self.store.article_versions(id).await?;
        let find = |v: i64| {
            versions.iter().find(|x| x.version == v).ok_or_else(|| AppError::NotFound(format!("第 {v} 版不存在")))
        };
        let (a, b) = (find(from)?, find(to)?);
        Ok(html::diff(&format!("{} {}", a.title, a.subtitle), &a.body, &format!("{} {}", b.title, b.subtitle), &b.body))
    }

    /// Size and variants of an uploaded picture (for the editor that just uploaded it).
    pub async fn image_info(&self, ctx: &Ctx, id: ImageId) -> AppResult<ImageInfo> {
        ctx.scope(perm::PUBLICITY_WRITE)?;
        Ok(self.store.image_info(id).await?)
    }

    /// Check, re-encode and store an uploaded picture.
    pub async fn upload_image(&self, ctx: &Ctx, bytes: Vec<u8>, name: &str) -> AppResult<ImageId> {
        ctx.scope(perm::PUBLICITY_WRITE)?;
        let owned = name.to_string();
        let img = tokio::task::spawn_blocking(move || media::process(&bytes, &owned))
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!("image task: {e}")))?
            .map_err(AppError::invalid)?;
        let mut tx = self.store.begin().await?;
        let id = self.store.insert_image(&mut tx, &img, &ctx.username).await?;
        self.audit(
            &mut tx,
            ctx,
            "publicity",
            "上传图片",
            &format!("image:{}", id.0),
            &format!("{}×{}", img.width, img.height),
        )
        .await?;
        bastion_store::commit(tx).await?;
        Ok(id)
    }

    /// A picture for `viewer` (None: the public). The public gets only pictures of articles it may
    /// read now (a cover or in the body); someone who may read the back office's articles gets any,
    /// so drafts under review show their pictures. Anything else answers as unknown.
    ///
    /// `name` is the file name without `.jpg`: the public asks by the picture's public name
    /// (`12-` and a keyed tag, see [`App::image_public_name`]), so pictures cannot be found by
    /// counting; the back office may also ask by the bare number its editor shows.
    pub async fn image_for(&self, viewer: Option<&Ctx>, name: &str, phone: bool) -> AppResult<(String, Vec<u8>)> {
        let unknown = || AppError::NotFound("图片不存在".into());
        let (number, tag) = match name.split_once('-') {
            Some((n, t)) => (n, Some(t)),
            None => (name, None),
        };
        let id = ImageId(number.parse::<i64>().map_err(|_| unknown())?);
        let staff = viewer.is_some_and(|c| c.scope(perm::PUBLICITY_READ).is_ok());
        if !staff {
            if tag.is_none() || self.image_public_name(id) != name {
                return Err(unknown());
            }
            if !self.store.image_is_public(id, bastion_core::time::now_ms()).await? {
                return Err(unknown());
            }
        }
        self.image_bytes(id, phone).await
    }

    /// The name a picture is published under: its number and a tag keyed with a secret of this
    /// deployment (the blind-index key), so the public cannot reach pictures by counting.
    pub fn image_public_name(&self, id: ImageId) -> String {
        let tag = self.store.crypto.blind_index("public-image", &id.0.to_string());
        format!("{}-{}", id.0, tag.get(..16).unwrap_or(&tag))
    }

    /// The picture an article shows in lists, under its public name: its cover, else the first of
    /// the site's pictures in its body; none when it has neither.
    pub fn article_picture(&self, a: &Article) -> Option<String> {
        let id = a.cover_image_id.map(|c| c.0).or_else(|| html::first_image(&a.body))?;
        Some(self.image_public_name(ImageId(id)))
    }

    pub async fn image_bytes(&self, id: ImageId, phone: bool) -> AppResult<(String, Vec<u8>)> {
        self.store.image_bytes(id, phone).await.map_err(|e| match e {
            bastion_store::StoreError::NotFound => AppError::NotFound("图片不存在".into()),
            other => other.into(),
        })
    }

    // ---- the public site ----

    /// Published articles the public may read now, newest first (live counts).
    pub async fn public_articles(&self) -> AppResult<Vec<Article>> {
        let mut list = self.store.for_reads().public_articles(bastion_core::time::now_ms(), PUBLIC_LIMIT).await?;
        for a in &mut list {
            self.publicity.set_stored(a.id, a.views);
            a.views = self.publicity.live(a.id);
        }
        Ok(list)
    }

    /// One public article with its newer and older neighbours; NotFound unless published and due.
    pub async fn public_article(&self, id: ArticleId) -> AppResult<PublicArticle> {
        let mut reads = self.store.for_reads();
        let now = bastion_core::time::now_ms();
        let mut list = reads.public_articles(now, PUBLIC_LIMIT).await?;
        if !list.iter().any(|a| a.id == id) && reads.url != self.store.url {
            // Published a moment ago and not yet on the replica: the primary has it.
            reads = self.store.clone();
            list = reads.public_articles(now, PUBLIC_LIMIT).await?;
        }
        let Some(pos) = list.iter().position(|a| a.id == id) else {
            return Err(AppError::NotFound("文章不存在或尚未发布".into()));
        };
        let article = list[pos].clone();
        self.publicity.set_stored(id, article.views);
        let newer = pos.checked_sub(1).and_then(|i| list.get(i)).map(|a| (a.id, a.title.clone()));
        let older = list.get(pos + 1).map(|a| (a.id, a.title.clone()));
        let featured = reads.article_featured(id).await?;
        Ok(PublicArticle { article, featured, newer, older })
    }

    // ---- outside channels and the dashboard ----

    pub async fn add_channel_read(&self, ctx: &Ctx, input: &ChannelReadInput) -> AppResult<i64> {
        ctx.scope(perm::PUBLICITY_WRITE)?;
        let mut e = Vec::new();
        let article = match input.article_id.trim().parse::<i64>() {
            Ok(n) => Some(ArticleId(n)),
            Err(_) => {
                e.push(FieldError::new("稿件", "请选择稿件"));
                None
            }
        };
        let channel = Channel::parse(&input.channel).map_err(|x| e.push(x)).ok();
        let reads = match input.reads.trim().replace([',', '，'], "").parse::<i64>() {
            Ok(n) if (1..=1_000_000_000).contains(&n) => Some(n),
            _ => {
                e.push(FieldError::new("阅读量", "阅读量应为 1 到 10 亿之间的整数"));
                None
            }
        };
        let day = match non_empty(&input.day) {
            None => Some(bastion_core::time::today()),
            Some(d) => bastion_core::time::parse_date("统计日期", d).map_err(|x| e.push(x)).ok(),
        };
        if let Some(d) = day {
            if d > bastion_core::time::today() {
                e.push(FieldError::new("统计日期", "统计日期不能晚于今天"));
            }
        }
        let note = opt_text("备注", &input.note, 200).map_err(|x| e.push(x)).ok();
        let (Some(article_id), Some(channel), Some(reads), Some(day), Some(note)) =
            (article, channel, reads, day, note)
        else {
            return Err(AppError::Invalid(e));
        };
        if !e.is_empty() {
            return Err(AppError::Invalid(e));
        }
        let a = self.article_in_scope(ctx, perm::PUBLICITY_WRITE, article_id).await?;
        let mut tx = self.store.begin().await?;
        let id = self
            .store
            .insert_channel_read(
                &mut tx,
                &NewChannelRead { article_id, channel, reads, day: day.to_string(), note: note.unwrap_or_default() },
                &ctx.username,
            )
            .await?;
        self.audit(
            &mut tx,
            ctx,
            "publicity",
            "登记渠道阅读量",
            &format!("article:{} {}", a.id.0, a.title),
            &format!("{} {reads}", channel.zh()),
        )
        .await?;
        bastion_store::commit(tx).await?;
        Ok(id)
    }

    pub async fn channel_reads(&self, ctx: &Ctx) -> AppResult<Vec<ChannelRead>> {
        ctx.scope(perm::PUBLICITY_READ)?;
        Ok(self.store.channel_reads().await?)
    }

    /// Site views (stored + buffered on this node) and outside reads; the trend covers 30 days.
    pub async fn read_totals(&self, ctx: &Ctx) -> AppResult<ReadTotals> {
        ctx.scope(perm::PUBLICITY_READ)?;
        let since = bastion_core::time::today()
            .checked_sub(jiff::Span::new().days(29))
            .unwrap_or(bastion_core::time::today())
            .to_string();
        let mut t = self.store.read_totals(&since).await?;
        t.site += self.publicity.unflushed();
        Ok(t)
    }

    // ---- honours ----

    pub async fn honours(&self, ctx: &Ctx) -> AppResult<Vec<Honour>> {
        ctx.scope(perm::PUBLICITY_READ)?;
        Ok(self.store.honours().await?)
    }

    pub async fn public_honours(&self) -> AppResult<Vec<Honour>> {
        Ok(self.store.for_reads().public_honours().await?)
    }

    pub async fn nominate(&self, ctx: &Ctx, input: &HonourInput) -> AppResult<HonourId> {
        ctx.scope(perm::HONOUR_WRITE)?;
        let mut e = Vec::new();
        let honour = text("荣誉名称", &input.honour, 2, 80).map_err(|x| e.push(x)).ok();
        let body = text("推荐单位", &input.nominating_body, 2, 80).map_err(|x| e.push(x)).ok();
        let reason = bastion_core::error::multiline("推荐理由", &input.reason, 10, 4000).map_err(|x| e.push(x)).ok();
        let evidence =
            bastion_core::error::opt_multiline("佐证材料", &input.evidence, 2000).map_err(|x| e.push(x)).ok();
        let mut person: Option<PersonId> = None;
        let mut unit: Option<UnitId> = None;
        let mut nominee = String::new();
        match (non_empty(&input.police_no), non_empty(&input.team)) {
            (Some(_), Some(_)) => {
                e.push(FieldError::new("推荐对象", "推荐对象只能是一人或一个集体，请只填警号或单位代码之一"))
            }
            (None, None) => {
                e.push(FieldError::new("推荐对象", "推荐对象不能为空：请填写警号（个人）或单位代码（集体）"))
            }
            (Some(no), None) => {
                let mut tx = self.store.begin().await?;
                let known = self.store.person_ids_by_police_no(&mut tx).await?;
                drop(tx);
                match known.get(no) {
                    Some(id) => {
                        let p = self.store.person(*id).await?;
                        self.check_unit_scope(ctx, perm::HONOUR_WRITE, &p.unit_path)?;
                        nominee = format!("{}（{}）", p.name, p.unit_name);
                        person = Some(*id);
                    }
                    None => e.push(FieldError::new("推荐对象", format!("推荐对象：警号“{no}”不存在"))),
                }
            }
            (None, Some(code)) => match self.store.unit_by_code(code).await? {
                Some(u) => {
                    self.check_unit_scope(ctx, perm::HONOUR_WRITE, &u.path)?;
                    nominee = u.name.clone();
                    unit = Some(u.id);
                }
                None => e.push(FieldError::new("推荐对象", format!("推荐对象：单位代码“{code}”不存在"))),
            },
        }
        let mut article_ids = Vec::new();
        for s in split_list(&input.articles) {
            match s.parse::<i64>() {
                Ok(n) if self.store.article(ArticleId(n)).await.is_ok() => article_ids.push(ArticleId(n)),
                _ => e.push(FieldError::new("关联稿件", format!("关联稿件：稿件编号“{s}”不存在"))),
            }
        }
        let (Some(honour), Some(nominating_body), Some(reason), Some(evidence)) = (honour, body, reason, evidence)
        else {
            return Err(AppError::Invalid(e));
        };
        if !e.is_empty() {
            return Err(AppError::Invalid(e));
        }
        let h = NewHonour {
            honour,
            nominating_body,
            person_id: person,
            unit_id: unit,
            nominee,
            reason,
            evidence: evidence.unwrap_or_default(),
            article_ids,
        };
        let mut tx = self.store.begin().await?;
        let id = self.store.insert_honour(&mut tx, &h, &ctx.username).await?;
        self.audit(&mut tx, ctx, "publicity", "推荐评选", &format!("honour:{} {}", id.0, h.honour), &h.nominee).await?;
        bastion_store::commit(tx).await?;
        Ok(id)
    }

    /// 推荐 → 公示 (with the notice period) → 授予 / 未授予.
    pub async fn honour_step(&self, ctx: &Ctx, id: HonourId, input: &HonourStepInput) -> AppResult<HonourStatus> {
        ctx.scope(perm::HONOUR_WRITE)?;
        let to = HonourStatus::parse(&input.status).map_err(AppError::invalid)?;
        let h = self.store.honour(id).await.map_err(|e| match e {
            bastion_store::StoreError::NotFound => AppError::NotFound("评选记录不存在".into()),
            other => other.into(),
        })?;
        if !h.status.can_move_to(to) {
            return Err(AppError::Conflict(format!("评选当前为“{}”，不能改为“{}”", h.status.zh(), to.zh())));
        }
        let note = opt_text("说明", &input.note, 500).map_err(AppError::invalid)?.unwrap_or_default();
        let notice = if to == HonourStatus::Notice {
            let mut e = Vec::new();
            let s = bastion_core::time::parse_date("公示开始日期", &input.notice_start).map_err(|x| e.push(x)).ok();
            let en = bastion_core::time::parse_date("公示结束日期", &input.notice_end).map_err(|x| e.push(x)).ok();
            match (s, en) {
                (Some(s), Some(en)) if en >= s => Some((s.to_string(), en.to_string())),
                (Some(_), Some(_)) => {
                    return Err(AppError::invalid(FieldError::new("公示结束日期", "公示结束日期不能早于开始日期")))
                }
                _ => return Err(AppError::Invalid(e)),
            }
        } else {
            None
        };
        if to == HonourStatus::Awarded {
            if let Some(end) = &h.notice_end {
                if bastion_core::time::today().to_string() <= *end {
                    return Err(AppError::Conflict(format!("公示期至 {end} 结束，公示期满后方可授予")));
                }
            }
        }
        let mut tx = self.store.begin().await?;
        self.store
            .set_honour_status(&mut tx, id, h.status, to, notice.as_ref().map(|(a, b)| (a.as_str(), b.as_str())), &note)
            .await?;
        self.audit(
            &mut tx,
            ctx,
            "publicity",
            &format!("评选{}", to.zh()),
            &format!("honour:{} {}", id.0, h.honour),
            &h.nominee,
        )
        .await?;
        bastion_store::commit(tx).await?;
        self.publicity.invalidate();
        Ok(to)
    }
}

/// Publicity's to-do items: articles waiting for the viewer's review (never the viewer's own).
pub(crate) const TODO: crate::home::TodoSource =
    crate::home::TodoSource { feature: "宣传", items: |app, ctx| Box::pin(app.publicity_todo(ctx)) };

impl App {
    async fn publicity_todo(&self, ctx: &Ctx) -> AppResult<Vec<crate::home::TodoItem>> {
        if !ctx.can(perm::PUBLICITY_REVIEW) {
            return Ok(Vec::new());
        }
        Ok(self
            .articles(ctx, Some(bastion_core::publicity::ArticleStatus::Review))
            .await?
            .into_iter()
            .map(|a| crate::home::TodoItem {
                feature: "宣传",
                title: format!("稿件《{}》待审核", a.title),
                href: format!("/publicity/{}", a.id.0),
                urgent: false,
            })
            .collect())
    }
}
