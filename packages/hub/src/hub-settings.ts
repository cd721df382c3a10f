import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Environment variables as huggingface_hub reads them (process.env by default). */
export type HubEnvironment = Readonly<Record<string, string | undefined>>;

/** Where and how to reach the hub, chosen as huggingface_hub chooses (constants.py, utils/_auth.py). */
export interface HubSettings {
  /** Hub URL without a trailing slash: options, else HF_ENDPOINT, else https://huggingface.co. */
  endpoint: string;
  /** The hub cache: options, else HF_HUB_CACHE (or the legacy HUGGINGFACE_HUB_CACHE), else HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub. */
  cacheDir: string;
  /** Sent as `Authorization: Bearer`: options, else HF_TOKEN (or the legacy HUGGING_FACE_HUB_TOKEN), else the file `huggingface-cli login` writes; undefined sends none. */
  token: string | undefined;
  /** Cache only, no request: options, else HF_HUB_OFFLINE (or TRANSFORMERS_OFFLINE) set to 1/ON/YES/TRUE. */
  offline: boolean;
  /** Seconds to wait for the metadata of a file or revision: HF_HUB_ETAG_TIMEOUT, default 10. */
  metadataTimeout: number;
  /** Seconds a download may go without receiving a byte: HF_HUB_DOWNLOAD_TIMEOUT, default 10. */
  downloadTimeout: number;
}

/** What a caller may set instead of the environment; `token: false` never sends one. */
export interface HubSettingsOptions {
  endpoint?: string;
  cacheDir?: string;
  token?: string | false;
  offline?: boolean;
  env?: HubEnvironment;
}

const DEFAULT_ENDPOINT = 'https://huggingface.co';
// constants.py ENV_VARS_TRUE_VALUES.
const TRUE_VALUES = new Set(['1', 'ON', 'YES', 'TRUE']);

/** Settings from options first, then the environment, then huggingface_hub's defaults. */
export function resolveHubSettings(options: HubSettingsOptions = {}): HubSettings {
  const env = options.env ?? process.env;
  const hfHome = expandPath(env.HF_HOME ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'huggingface'), env);
  return {
    endpoint: (options.endpoint ?? env.HF_ENDPOINT ?? DEFAULT_ENDPOINT).replace(/\/+$/, ''),
    cacheDir: options.cacheDir ?? expandPath(env.HF_HUB_CACHE ?? env.HUGGINGFACE_HUB_CACHE ?? join(hfHome, 'hub'), env),
    token: options.token === false ? undefined : (options.token ?? implicitToken(env, hfHome)),
    offline: options.offline ?? isTrue(env.HF_HUB_OFFLINE || env.TRANSFORMERS_OFFLINE),
    metadataTimeout: Number(env.HF_HUB_ETAG_TIMEOUT ?? 10),
    downloadTimeout: Number(env.HF_HUB_DOWNLOAD_TIMEOUT ?? 10),
  };
}

function isTrue(value: string | undefined): boolean {
  return value !== undefined && TRUE_VALUES.has(value.toUpperCase());
}

// _auth.py get_token: HF_TOKEN, then HUGGING_FACE_HUB_TOKEN, then the token file (HF_TOKEN_PATH, default
// HF_HOME/token), unless HF_HUB_DISABLE_IMPLICIT_TOKEN; _clean_token strips whitespace and drops "".
function implicitToken(env: HubEnvironment, hfHome: string): string | undefined {
  if (isTrue(env.HF_HUB_DISABLE_IMPLICIT_TOKEN)) return undefined;
  const fromEnv = (env.HF_TOKEN || env.HUGGING_FACE_HUB_TOKEN)?.trim();
  if (fromEnv) return fromEnv;
  try {
    return readFileSync(expandPath(env.HF_TOKEN_PATH ?? join(hfHome, 'token'), env), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Python's os.path.expandvars(os.path.expanduser(path)): `~` and `$VAR` / `${VAR}`, unknown variables left as written. */
function expandPath(path: string, env: HubEnvironment): string {
  const home = path === '~' || path.startsWith('~/') ? homedir() + path.slice(1) : path;
  return home.replace(/\$(\w+)|\$\{(\w+)\}/g, (whole, bare: string | undefined, braced: string | undefined) => env[bare ?? braced ?? ''] ?? whole);
}
