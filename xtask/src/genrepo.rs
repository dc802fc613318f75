//! Deterministic, synthetic repositories for `cargo xtask bench`.
//!
//! The layout: one Cargo workspace (`crates/*`, with its Cargo.lock), one npm workspace
//! (`packages/*`), PEP 621 Python projects (`python/*`), in the proportions of a [`Mix`];
//! `.changeset/config.json`, pending changesets on `main`, a few hundred commits of history
//! (written with `git fast-import`, so generation takes seconds), and a `feature` branch (checked
//! out) that changes two files in about ten packages and adds one changeset naming them. A
//! Cargo-only repository also carries the same changesets in sampo's format (`.sampo/`), so
//! both tools release the same crates. Everything comes from a seeded splitmix64, so a given
//! seed and size always give the same repository, byte for byte, commit ids included.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};

/// splitmix64: tiny, deterministic, good enough to pick packages.
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        // The modulo bias is irrelevant at these sizes.
        (self.next_u64() % n.max(1) as u64) as usize
    }
}

/// The ecosystem of a generated package.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum Eco {
    /// A crate of the root Cargo workspace.
    Cargo,
    /// A package of the root npm workspace.
    Npm,
    /// A PEP 621 project under `python/`.
    Python,
}

/// One generated package.
#[derive(Clone, Debug)]
pub struct Pkg {
    /// Its ecosystem.
    pub eco: Eco,
    /// Its index within the ecosystem.
    pub index: usize,
    /// Its version, `1.MINOR.PATCH`.
    pub version: (u64, u64),
    /// Indices (same ecosystem, all lower) of its internal dependencies.
    pub deps: Vec<usize>,
}

impl Pkg {
    /// The package name; distinct across ecosystems.
    pub fn name(&self) -> String {
        match self.eco {
            Eco::Cargo => format!("crate-{}", self.index),
            Eco::Npm => format!("@bench/pkg-{}", self.index),
            Eco::Python => format!("py-pkg-{}", self.index),
        }
    }

    /// The package directory, relative to the root.
    pub fn dir(&self) -> String {
        match self.eco {
            Eco::Cargo => format!("crates/crate-{}", self.index),
            Eco::Npm => format!("packages/pkg-{}", self.index),
            Eco::Python => format!("python/py-pkg-{}", self.index),
        }
    }

    fn version(&self) -> String {
        format!("1.{}.{}", self.version.0, self.version.1)
    }

    /// The source file the history edits.
    fn source_file(&self) -> String {
        match self.eco {
            Eco::Cargo => format!("{}/src/lib.rs", self.dir()),
            Eco::Npm => format!("{}/index.js", self.dir()),
            Eco::Python => format!("{}/src/py_pkg_{}/__init__.py", self.dir(), self.index),
        }
    }

    /// A second file the feature branch adds.
    fn extra_file(&self) -> String {
        match self.eco {
            Eco::Cargo => format!("{}/src/feature.rs", self.dir()),
            Eco::Npm => format!("{}/feature.js", self.dir()),
            Eco::Python => format!("{}/src/py_pkg_{}/feature.py", self.dir(), self.index),
        }
    }
}

/// Which ecosystems a repository holds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mix {
    /// 40% Cargo, 40% npm, 20% Python.
    Polyglot,
    /// npm packages only.
    Npm,
    /// Cargo crates only (with the changesets in sampo's format too).
    Cargo,
}

impl Mix {
    /// How many of `packages` are Cargo, npm and Python.
    fn counts(self, packages: usize) -> (usize, usize, usize) {
        match self {
            Self::Polyglot => {
                let cargo = packages * 2 / 5;
                let npm = packages * 2 / 5;
                (cargo, npm, packages - cargo - npm)
            }
            Self::Npm => (0, packages, 0),
            Self::Cargo => (packages, 0, 0),
        }
    }
}

