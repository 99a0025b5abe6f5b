//! A person's party record (their own, or another's within the caller's scope).

use bastion_core::permission::perm;
use bastion_core::FieldError;
use bastion_store::org::{PersonId, RowScope};

use super::*;
use crate::{in_scope, App, AppError, AppResult, Ctx};

impl App {
    /// A person's party record, within the caller's scope (one's own with 仅本人).
    pub async fn party_record(&self, ctx: &Ctx, person: PersonId) -> AppResult<MemberRecord> {
        let scope = ctx.scope(perm::PARTY_MEMBER_READ)?;
        let p = self.store.person(person).await.map_err(|_| AppError::NotFound("人员不存在".into()))?;
        if !in_scope(&scope, &p.unit_path, Some(person)) {
            return Err(match scope {
                RowScope::Person(_) => AppError::Forbidden("只能查看本人的党员档案".into()),
                _ => AppError::forbidden_data(),
            });
        }
        let member = self.store.party_member(person).await?;
        let secondments = self.store.secondments_of(person).await?;
        let candidate = match self.store.candidate_of(person).await? {
            Some(c) => Some(pipeline_row(self.store.candidate(c).await?)),
            None => None,
        };
        let petitions = self.store.petitions().await?.into_iter().filter(|x| x.person_id == person).collect();
        let mut orgs: Vec<OrgId> = secondments.iter().map(|s| s.0).collect();
        if let Some(m) = &member {
            orgs.push(m.branch_id);
        }
        let today = bastion_core::time::today().to_string();
        let meetings_today: Vec<Meeting> =
            self.store.meetings(None, Some(&today)).await?.into_iter().filter(|m| orgs.contains(&m.org_id)).collect();
        let mut checked_in = Vec::new();
        for m in &meetings_today {
            if self.store.checked_in(m.id, person).await? {
                checked_in.push(m.id);
            }
        }
        let mut tx_free = MemberRecord {
            person_id: person,
            name: p.name.clone(),
            political_status: p.political_status,
            member,
            secondments,
            candidate,
            petitions,
            meetings_today,
            checked_in,
        };
        tx_free.secondments.sort_by_key(|s| s.0 .0);
        Ok(tx_free)
    }

    /// The caller's own party record.
    pub async fn my_party_record(&self, ctx: &Ctx) -> AppResult<MemberRecord> {
        ctx.scope(perm::PARTY_MEMBER_READ)?;
        let Some(person) = ctx.person_id else {
            return Err(AppError::invalid(FieldError::new("人员", "您的账号未关联人员档案，没有本人的党员档案")));
        };
        self.party_record(ctx, person).await
    }
}
