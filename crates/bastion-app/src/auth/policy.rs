//! The security policy (安全策略), set by the security admin and kept in the database so every
//! node applies the same rules. Each node caches it and reloads it every few seconds.

use bastion_core::error::non_empty;
use bastion_core::permission::perm;
use bastion_core::FieldError;
use serde::{Deserialize, Serialize};

use crate::{App, AppError, AppResult, Ctx, Policy};

/// An address rule: an exact IP, an IPv4 CIDR (`10.1.0.0/16`) or a wildcard (`10.1.*.*`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct IpRule(pub String);

impl IpRule {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let t = raw.trim();
        let bad =
            || FieldError::new("IP 名单", format!("“{t}”不是有效的 IP、网段（如 10.1.0.0/16）或通配（如 10.1.*.*）"));
        if let Some((net, bits)) = t.split_once('/') {
            let _: std::net::Ipv4Addr = net.parse().map_err(|_| bad())?;
            let b: u8 = bits.parse().map_err(|_| bad())?;
            if b > 32 {
                return Err(bad());
            }
        } else if t.contains('*') {
            let parts: Vec<&str> = t.split('.').collect();
            if parts.len() != 4 || !parts.iter().all(|p| *p == "*" || p.parse::<u8>().is_ok()) {
                return Err(bad());
            }
        } else {
            let _: std::net::IpAddr = t.parse().map_err(|_| bad())?;
        }
        Ok(Self(t.to_string()))
    }

    pub fn matches(&self, ip: &str) -> bool {
        let r = self.0.as_str();
        if let Some((net, bits)) = r.split_once('/') {
            let (Ok(net), Ok(bits), Ok(addr)) =
                (net.parse::<std::net::Ipv4Addr>(), bits.parse::<u32>(), ip.parse::<std::net::Ipv4Addr>())
            else {
                return false;
            };
            let mask = if bits == 0 { 0 } else { u32::MAX << (32 - bits) };
            return u32::from(net) & mask == u32::from(addr) & mask;
        }
        if r.contains('*') {
            let a: Vec<&str> = ip.split('.').collect();
            let p: Vec<&str> = r.split('.').collect();
            return a.len() == 4 && p.iter().zip(&a).all(|(p, a)| *p == "*" || p == a);
        }
        r == ip
    }
}

/// Deny wins; an empty allow list allows every address not denied.
pub fn ip_permitted(p: &Policy, ip: &str) -> bool {
    if p.ip_deny.iter().any(|r| r.matches(ip)) {
        return false;
    }
    p.ip_allow.is_empty() || p.ip_allow.iter().any(|r| r.matches(ip))
}

/// The policy form: every field text, as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
pub struct PolicyInput {
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[serde(serialize_with = "bastion_core::input::int_out")]
    #[schemars(with = "i64")]
    pub max_failed_logins: String,
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[serde(serialize_with = "bastion_core::input::int_out")]
    #[schemars(with = "i64")]
    pub lock_minutes: String,
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[serde(serialize_with = "bastion_core::input::int_out")]
    #[schemars(with = "i64")]
    pub password_max_age_days: String,
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[serde(serialize_with = "bastion_core::input::int_out")]
    #[schemars(with = "i64")]
    pub password_history: String,
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[serde(serialize_with = "bastion_core::input::int_out")]
    #[schemars(with = "i64")]
    pub idle_timeout_minutes: String,
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[serde(serialize_with = "bastion_core::input::bool_out")]
    #[schemars(with = "bool")]
    pub totp_required_for_admins: String,
    pub ip_allow: String,
    pub ip_deny: String,
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[serde(serialize_with = "bastion_core::input::int_out")]
    #[schemars(with = "i64")]
    pub audit_retention_days: String,
}

impl PolicyInput {
    pub fn from_policy(p: &Policy) -> Self {
        let join = |v: &[IpRule]| v.iter().map(|r| r.0.clone()).collect::<Vec<_>>().join("\n");
        Self {
            max_failed_logins: p.max_failed_logins.to_string(),
            lock_minutes: (p.lock_ms / 60_000).to_string(),
            password_max_age_days: (p.password_max_age_ms / 86_400_000).to_string(),
            password_history: p.password_history.to_string(),
            idle_timeout_minutes: (p.idle_timeout_ms / 60_000).to_string(),
            totp_required_for_admins: if p.totp_required_for_admins { "1".into() } else { "0".into() },
            ip_allow: join(&p.ip_allow),
            ip_deny: join(&p.ip_deny),
            audit_retention_days: p.audit_retention_days.to_string(),
        }
    }