/// What to generate.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    /// Packages in all, split by `mix`.
    pub packages: usize,
    /// The ecosystems.
    pub mix: Mix,
    /// Pending changesets on `main`.
    pub changesets: usize,
    /// Commits on `main` after the initial one (changeset commits included).
    pub commits: usize,
    /// Packages the `feature` branch changes.
    pub feature_packages: usize,
    /// The PRNG seed.
    pub seed: u64,
}

impl Spec {
    /// The benchmark's proportions for `packages` packages (1,000 gives 50 changesets, 300
    /// commits and 10 changed packages).
    pub fn for_packages(packages: usize, mix: Mix, seed: u64) -> Self {
        let packages = packages.max(5);
        Self {
            packages,
            mix,
            changesets: (packages / 20).max(3),
            commits: (packages * 3 / 10).max(20),
            feature_packages: (packages / 100).clamp(3, 10),
            seed,
        }
    }

    /// `changesets` pending changesets, spread evenly over the commits (the scale run: many
    /// more changesets than packages, several per commit).
    pub fn with_changesets(self, changesets: usize) -> Self {
        Self { changesets, ..self }
    }
}

/// One changeset: `(package index into the package list, bump)` entries and a summary.
#[derive(Clone, Debug)]
struct ChangesetSpec {
    id: String,
    releases: Vec<(usize, &'static str)>,
    summary: String,
}

/// One file change of a commit.
#[derive(Clone, Debug)]
enum Change {
    File { path: String, content: String },
    Changeset(ChangesetSpec),
}

#[derive(Clone, Debug)]
struct CommitSpec {
    message: String,
    changes: Vec<Change>,
}

/// The whole repository as data, before any filtering.
pub struct Model {
    /// Every package, Cargo first, then npm, then Python.
    pub packages: Vec<Pkg>,
    main: Vec<CommitSpec>,
    feature: Vec<CommitSpec>,
    /// Indices of the packages the feature branch changes.
    pub feature_changed: Vec<usize>,
    /// Pending changesets on `main` (before the feature branch's).
    pub changesets: usize,
    /// Whether the changesets are written in sampo's format too.
    sampo: bool,
}

/// Facts about one written repository.
pub struct Written {
    /// Commits on `main`.
    pub main_commits: usize,
    /// Packages in the repository.
    pub packages: usize,
    /// Changeset files on the checked-out `feature` branch.
    pub changesets: usize,
}

/// Builds the model for `spec`.
pub fn model(spec: &Spec) -> Model {
    let mut rng = Rng::new(spec.seed);
    let (cargo, npm, python) = spec.mix.counts(spec.packages);
    let mut packages = Vec::with_capacity(spec.packages);
    for (eco, count) in [(Eco::Cargo, cargo), (Eco::Npm, npm), (Eco::Python, python)] {
        for index in 0..count {
            let mut deps = BTreeSet::new();
            let wanted = index.min(3);
            while deps.len() < wanted {
                // Mostly nearby packages, sometimes far ones: chains plus hubs.
                let dep = if rng.below(2) == 0 {
                    index - 1 - rng.below(index.min(20))
                } else {
                    rng.below(index)
                };
                deps.insert(dep);
            }
            packages.push(Pkg {
                eco,
                index,
                version: (rng.below(10) as u64, rng.below(10) as u64),
                deps: deps.into_iter().collect(),
            });
        }
    }

    let mut files: Vec<Change> = Vec::new();
    let mut contents: BTreeMap<String, String> = BTreeMap::new();
    let mut put = |files: &mut Vec<Change>, path: String, content: String| {
        contents.insert(path.clone(), content.clone());
        files.push(Change::File { path, content });
    };
    if cargo > 0 {
        put(
            &mut files,
            "Cargo.toml".into(),
            "[workspace]\nresolver = \"2\"\nmembers = [\"crates/*\"]\n".into(),
        );
        put(&mut files, "Cargo.lock".into(), cargo_lock(&packages));
    }
    if npm > 0 {
        put(
            &mut files,
            "package.json".into(),
            "{\n  \"name\": \"bench-root\",\n  \"private\": true,\n  \"workspaces\": [\"packages/*\"]\n}\n".into(),
        );
        // @manypkg (Changesets) recognises an npm workspace by its package-lock.json.
        put(
            &mut files,
            "package-lock.json".into(),
            "{\n  \"name\": \"bench-root\",\n  \"lockfileVersion\": 3,\n  \"requires\": true,\n  \"packages\": {}\n}\n".into(),
        );
    }
    let sampo = spec.mix == Mix::Cargo;
    if sampo {
        // No GitHub lookups (the repository has no remote anyway): local work only. The bench
        // runs on the `feature` branch, where sampo releases only when it is listed.
        put(
            &mut files,
            ".sampo/config.toml".into(),
            "[changelog]\nshow_acknowledgments = false\n\n[git]\nrelease_branches = [\"main\", \"feature\"]\n".into(),
        );
    }
    put(
        &mut files,
        ".changeset/config.json".into(),
        "{\n  \"baseBranch\": \"main\"\n}\n".into(),
    );
    put(
        &mut files,
        ".changeset/README.md".into(),
        "# Changesets\n\nBenchmark repository.\n".into(),
    );
    put(
        &mut files,
        ".gitignore".into(),
        "target/\nnode_modules/\n".into(),
    );
    put(
        &mut files,
        "README.md".into(),
        "# relflow benchmark repository\n\nGenerated by `cargo xtask bench`.\n".into(),
    );
    for pkg in &packages {
        for (path, content) in manifest_files(pkg, &packages) {
            put(&mut files, path, content);
        }
    }
    let mut main = vec![CommitSpec {
        message: "Initial commit".into(),
        changes: files,
    }];

    // History: commits touching 1-4 packages; the changesets are spread evenly over them (one
    // in some commits when there are fewer changesets than commits).
    let mut changeset_number = 0;
    for n in 0..spec.commits {
        let added = (n + 1) * spec.changesets / spec.commits - n * spec.changesets / spec.commits;
        let touched = 1 + rng.below(4);
        let mut picked = BTreeSet::new();
        while picked.len() < touched {
            picked.insert(rng.below(packages.len()));
        }
        let mut changes = Vec::new();
        for &p in &picked {
            let path = packages[p].source_file();
            let mut content = contents.get(&path).cloned().unwrap_or_default();
            let _ = writeln!(content, "{} edit {n}", comment(packages[p].eco));
            contents.insert(path.clone(), content.clone());
            changes.push(Change::File { path, content });
        }
        let message = if added > 0 {
            for extra in 0..added {
                // The first changeset names every package the commit touched, the others one.
                let named: Vec<usize> = if extra == 0 {
                    picked.iter().copied().collect()
                } else {
                    vec![*picked.iter().nth(rng.below(picked.len())).unwrap_or(&0)]
                };
                let releases = named
                    .into_iter()
                    .map(|p| (p, if rng.below(3) == 0 { "minor" } else { "patch" }))
                    .collect();
                changes.push(Change::Changeset(ChangesetSpec {
                    id: format!("bench-{changeset_number:04}"),
                    releases,
                    summary: format!("Change number {changeset_number}."),
                }));
                changeset_number += 1;
            }
            format!("Change {n} with a changeset")
        } else {
            format!("Change {n}")
        };
        main.push(CommitSpec { message, changes });
    }

    // The feature branch: two files in each of a few packages, spread over the ecosystems, and
    // one changeset naming them all (so `status` and `check` exit 0).
    let mut feature_changed = BTreeSet::new();
    let per_eco = [(0, cargo), (cargo, npm), (cargo + npm, python)];
    let mut turn = 0;
    while feature_changed.len() < spec.feature_packages.min(packages.len()) {
        let (start, count) = per_eco[turn % 3];
        turn += 1;
        if count > 0 {
            feature_changed.insert(start + rng.below(count));
        }
    }
    let feature_changed: Vec<usize> = feature_changed.into_iter().collect();
    let mut changes = Vec::new();
    for &p in &feature_changed {
        let path = packages[p].source_file();
        let mut content = contents.get(&path).cloned().unwrap_or_default();
        let _ = writeln!(content, "{} feature work", comment(packages[p].eco));
        changes.push(Change::File { path, content });
        let extra = packages[p].extra_file();
        let body = match packages[p].eco {
            Eco::Cargo => "//! Feature work.\n".to_string(),
            Eco::Npm => "// Feature work.\nmodule.exports = {};\n".to_string(),
            Eco::Python => "\"\"\"Feature work.\"\"\"\n".to_string(),
        };
        changes.push(Change::File {
            path: extra,
            content: body,
        });
    }
    changes.push(Change::Changeset(ChangesetSpec {
        id: "feature-work".into(),
        releases: feature_changed.iter().map(|&p| (p, "minor")).collect(),
        summary: "Feature work across packages.".into(),
    }));
    let feature = vec![CommitSpec {
        message: "Feature work".into(),
        changes,
    }];

    Model {
        packages,
        main,
        feature,
        feature_changed,
        changesets: changeset_number,
        sampo,
    }
}

/// The Cargo.lock cargo writes for the workspace's crates (path dependencies only): packages
/// sorted by name, each with its sorted dependency names.
fn cargo_lock(packages: &[Pkg]) -> String {
    let crates: Vec<&Pkg> = packages.iter().filter(|p| p.eco == Eco::Cargo).collect();
    let mut entries: Vec<(String, String, Vec<String>)> = crates
        .iter()
        .map(|p| {
            let mut deps: Vec<String> = p.deps.iter().map(|&d| crates[d].name()).collect();
            deps.sort();
            (p.name(), p.version(), deps)
        })
        .collect();
    entries.sort();
    let mut text = String::from(
        "# This file is automatically @generated by Cargo.\n# It is not intended for manual editing.\nversion = 4\n",
    );
    for (name, version, deps) in entries {
        let _ = write!(
            text,
            "\n[[package]]\nname = \"{name}\"\nversion = \"{version}\"\n"
        );
        if !deps.is_empty() {
            text.push_str("dependencies = [\n");
            for dep in deps {
                let _ = writeln!(text, " \"{dep}\",");
            }
            text.push_str("]\n");
        }
    }
    text
}

fn comment(eco: Eco) -> &'static str {
    match eco {
        Eco::Cargo | Eco::Npm => "//",
        Eco::Python => "#",
    }
}

