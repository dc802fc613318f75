//! Support for the end-to-end tests of `cargo-relflow`: real git repositories in temporary
//! directories, the real binary, and helpers to check what it printed and wrote.
//!
//! ```no_run
//! use relflow_tests::TestRepo;
//! let repo = TestRepo::new()
//!     .file("Cargo.toml", "[workspace]\nmembers = [\"a\"]\n")
//!     .cargo_crate("a", "0.1.0", "")
//!     .commit("initial");
//! let run = repo.relflow(["changeset", "-p", "a:minor", "-m", "A feature"]);
//! assert_eq!(run.code, 0);
//! ```

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use camino::{Utf8Path, Utf8PathBuf};

pub mod forge;
pub mod registry;

/// A fixed date for commits, so hashes are stable.
pub const FIXED_DATE: &str = "2026-01-01T00:00:00Z";

/// A git repository in a temporary directory, removed when dropped.
pub struct TestRepo {
    dir: tempfile::TempDir,
    root: Utf8PathBuf,
}

/// What a run of the binary did.
#[derive(Debug)]
pub struct Run {
    /// The exit code (-1 when killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    fn from_output(output: Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Panics with both streams unless the exit code is `code`.
    #[track_caller]
    pub fn assert_code(&self, code: i32) -> &Run {
        assert_eq!(
            self.code, code,
            "unexpected exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

impl Default for TestRepo {
    fn default() -> Self {
        TestRepo::new()
    }
}

impl TestRepo {
    /// An empty git repository on branch `main`.
    pub fn new() -> TestRepo {
        let dir = tempfile::Builder::new()
            .prefix("relflow-test-")
            .tempdir()
            .expect("create temp dir");
        let root = Utf8PathBuf::from_path_buf(dir.path().canonicalize().expect("canonicalize"))
            .expect("UTF-8 temp path");
        std::fs::create_dir_all(root.join(".home")).expect("home");
        let repo = TestRepo { dir, root };
        repo.git(["init", "--quiet", "--initial-branch=main"]);
        std::fs::write(repo.root.join(".git/info/exclude"), ".home/\n").expect("exclude");
        repo
    }

    /// A committed repository with one npm workspace package: `web` 1.0.0 in `js/web`.
    pub fn one_npm_package() -> TestRepo {
        TestRepo::new()
            .file(
                "package.json",
                r#"{ "private": true, "workspaces": ["js/*"] }"#,
            )
            .file(
                "js/web/package.json",
                r#"{ "name": "web", "version": "1.0.0" }"#,
            )
            .commit("initial")
    }

    /// The repository root.
    pub fn root(&self) -> &Utf8Path {
        &self.root
    }

    /// The temporary directory (kept alive by this value).
    pub fn temp_dir(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file (creating parent directories).
    #[must_use]
    pub fn file(self, path: &str, contents: &str) -> TestRepo {
        self.write(path, contents);
        self
    }

    /// Writes a file in place.
    pub fn write(&self, path: &str, contents: &str) {
        let path = self.root.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create parent");
        }
        std::fs::write(path, contents).expect("write file");
    }

    /// Reads a file.
    pub fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.root.join(path)).unwrap_or_else(|e| panic!("read {path}: {e}"))
    }

    /// A crate `name` at `dir` with `version` and extra manifest text (dependencies, ...).
    #[must_use]
    pub fn cargo_crate(self, dir: &str, version: &str, extra: &str) -> TestRepo {
        let name = dir.rsplit('/').next().unwrap_or(dir);
        self.file(
            &format!("{dir}/Cargo.toml"),
            &format!(
                "[package]\nname = \"{name}\"\nversion = \"{version}\"\nedition = \"2021\"\n{extra}"
            ),
        )
        .file(&format!("{dir}/src/lib.rs"), "")
    }

    /// Stages everything and commits.
    #[must_use]
    pub fn commit(self, message: &str) -> TestRepo {
        self.commit_all(message);
        self
    }

    /// Stages everything and commits, in place.
    pub fn commit_all(&self, message: &str) {
        self.git(["add", "-A"]);
        self.git(["commit", "--quiet", "--allow-empty", "-m", message]);
    }

    /// Runs git in the repository, isolated from the user's configuration.
    pub fn git<I, S>(&self, args: I) -> String
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let output = self
            .isolated(Command::new("git"))
            .args(args)
            .output()
            .expect("run git");
        assert!(
            output.status.success(),
            "git failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Runs `cargo-relflow` in the repository with `args`.
    pub fn relflow<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        Run::from_output(
            self.relflow_command(args)
                .output()
                .expect("run cargo-relflow"),
        )
    }

    /// The command that runs `cargo-relflow` in the repository, for tests that need more control.
    pub fn relflow_command<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut command = self.isolated(Command::new(relflow_bin()));
        command.args(args).env_remove("NO_COLOR");
        command
    }

