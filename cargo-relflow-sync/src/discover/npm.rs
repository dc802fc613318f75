//! npm workspaces discovery.
//!
//! The packages are the directories matched by the root `package.json` `workspaces` (array, or
//! object with `packages`) or by `pnpm-workspace.yaml` `packages` (which wins when both exist).
//! Patterns are globs relative to the root (`*` stays within one directory, `**` crosses
//! directories); patterns starting with `!` exclude. `node_modules` and `.git` are never entered.

mod checked;

use std::collections::{BTreeMap, HashSet};
use std::fs;

use camino::{Utf8Path, Utf8PathBuf};
use globset::{GlobBuilder, GlobMatcher, GlobSet, GlobSetBuilder};
use serde_json::{Map, Value};
use yaml_rust2::{Yaml, YamlLoader};

use super::read_text_file;
use crate::diag::{line_of, InputError};
use crate::model::{DepKind, Dependency, Ecosystem, Package, Publish, VersionSource};

/// The dependency fields of package.json and the kind each one gives.
const DEP_FIELDS: [(&str, DepKind); 4] = [
    ("dependencies", DepKind::Normal),
    ("devDependencies", DepKind::Dev),
    ("peerDependencies", DepKind::Peer),
    ("optionalDependencies", DepKind::Optional),
];

/// An npm package left out of discovery because an earlier package has its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateName {
    /// The name both use.
    pub name: String,
    /// The manifest left out, relative to the root.
    pub manifest: Utf8PathBuf,
    /// The manifest of the package kept.
    pub first: Utf8PathBuf,
}

impl DuplicateName {
    /// The error for a duplicate that is not ignored.
    pub fn error(&self) -> InputError {
        InputError::in_file(
            &self.manifest,
            format!(
                "npm package name `{}` is also used by {}",
                self.name, self.first
            ),
        )
        .with_hint("package names must be unique within the workspace (or `ignore` them)")
    }

    /// The warning for a duplicate that is ignored (Changesets skips those too).
    pub fn warning(&self) -> String {
        format!(
            "npm package name `{}` of {} is also used by {}; both are ignored, so {} is skipped",
            self.name, self.manifest, self.first, self.manifest
        )
    }
}

/// Directories never entered while matching workspace globs.
const SKIPPED_DIRS: [&str; 2] = ["node_modules", ".git"];

/// Finds the npm packages of the workspace rooted at `root`.
///
/// Reads the workspace globs from `pnpm-workspace.yaml` or the root `package.json`; each
/// matched directory holding a `package.json` is a package. Returns an empty list when no
/// workspaces are declared (the root package.json alone is not a package). Packages are
/// sorted by directory; `dir` and `manifest` are relative to `root` and `/`-separated.
/// Dependencies keep only other packages of the workspace, with their ranges as written.
///
/// A name used twice is an error; [`discover_npm_with_duplicates`] returns them instead.
pub fn discover_npm(root: &Utf8Path) -> Result<Vec<Package>, InputError> {
    let (packages, duplicates) = discover_npm_with_duplicates(root)?;
    match duplicates.into_iter().next() {
        Some(duplicate) => Err(duplicate.error()),
        None => Ok(packages),
    }
}

