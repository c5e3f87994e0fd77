import { expect, test } from "@playwright/test";
import { hydrated, signUp, uniqueEmail } from "./support";

const sandbox = process.env.SANDBOX_URL ?? "http://127.0.0.1:3901";

test("a comment automation built in the browser answers publicly and privately with a button, whose tap runs the follow-up, each step live in the reports", async ({ page, browser, request }) => {
  const prefix = `cresce${Date.now().toString(36)}`;
  const made = await request.post(`${sandbox}/_sandbox/bulk`, { data: { accounts: 1, followers: 1, prefix } });
  expect(made.ok()).toBeTruthy();
  await signUp(page, uniqueEmail("cresce"));
  await page.getByLabel("Nome da instância").fill("Loja Natal");
  await page.getByRole("button", { name: "Nova instância do Instagram" }).click();
  await page.getByRole("radio", { name: new RegExp(`@${prefix}\\.loja0`) }).check();
  await page.getByRole("button", { name: "Permitir" }).click();
  await expect(page).toHaveURL(/\/instances\?connected=/);

  // First the follow-up: a DM automation that only a tap runs.
  await page.goto("/automations");
  await hydrated(page);
  await page.getByLabel("Nome da automação").fill("O link");
  await page.locator("#automation-trigger").selectOption("follow_up");
  await page.getByLabel("Resposta por mensagem direta (DM)").fill("Aqui está: https://loja.exemplo/natal");
  await page.getByRole("button", { name: "Salvar automação" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Automação salva." })).toBeVisible();
  await expect(page.locator("li.automation", { hasText: "O link" })).toBeVisible();

  // The editor shows the public replies only for a comment automation.
  const publicReplies = page.getByLabel("Respostas públicas no comentário (opcional)");
  await expect(publicReplies).toBeHidden();
  await page.getByLabel("Nome da automação").fill("Link de Natal");
  await page.locator("#automation-kind").selectOption("comment");
  await expect(publicReplies).toBeVisible();
  await page.getByLabel("Palavras-chave").fill("eu quero");
  await publicReplies.fill("Te chamei no direct!\nOlha o direct 😉");
  await page.getByLabel("Resposta privada por DM (opcional)").fill("Oi {username}! Quer receber o link?");
  // A button without its follow-up: the server says so, in Portuguese.
  await page.getByLabel("Texto do botão 1").fill("Sim");
  await page.getByLabel("Ação do botão 1").selectOption("follow_up");
  await page.getByRole("button", { name: "Salvar automação" }).click();
  await expect(page.locator("#error-buttons")).toHaveText("Escolha a automação de continuação.");
  await page.getByLabel("Automação de continuação 1").first().selectOption({ label: "O link" });
  await page.getByRole("button", { name: "Salvar automação" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Automação salva." })).toBeVisible();
  const item = page.locator("li.automation", { hasText: "Link de Natal" });
  await expect(item.locator(".reply-public")).toHaveCount(2);
  await expect(item.locator(".reply-direct")).toContainText("Quer receber o link?");
  await expect(item.locator(".bubble-button")).toHaveText(["↩ Sim"]);

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
  await expect(privateRow).toContainText(`Oi ${prefix}.seguidor0! Quer receber o link?`);

  // The follower sees the DM with its button and taps it: the follow-up arrives, live too.
  await follower.goto(`${sandbox}/_sandbox/follower?as=${prefix}.seguidor0`);
  const received = follower.locator(".msg", { hasText: "Quer receber o link?" });
  await expect(received).toBeVisible();
  await received.getByRole("button", { name: "Sim" }).click();
  await expect(follower.getByRole("status")).toHaveText("Toque enviado.");
  const followUp = page.locator("tr", { hasText: "Aqui está: https://loja.exemplo/natal" });
  await expect(followUp).toBeVisible({ timeout: 15_000 });
  await expect(followUp.getByText("Enviada")).toBeVisible({ timeout: 15_000 });
  await expect(followUp).toContainText("Sim");
  await follower.reload();
  await expect(follower.locator(".msg", { hasText: "Aqui está: https://loja.exemplo/natal" })).toBeVisible();
});
