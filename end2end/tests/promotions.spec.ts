import { test, expect } from '@playwright/test';
import { api, signIn } from './helpers';

// The pricing simulator in the browser (issue 6): a promotion is seeded through
// the REST API with the admin token scripts/e2e.sh created. It is a code
// promotion on its own SKU, so the other specs' orders never meet it.
const run = Date.now().toString().slice(-6);

test('the simulator prices a cart with a code and explains every step, in both languages', async ({ page, request }) => {
  await api(request, '/products', { sku: `TEH-${run}`, name: 'Teh Manis', price: 10000 });
  const promo = await api(request, '/promotions', {
    name: `Teh hemat ${run}`, kind: 'code', code: `TEH${run}`, priority: 0, stacking: 'combinable',
    conditions: {}, reward: { type: 'buy_x_get_y', buy: 2, get: 1, skus: [`TEH-${run}`] },
  });
  await api(request, `/promotions/${promo.id}/status`, { status: 'active' });

  await signIn(page);
  await page.getByRole('link', { name: 'Simulator' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Pricing simulator');
  await page.getByLabel('Product 1', { exact: true }).fill(`TEH-${run}`);
  await page.getByLabel('Quantity 1', { exact: true }).fill('6');
  await page.getByLabel('Promotion code').fill(`teh${run}`);
  await page.getByRole('button', { name: 'Price the cart' }).click();
  await expect(page).toHaveURL(new RegExp(`sku0=TEH-${run}`));
  // Buy 2 get 1, per multiple: 6 units make 2 free.
  await expect(page.getByTestId('sim-discount')).toHaveText('Rp 20.000');
  await expect(page.getByTestId('sim-total')).toHaveText('Rp 40.000');
  const trace = page.getByTestId('sim-trace');
  await expect(trace).toContainText(`Teh hemat ${run}: buy 2 get 1 free of Rp 20.000`);
  await expect(page.getByTestId('sim-candidates').locator('li[data-chosen="true"]')).toContainText('Combinable discounts together');

  // The same trace in Bahasa Indonesia.
  await page.getByRole('button', { name: 'ID', exact: true }).click();
  await expect(trace).toContainText(`Teh hemat ${run}: beli 2 gratis 1 dari Rp 20.000`);
  await page.getByRole('button', { name: 'EN', exact: true }).click();

  // A code nobody has is refused on its field.
  await page.getByLabel('Promotion code').fill('TIDAKADA');
  await page.getByRole('button', { name: 'Price the cart' }).click();
  await expect(page.locator('#code-error')).toBeVisible();
  await expect(page.getByTestId('simulation')).toHaveCount(0);
});

test('the promotions pages: list, the rule in words in both languages, activation, codes with progress and the CSV', async ({ page, request }) => {
  await api(request, '/products', { sku: `KAOS-${run}`, name: 'Kaos', price: 80000 });
  const promo = await api(request, '/promotions', {
    name: `Kaos kode ${run}`, kind: 'code', priority: 0, stacking: 'exclusive',
    conditions: { weekdays: [6, 7] }, reward: { type: 'percent_items', value: 15, skus: [`KAOS-${run}`] }, limits: { total_uses: 500 },
  });

  await signIn(page);
  await page.getByRole('link', { name: 'Promotions', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Promotions');
  await page.getByLabel('Name or code').fill(`Kaos kode ${run}`);
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page.getByTestId('promotions-table').locator('tbody tr')).toHaveCount(1);
  await page.getByRole('link', { name: `Kaos kode ${run}` }).click();
  await expect(page.locator('#app')).toHaveAttribute('data-hydrated', 'true');

  const summary = page.getByTestId('promotion-summary');
  await expect(summary).toHaveText(`15% off KAOS-${run} on Sat, Sun, with one of its codes, 500 uses, exclusive`);
  await page.getByRole('button', { name: 'ID', exact: true }).click();
  await expect(summary).toHaveText(`Diskon 15% untuk KAOS-${run} pada Sab, Min, dengan salah satu kodenya, 500 pemakaian, eksklusif`);
  await page.getByRole('button', { name: 'EN', exact: true }).click();

  // Activation asks first and says what happens.
  await page.getByRole('link', { name: 'Activate' }).click();
  await expect(page.getByTestId('status-confirm')).toContainText('it starts applying');
  await page.getByTestId('status-confirm-button').click();
  await expect(page.getByRole('status').filter({ hasText: 'Status changed.' })).toBeVisible();
  await expect(page.locator('h1 [data-status="active"]')).toBeVisible();

  // A few codes at once, then many as a task with its progress bar.
  const codes = page.getByTestId('generate-form');
  await codes.getByLabel('How many').fill('5');
  await codes.getByLabel('Prefix').fill('KAOS-');
  await page.getByTestId('generate').click();
  await expect(page.getByTestId('generated')).toHaveText('5 codes generated.');
  await codes.getByLabel('How many').fill('12000');
  await page.getByTestId('generate').click();
  const progress = page.getByTestId('task-progress');
  await expect(progress.locator('progress')).toBeVisible();
  await expect(progress.locator('[data-status="done"]')).toBeVisible({ timeout: 60_000 });
  await expect(progress.getByTestId('task-count')).toHaveText('12000 of 12000');

  // The CSV: every code, a BOM and a header.
  const download = page.waitForEvent('download');
  await page.getByTestId('codes-export').click();
  const file = await (await download).createReadStream();
  const chunks: Buffer[] = [];
  for await (const c of file) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  expect(text.startsWith('\ufeffcode,max_uses,uses,status\n')).toBe(true);
  expect(text.trim().split('\n').length).toBe(1 + 12005);

  // Look one code up and disable it.
  const code = text.split('\n')[1].split(',')[0];
  await page.getByLabel('Look up a code').fill(code.toLowerCase());
  await page.getByRole('button', { name: 'Look up', exact: true }).click();
  await expect(page.getByTestId('code-found')).toContainText(code);
  await page.getByTestId('code-toggle').click();
  await expect(page.getByTestId('code-found').locator('[data-status="disabled"]')).toBeVisible();
});
