//! package.json, edited the way Changesets v3 edits it (`edit-json.ts`): each change replaces the
//! bytes of one existing value with `JSON.stringify` of the new string, and nothing else moves.
//! Indentation, key order, line endings, escapes elsewhere and the trailing newline stay byte
//! for byte. Keys are never added: a change to an entry that is not there is an error.
//!
//! [`PackageJsonMut`] also lists the dependencies a package.json declares
//! ([`PackageJsonMut::dependencies`]), for the root package.json, which is no package of the
//! workspace but whose ranges `version` rewrites too.

pub(crate) mod json;
#[cfg(test)]
pub(crate) mod test_tools;

use std::collections::BTreeMap;
use std::ops::Range;

use camino::{Utf8Path, Utf8PathBuf};

use crate::diag::InputError;
use crate::edit::ManifestChange;
use crate::model::{DepKind, Dependency};

pub(crate) use json::{parse as parse_json, Node as JsonNode};

/// The dependency fields of package.json and the kind each one gives.
pub(crate) const DEPENDENCY_FIELDS: [(&str, DepKind); 4] = [
    ("dependencies", DepKind::Normal),
    ("devDependencies", DepKind::Dev),
    ("peerDependencies", DepKind::Peer),
    ("optionalDependencies", DepKind::Optional),
];

/// A package.json being edited.
#[derive(Debug)]
pub struct PackageJsonMut {
    path: Utf8PathBuf,
    text: String,
    root: JsonNode,
    /// Replacements by the span they replace; a later change to one value wins.
    edits: BTreeMap<usize, (usize, String)>,
}

impl PackageJsonMut {
    /// Parses the text of the package.json at `path` (the path is for error messages).
    pub fn parse(text: &str, path: impl AsRef<Utf8Path>) -> Result<PackageJsonMut, InputError> {
        let path = path.as_ref().to_owned();
        let root = parse_json(text, &path)?;
        Ok(PackageJsonMut {
            path,
            text: text.to_owned(),
            root,
            edits: BTreeMap::new(),
        })
    }

    /// Every dependency the four dependency fields declare with a string range, field by field
    /// in Changesets' order (dependencies, devDependencies, peerDependencies,
    /// optionalDependencies), as the text was before any edit.
    pub fn dependencies(&self) -> Vec<Dependency> {
        let mut dependencies = Vec::new();
        for (field, kind) in DEPENDENCY_FIELDS {
            let Some(entries) = self.root.get(field) else {
                continue;
            };
            for (name, value) in entries.members() {
                if let Some(requirement) = value.string(&self.text) {
                    dependencies.push(Dependency {
                        name: name.clone(),
                        kind,
                        requirement,
                        target: None,
                        rename: None,
                    });
                }
            }
        }
        dependencies
    }

    /// Sets `version`, which must already be there.
    pub fn set_version(&mut self, version: &str) -> Result<(), InputError> {
        self.set(&["version"], version)
    }

    /// Sets the range of `name` in the field of `kind` (`Optional` is optionalDependencies),
    /// which must already list it.
    pub fn set_dependency(
        &mut self,
        kind: DepKind,
        name: &str,
        range: &str,
    ) -> Result<(), InputError> {
        let field = DEPENDENCY_FIELDS
            .iter()
            .find_map(|&(field, k)| (k == kind).then_some(field))
            .ok_or_else(|| {
                InputError::in_file(
                    &self.path,
                    format!("npm has no {kind} dependencies (`{name}`)"),
                )
            })?;
        self.set(&[field, name], range)
    }

    /// Applies a manifest change: the version, if any, and every requirement.
    pub fn apply(&mut self, change: &ManifestChange) -> Result<(), InputError> {
        if let Some(version) = &change.version {
            self.set_version(&version.to_string())?;
        }
        for requirement in &change.requirements {
            self.set_dependency(
                requirement.kind,
                &requirement.dependency,
                &requirement.requirement,
            )?;
        }
        Ok(())
    }

    /// The edited text.
    pub fn finish(self) -> String {
        apply_edits(&self.text, &self.edits)
    }

