// Vite bundles the page's style sheets; TypeScript only needs to know they are modules.
declare module '*.css';
