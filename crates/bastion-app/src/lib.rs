//! Bastion's use cases. Each one authorises the caller (role and data scope), runs its
//! transaction, writes the audit record in that same transaction, and returns plain data.
//! The web layer and the CLI call only this crate.

pub mod audit;
pub mod auth;
pub mod checkpoint;
pub mod dashboard;
pub mod demo;
pub mod duty;
pub mod home;
pub mod inspection;
pub mod maintenance;
pub mod notify;
pub mod operation;
pub mod org;
pub mod party;
pub mod printing;
pub mod publicity;
pub mod recall;
pub mod report;
pub mod schedule;
pub mod supplies;
pub mod transfer;

/// The document engine (PDF/.docx), for the layers above that build printable documents.
pub use bastion_doc as doc;

use bastion_core::permission::{self, DataScope};
use bastion_core::FieldError;
use bastion_store::audit::AuditEntry;
use bastion_store::auth::{Account, AccountId};
use bastion_store::org::{PersonId, RowScope, UnitId};
use bastion_store::{Store, StoreError, Tx};
use serde::Serialize;

/// Errors a use case reports. The web layer maps each to one status and a zh-CN message.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("请先登录")]
    Unauthenticated,
    /// Sign-in refused: the same words for an unknown account and a wrong password.
    #[error("{0}")]
    BadLogin(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("输入有误")]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Locked(String),
    #[error("内部错误")]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    pub fn invalid(e: FieldError) -> Self {
        AppError::Invalid(vec![e])
    }
    pub fn forbidden_data() -> Self {
        AppError::Forbidden("您没有该数据的权限，请联系管理员".into())
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound("记录不存在".into()),
            StoreError::Duplicate { field, value } => {
                AppError::Invalid(vec![FieldError::new(field, format!("{field}“{value}”已存在"))])
            }
            StoreError::Conflict(m) => AppError::Conflict(m),
            // PostgreSQL refuses text with a NUL byte (SQLSTATE 22021); that is bad input, not a fault.
            StoreError::Db(sqlx_err) if is_bad_text(&sqlx_err) => {
                AppError::Invalid(vec![FieldError::new("输入", "输入包含无效字符（如 \\0）")])
            }
            other => AppError::Internal(anyhow::Error::new(other)),
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;

fn is_bad_text(e: &bastion_store::StoreSqlError) -> bool {
    match e {
        bastion_store::StoreSqlError::Database(d) => d.code().is_some_and(|c| c == "22021" || c == "22P05"),
        _ => false,
    }
}

/// Who is acting, from where: every use case receives one.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Ctx {
    pub account_id: AccountId,
    pub username: String,
    pub display_name: String,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub unit_path: String,
    pub person_id: Option<PersonId>,
    pub roles: Vec<String>,
    pub must_change_password: bool,
    pub ip: String,
    pub request_id: String,
    /// Custom roles in force when the request began (empty for built-in roles only).
    #[serde(skip)]
    pub book: std::sync::Arc<auth::roles::RoleBook>,
}

impl Ctx {
    /// `must_change_password` here also covers an expired password (see `App::password_change_due`).
    pub fn from_account(a: &Account, ip: &str, request_id: &str) -> Self {
        Self {
            account_id: a.id,
            username: a.username.clone(),
            display_name: a.display_name.clone(),
            unit_id: a.unit_id,
            unit_name: a.unit_name.clone(),
            unit_path: a.unit_path.clone(),
            person_id: a.person_id,
            roles: a.roles.clone(),
            must_change_password: a.must_change_password,
            ip: ip.to_string(),
            request_id: request_id.to_string(),
            book: Default::default(),
        }
    }

    /// The operator of the command line: acts as the bootstrap super-admin, audited as `cli`.
    pub fn cli(root_unit: UnitId) -> Self {
        Self::operator("cli", "命令行", root_unit)
    }

    /// Bastion's own scheduled work (retention purges), audited as `system`.
    pub fn system(root_unit: UnitId) -> Self {
        Self::operator("system", "系统任务", root_unit)
    }

    fn operator(username: &str, display_name: &str, root_unit: UnitId) -> Self {
        Self {
            account_id: AccountId(0),
            username: username.into(),
            display_name: display_name.into(),
            unit_id: root_unit,
            unit_name: String::new(),
            unit_path: "/".into(),
            person_id: None,
            roles: vec!["superadmin".into()],
            must_change_password: false,
            ip: "local".into(),
            request_id: String::new(),
            book: Default::default(),
        }
    }

    pub fn can(&self, perm: &str) -> bool {
        permission::scope_for(&self.roles, perm).is_some()
            || self.roles.iter().any(|r| self.book.reach(r, perm).next().is_some())
    }

