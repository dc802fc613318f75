//! `uv.lock` as an editable document: the versions of the workspace's own Python projects.
//!
//! A uv lockfile has one `[[package]]` per locked distribution. The projects of the workspace
//! are those with a local source: `source = { editable = "..." }` (members and editable path
//! dependencies), `{ virtual = "..." }` (projects without a build system) and
//! `{ directory = "..." }` (non-editable path dependencies). [`UvLockMut::set_version`]
//! rewrites their `version` in PEP 440 form; a package of the same name locked from an index
//! (`source = { registry = "..." }`) is a published release and is left as it is. A project
//! with a dynamic version has no `version` in the lock, and nothing is written for it.
//!
//! **Requirements.** `[package.metadata] requires-dist` and `requires-dev` record what each
//! project requires, but uv records no specifier for a dependency on a workspace member or a
//! path (`{ name = "acme-core", editable = "packages/core" }`): it drops the specifier when it
//! resolves the source. So rewriting `acme-core>=1.2,<2` in a pyproject.toml leaves uv.lock
//! valid, which the tests check with the real `uv lock --check`. A dependency that this lock
//! takes from an index instead carries its specifier, and a new specifier can only be locked
//! once the new version is published: relflow does not rewrite it (that would make the lock
//! claim a resolution it does not have); run `uv lock` after publishing.
//!
//! Like [`crate::edit::python::PyprojectMut`], every change is spliced into the text at the
//! value's byte range; nothing else is re-rendered.

use camino::{Utf8Path, Utf8PathBuf};
use toml_edit::Item;

use crate::diag::InputError;
use crate::discover::python::normalize_name;
use crate::edit::python::{parse_toml, splice, string_edit};
use crate::pep440::semver_to_pep440;

/// The hint for a lockfile relflow cannot read.
const REGENERATE: &str = "regenerate the lockfile with `uv lock`";

/// The `source` keys of a project of the workspace.
const LOCAL_SOURCES: [&str; 3] = ["editable", "virtual", "directory"];

/// An editable uv.lock.
#[derive(Debug, Clone)]
pub struct UvLockMut {
    text: String,
    path: Utf8PathBuf,
}

impl UvLockMut {
    /// Parses the text of the uv.lock at `path` (used in errors).
    pub fn parse(text: &str, path: &Utf8Path) -> Result<UvLockMut, InputError> {
        parse_toml(text, path, REGENERATE)?;
        Ok(UvLockMut {
            text: text.to_owned(),
            path: path.to_owned(),
        })
    }

    /// Writes `version` (PEP 440 form) into the `[[package]]` of the local project `name`
    /// (compared PEP 503 normalized). Returns whether the lock has such a project; a project
    /// without a `version` (dynamic) counts as found and is left as it is.
    pub fn set_version(
        &mut self,
        name: &str,
        version: &semver::Version,
    ) -> Result<bool, InputError> {
        let doc = parse_toml(&self.text, &self.path, REGENERATE)?;
        let wanted = normalize_name(name);
        let pep440 = semver_to_pep440(version);
        let mut found = false;
        let mut edits = Vec::new();
        let packages = doc.get("package").and_then(Item::as_array_of_tables);
        for package in packages.into_iter().flat_map(|p| p.iter()) {
            let is_wanted = package
                .get("name")
                .and_then(Item::as_str)
                .is_some_and(|n| normalize_name(n) == wanted);
            let is_local = package
                .get("source")
                .and_then(Item::as_table_like)
                .is_some_and(|source| LOCAL_SOURCES.iter().any(|key| source.contains_key(key)));
            if !is_wanted || !is_local {
                continue;
            }
            found = true;
            let Some(item) = package.get("version") else {
                continue;
            };
            let Some(value) = item.as_value().filter(|v| v.is_str()) else {
                let error = InputError::in_file(
                    &self.path,
                    format!("the `version` of package `{name}` is not a string"),
                )
                .with_hint(REGENERATE);
                return Err(match item.span() {
                    Some(span) => error.at_offset(&self.text, span.start),
                    None => error,
                });
            };
            edits.extend(string_edit(&self.text, value, &pep440));
        }
        self.text = splice(&self.text, edits);
        Ok(found)
    }

