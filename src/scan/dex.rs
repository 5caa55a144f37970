//! Sensitive call sites in one dex file (Android's `classes*.dex`).
//!
//! A small reader of exactly what the scan needs: the string, type, field and method id
//! tables, the class definitions with their methods' code, and an instruction walk that
//! knows every opcode's width (format table of the Dalvik bytecode reference). Written here
//! because no maintained crate fits: `dex` 0.5 depends on the unmaintained `memmap` 0.7
//! (RUSTSEC-2020-0077) and `dexparser` 0.6 on the deprecated `failure`; neither decodes
//! instructions, which is most of the work. Every offset and count is checked against the
//! file, so a malformed dex is an error naming what is wrong, never a panic or a huge
//! allocation.

use std::collections::HashMap;

use super::apis;
use super::sites::{Classified, MethodScan, Site};

const HEADER_SIZE: usize = 0x70;

/// Adds the dex file's sites to `out`.
pub(crate) fn scan_dex(bytes: &[u8], out: &mut Vec<Site>) -> Result<(), String> {
    let dex = Dex::open(bytes)?;
    let methods = dex.classify_methods()?;
    let fields = dex.classify_fields()?;
    let mut strings: HashMap<u32, Option<Classified>> = HashMap::new();
    for c in 0..dex.class_defs.count {
        let def = dex.class_defs.offset + c * 32;
        let class_idx = dex.u32(def)?;
        let class_data_off = dex.u32(def + 24)? as usize;
        if class_data_off == 0 {
            continue;
        }
        let class_name = apis::java_name(&internal_name(&dex.type_name(class_idx)?));
        let mut r = Uleb { data: bytes, pos: class_data_off };
        let static_fields = r.read()?;
        let instance_fields = r.read()?;
        let direct = r.read()?;
        let virtual_ = r.read()?;
        for _ in 0..(u64::from(static_fields) + u64::from(instance_fields)) {
            r.read()?; // field_idx_diff
            r.read()?; // access_flags
        }
        for count in [direct, virtual_] {
            let mut method_idx = 0u32;
            for _ in 0..count {
                method_idx = method_idx.checked_add(r.read()?).ok_or("method index overflows")?;
                r.read()?; // access_flags
                let code_off = r.read()? as usize;
                if code_off == 0 {
                    continue; // abstract or native
                }
                let mut scan = MethodScan::default();
                dex.walk_code(code_off, |op, units| {
                    let c = match op {
                        // invoke-kind, invoke-kind/range, invoke-polymorphic(/range): method in unit 1.
                        0x6e..=0x72 | 0x74..=0x78 | 0xfa | 0xfb => methods.get(&u32::from(units[1])),
                        // sget-object: field in unit 1.
                        0x62 => fields.get(&u32::from(units[1])),
                        0x1a => {
                            let idx = u32::from(units[1]);
                            strings.entry(idx).or_insert_with(|| dex.classify_string(idx)).as_ref()
                        }
                        0x1b => {
                            let idx = u32::from(units[1]) | (u32::from(units[2]) << 16);
                            strings.entry(idx).or_insert_with(|| dex.classify_string(idx)).as_ref()
                        }
                        _ => None,
                    };
                    if let Some(c) = c {
                        scan.add(c);
                    }
                })?;
                if !scan.is_empty() {
                    let name = dex.method_name(method_idx)?;
                    scan.finish(&class_name, &name, out);
                }
            }
        }
    }
    Ok(())
}

/// `Landroid/location/LocationManager;` -> `android/location/LocationManager`.
fn internal_name(descriptor: &str) -> String {
    descriptor.strip_prefix('L').and_then(|d| d.strip_suffix(';')).unwrap_or(descriptor).to_string()
}

#[derive(Clone, Copy)]
struct Table {
    count: usize,
    offset: usize,
}

struct Dex<'a> {
    data: &'a [u8],
    strings: Table,
    types: Table,
    fields: Table,
    methods: Table,
    class_defs: Table,
}

