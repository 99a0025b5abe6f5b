//! The crate's single integration-test binary (one link, many modules).

// Panicking on a broken fixture is the right failure mode in tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bureau;
mod cli;
mod common;
mod determinism;
mod eval_cases;
mod explain;
mod input;
mod props;
mod repair;
mod solve;
