//! The repository on disk: packages, configuration, pending changesets.

use camino::{Utf8Path, Utf8PathBuf};
use cargo_relflow_changeset::changed::is_ignored;
use cargo_relflow_changeset::changesets_config::{parse_changesets_config, ChangesetsConfig};
use cargo_relflow_changeset::name_index::NameIndex;
use cargo_relflow_changeset::parse::{is_changeset_file_name, parse_changeset};
use cargo_relflow_changeset::plan_config::{PrivatePackages, UpdateInternalDependencies};
use cargo_relflow_changeset::pre::{parse_pre_state, PreState};
use cargo_relflow_changeset::{Changeset, PlanConfig};
use cargo_relflow_sync::config;
use cargo_relflow_sync::config::{read_optional, LoadedConfig, RelflowConfig};
use cargo_relflow_sync::discover::{self, Depth, Workspace};
use cargo_relflow_sync::{Ecosystem, InputError, Package, VersionSource};

use crate::error::Failure;

/// The folder that holds changesets.
pub const CHANGESET_DIR: &str = ".changeset";

/// Everything relflow reads from a repository before it decides anything.
#[derive(Debug, Clone)]
pub struct Repo {
    /// The packages and relflow.toml.
    pub workspace: Workspace,
    /// `.changeset/config.json`, when present.
    pub changesets_config: Option<ChangesetsConfig>,
    /// `.changeset/pre.json`, when present.
    pub pre: Option<PreState>,
    /// What reading found worth saying but not fatal (ignored packages left out because of a
    /// duplicate name); commands print them on stderr.
    pub warnings: Vec<String>,
}

/// A changeset and the file it came from.
#[derive(Debug, Clone)]
pub struct ChangesetFile {
    /// The file, relative to the repository root.
    pub path: Utf8PathBuf,
    /// What it says.
    pub changeset: Changeset,
    /// Its text, as read.
    pub text: String,
}

impl Repo {
    /// Finds the repository containing `start` and reads its packages and configuration.
    pub fn open(start: &Utf8Path) -> Result<Repo, Failure> {
        Repo::open_with(start, Depth::Full)
    }

    /// [`Repo::open`] at a discovery depth: [`Depth::Layout`] spawns no process.
    pub fn open_with(start: &Utf8Path, depth: Depth) -> Result<Repo, Failure> {
        let root = discover::find_root(start)?;
        let settings = Settings::read(&root)?;
        let workspace = discover::discover_loaded(&root, settings.relflow, depth);
        Repo::assemble(workspace, settings.changesets_config, settings.pre)
    }

    /// [`Repo::open_with`], running `alongside` on another thread while the packages are
    /// discovered. It gets the repository root and the base branch ([`Repo::base_branch`]), so
    /// git can work meanwhile. Errors are those of [`Repo::open_with`], in the same order; the
    /// result of `alongside` is returned only when the repository opens.
    pub fn open_alongside<T: Send>(
        start: &Utf8Path,
        depth: Depth,
        alongside: impl FnOnce(&Utf8Path, &str) -> T + Send,
    ) -> Result<(Repo, T), Failure> {
        let root = discover::find_root(start)?;
        let settings = Settings::read(&root)?;
        let base = base_branch(
            &settings.relflow.config,
            settings
                .changesets_config
                .as_ref()
                .ok()
                .and_then(Option::as_ref),
        );
        let (workspace, side) = std::thread::scope(|scope| {
            let side = scope.spawn(|| alongside(&root, &base));
            let workspace = discover::discover_loaded(&root, settings.relflow, depth);
            let side = side
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (workspace, side)
        });
        let repo = Repo::assemble(workspace, settings.changesets_config, settings.pre)?;
        Ok((repo, side))
    }

    /// The repository from its parts, with the first error in reading order: packages, then
    /// `.changeset/config.json`, then `pre.json`.
    fn assemble(
        workspace: Result<Workspace, discover::DiscoverError>,
        changesets_config: Result<Option<ChangesetsConfig>, InputError>,
        pre: Result<Option<PreState>, InputError>,
    ) -> Result<Repo, Failure> {
        let mut repo = Repo {
            workspace: workspace?,
            changesets_config: changesets_config?,
            pre: pre?,
            warnings: Vec::new(),
        };
        // Changesets skips ignored packages whose name another package has, with a warning.
        let config = repo.plan_config();
        for duplicate in &repo.workspace.duplicates {
            if !is_ignored(&config, Ecosystem::Npm, &duplicate.name) {
                return Err(duplicate.error().into());
            }
            repo.warnings.push(duplicate.warning());
        }
        crate::vcs_version::apply(&mut repo);
        Ok(repo)
    }

    /// The repository root.
    pub fn root(&self) -> &Utf8Path {
        &self.workspace.root
    }

    /// The packages.
    pub fn packages(&self) -> &[Package] {
        &self.workspace.packages
    }

