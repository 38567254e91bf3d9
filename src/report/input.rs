//! Finding the input files and streaming them as newline-aligned chunks.
//!
//! One reader thread reads (and un-gzips) the inputs into a few reused buffers
//! of [`CHUNK_SIZE`] bytes and hands each chunk of whole lines to the workers.
//! Memory stays flat whatever the size of the files: nothing is mapped or read whole.

use std::fs::File;
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender};

use crate::error::{Error, Result};

/// Bytes of a chunk's buffer: the longest a chunk can be.
pub const CHUNK_SIZE: usize = 2 << 20;
/// Bytes per chunk handed to a worker, unless a line is longer.
pub const CHUNK_TARGET: usize = 512 << 10;
/// Lines longer than this are skipped.
pub const MAX_LINE: usize = 1 << 20;

/// One input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Stdin,
    File(PathBuf),
}

impl Source {
    /// How the source is named in messages.
    pub fn name(&self) -> String {
        match self {
            Source::Stdin => "<stdin>".into(),
            Source::File(path) => path.display().to_string(),
        }
    }

    fn is_gzip(&self) -> bool {
        matches!(self, Source::File(p) if p.extension().is_some_and(|e| e == "gz"))
    }
}

/// Expands the paths given: `-` is stdin, a directory means every `*.jsonl` and
/// `*.jsonl.gz` below it (sorted), a file is read as it is.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<Source>> {
    let mut sources = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            sources.push(Source::Stdin);
            continue;
        }
        let meta = std::fs::metadata(path).map_err(|err| Error::io(path, err))?;
        if meta.is_dir() {
            let mut found = Vec::new();
            walk(path, &mut found)?;
            found.sort();
            sources.extend(found.into_iter().map(Source::File));
        } else {
            sources.push(Source::File(path.clone()));
        }
    }
    Ok(sources)
}

fn walk(dir: &Path, found: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir).map_err(|err| Error::io(dir, err))? {
        let path = entry.map_err(|err| Error::io(dir, err))?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            walk(&path, found)?;
        } else if name.ends_with(".jsonl") || name.ends_with(".jsonl.gz") {
            found.push(path);
        }
    }
    Ok(())
}

/// Total bytes of the files (for the progress bar).
pub fn total_size(sources: &[Source]) -> u64 {
    sources
        .iter()
        .filter_map(|s| match s {
            Source::File(p) => std::fs::metadata(p).ok().map(|m| m.len()),
            Source::Stdin => None,
        })
        .sum()
}

/// Whole lines from one file.
pub struct Chunk {
    /// Index of the source.
    pub file: u32,
    /// Position of the chunk within its file.
    pub seq: u32,
    /// The buffer; `data[..len]` is whole lines (the last may lack its newline at EOF).
    pub data: Vec<u8>,
    pub len: usize,
    /// A line the reader skipped before this chunk's data (too long, unreadable).
    pub skipped_line: Option<String>,
}

/// Reads every source in order, sending chunks; returns buffers through `pool`.
/// `progress` is called with the bytes read so far.
pub fn read_all(
    sources: &[Source],
    chunks: SyncSender<Chunk>,
    pool: Receiver<Vec<u8>>,
    progress: &dyn Fn(u64),
) -> Result<()> {
    let read_total = std::cell::Cell::new(0u64);
    for (file, source) in sources.iter().enumerate() {
        let raw: Box<dyn Read> = match source {
            Source::Stdin => Box::new(std::io::stdin().lock()),
            Source::File(path) => Box::new(File::open(path).map_err(|err| Error::io(path, err))?),
        };
        // Progress counts the bytes of the files themselves (compressed for gzip).
        let raw = Counted {
            inner: raw,
            total: &read_total,
            progress,
        };
        let mut reader: Box<dyn Read> = if source.is_gzip() {
            Box::new(flate2::read::MultiGzDecoder::new(
                std::io::BufReader::with_capacity(1 << 16, raw),
            ))
        } else {
            Box::new(raw)
        };
        let mut splitter = Splitter {
            file: file as u32,
            seq: 0,
            carry: Vec::new(),
            chunks: &chunks,
            pool: &pool,
        };
        if !splitter.run(&mut *reader) {
            break; // the workers are gone
        }
    }
    Ok(())
}

