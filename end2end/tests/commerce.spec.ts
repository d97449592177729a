import { test, expect, APIRequestContext } from '@playwright/test';
import { api, signIn } from './helpers';

// Customers, orders and tiers in the browser (issue 4): a store is seeded through
// the REST API with the admin token scripts/e2e.sh created.
const run = Date.now().toString().slice(-6);

async function paidOrder(request: APIRequestContext, customer: number, ref: string, amount: number) {
  const o = await api(request, '/orders', { source: 'pos', external_ref: ref, customer_id: customer, lines: [{ sku: `KOPI-${run}`, quantity: 1, unit_price: amount }] });
  await api(request, `/orders/${o.id}/pay`, { payment_ref: `PAY-${ref}`, amount: o.total });
  return o.id as number;
}

test.describe.configure({ mode: 'serial' });

let rina = 0;

test.beforeAll(async ({ request }) => {
  await api(request, '/products', { sku: `KOPI-${run}`, name: 'Kopi Susu', price: 25000 });
  await api(request, '/tiers', { name: `Perak ${run}`, min_spending: 300000, window_days: 365, earn_rate_points: 1, earn_rate_per: 10000 });
  await api(request, '/tiers', { name: `Emas ${run}`, min_spending: 2000000, window_days: null, earn_rate_points: 2, earn_rate_per: 10000, discount_percent: 5 });
  const c = await api(request, '/customers', { name: `Rina Wijaya ${run}`, phone: `0813${run}01`, email: `rina.${run}@mail.test` });
  rina = c.id;
  await paidOrder(request, rina, `E2E-${run}-1`, 1200000);
  await paidOrder(request, rina, `E2E-${run}-2`, 650000);
  // A pending order from the web shop, for the orders filter.
  await api(request, '/orders', { source: 'online', external_ref: `E2E-${run}-3`, customer_id: rina, lines: [{ sku: `KOPI-${run}`, quantity: 2 }] });
});

test('customer search leads to the customer page with derived values explained', async ({ page }) => {
  await signIn(page);
  await page.getByRole('link', { name: 'Customers' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Customers');
  await page.getByLabel('Search').fill(`Rina Wijaya ${run}`);
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(new RegExp(`q=Rina`));
  const row = page.getByTestId('customers-table').locator('tbody tr');
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('Rp 1.850.000');
  await expect(row).toContainText(`Perak ${run}`);
  await row.getByRole('link', { name: `Rina Wijaya ${run}` }).click();
  await expect(page).toHaveURL(new RegExp(`/customers/${rina}$`));
  await expect(page.getByTestId('total-spending')).toHaveText('Rp 1.850.000');
  await expect(page.getByTestId('tier-explanation')).toHaveText(`Perak ${run}: Rp 1.850.000 in the last 365 days`);
  await expect(page.getByTestId('next-tier')).toHaveText(`Rp 150.000 more to reach Emas ${run}`);
  await expect(page.getByTestId('customer-orders').locator('tbody tr')).toHaveCount(3);
  await expect(page.getByTestId('notifications')).toContainText(`Perak ${run}`);
  // The same page in Bahasa Indonesia.
  await page.getByRole('button', { name: 'ID', exact: true }).click();
  await expect(page.getByTestId('next-tier')).toHaveText(`Kurang Rp 150.000 untuk mencapai Emas ${run}`);
  await page.getByRole('button', { name: 'EN', exact: true }).click();
});

test('the orders list filters by status and source, and an order shows its trace', async ({ page }) => {
  await signIn(page);
  await page.goto(`/orders?reference=E2E-${run}`);
  const rows = page.getByTestId('orders-table').locator('tbody tr');
  await expect(rows).toHaveCount(3);
  await page.getByLabel('Status').selectOption('pending_payment');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/status=pending_payment/);
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('Pending payment');
  await page.getByLabel('Status').selectOption('paid');
  await page.getByLabel('Source').selectOption('pos');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(rows).toHaveCount(2);
  await page.getByLabel('Source').selectOption('online');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('No order matches');
  await page.goto(`/orders?reference=E2E-${run}-3`);
  await rows.first().getByRole('link').first().click();
  await expect(page.getByTestId('order-total')).toHaveText('Rp 50.000');
  await expect(page.getByTestId('order-trace')).toContainText('No discount applied.');
});

test('the tier editor previews how many customers move, then saves', async ({ page }) => {
  await signIn(page);
  await page.goto('/tiers');
  await expect(page.getByTestId('tier-distribution')).toBeVisible();
  await page.getByTestId('tiers-table').locator('tr', { hasText: `Emas ${run}` }).getByRole('link', { name: 'Edit' }).click();
  await expect(page).toHaveURL(/edit=/);
  await expect(page.getByRole('heading', { name: `Edit Emas ${run}` })).toBeVisible();
  await expect(page.getByTestId('tier-save')).toHaveCount(0);
  await page.getByLabel('Minimum spending').fill('1800000');
  await page.getByTestId('tier-preview').click();
  await expect(page.getByTestId('tier-moves')).toContainText('1 customers would move up, 0 down');
  await page.getByTestId('tier-save').click();
  await expect(page.getByText('Tier saved.')).toBeVisible();
  // Rina (Rp 1.850.000 in all) is the one customer who moved up: the row shows the
  // saved minimum and exactly one customer (its cells: name, minimum, window,
  // earning, discount, customers, edit), and so does the chart.
  const emas = page.getByTestId('tiers-table').locator(`tr[data-tier="Emas ${run}"]`);
  await expect(emas.locator('td').nth(1)).toHaveText('Rp 1.800.000');
  await expect(emas.locator('td').nth(5)).toHaveText('1');
  await expect(page.getByTestId('tier-distribution').locator(`li[data-tier="Emas ${run}"]`).getByTestId('tier-count')).toHaveText('1');
  await page.goto(`/customers/${rina}`);
  await expect(page.getByTestId('tier-explanation')).toHaveText(`Emas ${run}: Rp 1.850.000 in all`);
  // A minimum equal to another tier's is refused next to the field.
  await page.goto('/tiers');
  await page.getByTestId('tiers-table').locator('tr', { hasText: `Emas ${run}` }).getByRole('link', { name: 'Edit' }).click();
  await page.getByLabel('Minimum spending').fill('300000');
  await page.getByTestId('tier-preview').click();
  await expect(page.locator('#min_spending-error')).toContainText('Minimums must be different');
});