impl<'a> Dex<'a> {
    fn open(data: &'a [u8]) -> Result<Dex<'a>, String> {
        if data.len() < HEADER_SIZE || &data[..4] != b"dex\n" || data[7] != 0 {
            return Err("not a dex file (no dex header)".into());
        }
        let mut dex = Dex {
            data,
            strings: Table { count: 0, offset: 0 },
            types: Table { count: 0, offset: 0 },
            fields: Table { count: 0, offset: 0 },
            methods: Table { count: 0, offset: 0 },
            class_defs: Table { count: 0, offset: 0 },
        };
        if dex.u32(0x28)? != 0x1234_5678 {
            return Err("dex file is not little-endian (endian_tag)".into());
        }
        dex.strings = dex.table(0x38, 4, "string_ids")?;
        dex.types = dex.table(0x40, 4, "type_ids")?;
        dex.fields = dex.table(0x50, 8, "field_ids")?;
        dex.methods = dex.table(0x58, 8, "method_ids")?;
        dex.class_defs = dex.table(0x60, 32, "class_defs")?;
        Ok(dex)
    }

    /// A table's (size, offset) from the header, checked to lie inside the file.
    fn table(&self, at: usize, item: usize, name: &str) -> Result<Table, String> {
        let count = self.u32(at)? as usize;
        let offset = self.u32(at + 4)? as usize;
        let end = count.checked_mul(item).and_then(|n| n.checked_add(offset));
        match end {
            Some(end) if end <= self.data.len() => Ok(Table { count, offset }),
            _ => Err(format!("dex {name} table ({count} items at offset {offset}) runs past the end of the file")),
        }
    }

    fn u16(&self, at: usize) -> Result<u16, String> {
        match self.data.get(at..at + 2) {
            Some(b) => Ok(u16::from_le_bytes([b[0], b[1]])),
            None => Err(format!("dex read past the end of the file at offset {at}")),
        }
    }

    fn u32(&self, at: usize) -> Result<u32, String> {
        match self.data.get(at..at + 4) {
            Some(b) => Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            None => Err(format!("dex read past the end of the file at offset {at}")),
        }
    }

    fn index(&self, table: Table, idx: u32, item: usize, name: &str) -> Result<usize, String> {
        let idx = idx as usize;
        if idx >= table.count {
            return Err(format!("dex {name} index {idx} out of range ({} items)", table.count));
        }
        Ok(table.offset + idx * item)
    }

    /// The bytes of a string (MUTF-8; ASCII for every name the scan matches).
    fn string(&self, idx: u32) -> Result<&'a [u8], String> {
        let at = self.u32(self.index(self.strings, idx, 4, "string")?)? as usize;
        let mut r = Uleb { data: self.data, pos: at };
        r.read()?; // length in UTF-16 units
        let rest = self.data.get(r.pos..).ok_or_else(|| format!("dex string {idx} starts past the end"))?;
        let len = rest.iter().position(|&b| b == 0).ok_or_else(|| format!("dex string {idx} is not terminated"))?;
        Ok(&rest[..len])
    }

    fn type_name(&self, idx: u32) -> Result<String, String> {
        let at = self.index(self.types, idx, 4, "type")?;
        Ok(String::from_utf8_lossy(self.string(self.u32(at)?)?).into_owned())
    }

