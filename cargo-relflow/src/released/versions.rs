//! A package's version as one commit's files write it: the same places discovery reads (Cargo
//! `[package] version` or the workspace's, package.json, pyproject.toml or the maturin crate's
//! Cargo.toml, a generic package's version file), from text handed in by the caller.

use anyhow::{anyhow, Result};
use camino::{Utf8Path, Utf8PathBuf};
use cargo_relflow_sync::config::RelflowConfig;
use cargo_relflow_sync::pep440::pep440_to_semver;
use cargo_relflow_sync::{dynamic_version, version_file, Ecosystem, Package, VersionSource};

/// A version as written, and as semver (PEP 440 converted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Written {
    /// The text in the file.
    pub text: String,
    /// The same as semver.
    pub semver: semver::Version,
}

/// Reads a file (relative to the relflow root) of one commit: `None` when it has none.
pub(super) type Read<'a> = dyn FnMut(&Utf8Path) -> Result<Option<String>> + 'a;

/// The version `package` has in the files `read` gives; `None` when its manifest is not there
/// or carries no version.
pub(super) fn version_of(
    package: &Package,
    config: &RelflowConfig,
    read: &mut Read<'_>,
) -> Result<Option<Written>> {
    match package.ecosystem {
        Ecosystem::Cargo => cargo_version(&package.manifest, read),
        Ecosystem::Npm => npm_version(&package.manifest, read),
        Ecosystem::Python => python_version(package, read),
        Ecosystem::Generic => generic_version(package, config, read),
    }
}

fn cargo_version(manifest: &Utf8Path, read: &mut Read<'_>) -> Result<Option<Written>> {
    let Some(doc) = toml_file(manifest, read)? else {
        return Ok(None);
    };
    let version = doc
        .get("package")
        .and_then(toml::Value::as_table)
        .and_then(|package| package.get("version"));
    let text = match version {
        Some(toml::Value::String(text)) => text.clone(),
        Some(toml::Value::Table(table))
            if table.get("workspace").and_then(toml::Value::as_bool) == Some(true) =>
        {
            match workspace_version(manifest, read)? {
                Some(text) => text,
                None => return Ok(None),
            }
        }
        _ => return Ok(None),
    };
    semver_written(manifest, text).map(Some)
}

/// `[workspace.package] version` of the nearest Cargo.toml with `[workspace]` at or above the
/// directory of `manifest`.
fn workspace_version(manifest: &Utf8Path, read: &mut Read<'_>) -> Result<Option<String>> {
    let mut dir = manifest.parent();
    while let Some(current) = dir {
        let candidate = current.join("Cargo.toml");
        if let Some(doc) = toml_file(&candidate, read)? {
            if let Some(workspace) = doc.get("workspace").and_then(toml::Value::as_table) {
                return Ok(workspace
                    .get("package")
                    .and_then(toml::Value::as_table)
                    .and_then(|package| package.get("version"))
                    .and_then(toml::Value::as_str)
                    .map(ToOwned::to_owned));
            }
        }
        dir = current.parent();
    }
    Ok(None)
}

fn npm_version(manifest: &Utf8Path, read: &mut Read<'_>) -> Result<Option<Written>> {
    let Some(text) = read(manifest)? else {
        return Ok(None);
    };
    let json: serde_json::Value = serde_json::from_str(&text)
        .map_err(|error| anyhow!("`{manifest}` is not valid JSON: {error}"))?;
    match json.get("version").and_then(serde_json::Value::as_str) {
        Some(version) => semver_written(manifest, version.to_owned()).map(Some),
        None => Ok(None),
    }
}

