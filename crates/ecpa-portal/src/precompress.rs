//! Brotli and gzip copies of the built SPA's files (`x.wasm.br`, `x.wasm.gz`), which
//! the portal serves to browsers that accept them. Made once per build: a copy at least
//! as new as its file is kept.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::PortalError;

/// Files worth compressing (text and wasm; images are compressed already).
const EXTENSIONS: [&str; 7] = ["wasm", "js", "css", "html", "svg", "json", "txt"];

/// Brotli at its best (the work is done once per build).
const BROTLI_QUALITY: u32 = 11;
const BROTLI_WINDOW_BITS: u32 = 22;

#[derive(Debug, Clone, Copy)]
enum Encoding {
    Brotli,
    Gzip,
}

impl Encoding {
    fn suffix(self) -> &'static str {
        match self {
            Encoding::Brotli => "br",
            Encoding::Gzip => "gz",
        }
    }

    fn compress(self, bytes: &[u8]) -> std::io::Result<Vec<u8>> {
        match self {
            Encoding::Brotli => {
                let mut writer = brotli::CompressorWriter::new(
                    Vec::new(),
                    64 * 1024,
                    BROTLI_QUALITY,
                    BROTLI_WINDOW_BITS,
                );
                writer.write_all(bytes)?;
                writer.flush()?;
                Ok(writer.into_inner())
            }
            Encoding::Gzip => {
                let mut writer =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
                writer.write_all(bytes)?;
                writer.finish()
            }
        }
    }
}

fn file_error(path: &Path) -> impl FnOnce(std::io::Error) -> PortalError + '_ {
    move |source| PortalError::File {
        path: path.display().to_string(),
        source,
    }
}

fn compressible(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.contains(&e))
}

/// True when `copy` exists and is at least as new as `original`.
fn is_current(original: &Path, copy: &Path) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    matches!((modified(original), modified(copy)), (Some(o), Some(c)) if c >= o)
}

/// Writes `bytes` to `path` through a temporary file and a rename, so a reader (or a
/// second portal starting at the same time) never sees half a file.
fn write_whole(path: &Path, bytes: &[u8]) -> Result<(), PortalError> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(format!(".{}.tmp", std::process::id()));
    let temporary = PathBuf::from(temporary);
    std::fs::write(&temporary, bytes).map_err(file_error(&temporary))?;
    std::fs::rename(&temporary, path).map_err(file_error(path))
}

/// Makes the missing or outdated compressed copies of the files under `dir`; returns
/// how many it wrote.
pub fn precompress_dir(dir: &Path) -> Result<usize, PortalError> {
    let mut written = 0;
    for entry in std::fs::read_dir(dir).map_err(file_error(dir))? {
        let path = entry.map_err(file_error(dir))?.path();
        if path.is_dir() {
            written += precompress_dir(&path)?;
            continue;
        }
        if !compressible(&path) {
            continue;
        }
        for encoding in [Encoding::Brotli, Encoding::Gzip] {
            let mut copy = path.as_os_str().to_owned();
            copy.push(".");
            copy.push(encoding.suffix());
            let copy = PathBuf::from(copy);
            if is_current(&path, &copy) {
                continue;
            }
            let bytes = std::fs::read(&path).map_err(file_error(&path))?;
            let packed = encoding.compress(&bytes).map_err(file_error(&copy))?;
            write_whole(&copy, &packed)?;
            written += 1;
        }
    }
    Ok(written)
}
