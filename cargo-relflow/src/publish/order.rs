//! The publish order: which package must be on its registry before which, and the levels that
//! follow from it.
//!
//! Edges come from three places:
//! - Cargo: guppy's package graph (`cargo metadata` with the resolve, so renames and
//!   target-specific dependencies are cargo's own) with cargo's rule for `cargo publish`: normal
//!   and build dependencies always; dev-dependencies only when they carry a `version`, since
//!   `cargo package` needs those on the registry and drops the others;
//! - npm and Python: the internal dependencies of the workspace model, dev-dependencies left out
//!   (neither `npm publish` nor an upload needs them, and consumers never install them);
//! - relflow.toml: `[[package]] depends_on`, across ecosystems.
//!
//! A cycle is an [`InputError`] that names it; [`levels`] then puts each package one level above
//! its highest dependency that still has to be published.

use camino::Utf8Path;
use cargo_relflow_sync::diag::line_of_offset;
use cargo_relflow_sync::{names, DepKind, Ecosystem, InputError, Package};

use crate::error::Failure;
use crate::repo::Repo;

/// Why one package must be published before another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeKind {
    /// A dependency in the package's own manifest, of this kind.
    Manifest(DepKind),
    /// `[[package]] depends_on` in relflow.toml.
    DependsOn,
}

/// "`from` needs `to` on its registry first".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    /// The index of the dependency in the repository's packages.
    pub to: usize,
    /// Where the edge comes from.
    pub kind: EdgeKind,
}

/// The dependencies that order publishing, per package (indexes into [`Repo::packages`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublishGraph {
    /// `edges[i]`: what package `i` needs first, without duplicates.
    pub edges: Vec<Vec<Edge>>,
}

/// Builds the publish graph of `repo` and checks it for cycles. With `offline`, `cargo metadata`
/// runs with `--offline`, and when cargo's cache lacks the registry dependencies it needs for
/// the resolve, the Cargo edges come from the workspace's own path dependencies (read with
/// `--no-deps` metadata): the order only needs those. `warn` is told when that happens.
pub fn publish_graph(
    repo: &Repo,
    offline: bool,
    warn: impl Fn(&str),
) -> Result<PublishGraph, Failure> {
    let packages = repo.packages();
    let mut graph = PublishGraph {
        edges: vec![Vec::new(); packages.len()],
    };
    if packages.iter().any(|p| p.ecosystem == Ecosystem::Cargo) {
        let edges = match cargo_edges(repo.root(), packages, offline) {
            Ok(edges) => edges,
            Err(error) if offline => {
                warn(&format!(
                    "{error:#}; the Cargo order comes from the workspace's path dependencies instead"
                ));
                path_dependency_edges(packages)
            }
            Err(error) => return Err(error),
        };
        for (from, to, kind) in edges {
            graph.add(from, to, EdgeKind::Manifest(kind));
        }
    }
    for (from, package) in packages.iter().enumerate() {
        if !matches!(package.ecosystem, Ecosystem::Npm | Ecosystem::Python) {
            continue;
        }
        for dependency in package.deps.iter().filter(|d| d.kind != DepKind::Dev) {
            let to = packages
                .iter()
                .position(|p| p.ecosystem == package.ecosystem && p.name == dependency.name);
            if let Some(to) = to {
                graph.add(from, to, EdgeKind::Manifest(dependency.kind));
            }
        }
    }
    for entry in &repo.workspace.config.config.packages {
        let from = names::resolve(packages, entry.name.get_ref())?;
        for target in &entry.depends_on {
            let to = names::resolve(packages, target.get_ref())?;
            graph.add(from, to, EdgeKind::DependsOn);
        }
    }
    graph.check_cycles(repo)?;
    Ok(graph)
}

impl PublishGraph {
    /// Adds an edge; a second edge between the same packages keeps the first kind, except that a
    /// manifest edge of another kind than dev replaces a dev edge (it explains a cycle better).
    pub fn add(&mut self, from: usize, to: usize, kind: EdgeKind) {
        let edges = &mut self.edges[from];
        match edges.iter_mut().find(|edge| edge.to == to) {
            Some(edge) if edge.kind == EdgeKind::Manifest(DepKind::Dev) => edge.kind = kind,
            Some(_) => {}
            None => edges.push(Edge { to, kind }),
        }
    }

