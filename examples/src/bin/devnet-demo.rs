//! `devnet-demo`: the main job (see `etrid_examples::devnet_demo`).

fn main() -> std::process::ExitCode {
    let amount_sats = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(25_000);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("devnet-demo: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout();
    match runtime.block_on(etrid_examples::devnet_demo::run(&mut stdout, amount_sats)) {
        Ok(_) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("devnet-demo failed: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
