//! Organisations: the branch tree with member counts and members at the front, one branch, temporary
//! branches (proposed, approved by another account with a document number, closed by hand or with
//! their operation), committee members and branch work records.

use std::collections::HashMap;

use bastion_core::error::{non_empty, text};
use bastion_core::org::OperationStatus;
use bastion_core::party::{self as rules, BranchAct, MeetingKind, MemberKind, OfficerRole, OrgKind, OrgStatus};
use bastion_core::permission::perm;
use bastion_core::FieldError;
use bastion_store::org::{PersonId, RowScope, UnitId};
use bastion_store::party::NewOrg;
use bastion_store::Tx;

use super::*;
use crate::{in_scope, App, AppError, AppResult, Ctx};

/// Can the caller see this organisation: its unit in scope, or a temporary branch they lead.
pub(super) fn org_visible(scope: &RowScope, o: &Org, ctx: &Ctx) -> bool {
    in_scope(scope, &o.unit_path, None)
        || (o.kind == OrgKind::Temporary && o.secretary_id.is_some() && o.secretary_id == ctx.person_id)
}

impl App {
    pub(super) async fn org_in_scope(&self, ctx: &Ctx, permission: &str, id: OrgId) -> AppResult<Org> {
        let scope = ctx.scope(permission)?;
        let o = self.store.party_org(id).await.map_err(|_| AppError::NotFound("党组织不存在".into()))?;
        if !org_visible(&scope, &o, ctx) {
            return Err(AppError::forbidden_data());
        }
        Ok(o)
    }

    /// The organisations the caller may see (closed temporary branches included: the archive).
    pub async fn party_orgs(&self, ctx: &Ctx) -> AppResult<Vec<Org>> {
        let scope = ctx.scope(perm::PARTY_ORG_READ)?;
        Ok(self.store.party_orgs().await?.into_iter().filter(|o| org_visible(&scope, o, ctx)).collect())
    }

    /// The branch tree with member counts and members at the front today.
    pub async fn party_overview(&self, ctx: &Ctx) -> AppResult<Overview> {
        let orgs = self.party_orgs(ctx).await?;
        let front: HashMap<i64, i64> = self
            .store
            .front_members(&bastion_core::time::today().to_string())
            .await?
            .into_iter()
            .map(|(o, n)| (o.0, n))
            .collect();
        let today = bastion_core::time::today();
        let quarter = rules::period_start(rules::Period::Quarter, today).to_string();
        let held: std::collections::HashSet<i64> = self
            .store
            .orgs_that_held(MeetingKind::General, &quarter, &today.to_string())
            .await?
            .into_iter()
            .map(|o| o.0)
            .collect();
        let rows: Vec<OrgRow> = orgs
            .into_iter()
            .map(|o| OrgRow {
                front: front.get(&o.id.0).copied().unwrap_or(0),
                general_this_quarter: held.contains(&o.id.0),
                org: o,
            })
            .collect();
        let regular = rows.iter().filter(|r| r.org.kind == OrgKind::Branch);
        let front_total = regular.clone().map(|r| r.front).sum();
        let members_total = regular.map(|r| r.org.members).sum();
        Ok(Overview { orgs: rows, front_total, members_total, definition: FRONT_DEFINITION.to_string() })
    }

    pub async fn party_branch(&self, ctx: &Ctx, id: OrgId) -> AppResult<BranchDetail> {
        let org = self.org_in_scope(ctx, perm::PARTY_ORG_READ, id).await?;
        let members = self.expected_members(&org).await?;
        let records = self.store.branch_records(id).await?;
        let officers = self.store.officers(id).await?;
        let today = bastion_core::time::today().to_string();
        let front = if org.kind == OrgKind::Branch {
            self.store.front_members(&today).await?.into_iter().find(|(o, _)| *o == id).map(|x| x.1).unwrap_or(0)
        } else {
            0
        };
        let full = members.iter().filter(|m| m.kind == MemberKind::Full).count() as i64;
        let expected = members.len() as i64;
        let mut meetings = Vec::new();
        let mut files = self.store.meeting_files_of_org(id).await?;
        for m in self.store.meetings(Some(id), None).await? {
            let (mine, rest) = files.into_iter().partition(|f| f.meeting_id == m.id);
            files = rest;
            meetings.push(MeetingView {
                files: mine,
                expected,
                attendance_rate: (expected > 0).then(|| (m.present as f64 * 1000.0 / expected as f64).round() / 10.0),
                absences: if m.excused > 0 { self.store.absences(m.id).await? } else { Vec::new() },
                quorum: rules::quorum(m.kind, full, m.present_full).err().filter(|_| m.on_date <= today),
                meeting: m,
            });
        }
        let life = if org.kind == OrgKind::Branch {
            let last = self.store.last_meetings(id, &today).await?;
            let periods = super::life::periods(bastion_core::time::today());
            let find = |i: usize| last.iter().find(|(k, _)| *k == periods[i].0).map(|x| x.1.clone());
            super::life::life(find, &periods)
        } else {
            Vec::new()
        };
        let restrictions = (org.kind == OrgKind::Temporary).then(|| rules::TEMPORARY_RULE.to_string());
        let post_marks = self.branch_post_marks(id).await?;
        Ok(BranchDetail {
            post_marks,
            committee_rule: rules::committee_rule(full).to_string(),
            org,
            officers,
            members,
            records,
            front,
            meetings,
            life,
            restrictions,
        })
    }

