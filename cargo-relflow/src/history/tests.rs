//! History read with gix against the same questions asked of the real `git` CLI, on repositories
//! built in temporary directories (isolated from the user's git configuration).

use std::cell::Cell;
use std::collections::HashMap;
use std::process::Command;

use camino::{Utf8Path, Utf8PathBuf};

use super::{changeset_commits, package_commits, PackageQuery};

/// 2026-01-01T00:00:00Z.
const START: u64 = 1_767_225_600;

/// A git repository in a temporary directory whose commits are a minute apart.
struct Sandbox {
    _dir: tempfile::TempDir,
    root: Utf8PathBuf,
    clock: Cell<u64>,
}

impl Sandbox {
    fn new() -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let root = Utf8PathBuf::from_path_buf(dir.path().canonicalize().unwrap()).unwrap();
        let sandbox = Sandbox {
            _dir: dir,
            root,
            clock: Cell::new(START),
        };
        sandbox.git(["init", "--quiet", "--initial-branch=main"]);
        sandbox
    }

    fn write(&self, path: &str, text: &str) {
        let path = self.root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// Runs git in `dir` (relative to the root), with the next commit date.
    fn git_in<const N: usize>(&self, dir: &str, args: [&str; N]) -> String {
        let date = format!("{} +0000", self.clock.get());
        let output = crate::test_git::isolated_git(&self.root.join(dir))
            .args(args)
            .env("HOME", self.root.as_str())
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    fn git<const N: usize>(&self, args: [&str; N]) -> String {
        self.git_in("", args)
    }

    /// Commits everything; returns the sha.
    fn commit(&self, message: &str) -> String {
        self.clock.set(self.clock.get() + 60);
        self.git(["add", "-A"]);
        self.git(["commit", "--quiet", "--allow-empty", "-m", message]);
        self.git(["rev-parse", "HEAD"]).trim().to_owned()
    }

    /// Merges `branch` with a merge commit.
    fn merge(&self, branch: &str) {
        self.clock.set(self.clock.get() + 60);
        let message = format!("merge {branch}");
        self.git(["merge", "--quiet", "--no-ff", "-m", &message, branch]);
    }

    /// Sets the date of the next commit to `offset` seconds after [`START`].
    fn next_date(&self, offset: u64) {
        self.clock.set(START + offset - 60);
    }
}

/// What Changesets asks git for each id, run in `dir`.
fn git_adding_commits(sandbox: &Sandbox, dir: &str, ids: &[String]) -> HashMap<String, String> {
    ids.iter()
        .filter_map(|id| {
            let path = format!(".changeset/{id}.md");
            let sha = sandbox.git_in(
                dir,
                [
                    "log",
                    "--diff-filter=AC",
                    "--follow",
                    "--max-count=1",
                    "--format=%H",
                    "--",
                    &path,
                ],
            );
            let sha = sha.trim();
            (!sha.is_empty()).then(|| (id.clone(), sha.to_owned()))
        })
        .collect()
}

#[test]
fn changeset_commits_are_those_git_log_follow_finds() {
    let repo = Sandbox::new();
    repo.write("package.json", "{}\n");
    repo.commit("init");
    repo.write(".changeset/one.md", "---\n\"a\": patch\n---\n\nOne\n");
    repo.commit("add one");
    repo.git(["checkout", "--quiet", "-b", "topic"]);
    repo.write(".changeset/two.md", "---\n\"a\": minor\n---\n\nTwo\n");
    repo.commit("add two on a branch");
    repo.git(["checkout", "--quiet", "main"]);
    repo.write(".changeset/three.md", "---\n\"a\": patch\n---\n\nThree\n");
    repo.commit("add three");
    repo.merge("topic");
    // Changesets v3 moves versioned changesets to `.changeset/pre/` in pre mode.
    std::fs::create_dir_all(repo.root.join(".changeset/pre")).unwrap();
    repo.git(["mv", ".changeset/one.md", ".changeset/pre/one.md"]);
    repo.commit("version packages (pre)");
    std::fs::remove_file(repo.root.join(".changeset/three.md")).unwrap();
    repo.commit("drop three");
    repo.write(
        ".changeset/three.md",
        "---\n\"a\": major\n---\n\nThree again\n",
    );
    repo.commit("add three again");
    repo.write(".changeset/four.md", "---\n---\n");
    repo.write(".changeset/five.md", "---\n---\n");
    repo.commit("two empty changesets with the same text");
    repo.git(["mv", ".changeset/four.md", ".changeset/pre/four.md"]);
    repo.commit("move four");
    repo.write(".changeset/six.md", "---\n---\n\nnot committed\n");
    repo.write(".changeset/seven.md", "---\n---\n\nstaged\n");
    repo.git(["add", ".changeset/seven.md"]);

    let ids: Vec<String> = [
        "two", "three", "pre/one", "pre/four", "five", "six", "seven", "one", "missing",
    ]
    .map(str::to_owned)
    .to_vec();
    let ours = changeset_commits(&repo.root, &ids).unwrap();
    let theirs = git_adding_commits(&repo, "", &ids);
    assert_eq!(ours, theirs);
    // The cases above are all there: renamed ones point at their first commit, the uncommitted
    // ones have none.
    assert_eq!(ours.len(), 6, "{ours:?}");
    assert_eq!(ours["pre/one"], ours["one"]);
    assert!(!ours.contains_key("six") && !ours.contains_key("seven"));
}

#[test]
fn a_long_history_read_in_parallel_batches_finds_what_git_finds() {
    // Enough commits for the batches of [`changeset_commits`] to grow past the size diffed on
    // several threads, with a rename and merges among them.
    let repo = Sandbox::new();
    repo.write("package.json", "{}\n");
    repo.commit("init");
    let mut ids = Vec::new();
    for n in 0..150 {
        let id = format!("cs-{n:03}");
        repo.write(
            &format!(".changeset/{id}.md"),
            &format!("---\n---\n\n{n}\n"),
        );
        if n % 7 == 0 {
            repo.write(&format!("src/f{n}.txt"), "x");
        }
        repo.commit(&format!("add {id}"));
        if n == 40 {
            std::fs::create_dir_all(repo.root.join(".changeset/pre")).unwrap();
            repo.git(["mv", ".changeset/cs-005.md", ".changeset/pre/cs-005.md"]);
            repo.commit("move cs-005");
        }
        if n % 50 == 25 {
            repo.git(["checkout", "--quiet", "-b", &format!("side-{n}")]);
            repo.write(&format!(".changeset/side-{n}.md"), "---\n---\n\nside\n");
            repo.commit("on a side branch");
            repo.git(["checkout", "--quiet", "main"]);
            repo.merge(&format!("side-{n}"));
            ids.push(format!("side-{n}"));
        }
        ids.push(id);
    }
    ids.push("pre/cs-005".to_owned());
    let ours = changeset_commits(&repo.root, &ids).unwrap();
    let theirs = git_adding_commits(&repo, "", &ids);
    assert_eq!(ours.len(), ids.len(), "every one was committed");
    assert_eq!(ours["pre/cs-005"], ours["cs-005"]);
    assert_eq!(ours, theirs);
}

#[test]
fn a_root_below_the_work_tree_reads_its_own_paths() {
    let repo = Sandbox::new();
    repo.write("other/.changeset/x.md", "---\n---\n\nOther\n");
    repo.commit("another project");
    repo.write("js/.changeset/x.md", "---\n---\n\nMine\n");
    repo.write("js/packages/a/index.js", "1\n");
    let added = repo.commit("add x");
    repo.write("js/packages/a/index.js", "2\n");
    let changed = repo.commit("fix: a");
    repo.write("other/packages/a/index.js", "2\n");
    repo.commit("fix: the other a");

    let root = repo.root.join("js");
    let ids = vec!["x".to_owned()];
    let ours = changeset_commits(&root, &ids).unwrap();
    assert_eq!(ours, git_adding_commits(&repo, "js", &ids));
    assert_eq!(ours["x"], added);

    let dir = Utf8Path::new("packages/a");
    let found = package_commits(
        &root,
        &[PackageQuery {
            dir,
            since_tag: None,
        }],
        &[dir],
    )
    .unwrap();
    let shas: Vec<&str> = found[0].iter().map(|(sha, _)| sha.as_str()).collect();
    assert_eq!(shas, [changed.as_str(), added.as_str()]);
}

/// `git log --date-order --full-history --no-merges --format=%H <range> -- <dir>
/// :(exclude)<nested>...`.
fn git_package_commits(repo: &Sandbox, range: &str, dir: &str, nested: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = [
        "log",
        "--date-order",
        "--full-history",
        "--no-merges",
        "--format=%H",
        range,
        "--",
        if dir.is_empty() { "." } else { dir },
    ]
    .map(str::to_owned)
    .to_vec();
    args.extend(nested.iter().map(|n| format!(":(exclude){n}")));
    let output = crate::test_git::isolated_git(&repo.root)
        .args(&args)
        .output()
        .unwrap();
    assert!(output.status.success());
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn package_commits_are_those_git_log_lists_since_each_tag() {
    let repo = Sandbox::new();
    repo.write("README.md", "root\n");
    repo.write("packages/a/src.txt", "1\n");
    repo.write("packages/a/nested/x.txt", "1\n");
    repo.write("packages/b/file.txt", "1\n");
    let init = repo.commit("init");
    repo.git(["tag", "--annotate", "-m", "release a", "a@1.0.0"]);
    repo.git(["tag", "b@1.0.0"]);
    repo.write("packages/a/src.txt", "2\n");
    repo.commit("feat(a): two");
    repo.git(["checkout", "--quiet", "-b", "side"]);
    repo.write("packages/a/src.txt", "side\n");
    repo.commit("fix(a): on a branch that is never merged");
    repo.git(["tag", "side"]);
    repo.git(["checkout", "--quiet", "main"]);
    repo.write("packages/a/nested/x.txt", "2\n");
    repo.commit("fix(nested): only the nested package");
    repo.git(["checkout", "--quiet", "-b", "topic"]);
    repo.write("packages/b/file.txt", "2\n");
    repo.commit("feat(b): on a branch");
    repo.git(["checkout", "--quiet", "main"]);
    repo.write("README.md", "root 2\n");
    repo.commit("docs: root readme");
    repo.merge("topic");
    repo.write("packages/a/src.txt", "3\n");
    repo.write("packages/b/file.txt", "3\n");
    repo.commit("fix: a and b");
    // A commit dated before its parent: reachability must not trust dates.
    repo.next_date(10);
    repo.write("packages/b/file.txt", "4\n");
    repo.commit("fix(b): clock skew");
    repo.git(["tag", "b@1.1.0"]);
    repo.next_date(100_000);
    repo.write("packages/b/file.txt", "5\n");
    repo.commit("fix(b): after the skewed release");
    repo.commit("chore: empty");

    let dirs = ["", "packages/a", "packages/a/nested", "packages/b"].map(Utf8Path::new);
    let queries = [
        (
            0,
            None,
            "HEAD",
            vec!["packages/a", "packages/a/nested", "packages/b"],
        ),
        (
            1,
            Some("a@1.0.0"),
            "a@1.0.0..HEAD",
            vec!["packages/a/nested"],
        ),
        (1, Some("side"), "side..HEAD", vec!["packages/a/nested"]),
        (2, Some("nested@0.1.0"), "HEAD", vec![]),
        (3, Some("b@1.0.0"), "b@1.0.0..HEAD", vec![]),
        (3, Some("b@1.1.0"), "b@1.1.0..HEAD", vec![]),
    ];
    let requests: Vec<PackageQuery<'_>> = queries
        .iter()
        .map(|(dir, since_tag, _, _)| PackageQuery {
            dir: dirs[*dir],
            since_tag: *since_tag,
        })
        .collect();
    let found = package_commits(&repo.root, &requests, &dirs).unwrap();
    for ((dir, _, range, nested), ours) in queries.iter().zip(&found) {
        let shas: Vec<String> = ours.iter().map(|(sha, _)| sha.clone()).collect();
        let theirs = git_package_commits(&repo, range, dirs[*dir].as_str(), nested);
        assert_eq!(shas, theirs, "{} since {range}", dirs[*dir]);
    }
    // The root owns README.md, not the packages' files; the whole history is listed.
    let root_messages: Vec<&str> = found[0].iter().map(|(_, m)| m.as_str()).collect();
    assert_eq!(root_messages, ["docs: root readme\n", "init\n"]);
    assert_eq!(found[0][1].0, init);
    // The skewed release: only the commit after it.
    assert_eq!(found[5].len(), 1);
    assert_eq!(found[5][0].1, "fix(b): after the skewed release\n");
}

#[test]
fn a_repository_without_commits_has_no_history() {
    let repo = Sandbox::new();
    repo.write(".changeset/x.md", "---\n---\n");
    let ids = vec!["x".to_owned()];
    assert!(changeset_commits(&repo.root, &ids).unwrap().is_empty());
    let query = PackageQuery {
        dir: Utf8Path::new(""),
        since_tag: Some("v1.0.0"),
    };
    assert_eq!(
        package_commits(&repo.root, &[query], &[]).unwrap(),
        vec![Vec::<(String, String)>::new()]
    );
}

#[test]
fn broken_repositories_are_errors() {
    let outside = tempfile::tempdir().unwrap();
    let outside = Utf8Path::from_path(outside.path()).unwrap();
    assert!(changeset_commits(outside, &["x".to_owned()]).is_err());

    let repo = Sandbox::new();
    repo.write("a.txt", "1\n");
    let first = repo.commit("first");
    repo.write(".changeset/x.md", "---\n---\n");
    repo.commit("second");
    let blob = repo.git(["rev-parse", "HEAD:a.txt"]);
    repo.git(["tag", "not-a-commit", blob.trim()]);
    let query = |tag| PackageQuery {
        dir: Utf8Path::new(""),
        since_tag: Some(tag),
    };
    let error = package_commits(&repo.root, &[query("not-a-commit")], &[]).unwrap_err();
    assert!(
        error.to_string().contains("does not point to a commit"),
        "{error:#}"
    );
    // A lost object: the first commit's.
    let object = repo
        .root
        .join(".git/objects")
        .join(&first[..2])
        .join(&first[2..]);
    std::fs::remove_file(object).unwrap();
    assert!(changeset_commits(&repo.root, &["x".to_owned(), "y".to_owned()]).is_err());
    assert!(package_commits(&repo.root, &[query("missing")], &[]).is_err());
}

/// Node 22 and the Changesets CLI that `cargo xtask test` installs, `None` outside it (an error
/// on CI).
fn changesets_cli() -> Option<(String, String)> {
    match (
        std::env::var("RELFLOW_NODE"),
        std::env::var("RELFLOW_CHANGESETS_CLI"),
    ) {
        (Ok(node), Ok(cli)) => Some((node, cli)),
        _ => {
            assert!(
                std::env::var_os("CI").is_none(),
                "RELFLOW_NODE and RELFLOW_CHANGESETS_CLI are unset: run the suite with `cargo xtask test`"
            );
            eprintln!("skipped: run through `cargo xtask test`, which installs @changesets/cli");
            None
        }
    }
}

/// The whole chain on a real repository: packages and changesets read from disk, the plan, the
/// commits read with gix, the entries and their insertion give the CHANGELOG.md files the real
/// `changeset version` (3.0.3) writes.
#[test]
fn changelogs_equal_what_changesets_writes() {
    use cargo_relflow_changeset::changelog::{entries, insert};
    use cargo_relflow_changeset::plan::plan;

    let Some((node, cli)) = changesets_cli() else {
        return;
    };
    let repo = Sandbox::new();
    repo.write(
        "package.json",
        "{ \"name\": \"root\", \"private\": true, \"workspaces\": [\"packages/*\"] }\n",
    );
    repo.write("package-lock.json", "{}\n");
    repo.write(".changeset/config.json", "{}\n");
    repo.write(
        "packages/app/package.json",
        "{ \"name\": \"app\", \"version\": \"1.0.0\", \"dependencies\": { \"core\": \"^1.0.0\", \"ui\": \"workspace:*\" } }\n",
    );
    repo.write(
        "packages/ui/package.json",
        "{ \"name\": \"ui\", \"version\": \"0.3.0\", \"peerDependencies\": { \"core\": \"^1.0.0\" } }\n",
    );
    repo.write(
        "packages/core/package.json",
        "{ \"name\": \"core\", \"version\": \"1.0.0\" }\n",
    );
    repo.write(
        "packages/core/CHANGELOG.md",
        "# core\n\n## 1.0.0\n\n### Major Changes\n\n- abcdef1: First release\n",
    );
    repo.commit("init");
    repo.write(
        ".changeset/brave-owls-sing.md",
        "---\n\"core\": minor\n---\n\nAdd the parser\n\nWith details.\n",
    );
    repo.commit("add a changeset");
    repo.git(["checkout", "--quiet", "-b", "topic"]);
    repo.write(
        ".changeset/quiet-cats-run.md",
        "---\n\"ui\": major\n\"core\": patch\n---\n\nRework the theme\n",
    );
    repo.commit("a changeset on a branch");
    repo.git(["checkout", "--quiet", "main"]);
    repo.merge("topic");
    repo.write(
        ".changeset/zany-dogs-wait.md",
        "---\n\"app\": patch\n---\n\nNot committed yet\n",
    );

    let opened = crate::repo::Repo::open(&repo.root).unwrap();
    let changesets: Vec<_> = opened
        .read_changesets()
        .unwrap()
        .into_iter()
        .map(|file| file.changeset)
        .collect();
    let config = opened.plan_config();
    let release_plan = plan(
        opened.packages(),
        &changesets,
        &config,
        opened.pre.as_ref(),
        None,
    )
    .unwrap();
    let ids: Vec<String> = changesets.iter().map(|c| c.id.clone()).collect();
    let commits = changeset_commits(&repo.root, &ids).unwrap();
    assert_eq!(commits.len(), 2, "{commits:?}");
    let mut ours = Vec::new();
    for (index, entry) in entries(
        opened.packages(),
        &release_plan,
        &changesets,
        &commits,
        &config,
    ) {
        let package = &opened.packages()[index];
        let path = repo.root.join(&package.dir).join("CHANGELOG.md");
        let existing = std::fs::read_to_string(&path).ok();
        ours.push((path, insert(existing.as_deref(), &package.name, &entry)));
    }
    assert_eq!(ours.len(), 3);

    let output = Command::new(node)
        .args([cli.as_str(), "version"])
        .current_dir(&repo.root)
        .env("HOME", repo.root.as_str())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for (path, text) in ours {
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "{path}");
    }
}
