//! The publishing tools as argument vectors (nothing from a manifest ever reaches a shell), and
//! what their output means: done, "already exists", rate-limited, or failed.
//!
//! - Cargo: `cargo publish -p NAME`, with `--registry NAME` for `publish = ["NAME"]`.
//! - npm: `npm publish` in the package directory (`pnpm publish --no-git-checks` in a pnpm
//!   workspace, so that `workspace:` ranges are rewritten), `--tag ID` for a pre-release.
//! - Python: the project's build command with an output directory relflow picks, then
//!   `twine upload` (`uv publish` when the project has a `uv.lock`).
//! - Rolling back (`yank`): `cargo yank`, `npm deprecate`, `npm unpublish` and
//!   `npm dist-tag add`, each with the registry named.

use std::ffi::OsString;
use std::time::{Duration, SystemTime};

use camino::{Utf8Path, Utf8PathBuf};
use cargo_relflow_changeset::pre::{PreMode, PreState};
use cargo_relflow_sync::{InputError, Package, Publish};

/// The build command of a Python project without `[python] build`.
const PYTHON_BUILD: [&str; 3] = ["python3", "-m", "build"];
/// The build command of a maturin project without `[python] build`.
const MATURIN_BUILD: [&str; 3] = ["maturin", "build", "--release"];
/// The longest wait a rate limit may ask for before relflow gives up on it.
const LONGEST_RATE_LIMIT_WAIT: Duration = Duration::from_secs(60 * 60);

/// One program run: an argument vector and a working directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    /// The program.
    pub program: OsString,
    /// Its arguments.
    pub args: Vec<OsString>,
    /// Where it runs.
    pub dir: Utf8PathBuf,
}

impl Invocation {
    fn new(program: impl Into<OsString>, dir: &Utf8Path) -> Invocation {
        Invocation {
            program: program.into(),
            args: Vec::new(),
            dir: dir.to_owned(),
        }
    }

    fn arg(mut self, arg: impl Into<OsString>) -> Invocation {
        self.args.push(arg.into());
        self
    }

