//! `version` under faults: killed or interrupted at every rename, write and unlink (with strace's
//! fault injection), failing file opens that make the rollback fail too, and concurrent runs. After each, the next
//! command must leave a tree that is wholly the old one (changesets intact) or wholly the new.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use camino::Utf8PathBuf;
use relflow_tests::TestRepo;

/// A generated polyglot repository: three crates (one depending on another), three npm
/// packages, a Python project, a `[[sync]]` file, a Cargo.lock and three changesets.
fn generated_repo() -> TestRepo {
    let mut repo = TestRepo::new()
        .file(
            "Cargo.toml",
            "[workspace]\nresolver = \"2\"\nmembers = [\"crates/*\"]\n",
        )
        .cargo_crate("crates/core", "1.0.0", "")
        .cargo_crate(
            "crates/cli",
            "1.0.0",
            "[dependencies]\ncore = { path = \"../core\", version = \"1.0.0\" }\n",
        )
        .cargo_crate("crates/extra", "0.3.0", "")
        .file(
            "package.json",
            r#"{ "private": true, "workspaces": ["js/*"] }"#,
        )
        .file(
            "js/web/package.json",
            "{\n  \"name\": \"web\",\n  \"version\": \"2.0.0\",\n  \"dependencies\": { \"ui\": \"^2.0.0\" }\n}\n",
        )
        .file(
            "js/ui/package.json",
            "{\n  \"name\": \"ui\",\n  \"version\": \"2.0.0\"\n}\n",
        )
        .file(
            "js/docs/package.json",
            "{\n  \"name\": \"docs\",\n  \"version\": \"0.1.0\"\n}\n",
        )
        .file(
            "py/tool/pyproject.toml",
            "[project]\nname = \"tool\"\nversion = \"1.0.0\"\n",
        )
        .file("deploy/version.txt", "VERSION=1.0.0\n")
        .file(
            "relflow.toml",
            "[[sync]]\npackage = \"cli\"\nfile = \"deploy/version.txt\"\nregex = 'VERSION=(?<version>\\S+)'\n",
        )
        .file(".changeset/config.json", "{}\n")
        .file(
            ".changeset/red-cats-run.md",
            "---\n\"core\": minor\n\"ui\": patch\n---\n\nFaster core.\n",
        )
        .file(
            ".changeset/blue-dogs-sit.md",
            "---\n\"cli\": patch\n\"tool\": minor\n---\n\nA new flag.\n",
        )
        .file(
            ".changeset/green-owls-fly.md",
            "---\n\"web\": major\n\"extra\": patch\n---\n\nA new page.\n",
        );
    let status = Command::new(env!("CARGO"))
        .args(["generate-lockfile", "--offline"])
        .current_dir(repo.root())
        .status()
        .expect("run cargo generate-lockfile");
    assert!(status.success());
    repo = repo.commit("initial");
    repo
}

/// strace: `RELFLOW_STRACE`, else from PATH. Its absence fails the test (`cargo xtask test`
/// installs it): a fault-injection test that skips proves nothing.
fn strace() -> PathBuf {
    if let Some(path) = std::env::var_os("RELFLOW_STRACE") {
        return PathBuf::from(path);
    }
    let found = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join("strace"))
            .find(|p| p.is_file())
    });
    found
        .expect("strace is missing: install it (`apt-get install strace`; `cargo xtask test` does)")
}

