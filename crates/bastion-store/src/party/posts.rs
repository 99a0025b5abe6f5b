//! Posts the party marks (党员先锋岗, 党员责任区).

use super::*;

/// A post marked by a branch: a vanguard post, or a member's responsibility area.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PostMark {
    pub post_id: i64,
    pub post_name: String,
    #[serde(skip)]
    pub post_unit_path: String,
    pub kind: PostMarkKind,
    pub org_id: OrgId,
    pub org_name: String,
    /// The member responsible (a responsibility area).
    pub person_id: Option<PersonId>,
    pub person_name: Option<String>,
    /// What a responsibility area covers (e.g. 幸福里小区 1–6 栋).
    pub area: String,
    pub since: String,
}

/// A mark to set.
pub struct NewPostMark<'a> {
    pub post_id: i64,
    pub kind: PostMarkKind,
    pub org: OrgId,
    pub person: Option<PersonId>,
    pub area: &'a str,
    pub since: &'a str,
    pub by: &'a str,
}

impl Store {
    /// Set a post's mark of this kind; false when the post already has one.
    pub async fn insert_post_mark(&self, tx: &mut Tx, m: &NewPostMark<'_>) -> StoreResult<bool> {
        let n = sqlx::query(
            "INSERT INTO party_post_marks (post_id, kind, org_id, person_id, area, since, created_by, created_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT (post_id, kind) DO NOTHING",
        )
        .bind(m.post_id)
        .bind(m.kind.code())
        .bind(m.org.0)
        .bind(m.person.map(|p| p.0))
        .bind(m.area)
        .bind(m.since)
        .bind(m.by)
        .bind(bastion_core::time::now_ms())
        .execute(&mut **tx)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// Take a post's mark of this kind away; false when it had none.
    pub async fn delete_post_mark(&self, tx: &mut Tx, post_id: i64, kind: PostMarkKind) -> StoreResult<bool> {
        let n = sqlx::query("DELETE FROM party_post_marks WHERE post_id = $1 AND kind = $2")
            .bind(post_id)
            .bind(kind.code())
            .execute(&mut **tx)
            .await?
            .rows_affected();
        Ok(n == 1)
    }

    /// The marks of the given posts (every post when `None`), by post and kind.
    pub async fn post_marks(&self, posts: Option<&[i64]>) -> StoreResult<Vec<PostMark>> {
        let rows = sqlx::query(
            "SELECT k.post_id, d.name AS post_name, u.path AS unit_path, k.kind, k.org_id, o.name AS org_name, \
             k.person_id, p.name AS person_name, k.area, k.since FROM party_post_marks k \
             JOIN duty_posts d ON d.id = k.post_id JOIN units u ON u.id = d.unit_id \
             JOIN party_orgs o ON o.id = k.org_id LEFT JOIN people p ON p.id = k.person_id \
             ORDER BY k.post_id, CASE k.kind WHEN 'vanguard' THEN 0 ELSE 1 END",
        )
        .fetch_all(&self.read)
        .await?;
        let wanted: Option<std::collections::HashSet<i64>> = posts.map(|ids| ids.iter().copied().collect());
        let mut out = Vec::new();
        for r in &rows {
            let post_id: i64 = r.try_get("post_id")?;
            if wanted.as_ref().is_some_and(|ids| !ids.contains(&post_id)) {
                continue;
            }
            out.push(PostMark {
                post_id,
                post_name: r.try_get("post_name")?,
                post_unit_path: r.try_get("unit_path")?,
                kind: PostMarkKind::parse(&r.try_get::<String, _>("kind")?).unwrap_or(PostMarkKind::Vanguard),
                org_id: OrgId(r.try_get("org_id")?),
                org_name: r.try_get("org_name")?,
                person_id: r.try_get::<Option<i64>, _>("person_id")?.map(PersonId),
                person_name: r.try_get("person_name")?,
                area: r.try_get("area")?,
                since: r.try_get("since")?,
            });
        }
        Ok(out)
    }
}
