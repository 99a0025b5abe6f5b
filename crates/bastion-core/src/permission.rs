//! Who may do what, to which data. A permission is `module:entity:action`; a role grants
//! permissions, each with a data scope. Scopes of several roles are OR-ed (RuoYi semantics).

use serde::Serialize;

/// 数据范围
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub enum DataScope {
    /// 全部
    All,
    /// 本单位及下级
    UnitAndBelow,
    /// 指定单位（及其下级）: the units are chosen per custom role.
    ChosenUnits,
    /// 仅本人
    SelfOnly,
}

impl DataScope {
    pub const EVERY: [DataScope; 4] =
        [DataScope::All, DataScope::UnitAndBelow, DataScope::ChosenUnits, DataScope::SelfOnly];

    pub fn code(self) -> &'static str {
        match self {
            DataScope::All => "all",
            DataScope::UnitAndBelow => "unit",
            DataScope::ChosenUnits => "units",
            DataScope::SelfOnly => "self",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            DataScope::All => "全部",
            DataScope::UnitAndBelow => "本单位及下级",
            DataScope::ChosenUnits => "指定单位",
            DataScope::SelfOnly => "仅本人",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            DataScope::All => "All",
            DataScope::UnitAndBelow => "Own unit and below",
            DataScope::ChosenUnits => "Chosen units",
            DataScope::SelfOnly => "Self only",
        }
    }

    pub fn parse(code: &str) -> Option<DataScope> {
        Self::EVERY.into_iter().find(|s| s.code() == code)
    }
}

pub struct RoleDef {
    pub key: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    pub grants: &'static [(&'static str, DataScope)],
}

use DataScope::*;

