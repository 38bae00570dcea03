//! Thin entry point: parse arguments, run, map the outcome to an exit code.

use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = zencheck::cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("zencheck: could not start the async runtime: {e}");
            return ExitCode::from(zencheck::EXIT_COULD_NOT_RUN);
        }
    };
    runtime.block_on(zencheck::run(cli))
}
