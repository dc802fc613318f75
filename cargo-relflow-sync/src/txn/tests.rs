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
    // No temp file, backup or journal is left: the tree is exactly as before.
    assert_eq!(tree(&root), before);
}

/// Stages and applies the first `applied` entries of `txn` by hand, as a killed process would
/// leave them: journal written, some files renamed, the rest staged or not.
fn interrupt(txn: &Transaction, journal: &Utf8Path, staged: usize, applied: usize) {
    let pid = 4242;
    let (entries, texts) = txn.entries(pid).unwrap();
    journal::write(journal, pid, &entries).unwrap();
    for (entry, text) in entries.iter().zip(&texts).take(staged) {
        stage_one(entry, *text).unwrap();
    }
    for entry in entries.iter().take(applied) {
        apply_one(entry).unwrap();
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
    txn.write(root.join("a.txt"), "new a");
    txn.write(root.join("new/c.txt"), "c");
    txn.remove(root.join("gone.md"));
    for staged in 0..=3 {
        for applied in 0..=staged {
            interrupt(&txn, &journal, staged, applied);
            let recovered = recover(&journal).unwrap();
            assert_eq!(
                recovered,
                Some(Recovered::RolledBack {
                    pid: 4242,
                    files: 3
                })
            );
            assert_eq!(tree(&root), before, "staged {staged}, applied {applied}");
            assert_eq!(recover(&journal).unwrap(), None);
        }
    }
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
    interrupt(&txn, &journal, 2, 2);
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
