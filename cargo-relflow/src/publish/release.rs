//! Forge releases for a run's tags: one release per pushed tag with the package's changelog
//! section as notes (marked pre-release for a pre-release version), and the files of
//! `[[package]] assets` attached. Re-runs look each release and asset up first, so nothing is
//! made twice and a run that failed half-way is finished by the next one.
//!
//! [`prepare`] runs before anything is published: it expands the asset globs (one that matches
//! nothing is bad input), picks the forge ([`crate::forge::remote`]) and reads its token (a real
//! run without one is bad input naming the variable). [`create`] runs after the tags are pushed.

use camino::Utf8PathBuf;
use cargo_relflow_changeset::changelog;
use cargo_relflow_sync::{names, InputError};

use super::progress::Progress;
use super::{PlannedPackage, PublishRequest};
use crate::error::Failure;
use crate::forge::remote::Unresolved;
use crate::forge::{self, Forge, ForgeSpec, NewRelease};
use crate::repo::Repo;
use crate::version::changelog_path;

/// What [`create`] needs, found before anything is published.
pub(crate) struct Releases {
    /// The forge (`None`: no releases this run).
    forge: Option<(ForgeSpec, Box<dyn Forge>)>,
    /// Each package's asset files (absolute paths), by package index.
    assets: Vec<Vec<Utf8PathBuf>>,
}

/// One release this run made or completed, for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseOutcome {
    /// The tag.
    pub tag: String,
    /// Its page on the forge.
    pub url: String,
    /// Whether this run created it (false: it was there).
    pub created: bool,
    /// The assets this run uploaded.
    pub uploaded: Vec<String>,
}

/// Expands the asset globs of the planned packages, picks the forge and reads its token.
pub(crate) fn prepare(
    repo: &Repo,
    request: &PublishRequest,
    order: &[usize],
    progress: &Progress,
) -> Result<Releases, Failure> {
    let assets = expand_assets(repo, order)?;
    let none = |assets| Releases {
        forge: None,
        assets,
    };
    if !request.release || !request.tag {
        return Ok(none(assets));
    }
    let spec = match forge::of_repo(repo) {
        Ok(spec) => spec,
        Err(Unresolved::Input(error)) => return Err(error.into()),
        Err(Unresolved::NotAForge(why)) => {
            if assets.iter().any(|files| !files.is_empty()) {
                progress.warn(&format!(
                    "no forge releases: {why} (set `[forge]` in relflow.toml to upload the assets)"
                ));
            }
            return Ok(none(assets));
        }
    };
    if request.dry_run {
        progress.note(
            "Would release",
            &format!("on {} `{}`", spec.kind, spec.repository),
        );
        return Ok(none(assets));
    }
    let Some(token) = forge::token(&spec, &request.env) else {
        return Err(forge::missing_token(&spec, "publishing forge releases")
            .with_hint(format!(
                "set `{}`, or pass `--no-release` to publish without forge releases",
                spec.kind.token_variable()
            ))
            .into());
    };
    let client = forge::open(&spec, Some(token));
    Ok(Releases {
        forge: Some((spec, client)),
        assets,
    })
}

/// The files of each planned package's `assets` globs, relative to the repository root.
fn expand_assets(repo: &Repo, order: &[usize]) -> Result<Vec<Vec<Utf8PathBuf>>, Failure> {
    let mut assets = vec![Vec::new(); repo.packages().len()];
    let config = &repo.workspace.config;
    let entries = config
        .config
        .packages
        .iter()
        .filter(|e| !e.assets.is_empty());
    for entry in entries {
        let Ok(at) = names::resolve(repo.packages(), entry.name.get_ref()) else {
            continue;
        };
        if !order.contains(&at) {
            continue;
        }
        let at_line = |error: InputError| match &config.source {
            Some(source) => error
                .with_path(&source.path)
                .at_offset(&source.text, entry.name.span().start),
            None => error,
        };
        let mut files: Vec<Utf8PathBuf> = Vec::new();
        for pattern in &entry.assets {
            let written = pattern.get_ref();
            let full = repo.root().join(written);
            let matched: Vec<Utf8PathBuf> = glob::glob(full.as_str())
                .map_err(|e| {
                    at_line(InputError::new(format!(
                        "`assets`: invalid glob `{written}`: {e}"
                    )))
                })?
                .filter_map(Result::ok)
                .filter(|path| path.is_file())
                .filter_map(|path| Utf8PathBuf::from_path_buf(path).ok())
                .collect();
            if matched.is_empty() {
                let error = InputError::new(format!(
                    "`assets` of `{}`: `{written}` matches no file",
                    entry.name.get_ref()
                ))
                .with_hint("build the assets before `publish`, or fix the pattern");
                let error = match &config.source {
                    Some(source) => error
                        .with_path(&source.path)
                        .at_offset(&source.text, pattern.span().start),
                    None => error,
                };
                return Err(error.into());
            }
            files.extend(matched);
        }
        files.sort();
        files.dedup();
        let mut names: Vec<&str> = files.iter().filter_map(|f| f.file_name()).collect();
        names.sort_unstable();
        if let Some(pair) = names.windows(2).find(|pair| pair[0] == pair[1]) {
            return Err(at_line(InputError::new(format!(
                "`assets` of `{}`: two files are named `{}`, and a release's assets need distinct names",
                entry.name.get_ref(),
                pair[0]
            )))
            .into());
        }
        assets[at] = files;
    }
    Ok(assets)
}

