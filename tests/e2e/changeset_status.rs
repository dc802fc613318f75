//! `cargo relflow changeset status`: the plan in each format, and plan-time input errors.

use relflow_tests::TestRepo;
use serde_json::json;

fn npm_repo(config: &str) -> TestRepo {
    TestRepo::new()
        .file(
            "package.json",
            r#"{ "private": true, "workspaces": ["packages/*"] }"#,
        )
        .file(
            "packages/a/package.json",
            r#"{ "name": "pkg-a", "version": "1.0.0" }"#,
        )
        .file(
            "packages/b/package.json",
            r#"{ "name": "pkg-b", "version": "1.0.0", "dependencies": { "pkg-a": "1.0.0" } }"#,
        )
        .file(".changeset/config.json", config)
}

#[test]
fn s1_simple_changeset_as_json() {
    let repo = npm_repo("{}\n")
        .file(
            ".changeset/nice-cats-run.md",
            "---\n\"pkg-a\": minor\n---\n\nA feature\n",
        )
        .commit("initial");
    let run = repo.relflow(["changeset", "status", "--format", "json"]);
    run.assert_code(0);
    let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        value,
        json!({
            "releases": [
                { "name": "pkg-a", "ecosystem": "npm", "old_version": "1.0.0", "new_version": "1.1.0",
                  "bump": "minor", "reasons": ["changeset nice-cats-run"], "changesets": ["nice-cats-run"] },
                { "name": "pkg-b", "ecosystem": "npm", "old_version": "1.0.0", "new_version": "1.0.1",
                  "bump": "patch", "reasons": ["dependency pkg-a 1.0.0"], "changesets": [] }
            ],
            "changesets": [
                { "id": "nice-cats-run", "summary": "A feature", "releases": [{ "name": "pkg-a", "type": "minor" }] }
            ]
        })
    );
    let run = repo.relflow(["changeset", "status", "--format", "markdown"]);
    run.assert_code(0);
    assert_eq!(
        run.stdout,
        "| Package | Ecosystem | Version | Bump | Why |\n| --- | --- | --- | --- | --- |\n\
         | `pkg-a` | npm | 1.0.0 → 1.1.0 | minor | changeset nice-cats-run |\n\
         | `pkg-b` | npm | 1.0.0 → 1.0.1 | patch | dependency pkg-a 1.0.0 |\n"
    );
    let run = repo.relflow(["changeset", "status"]);
    run.assert_code(0);
    assert!(
        run.stdout.starts_with("npm:pkg-a  1.0.0 -> 1.1.0"),
        "{}",
        run.stdout
    );
}

#[test]
fn since_keeps_only_changesets_added_since() {
    let repo = npm_repo("{}\n")
        .file(
            ".changeset/old-one-here.md",
            "---\n\"pkg-a\": major\n---\n\nOld\n",
        )
        .commit("initial");
    repo.git(["checkout", "--quiet", "-b", "feature"]);
    repo.write(
        ".changeset/new-one-here.md",
        "---\n\"pkg-b\": patch\n---\n\nNew\n",
    );
    repo.commit_all("new changeset");
    let run = repo.relflow(["changeset", "status", "--since", "main", "--format", "json"]);
    run.assert_code(0);
    let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(value["releases"].as_array().unwrap().len(), 1, "{value}");
    assert_eq!(value["releases"][0]["name"], "pkg-b");
}

