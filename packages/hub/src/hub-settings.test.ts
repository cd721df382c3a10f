import { mkdtempSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveHubSettings } from './hub-settings.js';

const home = mkdtempSync(join(tmpdir(), 'clipkit-hub-settings-'));

describe('resolveHubSettings (huggingface_hub constants.py and _auth.py)', () => {
  it('cache: HF_HUB_CACHE, else HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub', () => {
    expect(resolveHubSettings({ env: { HF_HUB_CACHE: '/c', HF_HOME: '/h' } }).cacheDir).toBe('/c');
    expect(resolveHubSettings({ env: { HUGGINGFACE_HUB_CACHE: '/legacy', HF_HOME: '/h' } }).cacheDir).toBe('/legacy');
    expect(resolveHubSettings({ env: { HF_HOME: '/h', XDG_CACHE_HOME: '/x' } }).cacheDir).toBe('/h/hub');
    expect(resolveHubSettings({ env: { XDG_CACHE_HOME: '/x' } }).cacheDir).toBe('/x/huggingface/hub');
    expect(resolveHubSettings({ env: {} }).cacheDir).toBe(join(homedir(), '.cache', 'huggingface', 'hub'));
    expect(resolveHubSettings({ env: { HF_HOME: '~/hf' } }).cacheDir).toBe(join(homedir(), 'hf', 'hub'));
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Python's expandvars syntax, not a template
    expect(resolveHubSettings({ env: { HF_HUB_CACHE: '$BASE/${SUB}/c', BASE: '/b', SUB: 's' } }).cacheDir).toBe('/b/s/c');
    expect(resolveHubSettings({ env: { HF_HUB_CACHE: '/c' }, cacheDir: '/opt' }).cacheDir).toBe('/opt');
  });

  it('endpoint: options, else HF_ENDPOINT without a trailing slash, else https://huggingface.co', () => {
    expect(resolveHubSettings({ env: {} }).endpoint).toBe('https://huggingface.co');
    expect(resolveHubSettings({ env: { HF_ENDPOINT: 'https://hf-mirror.example/' } }).endpoint).toBe('https://hf-mirror.example');
    expect(resolveHubSettings({ env: { HF_ENDPOINT: 'https://a' }, endpoint: 'http://127.0.0.1:1' }).endpoint).toBe('http://127.0.0.1:1');
  });

  it('token: options, else HF_TOKEN, else HUGGING_FACE_HUB_TOKEN, else the login file; false or HF_HUB_DISABLE_IMPLICIT_TOKEN sends none', () => {
    writeFileSync(join(home, 'token'), '  hf_file \n');
    expect(resolveHubSettings({ env: { HF_HOME: home } }).token).toBe('hf_file');
    expect(resolveHubSettings({ env: { HF_HOME: home, HUGGING_FACE_HUB_TOKEN: 'hf_legacy' } }).token).toBe('hf_legacy');
    expect(resolveHubSettings({ env: { HF_HOME: home, HF_TOKEN: 'hf_env', HUGGING_FACE_HUB_TOKEN: 'hf_legacy' } }).token).toBe('hf_env');
    expect(resolveHubSettings({ env: { HF_HOME: home, HF_TOKEN: 'hf_env' }, token: 'hf_option' }).token).toBe('hf_option');
    expect(resolveHubSettings({ env: { HF_HOME: home, HF_TOKEN: 'hf_env' }, token: false }).token).toBeUndefined();
    expect(resolveHubSettings({ env: { HF_HOME: home, HF_HUB_DISABLE_IMPLICIT_TOKEN: '1' } }).token).toBeUndefined();
    expect(resolveHubSettings({ env: { HF_TOKEN_PATH: join(home, 'token') } }).token).toBe('hf_file');
    expect(resolveHubSettings({ env: { HF_HOME: join(home, 'none') } }).token).toBeUndefined();
  });

  it('offline: HF_HUB_OFFLINE or TRANSFORMERS_OFFLINE in 1/ON/YES/TRUE, any case', () => {
    for (const value of ['1', 'on', 'YES', 'True']) expect(resolveHubSettings({ env: { HF_HUB_OFFLINE: value } }).offline).toBe(true);
    for (const value of ['0', 'false', '', 'no']) expect(resolveHubSettings({ env: { HF_HUB_OFFLINE: value } }).offline).toBe(false);
    expect(resolveHubSettings({ env: { TRANSFORMERS_OFFLINE: '1' } }).offline).toBe(true);
    expect(resolveHubSettings({ env: { HF_HUB_OFFLINE: '1' }, offline: false }).offline).toBe(false);
  });
});