/// [`discover_npm`], leaving out each package whose name an earlier package (by directory)
/// already has, and returning those separately.
pub fn discover_npm_with_duplicates(
    root: &Utf8Path,
) -> Result<(Vec<Package>, Vec<DuplicateName>), InputError> {
    let Some((source, patterns)) = workspace_patterns(root)? else {
        return Ok((Vec::new(), Vec::new()));
    };
    let mut duplicates = Vec::new();
    let dirs = match_dirs(root, &source, &patterns)?;
    let mut manifests = Vec::new();
    let mut names: BTreeMap<String, Utf8PathBuf> = BTreeMap::new();
    let reads = read_manifests(root, &dirs);
    for (dir, read) in dirs.into_iter().zip(reads) {
        let manifest = Utf8PathBuf::from(format!("{dir}/package.json"));
        // A matched directory without a package.json is no package.
        let Some((text, object)) = read? else {
            continue;
        };
        let name = match object.get("name") {
            Some(Value::String(name)) if !name.is_empty() => name.clone(),
            _ => {
                let error = InputError::in_file(&manifest, "package has no `name`")
                    .with_hint("add a \"name\" field: every workspace package needs one");
                return Err(match line_of(&text, "\"name\"") {
                    Some(line) => error.with_line(line),
                    None => error,
                });
            }
        };
        if let Some(first) = names.get(&name) {
            duplicates.push(DuplicateName {
                name,
                manifest,
                first: first.clone(),
            });
            continue;
        }
        names.insert(name.clone(), manifest.clone());
        manifests.push((dir, manifest, text, object, name));
    }
    let mut packages = Vec::new();
    for (dir, manifest, text, object, name) in manifests {
        let (version, version_text) = match object.get("version") {
            None | Some(Value::Null) => (None, None),
            Some(Value::String(v)) => {
                let parsed = semver::Version::parse(v).map_err(|e| {
                    at_key(
                        &manifest,
                        &text,
                        "version",
                        format!("version `{v}` is not semver: {e}"),
                    )
                    .with_hint("npm versions are semver 2.0, like \"1.2.3\" or \"1.2.3-beta.1\"")
                })?;
                (Some(parsed), Some(v.clone()))
            }
            Some(_) => {
                return Err(at_key(
                    &manifest,
                    &text,
                    "version",
                    "`version` is not a string",
                ));
            }
        };
        let publish = match object.get("private") {
            Some(Value::Bool(true)) => Publish::No,
            _ => Publish::Default,
        };
        let deps = dependencies(&manifest, &text, &object, &names)?;
        packages.push(Package {
            ecosystem: Ecosystem::Npm,
            name,
            version_source: if version.is_some() {
                VersionSource::Manifest
            } else {
                VersionSource::None
            },
            version,
            version_text,
            dir,
            manifest,
            publish,
            deps,
        });
    }
    Ok((packages, duplicates))
}

/// A package.json as read: its text and its top-level object.
type Manifest = (String, Map<String, Value>);

/// From this many packages on, their package.json files are read and parsed on two threads.
const READ_IN_TWO_FROM: usize = 64;

/// Reads and parses the package.json of each of `dirs`, in order: `None` for a directory
/// without one. Large workspaces are read half on this thread and half on another (the files
/// are independent; each result stays at its directory's place, so errors come in the order a
/// sequential read would give them).
fn read_manifests(
    root: &Utf8Path,
    dirs: &[Utf8PathBuf],
) -> Vec<Result<Option<Manifest>, InputError>> {
    let read_all = |dirs: &[Utf8PathBuf]| -> Vec<_> {
        dirs.iter().map(|dir| read_manifest(root, dir)).collect()
    };
    if dirs.len() < READ_IN_TWO_FROM {
        return read_all(dirs);
    }
    let (first, second) = dirs.split_at(dirs.len() / 2);
    std::thread::scope(|scope| {
        let later = std::thread::Builder::new()
            .spawn_scoped(scope, || read_all(second))
            .ok();
        let mut results = read_all(first);
        match later.map(|handle| handle.join()) {
            Some(Ok(rest)) => results.extend(rest),
            Some(Err(panic)) => std::panic::resume_unwind(panic),
            // No thread could be started: this one reads the rest.
            None => results.extend(read_all(second)),
        }
        results
    })
}

/// Reads and parses `dir/package.json`; `None` when there is no such file.
fn read_manifest(root: &Utf8Path, dir: &Utf8Path) -> Result<Option<Manifest>, InputError> {
    let manifest = Utf8PathBuf::from(format!("{dir}/package.json"));
    let text = match read_text_file(&root.join(&manifest)) {
        Ok(text) => text,
        Err(_) if !root.join(&manifest).is_file() => return Ok(None),
        Err(e) => return Err(crate::diag::read_error(&manifest, &e)),
    };
    let object = parse_json(&manifest, &text)?;
    Ok(Some((text, object)))
}

