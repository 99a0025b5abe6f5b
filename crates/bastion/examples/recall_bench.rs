//! Set-up and first figure of the recall benchmark (`bench/recall/run.sh`): on the data directory
//! (and database) a `bastion serve` will use, create the demo bureau if empty, add N synthetic
//! people, time the issue of one whole-bureau order (audience written and one SMS per person
//! queued, in one transaction), and write every recalled person's personal link token to a file
//! for the acknowledgement load.
//!
//! Usage: `recall_bench --data DIR [--database URL] [--people 100000] --tokens FILE`

// Linked for its global allocator (mimalloc, SQLite's too), so the server here runs as `bastion serve` does.
use bastion as _;
use std::io::Write;
use std::time::Instant;

use bastion_app::notify::ChannelInput;
use bastion_app::recall::OrderInput;
use bastion_app::{App, Ctx, Policy};
use bastion_store::{Crypto, Store};

mod common;
use common::add_people;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let data = std::path::PathBuf::from(arg(&args, "--data").ok_or_else(|| anyhow::anyhow!("--data DIR"))?);
    let database = arg(&args, "--database");
    let n: i64 = arg(&args, "--people").map(|s| s.parse()).transpose()?.unwrap_or(100_000);
    let tokens = arg(&args, "--tokens").ok_or_else(|| anyhow::anyhow!("--tokens FILE"))?;
    let crypto = Crypto::load(&data.join("keys").join("bastion.keys"))?;
    let store = Store::open(&data, database.as_deref(), crypto).await?;
    let app = App::new(store.clone(), Policy::default());
    let password = std::env::var("BASTION_DEMO_PASSWORD").unwrap_or_else(|_| "Demo#2026pass".into());
    if store.units().await?.is_empty() {
        app.create_demo(&password, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP").await.map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let t0 = Instant::now();
    add_people(&store, n).await?;
    println!("added {n} synthetic people in {:.1} s", t0.elapsed().as_secs_f64());
    store.analyze().await?;

    let commander = store.account_by_username("commander").await?.ok_or_else(|| anyhow::anyhow!("no commander"))?;
    let ctx = Ctx::from_account(&commander, "bench", "");
    app.set_recall_threshold(&ctx, 1_000_000).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    // An SMS gateway, so the order also queues one message per person (the figure includes it).
    app.add_channel(
        &ctx,
        &ChannelInput {
            kind: "sms".into(),
            name: "基准短信网关".into(),
            url: "http://127.0.0.1:9/sms".into(),
            link_base: "http://127.0.0.1".into(),
            min_interval_ms: "0".into(),
            ..Default::default()
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let input = OrderInput {
        title: "全警返岗（基准）".into(),
        message: "全体人员一小时内返岗报到".into(),
        scope: "all".into(),
        deadline_minutes: "600".into(),
        mode: "drill".into(),
        waves: String::new(),
        ..Default::default()
    };
    let t0 = Instant::now();
    let created = app.create_recall(&ctx, &input).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let ms = t0.elapsed().as_secs_f64() * 1000.0;
    let queued = store
        .queue_counts(bastion_store::notify::Source::new(bastion_store::recall::NOTIFY_SOURCE, created.id.0))
        .await?
        .queued;
    println!(
        "RESULT order {}: {} people recalled and {} SMS queued in {:.0} ms",
        created.id.0, created.audience, queued, ms
    );
    // The gateway above is not reachable: switch it off so the load run measures answers only.
    let sms = store.channels().await?.into_iter().map(|c| c.id).collect::<Vec<_>>();
    for id in sms {
        app.set_channel_enabled(&ctx, id, false).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    }

    let order = store.recall_order(created.id).await?;
    let mut out = std::io::BufWriter::new(std::fs::File::create(&tokens)?);
    let mut after = 0;
    let mut count = 0;
    loop {
        let chunk = store.recall_missing(created.id, None, 5000, after).await?;
        let Some(last) = chunk.last() else { break };
        after = last.person_id.0;
        for t in &chunk {
            writeln!(out, "{}", app.recall_token(&order, t))?;
            count += 1;
        }
    }
    out.flush()?;
    println!("ORDER {}", created.id.0);
    println!("wrote {count} tokens to {tokens}");
    store.close().await;
    Ok(())
}