    /// The command line for messages, arguments separated by spaces.
    pub fn shown(&self) -> String {
        std::iter::once(&self.program)
            .chain(&self.args)
            .map(|arg| arg.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The [`std::process::Command`] for it.
    pub fn command(&self) -> std::process::Command {
        let mut command = std::process::Command::new(&self.program);
        command.args(&self.args).current_dir(&self.dir);
        command
    }
}

/// `cargo publish -p NAME` in the workspace root, `--registry` for `publish = ["NAME"]`.
pub fn cargo_publish(
    root: &Utf8Path,
    package: &Package,
    registry: &str,
    allow_dirty: bool,
) -> Invocation {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut invocation = Invocation::new(cargo, root)
        .arg("publish")
        .arg("-p")
        .arg(&package.name);
    if matches!(package.publish, Publish::Registries(_)) {
        invocation = invocation.arg("--registry").arg(registry);
    }
    if allow_dirty {
        invocation = invocation.arg("--allow-dirty");
    }
    invocation
}

/// `npm publish` (or `pnpm publish --no-git-checks`) in the package directory, with `--tag` for
/// a pre-release.
pub fn npm_publish(root: &Utf8Path, package: &Package, dist_tag: Option<&str>) -> Invocation {
    let dir = root.join(&package.dir);
    let mut invocation = if root.join("pnpm-workspace.yaml").is_file() {
        // relflow checked the tree itself; pnpm's own check also wants a release branch.
        Invocation::new("pnpm", &dir)
            .arg("publish")
            .arg("--no-git-checks")
    } else {
        Invocation::new("npm", &dir).arg("publish")
    };
    if let Some(tag) = dist_tag {
        invocation = invocation.arg("--tag").arg(tag);
    }
    invocation
}

/// The npm dist-tag of a version: none for a release (npm's `latest`), else the pre-release id:
/// pre mode's tag when in pre mode, else the leading letters of the first pre-release
/// identifier (`beta` for `2.0.0-beta.1`), else `next`.
pub fn dist_tag(version: &semver::Version, pre: Option<&PreState>) -> Option<String> {
    if version.pre.is_empty() {
        return None;
    }
    if let Some(state) = pre.filter(|state| state.mode == PreMode::Pre) {
        let ours = version
            .pre
            .as_str()
            .split('.')
            .next()
            .is_some_and(|id| id == state.tag);
        if ours {
            return Some(state.tag.clone());
        }
    }
    let first = version.pre.as_str().split('.').next().unwrap_or_default();
    let letters: String = first
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .collect();
    Some(if letters.is_empty() {
        "next".to_owned()
    } else {
        letters
    })
}

/// `cargo yank --version V NAME` in the workspace root, `--registry R` unless it is crates.io.
pub fn cargo_yank(
    root: &Utf8Path,
    name: &str,
    version: &semver::Version,
    registry: &str,
) -> Invocation {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut invocation = Invocation::new(cargo, root)
        .arg("yank")
        .arg("--version")
        .arg(version.to_string());
    if registry != crate::registry::cargo::CRATES_IO {
        invocation = invocation.arg("--registry").arg(registry);
    }
    invocation.arg(name)
}

/// `npm deprecate NAME@V MESSAGE --registry R` in the repository root (its `.npmrc` holds the
/// token setting).
pub fn npm_deprecate(
    root: &Utf8Path,
    name: &str,
    version: &str,
    message: &str,
    registry: &str,
) -> Invocation {
    Invocation::new("npm", root)
        .arg("deprecate")
        .arg(format!("{name}@{version}"))
        .arg(message)
        .arg("--registry")
        .arg(registry)
}

/// `npm unpublish NAME@V --registry R` in the repository root.
pub fn npm_unpublish(root: &Utf8Path, name: &str, version: &str, registry: &str) -> Invocation {
    Invocation::new("npm", root)
        .arg("unpublish")
        .arg(format!("{name}@{version}"))
        .arg("--registry")
        .arg(registry)
}

/// `npm dist-tag add NAME@V TAG --registry R` in the repository root.
pub fn npm_dist_tag_add(
    root: &Utf8Path,
    name: &str,
    version: &str,
    tag: &str,
    registry: &str,
) -> Invocation {
    Invocation::new("npm", root)
        .arg("dist-tag")
        .arg("add")
        .arg(format!("{name}@{version}"))
        .arg(tag)
        .arg("--registry")
        .arg(registry)
}

/// Where a Python build writes its distributions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildOutput {
    /// The directory relflow gave the build command (`--outdir`, `--out`, `--out-dir`).
    Given(Utf8PathBuf),
    /// A command relflow does not know writes to `dist/` in the project directory.
    ProjectDist(Utf8PathBuf),
}

impl BuildOutput {
    /// The directory to take the distributions from.
    pub fn dir(&self) -> &Utf8Path {
        match self {
            BuildOutput::Given(dir) | BuildOutput::ProjectDist(dir) => dir,
        }
    }
}

/// The project's build command (`[python] build`, else maturin's or `python3 -m build`), told to
/// write into `out` when relflow knows how to say that.
pub fn python_build(
    root: &Utf8Path,
    package: &Package,
    configured: Option<&[String]>,
    out: &Utf8Path,
) -> Result<(Invocation, BuildOutput), InputError> {
    let dir = root.join(&package.dir);
    let argv: Vec<String> = match configured {
        Some([]) => {
            return Err(InputError::in_file(
                cargo_relflow_sync::config::CONFIG_FILE,
                "`[python] build` is empty",
            )
            .with_hint(
                "write the build command as a list, e.g. `[\"python3\", \"-m\", \"build\"]`",
            ))
        }
        Some(argv) => argv.to_vec(),
        None if is_maturin(&root.join(&package.manifest)) => {
            MATURIN_BUILD.map(str::to_owned).to_vec()
        }
        None => PYTHON_BUILD.map(str::to_owned).to_vec(),
    };
    let mut invocation = Invocation::new(argv[0].as_str(), &dir);
    for arg in &argv[1..] {
        invocation = invocation.arg(arg);
    }
    let program = Utf8Path::new(&argv[0]).file_name().unwrap_or_default();
    let has = |word: &str| argv[1..].iter().any(|arg| arg == word);
    let module_build = argv
        .windows(2)
        .any(|pair| pair[0] == "-m" && pair[1] == "build");
    let flag = if module_build {
        Some("--outdir")
    } else if program.starts_with("maturin") && has("build") {
        Some("--out")
    } else if program == "uv" && has("build") {
        Some("--out-dir")
    } else {
        None
    };
    Ok(match flag {
        Some(flag) => (
            invocation.arg(flag).arg(out),
            BuildOutput::Given(out.to_owned()),
        ),
        None => (invocation, BuildOutput::ProjectDist(dir.join("dist"))),
    })
}

/// `twine upload` of `files` to `upload_url`, or `uv publish` for a project with a `uv.lock`
/// (in its directory or at the repository root). Credentials come from the tools' own
/// variables (`TWINE_USERNAME` / `TWINE_PASSWORD`, `UV_PUBLISH_TOKEN`, ...).
pub fn python_upload(
    root: &Utf8Path,
    package: &Package,
    upload_url: &str,
    files: &[Utf8PathBuf],
) -> Invocation {
    let dir = root.join(&package.dir);
    let uses_uv = dir.join("uv.lock").is_file() || root.join("uv.lock").is_file();
    let mut invocation = if uses_uv {
        Invocation::new("uv", &dir)
            .arg("publish")
            .arg("--publish-url")
            .arg(upload_url)
    } else {
        Invocation::new("twine", &dir)
            .arg("upload")
            .arg("--non-interactive")
            .arg("--disable-progress-bar")
            .arg("--repository-url")
            .arg(upload_url)
    };
    for file in files {
        invocation = invocation.arg(file);
    }
    invocation
}

/// Whether the pyproject.toml at `manifest` builds with maturin.
fn is_maturin(manifest: &Utf8Path) -> bool {
    std::fs::read_to_string(manifest)
        .ok()
        .and_then(|text| text.parse::<toml::Table>().ok())
        .and_then(|table| {
            table
                .get("build-system")?
                .get("build-backend")?
                .as_str()
                .map(|backend| backend == "maturin")
        })
        .unwrap_or(false)
}

/// What a tool run came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// It published.
    Done,
    /// The registry has this version already: counts as done.
    AlreadyExists,
    /// 429 Too Many Requests; wait this long (when the answer said) and try again.
    RateLimited(Option<Duration>),
    /// It failed; the reason, one line.
    Failed(String),
}

