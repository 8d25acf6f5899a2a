//! Object compression (spec §1.11): GZIP, ZIP, Snappy (framed) and Hadoop-compatible Snappy, as real
//! bytes ordinary tools open (gunzip, unzip, python-snappy). The size hint counts bytes before this step
//! (L20).

use serde::{Deserialize, Serialize};
use std::io::Write;

/// `CompressionFormat`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Compression {
    #[default]
    #[serde(rename = "UNCOMPRESSED")]
    Uncompressed,
    #[serde(rename = "GZIP")]
    Gzip,
    #[serde(rename = "ZIP")]
    Zip,
    #[serde(rename = "Snappy")]
    Snappy,
    #[serde(rename = "HADOOP_SNAPPY")]
    HadoopSnappy,
}

/// Hadoop's block codec splits input into blocks of this size [M: Hadoop's default buffer, 256 KiB].
const HADOOP_BLOCK: usize = 256 * 1024;

impl Compression {
    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Compression::Uncompressed => "UNCOMPRESSED",
            Compression::Gzip => "GZIP",
            Compression::Zip => "ZIP",
            Compression::Snappy => "Snappy",
            Compression::HadoopSnappy => "HADOOP_SNAPPY",
        }
    }

    /// The object key's extension [M: representative].
    pub fn extension(self) -> &'static str {
        match self {
            Compression::Uncompressed => "",
            Compression::Gzip => ".gz",
            Compression::Zip => ".zip",
            Compression::Snappy | Compression::HadoopSnappy => ".snappy",
        }
    }

    /// The Content-Type an object is stored with.
    pub fn content_type(self) -> &'static str {
        match self {
            Compression::Uncompressed => "application/octet-stream",
            Compression::Gzip => "application/gzip",
            Compression::Zip => "application/zip",
            Compression::Snappy | Compression::HadoopSnappy => "application/x-snappy-framed",
        }
    }

    /// The compressed bytes; `entry` names the file inside a ZIP archive, dated `written_epoch_ms` (UTC,
    /// clamped to ZIP's 1980–2107 range).
    pub fn apply(self, data: &[u8], entry: &str, written_epoch_ms: u64) -> Vec<u8> {
        match self {
            Compression::Uncompressed => data.to_vec(),
            Compression::Gzip => {
                let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
                encoder.write_all(data).expect("writing to a Vec cannot fail");
                encoder.finish().expect("writing to a Vec cannot fail")
            }
            Compression::Zip => {
                let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
                let options = zip::write::SimpleFileOptions::default()
                    .compression_method(zip::CompressionMethod::Deflated)
                    .last_modified_time(zip_time(written_epoch_ms));
                zip.start_file(entry, options).expect("an in-memory archive accepts a file");
                zip.write_all(data).expect("writing to a Vec cannot fail");
                zip.finish().expect("an in-memory archive closes").into_inner()
            }
            Compression::Snappy => {
                let mut encoder = snap::write::FrameEncoder::new(Vec::new());
                encoder.write_all(data).expect("writing to a Vec cannot fail");
                encoder.into_inner().expect("flushing to a Vec cannot fail")
            }
            Compression::HadoopSnappy => {
                // Hadoop's BlockCompressorStream: per block, the raw length, then one compressed chunk
                // with its length, all big-endian u32.
                let mut out = Vec::new();
                let mut encoder = snap::raw::Encoder::new();
                for block in data.chunks(HADOOP_BLOCK) {
                    let chunk = encoder.compress_vec(block).expect("a block under 4 GiB compresses");
                    out.extend_from_slice(&(block.len() as u32).to_be_bytes());
                    out.extend_from_slice(&(chunk.len() as u32).to_be_bytes());
                    out.extend_from_slice(&chunk);
                }
                out
            }
        }
    }
}

/// A wall-clock instant as a ZIP (DOS) date and time.
fn zip_time(epoch_ms: u64) -> zip::DateTime {
    let secs = epoch_ms / 1_000;
    let (y, m, d) = crate::engine::kds::datetime::civil_from_days((secs / 86_400) as i64);
    let (h, mi, s) = ((secs / 3_600 % 24) as u8, (secs / 60 % 60) as u8, (secs % 60) as u8);
    let year = y.clamp(1980, 2107) as u16;
    zip::DateTime::from_date_and_time(year, m as u8, d as u8, h, mi, s).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    const TEXT: &[u8] = b"{\"stationId\":100,\"action\":\"RENTED\"}\n{\"stationId\":110,\"action\":\"DOCKED\"}\n";

    #[test]
    fn every_format_reads_back_with_its_own_decoder() {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&Compression::Gzip.apply(TEXT, "x", 0)[..]).read_to_end(&mut out).unwrap();
        assert_eq!(out, TEXT);

        let zipped = Compression::Zip.apply(TEXT, "records", 1_609_808_228_000);
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zipped)).unwrap();
        let mut entry = archive.by_name("records").unwrap();
        let dated = entry.last_modified().unwrap();
        assert_eq!((dated.year(), dated.month(), dated.day(), dated.hour(), dated.minute()), (2021, 1, 5, 0, 57));
        out.clear();
        entry.read_to_end(&mut out).unwrap();
        assert_eq!(out, TEXT);

        out.clear();
        snap::read::FrameDecoder::new(&Compression::Snappy.apply(TEXT, "x", 0)[..]).read_to_end(&mut out).unwrap();
        assert_eq!(out, TEXT);

        let hadoop = Compression::HadoopSnappy.apply(TEXT, "x", 0);
        assert_eq!(u32::from_be_bytes(hadoop[..4].try_into().unwrap()) as usize, TEXT.len());
        let chunk = u32::from_be_bytes(hadoop[4..8].try_into().unwrap()) as usize;
        assert_eq!(snap::raw::Decoder::new().decompress_vec(&hadoop[8..8 + chunk]).unwrap(), TEXT);
        assert_eq!(Compression::Uncompressed.apply(TEXT, "x", 0), TEXT);
    }
}
