//! Publicity (宣传): articles and their versions, uploaded images, featured people and teams, view
//! counts (a total per article and a count per day, both only ever added to), reads on outside
//! channels. Honours (评选) are in `honours`.

mod honours;
mod views;

use bastion_core::publicity::{ArticleStatus, Channel, Column, HonourStatus};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::{found, Store, StoreError, StoreResult, Tx};
use crate::org::{PersonId, UnitId};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(transparent)]
pub struct ArticleId(pub i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct ImageId(pub i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct HonourId(pub i64);

/// An article as the back office and the public site read it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Article {
    pub id: ArticleId,
    pub title: String,
    pub subtitle: String,
    /// Sanitised HTML.
    pub body: String,
    pub summary: String,
    pub author: String,
    pub source: String,
    pub column: Column,
    pub cover_image_id: Option<ImageId>,
    pub status: ArticleStatus,
    pub publish_at: i64,
    pub reviewed_by: String,
    pub reviewed_at: Option<i64>,
    pub review_note: String,
    pub version: i64,
    pub views: i64,
    pub unit_id: UnitId,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// Why it may not be published now (e.g. the author of the petition it was written from withdrew
    /// consent); empty: nothing holds it.
    pub hold: String,
}

/// The editable content of an article (values already parsed and sanitised).
#[derive(Debug, Clone)]
pub struct ArticleContent {
    pub title: String,
    pub subtitle: String,
    pub body: String,
    pub summary: String,
    pub author: String,
    pub source: String,
    pub column: Column,
    pub cover_image_id: Option<ImageId>,
    pub publish_at: i64,
    pub people: Vec<PersonId>,
    pub units: Vec<UnitId>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ArticleVersion {
    pub version: i64,
    pub title: String,
    pub subtitle: String,
    pub body: String,
    pub author: String,
    pub source: String,
    pub column: Column,
    pub edited_by: String,
    pub note: String,
    pub created_at: i64,
}

/// A person or a team (unit) an article features.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Featured {
    pub person_id: Option<PersonId>,
    pub unit_id: Option<UnitId>,
    pub name: String,
    pub detail: String,
}

/// An image after checking and re-encoding: the full size and the phone size.
#[derive(Debug, Clone)]
pub struct NewImage {
    pub sha256: String,
    pub mime: String,
    pub width: u32,
    pub height: u32,
    pub data: Vec<u8>,
    pub phone_width: u32,
    pub phone_height: u32,
    pub phone: Vec<u8>,
    pub original_name: String,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ImageInfo {
    pub id: ImageId,
    pub mime: String,
    pub width: i64,
    pub height: i64,
    pub phone_width: i64,
    pub phone_height: i64,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ChannelRead {
    pub id: i64,
    pub article_id: ArticleId,
    pub article_title: String,
    pub channel: Channel,
    pub reads: i64,
    pub day: String,
    pub note: String,
    pub created_by: String,
}

#[derive(Debug, Clone)]
pub struct NewChannelRead {
    pub article_id: ArticleId,
    pub channel: Channel,
    pub reads: i64,
    pub day: String,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Honour {
    pub id: HonourId,
    pub honour: String,
    pub nominating_body: String,
    pub person_id: Option<PersonId>,
    pub unit_id: Option<UnitId>,
    pub nominee: String,
    pub reason: String,
    pub evidence: String,
    pub article_ids: Vec<ArticleId>,
    pub status: HonourStatus,
    pub notice_start: Option<String>,
    pub notice_end: Option<String>,
    pub decision_note: String,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewHonour {
    pub honour: String,
    pub nominating_body: String,
    pub person_id: Option<PersonId>,
    pub unit_id: Option<UnitId>,
    pub nominee: String,
    pub reason: String,
    pub evidence: String,
    pub article_ids: Vec<ArticleId>,
}

/// Read totals for the publicity dashboard.
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct ReadTotals {
    pub site: i64,
    pub channels: Vec<(Channel, i64)>,
    /// (day, site views, outside-channel reads), oldest first.
    pub trend: Vec<(String, i64, i64)>,
}

const ARTICLE_COLS: &str = "id, title, subtitle, body, summary, author, source, column_code, cover_image_id, status, \
     publish_at, reviewed_by, reviewed_at, review_note, version, views, unit_id, created_by, created_at, updated_at, hold";

fn article_from(r: &AnyRow) -> StoreResult<Article> {
    Ok(Article {
        id: ArticleId(r.try_get("id")?),
        title: r.try_get("title")?,
        subtitle: r.try_get("subtitle")?,
        body: r.try_get("body")?,
        summary: r.try_get("summary")?,
        author: r.try_get("author")?,
        source: r.try_get("source")?,
        column: Column::parse(&r.try_get::<String, _>("column_code")?).unwrap_or(Column::News),
        cover_image_id: r.try_get::<Option<i64>, _>("cover_image_id")?.map(ImageId),
        status: ArticleStatus::parse(&r.try_get::<String, _>("status")?).unwrap_or(ArticleStatus::Draft),
        publish_at: r.try_get("publish_at")?,
        reviewed_by: r.try_get("reviewed_by")?,
        reviewed_at: r.try_get("reviewed_at")?,
        review_note: r.try_get("review_note")?,
        version: r.try_get("version")?,
        views: r.try_get("views")?,
        unit_id: UnitId(r.try_get("unit_id")?),
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        hold: r.try_get("hold")?,
    })
}

fn now() -> i64 {
    bastion_core::time::now_ms()
}

/// The visible-on-the-public-site condition: published and its publish time reached.
const PUBLIC: &str = "status = 'published' AND publish_at <= $1";

impl Store {
    // ---- articles ----

    pub async fn insert_article(
        &self,
        tx: &mut Tx,
        c: &ArticleContent,
        unit: UnitId,
        by: &str,
    ) -> StoreResult<ArticleId> {
        let t = now();
        let row = sqlx::query(
            "INSERT INTO publicity_articles (title, subtitle, body, summary, author, source, column_code, \
             cover_image_id, status, publish_at, unit_id, created_by, created_at, updated_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,'draft',$9,$10,$11,$12,$12) RETURNING id",
        )
        .bind(&c.title)
        .bind(&c.subtitle)
        .bind(&c.body)
        .bind(&c.summary)
        .bind(&c.author)
        .bind(&c.source)
        .bind(c.column.code())
        .bind(c.cover_image_id.map(|i| i.0))
        .bind(c.publish_at)
        .bind(unit.0)
        .bind(by)
        .bind(t)
        .fetch_one(&mut **tx)
        .await?;
        let id = ArticleId(row.try_get("id")?);
        self.set_featured(tx, id, c).await?;
        self.insert_version(tx, id, 1, c, by, "新建").await?;
        Ok(id)
    }

    /// Save new content: the version number goes up by one and the old content stays in the history.
    pub async fn update_article(&self, tx: &mut Tx, id: ArticleId, c: &ArticleContent, by: &str) -> StoreResult<i64> {
        let row = sqlx::query(
            "UPDATE publicity_articles SET title=$1, subtitle=$2, body=$3, summary=$4, author=$5, source=$6, \
             column_code=$7, cover_image_id=$8, publish_at=$9, version = version + 1, updated_at=$10 \
             WHERE id=$11 RETURNING version",
        )
        .bind(&c.title)
        .bind(&c.subtitle)
        .bind(&c.body)
        .bind(&c.summary)
        .bind(&c.author)
        .bind(&c.source)
        .bind(c.column.code())
        .bind(c.cover_image_id.map(|i| i.0))
        .bind(c.publish_at)
        .bind(now())
        .bind(id.0)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let version: i64 = row.try_get("version")?;
        self.set_featured(tx, id, c).await?;
        self.insert_version(tx, id, version, c, by, "修改").await?;
        Ok(version)
    }

    async fn insert_version(
        &self,
        tx: &mut Tx,
        id: ArticleId,
        version: i64,
        c: &ArticleContent,
        by: &str,
        note: &str,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO publicity_versions (article_id, version, title, subtitle, body, author, source, column_code, \
             edited_by, note, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)",
        )
        .bind(id.0)
        .bind(version)
        .bind(&c.title)
        .bind(&c.subtitle)
        .bind(&c.body)
        .bind(&c.author)
        .bind(&c.source)
        .bind(c.column.code())
        .bind(by)
        .bind(note)
        .bind(now())
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    async fn set_featured(&self, tx: &mut Tx, id: ArticleId, c: &ArticleContent) -> StoreResult<()> {
        sqlx::query("DELETE FROM publicity_featured WHERE article_id = $1").bind(id.0).execute(&mut **tx).await?;
        for p in &c.people {
            sqlx::query("INSERT INTO publicity_featured (article_id, person_id) VALUES ($1, $2)")
                .bind(id.0)
                .bind(p.0)
                .execute(&mut **tx)
                .await?;
        }
        for u in &c.units {
            sqlx::query("INSERT INTO publicity_featured (article_id, unit_id) VALUES ($1, $2)")
                .bind(id.0)
                .bind(u.0)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// Hold an article back from publication with the reason (empty: release it).
    pub async fn set_article_hold(&self, tx: &mut Tx, article: i64, hold: &str) -> StoreResult<()> {
        let n = sqlx::query("UPDATE publicity_articles SET hold = $1, updated_at = $2 WHERE id = $3")
            .bind(hold)
            .bind(now())
            .bind(article)
            .execute(&mut **tx)
            .await?
            .rows_affected();
        found(n)
    }

    /// Move an article to `to` only if it is still in `from` (two reviewers cannot both act).
    pub async fn set_article_status(
        &self,
        tx: &mut Tx,
        id: ArticleId,
        from: ArticleStatus,
        to: ArticleStatus,
        reviewer: Option<(&str, &str)>,
    ) -> StoreResult<()> {
        let t = now();
        let n = match reviewer {
            Some((by, note)) => sqlx::query(
                "UPDATE publicity_articles SET status=$1, reviewed_by=$2, review_note=$3, reviewed_at=$4, updated_at=$4 \
                 WHERE id=$5 AND status=$6",
            )
            .bind(to.code())
            .bind(by)
            .bind(note)
            .bind(t)
            .bind(id.0)
            .bind(from.code()),
            None => sqlx::query("UPDATE publicity_articles SET status=$1, updated_at=$2 WHERE id=$3 AND status=$4")
                .bind(to.code())
                .bind(t)
                .bind(id.0)
                .bind(from.code()),
        }
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict("稿件状态已被他人改变，请刷新后重试".into()));
        }
        Ok(())
    }

    pub async fn article(&self, id: ArticleId) -> StoreResult<Article> {
        let row = sqlx::query(&format!("SELECT {ARTICLE_COLS} FROM publicity_articles WHERE id = $1"))
            .bind(id.0)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        article_from(&row)
    }

    /// All articles for the back office, newest first (bodies included: the list is short).
    pub async fn articles(&self, status: Option<ArticleStatus>) -> StoreResult<Vec<Article>> {
        let rows = match status {
            Some(s) => {
                sqlx::query(&format!(
                    "SELECT {ARTICLE_COLS} FROM publicity_articles WHERE status = $1 ORDER BY updated_at DESC, id DESC"
                ))
                .bind(s.code())
                .fetch_all(&self.read)
                .await?
            }
            None => {
                sqlx::query(&format!("SELECT {ARTICLE_COLS} FROM publicity_articles ORDER BY updated_at DESC, id DESC"))
                    .fetch_all(&self.read)
                    .await?
            }
        };
        rows.iter().map(article_from).collect()
    }

    /// What the public sees at `at`: published articles whose publish time has come, newest first.
    pub async fn public_articles(&self, at: i64, limit: i64) -> StoreResult<Vec<Article>> {
        let rows = sqlx::query(&format!(
            "SELECT {ARTICLE_COLS} FROM publicity_articles WHERE {PUBLIC} ORDER BY publish_at DESC, id DESC LIMIT $2"
        ))
        .bind(at)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(article_from).collect()
    }

    /// A fingerprint of what the public site shows: changes when any article is edited or changes
    /// status, and when a scheduled article's time comes. Nodes compare it to drop stale caches.
    pub async fn public_generation(&self, at: i64) -> StoreResult<(i64, i64)> {
        let row = sqlx::query(&format!(
            "SELECT (SELECT COALESCE(MAX(updated_at), 0) FROM publicity_articles) AS changed, \
             (SELECT COUNT(*) FROM publicity_articles WHERE {PUBLIC}) AS visible"
        ))
        .bind(at)
        .fetch_one(&self.read)
        .await?;
        Ok((row.try_get("changed")?, row.try_get("visible")?))
    }

    pub async fn article_versions(&self, id: ArticleId) -> StoreResult<Vec<ArticleVersion>> {
        let rows = sqlx::query(
            "SELECT version, title, subtitle, body, author, source, column_code, edited_by, note, created_at \
             FROM publicity_versions WHERE article_id = $1 ORDER BY version DESC",
        )
        .bind(id.0)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ArticleVersion {
                    version: r.try_get("version")?,
                    title: r.try_get("title")?,
                    subtitle: r.try_get("subtitle")?,
                    body: r.try_get("body")?,
                    author: r.try_get("author")?,
                    source: r.try_get("source")?,
                    column: Column::parse(&r.try_get::<String, _>("column_code")?).unwrap_or(Column::News),
                    edited_by: r.try_get("edited_by")?,
                    note: r.try_get("note")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }

    pub async fn article_featured(&self, id: ArticleId) -> StoreResult<Vec<Featured>> {
        let rows = sqlx::query(
            "SELECT f.person_id, f.unit_id, p.name AS pname, p.police_no, pu.name AS punit, u.name AS uname \
             FROM publicity_featured f LEFT JOIN people p ON p.id = f.person_id \
             LEFT JOIN units pu ON pu.id = p.unit_id LEFT JOIN units u ON u.id = f.unit_id \
             WHERE f.article_id = $1",
        )
        .bind(id.0)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                let person_id = r.try_get::<Option<i64>, _>("person_id")?.map(PersonId);
                let unit_id = r.try_get::<Option<i64>, _>("unit_id")?.map(UnitId);
                let (name, detail) = if person_id.is_some() {
                    (
                        r.try_get::<Option<String>, _>("pname")?.unwrap_or_default(),
                        format!(
                            "{} {}",
                            r.try_get::<Option<String>, _>("punit")?.unwrap_or_default(),
                            r.try_get::<Option<String>, _>("police_no")?.unwrap_or_default()
                        ),
                    )
                } else {
                    (r.try_get::<Option<String>, _>("uname")?.unwrap_or_default(), String::new())
                };
                Ok(Featured { person_id, unit_id, name, detail })
            })
            .collect()
    }

    // ---- images ----

    pub async fn insert_image(&self, tx: &mut Tx, i: &NewImage, by: &str) -> StoreResult<ImageId> {
        let row = sqlx::query(
            "INSERT INTO publicity_images (sha256, mime, width, height, data, phone_width, phone_height, phone, \
             original_name, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) RETURNING id",
        )
        .bind(&i.sha256)
        .bind(&i.mime)
        .bind(i64::from(i.width))
        .bind(i64::from(i.height))
        .bind(i.data.as_slice())
        .bind(i64::from(i.phone_width))
        .bind(i64::from(i.phone_height))
        .bind(i.phone.as_slice())
        .bind(&i.original_name)
        .bind(by)
        .bind(now())
        .fetch_one(&mut **tx)
        .await?;
        Ok(ImageId(row.try_get("id")?))
    }

    /// The bytes of an image: the phone size or the full size.
    /// Is the picture part of an article the public may read at `at` (its cover, or in its body)?
    pub async fn image_is_public(&self, id: ImageId, at: i64) -> StoreResult<bool> {
        let row = sqlx::query(&format!(
            "SELECT id FROM publicity_articles WHERE {PUBLIC} AND (cover_image_id = $2 OR body LIKE $3 OR body LIKE $4) \
             LIMIT 1"
        ))
        .bind(at)
        .bind(id.0)
        .bind(format!("%/news/images/{}.jpg%", id.0))
        .bind(format!("%/news/images/{}/phone.jpg%", id.0))
        .fetch_optional(&self.read)
        .await?;
        Ok(row.is_some())
    }

    pub async fn image_bytes(&self, id: ImageId, phone: bool) -> StoreResult<(String, Vec<u8>)> {
        let col = if phone { "phone" } else { "data" };
        let row = sqlx::query(&format!("SELECT mime, {col} AS bytes FROM publicity_images WHERE id = $1"))
            .bind(id.0)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok((row.try_get("mime")?, row.try_get("bytes")?))
    }

    pub async fn image_info(&self, id: ImageId) -> StoreResult<ImageInfo> {
        let r = sqlx::query(
            "SELECT id, mime, width, height, phone_width, phone_height FROM publicity_images WHERE id = $1",
        )
        .bind(id.0)
        .fetch_optional(&self.read)
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok(ImageInfo {
            id: ImageId(r.try_get("id")?),
            mime: r.try_get("mime")?,
            width: r.try_get("width")?,
            height: r.try_get("height")?,
            phone_width: r.try_get("phone_width")?,
            phone_height: r.try_get("phone_height")?,
        })
    }

    // ---- outside channels ----

    pub async fn insert_channel_read(&self, tx: &mut Tx, c: &NewChannelRead, by: &str) -> StoreResult<i64> {
        let row = sqlx::query(
            "INSERT INTO publicity_channel_reads (article_id, channel, reads, day, note, created_by, created_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id",
        )
        .bind(c.article_id.0)
        .bind(c.channel.code())
        .bind(c.reads)
        .bind(&c.day)
        .bind(&c.note)
        .bind(by)
        .bind(now())
        .fetch_one(&mut **tx)
        .await?;
        Ok(row.try_get("id")?)
    }

    pub async fn channel_reads(&self) -> StoreResult<Vec<ChannelRead>> {
        let rows = sqlx::query(
            "SELECT c.id, c.article_id, a.title, c.channel, c.reads, c.day, c.note, c.created_by \
             FROM publicity_channel_reads c JOIN publicity_articles a ON a.id = c.article_id \
             ORDER BY c.day DESC, c.id DESC",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ChannelRead {
                    id: r.try_get("id")?,
                    article_id: ArticleId(r.try_get("article_id")?),
                    article_title: r.try_get("title")?,
                    channel: Channel::parse(&r.try_get::<String, _>("channel")?).unwrap_or(Channel::Reprint),
                    reads: r.try_get("reads")?,
                    day: r.try_get("day")?,
                    note: r.try_get("note")?,
                    created_by: r.try_get("created_by")?,
                })
            })
            .collect()
    }

    /// Site views and outside reads in total, per channel, and per day since `since` (a date).
    pub async fn read_totals(&self, since: &str) -> StoreResult<ReadTotals> {
        let site: i64 = sqlx::query("SELECT CAST(COALESCE(SUM(views), 0) AS BIGINT) AS n FROM publicity_articles")
            .fetch_one(&self.read)
            .await?
            .try_get("n")?;
        let mut channels = Vec::new();
        for r in
            sqlx::query("SELECT channel, CAST(SUM(reads) AS BIGINT) AS n FROM publicity_channel_reads GROUP BY channel")
                .fetch_all(&self.read)
                .await?
        {
            if let Ok(c) = Channel::parse(&r.try_get::<String, _>("channel")?) {
                channels.push((c, r.try_get::<i64, _>("n")?));
            }
        }
        channels.sort_by_key(|(c, _)| Channel::ALL.iter().position(|x| x == c));
        let mut days: std::collections::BTreeMap<String, (i64, i64)> = std::collections::BTreeMap::new();
        for r in sqlx::query(
            "SELECT day, CAST(SUM(views) AS BIGINT) AS n FROM publicity_daily_views WHERE day >= $1 GROUP BY day",
        )
        .bind(since)
        .fetch_all(&self.read)
        .await?
        {
            days.entry(r.try_get("day")?).or_default().0 += r.try_get::<i64, _>("n")?;
        }
        for r in sqlx::query(
            "SELECT day, CAST(SUM(reads) AS BIGINT) AS n FROM publicity_channel_reads WHERE day >= $1 GROUP BY day",
        )
        .bind(since)
        .fetch_all(&self.read)
        .await?
        {
            days.entry(r.try_get("day")?).or_default().1 += r.try_get::<i64, _>("n")?;
        }
        let trend = days.into_iter().map(|(d, (s, c))| (d, s, c)).collect();
        Ok(ReadTotals { site, channels, trend })
    }

    /// Set an article's stored total directly (demo content only: real views are only ever added).
    pub async fn seed_article_views(&self, tx: &mut Tx, id: ArticleId, views: i64) -> StoreResult<()> {
        let n = sqlx::query("UPDATE publicity_articles SET views = $1 WHERE id = $2")
            .bind(views)
            .bind(id.0)
            .execute(&mut **tx)
            .await?
            .rows_affected();
        found(n)
    }
}

impl Store {
    /// The first `n` enabled people of a unit with the unit's name (demo stories feature them).
    pub async fn people_of_unit(
        &self,
        tx: &mut Tx,
        unit: UnitId,
        n: i64,
    ) -> StoreResult<Vec<(PersonId, String, String)>> {
        let rows = sqlx::query(
            "SELECT p.id, p.name, u.name AS unit_name FROM people p JOIN units u ON u.id = p.unit_id \
             WHERE p.unit_id = $1 AND p.enabled = 1 ORDER BY p.id LIMIT $2",
        )
        .bind(unit.0)
        .bind(n)
        .fetch_all(&mut **tx)
        .await?;
        rows.iter().map(|r| Ok((PersonId(r.try_get("id")?), r.try_get("name")?, r.try_get("unit_name")?))).collect()
    }

    /// Put an article straight into a status (demo content only).
    pub async fn seed_article_status(
        &self,
        tx: &mut Tx,
        id: ArticleId,
        status: ArticleStatus,
        reviewer: &str,
        at: i64,
    ) -> StoreResult<()> {
        let n = sqlx::query(
            "UPDATE publicity_articles SET status=$1, reviewed_by=$2, reviewed_at=$3, publish_at=$3, created_at=$3 WHERE id=$4",
        )
        .bind(status.code())
        .bind(reviewer)
        .bind(at)
        .bind(id.0)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        found(n)
    }
}
