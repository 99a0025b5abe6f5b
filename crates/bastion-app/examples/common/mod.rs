//! What the benchmark examples share: their command-line arguments, the demo bureau on a fresh
//! database, an account's context, and latency percentiles. An example takes it with `mod common;`
//! (a folder without `main.rs` is not an example of its own).

#![allow(dead_code)]

use std::path::Path;
use std::time::{Duration, Instant};

use bastion_app::{App, Ctx, Policy};
use bastion_store::{Crypto, Store};

/// The demo accounts' password in the databases these examples create.
pub const DEMO_PASSWORD: &str = "Bench-Demo-2026!";

/// The value after `name` on the command line.
pub fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

/// A number after `name`, or `default`.
pub fn num<T: std::str::FromStr>(name: &str, default: T) -> T {
    arg(name).and_then(|s| s.parse().ok()).unwrap_or(default)
}

/// Any use-case error as an `anyhow` error.
pub fn e<E: std::fmt::Debug>(x: E) -> anyhow::Error {
    anyhow::anyhow!("{x:?}")
}

/// The demo bureau at `database` (SQLite under `data` when none), its keys under `data/keys`:
/// created on an empty database; on one an earlier benchmark filled (`bench/dashboard/run.sh` with
/// `BENCH_MODULES=1` runs several on one database), what is there is used and grown.
pub async fn demo_bureau(data: &Path, database: Option<&str>) -> anyhow::Result<(Store, App)> {
    std::fs::create_dir_all(data.join("keys"))?;
    let crypto = Crypto::load(&data.join("keys").join("bastion.keys"))?;
    let store = Store::open(data, database, crypto).await?;
    let app = App::new(store.clone(), Policy::default());
    if store.units().await?.is_empty() {
        app.create_demo(DEMO_PASSWORD, "JBSWY3DPEHPK3PXP").await.map_err(e)?;
    }
    Ok((store, app))
}

/// The context of the demo account `name`, as the web layer would make it.
pub async fn ctx_of(store: &Store, name: &str) -> anyhow::Result<Ctx> {
    let a = store.account_by_username(name).await?.ok_or_else(|| anyhow::anyhow!("no account {name}"))?;
    Ok(Ctx::from_account(&a, "127.0.0.1", ""))
}

/// p50 and p99 in milliseconds.
pub fn pct(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    let at = |p: f64| v[((v.len() as f64 * p).ceil() as usize).clamp(1, v.len()) - 1].as_secs_f64() * 1000.0;
    (at(0.50), at(0.99))
}

/// `f` run `rounds` times one after another: p50 and p99 in milliseconds.
pub async fn timed<F, Fut, T>(rounds: usize, mut f: F) -> anyhow::Result<(f64, f64)>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<T>>,
{
    let mut v = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let t = Instant::now();
        f().await?;
        v.push(t.elapsed());
    }
    Ok(pct(v))
}
