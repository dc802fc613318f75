//! A version's section of a CHANGELOG.md, for release notes and release pull requests.

/// The text under the heading of `version` (`## 1.2.0`, `# 1.2.0 (2026-01-02)`, `## v1.2.0`,
/// `## [1.2.0]`) up to the next heading of the same or a higher level, trimmed; `None` when no
/// heading names that version.
pub fn section<'a>(changelog: &'a str, version: &str) -> Option<&'a str> {
    let mut offset = 0;
    let mut start: Option<(usize, usize)> = None;
    for line in changelog.split_inclusive('\n') {
        let level = heading_level(line);
        match (start, level) {
            (None, Some(level)) if names_version(line, level, version) => {
                start = Some((offset + line.len(), level));
            }
            (Some((from, open)), Some(level)) if level <= open => {
                return Some(changelog[from..offset].trim());
            }
            _ => {}
        }
        offset += line.len();
    }
    start.map(|(from, _)| changelog[from..].trim())
}

/// `Some(n)` for a markdown heading of `n` `#`s.
fn heading_level(line: &str) -> Option<usize> {
    let hashes = line.len() - line.trim_start_matches('#').len();
    let rest = &line[hashes..];
    ((1..=6).contains(&hashes) && rest.starts_with([' ', '\t'])).then_some(hashes)
}

fn names_version(line: &str, level: usize, version: &str) -> bool {
    let title = line[level..].trim();
    let title = title.trim_start_matches('[').trim_start_matches('v');
    title
        .strip_prefix(version)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', ']', '\t', '(']))
}

#[cfg(test)]
mod tests {
    use super::section;

    const CHANGELOG: &str = "# core\n\n## 1.2.0\n\n### Minor Changes\n\n- abc1234: New thing\n\n## 1.1.0\n\n### Patch Changes\n\n- def5678: Fix\n";

    #[test]
    fn the_section_of_a_version() {
        assert_eq!(
            section(CHANGELOG, "1.2.0"),
            Some("### Minor Changes\n\n- abc1234: New thing")
        );
        assert_eq!(
            section(CHANGELOG, "1.1.0"),
            Some("### Patch Changes\n\n- def5678: Fix")
        );
        assert_eq!(section(CHANGELOG, "1.2"), None);
        assert_eq!(section(CHANGELOG, "9.9.9"), None);
        assert_eq!(
            section("## [2.0.0] - 2026-01-01\nBig\n# Old\n", "2.0.0"),
            Some("Big")
        );
        assert_eq!(
            section("## v3.0.0-rc.1 (today)\n\nrc\n", "3.0.0-rc.1"),
            Some("rc")
        );
        assert_eq!(section("## 3.0.0-rc.1\n", "3.0.0"), None);
    }
}
