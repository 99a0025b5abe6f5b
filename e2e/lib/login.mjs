// Signing in through the real login page, with the second factor when the account asks for it.
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from './server.mjs';
import { totp } from './totp.mjs';

/** Signs `username` in (demo password); answers the TOTP step for admins; waits for the home page. */
export async function logIn(page, baseUrl, username, password = DEMO_PASSWORD) {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('账号', { exact: true }).fill(username);
  await page.getByLabel('密码', { exact: true }).fill(password);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.waitForURL((url) => url.pathname === '/' || url.pathname === '/login/totp');
  if (new URL(page.url()).pathname === '/login/totp') {
    await page.getByLabel('动态口令', { exact: true }).fill(totp(DEMO_TOTP_SECRET));
    await page.getByRole('button', { name: '验 证' }).click();
    await page.waitForURL((url) => url.pathname === '/');
  }
}
