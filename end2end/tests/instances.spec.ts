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
  await expect(card.getByText(/expira em \d+ dias/)).toBeVisible();
  await expect(card.getByText("Automações ativas")).toBeVisible();
  await expect(card.getByRole("link", { name: "Relatórios" })).toHaveAttribute("href", /\/reports\?instance=/);

  // One switch pauses every automation of the instance, and resumes them.
  await card.getByRole("button", { name: "Pausar automações" }).click();
  await expect(card.getByText("Pausada", { exact: true })).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: "Automações desta instância pausadas." })).toBeVisible();
  await card.getByRole("button", { name: "Retomar automações" }).click();
  await expect(card.getByText("Pausada", { exact: true })).toHaveCount(0);
  await expect(page.getByRole("status").filter({ hasText: "Automações desta instância retomadas." })).toBeVisible();
  await expect(page.getByText("Automações desta instância pausadas.")).toHaveCount(0);

  // Every card action says how it went: a refused cap under its field, a saved one, a new name.
  const capBox = card.locator("details", { has: page.locator("summary", { hasText: "Limite diário" }) });
  await capBox.locator("summary").click();
  const cap = capBox.getByLabel("Limite diário de respostas");
  await cap.evaluate((input: HTMLInputElement) => input.removeAttribute("max"));
  await cap.fill("100001");
  await capBox.getByRole("button", { name: "Salvar" }).click();
  await expect(capBox.getByText("Use um número inteiro entre 1 e 100000.")).toBeVisible();
  await cap.fill("300");
  await capBox.getByRole("button", { name: "Salvar" }).click();
  await expect(capBox.getByRole("status").filter({ hasText: "Limite diário salvo." })).toBeVisible();
  const renameBox = card.locator("details", { has: page.locator("summary", { hasText: "Renomear" }) });
  await renameBox.locator("summary").click();
  await renameBox.getByLabel("Nome da instância").fill("Loja Centro SP");
  await renameBox.getByRole("button", { name: "Salvar" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Nome salvo." })).toBeVisible();
  await expect(page.locator("li.card", { hasText: "Loja Centro SP" })).toBeVisible();
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
  // The card says what to do, on the help page.
  await expect(card.getByRole("link", { name: "O que fazer?" })).toHaveAttribute("href", "/help#denied");

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

test("a card follows its instance's status live, without a reload", async ({ page }) => {
  await signUp(page, uniqueEmail("aovivo"));
  await startConnecting(page, "Ao Vivo");
  await page.getByRole("button", { name: "Cancelar" }).click();
  await expect(page).toHaveURL(/\/instances\?error=denied$/);
  await hydrated(page);
  const card = page.locator("li.card", { hasText: "Ao Vivo" });
  await expect(card.getByText("Erro")).toBeVisible();

  // The same person reconnects it from another tab; this page is left alone.
  await page.evaluate(() => Object.assign(window, { sameDocument: true }));
  const list = await page.request.get("/api/instances", { headers: { accept: "application/json" } });
  const [instance] = await list.json();
  const reconnect = await page.request.post("/api/instances/reconnect", { form: { id: instance.id }, maxRedirects: 0 });
  expect(reconnect.status()).toBeLessThan(400);

  await expect(card.getByText("Conectando")).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
});
