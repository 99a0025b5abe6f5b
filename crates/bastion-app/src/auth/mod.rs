//! Sign-in, sessions and accounts. Unknown user and wrong password answer the same words.

pub mod policy;
pub mod roles;

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use bastion_core::permission;
use bastion_core::FieldError;
use bastion_store::auth::NewAccount;
/// The read models the web layer shows.
pub use bastion_store::auth::{Account, AccountId, LoginLogEntry, OnlineSession};
use bastion_store::org::{PersonId, UnitId};
use rand::RngCore;

use sha2::{Digest, Sha256};

use crate::{App, AppError, AppResult, Ctx};

pub const BAD_LOGIN: &str = "用户不存在或密码错误";

pub fn hash_password(pw: &str) -> AppResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(pw.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("argon2: {e}")))
}

fn verify_password_now(pw: &str, hash: &str) -> bool {
    PasswordHash::new(hash).map(|h| Argon2::default().verify_password(pw.as_bytes(), &h).is_ok()).unwrap_or(false)
}

/// argon2 takes tens of milliseconds of CPU on purpose: run it off the async workers so other
/// requests keep being served while a sign-in is checked.
async fn verify_password(pw: &str, hash: &str) -> bool {
    let (pw, hash) = (zeroize::Zeroizing::new(pw.to_string()), hash.to_string());
    tokio::task::spawn_blocking(move || verify_password_now(&pw, &hash)).await.unwrap_or(false)
}

/// The longest password accepted (characters); longer ones are refused before hashing.
pub const PASSWORD_MAX_CHARS: usize = 128;

