//! `cargo relflow repos`: a release set of five real git repositories, each with a local bare
//! `origin`, released from a coordinating repository: sdk-rust (a Cargo workspace), sdk-python
//! (pyproject, CI file pinning `FFI_VERSION`), sdk-typescript (package.json, CI file pinning
//! `NAPI_VERSION`), sdk-kotlin (a generic package, cloned from its `url`), and a server.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use camino::{Utf8Path, Utf8PathBuf};
use relflow_tests::registry::npm::Verdaccio;
use relflow_tests::{Run, TestRepo};

/// The coordinating repository, the working clones and their bare origins.
struct Set {
    coordinator: TestRepo,
    members: BTreeMap<&'static str, TestRepo>,
    origins: tempfile::TempDir,
}

const NAMES: [&str; 5] = [
    "sdk-rust",
    "sdk-python",
    "sdk-typescript",
    "sdk-kotlin",
    "server",
];

fn changeset(bump_line: &str) -> String {
    format!("---\n{bump_line}\n---\n\nA change\n")
}

impl Set {
    /// The five repos at 1.2.0 (each origin has tag `v1.2.0`), with pending changesets: a minor
    /// one in sdk-rust, patches elsewhere, so the shared version is 1.3.0.
    fn new() -> Set {
        Set::with_config(|toml| toml)
    }

    /// [`Set::new`] with the coordinator's relflow.toml passed through `edit`.
    fn with_config(edit: impl FnOnce(String) -> String) -> Set {
        let origins = tempfile::Builder::new()
            .prefix("relflow-origins-")
            .tempdir()
            .expect("temp dir");
        let rust = TestRepo::new()
            .file(
                "Cargo.toml",
                "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n",
            )
            .cargo_crate("crates/sdk-core", "1.2.0", "")
            .cargo_crate(
                "crates/sdk-ffi",
                "1.2.0",
                "\n[dependencies]\nsdk-core = { path = \"../sdk-core\", version = \"1.2.0\" }\n",
            )
            .file("relflow.toml", "fixed = [[\"sdk-core\", \"sdk-ffi\"]]\n")
            .file(".gitignore", "target/\n")
            .file(".changeset/ffi.md", &changeset("\"sdk-core\": minor"));
        let python = TestRepo::new()
            .file(
                "pyproject.toml",
                "[project]\nname = \"acme-sdk\"\nversion = \"1.2.0\"\n",
            )
            .file(
                ".github/workflows/ci.yml",
                "env:\n  FFI_VERSION: \"1.2.0\"\njobs: {}\n",
            )
            .file(".changeset/py.md", &changeset("\"acme-sdk\": patch"));
        let typescript = TestRepo::new()
            .file(
                "package.json",
                r#"{ "private": true, "workspaces": ["packages/*"] }"#,
            )
            .file(
                "packages/sdk/package.json",
                "{\n  \"name\": \"@acme/sdk\",\n  \"version\": \"1.2.0\"\n}\n",
            )
            .file(
                ".github/workflows/ci.yml",
                "env:\n  NAPI_VERSION: \"1.2.0\"\n",
            )
            .file(".changeset/ts.md", &changeset("\"@acme/sdk\": patch"));
        let kotlin = TestRepo::new()
            .file("gradle.properties", "version=1.2.0\nffiVersion=1.2.0\n")
            .file(
                "relflow.toml",
                "[[package]]\nname = \"sdk-kotlin\"\npath = \".\"\nversion_file = \"gradle.properties\"\nregex = '(?m)^version=(?<version>\\S+)'\n",
            )
            .file(".changeset/kt.md", &changeset("\"sdk-kotlin\": patch"));
        let server = TestRepo::new()
            .file(
                "package.json",
                r#"{ "private": true, "workspaces": ["app"] }"#,
            )
            .file(
                "app/package.json",
                "{\n  \"name\": \"server\",\n  \"version\": \"1.2.0\"\n}\n",
            )
            .file("deploy.toml", "[sdk]\nversion = \"1.2.0\"\n")
            .file(".changeset/srv.md", &changeset("\"server\": patch"));
        let mut members = BTreeMap::new();
        for (name, repo) in NAMES
            .into_iter()
            .zip([rust, python, typescript, kotlin, server])
        {
            let repo = repo.commit("initial");
            with_origin(&repo, &origins.path().join(format!("{name}.git")));
            members.insert(name, repo);
        }
        let origins_dir = Utf8Path::from_path(origins.path())
            .expect("test setup")
            .to_owned();
        let path = |name: &str| members[name].root().to_string();
        let toml = format!(
            r#"version = "shared"

[[repo]]
name = "sdk-rust"
path = "{rust}"

[[repo]]
name = "sdk-python"
path = "{python}"
after = ["sdk-rust"]
pin = [{{ from = "sdk-rust", file = ".github/workflows/ci.yml", regex = 'FFI_VERSION: "(?<version>[^"]+)"' }}]

[[repo]]
name = "sdk-typescript"
path = "{typescript}"
pin = [{{ from = "sdk-rust", file = ".github/workflows/ci.yml", regex = 'NAPI_VERSION: "(?<version>[^"]+)"' }}]

[[repo]]
name = "sdk-kotlin"
url = "file://{origins_dir}/sdk-kotlin.git"
pin = [{{ from = "sdk-rust", file = "gradle.properties", regex = 'ffiVersion=(?<version>\S+)' }}]

[[repo]]
name = "server"
path = "{server}"
after = ["sdk-python", "sdk-kotlin"]
pin = [{{ from = "sdk-typescript", file = "deploy.toml", toml = "sdk.version" }}]
"#,
            rust = path("sdk-rust"),
            python = path("sdk-python"),
            typescript = path("sdk-typescript"),
            server = path("server"),
        );
        let coordinator = TestRepo::new()
            .file("relflow.toml", &edit(toml))
            .file(".gitignore", ".relflow/\n")
            .commit("the release set");
        Set {
            coordinator,
            members,
            origins,
        }
    }

