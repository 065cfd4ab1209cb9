// The browser's checkpoint backend: IndexedDB through idb-keyval, with tab ownership by Web Locks.
// Package subpath `rxflink/idb`, so a Node program never loads it.
export { openIndexedDbBackend, type IndexedDbBackend, type IndexedDbBackendOptions } from './indexeddb-backend.js';
export { databaseName, IndexedDbBlobStore, IndexedDbFailure } from './idb-store.js';
export { lockName, type OwnershipMode } from './ownership.js';
