import { expect, test } from "@playwright/test";
import { hydrated, signUp, uniqueEmail } from "./support";

test("every page hydrates and opens its live socket under the Content-Security-Policy, with no violation", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (message.text().includes("Content Security Policy")) violations.push(message.text());
  });
  await signUp(page, uniqueEmail("csp"));
  for (const path of ["/instances", "/automations", "/reports"]) {
    const response = await page.goto(path);
    expect(response?.headers()["content-security-policy"]).toContain("'strict-dynamic'");
    await hydrated(page);
  }
  // The reports page listens live; a socket refused by connect-src would be a violation too.
  await page.waitForTimeout(500);
  expect(violations).toEqual([]);


  // Markup that slipped into the page cannot run script: inline handlers are not allowed.
  await page.evaluate(() =>
    document.body.insertAdjacentHTML("beforeend", `<img src="/nada.png" onerror="window.injected = true">`),
  );
  await page.waitForTimeout(300);
  expect(await page.evaluate(() => (window as unknown as { injected?: boolean }).injected === true)).toBe(false);
  expect(violations.some((v) => v.includes("inline event handler") || v.includes("script-src"))).toBe(true);
});
