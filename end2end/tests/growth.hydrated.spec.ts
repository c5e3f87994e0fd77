import { expect, test } from "@playwright/test";
import { hydrated, sandbox, signUpConnected } from "./support";

test("a comment automation built in the browser answers publicly and privately with a button, whose tap runs the follow-up, each step live in the reports", async ({ page, browser, request }) => {
  const prefix = await signUpConnected(page, request, "cresce", "Loja Natal");

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

test("a carousel built in the browser is previewed as it is typed, and the follower receives its cards and taps one", async ({ page, browser, request }) => {
  const prefix = await signUpConnected(page, request, "cartao", "Doceria");

  await page.goto("/automations");
  await hydrated(page);
  await page.getByLabel("Nome da automação").fill("Encomenda");
  await page.locator("#automation-trigger").selectOption("follow_up");
  await page.getByLabel("Resposta por mensagem direta (DM)").fill("Anotado, {username}! Entregamos amanhã.");
  // The preview follows the text as it is typed, {username} filled with a sample.
  const preview = page.getByTestId("thread-preview");
  await expect(preview.getByTestId("preview-text")).toHaveText("Anotado, cliente! Entregamos amanhã.");
  await page.getByRole("button", { name: "Salvar automação" }).click();
  await expect(page.locator("li.automation", { hasText: "Encomenda" })).toBeVisible();
  await expect(preview.getByText("Escreva a resposta para ver a prévia.")).toBeVisible();

  await page.getByLabel("Nome da automação").fill("Cardápio");
  await page.getByLabel("Palavras-chave").fill("cardápio");
  await page.getByLabel("Formato da DM").selectOption("cards");
  await expect(page.getByLabel("Resposta por mensagem direta (DM)")).toBeHidden();
  await page.getByLabel("Título do cartão · Cartão 1", { exact: true }).fill("Bolo de cenoura");
  await page.getByLabel("Subtítulo (opcional) · Cartão 1", { exact: true }).fill("R$ 40");
  await page.getByLabel("Texto do botão (Cartão 1 · 1)").fill("Quero");
  await page.getByLabel("Ação do botão (Cartão 1 · 1)").selectOption("follow_up");
  await page.getByLabel("Automação de continuação (Cartão 1 · 1)").selectOption({ label: "Encomenda" });
  await page.getByRole("button", { name: "Adicionar cartão" }).click();
  await page.getByLabel("Título do cartão · Cartão 2", { exact: true }).fill("Brigadeiro");
  await page.getByLabel("Link da imagem (opcional) · Cartão 2", { exact: true }).fill("https://brigadeiro");
  const cards = preview.getByTestId("preview-cards");
  await expect(cards.locator(".preview-card strong")).toHaveText(["Bolo de cenoura", "Brigadeiro"]);
  await expect(cards.locator(".bubble-button")).toHaveText(["↩ Quero"]);
  await expect(preview.locator(".bubble-theirs")).toHaveText("cardápio");
  // An image link the browser takes but that is no address on the web: the server says so under the cards, in Portuguese.
  await page.getByRole("button", { name: "Salvar automação" }).click();
  await expect(page.locator("#error-cards")).toHaveText("Informe o link completo da imagem, começando com https://.");
  await page.getByLabel("Link da imagem (opcional) · Cartão 2", { exact: true }).fill("https://loja.exemplo/brigadeiro.jpg");
  await page.getByRole("button", { name: "Salvar automação" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Automação salva." })).toBeVisible();
  await expect(page.locator("li.automation", { hasText: "Cardápio" }).locator(".reply-direct")).toContainText("Cartões: Bolo de cenoura · Brigadeiro");

  // The follower asks, receives the carousel, and taps the card's button: the follow-up answers.
  const follower = await (await browser.newContext()).newPage();
  await follower.goto(`${sandbox}/_sandbox/follower?as=${prefix}.seguidor0`);
  const dm = follower.locator("form", { has: follower.getByRole("heading", { name: "Mandar DM" }) });
  await dm.getByLabel("Seguidor").selectOption(`${prefix}.seguidor0`);
  await dm.getByLabel("Para").selectOption(`${prefix}.loja0`);
  await dm.getByLabel("Mensagem").fill("Oi, me manda o cardápio?");
  await dm.getByRole("button", { name: "Enviar" }).click();
  const carousel = follower.locator(".msg", { has: follower.locator(".cards") });
  await expect(async () => {
    await follower.reload();
    await expect(carousel).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  await expect(carousel.locator(".card strong")).toHaveText(["Bolo de cenoura", "Brigadeiro"]);
  await carousel.getByRole("button", { name: "Quero" }).click();
  await expect(follower.getByRole("status")).toHaveText("Toque enviado.");
  await expect(async () => {
    await follower.reload();
    await expect(follower.locator(".msg", { hasText: `Anotado, ${prefix}.seguidor0! Entregamos amanhã.` })).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
});
