//! `cargo relflow release-pr` against the test forge server (`relflow_tests::forge`) with a
//! local bare repository as `origin`: the pushed branch, the pull request's title and body, the
//! same pull request on re-runs, no changesets, `--dry-run`, a missing token, error statuses.

use relflow_tests::forge::{ForgeServer, Kind};
use relflow_tests::{Run, TestRepo};

const TOKEN: &str = "forge-token-release-pr-51d0";

/// An npm workspace with `web` 1.0.0 and a pending minor changeset, `[forge]` pointing at
/// `server`, and a bare `origin` that has `main`.
fn repo_with_changeset(server: &ForgeServer) -> (TestRepo, tempfile::TempDir) {
    let repo = TestRepo::new()
        .file(
            "package.json",
            r#"{ "private": true, "workspaces": ["js/*"] }"#,
        )
        .file(
            "js/web/package.json",
            "{\n  \"name\": \"web\",\n  \"version\": \"1.0.0\"\n}\n",
        )
        .file("relflow.toml", &server.config_toml())
        .file(".changeset/README.md", "# Changesets\n")
        .file(
            ".changeset/dark-mode.md",
            "---\n\"web\": minor\n---\n\nDark mode\n",
        )
        .commit("initial");
    let origin = tempfile::Builder::new()
        .prefix("relflow-origin-")
        .tempdir()
        .expect("origin dir");
    let path = origin.path().to_str().expect("UTF-8").to_owned();
    repo.git(["init", "--quiet", "--bare", path.as_str()]);
    repo.git(["remote", "add", "origin", path.as_str()]);
    repo.git(["push", "--quiet", "origin", "main"]);
    (repo, origin)
}

fn release_pr(repo: &TestRepo, server: &ForgeServer, token: Option<&str>, args: &[&str]) -> Run {
    server.run_with_token(
        repo.relflow_command(["release-pr"].iter().chain(args)),
        token,
    )
}

fn origin_git(origin: &tempfile::TempDir, args: &[&str]) -> String {
    let output = std::process::Command::new("git")
        .arg("--git-dir")
        .arg(origin.path())
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn opens_one_pull_request_and_updates_it_on_every_forge() {
    for kind in Kind::ALL {
        let server = ForgeServer::start(kind, "acme/widgets", TOKEN);
        let (repo, origin) = repo_with_changeset(&server);
        let before = repo.snapshot_tree();
        let run = release_pr(&repo, &server, Some(TOKEN), &[]);
        run.assert_code(0);
        assert!(!run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN));
        // The user's checkout is as it was, still on main.
        assert_eq!(repo.snapshot_tree(), before, "{kind:?}");
        assert_eq!(repo.git(["branch", "--show-current"]).trim(), "main");

        // The release branch on origin: one commit on main with the new version and changelog.
        let message = origin_git(&origin, &["log", "-1", "--format=%s", "relflow/release"]);
        assert_eq!(message.trim(), "chore: release versions", "{kind:?}");
        let parent = origin_git(&origin, &["rev-parse", "relflow/release^"]);
        assert_eq!(parent, origin_git(&origin, &["rev-parse", "main"]));
        let manifest = origin_git(&origin, &["show", "relflow/release:js/web/package.json"]);
        assert!(manifest.contains("\"version\": \"1.1.0\""), "{manifest}");
        let changelog = origin_git(&origin, &["show", "relflow/release:js/web/CHANGELOG.md"]);
        assert!(
            changelog.contains("## 1.1.0") && changelog.contains("Dark mode"),
            "{changelog}"
        );
        let files = origin_git(
            &origin,
            &["ls-tree", "-r", "--name-only", "relflow/release"],
        );
        assert!(
            !files.contains(".changeset/dark-mode.md"),
            "consumed: {files}"
        );

        let pulls = server.pulls();
        assert_eq!(pulls.len(), 1, "{kind:?}");
        assert_eq!(pulls[0].head, "relflow/release");
        assert_eq!(pulls[0].base, "main");
        assert_eq!(pulls[0].title, "chore: release versions");
        let body = &pulls[0].body;
        assert!(
            body.contains("| Package | Ecosystem | Version | Bump | Why |"),
            "{body}"
        );
        assert!(
            body.contains("| `web` | npm | 1.0.0 → 1.1.0 | minor |"),
            "{body}"
        );
        assert!(
            body.contains("## web@1.1.0\n\n### Minor Changes\n\n"),
            "{body}"
        );
        assert!(body.contains("Dark mode"), "{body}");
        let created = server.requests_to(
            "POST",
            if kind == Kind::GitLab {
                "/merge_requests"
            } else {
                "/pulls"
            },
        );
        assert_eq!(created.len(), 1);
        let sent = created[0].json();
        let sent_body = if kind == Kind::GitLab {
            &sent["description"]
        } else {
            &sent["body"]
        };
        assert_eq!(sent_body.as_str(), Some(body.as_str()));

        // A re-run with nothing new: the same pull request, nothing pushed or written.
        server.clear_requests();
        let again = release_pr(&repo, &server, Some(TOKEN), &["--format", "json"]);
        again.assert_code(0);
        let json: serde_json::Value = serde_json::from_str(&again.stdout).unwrap();
        assert_eq!(json["pull_request"]["action"], "unchanged", "{json}");
        assert_eq!(json["pull_request"]["number"], 1);
        assert_eq!(json["pushed"], false);
        assert!(
            server.requests().iter().all(|r| r.method == "GET"),
            "{kind:?}"
        );

        // A new changeset on main: the branch is reset and the same pull request updated.
        repo.write(".changeset/fix.md", "---\n\"web\": patch\n---\n\nA fix\n");
        repo.commit_all("fix");
        repo.git(["push", "--quiet", "origin", "main"]);
        let third = release_pr(&repo, &server, Some(TOKEN), &["--format", "json"]);
        third.assert_code(0);
        let json: serde_json::Value = serde_json::from_str(&third.stdout).unwrap();
        assert_eq!(json["pull_request"]["action"], "updated", "{json}");
        assert_eq!(json["pushed"], true);
        assert_eq!(server.pulls().len(), 1);
        assert!(server.pulls()[0].body.contains("A fix"));
        let parent = origin_git(&origin, &["rev-parse", "relflow/release^"]);
        assert_eq!(
            parent,
            origin_git(&origin, &["rev-parse", "main"]),
            "reset from main"
        );
        let count = origin_git(&origin, &["rev-list", "--count", "main..relflow/release"]);
        assert_eq!(count.trim(), "1");
    }
}

