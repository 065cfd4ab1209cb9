import { describe, expect, it, vi } from 'vitest';
import { lastValueFrom, take, toArray } from 'rxjs';
import { Readable } from 'node:stream';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asyncSinkValues } from '../../src/index.js';
import { fromNodeStream, LineTooLongError, readTextFile, readTextFileWithOffsets } from '../../src/node/index.js';

const dir = mkdtempSync(join(tmpdir(), 'rxflink-sources-'));

describe('Node sources', () => {
  it('readTextFile: lines in batches, CRLF and a last line without newline, multi-byte characters', async () => {
    const path = join(dir, 'a.txt');
    writeFileSync(path, 'one\r\ntwo\nthré€\n\nlast');
    const batches = await lastValueFrom(readTextFile(path, { batchSize: 2, chunkSize: 3 }).pipe(toArray()));
    expect(batches.flat()).toEqual(['one', 'two', 'thré€', '', 'last']);
    expect(batches.every((b) => b.length <= 2)).toBe(true);
  });

  it('readTextFileWithOffsets: byte offsets per line; resuming from a position continues after the last line', async () => {
    const path = join(dir, 'b.txt');
    const text = 'alpha\nβeta\ngamma\ndelta\n';
    writeFileSync(path, text);
    const lines = (await lastValueFrom(readTextFileWithOffsets(path, { chunkSize: 4 }).pipe(toArray()))).flat();
    const bytes = Buffer.from(text);
    expect(lines.map((l) => l.text)).toEqual(['alpha', 'βeta', 'gamma', 'delta']);
    for (const l of lines)
      expect(bytes.subarray(l.offset, l.offset + Buffer.byteLength(l.text)).toString()).toBe(l.text);
    expect(lines.map((l) => l.line)).toEqual([0, 1, 2, 3]);

    // Read two lines, stop, and resume from the source's position: nothing lost or repeated.
    const first = readTextFile(path, { batchSize: 2 });
    const head = await lastValueFrom(first.pipe(take(2), toArray()));
    expect(head.flat()).toEqual(['alpha', 'βeta', 'gamma']);
    expect(first.position).toEqual({ offset: lines[3]!.offset, line: 3 });
    const rest = await lastValueFrom(readTextFile(path, { from: first.position! }).pipe(toArray()));
    expect(rest.flat()).toEqual(['delta']);
  });

  it('readTextFile is quadratic in line length (issue 17 item 13): a 40 MB line is read whole, with the lines around it, offsets right', async () => {
    // Before the fix the unfinished line was joined again on every chunk: 640 chunks of 64 KiB copied
    // about 13 GB (7 s here). The bytes joined are counted instead of timed: linear means about once.
    const path = join(dir, 'long.txt');
    const long = `${'x'.repeat(40 * 1024 * 1024 - 3)}é\r`;
    writeFileSync(path, `first\n${long}\nlast`);
    const concat = vi.spyOn(Buffer, 'concat');
    let lines: { text: string; offset: number; line: number }[];
    try {
      lines = (await lastValueFrom(readTextFileWithOffsets(path).pipe(toArray()))).flat();
    } finally {
      concat.mockRestore();
    }
    const joined = concat.mock.results.reduce((sum, r) => sum + (r.value as Buffer).length, 0);
    expect(joined).toBeLessThanOrEqual(Buffer.byteLength(long));
    expect(lines.map((l) => l.text.length)).toEqual([5, long.length - 1, 4]);
    expect(lines[1]!.text.endsWith('xé')).toBe(true);
    expect(lines.map((l) => [l.offset, l.line])).toEqual([
      [0, 0],
      [6, 1],
      [6 + Buffer.byteLength(long) + 1, 2],
    ]);
  });

  it('readTextFile: a line longer than maxLineLength fails with LineTooLongError naming the file and the line', async () => {
    const path = join(dir, 'limit.txt');
    writeFileSync(path, 'short\r\n12345\r\n123456\nafter\n');
    // 5 bytes pass (the \r of the line ending does not count); 6 do not, whatever the chunk size.
    for (const chunkSize of [1, 2, 4, 65_536]) {
      const seen: string[] = [];
      const error = await new Promise<unknown>((resolve) => {
        readTextFile(path, { maxLineLength: 5, chunkSize, batchSize: 1 }).subscribe({
          next: (b) => seen.push(...b),
          error: resolve,
          complete: () => resolve(undefined),
        });
      });
      expect(seen).toEqual(['short', '12345']);
      expect(error).toBeInstanceOf(LineTooLongError);
      expect(error).toMatchObject({ path, line: 2, maxLineLength: 5 });
      expect((error as Error).message).toContain('Line 3 of');
    }
    expect(() => readTextFile(path, { maxLineLength: 0 })).toThrow(/maxLineLength/);
  });

  it('readTextFile: a big file is read no further ahead than the sink allows', async () => {
    const path = join(dir, 'big.txt');
    const n = 200_000;
    writeFileSync(path, `${Array.from({ length: n }, (_, i) => `line ${i}`).join('\n')}\n`);
    const source = readTextFile(path, { batchSize: 1000 });
    let count = 0;
    let ok = true;
    await lastValueFrom(
      source.pipe(
        asyncSinkValues(
          (lines) => {
            for (const l of lines) if (l !== `line ${count++}`) ok = false;
            return Promise.resolve();
          },
          { concurrency: 1, bufferSize: 2000 },
        ),
      ),
    );
    expect(ok).toBe(true);
    expect(count).toBe(n);
    expect(source.monitor.snapshot().stages.find((s) => s.kind === 'sink')!.peakOccupancy).toBeLessThanOrEqual(2000);
  });

  it('fromNodeStream: object mode, batched from the buffer, ends, and destroys the stream on unsubscribe', async () => {
    const all = await lastValueFrom(
      fromNodeStream<number>(Readable.from([1, 2, 3, 4, 5]), { batchSize: 2 }).pipe(toArray()),
    );
    expect(all.flat()).toEqual([1, 2, 3, 4, 5]);
    let produced = 0;
    const endless = new Readable({
      objectMode: true,
      highWaterMark: 4,
      read() {
        this.push(produced++);
      },
    });
    const firstThree = await lastValueFrom(fromNodeStream<number>(endless, { batchSize: 1 }).pipe(take(3), toArray()));
    expect(firstThree.flat()).toEqual([0, 1, 2]);
    await new Promise((r) => setTimeout(r, 5));
    expect(endless.destroyed).toBe(true);
    // Node fills its buffer to the highWaterMark and then stops calling read(): bounded.
    expect(produced).toBeLessThanOrEqual(3 + 4 + 1);
  });

  it('fromNodeStream: a stream error fails the pipeline', async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error('EIO'));
      },
    });
    await expect(lastValueFrom(fromNodeStream(failing))).rejects.toThrow('EIO');
  });
});
