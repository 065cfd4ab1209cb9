import { open, type FileHandle } from 'node:fs/promises';
import { InvalidOptionError } from '../../core/errors.js';
import { PulledSource, type PulledSourceOptions, type Puller } from '../../sources/pulled.js';

/** Where a text file source resumes: the byte offset of the next line, and its line number (0-based). */
export interface TextFilePosition {
  readonly offset: number;
  readonly line: number;
}

/** A line with where it starts in the file: enough to resume right after it. */
export interface TextLine {
  readonly text: string;
  /** Byte offset of the line's first byte. */
  readonly offset: number;
  /** 0-based line number. */
  readonly line: number;
}

/** Options of the text file sources. */
export interface ReadTextFileOptions extends PulledSourceOptions<TextFilePosition> {
  /** Bytes read from the file at a time; default 65536. */
  chunkSize?: number;
}

/**
 * Reads a UTF-8 text file line by line as a pulled source: batches of up to `batchSize` lines
 * (default 1024), read from disk only when the pipeline has room. Lines end at `\n` (a trailing
 * `\r` is removed); a last line without newline is emitted too. The source's `position` is the byte
 * offset and number of the next line, so `from: source.position` resumes exactly after the last
 * line emitted (a checkpoint stores it).
 *
 * @example
 * ```ts
 * import { readTextFile } from 'rxflink/node';
 * readTextFile('book.txt', { batchSize: 10_000 }).pipe(
 *   withEventTimeBatches({ timestamp: () => 0, watermarks: monotonousTimestamps() }),
 *   flatMapValues((line) => line.split(/\W+/)), ...);
 * ```
 */
export function readTextFile(path: string, options: ReadTextFileOptions = {}): PulledSource<string, TextFilePosition> {
  return textFileSource(path, options, (text) => text);
}

/**
 * Like `readTextFile`, but each line comes with its byte offset and line number.
 *
 * @example
 * ```ts
 * readTextFileWithOffsets('app.log').pipe(map((lines) => lines.filter((l) => l.text.includes('ERROR'))));
 * ```
 */
export function readTextFileWithOffsets(path: string, options: ReadTextFileOptions = {}): PulledSource<TextLine, TextFilePosition> {
  return textFileSource(path, options, (text, offset, line) => ({ text, offset, line }));
}

function textFileSource<T>(
  path: string,
  options: ReadTextFileOptions,
  make: (text: string, offset: number, line: number) => T,
): PulledSource<T, TextFilePosition> {
  if (typeof path !== 'string' || path === '') throw new InvalidOptionError('path', path, 'must be a non-empty file path');
  const chunkSize = options.chunkSize ?? 65_536;
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) throw new InvalidOptionError('chunkSize', chunkSize, 'must be a positive integer');
  const from = options.from;
  if (from !== undefined && (!Number.isSafeInteger(from.offset) || from.offset < 0 || !Number.isSafeInteger(from.line) || from.line < 0)) {
    throw new InvalidOptionError('from', from, 'must be { offset, line } with non-negative integers');
  }
  return new PulledSource<T, TextFilePosition>((start) => linePuller(path, chunkSize, start ?? { offset: 0, line: 0 }, make), {
    ...options,
    defaultBatchSize: 1024,
    defaultName: `text file ${path}`,
  });
}

const NEWLINE = 0x0a;
const RETURN = 0x0d;

function linePuller<T>(
  path: string,
  chunkSize: number,
  start: TextFilePosition,
  make: (text: string, offset: number, line: number) => T,
): Puller<T, TextFilePosition> {
  let handle: FileHandle | undefined;
  let closed = false;
  // Bytes read and not yet emitted as lines: buf[from..] starts at file offset `offset`.
  let buf: Buffer = Buffer.alloc(0);
  let from = 0;
  let offset = start.offset;
  let line = start.line;
  let readAt = start.offset;
  let eof = false;
  return {
    async pull(max) {
      if (handle === undefined) handle = await open(path, 'r');
      const values: T[] = [];
      while (values.length < max) {
        const nl = buf.indexOf(NEWLINE, from);
        if (nl >= 0) {
          const end = nl > from && buf[nl - 1] === RETURN ? nl - 1 : nl;
          values.push(make(buf.toString('utf8', from, end), offset, line));
          offset += nl + 1 - from;
          from = nl + 1;
          line++;
          continue;
        }
        if (eof) {
          if (from < buf.length) {
            const end = buf[buf.length - 1] === RETURN ? buf.length - 1 : buf.length;
            values.push(make(buf.toString('utf8', from, end), offset, line));
            offset += buf.length - from;
            from = buf.length;
            line++;
          }
          break;
        }
        const chunk = Buffer.allocUnsafe(chunkSize);
        const { bytesRead } = await handle.read(chunk, 0, chunkSize, readAt);
        if (closed) return { values: [], done: true };
        readAt += bytesRead;
        if (bytesRead === 0) eof = true;
        // Keep only the unfinished line: the buffer never holds more than one line plus a chunk.
        buf = from < buf.length ? Buffer.concat([buf.subarray(from), chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
        from = 0;
      }
      const done = eof && from >= buf.length;
      if (done) await closeHandle();
      return { values, done };
    },
    position: () => ({ offset, line }),
    close() {
      closed = true;
      void closeHandle();
    },
  };

  async function closeHandle(): Promise<void> {
    const h = handle;
    handle = undefined;
    if (h) await h.close().catch(() => undefined);
  }
}
