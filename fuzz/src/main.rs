//! `make fuzz`: a million generated inputs (or `--inputs N`) to each of the webhook path, the
//! report filter and the CSV code; prints what it tried and exits non-zero on any finding.
use std::time::Instant;

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let mut inputs: u64 = 1_000_000;
    let mut seed: u64 = 0x1c_0ffe;
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next().and_then(|v| v.parse().ok())) {
            ("--inputs", Some(n)) => inputs = n,
            ("--seed", Some(s)) => seed = s,
            _ => {
                eprintln!("usage: fuzz [--inputs N] [--seed S]");
                return std::process::ExitCode::from(2);
            }
        }
    }
    // A panic is a finding, counted and reported once at the end, not a trace per input.
    std::panic::set_hook(Box::new(|_| {}));
    let mut clean = true;
    for (name, run) in [
        ("webhook path (signature, JSON, events)", fuzz::webhook as fn(u64, u64) -> fuzz::Findings),
        ("report filter", fuzz::report_filter),
        ("CSV", fuzz::csv),
    ] {
        let started = Instant::now();
        let findings = run(seed, inputs);
        println!(
            "{name}: {} inputs in {:.1} s (seed {seed}), {} panics, {} broken properties",
            findings.inputs,
            started.elapsed().as_secs_f64(),
            findings.panics,
            findings.failed
        );
        for failure in &findings.failures {
            println!("  {failure}");
        }
        clean &= findings.clean();
    }
    if clean {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}
