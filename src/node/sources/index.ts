// Node-only pulled sources. Re-exported by src/node/index.ts.
export { fromNodeStream } from './fromNodeStream.js';
export {
  DEFAULT_MAX_LINE_LENGTH,
  LineTooLongError,
  readTextFile,
  readTextFileWithOffsets,
  type ReadTextFileOptions,
  type TextFilePosition,
  type TextLine,
} from './readTextFile.js';
