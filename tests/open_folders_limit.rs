//! One process maps each open journal folder's change counter into a page of a reserved
//! range, 4096 pages: more folders open at once is a clear storage error, and closing a
//! folder's last engine gives its place to the next folder. (Its own test binary: while it
//! holds every place, no other test of the process could open an engine.)

mod common;

use std::sync::Arc;

use common::*;
use consentgate::*;

const MAX_OPEN_FOLDERS: usize = 4096;

#[test]
fn the_open_folders_limit_is_a_clear_error_and_closing_frees_a_place() {
    let root = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(T0));
    let policy = small_policy();
    let open_in =
        |name: String| Engine::open(policy.clone(), &root.path().join(name), clock.clone(), JournalOptions::default());
    let mut engines = Vec::new();
    let refused = loop {
        match open_in(engines.len().to_string()) {
            Ok(engine) => engines.push(engine),
            Err(e) => break e.to_string(),
        }
        assert!(engines.len() <= MAX_OPEN_FOLDERS, "more folders open than there are places");
    };
    assert_eq!(engines.len(), MAX_OPEN_FOLDERS, "{refused}");
    assert!(refused.contains("more than 4096 consent journal folders are open"), "{refused}");

    // A second engine of a folder already open shares its place.
    let second = open_in("7".to_string()).expect("a folder already open has its place");
    drop(engines.swap_remove(7));
    assert!(open_in("another".to_string()).is_err(), "folder 7 is still open through its second engine");
    drop(second);

    let mut another = open_in("another".to_string()).expect("closing the folder's last engine freed its place");
    another.accept_policy(&user(Surface::App)).unwrap();
    assert!(another.policy_accepted(), "the folder that took the freed place works");
    assert_eq!(another.decide("feedback_photo", Source::Feature).unwrap(), NEVER_ASKED);
}
