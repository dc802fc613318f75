//! The commit graph of one walk: what HEAD and each release tag reach, and an order that puts
//! children before parents.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use anyhow::{Context, Result};
use gix::revision::walk::Sorting;
use gix::traverse::commit::simple::CommitTimeOrder;
use gix::ObjectId;

use super::Repo;

/// The commits reachable from HEAD or from the tags, with what reaches what.
pub(super) struct Graph {
    /// In walk order.
    pub(super) commits: Vec<Node>,
    /// Indices into `commits`, children before parents, otherwise newest first (`git log
    /// --date-order`): dates alone cannot be trusted, clocks are skewed.
    pub(super) order: Vec<usize>,
    /// Whether HEAD reaches the commit.
    pub(super) from_head: Vec<bool>,
    /// For each commit, one bit per tag that reaches it.
    tag_bits: Vec<u64>,
    /// `u64` words per commit in `tag_bits`.
    words: usize,
}

/// One commit of the walk.
pub(super) struct Node {
    pub(super) id: ObjectId,
    /// All its parents, as the commit lists them.
    pub(super) parents: Vec<ObjectId>,
    /// Its commit time, in seconds since the Unix epoch.
    time: i64,
}

impl Graph {
    /// Walks everything `head` and the `tags` reach, then marks reachability children first.
    pub(super) fn walk(repo: &Repo, head: ObjectId, tags: &[ObjectId]) -> Result<Graph> {
        let walk = repo
            .inner
            .rev_walk(std::iter::once(head).chain(tags.iter().copied()))
            .sorting(Sorting::ByCommitTime(CommitTimeOrder::NewestFirst))
            .all()
            .context("cannot walk the git history")?;
        let mut commits = Vec::new();
        for info in walk {
            let info = info.context("cannot walk the git history")?;
            commits.push(Node {
                id: info.id,
                parents: info.parent_ids.iter().copied().collect(),
                time: info.commit_time.unwrap_or_default(),
            });
        }
        let index: HashMap<ObjectId, usize> =
            commits.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
        let parents: Vec<Vec<usize>> = commits
            .iter()
            .map(|c| {
                c.parents
                    .iter()
                    .filter_map(|p| index.get(p).copied())
                    .collect()
            })
            .collect();
        let words = tags.len().div_ceil(64);
        let times: Vec<i64> = commits.iter().map(|c| c.time).collect();
        let mut graph = Graph {
            order: date_order(&parents, &times),
            from_head: vec![false; commits.len()],
            tag_bits: vec![0; commits.len() * words],
            commits,
            words,
        };
        if let Some(&i) = index.get(&head) {
            graph.from_head[i] = true;
        }
        for (bit, tag) in tags.iter().enumerate() {
            if let Some(&i) = index.get(tag) {
                graph.tag_bits[i * words + bit / 64] |= 1 << (bit % 64);
            }
        }
        for &child in &graph.order {
            for &parent in &parents[child] {
                graph.from_head[parent] |= graph.from_head[child];
                for word in 0..words {
                    graph.tag_bits[parent * words + word] |= graph.tag_bits[child * words + word];
                }
            }
        }
        Ok(graph)
    }

    /// Whether tag number `tag` reaches commit number `commit`.
    pub(super) fn reaches(&self, tag: usize, commit: usize) -> bool {
        self.tag_bits[commit * self.words + tag / 64] & (1 << (tag % 64)) != 0
    }
}

/// The commits ordered children before parents, and otherwise newest first (Kahn's algorithm
/// with the newest ready commit first; ties keep walk order).
fn date_order(parents: &[Vec<usize>], times: &[i64]) -> Vec<usize> {
    let mut children = vec![0usize; parents.len()];
    for list in parents {
        for &parent in list {
            children[parent] += 1;
        }
    }
    let mut ready: BinaryHeap<(i64, Reverse<usize>)> = (0..parents.len())
        .filter(|&i| children[i] == 0)
        .map(|i| (times[i], Reverse(i)))
        .collect();
    let mut order = Vec::with_capacity(parents.len());
    while let Some((_, Reverse(commit))) = ready.pop() {
        order.push(commit);
        for &parent in &parents[commit] {
            children[parent] -= 1;
            if children[parent] == 0 {
                ready.push((times[parent], Reverse(parent)));
            }
        }
    }
    order
}
