// A visitor of the storefront in Debian's headless Chromium, driven by Playwright (playwright-core:
// it never downloads a browser). Run by tests/storefront/visitor.py as
//   node visitor.js '{"flow": "...", "baseUrl": "http://127.0.0.1:PORT", "proxyPort": N, ...}'
// Each flow does what a person would (find the field by its label, the button by its name), and
// prints what they saw as one JSON line; the pytest side asserts on it. A step that cannot be done
// (no such button...) throws: the script exits 1 with the error and a screenshot of the page.
"use strict";

const fs = require("fs");
const path = require("path");
const { chromium } = require("playwright-core");

const AXE_SOURCE = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const STEP_TIMEOUT = 10_000; // ms for one click or page; the store is on loopback
const DESKTOP = { width: 1280, height: 900 };

async function launch(options) {
  // Debian's binary itself, as tests/browsers runs it; loopback is never proxied, everything else
  // goes to the refusing proxy.
  const browser = await chromium.launch({
    executablePath: options.chromium,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", `--proxy-server=127.0.0.1:${options.proxyPort}`],
  });
  const context = await browser.newContext({
    baseURL: options.baseUrl, locale: "en-US", acceptDownloads: true,
    viewport: DESKTOP,
  });
  context.setDefaultTimeout(STEP_TIMEOUT);
  return { browser, context };
}