    /// The first cycle found, as package indexes with the first repeated at the end.
    pub fn find_cycle(&self) -> Option<Vec<usize>> {
        #[derive(Clone, Copy, PartialEq, Eq)]
        enum Mark {
            New,
            OnPath,
            Done,
        }
        let mut marks = vec![Mark::New; self.edges.len()];
        for start in 0..self.edges.len() {
            if marks[start] != Mark::New {
                continue;
            }
            // An explicit stack of (node, next edge to look at), so deep graphs cannot overflow.
            let mut stack = vec![(start, 0usize)];
            marks[start] = Mark::OnPath;
            while let Some(&mut (node, ref mut next)) = stack.last_mut() {
                if let Some(edge) = self.edges[node].get(*next) {
                    *next += 1;
                    match marks[edge.to] {
                        Mark::OnPath => {
                            let at = stack.iter().position(|&(n, _)| n == edge.to).unwrap_or(0);
                            let mut cycle: Vec<usize> =
                                stack[at..].iter().map(|&(n, _)| n).collect();
                            cycle.push(edge.to);
                            return Some(cycle);
                        }
                        Mark::New => {
                            marks[edge.to] = Mark::OnPath;
                            stack.push((edge.to, 0));
                        }
                        Mark::Done => {}
                    }
                } else {
                    marks[node] = Mark::Done;
                    stack.pop();
                }
            }
        }
        None
    }

    fn edge(&self, from: usize, to: usize) -> Option<Edge> {
        self.edges[from].iter().copied().find(|edge| edge.to == to)
    }

    /// A cycle is bad input: exit 2, naming it, with the hint that fits its edges.
    fn check_cycles(&self, repo: &Repo) -> Result<(), InputError> {
        let Some(cycle) = self.find_cycle() else {
            return Ok(());
        };
        let packages = repo.packages();
        let shown: Vec<String> = cycle
            .iter()
            .map(|&i| packages[i].qualified_name())
            .collect();
        let message = format!("dependency cycle: {}", shown.join(" -> "));
        let links: Vec<(usize, usize, EdgeKind)> = cycle
            .windows(2)
            .filter_map(|pair| Some((pair[0], pair[1], self.edge(pair[0], pair[1])?.kind)))
            .collect();
        let dev = links
            .iter()
            .find(|(_, _, kind)| *kind == EdgeKind::Manifest(DepKind::Dev));
        if let Some(&(from, to, _)) = dev {
            let (from, to) = (&packages[from], &packages[to]);
            let mut error = InputError::new(message)
                .with_path(&from.manifest)
                .with_hint(format!(
                    "drop `version` from the dev-dependency of `{}` on `{}`: `cargo publish` \
                     strips a dev-dependency without a version, so it no longer orders the publish",
                    from.name, to.name
                ));
            if let Some(line) = dev_dependency_line(repo.root(), &from.manifest, &to.name) {
                error = error.with_line(line);
            }
            return Err(error);
        }
        let mut error = InputError::new(message).with_hint(
            "a package cannot be published before its own dependency: remove one of these \
             dependencies or `depends_on` entries",
        );
        if links
            .iter()
            .any(|(_, _, kind)| *kind == EdgeKind::DependsOn)
        {
            if let Some(source) = &repo.workspace.config.source {
                error = error.with_path(&source.path);
            }
        }
        Err(error)
    }
}

/// Each package's level: 0 when none of its dependencies is `pending` (still to be published),
/// else one more than the highest level among its pending dependencies. The graph must be free
/// of cycles ([`publish_graph`] checks).
pub fn levels(graph: &PublishGraph, pending: &[bool]) -> Vec<usize> {
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Mark {
        New,
        OnPath,
        Done,
    }
    enum Visit {
        Enter(usize),
        Leave(usize),
    }
    let pending_dependencies = |node: usize| {
        graph.edges[node]
            .iter()
            .map(|edge| edge.to)
            .filter(|&to| pending[to])
    };
    let mut level = vec![0usize; graph.edges.len()];
    let mut marks = vec![Mark::New; graph.edges.len()];
    for start in 0..graph.edges.len() {
        // Depth first with an explicit stack: a package's level is known once every pending
        // dependency has been left.
        let mut stack = vec![Visit::Enter(start)];
        while let Some(visit) = stack.pop() {
            match visit {
                Visit::Enter(node) => {
                    if marks[node] != Mark::New {
                        continue;
                    }
                    marks[node] = Mark::OnPath;
                    stack.push(Visit::Leave(node));
                    stack.extend(
                        pending_dependencies(node)
                            .filter(|&to| marks[to] == Mark::New)
                            .map(Visit::Enter),
                    );
                }
                Visit::Leave(node) => {
                    // A dependency still on the path is a cycle, which `publish_graph` refuses:
                    // it is left out rather than looped on.
                    level[node] = pending_dependencies(node)
                        .filter(|&to| marks[to] == Mark::Done)
                        .map(|to| level[to] + 1)
                        .max()
                        .unwrap_or(0);
                    marks[node] = Mark::Done;
                }
            }
        }
    }
    level
}

