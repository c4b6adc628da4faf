//! Fuzz target: the runtime's XML reader (restXml, awsQuery and ec2Query
//! bodies) against quick-xml's own event reader as the oracle. On any input
//! the reader returns a value or an error and never panics; when it reads a
//! document whole, quick-xml reads the same bytes without an error and meets
//! the same elements in the same order, and every leaf's text agrees with
//! the text and references between its tags.

#![no_main]

use libfuzzer_sys::fuzz_target;
use quick_xml::events::Event;
use smithy_client_runtime::xml::{ReadError, Reader};

/// Element names in document order and the text of each element without
/// children, as the reader gives them.
fn walk(data: &[u8]) -> Result<(Vec<String>, Vec<String>), ReadError> {
    fn element(
        r: &mut Reader<'_>,
        names: &mut Vec<String>,
        texts: &mut Vec<String>,
        leaf: bool,
    ) -> Result<(), ReadError> {
        if leaf {
            texts.push(r.text()?.into_owned());
            return Ok(());
        }
        while let Some(child) = r.next_child()? {
            names.push(child.name().to_owned());
            // Elements named `l…` are read as text, the rest walked.
            let leaf = child.name().starts_with('l');
            element(r, names, texts, leaf)?;
        }
        Ok(())
    }
    let mut r = Reader::new(data)?;
    let root = r.root()?;
    let mut names = vec![root.name().to_owned()];
    let mut texts = Vec::new();
    let leaf = root.name().starts_with('l');
    element(&mut r, &mut names, &mut texts, leaf)?;
    r.finish()?;
    Ok((names, texts))
}

/// The same from quick-xml's bare events, or `None` where it errs.
fn oracle(text: &str) -> Option<(Vec<String>, Vec<String>)> {
    let mut r = quick_xml::Reader::from_str(text);
    let (mut names, mut texts) = (Vec::new(), Vec::new());
    // The text being gathered for the open `l…` element, if one is open.
    let mut leaf: Option<String> = None;
    loop {
        match r.read_event().ok()? {
            Event::Start(s) if leaf.is_none() => {
                let name = s.local_name().into_inner().to_owned();
                if name.starts_with('l') {
                    leaf = Some(String::new());
                }
                names.push(name);
            }
            Event::Empty(s) if leaf.is_none() => {
                let name = s.local_name().into_inner().to_owned();
                if name.starts_with('l') {
                    texts.push(String::new());
                }
                names.push(name);
            }
            Event::Text(t) => {
                if let Some(l) = leaf.as_mut() {
                    l.push_str(&t.xml10_content());
                }
            }
            Event::CData(c) => {
                if let Some(l) = leaf.as_mut() {
                    l.push_str(&c);
                }
            }
            Event::GeneralRef(g) => {
                let c = if g.is_char_ref() {
                    g.resolve_char_ref().ok()??
                } else {
                    match &*g {
                        "lt" => '<',
                        "gt" => '>',
                        "amp" => '&',
                        "apos" => '\'',
                        "quot" => '"',
                        _ => return None,
                    }
                };
                if let Some(l) = leaf.as_mut() {
                    l.push(c);
                }
            }
            Event::End(_) => {
                if let Some(l) = leaf.take() {
                    texts.push(l);
                }
            }
            Event::Eof => return Some((names, texts)),
            _ => {}
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok((names, texts)) = walk(data) else {
        return;
    };
    let text = std::str::from_utf8(data).expect("the reader took it as UTF-8");
    let (oracle_names, oracle_texts) =
        oracle(text).expect("quick-xml reads what the reader read whole");
    assert_eq!(names, oracle_names, "element names");
    assert_eq!(texts, oracle_texts, "leaf texts");
});
