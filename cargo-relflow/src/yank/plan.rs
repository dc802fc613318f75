//! The plan of a rollback, before anything changes: the items (package and version), their
//! order (dependents first), each one's registry state and steps, and its tag.

use std::collections::BTreeSet;
use std::str::FromStr;

use cargo_relflow_sync::pep440::{pep440_to_semver, semver_to_pep440};
use cargo_relflow_sync::{names, Ecosystem, InputError, Package};

use super::YankRequest;
use crate::error::Failure;
use crate::forge::remote::Unresolved;
use crate::forge::{self, Forge, Release};
use crate::publish::order;
use crate::publish::secrets::Secrets;
use crate::publish::state::{Registries, Target};
use crate::publish::{tags, REMOTE};
use crate::registry::cargo as cargo_registry;
use crate::registry::http::{Client, Token};
use crate::registry::{npm, pypi, RegistryError};
use crate::released::released;
use crate::repo::Repo;
use crate::ui::Ui;

/// An item's state on its registry before the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemState {
    /// The version is there and live.
    Published,
    /// Cargo, or Python (PEP 592, every file of it): the version is yanked.
    Yanked,
    /// npm: the version is deprecated.
    Deprecated,
    /// The registry does not have the version (never published, unpublished or removed).
    Absent,
    /// PyPI has it, and only a person can yank it there.
    Manual,
    /// The registry did not answer (dry run).
    Unknown,
    /// The package is never published (generic, private): only its tag is rolled back.
    Private,
}

impl ItemState {
    /// The name in output and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemState::Published => "published",
            ItemState::Yanked => "yanked",
            ItemState::Deprecated => "deprecated",
            ItemState::Absent => "absent",
            ItemState::Manual => "manual",
            ItemState::Unknown => "unknown",
            ItemState::Private => "private",
        }
    }
}

/// The registry step an item still needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// `cargo yank`.
    CargoYank,
    /// `npm deprecate`.
    NpmDeprecate,
    /// `npm unpublish`, deprecating when npm refuses.
    NpmUnpublish,
    /// The `remove_pkg` action of the Python repository, once per `(name, version)` spelling
    /// of the release's file names.
    PythonRemove(Vec<(String, String)>),
    /// Nothing relflow can do: yank by hand at this URL.
    Manual(String),
}

impl Action {
    /// The step as the plan shows it.
    pub fn describe(&self) -> String {
        match self {
            Action::CargoYank => "cargo yank".to_owned(),
            Action::NpmDeprecate => "npm deprecate".to_owned(),
            Action::NpmUnpublish => "npm unpublish".to_owned(),
            Action::PythonRemove(_) => "remove_pkg".to_owned(),
            Action::Manual(url) => format!("yank by hand: {url}"),
        }
    }
}

/// One package version to roll back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YankItem {
    /// Its package's index among the repository's packages.
    pub index: usize,
    /// Its name as users write it.
    pub name: String,
    /// Its ecosystem.
    pub ecosystem: Ecosystem,
    /// The version, as semver.
    pub version: semver::Version,
    /// The version as its registry writes it (PEP 440 for Python).
    pub version_text: String,
    /// Its level in the reverse of publish order: items with a higher level go first.
    pub level: usize,
    /// Its registry, for messages (`None`: never published).
    pub registry: Option<String>,
    /// Its state before the run.
    pub state: ItemState,
    /// The registry step still to do (`None`: nothing).
    pub action: Option<Action>,
    /// npm: the version the dist-tag `latest` goes back to, when it points at this one.
    pub latest_to: Option<String>,
    /// Its release tag (`None`: it has none, or `--keep-tags`).
    pub tag: Option<String>,
    /// Whether the tag exists locally.
    pub tag_local: bool,
    /// Whether the tag exists on `origin`.
    pub tag_remote: bool,
    /// The page of the forge release of the tag, when there is one.
    pub forge_release: Option<String>,
}

/// The plan and what the run needs to carry it out.
pub(crate) struct Plan {
    /// The items, dependents first.
    pub items: Vec<YankItem>,
    /// Each item's registry (same order).
    pub targets: Vec<Option<Target>>,
    /// What never to print.
    pub secrets: Secrets,
    /// Whether `origin` exists.
    pub has_remote: bool,
    /// The Python repository credentials, when a removal is planned (real runs).
    pub python_credentials: Option<(String, Token)>,
    /// The HTTP client.
    pub client: Client,
    /// The forge, and the releases of the items' tags found on it.
    pub forge: Option<ForgeReleases>,
}

/// A forge client and the releases of the items' tags found on it.
pub(crate) type ForgeReleases = (Box<dyn Forge>, Vec<Release>);

