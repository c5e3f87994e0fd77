//! The `server` binary: `server` (or `server serve`) runs the app; other subcommands administer it.
use app::backend::config::Config;
use clap::Parser;
use server::cli::{Cli, Command};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("configuration error: {error}");
            return ExitCode::from(2);
        }
    };
    server::telemetry::init(config.log_json);
    let command = cli.command.unwrap_or(Command::Serve);
    // A restore goes into empty databases: nothing may migrate them first.
    if let Command::Restore { from } = &command {
        return match server::backup::restore(&config, from).await {
            Ok(manifest) => {
                println!("restored {} from {}", manifest.created_at, from.display());
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("error: {error}");
                ExitCode::FAILURE
            }
        };
    }
    let state = match server::connect(config).await {
        Ok(state) => state,
        Err(error) => {
            tracing::error!("start-up failed: {error}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = match command {
        Command::Serve => server::serve(state).await,
        Command::Migrate => {
            tracing::info!("migrations and indexes are up to date");
            Ok(())
        }
        Command::User(command) => server::cli::run(&state, command).await,
        Command::Backup { to } => server::backup::create(&state, &to).await.map_err(|e| e.to_string()).map(|made| {
            println!("{}", made.display());
        }),
        Command::Restore { .. } => Ok(()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
