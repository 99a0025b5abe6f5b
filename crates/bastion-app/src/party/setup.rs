//! Setting the organisation up: the party committee (党委) and its regular branches (党支部),
//! each attached to a unit and set up by a decision with its document number; members registered
//! in their home branch (组织关系所在支部); and a member's organisation relationship transferred
//! from one branch to another (组织关系转接), their place in the membership pipeline with it.
//! Temporary branches are set up by proposal and approval instead (see `orgs`), and never hold a
//! member's organisation relationship.

use bastion_core::error::{non_empty, text};
use bastion_core::org::PoliticalStatus;
use bastion_core::party::{self as rules, MemberKind, OrgKind, OrgStatus};
use bastion_core::permission::perm;
use bastion_core::FieldError;
use bastion_store::org::{Person, PersonId, UnitId};
use bastion_store::party::NewOrg;

use super::*;
use crate::{App, AppError, AppResult, Ctx};

/// What a temporary branch answers to a member's registration or transfer.
const TEMPORARY_HOLDS_NO_MEMBERS: &str =
    "临时党支部不接收党员组织关系：党员编入临时党支部是借调，组织关系仍在原支部；编入成员请在提请成立临时党支部时列明";

impl App {
    /// Set up the committee (only one, at the top) or a regular branch under it. The committee's
    /// act: its role, the unit in scope, and the decision's document number.
    pub async fn create_party_org(&self, ctx: &Ctx, input: &OrgInput) -> AppResult<OrgId> {
        let scope = ctx.scope(perm::PARTY_ORG_APPROVE)?;
        let mut e = Vec::new();
        let kind = match non_empty(&input.kind) {
            None => Some(OrgKind::Branch),
            Some(k) => match OrgKind::parse(k) {
                Ok(OrgKind::Temporary) => {
                    e.push(FieldError::new("组织类型", "临时党支部须提请成立并经党委批准，不能在此直接设立"));
                    None
                }
                Ok(k) => Some(k),
                Err(x) => {
                    e.push(x);
                    None
                }
            },
        };
        let name = text("组织名称", &input.name, 4, 40).map_err(|x| e.push(x)).ok();
        if let (Some(n), Some(k)) = (&name, kind) {
            let (suffix, example) = match k {
                OrgKind::Committee => ("委员会", "中共青岚县公安局委员会"),
                _ => ("支部", "城关派出所党支部"),
            };
            if !n.ends_with(suffix) || n.ends_with("临时党支部") {
                e.push(FieldError::new("组织名称", format!("{}名称须以“{suffix}”结尾，如“{example}”", k.zh())));
            }
        }
        let unit = id_of("所属单位", &input.unit_id, &mut e);
        let doc_no = rules::doc_number("批准文号", &input.doc_no).map_err(|x| e.push(x)).ok();
        let term_start = match non_empty(&input.term_start) {
            None => Some(bastion_core::time::today()),
            Some(raw) => bastion_core::time::parse_date("任期开始", raw).map_err(|x| e.push(x)).ok(),
        };
        let (Some(kind), Some(name), Some(unit), Some(doc_no), Some(term_start), true) =
            (kind, name, unit, doc_no, term_start, e.is_empty())
        else {
            return Err(AppError::Invalid(e));
        };
        let unit = self.unit_in_scope(&scope, UnitId(unit), "所属单位").await?;
        let committee = self.party_committee().await?;
        let parent = match (kind, committee) {
            (OrgKind::Committee, Some(c)) => {
                let c = self.store.party_org(c).await?;
                return Err(AppError::Conflict(format!("已设立党委“{}”：一个局只设一个党委，支部设在其下", c.name)));
            }
            (OrgKind::Committee, None) => None,
            (_, None) => return Err(AppError::Conflict("请先设立局党委，党支部设在党委之下".into())),
            (_, Some(c)) => Some(c),
        };
        // A term runs three years (《中国共产党支部工作条例（试行）》第二十一条 for branch committees).
        let term_end = term_start.checked_add(jiff::Span::new().years(3)).ok().map(|d| d.to_string());
        let new = NewOrg {
            kind,
            name,
            parent_id: parent,
            unit_id: unit.id,
            status: OrgStatus::Active,
            operation_id: None,
            post: None,
            checkpoint_id: None,
            secretary_id: None,
            term_start: Some(term_start.to_string()),
            term_end,
            proposed_by: Some(ctx.username.clone()),
            approved_by: Some(ctx.username.clone()),
            approval_doc_no: Some(doc_no.clone()),
        };
        let mut tx = self.store.begin().await?;
        let id = self.store.insert_party_org(&mut tx, &new).await?;
        let action = format!("设立{}", kind.zh());
        let detail = format!("{doc_no}；所属单位 {}", unit.name);
        self.audit(&mut tx, ctx, "party", &action, &format!("party_org:{} {}", id.0, new.name), &detail).await?;
        bastion_store::commit(tx).await?;
        Ok(id)
    }