/// `version` run under strace with `strace_args`: its exit code and stderr.
fn traced_version(repo: &TestRepo, strace_args: &[String]) -> (i32, String) {
    let output = repo
        .isolated(Command::new(strace()))
        .args(["-qq", "-o", "/dev/null"])
        .args(strace_args)
        .arg(relflow_tests::relflow_bin())
        .args(["relflow", "version"])
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .output()
        .expect("run strace");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// How many times `version` calls each of `syscalls` (main thread), from a trace of a clean run.
fn count_calls(repo: &TestRepo, syscalls: &[&str]) -> BTreeMap<String, usize> {
    let log = repo.temp_dir().join("strace.log");
    let output = repo
        .isolated(Command::new(strace()))
        .arg("-qq")
        .arg("-o")
        .arg(&log)
        .arg(format!("-etrace={}", syscalls.join(",")))
        .arg(relflow_tests::relflow_bin())
        .args(["relflow", "version"])
        .output()
        .expect("run strace");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let trace = std::fs::read_to_string(&log).expect("strace log");
    syscalls
        .iter()
        .map(|s| {
            let calls = trace
                .lines()
                .filter(|l| l.starts_with(&format!("{s}(")))
                .count();
            ((*s).to_owned(), calls)
        })
        .collect()
}

/// How many of the opens in the trace [`count_calls`] left come first from the dynamic loader
/// (its cache and the shared libraries it looks for, along `LD_LIBRARY_PATH` too).
fn loader_opens(repo: &TestRepo) -> usize {
    let trace = std::fs::read_to_string(repo.temp_dir().join("strace.log")).expect("strace log");
    trace
        .lines()
        .filter(|l| l.starts_with("openat("))
        .take_while(|l| l.contains(".so"))
        .count()
}

/// Puts the repository back to its committed state (and drops any lock or journal file).
fn reset(repo: &TestRepo) {
    repo.git(["reset", "--quiet", "--hard"]);
    repo.git(["clean", "--quiet", "-fd"]);
    for name in ["relflow-txn", "relflow-txn.tmp", "relflow.lock"] {
        let _ = std::fs::remove_file(repo.root().join(".git").join(name));
    }
}

type Tree = BTreeMap<Utf8PathBuf, Vec<u8>>;

/// Which whole tree `repo` is: "old" or "new"; panics with the difference when it is neither.
fn whole_tree(repo: &TestRepo, old: &Tree, new: &Tree, case: &str) -> &'static str {
    let tree = repo.snapshot_tree();
    assert!(
        !repo.root().join(".git/relflow-txn").exists(),
        "{case}: the journal is still there"
    );
    if tree == *old {
        return "old";
    }
    if tree == *new {
        return "new";
    }
    let differs: Vec<_> = tree
        .keys()
        .chain(old.keys())
        .filter(|k| tree.get(*k) != old.get(*k))
        .collect();
    let from_new: Vec<_> = tree
        .keys()
        .chain(new.keys())
        .filter(|k| tree.get(*k) != new.get(*k))
        .collect();
    panic!("{case}: a partial tree: differs from the old one in {differs:?}, from the new one in {from_new:?}");
}

#[derive(Debug, Default)]
struct Figures {
    cases: usize,
    killed: usize,
    old: usize,
    new: usize,
}

#[test]
fn killed_or_interrupted_at_every_rename_and_write_the_next_command_restores_a_whole_tree() {
    let repo = generated_repo();
    let old = repo.snapshot_tree();
    let clean = repo.relflow(["version"]);
    clean.assert_code(0);
    let new = repo.snapshot_tree();
    assert!(repo.changeset_files().is_empty());
    reset(&repo);
    let calls = count_calls(&repo, &["rename", "write", "unlink"]);
    reset(&repo);
    // Each file written in place is a write (the journal's rename is the one rename).
    assert!(calls["write"] >= 10, "{calls:?}");
    let mut figures = Figures::default();
    let mut run_case = |syscall: &str, signal: &str, n: usize| {
        let case = format!("{signal} at {syscall} #{n}");
        let (code, stderr) = traced_version(
            &repo,
            &[
                format!("-etrace={syscall}"),
                format!("-einject={syscall}:signal={signal}:when={n}"),
            ],
        );
        figures.cases += 1;
        if code != 0 {
            figures.killed += 1;
        }
        if signal != "SIGKILL" && code > 0 {
            // During a commit the signal is handled: rolled back, and it says so (outside one
            // it takes its default action, code -1, before any file is touched).
            assert!(
                stderr.contains("interrupted by"),
                "{case}: exit {code}\n{stderr}"
            );
        }
        // The next command, whatever it is, finishes or rolls back first.
        let next = repo.relflow(["changeset", "status"]);
        assert!(next.code == 0 || next.code == 1, "{case}: {}", next.stderr);
        match whole_tree(&repo, &old, &new, &case) {
            "old" => {
                figures.old += 1;
                assert_eq!(repo.changeset_files().len(), 3, "{case}");
            }
            _ => figures.new += 1,
        }
        reset(&repo);
    };
    for n in 1..=calls["rename"] {
        run_case("rename", "SIGKILL", n);
        run_case("rename", "SIGINT", n);
    }
    for n in 1..=calls["write"] {
        run_case("write", "SIGKILL", n);
        run_case("write", "SIGTERM", n);
    }
    for n in 1..=calls["unlink"] {
        run_case("unlink", "SIGKILL", n);
    }
    eprintln!("fault injection: {calls:?} calls, {figures:?}, 0 partial trees");
    assert!(
        figures.killed > 0 && figures.old > 0 && figures.new > 0,
        "{figures:?}"
    );
}

