//! Accounts, roles and the security policy: the system admin's accounts page, the security
//! admin's roles, policy and online sessions.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use bastion_app::org::UnitId;
use bastion_core::permission::perm;

use crate::pages::{error_page, render, Shell};
use crate::routes::{get, post, Endpoint};
use crate::session::PageCtx;
use crate::AppState;

#[derive(Template)]
#[template(path = "auth/online.html")]
pub struct OnlinePage {
    pub shell: Shell,
    pub items: Vec<bastion_app::auth::OnlineSession>,
    pub mine: String,
}

pub async fn online(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    info: crate::session::RequestInfo,
) -> Response {
    match state.app.online_sessions(&ctx).await {
        Ok(items) => {
            let shell = Shell::new(&state, &ctx, t, "/system/online", t.s("menu_online")).await;
            let mine = info.token.as_deref().map(bastion_app::auth::token_hash).unwrap_or_default();
            render(&OnlinePage { shell, items, mine })
        }
        Err(e) => error_page(t, e),
    }
}

pub async fn revoke(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Response {
    use axum::response::IntoResponse;
    match state.app.force_logout(&ctx, &id).await {
        Ok(()) => axum::response::Redirect::to("/system/online").into_response(),
        Err(e) => error_page(t, e),
    }
}

#[derive(Template)]
#[template(path = "auth/security.html")]
pub struct SecurityPage {
    pub shell: Shell,
    pub v: bastion_app::auth::policy::PolicyInput,
    pub errors: Vec<bastion_core::FieldError>,
    pub saved: bool,
}

pub async fn security(State(state): State<AppState>, PageCtx(ctx, t): PageCtx) -> Response {
    if let Err(e) = ctx.scope(perm::POLICY_WRITE) {
        return error_page(t, e);
    }
    let shell = Shell::new(&state, &ctx, t, "/system/security", t.s("menu_security")).await;
    let v = bastion_app::auth::policy::PolicyInput::from_policy(&state.app.policy());
    render(&SecurityPage { shell, v, errors: vec![], saved: false })
}

pub async fn security_save(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    axum::Form(v): axum::Form<bastion_app::auth::policy::PolicyInput>,
) -> Response {
    let result = state.app.set_policy(&ctx, &v).await;
    let shell = Shell::new(&state, &ctx, t, "/system/security", t.s("menu_security")).await;
    match result {
        Ok(p) => render(&SecurityPage {
            shell,
            v: bastion_app::auth::policy::PolicyInput::from_policy(&p),
            errors: vec![],
            saved: true,
        }),
        Err(bastion_app::AppError::Invalid(errors)) => super::render_status(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            &SecurityPage { shell, v, errors, saved: false },
        ),
        Err(e) => error_page(t, e),
    }
}

pub struct RoleChoice {
    pub key: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "auth/accounts.html")]
pub struct AccountsPage {
    pub shell: Shell,
    pub items: Vec<bastion_app::auth::Account>,
    pub units: Vec<crate::pages::org::TreeNode>,
    pub roles: Vec<RoleChoice>,
    pub book: std::sync::Arc<bastion_app::auth::roles::RoleBook>,
    pub can_create: bool,
    pub can_grant: bool,
    pub can_unlock: bool,
    pub me: String,
    pub message: Option<String>,
    pub error: Option<String>,
}

impl AccountsPage {
    pub fn role_names(&self, keys: &[String]) -> String {
        keys.iter()
            .map(|k| self.book.label(k, self.shell.t.en).unwrap_or_else(|| k.clone()))
            .collect::<Vec<_>>()
            .join("、")
    }

    pub fn is_locked(&self, a: &bastion_app::auth::Account) -> bool {
        a.locked_until > bastion_core::time::now_ms()
    }

    pub fn has(&self, keys: &[String], key: &str) -> bool {
        keys.iter().any(|k| k == key)
    }
}

async fn accounts_page(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: crate::i18n::Tr,
    message: Option<String>,
    error: Option<String>,
) -> Response {
    match state.app.accounts(ctx).await {
        Ok(items) => {
            let book = state.app.role_book();
            let roles = bastion_core::permission::ROLES
                .iter()
                .filter(|r| r.key != "superadmin")
                .map(|r| RoleChoice { key: r.key.into(), label: (if t.en { r.en } else { r.zh }).into() })
                .chain(
                    book.roles
                        .iter()
                        .map(|r| RoleChoice { key: r.key.clone(), label: format!("{}（自定义）", r.name) }),
                )
                .collect();
            let units = match crate::pages::org::tree(state, ctx, None).await {
                Ok(units) => units,
                Err(e) => return error_page(t, e),
            };
            let page = AccountsPage {
                shell: Shell::new(state, ctx, t, "/system/accounts", t.s("menu_accounts")).await,
                items,
                units,
                roles,
                book,
                can_create: ctx.can(perm::ACCOUNT_WRITE),
                can_grant: ctx.can(perm::ROLE_GRANT),
                can_unlock: ctx.can(perm::ACCOUNT_UNLOCK),
                me: ctx.username.clone(),
                message,
                error: error.clone(),
            };
            let status =
                if error.is_some() { axum::http::StatusCode::UNPROCESSABLE_ENTITY } else { axum::http::StatusCode::OK };
            super::render_status(status, &page)
        }
        Err(e) => error_page(t, e),
    }
}