pub mod perm {
    pub const UNIT_READ: &str = "org:unit:read";
    pub const UNIT_WRITE: &str = "org:unit:write";
    pub const PERSON_READ: &str = "org:person:read";
    pub const PERSON_WRITE: &str = "org:person:write";
    pub const PERSON_IMPORT: &str = "org:person:import";
    pub const PERSON_EXPORT: &str = "org:person:export";
    pub const PERSON_REVEAL: &str = "org:person:reveal";
    pub const OPERATION_READ: &str = "operation:operation:read";
    pub const OPERATION_WRITE: &str = "operation:operation:write";
    pub const ACCOUNT_READ: &str = "system:account:read";
    pub const ACCOUNT_WRITE: &str = "system:account:write";
    pub const AUDIT_READ: &str = "audit:log:read";
    pub const DASHBOARD_READ: &str = "dashboard:home:read";
    /// Password, lock-out, session and IP policy (安全管理员).
    pub const POLICY_WRITE: &str = "system:policy:write";
    /// Give and take roles (安全管理员 only: the system admin creates accounts but cannot grant).
    pub const ROLE_GRANT: &str = "system:role:grant";
    /// Unlock an account locked by failed sign-ins.
    pub const ACCOUNT_UNLOCK: &str = "system:account:unlock";
    /// See online sessions and end them (强退).
    pub const SESSION_MANAGE: &str = "system:session:manage";
    // checkpoint
    pub const CHECKPOINT_READ: &str = "checkpoint:checkpoint:read";
    pub const CHECKPOINT_WRITE: &str = "checkpoint:checkpoint:write";
    pub const SCREENING_READ: &str = "checkpoint:screening:read";
    pub const SCREENING_WRITE: &str = "checkpoint:screening:write";
    /// Exact search of a person's passes by ID or phone number (blind index), audited.
    pub const SCREENING_TRACE: &str = "checkpoint:screening:trace";
    /// Delete screening data past its retention.
    pub const SCREENING_PURGE: &str = "checkpoint:screening:purge";
    pub const FEVER_WRITE: &str = "checkpoint:fever:write";
    // recall (召集令)
    /// See recall orders and their boards.
    pub const RECALL_READ: &str = "recall:order:read";
    /// Issue a recall order.
    pub const RECALL_ISSUE: &str = "recall:order:issue";
    /// Approve an order above the approval size (a second commander).
    pub const RECALL_APPROVE: &str = "recall:order:approve";
    /// Chase people at the desk: mark exempt or on post, remind, close.
    pub const RECALL_MANAGE: &str = "recall:target:manage";
    // publicity: articles, review, outside-channel reads, honours
    pub const PUBLICITY_READ: &str = "publicity:article:read";
    pub const PUBLICITY_WRITE: &str = "publicity:article:write";
    pub const PUBLICITY_REVIEW: &str = "publicity:article:review";
    pub const HONOUR_WRITE: &str = "publicity:honour:write";
    // notify: the delivery channels every feature sends through
    /// Configure the SMS gateways and chat-bot webhooks.
    pub const NOTIFY_CHANNEL: &str = "notify:channel:write";
    // supplies (防护物资)
    /// See stock of the stores in scope (a store's scope is its unit).
    pub const SUPPLY_READ: &str = "supplies:stock:read";
    /// Move stock of the stores in scope: receipts, transfers, returns, disposals, stocktakes.
    pub const SUPPLY_MOVE: &str = "supplies:stock:write";
    /// Keep the item catalogue and the list of stores.
    pub const SUPPLY_ITEM_WRITE: &str = "supplies:item:write";
    /// Issue kit to people (签领) from the stores in scope.
    pub const SUPPLY_ISSUE: &str = "supplies:kit:write";
    /// See issues to people: of the units in scope, or one's own.
    pub const SUPPLY_KIT_READ: &str = "supplies:kit:read";
    // inspections (督导检查)
    /// See inspections, findings and published circulars of the units in scope.
    pub const INSPECTION_READ: &str = "inspection:check:read";
    /// Inspect posts in scope, re-inspect findings (close or send back).
    pub const INSPECTION_WRITE: &str = "inspection:check:write";
    /// Record a unit's rectification of its findings.
    pub const INSPECTION_RECTIFY: &str = "inspection:finding:rectify";
    /// Plan inspections (with drawn night routes) and keep the checklists.
    pub const INSPECTION_PLAN: &str = "inspection:plan:write";
    /// Draft circulars.
    pub const CIRCULAR_WRITE: &str = "inspection:circular:write";
    /// Publish circulars (not one's own draft).
    pub const CIRCULAR_APPROVE: &str = "inspection:circular:approve";
    // duty (值班): posts, assignments, sign-in, the desk log
    /// See posts, their boards and assignments.
    pub const DUTY_READ: &str = "duty:post:read";
    /// Set up posts and assign people to shifts.
    pub const DUTY_WRITE: &str = "duty:post:write";
    /// Sign in and out of a shift (one's own, or for others at the desk).
    pub const DUTY_SIGN: &str = "duty:shift:sign";
    /// Read and write the desk log (值班日志).
    pub const DUTY_LOG: &str = "duty:log:write";
    /// Set up an operation's command structure (领导小组, 专班, 工作组) and its people.
    pub const DUTY_COMMAND: &str = "duty:command:write";
    /// Call command meetings, check people in for them, assign tasks (督办) and send them back.
    pub const DUTY_MEETING: &str = "duty:meeting:write";
    // party (党建): organisations, members, the pipeline, petitions, assault teams
    /// See party organisations (branches of units in scope; a temporary branch one leads).
    pub const PARTY_ORG_READ: &str = "party:org:read";
    /// Propose temporary branches, close them, keep branch work records.
    pub const PARTY_ORG_WRITE: &str = "party:org:write";
    /// Approve temporary branches and 火线入党 waivers (the party committee).
    pub const PARTY_ORG_APPROVE: &str = "party:org:approve";
    /// Read party records of people in scope (one's own with 仅本人).
    pub const PARTY_MEMBER_READ: &str = "party:member:read";
    /// Write a petition (请战书) and see one's own.
    pub const PARTY_PETITION_WRITE: &str = "party:petition:write";
    /// Form assault teams from petitions.
    pub const PARTY_TEAM_WRITE: &str = "party:team:write";
    /// Enter a team's daily mission results (all teams, or the teams one belongs to).
    pub const PARTY_MISSION_WRITE: &str = "party:mission:write";
    /// Record steps of the membership pipeline for branches in scope.
    pub const PARTY_PIPELINE_WRITE: &str = "party:pipeline:write";
    pub const REPORT_READ: &str = "report:daily:read";
    /// Assemble the day's draft, and write the text of a section one owns.
    pub const REPORT_WRITE: &str = "report:daily:write";
    /// Sign the day's report off (签发).
    pub const REPORT_APPROVE: &str = "report:daily:approve";
}
use perm::*;

