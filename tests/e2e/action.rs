//! The GitHub Action's release step (`action/run.sh`, which `action.yml` runs) driven the way a
//! workflow drives it: on a push with pending changesets it opens the release pull request; on
//! the push that merges it, it publishes to a real registry (verdaccio on 127.0.0.1), tags,
//! creates the forge release (the test forge server) and sets the outputs in `$GITHUB_OUTPUT`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use relflow_tests::forge::{ForgeServer, Kind};
use relflow_tests::registry::npm::Verdaccio;
use relflow_tests::{relflow_bin, Run, TestRepo};

const TOKEN: &str = "forge-token-action-7c1e";

/// `action/run.sh` in this repository.
fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../action/run.sh")
        .canonicalize()
        .expect("action/run.sh")
}

/// Runs the release step in `repo` with `command` and returns the run and its outputs.
fn release_step(
    repo: &TestRepo,
    command: &str,
    env: &[(&str, &str)],
) -> (Run, BTreeMap<String, String>) {
    let outputs = tempfile::NamedTempFile::new().expect("output file");
    let mut run = repo.isolated(std::process::Command::new("bash"));
    run.arg(script())
        .env("RELFLOW_BIN", relflow_bin())
        .env("GITHUB_OUTPUT", outputs.path())
        .env("INPUT_COMMAND", command)
        .env("GITHUB_TOKEN", TOKEN)
        .envs(env.iter().copied());
    let run = Run::from_output(run.output().expect("bash"));
    let text = std::fs::read_to_string(outputs.path()).expect("outputs");
    (run, parse_outputs(&text))
}

/// GitHub's `$GITHUB_OUTPUT` file: `name<<DELIMITER`, lines, `DELIMITER`.
fn parse_outputs(text: &str) -> BTreeMap<String, String> {
    let mut outputs = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let (name, delimiter) = line.split_once("<<").expect("the multi-line form");
        let value: Vec<&str> = lines.by_ref().take_while(|l| *l != delimiter).collect();
        let previous = outputs.insert(name.to_owned(), value.join("\n"));
        assert!(previous.is_none(), "{name} set twice");
    }
    outputs
}

#[test]
fn a_push_opens_the_release_pull_request_and_its_merge_publishes() {
    let Some(verdaccio) = Verdaccio::start() else {
        return;
    };
    let npm_token = verdaccio.add_user("relflow", "relflow-test-password");
    let server = ForgeServer::start(Kind::GitHub, "acme/widgets", TOKEN);
    let repo = TestRepo::new()
        .file(
            "package.json",
            r#"{ "private": true, "workspaces": ["js/*"] }"#,
        )
        .file(
            "js/web/package.json",
            "{\n  \"name\": \"@relflow-action/web\",\n  \"version\": \"1.0.0\"\n}\n",
        )
        .file(".npmrc", &verdaccio.npmrc("NPM_TOKEN"))
        .file("relflow.toml", &server.config_toml())
        .file(".changeset/README.md", "# Changesets\n")
        .commit("initial")
        .file(
            ".changeset/dark-mode.md",
            "---\n\"@relflow-action/web\": minor\n---\n\nDark mode\n",
        )
        .commit("dark mode");
    let origin = tempfile::tempdir().expect("origin");
    let origin_path = origin.path().to_str().expect("UTF-8");
    repo.git(["init", "--quiet", "--bare", origin_path]);
    repo.git(["remote", "add", "origin", origin_path]);
    repo.git(["push", "--quiet", "origin", "main"]);
    let env = [("NPM_TOKEN", npm_token.as_str())];

    // A push with a pending changeset: nothing released, the pull request opened.
    let (run, outputs) = release_step(&repo, "auto", &env);
    run.assert_code(0);
    let released: serde_json::Value = serde_json::from_str(&outputs["released"]).unwrap();
    assert_eq!(released["released"], serde_json::json!([]), "{outputs:?}");
    assert_eq!(outputs["published"], "false");
    assert!(!outputs.contains_key("publish"), "{outputs:?}");
    let pulls = server.pulls();
    assert_eq!(pulls.len(), 1);
    assert_eq!(
        outputs["pull-request"],
        format!("{}/acme/widgets/pull/{}", server.origin(), pulls[0].number),
        "{outputs:?}"
    );
    assert!(server.releases().is_empty());

    // The pull request is merged: main gets the release branch's commit.
    repo.git(["fetch", "--quiet", "origin", "relflow/release"]);
    repo.git(["merge", "--quiet", "--ff-only", "FETCH_HEAD"]);
    repo.git(["push", "--quiet", "origin", "main"]);
    let (run, outputs) = release_step(&repo, "auto", &env);
    run.assert_code(0);
    let released: serde_json::Value = serde_json::from_str(&outputs["released"]).unwrap();
    assert_eq!(
        released["released"],
        serde_json::json!([{
            "name": "@relflow-action/web",
            "ecosystem": "npm",
            "old_version": "1.0.0",
            "new_version": "1.1.0",
            "tag": "v1.1.0",
            "tag_exists": false,
        }]),
        "{}",
        run.stderr
    );
    assert_eq!(outputs["published"], "true", "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&outputs["publish"]).unwrap();
    assert_eq!(report["packages"][0]["result"], "published");
    assert_eq!(report["tags_pushed"], serde_json::json!(["v1.1.0"]));
    let tags = repo.git(["ls-remote", "--tags", "origin"]);
    assert!(tags.contains("refs/tags/v1.1.0"), "{tags}");
    let release = server.release("v1.1.0").expect("the forge release");
    assert!(release.body.contains("Dark mode"), "{}", release.body);
    // No changesets are left: the pull request is not touched again.
    assert_eq!(outputs["pull-request"], "");
    assert_eq!(server.pulls().len(), 1);

    // A re-run of the same push publishes nothing again.
    let (run, outputs) = release_step(&repo, "auto", &env);
    run.assert_code(0);
    assert_eq!(outputs["published"], "false", "{}", run.stderr);
    assert_eq!(server.releases().len(), 1);
}

#[test]
fn an_unknown_command_is_exit_2() {
    let repo = TestRepo::one_npm_package();
    let (run, outputs) = release_step(&repo, "deploy", &[]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("unknown command `deploy`"),
        "{}",
        run.stderr
    );
    assert!(outputs.is_empty());
}
