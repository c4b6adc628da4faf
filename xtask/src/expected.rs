//! Task support: the outcome report and the expected-failure lists shared by
//! `cargo xtask conformance` and `cargo xtask corpus`.

use std::collections::BTreeMap;
use std::path::Path;

/// Each case (or model) and whether it passed, or why it failed.
pub type Outcomes = BTreeMap<String, Result<(), String>>;

/// Prints one line per failure and then `N passed, M failed`; fails when the
/// failures differ from the list at `expected_path` (an unexpected failure, a
/// listed one that passed, or a listed one that is not a case at all).
///
/// A failure whose reason starts with `[class] ` belongs to a class of
/// failures the task has proven share one cause; it is expected when the
/// list has a `[class]: reason` line, and is counted rather than printed.
pub fn report(outcomes: &Outcomes, expected_path: &Path) -> Result<(), String> {
    let expected = read(expected_path)?;
    let failed: Vec<(&String, &String)> = outcomes
        .iter()
        .filter_map(|(k, o)| o.as_ref().err().map(|e| (k, e)))
        .collect();
    let mut classes: BTreeMap<&str, usize> = BTreeMap::new();
    for (id, reason) in &failed {
        match class_of(reason) {
            Some(class) => *classes.entry(class).or_default() += 1,
            None => println!("{id}: {reason}"),
        }
    }
    for (class, count) in &classes {
        let why = expected
            .get(*class)
            .map_or("not in the list", String::as_str);
        println!("{count} cases fail as {class}: {why}");
    }
    println!(
        "{} passed, {} failed",
        outcomes.len() - failed.len(),
        failed.len()
    );
    let mut problems = Vec::new();
    for (id, reason) in &failed {
        let listed = match class_of(reason) {
            Some(class) => expected.contains_key(class),
            None => expected.contains_key(*id),
        };
        if !listed {
            problems.push(format!("unexpected failure: {id}"));
        }
    }
    for id in expected.keys() {
        if id.starts_with('[') {
            if !classes.contains_key(id.as_str()) {
                problems.push(format!(
                    "no case fails as {id} (remove it from {})",
                    expected_path.display()
                ));
            }
            continue;
        }
        match outcomes.get(id) {
            Some(Ok(())) => problems.push(format!(
                "expected to fail but passed (remove it from {}): {id}",
                expected_path.display()
            )),
            None => problems.push(format!(
                "listed in {} but not a case: {id}",
                expected_path.display()
            )),
            Some(Err(_)) => {}
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// The `[class]` a failure's reason starts with, if any.
fn class_of(reason: &str) -> Option<&str> {
    let end = reason.strip_prefix('[')?.find(']')?;
    Some(&reason[..end + 2])
}

/// `name: reason` lines (a case id with its kind, `Case (request): …`, or a
/// model file, `model.json: …`); `#` starts a comment. A missing file lists
/// nothing.
fn read(path: &Path) -> Result<BTreeMap<String, String>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let mut out = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((id, reason)) = line.split_once(": ") else {
            return Err(format!(
                "{}:{}: expected `name: reason`",
                path.display(),
                n + 1
            ));
        };
        out.insert(id.trim().to_string(), reason.trim().to_string());
    }
    Ok(out)
}
