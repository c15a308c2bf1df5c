// Generates the TypeScript protocol code in libs/protocol/src/gen/ from protos/ with ts-proto,
// driven by `buf generate` and the template tools/codegen/buf.gen.yaml. Both buf and the
// ts-proto plugin come from node_modules, so this works offline.
//
//   npm run codegen            regenerate libs/protocol/src/gen/ (it is never edited by hand)
//   npm run codegen -- --check regenerate into a temporary directory and fail if the committed
//                              code differs (for CI)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const buf = path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'buf.cmd' : 'buf');
const template = path.join('tools', 'codegen', 'buf.gen.yaml');
const generated = path.join('libs', 'protocol', 'src', 'gen');

function generate(outputBase) {
  const args = ['generate', 'protos', '--template', template];
  if (outputBase !== undefined) args.push('--output', outputBase);
  // The template names paths relative to the repository root, so buf runs from there.
  execFileSync(buf, args, { cwd: root, stdio: 'inherit' });
}

function listFiles(dir) {
  const files = [];
  const walk = (current) => {
    for (const entry of readdirSync(current)) {
      const full = path.join(current, entry);
      if (statSync(full).isDirectory()) walk(full);
      else files.push(path.relative(dir, full));
    }
  };
  walk(dir);
  return files.sort();
}

function check() {
  const scratch = mkdtempSync(path.join(tmpdir(), 'quiver-codegen-'));
  try {
    generate(scratch);
    const fresh = path.join(scratch, generated);
    const committed = path.join(root, generated);
    const freshFiles = listFiles(fresh);
    const committedFiles = listFiles(committed);
    const stale = [...new Set([...freshFiles, ...committedFiles])].filter(
      (file) =>
        !freshFiles.includes(file) ||
        !committedFiles.includes(file) ||
        !readFileSync(path.join(fresh, file)).equals(readFileSync(path.join(committed, file))),
    );
    if (stale.length > 0) {
      console.error(`codegen: ${generated} is out of date (run \`npm run codegen\`):\n  ${stale.join('\n  ')}`);
      process.exitCode = 1;
    } else {
      console.log(`codegen: ${generated} is up to date`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv.includes('--check')) check();
else generate(undefined);
