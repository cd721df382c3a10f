// tsyringe needs the Reflect metadata polyfill loaded before it; this module is clipkit's composition root.
import 'reflect-metadata';
import { type DependencyContainer, instanceCachingFactory, container as tsyringeRoot } from 'tsyringe';
import type { ClipConfig } from '../config/clip-config.js';
import { ClipkitError, PluginNotFoundError } from '../errors.js';
import { KNOWN_PACKAGES, ONNX_RUNTIME_PACKAGE } from './known-packages.js';
import type { AnyClipPlugin, PluginContext } from './plugin.js';
import { SLOTS, type Slot, sectionOf } from './slots.js';

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

/** Trainable towers are tfjs modules: they serve the inference slots of this runtime. */
const TRAINABLE_RUNTIME = 'tfjs';

function matchingPlugin(slot: Slot<unknown>, config: ClipConfig, plugins: readonly AnyClipPlugin[]): AnyClipPlugin | undefined {
  const { type } = sectionOf(config, slot.section);
  const runtime = config.backend.type;
  const matches = plugins.filter((p) => p.slot === slot && (p.type === type || p.type === '*') && (!slot.trainable || p.runtime === runtime));
  // A plug-in for exactly this type wins over one for any type.
  const exact = matches.filter((p) => p.type === type);
  const chosen = exact.length > 0 ? exact : matches;
  if (chosen.length > 1) {
    throw new ClipkitError(`${chosen.length} plug-ins were given for ${slot.section}.type "${type}" (slot ${slot.name}); pass each plug-in once.`);
  }
  return chosen[0];
}

function missingPluginError(slot: Slot<unknown>, config: ClipConfig): PluginNotFoundError {
  const { type } = sectionOf(config, slot.section);
  const runtime = config.backend.type;
  const onOtherRuntime = slot.trainable !== undefined && runtime !== TRAINABLE_RUNTIME;
  const pkg = onOtherRuntime ? (runtime === 'onnxruntime' ? ONNX_RUNTIME_PACKAGE : undefined) : KNOWN_PACKAGES[slot.section][type];
  const onRuntime = slot.trainable || slot.name.startsWith('TRAINABLE') ? ` on backend "${runtime}"` : '';
  const fix = pkg
    ? `Install ${pkg} (npm install ${pkg}) and pass its plug-ins (or name it in the config's "plugins").`
    : `No clipkit package provides it: check ${slot.section}.type, or pass your own plug-in for slot ${slot.name}.`;
  return new PluginNotFoundError(`No plug-in for ${slot.section}.type "${type}"${onRuntime} (slot ${slot.name}). ${fix}`);
}

/**
 * Wires the plug-ins a config names into a child container of their own: one per pipeline, so two
 * pipelines never share an instance and nothing is registered globally (the tsyringe root stays empty).
 * An inference tower slot with no plug-in for the pipeline's runtime is served, on tfjs, by the trainable
 * tower of the same type.
 */
export function assembleClip(config: ClipConfig, plugins: readonly AnyClipPlugin[], options: AssembleOptions = {}): ClipAssembly {
  const scope: DependencyContainer = tsyringeRoot.createChildContainer();
  const registered = new Set<Slot<unknown>>();
  const log = options.log ?? ((message: string) => console.error(message));
  const resolve = <T>(slot: Slot<T>): T => {
    if (!registered.has(slot)) throw missingPluginError(slot, config);
    return scope.resolve(slot.token);
  };
  const context: PluginContext = { config, resolve, modelDir: options.modelDir, log };
  // tsyringe disposes only instances it constructed from classes, not factory results: track them here.
  const created: unknown[] = [];
  for (const slot of SLOTS) {
    const plugin = matchingPlugin(slot, config, plugins);
    let create: (() => unknown) | undefined;
    if (plugin) {
      create = () => {
        const instance = plugin.create(sectionOf(config, slot.section), context);
        created.push(instance);
        return instance;
      };
    } else if (slot.trainable && config.backend.type === TRAINABLE_RUNTIME && registered.has(slot.trainable)) {
      const trainable = slot.trainable;
      create = () => scope.resolve(trainable.token);
    }
    if (!create) continue;
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