/// 等保 complexity: 8 to 128 visible characters, 3 of 4 classes, not containing the account name.
/// Control characters (NUL, tab, line breaks) and invisible ones (zero-width spaces and joiners,
/// the byte-order mark) are refused: they cannot be typed reliably and would count toward the rules.
pub fn check_password_policy(username: &str, pw: &str) -> Result<(), FieldError> {
    const F: &str = "密码";
    if pw.chars().any(|c| c.is_control() || bastion_core::text::is_invisible(c)) {
        return Err(FieldError::new(F, "密码不能包含控制字符或零宽字符等不可见字符"));
    }
    let n = pw.chars().count();
    if n > PASSWORD_MAX_CHARS {
        return Err(FieldError::new(F, format!("密码长度不能超过 {PASSWORD_MAX_CHARS} 位（实为 {n} 位）")));
    }
    // Spaces are allowed but count neither toward the length nor as a special character.
    if pw.chars().filter(|c| !c.is_whitespace()).count() < 8 {
        return Err(FieldError::new(F, "密码长度不能少于 8 位（空格不计）"));
    }
    let classes = [
        pw.chars().any(|c| c.is_ascii_lowercase()),
        pw.chars().any(|c| c.is_ascii_uppercase()),
        pw.chars().any(|c| c.is_ascii_digit()),
        pw.chars().any(|c| !c.is_ascii_alphanumeric() && !c.is_whitespace()),
    ];
    if classes.iter().filter(|b| **b).count() < 3 {
        return Err(FieldError::new(F, "密码须包含大写字母、小写字母、数字、特殊字符中的至少三类"));
    }
    if !username.is_empty() && pw.to_lowercase().contains(&username.to_lowercase()) {
        return Err(FieldError::new(F, "密码不能包含账号名"));
    }
    Ok(())
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub struct LoginOk {
    pub token: String,
    pub account: Account,
    /// `full`; `totp` when the second factor is still to be given; `enroll` when it must be set up first.
    pub stage: String,
}

/// A live session: the account and how far sign-in got.
pub struct SessionInfo {
    pub account: Account,
    pub stage: String,
}

pub const STAGE_FULL: &str = "full";
pub const STAGE_TOTP: &str = "totp";
pub const STAGE_ENROLL: &str = "enroll";

fn is_admin(roles: &[String]) -> bool {
    roles.iter().any(|r| permission::ADMIN_TRIAD.contains(&r.as_str()) || r == "superadmin")
}

fn unix_now() -> u64 {
    (bastion_core::time::now_ms() / 1000).max(0) as u64
}

impl App {
    /// Whether this account signs in with a second factor.
    pub fn needs_totp(&self, a: &Account) -> bool {
        a.totp_enabled || (self.policy().totp_required_for_admins && is_admin(&a.roles))
    }

    /// Check a TOTP code against the account's secret, once per code; records the step.
    async fn check_totp(&self, tx: &mut bastion_store::Tx, a: &Account, code: &str) -> AppResult<bool> {
        let Some(cipher) = &a.totp_secret else { return Ok(false) };
        let secret = self.store.crypto.decrypt(cipher)?;
        let Some(bytes) = bastion_core::totp::base32_decode(&secret) else { return Ok(false) };
        match bastion_core::totp::verify(&bytes, code, unix_now(), a.totp_last_step.max(0) as u64) {
            Some(step) => Ok(self.store.use_totp_step(tx, a.id, step as i64).await?),
            None => Ok(false),
        }
    }

    /// Password sign-in. `totp` may carry the second factor in the same request (scripts).
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        totp: Option<&str>,
        ip: &str,
        ua: &str,
    ) -> AppResult<LoginOk> {
        let username = username.trim();
        if username.is_empty() || username.len() > 64 || username.chars().any(char::is_control) {
            return Err(AppError::BadLogin(BAD_LOGIN.into()));
        }
        // No password over the maximum was ever accepted: refuse it without spending a hash on it.
        if password.chars().count() > PASSWORD_MAX_CHARS {
            return Err(AppError::BadLogin(BAD_LOGIN.into()));
        }
        let account = self.store.account_by_username(username).await?;
        let mut tx = self.store.begin().await?;
        let now = bastion_core::time::now_ms();
        let Some(account) = account else {
            // Spend the same time as a real check so response time does not reveal accounts.
            let _ = verify_password(
                password,
                "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$ZmFrZWZha2VmYWtlZmFrZWZha2VmYWtlZmFrZWZha2U",
            )
            .await;
            // Answer as a real account would: locked after as many failures, for as long.
            let (max, lock_ms) = (self.policy().max_failed_logins, self.policy().lock_ms);
            let failures = self.store.login_failures_since(username, now - 86_400_000).await?;
            let (mut count, mut locked_until) = (0i64, 0i64);
            for at in failures {
                if at < locked_until {
                    continue; // attempts while locked do not count, as for a real account
                }
                count += 1;
                if count >= max {
                    locked_until = at + lock_ms;
                    count = 0;
                }
            }
            let (msg, err) = if locked_until > now {
                let minutes = (locked_until - now + 59_999) / 60_000;
                let msg = format!("密码输入错误{max}次，帐户锁定，请{minutes}分钟后再试");
                (msg.clone(), AppError::Locked(msg))
            } else if count + 1 >= max {
                let msg = format!("密码输入错误{}次，帐户锁定{}分钟", count + 1, lock_ms / 60_000);
                (msg.clone(), AppError::Locked(msg))
            } else {
                (BAD_LOGIN.to_string(), AppError::BadLogin(BAD_LOGIN.into()))
            };
            self.store.insert_login_log(&mut tx, username, ip, ua, false, &msg).await?;
            bastion_store::commit(tx).await?;
            return Err(err);
        };
        if account.locked_until > now {
            let minutes = (account.locked_until - now + 59_999) / 60_000;
            let msg = format!("密码输入错误{}次，帐户锁定，请{minutes}分钟后再试", self.policy().max_failed_logins);
            self.store.insert_login_log(&mut tx, username, ip, ua, false, &msg).await?;
            bastion_store::commit(tx).await?;
            return Err(AppError::Locked(msg));
        }
        if !verify_password(password, &account.password_hash).await {
            return self.fail_login(tx, &account, ip, ua, BAD_LOGIN).await;
        }
        if !account.enabled {
            self.store.insert_login_log(&mut tx, username, ip, ua, false, "用户已停用").await?;
            bastion_store::commit(tx).await?;
            return Err(AppError::Forbidden("用户已停用，请联系管理员".into()));
        }
        let stage = if !self.needs_totp(&account) {
            STAGE_FULL
        } else if !account.totp_enabled {
            STAGE_ENROLL
        } else {
            match totp.map(str::trim).filter(|c| !c.is_empty()) {
                None => STAGE_TOTP,
                Some(code) => {
                    if !self.check_totp(&mut tx, &account, code).await? {
                        return self.fail_login(tx, &account, ip, ua, "动态口令错误或已使用").await;
                    }
                    STAGE_FULL
                }
            }
        };
        let mut raw = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut raw);
        let token = hex::encode(raw);
        self.store.insert_session(&mut tx, &token_hash(&token), account.id, ip, ua, stage).await?;
        let msg = match stage {
            STAGE_FULL => {
                self.store.record_login_success(&mut tx, account.id).await?;
                "登录成功"
            }
            STAGE_TOTP => "密码正确，待验证动态口令",
            _ => "密码正确，须先绑定动态口令",
        };
        self.store.insert_login_log(&mut tx, username, ip, ua, stage == STAGE_FULL, msg).await?;
        bastion_store::commit(tx).await?;
        Ok(LoginOk { token, account, stage: stage.to_string() })
    }

    async fn fail_login<T>(
        &self,
        mut tx: bastion_store::Tx,
        a: &Account,
        ip: &str,
        ua: &str,
        why: &str,
    ) -> AppResult<T> {
        let n = self
            .store
            .record_login_failure(&mut tx, a.id, self.policy().max_failed_logins, self.policy().lock_ms)
            .await?;
        let locked = n >= self.policy().max_failed_logins;
        let msg = if locked {
            format!("密码输入错误{}次，帐户锁定{}分钟", n, self.policy().lock_ms / 60_000)
        } else {
            why.to_string()
        };
        self.store.insert_login_log(&mut tx, &a.username, ip, ua, false, &msg).await?;
        bastion_store::commit(tx).await?;
        Err(if locked { AppError::Locked(msg) } else { AppError::BadLogin(why.into()) })
    }

    /// Second step of sign-in: the code from the authenticator app.
    pub async fn complete_totp(&self, token: &str, code: &str, ip: &str, ua: &str) -> AppResult<Account> {
        let h = token_hash(token);
        let s = self.store.session(&h, self.policy().idle_timeout_ms).await?.ok_or(AppError::Unauthenticated)?;
        if s.stage != STAGE_TOTP {
            return Err(AppError::Unauthenticated);
        }
        let mut tx = self.store.begin().await?;
        if !self.check_totp(&mut tx, &s.account, code).await? {
            drop(tx);
            let tx = self.store.begin().await?;
            return self.fail_login(tx, &s.account, ip, ua, "动态口令错误或已使用").await;
        }
        self.store.set_session_stage(&mut tx, &h, STAGE_FULL).await?;
        self.store.record_login_success(&mut tx, s.account.id).await?;
        self.store.insert_login_log(&mut tx, &s.account.username, ip, ua, true, "登录成功（动态口令）").await?;
        bastion_store::commit(tx).await?;
        Ok(s.account)
    }

    /// Start TOTP enrolment: a fresh secret, stored encrypted but not yet enabled. Returns base32.
    pub async fn totp_begin(&self, account: &Account) -> AppResult<String> {
        let mut raw = [0u8; 20];
        rand::rngs::OsRng.fill_bytes(&mut raw);
        let b32 = bastion_core::totp::base32_encode(&raw);
        let cipher = self.store.crypto.encrypt(&b32)?;
        let mut tx = self.store.begin().await?;
        self.store.set_totp(&mut tx, account.id, Some(&cipher), account.totp_enabled).await?;
        bastion_store::commit(tx).await?;
        Ok(b32)
    }

    /// The secret of an enrolment not yet confirmed (base32), to show it again after a wrong code.
    pub async fn totp_pending_secret(&self, token: &str) -> AppResult<(Account, String)> {
        let s = self.session(token).await?.ok_or(AppError::Unauthenticated)?;
        let secret = match s.account.totp_secret.as_deref() {
            Some(c) if s.stage == STAGE_ENROLL => self.store.crypto.decrypt(c)?,
            _ => return Err(AppError::Unauthenticated),
        };
        Ok((s.account, secret))
    }

    /// Finish enrolment with a first code; a pending `enroll` session becomes a full one.
    pub async fn totp_confirm(&self, token: &str, code: &str) -> AppResult<Account> {
        let h = token_hash(token);
        let s = self.store.session(&h, self.policy().idle_timeout_ms).await?.ok_or(AppError::Unauthenticated)?;
        let mut tx = self.store.begin().await?;
        if !self.check_totp(&mut tx, &s.account, code).await? {
            return Err(AppError::invalid(FieldError::new("动态口令", "动态口令错误，请核对手机上的 6 位数字后重试")));
        }
        self.store.set_totp(&mut tx, s.account.id, None, true).await?;
        if s.stage != STAGE_FULL {
            self.store.set_session_stage(&mut tx, &h, STAGE_FULL).await?;
            self.store.record_login_success(&mut tx, s.account.id).await?;
        }
        let ctx = Ctx::from_account(&s.account, "", "");
        self.audit(&mut tx, &ctx, "auth", "绑定动态口令", &s.account.username, "").await?;
        bastion_store::commit(tx).await?;
        Ok(s.account)
    }

    pub async fn session(&self, token: &str) -> AppResult<Option<SessionInfo>> {
        let h = token_hash(token);
        let idle = self.with_policy(|p| p.idle_timeout_ms);
        let Some(s) = self.store.session(&h, idle).await? else { return Ok(None) };
        if !s.account.enabled {
            return Ok(None);
        }
        // Refresh the idle timer at most every 15 s per session.
        if bastion_core::time::now_ms() - s.last_seen_at > 15_000 {
            self.store.touch_session(&h).await?;
        }
        Ok(Some(SessionInfo { account: s.account, stage: s.stage }))
    }

    pub async fn logout(&self, token: &str) -> AppResult<()> {
        let mut tx = self.store.begin().await?;
        self.store.delete_session(&mut tx, &token_hash(token)).await?;
        bastion_store::commit(tx).await?;
        Ok(())
    }

    pub async fn change_password(&self, ctx: &Ctx, old: &str, new: &str) -> AppResult<()> {
        let account = self.store.account(ctx.account_id).await?;
        if !verify_password(old, &account.password_hash).await {
            return Err(AppError::invalid(FieldError::new("原密码", "原密码错误")));
        }
        if old == new {
            return Err(AppError::invalid(FieldError::new("新密码", "新密码不能与原密码相同")));
        }
        check_password_policy(&account.username, new).map_err(|e| AppError::invalid(e.for_field("新密码")))?;
        self.check_history(account.id, new).await?;
        let hash = hash_password(new)?;
        let mut tx = self.store.begin().await?;
        self.store.set_password(&mut tx, account.id, &hash, false).await?;
        self.audit(&mut tx, ctx, "auth", "修改密码", &account.username, "").await?;
        bastion_store::commit(tx).await?;
        Ok(())
    }

    /// Refuse a password used among the last `history` ones (等保: 不得重复使用最近 5 次密码).
    async fn check_history(&self, id: AccountId, new: &str) -> AppResult<()> {
        for old in self.store.recent_password_hashes(id, self.policy().password_history).await? {
            if verify_password(new, &old).await {
                return Err(AppError::invalid(FieldError::new(
                    "新密码",
                    format!("新密码不能与最近 {} 次使用过的密码相同", self.policy().password_history),
                )));
            }
        }
        Ok(())
    }

    /// Whether the account must change its password now (first sign-in, reset, or expired).
    pub fn password_change_due(&self, a: &Account) -> bool {
        let max_age = self.with_policy(|p| p.password_max_age_ms);
        a.must_change_password || (max_age > 0 && bastion_core::time::now_ms() - a.password_changed_at > max_age)
    }

    /// Once a system, a security and an audit admin exist (enabled), the bootstrap super-admin
    /// is disabled: from then on no single account holds all powers.
    pub async fn retire_bootstrap_admin(&self, tx: &mut bastion_store::Tx, ctx: &Ctx) -> AppResult<()> {
        let sets = self.store.enabled_role_sets(tx).await?;
        let held = |role: &str| sets.iter().any(|s| s.iter().any(|r| r == role));
        if permission::ADMIN_TRIAD.iter().all(|r| held(r)) && held("superadmin") {
            let names = self.store.disable_role_holders(tx, "superadmin").await?;
            for n in names {
                self.audit(tx, ctx, "system", "停用超级管理员", &n, "三员已就位，初始化超级管理员自动停用").await?;
            }
        }
        Ok(())
    }

    /// Create an account (system admin). Roles obey 三员分立.
    #[allow(clippy::too_many_arguments)]
    pub async fn create_account(
        &self,
        ctx: &Ctx,
        username: &str,
        display_name: &str,
        unit_id: UnitId,
        person_id: Option<PersonId>,
        roles: Vec<String>,
        password: &str,
        must_change: bool,
    ) -> AppResult<AccountId> {
        ctx.scope(permission::perm::ACCOUNT_WRITE)?;
        let mut errors = Vec::new();
        let username =
            bastion_core::error::text("账号", username, 2, 30).map_err(|e| errors.push(e)).unwrap_or_default();
        if !username.is_empty() && !username.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') {
            errors.push(FieldError::new("账号", "账号只能包含字母、数字、下划线和点"));
        }
        let display =
            bastion_core::error::text("姓名", display_name, 1, 30).map_err(|e| errors.push(e)).unwrap_or_default();
        let book = self.role_book();
        if let Err(e) = permission::check_separation(&roles, &|r| book.has(r)) {
            errors.push(e);
        }
        if let Err(e) = check_password_policy(&username, password) {
            errors.push(e);
        }
        match self.store.unit(unit_id).await {
            Ok(_) => {}
            Err(bastion_store::StoreError::NotFound) => {
                errors.push(FieldError::new("所属单位", "所属单位不存在，请从单位列表中选择"))
            }
            Err(e) => return Err(e.into()),
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let hash = hash_password(password)?;
        let mut tx = self.store.begin().await?;
        let id = self
            .store
            .insert_account(
                &mut tx,
                &NewAccount {
                    username: username.clone(),
                    display_name: display,
                    person_id,
                    unit_id,
                    password_hash: hash,
                    roles: roles.clone(),
                    must_change_password: must_change,
                },
            )
            .await?;
        self.audit(&mut tx, ctx, "system", "新增账号", &username, &format!("角色：{}", roles.join(","))).await?;
        self.retire_bootstrap_admin(&mut tx, ctx).await?;
        bastion_store::commit(tx).await?;
        Ok(id)
    }

    pub async fn set_account_enabled(&self, ctx: &Ctx, username: &str, enabled: bool) -> AppResult<()> {
        ctx.scope(permission::perm::ACCOUNT_WRITE)?;
        let a = self.account_named(username).await?;
        let mut tx = self.store.begin().await?;
        self.store.set_account_enabled(&mut tx, a.id, enabled).await?;
        self.audit(&mut tx, ctx, "system", if enabled { "启用账号" } else { "停用账号" }, username, "").await?;
        bastion_store::commit(tx).await?;
        Ok(())
    }

    /// Reset to a new password that must be changed at next sign-in.
    pub async fn reset_password(&self, ctx: &Ctx, username: &str, password: &str) -> AppResult<()> {
        ctx.scope(permission::perm::ACCOUNT_WRITE)?;
        let a = self.account_named(username).await?;
        check_password_policy(username, password).map_err(AppError::invalid)?;
        self.check_history(a.id, password).await?;
        let hash = hash_password(password)?;
        let mut tx = self.store.begin().await?;
        self.store.set_password(&mut tx, a.id, &hash, true).await?;
        self.audit(&mut tx, ctx, "system", "重置密码", username, "").await?;
        bastion_store::commit(tx).await?;
        Ok(())
    }
}

