//! Finding every package of the repository: Cargo crates, npm packages, Python projects and
//! generic packages, and the configuration that shapes them.

pub mod cargo;
pub mod generic;
mod git_index;
pub mod npm;
pub mod python;
#[cfg(test)]
mod test_support;
mod tree_walk;

use camino::{Utf8Path, Utf8PathBuf};

use crate::config::{self, LoadedConfig};
use crate::{InputError, Package, Publish};

/// The repository as relflow sees it.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// The repository root (absolute).
    pub root: Utf8PathBuf,
    /// Every package, Cargo first, then npm, Python and generic, each sorted by directory.
    pub packages: Vec<Package>,
    /// relflow's configuration.
    pub config: LoadedConfig,
    /// npm packages left out because an earlier package has their name: an error unless both
    /// are ignored (the caller knows `ignore`).
    pub duplicates: Vec<npm::DuplicateName>,
}

/// Why discovery failed.
#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    /// Something the user wrote is wrong (exit code 2).
    #[error(transparent)]
    Input(#[from] InputError),
    /// A tool relflow runs failed (exit code 3).
    #[error("{0}")]
    External(String),
}

/// How much discovery reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// Everything, Cargo through `cargo metadata`.
    Full,
    /// Names, versions, directories and publish settings only, without spawning any process
    /// (Cargo crates have no dependencies then), and without walking the tree (the Python
    /// projects are those git tracks). For `changeset check`.
    Layout,
}

/// Finds every package of the repository at `root` and applies relflow.toml to them: names are
/// checked, `publish = false` entries applied, generic packages added.
pub fn discover(root: &Utf8Path) -> Result<Workspace, DiscoverError> {
    discover_with(root, Depth::Full)
}

/// [`discover`] at the given depth.
pub fn discover_with(root: &Utf8Path, depth: Depth) -> Result<Workspace, DiscoverError> {
    discover_loaded(root, config::load(root)?, depth)
}

/// [`discover_with`] for a configuration already loaded ([`config::load`]).
///
/// The Cargo crates and the Python projects are read on threads of their own while the npm and
/// generic packages are read on this one (at [`Depth::Full`], `cargo metadata` runs meanwhile).
/// Errors are reported in the same order as one after the other: Cargo, npm, Python, generic,
/// then names.
pub fn discover_loaded(
    root: &Utf8Path,
    loaded: LoadedConfig,
    depth: Depth,
) -> Result<Workspace, DiscoverError> {
    let python_paths: Option<Vec<String>> = loaded
        .config
        .python
        .paths
        .as_ref()
        .map(|paths| paths.iter().map(|p| p.get_ref().clone()).collect());
    let python_paths = python_paths.as_deref();
    let (cargo, npm, python, generic) = std::thread::scope(|scope| {
        let cargo = spawn(scope, || match depth {
            Depth::Full => cargo::discover_cargo(root),
            Depth::Layout => cargo::layout_cargo(root),
        });
        let python = spawn(scope, || match depth {
            Depth::Full => python::discover_python(root, python_paths),
            Depth::Layout => python::discover_python_tracked(root, python_paths),
        });
        let npm = npm::discover_npm_with_duplicates(root);
        let generic = generic::discover_generic(root, &loaded.config, loaded.source.as_ref());
        (joined(cargo), npm, joined(python), generic)
    });
    let mut packages = cargo?;
    let (npm, duplicates) = npm?;
    packages.extend(npm);
    packages.extend(python?);
    packages.extend(generic?);
    if let Some(source) = &loaded.source {
        loaded.config.check_names(&packages, source)?;
        for entry in &loaded.config.packages {
            if entry.publish == Some(false) {
                let index = crate::names::resolve(&packages, entry.name.get_ref())?;
                packages[index].publish = Publish::No;
            }
        }
    }
    Ok(Workspace {
        root: root.to_owned(),
        packages,
        config: loaded,
        duplicates,
    })
}

pub(crate) use crate::diag::read_text_file;

/// The stack of discovery's threads: a main thread's, as manifests were parsed on the main
/// thread before.
const THREAD_STACK: usize = 8 << 20;

/// Starts `work` on a scoped thread with [`THREAD_STACK`] (failing to start one panics, as
/// [`std::thread::Scope::spawn`] does).
fn spawn<'scope, T: Send + 'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    work: impl FnOnce() -> T + Send + 'scope,
) -> std::thread::ScopedJoinHandle<'scope, T> {
    std::thread::Builder::new()
        .stack_size(THREAD_STACK)
        .spawn_scoped(scope, work)
        .unwrap_or_else(|e| panic!("failed to start a discovery thread: {e}"))
}

/// What a scoped thread returned (its panic goes on in this thread).
fn joined<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// The repository root for a starting directory: the nearest ancestor holding relflow.toml or a
/// `.changeset` folder, else the nearest holding `.git`, else the start itself.
pub fn find_root(start: &Utf8Path) -> Result<Utf8PathBuf, InputError> {
    let start = start
        .canonicalize_utf8()
        .map_err(|e| InputError::new(format!("cannot open the directory `{start}`: {e}")))?;
    let marked = |dir: &&Utf8Path| {
        dir.join(config::CONFIG_FILE).is_file() || dir.join(".changeset").is_dir()
    };
    let root = start
        .ancestors()
        .find(marked)
        .or_else(|| start.ancestors().find(|dir| dir.join(".git").exists()))
        .unwrap_or(&start);
    Ok(root.to_owned())
}
