//! Byte offsets to 1-based line numbers and back, from one pass over a text. Built once per
//! file and shared by every lookup, so reporting N findings costs N binary searches, not
//! N rescans of the file (the policy validation, the lint and the journal CLI use it).

/// Where each line of a text starts.
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// Byte offset of each line's first byte; `starts[0] == 0`.
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &[u8]) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.iter().enumerate().filter(|&(_, &b)| b == b'\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// The 1-based line holding byte `offset` (offsets past the end: the last line).
    pub fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }

    /// The byte offset where 1-based `line` starts, if the text has that many lines.
    #[cfg(any(test, feature = "cli"))]
    pub fn start_of(&self, line: usize) -> Option<usize> {
        self.starts.get(line.saturating_sub(1)).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_and_lines() {
        let index = LineIndex::new(b"a\nbb\nccc");
        assert_eq!([0, 1, 2, 4, 5, 7, 100].map(|o| index.line_of(o)), [1, 1, 2, 2, 3, 3, 3]);
        assert_eq!([0, 1, 2, 3, 9].map(|l| index.start_of(l)), [Some(0), Some(0), Some(2), Some(5), None]);
        assert_eq!(LineIndex::new(b"").line_of(0), 1);
    }
}
