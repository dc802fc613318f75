//! Lockfile edits: unit cases, then the real npm and pnpm (from `cargo xtask tools`) writing the
//! same lockfiles after the same version bump.

use std::path::Path;
use std::process::Command;

use camino::Utf8Path;

use super::{update_package_lock, update_pnpm_lock, yaml_scalar, WorkspaceManifest};
use crate::edit::npm::test_tools::NodeTools;
use crate::edit::npm::PackageJsonMut;
use crate::model::DepKind;

fn manifest<'a>(dir: &'a str, text: &'a str) -> WorkspaceManifest<'a> {
    WorkspaceManifest {
        dir: Utf8Path::new(dir),
        text,
    }
}

const LOCK_V3: &str = r#"{
  "name": "root",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "root",
      "workspaces": [
        "packages/*"
      ],
      "dependencies": {
        "a": "^1.0.0",
        "left-pad": "^1.0.0"
      }
    },
    "node_modules/a": {
      "resolved": "packages/a",
      "link": true
    },
    "node_modules/b": {
      "resolved": "packages/b",
      "link": true
    },
    "node_modules/left-pad": {
      "version": "1.3.0"
    },
    "packages/a": {
      "version": "1.0.0"
    },
    "packages/b": {
      "version": "1.0.0",
      "dependencies": {
        "a": "^1.0.0",
        "left-pad": "^1.0.0"
      }
    }
  }
}
"#;

#[test]
fn package_lock_workspace_entries_follow_their_manifests() {
    let root = r#"{"name": "root", "workspaces": ["packages/*"], "dependencies": {"a": "^1.1.0", "left-pad": "^1.3.0"}}"#;
    let a = r#"{"name": "a", "version": "1.1.0"}"#;
    let b = r#"{"name": "b", "version": "1.0.1", "dependencies": {"a": "^1.1.0", "left-pad": "^1.3.0"}}"#;
    let updated = update_package_lock(
        LOCK_V3,
        Utf8Path::new("package-lock.json"),
        &[
            manifest("", root),
            manifest("./packages/a/", a),
            manifest("packages/b", b),
        ],
    )
    .unwrap();
    // left-pad is a registry package: its (stale) range stays as npm last wrote it.
    let expected = LOCK_V3
        .replace(
            "\"a\": \"^1.0.0\",\n        \"left-pad\"",
            "\"a\": \"^1.1.0\",\n        \"left-pad\"",
        )
        .replace(
            "\"version\": \"1.0.0\"\n    },\n    \"packages/b\"",
            "\"version\": \"1.1.0\"\n    },\n    \"packages/b\"",
        )
        .replace(
            "\"version\": \"1.0.0\",\n      \"dependencies\"",
            "\"version\": \"1.0.1\",\n      \"dependencies\"",
        );
    assert_eq!(updated, expected);
    assert_eq!(updated.matches("\"a\": \"^1.1.0\"").count(), 2);
    assert_eq!(updated.matches("\"left-pad\": \"^1.0.0\"").count(), 2);
}

#[test]
fn legacy_requires_take_the_range_npm_resolves() {
    let lock = "{\r\n  \"lockfileVersion\": 1,\r\n  \"dependencies\": {\r\n    \"a\": {\r\n      \"version\": \"file:packages/a\"\r\n    },\r\n    \"c\": {\r\n      \"version\": \"file:packages/c\",\r\n      \"requires\": {\r\n        \"a\": \"^1.0.0\",\r\n        \"b\": \"1.0.0\"\r\n      }\r\n    },\r\n    \"b\": {\r\n      \"version\": \"1.0.0\"\r\n    }\r\n  }\r\n}";
    // a: devDependencies beat peerDependencies and dependencies; b is not a workspace package.
    let c = r#"{"version": "2.0.1", "peerDependencies": {"a": ">=1.1.0"}, "dependencies": {"a": "^1.0.0", "b": "2.0.0"}, "devDependencies": {"a": "^1.1.0"}}"#;
    let updated = update_package_lock(
        lock,
        Utf8Path::new("package-lock.json"),
        &[manifest("packages/c", c)],
    )
    .unwrap();
    assert_eq!(
        updated,
        lock.replace("\"a\": \"^1.0.0\"", "\"a\": \"^1.1.0\"")
    );
    // A peer-only dependency is not in `requires`: an entry found there is left alone.
    let peer_only = r#"{"peerDependencies": {"a": ">=1.1.0"}}"#;
    let updated = update_package_lock(
        lock,
        Utf8Path::new("package-lock.json"),
        &[manifest("packages/c", peer_only)],
    )
    .unwrap();
    assert_eq!(updated, lock);
}

