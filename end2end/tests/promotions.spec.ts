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
