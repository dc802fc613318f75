//! Publishing the planned packages: each one as soon as everything it needs is visible on its
//! registry, at most `jobs` at a time; a 429 is waited out and retried; after each publish the
//! registry is polled until the version shows, before any dependent starts.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::mpsc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use camino::{Utf8Path, Utf8PathBuf};
use cargo_relflow_changeset::pre::PreState;
use cargo_relflow_sync::discover::python::normalize_name;
use cargo_relflow_sync::pep440::semver_to_pep440;
use cargo_relflow_sync::{Ecosystem, Package};

use super::pace::Pacer;
use super::progress::Progress;
use super::secrets::Secrets;
use super::state::{self, Polling, Target};
use super::tools::{self, Invocation, Verdict};
use crate::registry::http::Client;
use crate::registry::pypi;

/// How a package's publish ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobResult {
    /// Published now, and visible on its registry.
    Published,
    /// The registry had it already ("already exists"), and it is visible.
    AlreadyThere,
    /// It failed, for this reason.
    Failed(String),
    /// Not tried: something it needs was not published.
    Skipped(String),
}

impl JobResult {
    /// Whether the version is on its registry now.
    pub fn is_done(&self) -> bool {
        matches!(self, JobResult::Published | JobResult::AlreadyThere)
    }
}

/// One package to publish.
#[derive(Debug)]
pub struct Job<'a> {
    /// The package.
    pub package: &'a Package,
    /// Its index in the repository's packages.
    pub index: usize,
    /// How it is shown (`name version`).
    pub key: String,
    /// Its registry.
    pub target: &'a Target,
    /// The packages (indexes in the repository) of this run that must be visible first.
    pub needs: Vec<usize>,
    /// Whether its registry knows no version of it yet (a new crate, for crates.io's limits).
    pub new_package: bool,
}

/// What every job of a run shares.
pub struct Context<'a> {
    /// The repository root.
    pub root: &'a Utf8Path,
    /// The registry client for visibility checks.
    pub client: Client,
    /// How to wait for visibility.
    pub polling: Polling,
    /// How often a rate-limited publish is tried again.
    pub rate_limit_retries: u32,
    /// The wait after a 429 that gave no time.
    pub rate_limit_wait: Duration,
    /// `cargo publish --allow-dirty`.
    pub allow_dirty: bool,
    /// `[python] build`.
    pub python_build: Option<&'a [String]>,
    /// Pre mode, for npm dist-tags.
    pub pre: Option<&'a PreState>,
    /// What never to print.
    pub secrets: &'a Secrets,
    /// Where progress goes.
    pub progress: &'a Progress,
    /// crates.io's buckets.
    pub pacer: Mutex<Pacer>,
    /// Time spent in cargo, npm, the Python build and upload tools.
    pub tool_time: Mutex<Duration>,
}

/// Publishes `jobs`, at most `parallel` at a time, each after the jobs it needs are done; returns
/// each job's result, in the order of `jobs`.
pub fn publish_jobs(context: &Context<'_>, jobs: &[Job<'_>], parallel: usize) -> Vec<JobResult> {
    let position: HashMap<usize, usize> = jobs
        .iter()
        .enumerate()
        .map(|(at, job)| (job.index, at))
        .collect();
    let needs: Vec<Vec<usize>> = jobs
        .iter()
        .map(|job| {
            job.needs
                .iter()
                .filter_map(|n| position.get(n).copied())
                .collect()
        })
        .collect();
    let mut results: Vec<Option<JobResult>> = vec![None; jobs.len()];
    let mut running = vec![false; jobs.len()];
    let parallel = parallel.max(1);
    std::thread::scope(|scope| {
        let (sender, receiver) = mpsc::channel::<(usize, JobResult)>();
        let mut in_flight = 0usize;
        loop {
            let mut changed = true;
            while changed {
                changed = false;
                for (at, job) in jobs.iter().enumerate() {
                    if results[at].is_some() || running[at] {
                        continue;
                    }
                    let missing = needs[at]
                        .iter()
                        .find(|&&n| results[n].as_ref().is_some_and(|r| !r.is_done()));
                    if let Some(&missing) = missing {
                        let reason = format!("`{}` was not published", jobs[missing].key);
                        context.progress.finish(
                            &job.key,
                            "Skipped",
                            &format!("{}: {reason}", job.key),
                        );
                        results[at] = Some(JobResult::Skipped(reason));
                        changed = true;
                        continue;
                    }
                    let ready = needs[at]
                        .iter()
                        .all(|&n| results[n].as_ref().is_some_and(JobResult::is_done));
                    if ready && in_flight < parallel {
                        running[at] = true;
                        in_flight += 1;
                        let sender = sender.clone();
                        scope.spawn(move || {
                            // A panic must still report back, or the run would wait for it.
                            let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
                                publish_one(context, job)
                            }))
                            .unwrap_or_else(|_| {
                                JobResult::Failed("relflow itself failed (a panic)".to_owned())
                            });
                            let _ = sender.send((at, result));
                        });
                    }
                }
            }
            if in_flight == 0 {
                break;
            }
            let Ok((at, result)) = receiver.recv() else {
                break;
            };
            in_flight -= 1;
            running[at] = false;
            let job = &jobs[at];
            match &result {
                JobResult::Published => {
                    context.progress.finish(
                        &job.key,
                        "Published",
                        &format!("{} to {}", job.key, job.target.describe()),
                    );
                }
                JobResult::AlreadyThere => context.progress.finish(
                    &job.key,
                    "Found",
                    &format!("{} already on {}", job.key, job.target.describe()),
                ),
                JobResult::Failed(reason) => {
                    context
                        .progress
                        .finish(&job.key, "Failed", &format!("{}: {reason}", job.key));
                }
                JobResult::Skipped(_) => {}
            }
            results[at] = Some(result);
        }
    });
    results
        .into_iter()
        .map(|result| result.unwrap_or_else(|| JobResult::Skipped("not started".to_owned())))
        .collect()
}