/// Reads a tool's exit status and output (stdout and stderr together).
pub fn verdict(success: bool, output: &str) -> Verdict {
    if success {
        return Verdict::Done;
    }
    let lower = output.to_ascii_lowercase();
    if lower.contains("429 too many requests")
        || lower.contains("status 429")
        || lower.contains("e429")
    {
        return Verdict::RateLimited(retry_after(output, SystemTime::now()));
    }
    const ALREADY: [&str; 8] = [
        "already exists",
        "already uploaded",
        "is already present",
        "cannot publish over the previously published version",
        "cannot publish over existing version",
        "epublishconflict",
        "file already exists",
        "409 conflict",
    ];
    if ALREADY.iter().any(|phrase| lower.contains(phrase)) {
        return Verdict::AlreadyExists;
    }
    Verdict::Failed(failure_reason(output))
}

/// The wait a rate-limited answer asks for: crates.io writes "Please try again after" and an
/// HTTP date, relflow's test registry "try again after N seconds".
pub fn retry_after(output: &str, now: SystemTime) -> Option<Duration> {
    const MARKER: &str = "try again after ";
    let at = output.to_ascii_lowercase().find(MARKER)? + MARKER.len();
    let rest = &output[at..];
    let number: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let wait = if !number.is_empty() && rest[number.len()..].trim_start().starts_with("second") {
        Duration::from_secs(number.parse().ok()?)
    } else {
        // An HTTP date is 29 characters: `Sun, 06 Nov 1994 08:49:37 GMT`.
        let date = httpdate::parse_http_date(rest.get(..29)?).ok()?;
        date.duration_since(now).unwrap_or(Duration::ZERO)
    };
    Some(wait.clamp(Duration::from_secs(1), LONGEST_RATE_LIMIT_WAIT))
}

