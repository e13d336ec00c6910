// Reads the shared sync vectors (sync/testdata/*.json) that the Go tests
// check too.
import { readFileSync } from 'node:fs';

export function readVectors(name) {
  const url = new URL(`../../sync/testdata/${name}`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8'));
}
