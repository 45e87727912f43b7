// Chromium for the web app's tests: Debian's /usr/bin/chromium driven by playwright-core (nothing is
// downloaded at run time), axe-core on every page, screenshots at desktop and phone widths.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT } from './service-process';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Where the screenshots go (CI keeps .data/ as artifacts). */
export const SCREENSHOT_DIR = join(ROOT, '.data', 'screenshots');
export const WIDTHS = { desktop: 1280, phone: 390 } as const;

/**
 * Installs Debian's Chromium when it is missing and this process may (root, apt-get present): the
 * one install step the tests take themselves, so `npm install` then `npm test` passes on a fresh
 * machine. `flock` serialises the test files that ask at once; the second finds it installed.
 */
function ensureChromium(): void {
  if (existsSync(CHROMIUM_PATH)) return;
  const canInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get') && existsSync('/usr/bin/flock');
  if (CHROMIUM_PATH === '/usr/bin/chromium' && canInstall)
    execFileSync(
      'flock',
      [
        '/tmp/upstream-chromium-install.lock',
        'sh',
        '-c',
        'command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)',
      ],
      { stdio: 'inherit', timeout: 15 * 60_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } },
    );
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(
      `Chromium is not at ${CHROMIUM_PATH}: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH)`,
    );
}

export async function launchChromium(): Promise<Browser> {
  ensureChromium();
  // Root needs --no-sandbox; /dev/shm is small in containers.
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

export interface AxeFinding {
  id: string;
  impact: string | null | undefined;
  help: string;
  targets: string[];
}

/** axe-core's serious and critical violations on the page as it is now (WCAG 2.x A and AA rules). */
export async function seriousViolations(page: Page): Promise<AxeFinding[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
}

/**
 * For each colour scheme and width: the page's serious/critical axe findings, and a full-page screenshot
 * `<name>-<width>-<scheme>.png` under SCREENSHOT_DIR. Leaves the page at desktop width, light.
 */
export async function checkPage(page: Page, name: string): Promise<Record<string, AxeFinding[]>> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const findings: Record<string, AxeFinding[]> = {};
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const [label, width] of Object.entries(WIDTHS)) {
      await page.setViewportSize({ width, height: label === 'phone' ? 844 : 900 });
      const found = await seriousViolations(page);
      if (found.length > 0) findings[`${label} ${scheme}`] = found;
      await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-${width}-${scheme}.png`), fullPage: true });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: WIDTHS.desktop, height: 900 });
  return findings;
}

/** Whether the page scrolls sideways at its current width (a layout that does not fit a phone). */
export async function overflowsHorizontally(page: Page): Promise<boolean> {
  const overflows: unknown = await page.evaluate(
    'document.documentElement.scrollWidth > document.documentElement.clientWidth',
  );
  return overflows === true;
}