    /// The base branch: relflow.toml's, else `.changeset/config.json`'s, else `main`.
    pub fn base_branch(&self) -> String {
        base_branch(
            &self.workspace.config.config,
            self.changesets_config.as_ref(),
        )
    }

    /// The plan settings: `.changeset/config.json` (Changesets v3 defaults), with relflow.toml's
    /// keys winning where set. Unpublished npm and generic packages follow config.json's
    /// `privatePackages` (versioned and tagged without a config.json, SPEC 3.1); unpublished
    /// Cargo crates and Python projects follow relflow.toml's `private_packages`, by default
    /// versioned and not tagged (issue 14: the npm setting's v3 default is wrong for Cargo).
    pub fn plan_config(&self) -> PlanConfig {
        let mut plan = self.changesets_config.as_ref().map_or_else(
            || PlanConfig {
                private_packages: PrivatePackages {
                    version: true,
                    tag: true,
                },
                ..PlanConfig::default()
            },
            ChangesetsConfig::plan_config,
        );
        let relflow = &self.workspace.config.config;
        let names = |group: &Vec<toml::Spanned<String>>| -> Vec<String> {
            group.iter().map(|n| n.get_ref().clone()).collect()
        };
        if !relflow.fixed.is_empty() {
            plan.fixed = relflow.fixed.iter().map(names).collect();
        }
        if !relflow.linked.is_empty() {
            plan.linked = relflow.linked.iter().map(names).collect();
        }
        if !relflow.ignore.is_empty() {
            plan.ignore = names(&relflow.ignore);
        }
        if let Some(update) = relflow.update_internal_dependencies {
            plan.update_internal_dependencies = match update {
                config::UpdateInternalDependencies::Patch => UpdateInternalDependencies::Patch,
                config::UpdateInternalDependencies::Minor => UpdateInternalDependencies::Minor,
            };
        }
        if let Some(private) = relflow.private_packages {
            let rule = PrivatePackages {
                version: private.version,
                tag: private.tag,
            };
            plan.private_crates = rule;
            // npm follows config.json's `privatePackages` where there is one.
            if self.changesets_config.is_none() {
                plan.private_packages = rule;
            }
        }
        plan
    }

    /// `changedFilePatterns` of `.changeset/config.json` (default `["**"]`).
    pub fn changed_file_patterns(&self) -> Vec<String> {
        self.changesets_config.as_ref().map_or_else(
            || vec!["**".to_owned()],
            |c| c.changed_file_patterns.clone(),
        )
    }

    /// The `.changeset` folder, or an error with a hint when it is missing.
    pub fn changeset_dir(&self) -> Result<Utf8PathBuf, InputError> {
        changeset_dir(self.root())
    }

    /// Reads every changeset (`.changeset/*.md`, then `.changeset/pre/*.md`) in file-name byte
    /// order, and checks that each names known packages.
    pub fn read_changesets(&self) -> Result<Vec<ChangesetFile>, InputError> {
        self.checked_changesets(read_changeset_files(self.root())?)
    }

    /// `files` (from [`read_changeset_files`]), once every package they name is known.
    pub fn checked_changesets(
        &self,
        files: Vec<ChangesetFile>,
    ) -> Result<Vec<ChangesetFile>, InputError> {
        let names = NameIndex::new(self.packages());
        for file in &files {
            for release in &file.changeset.releases {
                names.resolve(&release.name).map_err(|mut e| {
                    e.path = Some(file.path.clone());
                    e.line = Some(release.line);
                    e
                })?;
            }
        }
        Ok(files)
    }

    /// Why a package has no version relflow can write, for changesets that name it: a Python
    /// project whose dynamic version has no source relflow edits, or one derived from git tags
    /// before its first release (no CHANGELOG.md heading yet).
    pub fn unwritable_version(&self, package: &Package) -> Option<String> {
        let name = package.qualified_name();
        match &package.version_source {
            VersionSource::Unwritable(reason) => Some(format!(
                "{name} has no writable version: {reason}; a changeset naming it releases nothing"
            )),
            VersionSource::Vcs(plugin) if package.version.is_none() => {
                let format = crate::publish::tags::tag_format(self);
                let example = format
                    .replace("{name}", &package.name)
                    .replace("{version}", "0.1.0");
                Some(format!(
                    "{name} has no writable version yet: {plugin} derives it from git tags, and \
                     HEAD reaches no release tag of it (`{format}`); a changeset naming it \
                     releases nothing until its current release is tagged (`git tag {example}`)"
                ))
            }
            _ => None,
        }
    }

    /// The name to write for a package: plain when unique across ecosystems or when the package
    /// is the npm one (a plain name in a changeset file means the npm package), else qualified.
    pub fn written_name(&self, package: &Package) -> String {
        let same_name = self
            .packages()
            .iter()
            .filter(|p| p.name == package.name)
            .count();
        if same_name > 1 && package.ecosystem != Ecosystem::Npm {
            package.qualified_name()
        } else {
            package.name.clone()
        }
    }
}