/// Publishes one package and waits until its registry shows it.
fn publish_one(context: &Context<'_>, job: &Job<'_>) -> JobResult {
    let progress = context.progress;
    progress.start(
        &job.key,
        &format!("publishing to {}", job.target.describe()),
    );
    if job.target.is_crates_io() {
        let wait = context
            .pacer
            .lock()
            .map(|mut pacer| pacer.take(job.new_package, Instant::now()))
            .unwrap_or_default();
        if !wait.is_zero() {
            progress.update(
                &job.key,
                "Pacing",
                &format!("crates.io's rate limit: publishing in {} s", wait.as_secs()),
            );
            std::thread::sleep(wait);
        }
    }
    let verdict = match (job.package.ecosystem, job.target) {
        (Ecosystem::Cargo, Target::Cargo { registry, .. }) => {
            let invocation = tools::cargo_publish(
                context.root,
                job.package,
                &registry.name,
                context.allow_dirty,
            );
            run_with_retries(context, job, &invocation)
        }
        (Ecosystem::Npm, Target::Npm { .. }) => {
            let dist_tag = job
                .package
                .version
                .as_ref()
                .and_then(|version| tools::dist_tag(version, context.pre));
            let invocation = tools::npm_publish(context.root, job.package, dist_tag.as_deref());
            run_with_retries(context, job, &invocation)
        }
        (Ecosystem::Python, Target::Python { upload_url, .. }) => {
            publish_python(context, job, upload_url)
        }
        _ => Verdict::Failed(format!(
            "no publishing tool for {} packages on {}",
            job.package.ecosystem,
            job.target.describe()
        )),
    };
    let result = match verdict {
        Verdict::Done => JobResult::Published,
        Verdict::AlreadyExists => JobResult::AlreadyThere,
        Verdict::Failed(reason) => return JobResult::Failed(reason),
        Verdict::RateLimited(_) => {
            return JobResult::Failed(format!(
                "still rate-limited (429) after {} retries",
                context.rate_limit_retries
            ))
        }
    };
    match wait_until_visible(context, job) {
        Ok(()) => result,
        Err(reason) => JobResult::Failed(reason),
    }
}

/// Runs `invocation` until it is not rate-limited, at most `rate_limit_retries` more times.
fn run_with_retries(context: &Context<'_>, job: &Job<'_>, invocation: &Invocation) -> Verdict {
    let mut attempt = 0;
    loop {
        let verdict = match run_tool(context, invocation) {
            Ok((success, output)) => tools::verdict(success, &output),
            Err(reason) => return Verdict::Failed(reason),
        };
        match verdict {
            Verdict::RateLimited(wait) if attempt < context.rate_limit_retries => {
                attempt += 1;
                let wait = wait.unwrap_or(context.rate_limit_wait);
                context.progress.update(
                    &job.key,
                    "Retrying",
                    &format!(
                        "rate limited (429 Too Many Requests): retrying in {} s",
                        wait.as_secs_f64().ceil()
                    ),
                );
                std::thread::sleep(wait);
            }
            verdict => return verdict,
        }
    }
}

