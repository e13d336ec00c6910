// Reads the shared vectors that the Go tests check too: the sync vectors
// in sync/testdata, and the schema vectors (validate.json) in
// training/testdata.
import { readFileSync } from 'node:fs';

const home = { 'validate.json': 'training' };

export function readVectors(name) {
  const url = new URL(`../../${home[name] ?? 'sync'}/testdata/${name}`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8'));
}
