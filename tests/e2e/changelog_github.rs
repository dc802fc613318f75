//! `@changesets/changelog-github` (biome, astro, changesets/changesets): `version` writes its
//! format with pull requests, commits and authors from the test forge server's GitHub REST
//! endpoints on 127.0.0.1, and, offline or without a token, the default format with one note.

use relflow_tests::forge::{ForgeServer, Kind};
use relflow_tests::{Run, TestRepo};

const TOKEN: &str = "gh-token-5d1f07";
const MERGE_SHA: &str = "abcdef1234567890abcdef1234567890abcdef12";

/// Two npm packages (`a` depends on `b`) whose config.json names changelog-github, and four
/// changesets for `b`, each added in a commit of its own: the shas of those commits.
fn repo_with_changesets() -> (TestRepo, [String; 4]) {
    let repo = TestRepo::new()
        .file(
            "package.json",
            r#"{ "private": true, "workspaces": ["packages/*"] }"#,
        )
        .file(
            "packages/a/package.json",
            r#"{ "name": "a", "version": "1.0.0", "dependencies": { "b": "1.0.0" } }"#,
        )
        .file(
            "packages/b/package.json",
            r#"{ "name": "b", "version": "1.0.0" }"#,
        )
        .file(
            ".changeset/config.json",
            r#"{ "changelog": ["@changesets/changelog-github", { "repo": "acme/widgets" }] }"#,
        )
        .commit("initial");
    let changesets = [
        ("a-first", "minor", "Add widgets"),
        ("b-second", "patch", "pr: 1\n\nFix #5 again\nsecond line"),
        ("c-third", "patch", "Plain fix"),
        ("d-fourth", "patch", "author: @ghost\nThanked"),
    ];
    let shas = changesets.map(|(id, bump, summary)| {
        repo.write(
            &format!(".changeset/{id}.md"),
            &format!("---\n\"b\": {bump}\n---\n\n{summary}\n"),
        );
        repo.commit_all(id);
        repo.git(["rev-parse", "HEAD"]).trim().to_owned()
    });
    (repo, shas)
}

/// The server knows pull request #1 by octocat, merged as `MERGE_SHA`, the commits of the first
/// and fourth changesets (the first in #1, the fourth by `dev` with no pull request), and not
/// the third's.
fn server_for(shas: &[String; 4]) -> ForgeServer {
    let server = ForgeServer::start(Kind::GitHub, "acme/widgets", TOKEN);
    server.add_pull("widgets", "main", "Add widgets", "octocat");
    server.merge_pull(1, MERGE_SHA, "2026-01-02T03:04:05Z");
    server.add_commit(&shas[0], Some("committer"), &[1]);
    server.add_commit(&shas[1], Some("committer"), &[]);
    server.add_commit(&shas[3], Some("dev"), &[]);
    server
}

fn version(repo: &TestRepo, server: &ForgeServer, token: Option<&str>, args: &[&str]) -> Run {
    let mut command = repo.relflow_command(["version"].iter().chain(args));
    command
        .env("GITHUB_API_URL", server.api_url())
        .env("GITHUB_SERVER_URL", server.origin())
        .env_remove("GITHUB_REPOSITORY")
        .env_remove("CARGO_NET_OFFLINE");
    server.run_with_token(command, token)
}

#[test]
fn version_writes_changelog_githubs_links_and_thanks() {
    let (repo, shas) = repo_with_changesets();
    let server = server_for(&shas);
    let run = version(&repo, &server, Some(TOKEN), &[]);
    run.assert_code(0);
    assert!(
        !run.stderr.contains("default changelog format"),
        "{}",
        run.stderr
    );
    let o = format!("{}/acme/widgets", server.origin());
    let short = |sha: &str| sha[..7].to_owned();
    let expected_b = format!(
        "# b\n\n## 1.1.0\n\n### Minor Changes\n\n\
         - [#1]({o}/pull/1) [`{s0}`]({o}/commit/{f0}) Thanks [@octocat]({origin}/octocat)! - Add widgets\n\n\
         ### Patch Changes\n\n\
         - [#1]({o}/pull/1) [`abcdef1`]({o}/commit/{MERGE_SHA}) Thanks [@octocat]({origin}/octocat)! - Fix [#5]({o}/issues/5) again\n  \
         second line\n\n\
         - Plain fix\n\n\
         - [`{s3}`]({o}/commit/{f3}) Thanks [@ghost]({origin}/ghost)! - Thanked\n",
        s0 = short(&shas[0]),
        f0 = shas[0],
        s3 = short(&shas[3]),
        f3 = shas[3],
        origin = server.origin(),
    );
    assert_eq!(repo.read("packages/b/CHANGELOG.md"), expected_b);
    let expected_a = format!(
        "# a\n\n## 1.0.1\n\n### Patch Changes\n\n\
         - Updated dependencies [[`{s0}`]({o}/commit/{f0}), [`{s1}`]({o}/commit/{f1}), `{s2}`, [`{s3}`]({o}/commit/{f3})]:\n  \
         - b@1.1.0\n",
        s0 = short(&shas[0]),
        f0 = shas[0],
        s1 = short(&shas[1]),
        f1 = shas[1],
        s2 = short(&shas[2]),
        s3 = short(&shas[3]),
        f3 = shas[3],
    );
    assert_eq!(repo.read("packages/a/CHANGELOG.md"), expected_a);
    // Each commit and pull request is asked once, with the token.
    assert_eq!(server.requests_to("GET", "/pulls/1").len(), 1);
    assert_eq!(
        server
            .requests_to("GET", &format!("/commits/{}", shas[0]))
            .len(),
        2,
        "the commit and its pull requests"
    );
    for request in server.requests() {
        assert!(
            request
                .header("authorization")
                .is_some_and(|h| h.contains(TOKEN)),
            "{}",
            request.path()
        );
    }
}

