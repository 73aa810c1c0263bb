import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigSchema, loadConfig } from './index';

const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');

function documentedDefault(variable: string): string | undefined {
  const row = readme.split('\n').find((line) => line.startsWith(`| \`${variable}\` |`));
  return row?.split('|')[2]?.trim();
}

describe('README configuration table', () => {
  const defaults = loadConfig({});
  it.each(Object.keys(ConfigSchema.shape))('documents %s with its real default', (variable) => {
    const documented = documentedDefault(variable);
    expect(documented).toBeDefined();
    const actual = defaults[variable as keyof typeof defaults];
    if (typeof actual === 'object' && !Array.isArray(actual)) {
      // Structured defaults are spelled out in the meaning column.
      expect(documented).toBe('(JSON, see meaning)');
      return;
    }
    const expected = Array.isArray(actual) ? actual.join(',') : String(actual);
    expect(documented).toBe(expected === '' ? '(empty)' : `\`${expected}\``);
  });
});