async function shot(page, options, name) {
  if (!options.screenshots) return null;
  const file = path.join(options.screenshots, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

function text(locator) {
  return locator.innerText().then((value) => value.trim().replace(/\s+/g, " "));
}

async function resultNames(page) {
  return (await page.locator(".cards .card-name").allInnerTexts()).map((name) => name.trim());
}

// A visitor searches from the header (the autocomplete suggests as they type), narrows the results
// with the filters, opens an add-on, switches the language with the picker and downloads the XPI.
async function browse(context, options) {
  const page = await context.newPage();
  const seen = {};
  await page.goto("/");
  const search = page.getByRole("combobox", { name: "Search add-ons" });
  await search.pressSequentially(options.query, { delay: 30 });
  const suggestions = page.getByRole("listbox", { name: "Suggestions" });
  await suggestions.getByRole("option").first().waitFor();
  seen.suggestions = (await suggestions.getByRole("option").allInnerTexts()).map((name) => name.trim());
  await search.press("Enter");
  await page.waitForURL(/\/search\//);
  seen.searchHeading = await text(page.getByRole("heading", { level: 1 }));
  seen.searchCount = await text(page.getByRole("status"));
  seen.searchResults = await resultNames(page);

  const filters = page.getByRole("complementary", { name: "Filters" });
  for (const [label, choice] of Object.entries(options.filters)) {
    await filters.getByLabel(label, { exact: true }).selectOption({ label: choice });
  }
  await filters.getByRole("button", { name: "Apply" }).click();
  await page.waitForLoadState();
  seen.filteredUrl = page.url();
  seen.filteredResults = await resultNames(page);

  await page.getByRole("link", { name: options.open }).first().click();
  await page.waitForURL(/\/addon\//);
  seen.addonUrl = page.url();
  seen.addonHeading = await text(page.getByRole("heading", { level: 1 }));

  // The picker submits itself when a language is chosen (storefront.js).
  await Promise.all([page.waitForURL(/lang=/), page.getByLabel("Language", { exact: true }).selectOption(options.language)]);
  seen.translatedUrl = page.url();
  seen.translatedLang = await page.locator("html").getAttribute("lang");
  seen.translatedHeading = await text(page.getByRole("heading", { level: 1 }));
  const install = page.locator("a.install-firefox");
  seen.installLabel = await text(install);
  seen.installNote = await text(page.locator(".install-note").first());

  const [download] = await Promise.all([page.waitForEvent("download"), install.click()]);
  seen.downloadName = download.suggestedFilename();
  seen.downloadUrl = download.url();
  seen.downloadPath = path.join(options.downloads, seen.downloadName);
  await download.saveAs(seen.downloadPath);
  return seen;
}

async function axeViolations(page) {
  // Evaluated over the DevTools protocol: the store's Content-Security-Policy (rightly) refuses
  // inline scripts, and the pages are audited with it in force.
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  return results.violations.map((violation) => ({
    id: violation.id, impact: violation.impact, help: violation.help,
    nodes: violation.nodes.map((node) => ({ target: node.target.join(" "), summary: node.failureSummary })),
  }));
}

async function accountNav(page) {
  return text(page.getByRole("navigation", { name: "Account" }));
}

// The add-on page's ratings as the visitor reads them: the average, the count, their own review.
async function reviewsSeen(page) {
  const reviews = page.locator("#reviews");
  const own = reviews.getByRole("region", { name: "Your review" });
  return {
    summary: await text(reviews.locator(".rating-average")),
    count: await text(reviews.locator(".rating-average + p")),
    ownStars: await own.getByRole("img").getAttribute("aria-label"),
    ownText: await text(own.locator(".review-body")),
    histogram: await reviews.locator("table.histogram tr").evaluateAll((rows) => rows.map((row) => row.innerText.trim().replace(/\s+/g, " "))),
  };
}

// A visitor signs up (a too short password first), logs out, logs in again from an add-on's page
// (a wrong password first), rates and reviews the add-on, edits the review and logs out; each
// refused form, and the pages with the review, are checked with axe-core as they are shown.
async function account(context, options) {
  const page = await context.newPage();
  const seen = {};
  await page.goto("/");
  await page.getByRole("link", { name: "Sign up" }).click();
  await page.getByLabel("E-mail address").fill(options.email);
  await page.getByLabel("Name shown on your profile (optional)").fill(options.name);
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Create my account" }).click();
  await page.waitForLoadState();
  seen.signupError = await text(page.locator(".field-error"));
  seen.signupKeptEmail = await page.getByLabel("E-mail address").inputValue();
  seen.signupKeptName = await page.getByLabel("Name shown on your profile (optional)").inputValue();
  seen.signupErrorViolations = await axeViolations(page);
  await page.getByLabel("Password").fill(options.password);
  await page.getByRole("button", { name: "Create my account" }).click();
  await page.waitForURL(/\/user\/\d+\/$/);
  seen.profileUrl = page.url();
  seen.profileHeading = await text(page.getByRole("heading", { level: 1 }));
  seen.signedUpNav = await accountNav(page);

  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL(options.baseUrl + "/");
  seen.loggedOutNav = await accountNav(page);

  // Back to log in from the add-on they want to rate: the log-in leads back there.
  await page.goto(options.addon);
  await page.getByRole("link", { name: "Log in to rate this add-on" }).click();
  await page.getByLabel("E-mail address").fill(options.email);
  await page.getByLabel("Password").fill(options.password + "!");
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForLoadState();
  seen.loginError = await text(page.getByRole("alert"));
  seen.loginKeptEmail = await page.getByLabel("E-mail address").inputValue();
  seen.loginErrorViolations = await axeViolations(page);
  await page.getByLabel("Password").fill(options.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL((url) => url.pathname === options.addon);
  seen.loggedInNav = await accountNav(page);

  // Rates and reviews it, then changes their mind.
  const reviews = page.locator("#reviews");
  await reviews.getByRole("radio", { name: `${options.score} stars` }).check();
  await reviews.getByLabel("Review").fill(options.review);
  await reviews.getByRole("button", { name: "Submit review" }).click();
  await page.waitForLoadState();
  seen.rated = await reviewsSeen(page);
  seen.ratedViolations = await axeViolations(page);
  await shot(page, options, "addon-reviewed");

  await page.getByRole("region", { name: "Your review" }).getByRole("link", { name: "Edit your review" }).click();
  seen.editKeptScore = await page.getByRole("radio", { checked: true }).getAttribute("value");
  seen.editKeptReview = await page.getByLabel("Review").inputValue();
  seen.editViolations = await axeViolations(page);
  await shot(page, options, "review-edit");
  await page.getByRole("radio", { name: `${options.newScore} stars` }).check();
  await page.getByLabel("Review").fill(options.newReview);
  await page.getByRole("button", { name: "Save review" }).click();
  await page.waitForURL((url) => url.pathname === options.addon);
  seen.edited = await reviewsSeen(page);

  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL(options.baseUrl + "/");
  seen.finalNav = await accountNav(page);
  return seen;
}

// Every page of the list (at a phone's width where it says so), checked with axe-core (all its
// rules) and photographed.
async function audit(context, options) {
  const page = await context.newPage();
  const pages = [];
  for (const { name, path: pagePath, width } of options.pages) {
    // Each page as a first visit shows it (no language chosen on an earlier page).
    await context.clearCookies();
    await page.setViewportSize({ width: width || DESKTOP.width, height: DESKTOP.height });
    const response = await page.goto(pagePath);
    pages.push({
      name, path: pagePath, status: response.status(), title: await page.title(),
      violations: await axeViolations(page), screenshot: await shot(page, options, name),
    });
  }
  return { pages };
}

// Hostile texts on the pages that show them: whatever the visitor does (hover, click), no script
// of the developer's runs, and the markup shows as text or not at all.
async function hostile(context, options) {
  const page = await context.newPage();
  const dialogs = [];
  page.on("dialog", (dialog) => { dialogs.push(dialog.message()); dialog.dismiss(); });
  const seen = { pages: [] };
  for (const pagePath of options.pages) {
    await page.goto(pagePath);
    const main = page.getByRole("main");
    for (const bold of await main.locator("b, strong").all()) await bold.hover();
    seen.pages.push({
      path: pagePath,
      pwned: await page.evaluate(() => window.pwned ?? null),
      mainText: await text(main),
      scripts: await main.locator("script").count(),
      handlers: await main.evaluate((root) => [...root.querySelectorAll("*")]
        .flatMap((element) => [...element.attributes].map((attribute) => attribute.name))
        .filter((name) => name.startsWith("on"))),
      links: await main.locator("a[href]").evaluateAll((links) => links.map((link) => link.getAttribute("href"))),
      // Boxes whose content runs out of them (over the next card, off the page).
      overflowing: await main.locator(".card, h1, .summary, .description").evaluateAll((boxes) => boxes
        .filter((box) => box.scrollWidth > box.clientWidth + 1).map((box) => box.innerText.slice(0, 60))),
    });
  }
  // The description's link, followed: wherever it leads, nothing of the developer's runs.
  // The sanitiser may have dropped the href, leaving the words but no link.
  await page.goto(options.pages[0]);
  const link = page.getByRole("main").getByText(options.linkText);
  seen.linkHref = await link.getAttribute("href");
  await Promise.all([page.waitForLoadState(), link.click()]);
  seen.afterClickUrl = page.url();
  seen.afterClickPwned = await page.evaluate(() => window.pwned ?? null);
  seen.dialogs = dialogs;
  return seen;
}

// Uploads a package from the submit form, as listed, and waits for its validation: what the
// results say. `onProgress` is told what the progress bar showed while the package was sent.
async function uploadPackage(page, packagePath, onProgress) {
  await page.getByRole("navigation", { name: "Account" }).getByRole("link", { name: "Submit an add-on" }).click();
  await page.getByLabel("Package (.zip or .xpi)").setInputFiles(packagePath);
  await page.getByRole("button", { name: "Upload and validate" }).click();
  if (onProgress) {
    const bar = page.getByRole("progressbar");
    await bar.waitFor({ state: "visible" });
    await page.waitForFunction(() => Number(document.querySelector("#upload-progress")?.value) > 0);
    onProgress({ visible: true, moved: true });
  }
  await page.waitForURL(/\/developers\/uploads\/[0-9a-f]+\/$/);
  await page.getByRole("heading", { name: "Validation results" }).waitFor({ timeout: 60_000 });
  return {
    summary: await text(page.locator(".validation-summary")),
    messages: (await page.locator(".validation-messages li").allInnerTexts()).map((m) => m.trim().replace(/\s+/g, " ")),
  };
}

// A developer signs up, opens their credentials from the header, creates an AMO API key and
// copies its secret (shown this once: the page opened again shows the issuer only); then, logged
// out, they report an add-on from its page as any visitor can. Each page is checked with axe-core.
async function developer(context, options) {
  const page = await context.newPage();
  const seen = {};
  await page.goto("/signup");
  await page.getByLabel("E-mail address").fill(options.email);
  await page.getByLabel("Password").fill(options.password);
  await page.getByRole("button", { name: "Create my account" }).click();
  await page.waitForURL(/\/user\/\d+\/$/);
  await page.getByRole("navigation", { name: "Account" }).getByRole("link", { name: "API credentials" }).click();
  await page.waitForURL(/\/developers\/credentials\/$/);
  seen.before = await text(page.getByRole("region", { name: "AMO API key" }));
  seen.credentialsViolations = await axeViolations(page);
  await page.getByRole("button", { name: "Create an API key" }).click();
  await page.waitForLoadState();
  const amo = page.getByRole("region", { name: "AMO API key" });
  seen.issuer = await text(amo.locator("#amo-issuer"));
  seen.secret = await text(amo.locator("#amo-secret"));
  seen.command = await text(amo.locator("pre.command"));
  seen.createdViolations = await axeViolations(page);
  await shot(page, options, "developer-credentials");
  await page.goto("/developers/credentials/");
  seen.afterHtml = await page.content();
  seen.afterIssuer = await text(page.locator("#amo-issuer"));

  // A broken package: its errors, and no submit button.
  seen.broken = await uploadPackage(page, options.brokenPackage);
  seen.brokenSubmit = await page.getByRole("button", { name: "Submit version" }).count();
  seen.brokenViolations = await axeViolations(page);
  await shot(page, options, "developer-validation-errors");
  // The fixed one, over a slow link so that the progress bar has something to show.
  const network = await context.newCDPSession(page);
  await network.send("Network.enable");
  await network.send("Network.emulateNetworkConditions", {
    offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: options.uploadBytesPerSecond,
  });
  seen.fixed = await uploadPackage(page, options.fixedPackage, (progress) => { seen.progress = progress; });
  await network.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  await page.getByLabel("Name").fill(options.addonName);
  await page.getByLabel("Summary").fill(options.addonSummary);
  await page.getByLabel("Notes for the reviewers (optional)").fill(options.notes);
  await page.getByRole("button", { name: "Submit version" }).click();
  await page.waitForURL(/\/developers\/addons\/$/);
  seen.myAddons = await text(page.getByRole("main"));
  seen.myAddonsViolations = await axeViolations(page);

  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL(options.baseUrl + "/");
  await page.goto(options.addon);
  await page.getByRole("link", { name: "Report this add-on" }).click();
  seen.reportViolations = await axeViolations(page);
  await page.getByRole("radio", { name: options.reason }).check();
  await page.getByLabel("Say what happened").fill(options.report);
  await page.getByRole("button", { name: "Send report" }).click();
  await page.waitForLoadState();
  seen.reported = await text(page.getByRole("main"));
  seen.reportedViolations = await axeViolations(page);
  return seen;
}

// Opens `path`, which asks for an account, logs in there and waits to be sent back to it.
async function logIn(page, path, email, password) {
  await page.goto(path);
  await page.waitForURL(/\/login/);
  await page.getByLabel("E-mail address").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL((url) => url.pathname === path);
}

// A reviewer logs in from the console's address, finds the second version of an add-on in the
// queue, opens it, reads the diff against the approved first version, and approves it with notes;
// then the add-on's page shows the new version once it is signed. Each console page passes axe-core.
async function review(context, options) {
  const page = await context.newPage();
  const seen = {};
  await page.goto("/reviewers/");
  await page.waitForURL(/\/login/);
  await page.getByLabel("E-mail address").fill(options.email);
  await page.getByLabel("Password").fill(options.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL((url) => url.pathname === "/reviewers/" || url.pathname === "/reviewers");
  seen.queueHeading = await text(page.getByRole("heading", { level: 1 }));
  seen.queueRows = await page.locator("table.review-queue tbody tr").evaluateAll((rows) => rows.map((row) => row.innerText.trim().replace(/\s+/g, " ")));
  seen.queueViolations = await axeViolations(page);
  await shot(page, options, "reviewer-queue");

  await page.getByRole("link", { name: options.addonName }).click();
  await page.waitForURL(/\/reviewers\/review\/version\/\d+$/);
  seen.reviewHeading = await text(page.getByRole("heading", { level: 1 }));
  seen.newPermissions = await page.locator(".permissions mark").allInnerTexts();
  seen.reviewViolations = await axeViolations(page);

  await page.getByRole("link", { name: "Changes since the approved version" }).click();
  await page.waitForURL(/\/compare$/);
  seen.compared = await text(page.getByRole("main").locator("p").first());
  seen.changedFiles = (await page.locator(".changed-files li").allInnerTexts()).map((line) => line.trim());
  seen.addedLines = (await page.locator("table.diff ins").allInnerTexts()).map((line) => line.trim());
  seen.removedLines = (await page.locator("table.diff del").allInnerTexts()).map((line) => line.trim());
  seen.compareViolations = await axeViolations(page);
  await shot(page, options, "reviewer-compare");

  await page.getByRole("link", { name: "Decision", exact: true }).click();
  await page.waitForURL(/\/reviewers\/review\/version\/\d+$/);
  await page.getByLabel("Notes for the developer (needed to reject)").fill(options.notes);
  await page.getByRole("button", { name: "Approve" }).click();
  await page.waitForURL(/decided=approve/);
  seen.decided = await text(page.getByRole("status"));
  seen.decidedViolations = await axeViolations(page);

  // Signing runs on the store's job queue: the add-on's page shows the version once it is done.
  const deadline = Date.now() + 60_000;
  for (;;) {
    await page.goto(options.addonPage);
    seen.storefrontText = await text(page.getByRole("main"));
    if (seen.storefrontText.includes(options.expectVersion) || Date.now() > deadline) break;
    await page.waitForTimeout(500);
  }
  return seen;
}

// An admin logs in from an add-on's administration page, disables the add-on with a reason and
// enables it again; each page is checked with axe-core as it is shown.
async function administer(context, options) {
  const page = await context.newPage();
  const seen = {};
  await logIn(page, options.adminPage, options.email, options.password);
  seen.heading = await text(page.getByRole("heading", { level: 1 }));
  seen.versionRows = await page.locator("table tbody tr").evaluateAll((rows) => rows.map((row) => row.innerText.trim().replace(/\s+/g, " ")));
  seen.pageViolations = await axeViolations(page);
  await shot(page, options, "admin-addon");

  await page.getByLabel("Reason (kept in the activity log)").fill(options.reason);
  await page.getByRole("button", { name: "Disable the add-on" }).click();
  await page.waitForURL(/changed=disable/);
  seen.disabled = await text(page.getByRole("status"));
  seen.disabledMain = await text(page.getByRole("main"));
  seen.disabledViolations = await axeViolations(page);

  await page.getByLabel("Reason (kept in the activity log)").fill("Cleared.");
  await page.getByRole("button", { name: "Enable the add-on" }).click();
  await page.waitForURL(/changed=enable/);
  seen.enabled = await text(page.getByRole("status"));
  return seen;
}

// A reviewer logs in from a version's review page and decides it with notes, then logs out; the
// developer logs in from "My add-ons" and reads the decision there. Both pages pass axe-core.
async function decide(context, options) {
  const page = await context.newPage();
  const seen = {};
  await logIn(page, options.reviewPage, options.reviewerEmail, options.password);
  await page.getByLabel("Notes for the developer (needed to reject)").fill(options.notes);
  await page.getByRole("button", { name: options.decision, exact: true }).click();
  await page.waitForURL(/decided=/);
  seen.decided = await text(page.getByRole("status"));
  seen.decidedViolations = await axeViolations(page);
  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL(options.baseUrl + "/");

  await logIn(page, "/developers/addons/", options.developerEmail, options.password);
  seen.versionRows = await page.locator("table tbody tr").evaluateAll((rows) => rows.map((row) => row.innerText.trim().replace(/\s+/g, " ")));
  seen.myAddonsViolations = await axeViolations(page);
  await shot(page, options, "developer-decision");
  return seen;
}

// A developer logs in from "My add-ons", opens an add-on's status page, disables its version and
// enables it again, adds a second author and is told the last owner cannot leave, reads the
// activity log and the deletion's confirmation page (without deleting); then a reviewer reads the
// store's log filtered to that add-on. Each page passes axe-core.
async function manage(context, options) {
  const page = await context.newPage();
  const seen = {};
  const rows = (selector) => page.locator(selector).evaluateAll((found) => found.map((row) => row.innerText.trim().replace(/\s+/g, " ")));
  await logIn(page, "/developers/addons/", options.email, options.password);
  await page.getByRole("link", { name: `Status and versions of ${options.addonName}` }).click();
  await page.waitForURL(/\/status\/$/);
  seen.statusHeading = await text(page.getByRole("heading", { level: 1 }));
  seen.statusViolations = await axeViolations(page);
  await page.getByRole("button", { name: `Disable ${options.version}` }).click();
  await page.waitForURL(/done=disable/);
  seen.disabled = await text(page.getByRole("status"));
  seen.disabledRows = await rows("table tbody tr");
  seen.disabledViolations = await axeViolations(page);
  await shot(page, options, "developer-status");
  await page.getByRole("button", { name: `Enable ${options.version}` }).click();
  await page.waitForURL(/done=enable/);
  seen.enabled = await text(page.getByRole("status"));

  await page.getByRole("link", { name: "Authors", exact: true }).click();
  await page.waitForURL(/\/authors\/$/);
  await page.getByLabel("E-mail address of their account").fill(options.coauthor);
  await page.getByRole("button", { name: "Add the author" }).click();
  await page.waitForURL(/done=authors/);
  seen.authorRows = await rows("table tbody tr");
  seen.authorsViolations = await axeViolations(page);
  await shot(page, options, "developer-authors");
  await page.getByRole("button", { name: `Remove ${options.ownName}` }).click();
  seen.lastOwner = await text(page.getByRole("alert"));
  seen.lastOwnerViolations = await axeViolations(page);

  await page.getByRole("link", { name: "Activity log", exact: true }).click();
  await page.waitForURL(/\/activity\/$/);
  seen.activity = (await page.locator("#history-heading + ul li").allInnerTexts()).map((line) => line.trim().replace(/\s+/g, " "));
  seen.activityViolations = await axeViolations(page);

  await page.getByRole("link", { name: "Status and versions", exact: true }).click();
  await page.getByRole("link", { name: `Delete ${options.version}` }).click();
  await page.waitForURL(/\/delete\/$/);
  seen.deleteHeading = await text(page.getByRole("heading", { level: 1 }));
  seen.deleteViolations = await axeViolations(page);
  await page.getByRole("link", { name: "Keep it" }).click();
  await page.waitForURL(/\/status\/$/);
  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL(options.baseUrl + "/");

  await logIn(page, "/reviewers/log", options.reviewerEmail, options.password);
  await page.getByLabel("Add-on (id, slug or guid)").fill(options.guid);
  await page.getByRole("button", { name: "Filter" }).click();
  await page.waitForURL(/addon=/);
  seen.logRows = await rows("table.activity-log tbody tr");
  seen.logViolations = await axeViolations(page);
  await shot(page, options, "reviewer-log");
  return seen;
}

// A developer logs in, uploads a package and submits it as a new listed add-on with its listing,
// an icon and a screenshot; opens its Edit listing page from My add-ons and logs out. A reviewer
// then logs in from the add-on's review_url and approves it. Each page passes axe-core.
async function listing(context, options) {
  const page = await context.newPage();
  const seen = {};
  await logIn(page, "/developers/submit/", options.developerEmail, options.password);
  seen.validation = await uploadPackage(page, options.package);
  await page.getByLabel("Name").fill(options.addonName);
  await page.getByLabel("Summary").fill(options.addonSummary);
  await page.getByLabel("Licence").selectOption(options.license);
  await page.getByLabel(/^Icon/).setInputFiles(options.icon);
  await page.getByLabel(/^Screenshot/).setInputFiles(options.screenshot);
  await page.getByLabel("Caption of the screenshot (optional)").fill(options.caption);
  seen.submitViolations = await axeViolations(page);
  await page.getByRole("button", { name: "Submit version" }).click();
  await page.waitForURL(/\/developers\/addons\/$/);
  await page.getByRole("link", { name: `Edit the listing of ${options.addonName}` }).click();
  await page.waitForURL(/\/developers\/addon\/[^/]+\/edit$/);
  seen.editScreenshots = await page.getByRole("region", { name: "Screenshots" }).getByRole("img").evaluateAll(
    (images) => images.map((image) => ({ alt: image.alt, width: image.naturalWidth })));
  seen.editViolations = await axeViolations(page);
  await shot(page, options, "developer-edit-listing");
  seen.addonPath = await page.getByRole("link", { name: "The add-on's page" }).getAttribute("href");
  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL(options.baseUrl + "/");

  await page.goto(`/reviewers/review/${encodeURIComponent(options.guid)}`);
  await page.waitForURL(/\/login/);
  await page.getByLabel("E-mail address").fill(options.reviewerEmail);
  await page.getByLabel("Password").fill(options.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(/\/reviewers\/review\/version\/\d+$/);
  await page.getByRole("button", { name: "Approve", exact: true }).click();
  await page.waitForURL(/decided=approve/);
  seen.decided = await text(page.getByRole("status"));
  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL(options.baseUrl + "/");
  return seen;
}

// A visitor opens an add-on's page: its icon and screenshots as the browser decoded them (the
// thumbnails' sizes, the full images they link to), checked with axe-core.
async function addonImages(context, options) {
  const page = await context.newPage();
  await page.goto(options.addon);
  await page.waitForFunction(() => [...document.images].every((image) => image.complete));
  const screenshots = page.getByRole("region", { name: "Screenshots" });
  return {
    icon: await page.locator("img.addon-icon").evaluate((image) => ({ src: image.getAttribute("src"), width: image.naturalWidth })),
    screenshots: await screenshots.getByRole("img").evaluateAll((images) => images.map((image) => ({
      alt: image.alt, src: image.getAttribute("src"), width: image.naturalWidth, height: image.naturalHeight,
      full: image.closest("a").getAttribute("href"),
    }))),
    violations: await axeViolations(page),
    screenshot: await shot(page, options, "addon-screenshots"),
  };
}

// An admin finds an account and makes it a reviewer, features an add-on and sees it on the home
// page, then takes it off again, and adds and removes a compat override range, each page of the
// console's administration passing axe-core on the way.
async function curate(context, options) {
  const page = await context.newPage();
  const seen = {};
  await logIn(page, "/reviewers/admin/accounts", options.email, options.password);
  seen.nav = await text(page.getByRole("navigation", { name: "Reviewer console" }));
  await page.getByLabel("E-mail address or name").fill(options.accountEmail);
  await page.getByRole("button", { name: "Find accounts" }).click();
  await page.waitForURL(/q=/);
  seen.accountRows = await page.locator("table tbody tr").evaluateAll((rows) => rows.map((row) => row.innerText.trim().replace(/\s+/g, " ")));
  seen.accountsViolations = await axeViolations(page);
  await shot(page, options, "admin-accounts");
  await page.getByLabel("Role", { exact: true }).selectOption("reviewer");
  await page.getByRole("button", { name: "Change the role" }).click();
  await page.waitForURL(/done=1/);
  seen.roleSaved = await text(page.getByRole("status"));
  seen.roleRow = await text(page.locator("table tbody tr").first());

  await page.goto("/reviewers/admin/featured");
  await page.getByLabel("Add-on (id, slug or add-on id)", { exact: true }).fill(options.slug);
  await page.getByLabel("Application", { exact: true }).selectOption("firefox");
  await page.getByRole("button", { name: "Feature it" }).click();
  await page.waitForURL(/done=1/);
  seen.featuredSaved = await text(page.getByRole("status"));
  seen.featuredRows = await page.locator("table tbody tr").evaluateAll((rows) => rows.map((row) => row.innerText.trim().replace(/\s+/g, " ")));
  seen.featuredViolations = await axeViolations(page);
  await shot(page, options, "admin-featured");
  await page.goto("/");
  seen.homeFeatured = await page.getByRole("list", { name: "Featured add-ons" }).locator(".card-name").allInnerTexts();
  await page.goto("/reviewers/admin/featured");
  await page.getByRole("button", { name: `Remove ${options.guid} firefox` }).click();
  await page.waitForURL(/done=1/);
  seen.featuredAfter = await text(page.getByRole("main"));

  await page.goto("/reviewers/admin/compat-overrides");
  await page.getByLabel("Add-on (id, slug or add-on id such as name@example.org)", { exact: true }).fill(options.slug);
  await page.getByLabel("Its versions from (blank: 0)").fill("1.0");
  await page.getByLabel("versions from (blank: 0)", { exact: true }).fill("140.0");
  await page.getByRole("button", { name: "Add the range" }).click();
  await page.waitForURL(/done=1/);
  seen.overrideRows = await page.locator("table tbody tr").evaluateAll((rows) => rows.map((row) => row.innerText.trim().replace(/\s+/g, " ")));
  seen.overridesViolations = await axeViolations(page);
  await shot(page, options, "admin-compat-overrides");
  await page.getByRole("button", { name: `Remove ${options.guid}` }).click();
  await page.waitForURL(/done=1/);
  seen.overridesAfter = await text(page.getByRole("main"));
  return seen;
}

// A developer logs in and opens another developer's pages and the reviewer console, each refused;
// then, on their own pages, sends every form with its CSRF token taken out, one form at a time.
async function trespass(context, options) {
  const page = await context.newPage();
  const seen = { forbidden: {}, tokenless: [] };
  await logIn(page, "/developers/addons/", options.email, options.password);
  for (const path of options.forbidden) {
    const response = await page.goto(path);
    seen.forbidden[path] = { status: response.status(), heading: await text(page.locator("h1").first()) };
  }
  for (const path of options.ownPages) {
    await page.goto(path);
    const forms = await page.locator("form[method=post]").count();
    for (let index = 0; index < forms; index++) {
      await page.goto(path);
      const form = page.locator("form[method=post]").nth(index);
      const action = await form.getAttribute("action");
      const posted = page.waitForResponse((response) => response.request().method() === "POST");
      // submit() skips the form's own checks (required fields): the token is what is tested.
      await form.evaluate((element) => { element.querySelector("input[name=csrf_token]").remove(); element.submit(); });
      const response = await posted;
      await page.waitForLoadState();
      seen.tokenless.push({ path, action, status: response.status(), page: await text(page.locator("main")) });
    }
  }
  // Still logged in: the log-out form sent without its token did not log out.
  seen.stillLoggedIn = await page.getByRole("button", { name: "Log out" }).count();
  return seen;
}

const FLOWS = { browse, audit, hostile, account, developer, review, administer, decide, listing, addonImages, curate, trespass, manage };

async function main() {
  const options = JSON.parse(process.argv[2]);
  const { browser, context } = await launch(options);
  try {
    const seen = await FLOWS[options.flow](context, options);
    process.stdout.write(JSON.stringify(seen) + "\n");
  } catch (error) {
    const pages = context.pages();
    if (pages.length && options.failureScreenshot) {
      await pages[pages.length - 1].screenshot({ path: options.failureScreenshot, fullPage: true }).catch(() => {});
      console.error(`page at failure: ${pages[pages.length - 1].url()} (screenshot ${options.failureScreenshot})`);
    }
    throw error;
  } finally {
    await browser.close();
  }
}

main().catch((error) => { console.error(error.stack || String(error)); process.exit(1); });
