//! Changesets for cargo relflow: intent and decisions. Does no IO.
//!
//! Parses and writes `.changeset/*.md` files in the format of the JavaScript Changesets tool
//! ([`changeset`]), reads `.changeset/config.json` and `pre.json` from text ([`changesets_config`],
//! [`pre`]), and computes the release plan. Callers pass in text and package lists; nothing here
//! touches the filesystem, git or the network.

pub mod apply;
pub mod bump;
pub mod changed;
pub mod changelog;
pub mod changeset;
pub mod changesets_config;
pub mod check;
pub mod name_index;
pub mod parse;
pub mod plan;
pub mod plan_config;
mod posix_path;
pub mod pre;
pub mod range;
pub mod status;
pub mod write;

pub use bump::Bump;
pub use changeset::{Changeset, ChangesetRelease};
pub use plan_config::PlanConfig;
pub use pre::{PreMode, PreState};
