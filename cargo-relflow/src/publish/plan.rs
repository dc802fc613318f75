//! The plan of a run, before anything is published: which packages, where each goes, what its
//! registry has already, its level, and its tag.

use cargo_relflow_sync::diag::line_of;
use cargo_relflow_sync::{names, valid, Ecosystem, InputError, Package};

use super::order::{self, PublishGraph};
use super::progress::Progress;
use super::secrets::Secrets;
use super::state::{self, Check, Registries, Target};
use super::{tags, PlanState, PlannedPackage, PublishRequest};
use crate::error::Failure;
use crate::registry::http::Client;
use crate::registry::State;
use crate::repo::Repo;

/// What a run knows before it publishes; indexes are those of the repository's packages.
pub(crate) struct Plan {
    /// What needs what first.
    pub graph: PublishGraph,
    /// Each package's registry (`None`: never published, or not selected).
    pub targets: Vec<Option<Target>>,
    /// What each registry said (`None`: not asked).
    pub checks: Vec<Option<Check>>,
    /// Which packages this run publishes.
    pub pending: Vec<bool>,
    /// The planned packages, in publish order.
    pub order: Vec<usize>,
    /// The same, as the report shows them.
    pub packages: Vec<PlannedPackage>,
    /// What never to print.
    pub secrets: Secrets,
}

/// Orders the repository's packages, asks their registries (unless offline) and reads the tags.
pub(crate) fn plan(
    repo: &Repo,
    request: &PublishRequest,
    client: &Client,
    progress: &Progress,
) -> Result<Plan, Failure> {
    let graph = order::publish_graph(repo, request.offline, |w| progress.warn(w))?;
    let selected = selection(repo, &request.packages)?;
    let registries = Registries::read(repo, &request.env)?;
    let targets: Vec<Option<Target>> = repo
        .packages()
        .iter()
        .enumerate()
        .map(|(at, package)| {
            if selected[at] {
                registries.target(repo.root(), package, &request.env)
            } else {
                Ok(None)
            }
        })
        .collect::<Result<_, InputError>>()?;
    let secrets = Secrets::new(&request.env, &registries.config_tokens(&targets));
    let checks = check_registries(repo, request, client, &selected, &targets, progress)?;
    let states: Vec<PlanState> = (0..repo.packages().len())
        .map(|at| match (&targets[at], &checks[at]) {
            (None, _) => PlanState::Private,
            (Some(_), Some(check)) if check.state == State::Published => PlanState::Published,
            (Some(_), Some(_)) => PlanState::Unpublished,
            (Some(_), None) => PlanState::Unknown,
        })
        .collect();
    let pending: Vec<bool> = (0..states.len())
        .map(|at| selected[at] && states[at].is_pending())
        .collect();
    let levels = order::levels(&graph, &pending);
    let existing_tags = if request.tag {
        tags::existing_tags(repo.root())?
    } else {
        Default::default()
    };
    let format = tags::tag_format(repo);
    let plan_config = repo.plan_config();
    let mut order: Vec<usize> = (0..repo.packages().len())
        .filter(|&at| selected[at] && repo.packages()[at].version.is_some())
        .collect();
    order.sort_by_key(|&at| levels[at]);
    let packages: Vec<PlannedPackage> = order
        .iter()
        .map(|&at| {
            let package = &repo.packages()[at];
            let tagged = request.tag
                && (targets[at].is_some() || plan_config.private_rule(package.ecosystem).tag);
            let tag = tagged.then(|| tags::tag_name(&format, package)).flatten();
            PlannedPackage {
                name: repo.written_name(package),
                ecosystem: package.ecosystem,
                version: package
                    .version
                    .clone()
                    .unwrap_or_else(|| semver::Version::new(0, 0, 0)),
                level: levels[at],
                state: states[at],
                registry: targets[at].as_ref().map(Target::describe),
                tag_exists: tag.as_ref().is_some_and(|t| existing_tags.contains(t)),
                tag,
                outcome: None,
            }
        })
        .collect();
    check_names(repo, &order, &targets, &packages)?;
    Ok(Plan {
        graph,
        targets,
        checks,
        pending,
        order,
        packages,
        secrets,
    })
}

