// The part of the WebAssembly JavaScript API that core/murmur128.ts uses. TypeScript declares it
// only in the DOM library, which a Node project does not load; Node 20 has the global.
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module);
    readonly exports: Record<string, unknown>;
  }
  interface Memory {
    readonly buffer: ArrayBuffer;
  }
}