    /// A branch that may hold members' organisation relationships, in the caller's writing scope.
    async fn home_branch_in_scope(&self, ctx: &Ctx, id: OrgId) -> AppResult<Org> {
        let org = self.org_in_scope(ctx, perm::PARTY_ORG_WRITE, id).await?;
        match org.kind {
            OrgKind::Temporary => Err(AppError::Conflict(TEMPORARY_HOLDS_NO_MEMBERS.into())),
            OrgKind::Committee => Err(AppError::Conflict(format!("“{}”是党委，党员的组织关系登记在党支部", org.name))),
            OrgKind::Branch if org.status != OrgStatus::Active => {
                Err(AppError::Conflict(format!("“{}”当前状态为“{}”，不能接收党员", org.name, org.status.zh())))
            }
            OrgKind::Branch => Ok(org),
        }
    }

    async fn person_by_police_no_field(&self, raw: &str) -> AppResult<Person> {
        let no = text("警号", raw, 1, 20).map_err(AppError::invalid)?;
        let id = self
            .store
            .person_by_police_no(&no)
            .await?
            .ok_or_else(|| AppError::invalid(FieldError::new("警号", format!("警号“{no}”不存在"))))?;
        Ok(self.store.person(id).await?)
    }

    /// Register a party member in this branch, their home branch; their political status follows.
    pub async fn register_member(&self, ctx: &Ctx, branch: OrgId, input: &MemberInput) -> AppResult<Member> {
        let org = self.home_branch_in_scope(ctx, branch).await?;
        let mut e = Vec::new();
        let kind = MemberKind::parse(&input.kind).map_err(|x| e.push(x)).ok();
        let joined = date_not_future("入党日期", &input.joined_on, &mut e);
        let person = match self.person_by_police_no_field(&input.police_no).await {
            Ok(p) => Some(p),
            Err(AppError::Invalid(mut x)) => {
                e.append(&mut x);
                None
            }
            Err(other) => return Err(other),
        };
        let (Some(kind), Some(joined), Some(person), true) = (kind, joined, person, e.is_empty()) else {
            return Err(AppError::Invalid(e));
        };
        if let Some(m) = self.store.party_member(person.id).await? {
            return Err(AppError::Conflict(format!(
                "{}（{}）已是{}的党员，不能重复登记；转入本支部请办理组织关系转接",
                m.name, m.police_no, m.branch_name
            )));
        }
        let status = match kind {
            MemberKind::Full => PoliticalStatus::Member,
            MemberKind::Probationary => PoliticalStatus::Probationary,
        };
        let mut tx = self.store.begin().await?;
        self.store.upsert_party_member(&mut tx, person.id, org.id, kind, Some(&joined.to_string())).await?;
        self.store.set_political_status(&mut tx, person.id, status).await?;
        self.audit(
            &mut tx,
            ctx,
            "party",
            "登记党员",
            &format!("person:{} {}", person.id.0, person.name),
            &format!("{}；{}；入党日期 {joined}", org.name, kind.zh()),
        )
        .await?;
        bastion_store::commit(tx).await?;
        self.member_of(person.id).await
    }

    /// Transfer a member's organisation relationship into this branch. Both branches must be the
    /// caller's to write: a secretary can neither take a member from a branch outside their scope
    /// nor send one out of it by this route.
    pub async fn transfer_member(&self, ctx: &Ctx, branch: OrgId, input: &TransferInput) -> AppResult<Member> {
        let to = self.home_branch_in_scope(ctx, branch).await?;
        let mut e = Vec::new();
        let reason = text("转接原因", &input.reason, 2, 200).map_err(|x| e.push(x)).ok();
        let person = match self.person_by_police_no_field(&input.police_no).await {
            Ok(p) => Some(p),
            Err(AppError::Invalid(mut x)) => {
                e.append(&mut x);
                None
            }
            Err(other) => return Err(other),
        };
        let (Some(reason), Some(person), true) = (reason, person, e.is_empty()) else {
            return Err(AppError::Invalid(e));
        };
        let Some(m) = self.store.party_member(person.id).await? else {
            return Err(AppError::invalid(FieldError::new(
                "警号",
                format!("{}（{}）不是党员或未登记所在支部，请先登记党员", person.name, person.police_no),
            )));
        };
        if m.branch_id == to.id {
            return Err(AppError::Conflict(format!("{} 的组织关系已在{}", m.name, to.name)));
        }
        let from = self.org_in_scope(ctx, perm::PARTY_ORG_WRITE, m.branch_id).await?;
        let mut tx = self.store.begin().await?;
        if !self.store.move_party_member(&mut tx, person.id, from.id, to.id).await? {
            return Err(AppError::Conflict(format!("{} 的组织关系刚被转接，请刷新后再试", m.name)));
        }
        self.audit(
            &mut tx,
            ctx,
            "party",
            "组织关系转接",
            &format!("person:{} {}", person.id.0, person.name),
            &format!("由{}转入{}：{reason}", from.name, to.name),
        )
        .await?;
        bastion_store::commit(tx).await?;
        self.member_of(person.id).await
    }

    async fn member_of(&self, person: PersonId) -> AppResult<Member> {
        self.store.party_member(person).await?.ok_or_else(|| AppError::Internal(anyhow::anyhow!("党员记录未写入")))
    }
}
