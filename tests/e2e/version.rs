//! `cargo relflow version`: every manifest, lockfile, linked file and changelog of polyglot
//! repositories, checked on the files and with the real package managers.

use std::process::Command;

use relflow_tests::TestRepo;

/// The first seven hex digits of HEAD: the commit that added the changesets in these tests.
fn head7(repo: &TestRepo) -> String {
    repo.git(["rev-parse", "HEAD"]).trim()[..7].to_owned()
}

/// Runs `cargo metadata --locked --offline` in the repository and returns its JSON.
fn cargo_metadata_locked(repo: &TestRepo) -> serde_json::Value {
    let output = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--locked",
            "--offline",
            "--no-deps",
            "--format-version",
            "1",
        ])
        .current_dir(repo.root())
        .env("CARGO_TARGET_DIR", repo.root().join(".home/target"))
        .output()
        .expect("run cargo metadata");
    assert!(
        output.status.success(),
        "cargo metadata --locked failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("metadata JSON")
}

/// Makes Cargo.lock with the real cargo (the test workspaces have no external dependencies).
fn generate_lockfile(repo: &TestRepo) {
    let status = Command::new(env!("CARGO"))
        .args(["generate-lockfile", "--offline"])
        .current_dir(repo.root())
        .status()
        .expect("run cargo generate-lockfile");
    assert!(status.success());
}

