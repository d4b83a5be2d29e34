// Walks the broker's web console in a real headless chromium, as a person would: overview → topic → partition →
// messages → group, where it waits (lines on stdin/stdout with the xunit test) for a consumer to commit and sees the
// lag, → cluster → overview.
// Usage: node console-walk.mjs BASE_URL OUT_DIR TOPIC GROUP XSS_TEXT LAG_AFTER_COMMIT
// Exit code 0 = every check passed; otherwise the failure is printed. Screenshots go to OUT_DIR.
import { chromium } from "playwright-core";
import { createInterface } from "node:readline";
import path from "node:path";

const [base, out, topic, group, xss, lagAfterCommit] = process.argv.slice(2);
const problems = [];
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const step = name => console.log("STEP " + name);
const timeout = 15000;

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", headless: true, args: ["--no-sandbox"] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  page.setDefaultTimeout(timeout);
  page.on("console", m => { if (m.type() === "error") problems.push("console error: " + m.text()); });
  page.on("pageerror", e => problems.push("page error: " + e.message));
  page.on("dialog", d => { problems.push("a dialog opened (injected script ran): " + d.message()); d.dismiss(); });
  page.on("request", r => { if (!r.url().startsWith(base)) problems.push("loaded from elsewhere: " + r.url()); });
  const shot = name => page.screenshot({ path: path.join(out, name + ".png"), fullPage: true });
  const noHorizontalScroll = async where => {
    const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
    if (scroll > width) problems.push(`${where}: the page is ${scroll}px wide in a ${width}px window (a long name broke the layout)`);
  };

  step("overview");
  await page.goto(base);
  await page.getByTestId("topics-count").waitFor();
  await page.locator("canvas.chart").first().waitFor();
  await noHorizontalScroll("overview");
  await shot("overview");

  step("topics");
  await page.getByRole("link", { name: "Topics", exact: true }).click();
  await page.getByTestId("topics-table").waitFor();
  await noHorizontalScroll("topics list");
  await page.getByPlaceholder("Filter topics").fill(topic);
  await page.getByTestId("topic-link").filter({ hasText: topic }).first().click();

  step("topic");
  await page.getByTestId("topic-name").filter({ hasText: topic }).waitFor();
  await page.getByTestId("partitions-table").waitFor();
  await noHorizontalScroll("topic view");
  await shot("topic");

  step("messages");
  await page.getByTestId("partition-link").first().click();
  await page.getByTestId("messages-table").waitFor();
  const values = await page.getByTestId("message-value").allInnerTexts();
  if (!values.some(v => v.includes(xss))) problems.push(`the message ${xss} is not shown as text; values: ${JSON.stringify(values).slice(0, 500)}`);
  if (await page.locator("[data-testid=messages-table] img").count() > 0) problems.push("a message body became an <img> element");
  await noHorizontalScroll("messages");
  await shot("messages");

  step("group");
  await page.goto(`${base}#/groups/${encodeURIComponent(group)}`);
  await page.getByTestId("group-name").filter({ hasText: group }).waitFor();
  console.log("READY-FOR-COMMIT");
  const reply = await lines.next();
  if (reply.value !== "committed") throw new Error("the test did not commit: " + reply.value);
  await page.getByTestId("partition-lag").filter({ hasText: new RegExp(`^${lagAfterCommit}$`) }).first().waitFor();
  await page.getByTestId("group-lag").filter({ hasText: new RegExp(`^${lagAfterCommit}$`) }).waitFor();
  await shot("group");

  step("cluster");
  await page.getByRole("link", { name: "Cluster", exact: true }).click();
  await page.getByTestId("cluster-nodes").waitFor();
  const nodes = await page.getByTestId("node-row").count();
  if (nodes !== 1) problems.push(`the cluster view lists ${nodes} nodes for a single broker`);
  // a thousand topics: the first 200 partitions drawn, the rest a click away
  await page.getByTestId("cluster-partition").first().waitFor();
  const drawn = await page.getByTestId("cluster-partition").count();
  if (drawn !== 200) problems.push(`the cluster view drew ${drawn} partitions at first, not 200`);
  await page.getByRole("button", { name: /Show more/ }).click();
  await page.getByTestId("cluster-partition").nth(399).waitFor();
  const underReplicated = await page.getByTestId("under-replicated").innerText();
  if (underReplicated !== "0") problems.push(`a single broker shows ${underReplicated} under-replicated partitions`);
  await noHorizontalScroll("cluster");
  await shot("cluster");

  step("overview again");
  await page.getByRole("link", { name: "Overview" }).click();
  await page.getByTestId("overview-groups").getByText(group).waitFor();
  await shot("overview-live");
} catch (e) {
  problems.push("walk stopped: " + e.message.split("\n")[0]);
} finally {
  await browser.close();
}
for (const p of problems) console.log("PROBLEM " + p);
process.exit(problems.length ? 1 : 0);
