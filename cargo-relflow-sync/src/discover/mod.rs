//! Finding every package of the repository.

pub mod npm;
pub mod python;
