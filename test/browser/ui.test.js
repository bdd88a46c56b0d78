// ui.test.js — drives Debian's chromium through the page of a real
// `cairn --ui` (started by test/e2e/t_ui_browser.sh, which checks on disk
// what this leaves: the restored bytes, the config file, the server's
// backups). Plain node, playwright-core only.
//
// Environment: UI_URL (the URL cairn printed), CAIRND_PORT, SRC (the tree
// to back up), R1, R2 (where one file and one directory are restored),
// CONFIG (the --config file), SHOTS (screenshots go there), HOOK (the
// failure command's test writes its environment there), CHROMIUM.
// Prints "ok WHAT" or "not ok WHAT: why" per check, and "done" at the end
// of a run that got through every step.
'use strict';

const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const env = k => {
	if (!process.env[k]) { console.log('not ok environment: ' + k + ' is not set'); process.exit(1); }
	return process.env[k];
};
const URL_ = env('UI_URL'), SRC = env('SRC'), R1 = env('R1'), R2 = env('R2');
const CONFIG = env('CONFIG'), SHOTS = env('SHOTS'), PORT = env('CAIRND_PORT'), HOOK = env('HOOK');
const DESK = { width: 1280, height: 800 }, PHONE = { width: 390, height: 844 };

let failed = 0;
function check(cond, what, why) {
	if (cond) console.log('ok ' + what);
	else { failed++; console.log('not ok ' + what + (why ? ': ' + why : '')); }
}

let page;
const text = async sel => ((await page.locator(sel).first().textContent()) || '').trim();

// Screenshots of the page as it is, desktop and phone; at phone width the
// page must not scroll sideways.
async function shot(name) {
	await page.screenshot({ path: path.join(SHOTS, name + '-desktop.png'), fullPage: true });
	await page.setViewportSize(PHONE);
	await page.waitForTimeout(100);
	const w = await page.evaluate(() => document.documentElement.scrollWidth);
	check(w <= PHONE.width, name + ': no horizontal scroll at 390 px', 'scrollWidth ' + w + await wide());
	await page.screenshot({ path: path.join(SHOTS, name + '-phone.png'), fullPage: true });
	await page.setViewportSize(DESK);
}

// What sticks out past the viewport, innermost first: tag#id.class and
// the start of its text, for a failure that names the culprit.
async function wide() {
	const out = await page.evaluate(() => {
		const vw = document.documentElement.clientWidth, r = [];
		for (const e of document.querySelectorAll('body *')) {
			const b = e.getBoundingClientRect();
			if (b.width === 0 || b.right <= vw + 0.5) continue;
			if ([...e.children].some(c => c.getBoundingClientRect().right > vw + 0.5)) continue;
			r.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + String(e.className).replace(/ /g, '.') : '') +
				' right ' + Math.round(b.right) + ' "' + (e.textContent || e.value || '').trim().slice(0, 40) + '"');
		}
		const tw = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
		for (let t; (t = tw.nextNode());) {
			const g = document.createRange();
			g.selectNodeContents(t);
			const b = g.getBoundingClientRect();
			if (b.width && b.right > vw + 0.5)
				r.push('text in ' + t.parentElement.tagName.toLowerCase() + (t.parentElement.id ? '#' + t.parentElement.id : '') +
					' right ' + Math.round(b.right) + ' "' + t.textContent.trim().slice(0, 40) + '"');
		}
		return r.slice(0, 6);
	});
	return out.length ? '; past the edge: ' + out.join('; ') : '';
}

async function tab(name) {
	await page.click('nav a[href="#' + name + '"]');
	await page.waitForSelector('#' + name + ':not([hidden])');
}

// Wait for the job shown in panel sel to end: its state.
async function jobEnd(sel, timeout) {
	const h = page.locator(sel + ' h3[data-state="done"], ' + sel + ' h3[data-state="failed"]');
	await h.first().waitFor({ timeout: timeout || 60000 });
	return h.first().getAttribute('data-state');
}

// The confirmation dialog: its title and lines; then answer yes.
async function confirmYes() {
	await page.waitForSelector('#confirm[open]');
	const t = await text('#cf-title'), body = await text('#cf-body');
	return { t, body };
}

