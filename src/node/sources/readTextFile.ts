import { open, type FileHandle } from 'node:fs/promises';
import { InvalidOptionError, StreamError } from '../../core/errors.js';
import { PulledSource, type PulledSourceOptions, type Puller } from '../../sources/pulled.js';
import { positiveInteger } from '../../core/options.js';

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
  /**
   * The longest line accepted, in bytes (without its line ending); a longer one fails the source
   * with a `LineTooLongError`. Default 64 MiB (`DEFAULT_MAX_LINE_LENGTH`).
   */
  maxLineLength?: number;
}

/**
 * The default `maxLineLength`: 64 MiB. It bounds the memory one unfinished line holds, far above
 * any line a text or log file has, and far below V8's longest string (about 512 Mi characters), so
 * a file without newlines (a binary, a minified bundle) fails with an error that names it instead
 * of a RangeError from deep inside Node, or the process running out of memory.
 */
export const DEFAULT_MAX_LINE_LENGTH = 64 * 1024 * 1024;

/** A line of a text file is longer than the source's `maxLineLength`. */
export class LineTooLongError extends StreamError {
  readonly path: string;
  /** 0-based number of the line (as in `TextLine.line`). */
  readonly line: number;
  readonly maxLineLength: number;
  constructor(path: string, line: number, maxLineLength: number) {
    super(
      'LINE_TOO_LONG',
      `Line ${line + 1} of ${JSON.stringify(path)} is longer than maxLineLength (${maxLineLength} bytes): raise the option if the file really holds such lines`,
    );
    this.path = path;
    this.line = line;
    this.maxLineLength = maxLineLength;
  }
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
export function readTextFileWithOffsets(
  path: string,
  options: ReadTextFileOptions = {},
): PulledSource<TextLine, TextFilePosition> {
  return textFileSource(path, options, (text, offset, line) => ({ text, offset, line }));
}

function textFileSource<T>(
  path: string,
  options: ReadTextFileOptions,
  make: (text: string, offset: number, line: number) => T,
): PulledSource<T, TextFilePosition> {
  if (typeof path !== 'string' || path === '')
    throw new InvalidOptionError('path', path, 'must be a non-empty file path');
  const chunkSize = positiveInteger('chunkSize', options.chunkSize ?? 65_536);
  const maxLineLength = positiveInteger('maxLineLength', options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH, 'bytes');
  const from = options.from;
  if (
    from !== undefined &&
    (typeof from !== 'object' ||
      from === null ||
      !Number.isSafeInteger(from.offset) ||
      from.offset < 0 ||
      !Number.isSafeInteger(from.line) ||
      from.line < 0)
  ) {
    throw new InvalidOptionError('from', from, 'must be { offset, line } with non-negative integers');
  }
  return new PulledSource<T, TextFilePosition>(
    (start) => linePuller(path, chunkSize, maxLineLength, start ?? { offset: 0, line: 0 }, make),
    {
      ...options,
      defaultBatchSize: 1024,
      defaultName: `text file ${path}`,
    },
  );
}

const NEWLINE = 0x0a;
const RETURN = 0x0d;

function linePuller<T>(
  path: string,
  chunkSize: number,
  maxLineLength: number,
  start: TextFilePosition,
  make: (text: string, offset: number, line: number) => T,
): Puller<T, TextFilePosition> {
  let handle: FileHandle | undefined;
  let closed = false;
  // The chunk being split into lines: chunk[from..] starts at file offset `offset`, after the
  // beginning of the unfinished line kept in `pending` (its parts, in order, `pendingBytes` long).
  // The parts are joined once, when the line ends: linear in the line's length, where joining on
  // every chunk was quadratic (issue 17 item 13).
  let chunk: Buffer = Buffer.alloc(0);
  let from = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let offset = start.offset;
  let line = start.line;
  let readAt = start.offset;
  let eof = false;

  /** The text of the line that ends (without its "\n") at chunk[end], and moves past it. */
  const takeLine = (end: number, consumed: number): T => {
    let bytes =
      pending.length === 0
        ? chunk.subarray(from, end)
        : Buffer.concat([...pending, chunk.subarray(from, end)], pendingBytes + end - from);
    if (bytes.length > 0 && bytes[bytes.length - 1] === RETURN) bytes = bytes.subarray(0, bytes.length - 1);
    if (bytes.length > maxLineLength) throw new LineTooLongError(path, line, maxLineLength);
    const value = make(bytes.toString('utf8'), offset, line);
    offset += pendingBytes + consumed - from;
    from = consumed;
    pending = [];
    pendingBytes = 0;
    line++;
    return value;
  };

  return {
    async pull(max) {
      if (handle === undefined) handle = await open(path, 'r');
      const values: T[] = [];
      while (values.length < max) {
        const nl = chunk.indexOf(NEWLINE, from);
        if (nl >= 0) {
          values.push(takeLine(nl, nl + 1));
          continue;
        }
        if (eof) {
          if (from < chunk.length || pendingBytes > 0) values.push(takeLine(chunk.length, chunk.length));
          break;
        }
        // The rest of the chunk belongs to an unfinished line. (A "\r" before the line's "\n" is
        // removed once the line is joined: one line ending can be split between two chunks.)
        if (from < chunk.length) {
          pending.push(chunk.subarray(from));
          pendingBytes += chunk.length - from;
          // One "\r" more than the limit may be the line ending's.
          if (pendingBytes > maxLineLength + 1) throw new LineTooLongError(path, line, maxLineLength);
        }
        const next = Buffer.allocUnsafe(chunkSize);
        const { bytesRead } = await handle.read(next, 0, chunkSize, readAt);
        if (closed) return { values: [], done: true };
        readAt += bytesRead;
        if (bytesRead === 0) eof = true;
        chunk = next.subarray(0, bytesRead);
        from = 0;
      }
      const done = eof && from >= chunk.length && pendingBytes === 0;
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
