import { expect, test } from "@playwright/test";
import { hydrated, sandbox, signUpConnected } from "./support";

test("a follower writes, the conversation appears live in the inbox, the user answers by hand and the follower sees it", async ({ page, browser, request }) => {
  const prefix = await signUpConnected(page, request, "caixa", "Caixa");
  await page.getByRole("link", { name: "Conversas" }).click();
  await hydrated(page);
  await page.getByLabel("Instância").selectOption({ label: `Caixa (@${prefix}.loja0)` });
  await expect(page).toHaveURL(/\/inbox\?instance=/);
  await hydrated(page);
  await expect(page.getByText("Nenhuma conversa ainda")).toBeVisible();

  // The follower writes from the sandbox's follower page while the inbox is open.
  const follower = await (await browser.newContext()).newPage();
  await follower.goto(`${sandbox}/_sandbox/follower?as=${prefix}.seguidor0`);
  const form = follower.locator("form", { has: follower.getByRole("heading", { name: "Mandar DM" }) });
  await form.getByLabel("Seguidor").selectOption(`${prefix}.seguidor0`);
  await form.getByLabel("Para").selectOption({ label: `@${prefix}.loja0` });
  await form.getByLabel("Mensagem").fill("Vocês entregam no sábado?");
  await form.getByRole("button", { name: "Enviar DM" }).click();

  const conversation = page.locator(".conversations li", { hasText: `@${prefix}.seguidor0` });
  await expect(conversation).toBeVisible({ timeout: 15_000 });
  await expect(conversation).toContainText("Vocês entregam no sábado?");
  await expect(conversation.locator(".bell-count")).toHaveText("1");

  await conversation.getByRole("link").click();
  await expect(page).toHaveURL(/person=/);
  await expect(page.locator(".message.theirs")).toContainText("Vocês entregam no sábado?");
  await expect(page.getByText("Janela de 24 horas aberta até")).toBeVisible();
  await page.getByLabel("Sua resposta").fill("Entregamos sim, das 9h às 13h!");
  await page.getByRole("button", { name: "Enviar" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Resposta na fila" })).toBeVisible();
  await expect(page.locator(".message.ours", { hasText: "Entregamos sim, das 9h às 13h!" })).toBeVisible({ timeout: 15_000 });
  await expect(page.getByText("Automações pausadas nesta conversa até")).toBeVisible();

  await follower.goto(`${sandbox}/_sandbox/follower?as=${prefix}.seguidor0`);
  await expect(follower.locator(".msg", { hasText: "Entregamos sim, das 9h às 13h!" })).toBeVisible();
});
