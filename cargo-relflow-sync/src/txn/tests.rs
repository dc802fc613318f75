use super::*;

fn temp_root() -> (tempfile::TempDir, Utf8PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = Utf8PathBuf::from_path_buf(dir.path().canonicalize().unwrap()).unwrap();
    (dir, root)
}

fn read(path: &Utf8Path) -> String {
    fs::read_to_string(path).unwrap()
}

/// Every file under `root`, with its text.
fn tree(root: &Utf8Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = walk(root)
        .into_iter()
        .map(|p| (p.strip_prefix(root).unwrap().to_string(), read(&p)))
        .collect();
    files.sort();
    files
}

fn walk(dir: &Utf8Path) -> Vec<Utf8PathBuf> {
    let mut out = Vec::new();
    for entry in dir.read_dir_utf8().unwrap() {
        let path = entry.unwrap().path().to_owned();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn commits_all_or_restores_all() {
    let (_dir, root) = temp_root();
    let journal = root.join("state/relflow-txn");
    fs::write(root.join("a.txt"), "old a").unwrap();
    let mut txn = Transaction::new();
    txn.write(root.join("a.txt"), "new a");
    txn.write(root.join("sub/b.txt"), "new b");
    txn.commit(&journal).unwrap();
    assert_eq!(read(&root.join("a.txt")), "new a");
    assert_eq!(read(&root.join("sub/b.txt")), "new b");
    assert!(!journal.exists());

    // The third write fails (its parent is a file), so the others are rolled back.
    let before = tree(&root);
    let mut txn = Transaction::new();
    txn.write(root.join("a.txt"), "newer a");
    txn.write(root.join("c.txt"), "c");
    txn.remove(root.join("sub/b.txt"));
    txn.write(root.join("a.txt/inside"), "impossible");
    let err = txn.commit(&journal).unwrap_err();
    assert!(matches!(err, CommitError::Failed { .. }), "{err}");
    // No journal is left: the tree is exactly as before.
    assert_eq!(tree(&root), before);
}

/// Leaves what a process killed in the middle of a commit would: the journal written, the first
/// `applied` files changed, the next one half-written, the rest untouched.
fn interrupt(txn: &Transaction, journal: &Utf8Path, applied: usize) {
    let Files { targets, texts, .. } = txn.files().unwrap();
    let entries: Vec<Entry> = targets
        .iter()
        .map(|(target, change)| Entry {
            target: target.clone(),
            change: *change,
            original: (*change != Change::Create).then(|| fs::read(target).unwrap()),
        })
        .collect();
    journal::write(journal, 4242, &entries).unwrap();
    for (at, ((target, change), text)) in targets.iter().zip(&texts).enumerate() {
        let text = text.unwrap_or_default();
        match (at.cmp(&applied), change) {
            (std::cmp::Ordering::Less, Change::Remove) => fs::remove_file(target).unwrap(),
            (std::cmp::Ordering::Less, _) => write_one(target, *change, text).unwrap(),
            (std::cmp::Ordering::Equal, Change::Rewrite | Change::Create) => {
                write_one(target, *change, &text[..text.len() / 2]).unwrap()
            }
            _ => {}
        }
    }
}

#[test]
fn recover_rolls_back_every_interrupted_point() {
    let (_dir, root) = temp_root();
    let journal = root.join("state/relflow-txn");
    fs::write(root.join("a.txt"), "old a").unwrap();
    fs::write(root.join("gone.md"), "changeset").unwrap();
    let before = tree(&root);
    let mut txn = Transaction::new();
    txn.write(root.join("a.txt"), "new a, longer than the old one");
    txn.write(root.join("new/c.txt"), "c");
    txn.remove(root.join("gone.md"));
    for applied in 0..=3 {
        interrupt(&txn, &journal, applied);
        assert_ne!(tree(&root), before, "applied {applied}");
        let recovered = recover(&journal).unwrap();
        assert_eq!(
            recovered,
            Some(Recovered::RolledBack {
                pid: 4242,
                files: 3
            })
        );
        // `new/` stays, empty: folders are not part of the journal.
        let restored: Vec<_> = tree(&root);
        assert_eq!(restored, before, "applied {applied}");
        assert_eq!(recover(&journal).unwrap(), None);
    }
}

#[test]
fn a_second_rollback_after_a_failed_one_restores_the_rest() {
    let (_dir, root) = temp_root();
    let journal = root.join("state/relflow-txn");
    fs::write(root.join("a.txt"), "old a").unwrap();
    fs::write(root.join("b.txt"), "old b").unwrap();
    let before = tree(&root);
    let mut txn = Transaction::new();
    txn.write(root.join("a.txt"), "new a");
    txn.write(root.join("b.txt"), "new b");
    interrupt(&txn, &journal, 2);
    // A rollback that stops half-way (here: one file restored by hand) can run again.
    fs::write(root.join("b.txt"), "old b").unwrap();
    assert!(recover(&journal).unwrap().is_some());
    assert_eq!(tree(&root), before);
}

#[test]
fn recover_finishes_a_committed_journal() {
    let (_dir, root) = temp_root();
    let journal = root.join("state/relflow-txn");
    fs::write(root.join("a.txt"), "old a").unwrap();
    fs::write(root.join("gone.md"), "changeset").unwrap();
    let mut txn = Transaction::new();
    txn.write(root.join("a.txt"), "new a");
    txn.remove(root.join("gone.md"));
    interrupt(&txn, &journal, 2);
    journal::mark_committed(&journal).unwrap();
    assert_eq!(
        recover(&journal).unwrap(),
        Some(Recovered::Finished {
            pid: 4242,
            files: 2
        })
    );
    assert_eq!(tree(&root), [("a.txt".to_owned(), "new a".to_owned())]);
}

#[cfg(unix)]
#[test]
fn writes_through_symlinks() {
    let (_dir, root) = temp_root();
    fs::create_dir_all(root.join("real")).unwrap();
    fs::write(root.join("real/CHANGELOG.md"), "old").unwrap();
    std::os::unix::fs::symlink("real/CHANGELOG.md", root.join("CHANGELOG.md")).unwrap();
    let mut txn = Transaction::new();
    txn.write(root.join("CHANGELOG.md"), "new");
    txn.commit(&root.join("relflow-txn")).unwrap();
    assert!(fs::symlink_metadata(root.join("CHANGELOG.md"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(read(&root.join("real/CHANGELOG.md")), "new");
}

#[test]
fn a_shorter_text_leaves_no_tail_and_known_originals_are_restored() {
    let (_dir, root) = temp_root();
    let journal = root.join("state/relflow-txn");
    fs::write(root.join("long.txt"), "a long original text").unwrap();
    fs::write(root.join("gone.md"), "changeset").unwrap();
    let mut txn = Transaction::new();
    txn.write_over(
        root.join("long.txt"),
        Some("a long original text".into()),
        "short",
    );
    txn.remove_read(root.join("gone.md"), "changeset".into());
    txn.commit(&journal).unwrap();
    assert_eq!(tree(&root), [("long.txt".to_owned(), "short".to_owned())]);

    // The originals handed over are what a failed commit writes back.
    let before = tree(&root);
    let mut txn = Transaction::new();
    txn.write_over(
        root.join("long.txt"),
        Some("short".into()),
        "a longer text again",
    );
    txn.write_over(root.join("new.txt"), None, "new");
    // Its folder is a file: this write fails after the two before it were made.
    txn.write_over(root.join("long.txt/inside"), None, "impossible");
    let err = txn.commit(&journal).unwrap_err();
    assert!(matches!(err, CommitError::Failed { .. }), "{err}");
    assert_eq!(tree(&root), before);
}