#[test]
fn dry_run_prints_the_branch_message_and_body_and_pushes_nothing() {
    let server = ForgeServer::start(Kind::GitHub, "acme/widgets", TOKEN);
    let (repo, origin) = repo_with_changeset(&server);
    repo.write(
        "relflow.toml",
        &format!(
            "{}\n[release_pr]\ncommit_message = \"chore(release): version packages\"\n",
            server.config_toml()
        ),
    );
    repo.commit_all("message");
    let run = release_pr(
        &repo,
        &server,
        None,
        &["--dry-run", "--branch", "release/next"],
    );
    run.assert_code(0);
    assert!(
        run.stdout
            .starts_with("branch: release/next (from main at "),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("commit message: chore(release): version packages\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("--- pull request body\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("| `web` | npm | 1.0.0 → 1.1.0 | minor |"),
        "{}",
        run.stdout
    );
    assert!(server.requests().is_empty());
    assert_eq!(
        origin_git(&origin, &["branch", "--list", "release/next"]),
        ""
    );
    assert_eq!(
        repo.git(["worktree", "list"]).lines().count(),
        1,
        "worktree removed"
    );
}

#[test]
fn no_changesets_exits_0_and_closes_nothing() {
    let server = ForgeServer::start(Kind::Gitea, "acme/widgets", TOKEN);
    let (repo, _origin) = repo_with_changeset(&server);
    server.add_pull(
        "relflow/release",
        "main",
        "chore: release versions",
        "relflow-bot",
    );
    repo.git(["rm", "--quiet", ".changeset/dark-mode.md"]);
    repo.commit_all("released");
    let run = release_pr(&repo, &server, Some(TOKEN), &[]);
    run.assert_code(0);
    assert!(
        run.stderr.contains("No unreleased changesets found"),
        "{}",
        run.stderr
    );
    assert!(server.requests().iter().all(|r| r.method == "GET"));
    assert_eq!(server.pulls()[0].state, "open");
}

#[test]
fn a_missing_token_is_exit_2_naming_the_variable() {
    for kind in Kind::ALL {
        let server = ForgeServer::start(kind, "acme/widgets", TOKEN);
        let (repo, origin) = repo_with_changeset(&server);
        let run = release_pr(&repo, &server, None, &[]);
        run.assert_code(2);
        assert!(
            run.stderr
                .contains(&format!("`{}` is not set", kind.token_variable())),
            "{}",
            run.stderr
        );
        assert_eq!(
            origin_git(&origin, &["branch", "--list", "relflow/release"]),
            ""
        );
    }
}

#[test]
fn forge_errors_exit_3_and_a_rerun_finishes() {
    for status in [401, 403, 404, 422, 500, 503] {
        let server = ForgeServer::start(Kind::GitLab, "acme/widgets", TOKEN);
        let (repo, _origin) = repo_with_changeset(&server);
        server.fail("POST", "/merge_requests", status, 1);
        let run = release_pr(&repo, &server, Some(TOKEN), &[]);
        run.assert_code(3);
        assert!(
            run.stderr.contains(&format!("HTTP {status}")),
            "{status}: {}",
            run.stderr
        );
        assert!(!run.stderr.contains(TOKEN));
        assert!(server.pulls().is_empty());
        release_pr(&repo, &server, Some(TOKEN), &[]).assert_code(0);
        assert_eq!(server.pulls().len(), 1, "{status}");
    }
}

#[test]
fn a_base_that_does_not_exist_and_an_unknown_forge_are_exit_2() {
    let server = ForgeServer::start(Kind::GitHub, "acme/widgets", TOKEN);
    let (repo, _origin) = repo_with_changeset(&server);
    let run = release_pr(&repo, &server, Some(TOKEN), &["--base", "trunk"]);
    run.assert_code(2);
    assert!(
        run.stderr
            .contains("the base branch `trunk` does not exist"),
        "{}",
        run.stderr
    );

    repo.write("relflow.toml", "");
    repo.commit_all("no forge");
    let run = release_pr(&repo, &server, Some(TOKEN), &[]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("`origin` is a local path, not a forge"),
        "{}",
        run.stderr
    );
}
