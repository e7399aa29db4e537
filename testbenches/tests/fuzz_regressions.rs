//! Every input in `fuzz/regressions/<target>/` (inputs that once found a bug, and the seeds
//! that show each target's shape) through the same check the fuzz target runs.

use arsenic_testbenches::fuzzing;
use std::path::Path;

fn replay(target: &str, check: fn(&[u8])) -> usize {
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
