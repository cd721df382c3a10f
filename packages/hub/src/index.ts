export { type HubDownloadProgress, type HubProgressCallback, stderrProgressBar } from './download-progress.js';
export { HubCache } from './hub-cache.js';
export {
  ChecksumMismatchError,
  HubError,
  HubFileNotFoundError,
  HubOfflineCacheMissError,
  HubReferenceError,
  HubResponseError,
  HubSelectionError,
  HubUnreachableError,
  RepositoryAccessError,
  RepositoryNotFoundError,
  RevisionNotFoundError,
} from './hub-errors.js';
export { type HubFileSelector, type HubSelectionContext, selectModelFiles, WEIGHT_FILES } from './hub-file-selector.js';
export { type HubReference, isCommitHash, parseHubReference } from './hub-reference.js';
export { type HubEnvironment, type HubSettings, type HubSettingsOptions, resolveHubSettings } from './hub-settings.js';
export { type ResolveHubModelOptions, resolveHubModel } from './resolve-hub-model.js';
export { hubModelSource } from './hub-model-source.js';