/// Before any effect: every npm and Python name that reaches a tool's command line, and every tag,
/// is one those tools and git accept (exit 2 at the manifest's `name`, or at `tag_format`).
fn check_names(
    repo: &Repo,
    order: &[usize],
    targets: &[Option<Target>],
    packages: &[PlannedPackage],
) -> Result<(), InputError> {
    for (&at, planned) in order.iter().zip(packages) {
        let package = &repo.packages()[at];
        let name_check = match package.ecosystem {
            Ecosystem::Npm if targets[at].is_some() => valid::npm_name(&package.name),
            Ecosystem::Python if targets[at].is_some() => valid::python_name(&package.name),
            _ => Ok(()),
        };
        if let Err(message) = name_check {
            let text =
                std::fs::read_to_string(repo.root().join(&package.manifest)).unwrap_or_default();
            let error = InputError::in_file(&package.manifest, message).with_hint(
                "rename the package; its registry would refuse it, or read it as an option",
            );
            return Err(match line_of(&text, "name") {
                Some(line) => error.with_line(line),
                None => error,
            });
        }
        if let Some(tag) = &planned.tag {
            valid::tag_name(tag).map_err(|message| {
                let error = InputError::new(format!("{message} (the tag of `{}`)", planned.name))
                    .with_hint("change `tag_format` in relflow.toml, or the package's name");
                match &repo.workspace.config.source {
                    Some(source) => match &repo.workspace.config.config.tag_format {
                        Some(format) => error
                            .with_path(&source.path)
                            .at_offset(&source.text, format.span().start),
                        None => error.with_path(&package.manifest),
                    },
                    None => error.with_path(&package.manifest),
                }
            })?;
        }
    }
    Ok(())
}

/// Which packages `-p` selects: all when none is named.
fn selection(repo: &Repo, written: &[String]) -> Result<Vec<bool>, InputError> {
    let mut selected = vec![written.is_empty(); repo.packages().len()];
    for name in written {
        selected[names::resolve(repo.packages(), name)?] = true;
    }
    Ok(selected)
}

/// Every selected publishable package's registry check, in parallel; `None` where no registry
/// was asked (offline) or, in a dry run, where it did not answer. A real run fails (exit 3) on
/// an unanswered check: it must not publish twice.
fn check_registries(
    repo: &Repo,
    request: &PublishRequest,
    client: &Client,
    selected: &[bool],
    targets: &[Option<Target>],
    progress: &Progress,
) -> Result<Vec<Option<Check>>, Failure> {
    let mut checks = vec![None; repo.packages().len()];
    if request.offline {
        return Ok(checks);
    }
    let asked: Vec<(usize, &Package, &Target)> = repo
        .packages()
        .iter()
        .enumerate()
        .filter(|(at, package)| selected[*at] && package.version.is_some())
        .filter_map(|(at, package)| Some((at, package, targets[at].as_ref()?)))
        .collect();
    let items: Vec<(&Package, &Target)> = asked
        .iter()
        .map(|&(_, package, target)| (package, target))
        .collect();
    let answers = state::check_all(client, &items, request.jobs.max(4));
    for (&(at, package, target), answer) in asked.iter().zip(answers) {
        match answer {
            Ok(check) => checks[at] = Some(check),
            Err(error) if request.dry_run => progress.warn(&format!(
                "cannot check `{}` on {}: {error}",
                package.name,
                target.describe()
            )),
            Err(error) => {
                return Err(anyhow::anyhow!(
                    "cannot check `{}` on {}: {error}",
                    package.name,
                    target.describe()
                )
                .into())
            }
        }
    }
    Ok(checks)
}