    pub(super) async fn party_committee(&self) -> AppResult<Option<OrgId>> {
        Ok(self.store.party_orgs().await?.into_iter().find(|o| o.kind == OrgKind::Committee).map(|o| o.id))
    }

    /// Propose a temporary branch with its appointed secretary and seconded members.
    pub async fn propose_temporary(&self, ctx: &Ctx, input: &TemporaryInput) -> AppResult<OrgId> {
        let scope = ctx.scope(perm::PARTY_ORG_WRITE)?;
        let mut e = Vec::new();
        let name = text("支部名称", &input.name, 4, 40).map_err(|x| e.push(x)).ok();
        if let Some(n) = &name {
            if !n.ends_with("临时党支部") {
                e.push(FieldError::new("支部名称", "支部名称须以“临时党支部”结尾，如“城关卡点临时党支部”"));
            }
        }
        let operation = id_of("行动", &input.operation_id, &mut e);
        let unit = id_of("所属单位", &input.unit_id, &mut e);
        let post = text("岗位", &input.post, 2, 60).map_err(|x| e.push(x)).ok();
        let checkpoint = match non_empty(&input.checkpoint_id) {
            None => Some(None),
            Some(_) => id_of("关联卡点", &input.checkpoint_id, &mut e).map(Some),
        };
        let secretary = match non_empty(&input.secretary_police_no) {
            Some(no) if non_empty(&input.secretary_id).is_none() => match self.store.person_by_police_no(no).await? {
                Some(p) => Some(p.0),
                None => {
                    e.push(FieldError::new("书记", format!("警号“{no}”不存在")));
                    None
                }
            },
            _ => id_of("书记", &input.secretary_id, &mut e),
        };
        let mut members = ids_of("成员", &input.member_ids, &mut e);
        for no in input.member_police_nos.split([',', '，', '、', ' ', '\n']).map(str::trim).filter(|x| !x.is_empty())
        {
            match self.store.person_by_police_no(no).await? {
                Some(p) if !members.contains(&p.0) => members.push(p.0),
                Some(_) => {}
                None => e.push(FieldError::new("成员", format!("成员中的警号“{no}”不存在"))),
            }
        }
        let (Some(name), Some(operation), Some(unit), Some(post), Some(checkpoint), Some(secretary)) =
            (name, operation, unit, post, checkpoint, secretary)
        else {
            return Err(AppError::Invalid(e));
        };
        if !e.is_empty() {
            return Err(AppError::Invalid(e));
        }
        let unit = self.unit_in_scope(&scope, UnitId(unit), "所属单位").await?;
        let op = self
            .store
            .operation(crate::operation::OperationId(operation))
            .await
            .map_err(|_| AppError::invalid(FieldError::new("行动", "行动不存在")))?;
        if op.status == OperationStatus::Closed {
            return Err(AppError::invalid(FieldError::new(
                "行动",
                format!("行动“{}”已结束：临时党支部随临时任务设立，任务结束即撤销", op.name),
            )));
        }
        if let Some(c) = checkpoint {
            self.store
                .checkpoint(bastion_store::checkpoint::CheckpointId(c))
                .await
                .map_err(|_| AppError::invalid(FieldError::new("关联卡点", "关联卡点不存在")))?;
        }
        // The secretary is a full member; every member is a party member (组织关系不转接).
        let sec = self.store.party_member(PersonId(secretary)).await?;
        match &sec {
            Some(m) if m.kind == MemberKind::Full => {}
            _ => {
                return Err(AppError::invalid(FieldError::new(
                    "书记",
                    "临时党支部书记须为正式党员（由批准成立的党组织指定）",
                )))
            }
        }
        let mut seconded = vec![(PersonId(secretary), "secretary")];
        for m in members.iter().filter(|m| **m != secretary) {
            if self.store.party_member(PersonId(*m)).await?.is_none() {
                return Err(AppError::invalid(FieldError::new(
                    "成员",
                    format!("人员 {m} 不是党员（或未登记所在支部），不能编入临时党支部"),
                )));
            }
            seconded.push((PersonId(*m), "member"));
        }
        let parent = self.party_committee().await?;
        let new = NewOrg {
            kind: OrgKind::Temporary,
            name,
            parent_id: parent,
            unit_id: unit.id,
            status: OrgStatus::Proposed,
            operation_id: Some(op.id.0),
            post: Some(post),
            checkpoint_id: checkpoint,
            secretary_id: Some(PersonId(secretary)),
            term_start: Some(bastion_core::time::today().to_string()),
            term_end: None,
            proposed_by: Some(ctx.username.clone()),
            approved_by: None,
            approval_doc_no: None,
        };
        let mut tx = self.store.begin().await?;
        let id = self.store.insert_party_org(&mut tx, &new).await?;
        for (p, role) in &seconded {
            self.store.insert_secondment(&mut tx, id, *p, role).await?;
        }
        self.audit(
            &mut tx,
            ctx,
            "party",
            "提请成立临时党支部",
            &format!("party_org:{} {}", id.0, new.name),
            &format!("行动 {}；岗位 {}；成员 {} 人", op.name, new.post.as_deref().unwrap_or(""), seconded.len()),
        )
        .await?;
        bastion_store::commit(tx).await?;
        Ok(id)
    }

