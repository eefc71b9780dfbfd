// Loaded into every test process before its test file (`node --import ./test/support/preload.ts`).
import { enableCompileCache } from 'node:module';
import './network-guard.ts';

// Each test file runs in a process of its own and loads much the same modules: Node keeps their
// compiled, type-stripped code on disk (in the system's temporary folder), so later processes
// skip that work. https://nodejs.org/api/module.html#module-compile-cache
enableCompileCache();
