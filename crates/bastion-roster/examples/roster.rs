//! Stand-in for `bastion roster …` until the main binary wires [`RosterCmd`] in:
//! `cargo run --release -p bastion-roster --example roster -- bureau --seconds 5`.

use bastion_roster::cli::{run, RosterCmd};
use clap::Parser;

#[derive(Parser)]
#[command(name = "roster")]
struct Args {
    #[command(subcommand)]
    cmd: RosterCmd,
}

fn main() -> anyhow::Result<()> {
    run(Args::parse().cmd)
}
