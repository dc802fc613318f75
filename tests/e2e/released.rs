//! `cargo relflow released`: which packages a commit released, read from the manifests of the
//! commit and its first parent, on real repositories of every ecosystem.

use relflow_tests::TestRepo;
use serde_json::Value;

/// A polyglot repository at its first commit: a Cargo workspace whose `core` inherits the
/// workspace version and whose `cli` has its own, an npm package, a Python project with a
/// PEP 440 version and a generic Go service.
fn polyglot() -> TestRepo {
    TestRepo::new()
        .file(
            "Cargo.toml",
            "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n\n[workspace.package]\nversion = \"1.0.0\"\n",
        )
        .file(
            "crates/core/Cargo.toml",
            "[package]\nname = \"core\"\nversion.workspace = true\nedition = \"2021\"\n",
        )
        .file("crates/core/src/lib.rs", "")
        .cargo_crate("crates/cli", "0.4.0", "")
        .file("package.json", r#"{ "private": true, "workspaces": ["js/*"] }"#)
        .file("js/web/package.json", r#"{ "name": "web", "version": "2.0.0" }"#)
        .file(
            "py/lib/pyproject.toml",
            "[project]\nname = \"pylib\"\nversion = \"3.0.0\"\n",
        )
        .file(
            "relflow.toml",
            "[[package]]\nname = \"api\"\npath = \"services/api\"\nversion_file = \"version.go\"\nregex = 'const Version = \"(?<version>[^\"]+)\"'\n",
        )
        .file(
            "services/api/version.go",
            "package main\n\nconst Version = \"0.9.0\"\n",
        )
        .commit("initial")
}

/// `released --format json` for `args`, after checking the exit code is 0.
fn released_json(repo: &TestRepo, args: &[&str]) -> Value {
    let mut all = vec!["released", "--format", "json"];
    all.extend_from_slice(args);
    let run = repo.relflow(&all);
    run.assert_code(0);
    serde_json::from_str(&run.stdout).expect("JSON")
}

/// `(name, ecosystem, old, new)` of each released package.
fn releases(json: &Value) -> Vec<(String, String, Option<String>, String)> {
    json["released"]
        .as_array()
        .expect("released")
        .iter()
        .map(|p| {
            (
                p["name"].as_str().expect("name").to_owned(),
                p["ecosystem"].as_str().expect("ecosystem").to_owned(),
                p["old_version"].as_str().map(ToOwned::to_owned),
                p["new_version"].as_str().expect("new_version").to_owned(),
            )
        })
        .collect()
}

fn entry(
    name: &str,
    ecosystem: &str,
    old: Option<&str>,
    new: &str,
) -> (String, String, Option<String>, String) {
    (
        name.to_owned(),
        ecosystem.to_owned(),
        old.map(ToOwned::to_owned),
        new.to_owned(),
    )
}

fn head(repo: &TestRepo) -> String {
    repo.git(["rev-parse", "HEAD"]).trim().to_owned()
}

#[test]
fn root_commit_releases_every_package_as_new() {
    let repo = polyglot();
    let json = released_json(&repo, &[]);
    assert_eq!(json["commit"], head(&repo));
    assert_eq!(json["parent"], Value::Null);
    assert_eq!(
        releases(&json),
        [
            entry("cli", "cargo", None, "0.4.0"),
            entry("core", "cargo", None, "1.0.0"),
            entry("web", "npm", None, "2.0.0"),
            entry("pylib", "python", None, "3.0.0"),
            entry("api", "generic", None, "0.9.0"),
        ]
    );
    assert_eq!(json["released"][1]["tag"], "core@1.0.0");
    assert_eq!(json["released"][1]["tag_exists"], false);
}

#[test]
fn release_commit_in_every_ecosystem_and_its_tags() {
    let repo = polyglot();
    let parent = head(&repo);
    // The workspace version moves `core`; `cli` keeps its own version.
    repo.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n\n[workspace.package]\nversion = \"1.1.0\"\n",
    );
    repo.write(
        "js/web/package.json",
        r#"{ "name": "web", "version": "2.1.0" }"#,
    );
    repo.write(
        "py/lib/pyproject.toml",
        "[project]\nname = \"pylib\"\nversion = \"3.1.0b1\"\n",
    );
    repo.write(
        "services/api/version.go",
        "package main\n\nconst Version = \"1.0.0\"\n",
    );
    repo.commit_all("chore: release versions");
    repo.git(["tag", "core@1.1.0"]);
    let json = released_json(&repo, &["--commit", "HEAD"]);
    assert_eq!(json["parent"], parent);
    assert_eq!(
        releases(&json),
        [
            entry("core", "cargo", Some("1.0.0"), "1.1.0"),
            entry("web", "npm", Some("2.0.0"), "2.1.0"),
            entry("pylib", "python", Some("3.0.0"), "3.1.0b1"),
            entry("api", "generic", Some("0.9.0"), "1.0.0"),
        ]
    );
    let core = &json["released"][0];
    assert_eq!(
        (core["tag"].as_str(), core["tag_exists"].as_bool()),
        (Some("core@1.1.0"), Some(true))
    );
    // Python tags carry the semver form of the PEP 440 version.
    assert_eq!(json["released"][2]["tag"], "pylib@3.1.0-beta.1");
    assert_eq!(json["released"][2]["tag_exists"], false);

    let human = repo.relflow(["released"]);
    human.assert_code(0);
    assert!(
        human
            .stdout
            .contains("core     cargo      1.0.0  1.1.0    core@1.1.0\n"),
        "{}",
        human.stdout
    );
    assert!(
        human.stdout.contains("pylib@3.1.0-beta.1 (not tagged yet)"),
        "{}",
        human.stdout
    );
    let markdown = repo.relflow(["released", "--format", "markdown"]);
    markdown.assert_code(0);
    assert!(
        markdown
            .stdout
            .contains("| `web` | npm | 2.0.0 | 2.1.0 | `web@2.1.0` (not tagged yet) |"),
        "{}",
        markdown.stdout
    );
}

#[test]
fn non_release_commit_releases_nothing() {
    let repo = polyglot();
    repo.write("crates/core/src/lib.rs", "pub fn changed() {}\n");
    repo.write("js/web/index.js", "export {};\n");
    repo.commit_all("feat: no release");
    let json = released_json(&repo, &[]);
    assert_eq!(json["released"], serde_json::json!([]));
    let human = repo.relflow(["released"]);
    human.assert_code(0);
    assert_eq!(
        human.stdout,
        format!("commit {} released no package\n", &head(&repo)[..7])
    );
}

#[test]
fn merge_commit_compares_with_its_first_parent() {
    let repo = polyglot();
    repo.git(["checkout", "--quiet", "-b", "release"]);
    repo.write(
        "js/web/package.json",
        r#"{ "name": "web", "version": "2.1.0" }"#,
    );
    repo.commit_all("chore: release web");
    repo.git(["checkout", "--quiet", "main"]);
    repo.write("crates/cli/src/lib.rs", "pub fn other() {}\n");
    repo.commit_all("feat: on main");
    repo.git([
        "merge",
        "--quiet",
        "--no-ff",
        "-m",
        "Merge release",
        "release",
    ]);
    let json = released_json(&repo, &[]);
    assert_eq!(
        releases(&json),
        [entry("web", "npm", Some("2.0.0"), "2.1.0")]
    );
    // Merged the other way round, main's side brings nothing new: the first parent has 2.1.0.
    repo.git(["checkout", "--quiet", "release"]);
    repo.git(["merge", "--quiet", "--no-ff", "-m", "Merge main", "main~1"]);
    assert_eq!(releases(&released_json(&repo, &[])), []);
}

#[test]
fn release_commit_named_by_branch_tag_and_short_sha() {
    let repo = polyglot();
    repo.write(
        "js/web/package.json",
        r#"{ "name": "web", "version": "3.0.0" }"#,
    );
    repo.commit_all("chore: release web");
    let release = head(&repo);
    repo.git(["tag", "web@3.0.0"]);
    repo.git(["branch", "released-here"]);
    repo.write("README.md", "later\n");
    repo.commit_all("docs: later");
    let expected = [entry("web", "npm", Some("2.0.0"), "3.0.0")];
    for spec in [&release[..10], "released-here", "web@3.0.0", "HEAD~1"] {
        let json = released_json(&repo, &["--commit", spec]);
        assert_eq!(json["commit"], release, "{spec}");
        assert_eq!(releases(&json), expected, "{spec}");
        assert_eq!(json["released"][0]["tag_exists"], true, "{spec}");
    }
}

#[test]
fn bad_ref_and_shallow_clone_are_exit_2() {
    let repo = polyglot();
    let run = repo.relflow(["released", "--commit", "no-such-branch"]);
    run.assert_code(2);
    assert!(
        run.stderr
            .contains("`no-such-branch` does not name a commit"),
        "{}",
        run.stderr
    );

    repo.write(
        "js/web/package.json",
        r#"{ "name": "web", "version": "2.0.1" }"#,
    );
    repo.commit_all("chore: release web");
    // A shallow clone of depth 1 (actions/checkout's default) lacks the parent.
    let outer = TestRepo::new();
    let url = format!("file://{}", repo.root());
    outer.git(["clone", "--quiet", "--depth", "1", &url, "shallow"]);
    let run = outer.relflow(["-C", "shallow", "released"]);
    run.assert_code(2);
    assert!(run.stderr.contains("shallow clone"), "{}", run.stderr);
    assert!(run.stderr.contains("--deepen"), "{}", run.stderr);
}
