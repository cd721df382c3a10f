import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defaultPlugins } from '../plugins/default-plugins.js';
import { configSchemaText } from './config-schema.js';

const configs = fileURLToPath(new URL('../../configs/', import.meta.url));

describe('configs/clipkit.schema.json', () => {
  it('is what `clipkit config-schema` prints for the default plug-ins (regenerate: npx clipkit config-schema --out configs/clipkit.schema.json)', async () => {
    expect(readFileSync(`${configs}clipkit.schema.json`, 'utf8')).toBe(configSchemaText(await defaultPlugins()));
  });

  it('is the $schema of every example config', () => {
    const files = readdirSync(configs).filter((f) => f.endsWith('.json') && f !== 'clipkit.schema.json');
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect((JSON.parse(readFileSync(`${configs}${file}`, 'utf8')) as { $schema?: string }).$schema, file).toBe('./clipkit.schema.json');
  });
});
