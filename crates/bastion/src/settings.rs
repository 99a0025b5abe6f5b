//! Typed settings with layering: defaults → config file → `BASTION_*` environment → command-line
//! flags. `bastion config show` prints every value and where it came from.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The config file (`bastion.toml`): every key optional, unknown keys refused.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSettings {
    pub data: Option<PathBuf>,
    pub listen: Option<String>,
    pub database: Option<String>,
    pub read_database: Option<String>,
    pub read_database_max_lag_ms: Option<i64>,
    pub secure_cookies: Option<bool>,
    pub idle_timeout_minutes: Option<i64>,
    pub max_body_mb: Option<usize>,
    pub log: Option<String>,
    pub public_url: Option<String>,
    pub news_dedup_per_visitor: Option<bool>,
    pub trusted_proxies: Option<Vec<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Default,
    File,
    Env,
    Flag,
}

impl Source {
    fn zh(self) -> &'static str {
        match self {
            Source::Default => "默认值",
            Source::File => "配置文件",
            Source::Env => "环境变量",
            Source::Flag => "命令行参数",
        }
    }
}

/// Resolved settings.
#[derive(Debug, Clone)]
pub struct Settings {
    pub data: PathBuf,
    pub listen: String,
    /// `None`: SQLite under `data`.
    pub database: Option<String>,
    /// A PostgreSQL read replica of `database` for read-only work (the dashboard, the public site,
    /// lists, exports). `None`: everything reads the primary.
    pub read_database: Option<String>,
    /// Beyond this lag (ms) the replica is not used until it catches up.
    pub read_database_max_lag_ms: i64,
    pub secure_cookies: bool,
    pub idle_timeout_minutes: i64,
    pub max_body_mb: usize,
    pub log: String,
    /// The public news site's address as readers reach it (`https://host`), for absolute links in
    /// sharing tags, the feed and the sitemap. `None`: taken from each request's Host header.
    pub public_url: Option<String>,
    /// Count one view per visitor (address + browser) per article per day, per node.
    pub news_dedup_per_visitor: bool,
    /// Load balancers (nginx) whose `X-Forwarded-For` names the client: addresses, IPv4 CIDRs or
    /// wildcards. Empty: the client's address is the TCP peer's.
    pub trusted_proxies: Vec<String>,
    pub sources: BTreeMap<&'static str, Source>,
    pub config_file: Option<PathBuf>,
}

/// What the command line gave (None = not given).
#[derive(Debug, Default, Clone)]
pub struct Flags {
    pub config: Option<PathBuf>,
    pub data: Option<PathBuf>,
    pub listen: Option<String>,
    pub database: Option<String>,
}

/// `http(s)://host[:port]`, no path, no trailing slash: what the public site puts before its paths.
fn check_public_url(raw: &str) -> anyhow::Result<String> {
    let u = raw.trim().trim_end_matches('/');
    let host = u.strip_prefix("https://").or_else(|| u.strip_prefix("http://"));
    match host {
        Some(h)
            if !h.is_empty()
                && h.len() <= 100
                && h.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b)) =>
        {
            Ok(u.to_string())
        }
        _ => anyhow::bail!(
            "public_url 须为 http:// 或 https:// 加主机名（可带端口），不带路径，例如 https://news.example.gov.cn"
        ),
    }
}