/// Reads the items, orders them, asks their registries and reads the tags.
pub(crate) fn plan(repo: &Repo, request: &YankRequest, ui: &Ui) -> Result<Plan, Failure> {
    let wanted = wanted_items(repo, request)?;
    let graph = order::publish_graph(repo, false, |warning| ui.warn(warning))?;
    let mut pending = vec![false; repo.packages().len()];
    for (index, _, _) in &wanted {
        pending[*index] = true;
    }
    let levels = order::levels(&graph, &pending);
    let mut wanted = wanted;
    // Dependents (higher levels) first; the repository's order otherwise.
    wanted.sort_by_key(|(index, version, _)| {
        (std::cmp::Reverse(levels[*index]), *index, version.clone())
    });

    let registries = Registries::read(repo, &request.env)?;
    let targets: Vec<Option<Target>> = wanted
        .iter()
        .map(|(index, _, _)| registries.target(repo.root(), &repo.packages()[*index], &request.env))
        .collect::<Result<_, InputError>>()?;
    let secrets = Secrets::new(&request.env, &registries.config_tokens(&targets));
    let client = Client::new();

    let format = tags::tag_format(repo);
    let tag_private = repo.plan_config().private_packages.tag;
    let local_tags = tags::existing_tags(repo.root())?;
    let has_remote = tags::has_remote(repo.root(), REMOTE)?;
    let remote_tags = if has_remote && !request.keep_tags {
        match tags::remote_tags(repo.root(), REMOTE, &secrets) {
            Ok(found) => Some(found),
            Err(error) if request.dry_run => {
                ui.warn(&format!("cannot list the tags of `{REMOTE}`: {error:#}"));
                None
            }
            Err(error) => return Err(error.into()),
        }
    } else {
        Some(BTreeSet::new())
    };

    let mut items = Vec::with_capacity(wanted.len());
    for ((index, version, version_text), target) in wanted.iter().zip(&targets) {
        let package = &repo.packages()[*index];
        let found = match target {
            None => Found::state(ItemState::Private),
            Some(target) => match registry_state(&client, target, package, version, version_text) {
                Ok(found) => found,
                Err(error) if request.dry_run => {
                    ui.warn(&format!(
                        "cannot check `{}` on {}: {error}",
                        package.name,
                        target.describe()
                    ));
                    Found::state(ItemState::Unknown)
                }
                Err(error) => {
                    return Err(anyhow::anyhow!(
                        "cannot check `{}` on {}: {error}",
                        package.name,
                        target.describe()
                    )
                    .into())
                }
            },
        };
        let action = action(
            &found,
            target.as_ref(),
            package,
            version_text,
            request.unpublish,
        );
        let tagged = !request.keep_tags && (package.publish.is_published() || tag_private);
        let tag = tagged.then(|| tags::tag_name_at(&format, &package.name, version));
        items.push(YankItem {
            index: *index,
            name: repo.written_name(package),
            ecosystem: package.ecosystem,
            version: version.clone(),
            version_text: version_text.clone(),
            level: levels[*index],
            registry: target.as_ref().map(Target::describe),
            state: found.state,
            action,
            latest_to: found.latest_to,
            tag_local: tag.as_ref().is_some_and(|tag| local_tags.contains(tag)),
            tag_remote: tag.as_ref().is_some_and(|tag| {
                remote_tags
                    .as_ref()
                    .is_some_and(|found| found.contains(tag))
            }),
            tag,
            forge_release: None,
        });
    }
    let forge = if request.keep_tags {
        None
    } else {
        forge_releases(repo, request, &mut items, ui)?
    };
    let python_credentials = if !request.dry_run
        && items
            .iter()
            .any(|item| matches!(item.action, Some(Action::PythonRemove(_))))
    {
        Some(python_credentials(request)?)
    } else {
        None
    };
    Ok(Plan {
        items,
        targets,
        secrets,
        has_remote,
        python_credentials,
        client,
        forge,
    })
}

