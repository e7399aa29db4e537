//! Every input in `fuzz/regressions/<target>/` (inputs that once found a bug, and the seeds
//! that show each target's shape) through the same check the fuzz target runs.

use arsenic_testbenches::fuzzing;
use std::path::Path;

fn replay(target: &str, mut check: impl FnMut(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/regressions")
        .join(target);
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        let data = std::fs::read(&p).unwrap();
        eprintln!("{target}: {}", p.display());
        check(&data);
        n += 1;
    }
    n
}

#[test]
fn filter_diff_regressions() {
    assert!(replay("filter_diff", fuzzing::filter_diff) >= 1);
}

#[test]
fn capture_regressions() {
    assert!(replay("capture", fuzzing::capture) >= 1);
}

#[test]
fn config_regressions() {
    assert!(replay("config", fuzzing::config) >= 1);
}

#[test]
fn card_regressions() {
    let mut vis = std::collections::BTreeSet::new();
    let n = replay("card", |d| {
        vis.insert(fuzzing::card(d));
    });
    assert!(n >= 4);
    // The seeds reach several VIs and the OS path: the check is not one answer for all.
    assert!(vis.len() >= 3 && vis.contains(&0), "{vis:?}");
}