pub async fn accounts(State(state): State<AppState>, PageCtx(ctx, t): PageCtx) -> Response {
    accounts_page(&state, &ctx, t, None, None).await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct NewAccountForm {
    pub username: String,
    pub display_name: String,
    pub unit_id: String,
    pub password: String,
}

pub async fn create_account(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    axum::Form(f): axum::Form<NewAccountForm>,
) -> Response {
    let result = match f.unit_id.trim().parse::<i64>() {
        Ok(unit) => state
            .app
            .create_account(&ctx, &f.username, &f.display_name, UnitId(unit), None, vec![], &f.password, true)
            .await
            .map(|_| ()),
        Err(_) => Err(bastion_app::AppError::invalid(bastion_core::FieldError::new("所属单位", "请选择所属单位"))),
    };
    outcome(&state, &ctx, t, result, format!("已创建账号 {}（首次登录须修改密码；角色由安全管理员分配）", f.username))
        .await
}

async fn outcome(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: crate::i18n::Tr,
    result: bastion_app::AppResult<()>,
    ok: String,
) -> Response {
    match result {
        Ok(()) => accounts_page(state, ctx, t, Some(ok), None).await,
        Err(e @ (bastion_app::AppError::Invalid(_) | bastion_app::AppError::NotFound(_))) => {
            accounts_page(state, ctx, t, None, Some(crate::error::status_and_body(&e).1.message)).await
        }
        Err(e) => error_page(t, e),
    }
}

pub async fn set_roles(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    axum::extract::Path(username): axum::extract::Path<String>,
    body: String,
) -> Response {
    // Checkboxes arrive as repeated `role=` fields.
    let roles: Vec<String> = serde_urlencoded::from_str::<Vec<(String, String)>>(&body)
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, _)| k == "role")
        .map(|(_, v)| v)
        .collect();
    let result = state.app.set_roles(&ctx, &username, roles).await;
    outcome(&state, &ctx, t, result, format!("已更新 {username} 的角色，其会话已结束")).await
}

pub async fn unlock(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    axum::extract::Path(username): axum::extract::Path<String>,
) -> Response {
    let result = state.app.unlock_account(&ctx, &username).await;
    outcome(&state, &ctx, t, result, format!("已解锁 {username}")).await
}

pub async fn disable(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    axum::extract::Path(username): axum::extract::Path<String>,
) -> Response {
    let result = state.app.set_account_enabled(&ctx, &username, false).await;
    outcome(&state, &ctx, t, result, format!("已停用 {username}")).await
}

/// One permission of the role form: its name within its group and the scope the role grants
/// (empty: not granted).
pub struct PermRow {
    pub perm: &'static str,
    pub label: String,
    pub scope: String,
    /// Ticked on the form (a refused form keeps a ticked permission whose group had no scope).
    pub ticked: bool,
}

/// The permissions of one feature, granted with one data scope.
pub struct PermGroup {
    pub module: &'static str,
    pub label: String,
    pub rows: Vec<PermRow>,
    /// The scope of the granted permissions when they agree; `keep` when they differ (each keeps
    /// its own until a scope is chosen for the group); empty when none is granted.
    pub scope: String,
}

impl PermGroup {
    pub fn granted(&self) -> usize {
        self.rows.iter().filter(|r| r.ticked).count()
    }
}

/// The grantable permissions grouped by feature, in the order features first appear.
fn perm_groups(grants: &[bastion_app::auth::roles::Grant], en: bool) -> Vec<PermGroup> {
    let mut groups: Vec<PermGroup> = Vec::new();
    for p in bastion_core::permission::grantable() {
        let (module, rest) = p.split_once(':').unwrap_or((p, ""));
        let grant = grants.iter().find(|g| g.perm == p);
        let row = PermRow {
            perm: p,
            label: bastion_core::permission::perm_label(rest, en),
            scope: grant.map(|g| g.scope.clone()).unwrap_or_default(),
            ticked: grant.is_some(),
        };
        match groups.iter_mut().find(|g| g.module == module) {
            Some(g) => g.rows.push(row),
            None => groups.push(PermGroup {
                module,
                label: bastion_core::permission::perm_label(module, en),
                rows: vec![row],
                scope: String::new(),
            }),
        }
    }
    for g in &mut groups {
        let mut scopes: Vec<&str> = g.rows.iter().map(|r| r.scope.as_str()).filter(|s| !s.is_empty()).collect();
        scopes.sort_unstable();
        scopes.dedup();
        g.scope = match scopes.as_slice() {
            [] => String::new(),
            [one] => one.to_string(),
            _ => "keep".into(),
        };
    }
    groups
}

