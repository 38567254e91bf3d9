//! Finding the input files and streaming them as newline-aligned chunks.
//!
//! The workers take turns reading (and un-gzipping) the inputs, each into its
//! own reused buffer of [`CHUNK_SIZE`] bytes, a chunk of whole lines at a time.
//! Memory stays flat whatever the size of the files: nothing is mapped or read whole.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufRead, BufReader, ErrorKind, Read};

use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};
pub use crate::record::log_files::{BOM, GZIP_MAGIC, Source, expand, total_size};

/// Bytes of a chunk's buffer: the longest a chunk can be.
pub const CHUNK_SIZE: usize = 2 << 20;
/// Bytes per chunk handed to a worker, unless a line is longer.
pub const CHUNK_TARGET: usize = 512 << 10;
/// Lines longer than this are skipped.
pub const MAX_LINE: usize = 1 << 20;

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

/// Cuts the inputs into chunks, one chunk per call of [`ChunkReader::next`].
///
/// The workers share it behind a lock and each reads its next chunk itself, so
/// the bytes land in the cache of the core that parses them (a reader thread
/// would copy them into its own core's cache, and the worker fetch them again).
pub struct ChunkReader<'a> {
    sources: &'a [Source],
    next_source: usize,
    current: Option<(Box<dyn Read + Send + 'a>, Splitter)>,
    /// Chunks cut but not handed out yet (a skipped line comes with its chunk).
    ready: VecDeque<Chunk>,
    read_total: &'a AtomicU64,
    progress: &'a (dyn Fn(u64) + Sync),
    /// An input that could not be opened; it ends the reading.
    pub error: Option<Error>,
}

impl<'a> ChunkReader<'a> {
    /// A reader of `sources` in order; `progress` is called with the bytes read so
    /// far (of the files themselves: compressed for gzip), counted in `read_total`.
    pub fn new(
        sources: &'a [Source],
        read_total: &'a AtomicU64,
        progress: &'a (dyn Fn(u64) + Sync),
    ) -> Self {
        ChunkReader {
            sources,
            next_source: 0,
            current: None,
            ready: VecDeque::new(),
            read_total,
            progress,
            error: None,
        }
    }

    /// The next chunk, read into `buf` (a buffer handed back from an earlier
    /// chunk, or an empty one); None when every input is read or one failed to open.
    pub fn next(&mut self, mut buf: Vec<u8>) -> Option<Chunk> {
        loop {
            if let Some(chunk) = self.ready.pop_front() {
                return Some(chunk);
            }
            if self.error.is_some() {
                return None;
            }
            if self.current.is_none() {
                let source = self.sources.get(self.next_source)?;
                let file = self.next_source as u32;
                self.next_source += 1;
                match self.open(source) {
                    Ok(reader) => self.current = Some((reader, Splitter::new(file))),
                    Err(err) => {
                        self.error = Some(err);
                        return None;
                    }
                }
            }
            if let Some((reader, splitter)) = &mut self.current
                && splitter.step(&mut **reader, std::mem::take(&mut buf), &mut self.ready)
            {
                self.current = None;
            }
        }
    }

    fn open(&self, source: &Source) -> Result<Box<dyn Read + Send + 'a>> {
        let raw: Box<dyn Read + Send> = match source {
            Source::Stdin => Box::new(std::io::stdin()),
            Source::File(path) => Box::new(File::open(path).map_err(|err| Error::io(path, err))?),
        };
        let raw = Counted {
            inner: raw,
            total: self.read_total,
            progress: self.progress,
        };
        let mut buffered = BufReader::with_capacity(1 << 16, raw);
        let gzip = buffered
            .fill_buf()
            .is_ok_and(|head| head.starts_with(&GZIP_MAGIC));
        let decoded: Box<dyn Read + Send + 'a> = if gzip {
            Box::new(flate2::read::MultiGzDecoder::new(buffered))
        } else {
            Box::new(buffered)
        };
        // Reads of a chunk's size pass a BufReader's buffer by, so this costs
        // nothing but the first few bytes' copy.
        let mut text = BufReader::with_capacity(1 << 12, decoded);
        if text.fill_buf().is_ok_and(|head| head.starts_with(&BOM)) {
            text.consume(BOM.len());
        }
        Ok(Box::new(text))
    }
}

/// Cuts one source into chunks of whole lines.
struct Splitter {
    file: u32,
    seq: u32,
    /// The start of a line cut by the end of the last chunk.
    carry: Vec<u8>,
}

impl Splitter {
    fn new(file: u32) -> Self {
        Splitter {
            file,
            seq: 0,
            carry: Vec::new(),
        }
    }

    /// Reads one chunk into `buf` and queues it in `out` (with a chunk for a
    /// skipped line before it, if any); true when the source is done.
    fn step(&mut self, reader: &mut dyn Read, mut buf: Vec<u8>, out: &mut VecDeque<Chunk>) -> bool {
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
        let len = if failure.is_some() {
            // The input broke off: its last, partial line is the one line the
            // failure skips, not a malformed line of its own.
            memchr::memrchr(b'\n', &buf[..filled]).map_or(0, |nl| nl + 1)
        } else if at_end {
            filled
        } else {
            match memchr::memrchr(b'\n', &buf[..filled]) {
                Some(nl) => nl + 1,
                None => {
                    // One line fills the whole buffer: skip it up to its newline.
                    let reason = format!("line longer than {} MiB", MAX_LINE >> 20);
                    let skipped = self.discard_line(reader);
                    self.send(buf, 0, Some(reason), out);
                    return match skipped {
                        Ok(true) => false,
                        Ok(false) => true,
                        Err(why) => {
                            self.send(Vec::new(), 0, Some(why), out);
                            true
                        }
                    };
                }
            }
        };
        if failure.is_none() {
            self.carry.extend_from_slice(&buf[len..filled]);
        }
        if len > 0 || failure.is_some() {
            self.send(buf, len, None, out);
        }
        if let Some(why) = failure {
            self.send(Vec::new(), 0, Some(why), out);
            return true;
        }
        at_end
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

    fn send(
        &mut self,
        data: Vec<u8>,
        len: usize,
        skipped_line: Option<String>,
        out: &mut VecDeque<Chunk>,
    ) {
        let chunk = Chunk {
            file: self.file,
            seq: self.seq,
            data,
            len,
            skipped_line,
        };
        self.seq += 1;
        out.push_back(chunk);
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
    total: &'a AtomicU64,
    progress: &'a (dyn Fn(u64) + Sync),
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let total = self.total.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
        (self.progress)(total);
        Ok(n)
    }
}