impl App {
    /// 在线用户 (security admin).
    pub async fn online_sessions(&self, ctx: &Ctx) -> AppResult<Vec<bastion_store::auth::OnlineSession>> {
        ctx.scope(permission::perm::SESSION_MANAGE)?;
        Ok(self.store.online_sessions(self.policy().idle_timeout_ms).await?)
    }

    /// 强退: end another user's session at once. Audited.
    pub async fn force_logout(&self, ctx: &Ctx, session_id: &str) -> AppResult<()> {
        ctx.scope(permission::perm::SESSION_MANAGE)?;
        let owner = self
            .store
            .session_owner(session_id)
            .await?
            .ok_or_else(|| AppError::NotFound("会话不存在或已结束".into()))?;
        let mut tx = self.store.begin().await?;
        self.store.delete_session(&mut tx, session_id).await?;
        self.audit(&mut tx, ctx, "system", "强退", &owner, "").await?;
        bastion_store::commit(tx).await?;
        Ok(())
    }
}

impl App {
    /// The account called `username`, or a NotFound naming it.
    async fn account_named(&self, username: &str) -> AppResult<Account> {
        self.store
            .account_by_username(username)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("账号“{username}”不存在")))
    }

    /// Give an account its roles (security admin). 三员分立 holds; nobody changes their own roles.
    pub async fn set_roles(&self, ctx: &Ctx, username: &str, roles: Vec<String>) -> AppResult<()> {
        ctx.scope(permission::perm::ROLE_GRANT)?;
        let a = self.account_named(username).await?;
        if a.id == ctx.account_id {
            return Err(AppError::Forbidden("不能修改自己的角色".into()));
        }
        let book = self.role_book();
        permission::check_separation(&roles, &|r| book.has(r)).map_err(AppError::invalid)?;
        if roles.iter().any(|r| r == "superadmin") {
            return Err(AppError::invalid(FieldError::new("角色", "超级管理员只用于初始化，不能再授予")));
        }
        let mut tx = self.store.begin().await?;
        self.store.set_roles(&mut tx, a.id, &roles).await?;
        self.audit(
            &mut tx,
            ctx,
            "system",
            "分配角色",
            username,
            &format!("{} → {}", a.roles.join(","), roles.join(",")),
        )
        .await?;
        self.retire_bootstrap_admin(&mut tx, ctx).await?;
        bastion_store::commit(tx).await?;
        Ok(())
    }

    /// Lift a lock-out before it expires (security admin).
    pub async fn unlock_account(&self, ctx: &Ctx, username: &str) -> AppResult<()> {
        ctx.scope(permission::perm::ACCOUNT_UNLOCK)?;
        let a = self.account_named(username).await?;
        let mut tx = self.store.begin().await?;
        self.store.unlock_account(&mut tx, a.id).await?;
        self.audit(&mut tx, ctx, "system", "解锁账号", username, "").await?;
        bastion_store::commit(tx).await?;
        Ok(())
    }

    pub async fn accounts(&self, ctx: &Ctx) -> AppResult<Vec<Account>> {
        ctx.scope(permission::perm::ACCOUNT_READ)?;
        Ok(self.store.accounts().await?)
    }
}
