import type { Command } from 'commander';
import type { ConfigSchemaOptions } from '../actions/config-schema.js';

/** `clipkit config-schema`: the JSON Schema of configs, for editors. */
export function registerConfigSchemaCommand(program: Command): void {
  program
    .command('config-schema')
    .description('print the JSON Schema of configs for clipkit\'s plug-ins and those of --plugins, for editors ("$schema": "./clipkit.schema.json")')
    .option('--plugins <packages...>', 'further plug-in packages to include, installed where the command runs (npm package names)', [])
    .option('--out <file>', 'write the schema to this file instead of stdout')
    .action(async (options: ConfigSchemaOptions) => (await import('../actions/config-schema.js')).configSchema(options));
}
