//! The decisions the benchmarks write, shared with `examples/journal_load_cpu.rs` (which
//! includes this file by path) so that the example measures journals of the benches' shape.

use consentgate::{Actor, Context, Engine, OsResult, Surface};

pub fn user() -> Context {
    Context::new(Surface::RationaleDialog, "zh-CN", Actor::User)
}

/// Writes exactly `events` events through the engine's public API: the privacy policy
/// accepted, then grant / OS result / withdraw / deny cycling over every purpose.
pub fn fill_journal(engine: &mut Engine, events: usize) {
    let ctx = user();
    // A consent-only purpose (no permission) gets a grant where others get an OS result.
    let purposes: Vec<(String, Option<String>)> = engine
        .policy()
        .purposes
        .iter()
        .map(|p| (p.id.clone(), p.permissions.first().map(|perm| perm.name().to_string())))
        .collect();
    if events == 0 {
        return;
    }
    engine.accept_policy(&ctx).expect("accept");
    for i in 1..events {
        let (id, permission) = &purposes[i % purposes.len()];
        match (i / purposes.len()) % 4 {
            0 => engine.grant(id, &ctx).expect("grant"),
            1 => match permission {
                Some(permission) => {
                    engine.record_os_result(id, permission, OsResult::Granted, &ctx).expect("os result")
                }
                None => engine.grant(id, &ctx).expect("grant"),
            },
            2 => engine.withdraw(id, &ctx).map(drop).expect("withdraw"),
            _ => engine.deny(id, &ctx).expect("deny"),
        }
    }
}
