// `ascendcl inspect <model> [--json]`: names, dims, data types, formats, byte sizes, gears.
import type { TensorInfo } from '../model.js';
import { dimsText, loadModel, type ModelCommandOptions, openRuntime } from './common.js';

function table(title: string, tensors: readonly TensorInfo[]): string[] {
  const rows = tensors.map((t) => [t.name, dimsText(t.dims), t.dataType, t.format, String(t.byteSize)]);
  const head = ['name', 'dims', 'type', 'format', 'bytes'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => c.padEnd(widths[i]!)).join('  ')}`.trimEnd();
  return [`${title}:`, line(head), ...rows.map(line)];
}

export async function inspect(path: string, opts: ModelCommandOptions): Promise<void> {
  const rt = openRuntime(opts);
  try {
    const model = await loadModel(rt, path, opts);
    const description = {
      model: path,
      backend: rt.backend,
      inputs: model.inputs,
      outputs: model.outputs,
      dynamicBatch: model.dynamicBatch,
    };
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(description, null, 2)}\n`);
      return;
    }
    const lines = [
      `model: ${path} (${rt.backend})`,
      ...table('inputs', model.inputs),
      ...table('outputs', model.outputs),
      `dynamic batch: ${model.dynamicBatch ? model.dynamicBatch.join(', ') : 'none'}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    rt.close();
  }
}
