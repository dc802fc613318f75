//! `format` in `.changeset/config.json`: Changesets v3 runs the repository's formatter over the
//! changelogs `version` writes and the changeset `add` writes (`@changesets/format`); relflow
//! does the same, as one process over all the files, after they are written.
//!
//! `"auto"` (the default) picks the formatter as Changesets does: from the repository root up
//! to the filesystem root, the first directory with a configuration file of dprint, deno,
//! oxfmt or prettier (in that order; biome is never picked), else the first with one of their
//! packages in `node_modules`. The formatter runs from `node_modules/.bin` (the nearest from
//! the root up, as `npx` finds it) or `PATH`; when it is not installed, a warning says so and
//! the files stay as relflow wrote them.

use std::path::PathBuf;
use std::process::Command;

use camino::{Utf8Path, Utf8PathBuf};
use cargo_relflow_changeset::changesets_config::{FormatSetting, Formatter};

use crate::error::Failure;
use crate::repo::Repo;
use crate::ui::Ui;

/// The formatter `format` asks for in this repository, if any.
pub fn configured(repo: &Repo) -> Option<Formatter> {
    let setting = repo
        .changesets_config
        .as_ref()
        .map_or(FormatSetting::Auto, |c| c.format);
    match setting {
        FormatSetting::Off => None,
        FormatSetting::Named(formatter) => Some(formatter),
        FormatSetting::Auto => detect(repo.root()),
    }
}

/// Runs the configured formatter once over `files` (relative to the root), which are written.
/// A formatter that is not installed is a warning; one that fails is an external failure.
pub fn format_written(repo: &Repo, files: &[Utf8PathBuf], ui: &Ui) -> Result<(), Failure> {
    let Some(formatter) = configured(repo).filter(|_| !files.is_empty()) else {
        return Ok(());
    };
    let name = formatter.as_str();
    let Some(program) = executable(repo.root(), formatter) else {
        ui.warn(&format!(
            "config.json `format` asks for {name}, which is not installed (no {} in node_modules/.bin or on PATH): {} written unformatted",
            bin(formatter),
            count(files.len())
        ));
        return Ok(());
    };
    ui.verbose(&format!(
        "running {} over {}",
        program.display(),
        count(files.len())
    ));
    let output = Command::new(&program)
        .args(arguments(formatter))
        .args(files)
        .current_dir(repo.root())
        .output()
        .map_err(|e| {
            anyhow::anyhow!(
                "failed to run {} (config.json `format`): {e}",
                program.display()
            )
        })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let stdout = String::from_utf8_lossy(&output.stdout);
        let said = stderr
            .trim()
            .lines()
            .chain(stdout.trim().lines())
            .take(10)
            .collect::<Vec<_>>()
            .join("\n");
        return Err(anyhow::anyhow!(
            "{name} (config.json `format`) failed with {}: the files are written but not formatted; run `{} {}` again\n{said}",
            output.status,
            bin(formatter),
            arguments(formatter).join(" ")
        )
        .into());
    }
    Ok(())
}

/// A short note for `--dry-run`: which formatter would run over how many files.
pub fn dry_run_note(repo: &Repo, files: usize) -> Option<String> {
    let formatter = configured(repo).filter(|_| files > 0)?;
    Some(match executable(repo.root(), formatter) {
        Some(_) => format!(
            "{} would then run over {} (config.json `format`); the diff is before it",
            formatter.as_str(),
            count(files)
        ),
        None => format!(
            "config.json `format` asks for {}, which is not installed: {} would be written unformatted",
            formatter.as_str(),
            count(files)
        ),
    })
}

fn count(files: usize) -> String {
    if files == 1 {
        "1 file".to_owned()
    } else {
        format!("{files} files")
    }
}

/// Changesets' detection for `"auto"` (`@changesets/format`'s `detect` without biome).
pub fn detect(root: &Utf8Path) -> Option<Formatter> {
    let dirs: Vec<&Utf8Path> = root.ancestors().collect();
    let by_config = dirs.iter().find_map(|dir| {
        Formatter::AUTO_ORDER
            .into_iter()
            .find(|&f| has_config(dir, f))
    });
    by_config.or_else(|| {
        dirs.iter().find_map(|dir| {
            Formatter::AUTO_ORDER.into_iter().find(|&f| {
                package_name(f)
                    .is_some_and(|package| dir.join("node_modules").join(package).exists())
            })
        })
    })
}