/// The workspace dependencies of one package.json, in manifest order.
fn dependencies(
    manifest: &Utf8Path,
    text: &str,
    object: &Map<String, Value>,
    names: &BTreeMap<String, Utf8PathBuf>,
) -> Result<Vec<Dependency>, InputError> {
    let mut deps = Vec::new();
    for (field, value) in object {
        let Some((_, kind)) = DEP_FIELDS.iter().find(|(f, _)| f == field) else {
            continue;
        };
        let Value::Object(entries) = value else {
            return Err(at_key(
                manifest,
                text,
                field,
                format!("`{field}` is not an object"),
            ));
        };
        for (name, range) in entries {
            let Value::String(range) = range else {
                return Err(at_key(
                    manifest,
                    text,
                    name,
                    format!("the range of `{name}` in `{field}` is not a string"),
                ));
            };
            if names.contains_key(name) {
                deps.push(Dependency {
                    name: name.clone(),
                    kind: *kind,
                    requirement: range.clone(),
                    target: None,
                    rename: None,
                });
            }
        }
    }
    Ok(deps)
}

/// The workspace patterns and the file declaring them, or `None` when there are none.
fn workspace_patterns(root: &Utf8Path) -> Result<Option<(Utf8PathBuf, Vec<String>)>, InputError> {
    let pnpm = Utf8PathBuf::from("pnpm-workspace.yaml");
    if root.join(&pnpm).is_file() {
        let text = read_text(root, &pnpm)?;
        let docs = YamlLoader::load_from_str(&text).map_err(|e| {
            InputError::in_file(&pnpm, format!("invalid YAML: {}", e.info()))
                .with_line(e.marker().line())
                .with_hint("fix the YAML syntax of pnpm-workspace.yaml")
        })?;
        let packages = match docs.first() {
            None | Some(Yaml::Null) => return Ok(None),
            Some(doc @ Yaml::Hash(_)) => &doc["packages"],
            Some(_) => return Err(InputError::in_file(&pnpm, "expected a mapping")),
        };
        let list = match packages {
            Yaml::BadValue | Yaml::Null => return Ok(None),
            Yaml::Array(items) => items
                .iter()
                .map(|item| item.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>(),
            _ => None,
        };
        let Some(list) = list else {
            return Err(at_key(
                &pnpm,
                &text,
                "packages",
                "`packages` is not a list of strings",
            )
            .with_hint("write `packages:` followed by `- \"packages/*\"` items"));
        };
        return Ok(Some((pnpm, list)));
    }
    let manifest = Utf8PathBuf::from("package.json");
    if !root.join(&manifest).is_file() {
        return Ok(None);
    }
    let text = read_text(root, &manifest)?;
    let object = parse_json(&manifest, &text)?;
    let list = match object.get("workspaces") {
        None => return Ok(None),
        Some(Value::Object(o)) => match o.get("packages") {
            None => return Ok(None),
            Some(v) => string_list(v),
        },
        Some(v) => string_list(v),
    };
    match list {
        Some(list) => Ok(Some((manifest, list))),
        None => Err(at_key(
            &manifest,
            &text,
            "workspaces",
            "`workspaces` is not a list of globs",
        )
        .with_hint("write \"workspaces\": [\"packages/*\"] or {\"packages\": [\"packages/*\"]}")),
    }
}

/// A JSON array of strings.
fn string_list(value: &Value) -> Option<Vec<String>> {
    value
        .as_array()?
        .iter()
        .map(|v| v.as_str().map(str::to_owned))
        .collect()
}

/// The directories (relative, `/`-separated, sorted) matched by the patterns; those holding a
/// package.json are the packages.
fn match_dirs(
    root: &Utf8Path,
    source: &Utf8Path,
    patterns: &[String],
) -> Result<Vec<Utf8PathBuf>, InputError> {
    let mut includes = Vec::new();
    let mut excludes = GlobSetBuilder::new();
    for raw in patterns {
        let (negated, pattern) = match raw.strip_prefix('!') {
            Some(rest) => (true, normalize_pattern(rest)),
            None => (false, normalize_pattern(raw)),
        };
        if pattern.is_empty() {
            continue; // The root itself is not a workspace package.
        }
        if !negated {
            inside_root(root, source, raw, &pattern)?;
        }
        let glob = GlobBuilder::new(&pattern)
            .literal_separator(true)
            .build()
            .map_err(|e| {
                let error =
                    InputError::in_file(source, format!("invalid workspace glob `{raw}`: {e}"));
                match line_of(&read_text(root, source).unwrap_or_default(), raw) {
                    Some(line) => error.with_line(line),
                    None => error,
                }
            })?;
        if negated {
            excludes.add(glob);
            // `!dir/**` also excludes `dir` itself, as in npm and pnpm.
            if let Some(dir) = pattern.strip_suffix("/**") {
                if let Ok(glob) = GlobBuilder::new(dir).literal_separator(true).build() {
                    excludes.add(glob);
                }
            }
        } else {
            includes.push((pattern, glob.compile_matcher()));
        }
    }
    let excludes: GlobSet = excludes
        .build()
        .map_err(|e| InputError::in_file(source, format!("invalid workspace globs: {e}")))?;
    let mut found = HashSet::new();
    for (pattern, matcher) in &includes {
        let components: Vec<&str> = pattern.split('/').collect();
        let literal = components
            .iter()
            .take_while(|c| !c.contains(['*', '?', '[', '{']))
            .count();
        let depth = if components.iter().any(|c| c.contains("**")) {
            None
        } else {
            Some(components.len() - literal)
        };
        let start = components[..literal].join("/");
        walk(root, start, depth, matcher, &mut found);
    }
    let mut dirs: Vec<String> = found
        .into_iter()
        .filter(|dir: &String| !excludes.is_match(dir.as_str()))
        .collect();
    sort_as_paths(&mut dirs);
    Ok(dirs.into_iter().map(Utf8PathBuf::from).collect())
}

/// A workspace glob must stay inside the repository: its part before the first wildcard, after
/// symlinks (packages outside would be versioned and written by relflow).
fn inside_root(
    root: &Utf8Path,
    source: &Utf8Path,
    raw: &str,
    pattern: &str,
) -> Result<(), InputError> {
    let literal = crate::inside::literal_prefix(pattern);
    crate::inside::resolve(root, Utf8Path::new(&literal)).map_err(|outside| {
        let key = if source == "pnpm-workspace.yaml" {
            "packages"
        } else {
            "workspaces"
        };
        let error =
            InputError::in_file(source, format!("`{key}` entry: {}", outside.describe(raw)))
                .with_hint(outside.hint());
        match line_of(&read_text(root, source).unwrap_or_default(), raw) {
            Some(line) => error.with_line(line),
            None => error,
        }
    })?;
    Ok(())
}

/// Sorts relative paths in path order (component by component). Plain `/`-separated names are
/// compared as bytes with `/` first, which is the same order, without parsing them as paths.
fn sort_as_paths(paths: &mut [String]) {
    let plain =
        |p: &String| !p.starts_with('/') && p.split('/').all(|c| !matches!(c, "" | "." | ".."));
    if paths.iter().all(plain) {
        fn key(p: &str) -> impl Iterator<Item = u8> + '_ {
            p.bytes().map(|b| if b == b'/' { 0 } else { b })
        }
        paths.sort_unstable_by(|a, b| key(a).cmp(key(b)));
    } else {
        paths.sort_unstable_by(|a, b| Utf8Path::new(a).cmp(Utf8Path::new(b)));
    }
}

