//! Reading files a user names (config, baseline, opencode.json, CA bundle) with a size cap,
//! so `--config /dev/zero` is an error, not an out-of-memory kill.

use std::io::Read;
use std::path::Path;

/// The largest config, baseline or opencode.json zencheck reads.
pub const FILE_CAP: u64 = 16 << 20;

/// The file's bytes, or why not (not found, a folder, over `cap` bytes…).
pub fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, String> {
    let f = std::fs::File::open(path).map_err(|e| e.to_string())?;
    if f.metadata().is_ok_and(|m| m.is_dir()) {
        return Err("it is a folder, not a file".into());
    }
    let mut buf = Vec::new();
    f.take(cap + 1)
        .read_to_end(&mut buf)
        .map_err(|e| e.to_string())?;
    if buf.len() as u64 > cap {
        return Err(format!("it is larger than {} MiB", cap >> 20));
    }
    Ok(buf)
}

/// The file as UTF-8 text under [`FILE_CAP`].
pub fn read_text(path: &Path) -> Result<String, String> {
    let bytes = read_capped(path, FILE_CAP)?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "it is not UTF-8 text (byte {})",
            e.utf8_error().valid_up_to()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endless_file_is_refused_at_the_cap() {
        let e = read_capped(Path::new("/dev/zero"), 1 << 20).unwrap_err();
        assert!(e.contains("larger than 1 MiB"), "{e}");
    }

    #[test]
    fn a_folder_and_a_missing_file_are_explained() {
        assert!(read_capped(Path::new("/"), 10)
            .unwrap_err()
            .contains("folder"));
        assert!(read_capped(Path::new("/no/such/file"), 10).is_err());
    }
}
