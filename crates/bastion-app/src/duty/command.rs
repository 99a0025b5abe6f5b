//! Command structure (指挥体系): under an operation, the leading group (领导小组), the HQ special
//! team (指挥部专班) and the work groups (工作组), each with a written remit, one leader (组长),
//! deputies and members. A person may hold several places; their own are listed on "my shifts".
//! Changes need the command permission and are audited.

use bastion_core::duty::{GroupKind, GroupRole};
use bastion_core::error::{non_empty, opt_multiline, text};
use bastion_core::permission::perm;
use bastion_core::FieldError;
use bastion_store::duty::command::NewGroup;
/// The read models and ids the web layer shows.
pub use bastion_store::duty::command::{Group, GroupId, Member};
use bastion_store::org::PersonId;
use serde::{Deserialize, Serialize};

use crate::{App, AppError, AppResult, Ctx};

/// A new group.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
#[schemars(extend("required" = ["operation_id", "kind", "name"]))]
pub struct GroupInput {
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "i64")]
    pub operation_id: String,
    /// leading, hq or work (or 领导小组, 指挥部专班, 工作组)
    #[schemars(with = "GroupKind")]
    pub kind: String,
    pub name: String,
    /// What the group does (职责).
    pub remit: String,
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "Option<i64>")]
    pub sort_order: String,
}

/// A person put in a group with a role.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
#[schemars(extend("required" = ["role"]))]
pub struct MemberInput {
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "Option<i64>")]
    pub person_id: String,
    /// The person's police number (警号), used when `person_id` is empty.
    #[serde(deserialize_with = "bastion_core::input::flex")]
    pub police_no: String,
    /// leader, deputy or member (or 组长, 副组长, 成员)
    #[schemars(with = "GroupRole")]
    pub role: String,
}

/// One group with its people.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct GroupView {
    pub group: Group,
    pub members: Vec<Member>,
}

/// An operation's command structure.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CommandView {
    pub operation_id: i64,
    pub operation_name: String,
    pub groups: Vec<GroupView>,
}

impl App {
    /// The command structure of an operation (the latest open one when none is given).
    pub async fn command_structure(&self, ctx: &Ctx, operation: Option<&str>) -> AppResult<CommandView> {
        ctx.scope(perm::DUTY_READ)?;
        let op = self.operation_or_current(operation).await?;
        let groups = self.store.groups_of(op.id.0).await?;
        let ids: Vec<GroupId> = groups.iter().map(|g| g.id).collect();
        let mut members = self.store.group_members(&ids).await?;
        let groups = groups
            .into_iter()
            .map(|g| {
                let mine: Vec<Member> = members.iter().filter(|m| m.group_id == g.id).cloned().collect();
                members.retain(|m| m.group_id != g.id);
                GroupView { group: g, members: mine }
            })
            .collect();
        Ok(CommandView { operation_id: op.id.0, operation_name: op.name, groups })
    }

    /// The operation named by `operation`, or the one in force (the latest when none is active).
    pub(crate) async fn operation_or_current(
        &self,
        operation: Option<&str>,
    ) -> AppResult<bastion_store::operation::Operation> {
        match operation.and_then(non_empty) {
            Some(raw) => {
                let id =
                    raw.parse::<i64>().map_err(|_| AppError::invalid(FieldError::new("行动", "行动须为正整数编号")))?;
                self.store
                    .operation(bastion_store::operation::OperationId(id))
                    .await
                    .map_err(|_| AppError::NotFound("行动不存在".into()))
            }
            None => {
                let all = self.store.operations().await?;
                let open = all
                    .iter()
                    .find(|o| o.status == bastion_core::org::OperationStatus::Active)
                    .or(all.first())
                    .cloned();
                open.ok_or_else(|| AppError::NotFound("还没有行动：请先在“行动管理”中新建行动".into()))
            }
        }
    }

