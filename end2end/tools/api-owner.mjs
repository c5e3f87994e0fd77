// For `make api-fuzz`: signs a person up in the browser, connects an instance through the
// sandbox, gets a follower's DM and comment into it, makes an API key, and prints what the
// fuzzer needs (`KEY=`, `INSTANCE=`, `AUTOMATION=`, `PERSON=`) so its requests reach real ids too.
import { chromium } from "@playwright/test";
const base = process.env.BASE_URL, sandbox = process.env.SANDBOX_URL, mail = process.env.MAIL_API;
const post = (url, body) => fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const prefix = `fuzz${Date.now().toString(36)}`;
await post(`${sandbox}/_sandbox/bulk`, { accounts: 1, followers: 1, prefix });
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
const page = await (await browser.newContext({ locale: "pt-BR" })).newPage();
const email = `${prefix}@loja.test`;
await page.goto(base + "/sign-up");
await page.waitForSelector("html[data-hydrated=true]");
await page.getByLabel("Nome").fill("API Fuzz");
await page.getByLabel("E-mail").fill(email);
await page.getByLabel("Senha").fill("senha-forte-123");
await page.getByRole("button", { name: "Criar conta" }).click();
await page.getByRole("heading", { name: "Confira seu e-mail" }).waitFor();
let link;
for (let i = 0; i < 50 && !link; i++) {
  await page.waitForTimeout(200);
  const mails = await (await fetch(`${mail}/api/email`)).json();
  const m = mails.filter((x) => x.to.some((t) => t.address === email)).reverse()[0];
  link = m && m.text.match(/https?:\/\/\S+\/confirm-email\?token=[\w-]+/)?.[0];
}
await page.goto(link);
await page.waitForSelector("html[data-hydrated=true]");
await page.getByRole("button", { name: "Confirmar e entrar" }).click();
await page.waitForURL(/\/instances$/);
await page.getByLabel("Nome da instância").fill("Fuzz");
await page.getByRole("button", { name: "Nova instância do Instagram" }).click();
await page.getByRole("radio", { name: new RegExp(`@${prefix}\\.loja0`) }).check();
await page.getByRole("button", { name: "Permitir" }).click();
await page.waitForURL(/\/instances\?connected/);
const json = { headers: { accept: "application/json" } };
const instance = (await (await page.request.get(base + "/api/instances", json)).json())[0].id;
const key = (await (await page.request.post(base + "/api/api_keys/create", { ...json, form: { name: "fuzz" } })).json()).secret;
const auth = { headers: { Authorization: `Bearer ${key}`, "content-type": "application/json" } };
const automation = await page.request.post(`${base}/api/v1/instances/${instance}/automations`, {
  ...auth,
  data: { name: "Preço", kind: "dm", trigger: "keyword", keywords: "preço", direct_reply: "Custa R$ 10" },
});
const automationId = (await automation.json()).automation.id;
await post(`${sandbox}/_sandbox/followers/${prefix}.seguidor0/messages`, { to: `${prefix}.loja0`, text: "qual o preço?" });
let person;
for (let i = 0; i < 50 && !person; i++) {
  await page.waitForTimeout(200);
  const list = await (await page.request.get(`${base}/api/v1/instances/${instance}/conversations`, auth)).json();
  person = list[0]?.person_id;
}
console.log(`KEY=${key}\nINSTANCE=${instance}\nAUTOMATION=${automationId}\nPERSON=${person}`);
await browser.close();
