import { expect, test } from "@playwright/test";
import { hydrated, signUp, uniqueEmail } from "./support";

const sandbox = process.env.SANDBOX_URL ?? "http://127.0.0.1:3901";

test("an event the engine refuses is listed for admins with what, why and how often", async ({ page, browser, request }) => {
  // A fresh Instagram account and follower at the sandbox, so no other test shares them.
  const prefix = `falha${Date.now().toString(36)}`;
  const made = await request.post(`${sandbox}/_sandbox/bulk`, { data: { accounts: 1, followers: 1, prefix } });
  expect(made.ok()).toBeTruthy();
  await signUp(page, uniqueEmail("falha"));
  await page.getByLabel("Nome da instância").fill("Loja Falha");
  await page.getByRole("button", { name: "Nova instância do Instagram" }).click();
  await page.getByRole("radio", { name: new RegExp(`@${prefix}\\.loja0`) }).check();
  await page.getByRole("button", { name: "Permitir" }).click();
  await expect(page).toHaveURL(/\/instances\?connected=/);

  // No person types 20,000 characters in a DM: the app refuses that one event, and says so.
  const dm = await request.post(`${sandbox}/_sandbox/followers/${prefix}.seguidor0/messages`, {
    data: { to: `${prefix}.loja0`, text: "a".repeat(20_000) },
  });
  expect(dm.ok()).toBeTruthy();

  const context = await browser.newContext();
  const admin = await context.newPage();
  await admin.goto("/sign-in");
  await hydrated(admin);
  await admin.getByLabel("E-mail").fill(process.env.E2E_ADMIN_EMAIL ?? "");
  await admin.getByLabel("Senha").fill(process.env.E2E_ADMIN_PASSWORD ?? "");
  await admin.getByRole("button", { name: "Entrar" }).click();
  await expect(admin).toHaveURL(/\/instances/);
  const row = admin.locator("li.dead-letter", { hasText: "text of 20000 bytes" });
  await expect(async () => {
    await admin.goto("/admin");
    await expect(row).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  await expect(admin.getByRole("heading", { name: "Falhas de processamento" })).toBeVisible();
  await expect(row.getByText("Evento · Texto longo demais para ser uma mensagem")).toBeVisible();
  await expect(row.getByText("Loja Falha (@" + prefix + ".loja0)")).toBeVisible();
  await expect(row.getByText("Não se repete")).toBeVisible();
  await expect(row.locator("dd.times")).toHaveText("1");
  await context.close();
});