impl Settings {
    pub fn load(flags: &Flags, env: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let mut s = Settings {
            data: PathBuf::from("./data"),
            listen: "127.0.0.1:8080".into(),
            database: None,
            read_database: None,
            read_database_max_lag_ms: 2000,
            secure_cookies: false,
            idle_timeout_minutes: 30,
            max_body_mb: 20,
            log: "info".into(),
            public_url: None,
            news_dedup_per_visitor: false,
            trusted_proxies: Vec::new(),
            sources: BTreeMap::new(),
            config_file: None,
        };
        for k in [
            "data",
            "listen",
            "database",
            "read_database",
            "read_database_max_lag_ms",
            "secure_cookies",
            "idle_timeout_minutes",
            "max_body_mb",
            "log",
            "public_url",
            "news_dedup_per_visitor",
            "trusted_proxies",
        ] {
            s.sources.insert(k, Source::Default);
        }
        // The file: --config, else BASTION_CONFIG, else bastion.toml inside the data directory.
        let data_hint =
            flags.data.clone().or_else(|| env("BASTION_DATA").map(PathBuf::from)).unwrap_or_else(|| s.data.clone());
        let file = flags
            .config
            .clone()
            .or_else(|| env("BASTION_CONFIG").map(PathBuf::from))
            .or_else(|| Some(data_hint.join("bastion.toml")).filter(|p| p.exists()));
        if let Some(path) = &file {
            let text = std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("无法读取配置文件 {}：{e}", path.display()))?;
            let f: FileSettings =
                toml::from_str(&text).map_err(|e| anyhow::anyhow!("配置文件 {} 有误：{e}", path.display()))?;
            s.apply_file(f);
            s.config_file = Some(path.clone());
        }
        s.apply_env(env)?;
        s.apply_flags(flags);
        if let Some(u) = &s.public_url {
            s.public_url = Some(check_public_url(u)?);
        }
        for p in &s.trusted_proxies {
            bastion_app::auth::policy::IpRule::parse(p).map_err(|_| {
                anyhow::anyhow!("trusted_proxies 中“{p}”不是有效的 IP、网段（如 10.1.0.0/16）或通配（如 10.1.*.*）")
            })?;
        }
        if !(100..=600_000).contains(&s.read_database_max_lag_ms) {
            anyhow::bail!("read_database_max_lag_ms 须在 100–600000 毫秒之间");
        }
        if s.read_database.is_some() && s.database.is_none() {
            anyhow::bail!("read_database（只读副本）只能与 PostgreSQL 主库 database 一起配置：SQLite 没有副本");
        }
        if s.idle_timeout_minutes < 1 || s.idle_timeout_minutes > 30 {
            anyhow::bail!("idle_timeout_minutes 须在 1–30 之间（等保要求会话空闲不超过 30 分钟）");
        }
        Ok(s)
    }

    fn apply_file(&mut self, f: FileSettings) {
        macro_rules! take {
            ($field:ident) => {
                if let Some(v) = f.$field {
                    self.$field = v.into();
                    self.sources.insert(stringify!($field), Source::File);
                }
            };
        }
        take!(data);
        take!(listen);
        take!(secure_cookies);
        take!(idle_timeout_minutes);
        take!(max_body_mb);
        take!(log);
        take!(news_dedup_per_visitor);
        take!(trusted_proxies);
        take!(read_database_max_lag_ms);
        if let Some(v) = f.read_database {
            self.read_database = Some(v);
            self.sources.insert("read_database", Source::File);
        }
        if let Some(v) = f.database {
            self.database = Some(v);
            self.sources.insert("database", Source::File);
        }
        if let Some(v) = f.public_url {
            self.public_url = Some(v);
            self.sources.insert("public_url", Source::File);
        }
    }

    fn apply_env(&mut self, env: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<()> {
        if let Some(v) = env("BASTION_DATA") {
            self.data = v.into();
            self.sources.insert("data", Source::Env);
        }
        if let Some(v) = env("BASTION_LISTEN") {
            self.listen = v;
            self.sources.insert("listen", Source::Env);
        }
        if let Some(v) = env("BASTION_DATABASE") {
            self.database = Some(v);
            self.sources.insert("database", Source::Env);
        }
        if let Some(v) = env("BASTION_READ_DATABASE").filter(|v| !v.is_empty()) {
            self.read_database = Some(v);
            self.sources.insert("read_database", Source::Env);
        }
        if let Some(v) = env("BASTION_READ_DATABASE_MAX_LAG_MS") {
            self.read_database_max_lag_ms =
                v.parse().map_err(|_| anyhow::anyhow!("BASTION_READ_DATABASE_MAX_LAG_MS 须为整数（毫秒）"))?;
            self.sources.insert("read_database_max_lag_ms", Source::Env);
        }
        if let Some(v) = env("BASTION_SECURE_COOKIES") {
            self.secure_cookies = matches!(v.as_str(), "1" | "true" | "yes");
            self.sources.insert("secure_cookies", Source::Env);
        }
        if let Some(v) = env("BASTION_IDLE_TIMEOUT_MINUTES") {
            self.idle_timeout_minutes =
                v.parse().map_err(|_| anyhow::anyhow!("BASTION_IDLE_TIMEOUT_MINUTES 须为整数"))?;
            self.sources.insert("idle_timeout_minutes", Source::Env);
        }
        if let Some(v) = env("BASTION_MAX_BODY_MB") {
            self.max_body_mb = v.parse().map_err(|_| anyhow::anyhow!("BASTION_MAX_BODY_MB 须为整数"))?;
            self.sources.insert("max_body_mb", Source::Env);
        }
        if let Some(v) = env("BASTION_PUBLIC_URL").filter(|v| !v.is_empty()) {
            self.public_url = Some(v);
            self.sources.insert("public_url", Source::Env);
        }
        if let Some(v) = env("BASTION_NEWS_DEDUP_PER_VISITOR") {
            self.news_dedup_per_visitor = matches!(v.as_str(), "1" | "true" | "yes");
            self.sources.insert("news_dedup_per_visitor", Source::Env);
        }
        if let Some(v) = env("BASTION_TRUSTED_PROXIES") {
            self.trusted_proxies = v.split(',').map(str::trim).filter(|x| !x.is_empty()).map(String::from).collect();
            self.sources.insert("trusted_proxies", Source::Env);
        }
        if let Some(v) = env("BASTION_LOG") {
            self.log = v;
            self.sources.insert("log", Source::Env);
        }
        Ok(())
    }

    fn apply_flags(&mut self, f: &Flags) {
        if let Some(v) = &f.data {
            self.data = v.clone();
            self.sources.insert("data", Source::Flag);
        }
        if let Some(v) = &f.listen {
            self.listen = v.clone();
            self.sources.insert("listen", Source::Flag);
        }
        if let Some(v) = &f.database {
            self.database = Some(v.clone());
            self.sources.insert("database", Source::Flag);
        }
    }

    pub fn key_file(&self) -> PathBuf {
        self.data.join("keys").join("bastion.keys")
    }

    /// `config show`: one line per key, value and source (database passwords hidden).
    pub fn show(&self) -> String {
        let db = self
            .database
            .as_deref()
            .map(bastion_app::maintenance::redact_database_url)
            .unwrap_or_else(|| format!("sqlite:{}", self.data.join("bastion.db").display()));
        let rows: Vec<(&str, String)> = vec![
            ("data", self.data.display().to_string()),
            ("listen", self.listen.clone()),
            ("database", db),
            (
                "read_database",
                self.read_database
                    .as_deref()
                    .map(bastion_app::maintenance::redact_database_url)
                    .unwrap_or_else(|| "（无：读取都走主库）".into()),
            ),
            ("read_database_max_lag_ms", self.read_database_max_lag_ms.to_string()),
            ("secure_cookies", self.secure_cookies.to_string()),
            ("idle_timeout_minutes", self.idle_timeout_minutes.to_string()),
            ("max_body_mb", self.max_body_mb.to_string()),
            ("log", self.log.clone()),
            ("public_url", self.public_url.clone().unwrap_or_else(|| "（按请求的 Host 头）".into())),
            ("news_dedup_per_visitor", self.news_dedup_per_visitor.to_string()),
            (
                "trusted_proxies",
                if self.trusted_proxies.is_empty() {
                    "（无：客户端地址取自 TCP 连接）".into()
                } else {
                    self.trusted_proxies.join(", ")
                },
            ),
        ];
        let mut out = String::new();
        if let Some(f) = &self.config_file {
            out.push_str(&format!("# 配置文件：{}\n", f.display()));
        }
        for (k, v) in rows {
            let src = self.sources.get(k).copied().unwrap_or(Source::Default);
            out.push_str(&format!("{k:<22} = {v:<40} # {}\n", src.zh()));
        }
        out
    }
}

