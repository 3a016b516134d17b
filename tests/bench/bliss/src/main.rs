//! bliss-features FILES...: bliss's analysis vector for each file, as CSV on stdout.
//!
//! Header `file,<feature names>` (bliss's own AnalysisIndex names, latest
//! features version), then one row per analysed file with its base name first.
//! A file that fails gets one stderr line naming it and the reason; the exit
//! status is non-zero only when every file failed. A last stderr line sums up
//! the files analysed and the seconds of audio, for the benchmark script.
//!
//! Files are analysed one after another with the single-song API, never the
//! multi-threaded batch API, so the CPU time compares with `vibectl analyze -j 1`.
//! (Inside one song bliss still runs its descriptors in scoped threads; the
//! benchmark pins the process to one core.)

use bliss_audio::decoder::symphonia::SymphoniaDecoder;
use bliss_audio::decoder::Decoder;
use bliss_audio::{AnalysisIndex, BlissResult, Song};
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;
use strum::IntoEnumIterator;

/// The rate every bliss Decoder must resample to (bliss keeps its constant private).
const BLISS_SAMPLE_RATE: f64 = 22050.0;

/// Decodes and analyses one file, as `Decoder::song_from_path` does, also
/// returning the seconds of audio (bliss's Symphonia decoder leaves
/// `Song::duration` at zero).
fn analyse(path: &Path) -> BlissResult<(Song, f64)> {
    let decoded = SymphoniaDecoder::decode(path)?;
    let seconds = decoded.sample_array.len() as f64 / BLISS_SAMPLE_RATE;
    Ok((Song::try_from(decoded)?, seconds))
}

fn header() -> String {
    let names: Vec<String> = AnalysisIndex::iter().map(|f| format!("{f:?}")).collect();
    format!("file,{}", names.join(","))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

fn csv_row(path: &Path, song: &Song) -> String {
    let mut row = file_name(path);
    for value in song.analysis.as_vec() {
        row.push(',');
        row.push_str(&value.to_string());
    }
    row
}

fn main() -> ExitCode {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    if paths.is_empty() {
        eprintln!("usage: bliss-features FILES...");
        return ExitCode::from(2);
    }
    let mut out = BufWriter::new(io::stdout().lock());
    let mut analysed = 0usize;
    let mut audio_seconds = 0f64;
    let write = |out: &mut BufWriter<_>, line: String| writeln!(out, "{line}");
    if write(&mut out, header()).is_err() {
        return ExitCode::FAILURE;
    }
    for path in paths.iter().map(Path::new) {
        match analyse(path) {
            Ok((song, seconds)) => {
                if write(&mut out, csv_row(path, &song)).is_err() {
                    eprintln!("bliss-features: cannot write the CSV to stdout");
                    return ExitCode::FAILURE;
                }
                analysed += 1;
                audio_seconds += seconds;
            }
            Err(error) => eprintln!("{}: {error}", path.display()),
        }
    }
    if out.flush().is_err() {
        eprintln!("bliss-features: cannot write the CSV to stdout");
        return ExitCode::FAILURE;
    }
    eprintln!(
        "bliss-features: {analysed} of {} files analysed, {audio_seconds:.1} s of audio",
        paths.len()
    );
    if analysed == 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
