import { expect, Page, APIRequestContext } from '@playwright/test';

// What every spec needs: the admin scripts/e2e.sh created, its API token, and
// signing in once the page has hydrated.
export const admin = {
  email: process.env.SETIA_E2E_ADMIN_EMAIL ?? 'admin@toko.test',
  password: process.env.SETIA_E2E_ADMIN_PASSWORD ?? 'admin password 123',
};
const token = process.env.SETIA_E2E_TOKEN ?? '';

/** POSTs to the REST API with the admin token; the call must succeed. */
export async function api(request: APIRequestContext, path: string, data: object) {
  const res = await request.post(`/api/v1${path}`, { data, headers: { Authorization: `Bearer ${token}` } });
  expect(res.status(), `${path}: ${await res.text()}`).toBeLessThan(300);
  return res.json();
}

export async function signIn(page: Page) {
  await page.goto('/login');
  await expect(page.locator('#app')).toHaveAttribute('data-hydrated', 'true');
  await page.getByLabel('Email').fill(admin.email);
  await page.getByLabel('Password').fill(admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/$/);
}
