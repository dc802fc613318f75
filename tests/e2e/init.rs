//! `cargo relflow init`.

use relflow_tests::TestRepo;

#[test]
fn init_writes_missing_files_and_keeps_existing_ones() {
    let repo = TestRepo::new()
        .file("Cargo.toml", "[workspace]\nmembers = [\"core\"]\n")
        .cargo_crate("core", "0.3.0", "")
        .file(
            "package.json",
            r#"{ "private": true, "workspaces": ["js/*"] }"#,
        )
        .file(
            "js/web/package.json",
            r#"{ "name": "@acme/web", "version": "1.0.0", "private": true }"#,
        )
        .commit("initial");
    let run = repo.relflow(["init"]);
    run.assert_code(0);
    assert!(run.stderr.contains("Creating"), "{}", run.stderr);
    let config: serde_json::Value =
        serde_json::from_str(&repo.read(".changeset/config.json")).unwrap();
    assert_eq!(
        config["privatePackages"],
        serde_json::json!({"version": true, "tag": true})
    );
    assert_eq!(config["baseBranch"], "main");
    assert!(repo
        .read(".changeset/README.md")
        .starts_with("# Changesets"));
    let toml = repo.read("relflow.toml");
    assert!(toml.contains("#   cargo:core"), "{toml}");
    assert!(toml.contains("#   npm:@acme/web"), "{toml}");
    assert!(toml.contains("not published"), "{toml}");
    assert!(
        toml.lines().all(|l| l.is_empty() || l.starts_with('#')),
        "every line is a comment:\n{toml}"
    );

    // A second run changes nothing and says so.
    repo.write("relflow.toml", "base_branch = \"trunk\"\n");
    let before = repo.snapshot_tree();
    let run = repo.relflow(["init"]);
    run.assert_code(0);
    assert!(
        run.stderr.contains("exists and is left as it is"),
        "{}",
        run.stderr
    );
    assert_eq!(repo.snapshot_tree(), before);
}

#[test]
fn init_result_is_valid_for_changesets_and_relflow() {
    let repo = TestRepo::one_npm_package();
    repo.relflow(["init"]).assert_code(0);
    repo.relflow(["changeset", "-p", "web:patch", "-m", "Fix"])
        .assert_code(0);
    repo.relflow(["list"]).assert_code(0);
}