fn manifest_files(pkg: &Pkg, all: &[Pkg]) -> Vec<(String, String)> {
    let dir = pkg.dir();
    let same: Vec<&Pkg> = all.iter().filter(|p| p.eco == pkg.eco).collect();
    let dep = |i: usize| same[i];
    match pkg.eco {
        Eco::Cargo => {
            let mut toml = format!(
                "[package]\nname = \"{}\"\nversion = \"{}\"\nedition = \"2021\"\nlicense = \"MIT\"\ndescription = \"Benchmark crate {}\"\n",
                pkg.name(),
                pkg.version(),
                pkg.index
            );
            if !pkg.deps.is_empty() {
                toml.push_str("\n[dependencies]\n");
                for &d in &pkg.deps {
                    let d = dep(d);
                    let _ = writeln!(
                        toml,
                        "{} = {{ path = \"../crate-{}\", version = \"{}\" }}",
                        d.name(),
                        d.index,
                        d.version()
                    );
                }
            }
            vec![
                (format!("{dir}/Cargo.toml"), toml),
                (
                    pkg.source_file(),
                    format!("//! Benchmark crate {}.\n", pkg.index),
                ),
            ]
        }
        Eco::Npm => {
            let mut json = format!(
                "{{\n  \"name\": \"{}\",\n  \"version\": \"{}\",\n  \"main\": \"index.js\",\n  \"license\": \"MIT\"",
                pkg.name(),
                pkg.version()
            );
            if !pkg.deps.is_empty() {
                let deps: Vec<String> = pkg
                    .deps
                    .iter()
                    .map(|&d| {
                        let d = dep(d);
                        format!("    \"{}\": \"^{}\"", d.name(), d.version())
                    })
                    .collect();
                let _ = write!(
                    json,
                    ",\n  \"dependencies\": {{\n{}\n  }}",
                    deps.join(",\n")
                );
            }
            json.push_str("\n}\n");
            vec![
                (format!("{dir}/package.json"), json),
                (
                    pkg.source_file(),
                    format!(
                        "// Benchmark package {}.\nmodule.exports = {{}};\n",
                        pkg.index
                    ),
                ),
            ]
        }
        Eco::Python => {
            let deps: Vec<String> = pkg
                .deps
                .iter()
                .map(|&d| format!("\"{}>=1.0,<2\"", dep(d).name()))
                .collect();
            let toml = format!(
                "[project]\nname = \"{}\"\nversion = \"{}\"\ndescription = \"Benchmark project {}\"\nrequires-python = \">=3.9\"\ndependencies = [{}]\n\n[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n",
                pkg.name(),
                pkg.version(),
                pkg.index,
                deps.join(", ")
            );
            vec![
                (format!("{dir}/pyproject.toml"), toml),
                (
                    pkg.source_file(),
                    format!("\"\"\"Benchmark project {}.\"\"\"\n", pkg.index),
                ),
            ]
        }
    }
}