pub struct ScopeChoice {
    pub code: &'static str,
    pub label: &'static str,
}

#[derive(Template)]
#[template(path = "auth/roles.html")]
pub struct RolesPage {
    pub shell: Shell,
    pub builtin: Vec<(String, String)>,
    pub custom: Vec<(bastion_app::auth::roles::CustomRole, String)>,
    /// The form: creating (None) or editing this key.
    pub editing: Option<String>,
    pub key: String,
    pub name: String,
    pub groups: Vec<PermGroup>,
    pub scopes: Vec<ScopeChoice>,
    pub units: Vec<crate::pages::org::TreeNode>,
    pub chosen: Vec<i64>,
    pub message: Option<String>,
    pub error: Option<String>,
}

impl RolesPage {
    pub fn is_chosen(&self, unit: &i64) -> bool {
        self.chosen.contains(unit)
    }
}

fn grants_text(grants: &[bastion_app::auth::roles::Grant], en: bool) -> String {
    grants
        .iter()
        .map(|g| {
            let scope = bastion_core::permission::DataScope::parse(&g.scope)
                .map(|s| if en { s.en() } else { s.zh() })
                .unwrap_or("");
            format!("{}（{scope}）", bastion_core::permission::perm_label(&g.perm, en))
        })
        .collect::<Vec<_>>()
        .join("；")
}

/// The role form as submitted: `key`, `name`, the ticked permissions (repeated `perm`), one data
/// scope per feature group (`group:<feature>`; `keep` keeps each permission's `scope:<perm>`),
/// repeated `unit`. A form without `perm` fields grants per permission (`scope:<perm>=<code>`).
fn role_input(body: &str) -> bastion_app::auth::roles::RoleInput {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(body).unwrap_or_default();
    let field = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let ticked: Vec<&str> = pairs.iter().filter(|(n, _)| n == "perm").map(|(_, v)| v.as_str()).collect();
    let grants = if ticked.is_empty() {
        pairs
            .iter()
            .filter_map(|(n, v)| {
                let perm = n.strip_prefix("scope:")?;
                (!v.is_empty()).then(|| bastion_app::auth::roles::Grant { perm: perm.into(), scope: v.clone() })
            })
            .collect()
    } else {
        ticked
            .iter()
            .map(|p| {
                let module = p.split(':').next().unwrap_or_default();
                let group = field(&format!("group:{module}"));
                let scope = if group.is_empty() || group == "keep" { field(&format!("scope:{p}")) } else { group };
                bastion_app::auth::roles::Grant { perm: p.to_string(), scope }
            })
            .collect()
    };
    bastion_app::auth::roles::RoleInput {
        key: field("key"),
        name: field("name"),
        grants,
        units: pairs.iter().filter(|(n, _)| n == "unit").filter_map(|(_, v)| v.parse().ok()).collect(),
    }
}

async fn roles_page(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: crate::i18n::Tr,
    editing: Option<String>,
    form: Option<bastion_app::auth::roles::RoleInput>,
    message: Option<String>,
    error: Option<String>,
) -> Response {
    let custom = match state.app.custom_roles(ctx).await {
        Ok(c) => c,
        Err(e) => return error_page(t, e),
    };
    let form = form.or_else(|| {
        let key = editing.as_deref()?;
        custom.iter().find(|r| r.key == key).map(|r| bastion_app::auth::roles::RoleInput {
            key: r.key.clone(),
            name: r.name.clone(),
            grants: r.grants.clone(),
            units: r.units.clone(),
        })
    });
    if editing.is_some() && form.is_none() {
        return error_page(t, bastion_app::AppError::NotFound("自定义角色不存在".into()));
    }
    let (key, name, grants, chosen) = match form {
        Some(f) => (f.key, f.name, f.grants, f.units),
        None => Default::default(),
    };
    let groups = perm_groups(&grants, t.en);
    let builtin = bastion_core::permission::ROLES
        .iter()
        .filter(|r| r.key != "superadmin")
        .map(|r| {
            let grants: Vec<bastion_app::auth::roles::Grant> = bastion_core::permission::grants_of(r)
                .map(|(p, s)| bastion_app::auth::roles::Grant { perm: p.into(), scope: s.code().into() })
                .collect();
            ((if t.en { r.en } else { r.zh }).to_string(), grants_text(&grants, t.en))
        })
        .collect();
    let custom = custom
        .into_iter()
        .map(|r| {
            let text = grants_text(&r.grants, t.en);
            (r, text)
        })
        .collect();
    let scopes = bastion_core::permission::DataScope::EVERY
        .into_iter()
        .map(|s| ScopeChoice { code: s.code(), label: if t.en { s.en() } else { s.zh() } })
        .collect();
    let units = match crate::pages::org::tree(state, ctx, None).await {
        Ok(units) => units,
        Err(e) => return error_page(t, e),
    };
    let page = RolesPage {
        shell: Shell::new(state, ctx, t, "/system/roles", t.s("menu_roles")).await,
        builtin,
        custom,
        editing,
        key,
        name,
        groups,
        scopes,
        units,
        chosen,
        message,
        error: error.clone(),
    };
    let status =
        if error.is_some() { axum::http::StatusCode::UNPROCESSABLE_ENTITY } else { axum::http::StatusCode::OK };
    super::render_status(status, &page)
}

