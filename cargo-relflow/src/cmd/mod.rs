//! One module per command.

pub mod add;
pub mod check;
pub mod init;
pub mod list;
pub mod pre;
pub mod prompt;
pub mod publish;
pub mod release_pr;
pub mod released;
pub mod repos;
pub mod status;
pub mod sync;
pub mod version;
pub mod yank;
