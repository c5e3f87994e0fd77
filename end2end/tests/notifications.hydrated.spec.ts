import { expect, test } from "@playwright/test";
import { hydrated, signUpConnected } from "./support";

test("the bell counts a first connection, lists it, and clears live in another tab once read", async ({ page, context, request }) => {
  await signUpConnected(page, request, "sino", "Sino");
  await hydrated(page);
  const bell = page.locator("a.bell");
  await expect(bell.locator(".bell-count")).toHaveText("1");
  await expect(bell).toHaveAttribute("aria-label", "Notificações: 1 não lidas");

  // Another tab reads the list and marks everything read.
  const other = await context.newPage();
  await other.goto("/notifications");
  await hydrated(other);
  const item = other.locator("li.notification.unread");
  await expect(item.getByText("Instância conectada")).toBeVisible();
  await expect(item).toContainText(/@sino\w+\.loja0 está conectada ao Instagram/);
  await other.getByRole("button", { name: "Marcar todas como lidas" }).click();
  await expect(other.getByRole("status").filter({ hasText: "Notificações marcadas como lidas." })).toBeVisible();
  await expect(other.locator("li.notification.unread")).toHaveCount(0);

  // The first tab's bell hears it without a reload.
  await expect(bell.locator(".bell-count")).toHaveCount(0, { timeout: 10_000 });

  // E-mail preferences: turning one kind off is kept.
  await other.getByLabel("Limite diário atingido").uncheck();
  await other.getByRole("button", { name: "Salvar preferências" }).click();
  await expect(other.getByRole("status").filter({ hasText: "Preferências salvas." })).toBeVisible();
  await other.reload();
  await hydrated(other);
  await expect(other.getByLabel("Limite diário atingido")).not.toBeChecked();
  await expect(other.getByLabel("Instância conectada")).toBeChecked();
});