/// One line that says why a tool failed: its first two error lines and its last line (cargo's
/// `Caused by:` chain ends with the registry's own words), without the lines that only point
/// elsewhere (npm's log file, `npm login`).
fn failure_reason(output: &str) -> String {
    const NOISE: [&str; 3] = ["complete log of this run", "to correct this", "npm login"];
    let lines: Vec<&str> = output
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .filter(|line| {
            let lower = line.to_ascii_lowercase();
            !NOISE.iter().any(|noise| lower.contains(noise))
        })
        .collect();
    let is_error = |line: &&str| {
        line.to_ascii_lowercase().contains("error")
            || line.contains("ERR_")
            || line.contains("ERR!")
    };
    let is_warning = |line: &&str| {
        let lower = line.to_ascii_lowercase();
        lower.starts_with("warn") || lower.starts_with("npm warn")
    };
    let mut parts: Vec<&str> = lines.iter().copied().filter(is_error).take(2).collect();
    if let Some(last) = lines.iter().rev().find(|line| !is_warning(line)) {
        if !parts.contains(last) {
            parts.push(last);
        }
    }
    if parts.is_empty() {
        return "it printed nothing".to_owned();
    }
    let reason = parts.join(": ");
    match reason.char_indices().nth(400) {
        Some((at, _)) => format!("{}...", &reason[..at]),
        None => reason,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use cargo_relflow_sync::{Ecosystem, VersionSource};

    fn version(text: &str) -> semver::Version {
        semver::Version::parse(text).unwrap()
    }

    fn package(ecosystem: Ecosystem, name: &str, publish: Publish) -> Package {
        Package {
            ecosystem,
            name: name.to_owned(),
            version: Some(version("1.0.0")),
            version_text: Some("1.0.0".to_owned()),
            version_source: VersionSource::Manifest,
            dir: Utf8PathBuf::from("pkg"),
            manifest: Utf8PathBuf::from("pkg/Cargo.toml"),
            publish,
            deps: Vec::new(),
        }
    }

    #[test]
    fn rollback_commands() {
        let root = Utf8Path::new("/repo");
        let v = version("1.2.0");
        let shown = |invocation: Invocation| {
            invocation
                .shown()
                .trim_start_matches(&std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
                .to_owned()
        };
        assert_eq!(
            shown(cargo_yank(root, "core", &v, "local")),
            " yank --version 1.2.0 --registry local core"
        );
        assert_eq!(
            shown(cargo_yank(root, "core", &v, "crates-io")),
            " yank --version 1.2.0 core"
        );
        let registry = "http://127.0.0.1:4873/";
        assert_eq!(
            npm_deprecate(root, "@acme/web", "1.2.0", "broken", registry).args,
            [
                "deprecate",
                "@acme/web@1.2.0",
                "broken",
                "--registry",
                registry
            ]
        );
        assert_eq!(
            npm_unpublish(root, "web", "1.2.0", registry).shown(),
            format!("npm unpublish web@1.2.0 --registry {registry}")
        );
        assert_eq!(
            npm_dist_tag_add(root, "web", "1.1.0", "latest", registry).shown(),
            format!("npm dist-tag add web@1.1.0 latest --registry {registry}")
        );
    }

    #[test]
    fn cargo_publish_names_the_registry_only_when_restricted() {
        let root = Utf8Path::new("/repo");
        let open = package(Ecosystem::Cargo, "core", Publish::Default);
        let restricted = package(
            Ecosystem::Cargo,
            "core",
            Publish::Registries(vec!["local".into()]),
        );
        let shown = |invocation: Invocation| {
            invocation
                .args
                .iter()
                .map(|a| a.to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(
            shown(cargo_publish(root, &open, "crates-io", false)),
            "publish -p core"
        );
        assert_eq!(
            shown(cargo_publish(root, &restricted, "local", true)),
            "publish -p core --registry local --allow-dirty"
        );
        // A name is one argument, whatever it holds.
        let odd = package(Ecosystem::Cargo, "a; rm -rf /", Publish::Default);
        let invocation = cargo_publish(root, &odd, "crates-io", false);
        assert_eq!(invocation.args[2], "a; rm -rf /");
    }

    #[test]
    fn dist_tags_of_pre_releases() {
        assert_eq!(dist_tag(&version("1.0.0"), None), None);
        assert_eq!(dist_tag(&version("1.0.0+build.1"), None), None);
        assert_eq!(
            dist_tag(&version("2.0.0-beta.1"), None).as_deref(),
            Some("beta")
        );
        assert_eq!(dist_tag(&version("2.0.0-rc1"), None).as_deref(), Some("rc"));
        assert_eq!(dist_tag(&version("2.0.0-0"), None).as_deref(), Some("next"));
        let pre = PreState {
            mode: PreMode::Pre,
            tag: "next-gen".to_owned(),
            initial_versions: BTreeMap::new(),
            changesets: Vec::new(),
            raw: Default::default(),
        };
        assert_eq!(
            dist_tag(&version("2.0.0-next-gen.3"), Some(&pre)).as_deref(),
            Some("next-gen")
        );
    }

    #[test]
    fn python_build_commands_get_an_output_directory() {
        let root = Utf8Path::new("/repo");
        let project = package(Ecosystem::Python, "acme", Publish::Default);
        let out = Utf8Path::new("/tmp/out");
        let (default, output) = python_build(root, &project, None, out).unwrap();
        assert_eq!(default.program, "python3");
        assert_eq!(default.shown(), "python3 -m build --outdir /tmp/out");
        assert_eq!(default.dir, "/repo/pkg");
        assert_eq!(output, BuildOutput::Given(out.to_owned()));
        let configured = ["maturin".to_owned(), "build".to_owned()];
        let (maturin, _) = python_build(root, &project, Some(&configured), out).unwrap();
        assert_eq!(maturin.shown(), "maturin build --out /tmp/out");
        let custom = ["make".to_owned(), "wheel".to_owned()];
        let (make, output) = python_build(root, &project, Some(&custom), out).unwrap();
        assert_eq!(make.shown(), "make wheel");
        assert_eq!(output.dir(), "/repo/pkg/dist");
        assert!(python_build(root, &project, Some(&[]), out).is_err());
    }

    #[test]
    fn verdicts() {
        assert_eq!(verdict(true, "anything"), Verdict::Done);
        let cargo_exists = "error: failed to publish to registry at http://127.0.0.1:1\n\nCaused by:\n  the remote server responded with an error (status 400 Bad Request): crate relflow-tiny@0.1.0 already exists on local index\n";
        assert_eq!(verdict(false, cargo_exists), Verdict::AlreadyExists);
        let npm_exists = "npm error code E409\nnpm error 409 Conflict - PUT http://127.0.0.1:4873/x - this package is already present\n";
        assert_eq!(verdict(false, npm_exists), Verdict::AlreadyExists);
        let limited = "error: failed to publish to registry at http://127.0.0.1:1\n\nCaused by:\n  the remote server responded with an error (status 429 Too Many Requests): You have published too many crates in a short period of time. Please try again after 3 seconds.\n";
        assert_eq!(
            verdict(false, limited),
            Verdict::RateLimited(Some(Duration::from_secs(3)))
        );
        let failed = "   Packaging x v0.1.0\nerror: failed to verify package tarball\n\nCaused by:\n  no matching package named `y` found\n";
        assert_eq!(
            verdict(false, failed),
            Verdict::Failed(
                "error: failed to verify package tarball: no matching package named `y` found"
                    .to_owned()
            )
        );
        let npm_denied = "npm notice Publishing to http://127.0.0.1:1/ with tag latest\nnpm error code E401\nnpm error Unable to authenticate, your authentication token seems to be invalid.\nnpm error To correct this please try logging in again with:\nnpm error   npm login\nnpm error A complete log of this run can be found in: /home/.npm/_logs/x.log\n";
        assert_eq!(
            verdict(false, npm_denied),
            Verdict::Failed(
                "npm error code E401: npm error Unable to authenticate, your authentication token seems to be invalid."
                    .to_owned()
            )
        );
        let pnpm = " ERR_PNPM_CANNOT_RESOLVE_WORKSPACE_PROTOCOL  Cannot resolve workspace protocol of dependency \"a\"\n WARN  Ignored project-level auth setting\n";
        assert_eq!(
            verdict(false, pnpm),
            Verdict::Failed(
                "ERR_PNPM_CANNOT_RESOLVE_WORKSPACE_PROTOCOL  Cannot resolve workspace protocol of dependency \"a\""
                    .to_owned()
            )
        );
        assert_eq!(
            verdict(false, ""),
            Verdict::Failed("it printed nothing".to_owned())
        );
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let now = httpdate::parse_http_date("Mon, 01 Jan 2029 00:00:00 GMT").unwrap();
        assert_eq!(
            retry_after("Please try again after 7 seconds", now),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            retry_after(
                "You have published too many new crates in a short period of time. Please try again after Mon, 01 Jan 2029 00:10:00 GMT or email help@crates.io to have your limit increased.",
                now
            ),
            Some(Duration::from_secs(600))
        );
        // A date in the past still waits a moment; no marker, no wait.
        assert_eq!(
            retry_after("try again after Sun, 31 Dec 2028 23:00:00 GMT", now),
            Some(Duration::from_secs(1))
        );
        assert_eq!(retry_after("429 Too Many Requests", now), None);
    }
}
