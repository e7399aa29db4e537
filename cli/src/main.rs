//! `arsenic`: parses the command line and dispatches; the work lives in the library crates.

mod app;
mod synth;

fn main() {
    std::process::exit(app::run(<app::Cli as clap::Parser>::parse()));
}
