//! Reading a scenario file and checking its cases: each case's `op` and `input` go to the
//! scenario's runner, whose outcome must equal the case's `expect` (an `ok` value or an `error`
//! code). A run fails on the first unknown op and reports every case that did not match.

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

/// A scenario file: `{"scenario", "title", "source", "notes", "cases"}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ScenarioFile {
    pub(crate) scenario: String,
    pub(crate) title: String,
    pub(crate) source: String,
    pub(crate) notes: Vec<String>,
    pub(crate) cases: Vec<Case>,
}

/// One case: what to do (`op` with `input`) and what must come of it (`expect`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Case {
    pub(crate) name: String,
    pub(crate) about: String,
    pub(crate) op: String,
    pub(crate) input: Value,
    pub(crate) expect: Expect,
}

/// The outcome a case expects: `{"ok": value}` or `{"error": "stable_code"}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum Expect {
    Ok(Value),
    Error(String),
}

impl Case {
    /// The case's input as `T` (unknown keys refused, so a typo in a file cannot go unnoticed).
    pub(crate) fn input<T: DeserializeOwned>(&self) -> T {
        serde_json::from_value(self.input.clone())
            .unwrap_or_else(|err| panic!("{}: bad input for {}: {err}", self.name, self.op))
    }

    /// The expected `ok` value; panics for a case that expects an error.
    pub(crate) fn expected_ok(&self) -> &Value {
        match &self.expect {
            Expect::Ok(value) => value,
            Expect::Error(code) => panic!("{}: expects error {code}, not a value", self.name),
        }
    }
}

/// Parses a scenario file and checks it is the file of `scenario`, with cases, uniquely named.
pub(crate) fn load(text: &str, scenario: &str) -> ScenarioFile {
    let file: ScenarioFile = serde_json::from_str(text)
        .unwrap_or_else(|err| panic!("{scenario}: the scenario file does not parse: {err}"));
    assert_eq!(file.scenario, scenario);
    assert!(!file.title.is_empty() && !file.source.is_empty() && !file.notes.is_empty());
    assert!(!file.cases.is_empty(), "{scenario}: the file has no cases");
    let mut names: Vec<&str> = file.cases.iter().map(|case| case.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(
        names.len(),
        file.cases.len(),
        "{scenario}: case names repeat"
    );
    assert!(file.cases.iter().all(|case| !case.about.is_empty()));
    file
}

/// The case called `name`.
pub(crate) fn case<'a>(file: &'a ScenarioFile, name: &str) -> &'a Case {
    file.cases
        .iter()
        .find(|case| case.name == name)
        .unwrap_or_else(|| panic!("{}: no case {name}", file.scenario))
}

/// Runs every case of `file` through `run` (its outcome: a value or an error code) and checks it
/// against the case's `expect`. Returns how many cases ran: all of them, never zero.
pub(crate) fn run_all(
    file: &ScenarioFile,
    mut run: impl FnMut(&Case) -> Result<Value, String>,
) -> usize {
    let mut failures = Vec::new();
    for case in &file.cases {
        let outcome = match run(case) {
            Ok(value) => Expect::Ok(value),
            Err(code) => Expect::Error(code),
        };
        if outcome != case.expect {
            failures.push(format!(
                "{}: expected {:?}\n  but got {outcome:?}",
                case.name, case.expect
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{}: {} of {} cases failed:\n{}",
        file.scenario,
        failures.len(),
        file.cases.len(),
        failures.join("\n")
    );
    eprintln!("{}: {} cases passed", file.scenario, file.cases.len());
    file.cases.len()
}

/// Panics for an op this scenario's runner does not know: a file never gets ahead of a runner
/// silently.
pub(crate) fn unknown_op(case: &Case) -> ! {
    panic!("{}: unknown op {:?}", case.name, case.op)
}
