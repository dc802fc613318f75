//! Version arithmetic: node-semver's `inc`, pre-release counters and snapshot suffixes.

use std::cmp::Ordering;

use semver::{BuildMetadata, Prerelease, Version};

use super::{PlanError, SnapshotRequest};
use crate::Bump;

/// node-semver's `inc(version, bump)` (`none` returns the version unchanged).
///
/// A pre-release is first "finished": `1.0.1-next.0` + patch is `1.0.1`, `1.1.0-next.3` + minor is
/// `1.1.0`, `2.0.0-next.0` + major is `2.0.0`, but `1.0.1-next.0` + major is `2.0.0`. 0.x versions
/// get no special handling. Build metadata is dropped.
pub(crate) fn inc(version: &Version, bump: Bump) -> Version {
    let mut v = version.clone();
    let pre = !v.pre.is_empty();
    match bump {
        Bump::None => return v,
        Bump::Major => {
            if v.minor != 0 || v.patch != 0 || !pre {
                v.major += 1;
            }
            v.minor = 0;
            v.patch = 0;
        }
        Bump::Minor => {
            if v.patch != 0 || !pre {
                v.minor += 1;
            }
            v.patch = 0;
        }
        Bump::Patch => {
            if !pre {
                v.patch += 1;
            }
        }
    }
    v.pre = Prerelease::EMPTY;
    v.build = BuildMetadata::EMPTY;
    v
}

/// node-semver's precedence (build metadata ignored).
pub(super) fn compare(a: &Version, b: &Version) -> Ordering {
    (a.major, a.minor, a.patch, &a.pre).cmp(&(b.major, b.minor, b.patch, &b.pre))
}

/// Changesets' `getPreVersion`: the pre-release counter that comes after `version`
/// (`prerelease[1] + 1`, or `0` when there is no second identifier).
pub(super) fn next_pre_number(version: &Version) -> Result<u64, PlanError> {
    match version.pre.as_str().split('.').nth(1) {
        None => Ok(0),
        Some(id) if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) => id
            .parse::<u64>()
            .map(|n| n + 1)
            .map_err(|_| not_a_number(version)),
        Some(_) => Err(not_a_number(version)),
    }
}

fn not_a_number(version: &Version) -> PlanError {
    PlanError::Input(cargo_relflow_sync::InputError::new(format!(
        "preVersion is not a number: the pre-release counter of {version} must be a number"
    )))
}

/// Appends `-<tag>.<n>` to a version without pre-release.
pub(super) fn with_pre(mut version: Version, tag: &str, n: u64) -> Version {
    version.pre = Prerelease::new(&format!("{tag}.{n}")).unwrap_or(Prerelease::EMPTY);
    version
}

/// Changesets' `getSnapshotSuffix`. An empty result means "no snapshot" (Changesets tests the
/// suffix for truthiness).
pub(super) fn snapshot_suffix(
    template: Option<&str>,
    request: &SnapshotRequest,
) -> Result<String, PlanError> {
    let datetime = datetime(request.now_millis);
    let template = match template {
        Some(t) if !t.is_empty() => t,
        _ => {
            let parts: Vec<&str> = [request.tag.as_deref().unwrap_or(""), datetime.as_str()]
                .into_iter()
                .filter(|p| !p.is_empty())
                .collect();
            return Ok(parts.join("-"));
        }
    };
    if let Some(tag) = &request.tag {
        if !template.contains("{tag}") {
            return Err(PlanError::Snapshot(format!(
                "Failed to compose snapshot version: \"{{tag}}\" placeholder is missing, but the snapshot parameter is defined (value: '{tag}')"
            )));
        }
    }
    let short = request
        .commit
        .as_ref()
        .map(|c| c.chars().take(7).collect::<String>());
    let values: [(&str, Option<String>); 5] = [
        ("commit", request.commit.clone()),
        ("commit-short", short),
        ("tag", request.tag.clone()),
        ("timestamp", Some(request.now_millis.to_string())),
        ("datetime", Some(datetime)),
    ];
    let mut out = template.to_owned();
    for (key, value) in values {
        let placeholder = format!("{{{key}}}");
        if !out.contains(&placeholder) {
            continue;
        }
        let Some(value) = value else {
            return Err(PlanError::Snapshot(format!(
                "Failed to compose snapshot version: \"{placeholder}\" placeholder is used without having a value defined!"
            )));
        };
        out = out.replace(&placeholder, &value);
    }
    Ok(out)
}

