// Public API of src/sources; filled in by the sources work.
export {};
