// clipkit as a library: the standard plug-in set, and the plug-in packages a config names.
export { defaultPlugins } from './plugins/default-plugins.js';
export { importPluginPackages } from './plugins/import-plugin-packages.js';