fn has_config(dir: &Utf8Path, formatter: Formatter) -> bool {
    let files: &[&str] = match formatter {
        Formatter::Prettier => &[
            ".prettierrc",
            ".prettierrc.json",
            ".prettierrc.yml",
            ".prettierrc.yaml",
            ".prettierrc.json5",
            ".prettierrc.js",
            "prettier.config.js",
            ".prettierrc.ts",
            "prettier.config.ts",
            ".prettierrc.mjs",
            "prettier.config.mjs",
            ".prettierrc.mts",
            "prettier.config.mts",
            ".prettierrc.cjs",
            "prettier.config.cjs",
            ".prettierrc.cts",
            "prettier.config.cts",
            ".prettierrc.toml",
        ],
        Formatter::Oxfmt => &[
            ".oxfmtrc.json",
            ".oxfmtrc.jsonc",
            "oxfmt.config.ts",
            "oxfmt.config.mts",
        ],
        Formatter::Deno => &["deno.json", "deno.jsonc"],
        Formatter::Dprint => &[
            "dprint.json",
            "dprint.jsonc",
            ".dprint.json",
            ".dprint.jsonc",
        ],
        Formatter::Biome => &["biome.json", "biome.jsonc", ".biome.json", ".biome.jsonc"],
    };
    files.iter().any(|f| dir.join(f).exists())
        || (formatter == Formatter::Prettier && json_has_key(&dir.join("package.json"), "prettier"))
}

fn json_has_key(path: &Utf8Path, key: &str) -> bool {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .is_some_and(|value| value.get(key).is_some())
}

fn package_name(formatter: Formatter) -> Option<&'static str> {
    match formatter {
        Formatter::Prettier => Some("prettier"),
        Formatter::Oxfmt => Some("oxfmt"),
        Formatter::Dprint => Some("dprint"),
        Formatter::Biome => Some("@biomejs/biome"),
        Formatter::Deno => None,
    }
}

/// The command's name.
fn bin(formatter: Formatter) -> &'static str {
    match formatter {
        Formatter::Prettier => "prettier",
        Formatter::Oxfmt => "oxfmt",
        Formatter::Deno => "deno",
        Formatter::Dprint => "dprint",
        Formatter::Biome => "biome",
    }
}

/// What `@changesets/format` passes before the files.
fn arguments(formatter: Formatter) -> &'static [&'static str] {
    match formatter {
        Formatter::Prettier | Formatter::Oxfmt => &["--write", "--no-error-on-unmatched-pattern"],
        Formatter::Deno => &["fmt", "--permit-no-files"],
        Formatter::Dprint => &["fmt", "--allow-no-files"],
        Formatter::Biome => &["format", "--write", "--no-errors-on-unmatched"],
    }
}

/// `node_modules/.bin/NAME` in the root or the nearest directory above it that has one, else
/// `NAME` on `PATH` (deno: `PATH` only).
fn executable(root: &Utf8Path, formatter: Formatter) -> Option<PathBuf> {
    let name = bin(formatter);
    if formatter != Formatter::Deno {
        let local = root
            .ancestors()
            .map(|dir| dir.join("node_modules/.bin").join(name))
            .find(|path| path.is_file());
        if let Some(local) = local {
            return Some(local.into_std_path_buf());
        }
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir() -> (tempfile::TempDir, Utf8PathBuf) {
        let temp = tempfile::tempdir().unwrap();
        let path = Utf8PathBuf::from_path_buf(temp.path().to_owned()).unwrap();
        (temp, path)
    }

    #[test]
    fn auto_takes_config_files_first_in_changesets_order_and_never_biome() {
        let (_temp, root) = dir();
        let repo = root.join("repo");
        std::fs::create_dir_all(repo.join("node_modules/oxfmt")).unwrap();
        std::fs::write(repo.join("biome.json"), "{}").unwrap();
        // Only node_modules: oxfmt.
        assert_eq!(detect(&repo), Some(Formatter::Oxfmt));
        // A prettier configuration above the root wins over node_modules.
        std::fs::write(root.join(".prettierrc"), "{}").unwrap();
        assert_eq!(detect(&repo), Some(Formatter::Prettier));
        // dprint's comes first in one directory; the nearest directory wins.
        std::fs::write(repo.join("package.json"), r#"{"prettier": {}}"#).unwrap();
        std::fs::write(root.join("dprint.json"), "{}").unwrap();
        assert_eq!(detect(&repo), Some(Formatter::Prettier));
        std::fs::write(repo.join("deno.jsonc"), "{}").unwrap();
        assert_eq!(detect(&repo), Some(Formatter::Deno));
    }

    #[test]
    fn the_nearest_node_modules_bin_is_used() {
        let (_temp, root) = dir();
        let repo = root.join("a/b");
        std::fs::create_dir_all(root.join("a/node_modules/.bin")).unwrap();
        std::fs::create_dir_all(&repo).unwrap();
        std::fs::write(root.join("a/node_modules/.bin/prettier"), "").unwrap();
        assert_eq!(
            executable(&repo, Formatter::Prettier),
            Some(
                root.join("a/node_modules/.bin/prettier")
                    .into_std_path_buf()
            )
        );
    }
}