    fn relflow(&self, args: &[&str]) -> Run {
        self.coordinator.relflow(args)
    }

    fn bare(&self, name: &str) -> Utf8PathBuf {
        Utf8Path::from_path(self.origins.path())
            .expect("test setup")
            .join(format!("{name}.git"))
    }

    /// git in the bare origin of `name`.
    fn origin_git(&self, name: &str, args: &[&str]) -> String {
        let output = self
            .coordinator
            .isolated(Command::new("git"))
            .arg("--git-dir")
            .arg(self.bare(name))
            .args(args)
            .output()
            .expect("run git");
        assert!(
            output.status.success(),
            "git {args:?} in origin {name}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    fn origin_tags(&self, name: &str) -> Vec<String> {
        self.origin_git(name, &["tag", "--list"])
            .lines()
            .map(ToOwned::to_owned)
            .collect()
    }

    fn origin_file(&self, name: &str, path: &str) -> String {
        self.origin_git(name, &["show", &format!("main:{path}")])
    }

    /// Every ref of every origin with its target.
    fn origin_refs(&self) -> BTreeMap<String, String> {
        NAMES
            .iter()
            .map(|name| {
                (
                    (*name).to_owned(),
                    self.origin_git(name, &["for-each-ref", "--format=%(refname) %(objectname)"]),
                )
            })
            .collect()
    }

    /// The files and refs of every working clone (the kotlin cache too, once cloned).
    fn clones(&self) -> Vec<(BTreeMap<Utf8PathBuf, Vec<u8>>, String)> {
        self.members
            .values()
            .map(|repo| {
                (
                    repo.snapshot_tree(),
                    repo.git(["for-each-ref", "--format=%(refname) %(objectname)"]),
                )
            })
            .collect()
    }

    /// Makes the origin of `name` refuse every push, or accept them again.
    fn reject_pushes(&self, name: &str, reject: bool) {
        let hook = self.bare(name).join("hooks/pre-receive");
        if reject {
            std::fs::write(&hook, "#!/bin/sh\necho 'pushes are closed' >&2\nexit 1\n")
                .expect("test setup");
            std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755))
                .expect("test setup");
        } else {
            std::fs::remove_file(&hook).expect("test setup");
        }
    }
}

