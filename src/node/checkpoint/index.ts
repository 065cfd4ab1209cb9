// Node-only checkpoint storage: the file backend. Re-exported by src/node/index.ts.
export { fileBackend, pipelineDirectory, type FileBackendOptions } from './file-backend.js';
export { FileBlobStore, type FileStoreHooks, type FileStoreOptions } from './file-store.js';
