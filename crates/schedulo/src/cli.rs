//! The command line.

use crate::telemetry::LogFormat;
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "schedulo",
    version,
    about = "Schedulo Pro's worker: publishes scheduled social posts from an Airtable base"
)]
pub struct Cli {
    /// How logs are written (to stderr).
    #[arg(long, global = true, value_enum, default_value = "text")]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the worker (with nothing configured: against a built-in sandbox, started in-process).
    Run,
    /// Start the sandbox Airtable on loopback and print the variables that point a worker or a Bubble app at it.
    Sandbox(SandboxArgs),
    /// Compare the base with the schema file, or create what it lacks.
    #[command(subcommand)]
    Schema(SchemaCommand),
    /// Measure against the sandbox and print figures.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Show this month's Airtable calls per base against the plan's quota.
    Usage,
    /// Show what is scheduled, published, failed, and waiting in the outbox (from the journal).
    Status,
    /// Set up an outside service for the worker.
    #[command(subcommand)]
    Setup(SetupCommand),
}

#[derive(Debug, Subcommand)]
pub enum SetupCommand {
    /// The Airtable webhook the worker keeps on its base. The worker makes (and refreshes) it by
    /// itself at start when SCHEDULO_PUBLIC_URL is set; `--remove` deletes it from the base and the journal.
    Airtable {
        /// Delete the worker's webhook from the base (and any other pinging SCHEDULO_PUBLIC_URL) and forget it.
        #[arg(long)]
        remove: bool,
    },
    /// Create, idempotently, the seed's folders, the upload preset `schedulo-user-media` and one named
    /// transformation per platform variant in the Cloudinary product environment of CLOUDINARY_URL;
    /// print what was created and what already existed.
    Cloudinary {
        /// Change what exists but differs from what the worker expects (by default it is reported).
        #[arg(long)]
        fix: bool,
        /// The account uses fixed folders (accounts made before June 2024): `folder` instead of `asset_folder`.
        #[arg(long)]
        fixed_folders: bool,
    },
}

#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Address to listen on: loopback unless `--public` is given too.
    #[arg(long, default_value = "127.0.0.1:8790")]
    pub listen: SocketAddr,
    /// Allow a `--listen` address other than loopback. The sandboxes' tokens and keys are printed
    /// and open everything they hold: anyone who reaches the address can use them.
    #[arg(long)]
    pub public: bool,
    /// Where the sandbox keeps its bases (default: SCHEDULO_DATA_DIR/sandbox).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// How long each stand-in takes to answer: off, realistic (each vendor's typical response time),
    /// or one time for every request like 250ms (default: SCHEDULO_SANDBOX_LATENCY, realistic).
    #[arg(long)]
    pub latency: Option<schedulo_sandbox::latency::Profile>,
}

#[derive(Debug, Subcommand)]
pub enum SchemaCommand {
    /// Print how the base differs from the schema file; exit 1 when the worker could not run on it.
    Check(SchemaArgs),
    /// Create the tables, fields and choices the base lacks (prints the plan; needs --yes to act).
    Apply {
        #[command(flatten)]
        args: SchemaArgs,
        /// Carry out the plan.
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Schema file (default: SCHEDULO_SCHEMA_FILE, else the built-in schema/base.toml).
    #[arg(long)]
    pub file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Airtable client against the sandbox with its real limits: calls per read and write, rate achieved.
    Airtable {
        /// Records to read and changes to write.
        #[arg(long, default_value_t = 250)]
        records: usize,
        /// Length of the sustained-rate run, in seconds.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
    },
    /// Post Scheduler against the sandboxes: publish lag, burst write-back, Airtable calls per post, memory.
    Scheduler {
        /// Posts in each of the two runs (spread, then all due in one second).
        #[arg(long, default_value_t = 1000)]
        posts: usize,
        /// Seconds the first run's posts are spread over.
        #[arg(long, default_value_t = 300)]
        spread: u64,
        /// How long the sandboxes take to answer: off, realistic (each vendor's typical time) or
        /// one time for every request like 250ms. The set-up runs without it.
        #[arg(long, default_value = "off")]
        latency: schedulo_sandbox::latency::Profile,
    },
    /// How soon the worker acts on a change made in the base (polled, and with Airtable's webhook),
    /// publish lag with the confirm read, Airtable calls per post.
    Freshness {
        /// Changes made in the base (posts added, captions edited), one every 3 to 10 s.
        #[arg(long, default_value_t = 20)]
        changes: usize,
        /// Posts published (1.5 s apart) to measure the lag with the confirm read.
        #[arg(long, default_value_t = 40)]
        posts: usize,
        /// How long the sandboxes take to answer: off, realistic (each vendor's typical time) or
        /// one time for every request like 250ms. The set-up runs without it.
        #[arg(long, default_value = "realistic")]
        latency: schedulo_sandbox::latency::Profile,
    },
    /// Cloudinary and the Media Processor: memory and throughput of a large chunked upload, images per second end to end.
    Media {
        /// Size of the file uploaded in chunks, in MB.
        #[arg(long, default_value_t = 300)]
        upload_mb: u64,
        /// Images processed end to end.
        #[arg(long, default_value_t = 50)]
        images: usize,
    },
    /// Instagram and TikTok through the worker: Instagram publish lag with containers prepared ahead,
    /// TikTok's time from the due time to its init call, memory.
    Platforms {
        /// Posts on each platform (Instagram image posts, TikTok video posts).
        #[arg(long, default_value_t = 20)]
        posts: usize,
        /// Seconds the posts are spread over.
        #[arg(long, default_value_t = 60)]
        spread: u64,
        /// Seconds the sandbox takes to process an Instagram container.
        #[arg(long, default_value_t = 30.0)]
        container_secs: f64,
    },
}
