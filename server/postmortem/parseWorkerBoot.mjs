// Entry of the post-mortem parse worker (read.ts): the sources are TypeScript, run by tsx,
// so the worker loads them through tsx too, whatever started the main thread.
import { tsImport } from 'tsx/esm/api';

await tsImport('./parseWorker.ts', import.meta.url);
