//! Changelog text for `version`: Changesets v3's default format, and the conventional-commit
//! section. Does no IO: commit shas, commit messages and existing CHANGELOG.md text come in as
//! data.
//!
//! - [`entries`]: the entry of each released package, byte for byte what `changeset version` of
//!   `@changesets/cli` 3.0.3 writes with its default generator (`@changesets/cli/changelog`, that
//!   is `@changesets/changelog-git`): `## <version>`, then `### Major Changes`, `### Minor
//!   Changes` and `### Patch Changes` with one line per changeset (`- <sha7>: <summary>`, later
//!   summary lines indented by two spaces), the `- Updated dependencies [<sha7>]` lines with the
//!   `  - name@version` list, or `No changes in this release.`.
//! - [`insert`]: puts an entry into a package's existing CHANGELOG.md the way Changesets does
//!   (above the first version heading, or under the first line); the rest is kept byte for byte.
//! - [`CliffConfig`] and [`conventional_section`]: with `[changelog] conventional_commits = true`,
//!   the commits that touched a package since its last release, rendered by git-cliff-core, to
//!   [`append`] to the entry.
//!
//! Whether changelogs are written at all (`"changelog": false` in `.changeset/config.json`, or
//! `--no-changelog`) and where (a package's `changelog` in relflow.toml) is the caller's choice.
//!
//! Changesets v3 also runs the repository's formatter (prettier, dprint, ...) over the changed
//! CHANGELOG.md files when it finds one; relflow runs no formatter, so the text is what Changesets
//! writes in a repository without one. The blank lines inside an entry are normalised as
//! Changesets' `generateMarkdownForVersionType` does.

mod conventional;
mod dependency;
mod entry;
pub mod github;
mod insert;
mod section;
#[cfg(test)]
mod tests;

pub use conventional::{conventional_section, CliffConfig};
pub use entry::{entries, entries_with, Generator};
pub use insert::insert;
pub use section::section;

/// An entry with a conventional-commit `section` after it, separated by a blank line; the entry
/// unchanged when the section is empty.
pub fn append(entry: &str, section: &str) -> String {
    let section = crate::parse::js_trim(section);
    if section.is_empty() {
        entry.to_owned()
    } else {
        format!("{}\n\n{section}", crate::parse::js_trim(entry))
    }
}
