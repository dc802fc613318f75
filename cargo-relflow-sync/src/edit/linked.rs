//! Linked files: a version written into any file by a locator, for `[[sync]]` targets
//! (tauri.conf.json, a CI workflow) and generic packages' version files (a Go constant, a
//! `VERSION` file).
//!
//! The locator ([`Locator`]: JSON pointer, dotted TOML path, or regex with a named group
//! `version`) finds the byte range of the version with [`crate::version_file`], and only those
//! bytes are replaced: quotes, indentation, comments, key order and line endings (CRLF too) stay.
//! A regex that matches several times has every match rewritten (see
//! [`crate::version_file`]); reading takes the first.
//!
//! The version is written as given: the caller decides its form (semver for most files, PEP
//! 440 for a Python one).

use camino::Utf8Path;

use crate::config::Locator;
use crate::diag::InputError;
use crate::edit::python::splice;
use crate::version_file::find_versions;

/// The version the locator finds in the text of the file at `path` (the first match of a
/// regex). Errors name the file, the locator and a hint.
pub fn read_version(text: &str, path: &Utf8Path, locator: &Locator) -> Result<String, InputError> {
    let mut found = find_versions(text, locator).map_err(|e| e.into_input_error(path, locator))?;
    Ok(found.swap_remove(0).0)
}

/// The text of the file at `path` with `version` written where the locator finds the version
/// (every match of a regex). Errors name the file, the locator and a hint, e.g. "the regex
/// matched nothing".
pub fn set_version(
    text: &str,
    path: &Utf8Path,
    locator: &Locator,
    version: &str,
) -> Result<String, InputError> {
    let found = find_versions(text, locator).map_err(|e| e.into_input_error(path, locator))?;
    let edits = found
        .into_iter()
        .map(|(_, range)| (range, version.to_owned()))
        .collect();
    Ok(splice(text, edits))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(before: &str, locator: Locator, version: &str, after: &str) {
        let path = Utf8Path::new("some/file");
        let written = set_version(before, path, &locator, version).unwrap();
        assert_eq!(written, after);
        assert_eq!(read_version(&written, path, &locator).unwrap(), version);
    }

    const TAURI: &str = r#"{
  "$schema": "https://schema.tauri.app/config/2",
  "productName": "cloudprint",
  "version": "1.2.3",
  "identifier": "app.cloudprint",
  "plugins": { "updater": { "version": "0.1.0" } },
  "bundle": {
    "active": true,
    "targets": "all"
  }
}
"#;

    #[test]
    fn tauri_conf_json_version() {
        check(
            TAURI,
            Locator::Json("/version".into()),
            "1.3.0",
            &TAURI.replace("\"version\": \"1.2.3\"", "\"version\": \"1.3.0\""),
        );
        check(
            TAURI,
            Locator::Json("/plugins/updater/version".into()),
            "0.2.0",
            &TAURI.replace("\"0.1.0\"", "\"0.2.0\""),
        );
    }

    #[test]
    fn toml_path() {
        let cargo = "[package]\nname = \"cloudprint\"\nversion = \"0.0.0\"\n\n[package.metadata]\n# Kept in step with package.json.\nversion = '1.2.3' # do not edit\n";
        check(
            cargo,
            Locator::Toml("package.metadata.version".into()),
            "2.0.0-beta.1",
            &cargo.replace("'1.2.3'", "'2.0.0-beta.1'"),
        );
    }

    #[test]
    fn ci_yaml_regex() {
        let yaml = "env:\n  FFI_VERSION: \"1.2.3\"\n  NODE_VERSION: \"22\"\njobs:\n  build:\n    runs-on: ubuntu-latest\n";
        check(
            yaml,
            Locator::Regex(r#"FFI_VERSION: "(?<version>[^"]+)""#.into()),
            "1.3.0",
            &yaml.replace("1.2.3", "1.3.0"),
        );
    }

    #[test]
    fn go_version_file() {
        let go =
            "package version\n\n// Version is set by cargo relflow.\nconst Version = \"1.2.3\"\n";
        check(
            go,
            Locator::Regex(r#"const Version = "(?<version>[^"]+)""#.into()),
            "1.2.4",
            &go.replace("1.2.3", "1.2.4"),
        );
    }

    #[test]
    fn crlf_files_keep_their_line_endings() {
        let json = TAURI.replace('\n', "\r\n");
        check(
            &json,
            Locator::Json("/version".into()),
            "1.3.0",
            &json.replace("1.2.3", "1.3.0"),
        );
        let toml = "[package]\r\nversion = \"1.2.3\"\r\n\r\n[other]\r\nversion = \"1.2.3\"\r\n";
        check(
            toml,
            Locator::Toml("package.version".into()),
            "1.3.0",
            "[package]\r\nversion = \"1.3.0\"\r\n\r\n[other]\r\nversion = \"1.2.3\"\r\n",
        );
        let go = "package version\r\n\r\nconst Version = \"1.2.3\"\r\n";
        check(
            go,
            Locator::Regex(r#"Version = "(?<version>[^"]+)""#.into()),
            "2.0.0",
            &go.replace("1.2.3", "2.0.0"),
        );
    }

    #[test]
    fn a_regex_rewrites_every_match() {
        let dockerfile = "ARG VERSION=1.2.3\nFROM scratch\nLABEL org.opencontainers.image.version=1.2.3\nLABEL other=1.2.3\n";
        check(
            dockerfile,
            Locator::Regex(r"(?:VERSION=|image\.version=)(?<version>[0-9][^\s]*)".into()),
            "1.3.0",
            "ARG VERSION=1.3.0\nFROM scratch\nLABEL org.opencontainers.image.version=1.3.0\nLABEL other=1.2.3\n",
        );
    }

    #[test]
    fn errors_name_the_file_the_locator_and_a_hint() {
        let path = Utf8Path::new("apps/cloudprint/src-tauri/tauri.conf.json");
        let error = set_version(
            "const Version = \"1.2.3\"\n",
            Utf8Path::new("version.go"),
            &Locator::Regex(r#"VERSION = "(?<version>[^"]+)""#.into()),
            "1.3.0",
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "cannot find the version with `regex = 'VERSION = \"(?<version>[^\"]+)\"'`: the regex matched nothing\n  --> version.go\nhint: the regex must match the file's current version; check it against the file"
        );
        let error =
            set_version(TAURI, path, &Locator::Json("/app/version".into()), "1.3.0").unwrap_err();
        assert_eq!(
            error.message,
            "cannot find the version with `json = \"/app/version\"`: nothing at JSON pointer `/app/version`"
        );
        assert_eq!(error.path.as_deref(), Some(path));
        assert!(error.hint.is_some());
        let error = set_version(
            "{\n  \"version\": 1.2\n",
            path,
            &Locator::Json("/version".into()),
            "1.3.0",
        )
        .unwrap_err();
        assert_eq!(error.line, Some(3), "{error}");
        assert!(error.message.contains("invalid JSON"), "{error}");
        let error = read_version(
            "[package]\nversion = 3\n",
            Utf8Path::new("Cargo.toml"),
            &Locator::Toml("package.version".into()),
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "cannot find the version with `toml = \"package.version\"`: the value at `package.version` is not a string\n  --> Cargo.toml\nhint: point at a string value such as \"1.2.3\""
        );
    }
}
