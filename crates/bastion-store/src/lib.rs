//! Persistence for both backends. The only crate that knows SQL: every query is written once in
//! portable SQL (`$n` placeholders, BIGINT/TEXT/BLOB columns) and runs on SQLite and PostgreSQL
//! through sqlx's `Any` driver (see docs/adr/0001-store-sqlx-any.md). One exception: on PostgreSQL a
//! plain batch of registrations is one native statement with array parameters
//! (`checkpoint::direct`, docs/adr/0002-pg-batch-statement.md).

pub mod audit;
pub mod auth;
pub mod cache;
pub mod checkpoint;
pub mod crypto;
pub mod db;
pub mod duty;
pub mod group_commit;
pub mod inspection;
pub mod jobs;
pub mod notify;
pub mod operation;
pub mod org;
pub mod party;
pub mod publicity;
pub mod recall;
pub mod replica;
pub mod report;
mod schedule;
pub mod settings;
pub mod sql;
// supplies
pub mod supplies;

pub use crypto::{Cipher, Crypto};
pub use db::{commit, Backend, Store, StoreError, StoreResult, Tx};
/// The database driver's error, for callers that classify store failures.
pub use sqlx::Error as StoreSqlError;
