//! Changelog tests. `captured`: whole repositories whose expected CHANGELOG.md files were written
//! by the real `@changesets/cli` 3.0.3 (`testdata/capture.mjs`); `insertion` and `polyglot`: the
//! edges of the insertion rules, and the rules relflow adds for Cargo and Python; `conventional`:
//! the git-cliff section.

mod captured;
mod conventional;
mod insertion;
mod polyglot;