#[test]
fn a_failing_rollback_keeps_everything_recoverable_and_says_where() {
    let repo = generated_repo();
    let old = repo.snapshot_tree();
    repo.relflow(["version"]).assert_code(0);
    let new = repo.snapshot_tree();
    reset(&repo);
    let calls = count_calls(&repo, &["openat"]);
    let loading = loader_opens(&repo);
    reset(&repo);
    let (mut stranded, mut failed, mut outside) = (0, 0, 0);
    // Every file open fails from the n-th on, for the last opens of the run (the commit's: the
    // originals read, the files written): the commit fails and, once it has begun writing, so
    // does its rollback. The dynamic loader's opens (of shared libraries) come first and are
    // left alone.
    for n in calls["openat"].saturating_sub(60).max(loading + 1)..=calls["openat"] {
        let case = format!("EIO from openat #{n}");
        let (code, stderr) = traced_version(
            &repo,
            &[
                "-etrace=openat".to_owned(),
                format!("-einject=openat:error=EIO:when={n}+"),
            ],
        );
        // Before the commit: the lock file could not be opened, or the check for an
        // interrupted run's journal could not read it.
        let at_start = stderr.contains("an interrupted relflow run left")
            || stderr.contains("cannot open the lock file");
        if code != 3 || at_start {
            // Exit 0: only opens after the commit's failed; exit 2: a file could not be read
            // before the commit began.
            assert!(
                code == 0 || code == 2 || at_start,
                "{case}: exit {code}\n{stderr}"
            );
            let expected = if code == 0 { "new" } else { "old" };
            assert_eq!(whole_tree(&repo, &old, &new, &case), expected);
            outside += 1;
            reset(&repo);
            continue;
        }
        let left_journal = stderr.contains("restoring the previous files failed too");
        if left_journal {
            stranded += 1;
            assert!(stderr.contains(".git/relflow-txn"), "{case}\n{stderr}");
            assert!(
                stderr.contains("holds the original of every file of the release"),
                "{case}\n{stderr}"
            );
            assert!(
                stderr.contains("The next relflow command in this repository restores them"),
                "{case}\n{stderr}"
            );
        } else {
            failed += 1;
            assert!(stderr.contains("no file was changed"), "{case}\n{stderr}");
        }
        let next = repo.relflow(["changeset", "status"]);
        next.assert_code(0);
        if left_journal {
            assert!(
                next.stderr.contains("rolled back"),
                "{case}: {}",
                next.stderr
            );
        }
        assert_eq!(whole_tree(&repo, &old, &old, &case), "old");
        assert_eq!(repo.changeset_files().len(), 3, "{case}");
        reset(&repo);
    }
    eprintln!(
        "failing opens: {stranded} left a journal (all restored), {failed} failed cleanly, \
         {outside} outside the commit"
    );
    assert!(stranded > 0 && failed > 0);
}

#[test]
fn concurrent_versions_release_once_and_the_others_wait_or_find_nothing() {
    let repo = generated_repo();
    repo.relflow(["version"]).assert_code(0);
    let expected = repo.snapshot_tree();
    reset(&repo);
    for round in 0..3 {
        let children: Vec<_> = (0..6)
            .map(|_| {
                repo.relflow_command(["version"])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("spawn version")
            })
            .collect();
        let mut codes = Vec::new();
        for child in children {
            let output = child.wait_with_output().expect("wait");
            let code = output.status.code().unwrap_or(-1);
            let stderr = String::from_utf8_lossy(&output.stderr);
            match code {
                0 | 1 => {}
                2 => assert!(
                    stderr.contains("another relflow run (pid "),
                    "round {round}: {stderr}"
                ),
                _ => panic!("round {round}: exit {code}: {stderr}"),
            }
            codes.push(code);
        }
        assert_eq!(
            codes.iter().filter(|c| **c == 0).count(),
            1,
            "round {round}: {codes:?}"
        );
        assert_eq!(repo.snapshot_tree(), expected, "round {round}: {codes:?}");
        reset(&repo);
    }
}

