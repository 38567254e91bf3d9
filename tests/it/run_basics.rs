use crate::support::*;

#[test]
fn runs_the_command_and_records_schema_valid_events() {
    let env = TestEnv::new();
    let out = env.run([
        "adhoc-prompt",
        "--tag",
        "team=ml",
        "--",
        "sh",
        "-c",
        "exit 7",
    ]);
    assert_eq!(out.status.code(), Some(7), "{}", stderr(&out));
    let events = env.events();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["type"], "run_start");
    assert_eq!(events[0]["resolution"], "adhoc");
    assert_eq!(events[0]["tags"]["team"], "ml");
    assert_eq!(events[1]["type"], "run_end");
    assert_eq!(events[1]["exit_code"], 7);
    assert_eq!(events[1]["status"], "error");
    assert_eq!(events[0]["run_id"], events[1]["run_id"]);
    assert_valid_events(&events);
}
