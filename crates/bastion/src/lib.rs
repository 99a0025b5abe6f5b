//! The `bastion` command: serve, migrate, demo, import, export, backup, restore, config, user, audit,
//! roster.

pub mod settings;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use bastion_app::org::{PersonFilter, UnitId};
use bastion_app::transfer::{Format2, ImportOptions};
use bastion_app::{App, Ctx, Policy};
use clap::{Args, Parser, Subcommand};
use settings::{Flags, Settings};

/// mimalloc instead of glibc's malloc, for Rust and — through the `override` feature, which defines
/// `malloc` and `free` in this binary — for the bundled SQLite too. glibc's malloc gives each thread
/// that allocates its own arena (up to eight per core) and keeps freed memory there; a SQLite server
/// runs every connection on a thread of its own, and in the 30-minute soak its resident memory kept
/// creeping up (docs/adr/0006-allocator.md). Declared in the library: the benchmarks and tests that
/// run the server in process link it (`use bastion as _;`) to run on the allocator `bastion serve` uses.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser, Debug)]
#[command(name = "bastion", version, about = "Bastion 战疫指挥平台：县公安局应急指挥与动员")]
pub struct Cli {
    #[command(flatten)]
    pub common: Common,
    #[command(subcommand)]
    pub cmd: Cmd,
}