    fn type_bytes(&self, idx: u32) -> Result<&'a [u8], String> {
        let at = self.index(self.types, idx, 4, "type")?;
        let d = self.string(self.u32(at)?)?;
        Ok(d.strip_prefix(b"L").and_then(|d| d.strip_suffix(b";")).unwrap_or(d))
    }

    fn method_name(&self, idx: u32) -> Result<String, String> {
        let at = self.index(self.methods, idx, 8, "method")?;
        Ok(String::from_utf8_lossy(self.string(self.u32(at + 4)?)?).into_owned())
    }

    /// Method id -> classification, for the method ids that are sensitive.
    fn classify_methods(&self) -> Result<HashMap<u32, Classified>, String> {
        let mut out = HashMap::new();
        for i in 0..self.methods.count {
            let at = self.methods.offset + i * 8;
            let class = self.type_bytes(u32::from(self.u16(at)?))?;
            if !apis::may_match_class(class) {
                continue;
            }
            if let Some(c) = Classified::call(class, self.string(self.u32(at + 4)?)?) {
                out.insert(i as u32, c);
            }
        }
        Ok(out)
    }

    fn classify_fields(&self) -> Result<HashMap<u32, Classified>, String> {
        let mut out = HashMap::new();
        for i in 0..self.fields.count {
            let at = self.fields.offset + i * 8;
            let class = self.type_bytes(u32::from(self.u16(at)?))?;
            if !class.starts_with(b"android/provider/") {
                continue;
            }
            if let Some(c) = Classified::field(class, self.string(self.u32(at + 4)?)?) {
                out.insert(i as u32, c);
            }
        }
        Ok(out)
    }

    fn classify_string(&self, idx: u32) -> Option<Classified> {
        // A bad index here is caught by the walk's own check below; treat as not sensitive.
        self.string(idx).ok().and_then(Classified::string)
    }

    /// Calls `visit(opcode, units)` for each instruction of the code item at `code_off`.
    fn walk_code(&self, code_off: usize, mut visit: impl FnMut(u8, &[u16])) -> Result<(), String> {
        let insns_size = self.u32(code_off + 12)? as usize;
        let start = code_off + 16;
        let end = insns_size.checked_mul(2).and_then(|n| n.checked_add(start)).filter(|&e| e <= self.data.len());
        let Some(end) = end else {
            return Err(format!("dex code item at offset {code_off} runs past the end of the file"));
        };
        let code = &self.data[start..end];
        let mut units = Vec::with_capacity(5);
        let mut pc = 0usize;
        while pc < insns_size {
            let unit = |i: usize| u16::from_le_bytes([code[2 * i], code[2 * i + 1]]);
            let first = unit(pc);
            let width = width(first, |i| (pc + i < insns_size).then(|| unit(pc + i)))
                .ok_or_else(|| format!("dex code item at offset {code_off}: bad instruction at unit {pc}"))?;
            if width == 0 || pc + width > insns_size {
                return Err(format!("dex code item at offset {code_off}: instruction at unit {pc} runs past the code"));
            }
            let op = (first & 0xff) as u8;
            if matches!(op, 0x1a | 0x1b | 0x62 | 0x6e..=0x72 | 0x74..=0x78 | 0xfa | 0xfb) {
                units.clear();
                units.extend((0..width.min(5)).map(|i| unit(pc + i)));
                if op == 0x1a || op == 0x1b {
                    let idx =
                        if op == 0x1a { u32::from(units[1]) } else { u32::from(units[1]) | u32::from(units[2]) << 16 };
                    if idx as usize >= self.strings.count {
                        return Err(format!("dex code item at offset {code_off}: string index {idx} out of range"));
                    }
                }
                visit(op, &units);
            }
            pc += width;
        }
        Ok(())
    }
}

