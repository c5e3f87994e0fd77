import { expect, test } from "@playwright/test";
import { hydrated, signUp, uniqueEmail } from "./support";

const sandbox = process.env.SANDBOX_URL ?? "http://127.0.0.1:3901";

test("a comment automation built in the browser answers publicly with a variant and privately, each part live in the reports", async ({ page, browser, request }) => {
  const prefix = `cresce${Date.now().toString(36)}`;
  const made = await request.post(`${sandbox}/_sandbox/bulk`, { data: { accounts: 1, followers: 1, prefix } });
  expect(made.ok()).toBeTruthy();
  await signUp(page, uniqueEmail("cresce"));
  await page.getByLabel("Nome da instância").fill("Loja Natal");
  await page.getByRole("button", { name: "Nova instância do Instagram" }).click();
  await page.getByRole("radio", { name: new RegExp(`@${prefix}\\.loja0`) }).check();
  await page.getByRole("button", { name: "Permitir" }).click();
  await expect(page).toHaveURL(/\/instances\?connected=/);

  // The editor shows the public replies only for a comment automation.
  await page.goto("/automations");
  await hydrated(page);
  const publicReplies = page.getByLabel("Respostas públicas no comentário (opcional)");
  await expect(publicReplies).toBeHidden();
  await page.getByLabel("Nome da automação").fill("Link de Natal");
  await page.locator("#automation-kind").selectOption("comment");
  await expect(publicReplies).toBeVisible();
  await page.getByLabel("Palavras-chave").fill("eu quero");
  await publicReplies.fill("Te chamei no direct!\nOlha o direct 😉");
  await page.getByLabel("Resposta privada por DM (opcional)").fill("Oi {username}! O link: https://loja.exemplo/natal");
  await page.getByRole("button", { name: "Salvar automação" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Automação salva." })).toBeVisible();
  const item = page.locator("li.automation", { hasText: "Link de Natal" });
  await expect(item.locator(".reply-public")).toHaveCount(2);
  await expect(item.locator(".reply-direct")).toContainText("O link: https://loja.exemplo/natal");

  // The follower comments through the sandbox's follower page while the reports are open.
  await page.goto("/reports");
  await hydrated(page);
  const follower = await (await browser.newContext()).newPage();
  await follower.goto(`${sandbox}/_sandbox/follower?as=${prefix}.seguidor0`);
  const form = follower.locator("form", { has: follower.getByRole("heading", { name: "Comentar" }) });
  await form.getByLabel("Seguidor").selectOption(`${prefix}.seguidor0`);
  await form.getByLabel("Publicação").selectOption({ label: `@${prefix}.loja0 · Post: Oferta da semana` });
  await form.getByLabel("Comentário").fill("Eu quero!");
  await form.getByRole("button", { name: "Comentar" }).click();
  await expect(follower.getByRole("status")).toHaveText("Comentário publicado.");

  // Both parts appear without a reload, each with its own row and status.
  const rows = page.locator("tr", { hasText: "Eu quero!" });
  await expect(rows).toHaveCount(2, { timeout: 15_000 });
  const publicRow = rows.filter({ hasText: "Resposta pública no comentário" });
  const privateRow = rows.filter({ hasText: "Resposta privada (DM)" });
  await expect(publicRow.getByText("Enviada")).toBeVisible({ timeout: 15_000 });
  await expect(publicRow).toContainText(/Te chamei no direct!|Olha o direct 😉/);
  await expect(privateRow.getByText("Enviada")).toBeVisible({ timeout: 15_000 });
  await expect(privateRow).toContainText(`Oi ${prefix}.seguidor0! O link: https://loja.exemplo/natal`);
});