#[derive(Args, Debug, Clone, Default)]
pub struct Common {
    /// Data directory (SQLite file, key file). Created if missing.
    #[arg(long, global = true)]
    pub data: Option<PathBuf>,
    /// PostgreSQL URL (postgres://…); default is SQLite under --data.
    #[arg(long, global = true)]
    pub database: Option<String>,
    /// Config file (TOML).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Run the web server.
    Serve {
        #[arg(long)]
        listen: Option<String>,
        /// Create the demo bureau first when the database is empty.
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Create the demo bureau (empty database only).
    Demo,
    /// Import people (or units) from .xlsx/.csv; all or nothing.
    Import {
        file: PathBuf,
        #[arg(long)]
        units: bool,
        /// Update people whose police number exists.
        #[arg(long)]
        update: bool,
        #[arg(long)]
        dry_run: bool,
    },
    /// Export people (masked) to .xlsx or .csv (by extension).
    Export { file: PathBuf },
    /// Check stored data: identity numbers held by more than one person (exit status 1 when found).
    Check,
    /// Consistent copy of the SQLite database (PostgreSQL: use pg_dump).
    Backup { dest: PathBuf },
    /// Restore the SQLite database from a `bastion backup` file into --data (a new or empty data
    /// directory; refused while an instance runs on it). PostgreSQL: pg_restore.
    Restore {
        /// The backup file.
        file: PathBuf,
        /// The deployment's key file (the backup holds no keys); copied to DATA/keys/bastion.keys.
        #[arg(long)]
        keys: Option<PathBuf>,
        /// Replace a database (and key file) that already holds data; the old ones are kept renamed.
        #[arg(long)]
        force: bool,
    },
    /// Configuration.
    Config {
        #[command(subcommand)]
        cmd: ConfigCmd,
    },
    /// Accounts.
    User {
        #[command(subcommand)]
        cmd: UserCmd,
    },
    /// Audit trail.
    Audit {
        #[command(subcommand)]
        cmd: AuditCmd,
    },
    /// Field-encryption keys.
    Keys {
        #[command(subcommand)]
        cmd: KeysCmd,
    },
    /// Checkpoints and screening (卡点): retention purge.
    Checkpoint {
        #[command(subcommand)]
        cmd: CheckpointCmd,
    },
    /// Roster engine (排班引擎).
    Roster {
        #[command(subcommand)]
        cmd: bastion_roster::cli::RosterCmd,
    },
}

#[derive(Subcommand, Debug)]
pub enum ConfigCmd {
    /// Print every setting and where it came from.
    Show,
}

#[derive(Subcommand, Debug)]
pub enum UserCmd {
    /// Create an account. The password comes from BASTION_NEW_PASSWORD.
    Create {
        username: String,
        #[arg(long)]
        name: String,
        /// Unit code (e.g. BUREAU).
        #[arg(long)]
        unit: String,
        /// Comma-separated role keys (sysadmin, secadmin, auditadmin, commander, duty, …).
        #[arg(long)]
        roles: String,
    },
    /// Disable an account and end its sessions.
    Disable { username: String },
    /// Reset the password (from BASTION_NEW_PASSWORD); it must be changed at next sign-in.
    ResetPassword { username: String },
}

#[derive(Subcommand, Debug)]
pub enum KeysCmd {
    /// Make a new current key (old keys kept for reading) and re-encrypt every stored number with it.
    Rotate,
}

/// checkpoint
#[derive(Subcommand, Debug)]
pub enum CheckpointCmd {
    /// Delete screening data older than the retention (default: setting epi.checkpoint.retentionDays, 28 days); audited.
    Purge {
        #[arg(long)]
        days: Option<i64>,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditCmd {
    /// Verify the hash chain and every record's keyed MAC; names the first broken record.
    Verify {
        /// A checkpoint file written by `bastion audit checkpoint`: the chain must still hold the
        /// record it names, unchanged.
        #[arg(long)]
        checkpoint: Option<PathBuf>,
    },
    /// Delete records older than the retention period (security policy, at least 180 days).
    Purge,
    /// A MAC'd checkpoint of the chain's head: printed, and written to --out (keep it off this machine).
    Checkpoint {
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Make a new audit MAC key; old keys stay in the key file to verify older records.
    RotateKey,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Cmd::Roster { cmd } = cli.cmd {
        return match bastion_roster::cli::run(cmd) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("错误：{e:#}");
                ExitCode::FAILURE
            }
        };
    }
    let listen = match &cli.cmd {
        Cmd::Serve { listen, .. } => listen.clone(),
        _ => None,
    };
    let flags = Flags {
        config: cli.common.config.clone(),
        data: cli.common.data.clone(),
        listen,
        database: cli.common.database.clone(),
    };
    let settings = match Settings::load(&flags, &|k| std::env::var(k).ok()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("错误：{e:#}");
            return ExitCode::from(2);
        }
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_new(&settings.log).unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .try_init();
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("错误：无法启动运行时：{e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli.cmd, settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误：{e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The application opened by a command, with the process's claim on its SQLite database (held
/// until the command ends; `bastion restore` refuses while it is held).
pub struct Opened {
    pub app: App,
    _lock: Option<bastion_app::maintenance::DatabaseLock>,
}

impl std::ops::Deref for Opened {
    type Target = App;
    fn deref(&self) -> &App {
        &self.app
    }
}

pub async fn open(settings: &Settings) -> anyhow::Result<Opened> {
    if settings.database.is_none() {
        bastion_app::maintenance::create_data_dir(&settings.data)
            .with_context(|| format!("无法创建数据目录 {}", settings.data.display()))?;
    }
    let lock = bastion_app::maintenance::lock_database_shared(&settings.data, settings.database.as_deref())?;
    let policy = Policy { idle_timeout_ms: settings.idle_timeout_minutes * 60_000, ..Policy::default() };
    let app = App::open(&settings.data, settings.database.as_deref(), &settings.key_file(), policy).await?;
    Ok(Opened { app, _lock: lock })
}

async fn cli_ctx(app: &App) -> anyhow::Result<Ctx> {
    let root = app.bureau().await.map_err(|e| anyhow::anyhow!("{e}"))?.map(|u| u.id).unwrap_or(UnitId(0));
    Ok(Ctx::cli(root))
}

/// The demo password: BASTION_DEMO_PASSWORD, or a fresh one that meets the password policy.
pub fn demo_password() -> String {
    use rand::Rng;
    std::env::var("BASTION_DEMO_PASSWORD").ok().filter(|p| !p.is_empty()).unwrap_or_else(|| {
        const ALPHA: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
        let mut rng = rand::rngs::OsRng;
        let mut s: String = (0..9).map(|_| ALPHA[rng.gen_range(0..ALPHA.len())] as char).collect();
        s.push_str("K7#");
        s
    })
}

/// The three admins' TOTP secret for the demo: BASTION_DEMO_TOTP_SECRET (base32) or a fresh one.
pub fn demo_totp_secret() -> anyhow::Result<String> {
    use rand::RngCore;
    match std::env::var("BASTION_DEMO_TOTP_SECRET").ok().filter(|s| !s.is_empty()) {
        Some(s) => match bastion_core::totp::base32_decode(&s) {
            Some(b) if b.len() >= 10 => Ok(bastion_core::totp::base32_encode(&b)),
            _ => anyhow::bail!("BASTION_DEMO_TOTP_SECRET 须为至少 16 个字符的 base32 密钥"),
        },
        None => {
            let mut raw = [0u8; 20];
            rand::rngs::OsRng.fill_bytes(&mut raw);
            Ok(bastion_core::totp::base32_encode(&raw))
        }
    }
}

async fn create_demo(app: &App) -> anyhow::Result<()> {
    let password = demo_password();
    let totp = demo_totp_secret()?;
    let s = app.create_demo(&password, &totp).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "已创建演示单位：{}（{} 个单位，{} 人，其中党员 {} 人）",
        bastion_app::demo::BUREAU_NAME,
        s.units,
        s.people,
        s.party
    );
    println!("演示账号（密码只显示这一次）：");
    for (u, name, role) in &s.accounts {
        println!("  {u:<12} {name:<12} {role}");
    }
    println!("  密码：{password}");
    println!("  三员（sysadmin、secadmin、auditadmin）须用动态口令，身份验证器密钥：{totp}");
    println!("  超级管理员 admin 在三员就位后已自动停用");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

pub async fn run(cmd: Cmd, settings: Settings) -> anyhow::Result<()> {
    match cmd {
        Cmd::Config { cmd: ConfigCmd::Show } => {
            print!("{}", settings.show());
            Ok(())
        }
        Cmd::Serve { demo, .. } => {
            let app = open(&settings).await?;
            if let Some(url) = &settings.read_database {
                app.attach_replica(url, settings.read_database_max_lag_ms).await?;
            }
            // Views answered by an earlier run that was killed before writing them are counted now.
            app.open_view_journal(&settings.data).await?;
            for holders in app.duplicate_id_numbers().await.map_err(|e| anyhow::anyhow!("{e}"))? {
                tracing::warn!(
                    "身份证号重复：警号 {} 持有同一身份证号，请核实更正（bastion check 列出全部）",
                    holders.join("、")
                );
            }
            if demo {
                if app.is_empty().await.map_err(|e| anyhow::anyhow!("{e}"))? {
                    create_demo(&app).await?;
                } else {
                    println!("数据库已有数据，跳过演示数据生成");
                }
            }
            if settings.public_url.is_none() {
                tracing::warn!(
                    "未配置新闻网站对外地址 public_url（BASTION_PUBLIC_URL）：分享标签只用相对地址，不提供订阅源和站点地图"
                );
            }
            let listener = tokio::net::TcpListener::bind(&settings.listen)
                .await
                .with_context(|| format!("无法监听 {}", settings.listen))?;
            let web = bastion_web::WebSettings {
                secure_cookies: settings.secure_cookies,
                max_body_bytes: settings.max_body_mb * 1024 * 1024,
                public_url: settings.public_url.clone(),
                news_dedup_per_visitor: settings.news_dedup_per_visitor,
                trusted_proxies: (settings.trusted_proxies.iter())
                    .filter_map(|p| bastion_app::auth::policy::IpRule::parse(p).ok())
                    .collect(),
            };
            let Opened { app, _lock: lock } = app;
            let closer = app.clone();
            bastion_web::serve(app, web, bastion_web::metrics_handle(), listener, shutdown_signal()).await?;
            closer.close().await;
            // The claim on the database ends with the server, not before.
            drop(lock);
            Ok(())
        }
        Cmd::Migrate => {
            let _ = open(&settings).await?;
            println!("数据库迁移已完成");
            Ok(())
        }
        Cmd::Demo => {
            let app = open(&settings).await?;
            create_demo(&app).await
        }
        Cmd::Import { file, units, update, dry_run } => {
            let app = open(&settings).await?;
            let ctx = cli_ctx(&app).await?;
            let bytes = std::fs::read(&file).with_context(|| format!("无法读取 {}", file.display()))?;
            let name = file.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
            let opts = ImportOptions { update_existing: update, dry_run };
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{spinner} 导入 [{bar:40}] {pos}/{len} {elapsed}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let pb = bar.clone();
            let progress = move |done: usize, total: usize| {
                pb.set_length(total as u64);
                pb.set_position(done as u64);
            };
            let report = if units {
                app.import_units(&ctx, &name, &bytes, opts).await
            } else {
                app.import_people(&ctx, &name, &bytes, opts, &progress).await
            }
            .map_err(|e| anyhow::anyhow!("{}", bastion_app_message(&e)))?;
            bar.finish_and_clear();
            if !report.errors.is_empty() {
                let out = file.with_extension("errors.xlsx");
                std::fs::write(
                    &out,
                    bastion_app::transfer::error_report(&report.errors).map_err(|e| anyhow::anyhow!("{e}"))?,
                )?;
                for e in report.errors.iter().take(20) {
                    eprintln!("第 {} 行 [{}] “{}”：{}", e.row, e.column, e.value, e.rule);
                }
                anyhow::bail!("导入失败：{} 处错误，未写入任何数据；错误报告：{}", report.errors.len(), out.display());
            }
            let verb = if report.committed { "已导入" } else { "预检通过（未写入）" };
            println!(
                "{verb}：共 {} 条，新增 {}，更新 {}，未变 {}",
                report.total, report.created, report.updated, report.unchanged
            );
            Ok(())
        }
        Cmd::Export { file } => {
            let app = open(&settings).await?;
            let ctx = cli_ctx(&app).await?;
            let format = Format2::from_name(&file.to_string_lossy())
                .ok_or_else(|| anyhow::anyhow!("导出文件须以 .xlsx 或 .csv 结尾"))?;
            let (bytes, n) =
                app.export_people(&ctx, &PersonFilter::default(), format).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            std::fs::write(&file, bytes).with_context(|| format!("无法写入 {}", file.display()))?;
            println!("已导出 {n} 人到 {}（身份证号、手机号已脱敏）", file.display());
            Ok(())
        }
        Cmd::Check => {
            let app = open(&settings).await?;
            let dups = app.duplicate_id_numbers().await.map_err(|e| anyhow::anyhow!("{e}"))?;
            if dups.is_empty() {
                println!("检查通过：没有重复的身份证号");
                return Ok(());
            }
            for holders in &dups {
                println!("身份证号重复：警号 {} 持有同一身份证号", holders.join("、"));
            }
            anyhow::bail!("{} 个身份证号被多人持有：请逐一核实，在人员页面更正（系统不会自动合并）", dups.len())
        }
        Cmd::Backup { dest } => {
            let app = open(&settings).await?;
            app.backup(&dest).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("已备份到 {}", dest.display());
            println!("备份不含密钥：恢复时还需要密钥文件 {}（请另行离线保存）", settings.key_file().display());
            Ok(())
        }
        Cmd::Restore { file, keys, force } => {
            let key_file = settings.key_file();
            let r = bastion_app::maintenance::restore_sqlite(bastion_app::maintenance::RestoreRequest {
                backup: &file,
                data: &settings.data,
                database: settings.database.as_deref(),
                key_file: &key_file,
                keys: keys.as_deref(),
                force,
            })
            .await?;
            if let Some(old) = &r.replaced {
                println!("原数据库已改名保留：{}", old.display());
            }
            if let Some(old) = &r.journal {
                println!(
                    "原浏览计数日志已改名保留（其中的浏览属于被替换的数据库，不计入恢复的数据）：{}",
                    old.display()
                );
            }
            println!("已从 {} 恢复到 {}", file.display(), r.database.display());
            let schema = if r.backup_schema < r.schema {
                format!("备份的数据库结构版本 {}，已迁移到本程序的 {}", r.backup_schema, r.schema)
            } else {
                format!("数据库结构版本 {}", r.schema)
            };
            println!("完整性检查通过；{schema}；审计链完整：共 {} 条记录（含本次恢复）", r.audit_records);
            Ok(())
        }
        Cmd::User { cmd } => {
            let app = open(&settings).await?;
            let ctx = cli_ctx(&app).await?;
            let password = || {
                std::env::var("BASTION_NEW_PASSWORD")
                    .map_err(|_| anyhow::anyhow!("请通过环境变量 BASTION_NEW_PASSWORD 提供密码"))
            };
            match cmd {
                UserCmd::Create { username, name, unit, roles } => {
                    let u = app.unit_by_code(&ctx, &unit).await.map_err(|e| anyhow::anyhow!("{e}"))?;
                    let roles: Vec<String> =
                        roles.split(',').map(|r| r.trim().to_string()).filter(|r| !r.is_empty()).collect();
                    app.create_account(&ctx, &username, &name, u.id, None, roles, &password()?, true)
                        .await
                        .map_err(|e| anyhow::anyhow!("{}", bastion_app_message(&e)))?;
                    println!("已创建账号 {username}（首次登录须修改密码）");
                }
                UserCmd::Disable { username } => {
                    app.set_account_enabled(&ctx, &username, false)
                        .await
                        .map_err(|e| anyhow::anyhow!("{}", bastion_app_message(&e)))?;
                    println!("已停用账号 {username}");
                }
                UserCmd::ResetPassword { username } => {
                    app.reset_password(&ctx, &username, &password()?)
                        .await
                        .map_err(|e| anyhow::anyhow!("{}", bastion_app_message(&e)))?;
                    println!("已重置 {username} 的密码（下次登录须修改）");
                }
            }
            Ok(())
        }
        Cmd::Checkpoint { cmd: CheckpointCmd::Purge { days } } => {
            let app = open(&settings).await?;
            let ctx = cli_ctx(&app).await?;
            let r =
                app.purge_screenings(&ctx, days).await.map_err(|e| anyhow::anyhow!("{}", bastion_app_message(&e)))?;
            println!(
                "已清理过期登记数据：登记 {} 条，发热病例 {} 条，通行码 {} 条",
                r.screenings, r.fever_cases, r.passes
            );
            Ok(())
        }
        Cmd::Audit { cmd: AuditCmd::Verify { checkpoint } } => {
            let app = open(&settings).await?;
            let checkpoint = match &checkpoint {
                Some(path) => {
                    let text = std::fs::read_to_string(path)
                        .with_context(|| format!("无法读取检查点文件 {}", path.display()))?;
                    Some(bastion_app::audit::Checkpoint::parse(&text)?)
                }
                None => None,
            };
            let v = app.verify_audit(checkpoint.as_ref()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            if let Some(b) = v.broken {
                anyhow::bail!("审计链被破坏：{b}（此前 {} 条完好）", v.records);
            }
            print!("审计链完整：共 {} 条记录", v.records);
            if v.mac_from > 0 {
                print!("（第 {} 条及以前为启用密钥校验码之前的记录，只校验哈希链）", v.mac_from);
            }
            println!();
            if let Some(cp) = &checkpoint {
                println!("与检查点相符：第 {} 条，{}", cp.seq, bastion_core::time::fmt_ms(cp.at));
            }
            Ok(())
        }
        Cmd::Audit { cmd: AuditCmd::Checkpoint { out } } => {
            let app = open(&settings).await?;
            let cp = app.audit_checkpoint().await.map_err(|e| anyhow::anyhow!("{e}"))?;
            let text = cp.to_text();
            print!("{text}");
            if let Some(path) = &out {
                std::fs::write(path, &text).with_context(|| format!("无法写入 {}", path.display()))?;
                println!("已写入 {}：请复制到本机以外保存", path.display());
            }
            Ok(())
        }
        Cmd::Audit { cmd: AuditCmd::RotateKey } => {
            let app = open(&settings).await?;
            let ctx = cli_ctx(&app).await?;
            let id = app.rotate_audit_key(&ctx).await.map_err(|e| anyhow::anyhow!("{}", bastion_app_message(&e)))?;
            println!("已生成新审计密钥（编号 {id}），旧密钥保留在密钥文件中用于校验此前的记录");
            println!("多节点部署：把新的密钥文件复制到每个节点（节点遇到未知编号时会重新读取密钥文件）");
            Ok(())
        }
        Cmd::Audit { cmd: AuditCmd::Purge } => {
            let app = open(&settings).await?;
            let ctx = cli_ctx(&app).await?;
            let n = app
                .purge_expired_audit(&ctx, bastion_core::time::now_ms())
                .await
                .map_err(|e| anyhow::anyhow!("{}", bastion_app_message(&e)))?;
            let days = app.policy().audit_retention_days.max(180);
            println!("已清理保存期（{days} 天）以前的审计记录 {n} 条");
            Ok(())
        }
        Cmd::Keys { cmd: KeysCmd::Rotate } => {
            let app = open(&settings).await?;
            let ctx = cli_ctx(&app).await?;
            println!("正在生成新密钥（旧密钥保留用于解密）并重新加密全部号码…");
            let (id, n) = app.rotate_keys(&ctx).await.map_err(|e| anyhow::anyhow!("{}", bastion_app_message(&e)))?;
            println!("新密钥编号 {id}");
            println!("完成：重新加密 {n} 个字段。运行中的节点读到新密钥编号时会自动重新加载密钥文件。");
            Ok(())
        }
        Cmd::Roster { .. } => Ok(()),
    }
}

/// The zh-CN text of an application error, field errors spelled out.
pub fn bastion_app_message(e: &bastion_app::AppError) -> String {
    match e {
        bastion_app::AppError::Invalid(v) => v.iter().map(|f| f.message.clone()).collect::<Vec<_>>().join("；"),
        other => other.to_string(),
    }
}
