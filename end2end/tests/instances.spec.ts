import { expect, test, type Page } from "@playwright/test";
import { hydrated, signUp, uniqueEmail } from "./support";

/** Names an instance and sends the browser to Business Login (the sandbox's authorize page). */
async function startConnecting(page: Page, name: string) {
  await page.getByLabel("Nome da instância").fill(name);
  await page.getByRole("button", { name: "Nova instância do Instagram" }).click();
  await expect(page.getByRole("heading", { name: "Instagram" })).toBeVisible();
  await expect(page).toHaveURL(/\/oauth\/authorize\?/);
}

test("connect an Instagram account: create, authorize page, Allow, card connected", async ({ page }) => {
  await signUp(page, uniqueEmail("conecta"));
  await startConnecting(page, "Loja Centro");
  await expect(page.getByText("instagram_business_manage_messages")).toBeVisible();
  await page.getByRole("radio", { name: /@loja\.exemplo/ }).check();
  await page.getByRole("button", { name: "Permitir" }).click();

  await expect(page).toHaveURL(/\/instances\?connected=loja-centro-/);
  await hydrated(page);
  await expect(page.getByRole("status").filter({ hasText: "Instância conectada com sucesso." })).toBeVisible();
  const card = page.locator("li.card", { hasText: "Loja Centro" });
  await expect(card.getByText("Conectada")).toBeVisible();
  await expect(card.getByText("@loja.exemplo")).toBeVisible();
  await expect(card.getByText("Token expira em")).toBeVisible();
});

test("cancel at Instagram shows the error on the card, and reconnect connects it", async ({ page }) => {
  await signUp(page, uniqueEmail("cancela"));
  await startConnecting(page, "Doces");
  await page.getByRole("button", { name: "Cancelar" }).click();

  await expect(page).toHaveURL(/\/instances\?error=denied$/);
  await hydrated(page);
  await expect(page.getByRole("alert")).toHaveText("A autorização foi cancelada no Instagram. Tente conectar de novo quando quiser.");
  const card = page.locator("li.card", { hasText: "Doces" });
  await expect(card.getByText("Erro")).toBeVisible();

  await card.getByRole("button", { name: "Reconectar" }).click();
  await page.getByRole("radio", { name: /@doces\.da\.bia/ }).check();
  await page.getByRole("button", { name: "Permitir" }).click();
  await expect(page).toHaveURL(/\/instances\?connected=doces-/);
  await expect(card.getByText("Conectada")).toBeVisible();
  await expect(card.getByText("@doces.da.bia")).toBeVisible();
});

test("an instance needs a name", async ({ page }) => {
  await signUp(page, uniqueEmail("semnome"));
  await page.getByLabel("Nome da instância").fill("   ");
  await page.getByRole("button", { name: "Nova instância do Instagram" }).click();
  await expect(page.getByText("Preencha este campo.")).toBeVisible();
  await expect(page).toHaveURL(/\/instances$/);
});