    pub async fn create_group(&self, ctx: &Ctx, v: &GroupInput) -> AppResult<GroupId> {
        ctx.scope(perm::DUTY_COMMAND)?;
        let mut e = Vec::new();
        let operation = match v.operation_id.trim().parse::<i64>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                e.push(FieldError::new("行动", "行动须为正整数编号"));
                None
            }
        };
        let kind = GroupKind::parse(&v.kind).map_err(|x| e.push(x)).ok();
        let name = text("组名", &v.name, 2, 30).map_err(|x| e.push(x)).ok();
        let remit = opt_multiline("职责", &v.remit, 500).map_err(|x| e.push(x)).ok();
        let sort_order = match non_empty(&v.sort_order).map(str::parse::<i64>) {
            None => Some(0),
            Some(Ok(n)) if (0..=999).contains(&n) => Some(n),
            _ => {
                e.push(FieldError::new("排序", "排序须为 0 到 999 之间的整数"));
                None
            }
        };
        let (Some(operation), Some(kind), Some(name), Some(remit), Some(sort_order)) =
            (operation, kind, name, remit, sort_order)
        else {
            return Err(AppError::Invalid(e));
        };
        let op = self
            .store
            .operation(bastion_store::operation::OperationId(operation))
            .await
            .map_err(|_| AppError::invalid(FieldError::new("行动", "行动不存在")))?;
        if kind != GroupKind::Work && self.store.groups_of(operation).await?.iter().any(|g| g.kind == kind) {
            return Err(AppError::Conflict(format!("行动“{}”已有{}，每个行动只设一个", op.name, kind.zh())));
        }
        let new = NewGroup { operation_id: operation, kind, name, remit: remit.unwrap_or_default(), sort_order };
        let mut tx = self.store.begin().await?;
        let id = self.store.insert_group(&mut tx, &new).await?;
        self.audit(&mut tx, ctx, "duty", "新增指挥体系组别", &format!("duty_group:{} {}", id.0, new.name), kind.zh())
            .await?;
        bastion_store::commit(tx).await?;
        Ok(id)
    }

    /// Put a person in a group (a second 组长 is refused: the group has one leader).
    pub async fn set_group_member(&self, ctx: &Ctx, group: GroupId, v: &MemberInput) -> AppResult<()> {
        ctx.scope(perm::DUTY_COMMAND)?;
        let g = self.store.group(group).await.map_err(|_| AppError::NotFound("组别不存在".into()))?;
        let mut e = Vec::new();
        let role = GroupRole::parse(&v.role).map_err(|x| e.push(x)).ok();
        let person = match (non_empty(&v.person_id), non_empty(&v.police_no)) {
            (Some(id), _) => match id.parse::<i64>() {
                Ok(n) if n > 0 => Some(PersonId(n)),
                _ => {
                    e.push(FieldError::new("人员", "人员须为正整数编号"));
                    None
                }
            },
            (None, Some(no)) => match self.store.person_by_police_no(no).await? {
                Some(p) => Some(p),
                None => {
                    e.push(FieldError::new("人员", format!("警号“{no}”不存在")));
                    None
                }
            },
            (None, None) => {
                e.push(FieldError::required("人员"));
                None
            }
        };
        let (Some(role), Some(person)) = (role, person) else { return Err(AppError::Invalid(e)) };
        let p =
            self.store.person(person).await.map_err(|_| AppError::invalid(FieldError::new("人员", "人员不存在")))?;
        if !p.enabled {
            return Err(AppError::invalid(FieldError::new("人员", format!("{} 已停用，不能编入", p.name))));
        }
        let mut tx = self.store.begin().await?;
        if role == GroupRole::Leader {
            if let Some(other) = self.store.group_leader(&mut tx, group, person).await? {
                return Err(AppError::Conflict(format!(
                    "“{}”已有组长 {other}；每组只设一名组长，请先把 {other} 改为副组长或移出",
                    g.name
                )));
            }
        }
        self.store.set_group_member(&mut tx, group, person, role).await?;
        self.audit(
            &mut tx,
            ctx,
            "duty",
            "编入指挥体系",
            &format!("duty_group:{} {} {}", g.id.0, g.name, p.police_no),
            role.zh(),
        )
        .await?;
        bastion_store::commit(tx).await?;
        Ok(())
    }

    pub async fn remove_group_member(&self, ctx: &Ctx, group: GroupId, person: PersonId) -> AppResult<()> {
        ctx.scope(perm::DUTY_COMMAND)?;
        let g = self.store.group(group).await.map_err(|_| AppError::NotFound("组别不存在".into()))?;
        let mut tx = self.store.begin().await?;
        if !self.store.remove_group_member(&mut tx, group, person).await? {
            return Err(AppError::NotFound(format!("此人不在“{}”中", g.name)));
        }
        self.audit(
            &mut tx,
            ctx,
            "duty",
            "移出指挥体系",
            &format!("duty_group:{} {} person:{}", g.id.0, g.name, person.0),
            "",
        )
        .await?;
        bastion_store::commit(tx).await?;
        Ok(())
    }

    /// The caller's own places in command structures (for "my shifts").
    pub async fn my_command_roles(&self, ctx: &Ctx) -> AppResult<Vec<(Group, GroupRole)>> {
        ctx.scope(perm::DUTY_SIGN)?;
        match ctx.person_id {
            Some(p) => Ok(self.store.person_groups(p).await?),
            None => Ok(Vec::new()),
        }
    }
}

