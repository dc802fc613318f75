//! Generic packages: versioned things declared in relflow.toml (`[[package]]` with `path` and
//! `version_file`), such as a Go service or a Docker image.

use camino::Utf8Path;

use crate::config::{ConfigSource, RelflowConfig};
use crate::{version_file, Ecosystem, InputError, Package, Publish, VersionSource};

/// Reads the version of every generic package the configuration declares.
pub fn discover_generic(
    root: &Utf8Path,
    config: &RelflowConfig,
    source: Option<&ConfigSource>,
) -> Result<Vec<Package>, InputError> {
    let mut packages = Vec::new();
    for entry in config.generic_packages() {
        let (Some(dir), Some(file), Some(locator)) =
            (&entry.path, &entry.version_file, entry.locator())
        else {
            continue;
        };
        let dir = Utf8Path::new(dir.get_ref().trim_end_matches('/'));
        let manifest = dir.join(file.get_ref());
        let at_entry = |message: String| {
            let mut error = InputError::new(message);
            if let Some(source) = source {
                error = error
                    .with_path(&source.path)
                    .at_offset(&source.text, entry.name.span().start);
            }
            error
        };
        let text = crate::diag::read_text_file(&root.join(&manifest)).map_err(|e| {
            if e.kind() == std::io::ErrorKind::InvalidData {
                // Not UTF-8: the version file's own line says where.
                return crate::diag::read_error(&manifest, &e);
            }
            at_entry(format!(
                "cannot read the version file `{manifest}` of generic package `{}`: {e}",
                entry.name.get_ref()
            ))
        })?;
        let (version_text, range) = version_file::find_version(&text, &locator)
            .map_err(|e| at_entry(format!("`{manifest}`: {e}")))?;
        let version = semver::Version::parse(&version_text).map_err(|e| {
            InputError::in_file(
                &manifest,
                format!("`{version_text}` is not a semver version: {e}"),
            )
            .with_line(crate::diag::line_of_offset(&text, range.start))
        })?;
        packages.push(Package {
            ecosystem: Ecosystem::Generic,
            name: entry.name.get_ref().clone(),
            version: Some(version),
            version_text: Some(version_text),
            version_source: VersionSource::File,
            dir: dir.to_owned(),
            manifest,
            publish: Publish::No,
            deps: Vec::new(),
        });
    }
    Ok(packages)
}