fn python_version(package: &Package, read: &mut Read<'_>) -> Result<Option<Written>> {
    let (dir, manifest) = (&package.dir, &package.manifest);
    let Some(doc) = toml_file(manifest, read)? else {
        return Ok(None);
    };
    let table = |value: Option<&toml::Value>| value.and_then(toml::Value::as_table).cloned();
    let project = table(doc.get("project"));
    let tool = table(doc.get("tool"));
    let poetry = tool.as_ref().and_then(|tool| table(tool.get("poetry")));
    let dynamic = project
        .as_ref()
        .and_then(|p| p.get("dynamic"))
        .and_then(toml::Value::as_array)
        .is_some_and(|list| list.iter().any(|v| v.as_str() == Some("version")));
    let maturin = table(doc.get("build-system"))
        .and_then(|b| b.get("build-backend").cloned())
        .and_then(|b| b.as_str().map(ToOwned::to_owned))
        .as_deref()
        == Some("maturin");
    if dynamic && !maturin {
        return dynamic_version(package, read);
    }
    if dynamic {
        let path = tool
            .as_ref()
            .and_then(|tool| table(tool.get("maturin")))
            .and_then(|m| m.get("manifest-path").cloned())
            .and_then(|p| p.as_str().map(ToOwned::to_owned))
            .unwrap_or_else(|| "Cargo.toml".to_owned());
        let Some(cargo) = join_normalized(dir, &path) else {
            return Ok(None);
        };
        return cargo_version(&cargo, read);
    }
    let meta = project.or(poetry);
    let Some(text) = meta
        .as_ref()
        .and_then(|meta| meta.get("version"))
        .and_then(toml::Value::as_str)
    else {
        return Ok(None);
    };
    let semver = pep440_to_semver(text)
        .map_err(|error| anyhow!("`{manifest}`: version `{text}`: {error}"))?;
    Ok(Some(Written {
        text: text.to_owned(),
        semver,
    }))
}

/// A dynamic version that maturin does not build, where discovery found it: the file the
/// backend reads (hatch `path`, setuptools `attr:`/`file:`, pdm `file`), or, for a version git
/// tags give, the newest release heading of its CHANGELOG.md (what `version` writes for it).
fn dynamic_version(package: &Package, read: &mut Read<'_>) -> Result<Option<Written>> {
    let found = match &package.version_source {
        VersionSource::PythonFile { file, assignment } => read(file)?.and_then(|text| {
            dynamic_version::read_version(&text, assignment.as_deref()).map(str::to_owned)
        }),
        VersionSource::Vcs(_) => read(&package.dir.join("CHANGELOG.md"))?.and_then(|text| {
            text.lines()
                .filter_map(|l| l.strip_prefix("## "))
                .map(str::trim)
                .find(|h| pep440_to_semver(h).is_ok())
                .map(str::to_owned)
        }),
        _ => None,
    };
    let Some(text) = found else {
        return Ok(None);
    };
    let semver = pep440_to_semver(&text)
        .map_err(|error| anyhow!("`{}`: version `{text}`: {error}", package.manifest))?;
    Ok(Some(Written { text, semver }))
}

fn generic_version(
    package: &Package,
    config: &RelflowConfig,
    read: &mut Read<'_>,
) -> Result<Option<Written>> {
    let entry = config
        .generic_packages()
        .find(|entry| *entry.name.get_ref() == package.name);
    let Some(locator) = entry.and_then(|entry| entry.locator()) else {
        return Ok(None);
    };
    let Some(text) = read(&package.manifest)? else {
        return Ok(None);
    };
    // A version file that no longer holds a version in that commit: the package had none.
    let Ok((version, _)) = version_file::find_version(&text, &locator) else {
        return Ok(None);
    };
    semver_written(&package.manifest, version).map(Some)
}

fn toml_file(path: &Utf8Path, read: &mut Read<'_>) -> Result<Option<toml::Table>> {
    let Some(text) = read(path)? else {
        return Ok(None);
    };
    text.parse::<toml::Table>()
        .map(Some)
        .map_err(|error| anyhow!("`{path}` is not valid TOML: {}", error.message()))
}

fn semver_written(path: &Utf8Path, text: String) -> Result<Written> {
    let semver = semver::Version::parse(&text)
        .map_err(|error| anyhow!("`{path}`: version `{text}` is not semver: {error}"))?;
    Ok(Written { text, semver })
}

