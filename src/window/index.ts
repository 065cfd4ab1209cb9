// Public API of src/window; filled in by the window work.
export {};
