//! Finds the source line of a JSON path like `$.purposes[2].permissions[0]`, so that
//! validation errors can say "line N" next to the path. serde_json keeps no spans.

/// A step in a JSON path.
#[derive(Debug, PartialEq)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

fn steps(path: &str) -> Vec<Step<'_>> {
    let mut out = Vec::new();
    let mut rest = path.strip_prefix('$').unwrap_or(path);
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            out.push(Step::Key(&r[..end]));
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']').unwrap_or(r.len());
            match r[..end].parse() {
                Ok(i) => out.push(Step::Index(i)),
                Err(_) => break,
            }
            rest = r.get(end + 1..).unwrap_or("");
        } else {
            break;
        }
    }
    out
}

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: usize,
}

impl<'a> Cursor<'a> {
    fn skip_ws(&mut self) {
        while let Some(&b) = self.bytes.get(self.pos) {
            match b {
                b'\n' => self.line += 1,
                b' ' | b'\t' | b'\r' => {}
                _ => return,
            }
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// Reads a string starting at a quote; returns its raw (unescaped) contents.
    fn string(&mut self) -> Option<&'a [u8]> {
        self.pos += 1;
        let start = self.pos;
        while let Some(&b) = self.bytes.get(self.pos) {
            match b {
                b'\\' => self.pos += 2,
                b'"' => {
                    self.pos += 1;
                    return Some(&self.bytes[start..self.pos - 1]);
                }
                b'\n' => {
                    self.line += 1;
                    self.pos += 1
                }
                _ => self.pos += 1,
            }
        }
        None
    }

    /// Skips one value of any kind.
    fn skip_value(&mut self) -> Option<()> {
        self.skip_ws();
        match self.peek()? {
            b'"' => self.string().map(|_| ()),
            open @ (b'{' | b'[') => {
                let close = if open == b'{' { b'}' } else { b']' };
                self.pos += 1;
                loop {
                    self.skip_ws();
                    match self.peek()? {
                        c if c == close => {
                            self.pos += 1;
                            return Some(());
                        }
                        b',' | b':' => self.pos += 1,
                        _ => self.skip_value()?,
                    }
                }
            }
            _ => {
                while let Some(b) = self.peek() {
                    if matches!(b, b',' | b'}' | b']') || b.is_ascii_whitespace() {
                        break;
                    }
                    self.pos += 1;
                }
                Some(())
            }
        }
    }

    /// Moves to the value for `step` inside the container at the cursor.
    fn enter(&mut self, step: &Step) -> Option<()> {
        self.skip_ws();
        match (step, self.peek()?) {
            (Step::Key(key), b'{') => {
                self.pos += 1;
                loop {
                    self.skip_ws();
                    match self.peek()? {
                        b'}' => return None,
                        b',' => self.pos += 1,
                        b'"' => {
                            let name = self.string()?;
                            self.skip_ws();
                            if self.peek()? != b':' {
                                return None;
                            }
                            self.pos += 1;
                            if name == key.as_bytes() {
                                self.skip_ws();
                                return Some(());
                            }
                            self.skip_value()?;
                        }
                        _ => return None,
                    }
                }
            }
            (Step::Index(index), b'[') => {
                self.pos += 1;
                let mut i = 0;
                loop {
                    self.skip_ws();
                    match self.peek()? {
                        b']' => return None,
                        b',' => self.pos += 1,
                        _ if i == *index => return Some(()),
                        _ => {
                            self.skip_value()?;
                            i += 1;
                        }
                    }
                }
            }
            _ => None,
        }
    }
}

/// The 1-based line where the value at `path` starts (or the deepest part of the path
/// that exists). `None` only when the source is not JSON enough to walk.
pub fn line_of(source: &str, path: &str) -> Option<usize> {
    let mut cursor = Cursor { bytes: source.as_bytes(), pos: 0, line: 1 };
    cursor.skip_ws();
    cursor.peek()?;
    for step in steps(path) {
        let saved = (cursor.pos, cursor.line);
        if cursor.enter(&step).is_none() {
            // Path goes deeper than the document: point at the deepest existing part.
            return Some(saved.1);
        }
    }
    Some(cursor.line)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "{\n  \"schema\": 1,\n  \"purposes\": [\n    {\"id\": \"a\"},\n    {\n      \"id\": \"b\",\n      \"permissions\": [\n        \"x\",\n        \"y\"\n      ]\n    }\n  ]\n}\n";

    #[test]
    fn finds_nested_values() {
        assert_eq!(line_of(DOC, "$"), Some(1));
        assert_eq!(line_of(DOC, "$.schema"), Some(2));
        assert_eq!(line_of(DOC, "$.purposes[0].id"), Some(4));
        assert_eq!(line_of(DOC, "$.purposes[1].id"), Some(6));
        assert_eq!(line_of(DOC, "$.purposes[1].permissions[1]"), Some(9));
    }

    #[test]
    fn missing_parts_point_at_the_deepest_existing_value() {
        assert_eq!(line_of(DOC, "$.purposes[1].description"), Some(5));
        assert_eq!(line_of(DOC, "$.nothing"), Some(1));
    }

    #[test]
    fn never_panics_on_garbage() {
        for doc in ["", "{", "[\"", "{\"a\":", "{\"a\" 1}", "\\", "[1,,]"] {
            let _ = line_of(doc, "$.a[3].b");
        }
    }
}
