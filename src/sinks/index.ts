// Public API of src/sinks; filled in by the sinks work.
export {};