#[test]
fn invalid_files_are_input_errors_with_lines() {
    let error = update_package_lock(
        "{\n  \"packages\": {,\n}",
        Utf8Path::new("package-lock.json"),
        &[],
    )
    .unwrap_err();
    assert_eq!(
        (error.path.as_deref(), error.line),
        (Some(Utf8Path::new("package-lock.json")), Some(2))
    );
    let error = update_package_lock(
        LOCK_V3,
        Utf8Path::new("package-lock.json"),
        &[manifest("packages/a", "{\n\n  \"version\": 1.0.0\n}")],
    )
    .unwrap_err();
    assert_eq!(
        (error.path.as_deref(), error.line),
        (Some(Utf8Path::new("packages/a/package.json")), Some(3))
    );
    let error = update_pnpm_lock(
        "importers:\n  .:\n    dependencies: [\n",
        Utf8Path::new("pnpm-lock.yaml"),
        &[],
    )
    .unwrap_err();
    assert_eq!(error.path.as_deref(), Some(Utf8Path::new("pnpm-lock.yaml")));
    assert!(error.message.starts_with("invalid YAML"), "{error}");
    assert!(error.line.is_some());
}

const PNPM_LOCK: &str = "lockfileVersion: '9.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

importers:

  .:
    dependencies:
      '@scope/a':
        specifier: workspace:^1.0.0
        version: link:packages/a

  packages/b:
    dependencies:
      '@scope/a':
        specifier: '>=1.0.0 <2.0.0'
        version: link:../a
      left-pad:
        specifier: ^1.0.0
        version: 1.3.0
    devDependencies:
      c:
        specifier: \"~2.0.0\" # a comment
        version: link:../c

packages:

  left-pad@1.3.0:
    resolution: {integrity: sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQ9MrPu8sYQEzwtHTj2pnNq7SIuIpKDPxXz0Q1bxG43dgJKDxQ==}
";

#[test]
fn pnpm_specifiers_follow_their_manifests() {
    let root = r#"{"dependencies": {"@scope/a": "workspace:^1.1.0"}}"#;
    // pnpm records optionalDependencies over dependencies over devDependencies over peers.
    let b = r#"{"version": "1.0.1", "peerDependencies": {"@scope/a": "^9.0.0"}, "dependencies": {"@scope/a": ">=1.1.0 <2.0.0", "left-pad": "^1.3.0"}, "devDependencies": {"c": "~2.0.1"}}"#;
    let updated = update_pnpm_lock(
        PNPM_LOCK,
        Utf8Path::new("pnpm-lock.yaml"),
        &[manifest("", root), manifest("packages/b", b)],
    )
    .unwrap();
    let expected = PNPM_LOCK
        .replace("workspace:^1.0.0", "workspace:^1.1.0")
        .replace("'>=1.0.0 <2.0.0'", "'>=1.1.0 <2.0.0'")
        .replace("\"~2.0.0\" # a comment", "~2.0.1 # a comment");
    assert_eq!(updated, expected);
}

#[test]
fn pnpm_lock_with_non_ascii_text_is_edited_at_the_right_bytes() {
    let lock = "# ünïcödé 🦀\nimporters:\n  packages/b:\n    dependencies:\n      a:\n        specifier: ^1.0.0\n        version: link:../a\n";
    let b = r#"{"dependencies": {"a": "^1.1.0"}}"#;
    let updated = update_pnpm_lock(
        lock,
        Utf8Path::new("pnpm-lock.yaml"),
        &[manifest("packages/b", b)],
    )
    .unwrap();
    assert_eq!(updated, lock.replace("^1.0.0", "^1.1.0"));
}

