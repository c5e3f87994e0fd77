import { expect, test } from "@playwright/test";
import { confirm, hydrated, mailsTo, signUp, uniqueEmail } from "./support";

test("sign up, see the empty Instâncias page in pt-BR, switch to English, sign out, sign in", async ({ page }) => {
  const email = uniqueEmail("ana");
  await signUp(page, email);

  await expect(page.getByRole("heading", { name: "Instâncias", level: 1 })).toBeVisible();
  await expect(page.getByText("Nenhuma instância do Instagram ainda.")).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "pt-BR");
  await expect(page.getByRole("link", { name: "Automações" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Admin" })).toHaveCount(0);

  await page.getByRole("link", { name: "English" }).click();
  await expect(page).toHaveURL(/\/instances$/);
  await hydrated(page);
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page.getByRole("heading", { name: "Instances", level: 1 })).toBeVisible();
  await expect(page.getByText("No Instagram instances yet.")).toBeVisible();

  // The choice is remembered across pages and reloads.
  await page.reload();
  await hydrated(page);
  await expect(page.getByRole("link", { name: "Reports" })).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.getByRole("heading", { name: "Sign in to your account" })).toBeVisible();

  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("senha-forte-123");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/instances$/);
  await expect(page.getByText(email)).toBeVisible();
});

test("wrong credentials get one generic message in Portuguese", async ({ page }) => {
  await page.goto("/sign-in");
  await hydrated(page);
  await page.getByLabel("E-mail").fill(uniqueEmail("ninguem"));
  await page.getByLabel("Senha").fill("qualquer-coisa");
  await page.getByRole("button", { name: "Entrar" }).click();
  await expect(page.getByRole("alert")).toHaveText("E-mail ou senha incorretos.");
  await expect(page).toHaveURL(/\/sign-in/);
});

test("sign-up shows field messages in Portuguese and accepts the corrected form", async ({ page }) => {
  await page.goto("/sign-up");
  await hydrated(page);
  await page.getByLabel("Nome").fill("Bia");
  await page.getByLabel("E-mail").fill(uniqueEmail("bia"));
  await page.getByLabel("Senha").fill("curta");
  await page.getByRole("button", { name: "Criar conta" }).click();
  await expect(page.getByText("A senha precisa de pelo menos 8 caracteres.")).toBeVisible();
  await expect(page.getByLabel("Senha")).toHaveAttribute("aria-invalid", "true");

  const email = uniqueEmail("bia");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Senha").fill("agora-sim-123");
  await page.getByRole("button", { name: "Criar conta" }).click();
  await expect(page.getByRole("status")).toHaveText(/Enviamos um link para o e-mail informado/);
  await confirm(page, email);
});

test("an address that has an account gets the same answer, and its owner a note by e-mail", async ({ page }) => {
  const email = uniqueEmail("dona");
  await signUp(page, email);
  await page.getByRole("button", { name: "Sair" }).click();
  await page.goto("/sign-up");
  await hydrated(page);
  await page.getByLabel("Nome").fill("Outra pessoa");
  await page.getByLabel("E-mail").fill(email.toUpperCase());
  await page.getByLabel("Senha").fill("outra-senha-123");
  await page.getByRole("button", { name: "Criar conta" }).click();
  await expect(page.getByRole("heading", { name: "Confira seu e-mail" })).toBeVisible();
  await expect(page.getByRole("status")).toHaveText(/Enviamos um link para o e-mail informado/);
  await expect(async () => {
    expect((await mailsTo(email))[0]?.subject).toBe("Você já tem uma conta no Insta-Clerky");
  }).toPass({ timeout: 10_000 });
});

test("an account whose e-mail is not confirmed cannot sign in yet, and is told why", async ({ page }) => {
  const email = uniqueEmail("pendente");
  await page.goto("/sign-up");
  await hydrated(page);
  await page.getByLabel("Nome").fill("Pendente");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Senha").fill("senha-forte-123");
  await page.getByRole("button", { name: "Criar conta" }).click();
  await expect(page.getByRole("heading", { name: "Confira seu e-mail" })).toBeVisible();
  await page.goto("/sign-in");
  await hydrated(page);
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Senha").fill("senha-forte-123");
  await page.getByRole("button", { name: "Entrar" }).click();
  await expect(page.getByRole("alert")).toHaveText(/Confirme seu e-mail antes de entrar/);
  await confirm(page, email);
});

test("a signed-out visit to a protected page lands on sign-in and returns there afterwards", async ({ page, browser }) => {
  const email = uniqueEmail("caio");
  await signUp(page, email);

  const visitor = await browser.newPage();
  await visitor.goto("/reports");
  await expect(visitor).toHaveURL(/\/sign-in\?next=\/reports$/);
  await hydrated(visitor);
  await visitor.getByLabel("E-mail").fill(email);
  await visitor.getByLabel("Senha").fill("senha-forte-123");
  await visitor.getByRole("button", { name: "Entrar" }).click();
  await expect(visitor).toHaveURL(/\/reports$/);
  await expect(visitor.getByRole("heading", { name: "Relatórios", level: 1 })).toBeVisible();
  await visitor.close();
});

test("an unknown address shows the not-found page", async ({ page }) => {
  const response = await page.goto("/nada-aqui");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Página não encontrada" })).toBeVisible();
});

test("the layout fits a phone screen", async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 740 });
  await signUp(page, uniqueEmail("fone"));
  await expect(page.getByRole("link", { name: "Relatórios" })).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});
