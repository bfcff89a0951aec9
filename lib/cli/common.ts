// What the CLI commands share: opening the runtime and a model the way the options say.
import type { Model } from '../model.js';
import { open, type Backend, type Runtime } from '../runtime.js';

export interface ModelCommandOptions {
  backend?: Backend;
  device: number;
  dynamicBatch?: number[];
  json?: boolean;
}

export function openRuntime(opts: ModelCommandOptions): Runtime {
  return open(opts.backend ? { backend: opts.backend } : {});
}

export function loadModel(rt: Runtime, path: string, opts: ModelCommandOptions): Promise<Model> {
  return rt.device(opts.device).loadModel(path, opts.dynamicBatch ? { dynamicBatch: opts.dynamicBatch } : {});
}

/** Dims as text: [1, 3, 224, 224], with -1 shown as '?'. */
export function dimsText(dims: readonly number[]): string {
  return `[${dims.map((d) => (d < 0 ? '?' : String(d))).join(', ')}]`;
}
