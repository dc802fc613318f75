//! Discovery of every ecosystem, through `cargo relflow list --format json`.

use relflow_tests::TestRepo;
use serde_json::Value;

fn list(repo: &TestRepo) -> Vec<Value> {
    let run = repo.relflow(["list", "--format", "json"]);
    run.assert_code(0);
    let json: Value = serde_json::from_str(&run.stdout).expect("JSON output");
    json["packages"].as_array().expect("packages").clone()
}

fn find<'a>(packages: &'a [Value], ecosystem: &str, name: &str) -> &'a Value {
    packages
        .iter()
        .find(|p| p["ecosystem"] == ecosystem && p["name"] == name)
        .unwrap_or_else(|| panic!("no {ecosystem}:{name} in {packages:#?}"))
}

#[test]
fn cargo_workspace_with_inheritance_publish_and_dependency_kinds() {
    let repo = TestRepo::new()
        .file(
            "Cargo.toml",
            r#"[workspace]
members = ["crates/*"]
resolver = "2"

[workspace.package]
version = "1.4.0"

[workspace.dependencies]
core = { path = "crates/core", version = "1.4.0" }
"#,
        )
        .file(
            "crates/core/Cargo.toml",
            "[package]\nname = \"core\"\nversion.workspace = true\nedition = \"2021\"\n",
        )
        .file("crates/core/src/lib.rs", "")
        .cargo_crate(
            "crates/cli",
            "0.2.0",
            r#"publish = false

[dependencies]
core = { workspace = true }

[target.'cfg(unix)'.build-dependencies]
core = { path = "../core", version = "1.4" }

[dev-dependencies]
the-core = { package = "core", path = "../core" }
"#,
        )
        .cargo_crate("crates/plugin", "0.1.0", "publish = [\"internal\"]\n")
        .commit("initial");
    let packages = list(&repo);
    assert_eq!(packages.len(), 3);
    let core = find(&packages, "cargo", "core");
    assert_eq!(core["version"], "1.4.0");
    assert_eq!(core["version_source"], "workspace");
    assert_eq!(core["publish"], true);
    assert_eq!(core["dir"], "crates/core");
    let cli = find(&packages, "cargo", "cli");
    assert_eq!(cli["publish"], false);
    let deps = cli["dependencies"].as_array().unwrap();
    assert_eq!(deps.len(), 3, "{deps:#?}");
    let normal = deps.iter().find(|d| d["kind"] == "normal").unwrap();
    // As written (inherited from `[workspace.dependencies]`), not cargo's `^1.4.0`.
    assert_eq!(normal["requirement"], "1.4.0");
    let build = deps.iter().find(|d| d["kind"] == "build").unwrap();
    assert_eq!(build["target"], "cfg(unix)");
    assert_eq!(build["requirement"], "1.4");
    let dev = deps.iter().find(|d| d["kind"] == "dev").unwrap();
    assert_eq!(
        dev["requirement"], "",
        "a path-only dev-dependency has no requirement"
    );
    assert_eq!(dev["rename"], "the-core");
    let plugin = find(&packages, "cargo", "plugin");
    assert_eq!(plugin["publish"], serde_json::json!(["internal"]));
}

#[test]
fn npm_workspaces_array_and_object_forms() {
    for workspaces in [r#"["packages/*"]"#, r#"{ "packages": ["packages/*"] }"#] {
        let repo = TestRepo::new()
            .file(
                "package.json",
                &format!("{{ \"private\": true, \"workspaces\": {workspaces} }}\n"),
            )
            .file(
                "packages/a/package.json",
                r#"{ "name": "@acme/a", "version": "1.0.0" }"#,
            )
            .file(
                "packages/b/package.json",
                r#"{ "name": "b", "version": "2.0.0", "private": true,
                     "dependencies": { "@acme/a": "^1.0.0", "left-pad": "1" },
                     "devDependencies": { "@acme/a": "workspace:*" },
                     "peerDependencies": { "@acme/a": "~1.0.0" },
                     "optionalDependencies": { "@acme/a": "1.0.0" } }"#,
            )
            .commit("initial");
        let packages = list(&repo);
        assert_eq!(packages.len(), 2, "{packages:#?}");
        let b = find(&packages, "npm", "b");
        assert_eq!(b["publish"], false);
        let kinds: Vec<(&str, &str)> = b["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["kind"].as_str().unwrap(),
                    d["requirement"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            kinds,
            [
                ("normal", "^1.0.0"),
                ("dev", "workspace:*"),
                ("peer", "~1.0.0"),
                ("optional", "1.0.0")
            ]
        );
    }
}