/// The three administrators (三员) and the business roles. One account never holds two of the three.
pub const ROLES: &[RoleDef] = &[
    RoleDef {
        key: "superadmin",
        zh: "超级管理员",
        en: "Super admin",
        grants: &[
            (UNIT_READ, All),
            (UNIT_WRITE, All),
            (PERSON_READ, All),
            (PERSON_WRITE, All),
            (PERSON_IMPORT, All),
            (PERSON_EXPORT, All),
            (PERSON_REVEAL, All),
            (OPERATION_READ, All),
            (OPERATION_WRITE, All),
            (ACCOUNT_READ, All),
            (ACCOUNT_WRITE, All),
            (AUDIT_READ, All),
            (ROLE_GRANT, All),
            (ACCOUNT_UNLOCK, All),
            (DASHBOARD_READ, All),
            // recall
            (RECALL_READ, All),
            (RECALL_ISSUE, All),
            (RECALL_APPROVE, All),
            (RECALL_MANAGE, All),
            (NOTIFY_CHANNEL, All),
            // publicity
            (PUBLICITY_READ, All),
            (PUBLICITY_WRITE, All),
            (PUBLICITY_REVIEW, All),
            (HONOUR_WRITE, All),
        ],
    },
    RoleDef {
        key: "sysadmin",
        zh: "系统管理员",
        en: "System admin",
        grants: &[
            (UNIT_READ, All),
            (UNIT_WRITE, All),
            (PERSON_READ, All),
            (PERSON_WRITE, All),
            (PERSON_IMPORT, All),
            (PERSON_EXPORT, All),
            (OPERATION_READ, All),
            (ACCOUNT_READ, All),
            (ACCOUNT_WRITE, All),
            (DASHBOARD_READ, All),
            // recall
            (NOTIFY_CHANNEL, All),
        ],
    },
    RoleDef {
        key: "secadmin",
        zh: "安全管理员",
        en: "Security admin",
        grants: &[
            (ACCOUNT_READ, All),
            (ROLE_GRANT, All),
            (ACCOUNT_UNLOCK, All),
            (POLICY_WRITE, All),
            (SESSION_MANAGE, All),
            (DASHBOARD_READ, All),
        ],
    },
    RoleDef {
        key: "auditadmin",
        zh: "审计管理员",
        en: "Audit admin",
        grants: &[(AUDIT_READ, All), (DASHBOARD_READ, All)],
    },
    RoleDef {
        key: "commander",
        zh: "指挥长",
        en: "Commander",
        grants: &[
            (UNIT_READ, All),
            (PERSON_READ, All),
            (PERSON_REVEAL, All),
            (PERSON_EXPORT, All),
            (OPERATION_READ, All),
            (OPERATION_WRITE, All),
            (DASHBOARD_READ, All),
            // recall
            (RECALL_READ, All),
            (RECALL_ISSUE, All),
            (RECALL_APPROVE, All),
            (RECALL_MANAGE, All),
            (NOTIFY_CHANNEL, All),
            // publicity: the commander reviews and publishes
            (PUBLICITY_READ, All),
            (PUBLICITY_REVIEW, All),
            (HONOUR_WRITE, All),
        ],
    },
    RoleDef {
        key: "duty",
        zh: "指挥部值班员",
        en: "HQ duty officer",
        grants: &[
            (UNIT_READ, All),
            (PERSON_READ, All),
            (OPERATION_READ, All),
            (DASHBOARD_READ, All),
            (RECALL_READ, All),
            (RECALL_MANAGE, All),
        ],
    },
    RoleDef {
        key: "secretary",
        zh: "支部书记",
        en: "Branch secretary",
        grants: &[
            (UNIT_READ, All),
            (PERSON_READ, UnitAndBelow),
            (OPERATION_READ, All),
            (DASHBOARD_READ, All),
            (RECALL_READ, UnitAndBelow),
            (RECALL_MANAGE, UnitAndBelow),
        ],
    },
    RoleDef {
        key: "checkpoint",
        zh: "卡点民警",
        en: "Checkpoint officer",
        grants: &[(UNIT_READ, All), (PERSON_READ, SelfOnly), (OPERATION_READ, All)],
    },
    RoleDef {
        key: "supplies",
        zh: "装备管理员",
        en: "Supplies officer",
        grants: &[
            (UNIT_READ, All),
            (PERSON_READ, UnitAndBelow),
            (OPERATION_READ, All),
            (DASHBOARD_READ, All),
            (RECALL_READ, UnitAndBelow),
        ],
    },
    RoleDef {
        key: "editor",
        zh: "宣传编辑",
        en: "Publicity editor",
        grants: &[
            (UNIT_READ, All),
            (PERSON_READ, UnitAndBelow),
            (OPERATION_READ, All),
            // publicity: the editor writes and files nominations
            (PUBLICITY_READ, All),
            (PUBLICITY_WRITE, All),
            (HONOUR_WRITE, All),
        ],
    },
    RoleDef {
        key: "officer",
        zh: "民警（自助）",
        en: "Officer (self-service)",
        grants: &[(UNIT_READ, All), (PERSON_READ, SelfOnly), (OPERATION_READ, All)],
    },
];

