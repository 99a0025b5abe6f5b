//! Bastion's domain vocabulary: values that parse (an `IdNumber` only ever holds a valid number),
//! the enumerations of the bureau's records, and the permission model. No IO, no async.

pub mod error;
pub mod id_number;
pub mod input;
pub mod mask;
#[macro_use]
pub mod org;
pub mod permission;
pub mod phone;
pub mod publicity;
pub mod recall;
pub mod text;
pub mod time;
pub mod totp;
// checkpoint
pub mod checkpoint;
pub mod csv;
// supplies
pub mod supplies;
// duty (值班)
pub mod duty;
// inspections (督导检查)
pub mod inspection;
// party (党建)
pub mod party;

pub use error::FieldError;
pub use id_number::IdNumber;
pub use phone::Phone;