struct Splitter<'a> {
    file: u32,
    seq: u32,
    carry: Vec<u8>,
    chunks: &'a SyncSender<Chunk>,
    pool: &'a Receiver<Vec<u8>>,
}

impl Splitter<'_> {
    /// Splits one source into chunks; false when the receiving side hung up.
    fn run(&mut self, reader: &mut dyn Read) -> bool {
        loop {
            let mut buf = self.pool.try_recv().unwrap_or_default();
            buf.resize(CHUNK_SIZE, 0);
            let mut filled = self.carry.len();
            buf[..filled].copy_from_slice(&self.carry);
            self.carry.clear();
            let mut failure = None;
            // Chunks are cut at about CHUNK_TARGET bytes, so the one a worker
            // reads is still in the cache the reader filled; only a line longer
            // than that stretches its chunk, up to the whole buffer.
            let mut want = if filled < CHUNK_TARGET {
                CHUNK_TARGET
            } else {
                CHUNK_SIZE
            };
            loop {
                while filled < want {
                    match reader.read(&mut buf[filled..want]) {
                        Ok(0) => break,
                        Ok(n) => filled += n,
                        Err(err) if err.kind() == ErrorKind::Interrupted => {}
                        Err(err) => {
                            failure = Some(read_failure(&err));
                            break;
                        }
                    }
                }
                if filled == want
                    && want < CHUNK_SIZE
                    && failure.is_none()
                    && memchr::memchr(b'\n', &buf[..filled]).is_none()
                {
                    want = CHUNK_SIZE;
                    continue;
                }
                break;
            }
            let at_end = filled < want || failure.is_some();
            let len = if at_end {
                filled
            } else {
                match memchr::memrchr(b'\n', &buf[..filled]) {
                    Some(nl) => nl + 1,
                    None => {
                        // One line fills the whole buffer: skip it up to its newline.
                        let reason = format!("line longer than {} MiB", MAX_LINE >> 20);
                        let skipped = self.discard_line(reader);
                        if !self.send(buf, 0, Some(reason)) {
                            return false;
                        }
                        match skipped {
                            Ok(true) => continue,
                            Ok(false) => return true,
                            Err(why) => return self.send(Vec::new(), 0, Some(why)),
                        }
                    }
                }
            };
            self.carry.extend_from_slice(&buf[len..filled]);
            if (len > 0 || failure.is_some()) && !self.send(buf, len, None) {
                return false;
            }
            if let Some(why) = failure {
                return self.send(Vec::new(), 0, Some(why));
            }
            if at_end {
                return true;
            }
        }
    }

    /// Reads up to and past the next newline, keeping what follows it. Ok(false) at EOF.
    fn discard_line(&mut self, reader: &mut dyn Read) -> std::result::Result<bool, String> {
        let mut scratch = vec![0u8; 1 << 16];
        loop {
            let n = match reader.read(&mut scratch) {
                Ok(0) => return Ok(false),
                Ok(n) => n,
                Err(err) if err.kind() == ErrorKind::Interrupted => continue,
                Err(err) => return Err(read_failure(&err)),
            };
            if let Some(nl) = memchr::memchr(b'\n', &scratch[..n]) {
                self.carry.extend_from_slice(&scratch[nl + 1..n]);
                return Ok(true);
            }
        }
    }

    fn send(&mut self, data: Vec<u8>, len: usize, skipped_line: Option<String>) -> bool {
        let chunk = Chunk {
            file: self.file,
            seq: self.seq,
            data,
            len,
            skipped_line,
        };
        self.seq += 1;
        self.chunks.send(chunk).is_ok()
    }
}

fn read_failure(err: &std::io::Error) -> String {
    match err.kind() {
        ErrorKind::UnexpectedEof => "truncated gzip stream".into(),
        _ => format!("unreadable input: {err}"),
    }
}

/// A reader that reports how many bytes went through it.
struct Counted<'a, R> {
    inner: R,
    total: &'a std::cell::Cell<u64>,
    progress: &'a dyn Fn(u64),
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.total.set(self.total.get() + n as u64);
        (self.progress)(self.total.get());
        Ok(n)
    }
}