/// Strips `./` prefixes and trailing slashes; `.` becomes empty.
fn normalize_pattern(pattern: &str) -> String {
    let mut p = pattern.trim();
    while let Some(rest) = p.strip_prefix("./") {
        p = rest;
    }
    let p = p.trim_end_matches('/');
    if p == "." {
        String::new()
    } else {
        p.to_owned()
    }
}

/// Collects `rel` and the directories under it (down to `depth` levels, unbounded for `None`)
/// that match. Unreadable directories are skipped.
fn walk(
    root: &Utf8Path,
    rel: String,
    depth: Option<usize>,
    matcher: &GlobMatcher,
    found: &mut HashSet<String>,
) {
    let abs = if rel.is_empty() {
        root.to_owned()
    } else {
        root.join(&rel)
    };
    if !rel.is_empty() && matcher.is_match(rel.as_str()) {
        found.insert(rel.clone());
    }
    if depth == Some(0) {
        return;
    }
    let Ok(entries) = fs::read_dir(&abs) else {
        return;
    };
    for entry in entries.flatten() {
        let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false);
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if !is_dir || SKIPPED_DIRS.contains(&name.as_str()) {
            continue;
        }
        let child = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        walk(root, child, depth.map(|d| d - 1), matcher, found);
    }
}

/// Reads a file under the root.
fn read_text(root: &Utf8Path, rel: &Utf8Path) -> Result<String, InputError> {
    read_text_file(&root.join(rel)).map_err(|e| crate::diag::read_error(rel, &e))
}