/// Makes sure each pushed tag of `packages` (zipped with their indexes `order`) has its release
/// with every asset.
pub(crate) fn create(
    repo: &Repo,
    releases: &Releases,
    packages: &[PlannedPackage],
    order: &[usize],
    pushed: &[String],
    progress: &Progress,
) -> Result<Vec<ReleaseOutcome>, Failure> {
    let Some((spec, forge)) = &releases.forge else {
        return Ok(Vec::new());
    };
    let mut outcomes = Vec::new();
    for tag in pushed {
        let members: Vec<(usize, &PlannedPackage)> = order
            .iter()
            .zip(packages)
            .filter(|(_, p)| p.tag.as_ref() == Some(tag))
            .map(|(&at, p)| (at, p))
            .collect();
        let Some(&(_, first)) = members.first() else {
            continue;
        };
        let (release, created) = match forge.release_by_tag(tag).map_err(|e| context(e, tag))? {
            Some(release) => (release, false),
            None => {
                let new = NewRelease {
                    tag: tag.clone(),
                    name: tag.clone(),
                    body: notes(repo, &members),
                    prerelease: !first.version.pre.is_empty(),
                };
                let release = forge.create_release(&new).map_err(|e| context(e, tag))?;
                progress.note(
                    "Released",
                    &format!("{tag} on {} `{}`", spec.kind, spec.repository),
                );
                (release, true)
            }
        };
        let files: Vec<&Utf8PathBuf> = members
            .iter()
            .flat_map(|&(at, _)| &releases.assets[at])
            .collect();
        let mut uploaded = Vec::new();
        if !files.is_empty() {
            let existing = forge.list_assets(&release).map_err(|e| context(e, tag))?;
            for file in files {
                let name = file.file_name().unwrap_or(file.as_str());
                if existing.iter().any(|asset| asset.name == name) {
                    continue;
                }
                let content = std::fs::read(file).map_err(|e| {
                    Failure::External(anyhow::anyhow!("cannot read asset `{file}`: {e}"))
                })?;
                forge
                    .upload_asset(&release, name, &content)
                    .map_err(|e| context(e, tag))?;
                progress.note("Uploaded", &format!("{name} to {tag}"));
                uploaded.push(name.to_owned());
            }
        }
        outcomes.push(ReleaseOutcome {
            tag: tag.clone(),
            url: release.url,
            created,
            uploaded,
        });
    }
    Ok(outcomes)
}

/// The release notes: the package's changelog section for its version; for a tag that several
/// packages share (a fixed group), each package's section under its name.
fn notes(repo: &Repo, members: &[(usize, &PlannedPackage)]) -> String {
    let section = |at: usize, planned: &PlannedPackage| {
        let path = repo.root().join(changelog_path(repo, at));
        let text = std::fs::read_to_string(path).unwrap_or_default();
        changelog::section(&text, &planned.version.to_string())
            .map(str::to_owned)
            .unwrap_or_default()
    };
    match members {
        [(at, planned)] => section(*at, planned),
        _ => members
            .iter()
            .map(|&(at, planned)| format!("## {}\n\n{}", planned.name, section(at, planned)))
            .collect::<Vec<_>>()
            .join("\n\n"),
    }
}

fn context(error: forge::ForgeError, tag: &str) -> Failure {
    Failure::External(anyhow::anyhow!(
        "the release of `{tag}` is not complete: {error}\n(the packages are published and tagged; \
         run `cargo relflow publish` again to finish the releases)"
    ))
}