    /// A command run in the repository with git and npm cut off from the user's configuration.
    pub fn isolated(&self, mut command: Command) -> Command {
        let home = self.root.join(".home");
        command
            .current_dir(&self.root)
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", &home)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "Test")
            .env("GIT_AUTHOR_EMAIL", "test@example.invalid")
            .env("GIT_COMMITTER_NAME", "Test")
            .env("GIT_COMMITTER_EMAIL", "test@example.invalid")
            .env("GIT_AUTHOR_DATE", FIXED_DATE)
            .env("GIT_COMMITTER_DATE", FIXED_DATE)
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("CARGO_TARGET_DIR");
        command
    }

    /// Every file of the working tree except `.git` and the sandbox home, with its bytes: compare
    /// two of these to prove that nothing changed.
    pub fn snapshot_tree(&self) -> BTreeMap<Utf8PathBuf, Vec<u8>> {
        let mut files = BTreeMap::new();
        collect(&self.root, &self.root, &mut files);
        files
    }

    /// The `.md` files in `.changeset/` other than README.md.
    pub fn changeset_files(&self) -> Vec<Utf8PathBuf> {
        let mut found: Vec<Utf8PathBuf> = std::fs::read_dir(self.root.join(".changeset"))
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter_map(|e| Utf8PathBuf::from_path_buf(e.path()).ok())
                    .filter(|p| p.extension() == Some("md") && p.file_name() != Some("README.md"))
                    .map(|p| {
                        p.strip_prefix(&self.root)
                            .map(ToOwned::to_owned)
                            .unwrap_or(p)
                    })
                    .collect()
            })
            .unwrap_or_default();
        found.sort();
        found
    }
}

fn collect(root: &Utf8Path, dir: &Utf8Path, files: &mut BTreeMap<Utf8PathBuf, Vec<u8>>) {
    let Ok(entries) = dir.read_dir_utf8() else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        let name = entry.file_name();
        if name == ".git" || name == ".home" || name == "target" {
            continue;
        }
        if path.is_dir() {
            collect(root, path, files);
        } else if let Ok(bytes) = std::fs::read(path) {
            let relative = path.strip_prefix(root).unwrap_or(path).to_owned();
            files.insert(relative, bytes);
        }
    }
}

/// The `cargo-relflow` binary under test: `RELFLOW_BIN`, or the one built next to this test.
pub fn relflow_bin() -> PathBuf {
    if let Some(bin) = std::env::var_os("RELFLOW_BIN") {
        return PathBuf::from(bin);
    }
    let exe = std::env::current_exe().expect("current exe");
    // target/<profile>/deps/e2e-<hash> -> target/<profile>/cargo-relflow
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("test binary lives in target/<profile>/deps");
    let bin = profile_dir.join(format!("cargo-relflow{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build -p cargo-relflow` first (`cargo xtask test` does)",
        bin.display()
    );
    bin
}

/// Replaces the repository root in `text` with `[ROOT]`, for snapshots.
pub fn redact(repo: &TestRepo, text: &str) -> String {
    text.replace(repo.root().as_str(), "[ROOT]")
}
