//! Unified diffs (`version --dry-run`) in time bounded by the size of the files, whatever the
//! number of changed lines.
//!
//! Myers' algorithm (similar's, as before) costs lines × differences: a rewritten 10 MB file
//! took seconds to minutes. Here it only ever sees at most [`MYERS_MAX_LINES`] lines at a time:
//! after the common prefix and suffix are set aside, a small middle goes to Myers whole (the
//! output is then exactly similar's `TextDiff::from_lines`); a large one is cut at its lines that
//! occur once in each file, in the order they keep (patience diff's anchors, O(n log n)), and
//! each gap between them goes to Myers when small, or is written as removed-then-added when
//! not. The total work is linear in the lines, times that constant.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::ops::Range;

use similar::{Algorithm, DiffOp, DiffTag};

/// The most lines (old and new together) one Myers run sees.
pub const MYERS_MAX_LINES: usize = 1000;

/// The unified diff of `old` and `new` with `context` lines of context and the `---`/`+++`
/// names given, as `git apply` and `patch` take it; empty when the texts have the same lines.
pub fn unified(old: &str, new: &str, old_name: &str, new_name: &str, context: usize) -> String {
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
    let (ops, _) = line_ops(&old_lines, &new_lines);
    let mut out = String::new();
    for hunk in similar::group_diff_ops(ops, context) {
        let (Some(first), Some(last)) = (hunk.first(), hunk.last()) else {
            continue;
        };
        if out.is_empty() {
            let _ = writeln!(out, "--- {old_name}\n+++ {new_name}");
        }
        let _ = writeln!(
            out,
            "@@ -{} +{} @@",
            hunk_range(first.old_range().start, last.old_range().end),
            hunk_range(first.new_range().start, last.new_range().end)
        );
        for op in &hunk {
            let (tag, old_range, new_range) = op.as_tag_tuple();
            let mut line = |sign: char, text: &str| {
                out.push(sign);
                out.push_str(text);
                if !text.ends_with('\n') {
                    out.push_str("\n\\ No newline at end of file\n");
                }
            };
            match tag {
                DiffTag::Equal => old_lines[old_range].iter().for_each(|l| line(' ', l)),
                DiffTag::Delete => old_lines[old_range].iter().for_each(|l| line('-', l)),
                DiffTag::Insert => new_lines[new_range].iter().for_each(|l| line('+', l)),
                DiffTag::Replace => {
                    old_lines[old_range].iter().for_each(|l| line('-', l));
                    new_lines[new_range].iter().for_each(|l| line('+', l));
                }
            }
        }
    }
    out
}

/// A hunk header's range: `start,len`, `start` alone for one line, and the line before for
/// none (the unified format's rules, as similar writes them).
fn hunk_range(start: usize, end: usize) -> String {
    match end.saturating_sub(start) {
        1 => (start + 1).to_string(),
        0 => format!("{start},0"),
        len => format!("{},{len}", start + 1),
    }
}

/// The edit from `old` to `new` line by line, and the most lines one Myers run saw.
fn line_ops<'a>(old: &[&'a str], new: &[&'a str]) -> (Vec<DiffOp>, usize) {
    // Each distinct line becomes a number, so comparisons are cheap.
    let mut ids: HashMap<&'a str, u32> = HashMap::new();
    let mut id = |line: &'a str| -> u32 {
        let next = u32::try_from(ids.len()).unwrap_or(u32::MAX);
        *ids.entry(line).or_insert(next)
    };
    let old: Vec<u32> = old.iter().map(|&l| id(l)).collect();
    let new: Vec<u32> = new.iter().map(|&l| id(l)).collect();
    let mut diff = Diff {
        old: &old,
        new: &new,
        ops: Vec::new(),
        largest_myers: 0,
    };
    if old.len() + new.len() <= MYERS_MAX_LINES {
        // Small files: exactly what similar's `TextDiff::from_lines` finds.
        diff.gap(0..old.len(), 0..new.len());
        return (diff.ops, diff.largest_myers);
    }
    let prefix = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    diff.equal(0, 0, prefix);
    let middle = (prefix..old.len() - suffix, prefix..new.len() - suffix);
    if middle.0.len() + middle.1.len() <= MYERS_MAX_LINES {
        diff.gap(middle.0, middle.1);
    } else {
        diff.anchored(middle.0, middle.1, ids.len());
    }
    diff.equal(old.len() - suffix, new.len() - suffix, suffix);
    (merge_equal(diff.ops), diff.largest_myers)
}

/// The ops being built over the numbered lines.
struct Diff<'a> {
    old: &'a [u32],
    new: &'a [u32],
    ops: Vec<DiffOp>,
    largest_myers: usize,
}

