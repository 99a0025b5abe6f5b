//! Custom roles (自定义角色), defined by the security admin on top of the built-in ones: a name and
//! a set of permissions, each with a data scope — 全部 / 本单位及下级 / 指定单位 / 仅本人. The
//! chosen units of a role are the roots of its 指定单位 grants. Kept as one setting, shared by
//! every node and reloaded with the policy; 三员 permissions can never be put in a custom role.

use std::collections::HashMap;
use std::sync::Arc;

use bastion_core::permission::{self, DataScope};
use bastion_core::FieldError;
use serde::{Deserialize, Serialize};

use crate::{App, AppError, AppResult, Ctx};

const KEY: &str = "security.custom_roles";
const MAX_ROLES: usize = 200;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Grant {
    /// `module:entity:action`
    pub perm: String,
    /// `all` / `unit` / `units` / `self`
    pub scope: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct CustomRole {
    pub key: String,
    pub name: String,
    pub grants: Vec<Grant>,
    /// Unit ids for the 指定单位 grants (each with its subtree).
    #[serde(default)]
    pub units: Vec<i64>,
}

/// A custom role as submitted (API body or form).
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
pub struct RoleInput {
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub grants: Vec<Grant>,
    #[serde(default)]
    pub units: Vec<i64>,
}

/// One resolved grant of a custom role.
#[derive(Debug, Clone)]
pub enum Reach {
    All,
    OwnUnit,
    /// Paths of the chosen units.
    Units(Vec<String>),
    OwnPerson,
}

/// The custom roles in force on this node, with chosen units resolved to paths.
#[derive(Debug, Default)]
pub struct RoleBook {
    pub roles: Vec<CustomRole>,
    grants: HashMap<String, Vec<(String, Reach)>>,
}

impl RoleBook {
    fn build(roles: Vec<CustomRole>, paths: &[(i64, String)]) -> Self {
        let mut grants = HashMap::new();
        for r in &roles {
            let chosen: Vec<String> =
                r.units.iter().filter_map(|u| paths.iter().find(|(id, _)| id == u).map(|(_, p)| p.clone())).collect();
            let list = r
                .grants
                .iter()
                .filter_map(|g| {
                    let reach = match DataScope::parse(&g.scope)? {
                        DataScope::All => Reach::All,
                        DataScope::UnitAndBelow => Reach::OwnUnit,
                        DataScope::ChosenUnits => Reach::Units(chosen.clone()),
                        DataScope::SelfOnly => Reach::OwnPerson,
                    };
                    Some((g.perm.clone(), reach))
                })
                .collect();
            grants.insert(r.key.clone(), list);
        }
        Self { roles, grants }
    }

    pub fn has(&self, key: &str) -> bool {
        self.grants.contains_key(key)
    }

    /// What `role` grants for `perm` (empty for built-in or unknown roles).
    pub fn reach<'a>(&'a self, role: &str, perm: &'a str) -> impl Iterator<Item = &'a Reach> + 'a {
        self.grants.get(role).into_iter().flatten().filter(move |(p, _)| p == perm).map(|(_, r)| r)
    }

    /// The display name of a role, built-in or custom.
    pub fn label(&self, key: &str, en: bool) -> Option<String> {
        if let Some(r) = permission::role(key) {
            return Some(if en { r.en } else { r.zh }.to_string());
        }
        self.roles.iter().find(|r| r.key == key).map(|r| r.name.clone())
    }
}

