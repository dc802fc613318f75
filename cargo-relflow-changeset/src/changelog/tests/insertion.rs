//! `insert` on the edges of Changesets' rules. Each expected text is what `updateChangelog` of
//! `@changesets/apply-release-plan` 8.1.1 returns for the same input (its code run under Node 22);
//! the common shapes are also in the captured repositories (`testdata/existing.txt`).

use crate::changelog::insert;

#[track_caller]
fn check(existing: Option<&str>, entry: &str, expected: &str) {
    assert_eq!(insert(existing, "pkg", entry), expected);
}

#[test]
fn a_title_that_is_a_version_is_a_version_heading() {
    check(
        Some("# 1.0.0 release notes\n"),
        "## 1.0.1\n\nx",
        "## 1.0.1\n\nx\n\n# 1.0.0 release notes\n",
    );
}

#[test]
fn line_starts_follow_javascript_line_terminators() {
    check(
        Some("# t\r## 2.0\r"),
        "## 2.1.0",
        "# t\r## 2.1.0\n\n## 2.0\r",
    );
    check(
        Some("# t\u{2028}## 2.0\n"),
        "## 2.1.0",
        "# t\u{2028}## 2.1.0\n\n## 2.0\n",
    );
}

#[test]
fn headings_need_space_and_ascii_digits_around_a_dot() {
    check(
        Some("##1.0\n## 1.\n## 1.x\n## \u{661}.\u{662}\n"),
        "## 3.0.0",
        "##1.0\n\n## 3.0.0\n## 1.\n## 1.x\n## \u{661}.\u{662}\n",
    );
}

#[test]
fn the_entry_is_trimmed_as_javascript_trims() {
    check(
        Some("# p\n\n## 1.0.0\n"),
        "\n\n  ## 1.0.1\n\n- x\n\n",
        "# p\n\n## 1.0.1\n\n- x\n\n## 1.0.0\n",
    );
    check(None, "  \u{a0}## 1.0.0\u{2028}", "# pkg\n\n## 1.0.0\n");
    check(Some("# p\n\n## 1.0.0\n"), "", "# p\n\n\n## 1.0.0\n");
}
