import { expect, test, type Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import { confirmationLink, sandbox, uniqueEmail } from "./support";

// The pages a person must be able to use with JavaScript off: every form is a plain form the
// server answers with a redirect, every link a plain link.
test.use({ javaScriptEnabled: false });

/** The sign-up form, filled and sent as a person does. */
async function sendSignUp(page: Page, name: string, email: string, password: string) {
  await page.getByLabel("Nome").fill(name);
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Senha").fill(password);
  await page.getByRole("button", { name: "Criar conta" }).click();
}

/** Opens the confirmation link e-mailed to `email` and confirms: signed in, on the instances. */
async function confirmByEmail(page: Page, email: string) {
  await page.goto(await confirmationLink(email));
  await page.getByRole("button", { name: "Confirmar e entrar" }).click();
  await expect(page).toHaveURL(/\/instances$/);
}

test("without JavaScript: sign up, confirm, sign out and in, read and filter the reports, export the CSV", async ({ page, request }) => {
  const prefix = `semjs${Date.now().toString(36)}`;
  const made = await request.post(`${sandbox}/_sandbox/bulk`, { data: { accounts: 1, followers: 1, prefix } });
  expect(made.ok()).toBeTruthy();
  const email = uniqueEmail("semjs");

  // A mistake comes back to the form, said under its field.
  await page.goto("/sign-up");
  await sendSignUp(page, "Sem Script", email, "curta");
  await expect(page).toHaveURL(/\/sign-up\?error=/);
  await expect(page.getByText("A senha precisa de pelo menos 8 caracteres.")).toBeVisible();
  await sendSignUp(page, "Sem Script", email, "senha-forte-123");
  await expect(page).toHaveURL(/\/sign-up\?sent=1$/);
  await expect(page.getByRole("heading", { name: "Confira seu e-mail" })).toBeVisible();
  await confirmByEmail(page, email);

  await page.getByRole("button", { name: "Sair" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Senha").fill("senha-errada");
  await page.getByRole("button", { name: "Entrar" }).click();
  await expect(page.getByRole("alert")).toHaveText("E-mail ou senha incorretos.");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Senha").fill("senha-forte-123");
  await page.getByRole("button", { name: "Entrar" }).click();
  await expect(page).toHaveURL(/\/instances$/);

  // Connect through the sandbox's Business Login (plain pages too).
  await page.getByLabel("Nome da instância").fill("Sem Script");
  await page.getByRole("button", { name: "Nova instância do Instagram" }).click();
  await page.getByRole("radio", { name: new RegExp(`@${prefix}\\.loja0`) }).check();
  await page.getByRole("button", { name: "Permitir" }).click();
  await expect(page).toHaveURL(/\/instances\?connected=/);

  // A card's action refused comes back to the page, said above the cards.
  await page.goto("/instances");
  const rename = page.locator("li.card details", { has: page.locator("summary", { hasText: "Renomear" }) });
  await rename.locator("summary").click();
  await rename.locator("input[name=name]").fill("   ");
  await rename.getByRole("button", { name: "Salvar" }).click();
  await expect(page).toHaveURL(/\/instances\?error=/);
  await expect(page.getByRole("alert")).toHaveText("Preencha este campo.");
  const instances = await (await page.request.get("/api/instances", { headers: { accept: "application/json" } })).json();
  const saved = await page.request.post("/api/automations/save", {
    headers: { accept: "application/json" },
    form: {
      instance_id: instances[0].id,
      "input[name]": "Preço",
      "input[kind]": "dm",
      "input[trigger]": "keyword",
      "input[keywords]": "preço",
      "input[direct_reply]": "Custa R$ 12.",
    },
  });
  expect(saved.ok()).toBeTruthy();
  const dm = await request.post(`${sandbox}/_sandbox/followers/${prefix}.seguidor0/messages`, {
    data: { to: `${prefix}.loja0`, text: "qual o preço?" },
  });
  expect(dm.ok()).toBeTruthy();

  // The reports render on the server; the filter is a plain GET form.
  await expect(async () => {
    await page.goto("/reports");
    await expect(page.locator("tr", { hasText: "qual o preço?" }).getByText("Enviada")).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  await page.getByLabel("Instância").selectOption({ label: "Sem Script" });
  await page.getByLabel("Status", { exact: true }).selectOption("sent");
  await page.getByRole("button", { name: "Filtrar" }).click();
  await expect(page).toHaveURL(/status=sent/);
  await expect(page.locator("tbody tr")).toHaveCount(1);
  const downloading = page.waitForEvent("download");
  await page.getByRole("link", { name: "Exportar CSV" }).click();
  const csv = readFileSync(await (await downloading).path(), "utf8");
  const lines = csv.slice(1).trimEnd().split("\r\n");
  expect(lines).toHaveLength(2);
  expect(lines[1]).toContain("qual o preço?,Custa R$ 12.,dm,sent,");
});

test("without JavaScript: an API key's secret is shown once after the form's redirect, and works", async ({ page, request }) => {
  const email = uniqueEmail("chavesemjs");
  await page.goto("/sign-up");
  await sendSignUp(page, "Chave Sem Script", email, "senha-forte-123");
  await confirmByEmail(page, email);

  await page.goto("/api-keys");
  await page.getByLabel("Nome da chave").fill("   ");
  await page.getByRole("button", { name: "Criar chave" }).click();
  await expect(page).toHaveURL(/\/api-keys\?error=/);
  await expect(page.getByRole("alert")).toContainText("Preencha este campo.");

  // Sent from the page that shows the refusal: the page comes back without it, with the secret.
  await page.getByLabel("Nome da chave").fill("Planilha");
  await page.getByRole("button", { name: "Criar chave" }).click();
  await expect(page).toHaveURL(/\/api-keys$/);
  await expect(page.getByRole("alert")).toHaveCount(0);
  await expect(page.getByRole("status").filter({ hasText: "Copie agora" })).toBeVisible();
  const secret = await page.getByLabel("Sua nova chave").inputValue();
  expect(secret).toMatch(/^ick_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{32}$/);
  // Copying needs the script: no button that does nothing, the field is there to select.
  await expect(page.getByRole("button", { name: "Copiar" })).toBeHidden();
  await expect(page.locator("tr", { hasText: "Planilha" })).toContainText(secret.slice(0, 12));
  // The page took the secret: the cookie that carried it is gone, and a reload shows it no more.
  expect((await page.context().cookies()).map((c) => c.name)).not.toContain("ic_new_api_key");
  await page.reload();
  await expect(page.locator("tr", { hasText: "Planilha" })).toBeVisible();
  await expect(page.getByText("Copie agora")).toHaveCount(0);

  const script = await request.get("/api/v1/instances", { headers: { Authorization: `Bearer ${secret}` } });
  expect(script.status()).toBe(200);
});
