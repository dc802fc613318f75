//! cargo relflow: release polyglot monorepos with changesets.
//!
//! The binary's commands live in [`cmd`]; they read the repository through [`repo`] and git
//! through [`git`], and print only through [`ui::Ui`]. The same functions are the library API a
//! user's own `cargo xtask release` calls: [`repo::Repo::open`] finds the packages, the
//! configuration and the pending changesets.

pub mod changelog_github;
pub mod cli;
pub mod cmd;
pub mod diff;
pub mod error;
pub mod forge;
pub mod format;
pub mod git;
pub mod history;
pub mod lock;
pub mod plugin;
pub mod pre_file;
pub mod publish;
pub mod registry;
pub mod release_pr;
pub mod released;
pub mod repo;
pub mod repos;
pub mod stage;
pub mod sync;
#[cfg(test)]
mod test_git;
pub mod ui;
pub mod vcs_version;
pub mod version;
pub mod yank;
