//! Reads every code file of an artifact into memory and drops it: the floor a scan of the
//! same artifact is measured against. Prints the number of code files and bytes.

use std::io::{Cursor, Read, Seek};

fn read_all<R: Read + Seek>(mut archive: zip::ZipArchive<R>, nested: bool, files: &mut u64, bytes: &mut u64) {
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).expect("readable entry");
        let name = file.name().expect("entry name").into_owned();
        let code = name.ends_with(".class") || name.ends_with(".dex");
        let jar = name.ends_with(".jar") && !nested;
        if !code && !jar {
            continue;
        }
        let mut data = Vec::new();
        file.read_to_end(&mut data).expect("inflates");
        drop(file);
        if jar {
            read_all(zip::ZipArchive::new(Cursor::new(data)).expect("nested zip"), true, files, bytes);
        } else {
            *files += 1;
            *bytes += data.len() as u64;
        }
    }
}

fn main() {
    let path = std::env::args().nth(1).expect("usage: consentgate-scan-floor ARTIFACT");
    let file = std::io::BufReader::new(std::fs::File::open(&path).expect("artifact opens"));
    let (mut files, mut bytes) = (0, 0);
    read_all(zip::ZipArchive::new(file).expect("a zip archive"), false, &mut files, &mut bytes);
    println!("{files} code files, {bytes} bytes");
}
