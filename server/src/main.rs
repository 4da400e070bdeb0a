use clap::Parser;
use server::config::{Command, Config};

// mimalloc instead of glibc's allocator: a dashboard page spent a quarter of its CPU in
// malloc, and glibc's per-thread arenas kept freed memory (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let config = Config::parse();
    server::telemetry::init(config.log_format);
    if let Some(Command::Reseal) = config.command {
        return match server::reseal(&config).await {
            Ok(report) => {
                println!(
                    "Re-sealed {} of {} secrets under key {}.",
                    report.resealed, report.checked, report.key_id
                );
                std::process::ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("linkgate reseal: {e}");
                std::process::ExitCode::FAILURE
            }
        };
    }
    if let Some(Command::Backup { to }) = &config.command {
        return match server::backup(&config, to).await {
            Ok(said) => {
                println!("{said}");
                std::process::ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("linkgate backup: {e}");
                std::process::ExitCode::FAILURE
            }
        };
    }
    if let Some(Command::User(command)) = &config.command {
        return match server::user_command(&config, command).await {
            Ok(said) => {
                println!("{said}");
                std::process::ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("linkgate user: {e}");
                std::process::ExitCode::FAILURE
            }
        };
    }
    let listener = match tokio::net::TcpListener::bind(config.bind).await {
        Ok(l) => l,
        Err(e) => {
            tracing::error!(bind = %config.bind, error = %e, "cannot listen");
            return std::process::ExitCode::FAILURE;
        }
    };
    if let Some(Command::Baseline) = config.command {
        return match server::baseline::serve(listener, server::termination_signal()).await {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("linkgate baseline: {e}");
                std::process::ExitCode::FAILURE
            }
        };
    }
    match server::serve(config, listener, server::termination_signal()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "Linkgate stopped");
            eprintln!("linkgate: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