    /// Approve a proposed temporary branch: the committee, another account than the proposer,
    /// with the approval's document number.
    pub async fn approve_temporary(&self, ctx: &Ctx, id: OrgId, input: &ApproveInput) -> AppResult<Org> {
        let org = self.org_in_scope(ctx, perm::PARTY_ORG_APPROVE, id).await?;
        let doc_no = rules::doc_number("批准文号", &input.doc_no).map_err(AppError::invalid)?;
        if org.kind != OrgKind::Temporary {
            return Err(AppError::Conflict(format!("“{}”不是临时党支部，无需批准", org.name)));
        }
        if org.proposed_by.as_deref() == Some(ctx.username.as_str()) {
            return Err(AppError::Forbidden(format!(
                "“{}”由您提请成立，须由另一名党委成员批准（提请人与批准人不能是同一账号）",
                org.name
            )));
        }
        let mut tx = self.store.begin().await?;
        if !self.store.approve_party_org(&mut tx, id, &ctx.username, &doc_no).await? {
            return Err(AppError::Conflict(format!("“{}”当前状态为“{}”，不能批准", org.name, org.status.zh())));
        }
        self.audit(&mut tx, ctx, "party", "批准成立临时党支部", &format!("party_org:{} {}", id.0, org.name), &doc_no)
            .await?;
        let msg = format!(
            "【党建】{} 经党委批准成立（{doc_no}），书记：{}",
            org.name,
            org.secretary_name.as_deref().unwrap_or("-")
        );
        self.notify_groups(&mut tx, crate::notify::Source::new(NOTIFY_SOURCE, id.0), &msg).await?;
        bastion_store::commit(tx).await?;
        Ok(self.store.party_org(id).await?)
    }

    /// Close a temporary branch by hand; the record and its members stay as the archive.
    pub async fn close_temporary(&self, ctx: &Ctx, id: OrgId, input: &CloseInput) -> AppResult<Org> {
        let org = self.org_in_scope(ctx, perm::PARTY_ORG_WRITE, id).await?;
        let reason = text("撤销原因", &input.reason, 2, 200).map_err(AppError::invalid)?;
        if org.kind != OrgKind::Temporary {
            return Err(AppError::Conflict(format!("“{}”不是临时党支部，不能在此撤销", org.name)));
        }
        let mut tx = self.store.begin().await?;
        if !self.store.close_party_org(&mut tx, id, &reason).await? {
            return Err(AppError::Conflict(format!("“{}”已撤销", org.name)));
        }
        self.audit(&mut tx, ctx, "party", "撤销临时党支部", &format!("party_org:{} {}", id.0, org.name), &reason)
            .await?;
        bastion_store::commit(tx).await?;
        Ok(self.store.party_org(id).await?)
    }

    /// The operation-close hook: every open temporary branch of the operation is closed in the
    /// same transaction (临时组建的机构撤销后，临时党支部自然撤销).
    pub(crate) async fn close_party_for_operation(
        &self,
        tx: &mut Tx,
        ctx: &Ctx,
        operation: i64,
        name: &str,
    ) -> AppResult<()> {
        let reason = format!("行动“{name}”结束，临时党支部随之撤销");
        for (id, org) in self.store.close_party_orgs_of_operation(tx, operation, &reason).await? {
            self.audit(tx, ctx, "party", "撤销临时党支部", &format!("party_org:{} {org}", id.0), &reason).await?;
        }
        Ok(())
    }