async function settingsBad() {
	await tab('settings');
	await page.waitForFunction(() => document.querySelector('#f-port').value !== '' || document.querySelector('#cfg-path').textContent !== '');
	const before = fs.existsSync(CONFIG) ? fs.readFileSync(CONFIG, 'utf8') : null;
	await page.fill('#f-server', '127.0.0.1');
	await page.fill('#f-port', '99999');
	await page.fill('#f-source', '');
	await page.click('#save');
	await page.waitForFunction(() => document.querySelector('#e-port').textContent !== '');
	check(await text('#e-port') !== '', 'a bad port is refused next to the field', await text('#e-port'));
	check(await text('#e-source') !== '', 'a missing source is refused next to the field', await text('#e-source'));
	check(/not saved/i.test(await text('#msg')), 'the top says the settings were not saved', await text('#msg'));
	const after = fs.existsSync(CONFIG) ? fs.readFileSync(CONFIG, 'utf8') : null;
	check(before === after, 'the config file is untouched by a refused form');
	await shot('settings-refused');
}

// The source through the directory browser, from / down to SRC.
async function pickSource() {
	await page.fill('#f-source', '/');
	await page.click('#pick');
	await page.waitForSelector('#picker:not([hidden])');
	for (const part of SRC.split('/').filter(Boolean)) {
		const cur = await text('#pk-path');
		await page.locator('#pk-list button', { hasText: new RegExp('^' + part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '/$') }).click();
		await page.waitForFunction(c => document.querySelector('#pk-path').textContent !== c, cur);
	}
	check(await text('#pk-path') === SRC, 'the directory browser reaches the source', await text('#pk-path'));
	await shot('settings-picker');
	await page.click('#pk-use');
	check(await page.inputValue('#f-source') === SRC, 'the picked directory fills the source field');
}

async function settingsGood() {
	await page.fill('#f-port', PORT);
	await page.fill('#f-server_name', 'localhost');
	await pickSource();
	for (const x of ['.txt', '.bin', '.tmp']) { await page.fill('#f-ext', x); await page.press('#f-ext', 'Enter'); }
	await page.click('#chips button[aria-label="remove .tmp"]');
	const chips = await page.locator('#chips .chip').allTextContents();
	check(chips.length === 2, 'extensions edited inline as chips (added three, removed one)', chips.join(' '));
	await page.fill('#f-exclude', 'secret.txt');
	await page.fill('#f-interval', '6');
	await page.fill('#k-last', '2');
	await page.click('#save');
	await page.waitForFunction(() => /saved/i.test(document.querySelector('#msg').textContent));
	check(/^saved/i.test(await text('#msg')), 'good settings are saved', await text('#msg'));
	await page.waitForFunction(() => document.querySelector('#f-source').value !== '');
	check(await page.inputValue('#f-source') === SRC, 'the saved source reads back');
	await shot('settings');
	// The failure command, with its test, and the schedule on then off.
	await page.fill('#f-post_hook', 'env >> ' + HOOK);
	await page.click('#save');
	await page.waitForFunction(() => /saved/i.test(document.querySelector('#msg').textContent));
	await page.click('#hook-test');
	check(await jobEnd('#hook-job') === 'done', 'send a test: the failure command ran', await text('#hook-job'));
	await page.check('#f-sched');
	await page.waitForFunction(() => document.querySelector('#sched-next').textContent !== '');
	check(/^Next run \d{4}-/.test(await text('#sched-next')), 'the schedule turned on says the next run', await text('#sched-next'));
	await shot('settings-hook-schedule');
	await page.uncheck('#f-sched');
	await page.waitForFunction(() => document.querySelector('#sched-next').textContent === '');
}

// Back up now from Status and watch the job to its end.
async function backupNow(n) {
	await tab('status');
	await page.click('#bk-now');
	let running = 0;
	const h = page.locator('#bk-job h3[data-state]');
	for (let i = 0; i < 600; i++) {
		const st = (await h.count()) ? await h.first().getAttribute('data-state') : '';
		if (st === 'running') running++;
		if (st === 'done' || st === 'failed') break;
		await page.waitForTimeout(100);
	}
	const st = await jobEnd('#bk-job', 120000);
	check(st === 'done', 'backup ' + n + ' from the page ends done', await text('#bk-job'));
	const v = await page.locator('#bk-job progress').getAttribute('value');
	check(+v === 100, 'backup ' + n + ': progress reaches the end', 'value ' + v);
	check(/Snapshot \S+: \d+ files/.test(await text('#bk-job .sum')), 'backup ' + n + ': the summary names the snapshot and files', await text('#bk-job .sum'));
	console.log('# backup ' + n + ': progress seen running in ' + running + ' polls');
	await shot('status-backup' + n);
}

