import { expect, type Page } from "@playwright/test";

/** Waits until the WASM has hydrated the page: only the hydrated app sets this marker. */
export async function hydrated(page: Page) {
  await expect(page.locator("html[data-hydrated=true]")).toHaveCount(1);
}

/** A unique email per test, so tests never share accounts. */
export function uniqueEmail(prefix: string) {
  return `${prefix}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@loja.test`;
}

export async function signUp(page: Page, email: string, password = "senha-forte-123") {
  await page.goto("/sign-up");
  await hydrated(page);
  await page.getByLabel("Nome").fill("Ana Souza");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Senha").fill(password);
  await page.getByRole("button", { name: "Criar conta" }).click();
  await expect(page).toHaveURL(/\/instances$/);
}