#[test]
fn pnpm_workspace_with_exclusion() {
    let repo = TestRepo::new()
        .file("package.json", r#"{ "name": "root", "private": true }"#)
        .file(
            "pnpm-workspace.yaml",
            "packages:\n  - 'packages/**'\n  - '!packages/legacy'\n",
        )
        .file(
            "packages/a/package.json",
            r#"{ "name": "a", "version": "0.1.0" }"#,
        )
        .file(
            "packages/nested/b/package.json",
            r#"{ "name": "b", "version": "0.1.0", "dependencies": { "a": "workspace:^" } }"#,
        )
        .file(
            "packages/legacy/package.json",
            r#"{ "name": "legacy", "version": "9.0.0" }"#,
        )
        .commit("initial");
    let packages = list(&repo);
    let names: Vec<&str> = packages
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(
        find(&packages, "npm", "b")["dependencies"][0]["requirement"],
        "workspace:^"
    );
}

#[test]
fn python_pep621_poetry_and_maturin() {
    let repo = TestRepo::new()
        .file(
            "py/core/pyproject.toml",
            "[project]\nname = \"acme-core\"\nversion = \"1.2.0b3\"\n",
        )
        .file(
            "py/sdk/pyproject.toml",
            "[project]\nname = \"acme_sdk\"\nversion = \"0.4.0\"\ndependencies = [\"acme-core>=1.2,<2\", \"requests\"]\nclassifiers = [\"Private :: Do Not Upload\"]\n",
        )
        .file(
            "py/legacy/pyproject.toml",
            "[tool.poetry]\nname = \"legacy\"\nversion = \"3.1.0\"\n\n[tool.poetry.dependencies]\npython = \"^3.9\"\nacme-core = \"^1.2\"\n",
        )
        .file(
            "bindings/python/pyproject.toml",
            "[project]\nname = \"acme-native\"\ndynamic = [\"version\"]\n\n[build-system]\nrequires = [\"maturin>=1\"]\nbuild-backend = \"maturin\"\n",
        )
        .file(
            "bindings/python/Cargo.toml",
            "[package]\nname = \"acme-native\"\nversion = \"0.7.1\"\nedition = \"2021\"\n",
        )
        .commit("initial");
    let packages = list(&repo);
    let core = find(&packages, "python", "acme-core");
    assert_eq!(core["version"], "1.2.0-beta.3");
    assert_eq!(core["version_text"], "1.2.0b3");
    let sdk = find(&packages, "python", "acme_sdk");
    assert_eq!(sdk["publish"], false);
    assert_eq!(sdk["dependencies"][0]["name"], "acme-core");
    assert_eq!(sdk["dependencies"][0]["requirement"], ">=1.2,<2");
    let legacy = find(&packages, "python", "legacy");
    assert_eq!(legacy["version"], "3.1.0");
    assert_eq!(legacy["dependencies"][0]["requirement"], "^1.2");
    let native = find(&packages, "python", "acme-native");
    assert_eq!(native["version"], "0.7.1");
    assert_eq!(
        native["version_source"],
        "maturin:bindings/python/Cargo.toml"
    );
}

#[test]
fn generic_packages_and_mixed_repository() {
    let repo = TestRepo::new()
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
            "python/pyproject.toml",
            "[project]\nname = \"core-py\"\nversion = \"0.3.0\"\n",
        )
        .file(
            "services/api/version.go",
            "package api\n\nconst Version = \"2.5.0\"\n",
        )
        .file(
            "relflow.toml",
            r#"[[package]]
name = "api"
path = "services/api"
version_file = "version.go"
regex = 'Version = "(?<version>[^"]+)"'
depends_on = ["cargo:core"]
"#,
        )
        .commit("initial");
    let packages = list(&repo);
    let ecosystems: Vec<String> = packages
        .iter()
        .map(|p| {
            format!(
                "{}:{}",
                p["ecosystem"].as_str().unwrap(),
                p["name"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        ecosystems,
        ["cargo:core", "npm:core", "python:core-py", "generic:api"]
    );
    let api = find(&packages, "generic", "api");
    assert_eq!(api["version"], "2.5.0");
    assert_eq!(api["publish"], false);
}

#[test]
fn example_polyglot_is_discovered() {
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/polyglot");
    let repo = TestRepo::new();
    let run = repo.relflow(["-C", example.to_str().unwrap(), "list", "--format", "json"]);
    run.assert_code(0);
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    let names: Vec<String> = json["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{}:{}",
                p["ecosystem"].as_str().unwrap(),
                p["name"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            "cargo:acme-core",
            "cargo:acme-ffi",
            "npm:@acme/app",
            "npm:@acme/sdk",
            "python:acme"
        ]
    );
}
