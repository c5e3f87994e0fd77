import { expect, test } from "@playwright/test";
import { hydrated, sandbox, signUpConnected } from "./support";

test("a follower's comment appears live under its post, is answered in public and hidden, and the follower sees the answer", async ({ page, browser, request }) => {
  const prefix = await signUpConnected(page, request, "coment", "Comentarios");
  await page.getByRole("link", { name: "Comentários" }).click();
  await hydrated(page);
  await page.getByLabel("Instância").selectOption({ label: `Comentarios (@${prefix}.loja0)` });
  await expect(page).toHaveURL(/\/comments\?instance=/);
  await hydrated(page);
  const post = page.locator(".post", { hasText: "Oferta da semana" });
  await expect(post).toContainText("0 comentários");
  await post.getByRole("link").click();
  await expect(page).toHaveURL(/media=/);
  await hydrated(page);
  await expect(page.getByText("Nenhum comentário neste post ainda.")).toBeVisible();

  const follower = await (await browser.newContext()).newPage();
  await follower.goto(`${sandbox}/_sandbox/follower?as=${prefix}.seguidor0`);
  const form = follower.locator("form", { has: follower.getByRole("heading", { name: "Comentar" }) });
  await form.getByLabel("Seguidor").selectOption(`${prefix}.seguidor0`);
  await form.getByLabel("Publicação").selectOption({ label: `@${prefix}.loja0 · Post: Oferta da semana` });
  await form.getByLabel("Comentário").fill("Tem em azul?");
  await form.getByRole("button", { name: "Comentar" }).click();
  await expect(follower.getByRole("status")).toHaveText("Comentário publicado.");

  // It shows without a reload, and is answered in public.
  const thread = page.locator(".comment-thread", { hasText: "Tem em azul?" });
  await expect(thread).toBeVisible({ timeout: 15_000 });
  await expect(thread).toContainText(`@${prefix}.seguidor0`);
  await thread.getByText("Responder").click();
  await thread.getByLabel("Sua resposta").fill("Tem sim, no tamanho M!");
  await thread.getByRole("button", { name: "Enviar" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Resposta na fila" })).toBeVisible();
  await expect(thread.locator(".comment.own", { hasText: "Tem sim, no tamanho M!" })).toBeVisible({ timeout: 15_000 });

  // Hidden at Instagram, then shown again.
  await thread.locator(".comment", { hasText: "Tem em azul?" }).getByRole("button", { name: "Ocultar" }).click();
  await expect(page.getByRole("status").filter({ hasText: "visibilidade do comentário mudou" })).toBeVisible();
  await expect(thread.locator(".comment.is-hidden")).toBeVisible();
  await expect(thread.locator(".comment.is-hidden")).toContainText("Oculto");
  await thread.locator(".comment.is-hidden").getByRole("button", { name: "Mostrar de novo" }).click();
  await expect(thread.locator(".comment.is-hidden")).toHaveCount(0);

  await follower.reload();
  await expect(follower.locator("option", { hasText: "Tem sim, no tamanho M!" })).toHaveCount(1);
});
