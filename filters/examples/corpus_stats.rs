//! Prints, for every expression of the test corpus, how it sits in the card's tables:
//! `cargo run --release -p arsenic-filters --example corpus_stats`.
use arsenic_filters::corpus::CORPUS;
use arsenic_filters::{compile, parse, Compiled};

fn main() {
    let (mut flows, mut rules, mut terms, mut lits, mut max_t, mut max_l) = (0, 0, 0, 0, 0, 0);
    println!("| expression | form | terms | literals |\n| --- | --- | --- | --- |");
    for e in CORPUS {
        let c = compile(&parse(e).expect("corpus parses")).expect("corpus compiles");
        let (t, l, _) = c.usage();
        match c {
            Compiled::Flow(k) => {
                flows += 1;
                println!("| `{e}` | exact flow ({k}) | 0 | 0 |");
            }
            Compiled::Rules(_) => {
                rules += 1;
                terms += t;
                lits += l;
                max_t = max_t.max(t);
                max_l = max_l.max(l);
                println!("| `{e}` | masked rules | {t} | {l} |");
            }
        }
    }
    println!(
        "\n{} expressions: {flows} exact flows, {rules} masked-rule filters; terms per filter mean {:.2}, max {max_t}; literals mean {:.2}, max {max_l}",
        CORPUS.len(),
        terms as f64 / rules as f64,
        lits as f64 / rules as f64
    );
}
