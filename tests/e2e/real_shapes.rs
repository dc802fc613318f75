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
