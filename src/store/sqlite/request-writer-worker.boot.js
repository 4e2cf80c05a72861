// Entry point of the request writer worker (`request-writer-thread.ts` starts it). A worker does
// not inherit tsx hooks installed with `register()` (bin/nines.js), nor `--import tsx` (tests,
// benches: the thread starts it with `execArgv: []`), so this plain-JS file registers tsx in the
// worker before loading the TypeScript module.
const { register } = await import('tsx/esm/api');
register();
await import('./request-writer-worker.ts');
