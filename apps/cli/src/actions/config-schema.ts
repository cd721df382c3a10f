import { type AnyClipPlugin, configJsonSchema, writeContentAtomic } from '@clipkit/core';
import { pipelinePlugins } from '../plugins/pipeline-plugins.js';

export interface ConfigSchemaOptions {
  plugins: string[];
  out?: string;
}

/** The JSON Schema of configs for these plug-ins, as the file `clipkit config-schema --out` writes (configs/clipkit.schema.json). */
export function configSchemaText(plugins: readonly AnyClipPlugin[]): string {
  return `${JSON.stringify(configJsonSchema(plugins), null, 2)}\n`;
}

/** `clipkit config-schema`: prints or writes the composed schema. */
export async function configSchema(options: ConfigSchemaOptions): Promise<void> {
  const text = configSchemaText(await pipelinePlugins(options.plugins, process.cwd()));
  if (options.out === undefined) process.stdout.write(text);
  else await writeContentAtomic(options.out, text);
}
