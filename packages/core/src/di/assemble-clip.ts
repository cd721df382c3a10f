// tsyringe needs the Reflect metadata polyfill loaded before it; this module is clipkit's composition root.
import 'reflect-metadata';
import { container as tsyringeRoot, type DependencyContainer, instanceCachingFactory } from 'tsyringe';
import type { ClipConfig } from '../config/clip-config.js';
import { ClipkitError, PluginNotFoundError } from '../errors.js';
import type { ClipPlugin, PluginContext } from './plugin.js';
import { type Slot, SLOTS } from './slots.js';

export interface AssembleOptions {
  /** Model directory the pipeline loads from (passed to plug-ins). */
  modelDir?: string;
  /** Receives what plug-ins report (backend choice, ...). Default: console.error. */
  log?: (message: string) => void;
}

/** One pipeline's components: each slot resolves to one cached instance. */
export interface ClipAssembly {
  readonly config: ClipConfig;
  /** The slot's instance, created on first use; throws PluginNotFoundError naming the package when no plug-in matched. */
  resolve<T>(slot: Slot<T>): T;
  /** Whether a plug-in was given for the slot. */
  has(slot: Slot<unknown>): boolean;
  /** Disposes every instance created for this pipeline. */
  dispose(): Promise<void>;
}

function matchingPlugin(slot: Slot<unknown>, config: ClipConfig, plugins: readonly ClipPlugin[]): ClipPlugin | undefined {
  const type = slot.typeOf(config);
  const runtime = config.backend.type;
  const matches = plugins.filter((p) => p.slot === slot && p.type === type && (!slot.perRuntime || (p.runtime ?? 'tfjs') === runtime));
  if (matches.length > 1) {
    throw new ClipkitError(`${matches.length} plug-ins were given for ${slot.typePath} "${type}" (slot ${slot.name}); pass each plug-in once.`);
  }
  return matches[0];
}

function missingPluginError(slot: Slot<unknown>, config: ClipConfig): PluginNotFoundError {
  const type = slot.typeOf(config);
  const runtime = config.backend.type;
  const pkg = slot.packageFor(type, runtime);
  const onRuntime = slot.perRuntime ? ` on backend "${runtime}"` : '';
  const fix = pkg
    ? `Install ${pkg} (npm install ${pkg}) and pass its plug-ins to assembleClip.`
    : `No clipkit package provides it: check ${slot.typePath}, or pass your own plug-in for slot ${slot.name}.`;
  return new PluginNotFoundError(`No plug-in for ${slot.typePath} "${type}"${onRuntime} (slot ${slot.name}). ${fix}`);
}

/**
 * Wires the plug-ins a config names into a child container of their own: one per pipeline, so two
 * pipelines never share an instance and nothing is registered globally (the tsyringe root stays empty).
 */
export function assembleClip(config: ClipConfig, plugins: readonly ClipPlugin[], options: AssembleOptions = {}): ClipAssembly {
  const scope: DependencyContainer = tsyringeRoot.createChildContainer();
  const registered = new Set<Slot<unknown>>();
  const log = options.log ?? ((message: string) => console.error(message));
  const resolve = <T>(slot: Slot<T>): T => {
    if (!registered.has(slot)) throw missingPluginError(slot, config);
    return scope.resolve(slot.token);
  };
  const context: PluginContext = { resolve, modelDir: options.modelDir, log };
  // tsyringe disposes only instances it constructed from classes, not factory results: track them here.
  const created: unknown[] = [];
  for (const slot of SLOTS) {
    const plugin = matchingPlugin(slot, config, plugins);
    if (!plugin) continue;
    const create = () => {
      const instance = plugin.create(config, context);
      created.push(instance);
      return instance;
    };
    scope.register(slot.token, { useFactory: instanceCachingFactory(create) });
    registered.add(slot);
  }
  return {
    config,
    resolve,
    has: (slot) => registered.has(slot),
    dispose: async () => {
      // Reverse creation order: a component is disposed before what it was built from.
      for (const instance of created.reverse()) {
        const dispose = (instance as { dispose?: () => unknown }).dispose;
        if (typeof dispose === 'function') await dispose.call(instance);
      }
      await scope.dispose();
    },
  };
}
