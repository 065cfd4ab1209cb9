/**
 * The pipeline bench's memory measure (bench/pipeline-bench.ts): the bytes of the objects a pass
 * keeps live, counted by V8 itself, without V8's code and metadata.
 *
 * Why not the heap in use (`used_heap_size` after a forced full collection, the measure before):
 * it is not the size of the live objects. Measured on the sparse workload, per space, over the 8
 * samples of one pass: with the same data live, the old space read 0 or 252 KB over the pass's
 * start from one sample to the next (one V8 page, with --compact-on-every-full-gc; 75 to 224 KB
 * without), and a heap snapshot at one sample held 129 KB of new objects where the old space read
 * 254 KB. Excluding the code space, --no-flush-bytecode, or taking the median did not remove that
 * page-sized step, which was larger than the hand loop's whole state (about 82 KB).
 *
 * So each child runs with V8's object statistics (`--track-gc-object-stats`), which at every full
 * collection print the live objects' bytes by instance type (`--trace-gc-object-stats`, on stdout),
 * and `--trace-gc`, whose line after them says whether the collection was a forced one (reason
 * "testing", `gc()`). Only full collections pay for the statistics, and a timed pass has none (its
 * collections are scavenges; measured with --trace-gc: the only full ones are forced, outside the
 * timing), so the flags leave the timed passes as they were.
 *
 * Counted: every live object but V8's code and the metadata of the code (bytecode, feedback vectors,
 * hidden classes, deoptimization data, source positions, inline-cache handlers, shared function
 * infos, scripts, V8's caches): what those hold depends on what V8 compiled, optimized or flushed
 * since the pass began, not on the state a variant keeps. Counted with the data: arrays and their
 * elements, Maps' tables, objects and their property dictionaries, strings, numbers, closures and
 * their contexts (the operators and subscribers a pipeline keeps). Not counted, by any variant:
 * off-heap memory (ArrayBuffers' stores); none of the variants keeps state there.
 */

/** The V8 flags every child runs with (spawned by pipeline-bench.ts), whatever its variant. */
export const LIVE_DATA_FLAGS = ['--trace-gc', '--track-gc-object-stats', '--trace-gc-object-stats'] as const;

/** V8's instance types (as `--trace-gc-object-stats` names them) of code and its metadata: not counted. */
const METADATA =
  /CODE|BYTECODE|BYTE_ARRAY|TURBOFAN|BASELINE|MAGLEV|REGEXP|FEEDBACK|DEOPTIMIZATION|RELOC_INFO|SOURCE_POSITION|SHARED_FUNCTION_INFO|SCOPE_INFO|^MAP_|DESCRIPTOR_ARRAY|TRANSITION_ARRAY|PROTOTYPE_INFO|SCRIPT|UNCOMPILED|PREPARSE|ALLOCATION_SITE|HANDLER|WEAK_ARRAY_LIST|WEAK_FIXED_ARRAY|RETAINED_MAPS|EMBEDDED_OBJECT|SERIALIZED_OBJECTS|CACHE/;

/** Whether a line of a child's stdout is V8's (a statistics or --trace-gc line) rather than the child's. */
export function isV8Line(line: string): boolean {
  return line.startsWith('{ "isolate"') || /^\[\d+:0x[0-9a-f]+\]/.test(line);
}

/**
 * The live data bytes after each forced full collection of a child, in the order they ran: the
 * `instance_type_data` lines of a collection's "live" statistics summed, less the metadata types,
 * kept when the --trace-gc line that follows them is a forced ("testing") mark-compact.
 */
export function forcedCollections(stdout: string): number[] {
  const forced: number[] = [];
  let data = 0;
  for (const line of stdout.split('\n')) {
    if (line.startsWith('{ "isolate"')) {
      if (!line.includes('"instance_type_data"') || !line.includes('"key": "live"')) continue;
      const entry = JSON.parse(line) as { instance_type_name: string; overall: number };
      if (!METADATA.test(entry.instance_type_name)) data += entry.overall;
    } else if (/^\[\d+:0x[0-9a-f]+\]/.test(line)) {
      if (line.includes('Mark-Compact') && line.includes('testing')) forced.push(data);
      data = 0;
    }
  }
  return forced;
}
