import { expect, type APIRequestContext, type Page } from "@playwright/test";

export const sandbox = process.env.SANDBOX_URL ?? "http://127.0.0.1:3901";

/** Waits until the WASM has hydrated the page: only the hydrated app sets this marker. */
export async function hydrated(page: Page) {
  await expect(page.locator("html[data-hydrated=true]")).toHaveCount(1);
}

/** A unique email per test, so tests never share accounts. */
export function uniqueEmail(prefix: string) {
  return `${prefix}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@loja.test`;
}

/** Signs up as a person does: the form, then the link the app e-mails, then its button. */
export async function signUp(page: Page, email: string, password = "senha-forte-123") {
  await page.goto("/sign-up");
  await hydrated(page);
  await page.getByLabel("Nome").fill("Ana Souza");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Senha").fill(password);
  await page.getByRole("button", { name: "Criar conta" }).click();
  await expect(page.getByRole("heading", { name: "Confira seu e-mail" })).toBeVisible();
  await confirm(page, email);
}

/** Opens the newest confirmation link e-mailed to `email` and confirms: the account is signed in. */
export async function confirm(page: Page, email: string) {
  await page.goto(await confirmationLink(email));
  await hydrated(page);
  await page.getByRole("button", { name: /Confirmar e entrar|Confirm and sign in/ }).click();
  await expect(page).toHaveURL(/\/instances$/);
}

/** The e-mails the app sent to `to`, newest first, from the SMTP catcher `make test` starts. */
export async function mailsTo(to: string): Promise<{ subject: string; text: string }[]> {
  const api = process.env.MAIL_API ?? "http://127.0.0.1:51080";
  const all: { subject: string; text: string; to: { address: string }[] }[] = await (await fetch(`${api}/api/email`)).json();
  return all.filter((m) => m.to.some((t) => t.address === to.toLowerCase())).reverse();
}

/** The newest confirmation link e-mailed to `to` (waits for it). */
export async function confirmationLink(to: string): Promise<string> {
  let link: string | undefined;
  await expect(async () => {
    link = (await mailsTo(to)).map((m) => m.text.match(/https?:\/\/\S+\/confirm-email\?token=[\w-]+/)?.[0]).find(Boolean);
    expect(link, `a confirmation e-mail to ${to}`).toBeTruthy();
  }).toPass({ timeout: 10_000 });
  return link!;
}

/**
 * A fresh Instagram account and follower at the sandbox (`{prefix}.loja0`, `{prefix}.seguidor0`),
 * so no other test shares them; a new user signs up and connects the account as instance `name`.
 */
export async function signUpConnected(page: Page, request: APIRequestContext, label: string, name: string): Promise<string> {
  const prefix = `${label}${Date.now().toString(36)}`;
  const made = await request.post(`${sandbox}/_sandbox/bulk`, { data: { accounts: 1, followers: 1, prefix } });
  expect(made.ok()).toBeTruthy();
  await signUp(page, uniqueEmail(label));
  await page.getByLabel("Nome da instância").fill(name);
  await page.getByRole("button", { name: "Nova instância do Instagram" }).click();
  await page.getByRole("radio", { name: new RegExp(`@${prefix}\\.loja0`) }).check();
  await page.getByRole("button", { name: "Permitir" }).click();
  await expect(page).toHaveURL(/\/instances\?connected=/);
  return prefix;
}