impl Diff<'_> {
    fn equal(&mut self, old_index: usize, new_index: usize, len: usize) {
        if len > 0 {
            self.ops.push(DiffOp::Equal {
                old_index,
                new_index,
                len,
            });
        }
    }

    /// A stretch without anchors: Myers when small, else all of it removed and then added.
    fn gap(&mut self, old: Range<usize>, new: Range<usize>) {
        if old.is_empty() && new.is_empty() {
            return;
        }
        if old.len() + new.len() <= MYERS_MAX_LINES {
            self.largest_myers = self.largest_myers.max(old.len() + new.len());
            self.ops.extend(similar::capture_diff_deadline(
                Algorithm::Myers,
                self.old,
                old,
                self.new,
                new,
                None,
            ));
        } else if old.is_empty() {
            self.ops.push(DiffOp::Insert {
                old_index: old.start,
                new_index: new.start,
                new_len: new.len(),
            });
        } else if new.is_empty() {
            self.ops.push(DiffOp::Delete {
                old_index: old.start,
                old_len: old.len(),
                new_index: new.start,
            });
        } else {
            self.ops.push(DiffOp::Replace {
                old_index: old.start,
                old_len: old.len(),
                new_index: new.start,
                new_len: new.len(),
            });
        }
    }

    /// Cuts the ranges at the lines found once in each (in an order both keep) and diffs the
    /// gaps between them.
    fn anchored(&mut self, old: Range<usize>, new: Range<usize>, distinct: usize) {
        // For each line number: how often in old and in new, and where (the last place).
        let mut seen = vec![(0_u32, 0_u32, 0_usize, 0_usize); distinct];
        for i in old.clone() {
            let entry = &mut seen[self.old[i] as usize];
            entry.0 += 1;
            entry.2 = i;
        }
        for j in new.clone() {
            let entry = &mut seen[self.new[j] as usize];
            entry.1 += 1;
            entry.3 = j;
        }
        // Unique pairs in old order; keep the longest run increasing in new order.
        let pairs: Vec<(usize, usize)> = old
            .clone()
            .filter_map(|i| {
                let (in_old, in_new, _, j) = seen[self.old[i] as usize];
                (in_old == 1 && in_new == 1).then_some((i, j))
            })
            .collect();
        let anchors = longest_increasing(&pairs);
        let (mut at_old, mut at_new) = (old.start, new.start);
        for (i, j) in anchors {
            self.gap(at_old..i, at_new..j);
            self.equal(i, j, 1);
            (at_old, at_new) = (i + 1, j + 1);
        }
        self.gap(at_old..old.end, at_new..new.end);
    }
}

/// The longest subsequence of `pairs` (sorted by their first element) whose second elements
/// increase: patience sorting, O(n log n).
fn longest_increasing(pairs: &[(usize, usize)]) -> Vec<(usize, usize)> {
    // tails[k]: index into pairs of the smallest tail of an increasing run of length k + 1.
    let mut tails: Vec<usize> = Vec::new();
    let mut previous: Vec<Option<usize>> = vec![None; pairs.len()];
    for (index, &(_, j)) in pairs.iter().enumerate() {
        let place = tails.partition_point(|&t| pairs[t].1 < j);
        previous[index] = place.checked_sub(1).map(|p| tails[p]);
        if place == tails.len() {
            tails.push(index);
        } else {
            tails[place] = index;
        }
    }
    let mut run = Vec::with_capacity(tails.len());
    let mut at = tails.last().copied();
    while let Some(index) = at {
        run.push(pairs[index]);
        at = previous[index];
    }
    run.reverse();
    run
}