/// The shipped example config must parse and match the defaults (a test checks).
pub const EXAMPLE: &str = include_str!("../../../bastion.example.toml");

pub fn example_path() -> &'static Path {
    Path::new("bastion.example.toml")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
    }

    #[test]
    fn layers_in_order_and_say_where_from() {
        let dir = std::env::temp_dir().join(format!("bastion-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("c.toml");
        std::fs::write(&file, "listen = \"0.0.0.0:9000\"\nlog = \"debug\"\n").unwrap();
        let flags = Flags { config: Some(file), listen: None, data: Some(dir.clone()), database: None };
        let s = Settings::load(&flags, &env_of(&[("BASTION_LOG", "warn")])).unwrap();
        assert_eq!(s.listen, "0.0.0.0:9000");
        assert_eq!(s.sources["listen"], Source::File);
        assert_eq!(s.log, "warn");
        assert_eq!(s.sources["log"], Source::Env);
        assert_eq!(s.sources["data"], Source::Flag);
        assert!(s.show().contains("# 配置文件"));
        std::fs::write(dir.join("bad.toml"), "lisen = 1\n").unwrap();
        let bad = Flags { config: Some(dir.join("bad.toml")), ..Default::default() };
        assert!(Settings::load(&bad, &env_of(&[])).unwrap_err().to_string().contains("lisen"));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn shipped_example_matches_defaults() {
        let f: FileSettings = toml::from_str(EXAMPLE).unwrap();
        let defaults = Settings::load(&Flags::default(), &env_of(&[])).unwrap();
        assert_eq!(f.listen.as_deref(), Some(defaults.listen.as_str()));
        assert_eq!(f.data.as_deref(), Some(defaults.data.as_path()));
        assert_eq!(f.idle_timeout_minutes, Some(defaults.idle_timeout_minutes));
        assert_eq!(f.max_body_mb, Some(defaults.max_body_mb));
        assert_eq!(f.secure_cookies, Some(defaults.secure_cookies));
        assert_eq!(f.log.as_deref(), Some(defaults.log.as_str()));
        assert_eq!(f.public_url, defaults.public_url);
        assert_eq!(f.news_dedup_per_visitor, Some(defaults.news_dedup_per_visitor));
        assert_eq!(f.trusted_proxies, Some(defaults.trusted_proxies));
    }

    #[test]
    fn trusted_proxies_are_addresses_or_networks() {
        let env = |k: &str| (k == "BASTION_TRUSTED_PROXIES").then(|| "127.0.0.1, 10.8.0.0/16".to_string());
        let s = Settings::load(&Flags::default(), &env).unwrap();
        assert_eq!(s.trusted_proxies, ["127.0.0.1", "10.8.0.0/16"]);
        assert!(s.show().contains("127.0.0.1, 10.8.0.0/16"));
        let env = |k: &str| (k == "BASTION_TRUSTED_PROXIES").then(|| "nginx.local".to_string());
        let e = Settings::load(&Flags::default(), &env).unwrap_err();
        assert!(e.to_string().contains("trusted_proxies 中“nginx.local”不是有效的 IP"), "{e}");
    }

    #[test]
    fn public_url_is_a_bare_origin() {
        let s =
            Settings::load(&Flags::default(), &env_of(&[("BASTION_PUBLIC_URL", "https://news.example.cn/")])).unwrap();
        assert_eq!(s.public_url.as_deref(), Some("https://news.example.cn"));
        assert_eq!(s.sources["public_url"], Source::Env);
        for bad in ["news.example.cn", "https://a.cn/path", "javascript:alert(1)", "https://"] {
            let env = move |k: &str| (k == "BASTION_PUBLIC_URL").then(|| bad.to_string());
            let e = Settings::load(&Flags::default(), &env).unwrap_err();
            assert!(e.to_string().contains("public_url 须为"), "{bad}: {e}");
        }
    }
}
