//! Benchmark: reading the largest IDL file of `../shared/smithy/` (or any
//! file given), against a baseline measured in the same run: the JSON AST
//! reader on the same model rendered as JSON AST. Run with
//! `cargo bench -p tests --bench idl [FILE]`.

use std::hint::black_box;
use std::time::Duration;
use tests::measure;

fn largest_smithy_file(dir: &std::path::Path) -> Option<std::path::PathBuf> {
    let mut files = Vec::new();
    smithy_codegen::collect_model_files(dir, &mut files).ok()?;
    files
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "smithy"))
        .max_by_key(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
}

fn main() {
    let quick = !std::env::args().any(|a| a == "--bench");
    let budget = if quick {
        Duration::from_millis(50)
    } else {
        Duration::from_secs(3)
    };
    let shared = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/smithy"));
    let file = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .map(std::path::PathBuf::from)
        .or_else(|| largest_smithy_file(shared));
    let Some(file) = file else {
        println!("idl: no IDL file to read (../shared/smithy is absent)");
        return;
    };
    let text = std::fs::read_to_string(&file).unwrap();
    let name = file.display().to_string();
    let parse = || {
        let parsed = smithy_codegen::idl::parse_file(&name, black_box(&text)).unwrap();
        black_box(parsed);
    };
    // The same model as JSON AST text, read by the JSON AST reader.
    let model = smithy_codegen::load(&[&file]);
    let json = match &model {
        Ok(m) => m.to_json_text(),
        Err(_) => {
            // A file that needs others to resolve: parse time only.
            let t = measure(budget, parse);
            println!(
                "idl: {name} ({} KB): parse {:.0} µs",
                text.len() / 1024,
                t.as_secs_f64() * 1e6
            );
            return;
        }
    };
    let load_idl = || {
        let m = smithy_codegen::load_texts(&[(name.clone(), text.clone())]).unwrap();
        black_box(m);
    };
    let load_json = || {
        let m = smithy_codegen::load_texts(&[("model.json".to_owned(), json.clone())]).unwrap();
        black_box(m);
    };
    let (mut p, mut i, mut j) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..5 {
        p.push(measure(budget / 5, parse));
        i.push(measure(budget / 5, load_idl));
        j.push(measure(budget / 5, load_json));
    }
    p.sort();
    i.sort();
    j.sort();
    println!(
        "idl: {name} ({} KB): parse {:.0} µs | parse + resolve + merge {:.0} µs | the same model from JSON AST ({} KB) {:.0} µs | ratio {:.2}×",
        text.len() / 1024,
        p[2].as_secs_f64() * 1e6,
        i[2].as_secs_f64() * 1e6,
        json.len() / 1024,
        j[2].as_secs_f64() * 1e6,
        i[2].as_secs_f64() / j[2].as_secs_f64(),
    );
}