    /// Appoint a committee member for a term. A branch's committee follows its size (§6.1) and is
    /// kept by its writers; a temporary branch's officers are appointed by the approving committee.
    pub async fn appoint_officer(&self, ctx: &Ctx, id: OrgId, input: &OfficerInput) -> AppResult<Officer> {
        ctx.scope(perm::PARTY_ORG_WRITE)?;
        let mut e = Vec::new();
        let person = id_of("人员", &input.person_id, &mut e);
        let role = OfficerRole::parse(&input.role).map_err(|x| e.push(x)).ok();
        let start = bastion_core::time::parse_date("任期开始", &input.term_start).map_err(|x| e.push(x)).ok();
        let end = match non_empty(&input.term_end) {
            None => Some(None),
            Some(t) => bastion_core::time::parse_date("任期结束", t).map_err(|x| e.push(x)).ok().map(Some),
        };
        let (Some(person), Some(role), Some(start), Some(end)) = (person, role, start, end) else {
            return Err(AppError::Invalid(e));
        };
        let org = self.org_in_scope(ctx, perm::PARTY_ORG_WRITE, id).await?;
        if org.kind == OrgKind::Temporary && !ctx.can(perm::PARTY_ORG_APPROVE) {
            return Err(AppError::Forbidden("临时党支部的书记、副书记和委员由批准其成立的党组织（党委）指定".into()));
        }
        if org.status == OrgStatus::Closed {
            return Err(AppError::Conflict(format!("“{}”已撤销", org.name)));
        }
        rules::check_term(org.kind, start, end).map_err(|m| AppError::invalid(FieldError::new("任期结束", m)))?;
        let members = if org.kind == OrgKind::Temporary {
            self.store.seconded_members(id).await?
        } else {
            self.store.branch_members(id).await?
        };
        let Some(m) = members.iter().find(|m| m.person_id.0 == person) else {
            return Err(AppError::invalid(FieldError::new(
                "人员",
                format!("人员 {person} 不是“{}”的党员，不能任命为委员", org.name),
            )));
        };
        if m.kind != MemberKind::Full {
            return Err(AppError::invalid(FieldError::new(
                "人员",
                format!("{} 是预备党员，预备党员没有被选举权，不能任委员", m.name),
            )));
        }
        let current: Vec<OfficerRole> = self.store.officers(id).await?.iter().map(|o| o.role).collect();
        let full = members.iter().filter(|m| m.kind == MemberKind::Full).count() as i64;
        rules::check_officer(org.kind, full, &current, role)
            .map_err(|m| AppError::invalid(FieldError::new("职务", m)))?;
        let (start, end) = (start.to_string(), end.map(|d| d.to_string()));
        let mut tx = self.store.begin().await?;
        self.store.insert_officer(&mut tx, id, m.person_id, role, &start, end.as_deref(), &ctx.username).await?;
        self.audit(
            &mut tx,
            ctx,
            "party",
            "任命支部委员",
            &format!("party_org:{} {}", id.0, org.name),
            &format!("{} {}；任期 {start} 至 {}", role.zh(), m.police_no, end.as_deref().unwrap_or("撤销时")),
        )
        .await?;
        bastion_store::commit(tx).await?;
        let officer = self.store.officers(id).await?.into_iter().find(|o| o.person_id == m.person_id);
        officer.ok_or_else(|| AppError::Internal(anyhow::anyhow!("任命后读不到委员记录")))
    }

    /// Record branch work. A temporary branch refuses admission, discipline, dues and elections.
    pub async fn add_branch_record(&self, ctx: &Ctx, id: OrgId, input: &RecordInput) -> AppResult<i64> {
        let org = self.org_in_scope(ctx, perm::PARTY_ORG_WRITE, id).await?;
        let mut e = Vec::new();
        let act = BranchAct::parse(&input.act).map_err(|x| e.push(x)).ok();
        let on = date_not_future("日期", &input.on_date, &mut e);
        let title = text("内容", &input.title, 2, 200).map_err(|x| e.push(x)).ok();
        let (Some(act), Some(on), Some(title)) = (act, on, title) else { return Err(AppError::Invalid(e)) };
        if org.kind == OrgKind::Temporary {
            rules::temporary_allows(act).map_err(|m| AppError::invalid(FieldError::new("事项", m)))?;
        }
        if org.status != OrgStatus::Active {
            return Err(AppError::Conflict(format!("“{}”当前状态为“{}”，不能记录支部工作", org.name, org.status.zh())));
        }
        let mut tx = self.store.begin().await?;
        let rid = self.store.insert_branch_record(&mut tx, id, act, &on.to_string(), &title, &ctx.username).await?;
        self.audit(&mut tx, ctx, "party", "记录支部工作", &format!("party_org:{} {}", id.0, org.name), act.zh())
            .await?;
        bastion_store::commit(tx).await?;
        Ok(rid)
    }
}
