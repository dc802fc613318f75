//! Smoke tests of the registry servers on 127.0.0.1 and of relflow's registry state clients:
//! the real `cargo publish`, `npm publish` and `twine upload` put a version on a real server,
//! and `cargo_relflow::registry` then reports it published (and other versions unpublished).
//!
//! `cargo xtask test` installs the servers; see `relflow_tests::registry`.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::str::FromStr;
use std::time::{Duration, Instant};

use camino::Utf8Path;
use cargo_relflow::registry::cargo::{self as cargo_registry, CargoRegistry as Target};
use cargo_relflow::registry::http::{Client, Token};
use cargo_relflow::registry::{npm, pypi, Environment, RegistryError, State};
use cargo_relflow_sync::discover::{discover_with, Depth};
use relflow_tests::registry::agent;
use relflow_tests::registry::cargo::CargoRegistry;
use relflow_tests::registry::npm::Verdaccio;
use relflow_tests::registry::proxy::ProxySettings;
use relflow_tests::registry::python::PypiServer;
use relflow_tests::{Run, TestRepo};

/// Any token passes the cargo registry; a recognisable one shows where it would leak.
const CARGO_TOKEN: &str = "cargo-token-7f3a9c";

fn run(mut command: Command) -> Run {
    let output: Output = command.output().expect("start the command");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn semver(text: &str) -> semver::Version {
    semver::Version::parse(text).expect("a semver version")
}

/// A git repository with one crate `relflow-tiny` that may only go to registry `local`.
fn crate_repo(registry: &CargoRegistry, version: &str) -> TestRepo {
    TestRepo::new()
        .file(".cargo/config.toml", &registry.cargo_config("local"))
        .file(".gitignore", "/target\n")
        .file(
            "Cargo.toml",
            &format!(
                "[package]\nname = \"relflow-tiny\"\nversion = \"{version}\"\nedition = \"2021\"\n\
                 description = \"A crate of relflow's registry tests\"\nlicense = \"MIT\"\n\
                 publish = [\"local\"]\n"
            ),
        )
        .file("src/lib.rs", "pub fn answer() -> u32 {\n    42\n}\n")
        .commit("initial")
}

fn cargo_publish(repo: &TestRepo, registry: &CargoRegistry) -> Run {
    let mut command = repo.isolated(registry.cargo("local", CARGO_TOKEN));
    command.args(["publish", "--no-verify"]);
    run(command)
}

/// The registry relflow picks for the repository's crate (discovery's `publish` field and
/// `.cargo/config.toml`), and its state for `version` there.
fn crate_state(repo: &TestRepo, registry: &CargoRegistry, version: &str) -> (Target, State) {
    let env = Environment::from_pairs([
        ("CARGO_HOME", registry.cargo_home().display().to_string()),
        ("HOME", repo.root().join(".home").to_string()),
    ]);
    let config = cargo_registry::read_config(repo.root(), &env).expect("cargo configuration");
    let workspace = discover_with(repo.root(), Depth::Layout).expect("discovery");
    let package = &workspace.packages[0];
    let target = config
        .registry_for(&package.publish)
        .expect("a configured registry")
        .expect("a published crate");
    let state = cargo_registry::version_state(
        &Client::new(),
        &target,
        &package.name,
        &semver(version),
        None,
    )
    .expect("the registry answers");
    (target, state)
}

#[test]
fn cargo_publish_to_a_sparse_registry_then_the_index_has_it() {
    let Some(registry) = CargoRegistry::start() else {
        return;
    };
    let repo = crate_repo(&registry, "0.1.0");
    let (target, before) = crate_state(&repo, &registry, "0.1.0");
    assert_eq!(target.name, "local");
    assert_eq!(target.index, registry.index_url());
    assert_eq!(before, State::Unpublished);

    cargo_publish(&repo, &registry).assert_code(0);
    assert_eq!(crate_state(&repo, &registry, "0.1.0").1, State::Published);
    assert_eq!(
        crate_state(&repo, &registry, "0.1.0+build.5").1,
        State::Published
    );
    assert_eq!(crate_state(&repo, &registry, "0.1.1").1, State::Unpublished);
    assert_eq!(
        crate_state(&repo, &registry, "0.1.0-rc.1").1,
        State::Unpublished
    );

    let again = cargo_publish(&repo, &registry);
    assert_ne!(again.code, 0);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
    assert!(!again.stderr.contains(CARGO_TOKEN), "{}", again.stderr);
}

#[test]
fn cargo_registry_behind_the_proxy_rate_limits_then_delays_the_index() {
    let delay = Duration::from_secs(4);
    let Some(registry) = CargoRegistry::start_behind_proxy(ProxySettings {
        index_delay: delay,
        rate_limit_first: 2,
        retry_after: Duration::from_secs(1),
        ..ProxySettings::default()
    }) else {
        return;
    };
    let proxy = registry.proxy().unwrap();
    let repo = crate_repo(&registry, "0.3.0");
    assert_eq!(crate_state(&repo, &registry, "0.3.0").1, State::Unpublished);

    // The first publish: a 429 with Retry-After, seen raw.
    let mut raw = agent(Duration::from_secs(10))
        .put(format!("{}/api/v1/crates/new", registry.origin()))
        .send(&b"\0\0\0\0"[..])
        .unwrap();
    assert_eq!(raw.status(), 429);
    assert_eq!(raw.headers()["retry-after"], "1");
    assert!(raw
        .body_mut()
        .read_to_string()
        .unwrap()
        .contains("try again after 1 seconds"));

    // The second: cargo gets the 429 and gives up.
    let limited = cargo_publish(&repo, &registry);
    assert_ne!(limited.code, 0);
    assert!(
        limited.stderr.contains("429 Too Many Requests"),
        "{}",
        limited.stderr
    );
    assert_eq!(proxy.stats().publishes_rate_limited, 2);
    assert_eq!(proxy.stats().publishes_forwarded, 0);
    std::thread::sleep(Duration::from_secs(1));

    // The third goes through; cargo itself then waits for the held-back index.
    let publish = std::thread::spawn({
        let command = {
            let mut command = repo.isolated(registry.cargo("local", CARGO_TOKEN));
            command.args(["publish", "--no-verify"]);
            command
        };
        move || run(command)
    });
    let started = Instant::now();
    while proxy.stats().publishes_accepted == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no publish reached the registry"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let accepted = Instant::now();
    let behind_proxy = crate_state(&repo, &registry, "0.3.0");
    let server = Target {
        name: "server".into(),
        index: format!("sparse+{}/", registry.server_origin()),
    };
    let on_server = cargo_registry::version_state(
        &Client::new(),
        &server,
        "relflow-tiny",
        &semver("0.3.0"),
        None,
    )
    .unwrap();
    assert_eq!(on_server, State::Published, "the registry itself has it");
    assert_eq!(
        behind_proxy.1,
        State::Unpublished,
        "the proxy holds it back"
    );

    while crate_state(&repo, &registry, "0.3.0").1 == State::Unpublished {
        assert!(
            accepted.elapsed() < delay * 5,
            "the version never became visible"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let visible_after = accepted.elapsed();
    assert!(
        visible_after >= delay - Duration::from_millis(500),
        "visible after {visible_after:?}, before the {delay:?} delay"
    );
    let cargo = publish.join().unwrap();
    cargo.assert_code(0);
    // cargo waits for the index too, as relflow will.
    assert!(
        cargo
            .stderr
            .contains("waiting for relflow-tiny v0.3.0 to be available at registry `local`"),
        "{}",
        cargo.stderr
    );
    assert!(proxy.stats().index_answers_held >= 1, "{:?}", proxy.stats());

    // "Already exists" passes through the proxy.
    let again = cargo_publish(&repo, &registry);
    assert_ne!(again.code, 0);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
}

#[test]
fn npm_publish_to_verdaccio_and_a_beta_dist_tag_leaves_latest() {
    let Some(verdaccio) = Verdaccio::start() else {
        return;
    };
    let token = verdaccio.add_user("relflow", "relflow-test-password");
    let name = "@relflow-test/tiny";
    let package_json = |version: &str| {
        format!("{{\n  \"name\": \"{name}\",\n  \"version\": \"{version}\",\n  \"main\": \"index.js\",\n  \"files\": [\"index.js\"]\n}}\n")
    };
    let repo = TestRepo::new()
        .file(".npmrc", &verdaccio.npmrc("NPM_TOKEN"))
        .file("package.json", &package_json("1.0.0"))
        .file("index.js", "module.exports = 42;\n")
        .commit("initial");

    let env = Environment::from_pairs([
        ("NPM_TOKEN", token.as_str()),
        ("npm_config_userconfig", "/dev/null"),
    ]);
    let config = npm::read_config(repo.root(), &env).unwrap();
    let registry = config.registry_for(name).to_owned();
    assert_eq!(registry, verdaccio.url());
    assert_eq!(
        config.token_for(&registry),
        Some(&Token::new(token.clone()))
    );
    let client = Client::new();
    let state = |version: &str| {
        npm::version_state(
            &client,
            &registry,
            name,
            &semver(version),
            config.token_for(&registry),
        )
        .unwrap()
    };
    assert_eq!(state("1.0.0"), State::Unpublished);
    assert_eq!(
        npm::packument(&client, &registry, name, None).unwrap(),
        None
    );

    let npm_cli = |args: &[&str]| {
        let mut command = repo.isolated(Command::new("npm"));
        command.args(args).env("NPM_TOKEN", &token);
        run(command)
    };
    npm_cli(&["publish"]).assert_code(0);
    assert_eq!(state("1.0.0"), State::Published);
    assert_eq!(state("1.1.0-beta.0"), State::Unpublished);

    repo.write("package.json", &package_json("1.1.0-beta.0"));
    npm_cli(&["publish", "--tag", "beta"]).assert_code(0);
    assert_eq!(state("1.1.0-beta.0"), State::Published);
    let packument = npm::packument(&client, &registry, name, None)
        .unwrap()
        .unwrap();
    assert_eq!(packument.dist_tags["latest"], "1.0.0");
    assert_eq!(packument.dist_tags["beta"], "1.1.0-beta.0");
    let view = npm_cli(&["view", name, "dist-tags", "--json"]);
    view.assert_code(0);
    let tags: serde_json::Value = serde_json::from_str(&view.stdout).unwrap();
    assert_eq!(
        tags,
        serde_json::json!({"latest": "1.0.0", "beta": "1.1.0-beta.0"})
    );

    let again = npm_cli(&["publish", "--tag", "beta"]);
    assert_ne!(again.code, 0);
    assert!(again.stderr.contains("409 Conflict"), "{}", again.stderr);
    assert!(!again.stderr.contains(&token) && !again.stdout.contains(&token));
}

#[test]
fn twine_upload_to_pypiserver_then_the_simple_page_has_it() {
    let Some(pypi_server) = PypiServer::start() else {
        return;
    };
    let repo = TestRepo::new()
        .file(
            "pyproject.toml",
            "[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n\n\
             [project]\nname = \"relflow-tiny\"\nversion = \"0.1.0\"\n\n\
             [tool.hatch.build.targets.wheel]\npackages = [\"src/relflow_tiny\"]\n",
        )
        .file("src/relflow_tiny/__init__.py", "ANSWER = 42\n")
        .commit("initial");
    let index = pypi::simple_index_for_upload(&pypi_server.upload_url());
    assert_eq!(index, pypi_server.simple_url());
    let client = Client::new();
    let state = |version: &str| {
        let version = pep440_rs::Version::from_str(version).unwrap();
        // Any spelling of the name finds the normalized project page.
        pypi::version_state(&client, &index, "Relflow.Tiny", &version).unwrap()
    };
    assert_eq!(state("0.1.0"), State::Unpublished);

    let dist = repo.root().join("dist");
    run(repo.isolated(pypi_server.build(repo.root().as_std_path(), dist.as_std_path())))
        .assert_code(0);
    let files = dist_files(&dist);
    assert_eq!(files.len(), 2, "{files:?}");
    run(repo.isolated(pypi_server.twine_upload(&files))).assert_code(0);

    assert_eq!(state("0.1.0"), State::Published);
    assert_eq!(state("0.1"), State::Published);
    assert_eq!(state("0.2.0"), State::Unpublished);
    let mut listed: Vec<String> = pypi::project_files(&client, &index, "relflow_tiny")
        .unwrap()
        .unwrap()
        .into_iter()
        .map(|link| {
            assert!(!link.yanked, "pypiserver yanks nothing");
            link.name
        })
        .collect();
    listed.sort();
    let built: Vec<String> = files
        .iter()
        .map(|file| file.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(listed, built);
    assert_eq!(
        pypi::project_files(&client, &index, "no-such-project").unwrap(),
        None
    );

    // The index refuses the same file twice: "never twice" is relflow's check above.
    let again = run(repo.isolated(pypi_server.twine_upload(&files)));
    assert_ne!(again.code, 0, "{}", pypi_server.log());
}

#[test]
fn an_unreachable_registry_is_an_error_not_a_state() {
    let client = Client::with_timeout(Duration::from_secs(5));
    // A port that was free a moment ago: nothing answers there.
    let index = format!(
        "http://127.0.0.1:{}/simple/",
        relflow_tests::registry::free_port()
    );
    let version = pep440_rs::Version::from_str("1.0").unwrap();
    let error = pypi::version_state(&client, &index, "x", &version).unwrap_err();
    assert!(matches!(error, RegistryError::Transport { .. }), "{error}");
}

fn dist_files(dist: &Utf8Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dist)
        .expect("dist/ exists")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .collect();
    files.sort();
    files
}

#[test]
fn the_cargo_token_goes_to_the_index_only_when_its_config_asks_for_it() {
    for auth_required in [false, true] {
        let Some(registry) = CargoRegistry::start_behind_proxy(ProxySettings {
            auth_required,
            ..ProxySettings::default()
        }) else {
            panic!("the cargo registry server is not installed (run `cargo xtask test`)");
        };
        let proxy = registry.proxy().expect("proxy");
        let target = Target {
            name: "local".into(),
            index: registry.index_url(),
        };
        let token = Token::new(CARGO_TOKEN);
        let client = Client::new();
        for name in ["relflow-a", "relflow-b"] {
            let state = cargo_registry::version_state(
                &client,
                &target,
                name,
                &semver("1.0.0"),
                Some(&token),
            )
            .expect("index read");
            assert_eq!(state, State::Unpublished);
        }
        let stats = proxy.stats();
        assert_eq!(stats.index_reads, 2, "{auth_required}: {stats:?}");
        let expected = if auth_required { 2 } else { 0 };
        assert_eq!(
            stats.index_reads_with_authorization, expected,
            "auth-required {auth_required}: {stats:?}"
        );
    }
}
