// Public API of src/flow; filled in by the flow work.
export {};
