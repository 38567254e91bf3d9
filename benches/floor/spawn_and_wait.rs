//! The floor for any wrapper: spawn the command, wait for it, pass its status on.
//! Built by benches/run_overhead.sh with `rustc -O`; no logging, no config.

use std::os::unix::process::ExitStatusExt;
use std::process::Command;

fn main() {
    let mut args = std::env::args_os().skip(1);
    let Some(program) = args.next() else {
        eprintln!("usage: spawn_and_wait <cmd> [args...]");
        std::process::exit(2);
    };
    let status = match Command::new(program).args(args).status() {
        Ok(status) => status,
        Err(err) => {
            eprintln!("spawn_and_wait: {err}");
            std::process::exit(127);
        }
    };
    std::process::exit(
        status
            .code()
            .unwrap_or_else(|| 128 + status.signal().unwrap_or(0)),
    );
}
