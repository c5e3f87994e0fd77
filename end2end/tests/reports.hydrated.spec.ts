import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { hydrated, signUp, uniqueEmail } from "./support";

const sandbox = process.env.SANDBOX_URL ?? "http://127.0.0.1:3901";

test("an automation built in the browser answers a follower, live in the reports, filtered and exported", async ({ page, request }) => {
  await signUp(page, uniqueEmail("relatorio"));

  // Connect @cafe.da.praca through the sandbox's Business Login.
  await page.getByLabel("Nome da instância").fill("Café");
  await page.getByRole("button", { name: "Nova instância do Instagram" }).click();
  await page.getByRole("radio", { name: /@cafe\.da\.praca/ }).check();
  await page.getByRole("button", { name: "Permitir" }).click();
  await expect(page).toHaveURL(/\/instances\?connected=cafe-/);

  // Build the automation, first with a mistake the server points out in Portuguese.
  await page.goto("/automations");
  await hydrated(page);
  await page.getByLabel("Nome da automação").fill("Preço do café");
  await page.getByLabel("Resposta por mensagem direta (DM)").fill("Oi {username}! O cappuccino custa R$ 9.");
  await page.getByRole("button", { name: "Salvar automação" }).click();
  await expect(page.locator("#error-keywords")).toHaveText("Preencha este campo.");
  await page.getByLabel("Palavras-chave").fill("preço, valor");
  await page.getByRole("button", { name: "Salvar automação" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Automação salva." })).toBeVisible();
  const item = page.locator("li.automation", { hasText: "Preço do café" });
  await expect(item.getByText("Ativa", { exact: true })).toBeVisible();
  await expect(item.locator(".chip")).toHaveText(["preço", "valor"]);

  // Switching it off and on says so each time.
  await item.getByRole("button", { name: "Desativar" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Automação desativada." })).toBeVisible();
  await item.getByRole("button", { name: "Ativar" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Automação ativada." })).toBeVisible();
  await expect(item.getByText("Ativa", { exact: true })).toBeVisible();

  // The test box uses the engine's matcher and sends nothing.
  await page.getByLabel("Texto de exemplo").fill("Qual o PRECO?");
  await page.getByLabel("@ de exemplo").fill("ana");
  await page.getByRole("button", { name: "Testar", exact: true }).click();
  await expect(page.getByTestId("try-result")).toContainText("Preço do café");
  await expect(page.getByTestId("try-result")).toContainText("Oi ana! O cappuccino custa R$ 9.");

  // Reports are open when the follower writes: the interaction appears without a reload.
  await page.goto("/reports");
  await hydrated(page);
  const dm = await request.post(`${sandbox}/_sandbox/followers/maria.souza/messages`, {
    data: { to: "cafe.da.praca", text: "Qual o preço do café?" },
  });
  expect(dm.ok()).toBeTruthy();
  const row = page.locator("tr", { hasText: "Qual o preço do café?" });
  await expect(row).toBeVisible({ timeout: 15_000 });
  await expect(row.getByText("@maria.souza")).toBeVisible();
  await expect(row.getByText("Enviada")).toBeVisible({ timeout: 15_000 });
  await expect(row).toContainText("Oi maria.souza! O cappuccino custa R$ 9.");

  // Filter to it; the filter goes into the URL.
  await page.getByLabel("@ do usuário").fill("@maria.souza");
  await page.getByLabel("Status", { exact: true }).selectOption("sent");
  await page.getByRole("button", { name: "Filtrar" }).click();
  await expect(page).toHaveURL(/username=(%40)?maria\.souza/);
  await expect(page).toHaveURL(/status=sent/);
  await expect(page.locator("tbody tr")).toHaveCount(1);

  // The CSV has exactly what the filter shows.
  const downloading = page.waitForEvent("download");
  await page.getByRole("link", { name: "Exportar CSV" }).click();
  const download = await downloading;
  const csv = readFileSync(await download.path(), "utf8");
  expect(csv.charCodeAt(0)).toBe(0xfeff);
  const lines = csv.slice(1).trimEnd().split("\r\n");
  expect(lines[0]).toBe("data_hora,tipo,instancia,comentario_id,usuario_id_instagram,midia_id,username,texto,resposta,resposta_tipo,status,motivo,id");
  expect(lines).toHaveLength(2);
  expect(lines[1]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z,dm,Café,,\d+,,maria\.souza,Qual o preço do café\?,Oi maria\.souza! O cappuccino custa R\$ 9\.,dm,sent,,/);
});

test.describe("in another time zone", () => {
  test.use({ timezoneId: "Asia/Tokyo" });

  test("the reports count the reader's days: the browser's zone reaches the server and stays", async ({ page }) => {
    await signUp(page, uniqueEmail("fuso"));
    await page.goto("/reports?period=7d");
    await hydrated(page);
    // Before the browser said where it is, pt-BR counted São Paulo's days; then the page asks again.
    await expect(page.locator("figure.chart figcaption")).toContainText("Asia/Tokyo");
    const cookies = await page.context().cookies();
    expect(decodeURIComponent(cookies.find((c) => c.name === "ic_tz")?.value ?? "")).toBe("Asia/Tokyo");
    // Rendered on the server from the cookie from then on, without JavaScript's help.
    const html = await (await page.request.get("/reports?period=7d")).text();
    expect(html).toContain("Asia/Tokyo");
  });
});
