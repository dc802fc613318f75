//! `cargo relflow version pre enter|exit` and the edges of `version` that need no manifest edit.

use relflow_tests::TestRepo;

fn npm_repo() -> TestRepo {
    TestRepo::new()
        .file(
            "package.json",
            "{\n  \"private\": true,\n  \"workspaces\": [\"packages/*\"]\n}\n",
        )
        .file(
            "packages/a/package.json",
            "{\n  \"name\": \"pkg-a\",\n  \"version\": \"1.0.0\"\n}\n",
        )
        .file(".changeset/config.json", "{}\n")
}

#[test]
fn pre_enter_then_exit_writes_the_v3_form() {
    let repo = npm_repo().commit("initial");
    repo.relflow(["version", "pre", "enter", "next"])
        .assert_code(0);
    assert_eq!(
        repo.read(".changeset/pre.json"),
        "{\n  \"mode\": \"pre\",\n  \"tag\": \"next\"\n}\n"
    );
    let again = repo.relflow(["version", "pre", "enter", "beta"]);
    again.assert_code(2);
    assert!(
        again
            .stderr
            .contains("pre mode cannot be entered when in pre mode"),
        "{}",
        again.stderr
    );
    repo.relflow(["version", "pre", "exit"]).assert_code(0);
    assert_eq!(
        repo.read(".changeset/pre.json"),
        "{\n  \"mode\": \"exit\",\n  \"tag\": \"next\"\n}\n"
    );
}

#[test]
fn pre_exit_outside_pre_mode_and_a_bad_tag_are_input_errors() {
    let repo = npm_repo().commit("initial");
    let before = repo.snapshot_tree();
    let exit = repo.relflow(["version", "pre", "exit"]);
    exit.assert_code(2);
    assert!(
        exit.stderr
            .contains("pre mode cannot be exited when not in pre mode"),
        "{}",
        exit.stderr
    );
    let bad = repo.relflow(["version", "pre", "enter", "no spaces"]);
    bad.assert_code(2);
    assert!(
        bad.stderr.contains("invalid pre-release tag"),
        "{}",
        bad.stderr
    );
    assert_eq!(repo.snapshot_tree(), before);
}

#[test]
fn pre_enter_migrates_a_v2_pre_json() {
    let repo = npm_repo()
        .file(
            ".changeset/pre.json",
            r#"{"mode":"exit","tag":"next","initialVersions":{"pkg-a":"1.0.0"},"changesets":["old-one"]}"#,
        )
        .file(".changeset/old-one.md", "---\n\"pkg-a\": patch\n---\n\nOld\n")
        .commit("initial");
    repo.relflow(["version", "pre", "enter", "rc"])
        .assert_code(0);
    assert_eq!(
        repo.read(".changeset/pre.json"),
        "{\n  \"mode\": \"pre\",\n  \"tag\": \"rc\"\n}\n"
    );
    assert!(!repo.root().join(".changeset/old-one.md").exists());
    assert_eq!(
        repo.read(".changeset/pre/old-one.md"),
        "---\n\"pkg-a\": patch\n---\n\nOld\n"
    );
}

#[test]
fn version_without_changesets_exits_1_and_changes_nothing() {
    let repo = npm_repo().commit("initial");
    let before = repo.snapshot_tree();
    let run = repo.relflow(["version"]);
    run.assert_code(1);
    assert!(
        run.stderr.contains("No unreleased changesets found."),
        "{}",
        run.stderr
    );
    assert_eq!(repo.snapshot_tree(), before);
}

#[test]
fn snapshot_in_pre_mode_is_refused() {
    let repo = npm_repo()
        .file(
            ".changeset/pre.json",
            "{\"mode\":\"pre\",\"tag\":\"next\"}\n",
        )
        .file(".changeset/one.md", "---\n\"pkg-a\": patch\n---\n\nOne\n")
        .commit("initial");
    let before = repo.snapshot_tree();
    let run = repo.relflow(["version", "--snapshot"]);
    run.assert_code(2);
    assert!(
        run.stderr
            .contains("Snapshot release is not allowed in pre mode"),
        "{}",
        run.stderr
    );
    assert_eq!(repo.snapshot_tree(), before);
}

/// Runs the Changesets v3 CLI in `repo` (installed by `cargo xtask test`).
fn changesets(repo: &TestRepo, args: &[&str]) {
    let node = std::env::var("RELFLOW_NODE").expect("RELFLOW_NODE: run through `cargo xtask test`");
    let cli = std::env::var("RELFLOW_CHANGESETS_CLI")
        .expect("RELFLOW_CHANGESETS_CLI: run through `cargo xtask test`");
    let output = repo
        .isolated(std::process::Command::new(node))
        .arg(cli)
        .args(args)
        .output()
        .expect("run changesets");
    assert!(output.status.success(), "changesets {args:?}: {output:?}");
}

/// A workspace Changesets v3 also reads (a named root and a package-lock.json, by which @manypkg
/// recognises npm), in pre mode with `pre_json`, and one changeset bumping `pkg-a` by `bump`.
fn pre_mode_repo(pre_json: &str, bump: &str) -> TestRepo {
    npm_repo()
        .file(
            "package.json",
            "{\n  \"name\": \"root\",\n  \"private\": true,\n  \"workspaces\": [\"packages/*\"]\n}\n",
        )
        .file("package-lock.json", "{}\n")
        .file(".changeset/pre.json", pre_json)
        .file(
            ".changeset/red-cats-run.md",
            &format!("---\n\"pkg-a\": {bump}\n---\n\nA change.\n"),
        )
        .commit("in pre mode")
}

#[test]
fn unknown_pre_json_keys_are_kept_as_changesets_v3_keeps_them() {
    // A v3 pre.json with keys of its own, written compactly by hand.
    let v3 = "{\"$comment\": \"beta train\", \"mode\": \"pre\", \"tag\": \"beta\", \"owner\": {\"team\": \"web\"}}\n";
    let (ours, theirs) = (pre_mode_repo(v3, "minor"), pre_mode_repo(v3, "minor"));
    ours.relflow(["version"]).assert_code(0);
    changesets(&theirs, &["version"]);
    // `version` leaves a v3 pre.json as it is.
    assert_eq!(
        ours.read(".changeset/pre.json"),
        theirs.read(".changeset/pre.json")
    );
    assert!(ours
        .read(".changeset/pre.json")
        .starts_with("{\"$comment\""));
    assert_eq!(
        ours.read("packages/a/package.json"),
        theirs.read("packages/a/package.json")
    );

    ours.relflow(["version", "pre", "exit"]).assert_code(0);
    changesets(&theirs, &["pre", "exit"]);
    assert_eq!(
        ours.read(".changeset/pre.json"),
        theirs.read(".changeset/pre.json")
    );
    assert!(ours
        .read(".changeset/pre.json")
        .contains("\"team\": \"web\""));

    // A v2 file with a key of its own: migrated, the key kept.
    let v2 = "{\n  \"mode\": \"pre\",\n  \"tag\": \"next\",\n  \"initialVersions\": { \"pkg-a\": \"1.0.0\" },\n  \"changesets\": [],\n  \"x-ci\": true\n}\n";
    let (ours, theirs) = (pre_mode_repo(v2, "patch"), pre_mode_repo(v2, "patch"));
    ours.relflow(["version"]).assert_code(0);
    changesets(&theirs, &["version"]);
    assert_eq!(
        ours.read(".changeset/pre.json"),
        theirs.read(".changeset/pre.json")
    );
    assert!(ours.read(".changeset/pre.json").contains("\"x-ci\": true"));
}