/// The UTC time as `YYYYMMDDHHMMSS` (an ISO date without milliseconds, digits only).
pub(super) fn datetime(millis: u64) -> String {
    let secs = millis / 1000;
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}{m:02}{d:02}{:02}{:02}{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Howard Hinnant's days-to-civil algorithm.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn inc_like_node_semver() {
        let cases = [
            ("1.0.1-next.0", Bump::Patch, "1.0.1"),
            ("1.1.0-next.3", Bump::Minor, "1.1.0"),
            ("2.0.0-next.0", Bump::Minor, "2.0.0"),
            ("2.0.0-next.0", Bump::Major, "2.0.0"),
            ("1.0.1-next.0", Bump::Major, "2.0.0"),
            ("1.0.1-next.0", Bump::Minor, "1.1.0"),
            ("0.1.0", Bump::Major, "1.0.0"),
            ("0.1.0", Bump::Minor, "0.2.0"),
            ("1.2.3+build", Bump::Patch, "1.2.4"),
            ("1.2.3+build", Bump::None, "1.2.3+build"),
        ];
        for (from, bump, to) in cases {
            assert_eq!(inc(&v(from), bump), v(to), "{from} {bump}");
        }
    }

    #[test]
    fn pre_numbers() {
        assert_eq!(next_pre_number(&v("1.0.0")).unwrap(), 0);
        assert_eq!(next_pre_number(&v("1.0.0-next.4")).unwrap(), 5);
        assert_eq!(next_pre_number(&v("1.0.0-beta")).unwrap(), 0);
        assert!(next_pre_number(&v("1.0.0-beta.x")).is_err());
    }

    #[test]
    fn snapshot_templates() {
        // V4: the date is 2021-12-13T00:07:30.879Z.
        let request = |tag: Option<&str>| SnapshotRequest {
            tag: tag.map(str::to_owned),
            commit: Some("abcdef1234567".to_owned()),
            now_millis: 1_639_354_050_879,
        };
        let ok = |t: Option<&str>, tag| snapshot_suffix(t, &request(tag)).unwrap();
        assert_eq!(ok(Some("{tag}"), Some("test")), "test");
        assert_eq!(ok(Some("{tag}-{tag}"), Some("test")), "test-test");
        assert_eq!(ok(Some("{timestamp}"), None), "1639354050879");
        assert_eq!(ok(Some("{datetime}"), None), "20211213000730");
        assert_eq!(
            ok(Some("{datetime}-{tag}"), Some("alpha")),
            "20211213000730-alpha"
        );
        assert_eq!(ok(None, Some("canary")), "canary-20211213000730");
        assert_eq!(ok(None, None), "20211213000730");
        assert_eq!(ok(Some("{commit}"), None), "abcdef1234567");
        assert_eq!(ok(Some("{commit-short}"), None), "abcdef1");
        assert_eq!(
            snapshot_suffix(Some("{tag}"), &request(None))
                .unwrap_err()
                .to_string(),
            "Failed to compose snapshot version: \"{tag}\" placeholder is used without having a value defined!"
        );
        assert_eq!(
            snapshot_suffix(Some("{datetime}"), &request(Some("test")))
                .unwrap_err()
                .to_string(),
            "Failed to compose snapshot version: \"{tag}\" placeholder is missing, but the snapshot parameter is defined (value: 'test')"
        );
        let no_commit = SnapshotRequest {
            commit: None,
            ..request(None)
        };
        assert_eq!(
            snapshot_suffix(Some("{commit-short}"), &no_commit)
                .unwrap_err()
                .to_string(),
            "Failed to compose snapshot version: \"{commit-short}\" placeholder is used without having a value defined!"
        );
    }

    #[test]
    fn datetimes() {
        assert_eq!(datetime(0), "19700101000000");
        assert_eq!(datetime(951_782_400_000), "20000229000000");
    }
}