async function browseSnapshots() {
	await tab('backups');
	await page.waitForSelector('#bk-table tr[data-snap]');
	const g = await text('#bk-table tr.group');
	check(g.includes(SRC), 'the backup is in the table with its source', g);
	await page.locator('#bk-table tr[data-snap] button', { hasText: 'Browse' }).first().click();
	await page.waitForSelector('#br-table tr[data-path="docs"]');
	const names = await page.locator('#br-table tr[data-path]').evaluateAll(r => r.map(e => e.dataset.path));
	check(names.includes('big.bin') && !names.includes('secret.txt') && !names.includes('pic.jpg'),
		'the snapshot holds the chosen extensions, not the excluded file', names.join(' '));
	await page.locator('#br-table tr[data-path="docs"] button').click();
	await page.waitForSelector('#br-table tr[data-path="docs/a.txt"]');
	check((await text('#crumbs')).includes('docs'), 'breadcrumbs show the directory browsed into', await text('#crumbs'));
	const row = await text('#br-table tr[data-path="docs/a.txt"]');
	check(/-rw-r--r--/.test(row) && /B/.test(row), 'a file shows its size and mode', row);
	await shot('backups-browser');
}

async function findVersions() {
	await tab('find');
	await page.fill('#find-pat', 'a.txt');
	await page.click('#find-form button');
	await page.waitForSelector('#find-out table tr[data-snap]');
	const rows = await page.locator('#find-out tr[data-snap]').count();
	check(rows === 2, 'find: two versions of docs/a.txt', rows + ' rows');
	check((await text('#find-out tr[data-snap]:nth-child(2)')).includes('(changed)'), 'find: the second version is marked changed');
	await shot('find');
	// The older version goes to the Restore screen.
	await page.locator('#find-out tr[data-snap] button').first().click();
	await page.waitForSelector('#restore:not([hidden])');
}

// Preview, confirm and run the restore the Restore screen holds, into dir.
async function restoreTo(dir, name, expect) {
	check((await page.inputValue('#rs-include')) === expect, name + ': the restore screen holds the selection', await page.inputValue('#rs-include'));
	await page.check('input[name=rs-to][value=other]');
	await page.fill('#rs-path', dir);
	await page.click('#rs-form button');
	check(await jobEnd('#rs-job') === 'done', name + ': the dry run ends done', await text('#rs-job'));
	const prev = await text('#rs-job');
	check(/would create/.test(prev) && /to create/.test(prev), name + ': the preview says what would be created', prev);
	check(!fs.existsSync(dir), name + ': the dry run created nothing');
	await shot(name + '-preview');
	await page.click('#rs-go');
	const c = await confirmYes();
	check(c.body.includes(dir) && c.body.includes(expect), name + ': the confirmation names what and where', c.body);
	await shot(name + '-confirm');
	await page.click('#cf-yes');
	check(await jobEnd('#rs-job') === 'done', name + ': the restore ends done', await text('#rs-job'));
	await page.waitForSelector('#msg:not([hidden])');
	check(/restored into/i.test(await text('#msg')), name + ': the page says it is restored', await text('#msg'));
}

async function restoreDir() {
	await tab('backups');
	await page.waitForSelector('#bk-table tr[data-snap]');
	await page.locator('#bk-table tr[data-snap] button', { hasText: 'Browse' }).first().click();
	await page.waitForSelector('#br-table tr[data-path="docs"]');
	await page.check('#br-table tr[data-path="docs"] input[type=checkbox]');
	check(await text('#br-restore') === 'Restore selected (1)', 'one directory selected', await text('#br-restore'));
	await page.click('#br-restore');
	await page.waitForSelector('#restore:not([hidden])');
	await restoreTo(R2, 'restore-dir', 'docs');
}

