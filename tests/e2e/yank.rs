//! `cargo relflow yank` against the real registry servers of the publish tests on 127.0.0.1
//! (ferro-cargo-registry-server behind relflow's proxy, verdaccio, pypiserver) and a local bare
//! `origin`: a polyglot release is published, then rolled back, interrupted and resumed.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::Duration;

use relflow_tests::forge::{ForgeServer, Kind};
use relflow_tests::registry::proxy::ProxySettings;
use relflow_tests::{Run, TestRepo};
use serde_json::{json, Value};

use super::publish::{
    add_origin, crate_manifest, json_of, local_dependency, tags, with_crate, with_npm,
    workspace_files, Registries,
};

/// `(name, result)` of each item of a real run with `--format json`, in its order.
fn results(run: &Run) -> Vec<(String, String)> {
    items(run, "result")
}

/// `(name, key)` of each item of a `yank --format json`.
fn items(run: &Run, key: &str) -> Vec<(String, String)> {
    json_of(run)["items"]
        .as_array()
        .expect("an item list")
        .iter()
        .map(|item| {
            (
                item["name"].as_str().expect("a name").to_owned(),
                item[key].as_str().expect("the key").to_owned(),
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

fn get(url: &str) -> (u16, String) {
    let mut response = relflow_tests::registry::agent(Duration::from_secs(10))
        .get(url)
        .call()
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let status = response.status().as_u16();
    (
        status,
        response.body_mut().read_to_string().unwrap_or_default(),
    )
}

/// `(version, yanked)` of each line of a crate's sparse index file.
fn index_lines(registries: &Registries, path: &str) -> Vec<(String, bool)> {
    let (status, text) = get(&format!("{}/{path}", registries.cargo().origin()));
    assert_eq!(status, 200, "{text}");
    text.lines()
        .map(|line| {
            let entry: Value = serde_json::from_str(line).expect("an index line");
            (
                entry["vers"].as_str().expect("vers").to_owned(),
                entry["yanked"].as_bool().expect("yanked"),
            )
        })
        .collect()
}

/// The file names on a project's simple page.
fn simple_files(registries: &Registries, project: &str) -> String {
    let server = registries.python.as_ref().expect("a Python index");
    get(&format!("{}{project}/", server.simple_url())).1
}

/// The pyproject.toml of `acme-py` at `version`.
fn pyproject(version: &str) -> String {
    format!(
        "[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n\n\
         [project]\nname = \"acme-py\"\nversion = \"{version}\"\n\n\
         [tool.hatch.build.targets.wheel]\npackages = [\"src/acme_py\"]\n"
    )
}

/// A polyglot repository at its first release: crates `acme-core` and `acme-cli` (needing it),
/// the npm package `@acme/web`, the Python project `acme-py` and the generic `api`.
fn first_release(registries: &Registries) -> TestRepo {
    let mut repo = registries.config_files(workspace_files(TestRepo::new()));
    repo = with_crate(repo, "acme-core", "");
    repo = with_crate(repo, "acme-cli", &local_dependency("acme-core", "0.1.0"));
    repo = with_npm(
        repo,
        "web",
        &json!({"name": "@acme/web", "version": "1.0.0", "main": "index.js"}),
    );
    repo.file("py/acme-py/pyproject.toml", &pyproject("0.1.0"))
        .file("py/acme-py/src/acme_py/__init__.py", "ANSWER = 42\n")
        .file(
            "relflow.toml",
            &format!(
                "{}\n[[package]]\nname = \"api\"\npath = \"services/api\"\nversion_file = \"VERSION\"\nregex = '(?<version>[0-9][^\\s]*)'\n",
                registries.python_config()
            ),
        )
        .file("services/api/VERSION", "1.0.0\n")
        .commit("initial")
}

/// The second release of [`first_release`]'s repository, written (not committed).
fn write_second_release(repo: &TestRepo) {
    repo.write(
        "crates/acme-core/Cargo.toml",
        &crate_manifest("acme-core", "0.2.0", ""),
    );
    repo.write(
        "crates/acme-cli/Cargo.toml",
        &crate_manifest("acme-cli", "0.2.0", &local_dependency("acme-core", "0.2.0")),
    );
    repo.write(
        "js/web/package.json",
        &json!({"name": "@acme/web", "version": "1.1.0", "main": "index.js"}).to_string(),
    );
    repo.write("py/acme-py/pyproject.toml", &pyproject("0.2.0"));
    repo.write("services/api/VERSION", "1.1.0\n");
}

#[test]
fn a_polyglot_release_is_rolled_back_everywhere_resumed_after_a_kill_and_then_is_done() {
    let Some(registries) = Registries::start(Some(ProxySettings::default()), true, true) else {
        return;
    };
    let repo = first_release(&registries);
    let origin = add_origin(&repo);
    let origin_path = origin.path().to_str().expect("UTF-8").to_owned();
    // Two releases, each published and tagged.
    registries.run(&repo, &["publish"]).assert_code(0);
    write_second_release(&repo);
    repo.commit_all("chore: release versions");
    registries.run(&repo, &["publish"]).assert_code(0);
    assert_eq!(
        registries.packument("@acme/web")["dist-tags"]["latest"],
        "1.1.0"
    );
    let all_tags = [
        "@acme/web@1.0.0",
        "@acme/web@1.1.0",
        "acme-cli@0.1.0",
        "acme-cli@0.2.0",
        "acme-core@0.1.0",
        "acme-core@0.2.0",
        "acme-py@0.1.0",
        "acme-py@0.2.0",
        "api@1.0.0",
        "api@1.1.0",
    ];
    assert_eq!(tags(&repo, &["tag", "--list"]), all_tags);

    // The plan: dependents first (acme-cli before acme-core), each with its state and steps.
    let dry = registries.run(
        &repo,
        &["yank", "--release", "HEAD", "--dry-run", "--format", "json"],
    );
    dry.assert_code(0);
    assert_eq!(
        items(&dry, "state"),
        pairs(&[
            ("acme-cli", "published"),
            ("acme-core", "published"),
            ("@acme/web", "published"),
            ("acme-py", "published"),
            ("api", "private"),
        ])
    );
    assert_eq!(
        json_of(&dry)["items"][2]["steps"],
        json!([
            "npm deprecate",
            "move latest to 1.0.0",
            "delete tag @acme/web@1.1.0 on origin and locally"
        ])
    );
    assert_eq!(json_of(&dry)["items"][3]["steps"][0], "remove_pkg");
    assert_eq!(
        tags(&repo, &["tag", "--list"]),
        all_tags,
        "a dry run changed tags"
    );

    // Killed right after the first item.
    let mut command = registries.relflow(&repo, &["yank", "--release", "HEAD"]);
    command
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .process_group(0);
    let mut child = command.spawn().expect("start cargo-relflow");
    let group = child.id();
    let mut seen = String::new();
    let reader = BufReader::new(child.stderr.take().expect("stderr"));
    for line in reader.lines() {
        let line = line.expect("a line");
        seen.push_str(&line);
        seen.push('\n');
        if line.contains("Yanked acme-cli 0.2.0") {
            let killed = Command::new("kill")
                .args(["-KILL", "--", &format!("-{group}")])
                .status()
                .expect("kill");
            assert!(killed.success());
            break;
        }
    }
    let status = child.wait().expect("wait");
    assert!(!status.success(), "it ran to the end:\n{seen}");
    assert_eq!(
        index_lines(&registries, "ac/me/acme-cli"),
        [("0.1.0".to_owned(), false), ("0.2.0".to_owned(), true)]
    );
    assert_eq!(
        index_lines(&registries, "ac/me/acme-core"),
        [("0.1.0".to_owned(), false), ("0.2.0".to_owned(), false)]
    );

    // The re-run does exactly the rest.
    let rerun = registries.run(
        &repo,
        &["yank", "--release", "HEAD", "-v", "--format", "json"],
    );
    rerun.assert_code(0);
    assert_eq!(
        results(&rerun),
        pairs(&[
            ("acme-cli", "already"),
            ("acme-core", "yanked"),
            ("@acme/web", "deprecated"),
            ("acme-py", "removed"),
            ("api", "already"),
        ])
    );
    for secret in registries.secrets() {
        assert!(
            !rerun.stdout.contains(&secret) && !rerun.stderr.contains(&secret),
            "a secret was printed:\n{}",
            rerun.stderr
        );
    }
    // `-v` shows the tools' command lines.
    assert!(rerun.stderr.contains("running `"), "{}", rerun.stderr);
    assert!(
        rerun
            .stderr
            .contains(" yank --version 0.2.0 --registry local acme-core`"),
        "{}",
        rerun.stderr
    );
    assert!(
        rerun
            .stderr
            .contains("npm dist-tag add @acme/web@1.0.0 latest --registry"),
        "{}",
        rerun.stderr
    );

    // Each registry's state.
    assert_eq!(
        index_lines(&registries, "ac/me/acme-core"),
        [("0.1.0".to_owned(), false), ("0.2.0".to_owned(), true)]
    );
    let packument = registries.packument("@acme/web");
    assert!(
        packument["versions"]["1.1.0"]["deprecated"]
            .as_str()
            .is_some_and(|message| message.contains("rolled back")),
        "{packument}"
    );
    assert!(packument["versions"]["1.0.0"]["deprecated"].is_null());
    assert_eq!(packument["dist-tags"]["latest"], "1.0.0");
    let page = simple_files(&registries, "acme-py");
    assert!(page.contains("acme_py-0.1.0"), "{page}");
    assert!(!page.contains("0.2.0"), "{page}");
    // The tags of the rolled-back release are gone, locally and on origin; the others stay.
    let kept = [
        "@acme/web@1.0.0",
        "acme-cli@0.1.0",
        "acme-core@0.1.0",
        "acme-py@0.1.0",
        "api@1.0.0",
    ];
    assert_eq!(tags(&repo, &["tag", "--list"]), kept);
    assert_eq!(tags(&repo, &["ls-remote", "--tags", &origin_path]), kept);
    let json = json_of(&rerun);
    assert_eq!(json["tags_deleted"].as_array().map(Vec::len), Some(5));
    assert_eq!(
        json["tags_deleted_remote"].as_array().map(Vec::len),
        Some(5)
    );

    // A third run: nothing to do, exit 0.
    let third = registries.run(&repo, &["yank", "--release", "HEAD", "--format", "json"]);
    third.assert_code(0);
    assert!(
        results(&third)
            .iter()
            .all(|(_, result)| result == "already"),
        "{}",
        third.stdout
    );
    assert_eq!(json_of(&third)["tags_deleted"], json!([]));
    assert_eq!(
        items(&third, "state"),
        pairs(&[
            ("acme-cli", "yanked"),
            ("acme-core", "yanked"),
            ("@acme/web", "deprecated"),
            ("acme-py", "absent"),
            ("api", "private"),
        ])
    );
    let human = registries.run(&repo, &["yank", "--release", "HEAD"]);
    human.assert_code(0);
    assert!(
        human.stdout.contains("0 rolled back, 5 had nothing left to do, 0 manual, 0 failed, 0 not tried; 0 tags deleted locally, 0 on origin, 0 forge releases deleted"),
        "{}",
        human.stdout
    );
}

#[test]
fn npm_unpublish_moves_latest_back_and_versions_never_published_are_absent() {
    let Some(registries) = Registries::start(None, true, false) else {
        return;
    };
    let repo = registries
        .config_files(TestRepo::new())
        .file(
            "package.json",
            "{ \"private\": true, \"workspaces\": [\"js/*\"] }\n",
        )
        .file(
            "js/web/package.json",
            &json!({"name": "web", "version": "1.0.0"}).to_string(),
        )
        .file("js/web/index.js", "module.exports = 1;\n")
        .commit("initial");
    registries
        .run(&repo, &["publish", "--no-push"])
        .assert_code(0);
    repo.write(
        "js/web/package.json",
        &json!({"name": "web", "version": "1.1.0"}).to_string(),
    );
    repo.commit_all("release 1.1.0");
    registries
        .run(&repo, &["publish", "--no-push"])
        .assert_code(0);

    // Never published: absent; nothing else matched: exit 1.
    let absent = registries.run(
        &repo,
        &["yank", "web@0.9.0", "--format", "json", "--keep-tags"],
    );
    absent.assert_code(1);
    assert_eq!(items(&absent, "state"), pairs(&[("web", "absent")]));
    assert!(
        absent.stderr.contains("nothing matched"),
        "{}",
        absent.stderr
    );

    let run = registries.run(
        &repo,
        &[
            "yank",
            "web@1.1.0",
            "web@0.9.0",
            "--unpublish",
            "--format",
            "json",
        ],
    );
    run.assert_code(0);
    assert_eq!(
        results(&run),
        pairs(&[("web", "already"), ("web", "unpublished")])
    );
    let packument = registries.packument("web");
    assert!(packument["versions"]["1.1.0"].is_null(), "{packument}");
    assert_eq!(packument["dist-tags"]["latest"], "1.0.0");
    // One package: its tags are `v{version}`.
    assert_eq!(tags(&repo, &["tag", "--list"]), ["v1.0.0"]);
    // Done: the second run does nothing.
    let again = registries.run(
        &repo,
        &["yank", "web@1.1.0", "--unpublish", "--format", "json"],
    );
    again.assert_code(1);
    assert_eq!(items(&again, "state"), pairs(&[("web", "absent")]));
}

#[test]
fn bad_items_are_exit_2_and_change_nothing() {
    let repo = TestRepo::one_npm_package();
    repo.git(["tag", "web@1.0.0"]);
    let before = repo.snapshot_tree();
    for (args, message) in [
        (vec!["yank", "nope@1.0.0"], "nope"),
        (
            vec!["yank", "web@2.0.0"],
            "`2.0.0` is not a version of `web`: its version is 1.0.0",
        ),
        (
            vec!["yank", "web@banana"],
            "`banana` is not a version of `web`",
        ),
        (vec!["yank", "web"], "`web` is not PKG@VERSION"),
        (
            vec!["yank", "--release", "no-such-ref"],
            "`no-such-ref` does not name a commit",
        ),
    ] {
        let run = repo.relflow(&args);
        run.assert_code(2);
        assert!(run.stderr.contains(message), "{args:?}: {}", run.stderr);
    }
    let run = repo.relflow(["yank"]);
    run.assert_code(2);
    assert_eq!(repo.snapshot_tree(), before);
    assert_eq!(repo.git(["tag", "--list"]).trim(), "web@1.0.0");
}

#[test]
fn the_forge_release_of_a_tag_is_deleted_with_the_tag_on_every_forge() {
    const FORGE_TOKEN: &str = "forge-token-93be1c";
    for kind in Kind::ALL {
        let server = ForgeServer::start(kind, "acme/widgets", FORGE_TOKEN);
        let repo = TestRepo::new()
            .file(
                "relflow.toml",
                &format!(
                    "tag_format = \"{{name}}@{{version}}\"\n{}\n[[package]]\nname = \"api\"\npath = \"services/api\"\nversion_file = \"VERSION\"\nregex = '(?<version>[0-9][^\\s]*)'\n",
                    server.config_toml()
                ),
            )
            .file("services/api/VERSION", "1.0.0\n")
            .commit("initial");
        let origin = add_origin(&repo);
        let origin_path = origin.path().to_str().expect("UTF-8").to_owned();
        repo.git(["tag", "api@0.9.0"]);
        repo.git(["tag", "api@1.0.0"]);
        repo.git(["push", "--quiet", "origin", "--tags"]);
        server.add_release("api@0.9.0", "older");
        server.add_release("api@1.0.0", "### Minor Changes");
        let variable = kind.token_variable();
        let run = |extra: &[&str], token: bool| {
            let mut args = vec!["yank", "api@1.0.0", "--format", "json"];
            args.extend_from_slice(extra);
            let mut command = repo.relflow_command(&args);
            command.env_remove(variable);
            if token {
                command.env(variable, FORGE_TOKEN);
            }
            super::publish::output(command)
        };

        let dry = run(&["--dry-run"], false);
        dry.assert_code(0);
        assert_eq!(
            json_of(&dry)["items"][0]["steps"],
            json!([
                "delete the forge release of api@1.0.0",
                "delete tag api@1.0.0 on origin and locally"
            ]),
            "{kind:?}"
        );
        // Without the token a real run deletes nothing: exit 2 naming the variable.
        let refused = run(&[], false);
        refused.assert_code(2);
        assert!(
            refused.stderr.contains(variable),
            "{kind:?}: {}",
            refused.stderr
        );
        assert!(server.release("api@1.0.0").is_some(), "{kind:?}");
        assert_eq!(tags(&repo, &["tag", "--list"]), ["api@0.9.0", "api@1.0.0"]);

        let done = run(&["-v"], true);
        done.assert_code(0);
        assert!(!done.stdout.contains(FORGE_TOKEN) && !done.stderr.contains(FORGE_TOKEN));
        assert_eq!(results(&done), pairs(&[("api", "already")]), "{kind:?}");
        assert_eq!(
            json_of(&done)["releases_deleted"],
            json!(["api@1.0.0"]),
            "{kind:?}"
        );
        assert!(server.release("api@1.0.0").is_none(), "{kind:?}");
        assert!(server.release("api@0.9.0").is_some(), "{kind:?}");
        assert_eq!(
            server.requests_to("DELETE", "/releases").len(),
            1,
            "{kind:?}"
        );
        assert_eq!(tags(&repo, &["tag", "--list"]), ["api@0.9.0"], "{kind:?}");
        assert_eq!(
            tags(&repo, &["ls-remote", "--tags", &origin_path]),
            ["api@0.9.0"]
        );

        // Finished: the next run does nothing and exits 0.
        server.clear_requests();
        let again = run(&[], true);
        again.assert_code(0);
        assert_eq!(json_of(&again)["releases_deleted"], json!([]), "{kind:?}");
        assert!(server.requests_to("DELETE", "").is_empty(), "{kind:?}");
    }
}

/// A PEP 503 simple index on 127.0.0.1 that serves one project page the test can change: on
/// PyPI a release is yanked by a person, so this serves PyPI's page before and after.
struct SimpleIndex {
    url: String,
    page: std::sync::Arc<std::sync::Mutex<String>>,
}

impl SimpleIndex {
    fn start(page: &str) -> SimpleIndex {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let url = format!(
            "http://{}/simple/",
            listener.local_addr().expect("an address")
        );
        let page = std::sync::Arc::new(std::sync::Mutex::new(page.to_owned()));
        let served = std::sync::Arc::clone(&page);
        std::thread::spawn(move || {
            for mut stream in listener.incoming().map_while(Result::ok) {
                let mut request = Vec::new();
                let mut buffer = [0; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buffer) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => request.extend_from_slice(&buffer[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&request);
                let (status, body) = if head.starts_with("GET /simple/acme-py/ ") {
                    ("200 OK", served.lock().expect("the page").clone())
                } else {
                    ("404 Not Found", "not found".to_owned())
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        SimpleIndex { url, page }
    }

    fn set(&self, page: &str) {
        *self.page.lock().expect("the page") = page.to_owned();
    }
}

/// The simple page of `acme-py` 1.0.0 (an sdist and a wheel), with PEP 592's `data-yanked`.
fn acme_page(yanked: bool) -> String {
    let mark = if yanked { r#" data-yanked="""# } else { "" };
    format!(
        "<!DOCTYPE html><html><body><h1>Links for acme-py</h1>\n\
         <a href=\"/files/acme_py-1.0.0.tar.gz#sha256=00\"{mark}>acme_py-1.0.0.tar.gz</a><br/>\n\
         <a href=\"/files/acme_py-1.0.0-py3-none-any.whl#sha256=11\"{mark}>acme_py-1.0.0-py3-none-any.whl</a><br/>\n\
         </body></html>\n"
    )
}

#[test]
fn a_pypi_release_is_yanked_by_hand_and_then_seen_as_yanked() {
    let index = SimpleIndex::start(&acme_page(false));
    let repo = TestRepo::new()
        .file(
            "pyproject.toml",
            "[project]\nname = \"acme-py\"\nversion = \"1.0.0\"\n",
        )
        .file(
            "relflow.toml",
            &format!(
                "[python]\nrepository_url = \"https://upload.pypi.org/legacy/\"\nindex_url = \"{}\"\n",
                index.url
            ),
        )
        .commit("initial");
    let manage = "https://pypi.org/manage/project/acme-py/release/1.0.0/";

    // PyPI has no API to yank: the run names the page and answers "no".
    let run = repo.relflow(["yank", "acme-py@1.0.0", "--keep-tags", "--format", "json"]);
    run.assert_code(1);
    assert_eq!(items(&run, "state"), pairs(&[("acme-py", "manual")]));
    assert_eq!(results(&run), pairs(&[("acme-py", "manual")]));
    assert_eq!(json_of(&run)["items"][0]["url"], manage, "{}", run.stdout);

    // Yanked on PyPI by hand (every file `data-yanked`): the next run finds nothing to do.
    index.set(&acme_page(true));
    let run = repo.relflow(["yank", "acme-py@1.0.0", "--keep-tags", "--format", "json"]);
    run.assert_code(0);
    assert_eq!(items(&run, "state"), pairs(&[("acme-py", "yanked")]));
    assert!(!run.stdout.contains(manage), "{}", run.stdout);
}
