/** wrangler's default `CompiledWasm` rule imports a `.wasm` file as a precompiled module. */
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