/// The base branch: relflow.toml's, else `.changeset/config.json`'s, else `main`.
fn base_branch(relflow: &RelflowConfig, changesets: Option<&ChangesetsConfig>) -> String {
    relflow
        .base_branch
        .clone()
        .or_else(|| changesets.map(|c| c.base_branch.clone()))
        .unwrap_or_else(|| "main".to_owned())
}

/// The settings read before the packages: relflow's configuration (an error there comes first),
/// and the results of reading `.changeset/config.json` and `pre.json`, whose errors come after
/// those of discovery.
struct Settings {
    relflow: LoadedConfig,
    changesets_config: Result<Option<ChangesetsConfig>, InputError>,
    pre: Result<Option<PreState>, InputError>,
}

impl Settings {
    fn read(root: &Utf8Path) -> Result<Settings, InputError> {
        let relflow = config::load(root)?;
        let config_path = Utf8PathBuf::from(CHANGESET_DIR).join("config.json");
        let changesets_config = read_optional(&root.join(&config_path)).and_then(|text| {
            text.map(|text| parse_changesets_config(&text, &config_path))
                .transpose()
        });
        let pre_path = Utf8PathBuf::from(CHANGESET_DIR).join("pre.json");
        let pre = read_optional(&root.join(&pre_path)).and_then(|text| {
            text.map(|text| parse_pre_state(&text, &pre_path))
                .transpose()
        });
        Ok(Settings {
            relflow,
            changesets_config,
            pre,
        })
    }
}

/// The changeset files of `dir` (`NAME.md`, without README.md and the like), sorted.
fn changeset_file_names(dir: &Utf8Path) -> Result<Vec<String>, InputError> {
    let entries = dir
        .read_dir_utf8()
        .map_err(|e| InputError::in_file(dir, format!("failed to read `{dir}`: {e}")))?;
    let mut names = Vec::new();
    for entry in entries {
        let entry =
            entry.map_err(|e| InputError::in_file(dir, format!("failed to read `{dir}`: {e}")))?;
        if entry.file_type().is_ok_and(|t| t.is_file()) && is_changeset_file_name(entry.file_name())
        {
            names.push(entry.file_name().to_owned());
        }
    }
    names.sort_unstable();
    Ok(names)
}

/// The ids of the changeset files under `root/.changeset` (and its `pre/`), from the file names
/// alone, as [`Repo::read_changesets`] names them; none where the folder cannot be listed (that
/// read reports it).
pub fn changeset_ids(root: &Utf8Path) -> Vec<String> {
    let dir = root.join(CHANGESET_DIR);
    let ids = |dir: &Utf8Path, prefix: &str| -> Vec<String> {
        changeset_file_names(dir)
            .unwrap_or_default()
            .into_iter()
            .map(|name| format!("{prefix}{}", name.trim_end_matches(".md")))
            .collect()
    };
    let mut all = ids(&dir, "");
    let pre = dir.join("pre");
    if pre.is_dir() {
        all.extend(ids(&pre, "pre/"));
    }
    all
}

/// `root/.changeset`, which must exist.
fn changeset_dir(root: &Utf8Path) -> Result<Utf8PathBuf, InputError> {
    let dir = root.join(CHANGESET_DIR);
    if dir.is_dir() {
        Ok(dir)
    } else {
        Err(
            InputError::new("There is no .changeset directory in this project")
                .with_path(root)
                .with_hint("run `cargo relflow init` to create it"),
        )
    }
}

/// Every changeset file of the repository at `root` (`.changeset/*.md`, then
/// `.changeset/pre/*.md`), read and parsed, in file-name byte order. The packages they name are
/// not looked up: that is [`Repo::checked_changesets`], once the packages are known (so the
/// files can be read while they are discovered).
pub fn read_changeset_files(root: &Utf8Path) -> Result<Vec<ChangesetFile>, InputError> {
    let dir = changeset_dir(root)?;
    let mut files = read_dir_changesets(&dir, "")?;
    let pre_dir = dir.join("pre");
    if pre_dir.is_dir() {
        files.extend(read_dir_changesets(&pre_dir, "pre/")?);
    }
    Ok(files)
}

fn read_dir_changesets(dir: &Utf8Path, id_prefix: &str) -> Result<Vec<ChangesetFile>, InputError> {
    let names = changeset_file_names(dir)?;
    let relative_dir = Utf8PathBuf::from(CHANGESET_DIR).join(id_prefix.trim_end_matches('/'));
    names
        .into_iter()
        .map(|name| {
            let path = relative_dir.join(&name);
            let text = cargo_relflow_sync::diag::read_text_file(&dir.join(&name))
                .map_err(|e| cargo_relflow_sync::diag::read_error(&path, &e))?;
            let id = format!("{id_prefix}{}", name.trim_end_matches(".md"));
            let changeset = parse_changeset(&id, &text).map_err(|e| e.into_input_error(&path))?;
            Ok(ChangesetFile {
                path,
                changeset,
                text,
            })
        })
        .collect()
}
