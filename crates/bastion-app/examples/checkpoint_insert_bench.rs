//! Bare batched-insert limit for the checkpoint benchmark (`bench/checkpoint/run.sh`): the same
//! rows the API stores (encrypted numbers, blind indexes, counters, one audit record each) written
//! straight into the store in batches, one durable commit per batch, no HTTP. Optionally fills the
//! store with many rows first (for the 10-million-row read figures).
//!
//! Usage: `checkpoint_insert_bench --data DIR [--database URL] [--rows N] [--batch B] [--checkpoint ID] [--transaction]`

use std::time::Instant;

use bastion_core::checkpoint::{
    Decision, DocType, EntryMode, HealthCode, Plate, Reason, TempMethod, Temperature, VehicleType,
};
use bastion_store::checkpoint::{CheckpointId, NewScreening};
use bastion_store::{Crypto, Store};

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

fn row(n: u64, cp: i64) -> NewScreening {
    let body = format!("3604301985{:02}{:02}{:03}", 1 + n % 12, 1 + n % 28, n % 1000);
    let doc = format!("{body}{}", bastion_core::id_number::check_char(body.as_bytes()));
    NewScreening {
        id: format!("{:08x}-{:04x}-7000-8000-{:012x}", (n >> 16) as u32, n & 0xffff, n),
        checkpoint_id: CheckpointId(cp),
        mode: EntryMode::Officer,
        captured_at: bastion_core::time::now_ms(),
        name: "林晓风".into(),
        doc_type: DocType::IdCard,
        doc_number: doc,
        sex: None,
        birth_year: None,
        phone: bastion_core::Phone::parse(&format!("139{:08}", n % 100_000_000)).ok(),
        plate: Some(Plate { text: "赣G12345".into(), warning: None }),
        vehicle_type: VehicleType::Car,
        driver_id: None,
        origin: "武汉市".into(),
        destination: "青岚县城关镇".into(),
        reason: Reason::ReturnHome,
        travel_flag: true,
        health_code: HealthCode::Green,
        temp: Temperature::clamped(366),
        temp2: None,
        method: TempMethod::Forehead,
        fever: false,
        decision: Decision::Pass,
        officer_id: 1,
        officer: "checkpoint".into(),
        clinic: String::new(),
        pass_code: None,
        audit_unit: "bench".into(),
        audit_ip: "127.0.0.1".into(),
        request_id: String::new(),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let data = std::path::PathBuf::from(arg("--data").unwrap_or_else(|| "/tmp/bastion-cp-insert".into()));
    let database = arg("--database");
    let rows: u64 = arg("--rows").and_then(|s| s.parse().ok()).unwrap_or(200_000);
    let batch: usize = arg("--batch").and_then(|s| s.parse().ok()).unwrap_or(1000);
    let cp: i64 = arg("--checkpoint").and_then(|s| s.parse().ok()).unwrap_or(1);
    let start_at: u64 = arg("--offset").and_then(|s| s.parse().ok()).unwrap_or(0);
    let in_tx = std::env::args().any(|a| a == "--transaction");
    let crypto = Crypto::load(&data.join("keys").join("bastion.keys"))?;
    let store = Store::open(&data, database.as_deref(), crypto).await?;
    let t0 = Instant::now();
    let mut done = 0u64;
    while done < rows {
        let n = (rows - done).min(batch as u64);
        // Sealed here as each request seals its own row before it queues for the writer.
        let items =
            (0..n).map(|i| store.seal_screening(row(start_at + done + i, cp))).collect::<Result<Vec<_>, _>>()?;
        // The server's writer does the same: one statement where the batch allows it (PostgreSQL),
        // otherwise a transaction.
        // `--transaction` always takes the transaction (to compare the two).
        if in_tx || store.insert_screenings_alone(&items).await?.is_none() {
            let mut tx = store.begin().await?;
            store.insert_screenings(&mut tx, &items).await?;
            bastion_store::commit(tx).await?;
        }
        done += n;
        if done.is_multiple_of(1_000_000) {
            eprintln!("{done} rows, {:.0} rows/s", done as f64 / t0.elapsed().as_secs_f64());
        }
    }
    let secs = t0.elapsed().as_secs_f64();
    println!(
        "rows={rows} batch={batch} backend={} seconds={secs:.2} rows_per_s={:.0}",
        store.backend.name(),
        rows as f64 / secs
    );
    Ok(())
}