fn metadata_versions(metadata: &serde_json::Value) -> Vec<(String, String)> {
    let mut versions: Vec<(String, String)> = metadata["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap_or_default().to_owned(),
                p["version"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    versions.sort();
    versions
}

#[test]
fn npm_release_writes_versions_ranges_changelogs_and_deletes_changesets() {
    let repo = TestRepo::new()
        .file(
            "package.json",
            "{\n  \"private\": true,\n  \"workspaces\": [\"packages/*\"]\n}\n",
        )
        .file(
            "packages/a/package.json",
            "{\n  \"name\": \"pkg-a\",\n  \"version\": \"1.0.0\",\n  \"dependencies\": {\n    \"pkg-b\": \"1.0.0\"\n  }\n}\n",
        )
        .file(
            "packages/b/package.json",
            "{\n  \"name\": \"pkg-b\",\n  \"version\": \"1.0.0\"\n}\n",
        )
        .file(".changeset/config.json", "{}\n")
        .file(
            ".changeset/blue-cats-run.md",
            "---\n\"pkg-b\": minor\n---\n\nA new feature\n",
        )
        .commit("initial");
    let sha = head7(&repo);
    repo.relflow(["version"]).assert_code(0);
    assert_eq!(
        repo.read("packages/b/package.json"),
        "{\n  \"name\": \"pkg-b\",\n  \"version\": \"1.1.0\"\n}\n"
    );
    assert_eq!(
        repo.read("packages/a/package.json"),
        "{\n  \"name\": \"pkg-a\",\n  \"version\": \"1.0.1\",\n  \"dependencies\": {\n    \"pkg-b\": \"1.1.0\"\n  }\n}\n"
    );
    assert_eq!(
        repo.read("packages/b/CHANGELOG.md"),
        format!("# pkg-b\n\n## 1.1.0\n\n### Minor Changes\n\n- {sha}: A new feature\n")
    );
    assert_eq!(
        repo.read("packages/a/CHANGELOG.md"),
        format!("# pkg-a\n\n## 1.0.1\n\n### Patch Changes\n\n- Updated dependencies [{sha}]\n  - pkg-b@1.1.0\n")
    );
    assert!(repo.changeset_files().is_empty());
}

#[test]
fn dry_run_prints_the_diff_and_changes_nothing() {
    let repo = TestRepo::new()
        .file(
            "package.json",
            "{\n  \"private\": true,\n  \"workspaces\": [\"packages/*\"]\n}\n",
        )
        .file(
            "packages/b/package.json",
            "{\n  \"name\": \"pkg-b\",\n  \"version\": \"1.0.0\"\n}\n",
        )
        .file(
            ".changeset/blue-cats-run.md",
            "---\n\"pkg-b\": patch\n---\n\nA fix\n",
        )
        .commit("initial");
    let before = repo.snapshot_tree();
    let run = repo.relflow(["version", "--dry-run"]);
    run.assert_code(0);
    assert_eq!(repo.snapshot_tree(), before);
    assert!(
        run.stdout.contains(
            "--- a/packages/b/package.json\n+++ b/packages/b/package.json\n@@ -1,4 +1,4 @@\n {\n   \"name\": \"pkg-b\",\n-  \"version\": \"1.0.0\"\n+  \"version\": \"1.0.1\"\n }\n"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("--- a/.changeset/blue-cats-run.md\n+++ /dev/null\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("--- /dev/null\n+++ b/packages/b/CHANGELOG.md\n"),
        "{}",
        run.stdout
    );
}

/// A Tauri app: its Cargo.toml, tauri.conf.json and Cargo.lock follow its package.json.
#[test]
fn tauri_app_follows_its_package_json() {
    let repo = TestRepo::new()
        .file(
            "package.json",
            "{\n  \"private\": true,\n  \"workspaces\": [\"apps/*\"]\n}\n",
        )
        .file(
            "apps/cloudprint/package.json",
            "{\n  \"name\": \"cloudprint\",\n  \"private\": true,\n  \"version\": \"0.3.0\"\n}\n",
        )
        .file(
            "Cargo.toml",
            "[workspace]\nresolver = \"2\"\nmembers = [\"apps/cloudprint/src-tauri\"]\n",
        )
        .cargo_crate(
            "apps/cloudprint/src-tauri",
            "0.3.0",
            "publish = false # the app ships as an installer\n",
        )
        .file(
            "apps/cloudprint/src-tauri/tauri.conf.json",
            "{\n  \"productName\": \"CloudPrint\",\n  \"version\": \"0.3.0\",\n  \"identifier\": \"com.example.cloudprint\"\n}\n",
        )
        .file(
            "relflow.toml",
            "fixed = [[\"npm:cloudprint\", \"cargo:src-tauri\"]]\n\n[[sync]]\npackage = \"npm:cloudprint\"\nfile = \"apps/cloudprint/src-tauri/tauri.conf.json\"\njson = \"/version\"\n",
        )
        .file(".changeset/new-ui.md", "---\n\"npm:cloudprint\": minor\n---\n\nNew UI\n");
    generate_lockfile(&repo);
    let repo = repo.commit("initial");
    repo.relflow(["version"]).assert_code(0);
    assert_eq!(
        repo.read("apps/cloudprint/package.json"),
        "{\n  \"name\": \"cloudprint\",\n  \"private\": true,\n  \"version\": \"0.4.0\"\n}\n"
    );
    assert_eq!(
        repo.read("apps/cloudprint/src-tauri/Cargo.toml"),
        "[package]\nname = \"src-tauri\"\nversion = \"0.4.0\"\nedition = \"2021\"\npublish = false # the app ships as an installer\n"
    );
    assert_eq!(
        repo.read("apps/cloudprint/src-tauri/tauri.conf.json"),
        "{\n  \"productName\": \"CloudPrint\",\n  \"version\": \"0.4.0\",\n  \"identifier\": \"com.example.cloudprint\"\n}\n"
    );
    let metadata = cargo_metadata_locked(&repo);
    assert_eq!(
        metadata_versions(&metadata),
        [("src-tauri".to_owned(), "0.4.0".to_owned())]
    );
    assert!(repo
        .read("Cargo.lock")
        .contains("name = \"src-tauri\"\nversion = \"0.4.0\"\n"));
}

/// One version shared by a Rust core, its FFI crate, a Python SDK, a TypeScript SDK and a CI
/// file pinning `FFI_VERSION`.
#[test]
fn one_version_across_core_ffi_python_typescript_and_ci() {
    let repo = TestRepo::new()
        .file(
            "Cargo.toml",
            "[workspace]\nresolver = \"2\"\nmembers = [\"crates/*\"]\n",
        )
        .cargo_crate("crates/core", "1.2.0", "")
        .cargo_crate(
            "crates/core-ffi",
            "1.2.0",
            "\n[dependencies]\ncore = { path = \"../core\", version = \"=1.2.0\" } # exact pin\n",
        )
        .file(
            "package.json",
            "{\n  \"private\": true,\n  \"workspaces\": [\"sdk/ts\"]\n}\n",
        )
        .file(
            "sdk/ts/package.json",
            "{\n  \"name\": \"@acme/sdk\",\n  \"version\": \"1.2.0\"\n}\n",
        )
        .file(
            "sdk/python/pyproject.toml",
            "[project]\nname = \"acme-sdk\"\nversion = \"1.2.0\"\ndependencies = []\n",
        )
        .file(
            ".github/workflows/ci.yml",
            "env:\n  FFI_VERSION: \"1.2.0\"\njobs: {}\n",
        )
        .file(
            "relflow.toml",
            "fixed = [[\"core\", \"core-ffi\", \"@acme/sdk\", \"acme-sdk\"]]\n\n[[sync]]\npackage = \"core-ffi\"\nfile = \".github/workflows/ci.yml\"\nregex = 'FFI_VERSION: \"(?<version>[^\"]+)\"'\n",
        )
        .file(".changeset/faster.md", "---\ncore: minor\n---\n\nFaster core\n");
    generate_lockfile(&repo);
    let repo = repo.commit("initial");
    repo.relflow(["version"]).assert_code(0);
    assert!(repo
        .read("crates/core-ffi/Cargo.toml")
        .contains("version = \"1.3.0\"\n"));
    assert!(
        repo.read("crates/core-ffi/Cargo.toml")
            .contains("core = { path = \"../core\", version = \"=1.3.0\" } # exact pin\n"),
        "{}",
        repo.read("crates/core-ffi/Cargo.toml")
    );
    assert_eq!(
        repo.read("sdk/ts/package.json"),
        "{\n  \"name\": \"@acme/sdk\",\n  \"version\": \"1.3.0\"\n}\n"
    );
    assert_eq!(
        repo.read("sdk/python/pyproject.toml"),
        "[project]\nname = \"acme-sdk\"\nversion = \"1.3.0\"\ndependencies = []\n"
    );
    assert_eq!(
        repo.read(".github/workflows/ci.yml"),
        "env:\n  FFI_VERSION: \"1.3.0\"\njobs: {}\n"
    );
    assert_eq!(
        metadata_versions(&cargo_metadata_locked(&repo)),
        [
            ("core".to_owned(), "1.3.0".to_owned()),
            ("core-ffi".to_owned(), "1.3.0".to_owned())
        ]
    );
}

/// Adds crate `crates/NAME` that inherits its version and edition, with `extra` manifest text.
fn inheriting_crate(repo: TestRepo, name: &str, extra: &str) -> TestRepo {
    repo.file(
        &format!("crates/{name}/Cargo.toml"),
        &format!(
            "[package]\nname = \"{name}\"\nversion.workspace = true\nedition.workspace = true\n{extra}"
        ),
    )
    .file(&format!("crates/{name}/src/lib.rs"), "")
}

/// `version.workspace = true` members and `[workspace.dependencies]`.
#[test]
fn workspace_inheritance_and_workspace_dependencies() {
    let repo = TestRepo::new().file(
        "Cargo.toml",
        "[workspace]\nresolver = \"2\"\nmembers = [\"crates/*\"]\n\n[workspace.package]\nversion = \"0.3.0\" # shared\nedition = \"2021\"\n\n[workspace.dependencies]\nbase = { path = \"crates/base\", version = \"0.3.0\" }\n",
    );
    let repo = inheriting_crate(repo, "base", "");
    let repo = inheriting_crate(
        repo,
        "tool",
        "\n[dependencies]\nbase = { workspace = true }\n",
    )
    .file("relflow.toml", "fixed = [[\"base\", \"tool\"]]\n")
    .file(
        ".changeset/breaking.md",
        "---\nbase: minor\n---\n\nNew API\n",
    );
    generate_lockfile(&repo);
    let repo = repo.commit("initial");
    repo.relflow(["version"]).assert_code(0);
    assert_eq!(
        repo.read("Cargo.toml"),
        "[workspace]\nresolver = \"2\"\nmembers = [\"crates/*\"]\n\n[workspace.package]\nversion = \"0.4.0\" # shared\nedition = \"2021\"\n\n[workspace.dependencies]\nbase = { path = \"crates/base\", version = \"0.4.0\" }\n"
    );
    assert_eq!(
        repo.read("crates/tool/Cargo.toml"),
        "[package]\nname = \"tool\"\nversion.workspace = true\nedition.workspace = true\n\n[dependencies]\nbase = { workspace = true }\n"
    );
    assert_eq!(
        metadata_versions(&cargo_metadata_locked(&repo)),
        [
            ("base".to_owned(), "0.4.0".to_owned()),
            ("tool".to_owned(), "0.4.0".to_owned())
        ]
    );
}

/// Crates that inherit one workspace version cannot get different versions.
#[test]
fn diverging_inherited_versions_are_refused_before_writing() {
    let repo = TestRepo::new().file(
        "Cargo.toml",
        "[workspace]\nresolver = \"2\"\nmembers = [\"crates/*\"]\n\n[workspace.package]\nversion = \"0.3.0\"\nedition = \"2021\"\n",
    );
    let repo = inheriting_crate(inheriting_crate(repo, "base", ""), "tool", "")
        .file(".changeset/one.md", "---\nbase: minor\n---\n\nNew API\n")
        .commit("initial");
    let before = repo.snapshot_tree();
    let run = repo.relflow(["version"]);
    run.assert_code(2);
    assert!(run.stderr.contains("[workspace.package]"), "{}", run.stderr);
    assert!(run.stderr.contains("fixed"), "{}", run.stderr);
    assert_eq!(repo.snapshot_tree(), before);
}

/// A pre-release cycle: Python gets `b0`, `b1`, then the final version.
#[test]
fn python_pre_release_cycle() {
    let repo = TestRepo::new()
        .file(
            "sdk/pyproject.toml",
            "[project]\nname = \"acme\"\nversion = \"1.2.0\" # managed by relflow\n",
        )
        .file(".changeset/config.json", "{}\n")
        .commit("initial");
    repo.relflow(["version", "pre", "enter", "beta"])
        .assert_code(0);
    repo.write(".changeset/one.md", "---\nacme: minor\n---\n\nFirst\n");
    repo.commit_all("one");
    repo.relflow(["version"]).assert_code(0);
    assert_eq!(
        repo.read("sdk/pyproject.toml"),
        "[project]\nname = \"acme\"\nversion = \"1.3.0b0\" # managed by relflow\n"
    );
    assert!(repo.root().join(".changeset/pre/one.md").exists());
    repo.write(".changeset/two.md", "---\nacme: patch\n---\n\nSecond\n");
    repo.commit_all("two");
    repo.relflow(["version"]).assert_code(0);
    assert_eq!(
        repo.read("sdk/pyproject.toml"),
        "[project]\nname = \"acme\"\nversion = \"1.3.0b1\" # managed by relflow\n"
    );
    repo.relflow(["version", "pre", "exit"]).assert_code(0);
    repo.commit_all("exit");
    repo.relflow(["version"]).assert_code(0);
    assert_eq!(
        repo.read("sdk/pyproject.toml"),
        "[project]\nname = \"acme\"\nversion = \"1.3.0\" # managed by relflow\n"
    );
    assert!(!repo.root().join(".changeset/pre.json").exists());
    assert!(repo.changeset_files().is_empty());
    assert!(!repo.root().join(".changeset/pre/one.md").exists());
    let changelog = repo.read("sdk/CHANGELOG.md");
    assert!(
        changelog.starts_with("# acme\n\n## 1.3.0\n\n### Minor Changes\n\n"),
        "{changelog}"
    );
    assert!(changelog.contains("## 1.3.0b1\n"), "{changelog}");
    assert!(changelog.contains("## 1.3.0b0\n"), "{changelog}");
}

/// A maturin project takes its version from its Cargo.toml.
#[test]
fn maturin_package_writes_its_cargo_toml() {
    let repo = TestRepo::new()
        .file(
            "bindings/pyproject.toml",
            "[project]\nname = \"acme-native\"\ndynamic = [\"version\"]\n\n[build-system]\nrequires = [\"maturin>=1,<2\"]\nbuild-backend = \"maturin\"\n\n[tool.maturin]\nfeatures = [\"pyo3/extension-module\"]\n",
        )
        .file(
            "bindings/Cargo.toml",
            "[package]\nname = \"acme-native\"\nversion = \"0.5.0\"\nedition = \"2021\"\n\n[workspace]\n",
        )
        .file("bindings/src/lib.rs", "")
        .file(
            "relflow.toml",
            "[python]\npaths = [\"bindings\"]\n",
        )
        .file(
            ".changeset/speed.md",
            "---\n\"python:acme-native\": minor\n---\n\nFaster\n",
        )
        .commit("initial");
    let pyproject = repo.read("bindings/pyproject.toml");
    repo.relflow(["version"]).assert_code(0);
    assert_eq!(
        repo.read("bindings/Cargo.toml"),
        "[package]\nname = \"acme-native\"\nversion = \"0.6.0\"\nedition = \"2021\"\n\n[workspace]\n"
    );
    assert_eq!(repo.read("bindings/pyproject.toml"), pyproject);
}

/// A generic package: a Go service whose version is a constant.
#[test]
fn generic_package_with_a_go_version_constant() {
    let repo = TestRepo::new()
        .file(
            "services/api/version.go",
            "package main\n\n// Version is set by relflow.\nconst Version = \"2.4.1\"\n",
        )
        .file(
            "relflow.toml",
            "[[package]]\nname = \"api\"\npath = \"services/api\"\nversion_file = \"version.go\"\nregex = 'const Version = \"(?<version>[^\"]+)\"'\n",
        )
        .file(".changeset/api.md", "---\napi: major\n---\n\nNew protocol\n")
        .commit("initial");
    let sha = head7(&repo);
    repo.relflow(["version"]).assert_code(0);
    assert_eq!(
        repo.read("services/api/version.go"),
        "package main\n\n// Version is set by relflow.\nconst Version = \"3.0.0\"\n"
    );
    assert_eq!(
        repo.read("services/api/CHANGELOG.md"),
        format!("# api\n\n## 3.0.0\n\n### Major Changes\n\n- {sha}: New protocol\n")
    );
}

/// A linked file that does not carry the version stops the run before anything is written.
#[test]
fn a_broken_sync_target_changes_nothing() {
    let repo = TestRepo::new()
        .file(
            "package.json",
            "{\n  \"private\": true,\n  \"workspaces\": [\"packages/*\"]\n}\n",
        )
        .file(
            "packages/b/package.json",
            "{\n  \"name\": \"pkg-b\",\n  \"version\": \"1.0.0\"\n}\n",
        )
        .file("deploy/values.yaml", "image:\n  tag: latest\n")
        .file(
            "relflow.toml",
            "[[sync]]\npackage = \"pkg-b\"\nfile = \"deploy/values.yaml\"\nregex = 'version: (?<version>\\S+)'\n",
        )
        .file(".changeset/fix.md", "---\n\"pkg-b\": patch\n---\n\nFix\n")
        .commit("initial");
    let before = repo.snapshot_tree();
    let run = repo.relflow(["version"]);
    run.assert_code(2);
    assert!(run.stderr.contains("deploy/values.yaml"), "{}", run.stderr);
    assert_eq!(repo.snapshot_tree(), before);
}

fn npm_and_python_repo(config: &str) -> TestRepo {
    TestRepo::new()
        .file(
            "package.json",
            "{\n  \"private\": true,\n  \"workspaces\": [\"packages/*\"]\n}\n",
        )
        .file(
            "packages/a/package.json",
            "{\n  \"name\": \"pkg-a\",\n  \"version\": \"1.0.0\"\n}\n",
        )
        .file(
            "py/pyproject.toml",
            "[project]\nname = \"acme\"\nversion = \"1.0.0\"\n",
        )
        .file(".changeset/config.json", config)
        .file(
            ".changeset/fix.md",
            "---\n\"pkg-a\": patch\nacme: minor\n---\n\nFix\n",
        )
        .commit("initial")
}

/// `--snapshot TAG`: `0.0.0-TAG-DATETIME`, written `.devN` in pyproject.toml.
#[test]
fn snapshot_versions_in_npm_and_pep_440_form() {
    let repo = npm_and_python_repo("{}\n");
    repo.relflow(["version", "--snapshot", "canary"])
        .assert_code(0);
    let package: serde_json::Value =
        serde_json::from_str(&repo.read("packages/a/package.json")).unwrap();
    let version = package["version"].as_str().unwrap();
    let datetime = version
        .strip_prefix("0.0.0-canary-")
        .unwrap_or_else(|| panic!("{version}"));
    assert!(
        datetime.len() == 14 && datetime.bytes().all(|b| b.is_ascii_digit()),
        "{version}"
    );
    assert_eq!(
        repo.read("py/pyproject.toml"),
        format!("[project]\nname = \"acme\"\nversion = \"0.0.0.dev{datetime}\"\n")
    );
    assert!(repo.changeset_files().is_empty());
}

/// `--no-changelog` and `"changelog": false` write no CHANGELOG.md but everything else.
#[test]
fn no_changelog_flag_and_config() {
    for (config, args) in [
        ("{}\n", vec!["version", "--no-changelog"]),
        ("{ \"changelog\": false }\n", vec!["version"]),
    ] {
        let repo = npm_and_python_repo(config);
        repo.relflow(args).assert_code(0);
        assert!(repo.read("packages/a/package.json").contains("\"1.0.1\""));
        assert!(repo
            .read("py/pyproject.toml")
            .contains("version = \"1.1.0\""));
        assert!(!repo.root().join("packages/a/CHANGELOG.md").exists());
        assert!(!repo.root().join("py/CHANGELOG.md").exists());
    }
}

/// `[changelog] conventional_commits = true`: the commits that touched the package since its
/// last tag (`v{version}`: the repository has one package) follow the changeset entries, grouped
/// by git-cliff.
#[test]
fn conventional_commits_since_the_last_tag() {
    let repo = TestRepo::new()
        .file(
            "package.json",
            "{\n  \"private\": true,\n  \"workspaces\": [\"packages/*\"]\n}\n",
        )
        .file(
            "packages/a/package.json",
            "{\n  \"name\": \"pkg-a\",\n  \"version\": \"1.0.0\"\n}\n",
        )
        .file("relflow.toml", "[changelog]\nconventional_commits = true\n")
        .commit("chore: initial");
    repo.git(["tag", "v1.0.0"]);
    repo.write("packages/a/index.js", "export const a = 1;\n");
    repo.commit_all("feat: export a");
    repo.write("packages/a/index.js", "export const a = 2;\n");
    repo.commit_all("fix: a is two");
    repo.write("README.md", "elsewhere\n");
    repo.commit_all("feat: not in the package");
    repo.write(".changeset/a.md", "---\n\"pkg-a\": minor\n---\n\nNew a\n");
    repo.commit_all("docs: changeset");
    let short = |rev: &str| repo.git(["rev-parse", "--short=7", rev]).trim().to_owned();
    let (changeset, fix, feat) = (short("HEAD"), short("HEAD~2"), short("HEAD~3"));
    repo.relflow(["version"]).assert_code(0);
    assert_eq!(
        repo.read("packages/a/CHANGELOG.md"),
        format!(
            "# pkg-a\n\n## 1.1.0\n\n### Minor Changes\n\n- {changeset}: New a\n\n\
             ### Features\n\n- Export a ({feat})\n\n### Bug Fixes\n\n- A is two ({fix})\n"
        )
    );
}
