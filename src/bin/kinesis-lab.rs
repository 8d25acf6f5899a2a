//! `kinesis-lab`: the simulation engine on the command line (native only).

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
mod cli {
    use clap::{Parser, Subcommand};
    use kinesis_lab::api::replay::Replay;
    use kinesis_lab::bench::{self, IngestSpec};
    use kinesis_lab::engine::kds::settings::KdsSettings;
    use kinesis_lab::engine::kds::shard::Detail;
    use kinesis_lab::engine::rng::Seed;
    use kinesis_lab::engine::scenario::presets;
    use kinesis_lab::engine::scenario::run::run as scenario_run;
    use kinesis_lab::engine::scenario::{compile, Scenario};
    use kinesis_lab::engine::time::SimDuration;
    use kinesis_lab::engine::EngineConfig;
    use std::io::{self, BufRead, BufWriter, Write};
    use std::path::PathBuf;
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
        /// Replay AWS requests, one JSON object per stdin line, against a fresh simulated account.
        ///
        /// Each line: {"at_ms": <simulated ms since start, non-decreasing>, "service": "kinesis",
        /// "action": "<AWS action>", "input": {<request body; Data in base64>}}. Each line gets exactly
        /// one stdout line: {"at_ms", "action", "output": {…}} or {"at_ms", "action", "error":
        /// {"__type", "message"}}. Bad lines get an error line and the replay goes on.
        Api {
            /// The seed every random choice descends from.
            #[arg(long, default_value_t = 1)]
            seed: u64,
            /// The 12-digit account id in ARNs and messages.
            #[arg(long)]
            account: Option<String>,
            /// The region in ARNs and messages.
            #[arg(long)]
            region: Option<String>,
            /// The wall clock at simulated time zero, in epoch milliseconds.
            #[arg(long)]
            epoch_ms: Option<u64>,
            /// A JSON file of account settings (durations, quotas, the spec's [M] facts); flags override it.
            #[arg(long)]
            settings: Option<PathBuf>,
        },
        /// Run a Kinesis Data Analytics application over input rows and print every emitted row.
        ///
        /// Input: one {"rowtime_ms": <arrival/processing time>, "row": {…}} per line, rowtime_ms
        /// non-decreasing. Output: one {"stream", "rowtime_ms", "row"} per emitted row, error_stream rows
        /// included; at the end every open window closes. A parse or validation error prints its line
        /// and column and exits 1; bad input rows exit 2.
        Analytics {
            /// The application's SQL code.
            #[arg(long, conflicts_with = "pipeline", required_unless_present = "pipeline")]
            sql: Option<PathBuf>,
            /// A Flink-style pipeline (JSON).
            #[arg(long)]
            pipeline: Option<PathBuf>,
            /// The input rows (JSON lines); `-` for stdin.
            #[arg(long)]
            input: PathBuf,
            /// The input schema as KDA gives it ({"RecordColumns": [{"Name", "SqlType", "Mapping"}]});
            /// without it the schema is discovered from the first 100 rows and printed to stderr.
            #[arg(long)]
            schema: Option<PathBuf>,
            /// A reference table: {"TableName", "ReferenceSchema": {"RecordColumns": […]}, "Rows": [{…}]}.
            #[arg(long)]
            reference: Option<PathBuf>,
            /// With --pipeline: the job fails at this processing time and restores its last checkpoint.
            #[arg(long)]
            fail_at_ms: Option<i64>,
        },
        /// Benchmark ingest: PutRecords of 100-byte records with distinct 16-byte keys into a 1,000-shard
        /// stream at 90 % of its write capacity; prints engine records/s, MD5-only keys/s and their ratio,
        /// and the memory a stored record costs, as JSON. With --scenario, time whole scenario runs instead.
        Bench {
            /// Time these scenario files (or presets) from start to end instead of the ingest benchmark.
            #[arg(long)]
            scenario: Vec<String>,
            /// Time the Firehose pipeline instead: Direct PUT → Lambda transform → GZIP → S3, for --records.
            #[arg(long)]
            firehose: bool,
            /// Time the analytics engine instead: a keyed event-time tumbling count over 10,000 keys.
            #[arg(long)]
            analytics: bool,
            /// Records in the timed run.
            #[arg(long, default_value_t = 2_000_000)]
            records: usize,
            /// Shards in the stream.
            #[arg(long, default_value_t = 1_000)]
            shards: u32,
        },
        /// Size a stream: the shard-count formula of the AWS guide and the complete estimator (write
        /// bytes, write records, shared read bytes and calls, headroom), the hot-key check, the
        /// UpdateShardCount steps, the monthly cost — then a check by simulation at the answer and at one
        /// shard fewer, reporting throttling and iterator age for both.
        Plan(PlanArgs),
        /// Run a scenario headless: a scenario file (JSON) or a built-in preset's name.
        ///
        /// Prints the run's summary as JSON (throttled records, iterator ages, records lost to
        /// retention, duplicates, cost estimate). `--series` writes the metric series, one row per
        /// sample interval, as CSV or JSON lines. The same scenario and seed always give the same output.
        Run {
            /// A scenario file, or a preset name (see --list).
            scenario: Option<String>,
            /// List the built-in presets and exit.
            #[arg(long)]
            list: bool,
            /// Write the metric series here (`-` for stdout; the summary then goes to stderr).
            #[arg(long)]
            series: Option<PathBuf>,
            /// The series format.
            #[arg(long, value_enum, default_value_t = SeriesFormat::Csv)]
            format: SeriesFormat,
            /// Write the summary here instead of printing it.
            #[arg(long)]
            summary: Option<PathBuf>,
            /// Override the scenario's seed.
            #[arg(long)]
            seed: Option<u64>,
            /// Override the scenario's duration, e.g. 90s, 5m, 2h, 1d.
            #[arg(long)]
            duration: Option<SimDuration>,
            /// Override the scenario's detail: records (every record kept) or runs (fast-forward).
            #[arg(long, value_enum)]
            detail: Option<DetailArg>,
        },
    }

    /// The capacity planner's inputs on the command line (a design file may give them instead).
    #[derive(clap::Args)]
    struct PlanArgs {
        /// A design as JSON (the fields below, snake_case, plus prices); flags override it.
        #[arg(long)]
        design: Option<PathBuf>,
        /// Peak user records per second.
        #[arg(long)]
        records_per_second: Option<f64>,
        /// Average bytes per user record, data plus partition key.
        #[arg(long)]
        record_bytes: Option<u32>,
        /// Shared-throughput (GetRecords) consumer applications.
        #[arg(long)]
        consumers: Option<u32>,
        /// GetRecords calls per second each polling consumer makes per shard.
        #[arg(long)]
        polls_per_second: Option<f64>,
        /// Enhanced fan-out consumers.
        #[arg(long)]
        efo_consumers: Option<u32>,
        /// The share of capacity to plan for, in (0, 1] (0.8 leaves 20 % spare).
        #[arg(long)]
        headroom: Option<f64>,
        /// The share of records carrying the most frequent partition key.
        #[arg(long)]
        hot_key_share: Option<f64>,
        /// Producers aggregate with the KPL.
        #[arg(long)]
        kpl: bool,
        /// The stream's shards today, to plan the UpdateShardCount steps from.
        #[arg(long)]
        current_shards: Option<u32>,
        /// Retention in hours, for the cost.
        #[arg(long)]
        retention_hours: Option<u32>,
        /// Skip the check by simulation.
        #[arg(long)]
        no_check: bool,
        /// Simulated time of each check run, e.g. 10m.
        #[arg(long, default_value = "10m")]
        check_duration: SimDuration,
        /// The check's seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    }

    #[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
    enum SeriesFormat {
        /// Comma-separated values with a header row.
        Csv,
        /// One JSON object per line.
        Jsonl,
    }

    #[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
    enum DetailArg {
        /// Every record kept with its body.
        Records,
        /// Runs of equal records (fast-forward).
        Runs,
    }

    pub fn main() -> ExitCode {
        let cli = Cli::parse();
        let result = match cli.command {
            Command::Api { seed, account, region, epoch_ms, settings } => {
                api(seed, account, region, epoch_ms, settings)
            }
            Command::Run { scenario, list, series, format, summary, seed, duration, detail } => {
                if list {
                    list_presets()
                } else {
                    let overrides = Overrides { seed, duration, detail };
                    run(scenario, series, format, summary, overrides)
                }
            }
            Command::Plan(args) => plan(args),
            Command::Analytics { sql, pipeline, input, schema, reference, fail_at_ms } => {
                return analytics(sql, pipeline, input, schema, reference, fail_at_ms);
            }
            Command::Bench { scenario, .. } if !scenario.is_empty() => bench_scenarios(&scenario),
            Command::Bench { firehose: true, records, .. } => bench_firehose(records),
            Command::Bench { analytics: true, records, .. } => bench_analytics(records),
            Command::Bench { records, shards, .. } => bench_cmd(records, shards),
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

    fn analytics(
        sql: Option<PathBuf>,
        pipeline: Option<PathBuf>,
        input: PathBuf,
        schema: Option<PathBuf>,
        reference: Option<PathBuf>,
        fail_at_ms: Option<i64>,
    ) -> ExitCode {
        use kinesis_lab::engine::analytics::batch::{run_pipeline, run_sql, BatchError};
        let fail = |code: u8, message: String| {
            eprintln!("kinesis-lab analytics: {message}");
            ExitCode::from(code)
        };
        let read = |p: &PathBuf| -> Result<String, String> {
            if p.as_os_str() == "-" {
                io::read_to_string(io::stdin()).map_err(|e| format!("stdin: {e}"))
            } else {
                std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))
            }
        };
        let json = |p: &Option<PathBuf>| -> Result<Option<serde_json::Value>, String> {
            p.as_ref()
                .map(|p| {
                    read(p)
                        .and_then(|t| serde_json::from_str(&t).map_err(|e| format!("{}: not JSON: {e}", p.display())))
                })
                .transpose()
        };
        let stdout = io::stdout();
        let mut out = BufWriter::new(stdout.lock());
        let done = |out: &mut BufWriter<io::StdoutLock>| match out.flush() {
            Err(e) if e.kind() != io::ErrorKind::BrokenPipe => fail(2, e.to_string()),
            _ => ExitCode::SUCCESS,
        };
        if let Some(p) = pipeline {
            let (spec, rows) = match (json(&Some(p)), read(&input)) {
                (Ok(s), Ok(r)) => (s.unwrap_or_default(), r),
                (Err(e), _) | (_, Err(e)) => return fail(2, e),
            };
            return match run_pipeline(&spec, &rows, fail_at_ms, &mut out) {
                Ok(job) => {
                    let c = job.counters;
                    eprintln!(
                        "numRecordsIn {} · numRecordsOut {} · numLateRecordsDropped {} · late to side output {} · checkpoints {} · fullRestarts {}",
                        c.num_records_in, c.num_records_out, c.num_late_records_dropped, c.late_to_side_output, job.checkpoints.len(), c.full_restarts
                    );
                    done(&mut out)
                }
                Err(BatchError::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
                Err(e @ BatchError::Pipeline(_)) => fail(1, e.to_string()),
                Err(e) => fail(2, e.to_string()),
            };
        }
        let Some(sql) = sql else { return fail(2, "give --sql or --pipeline".into()) };
        let (code, rows, schema_json, reference_json) =
            match (read(&sql), read(&input), json(&schema), json(&reference)) {
                (Ok(c), Ok(r), Ok(s), Ok(f)) => (c, r, s, f),
                (Err(e), ..) | (_, Err(e), ..) | (_, _, Err(e), _) | (_, _, _, Err(e)) => return fail(2, e),
            };
        match run_sql(&code, schema_json.as_ref(), reference_json.as_ref(), &rows, &mut out) {
            Ok(discovered) => {
                if let Some(s) = discovered {
                    eprintln!("discovered input schema: {}", s.to_json());
                }
                done(&mut out)
            }
            Err(BatchError::Sql(e)) => fail(1, format!("{}: {e}", sql.display())),
            Err(BatchError::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
            Err(e) => fail(2, e.to_string()),
        }
    }

    fn api(
        seed: u64,
        account: Option<String>,
        region: Option<String>,
        epoch_ms: Option<u64>,
        settings: Option<PathBuf>,
    ) -> io::Result<()> {
        let invalid = |text: String| io::Error::new(io::ErrorKind::InvalidInput, text);
        // The account's settings are the Kinesis ones at the top level, with optional "firehose" and "s3"
        // objects for those services.
        let (mut kds, firehose, s3) = match settings {
            None => Default::default(),
            Some(path) => {
                let text = std::fs::read_to_string(&path).map_err(|e| invalid(format!("{}: {e}", path.display())))?;
                let bad = |e: serde_json::Error| invalid(format!("{}: {e}", path.display()));
                let mut all: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text).map_err(bad)?;
                let firehose = all.remove("firehose").map(serde_json::from_value).transpose().map_err(bad)?;
                let s3 = all.remove("s3").map(serde_json::from_value).transpose().map_err(bad)?;
                let kds: KdsSettings = serde_json::from_value(all.into()).map_err(bad)?;
                (kds, firehose.unwrap_or_default(), s3.unwrap_or_default())
            }
        };
        kds.account_id = account.unwrap_or(kds.account_id);
        kds.region = region.unwrap_or(kds.region);
        kds.epoch_ms = epoch_ms.unwrap_or(kds.epoch_ms);
        if let Some(problem) = kds.problem() {
            return Err(invalid(problem));
        }
        let config = EngineConfig { kds, firehose, s3, ..EngineConfig::with_seed(Seed(seed)) };
        let mut replay = Replay::new(config);
        let mut out = BufWriter::new(io::stdout().lock());
        for line in io::stdin().lock().lines() {
            for answer in replay.handle_line(&line?) {
                writeln!(out, "{answer}")?;
            }
        }
        for answer in replay.finish() {
            writeln!(out, "{answer}")?;
        }
        out.flush()
    }

    fn bench_scenarios(names: &[String]) -> io::Result<()> {
        // The bench harness, not the engine, reads the wall clock.
        #[allow(clippy::disallowed_methods)]
        let started = std::time::Instant::now();
        let clock = move || started.elapsed().as_secs_f64();
        let mut reports = Vec::new();
        for name in names {
            let plan = compile(&load_scenario(name)?).map_err(|e| invalid(format!("{name}: {e}")))?;
            reports.push(bench::scenario(plan, &clock));
        }
        let report = serde_json::json!({"target": std::env::consts::ARCH, "scenarios": reports});
        println!("{}", serde_json::to_string_pretty(&report).expect("reports serialise"));
        Ok(())
    }

    fn plan(a: PlanArgs) -> io::Result<()> {
        use kinesis_lab::planner::{check, sizing};
        let mut d = match &a.design {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| invalid(format!("{}: {e}", path.display())))?;
                serde_json::from_str::<sizing::Design>(&text)
                    .map_err(|e| invalid(format!("{}: {e}", path.display())))?
            }
            None => {
                let missing = |flag: &str| invalid(format!("give --{flag} (or a --design file)"));
                let rate = a.records_per_second.ok_or_else(|| missing("records-per-second"))?;
                sizing::Design::new(rate, a.record_bytes.ok_or_else(|| missing("record-bytes"))?)
            }
        };
        d.records_per_second = a.records_per_second.unwrap_or(d.records_per_second);
        d.record_bytes = a.record_bytes.unwrap_or(d.record_bytes);
        d.polling_consumers = a.consumers.unwrap_or(d.polling_consumers);
        d.polls_per_second = a.polls_per_second.unwrap_or(d.polls_per_second);
        d.efo_consumers = a.efo_consumers.unwrap_or(d.efo_consumers);
        d.headroom = a.headroom.unwrap_or(d.headroom);
        d.hottest_key_share = a.hot_key_share.or(d.hottest_key_share);
        d.kpl |= a.kpl;
        d.current_shards = a.current_shards.or(d.current_shards);
        d.retention_hours = a.retention_hours.unwrap_or(d.retention_hours);
        d.validate().map_err(invalid)?;
        let sized = sizing::size(&d);
        let settings = check::CheckSettings {
            duration_s: a.check_duration.as_secs_f64(),
            seed: a.seed,
            ..check::CheckSettings::default()
        };
        let checked = if a.no_check { None } else { Some(check::check(&d, &sized, settings).map_err(invalid)?) };
        if a.json {
            let report = serde_json::json!({"design": d, "sizing": sized, "check": checked});
            println!("{}", serde_json::to_string_pretty(&report).expect("reports serialise"));
        } else {
            print!("{}", kinesis_lab::planner::report::text(&d, &sized, checked.as_ref()));
        }
        Ok(())
    }

    fn invalid(text: String) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidInput, text)
    }

    /// A preset by name, or a scenario file.
    fn load_scenario(which: &str) -> io::Result<Scenario> {
        let text = match presets::find(which) {
            Some(preset) => preset.json.to_string(),
            None if which.ends_with(".json") || std::path::Path::new(which).exists() => {
                std::fs::read_to_string(which).map_err(|e| invalid(format!("{which}: {e}")))?
            }
            None => {
                return Err(invalid(format!(
                    "{which}: no such preset or file (kinesis-lab run --list shows the presets)"
                )))
            }
        };
        Scenario::from_json(&text).map_err(|e| invalid(format!("{which}: {e}")))
    }

    fn bench_analytics(records: usize) -> io::Result<()> {
        // The bench harness, not the engine, reads the wall clock.
        #[allow(clippy::disallowed_methods)]
        let started = std::time::Instant::now();
        let clock = move || started.elapsed().as_secs_f64();
        let report = bench::analytics::keyed_tumbling_count(records, 10_000, &clock);
        let report = serde_json::json!({"target": std::env::consts::ARCH, "analytics": report});
        println!("{}", serde_json::to_string_pretty(&report).expect("reports serialise"));
        Ok(())
    }

    fn bench_firehose(records: usize) -> io::Result<()> {
        if records == 0 {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "--records must be above zero"));
        }
        // The bench harness, not the engine, reads the wall clock.
        #[allow(clippy::disallowed_methods)]
        let started = std::time::Instant::now();
        let clock = move || started.elapsed().as_secs_f64();
        let report = bench::firehose::pipeline(records, &clock);
        let report = serde_json::json!({"target": std::env::consts::ARCH, "firehose": report});
        println!("{}", serde_json::to_string_pretty(&report).expect("reports serialise"));
        Ok(())
    }

    fn bench_cmd(records: usize, shards: u32) -> io::Result<()> {
        if records == 0 || shards == 0 {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "--records and --shards must be above zero"));
        }
        let spec = IngestSpec { records, shards, ..IngestSpec::default() };
        // The bench harness, not the engine, reads the wall clock.
        #[allow(clippy::disallowed_methods)]
        let started = std::time::Instant::now();
        let clock = move || started.elapsed().as_secs_f64();
        let ingest = bench::ingest_best(spec, 3, &clock);
        // Memory is measured natively only (wasm32 pointers are half the size, so its figures differ).
        #[cfg(not(target_arch = "wasm32"))]
        let memory =
            Some(bench::memory(IngestSpec { records: records.min(500_000), ..spec }, &super::counting::live_bytes));
        #[cfg(target_arch = "wasm32")]
        let memory: Option<bench::MemoryReport> = None;
        let report = serde_json::json!({"target": std::env::consts::ARCH, "ingest": ingest, "memory": memory});
        println!("{}", serde_json::to_string_pretty(&report).expect("reports serialise"));
        Ok(())
    }

    struct Overrides {
        seed: Option<u64>,
        duration: Option<SimDuration>,
        detail: Option<DetailArg>,
    }

    fn list_presets() -> io::Result<()> {
        let mut out = io::stdout().lock();
        for preset in presets::all() {
            writeln!(out, "{:<28} {}", preset.name, preset.title)?;
        }
        Ok(())
    }

    fn run(
        scenario: Option<String>,
        series: Option<PathBuf>,
        format: SeriesFormat,
        summary_path: Option<PathBuf>,
        overrides: Overrides,
    ) -> io::Result<()> {
        let invalid = |text: String| io::Error::new(io::ErrorKind::InvalidInput, text);
        let Some(which) = scenario else {
            return Err(invalid("name a scenario file or a preset (kinesis-lab run --list shows the presets)".into()));
        };
        let text = match presets::find(&which) {
            Some(preset) => preset.json.to_string(),
            None if which.ends_with(".json") || std::path::Path::new(&which).exists() => {
                std::fs::read_to_string(&which).map_err(|e| invalid(format!("{which}: {e}")))?
            }
            None => {
                return Err(invalid(format!(
                    "{which}: no such preset or file (kinesis-lab run --list shows the presets)"
                )))
            }
        };
        let mut scenario = Scenario::from_json(&text).map_err(|e| invalid(format!("{which}: {e}")))?;
        if let Some(seed) = overrides.seed {
            scenario.seed = seed;
        }
        if let Some(d) = overrides.duration {
            scenario.duration_s = d.as_secs_f64();
        }
        if let Some(detail) = overrides.detail {
            scenario.detail = match detail {
                DetailArg::Records => Detail::Records,
                DetailArg::Runs => Detail::Runs,
            };
        }
        let plan = compile(&scenario).map_err(|e| invalid(format!("{which}: {e}")))?;
        let to_stdout = series.as_deref().is_some_and(|p| p.as_os_str() == "-");
        let mut sink: Option<Box<dyn Write>> = match &series {
            None => None,
            Some(_) if to_stdout => Some(Box::new(BufWriter::new(io::stdout()))),
            Some(path) => Some(Box::new(BufWriter::new(std::fs::File::create(path)?))),
        };
        let mut write_error: Option<io::Error> = None;
        let mut header_written = false;
        let summary = scenario_run(plan, &mut |row| {
            let Some(out) = sink.as_mut().filter(|_| write_error.is_none()) else { return };
            let result = match format {
                SeriesFormat::Csv if !header_written => {
                    header_written = true;
                    writeln!(out, "{}", row.csv_header()).and_then(|()| writeln!(out, "{}", row.csv_line()))
                }
                SeriesFormat::Csv => writeln!(out, "{}", row.csv_line()),
                SeriesFormat::Jsonl => writeln!(out, "{}", serde_json::to_string(row).expect("rows serialise")),
            };
            if let Err(e) = result {
                write_error = Some(e);
            }
        });
        if let Some(e) = write_error {
            return Err(e);
        }
        if let Some(out) = sink.as_mut() {
            out.flush()?;
        }
        let text = serde_json::to_string_pretty(&summary).expect("summaries serialise");
        match summary_path {
            Some(path) => std::fs::write(path, text + "\n"),
            None if to_stdout => writeln!(io::stderr(), "{text}"),
            None => writeln!(io::stdout(), "{text}"),
        }
    }
}

/// A counting allocator: how many heap bytes are live, for the memory benchmark.
#[cfg(not(target_arch = "wasm32"))]
mod counting {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::{AtomicUsize, Ordering};

    static LIVE: AtomicUsize = AtomicUsize::new(0);

    struct Counting;

    // SAFETY: every call is forwarded unchanged to the system allocator; only a counter is added.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            LIVE.fetch_add(layout.size(), Ordering::Relaxed);
            unsafe { System.alloc(layout) }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            unsafe { System.dealloc(ptr, layout) }
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            LIVE.fetch_add(new_size, Ordering::Relaxed);
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }

    #[global_allocator]
    static GLOBAL: Counting = Counting;

    /// Heap bytes currently allocated.
    pub fn live_bytes() -> usize {
        LIVE.load(Ordering::Relaxed)
    }
}

fn main() -> std::process::ExitCode {
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    return cli::main();
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    std::process::ExitCode::SUCCESS
}