#[test]
fn a_held_lock_makes_writing_commands_exit_2_naming_the_holder() {
    use fs4::FileExt;
    use std::io::Write;
    let repo = generated_repo();
    let before = repo.snapshot_tree();
    let mut lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .open(repo.root().join(".git/relflow.lock"))
        .expect("open lock");
    FileExt::try_lock(&lock).expect("lock");
    write!(lock, "4321").expect("write pid");
    for args in [
        &["version"][..],
        &["sync"],
        &["changeset", "add", "-p", "core:patch", "-m", "x"],
        &["publish", "--offline", "--no-push"],
    ] {
        let run = repo.relflow(args);
        run.assert_code(2);
        assert!(
            run.stderr.contains("another relflow run (pid 4321)")
                && run.stderr.contains(".git/relflow.lock"),
            "{args:?}: {}",
            run.stderr
        );
    }
    // Reading commands do not wait.
    repo.relflow(["changeset", "status"]).assert_code(0);
    assert_eq!(repo.snapshot_tree(), before);
    FileExt::unlock(&lock).expect("unlock");
    repo.relflow(["changeset", "add", "-p", "core:patch", "-m", "x"])
        .assert_code(0);
}

/// An npm workspace of `count` packages, each named by one changeset: a commit of 3 x `count`
/// files, enough for the transaction to stage, remove and clean up on several threads.
fn large_repo(count: usize) -> TestRepo {
    let mut repo = TestRepo::new().file(
        "package.json",
        r#"{ "private": true, "workspaces": ["js/*"] }"#,
    );
    repo = repo.file(".changeset/config.json", "{}\n");
    for n in 0..count {
        repo = repo
            .file(
                &format!("js/p{n}/package.json"),
                &format!("{{\n  \"name\": \"p{n}\",\n  \"version\": \"1.0.0\"\n}}\n"),
            )
            .file(
                &format!(".changeset/c{n}.md"),
                &format!("---\n\"p{n}\": minor\n---\n\nA change to p{n}.\n"),
            );
    }
    repo.commit("initial")
}

#[test]
fn a_large_commit_on_many_threads_killed_anywhere_is_restored_whole() {
    let repo = large_repo(40);
    let old = repo.snapshot_tree();
    repo.relflow(["version"]).assert_code(0);
    let new = repo.snapshot_tree();
    reset(&repo);
    let mut outcomes = BTreeMap::new();
    // `-f`: the worker threads' system calls are traced and faulted too.
    for (syscall, n) in [
        ("write", 1),
        ("write", 30),
        ("write", 70),
        ("rename", 1),
        ("openat", 1),
        ("unlink", 1),
        ("unlink", 30),
        ("unlink", 70),
        ("syncfs", 1),
        ("syncfs", 2),
    ] {
        let case = format!("SIGKILL at {syscall} #{n}");
        let (code, _) = traced_version(
            &repo,
            &[
                "-f".to_owned(),
                format!("-etrace={syscall}"),
                format!("-einject={syscall}:signal=SIGKILL:when={n}"),
            ],
        );
        let next = repo.relflow(["changeset", "status"]);
        assert!(next.code == 0 || next.code == 1, "{case}: {}", next.stderr);
        let whole = whole_tree(&repo, &old, &new, &case);
        if whole == "old" {
            assert_eq!(repo.changeset_files().len(), 40, "{case}");
        }
        *outcomes.entry((whole, code == 0)).or_insert(0) += 1;
        reset(&repo);
    }
    eprintln!("large commit, killed on worker threads: {outcomes:?} (tree, run finished)");
    assert!(
        outcomes
            .keys()
            .any(|(whole, finished)| *whole == "old" && !finished),
        "no kill landed inside the commit: {outcomes:?}"
    );
}