/// The forge of the repository (`[forge]`, else `origin`) and the releases of the items' tags
/// on it; `None` when nothing names a forge. A real run that finds a release to delete needs the
/// forge's token (bad input naming the variable otherwise).
fn forge_releases(
    repo: &Repo,
    request: &YankRequest,
    items: &mut [YankItem],
    ui: &Ui,
) -> Result<Option<ForgeReleases>, Failure> {
    let spec = match forge::of_repo(repo) {
        Ok(spec) => spec,
        Err(Unresolved::Input(error)) => return Err(error.into()),
        Err(Unresolved::NotAForge(why)) => {
            ui.verbose(&format!("no forge releases to delete: {why}"));
            return Ok(None);
        }
    };
    let token = forge::token(&spec, &request.env);
    let has_token = token.is_some();
    let client = forge::open(&spec, token);
    let mut releases: Vec<Release> = Vec::new();
    for item in items.iter_mut() {
        let Some(tag) = &item.tag else {
            continue;
        };
        if let Some(release) = releases.iter().find(|r| &r.tag == tag) {
            item.forge_release = Some(release.url.clone());
            continue;
        }
        match client.release_by_tag(tag) {
            Ok(Some(release)) => {
                item.forge_release = Some(release.url.clone());
                releases.push(release);
            }
            Ok(None) => {}
            Err(error) if request.dry_run => {
                ui.warn(&format!(
                    "cannot look up the {} release of `{tag}`: {error}",
                    spec.kind
                ));
            }
            Err(error) => return Err(error.into()),
        }
    }
    if !releases.is_empty() && !has_token && !request.dry_run {
        return Err(forge::missing_token(&spec, "deleting forge releases")
            .with_hint(format!(
                "set `{}`, or pass `--keep-tags` to leave tags and releases alone",
                spec.kind.token_variable()
            ))
            .into());
    }
    Ok(Some((client, releases)))
}

/// The `(package index, version, version as the registry writes it)` to roll back.
fn wanted_items(
    repo: &Repo,
    request: &YankRequest,
) -> Result<Vec<(usize, semver::Version, String)>, Failure> {
    let mut wanted: Vec<(usize, semver::Version, String)> = Vec::new();
    if let Some(reference) = &request.release {
        for package in released(repo, reference)?.packages {
            let text = registry_text(&repo.packages()[package.index], &package.version);
            wanted.push((package.index, package.version, text));
        }
    }
    for written in &request.items {
        let (index, version) = parse_item(repo, written)?;
        let text = registry_text(&repo.packages()[index], &version);
        if !wanted.iter().any(|(i, v, _)| *i == index && *v == version) {
            wanted.push((index, version, text));
        }
    }
    Ok(wanted)
}

/// The version as the package's registry writes it: normalized PEP 440 for Python.
fn registry_text(package: &Package, version: &semver::Version) -> String {
    match package.ecosystem {
        Ecosystem::Python => {
            let text = semver_to_pep440(version);
            pep440_rs::Version::from_str(&text).map_or(text, |v| v.to_string())
        }
        _ => version.to_string(),
    }
}

/// `PKG@VERSION` (`@scope/name@1.0.0`, `cargo:core@1.0.0`, `pylib@1.0b1`): the package and the
/// version, which must be one the package can have released (not above its current version).
pub fn parse_item(repo: &Repo, written: &str) -> Result<(usize, semver::Version), InputError> {
    let Some((name, version_text)) = written
        .rsplit_once('@')
        .filter(|(name, version)| !name.is_empty() && !name.ends_with(':') && !version.is_empty())
    else {
        return Err(InputError::new(format!("`{written}` is not PKG@VERSION"))
            .with_hint("name a package and one of its versions, such as `core@1.2.0`, or pass `--release REF`"));
    };
    let index = names::resolve(repo.packages(), name)?;
    let package = &repo.packages()[index];
    let parsed = match package.ecosystem {
        Ecosystem::Python => pep440_to_semver(version_text),
        _ => semver::Version::parse(version_text).map_err(|error| error.to_string()),
    };
    let not_its = |why: String| {
        InputError::in_file(
            &package.manifest,
            format!("`{version_text}` is not a version of `{name}`: {why}"),
        )
        .with_hint(
            "name a version the package has released, as its CHANGELOG.md or its tags list them",
        )
    };
    let version = parsed.map_err(not_its)?;
    match &package.version {
        None => Err(not_its("the package has no version".to_owned())),
        Some(current) if &version > current => Err(not_its(format!(
            "its version is {}",
            package.version_text.as_deref().unwrap_or_default()
        ))),
        Some(_) => Ok((index, version)),
    }
}

/// What a registry says about an item.
struct Found {
    state: ItemState,
    /// npm: where `latest` goes when it points at the version.
    latest_to: Option<String>,
    /// Python: the `(name, version)` spellings of the version's files.
    spellings: Vec<(String, String)>,
}

impl Found {
    fn state(state: ItemState) -> Found {
        Found {
            state,
            latest_to: None,
            spellings: Vec::new(),
        }
    }
}

