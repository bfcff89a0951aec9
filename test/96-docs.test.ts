// Every TypeScript sample in the README and docs/ runs, on the simulator, as written.
import t from 'tap';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, runScript } from './helpers.js';

const sampleDir = join(root, 'test', '.doc-samples');
mkdirSync(sampleDir, { recursive: true });

const files = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
let count = 0;
for (const file of files) {
  const text = readFileSync(join(root, file), 'utf8');
  const blocks = [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
  blocks.forEach((code, index) => {
    count++;
    const name = `${file.replace(/[/.]/g, '_')}_${index + 1}.ts`;
    t.test(`${file} sample ${index + 1} runs`, async (t) => {
      const path = join(sampleDir, name);
      writeFileSync(path, code);
      const result = await runScript(path, [], { nodeArgs: ['--import', 'tsx'], env: { ASCENDCL_BACKEND: '' } });
      t.equal(result.code, 0, 'exits with 0', { stdout: result.stdout, stderr: result.stderr });
    });
  });
}
t.ok(count >= 5, `found ${count} samples`);