impl RoleInput {
    /// Check every field against the rules; on success the role to store.
    fn parse(&self, known_units: &[(i64, String)]) -> Result<CustomRole, Vec<FieldError>> {
        let mut errors = Vec::new();
        let key = self.key.trim().to_string();
        if key.len() < 2
            || key.len() > 30
            || !key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            || !key.as_bytes()[0].is_ascii_lowercase()
        {
            errors.push(FieldError::new("角色代码", "须为 2–30 位小写字母、数字或下划线，以字母开头"));
        } else if permission::role(&key).is_some() {
            errors.push(FieldError::new("角色代码", format!("“{key}”是内置角色，请换一个代码")));
        }
        let name =
            bastion_core::error::text("角色名称", &self.name, 1, 30).map_err(|e| errors.push(e)).unwrap_or_default();
        let grantable = permission::grantable();
        let mut grants: Vec<Grant> = Vec::new();
        for g in &self.grants {
            if permission::ADMIN_ONLY.contains(&g.perm.as_str()) {
                errors.push(FieldError::new("权限", format!("“{}”只属于三员，不能放入自定义角色", g.perm)));
            } else if !grantable.contains(&g.perm.as_str()) {
                errors.push(FieldError::new("权限", format!("未知权限：{}", g.perm)));
            } else if g.scope.trim().is_empty() {
                errors.push(FieldError::new(
                    "数据范围",
                    format!("已勾选“{}”，请为它所在的分组选择数据范围", permission::perm_label(&g.perm, false)),
                ));
            } else if DataScope::parse(&g.scope).is_none() {
                errors.push(FieldError::new("数据范围", format!("“{}”须为 all、unit、units 或 self", g.scope)));
            } else if grants.iter().any(|x| x.perm == g.perm) {
                errors.push(FieldError::new("权限", format!("“{}”重复授予", g.perm)));
            } else {
                grants.push(g.clone());
            }
        }
        if grants.is_empty() && errors.is_empty() {
            errors.push(FieldError::new("权限", "至少授予一项权限"));
        }
        let mut units: Vec<i64> = Vec::new();
        for u in &self.units {
            if !known_units.iter().any(|(id, _)| id == u) {
                errors.push(FieldError::new("指定单位", format!("单位 {u} 不存在")));
            } else if !units.contains(u) {
                units.push(*u);
            }
        }
        let wants_units = grants.iter().any(|g| g.scope == DataScope::ChosenUnits.code());
        if wants_units && units.is_empty() && errors.is_empty() {
            errors.push(FieldError::new("指定单位", "数据范围为“指定单位”时，至少选择一个单位"));
        }
        if !wants_units {
            units.clear();
        }
        if errors.is_empty() {
            Ok(CustomRole { key, name, grants, units })
        } else {
            Err(errors)
        }
    }
}

fn describe(r: &CustomRole) -> String {
    let grants: Vec<String> = r
        .grants
        .iter()
        .map(|g| format!("{}={}", g.perm, DataScope::parse(&g.scope).map(|s| s.zh()).unwrap_or("")))
        .collect();
    let units = if r.units.is_empty() {
        String::new()
    } else {
        format!("；指定单位 {}", r.units.iter().map(|u| u.to_string()).collect::<Vec<_>>().join(","))
    };
    format!("{}：{}{units}", r.name, grants.join("，"))
}

