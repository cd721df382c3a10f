import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium (the `chromium` package): playwright-core drives it, no browser download. */
const CHROMIUM = process.env.CLIPKIT_CHROMIUM ?? '/usr/bin/chromium';

/** Headless Chromium; as root it needs --no-sandbox (its sandbox refuses to run as root). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: install Debian's (apt-get install chromium) or set CLIPKIT_CHROMIUM`);
  return chromium.launch({ executablePath: CHROMIUM, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
}