/// Demo groups of invented names for the demo's operation: the leading group, the HQ special team
/// and ten work groups, filled from the demo's people (`people`, on duty, by unit code).
pub(crate) async fn seed_demo(app: &App, people: &[(PersonId, &str)]) -> AppResult<()> {
    let Some(op) = app.store.operations().await?.into_iter().next() else { return Ok(()) };
    let pick = |code: &str, skip: usize, n: usize| -> Vec<PersonId> {
        people.iter().filter(|(_, u)| *u == code).skip(skip).take(n).map(|(p, _)| *p).collect()
    };
    let groups: Vec<(GroupKind, &str, &str, Vec<PersonId>)> = vec![
        (
            GroupKind::Leading,
            "疫情防控工作领导小组",
            "统一领导全局疫情防控和维稳工作，研究决定重大事项",
            pick("BUREAU", 0, 6),
        ),
        (GroupKind::Hq, "指挥部专班", "24 小时值守指挥部，汇总信息、下达指令、调度警力", pick("HQ", 0, 8)),
        (GroupKind::Work, "综合协调组", "文电运转、会议组织、对上报告和对外协调", pick("D01", 0, 4)),
        (GroupKind::Work, "卡点管控组", "入境卡点查控、测温登记和发热人员移交", pick("D05", 0, 5)),
        (GroupKind::Work, "治安巡控组", "重点部位巡逻防控、隔离点周边秩序维护", pick("D08-1", 0, 5)),
        (GroupKind::Work, "交通管控组", "道口交通管制、车辆分流和应急通道保障", pick("D07-1", 0, 5)),
        (GroupKind::Work, "打击犯罪组", "依法打击涉疫违法犯罪，查处哄抬物价、制售假劣防护用品", pick("D06", 0, 4)),
        (GroupKind::Work, "后勤保障组", "防护物资采购、储备、调拨和一线民警生活保障", pick("D03", 0, 4)),
        (GroupKind::Work, "督导检查组", "日夜督导各卡点、专班履职和防护落实，通报问题", pick("D13", 0, 4)),
        (GroupKind::Work, "宣传报道组", "战疫宣传、先进典型报道和舆情引导", pick("D02", 0, 3)),
        (GroupKind::Work, "党建工作组", "临时党支部组建、党员先锋岗和请战书、突击队组织", pick("D02", 3, 3)),
        (GroupKind::Work, "信息研判组", "涉疫数据汇总研判、密接线索核查和日报编制", pick("D04", 0, 4)),
    ];
    let mut tx = app.store.begin().await?;
    for (i, (kind, name, remit, people)) in groups.into_iter().enumerate() {
        let g = NewGroup { operation_id: op.id.0, kind, name: name.into(), remit: remit.into(), sort_order: i as i64 };
        let id = app.store.insert_group(&mut tx, &g).await?;
        for (k, p) in people.into_iter().enumerate() {
            let role = match k {
                0 => GroupRole::Leader,
                1 | 2 => GroupRole::Deputy,
                _ => GroupRole::Member,
            };
            app.store.set_group_member(&mut tx, id, p, role).await?;
        }
    }
    bastion_store::commit(tx).await?;
    Ok(())
}
