// Runs a WASI (wasm32-wasip1) build of kinesis-lab under Node's V8 — the engine the browser uses.
// Usage: node --no-warnings --no-wasm-lazy-compilation tests/bench/wasi-run.mjs <kinesis-lab.wasm> <args…>
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';

const [wasmPath, ...args] = process.argv.slice(2);
// The working directory is visible as '.', so relative paths (scenario files) work.
const wasi = new WASI({
  version: 'preview1',
  args: ['kinesis-lab', ...args],
  env: {},
  preopens: { '.': process.cwd() },
  returnOnExit: false,
});
const module = await WebAssembly.compile(await readFile(wasmPath));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
wasi.start(instance); // proc_exit ends the process with the program's own exit code