/// The internal Cargo edges `(from, to, kind)` that `cargo publish` cares about, from guppy.
fn cargo_edges(
    root: &Utf8Path,
    packages: &[Package],
    offline: bool,
) -> Result<Vec<(usize, usize, DepKind)>, Failure> {
    let mut command = guppy::MetadataCommand::new();
    command
        .manifest_path(root.join("Cargo.toml"))
        .current_dir(root);
    if offline {
        command.other_options(["--offline".to_owned()]);
    }
    let graph = guppy::graph::PackageGraph::from_command(&mut command).map_err(|error| {
        let hint = if offline {
            "; offline, `cargo metadata` needs every dependency in cargo's cache: run `cargo fetch` once online"
        } else {
            ""
        };
        anyhow::anyhow!(
            "cannot read the Cargo package graph: {}{hint}",
            error_chain(&error)
        )
    })?;
    let index_of = |name: &str| {
        packages
            .iter()
            .position(|p| p.ecosystem == Ecosystem::Cargo && p.name == name)
    };
    let mut edges = Vec::new();
    for member in graph.workspace().iter() {
        let Some(from) = index_of(member.name()) else {
            continue;
        };
        for link in member.direct_links() {
            if !link.to().in_workspace() {
                continue;
            }
            let Some(to) = index_of(link.to().name()) else {
                continue;
            };
            let kind = if link.normal().is_present() {
                DepKind::Normal
            } else if link.build().is_present() {
                DepKind::Build
            } else if link.dev().is_present()
                && dev_dependency_has_version(&packages[from], &packages[to].name)
            {
                DepKind::Dev
            } else {
                continue;
            };
            edges.push((from, to, kind));
        }
    }
    Ok(edges)
}

/// The internal Cargo edges of the workspace model (cargo's `--no-deps` metadata: path
/// dependencies on members, with kind and target), with the rule of [`cargo_edges`]: normal and
/// build dependencies, dev-dependencies that carry a `version`.
fn path_dependency_edges(packages: &[Package]) -> Vec<(usize, usize, DepKind)> {
    let mut edges = Vec::new();
    for (from, package) in packages.iter().enumerate() {
        if package.ecosystem != Ecosystem::Cargo {
            continue;
        }
        for dependency in &package.deps {
            if dependency.kind == DepKind::Dev && dependency.requirement.is_empty() {
                continue;
            }
            let to = packages
                .iter()
                .position(|p| p.ecosystem == Ecosystem::Cargo && p.name == dependency.name);
            if let Some(to) = to {
                edges.push((from, to, dependency.kind));
            }
        }
    }
    edges
}

/// An error and its sources on one line (guppy's own message leaves out cargo's words).
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        let first_line = cause_text
            .lines()
            .map(str::trim)
            .find(|line| line.starts_with("error:"))
            .or_else(|| {
                cause_text
                    .lines()
                    .map(str::trim)
                    .find(|line| !line.is_empty())
            })
            .unwrap_or_default();
        text.push_str(": ");
        text.push_str(first_line);
        source = cause.source();
    }
    text
}

/// Whether `package` writes a `version` on its dev-dependency on `name` (the workspace model
/// keeps the requirement as written: empty for a path-only entry).
fn dev_dependency_has_version(package: &Package, name: &str) -> bool {
    package
        .deps
        .iter()
        .any(|d| d.kind == DepKind::Dev && d.name == name && !d.requirement.is_empty())
}

