// The package's `exports` map serves this subpath (esbuild resolves it), but the project's
// "moduleResolution": "node" cannot see types behind `exports`: declare them here.
declare module 'js-tiktoken/ranks/cl100k_base' {
  import type { TiktokenBPE } from 'js-tiktoken/lite';
  const ranks: TiktokenBPE;
  export default ranks;
}