#[test]
fn yaml_scalars_are_written_as_pnpm_writes_them() {
    for (value, written) in [
        ("^1.1.0", "^1.1.0"),
        ("~1.1.0", "~1.1.0"),
        ("1.1.0", "1.1.0"),
        ("<2.0.0", "<2.0.0"),
        ("workspace:^1.1.0", "workspace:^1.1.0"),
        ("workspace:*", "workspace:*"),
        ("npm:a@1 || 2", "npm:a@1 || 2"),
        ("it's", "it's"),
        ("a#b", "a#b"),
        (">=1.1.0 <2.0.0", "'>=1.1.0 <2.0.0'"),
        ("*", "'*'"),
        ("=1.1.0", "'=1.1.0'"),
        ("@scope/a", "'@scope/a'"),
        ("'q'", "'''q'''"),
        ("a: b", "'a: b'"),
        ("a #b", "'a #b'"),
        ("a:", "'a:'"),
        ("", "''"),
        ("1", "'1'"),
        ("01", "'01'"),
        ("0x1F", "'0x1F'"),
        ("1_000", "'1_000'"),
        ("1.0", "'1.0'"),
        ("1e3", "'1e3'"),
        (".inf", "'.inf'"),
        ("~", "'~'"),
        ("null", "'null'"),
        ("True", "'True'"),
        ("2001-12-14", "'2001-12-14'"),
        ("<<", "'<<'"),
        ("1.0.0", "1.0.0"),
        ("1_", "1_"),
        ("0b", "0b"),
        ("yes", "yes"),
        ("a\u{7}", "\"a\\a\""),
    ] {
        assert_eq!(yaml_scalar(value), written, "{value:?}");
    }
}