// Retention down to the last snapshot, then Prune on the backup.
async function prune() {
	await tab('settings');
	await page.waitForFunction(() => document.querySelector('#k-last').value === '2');
	await page.fill('#k-last', '1');
	await page.click('#save');
	await page.waitForFunction(() => /saved/i.test(document.querySelector('#msg').textContent));
	check(/^saved/i.test(await text('#msg')), 'retention changed to keep the last 1', await text('#msg'));
	await tab('backups');
	await page.waitForSelector('#bk-table tr[data-snap]');
	const before = await page.locator('#bk-table tr[data-snap]').count();
	await page.locator('#bk-table tr.group button', { hasText: 'Prune' }).click();
	const c = await confirmYes();
	check(/Prune 1 snapshot of/.test(c.t) && /snapshot \S+ \(\d+ files/.test(c.body), 'prune: the confirmation names the snapshot that goes', c.t + ' | ' + c.body);
	await shot('prune-confirm');
	await page.click('#cf-yes');
	await page.waitForFunction(() => /pruned/i.test(document.querySelector('#msg').textContent), null, { timeout: 60000 });
	await page.waitForFunction(n => document.querySelectorAll('#bk-table tr[data-snap]').length === n - 1, before);
	check(true, 'prune: one snapshot fewer in the table (keep last 1)');
}

async function remove() {
	await page.locator('#bk-table tr.group button', { hasText: 'Delete backup' }).click();
	const c = await confirmYes();
	check(/Delete the whole backup/.test(c.t) && c.t.includes(SRC) && /\d+ files, .* go/.test(c.body), 'delete: the confirmation names the backup and what goes', c.t + ' | ' + c.body);
	await shot('delete-confirm');
	await page.click('#cf-no');
	await page.waitForFunction(() => /nothing was deleted/i.test(document.querySelector('#msg').textContent));
	check(await page.locator('#bk-table tr[data-snap]').count() > 0, 'delete: cancel deletes nothing');
	await page.locator('#bk-table tr.group button', { hasText: 'Delete backup' }).click();
	await confirmYes();
	await page.click('#cf-yes');
	await page.waitForFunction(() => /deleted/i.test(document.querySelector('#msg').textContent), null, { timeout: 60000 });
	await page.waitForFunction(() => !document.querySelector('#bk-table tr[data-snap]'));
	check(true, 'delete: the backup is gone from the table');
	await shot('backups-empty');
}

async function history() {
	await tab('history');
	await page.waitForSelector('#hist tbody tr td');
	const n = await page.locator('#hist tbody tr').count();
	check(n >= 2, 'history lists the runs', n + ' rows');
	await shot('history');
	await tab('status');
	check(!/none yet/.test(await text('#st-last')), 'status shows the last run', await text('#st-last'));
	await page.emulateMedia({ colorScheme: 'dark' });
	await shot('status-dark');
	await page.emulateMedia({ colorScheme: 'light' });
	// Keyboard: the tabs are links reached with Tab, followed with Enter.
	await page.focus('nav a[href="#find"]');
	await page.keyboard.press('Enter');
	await page.waitForSelector('#find:not([hidden])');
	check(true, 'keyboard: a tab opens with Enter');
}

async function main() {
	fs.mkdirSync(SHOTS, { recursive: true });
	const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		args: ['--no-sandbox', '--disable-dev-shm-usage'] });
	const ctx = await browser.newContext({ viewport: DESK });
	page = await ctx.newPage();
	page.setDefaultTimeout(20000);
	const errs = [];
	page.on('pageerror', e => errs.push(e.message));
	// A refused request shows in the console as a failed load: not an error
	// of the page's script.
	page.on('console', m => { if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) errs.push(m.text()); });
	page.on('response', r => { if (r.status() === 404) errs.push('404 for ' + r.url()); });
	try {
		const r = await page.goto(URL_);
		check(r && r.ok() && !new URL(page.url()).search, 'the printed URL opens the page (the token exchanged for a cookie)', page.url());
		await page.waitForSelector('#status:not([hidden])');
		await shot('status');
		await settingsBad();
		await settingsGood();
		await backupNow(1);
		await browseSnapshots();
		fs.writeFileSync(path.join(SRC, 'docs/a.txt'), 'alpha, second version\n');
		await page.waitForTimeout(1100);
		await backupNow(2);
		await findVersions();
		await restoreTo(R1, 'restore-file', 'docs/a.txt');
		await restoreDir();
		await prune();
		await remove();
		await history();
		check(errs.length === 0, 'no script errors on the page', errs.join(' | '));
		console.log(failed ? 'failed' : 'done');
	} catch (e) {
		check(false, 'the browser run goes through every step', e.message.split('\n')[0]);
		await page.screenshot({ path: path.join(SHOTS, 'failure.png'), fullPage: true }).catch(() => {});
	}
	await browser.close();
	process.exit(failed ? 1 : 0);
}
main();