    fn set(&mut self, keys: &[&str], value: &str) -> Result<(), InputError> {
        let node = self.root.at(keys).ok_or_else(|| {
            InputError::in_file(
                &self.path,
                format!("`{}` is not in the file", keys.join(".")),
            )
            .with_hint("relflow only rewrites entries that exist")
        })?;
        let Range { start, end } = node.span;
        self.edits.insert(start, (end, json_string(value)));
        Ok(())
    }
}

/// `JSON.stringify` of a string.
pub(crate) fn json_string(value: &str) -> String {
    serde_json::Value::from(value).to_string()
}

/// `text` with each span (start => (end, replacement)) replaced; spans must not overlap.
pub(crate) fn apply_edits(text: &str, edits: &BTreeMap<usize, (usize, String)>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (&start, (end, replacement)) in edits {
        out.push_str(&text[copied..start]);
        out.push_str(replacement);
        copied = *end;
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::RequirementChange;

    fn edit(text: &str, f: impl FnOnce(&mut PackageJsonMut)) -> String {
        let mut doc = PackageJsonMut::parse(text, "packages/a/package.json").unwrap();
        f(&mut doc);
        doc.finish()
    }

    #[test]
    fn only_the_values_change() {
        let text = "{\r\n\t\"name\":\"a\" ,\r\n\t\"version\" :  \"1.0.0\",\r\n\t\"description\": \"caf\\u00e9 \u{1F980}\",\r\n\t\"dependencies\": {\"b\": \"^1.0.0\", \"c\":\"~2.0.0\"},\r\n\t\"optionalDependencies\": {\r\n\t\t\"b\": \"1.0.0\"\r\n\t}\r\n}";
        let edited = edit(text, |doc| {
            doc.set_version("1.1.0").unwrap();
            doc.set_dependency(DepKind::Normal, "b", "^1.1.0").unwrap();
            doc.set_dependency(DepKind::Optional, "b", "1.1.0").unwrap();
        });
        assert_eq!(
            edited,
            text.replace("\"1.0.0\",", "\"1.1.0\",")
                .replace("\"^1.0.0\"", "\"^1.1.0\"")
                .replace("\"1.0.0\"\r\n", "\"1.1.0\"\r\n")
        );
    }

    #[test]
    fn matches_json_stringify_with_two_spaces() {
        // What the differential test's repositories look like, and what Changesets writes.
        let before = "{\n  \"name\": \"@scope/pkg-b\",\n  \"version\": \"1.0.0\",\n  \"peerDependencies\": {\n    \"pkg-a\": \"^1.0.0\"\n  },\n  \"devDependencies\": {\n    \"pkg-a\": \"workspace:^1.0.0\"\n  }\n}\n";
        let after = "{\n  \"name\": \"@scope/pkg-b\",\n  \"version\": \"1.0.1\",\n  \"peerDependencies\": {\n    \"pkg-a\": \"^2.0.0\"\n  },\n  \"devDependencies\": {\n    \"pkg-a\": \"workspace:^2.0.0\"\n  }\n}\n";
        let edited = edit(before, |doc| {
            doc.apply(&ManifestChange {
                version: Some(semver::Version::new(1, 0, 1)),
                requirements: vec![
                    requirement(DepKind::Peer, "pkg-a", "^2.0.0"),
                    requirement(DepKind::Dev, "pkg-a", "workspace:^2.0.0"),
                ],
            })
            .unwrap();
        });
        assert_eq!(edited, after);
    }

    fn requirement(kind: DepKind, dependency: &str, range: &str) -> RequirementChange {
        RequirementChange {
            dependency: dependency.to_owned(),
            kind,
            target: None,
            rename: None,
            requirement: range.to_owned(),
        }
    }

    #[test]
    fn keys_are_matched_decoded_and_first_wins() {
        let text = r#"{"dependencies": {"\u0062": "1.0.0", "b": "2.0.0"}, "version": "1.0.0"}"#;
        let edited = edit(text, |doc| {
            doc.set_dependency(DepKind::Normal, "b", "1.0.1").unwrap();
        });
        assert_eq!(
            edited,
            r#"{"dependencies": {"\u0062": "1.0.1", "b": "2.0.0"}, "version": "1.0.0"}"#
        );
    }

    #[test]
    fn values_are_written_as_json_stringify_writes_them() {
        let text = "{\"version\": \"1.0.0\", \"dependencies\": {\"b\": 1}}";
        let edited = edit(text, |doc| {
            doc.set_version("1.0.0-\"q\"\\\u{7}é").unwrap();
            doc.set_dependency(DepKind::Normal, "b", "^1.0.0").unwrap();
        });
        assert_eq!(
            edited,
            "{\"version\": \"1.0.0-\\\"q\\\"\\\\\\u0007é\", \"dependencies\": {\"b\": \"^1.0.0\"}}"
        );
    }

    #[test]
    fn a_later_change_to_one_value_wins() {
        let edited = edit("{\"version\": \"1.0.0\"}\n", |doc| {
            doc.set_version("2.0.0").unwrap();
            doc.set_version("3.0.0").unwrap();
        });
        assert_eq!(edited, "{\"version\": \"3.0.0\"}\n");
    }

    #[test]
    fn dependencies_lists_the_four_fields_in_changesets_order() {
        let text = r#"{"optionalDependencies": {"d": "1"}, "dependencies": {"a": "^1", "x": {}}, "peerDependencies": {"c": "*"}, "devDependencies": {"b": "workspace:*"}}"#;
        let doc = PackageJsonMut::parse(text, "package.json").unwrap();
        let listed: Vec<(String, DepKind, String)> = doc
            .dependencies()
            .into_iter()
            .map(|d| (d.name, d.kind, d.requirement))
            .collect();
        let entry = |name: &str, kind, range: &str| (name.to_owned(), kind, range.to_owned());
        assert_eq!(
            listed,
            [
                entry("a", DepKind::Normal, "^1"),
                entry("b", DepKind::Dev, "workspace:*"),
                entry("c", DepKind::Peer, "*"),
                entry("d", DepKind::Optional, "1"),
            ]
        );
    }

    #[test]
    fn missing_entries_are_errors_and_nothing_is_added() {
        let mut doc =
            PackageJsonMut::parse("{\"name\": \"a\", \"dependencies\": []}", "package.json")
                .unwrap();
        let error = doc.set_version("1.0.0").unwrap_err();
        assert_eq!(error.message, "`version` is not in the file");
        assert_eq!(error.path.as_deref(), Some(Utf8Path::new("package.json")));
        let error = doc.set_dependency(DepKind::Normal, "b", "1").unwrap_err();
        assert_eq!(error.message, "`dependencies.b` is not in the file");
        assert!(doc.set_dependency(DepKind::Build, "b", "1").is_err());
        assert_eq!(doc.finish(), "{\"name\": \"a\", \"dependencies\": []}");
    }

    /// The same edits through Changesets v3's real `applyReleasePlan` (Node 22 and
    /// `@changesets/apply-release-plan` 8.1 from `cargo xtask tools`): the bytes must agree.
    #[test]
    fn agrees_byte_for_byte_with_changesets_edit_json() {
        const APPLY: &str = "@changesets/apply-release-plan/dist/index.mjs";
        let Some(tools) = test_tools::NodeTools::find(&[APPLY]) else {
            return;
        };
        let odd = "{\r\n\t\"name\": \"a\",\r\n\t\"version\":\"1.0.0\" ,\r\n\t\"description\": \"caf\\u00e9 \\\"q\\\" \u{1F980}\",\r\n\t\"dependencies\" : {\"dep\":\"^1.0.0\",\"left-pad\":\"1.3.0\"},\r\n\t\"peerDependencies\": {\r\n\t\t\"dep\": \">=1.0.0 <2.0.0\"\r\n\t},\r\n\t\"devDependencies\": {\"dep\": \"workspace:^1.0.0\"}\r\n}";
        let plain = "{\n  \"name\": \"b\",\n  \"version\": \"1.0.0\",\n  \"optionalDependencies\": {\n    \"dep\": \"~1.0.0\"\n  }\n}\n";
        let root_text = "{\n  \"name\": \"root\",\n  \"version\": \"0.0.0\",\n  \"private\": true,\n  \"devDependencies\": {\n    \"dep\": \"^1.0.0\"\n  }\n}\n";
        let temp = tempfile::tempdir().unwrap();
        let root = temp.path();
        std::fs::write(root.join("package.json"), root_text).unwrap();
        for (name, text) in [
            ("dep", "{\"name\": \"dep\", \"version\": \"1.0.0\"}\n"),
            ("a", odd),
            ("b", plain),
        ] {
            std::fs::create_dir_all(root.join("packages").join(name)).unwrap();
            std::fs::write(root.join("packages").join(name).join("package.json"), text).unwrap();
        }
        let script = r#"
            import fs from "node:fs";
            import path from "node:path";
            import { pathToFileURL } from "node:url";
            const { applyReleasePlan } = await import(pathToFileURL(process.argv[1]).href);
            const rootDir = process.cwd();
            const packages = ["dep", "a", "b"].map((name) => {
              const dir = path.join(rootDir, "packages", name);
              return { dir, relativeDir: `packages/${name}`, packageJson: JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) };
            });
            const release = (name, type, oldVersion, newVersion) => ({ name, type, oldVersion, newVersion, changesets: [] });
            await applyReleasePlan(
              { changesets: [], releases: [release("dep", "minor", "1.0.0", "1.1.0"), release("a", "patch", "1.0.0", "1.0.1"), release("b", "none", "1.0.0", "1.0.0")] },
              { tool: { type: "npm" }, packages, rootDir,
                rootPackage: { dir: rootDir, relativeDir: ".", packageJson: JSON.parse(fs.readFileSync("package.json", "utf8")) } },
              { changelog: false, format: false, updateInternalDependencies: "patch", bumpVersionsWithWorkspaceProtocolOnly: false, ignore: [], privatePackages: { version: true, tag: false },
                ___experimentalUnsafeOptions_WILL_CHANGE_IN_PATCH: { onlyUpdatePeerDependentsWhenOutOfRange: false } },
            );
        "#;
        let output = tools
            .node(root)
            .args(["--input-type=module", "-e", script])
            .arg(tools.dir.join("node_modules").join(APPLY))
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        let written = |name: &str| {
            std::fs::read_to_string(root.join("packages").join(name).join("package.json")).unwrap()
        };
        let ours_a = edit(odd, |doc| {
            doc.set_dependency(DepKind::Normal, "dep", "^1.1.0")
                .unwrap();
            doc.set_dependency(DepKind::Peer, "dep", ">=1.1.0 <2.0.0")
                .unwrap();
            doc.set_dependency(DepKind::Dev, "dep", "workspace:^1.1.0")
                .unwrap();
            doc.set_version("1.0.1").unwrap();
        });
        let ours_b = edit(plain, |doc| {
            doc.set_dependency(DepKind::Optional, "dep", "~1.1.0")
                .unwrap();
            doc.set_version("1.0.0").unwrap();
        });
        // The root package.json: ranges rewritten, its version never.
        let ours_root = edit(root_text, |doc| {
            doc.set_dependency(DepKind::Dev, "dep", "^1.1.0").unwrap();
        });
        assert_eq!(
            std::fs::read_to_string(root.join("package.json")).unwrap(),
            ours_root
        );
        assert_ne!(ours_a, odd);
        assert_eq!(written("a"), ours_a);
        assert_eq!(written("b"), ours_b);
        assert_eq!(
            written("dep"),
            "{\"name\": \"dep\", \"version\": \"1.1.0\"}\n"
        );
    }

    #[test]
    fn invalid_json_is_an_input_error_with_its_line() {
        for (text, line) in [
            ("{\n  \"name\": \"a\",\n}\n", 3),
            ("{\n  // comment\n  \"name\": \"a\"\n}", 2),
            ("", 1),
            ("{\"a\": 1} x", 1),
        ] {
            let error = PackageJsonMut::parse(text, "packages/a/package.json").unwrap_err();
            assert!(error.message.starts_with("invalid JSON: "), "{error}");
            assert_eq!(error.line, Some(line), "{text:?}: {error}");
            assert_eq!(
                error.path.as_deref(),
                Some(Utf8Path::new("packages/a/package.json"))
            );
        }
    }
}
