//! Sensitive call sites in one Java class file (read with `noak`: lazily, and malformed
//! input is an error rather than a panic).
//!
//! The constant pool is classified first; a class that references nothing sensitive (most
//! of them) has its code left unread.

use std::collections::HashMap;

use noak::reader::attributes::AttributeContent;
use noak::reader::attributes::RawInstruction;
use noak::reader::cpool::{self, ConstantPool, Item};
use noak::reader::Class;

use super::apis;
use super::sites::{Classified, MethodScan, Site};

/// Adds the class's sites to `out`. The error says what could not be read.
pub(crate) fn scan_class(bytes: &[u8], out: &mut Vec<Site>) -> Result<(), String> {
    let class = Class::new(bytes).map_err(|e| format!("not a valid class file: {e}"))?;
    let pool = class.pool();
    let interesting = classify_pool(pool).map_err(|e| format!("bad constant pool: {e}"))?;
    if interesting.is_empty() {
        return Ok(());
    }
    let this = pool.retrieve(class.this_class()).map_err(|e| format!("bad class name: {e}"))?;
    let class_name = apis::java_name(&this.name.display().to_string());
    for method in class.methods() {
        let method = method.map_err(|e| format!("{class_name}: bad method: {e}"))?;
        let name = pool.retrieve(method.name()).map_err(|e| format!("{class_name}: bad method name: {e}"))?;
        let name = name.display().to_string();
        let mut scan = MethodScan::default();
        for attribute in method.attributes() {
            let attribute = attribute.map_err(|e| format!("{class_name}.{name}: bad attribute: {e}"))?;
            let content =
                attribute.read_content(pool).map_err(|e| format!("{class_name}.{name}: bad attribute: {e}"))?;
            let AttributeContent::Code(code) = content else { continue };
            for instruction in code.raw_instructions() {
                let (_, instruction) = instruction.map_err(|e| format!("{class_name}.{name}: bad bytecode: {e}"))?;
                if let Some(index) = pool_index(&instruction) {
                    if let Some(c) = interesting.get(&index) {
                        scan.add(c);
                    }
                }
            }
        }
        if !scan.is_empty() {
            scan.finish(&class_name, &name, out);
        }
    }
    Ok(())
}

/// The constant-pool index an instruction refers to, for the instructions that matter.
fn pool_index(instruction: &RawInstruction<'_>) -> Option<u16> {
    Some(match instruction {
        RawInstruction::InvokeVirtual { index } => index.as_u16(),
        RawInstruction::InvokeInterface { index, .. } => index.as_u16(),
        RawInstruction::InvokeSpecial { index } | RawInstruction::InvokeStatic { index } => index.as_u16(),
        RawInstruction::GetStatic { index } => index.as_u16(),
        RawInstruction::LdC { index } | RawInstruction::LdCW { index } => index.as_u16(),
        _ => return None,
    })
}

/// Pool index -> what it is, for every pool entry the scan cares about.
fn classify_pool(pool: &ConstantPool<'_>) -> Result<HashMap<u16, Classified>, noak::error::DecodeError> {
    let mut out = HashMap::new();
    for (index, item) in pool.iter_indices() {
        let classified = match item {
            Item::MethodRef(cpool::MethodRef { class, name_and_type })
            | Item::InterfaceMethodRef(cpool::InterfaceMethodRef { class, name_and_type }) => {
                let class = pool.retrieve(*class)?;
                if !apis::may_match_class(class.name.as_bytes()) {
                    continue;
                }
                let nt = pool.retrieve(*name_and_type)?;
                Classified::call(class.name.as_bytes(), nt.name.as_bytes())
            }
            Item::FieldRef(cpool::FieldRef { class, name_and_type }) => {
                let class = pool.retrieve(*class)?;
                if !class.name.as_bytes().starts_with(b"android/provider/") {
                    continue;
                }
                let nt = pool.retrieve(*name_and_type)?;
                Classified::field(class.name.as_bytes(), nt.name.as_bytes())
            }
            Item::String(s) => Classified::string(pool.retrieve(s.string)?.as_bytes()),
            _ => None,
        };
        if let Some(c) = classified {
            out.insert(index.as_u16(), c);
        }
    }
    Ok(out)
}