/// The package.json fields relflow reads (and writes): a key given twice would be read at the
/// last and written at the first, so it is refused.
const READ_FIELDS: [&str; 9] = [
    "name",
    "version",
    "private",
    "workspaces",
    "dependencies",
    "devDependencies",
    "peerDependencies",
    "optionalDependencies",
    "publishConfig",
];

/// A field relflow reads given twice, at the top or inside a dependency list, is an error at the
/// line of the second.
fn refuse_duplicate_keys(manifest: &Utf8Path, text: &str) -> Result<(), InputError> {
    let Some(tree) = crate::edit::npm::json::scan_valid(text) else {
        return Ok(());
    };
    let duplicate = crate::edit::npm::json::duplicate_member(&tree, &READ_FIELDS)
        .map(|(key, at)| (format!("`{key}`"), at))
        .or_else(|| {
            READ_FIELDS[4..].iter().find_map(|field| {
                let list = tree.get(field)?;
                crate::edit::npm::json::duplicate_member(list, &[])
                    .map(|(key, at)| (format!("`{key}` in `{field}`"), at))
            })
        });
    match duplicate {
        Some((what, at)) => Err(InputError::in_file(
            manifest,
            format!("{what} is given twice; relflow would read one and write the other"),
        )
        .at_offset(text, at)
        .with_hint("remove one of them")),
        None => Ok(()),
    }
}

/// Parses a package.json into its top-level object.
fn parse_json(manifest: &Utf8Path, text: &str) -> Result<Map<String, Value>, InputError> {
    match checked::parse(text, &READ_FIELDS, &READ_FIELDS[4..]) {
        Ok(checked::Parsed::Object { object, duplicate }) => {
            if duplicate {
                refuse_duplicate_keys(manifest, text)?;
            }
            Ok(object)
        }
        Ok(checked::Parsed::Other) => Err(InputError::in_file(manifest, "expected a JSON object")
            .with_line(1)
            .with_hint("package.json holds one object: { \"name\": ..., \"version\": ... }")),
        Err(e) => {
            let full = e.to_string();
            let suffix = format!(" at line {} column {}", e.line(), e.column());
            let message = full.strip_suffix(&suffix).unwrap_or(&full);
            Err(
                InputError::in_file(manifest, format!("invalid JSON: {message}"))
                    .with_line(e.line().max(1))
                    .with_hint("package.json must be strict JSON: no comments, no trailing commas"),
            )
        }
    }
}

