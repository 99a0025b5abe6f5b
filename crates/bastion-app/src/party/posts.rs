//! Posts the party marks (党员先锋岗, 党员责任区): a branch names a post its vanguard post, or a
//! member's responsibility area at a post with what it covers; the duty board shows them (through
//! the duty's post tags).

use bastion_core::error::text;
use bastion_core::party::{OrgKind, OrgStatus, PostMarkKind};
use bastion_core::permission::perm;
use bastion_core::FieldError;
use bastion_store::duty::PostId;
use bastion_store::party::{NewPostMark, PostMark};

use super::*;
use crate::duty::{PostTag, PostTagSource};
use crate::{in_scope, App, AppError, AppResult, Ctx};

pub(crate) const POST_TAGS: PostTagSource =
    PostTagSource { feature: "党建", tags: |app, ids| Box::pin(app.party_post_tags(ids)) };

impl App {
    async fn party_post_tags(&self, posts: &[crate::duty::Post]) -> AppResult<Vec<PostTag>> {
        let ids: Vec<i64> = posts.iter().map(|p| p.id.0).collect();
        Ok(self
            .store
            .post_marks(Some(&ids))
            .await?
            .into_iter()
            .map(|m| PostTag {
                post_id: PostId(m.post_id),
                feature: "党建".into(),
                label: m.kind.zh().into(),
                detail: match m.kind {
                    PostMarkKind::Vanguard => m.org_name,
                    PostMarkKind::Area => format!("{} 负责：{}", m.person_name.unwrap_or_default(), m.area),
                },
                alert: false,
            })
            .collect())
    }

    /// A branch's marks on posts.
    pub(super) async fn branch_post_marks(&self, id: OrgId) -> AppResult<Vec<PostMark>> {
        Ok(self.store.post_marks(None).await?.into_iter().filter(|m| m.org_id == id).collect())
    }

    /// The branch's writers mark a post of their scope: a vanguard post, or a member of the branch
    /// answering for an area at it.
    pub async fn mark_post(&self, ctx: &Ctx, branch: OrgId, input: &PostMarkInput) -> AppResult<PostMark> {
        let scope = ctx.scope(perm::PARTY_ORG_WRITE)?;
        let org = self.org_in_scope(ctx, perm::PARTY_ORG_WRITE, branch).await?;
        if org.status != OrgStatus::Active || org.kind == OrgKind::Committee {
            return Err(AppError::Conflict(format!("“{}”不是运行中的支部，不能设立党员先锋岗或责任区", org.name)));
        }
        let mut e = Vec::new();
        let kind = PostMarkKind::parse(&input.kind).map_err(|x| e.push(x)).ok();
        let post_id = id_of("岗位", &input.post_id, &mut e);
        let area = kind.filter(|k| *k == PostMarkKind::Area).map(|_| {
            let who = text("负责党员", &input.police_no, 1, 20).map_err(|x| e.push(x)).ok();
            let what = text("责任区范围", &input.area, 2, 60).map_err(|x| e.push(x)).ok();
            (who, what)
        });
        let (Some(kind), Some(post_id), true) = (kind, post_id, e.is_empty()) else {
            return Err(AppError::Invalid(e));
        };
        let post = self
            .store
            .duty_post(PostId(post_id))
            .await
            .map_err(|_| AppError::invalid(FieldError::new("岗位", "岗位不存在")))?;
        if !in_scope(&scope, &post.unit_path, None) {
            return Err(AppError::forbidden_data());
        }
        let (person, area_text) = match area {
            Some((Some(no), Some(what))) => {
                let members = self.expected_members(&org).await?;
                let Some(m) = members.iter().find(|m| m.police_no == no) else {
                    return Err(AppError::invalid(FieldError::new(
                        "负责党员",
                        format!("警号“{no}”不是“{}”的党员", org.name),
                    )));
                };
                (Some(m.person_id), what)
            }
            _ => (None, String::new()),
        };
        let today = bastion_core::time::today().to_string();
        let new =
            NewPostMark { post_id, kind, org: org.id, person, area: &area_text, since: &today, by: &ctx.username };
        let mut tx = self.store.begin().await?;
        if !self.store.insert_post_mark(&mut tx, &new).await? {
            let had = self.store.post_marks(Some(&[post_id])).await?.into_iter().find(|m| m.kind == kind);
            let by = had.map(|m| format!("（{}）", m.org_name)).unwrap_or_default();
            return Err(AppError::Conflict(format!("“{}”已是{}{by}", post.name, kind.zh())));
        }
        let action = match kind {
            PostMarkKind::Vanguard => "设立党员先锋岗",
            PostMarkKind::Area => "划定党员责任区",
        };
        self.audit(&mut tx, ctx, "party", action, &format!("duty_post:{} {}", post.id.0, post.name), &org.name).await?;
        bastion_store::commit(tx).await?;
        let marks = self.store.post_marks(Some(&[post_id])).await?;
        marks.into_iter().find(|m| m.kind == kind).ok_or_else(|| AppError::NotFound("标识不存在".into()))
    }

    /// Take a mark the branch set off its post.
    pub async fn unmark_post(&self, ctx: &Ctx, branch: OrgId, input: &PostMarkInput) -> AppResult<()> {
        let org = self.org_in_scope(ctx, perm::PARTY_ORG_WRITE, branch).await?;
        let mut e = Vec::new();
        let kind = PostMarkKind::parse(&input.kind).map_err(|x| e.push(x)).ok();
        let post_id = id_of("岗位", &input.post_id, &mut e);
        let (Some(kind), Some(post_id)) = (kind, post_id) else { return Err(AppError::Invalid(e)) };
        let Some(mark) = self.store.post_marks(Some(&[post_id])).await?.into_iter().find(|m| m.kind == kind) else {
            return Err(AppError::NotFound(format!("该岗位没有{}", kind.zh())));
        };
        if mark.org_id != org.id {
            return Err(AppError::Conflict(format!(
                "“{}”的{}由{}设立，只能由该支部撤销",
                mark.post_name,
                kind.zh(),
                mark.org_name
            )));
        }
        let mut tx = self.store.begin().await?;
        self.store.delete_post_mark(&mut tx, post_id, kind).await?;
        let action = format!("撤销{}", kind.zh());
        self.audit(&mut tx, ctx, "party", &action, &format!("duty_post:{post_id} {}", mark.post_name), &org.name)
            .await?;
        bastion_store::commit(tx).await?;
        Ok(())
    }
}