#[test]
fn without_a_token_or_offline_the_default_format_is_written_with_one_note() {
    for (token, args, why) in [
        (None, &[][..], "`GITHUB_TOKEN` is not set"),
        (Some(TOKEN), &["--offline"][..], "offline"),
    ] {
        let (repo, shas) = repo_with_changesets();
        let server = server_for(&shas);
        let run = version(&repo, &server, token, args);
        run.assert_code(0);
        let note = "wrote the default changelog format instead of @changesets/changelog-github's";
        assert_eq!(run.stderr.matches(note).count(), 1, "{}", run.stderr);
        assert!(run.stderr.contains(why), "{}", run.stderr);
        assert!(server.requests().is_empty(), "no request is made");
        assert_eq!(
            repo.read("packages/b/CHANGELOG.md"),
            format!(
                "# b\n\n## 1.1.0\n\n### Minor Changes\n\n- {}: Add widgets\n\n### Patch Changes\n\n\
                 - {}: pr: 1\n  \n  Fix #5 again\n  second line\n\
                 - {}: Plain fix\n- {}: author: @ghost\n  Thanked\n",
                &shas[0][..7],
                &shas[1][..7],
                &shas[2][..7],
                &shas[3][..7]
            )
        );
    }
}

#[test]
fn a_failing_github_is_exit_3_and_changes_nothing() {
    let (repo, shas) = repo_with_changesets();
    let server = server_for(&shas);
    server.fail("GET", "/commits", 502, 100);
    let before = repo.snapshot_tree();
    let run = version(&repo, &server, Some(TOKEN), &[]);
    run.assert_code(3);
    assert!(run.stderr.contains("502"), "{}", run.stderr);
    assert!(run.stderr.contains("--offline"), "{}", run.stderr);
    assert!(!run.stderr.contains(TOKEN), "{}", run.stderr);
    assert_eq!(repo.snapshot_tree(), before);
}

#[test]
fn a_missing_or_invalid_repo_is_changesets_error() {
    let (repo, shas) = repo_with_changesets();
    let server = server_for(&shas);
    for (config, message) in [
        (
            r#"{ "changelog": ["@changesets/changelog-github", null] }"#,
            "Please provide a repo to this changelog generator",
        ),
        (
            r#"{ "changelog": ["@changesets/changelog-github", { "repo": "widgets" }] }"#,
            "Please pass a valid GitHub repository in the form of \"userOrOrg/repoName\". Received: \"widgets\".",
        ),
        (
            r#"{ "changelog": ["@changesets/changelog-github", { "repo": "a/b", "template": "- {thanks}" }] }"#,
            "Unknown changelog template token \"{thanks}\"",
        ),
    ] {
        repo.write(".changeset/config.json", config);
        let before = repo.snapshot_tree();
        let run = version(&repo, &server, Some(TOKEN), &[]);
        run.assert_code(2);
        assert!(run.stderr.contains(message), "{}", run.stderr);
        assert!(run.stderr.contains(".changeset/config.json"), "{}", run.stderr);
        assert_eq!(repo.snapshot_tree(), before);
    }
    // Without a token the repository is not needed: the default format, with the note.
    repo.write(
        ".changeset/config.json",
        r#"{ "changelog": ["@changesets/changelog-github", null] }"#,
    );
    let run = version(&repo, &server, None, &["--dry-run"]);
    run.assert_code(0);
    assert!(
        run.stderr
            .contains("wrote the default changelog format instead"),
        "{}",
        run.stderr
    );
    // `GITHUB_REPOSITORY` stands in for a missing `repo` option, as in Changesets.
    repo.write(
        ".changeset/config.json",
        r#"{ "changelog": "@changesets/changelog-github" }"#,
    );
    let mut command = repo.relflow_command(["version"]);
    command
        .env("GITHUB_API_URL", server.api_url())
        .env("GITHUB_SERVER_URL", server.origin())
        .env("GITHUB_REPOSITORY", "acme/widgets");
    let run = server.run_with_token(command, Some(TOKEN));
    run.assert_code(0);
    assert!(repo
        .read("packages/b/CHANGELOG.md")
        .contains("Thanks [@octocat]"));
}