/// Joins neighbouring `Equal` ops, so that hunks are cut only where the context runs out.
fn merge_equal(ops: Vec<DiffOp>) -> Vec<DiffOp> {
    let mut merged: Vec<DiffOp> = Vec::with_capacity(ops.len());
    for op in ops {
        // Ops come in order, each starting where the last one ended.
        if let (Some(DiffOp::Equal { len, .. }), DiffOp::Equal { len: more, .. }) =
            (merged.last_mut(), op)
        {
            *len += more;
            continue;
        }
        merged.push(op);
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Applies a unified diff made by [`unified`] to `old`: the text it describes.
    fn apply(old: &str, diff: &str) -> String {
        let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
        let mut out = String::new();
        let mut next_old = 0;
        let mut lines = diff.split_inclusive('\n').skip(2).peekable();
        while let Some(header) = lines.next() {
            let old_part = header
                .strip_prefix("@@ -")
                .and_then(|r| r.split(' ').next())
                .unwrap();
            let (start, len) = match old_part.split_once(',') {
                Some((s, l)) => (s.parse::<usize>().unwrap(), l.parse::<usize>().unwrap()),
                None => (old_part.parse().unwrap(), 1),
            };
            let first = if len == 0 { start } else { start - 1 };
            out.extend(old_lines[next_old..first].iter().copied());
            next_old = first;
            while let Some(line) = lines.next_if(|l| !l.starts_with("@@ ")) {
                let (sign, text) = line.split_at(1);
                let text = match lines.next_if(|l| l.starts_with("\\ No newline")) {
                    Some(_) => text.strip_suffix('\n').unwrap(),
                    None => text,
                };
                match sign {
                    " " => {
                        assert_eq!(old_lines[next_old], text);
                        out.push_str(text);
                        next_old += 1;
                    }
                    "-" => {
                        assert_eq!(old_lines[next_old], text);
                        next_old += 1;
                    }
                    "+" => out.push_str(text),
                    other => panic!("unexpected line {other:?}"),
                }
            }
        }
        out.extend(old_lines[next_old..].iter().copied());
        out
    }

    fn similar_diff(old: &str, new: &str) -> String {
        similar::TextDiff::from_lines(old, new)
            .unified_diff()
            .context_radius(3)
            .header("a/f", "b/f")
            .missing_newline_hint(true)
            .to_string()
    }

    #[test]
    fn small_files_diff_exactly_as_similar_does() {
        let cases = [
            ("", "a\n"),
            ("a\n", ""),
            ("a\nb\nc\n", "a\nB\nc\n"),
            ("a\nb", "a\nb\n"),
            ("a\nb\n", "a\nc"),
            ("x\n", "x\n"),
            (
                "# Changelog\n\n## 1.0.0\n\n- first\n",
                "# Changelog\n\n## 1.1.0\n\n### Minor Changes\n\n- abc1234: new\n\n## 1.0.0\n\n- first\n",
            ),
        ];
        for (old, new) in cases {
            assert_eq!(
                unified(old, new, "a/f", "b/f", 3),
                similar_diff(old, new),
                "{old:?} -> {new:?}"
            );
        }
        let old: String = (0..400).map(|i| format!("line {}\n", i % 37)).collect();
        let new: String = (0..400)
            .map(|i| format!("line {}\n", if i % 11 == 0 { i } else { i % 37 }))
            .collect();
        assert_eq!(
            unified(&old, &new, "a/f", "b/f", 3),
            similar_diff(&old, &new)
        );
    }

    /// A 10 MB file whose every line changed, and one of few distinct lines rewritten in
    /// another order: Myers never sees more than its bound, and the diff still applies.
    #[test]
    fn large_rewrites_stay_within_the_myers_bound_and_apply() {
        let old: String = (0..200_000)
            .map(|i| format!("    \"changeset-{i:06}\": \"{i}\",\n"))
            .collect();
        let new: String = (0..200_000)
            .map(|i| {
                if i % 3 == 0 {
                    format!("    \"changeset-{i:06}\": \"{i}\",\n")
                } else {
                    format!("  \"changeset-{i:06}\": \"{i}\",\n")
                }
            })
            .collect();
        assert!(old.len() > 6_000_000);
        let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
        let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
        let (_, largest) = line_ops(&old_lines, &new_lines);
        assert!(largest <= MYERS_MAX_LINES, "{largest}");
        assert_eq!(apply(&old, &unified(&old, &new, "a/f", "b/f", 3)), new);

        let repeated_old: String = (0..100_000).map(|i| format!("{}\n", i % 3)).collect();
        let repeated_new: String = (0..100_000).map(|i| format!("{}\n", (i * 7) % 5)).collect();
        let old_lines: Vec<&str> = repeated_old.split_inclusive('\n').collect();
        let new_lines: Vec<&str> = repeated_new.split_inclusive('\n').collect();
        let (ops, largest) = line_ops(&old_lines, &new_lines);
        assert!(largest <= MYERS_MAX_LINES, "{largest}");
        assert!(!ops.is_empty());
        let diff = unified(&repeated_old, &repeated_new, "a/f", "b/f", 3);
        assert_eq!(apply(&repeated_old, &diff), repeated_new);
    }

    #[test]
    fn anchors_keep_the_unchanged_lines_of_a_large_file() {
        let old: String = (0..5_000).map(|i| format!("{i}\n")).collect();
        let new: String = (0..5_000)
            .map(|i| {
                if i % 1000 == 500 {
                    format!("{i} changed\n")
                } else {
                    format!("{i}\n")
                }
            })
            .collect();
        let diff = unified(&old, &new, "a/f", "b/f", 3);
        assert_eq!(diff.matches("\n@@ ").count(), 5, "{diff}");
        assert_eq!(diff.lines().filter(|l| l.starts_with('-')).count(), 5 + 1);
        assert_eq!(apply(&old, &diff), new);
    }
}