/// The line of `manifest` where the dev-dependency on `name` is written, if it can be found.
fn dev_dependency_line(root: &Utf8Path, manifest: &Utf8Path, name: &str) -> Option<usize> {
    let text = std::fs::read_to_string(root.join(manifest)).ok()?;
    let section = text.find("dev-dependencies")?;
    let after = &text[section..];
    let offset = [
        format!("\n{name} "),
        format!("\n{name}="),
        format!("\n{name}."),
    ]
    .iter()
    .filter_map(|needle| after.find(needle.as_str()))
    .min()?;
    Some(line_of_offset(&text, section + offset + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(edges: &[(usize, usize)], count: usize) -> PublishGraph {
        let mut graph = PublishGraph {
            edges: vec![Vec::new(); count],
        };
        for &(from, to) in edges {
            graph.add(from, to, EdgeKind::Manifest(DepKind::Normal));
        }
        graph
    }

    #[test]
    fn levels_count_pending_dependencies_only() {
        // 0 <- 1 <- 2, 0 <- 3, and 4 alone.
        let graph = graph(&[(1, 0), (2, 1), (3, 0)], 5);
        assert_eq!(levels(&graph, &[true; 5]), [0, 1, 2, 1, 0]);
        // 0 is on its registry already: 1 and 3 need nothing more.
        assert_eq!(
            levels(&graph, &[false, true, true, true, true]),
            [0, 0, 1, 0, 0]
        );
        assert_eq!(levels(&graph, &[false; 5]), [0; 5]);
    }

    #[test]
    fn a_dependency_seen_twice_is_not_a_cycle() {
        // 0 needs 2 and 1; 1 needs 2: found from 0 before 1 is.
        let first = graph(&[(0, 2), (0, 1), (1, 2)], 3);
        assert_eq!(levels(&first, &[true; 3]), [2, 1, 0]);
        let second = graph(&[(0, 1), (0, 2), (1, 2)], 3);
        assert_eq!(levels(&second, &[true; 3]), [2, 1, 0]);
    }

    #[test]
    fn a_cycle_ends_the_walk() {
        let cyclic = graph(&[(0, 1), (1, 0)], 2);
        assert_eq!(levels(&cyclic, &[true; 2]), [1, 0]);
    }

    #[test]
    fn diamond_takes_the_longest_path() {
        // 3 needs 1 and 2; 2 needs 1; 1 needs 0.
        let graph = graph(&[(3, 1), (3, 2), (2, 1), (1, 0)], 4);
        assert_eq!(levels(&graph, &[true; 4]), [0, 1, 2, 3]);
    }

    #[test]
    fn cycles_are_found_with_their_path() {
        let cyclic = graph(&[(0, 1), (1, 2), (2, 0), (3, 0)], 4);
        assert_eq!(cyclic.find_cycle(), Some(vec![0, 1, 2, 0]));
        assert_eq!(graph(&[(0, 1), (1, 2), (3, 0)], 4).find_cycle(), None);
        assert_eq!(graph(&[(0, 0)], 1).find_cycle(), Some(vec![0, 0]));
    }

    #[test]
    fn a_normal_edge_replaces_a_dev_edge() {
        let mut graph = PublishGraph {
            edges: vec![Vec::new(); 2],
        };
        graph.add(0, 1, EdgeKind::Manifest(DepKind::Dev));
        graph.add(0, 1, EdgeKind::Manifest(DepKind::Normal));
        graph.add(0, 1, EdgeKind::DependsOn);
        assert_eq!(
            graph.edges[0],
            [Edge {
                to: 1,
                kind: EdgeKind::Manifest(DepKind::Normal)
            }]
        );
    }

    #[test]
    fn dev_dependency_lines() {
        let dir = tempfile::tempdir().unwrap();
        let root = Utf8Path::from_path(dir.path()).unwrap();
        std::fs::write(
            root.join("Cargo.toml"),
            "[package]\nname = \"a\"\n\n[dependencies]\nb = \"1\"\n\n[dev-dependencies]\nc = \"1\"\nb = { path = \"../b\", version = \"1\" }\n",
        )
        .unwrap();
        assert_eq!(
            dev_dependency_line(root, Utf8Path::new("Cargo.toml"), "b"),
            Some(9)
        );
        assert_eq!(
            dev_dependency_line(root, Utf8Path::new("Cargo.toml"), "zzz"),
            None
        );
    }
}