/// Gives `repo` a new bare `origin` at `bare` with its `main` and a tag `v1.2.0`.
fn with_origin(repo: &TestRepo, bare: &std::path::Path) {
    let output = repo
        .isolated(Command::new("git"))
        .args(["init", "--quiet", "--bare", "--initial-branch=main"])
        .arg(bare)
        .output()
        .expect("git init --bare");
    assert!(output.status.success());
    repo.git([
        "remote",
        "add",
        "origin",
        bare.to_str().expect("a UTF-8 path"),
    ]);
    repo.git(["tag", "v1.2.0"]);
    repo.git(["push", "--quiet", "-u", "origin", "main", "v1.2.0"]);
}

#[test]
fn status_shows_each_plan_in_release_order_with_levels_tags_and_pins() {
    let set = Set::new();
    let run = set.relflow(&["repos", "status", "--format", "json"]);
    run.assert_code(0);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["shared_version"], "1.3.0");
    let repos = json["repos"].as_array().unwrap();
    let order: Vec<(&str, u64)> = repos
        .iter()
        .map(|r| (r["name"].as_str().unwrap(), r["level"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        order,
        [
            ("sdk-rust", 0),
            ("sdk-python", 1),
            ("sdk-typescript", 1),
            ("sdk-kotlin", 1),
            ("server", 2)
        ]
    );
    for repo in repos {
        assert_eq!(repo["version"], "1.3.0", "{repo}");
        assert_eq!(repo["tags"], serde_json::json!(["v1.3.0"]), "{repo}");
    }
    // The plan is what `changeset status` says in that repo.
    let python_status =
        set.members["sdk-python"].relflow(["changeset", "status", "--format", "json"]);
    python_status.assert_code(0);
    let own: serde_json::Value = serde_json::from_str(&python_status.stdout).unwrap();
    assert_eq!(repos[1]["plan"], own);
    assert_eq!(
        repos[1]["pins"],
        serde_json::json!([{ "file": ".github/workflows/ci.yml", "from": "sdk-rust", "old": "1.2.0", "new": "1.3.0" }])
    );
    assert_eq!(repos[4]["pins"][0]["from"], "sdk-typescript");
    let human = set.relflow(&["repos", "status"]);
    human.assert_code(0);
    assert!(
        human.stdout.contains("Level 2\n  server  v1.3.0"),
        "{}",
        human.stdout
    );
    assert!(
        human
            .stdout
            .contains("pin: deploy.toml 1.2.0 -> 1.3.0 (from sdk-typescript)"),
        "{}",
        human.stdout
    );
    let markdown = set.relflow(&["repos", "status", "--format", "markdown"]);
    assert!(
        markdown
            .stdout
            .contains("| 1 | sdk-kotlin | v1.3.0 | `v1.3.0` |"),
        "{}",
        markdown.stdout
    );
}

#[test]
fn dry_run_prints_every_step_and_changes_nothing() {
    let set = Set::new();
    // The url repo is cloned into the cache by the first command; snapshot after that.
    set.relflow(&["repos", "status"]).assert_code(0);
    let clones = set.clones();
    let refs = set.origin_refs();
    let coordinator = set.coordinator.snapshot_tree();
    let run = set.relflow(&["repos", "release", "--dry-run"]);
    run.assert_code(0);
    assert!(
        run.stdout.contains("== level 0: sdk-rust v1.3.0"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("-  FFI_VERSION: \"1.2.0\"\n+  FFI_VERSION: \"1.3.0\""),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("+version = \"1.3.0\""),
        "{}",
        run.stdout
    );
    assert_eq!(
        run.stdout.matches("would tag: v1.3.0").count(),
        5,
        "{}",
        run.stdout
    );
    assert_eq!(
        run.stdout
            .matches("would commit: chore: release v1.3.0")
            .count(),
        5
    );
    assert_eq!(set.clones(), clones);
    assert_eq!(set.origin_refs(), refs);
    assert_eq!(set.coordinator.snapshot_tree(), coordinator);
}

#[test]
fn a_release_versions_pins_commits_tags_and_pushes_every_repo_in_order() {
    let set = Set::new();
    let run = set.relflow(&["repos", "release", "--jobs", "2"]);
    run.assert_code(0);
    for name in NAMES {
        assert_eq!(set.origin_tags(name), ["v1.2.0", "v1.3.0"], "{name}");
        let log = set.origin_git(name, &["log", "--format=%s", "main"]);
        assert_eq!(log.lines().next(), Some("chore: release v1.3.0"), "{name}");
        let tagged = set.origin_git(name, &["rev-list", "-n1", "v1.3.0"]);
        assert_eq!(
            tagged,
            set.origin_git(name, &["rev-parse", "main"]),
            "{name}"
        );
    }
    assert!(set
        .origin_file("sdk-rust", "crates/sdk-ffi/Cargo.toml")
        .contains("version = \"1.3.0\""));
    assert!(set
        .origin_file("sdk-rust", "crates/sdk-core/CHANGELOG.md")
        .contains("## 1.3.0"));
    assert!(set
        .origin_file("sdk-python", "pyproject.toml")
        .contains("version = \"1.3.0\""));
    assert!(set
        .origin_file("sdk-python", ".github/workflows/ci.yml")
        .contains("FFI_VERSION: \"1.3.0\""));
    assert!(set
        .origin_file("sdk-typescript", "packages/sdk/package.json")
        .contains("\"version\": \"1.3.0\""));
    assert!(set
        .origin_file("sdk-typescript", ".github/workflows/ci.yml")
        .contains("NAPI_VERSION: \"1.3.0\""));
    assert_eq!(
        set.origin_file("sdk-kotlin", "gradle.properties"),
        "version=1.3.0\nffiVersion=1.3.0\n"
    );
    assert_eq!(
        set.origin_file("server", "deploy.toml"),
        "[sdk]\nversion = \"1.3.0\"\n"
    );
    assert!(!set.members["sdk-python"]
        .root()
        .join(".changeset/py.md")
        .exists());
    // Level by level: sdk-rust first, the server last.
    let pushed: Vec<&str> = run
        .stderr
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("Pushed "))
        .map(|l| l.split(':').next().unwrap())
        .collect();
    assert_eq!(pushed.len(), 5, "{}", run.stderr);
    assert_eq!(pushed[0], "sdk-rust");
    assert_eq!(pushed[4], "server");
    // A second release has nothing to do.
    set.relflow(&["repos", "release"]).assert_code(1);
}

#[test]
fn a_tag_that_exists_stops_everything_before_any_change() {
    let set = Set::new();
    set.members["sdk-typescript"].git(["tag", "v1.3.0"]);
    set.relflow(&["repos", "status"]).assert_code(0);
    let clones = set.clones();
    let refs = set.origin_refs();
    let run = set.relflow(&["repos", "release"]);
    run.assert_code(2);
    assert!(
        run.stderr
            .contains("repo `sdk-typescript`: tag `v1.3.0` already exists locally"),
        "{}",
        run.stderr
    );
    assert_eq!(set.clones(), clones);
    assert_eq!(set.origin_refs(), refs);
    assert!(!set
        .coordinator
        .root()
        .join(".relflow/repos-run.json")
        .exists());
    // On origin only, too.
    set.members["sdk-typescript"].git(["push", "--quiet", "origin", "v1.3.0"]);
    set.members["sdk-typescript"].git(["tag", "--delete", "v1.3.0"]);
    let run = set.relflow(&["repos", "release", "--dry-run"]);
    run.assert_code(2);
    assert!(
        run.stderr
            .contains("repo `sdk-typescript`: tag `v1.3.0` already exists on origin"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_failed_level_resumes_without_tagging_twice_and_rollback_removes_the_pushed_tags() {
    let set = Set::new();
    set.reject_pushes("sdk-python", true);
    let run = set.relflow(&["repos", "release", "--jobs", "1"]);
    run.assert_code(3);
    assert!(run.stderr.contains("repo `sdk-python`"), "{}", run.stderr);
    assert!(run.stderr.contains("level 1 failed"), "{}", run.stderr);
    // Level 0 is done; the rest of level 1 went through; level 2 did not start.
    assert_eq!(set.origin_tags("sdk-rust"), ["v1.2.0", "v1.3.0"]);
    assert_eq!(set.origin_tags("sdk-typescript"), ["v1.2.0", "v1.3.0"]);
    assert_eq!(set.origin_tags("sdk-python"), ["v1.2.0"]);
    assert_eq!(set.origin_tags("server"), ["v1.2.0"]);
    let rust_tag = set.origin_git("sdk-rust", &["rev-parse", "v1.3.0"]);
    let python_commit = set.members["sdk-python"].git(["rev-parse", "HEAD"]);

    set.reject_pushes("sdk-python", false);
    let run = set.relflow(&["repos", "release"]);
    run.assert_code(0);
    assert!(run.stderr.contains("Resuming"), "{}", run.stderr);
    assert!(!run.stderr.contains("Committed sdk-rust"), "{}", run.stderr);
    assert!(!run.stderr.contains("Tagged sdk-python"), "{}", run.stderr);
    for name in NAMES {
        assert_eq!(set.origin_tags(name), ["v1.2.0", "v1.3.0"], "{name}");
        let log = set.origin_git(name, &["log", "--format=%s", "main"]);
        assert_eq!(log.matches("chore: release v1.3.0").count(), 1, "{name}");
    }
    assert_eq!(
        set.origin_git("sdk-rust", &["rev-parse", "v1.3.0"]),
        rust_tag
    );
    assert_eq!(
        set.origin_git("sdk-python", &["rev-parse", "main"]),
        python_commit
    );

    let run = set.relflow(&["repos", "rollback"]);
    run.assert_code(0);
    for name in NAMES {
        assert_eq!(set.origin_tags(name), ["v1.2.0"], "{name}");
        let log = set.origin_git(name, &["log", "--format=%s", "main"]);
        assert_eq!(
            log.lines().take(2).collect::<Vec<_>>(),
            ["Revert \"chore: release v1.3.0\"", "chore: release v1.3.0"],
            "{name}"
        );
    }
    assert!(set.members["sdk-rust"].git(["tag", "--list"]).trim() == "v1.2.0");
    assert_eq!(
        set.origin_file("sdk-python", ".github/workflows/ci.yml"),
        "env:\n  FFI_VERSION: \"1.2.0\"\njobs: {}\n"
    );
    set.relflow(&["repos", "rollback"]).assert_code(2);
}

#[test]
fn bad_sets_are_exit_2_before_any_change() {
    let set =
        Set::with_config(|toml| toml.replace("after = [\"sdk-rust\"]", "after = [\"sdk-rsut\"]"));
    let run = set.relflow(&["repos", "release", "--dry-run"]);
    run.assert_code(2);
    assert!(
        run.stderr
            .contains("names `sdk-rsut`, which is not a `[[repo]]`"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("relflow.toml:10"), "{}", run.stderr);

    let not_git = tempfile::tempdir().unwrap();
    let not_git = not_git.path().to_str().unwrap().to_owned();
    let set = Set::with_config(|toml| {
        let mut lines: Vec<String> = toml.lines().map(ToOwned::to_owned).collect();
        lines[4] = format!("path = \"{not_git}\"");
        lines.join("\n")
    });
    let run = set.relflow(&["repos", "status"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("is not a git repository"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("relflow.toml:5"), "{}", run.stderr);

    let set = Set::with_config(|toml| toml.replace("'NAPI_VERSION:", "'NAPI_VERSON:"));
    set.relflow(&["repos", "status"]).assert_code(2);
    let clones = set.clones();
    let refs = set.origin_refs();
    let run = set.relflow(&["repos", "release"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("repo `sdk-typescript`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(".github/workflows/ci.yml"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("line 16"), "{}", run.stderr);
    assert_eq!(set.clones(), clones);
    assert_eq!(set.origin_refs(), refs);

    let set = Set::with_config(|toml| {
        toml.replace(
            "name = \"sdk-rust\"\n",
            "name = \"sdk-rust\"\nafter = [\"server\"]\n",
        )
    });
    let run = set.relflow(&["repos", "status"]);
    run.assert_code(2);
    assert!(run.stderr.contains("forms a cycle"), "{}", run.stderr);
}

#[test]
fn publish_runs_in_each_repo_in_release_order() {
    let Some(verdaccio) = Verdaccio::start() else {
        return;
    };
    let token = verdaccio.add_user("relflow", "relflow-test-password");
    let origins = tempfile::tempdir().unwrap();
    let package = |name: &str| {
        TestRepo::new()
            .file(
                "package.json",
                r#"{ "private": true, "workspaces": ["packages/*"] }"#,
            )
            .file(
                "packages/pkg/package.json",
                &format!("{{\n  \"name\": \"{name}\",\n  \"version\": \"1.2.0\"\n}}\n"),
            )
            .file(".npmrc", &verdaccio.npmrc("NPM_TOKEN"))
            .file(".changeset/c.md", &changeset(&format!("\"{name}\": minor")))
            .file("core.txt", "CORE=1.2.0\n")
            .commit("initial")
    };
    let core = package("@relflow-set/core");
    let app = package("@relflow-set/app");
    with_origin(&core, &origins.path().join("core.git"));
    with_origin(&app, &origins.path().join("app.git"));
    let coordinator = TestRepo::new()
        .file(
            "relflow.toml",
            &format!(
                "[[repo]]\nname = \"core\"\npath = \"{}\"\n\n[[repo]]\nname = \"app\"\npath = \"{}\"\npin = [{{ from = \"core\", file = \"core.txt\", regex = 'CORE=(?<version>.+)' }}]\n",
                core.root(),
                app.root()
            ),
        )
        .commit("the set");
    let output = coordinator
        .relflow_command(["repos", "release", "--publish"])
        .env("NPM_TOKEN", &token)
        .output()
        .unwrap();
    let run = Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    run.assert_code(0);
    let published: Vec<&str> = run
        .stderr
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("Published "))
        .collect();
    assert_eq!(
        published,
        [
            "core: @relflow-set/core@1.3.0",
            "app: @relflow-set/app@1.3.0"
        ],
        "{}",
        run.stderr
    );
    for name in ["@relflow-set/core", "@relflow-set/app"] {
        assert_eq!(
            packument(&verdaccio, name)["dist-tags"]["latest"],
            "1.3.0",
            "{name}"
        );
    }
    assert_eq!(app.read("core.txt"), "CORE=1.3.0\n");
    let journal: serde_json::Value =
        serde_json::from_str(&coordinator.read(".relflow/repos-run.json")).unwrap();
    assert_eq!(journal["state"], "done");
    assert_eq!(
        journal["repos"][1]["published"],
        serde_json::json!(["@relflow-set/app@1.3.0"])
    );

    // `rollback --yank` deprecates what the run published, app first, then undoes the rest.
    let output = coordinator
        .relflow_command(["repos", "rollback", "--yank"])
        .env("NPM_TOKEN", &token)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let yanked: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("Yanked "))
        .collect();
    assert_eq!(
        yanked,
        [
            "app: @relflow-set/app@1.3.0",
            "core: @relflow-set/core@1.3.0"
        ],
        "{stderr}"
    );
    for name in ["@relflow-set/core", "@relflow-set/app"] {
        let packument = packument(&verdaccio, name);
        assert!(
            packument["versions"]["1.3.0"]["deprecated"].is_string(),
            "{name}: {packument}"
        );
    }
    for repo in [&core, &app] {
        assert!(!repo.git(["tag", "--list"]).contains("1.3.0"));
    }
    let journal: serde_json::Value =
        serde_json::from_str(&coordinator.read(".relflow/repos-run.json")).unwrap();
    assert_eq!(journal["state"], "rolled-back");
    assert_eq!(journal["repos"][0]["yanked"], true);
    assert_eq!(journal["repos"][1]["yanked"], true);
}

/// The registry's document of `name`.
fn packument(verdaccio: &Verdaccio, name: &str) -> serde_json::Value {
    let url = format!("{}{}", verdaccio.url(), name.replacen('/', "%2f", 1));
    let text = relflow_tests::registry::agent(std::time::Duration::from_secs(10))
        .get(&url)
        .call()
        .expect("the packument")
        .body_mut()
        .read_to_string()
        .expect("its text");
    serde_json::from_str(&text).expect("JSON")
}