    /// The rows this caller may touch with `perm`, or Forbidden when no role grants it. The
    /// scopes of several roles add up: 全部 wins; subtrees (own unit, chosen units) are joined;
    /// 仅本人 only when nothing wider is granted.
    pub fn scope(&self, perm: &str) -> AppResult<RowScope> {
        let mut granted = false;
        let mut subtrees: Vec<String> = Vec::new();
        let mut own_person = false;
        let builtin = self.roles.iter().filter_map(|r| permission::role(r)).flat_map(permission::grants_of);
        for (_, s) in builtin.filter(|(p, _)| *p == perm) {
            granted = true;
            match s {
                DataScope::All => return Ok(RowScope::All),
                DataScope::UnitAndBelow => subtrees.push(self.unit_path.clone()),
                DataScope::SelfOnly => own_person = true,
                // Built-in roles never use chosen units.
                DataScope::ChosenUnits => {}
            }
        }
        for reach in self.roles.iter().flat_map(|r| self.book.reach(r, perm)) {
            granted = true;
            match reach {
                auth::roles::Reach::All => return Ok(RowScope::All),
                auth::roles::Reach::OwnUnit => subtrees.push(self.unit_path.clone()),
                auth::roles::Reach::Units(paths) => subtrees.extend(paths.iter().cloned()),
                auth::roles::Reach::OwnPerson => own_person = true,
            }
        }
        if !granted {
            return Err(AppError::Forbidden(format!(
                "您没有“{}”权限；如工作需要，请联系安全管理员为您的账号分配含此权限的角色",
                permission::perm_label(perm, false)
            )));
        }
        subtrees.sort();
        subtrees.dedup();
        if !subtrees.is_empty() {
            Ok(RowScope::Subtrees(subtrees))
        } else if own_person {
            Ok(self.person_id.map(RowScope::Person).unwrap_or(RowScope::Nothing))
        } else {
            Ok(RowScope::Nothing)
        }
    }
}

/// Whether a unit (by path) or a person falls inside a scope.
pub fn in_scope(scope: &RowScope, unit_path: &str, person: Option<PersonId>) -> bool {
    match scope {
        RowScope::All => true,
        RowScope::Nothing => false,
        RowScope::Person(p) => person == Some(*p),
        RowScope::Subtrees(paths) => paths.iter().any(|p| unit_path.starts_with(p.as_str())),
    }
}

/// Runtime policy the use cases need (a subset of the settings).
#[derive(Debug, Clone)]
pub struct Policy {
    pub idle_timeout_ms: i64,
    pub max_failed_logins: i64,
    pub lock_ms: i64,
    /// Passwords older than this must be changed (0 = never); 等保 default 90 days.
    pub password_max_age_ms: i64,
    /// How many previous passwords are refused.
    pub password_history: i64,
    /// The three administrators (and the bootstrap super-admin) must use TOTP.
    pub totp_required_for_admins: bool,
    /// Addresses allowed to reach Bastion (empty: all) and refused (deny wins).
    pub ip_allow: Vec<auth::policy::IpRule>,
    pub ip_deny: Vec<auth::policy::IpRule>,
    /// Audit records are kept at least this long (never below 180 days).
    pub audit_retention_days: i64,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            idle_timeout_ms: 30 * 60 * 1000,
            max_failed_logins: 5,
            lock_ms: 10 * 60 * 1000,
            password_max_age_ms: 90 * 24 * 3600 * 1000,
            password_history: 5,
            totp_required_for_admins: true,
            ip_allow: Vec::new(),
            ip_deny: Vec::new(),
            audit_retention_days: 365,
        }
    }
}

#[derive(Clone)]
pub struct App {
    /// The database. Only this crate reaches it (and the tests, through the `testing` feature):
    /// the web layer and the command line go through the use cases.
    #[cfg(feature = "testing")]
    pub store: Store,
    #[cfg(not(feature = "testing"))]
    pub(crate) store: Store,
    /// The policy in force; read it with [`App::policy`].
    pub policy: std::sync::Arc<std::sync::RwLock<Policy>>,
    /// The custom roles in force; read them with [`App::role_book`].
    pub roles: std::sync::Arc<std::sync::RwLock<std::sync::Arc<auth::roles::RoleBook>>>,
    /// checkpoint: the registration writer and caches of this node.
    pub checkpoint: std::sync::Arc<checkpoint::Runtime>,
    /// Recall orders: board fan-out and the answer writer.
    pub recall: recall::Hub,
    /// The delivery queue's HTTP client and rate limits.
    pub notify: std::sync::Arc<notify::Runtime>,
    /// Publicity: this node's buffered view counts and rendered public pages.
    pub publicity: std::sync::Arc<publicity::PublicityRuntime>,
    /// The Chinese fonts printed PDFs embed, found on first use; see [`App::fonts`].
    pub fonts: std::sync::Arc<std::sync::OnceLock<bastion_doc::Fonts>>,
}

impl App {
    pub fn new(store: Store, policy: Policy) -> Self {
        let recall = recall::Hub::new(store.clone());
        Self {
            store,
            policy: std::sync::Arc::new(std::sync::RwLock::new(policy)),
            roles: Default::default(),
            checkpoint: Default::default(),
            recall,
            notify: std::sync::Arc::default(),
            publicity: std::sync::Arc::default(),
            fonts: std::sync::Arc::default(),
        }
    }

    /// Append the audit record of `ctx`'s action inside `tx`.
    pub async fn audit(
        &self,
        tx: &mut Tx,
        ctx: &Ctx,
        module: &str,
        action: &str,
        target: &str,
        detail: &str,
    ) -> AppResult<()> {
        self.store
            .append_audit(
                tx,
                &AuditEntry {
                    account: ctx.username.clone(),
                    unit: ctx.unit_name.clone(),
                    ip: ctx.ip.clone(),
                    module: module.into(),
                    action: action.into(),
                    target: target.into(),
                    result: "成功".into(),
                    detail: detail.into(),
                    request_id: ctx.request_id.clone(),
                },
            )
            .await?;
        Ok(())
    }
}