pub async fn roles(State(state): State<AppState>, PageCtx(ctx, t): PageCtx) -> Response {
    roles_page(&state, &ctx, t, None, None, None, None).await
}

pub async fn role_edit(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    axum::extract::Path(key): axum::extract::Path<String>,
) -> Response {
    roles_page(&state, &ctx, t, Some(key), None, None, None).await
}

async fn role_saved(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: crate::i18n::Tr,
    editing: Option<String>,
    input: bastion_app::auth::roles::RoleInput,
    result: bastion_app::AppResult<bastion_app::auth::roles::CustomRole>,
) -> Response {
    match result {
        Ok(r) => roles_page(state, ctx, t, None, None, Some(format!("已保存角色“{}”", r.name)), None).await,
        Err(bastion_app::AppError::Invalid(errors)) => {
            let text = errors.iter().map(|e| format!("{}：{}", e.field, e.message)).collect::<Vec<_>>().join("；");
            roles_page(state, ctx, t, editing, Some(input), None, Some(text)).await
        }
        Err(e) => error_page(t, e),
    }
}

pub async fn role_create(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, body: String) -> Response {
    let input = role_input(&body);
    let result = state.app.save_role(&ctx, None, &input).await;
    role_saved(&state, &ctx, t, None, input, result).await
}

pub async fn role_update(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    axum::extract::Path(key): axum::extract::Path<String>,
    body: String,
) -> Response {
    let input = role_input(&body);
    let result = state.app.save_role(&ctx, Some(&key), &input).await;
    role_saved(&state, &ctx, t, Some(key), input, result).await
}

pub async fn role_delete(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    axum::extract::Path(key): axum::extract::Path<String>,
) -> Response {
    match state.app.delete_role(&ctx, &key).await {
        Ok(()) => roles_page(&state, &ctx, t, None, None, Some(format!("已删除角色“{key}”")), None).await,
        Err(e @ (bastion_app::AppError::Conflict(_) | bastion_app::AppError::NotFound(_))) => {
            roles_page(&state, &ctx, t, None, None, None, Some(e.to_string())).await
        }
        Err(e) => error_page(t, e),
    }
}

/// The pages of this feature (see `crate::routes`).
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        get("/system/accounts", accounts).perm(perm::ACCOUNT_READ).menu(80, "menu_accounts", "☺"),
        post("/system/accounts", create_account).perm(perm::ACCOUNT_WRITE),
        post("/system/accounts/{username}/roles", set_roles)
            .perm(perm::ROLE_GRANT)
            .probe("/system/accounts/nobody/roles"),
        post("/system/accounts/{username}/unlock", unlock)
            .perm(perm::ACCOUNT_UNLOCK)
            .probe("/system/accounts/nobody/unlock"),
        post("/system/accounts/{username}/disable", disable)
            .perm(perm::ACCOUNT_WRITE)
            .probe("/system/accounts/nobody/disable"),
        get("/system/online", online).perm(perm::SESSION_MANAGE).menu(83, "menu_online", "◉"),
        post("/system/online/{id}/revoke", revoke).perm(perm::SESSION_MANAGE).probe("/system/online/none/revoke"),
        get("/system/security", security).perm(perm::POLICY_WRITE).menu(84, "menu_security", "⚙"),
        post("/system/security", security_save).perm(perm::POLICY_WRITE),
        get("/system/roles", roles).perm(perm::ROLE_GRANT).menu(85, "menu_roles", "⚷"),
        post("/system/roles", role_create).perm(perm::ROLE_GRANT),
        get("/system/roles/{key}", role_edit).perm(perm::ROLE_GRANT).probe("/system/roles/nobody"),
        post("/system/roles/{key}", role_update).perm(perm::ROLE_GRANT).probe("/system/roles/nobody"),
        post("/system/roles/{key}/delete", role_delete).perm(perm::ROLE_GRANT).probe("/system/roles/nobody/delete"),
    ]
}