pub const ADMIN_TRIAD: [&str; 3] = ["sysadmin", "secadmin", "auditadmin"];

/// Permissions only the three administrators hold: a custom role can never carry them, so 三员分立
/// cannot be worked around by defining a role.
pub const ADMIN_ONLY: &[&str] =
    &[ACCOUNT_READ, ACCOUNT_WRITE, ROLE_GRANT, ACCOUNT_UNLOCK, POLICY_WRITE, SESSION_MANAGE, AUDIT_READ];

/// Every permission a custom role may grant: those of the business roles, in first-seen order.
pub fn grantable() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for (p, _) in ROLES.iter().flat_map(|r| r.grants.iter()) {
        if !ADMIN_ONLY.contains(p) && !out.contains(p) {
            out.push(p);
        }
    }
    // Feature grants of the business roles (the super-admin's own, like purging, stay its own).
    for (_, p, _) in FEATURE_GRANTS.iter().filter(|(r, _, _)| *r != "superadmin") {
        if !ADMIN_ONLY.contains(p) && !out.contains(p) {
            out.push(p);
        }
    }
    out
}

/// Every permission there is: the administrators' own, those a custom role may grant, and the
/// super-administrator's feature grants.
pub fn all() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = ADMIN_ONLY.to_vec();
    for p in grantable().into_iter().chain(FEATURE_GRANTS.iter().map(|(_, p, _)| *p)) {
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

/// A reader's name for a permission: `module:entity:action` in words, e.g. 组织机构·人员·查看.
pub fn perm_label(p: &str, en: bool) -> String {
    let word = |w: &str| -> String {
        let (zh, e) = match w {
            "org" => ("组织机构", "Organisation"),
            "unit" => ("单位", "units"),
            "person" => ("人员", "people"),
            "operation" => ("行动", "Operations"),
            "dashboard" | "home" => ("首页", "Home"),
            "system" => ("系统", "System"),
            "account" => ("账号", "accounts"),
            "audit" => ("审计", "Audit"),
            "log" => ("日志", "logs"),
            "read" => ("查看", "read"),
            "write" => ("新增修改", "write"),
            "import" => ("导入", "import"),
            "export" => ("导出", "export"),
            "reveal" => ("查看完整号码", "reveal numbers"),
            "role" => ("角色", "roles"),
            "grant" => ("授予", "grant"),
            "policy" => ("策略", "policy"),
            "session" => ("会话", "sessions"),
            "manage" => ("管理", "manage"),
            "unlock" => ("解锁", "unlock"),
            // checkpoint
            "checkpoint" => ("卡点", "Checkpoints"),
            "screening" => ("测温登记", "screening"),
            "trace" => ("轨迹追溯", "trace"),
            "purge" => ("清理过期数据", "purge"),
            "fever" => ("发热病例", "fever cases"),
            // recall (召集令)
            "recall" => ("召集令", "Recall"),
            "order" => ("命令", "orders"),
            "target" => ("召集对象", "recipients"),
            "issue" => ("发布", "issue"),
            "approve" => ("审批", "approve"),
            // notify
            "notify" => ("消息通知", "Notifications"),
            "channel" => ("通知渠道", "channels"),
            // publicity
            "publicity" => ("宣传", "Publicity"),
            "article" => ("稿件", "articles"),
            "review" => ("审核发布", "review"),
            "honour" => ("评选", "honours"),
            // supplies
            "supplies" => ("防护物资", "Supplies"),
            "stock" => ("库存", "stock"),
            "item" => ("物资品目", "items"),
            "kit" => ("签领", "kit issues"),
            // duty
            "duty" => ("值班", "Duty"),
            "post" => ("岗位", "posts"),
            "shift" => ("班次", "shifts"),
            "sign" => ("签到签退", "sign in and out"),
            "command" => ("指挥体系", "command structure"),
            "meeting" => ("调度会与督办", "meetings and tasks"),
            // inspections
            "inspection" => ("督导检查", "Inspections"),
            "check" => ("检查", "inspections"),
            "finding" => ("问题", "findings"),
            "rectify" => ("整改", "rectify"),
            "plan" => ("检查计划", "plans"),
            "circular" => ("通报", "circulars"),
            // party
            "party" => ("党建", "Party"),
            "member" => ("党员档案", "member records"),
            "petition" => ("请战书", "petitions"),
            "team" => ("突击队", "assault teams"),
            "mission" => ("任务战果", "mission results"),
            "pipeline" => ("发展党员", "membership pipeline"),
            "report" => ("每日战报", "Daily report"),
            "daily" => ("战报", "reports"),
            other => return other.to_string(),
        };
        (if en { e } else { zh }).to_string()
    };
    p.split(':').map(word).collect::<Vec<_>>().join(if en { " · " } else { "·" })
}

pub fn role(key: &str) -> Option<&'static RoleDef> {
    ROLES.iter().find(|r| r.key == key)
}

