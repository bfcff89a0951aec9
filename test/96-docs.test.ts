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

// Shell samples: every `npx ascendcl …` line runs the package's bin on the simulator and exits 0.
const cli = join(root, 'dist', 'cli', 'main.js');
let commands = 0;
for (const file of files) {
  const text = readFileSync(join(root, file), 'utf8');
  for (const block of text.matchAll(/^```sh\n([\s\S]*?)^```$/gm)) {
    for (const line of block[1]!.split('\n')) {
      const match = /^npx ascendcl (.+?)\s*(#.*)?$/.exec(line.trim());
      if (!match) continue;
      commands++;
      const args = match[1]!.split(/\s+/);
      t.test(`${file}: ascendcl ${match[1]}`, async (t) => {
        const result = await runScript(cli, args, { env: { ASCENDCL_BACKEND: 'sim' }, timeoutMs: 60000 });
        t.equal(result.code, 0, 'exits with 0', { stdout: result.stdout, stderr: result.stderr });
        t.ok(result.stdout.length > 0, 'prints a report');
      });
    }
  }
}
t.ok(commands >= 5, `found ${commands} ascendcl commands`);

t.test('docs/errors.md lists every code the binding maps, as tools/error-table.ts writes it', async (t) => {
  const { errorTableMarkdown } = await import('../tools/error-table.js');
  const page = readFileSync(join(root, 'docs', 'errors.md'), 'utf8');
  t.ok(page.includes(errorTableMarkdown()), 'up to date (run npx tsx tools/error-table.ts)');
});