/// The changeset file text (Changesets' format).
fn changeset_text(cs: &ChangesetSpec, packages: &[Pkg]) -> String {
    let lines: Vec<String> = cs
        .releases
        .iter()
        .map(|(p, bump)| format!("\"{}\": {bump}", packages[*p].name()))
        .collect();
    format!("---\n{}\n---\n\n{}\n", lines.join("\n"), cs.summary)
}

/// The same changeset in sampo's format (`cargo/NAME: bump`).
fn sampo_changeset_text(cs: &ChangesetSpec, packages: &[Pkg]) -> String {
    let lines: Vec<String> = cs
        .releases
        .iter()
        .map(|(p, bump)| format!("cargo/{}: {bump}", packages[*p].name()))
        .collect();
    format!("---\n{}\n---\n\n{}\n", lines.join("\n"), cs.summary)
}

/// The `git fast-import` stream for `model`, and the facts about it.
fn fast_import_stream(model: &Model) -> (Vec<u8>, Written) {
    let mut out = Vec::new();
    let mut time = 1_700_000_000_u64;
    let mut mark = 0_usize;
    let mut main_commits = 0;
    let mut changesets = 0;
    let mut emit = |out: &mut Vec<u8>,
                    branch: &str,
                    commit: &CommitSpec,
                    from: Option<usize>,
                    changesets: &mut usize|
     -> Option<usize> {
        let mut body = Vec::new();
        let mut file = |path: &str, content: &str| {
            let _ = write!(body, "M 100644 inline {path}\ndata {}\n", content.len());
            body.extend_from_slice(content.as_bytes());
            body.push(b'\n');
        };
        for change in &commit.changes {
            match change {
                Change::File { path, content } => file(path, content),
                Change::Changeset(cs) => {
                    *changesets += 1;
                    file(
                        &format!(".changeset/{}.md", cs.id),
                        &changeset_text(cs, &model.packages),
                    );
                    if model.sampo {
                        file(
                            &format!(".sampo/changesets/{}.md", cs.id),
                            &sampo_changeset_text(cs, &model.packages),
                        );
                    }
                }
            }
        }
        if body.is_empty() {
            return None;
        }
        mark += 1;
        time += 3600;
        let who = format!("Bench <bench@example.com> {time} +0000");
        let _ = write!(
            out,
            "commit refs/heads/{branch}\nmark :{mark}\nauthor {who}\ncommitter {who}\ndata {}\n{}\n",
            commit.message.len(),
            commit.message
        );
        if let Some(from) = from {
            let _ = writeln!(out, "from :{from}");
        }
        out.extend_from_slice(&body);
        out.push(b'\n');
        Some(mark)
    };
    let mut last = None;
    for commit in &model.main {
        if let Some(m) = emit(&mut out, "main", commit, last, &mut changesets) {
            last = Some(m);
            main_commits += 1;
        }
    }
    let mut feature_last = last;
    for commit in &model.feature {
        if let Some(m) = emit(&mut out, "feature", commit, feature_last, &mut changesets) {
            feature_last = Some(m);
        }
    }
    out.extend_from_slice(b"done\n");
    (
        out,
        Written {
            main_commits,
            packages: model.packages.len(),
            changesets,
        },
    )
}

