// clipkit as a library: the standard plug-in set, and the plug-in packages a config names.
export { defaultPlugins } from './plugins/default-plugins.js';
export { importPluginPackages } from './plugins/import-plugin-packages.js';
export { defaultModelSources } from './plugins/default-model-sources.js';
export { type OpenModelOptions, openModel } from './inference/open-model.js';