/// The registry's state of the version, and for npm where `latest` goes when it points at it.
fn registry_state(
    client: &Client,
    target: &Target,
    package: &Package,
    version: &semver::Version,
    version_text: &str,
) -> Result<Found, RegistryError> {
    let same = |v: &semver::Version| {
        (v.major, v.minor, v.patch, &v.pre)
            == (version.major, version.minor, version.patch, &version.pre)
    };
    match target {
        Target::Cargo { registry, token } => {
            let entries =
                cargo_registry::index_entries(client, registry, &package.name, token.as_ref())?
                    .unwrap_or_default();
            Ok(Found::state(
                match entries.iter().find(|entry| same(&entry.version)) {
                    None => ItemState::Absent,
                    Some(entry) if entry.yanked => ItemState::Yanked,
                    Some(_) => ItemState::Published,
                },
            ))
        }
        Target::Npm { registry, token } => {
            let Some(packument) = npm::packument(client, registry, &package.name, token.as_ref())?
            else {
                return Ok(Found::state(ItemState::Absent));
            };
            let parse =
                |text: &str| semver::Version::parse(text.trim_start_matches(['v', '='])).ok();
            let ours = packument
                .versions
                .iter()
                .find(|text| parse(text).is_some_and(|v| same(&v)));
            let state = match ours {
                None => ItemState::Absent,
                Some(text) if packument.deprecated.contains(text) => ItemState::Deprecated,
                Some(_) => ItemState::Published,
            };
            let latest_is_ours = packument
                .dist_tags
                .get("latest")
                .and_then(|latest| parse(latest))
                .is_some_and(|latest| same(&latest));
            let latest_to = latest_is_ours
                .then(|| {
                    packument
                        .versions
                        .iter()
                        .filter(|text| !packument.deprecated.contains(*text))
                        .filter_map(|text| Some((parse(text)?, text)))
                        .filter(|(v, _)| !same(v) && v.pre.is_empty())
                        .max_by(|(a, _), (b, _)| a.cmp(b))
                        .map(|(_, text)| text.clone())
                })
                .flatten();
            Ok(Found {
                state,
                latest_to,
                spellings: Vec::new(),
            })
        }
        Target::Python { upload_url, index } => {
            let pep440 = pep440_rs::Version::from_str(version_text).map_err(|error| {
                RegistryError::Unsupported(format!(
                    "`{version_text}` is not a PEP 440 version: {error}"
                ))
            })?;
            let files = pypi::release_files(client, index, &package.name, &pep440)?;
            let spellings = files.spellings;
            let state = if spellings.is_empty() {
                ItemState::Absent
            } else if files.yanked {
                ItemState::Yanked
            } else if pypi::manage_url(upload_url, &package.name, version_text).is_some() {
                ItemState::Manual
            } else {
                ItemState::Published
            };
            Ok(Found {
                state,
                latest_to: None,
                spellings,
            })
        }
    }
}

/// The registry step an item in `state` still needs.
fn action(
    found: &Found,
    target: Option<&Target>,
    package: &Package,
    version_text: &str,
    unpublish: bool,
) -> Option<Action> {
    match (found.state, target?) {
        (ItemState::Published, Target::Cargo { .. }) => Some(Action::CargoYank),
        (ItemState::Published, Target::Npm { .. }) if unpublish => Some(Action::NpmUnpublish),
        // A deprecated version can still be unpublished, as asked.
        (ItemState::Deprecated, Target::Npm { .. }) if unpublish => Some(Action::NpmUnpublish),
        (ItemState::Published, Target::Npm { .. }) => Some(Action::NpmDeprecate),
        (ItemState::Published, Target::Python { .. }) => {
            Some(Action::PythonRemove(found.spellings.clone()))
        }
        (ItemState::Manual, Target::Python { upload_url, .. }) => {
            pypi::manage_url(upload_url, &package.name, version_text).map(Action::Manual)
        }
        _ => None,
    }
}

/// The user and password for the Python repository: twine's variables, else uv's.
fn python_credentials(request: &YankRequest) -> Result<(String, Token), InputError> {
    let env = &request.env;
    let password = env
        .get("TWINE_PASSWORD")
        .or_else(|| env.get("UV_PUBLISH_PASSWORD"))
        .or_else(|| env.get("UV_PUBLISH_TOKEN"));
    let Some(password) = password else {
        return Err(InputError::new(
            "removing a Python release needs the repository's credentials, and `TWINE_PASSWORD` is not set",
        )
        .with_hint("set `TWINE_USERNAME` and `TWINE_PASSWORD` (or `UV_PUBLISH_USERNAME` and `UV_PUBLISH_PASSWORD`), as for publishing"));
    };
    let user = env
        .get("TWINE_USERNAME")
        .or_else(|| env.get("UV_PUBLISH_USERNAME"))
        .unwrap_or("__token__");
    Ok((user.to_owned(), Token::new(password)))
}
