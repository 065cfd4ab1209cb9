// Public API of src/time; filled in by the time work.
export {};