    /// The edited text.
    pub fn finish(self) -> String {
        self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A lock as uv 0.13 writes it for an application whose own projects are a virtual root,
    /// an editable member and a non-editable path dependency, and which takes `acme-core`
    /// from the index.
    const LOCK: &str = r#"version = 1
revision = 3
requires-python = ">=3.9"

[[package]]
name = "acme-app"
version = "1.2.0"
source = { virtual = "." }
dependencies = [
    { name = "acme-core" },
    { name = "acme-ext" },
    { name = "acme-util" },
]

[package.metadata]
requires-dist = [
    { name = "acme-core", specifier = ">=1.2,<2" },
    { name = "acme-ext", directory = "libs/ext" },
    { name = "acme-util", editable = "packages/util" },
]

[[package]]
name = "acme-core"
version = "1.2.0"
source = { registry = "https://pypi.org/simple" }
sdist = { url = "https://files.pythonhosted.org/packages/ab/cd/acme_core-1.2.0.tar.gz", hash = "sha256:0f1e", size = 1200, upload-time = "2025-01-02T03:04:05.000Z" }
wheels = [
    { url = "https://files.pythonhosted.org/packages/ef/01/acme_core-1.2.0-py3-none-any.whl", hash = "sha256:9a8b", size = 900, upload-time = "2025-01-02T03:04:05.000Z" },
]

[[package]]
name = "acme-ext"
version = "0.5.0"
source = { directory = "libs/ext" }

[[package]]
name = "acme-util"
version = "0.1.0"
source = { editable = "packages/util" }
"#;

    fn lock() -> UvLockMut {
        UvLockMut::parse(LOCK, Utf8Path::new("uv.lock")).unwrap()
    }

    fn v(text: &str) -> semver::Version {
        semver::Version::parse(text).unwrap()
    }

    #[test]
    fn local_projects_get_the_new_version_and_nothing_else_changes() {
        let mut lock = lock();
        assert!(lock.set_version("acme_app", &v("1.3.0")).unwrap());
        assert!(lock.set_version("acme-ext", &v("0.6.0-rc.1")).unwrap());
        assert!(lock.set_version("Acme.Util", &v("0.1.1")).unwrap());
        let expected = LOCK
            .replacen(
                "version = \"1.2.0\"\nsource = { virtual",
                "version = \"1.3.0\"\nsource = { virtual",
                1,
            )
            .replacen("version = \"0.5.0\"", "version = \"0.6.0rc1\"", 1)
            .replacen("version = \"0.1.0\"", "version = \"0.1.1\"", 1);
        assert_ne!(expected, LOCK);
        assert_eq!(lock.finish(), expected);
    }

    #[test]
    fn packages_from_an_index_and_unknown_names_are_left_alone() {
        let mut lock = lock();
        assert!(!lock.set_version("acme-core", &v("2.0.0")).unwrap());
        assert!(!lock.set_version("acme-missing", &v("2.0.0")).unwrap());
        assert_eq!(lock.finish(), LOCK);
    }

    #[test]
    fn dynamic_versions_crlf_and_errors() {
        let dynamic = "version = 1\r\n\r\n[[package]]\r\nname = \"acme-rs\"\r\nsource = { editable = \"bindings/python\" }\r\n\r\n[[package]]\r\nname = \"acme-util\"\r\nversion = \"0.1.0\"\r\nsource = { editable = \"packages/util\" }\r\n";
        let mut lock = UvLockMut::parse(dynamic, Utf8Path::new("uv.lock")).unwrap();
        assert!(lock.set_version("acme-rs", &v("2.0.0")).unwrap());
        assert!(lock.set_version("acme-util", &v("0.2.0")).unwrap());
        assert_eq!(lock.finish(), dynamic.replace("0.1.0", "0.2.0"));

        let error =
            UvLockMut::parse("version = 1\n[[package]\n", Utf8Path::new("uv.lock")).unwrap_err();
        assert_eq!(error.location().as_deref(), Some("uv.lock:2"));
        let mut lock = UvLockMut::parse(
            "[[package]]\nname = \"a\"\nversion = 1\nsource = { virtual = \".\" }\n",
            Utf8Path::new("uv.lock"),
        )
        .unwrap();
        let error = lock.set_version("a", &v("1.0.0")).unwrap_err();
        assert_eq!(error.location().as_deref(), Some("uv.lock:3"));
        assert!(error.hint.unwrap().contains("uv lock"));
    }

    /// The uv that `cargo xtask test` installs (`RELFLOW_UV`); `None` (the test skips) when run
    /// outside it, which is an error on CI.
    fn uv() -> Option<String> {
        let Ok(uv) = std::env::var("RELFLOW_UV") else {
            assert!(
                std::env::var_os("CI").is_none(),
                "RELFLOW_UV is unset: run the suite with `cargo xtask test`"
            );
            eprintln!("skipped: run through `cargo xtask test`, which installs uv");
            return None;
        };
        Some(uv)
    }

    /// Runs `uv lock ARGS --offline` in `root`; whether it succeeded, and its stderr.
    fn uv_lock(uv: &str, root: &Utf8Path, args: &[&str]) -> (bool, String) {
        let output = std::process::Command::new(uv)
            .arg("lock")
            .args(args)
            .arg("--offline")
            .current_dir(root)
            .env("UV_CACHE_DIR", root.join(".uv-cache"))
            .env("UV_NO_CONFIG", "1")
            .env("UV_PYTHON_DOWNLOADS", "never")
            .output()
            .unwrap();
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    }

    fn write(root: &Utf8Path, path: &str, text: &str) {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn read(root: &Utf8Path, path: &str) -> String {
        std::fs::read_to_string(root.join(path)).unwrap()
    }

    fn project(name: &str, version: &str, rest: &str) -> String {
        format!("[project]\nname = \"{name}\"\nversion = \"{version}\"\nrequires-python = \">=3.9\"\n{rest}")
    }

    const HATCH: &str =
        "\n[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n";

    /// A uv workspace is locked by the real uv, bumped through [`PyprojectMut`] and
    /// [`UvLockMut`], and uv agrees the lock is current: `uv lock --check` passes, and locking
    /// again writes the very same bytes.
    #[test]
    fn real_uv_accepts_the_edited_lock() {
        use crate::edit::python::PyprojectMut;
        use crate::edit::{ManifestChange, RequirementChange};
        use crate::DepKind;

        let Some(uv) = uv() else {
            return;
        };
        let tmp = tempfile::tempdir().unwrap();
        let root = Utf8Path::from_path(tmp.path()).unwrap();
        let app = project(
            "acme-app",
            "1.2.0",
            r#"dependencies = [
  "acme_core[fast] >=1.2,<2 ; python_version >= '3.9'",
  "acme-util==0.1.0",
  "acme-ext",
]

[project.optional-dependencies]
cli = ["acme-util>=0.1"]

[dependency-groups]
test = ["acme-core>=1.0"]

[tool.uv.workspace]
members = ["packages/*"]

[tool.uv.sources]
acme-core = { workspace = true }
acme-util = { workspace = true }
acme-ext = { path = "libs/ext" }
"#,
        ) + HATCH;
        let core = project(
            "acme-core",
            "1.2.0",
            "dependencies = [\"acme-util~=0.1\"]\n\n[project.optional-dependencies]\nfast = []\n\n[tool.uv.sources]\nacme-util = { workspace = true }\n",
        ) + HATCH;
        let tools = project(
            "acme-tools",
            "0.1.0",
            "dependencies = [\"acme-core>=1.2\"]\n\n[tool.uv.sources]\nacme-core = { workspace = true }\n",
        );
        let files = [
            ("pyproject.toml", app),
            ("packages/core/pyproject.toml", core),
            (
                "packages/util/pyproject.toml",
                project("acme-util", "0.1.0", HATCH),
            ),
            ("packages/tools/pyproject.toml", tools),
            (
                "libs/ext/pyproject.toml",
                project("acme-ext", "0.5.0", HATCH),
            ),
        ];
        for (path, text) in &files {
            write(root, path, text);
        }
        let (ok, stderr) = uv_lock(&uv, root, &[]);
        assert!(ok, "uv lock failed: {stderr}");
        let locked = read(root, "uv.lock");
        for source in [
            "source = { editable = \"packages/core\" }",
            "source = { virtual = \"packages/tools\" }",
            "source = { directory = \"libs/ext\" }",
        ] {
            assert!(locked.contains(source), "{source} not in:\n{locked}");
        }

        let requirement = |dependency: &str, kind, requirement: &str| RequirementChange {
            dependency: dependency.to_owned(),
            kind,
            target: None,
            rename: None,
            requirement: requirement.to_owned(),
        };
        let bumps = [
            (
                "pyproject.toml",
                "acme-app",
                "1.2.1",
                vec![
                    requirement("acme-core", DepKind::Normal, ">=2.0,<3"),
                    requirement("acme-util", DepKind::Normal, "==0.2.0b1"),
                    requirement("acme-util", DepKind::Optional, ">=0.2.0b1"),
                    requirement("acme-core", DepKind::Dev, ">=2.0"),
                ],
            ),
            (
                "packages/core/pyproject.toml",
                "acme-core",
                "2.0.0",
                vec![requirement("acme-util", DepKind::Normal, "~=0.2b1")],
            ),
            (
                "packages/util/pyproject.toml",
                "acme-util",
                "0.2.0-beta.1",
                vec![],
            ),
            (
                "packages/tools/pyproject.toml",
                "acme-tools",
                "0.1.1",
                vec![requirement("acme-core", DepKind::Normal, ">=2.0")],
            ),
            ("libs/ext/pyproject.toml", "acme-ext", "0.5.1", vec![]),
        ];
        for (path, _, version, requirements) in &bumps {
            let mut doc = PyprojectMut::parse(&read(root, path), Utf8Path::new(path)).unwrap();
            doc.apply(&ManifestChange {
                version: Some(v(version)),
                requirements: requirements.clone(),
            })
            .unwrap();
            write(root, path, &doc.finish());
        }
        let (ok, _) = uv_lock(&uv, root, &["--check"]);
        assert!(!ok, "uv lock --check passed before uv.lock was edited");

        let mut lock = UvLockMut::parse(&locked, Utf8Path::new("uv.lock")).unwrap();
        for (_, name, version, _) in &bumps {
            assert!(lock.set_version(name, &v(version)).unwrap(), "{name}");
        }
        let edited = lock.finish();
        write(root, "uv.lock", &edited);
        let (ok, stderr) = uv_lock(&uv, root, &["--check"]);
        assert!(ok, "uv lock --check failed: {stderr}\n{edited}");
        let (ok, stderr) = uv_lock(&uv, root, &[]);
        assert!(ok, "uv lock failed: {stderr}");
        assert_eq!(read(root, "uv.lock"), edited);
        assert!(edited.contains("version = \"0.2.0b1\""));
    }
}
