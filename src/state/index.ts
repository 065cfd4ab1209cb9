// Public API of src/state; filled in by the state work.
export {};
