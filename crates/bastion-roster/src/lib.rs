//! Bastion's roster engine (排班引擎): builds 24/7 duty rosters.
//!
//! Pure computation — no IO except [`cli`], which reads and writes files. Layers:
//! [`model`] (the general rostering problem), [`parse`] (Curtois–Qu text format, roster CSV),
//! [`eval`] (the independent referee), [`search`] (the solver), [`repair`] (minimal-change
//! re-rostering when people fall ill), [`bureau`] (the county bureau's posts, party-member and
//! leader rules, fairness) and [`bench`] (best-known values of the public benchmark).

pub mod bench;
pub mod bureau;
pub mod cli;
pub mod eval;
pub mod explain;
pub mod model;
pub mod parse;
pub mod repair;
pub mod search;

pub use eval::{evaluate, Evaluation, Violation};
pub use explain::{explain, CellExplanation};
pub use model::{Contradiction, Instance, InstanceError, Roster};
pub use parse::{load_instance, parse_instance, InputError, ParseError};
pub use search::{solve, SolveError, SolveOptions, SolveOutcome, Tuning};