impl App {
    /// The custom roles in force on this node.
    pub fn role_book(&self) -> Arc<RoleBook> {
        match self.roles.read() {
            Ok(b) => b.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    async fn stored_roles(&self) -> AppResult<Vec<CustomRole>> {
        Ok(match self.store.setting(KEY).await? {
            Some(json) => serde_json::from_str(&json)
                .map_err(|e| AppError::Internal(anyhow::anyhow!("设置 {KEY} 不是有效的自定义角色列表（{e}）")))?,
            None => Vec::new(),
        })
    }

    /// Reload the custom roles (another node may have changed them; units may have moved).
    pub async fn refresh_roles(&self) -> AppResult<()> {
        let roles = self.stored_roles().await?;
        let paths = self.store.unit_paths().await?;
        let book = Arc::new(RoleBook::build(roles, &paths));
        if let Ok(mut w) = self.roles.write() {
            *w = book;
        }
        Ok(())
    }

    /// The custom roles (security admin).
    pub async fn custom_roles(&self, ctx: &Ctx) -> AppResult<Vec<CustomRole>> {
        ctx.scope(permission::perm::ROLE_GRANT)?;
        self.stored_roles().await
    }

    /// Create (`replace` = None) or change (`replace` = Some(key)) a custom role.
    pub async fn save_role(&self, ctx: &Ctx, replace: Option<&str>, input: &RoleInput) -> AppResult<CustomRole> {
        ctx.scope(permission::perm::ROLE_GRANT)?;
        let paths = self.store.unit_paths().await?;
        let role = input.parse(&paths).map_err(AppError::Invalid)?;
        let mut tx = self.store.begin().await?;
        // Read inside the write transaction so two admins saving at once cannot lose a change.
        let mut roles: Vec<CustomRole> = match self.store.setting_in(&mut tx, KEY).await? {
            Some(json) => serde_json::from_str(&json).map_err(|e| AppError::Internal(e.into()))?,
            None => Vec::new(),
        };
        let action = match replace {
            None => {
                if roles.iter().any(|r| r.key == role.key) {
                    return Err(AppError::invalid(FieldError::new("角色代码", format!("“{}”已存在", role.key))));
                }
                if roles.len() >= MAX_ROLES {
                    return Err(AppError::Conflict(format!("自定义角色最多 {MAX_ROLES} 个")));
                }
                roles.push(role.clone());
                "新建自定义角色"
            }
            Some(key) => {
                if role.key != key {
                    return Err(AppError::invalid(FieldError::new("角色代码", "角色代码创建后不能修改")));
                }
                let slot = roles
                    .iter_mut()
                    .find(|r| r.key == key)
                    .ok_or_else(|| AppError::NotFound(format!("自定义角色“{key}”不存在")))?;
                *slot = role.clone();
                "修改自定义角色"
            }
        };
        let json = serde_json::to_string(&roles).map_err(|e| AppError::Internal(e.into()))?;
        self.store.put_setting(&mut tx, KEY, &json).await?;
        self.audit(&mut tx, ctx, "system", action, &role.key, &describe(&role)).await?;
        bastion_store::commit(tx).await?;
        self.refresh_roles().await?;
        Ok(role)
    }

    /// Delete a custom role nobody holds any more.
    pub async fn delete_role(&self, ctx: &Ctx, key: &str) -> AppResult<()> {
        ctx.scope(permission::perm::ROLE_GRANT)?;
        if permission::role(key).is_some() {
            return Err(AppError::invalid(FieldError::new("角色代码", format!("“{key}”是内置角色，不能删除"))));
        }
        if !self.stored_roles().await?.iter().any(|r| r.key == key) {
            return Err(AppError::NotFound(format!("自定义角色“{key}”不存在")));
        }
        let holders: Vec<String> = self
            .store
            .accounts()
            .await?
            .into_iter()
            .filter(|a| a.roles.iter().any(|r| r == key))
            .map(|a| a.username)
            .collect();
        if !holders.is_empty() {
            return Err(AppError::Conflict(format!(
                "角色“{key}”仍由 {} 个账号持有（{}），请先收回",
                holders.len(),
                holders.join("、")
            )));
        }
        let mut tx = self.store.begin().await?;
        let mut roles: Vec<CustomRole> = match self.store.setting_in(&mut tx, KEY).await? {
            Some(json) => serde_json::from_str(&json).map_err(|e| AppError::Internal(e.into()))?,
            None => Vec::new(),
        };
        let before = roles.len();
        roles.retain(|r| r.key != key);
        if roles.len() == before {
            return Err(AppError::NotFound(format!("自定义角色“{key}”不存在")));
        }
        let json = serde_json::to_string(&roles).map_err(|e| AppError::Internal(e.into()))?;
        self.store.put_setting(&mut tx, KEY, &json).await?;
        self.audit(&mut tx, ctx, "system", "删除自定义角色", key, "").await?;
        bastion_store::commit(tx).await?;
        self.refresh_roles().await
    }
}
