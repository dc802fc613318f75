//! What a release plan changes in manifests: each package's new version and the requirements of
//! its dependents, decided per ecosystem with the rules its package manager users expect.
//!
//! npm follows Changesets v3's `apply-release-plan` ([`npm`]); Cargo keeps a requirement while
//! the new version still satisfies it, and otherwise rewrites it with its operator and precision
//! ([`cargo`]); Python specifiers are rewritten only when the new version leaves them
//! ([`python`]).

pub mod cargo;
pub mod npm;
pub mod python;