fn git(dir: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .arg("-C")
        .arg(dir)
        .args(["-c", "commit.gpgsign=false", "-c", "core.autocrlf=false"])
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Bench")
        .env("GIT_AUTHOR_EMAIL", "bench@example.com")
        .env("GIT_COMMITTER_NAME", "Bench")
        .env("GIT_COMMITTER_EMAIL", "bench@example.com")
        .env("GIT_AUTHOR_DATE", "1700000000 +0000")
        .env("GIT_COMMITTER_DATE", "1700000000 +0000");
    command
}

fn git_ok(mut command: Command) -> Result<()> {
    let output = command
        .output()
        .with_context(|| format!("failed to start {command:?}"))?;
    if !output.status.success() {
        bail!(
            "{command:?} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

/// Writes the repository for `model` into `dir` (replaced if it exists), with `main` and
/// `feature` branches and `feature` checked out.
pub fn write(model: &Model, dir: &Path) -> Result<Written> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("cannot remove {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut init = git(dir);
    init.args(["init", "-q", "-b", "main"]);
    git_ok(init)?;
    let (stream, written) = fast_import_stream(model);
    let mut import = git(dir);
    import
        .args(["fast-import", "--quiet", "--done"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = import.spawn().context("failed to start git fast-import")?;
    child
        .stdin
        .take()
        .context("no stdin for git fast-import")?
        .write_all(&stream)
        .context("failed to feed git fast-import")?;
    let output = child
        .wait_with_output()
        .context("git fast-import did not finish")?;
    if !output.status.success() {
        bail!(
            "git fast-import failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let mut checkout = git(dir);
    checkout.args(["checkout", "-q", "-f", "feature"]);
    git_ok(checkout)?;
    // The checkout wrote the files and the index within the same second, so every entry is
    // "racily clean" and each `git diff` would re-hash every file (about 3x slower here). A
    // developer's index is not like that: rewrite it a second later, as `git status` would.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let mut refresh = git(dir);
    refresh.args(["update-index", "-q", "--really-refresh"]);
    git_ok(refresh)?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_acyclic() {
        let spec = Spec::for_packages(100, Mix::Polyglot, 7);
        let a = model(&spec);
        let b = model(&spec);
        assert_eq!(a.feature_changed, b.feature_changed);
        assert_eq!(a.packages.len(), 100);
        for p in &a.packages {
            assert!(p.deps.iter().all(|&d| d < p.index));
        }
        let names: BTreeSet<String> = a.packages.iter().map(Pkg::name).collect();
        assert_eq!(names.len(), 100);
        let (s1, _) = fast_import_stream(&a);
        let (s2, _) = fast_import_stream(&b);
        assert_eq!(s1, s2);
    }

    #[test]
    fn cargo_only_has_a_lockfile_and_sampo_changesets() {
        let spec = Spec::for_packages(40, Mix::Cargo, 3);
        let model = model(&spec);
        assert!(model.packages.iter().all(|p| p.eco == Eco::Cargo));
        let (stream, written) = fast_import_stream(&model);
        let stream = String::from_utf8(stream).unwrap();
        assert!(stream.contains("M 100644 inline Cargo.lock\n"));
        assert!(!stream.contains("inline package.json\n"));
        let sampo = stream.matches("inline .sampo/changesets/").count();
        assert_eq!(sampo, written.changesets);
        assert!(stream.contains("cargo/crate-"));
        let lock = cargo_lock(&model.packages);
        assert_eq!(lock.matches("[[package]]").count(), 40);
    }
}