#[test]
fn cross_ecosystem_fixed_group_and_cargo_range() {
    let repo = TestRepo::new()
        .file("Cargo.toml", "[workspace]\nmembers = [\"core\", \"cli\"]\n")
        .cargo_crate("core", "0.3.0", "")
        .cargo_crate(
            "cli",
            "1.0.0",
            "[dependencies]\ncore = { path = \"../core\", version = \"0.3\" }\n",
        )
        .file(
            "package.json",
            r#"{ "private": true, "workspaces": ["js"] }"#,
        )
        .file(
            "js/package.json",
            r#"{ "name": "@acme/core", "version": "0.3.0" }"#,
        )
        .file(
            "py/pyproject.toml",
            "[project]\nname = \"acme\"\nversion = \"0.3.0\"\n",
        )
        .file(
            "relflow.toml",
            "fixed = [[\"cargo:core\", \"@acme/core\", \"acme\"]]\n",
        )
        .file(
            ".changeset/core-gets-faster.md",
            "---\n\"cargo:core\": minor\n---\n\nFaster\n",
        )
        .commit("initial");
    let run = repo.relflow(["changeset", "status", "--format", "json"]);
    run.assert_code(0);
    let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let plan: Vec<(String, String)> = value["releases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                format!(
                    "{}:{}",
                    r["ecosystem"].as_str().unwrap(),
                    r["name"].as_str().unwrap()
                ),
                r["new_version"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    // 0.4.0 leaves the Cargo requirement "0.3" (^0.3), so cli is patched.
    assert_eq!(
        plan,
        [
            ("cargo:core".to_owned(), "0.4.0".to_owned()),
            ("cargo:cli".to_owned(), "1.0.1".to_owned()),
            ("npm:@acme/core".to_owned(), "0.4.0".to_owned()),
            ("python:acme".to_owned(), "0.4.0".to_owned()),
        ]
    );
}

#[track_caller]
fn rejects(repo: &TestRepo, needles: &[&str]) {
    let before = repo.snapshot_tree();
    let run = repo.relflow(["changeset", "status"]);
    run.assert_code(2);
    for needle in needles {
        assert!(
            run.stderr.contains(needle),
            "missing {needle:?} in:\n{}",
            run.stderr
        );
    }
    assert_eq!(repo.snapshot_tree(), before);
}

#[test]
fn package_in_two_fixed_groups() {
    let repo = npm_repo("{ \"fixed\": [[\"pkg-a\"], [\"pkg-a\", \"pkg-b\"]] }\n").commit("initial");
    rejects(&repo, &["Invalid group", "pkg-a"]);
}

#[test]
fn ignored_package_that_a_published_one_depends_on() {
    let repo = npm_repo("{ \"ignore\": [\"pkg-a\"] }\n").commit("initial");
    rejects(&repo, &["depends on the skipped package", "pkg-b", "pkg-a"]);
}

#[test]
fn mixed_changeset_and_cycle_in_depends_on() {
    let repo = npm_repo("{ \"ignore\": [\"pkg-b\"] }\n")
        .file(
            ".changeset/mixed-up-one.md",
            "---\n\"pkg-a\": minor\n\"pkg-b\": patch\n---\n\nx\n",
        )
        .commit("initial");
    rejects(&repo, &["Found mixed changeset mixed-up-one"]);

    let repo = npm_repo("{}\n")
        .file(
            "relflow.toml",
            "[[package]]\nname = \"pkg-a\"\ndepends_on = [\"pkg-b\"]\n\n[[package]]\nname = \"pkg-b\"\ndepends_on = [\"pkg-a\"]\n",
        )
        .commit("initial");
    rejects(
        &repo,
        &[
            "`depends_on` forms a cycle: npm:pkg-a -> npm:pkg-b -> npm:pkg-a",
            "relflow.toml:2",
        ],
    );
}

/// With a pending changeset (and no `--since`), the exit-1 rule cannot apply, so `status` runs no
/// git at all. A `git` on PATH that records its calls shows it; without a changeset it is called.
#[test]
fn pending_changesets_need_no_git() {
    let repo = npm_repo("{}\n")
        .file(
            ".changeset/nice-cats-run.md",
            "---\n\"pkg-a\": minor\n---\n\nA feature\n",
        )
        .commit("initial");
    let bin = repo.root().join(".home/bin");
    let marker = repo.root().join(".home/git-was-called");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::write(
        bin.join("git"),
        format!("#!/bin/sh\necho \"$@\" >> '{marker}'\nexit 1\n"),
    )
    .unwrap();
    let mut permissions = std::fs::metadata(bin.join("git")).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(bin.join("git"), permissions).unwrap();
    let path = format!("{bin}:/usr/bin:/bin");
    let output = repo
        .relflow_command(["changeset", "status"])
        .env("PATH", &path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(stdout.starts_with("npm:pkg-a  1.0.0 -> 1.1.0"), "{stdout}");
    assert!(!marker.exists(), "git was called");
    std::fs::remove_file(repo.root().join(".changeset/nice-cats-run.md")).unwrap();
    repo.relflow_command(["changeset", "status"])
        .env("PATH", &path)
        .output()
        .unwrap();
    assert!(
        marker.exists(),
        "without a changeset, git finds the changed packages"
    );
}