/// Refuse a role set that puts two of the three administrators on one account, or names a role
/// that is neither built in nor custom (`is_custom`).
pub fn check_separation(roles: &[String], is_custom: &dyn Fn(&str) -> bool) -> Result<(), crate::FieldError> {
    let held: Vec<&str> = ADMIN_TRIAD.iter().copied().filter(|k| roles.iter().any(|r| r == k)).collect();
    if held.len() > 1 {
        return Err(crate::FieldError::new("角色", "系统管理员、安全管理员、审计管理员三员分立，同一账号只能担任其一"));
    }
    if let Some(unknown) = roles.iter().find(|r| role(r).is_none() && !is_custom(r)) {
        return Err(crate::FieldError::new("角色", format!("未知角色：{unknown}")));
    }
    Ok(())
}

/// The widest scope the given roles grant for `permission`; `None` when no role grants it.
pub fn scope_for(roles: &[String], permission: &str) -> Option<DataScope> {
    let rank = |s: DataScope| match s {
        All => 3,
        UnitAndBelow => 2,
        ChosenUnits => 1,
        SelfOnly => 0,
    };
    roles
        .iter()
        .filter_map(|r| role(r))
        .flat_map(grants_of)
        .filter(|(p, _)| *p == permission)
        .map(|(_, s)| s)
        .max_by_key(|s| rank(*s))
}

