import { expect, test } from "@playwright/test";
import { hydrated, signUpConnected } from "./support";

test("a key is made on the API page, shown once, works from a script, and stops once revoked", async ({ page, request }) => {
  await signUpConnected(page, request, "chave", "Chave");
  await page.getByRole("link", { name: "API", exact: true }).click();
  await expect(page).toHaveURL(/\/api-keys$/);
  await hydrated(page);
  await expect(page.getByText("Nenhuma chave ainda.")).toBeVisible();

  // Without a name the form says so in Portuguese.
  await page.getByLabel("Nome da chave").fill("   ");
  await page.getByRole("button", { name: "Criar chave" }).click();
  await expect(page.getByRole("alert")).toContainText("Preencha este campo.");

  await page.getByLabel("Nome da chave").fill("CRM da loja");
  await page.getByRole("button", { name: "Criar chave" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Copie agora" })).toBeVisible();
  const secret = await page.getByLabel("Sua nova chave").inputValue();
  expect(secret).toMatch(/^ick_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{32}$/);
  await expect(page.getByRole("button", { name: "Copiar" })).toBeVisible();
  const row = page.locator("tr", { hasText: "CRM da loja" });
  await expect(row).toContainText(secret.slice(0, 12));
  await expect(row).toContainText("nunca");

  // A script with the key sees the instance; the list then says the key was used.
  const script = await request.get("/api/v1/instances", { headers: { Authorization: `Bearer ${secret}` } });
  expect(script.status()).toBe(200);
  const instances = await script.json();
  expect(instances[0].status).toBe("connected");
  await page.reload();
  await hydrated(page);
  await expect(page.locator("tr", { hasText: "CRM da loja" })).not.toContainText("nunca");
  await expect(page.getByText("Copie agora")).toHaveCount(0);

  // The documentation page is linked and needs nothing from the internet.
  const docs = await request.get("/api/v1/docs");
  expect(docs.status()).toBe(200);
  expect(await docs.text()).toContain("/api/v1/instances/{instance_id}/conversations/{person_id}/messages");

  await page.locator("tr", { hasText: "CRM da loja" }).getByRole("button", { name: "Revogar" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Chave revogada" })).toBeVisible();
  await expect(page.getByText("Nenhuma chave ainda.")).toBeVisible();
  const after = await request.get("/api/v1/instances", { headers: { Authorization: `Bearer ${secret}` } });
  expect(after.status()).toBe(401);
  expect((await after.json()).error.code).toBe("unauthorized");
});