/// `dir/path` with `.` and `..` resolved; `None` when it leaves the root.
fn join_normalized(dir: &Utf8Path, path: &str) -> Option<Utf8PathBuf> {
    let mut parts: Vec<&str> = dir.as_str().split('/').filter(|p| !p.is_empty()).collect();
    for part in path.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(Utf8PathBuf::from(parts.join("/")))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use cargo_relflow_sync::Publish;

    use super::*;

    fn package(ecosystem: Ecosystem, name: &str, manifest: &str) -> Package {
        let manifest = Utf8PathBuf::from(manifest);
        Package {
            ecosystem,
            name: name.to_owned(),
            version: None,
            version_text: None,
            version_source: VersionSource::Manifest,
            dir: manifest.parent().map(ToOwned::to_owned).unwrap_or_default(),
            manifest,
            publish: Publish::Default,
            deps: Vec::new(),
        }
    }

    fn version(
        package: &Package,
        config: &RelflowConfig,
        files: &[(&str, &str)],
    ) -> Option<String> {
        let files: HashMap<Utf8PathBuf, String> = files
            .iter()
            .map(|(path, text)| (Utf8PathBuf::from(path), (*text).to_owned()))
            .collect();
        let mut read = |path: &Utf8Path| Ok(files.get(path).cloned());
        version_of(package, config, &mut read)
            .unwrap()
            .map(|written| written.text)
    }

    #[test]
    fn cargo_own_and_inherited_versions() {
        let config = RelflowConfig::default();
        let core = package(Ecosystem::Cargo, "core", "crates/core/Cargo.toml");
        let own = [(
            "crates/core/Cargo.toml",
            "[package]\nname = \"core\"\nversion = \"1.2.0\"\n",
        )];
        assert_eq!(version(&core, &config, &own).as_deref(), Some("1.2.0"));
        let inherited = [
            (
                "crates/core/Cargo.toml",
                "[package]\nname = \"core\"\nversion.workspace = true\n",
            ),
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"crates/*\"]\n[workspace.package]\nversion = \"2.0.0\"\n",
            ),
        ];
        assert_eq!(
            version(&core, &config, &inherited).as_deref(),
            Some("2.0.0")
        );
        assert_eq!(version(&core, &config, &[]), None);
    }

    #[test]
    fn python_pep440_and_maturin() {
        let config = RelflowConfig::default();
        let lib = package(Ecosystem::Python, "lib", "py/lib/pyproject.toml");
        let pep440 = [(
            "py/lib/pyproject.toml",
            "[project]\nname = \"lib\"\nversion = \"1.0.0b1\"\n",
        )];
        assert_eq!(version(&lib, &config, &pep440).as_deref(), Some("1.0.0b1"));
        let maturin = [
            (
                "py/lib/pyproject.toml",
                "[build-system]\nbuild-backend = \"maturin\"\n[project]\nname = \"lib\"\ndynamic = [\"version\"]\n[tool.maturin]\nmanifest-path = \"../../rust/Cargo.toml\"\n",
            ),
            ("rust/Cargo.toml", "[package]\nname = \"lib\"\nversion = \"0.3.0\"\n"),
        ];
        assert_eq!(version(&lib, &config, &maturin).as_deref(), Some("0.3.0"));
    }

    #[test]
    fn python_dynamic_versions_where_discovery_found_them() {
        let config = RelflowConfig::default();
        let pyproject = "[project]\nname = \"lib\"\ndynamic = [\"version\"]\n";
        let mut hatch = package(Ecosystem::Python, "lib", "lib/pyproject.toml");
        hatch.version_source = VersionSource::PythonFile {
            file: "lib/src/lib/__about__.py".into(),
            assignment: Some(String::new()),
        };
        let files = [
            ("lib/pyproject.toml", pyproject),
            ("lib/src/lib/__about__.py", "__version__ = \"0.5.0\"\n"),
        ];
        assert_eq!(version(&hatch, &config, &files).as_deref(), Some("0.5.0"));
        let mut vcs = package(Ecosystem::Python, "lib", "lib/pyproject.toml");
        vcs.version_source = VersionSource::Vcs("hatch-vcs".to_owned());
        let files = [
            ("lib/pyproject.toml", pyproject),
            (
                "lib/CHANGELOG.md",
                "# lib\n\n## Unreleased\n\n## 1.3.0b1\n\n### Minor Changes\n",
            ),
        ];
        assert_eq!(version(&vcs, &config, &files).as_deref(), Some("1.3.0b1"));
        assert_eq!(
            version(&vcs, &config, &[("lib/pyproject.toml", pyproject)]),
            None
        );
    }

    #[test]
    fn npm_without_version_and_broken_json() {
        let config = RelflowConfig::default();
        let web = package(Ecosystem::Npm, "web", "web/package.json");
        assert_eq!(
            version(&web, &config, &[("web/package.json", r#"{"name":"web"}"#)]),
            None
        );
        let mut read = |_: &Utf8Path| Ok(Some("{".to_owned()));
        let error = version_of(&web, &config, &mut read).unwrap_err();
        assert!(error.to_string().contains("web/package.json"), "{error}");
    }
}
