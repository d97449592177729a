import { test, expect, Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { api, signIn } from './helpers';

// UI.md: axe-core finds no serious or critical violations. axe runs inside the
// page (from the npm package, no CDN).
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

async function seriousViolations(page: Page) {
  await expect(page.locator('#app')).toHaveAttribute('data-hydrated', 'true');
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => {
    // @ts-ignore injected above
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations
      .filter((v: any) => v.impact === 'serious' || v.impact === 'critical')
      .map((v: any) => `${v.id} (${v.impact}): ${v.nodes.map((n: any) => n.target.join(' ')).join(', ')}`);
  });
  return result as string[];
}

test('the login page has no serious accessibility violations', async ({ page }) => {
  await page.goto('/login');
  expect(await seriousViolations(page)).toEqual([]);
});

test('the signed-in pages have no serious accessibility violations', async ({ page, request }) => {
  const promo = await api(request, '/promotions', {
    name: `Axe ${Date.now()}`, kind: 'code', priority: 0, stacking: 'combinable', conditions: {}, reward: { type: 'percent_order', value: 5 },
  });
  await signIn(page);
  for (const path of ['/', '/users', '/audit', '/settings', '/jobs', '/customers', '/orders', '/tiers', '/simulator', '/simulator?sku0=NOPE&qty0=1', '/promotions', `/promotions/${promo.id}`, `/promotions/${promo.id}?confirm=active`]) {
    await page.goto(path);
    expect(await seriousViolations(page), path).toEqual([]);
  }
});
