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
export { type HubReference, isCommitHash, parseHubReference } from './hub-reference.js';
export { type HubEnvironment, type HubSettings, type HubSettingsOptions, resolveHubSettings } from './hub-settings.js';
