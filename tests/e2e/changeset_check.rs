//! `cargo relflow changeset check` and the exit code of `changeset status`.

use relflow_tests::TestRepo;

/// Three npm packages on `main`, then a `feature` branch.
fn repo_on_feature_branch(config: &str) -> TestRepo {
    let repo = TestRepo::new()
        .file(
            "package.json",
            r#"{ "private": true, "workspaces": ["packages/*"] }"#,
        )
        .file(
            "packages/a/package.json",
            r#"{ "name": "a", "version": "1.0.0" }"#,
        )
        .file(
            "packages/b/package.json",
            r#"{ "name": "@acme/b", "version": "1.0.0" }"#,
        )
        .file(
            "packages/c/package.json",
            r#"{ "name": "c", "version": "1.0.0", "private": true }"#,
        )
        .file(".changeset/config.json", config)
        .commit("initial");
    repo.git(["checkout", "--quiet", "-b", "feature"]);
    repo
}

#[test]
fn every_changed_package_needs_a_changeset() {
    let repo = repo_on_feature_branch("{}\n");
    repo.write("packages/a/index.js", "1\n");
    repo.write("packages/b/src/lib.js", "2\n");
    repo.write(
        "packages/c/index.js",
        "private and not versioned: skipped\n",
    );
    repo.write("README.md", "belongs to no package\n");
    repo.commit_all("work");
    repo.write(
        ".changeset/one-two-three.md",
        "---\n\"a\": minor\n---\n\nA\n",
    );

    let run = repo.relflow(["changeset", "check"]);
    run.assert_code(1);
    assert!(
        run.stderr.contains("npm:@acme/b (packages/b)"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("npm:a "),
        "a is covered: {}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("npm:c"),
        "c is skipped: {}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("cargo relflow changeset -p @acme/b:patch -m \"...\""),
        "{}",
        run.stderr
    );

    // Changesets' own status is satisfied by any changeset: exit 0.
    repo.relflow(["changeset", "status"]).assert_code(0);

    // The suggested command fixes it.
    repo.relflow(["changeset", "-p", "@acme/b:patch", "-m", "B"])
        .assert_code(0);
    let run = repo.relflow(["changeset", "check"]);
    run.assert_code(0);
    assert!(
        run.stderr.contains("2 changed package(s)"),
        "{}",
        run.stderr
    );
}

#[test]
fn empty_changeset_and_none_bump_satisfy_check() {
    let repo = repo_on_feature_branch("{}\n");
    repo.write("packages/a/index.js", "1\n");
    // Untracked files do not count, as in Changesets; tracked changes do, committed or not.
    repo.relflow(["changeset", "check"]).assert_code(0);
    repo.git(["add", "packages/a/index.js"]);
    repo.relflow(["changeset", "check"]).assert_code(1);
    repo.write(
        ".changeset/a-none-bump.md",
        "---\n\"a\": none\n---\n\nNo release\n",
    );
    repo.relflow(["changeset", "check"]).assert_code(0);
    std::fs::remove_file(repo.root().join(".changeset/a-none-bump.md")).unwrap();
    repo.relflow(["changeset", "--empty"]).assert_code(0);
    repo.relflow(["changeset", "check"]).assert_code(0);
}

#[test]
fn staged_and_since() {
    let repo = repo_on_feature_branch("{}\n");
    repo.write("packages/a/index.js", "1\n");
    // Not staged: --staged passes.
    repo.relflow(["changeset", "check", "--staged"])
        .assert_code(0);
    repo.git(["add", "packages/a/index.js"]);
    let run = repo.relflow(["changeset", "check", "--staged"]);
    run.assert_code(1);
    assert!(run.stderr.contains("npm:a (packages/a)"), "{}", run.stderr);
    repo.commit_all("a");
    // Since HEAD nothing changed.
    repo.relflow(["changeset", "check", "--since", "HEAD"])
        .assert_code(0);
    repo.relflow(["changeset", "check", "--since", "main"])
        .assert_code(1);
}

#[test]
fn unknown_ref_and_missing_base_branch_are_input_errors() {
    let repo = repo_on_feature_branch("{}\n");
    let run = repo.relflow(["changeset", "check", "--since", "no-such-ref"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("unknown git revision `no-such-ref`"),
        "{}",
        run.stderr
    );
    let run = repo.relflow(["changeset", "status", "--since", "no-such-ref"]);
    run.assert_code(2);
    repo.write(".changeset/config.json", "{ \"baseBranch\": \"trunk\" }\n");
    let run = repo.relflow(["changeset", "check"]);
    run.assert_code(2);
    assert!(
        run.stderr
            .contains("the base branch `trunk` does not exist"),
        "{}",
        run.stderr
    );
}

#[test]
fn changed_file_patterns_are_honoured() {
    // S3: only files under src/ count.
    let repo = repo_on_feature_branch("{ \"changedFilePatterns\": [\"src/**\"] }\n");
    repo.write("packages/a/unrelated.json", "{}\n");
    repo.commit_all("unrelated");
    repo.relflow(["changeset", "check"]).assert_code(0);
    repo.relflow(["changeset", "status"]).assert_code(0);
    repo.write("packages/a/src/a.js", "1\n");
    repo.commit_all("src");
    repo.relflow(["changeset", "check"]).assert_code(1);
    // S2: changed packages and no changeset at all: status exits 1, as Changesets does.
    let run = repo.relflow(["changeset", "status"]);
    run.assert_code(1);
    assert!(
        run.stderr
            .contains("Some packages have been changed but no changesets were found"),
        "{}",
        run.stderr
    );
}

#[test]
fn ignored_and_private_packages_need_no_changeset() {
    // S4: changes only in ignored or unversioned private packages.
    let repo = repo_on_feature_branch("{ \"ignore\": [\"a\"] }\n");
    repo.write("packages/a/index.js", "1\n");
    repo.write("packages/c/index.js", "1\n");
    repo.commit_all("ignored and private");
    repo.relflow(["changeset", "check"]).assert_code(0);
    repo.relflow(["changeset", "status"]).assert_code(0);
}

#[test]
fn check_works_on_cargo_and_python_without_cargo_metadata() {
    let repo = TestRepo::new()
        .file(
            "Cargo.toml",
            "[workspace]\nmembers = [\"crates/*\"]\n\n[workspace.package]\nversion = \"0.2.0\"\n",
        )
        .file(
            "crates/core/Cargo.toml",
            "[package]\nname = \"core\"\nversion.workspace = true\n",
        )
        .file("crates/core/src/lib.rs", "")
        .file(
            "py/pyproject.toml",
            "[project]\nname = \"py-core\"\nversion = \"0.2.0\"\n",
        )
        .file(".changeset/config.json", "{}\n")
        .commit("initial");
    repo.git(["checkout", "--quiet", "-b", "feature"]);
    repo.write("crates/core/src/lib.rs", "pub fn x() {}\n");
    repo.write("py/src/py_core/__init__.py", "x = 1\n");
    repo.git(["add", "."]);
    // A PATH without cargo proves check does not need it.
    let output = repo
        .relflow_command(["changeset", "check"])
        .env("PATH", "/usr/bin:/bin:/usr/local/bin")
        .env("CARGO", "/nonexistent/cargo")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cargo:core (crates/core)"), "{stderr}");
    assert!(stderr.contains("python:py-core (py)"), "{stderr}");
}