/// Grants of feature modules, kept in one block per feature: (role, permission, scope).
pub const FEATURE_GRANTS: &[(&str, &str, DataScope)] = &[
    // checkpoint
    ("superadmin", CHECKPOINT_READ, All),
    ("superadmin", CHECKPOINT_WRITE, All),
    ("superadmin", SCREENING_READ, All),
    ("superadmin", SCREENING_WRITE, All),
    ("superadmin", SCREENING_TRACE, All),
    ("superadmin", SCREENING_PURGE, All),
    ("superadmin", FEVER_WRITE, All),
    ("commander", CHECKPOINT_READ, All),
    ("commander", CHECKPOINT_WRITE, All),
    ("commander", SCREENING_READ, All),
    ("commander", SCREENING_TRACE, All),
    ("commander", FEVER_WRITE, All),
    ("duty", CHECKPOINT_READ, All),
    ("duty", SCREENING_READ, All),
    ("duty", SCREENING_TRACE, All),
    ("duty", FEVER_WRITE, All),
    ("checkpoint", CHECKPOINT_READ, All),
    ("checkpoint", SCREENING_READ, UnitAndBelow),
    ("checkpoint", SCREENING_WRITE, UnitAndBelow),
    ("checkpoint", FEVER_WRITE, UnitAndBelow),
    ("secretary", CHECKPOINT_READ, All),
    ("supplies", CHECKPOINT_READ, All),
    ("officer", CHECKPOINT_READ, All),
    // supplies: the supplies officer runs every store; a post's leader (checkpoint officer,
    // branch secretary) the stores of their own unit; every officer sees their own kit.
    ("superadmin", SUPPLY_READ, All),
    ("superadmin", SUPPLY_MOVE, All),
    ("superadmin", SUPPLY_ITEM_WRITE, All),
    ("superadmin", SUPPLY_ISSUE, All),
    ("superadmin", SUPPLY_KIT_READ, All),
    ("supplies", SUPPLY_READ, All),
    ("supplies", SUPPLY_MOVE, All),
    ("supplies", SUPPLY_ITEM_WRITE, All),
    ("supplies", SUPPLY_ISSUE, All),
    ("supplies", SUPPLY_KIT_READ, All),
    ("commander", SUPPLY_READ, All),
    ("commander", SUPPLY_KIT_READ, All),
    ("duty", SUPPLY_READ, All),
    ("checkpoint", SUPPLY_READ, UnitAndBelow),
    ("checkpoint", SUPPLY_MOVE, UnitAndBelow),
    ("checkpoint", SUPPLY_ISSUE, UnitAndBelow),
    ("checkpoint", SUPPLY_KIT_READ, UnitAndBelow),
    ("secretary", SUPPLY_READ, UnitAndBelow),
    ("secretary", SUPPLY_MOVE, UnitAndBelow),
    ("secretary", SUPPLY_ISSUE, UnitAndBelow),
    ("secretary", SUPPLY_KIT_READ, UnitAndBelow),
    ("officer", SUPPLY_KIT_READ, SelfOnly),
    ("editor", SUPPLY_KIT_READ, SelfOnly),
    // duty
    ("superadmin", DUTY_READ, All),
    ("superadmin", DUTY_WRITE, All),
    ("superadmin", DUTY_SIGN, All),
    ("superadmin", DUTY_LOG, All),
    ("superadmin", DUTY_COMMAND, All),
    ("superadmin", DUTY_MEETING, All),
    ("commander", DUTY_READ, All),
    ("commander", DUTY_WRITE, All),
    ("commander", DUTY_SIGN, All),
    ("commander", DUTY_LOG, All),
    ("commander", DUTY_COMMAND, All),
    ("commander", DUTY_MEETING, All),
    ("duty", DUTY_READ, All),
    ("duty", DUTY_WRITE, All),
    ("duty", DUTY_SIGN, All),
    ("duty", DUTY_LOG, All),
    ("duty", DUTY_MEETING, All),
    ("secretary", DUTY_READ, UnitAndBelow),
    ("secretary", DUTY_WRITE, UnitAndBelow),
    ("secretary", DUTY_SIGN, UnitAndBelow),
    ("checkpoint", DUTY_SIGN, SelfOnly),
    ("officer", DUTY_SIGN, SelfOnly),
    ("supplies", DUTY_SIGN, SelfOnly),
    ("editor", DUTY_SIGN, SelfOnly),
    // inspections: the commander inspects, plans and publishes; the HQ desk drafts circulars and
    // follows findings; a unit's leaders (branch secretary, checkpoint lead) rectify their own.
    ("superadmin", INSPECTION_READ, All),
    ("superadmin", INSPECTION_WRITE, All),
    ("superadmin", INSPECTION_RECTIFY, All),
    ("superadmin", INSPECTION_PLAN, All),
    ("superadmin", CIRCULAR_WRITE, All),
    ("superadmin", CIRCULAR_APPROVE, All),
    ("commander", INSPECTION_READ, All),
    ("commander", INSPECTION_WRITE, All),
    ("commander", INSPECTION_PLAN, All),
    ("commander", CIRCULAR_WRITE, All),
    ("commander", CIRCULAR_APPROVE, All),
    ("duty", INSPECTION_READ, All),
    ("duty", CIRCULAR_WRITE, All),
    ("secretary", INSPECTION_READ, UnitAndBelow),
    ("secretary", INSPECTION_RECTIFY, UnitAndBelow),
    ("checkpoint", INSPECTION_READ, UnitAndBelow),
    ("checkpoint", INSPECTION_RECTIFY, UnitAndBelow),
    // party (党建): the commander's account stands for the bureau's party committee (党委);
    // a branch secretary works on the branches of their unit; everyone else on their own record.
    ("superadmin", PARTY_ORG_READ, All),
    ("superadmin", PARTY_ORG_WRITE, All),
    ("superadmin", PARTY_ORG_APPROVE, All),
    ("superadmin", PARTY_MEMBER_READ, All),
    ("superadmin", PARTY_TEAM_WRITE, All),
    ("superadmin", PARTY_MISSION_WRITE, All),
    ("superadmin", PARTY_PIPELINE_WRITE, All),
    ("commander", PARTY_ORG_READ, All),
    ("commander", PARTY_ORG_WRITE, All),
    ("commander", PARTY_ORG_APPROVE, All),
    ("commander", PARTY_MEMBER_READ, All),
    ("commander", PARTY_PETITION_WRITE, All),
    ("commander", PARTY_TEAM_WRITE, All),
    ("commander", PARTY_MISSION_WRITE, All),
    ("commander", PARTY_PIPELINE_WRITE, All),
    ("secretary", PARTY_ORG_READ, UnitAndBelow),
    ("secretary", PARTY_ORG_WRITE, UnitAndBelow),
    ("secretary", PARTY_MEMBER_READ, UnitAndBelow),
    ("secretary", PARTY_PETITION_WRITE, UnitAndBelow),
    ("secretary", PARTY_MISSION_WRITE, SelfOnly),
    ("secretary", PARTY_PIPELINE_WRITE, UnitAndBelow),
    ("duty", PARTY_MEMBER_READ, SelfOnly),
    ("duty", PARTY_PETITION_WRITE, SelfOnly),
    ("duty", PARTY_MISSION_WRITE, SelfOnly),
    ("checkpoint", PARTY_MEMBER_READ, SelfOnly),
    ("checkpoint", PARTY_PETITION_WRITE, SelfOnly),
    ("checkpoint", PARTY_MISSION_WRITE, SelfOnly),
    ("supplies", PARTY_MEMBER_READ, SelfOnly),
    ("supplies", PARTY_PETITION_WRITE, SelfOnly),
    ("editor", PARTY_MEMBER_READ, SelfOnly),
    ("editor", PARTY_PETITION_WRITE, SelfOnly),
    ("officer", PARTY_MEMBER_READ, SelfOnly),
    ("officer", PARTY_PETITION_WRITE, SelfOnly),
    ("officer", PARTY_MISSION_WRITE, SelfOnly),
    // daily report: the commander signs it off; the HQ desk assembles it; the owners of the
    // supplies and publicity sections write their parts.
    ("superadmin", REPORT_READ, All),
    ("superadmin", REPORT_WRITE, All),
    ("superadmin", REPORT_APPROVE, All),
    ("commander", REPORT_READ, All),
    ("commander", REPORT_WRITE, All),
    ("commander", REPORT_APPROVE, All),
    ("duty", REPORT_READ, All),
    ("duty", REPORT_WRITE, All),
    ("supplies", REPORT_READ, All),
    ("supplies", REPORT_WRITE, All),
    ("editor", REPORT_READ, All),
    ("editor", REPORT_WRITE, All),
];

