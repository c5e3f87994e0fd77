import { expect, test } from "@playwright/test";
import { hydrated, sandbox, signUpConnected } from "./support";

test("an event the engine refuses is listed for admins with what, why and how often", async ({ page, browser, request }) => {
  const prefix = await signUpConnected(page, request, "falha", "Loja Falha");

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

  // Disconnecting someone's instance asks first, then says it is done.
  await hydrated(admin);
  const instance = admin.locator("tr", { hasText: "@" + prefix + ".loja0" });
  await instance.locator("summary", { hasText: "Desconectar" }).click();
  await expect(instance.getByText("As automações desta instância param de responder")).toBeVisible();
  await instance.getByRole("button", { name: "Desconectar agora" }).click();
  await expect(admin.getByRole("status").filter({ hasText: "Instância desconectada" })).toBeVisible();
  await expect(instance.getByText("Desconectada", { exact: true })).toBeVisible();
  await context.close();
});
