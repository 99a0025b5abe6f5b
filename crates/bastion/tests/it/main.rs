//! The one integration-test binary of the workspace: every test runs on SQLite and PostgreSQL
//! (`both_backends!`). Add modules here; do not add more test binaries (each costs a link).

#![allow(clippy::unwrap_used, clippy::expect_used)]

// Linked for its global allocator (mimalloc, SQLite's too), so the server here runs as `bastion serve` does.
use bastion as _;

mod accounts; // accounts and the three administrators
mod api;
mod audit;
mod backup; // backup and restore drill
mod checkpoint;
mod cli;
mod csv_injection;
mod dashboard;
mod disclosure;
mod duty;
mod identity;
mod input_rules;
mod inspection;
mod layering;
mod manage;
mod matrix;
mod notify;
mod party;
mod party_life;
mod party_setup;
mod party_stories;
mod pdf;
mod publicity;
mod recall; // recall (召集令)
mod receivers;
mod report;
mod report_past;
mod roles;
mod schedule;
mod schema;
mod screening_batch;
mod store;
mod supplies;
mod supplies_races;
mod supplies_replenish;
mod supplies_unprotected;
mod transfer;
mod truth; // the figures equal the input
mod upgrade; // a database from a newer version
