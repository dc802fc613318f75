//! Release tag names: `tag_format` of relflow.toml, or its default.

use cargo_relflow_sync::Package;

use crate::repo::Repo;

/// The tag format in force: relflow.toml's `tag_format`; else `v{version}` when the repository
/// has one package or one fixed group that holds every versioned package; else
/// `{name}@{version}` (Changesets' form).
pub fn tag_format(repo: &Repo, fixed: &[Vec<usize>]) -> String {
    if let Some(format) = &repo.workspace.config.config.tag_format {
        return format.clone();
    }
    let versioned = repo
        .packages()
        .iter()
        .filter(|p| p.version.is_some())
        .count();
    let one_group = fixed.len() == 1 && fixed[0].len() == versioned;
    if versioned == 1 || one_group {
        "v{version}".to_owned()
    } else {
        "{name}@{version}".to_owned()
    }
}

/// The tag of `package` at `version` under `format` (`{name}` and `{version}` replaced).
pub fn tag_name(format: &str, package: &Package, version: &semver::Version) -> String {
    format
        .replace("{name}", &package.name)
        .replace("{version}", &version.to_string())
}
