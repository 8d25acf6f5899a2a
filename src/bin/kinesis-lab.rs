//! `kinesis-lab`: the simulation engine on the command line (native only).

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use clap::{Parser, Subcommand};
    use kinesis_lab::engine::metrics::SAMPLE_INTERVAL_DEFAULT;
    use kinesis_lab::engine::rng::Seed;
    use kinesis_lab::engine::runner::{RunOutcome, Runner};
    use kinesis_lab::engine::time::{SimDuration, SimTime};
    use kinesis_lab::engine::{Engine, EngineConfig, Output};
    use std::io::{self, BufWriter, Write};
    use std::process::ExitCode;

    /// Kinesis Lab: a faithful simulation of the Amazon Kinesis family, on the command line.
    #[derive(Parser)]
    #[command(name = "kinesis-lab", version, about, long_about = None)]
    struct Cli {
        #[command(subcommand)]
        command: Command,
    }

    #[derive(Subcommand)]
    enum Command {
        /// Run the engine headless through simulated time and print its metric samples as JSON lines.
        ///
        /// Times are microseconds of simulated time. The last line is the engine's final snapshot.
        /// The same seed always prints the same lines.
        Run {
            /// The seed every random choice descends from.
            #[arg(long, default_value_t = 1)]
            seed: u64,
            /// How much simulated time to run, e.g. 90s, 5m, 2h, 1d.
            #[arg(long, default_value = "60s")]
            until: SimDuration,
            /// Simulated time between metric samples, e.g. 1s, 250ms.
            #[arg(long, default_value_t = SAMPLE_INTERVAL_DEFAULT)]
            sample_interval: SimDuration,
        },
    }

    pub fn main() -> ExitCode {
        let cli = Cli::parse();
        let result = match cli.command {
            Command::Run { seed, until, sample_interval } => run(seed, until, sample_interval),
        };
        match result {
            Ok(()) => ExitCode::SUCCESS,
            // A closed pipe (`| head`) is a normal way to stop reading.
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("kinesis-lab: {e}");
                ExitCode::FAILURE
            }
        }
    }

    fn run(seed: u64, until: SimDuration, sample_interval: SimDuration) -> io::Result<()> {
        if sample_interval.is_zero() {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "--sample-interval must be longer than zero"));
        }
        let config = EngineConfig { seed: Seed(seed), sample_interval };
        let mut runner = Runner::new(Engine::new(config));
        let mut out = BufWriter::new(io::stdout().lock());
        let mut write_error = None;
        let target = SimTime::ZERO + until;
        let outcome = runner.run_until(target, u64::MAX, &mut |output| {
            if write_error.is_some() {
                return;
            }
            let Output::Metrics(sample) = output else { return };
            let line = serde_json::to_string(&sample).expect("samples always serialise");
            if let Err(e) = writeln!(out, "{line}") {
                write_error = Some(e);
            }
        });
        if let Some(e) = write_error {
            return Err(e);
        }
        debug_assert_eq!(outcome, RunOutcome::Reached);
        let snapshot = serde_json::to_string(&runner.engine().snapshot()).expect("snapshots always serialise");
        writeln!(out, "{{\"snapshot\":{snapshot}}}")?;
        out.flush()
    }
}

fn main() -> std::process::ExitCode {
    #[cfg(not(target_arch = "wasm32"))]
    return cli::main();
    #[cfg(target_arch = "wasm32")]
    std::process::ExitCode::SUCCESS
}