/// Width in 16-bit units of the instruction starting with `first`; `more(i)` reads unit i
/// of it (for the payloads, whose size is in their header). None: unreadable.
fn width(first: u16, more: impl Fn(usize) -> Option<u16>) -> Option<usize> {
    let op = (first & 0xff) as u8;
    Some(match op {
        0x00 => match first {
            // packed-switch-payload: ident, size, first_key (2), targets (2 each).
            0x0100 => usize::from(more(1)?) * 2 + 4,
            // sparse-switch-payload: ident, size, keys (2 each), targets (2 each).
            0x0200 => usize::from(more(1)?) * 4 + 2,
            // fill-array-data-payload: ident, element_width, size (2), data.
            0x0300 => {
                let element_width = usize::from(more(1)?);
                let size = usize::from(more(2)?) | usize::from(more(3)?) << 16;
                (element_width.checked_mul(size)?.checked_add(1)?) / 2 + 4
            }
            _ => 1,
        },
        0x01 | 0x04 | 0x07 | 0x0a..=0x12 | 0x1d | 0x1e | 0x21 | 0x27 | 0x28 | 0x3e..=0x43 | 0x73 | 0x79 | 0x7a => 1,
        0x7b..=0x8f | 0xb0..=0xcf | 0xe3..=0xf9 => 1,
        0x02 | 0x05 | 0x08 | 0x13 | 0x15 | 0x16 | 0x19 | 0x1a | 0x1c | 0x1f | 0x20 | 0x22 | 0x23 | 0x29 => 2,
        0x2d..=0x3d | 0x44..=0x6d | 0x90..=0xaf | 0xd0..=0xe2 | 0xfe | 0xff => 2,
        0x03 | 0x06 | 0x09 | 0x14 | 0x17 | 0x1b | 0x24..=0x26 | 0x2a..=0x2c | 0x6e..=0x72 | 0x74..=0x78 => 3,
        0xfc | 0xfd => 3,
        0xfa | 0xfb => 4,
        0x18 => 5,
    })
}

/// Reads unsigned LEB128 values (at most 5 bytes, as dex allows).
struct Uleb<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Uleb<'_> {
    fn read(&mut self) -> Result<u32, String> {
        let mut value = 0u32;
        for i in 0..5 {
            let b = *self
                .data
                .get(self.pos)
                .ok_or_else(|| format!("dex class data runs past the end of the file at offset {}", self.pos))?;
            self.pos += 1;
            value |= u32::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(format!("dex class data: LEB128 value longer than 5 bytes before offset {}", self.pos))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_follow_the_formats() {
        let none = |_| None;
        assert_eq!(width(0x0000, none), Some(1)); // nop
        assert_eq!(width(0x001a, none), Some(2)); // const-string
        assert_eq!(width(0x001b, none), Some(3)); // const-string/jumbo
        assert_eq!(width(0x006e, none), Some(3)); // invoke-virtual
        assert_eq!(width(0x0018, none), Some(5)); // const-wide
        assert_eq!(width(0x00fa, none), Some(4)); // invoke-polymorphic
                                                  // packed-switch with 3 targets: 2*3 + 4.
        assert_eq!(width(0x0100, |i| (i == 1).then_some(3)), Some(10));
        // sparse-switch with 2 entries: 2*4 + 2.
        assert_eq!(width(0x0200, |i| (i == 1).then_some(2)), Some(10));
        // fill-array-data of 3 ints: (4*3 + 1)/2 + 4.
        assert_eq!(
            width(0x0300, |i| Some(match i {
                1 => 4,
                2 => 3,
                _ => 0,
            })),
            Some(10)
        );
        assert_eq!(width(0x0100, none), None, "a payload cut short is unreadable");
    }

    #[test]
    fn leb128_reads_and_refuses_overlong_values() {
        let mut r = Uleb { data: &[0xe5, 0x8e, 0x26], pos: 0 };
        assert_eq!(r.read(), Ok(624_485));
        let mut r = Uleb { data: &[0xff; 6], pos: 0 };
        assert!(r.read().is_err());
        let mut r = Uleb { data: &[0x80], pos: 0 };
        assert!(r.read().is_err());
    }

    #[test]
    fn malformed_headers_are_errors() {
        assert!(scan_dex(b"not a dex", &mut Vec::new()).unwrap_err().contains("not a dex file"));
        let mut header = vec![0u8; HEADER_SIZE];
        header[..8].copy_from_slice(b"dex\n035\0");
        header[0x28..0x2c].copy_from_slice(&0x1234_5678u32.to_le_bytes());
        // A method_ids table claiming 2^32-1 entries.
        header[0x58..0x5c].copy_from_slice(&u32::MAX.to_le_bytes());
        let err = scan_dex(&header, &mut Vec::new()).unwrap_err();
        assert!(err.contains("method_ids table"), "{err}");
    }
}
