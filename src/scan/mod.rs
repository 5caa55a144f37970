//! `consentgate scan` (feature `cli`): every call site of a sensitive Android framework API
//! in an app's or an SDK's code, who it belongs to, and whether the policy covers it.
//!
//! `archive` opens the artifact and hands each code file to `classfile` or `dex`; both turn
//! the references in a method's code into `sites` using the `apis` catalogue; `coverage`
//! attributes a site to the app or a declared SDK and checks it against the purposes.
//! A static scan sees direct calls only: reflection, native code, code loaded at run time
//! and method references through `invokedynamic` are invisible to it (SECURITY.md).

mod apis;
mod archive;
mod classfile;
mod coverage;
mod dex;
mod sites;

use std::path::{Path, PathBuf};

pub use archive::Limits;
pub(crate) use archive::Located;
pub use coverage::Coverage;
pub(crate) use coverage::{Owner, Verdict};

/// One call site with its verdict.
#[derive(Debug, Clone)]
pub struct Finding {
    pub(crate) located: Located,
    pub(crate) owner: Owner,
    pub(crate) verdict: Verdict,
}

/// The scan of one artifact.
#[derive(Debug)]
pub struct ArtifactScan {
    pub(crate) path: PathBuf,
    /// Why it could not be read; then it has no findings.
    pub error: Option<String>,
    pub(crate) class_files: usize,
    pub(crate) dex_files: usize,
    pub findings: Vec<Finding>,
}

/// Scans one artifact against `coverage`.
pub fn scan_artifact(path: &Path, coverage: &Coverage<'_>, limits: &Limits) -> ArtifactScan {
    match archive::read_artifact(path, limits) {
        Err(error) => ArtifactScan {
            path: path.to_path_buf(),
            error: Some(error),
            class_files: 0,
            dex_files: 0,
            findings: Vec::new(),
        },
        Ok(contents) => {
            let mut sites = contents.sites;
            sites.sort_by(|a, b| a.site.cmp(&b.site).then_with(|| a.entry.cmp(&b.entry)));
            // The same call site seen twice (a multi-release JAR's copies of a class) is one finding.
            sites.dedup_by(|a, b| a.site == b.site);
            let findings = sites
                .into_iter()
                .map(|located| Finding {
                    owner: coverage.owner(&located.site.class),
                    verdict: coverage.verdict(&located.site.class, located.site.group),
                    located,
                })
                .collect();
            ArtifactScan {
                path: path.to_path_buf(),
                error: None,
                class_files: contents.class_files,
                dex_files: contents.dex_files,
                findings,
            }
        }
    }
}