fn feature_grants(role: &str) -> impl Iterator<Item = (&'static str, DataScope)> + '_ {
    FEATURE_GRANTS.iter().filter(move |(r, _, _)| *r == role).map(|(_, p, s)| (*p, *s))
}

/// Every grant of a built-in role: its own list and the feature blocks.
pub fn grants_of(r: &'static RoleDef) -> impl Iterator<Item = (&'static str, DataScope)> {
    r.grants.iter().copied().chain(feature_grants(r.key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_permission_is_listed_once_with_a_readable_name() {
        let all = super::all();
        for p in [perm::ACCOUNT_READ, perm::AUDIT_READ, perm::DUTY_MEETING, perm::SCREENING_PURGE, perm::PERSON_READ] {
            assert!(all.contains(&p), "{p}");
        }
        let mut seen = std::collections::HashSet::new();
        assert!(all.iter().all(|p| seen.insert(*p)), "no permission twice");
        for p in &all {
            assert!(
                !super::perm_label(p, false).chars().any(|c| c.is_ascii_lowercase()),
                "a name for every part of {p}"
            );
        }
    }

    #[test]
    fn widest_scope_wins_and_triad_is_separated() {
        let r = vec!["officer".to_string(), "secretary".to_string()];
        assert_eq!(scope_for(&r, perm::PERSON_READ), Some(UnitAndBelow));
        assert_eq!(scope_for(&r, perm::PERSON_WRITE), None);
        let none = |_: &str| false;
        assert!(check_separation(&["sysadmin".into(), "auditadmin".into()], &none).is_err());
        assert!(check_separation(&["sysadmin".into(), "commander".into()], &none).is_ok());
        assert!(check_separation(&["gate_lead".into()], &none).is_err());
        assert!(check_separation(&["gate_lead".into()], &|r| r == "gate_lead").is_ok());
        assert!(grantable().contains(&perm::PERSON_READ));
        assert!(!grantable().contains(&perm::ROLE_GRANT) && !grantable().contains(&perm::AUDIT_READ));
        assert_eq!(perm_label(perm::PERSON_EXPORT, false), "组织机构·人员·导出");
        for s in DataScope::EVERY {
            assert_eq!(DataScope::parse(s.code()), Some(s));
        }
        assert_eq!(scope_for(&["auditadmin".into()], perm::PERSON_READ), None);
    }
}
