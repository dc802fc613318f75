//! For unit tests: git commands cut off from the user's and the system's configuration.

use std::process::Command;

use camino::Utf8Path;

/// `git` run in `dir`, with no system or global configuration, a fixed identity, and no
/// `GIT_DIR`, `GIT_WORK_TREE` or `GIT_INDEX_FILE` inherited (hooks set them).
pub(crate) fn isolated_git(dir: &Utf8Path) -> Command {
    let mut command = Command::new("git");
    command
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.invalid")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.invalid")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE");
    command
}