/// Runs a tool, its output captured; returns whether it succeeded and its output (stdout, then
/// stderr) with every secret scrubbed. The output is shown with `-v`.
fn run_tool(context: &Context<'_>, invocation: &Invocation) -> Result<(bool, String), String> {
    let shown = context.secrets.scrub(&invocation.shown());
    context
        .progress
        .detail(&format!("running `{shown}` in {}", invocation.dir));
    let started = Instant::now();
    let output = invocation
        .command()
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|error| format!("cannot run `{shown}`: {error}"));
    if let Ok(mut total) = context.tool_time.lock() {
        *total += started.elapsed();
    }
    let output = output?;
    let text = context.secrets.scrub(&format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    ));
    context.progress.detail(&text);
    Ok((output.status.success(), text))
}

/// Builds the project into a fresh directory and uploads what was built for its version.
fn publish_python(context: &Context<'_>, job: &Job<'_>, upload_url: &str) -> Verdict {
    let Some(version) = &job.package.version else {
        return Verdict::Failed("it has no version".to_owned());
    };
    let out = match tempfile::Builder::new().prefix("relflow-dist-").tempdir() {
        Ok(out) => out,
        Err(error) => return Verdict::Failed(format!("cannot create a build directory: {error}")),
    };
    let Some(out_dir) = Utf8Path::from_path(out.path()) else {
        return Verdict::Failed("the build directory's path is not UTF-8".to_owned());
    };
    let (build, output) =
        match tools::python_build(context.root, job.package, context.python_build, out_dir) {
            Ok(build) => build,
            Err(error) => return Verdict::Failed(error.to_string()),
        };
    context
        .progress
        .update(&job.key, "Building", &format!("`{}`", build.shown()));
    match run_tool(context, &build) {
        Ok((true, _)) => {}
        Ok((false, text)) => {
            return Verdict::Failed(format!(
                "`{}` failed: {}",
                build.shown(),
                text.lines()
                    .rev()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("")
                    .trim()
            ))
        }
        Err(reason) => return Verdict::Failed(reason),
    }
    let files = distributions(output.dir(), &job.package.name, &semver_to_pep440(version));
    if files.is_empty() {
        return Verdict::Failed(format!(
            "`{}` made no distribution of {} {} in `{}`",
            build.shown(),
            job.package.name,
            semver_to_pep440(version),
            output.dir()
        ));
    }
    context
        .progress
        .update(&job.key, "Uploading", &format!("{} files", files.len()));
    run_with_retries(
        context,
        job,
        &tools::python_upload(context.root, job.package, upload_url, &files),
    )
}

/// The wheels and sdists in `dir` of project `name` at PEP 440 `version`, sorted.
fn distributions(dir: &Utf8Path, name: &str, version: &str) -> Vec<Utf8PathBuf> {
    let Ok(version) = version.parse::<pep440_rs::Version>() else {
        return Vec::new();
    };
    let normalized = normalize_name(name);
    let mut files: Vec<Utf8PathBuf> = dir
        .read_dir_utf8()
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter(|entry| {
            pypi::file_version(&normalized, entry.file_name()).is_some_and(|v| v == version)
        })
        .map(|entry| entry.path().to_owned())
        .collect();
    files.sort();
    files
}

/// Polls the package's registry until its version shows.
fn wait_until_visible(context: &Context<'_>, job: &Job<'_>) -> Result<(), String> {
    let mut said = false;
    state::wait_until_visible(
        &context.polling,
        || state::check(&context.client, job.target, job.package).map(|check| check.state),
        std::thread::sleep,
        |_, error| {
            if let Some(error) = error {
                context.progress.update(
                    &job.key,
                    "Waiting",
                    &format!("to see it on its registry: {error}"),
                );
            } else if !said {
                said = true;
                context.progress.update(
                    &job.key,
                    "Waiting",
                    &format!("for it to show on {}", job.target.describe()),
                );
            }
        },
    )
    .map_err(|not_visible| match not_visible {
        state::NotVisible::TimedOut(waited) => format!(
            "published, but {} did not show it within {} s",
            job.target.describe(),
            waited.as_secs()
        ),
        state::NotVisible::Error(error) => {
            format!(
                "published, but cannot see it on {}: {error}",
                job.target.describe()
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distributions_of_one_version_only() {
        let dir = tempfile::tempdir().unwrap();
        let root = Utf8Path::from_path(dir.path()).unwrap();
        for file in [
            "acme_py-1.0.0-py3-none-any.whl",
            "acme_py-1.0.0.tar.gz",
            "acme_py-0.9.0.tar.gz",
            "other-1.0.0.tar.gz",
            "notes.txt",
        ] {
            std::fs::write(root.join(file), "").unwrap();
        }
        let found: Vec<String> = distributions(root, "acme-py", "1.0")
            .iter()
            .map(|p| p.file_name().unwrap().to_owned())
            .collect();
        assert_eq!(
            found,
            ["acme_py-1.0.0-py3-none-any.whl", "acme_py-1.0.0.tar.gz"]
        );
    }
}
