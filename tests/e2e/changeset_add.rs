//! `cargo relflow changeset [add]` with flags.

use relflow_tests::TestRepo;

/// A repository with a crate and an npm package both named `core`, and an npm package `web`.
pub fn mixed_repo() -> TestRepo {
    TestRepo::new()
        .file("Cargo.toml", "[workspace]\nmembers = [\"core\"]\n")
        .cargo_crate("core", "0.3.0", "")
        .file(
            "package.json",
            r#"{ "private": true, "workspaces": ["js/*"] }"#,
        )
        .file(
            "js/core/package.json",
            r#"{ "name": "core", "version": "0.3.0" }"#,
        )
        .file(
            "js/web/package.json",
            r#"{ "name": "@acme/web", "version": "1.0.0" }"#,
        )
        .file(".changeset/config.json", "{}\n")
        .commit("initial")
}

#[test]
fn package_flags_write_a_changeset() {
    let repo = mixed_repo();
    let run = repo.relflow([
        "changeset",
        "-p",
        "cargo:core:minor",
        "-p",
        "@acme/web:patch",
        "-m",
        "Faster startup",
    ]);
    run.assert_code(0);
    let files = repo.changeset_files();
    assert_eq!(files.len(), 1);
    assert_eq!(run.stdout.trim(), files[0].as_str());
    let stem = files[0].file_stem().unwrap();
    assert_eq!(stem.split('-').count(), 3, "three random words: {stem}");
    assert_eq!(
        repo.read(files[0].as_str()),
        "---\n\"cargo:core\": minor\n\"@acme/web\": patch\n---\n\nFaster startup\n"
    );
}

#[test]
fn add_subcommand_and_bump_flags() {
    let repo = mixed_repo();
    repo.relflow([
        "changeset",
        "add",
        "--major",
        "npm:core",
        "--patch",
        "@acme/web,cargo:core",
        "-m",
        "Big",
    ])
    .assert_code(0);
    let files = repo.changeset_files();
    assert_eq!(
        repo.read(files[0].as_str()),
        "---\n\"core\": major\n\"@acme/web\": patch\n\"cargo:core\": patch\n---\n\nBig\n"
    );
}

#[test]
fn empty_changeset() {
    let repo = mixed_repo();
    repo.relflow(["changeset", "--empty"]).assert_code(0);
    let files = repo.changeset_files();
    assert_eq!(repo.read(files[0].as_str()), "---\n\n---\n\n\n");
    repo.relflow(["changeset", "add", "--empty", "-m", "Docs only"])
        .assert_code(0);
    let texts: Vec<String> = repo
        .changeset_files()
        .iter()
        .map(|f| repo.read(f.as_str()))
        .collect();
    assert!(
        texts.contains(&"---\n\n---\n\nDocs only\n".to_owned()),
        "{texts:?}"
    );
}

#[test]
fn written_changesets_are_read_by_the_real_changesets_format() {
    // Our own parser reads what we write back: status lists the release.
    let repo = mixed_repo();
    repo.relflow(["changeset", "-p", "@acme/web:minor", "-m", "Feature"])
        .assert_code(0);
    let run = repo.relflow(["-C", repo.root().as_str(), "list"]);
    run.assert_code(0);
}