    /// Parse within the bounds 等保 allows: e.g. idle ≤ 30 min, lock after ≤ 5 failures, retention ≥ 180 days.
    pub fn parse(&self) -> Result<Policy, Vec<FieldError>> {
        let mut e = Vec::new();
        let mut int = |field: &str, raw: &str, lo: i64, hi: i64| -> i64 {
            match non_empty(raw).map(|s| s.parse::<i64>()) {
                Some(Ok(v)) if (lo..=hi).contains(&v) => v,
                _ => {
                    e.push(FieldError::new(field, format!("{field}须为 {lo}–{hi} 之间的整数")));
                    0
                }
            }
        };
        let max_failed = int("登录失败次数上限", &self.max_failed_logins, 3, 5);
        let lock = int("锁定时长（分钟）", &self.lock_minutes, 10, 1440);
        let age = int("密码有效期（天）", &self.password_max_age_days, 1, 180);
        let history = int("不得重复的历史密码数", &self.password_history, 1, 24);
        let idle = int("会话空闲超时（分钟）", &self.idle_timeout_minutes, 1, 30);
        let retention = int("审计日志保存期（天）", &self.audit_retention_days, 180, 3650);
        let mut rules = |field: &str, raw: &str| -> Vec<IpRule> {
            raw.split(['\n', ',', '，', ';', ' '])
                .filter(|s| !s.trim().is_empty())
                .filter_map(|s| IpRule::parse(s).map_err(|x| e.push(x.for_field(field))).ok())
                .collect()
        };
        let ip_allow = rules("IP 白名单", &self.ip_allow);
        let ip_deny = rules("IP 黑名单", &self.ip_deny);
        if !e.is_empty() {
            return Err(e);
        }
        Ok(Policy {
            idle_timeout_ms: idle * 60_000,
            max_failed_logins: max_failed,
            lock_ms: lock * 60_000,
            password_max_age_ms: age * 86_400_000,
            password_history: history,
            totp_required_for_admins: !matches!(self.totp_required_for_admins.trim(), "0" | "false"),
            ip_allow,
            ip_deny,
            audit_retention_days: retention,
        })
    }
}

const KEY: &str = "security.policy";

impl App {
    /// The policy in force on this node (cached; see [`App::refresh_policy`]).
    pub fn policy(&self) -> Policy {
        match self.policy.read() {
            Ok(p) => p.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Read the policy in force without copying it (for per-request checks).
    pub fn with_policy<T>(&self, f: impl FnOnce(&Policy) -> T) -> T {
        match self.policy.read() {
            Ok(p) => f(&p),
            Err(poisoned) => f(&poisoned.into_inner()),
        }
    }

    /// Whether `ip` may reach this node (allow and deny lists).
    pub fn ip_permitted(&self, ip: &str) -> bool {
        self.with_policy(|p| ip_permitted(p, ip))
    }

    /// Reload the policy and the custom roles from the database (the security admin may have
    /// changed them on another node).
    pub async fn refresh_policy(&self) -> AppResult<()> {
        if let Some(json) = self.store.setting(KEY).await? {
            if let Ok(input) = serde_json::from_str::<PolicyInput>(&json) {
                if let Ok(p) = input.parse() {
                    if let Ok(mut w) = self.policy.write() {
                        *w = p;
                    }
                }
            }
        }
        self.refresh_roles().await
    }

    /// Change the policy (security admin). Refuses an address list that would lock the caller out.
    pub async fn set_policy(&self, ctx: &Ctx, input: &PolicyInput) -> AppResult<Policy> {
        ctx.scope(perm::POLICY_WRITE)?;
        let p = input.parse().map_err(AppError::Invalid)?;
        if !ip_permitted(&p, &ctx.ip) {
            return Err(AppError::invalid(FieldError::new(
                "IP 名单",
                format!("该设置会拒绝您当前的地址 {}，未保存", ctx.ip),
            )));
        }
        let normal = PolicyInput::from_policy(&p);
        let json = serde_json::to_string(&normal).map_err(|e| AppError::Internal(e.into()))?;
        let mut tx = self.store.begin().await?;
        self.store.put_setting(&mut tx, KEY, &json).await?;
        self.audit(&mut tx, ctx, "system", "修改安全策略", KEY, &json).await?;
        bastion_store::commit(tx).await?;
        if let Ok(mut w) = self.policy.write() {
            *w = p.clone();
        }
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_rules() {
        let r = |s: &str| IpRule::parse(s).unwrap();
        assert!(r("10.1.0.0/16").matches("10.1.200.3"));
        assert!(!r("10.1.0.0/16").matches("10.2.0.1"));
        assert!(r("192.168.1.*").matches("192.168.1.77"));
        assert!(!r("192.168.1.*").matches("192.168.2.77"));
        assert!(r("127.0.0.1").matches("127.0.0.1"));
        assert!(IpRule::parse("300.1.1.1").is_err());
        assert!(IpRule::parse("10.0.0.0/33").is_err());
        let mut p = Policy::default();
        assert!(ip_permitted(&p, "8.8.8.8"));
        p.ip_allow = vec![r("10.0.0.0/8")];
        assert!(!ip_permitted(&p, "8.8.8.8") && ip_permitted(&p, "10.9.9.9"));
        p.ip_deny = vec![r("10.9.9.9")];
        assert!(!ip_permitted(&p, "10.9.9.9"));
    }

    #[test]
    fn policy_bounds_follow_dengbao() {
        let mut i = PolicyInput::from_policy(&Policy::default());
        assert_eq!(i.parse().unwrap().password_history, 5);
        i.idle_timeout_minutes = "60".into();
        i.audit_retention_days = "90".into();
        let e = i.parse().unwrap_err();
        assert!(e.iter().any(|x| x.message.contains("1–30")));
        assert!(e.iter().any(|x| x.message.contains("180–3650")));
    }
}