/// The package.json files of the real-tool tests: `(dir, text)`.
type Files = Vec<(&'static str, String)>;

/// A package's new version and ranges: `(dir, version, [(kind, name, range)])`.
type PackageEdit = (
    &'static str,
    Option<&'static str>,
    Vec<(DepKind, &'static str, String)>,
);

/// A workspace of four packages plus the root, with every dependency field, then the same
/// workspace after a minor release of `a` and patches of its dependents, edited with
/// [`PackageJsonMut`]. `pnpm` uses the `workspace:` protocol where npm cannot.
fn workspace(pnpm: bool) -> (Files, Files) {
    let ws = |range: &str| {
        if pnpm {
            format!("workspace:{range}")
        } else {
            range.to_owned()
        }
    };
    let json = |value: serde_json::Value| serde_json::to_string_pretty(&value).unwrap() + "\n";
    let mut root = serde_json::json!({ "name": "root", "private": true, "dependencies": { "a": ws("^1.0.0") } });
    if !pnpm {
        root["workspaces"] = serde_json::json!(["packages/*"]);
    }
    let before: Files = vec![
        ("", json(root)),
        (
            "packages/a",
            json(serde_json::json!({ "name": "a", "version": "1.0.0" })),
        ),
        (
            "packages/b",
            json(serde_json::json!({ "name": "b", "version": "1.0.0",
                "dependencies": { "a": "^1.0.0" },
                "devDependencies": { "a": "1.0.0", "c": ws("~2.0.0") } })),
        ),
        (
            "packages/c",
            json(serde_json::json!({ "name": "c", "version": "2.0.0",
                "peerDependencies": { "a": ">=1.0.0 <2.0.0" }, "devDependencies": { "a": "^1.0.0" },
                "optionalDependencies": { "b": "1.0.0" } })),
        ),
        (
            "packages/d",
            json(serde_json::json!({ "name": "@scope/d", "version": "0.1.0",
                "dependencies": { "a": ws("1.0.0"), "c": ">=2.0.0 <3.0.0" },
                "peerDependencies": { "b": "^1.0.0" } })),
        ),
    ];
    let edits: Vec<PackageEdit> = vec![
        ("", None, vec![(DepKind::Normal, "a", ws("^1.1.0"))]),
        ("packages/a", Some("1.1.0"), vec![]),
        (
            "packages/b",
            Some("1.0.1"),
            vec![
                (DepKind::Normal, "a", "^1.1.0".to_owned()),
                (DepKind::Dev, "a", "1.1.0".to_owned()),
                (DepKind::Dev, "c", ws("~2.0.1")),
            ],
        ),
        (
            "packages/c",
            Some("2.0.1"),
            vec![
                (DepKind::Peer, "a", ">=1.1.0 <2.0.0".to_owned()),
                (DepKind::Dev, "a", "^1.1.0".to_owned()),
                (DepKind::Optional, "b", "1.0.1".to_owned()),
            ],
        ),
        (
            "packages/d",
            Some("0.1.1"),
            vec![
                (DepKind::Normal, "a", ws("1.1.0")),
                (DepKind::Normal, "c", ">=2.0.1 <3.0.0".to_owned()),
                (DepKind::Peer, "b", "^1.0.1".to_owned()),
            ],
        ),
    ];
    let after = before
        .iter()
        .zip(edits)
        .map(|((dir, text), (edit_dir, version, ranges))| {
            assert_eq!(*dir, edit_dir);
            let mut doc = PackageJsonMut::parse(text, format!("{dir}/package.json")).unwrap();
            if let Some(version) = version {
                doc.set_version(version).unwrap();
            }
            for (kind, name, range) in ranges {
                doc.set_dependency(kind, name, &range).unwrap();
            }
            (*dir, doc.finish())
        })
        .collect();
    (before, after)
}

fn write_files(root: &Path, files: &Files) {
    for (dir, text) in files {
        let dir = root.join(dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("package.json"), text).unwrap();
    }
}

#[track_caller]
fn run(mut command: Command) {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn manifests(files: &Files) -> Vec<WorkspaceManifest<'_>> {
    files
        .iter()
        .map(|(dir, text)| manifest(dir, text))
        .collect()
}

const NPM: &str = "npm/bin/npm-cli.js";
const PNPM: &str = "pnpm/bin/pnpm.cjs";

/// npm writes a lockfile (version 2, then 3) for the workspace; after the bump our edit of it
/// must be byte for byte what npm itself writes from the stale lockfile, and `npm ci` must
/// accept it.
#[test]
fn package_lock_edits_are_what_npm_writes() {
    let Some(tools) = NodeTools::find(&[NPM]) else {
        return;
    };
    for lockfile_version in ["2", "3"] {
        let temp = tempfile::tempdir().unwrap();
        let root = temp.path();
        let (before, after) = workspace(false);
        write_files(root, &before);
        let npm = |args: &[&str]| {
            let mut command = tools.run(NPM, root);
            command.args(args).args(["--offline", "--ignore-scripts"]);
            command
        };
        run(npm(&["install", "--lockfile-version", lockfile_version]));
        let lock_path = root.join("package-lock.json");
        let stale = std::fs::read_to_string(&lock_path).unwrap();
        assert!(stale.contains(&format!("\"lockfileVersion\": {lockfile_version}")));

        write_files(root, &after);
        let ours = update_package_lock(
            &stale,
            Utf8Path::new("package-lock.json"),
            &manifests(&after),
        )
        .unwrap();
        run(npm(&["install", "--package-lock-only"]));
        let npms = std::fs::read_to_string(&lock_path).unwrap();
        assert_ne!(npms, stale, "npm left the stale lockfile as it was");
        assert_eq!(ours, npms, "lockfileVersion {lockfile_version}");

        std::fs::write(&lock_path, &ours).unwrap();
        run(npm(&["ci"]));
        assert_eq!(std::fs::read_to_string(&lock_path).unwrap(), ours);
    }
}

/// pnpm writes `pnpm-lock.yaml` for the workspace; after the bump our edit of it must be byte for
/// byte what pnpm itself writes, and `pnpm install --frozen-lockfile` must accept it.
#[test]
fn pnpm_lock_edits_are_what_pnpm_writes() {
    let Some(tools) = NodeTools::find(&[PNPM]) else {
        return;
    };
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path();
    let (before, after) = workspace(true);
    write_files(root, &before);
    std::fs::write(
        root.join("pnpm-workspace.yaml"),
        "packages:\n  - \"packages/*\"\nlinkWorkspacePackages: true\n",
    )
    .unwrap();
    let pnpm = |args: &[&str]| {
        let mut command = tools.run(PNPM, root);
        command.args(args).args(["--offline", "--ignore-scripts"]);
        command.env("npm_config_store_dir", root.join(".home/store"));
        command
    };
    run(pnpm(&[
        "install",
        "--lockfile-only",
        "--no-frozen-lockfile",
    ]));
    let lock_path = root.join("pnpm-lock.yaml");
    let stale = std::fs::read_to_string(&lock_path).unwrap();

    write_files(root, &after);
    let ours =
        update_pnpm_lock(&stale, Utf8Path::new("pnpm-lock.yaml"), &manifests(&after)).unwrap();
    run(pnpm(&[
        "install",
        "--lockfile-only",
        "--no-frozen-lockfile",
    ]));
    let pnpms = std::fs::read_to_string(&lock_path).unwrap();
    assert_ne!(pnpms, stale, "pnpm left the stale lockfile as it was");
    assert_eq!(ours, pnpms);

    std::fs::write(&lock_path, &ours).unwrap();
    run(pnpm(&["install", "--frozen-lockfile"]));
    assert_eq!(std::fs::read_to_string(&lock_path).unwrap(), ours);
}