/// An error in `file` on the line of the first `"key"`.
fn at_key(file: &Utf8Path, text: &str, key: &str, message: impl Into<String>) -> InputError {
    let error = InputError::in_file(file, message);
    match line_of(text, &format!("\"{key}\"")).or_else(|| line_of(text, key)) {
        Some(line) => error.with_line(line),
        None => error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::test_support::{repo, write};

    fn pkg(name: &str) -> String {
        format!("{{ \"name\": \"{name}\", \"version\": \"1.0.0\" }}")
    }

    fn names(packages: &[Package]) -> Vec<(&str, &str)> {
        packages
            .iter()
            .map(|p| (p.name.as_str(), p.dir.as_str()))
            .collect()
    }

    #[test]
    fn directories_sort_as_paths() {
        let plain = [
            "a-b", "a/b", "a", "a b", "a/b/c", "b", "ab", "a/-x", "A", "a0/b",
        ];
        let odd = ["a//x", "./a", "a/./b", "/a", "a/../b"];
        for dirs in [&plain[..], &[&plain[..], &odd[..]].concat()] {
            let mut dirs: Vec<String> = dirs.iter().map(|d| (*d).to_owned()).collect();
            let mut as_paths: Vec<Utf8PathBuf> = dirs.iter().map(Utf8PathBuf::from).collect();
            as_paths.sort();
            sort_as_paths(&mut dirs);
            let dirs: Vec<Utf8PathBuf> = dirs.iter().map(Utf8PathBuf::from).collect();
            assert_eq!(dirs, as_paths);
        }
    }

    #[test]
    fn array_workspaces_with_all_dependency_fields() {
        let (_tmp, root) = repo();
        write(
            &root,
            "package.json",
            r#"{ "name": "root", "workspaces": ["packages/*"] }"#,
        );
        write(
            &root,
            "packages/app/package.json",
            r#"{
  "name": "@acme/app",
  "version": "2.1.0-beta.1",
  "dependencies": { "@acme/core": "workspace:*", "left-pad": "^1.0.0" },
  "devDependencies": { "@acme/core": "^1.0.0", "@acme/util": "link:../util" },
  "peerDependencies": { "@acme/util": "~1.0.0" },
  "optionalDependencies": { "@acme/extra": "1.x" }
}"#,
        );
        write(&root, "packages/core/package.json", &pkg("@acme/core"));
        write(&root, "packages/util/package.json", &pkg("@acme/util"));
        write(
            &root,
            "packages/extra/package.json",
            r#"{ "name": "@acme/extra" }"#,
        );
        write(&root, "packages/notes/README.md", "no manifest");
        std::fs::create_dir_all(root.join("packages/odd/package.json")).unwrap();
        write(&root, "packages/app/node_modules/x/package.json", &pkg("x"));

        let packages = discover_npm(&root).unwrap();
        assert_eq!(
            names(&packages),
            [
                ("@acme/app", "packages/app"),
                ("@acme/core", "packages/core"),
                ("@acme/extra", "packages/extra"),
                ("@acme/util", "packages/util"),
            ]
        );
        let app = &packages[0];
        assert_eq!(app.ecosystem, Ecosystem::Npm);
        assert_eq!(app.manifest, "packages/app/package.json");
        assert_eq!(app.version_text.as_deref(), Some("2.1.0-beta.1"));
        assert_eq!(
            app.version,
            Some(semver::Version::parse("2.1.0-beta.1").unwrap())
        );
        assert_eq!(app.version_source, VersionSource::Manifest);
        assert_eq!(app.publish, Publish::Default);
        let deps: Vec<(&str, DepKind, &str)> = app
            .deps
            .iter()
            .map(|d| (d.name.as_str(), d.kind, d.requirement.as_str()))
            .collect();
        assert_eq!(
            deps,
            [
                ("@acme/core", DepKind::Normal, "workspace:*"),
                ("@acme/core", DepKind::Dev, "^1.0.0"),
                ("@acme/util", DepKind::Dev, "link:../util"),
                ("@acme/util", DepKind::Peer, "~1.0.0"),
                ("@acme/extra", DepKind::Optional, "1.x"),
            ]
        );
        let extra = &packages[2];
        assert_eq!(extra.version, None);
        assert_eq!(extra.version_text, None);
        assert_eq!(extra.version_source, VersionSource::None);
    }

    #[test]
    fn object_workspaces_and_private() {
        let (_tmp, root) = repo();
        write(
            &root,
            "package.json",
            r#"{ "private": true, "workspaces": { "packages": ["./libs/a", "tools/*/"], "nohoist": [] } }"#,
        );
        write(
            &root,
            "libs/a/package.json",
            r#"{ "name": "a", "private": true }"#,
        );
        write(&root, "libs/b/package.json", &pkg("b"));
        write(&root, "tools/t/package.json", &pkg("t"));
        let packages = discover_npm(&root).unwrap();
        assert_eq!(names(&packages), [("a", "libs/a"), ("t", "tools/t")]);
        assert_eq!(packages[0].publish, Publish::No);
        assert_eq!(packages[1].publish, Publish::Default);
    }

    #[test]
    fn pnpm_wins_with_negation_and_nested_globs() {
        let (_tmp, root) = repo();
        write(&root, "package.json", r#"{ "workspaces": ["other/*"] }"#);
        write(&root, "other/o/package.json", &pkg("o"));
        write(
            &root,
            "pnpm-workspace.yaml",
            "packages:\n  - 'packages/**'\n  - apps/*\n  - '!packages/internal/**'\n  - '!**/test/**'\n",
        );
        write(&root, "packages/a/package.json", &pkg("a"));
        write(&root, "packages/group/b/package.json", &pkg("b"));
        write(
            &root,
            "packages/internal/sub/package.json",
            &pkg("internal-sub"),
        );
        write(&root, "packages/group/deep/c/package.json", &pkg("c"));
        write(&root, "packages/internal/package.json", &pkg("internal"));
        write(
            &root,
            "packages/a/test/fixture/package.json",
            &pkg("fixture"),
        );
        write(
            &root,
            "packages/a/node_modules/dep/package.json",
            &pkg("dep"),
        );
        write(&root, "apps/web/package.json", &pkg("web"));
        write(&root, "apps/web/nested/package.json", &pkg("nested"));
        let packages = discover_npm(&root).unwrap();
        assert_eq!(
            names(&packages),
            [
                ("web", "apps/web"),
                ("a", "packages/a"),
                ("b", "packages/group/b"),
                ("c", "packages/group/deep/c"),
            ]
        );
    }

    #[test]
    fn no_workspaces_is_empty() {
        let (_tmp, root) = repo();
        assert!(discover_npm(&root).unwrap().is_empty());
        write(&root, "package.json", &pkg("solo"));
        assert!(discover_npm(&root).unwrap().is_empty());
    }

    #[test]
    fn malformed_json_has_line_and_hint() {
        let (_tmp, root) = repo();
        write(&root, "package.json", r#"{ "workspaces": ["packages/*"] }"#);
        write(
            &root,
            "packages/a/package.json",
            "{\n  \"name\": \"a\",\n  \"version\": 1.0.0\n}\n",
        );
        let error = discover_npm(&root).unwrap_err();
        assert_eq!(
            error.path.as_deref(),
            Some(Utf8Path::new("packages/a/package.json"))
        );
        assert_eq!(error.line, Some(3));
        assert!(error.message.starts_with("invalid JSON"), "{error}");
        assert!(error.hint.is_some());
    }

    #[test]
    fn missing_name_and_bad_version_are_errors() {
        let (_tmp, root) = repo();
        write(&root, "package.json", r#"{ "workspaces": ["packages/*"] }"#);
        write(
            &root,
            "packages/a/package.json",
            "{\n  \"version\": \"1.0.0\"\n}\n",
        );
        let error = discover_npm(&root).unwrap_err();
        assert_eq!(
            error.path.as_deref(),
            Some(Utf8Path::new("packages/a/package.json"))
        );
        assert!(error.message.contains("no `name`"), "{error}");

        write(
            &root,
            "packages/a/package.json",
            "{\n  \"name\": \"a\",\n  \"version\": \"1.0\"\n}\n",
        );
        let error = discover_npm(&root).unwrap_err();
        assert_eq!(error.line, Some(3));
        assert!(error.message.contains("not semver"), "{error}");
    }

    #[test]
    fn duplicate_names_are_errors() {
        let (_tmp, root) = repo();
        write(&root, "package.json", r#"{ "workspaces": ["packages/*"] }"#);
        write(&root, "packages/a/package.json", &pkg("same"));
        write(&root, "packages/b/package.json", &pkg("same"));
        let error = discover_npm(&root).unwrap_err();
        assert_eq!(
            error.path.as_deref(),
            Some(Utf8Path::new("packages/b/package.json"))
        );
    }
}
