/* app.js: the page of cairn --ui. Talks only to its own API (cairn(1),
 * WEB UI); every state-changing request carries the session's CSRF value
 * and JSON. No framework: a few helpers and one function per screen. */
'use strict';

const $ = (s, r) => (r || document).querySelector(s);
const S = { csrf: '', backups: [], settings: null, exts: [], browse: null,
	sel: new Set(), pick: '', restore: null };

/* An element: h('td', {class: 'x'}, 'text', child, ...). */
function h(tag, attrs, ...kids) {
	const e = document.createElement(tag);
	for (const k in attrs || {}) {
		if (k.startsWith('on')) e.addEventListener(k.slice(2), attrs[k]);
		else if (attrs[k] !== false && attrs[k] != null) e.setAttribute(k, attrs[k] === true ? '' : attrs[k]);
	}
	for (const k of kids) if (k != null) e.append(k.nodeType ? k : String(k));
	return e;
}
const sleep = ms => new Promise(r => setTimeout(r, ms));

/* A request to the API: its JSON, or an Error with the words (and field
 * errors) of the answer. */
async function api(method, path, body) {
	const o = { method, headers: {}, credentials: 'same-origin' };
	if (method !== 'GET') {
		o.headers['Content-Type'] = 'application/json';
		o.headers['X-Cairn-CSRF'] = S.csrf;
		o.body = JSON.stringify(body || {});
	}
	let r, j;
	try { r = await fetch(path, o); } catch (e) { throw new Error('cannot reach cairn --ui (is it still running?)'); }
	try { j = await r.json(); } catch (e) { j = {}; }
	if (!r.ok) {
		const e = new Error(j.error || (r.status === 401 ? 'not signed in: open the URL cairn --ui printed' : 'the server answered ' + r.status));
		e.fields = j.fields;
		e.status = r.status;
		e.body = j;
		throw e;
	}
	return j;
}

/* The top message: words, or none. */
function say(text, ok) {
	const m = $('#msg');
	m.textContent = text || '';
	m.className = ok ? 'ok' : '';
	m.hidden = !text;
}
/* Run f, saying its error at the top. */
function guard(f) {
	return async ev => {
		if (ev && ev.preventDefault) ev.preventDefault();
		try { await f(ev); } catch (e) { say(e.message); }
	};
}

/* ---- formatting ---------------------------------------------------------- */

function bytes(n) {
	n = +n || 0;
	const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
	let i = 0;
	while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
	return (i ? n.toFixed(n < 10 ? 1 : 0) : n) + ' ' + u[i];
}
function when(t) {
	if (t == null || t === '') return '';
	const d = typeof t === 'number' ? new Date(t * 1000) : new Date(t);
	if (isNaN(d)) return String(t);
	const p = n => String(n).padStart(2, '0');
	return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + ' ' + p(d.getHours()) + ':' + p(d.getMinutes());
}
/* A snapshot name (2026-12-02T04-01-11Z) as a time. */
function snapTime(s) {
	const m = /^(\d{4}-\d\d-\d\d)T(\d\d)-(\d\d)-(\d\d)Z/.exec(s || '');
	return m ? when(m[1] + 'T' + m[2] + ':' + m[3] + ':' + m[4] + 'Z') : s;
}
function dur(s) {
	s = Math.round(+s || 0);
	if (s < 60) return s + ' s';
	if (s < 3600) return Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
	return Math.floor(s / 3600) + ' h ' + Math.floor(s % 3600 / 60) + ' min';
}
function modeStr(type, mode) {
	const m = parseInt(mode || '0', 8);
	const c = { dir: 'd', symlink: 'l', hardlink: 'h', fifo: 'p', socket: 's', chardev: 'c', blockdev: 'b' }[type] || '-';
	let s = c;
	for (let i = 2; i >= 0; i--) {
		const b = (m >> (i * 3)) & 7;
		s += (b & 4 ? 'r' : '-') + (b & 2 ? 'w' : '-') + (b & 1 ? 'x' : '-');
	}
	return s;
}
const base = p => p.slice(p.lastIndexOf('/') + 1);
/* n and the word w (a plural), singular for one. */
const pl = (v, w) => (v || 0) + ' ' + (v === 1 ? w.replace(/s$/, '') : w);
const td = (label, v, cls) => h('td', { 'data-l': label, class: cls }, v);

/* ---- jobs ------------------------------------------------------------------ */

/* A message line that says something went wrong. */
const BAD = /\b(cannot|refused|denied|not permitted|no such|timed out)\b|\b[1-9]\d* (errors?|failed)\b|: (error|failed)\b/i;

/* Show job j (as /api/job says it) in panel el. */
function showJob(el, j) {
	const p = j.progress || {}, r = j.result;
	const run = j.state === 'running';
	el.hidden = false;
	el.replaceChildren();
	const st = run ? 'running' : j.state === 'done' ? 'done' : 'failed';
	el.append(h('h3', { class: run ? '' : st === 'done' ? 'good' : 'bad', 'data-state': st, 'data-job': j.job },
		(j.kind || 'job') + (el.dataset.dry ? ' (dry run)' : '') + ': ' + st + (run || j.exit == null ? '' : ' (exit ' + j.exit + ')')));
	if (run || j.kind === 'backup') {
		const pct = p.percent != null ? +p.percent : (j.state === 'done' ? 100 : 0);
		el.append(h('progress', { max: 100, value: run ? pct : (j.state === 'done' ? 100 : pct), 'aria-label': 'progress' }));
		const figs = [['Files', p.files], ['Bytes', p.total_bytes ? bytes(p.done_bytes) + ' of ' + bytes(p.total_bytes) : p.bytes != null ? bytes(p.bytes) : null],
			['Rate', p.rate != null ? bytes(p.rate) + '/s' : null], ['Done', p.percent != null ? Math.round(p.percent) + ' %' : null],
			['ETA', run && p.eta != null ? dur(p.eta) : null]];
		el.append(h('dl', {}, ...figs.filter(f => f[1] != null).map(f => h('div', {}, h('dt', {}, f[0]), h('dd', {}, f[1])))));
	}
	if (r && !run) el.append(h('p', { class: 'sum' }, summary(j.kind, r)));
	const lines = (j.lines || []).concat(j.messages || []);
	if (lines.length)
		el.append(h('ul', { class: 'lines' }, ...lines.map(l => h('li', { class: BAD.test(l) ? 'bad' : '' }, l))));
}

/* A command's --json object in words. */
function summary(kind, r) {
	const n = pl;
	if (kind === 'backup')
		return (r.dry_run ? 'Would send ' : 'Snapshot ' + (r.snapshot || '?') + ': ') + n(r.files, 'files') + ', ' +
			n(r.sent, 'sent') + ', ' + bytes(r.bytes_sent) + ' sent, ' + n(r.errors, 'errors') +
			(r.skipped ? ', ' + n(r.skipped, 'skipped') : '') + (r.failed ? ', ' + n(r.failed, 'failed') : '');
	if (kind === 'restore')
		return (r.create != null ? n(r.create, 'to create') + ', ' + n(r.change, 'to change') + ', ' + n(r.delete, 'to delete') + ', ' +
			n(r.unchanged, 'left alone') : n(r.files, 'files') + ' restored') + ', ' + n(r.errors, 'errors') + (r.path ? ' — into ' + r.path : '');
	if (kind === 'remove')
		return (r.snapshot ? 'Snapshot ' + r.snapshot : 'Backup ' + r.id) + ': ' + n(r.files, 'files') + ', ' + bytes(r.bytes);
	if (kind === 'prune')
		return n(r.count, 'snapshots') + (r.dry_run ? ' would go' : ' removed') + ' (' + n(r.files, 'files') + ', ' + bytes(r.bytes) + ')';
	return Object.keys(r).filter(k => typeof r[k] !== 'object').map(k => k + ': ' + r[k]).join(', ');
}

/* POST url with body, then follow the job to its end in panel el: the
 * last /api/job answer. */
async function job(url, body, el) {
	if (el) {
		el.hidden = false;
		el.dataset.dry = body.dry_run ? '1' : '';
		el.replaceChildren(h('p', { class: 'note' }, 'Starting…'));
	}
	let n;
	try { n = (await api('POST', url, body)).job; } catch (e) { if (el) el.hidden = true; throw e; }
	let miss = 0;
	for (;;) {
		let j;
		try { j = await api('GET', '/api/job'); miss = 0; } catch (e) { if (++miss > 5) throw e; await sleep(1000); continue; }
		if (j.job === n) {
			if (el) showJob(el, j);
			if (j.state !== 'running') return j;
		}
		await sleep(j.job === n ? 400 : 200);
	}
}

/* A confirmation naming what goes: true when the user says yes. */
function confirmBox(title, items, yes) {
	const d = $('#confirm');
	$('#cf-title').textContent = title;
	$('#cf-body').replaceChildren(...items.map(i => h('li', {}, i)));
	$('#cf-yes').textContent = yes;
	d.returnValue = '';
	d.showModal();
	$('#cf-no').focus();
	return new Promise(res => d.addEventListener('close', () => res(d.returnValue === 'yes'), { once: true }));
}

/* ---- status and history ---------------------------------------------------- */

async function loadHistory() {
	const hi = await api('GET', '/api/history');
	const runs = hi.runs || [], last = runs.find(r => r.kind === 'backup');
	$('#st-last').textContent = last ? when(last.time) + ' — ' + last.result + (last.message ? ': ' + last.message : '') : 'none yet';
	$('#st-last').className = last ? (last.result === 'ok' ? 'good' : 'bad') : '';
	$('#st-ok').textContent = hi.last_success ? when(hi.last_success) : 'none yet';
	$('#st-next').textContent = hi.next_run ? when(hi.next_run) : 'not scheduled';
	$('#f-sched').checked = !!hi.schedule;
	$('#hist tbody').replaceChildren(...runs.map(r => {
		const bk = r.kind === 'backup';
		return h('tr', {}, td('Time', when(r.time)), td('Kind', r.kind),
			td('Result', r.result, r.result === 'ok' ? 'good' : r.result === 'errors' ? 'warn' : 'bad'),
			td('Files', r.files, 'num'), td('Sent', bk ? r.sent : '', 'num'), td('Bytes sent', bk ? bytes(r.bytes_sent) : '', 'num'),
			td('Errors', r.errors || '', 'num'), td('Snapshot', r.snapshot || r.message || ''));
	}));
	if (!runs.length) $('#hist tbody').append(h('tr', {}, h('td', { colspan: 8 }, 'No runs yet.')));
}

async function backupNow(dry) {
	const el = $('#bk-job');
	say('');
	$('#bk-now').disabled = $('#bk-dry').disabled = true;
	try {
		const j = await job('/api/backup', { dry_run: dry }, el);
		if (j.state !== 'done') say('The backup ' + (j.messages && j.messages.length ? 'failed: ' + j.messages[j.messages.length - 1] : 'failed'));
	} finally {
		$('#bk-now').disabled = $('#bk-dry').disabled = false;
		loadHistory().catch(() => {});
	}
}

/* ---- backups, snapshots and the snapshot browser ---------------------------- */

async function loadBackups() {
	const b = await api('GET', '/api/backups');
	S.backups = b.backups || [];
	const rows = [];
	for (const k of S.backups) {
		rows.push(h('tr', { class: 'group' }, h('td', { colspan: 4 },
			h('span', { class: 'mono' }, k.id), ' ', k.source || '', ' ',
			h('button', { type: 'button', onclick: guard(() => prune(k)) }, 'Prune'), ' ',
			h('button', { type: 'button', class: 'danger', onclick: guard(() => remove(k, '')) }, 'Delete backup'))));
		for (const s of (k.snapshots || []).slice().reverse())
			rows.push(h('tr', { 'data-snap': s.name },
				td('Snapshot', h('button', { type: 'button', class: 'link', onclick: guard(() => browse(k, s.name, '')) }, snapTime(s.name) + ' (' + s.name + ')')),
				td('Files', s.files, 'num'), td('Size', bytes(s.bytes), 'num'),
				td('Actions', h('span', { class: 'row' },
					h('button', { type: 'button', onclick: guard(() => browse(k, s.name, '')) }, 'Browse'),
					h('button', { type: 'button', onclick: () => toRestore(k.id + '@' + s.name, []) }, 'Restore'),
					h('button', { type: 'button', class: 'danger', onclick: guard(() => remove(k, s.name)) }, 'Delete')))));
	}
	if (!rows.length) rows.push(h('tr', {}, h('td', { colspan: 4 }, 'No backups yet: run one from Status.')));
	$('#bk-table tbody').replaceChildren(...rows);
	fillTargets();
}

/* List directory path of snapshot snap of backup k. */
async function browse(k, snap, path) {
	const q = 'target=' + encodeURIComponent(k.id + '@' + snap) + '&path=' + encodeURIComponent(path);
	const l = await api('GET', '/api/ls?' + q);
	if (!S.browse || S.browse.snap !== snap || S.browse.k.id !== k.id) S.sel.clear();
	S.browse = { k, snap, path };
	$('#br').hidden = false;
	$('#br-snap').textContent = snapTime(snap) + ' of ' + (k.source || k.id);
	const crumbs = [h('button', { type: 'button', class: 'link', onclick: guard(() => browse(k, snap, '')) }, 'top')];
	let acc = '';
	for (const part of path ? path.split('/') : []) {
		acc += (acc ? '/' : '') + part;
		const to = acc;
		crumbs.push(h('button', { type: 'button', class: 'link', onclick: guard(() => browse(k, snap, to)) }, part));
	}
	$('#crumbs').replaceChildren(...crumbs);
	const ents = (l.entries || []).filter(e => e.path !== path);
	ents.sort((a, b) => (b.type === 'dir') - (a.type === 'dir') || (a.path < b.path ? -1 : 1));
	$('#br-table tbody').replaceChildren(...ents.map(e => {
		const cb = h('input', { type: 'checkbox', 'aria-label': 'select ' + e.path, checked: S.sel.has(e.path),
			onchange: ev => { ev.target.checked ? S.sel.add(e.path) : S.sel.delete(e.path); selCount(); } });
		const name = e.type === 'dir'
			? h('button', { type: 'button', class: 'link', onclick: guard(() => browse(k, snap, e.path)) }, base(e.path) + '/')
			: base(e.path) + (e.target ? ' → ' + e.target : '');
		return h('tr', { 'data-path': e.path }, td('', cb), td('Name', name), td('Size', e.type === 'dir' ? '' : bytes(e.size), 'num'),
			td('Mode', modeStr(e.type, e.mode), 'mono'), td('Owner', (e.user || e.uid) + ':' + (e.group || e.gid)), td('Modified', when(e.mtime)));
	}));
	if (!ents.length) $('#br-table tbody').append(h('tr', {}, h('td', { colspan: 6 }, 'Empty directory.')));
	selCount();
	$('#br').scrollIntoView({ block: 'start' });
}
function selCount() {
	const b = $('#br-restore');
	b.disabled = !S.sel.size;
	b.textContent = 'Restore selected (' + S.sel.size + ')';
}

/* Delete backup k, or its snapshot snap, after a dry run and a yes. */
async function remove(k, snap) {
	const target = k.id + (snap ? '@' + snap : '');
	const el = $('#bk-act');
	const dry = await job('/api/remove', { target, dry_run: true }, el);
	if (dry.state !== 'done') return;
	const r = dry.result || {};
	const what = snap ? 'snapshot ' + snap + ' of ' + (k.source || k.id) : 'the whole backup ' + k.id + ' of ' + (k.source || '') + ' (' + pl((k.snapshots || []).length, 'snapshots') + ')';
	if (!await confirmBox('Delete ' + what + '?', [pl(r.files, 'files') + ', ' + bytes(r.bytes) + ' go.'].concat(dry.messages || []), 'Delete'))
		return say('Nothing was deleted.', true);
	const j = await job('/api/remove', { target, dry_run: false }, el);
	if (j.state === 'done') say('Deleted ' + what + '.', true);
	if (S.browse && S.browse.k.id === k.id && (!snap || S.browse.snap === snap)) { $('#br').hidden = true; S.browse = null; }
	await loadBackups();
}

/* Prune backup k by the policy in the settings, after a dry run. */
async function prune(k) {
	if (!S.settings) await loadSettings();
	const keep = S.settings.keep || {};
	if (!Object.values(keep).some(v => +v > 0))
		return say('Set a retention policy in Settings first (how many snapshots to keep).');
	const el = $('#bk-act');
	const dry = await job('/api/prune', { target: k.id, keep, dry_run: true }, el);
	if (dry.state !== 'done') return;
	const gone = (dry.result && dry.result.removed) || [];
	if (!gone.length) return say('The policy removes nothing from ' + (k.source || k.id) + '.', true);
	const items = gone.map(s => 'snapshot ' + s.name + ' (' + pl(s.files, 'files') + ', ' + bytes(s.bytes) + ')');
	if (!await confirmBox('Prune ' + pl(gone.length, 'snapshots') + ' of ' + (k.source || k.id) + '?', items, 'Prune'))
		return say('Nothing was pruned.', true);
	const j = await job('/api/prune', { target: k.id, keep, dry_run: false }, el);
	if (j.state === 'done') say('Pruned ' + pl(gone.length, 'snapshots') + '.', true);
	await loadBackups();
}

/* ---- find ------------------------------------------------------------------ */

async function find() {
	const pat = $('#find-pat').value.trim();
	const out = $('#find-out');
	out.replaceChildren(h('p', { class: 'note' }, 'Searching…'));
	let f;
	try { f = await api('GET', '/api/find?pattern=' + encodeURIComponent(pat)); } catch (e) {
		out.replaceChildren();
		if (e.status === 404 || (e.body && e.body.matches)) f = { matches: [] }; else throw e;
	}
	const by = new Map();
	for (const m of f.matches || []) {
		const key = m.id + '\n' + m.path;
		if (!by.has(key)) by.set(key, []);
		by.get(key).push(m);
	}
	if (!by.size) return out.replaceChildren(h('p', {}, 'No file matches ' + pat + '.'));
	const src = id => (S.backups.find(b => b.id === id) || {}).source || id;
	out.replaceChildren(...[...by.values()].map(ms => {
		let prev = null;
		const rows = ms.map(m => {
			const changed = prev !== null && m.md5 !== prev;
			prev = m.md5;
			return h('tr', { 'data-snap': m.snapshot }, td('Snapshot', snapTime(m.snapshot)), td('Size', bytes(m.size), 'num'),
				td('Modified', when(m.mtime)), td('MD5', (m.md5 || '').slice(0, 12) + (changed ? ' (changed)' : ''), 'mono'),
				td('', h('button', { type: 'button', onclick: () => toRestore(m.id + '@' + m.snapshot, [m.path]) }, 'Restore this version')));
		});
		return h('div', { class: 'panel' }, h('h3', { class: 'mono' }, ms[0].path), h('p', { class: 'note' }, src(ms[0].id) + ': ' + ms.length + ' versions'),
			h('table', { class: 'list' }, h('thead', {}, h('tr', {}, ...['Snapshot', 'Size', 'Modified', 'MD5', ''].map(t => h('th', {}, t)))), h('tbody', {}, ...rows)));
	}));
}

/* ---- restore ----------------------------------------------------------------- */

function fillTargets() {
	const sel = $('#rs-target'), cur = sel.value;
	sel.replaceChildren(...S.backups.flatMap(k => (k.snapshots || []).slice().reverse().map(s =>
		h('option', { value: k.id + '@' + s.name }, (k.source || k.id) + ' — ' + snapTime(s.name)))));
	if (cur) sel.value = cur;
}
async function toRestore(target, paths) {
	location.hash = '#restore';
	if (!S.backups.length) await loadBackups();
	fillTargets();
	$('#rs-target').value = target;
	$('#rs-include').value = paths.join('\n');
	$('#rs-job').hidden = $('#rs-go').hidden = true;
}
function restoreBody(dry) {
	const other = $('input[name=rs-to]:checked').value === 'other';
	return { target: $('#rs-target').value, include: $('#rs-include').value.split('\n').map(s => s.trim()).filter(Boolean),
		path: other ? $('#rs-path').value.trim() : '', delete: $('#rs-delete').checked, dry_run: dry };
}
async function restorePreview() {
	const b = restoreBody(true);
	$('#e-rs-path').textContent = '';
	$('#rs-go').hidden = true;
	if (!b.target) return say('Choose a snapshot to restore (there is none yet?).');
	if ($('input[name=rs-to]:checked').value === 'other' && !b.path.startsWith('/'))
		return ($('#e-rs-path').textContent = 'Give the directory to restore into as an absolute path.');
	say('');
	const j = await job('/api/restore', b, $('#rs-job'));
	if (j.state !== 'done') return;
	S.restore = { body: b, result: j.result || {} };
	$('#rs-go').hidden = false;
	$('#rs-go').focus();
}
async function restoreGo() {
	const { body, result: r } = S.restore;
	const src = (S.backups.find(b => body.target.startsWith(b.id + '@')) || {}).source;
	const into = body.path || 'the original place, ' + (src || 'the backed up directory') + ' (files there are replaced)';
	const items = [(body.include.length ? body.include.join(', ') : 'the whole snapshot') + ' into ' + into,
		(r.create || 0) + ' to create, ' + (r.change || 0) + ' to change, ' + (r.delete || 0) + ' to delete'];
	if (!await confirmBox('Restore ' + body.target + '?', items, 'Restore')) return;
	const j = await job('/api/restore', Object.assign({}, body, { dry_run: false }), $('#rs-job'));
	$('#rs-go').hidden = true;
	say(j.state === 'done' ? 'Restored into ' + into + '.' : 'The restore failed: see below.', j.state === 'done');
}

/* ---- settings --------------------------------------------------------------- */

const KEEP = ['last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly'];
const FIELDS = ['server', 'port', 'server_name', 'source', 'interval', 'post_hook'];

async function loadSettings() {
	const s = await api('GET', '/api/settings');
	S.settings = s;
	for (const f of FIELDS) $('#f-' + f).value = s[f] == null ? '' : s[f];
	$('#f-exclude').value = (s.exclude || []).join('\n');
	S.exts = (s.extensions || []).slice();
	chips();
	for (const k of KEEP) $('#k-' + k).value = (s.keep || {})[k] || 0;
	$('#cfg-path').textContent = 'Saved to ' + (s.config || '(no config file)') + (s.writable === false ? ' — which cannot be written: saving will fail.' : '.');
	$('#cfg-path').className = s.writable === false ? 'bad' : 'note';
}
function chips() {
	const box = $('#chips'), inp = $('#f-ext');
	box.replaceChildren(...S.exts.map((x, i) => h('span', { class: 'chip' }, x,
		h('button', { type: 'button', 'aria-label': 'remove ' + x, onclick: () => { S.exts.splice(i, 1); chips(); inp.focus(); } }, '×'))), inp);
}
function addExt() {
	const inp = $('#f-ext');
	for (let v of inp.value.split(/[\s,]+/)) {
		if (!v) continue;
		if (!S.exts.includes(v)) S.exts.push(v);
	}
	inp.value = '';
	chips();
	inp.focus();
}
function fieldErrors(fields) {
	for (const e of document.querySelectorAll('#set-form .err')) e.textContent = '';
	for (const i of document.querySelectorAll('#set-form [aria-invalid]')) i.removeAttribute('aria-invalid');
	const rest = [];
	for (const k in fields || {}) {
		const name = k.startsWith('keep') ? 'keep' : k;
		const slot = $('#e-' + name);
		if (!slot) { rest.push(k + ': ' + fields[k]); continue; }
		slot.textContent = fields[k];
		const inp = $('#f-' + name) || (name === 'extensions' && $('#f-ext'));
		if (inp) inp.setAttribute('aria-invalid', 'true');
	}
	return rest;
}
async function saveSettings() {
	say('');
	if ($('#f-ext').value.trim()) addExt();
	const b = {};
	for (const f of FIELDS) b[f] = $('#f-' + f).value.trim();
	b.port = /^\d+$/.test(b.port) ? +b.port : b.port;
	b.extensions = S.exts.slice();
	b.exclude = $('#f-exclude').value.split('\n').map(s => s.trim()).filter(Boolean);
	b.keep = {};
	for (const k of KEEP) { const v = $('#k-' + k).value.trim(); b.keep[k] = /^\d+$/.test(v) ? +v : v; }
	try {
		const r = await api('POST', '/api/settings', b);
		fieldErrors({});
		say('Saved.' + (r.reloaded ? ' The running cairn --interval daemon has reloaded them.' : ''), true);
		await loadSettings();
	} catch (e) {
		const rest = fieldErrors(e.fields);
		say(e.fields ? 'Not saved: ' + (rest.length ? rest.join('; ') : 'see the fields marked below.') : 'Not saved: ' + e.message);
		const first = $('#set-form [aria-invalid]');
		if (first) first.focus();
	}
}

/* The source picker: directory path of the client's disk. */
async function pickDir(path) {
	const l = await api('GET', '/api/fs?path=' + encodeURIComponent(path || '/'));
	S.pick = l.path;
	$('#picker').hidden = false;
	$('#pk-path').textContent = l.path;
	const items = [];
	if (l.parent != null && l.parent !== l.path)
		items.push(h('li', {}, h('button', { type: 'button', class: 'link', onclick: guard(() => pickDir(l.parent)) }, '.. (up)')));
	for (const e of l.entries || [])
		if (e.dir) {
			const to = (l.path === '/' ? '' : l.path) + '/' + e.name;
			items.push(h('li', {}, h('button', { type: 'button', class: 'link', onclick: guard(() => pickDir(to)) }, e.name + '/')));
		}
	$('#pk-list').replaceChildren(...items);
}

async function testHook() {
	const j = await job('/api/test-hook', {}, $('#hook-job'));
	say(j.state === 'done' ? 'The failure command ran (exit ' + (j.exit || 0) + ').' : 'The failure command failed: see below.', j.state === 'done');
}

async function schedule() {
	const r = await api('POST', '/api/schedule', { enabled: $('#f-sched').checked });
	$('#sched-next').textContent = r.next_run ? 'Next run ' + when(r.next_run) : '';
	await loadHistory();
}

/* ---- tabs and start --------------------------------------------------------- */

const LOAD = { status: loadHistory, history: loadHistory, backups: loadBackups, restore: loadBackups, settings: loadSettings };

function tab() {
	const name = (location.hash || '#status').slice(1);
	const id = document.getElementById(name) && LOAD.hasOwnProperty(name) || name === 'find' ? name : 'status';
	for (const s of document.querySelectorAll('main > section')) s.hidden = s.id !== id;
	for (const a of document.querySelectorAll('nav a')) a.setAttribute('aria-selected', a.getAttribute('href') === '#' + id);
	say('');
	if (LOAD[id]) LOAD[id]().catch(e => say(e.message));
}

async function start() {
	const on = (sel, ev, f) => $(sel).addEventListener(ev, f);
	on('#bk-now', 'click', guard(() => backupNow(false)));
	on('#bk-dry', 'click', guard(() => backupNow(true)));
	on('#br-restore', 'click', () => toRestore(S.browse.k.id + '@' + S.browse.snap, [...S.sel]));
	on('#br-all', 'click', () => toRestore(S.browse.k.id + '@' + S.browse.snap, []));
	on('#find-form', 'submit', guard(find));
	on('#rs-form', 'submit', guard(restorePreview));
	on('#rs-go', 'click', guard(restoreGo));
	on('#set-form', 'submit', guard(saveSettings));
	on('#pick', 'click', guard(() => pickDir($('#f-source').value.trim() || '/')));
	on('#pk-use', 'click', () => { $('#f-source').value = S.pick; $('#picker').hidden = true; $('#f-source').focus(); });
	on('#pk-close', 'click', () => { $('#picker').hidden = true; });
	on('#hook-test', 'click', guard(testHook));
	on('#f-sched', 'change', guard(schedule));
	on('#f-ext', 'keydown', ev => {
		if (ev.key === 'Enter' || ev.key === ',') { ev.preventDefault(); addExt(); }
		else if (ev.key === 'Backspace' && !ev.target.value && S.exts.length) { S.exts.pop(); chips(); }
	});
	for (const i of document.querySelectorAll('input[name=rs-to]'))
		i.addEventListener('change', () => { $('#rs-path').disabled = $('input[name=rs-to]:checked').value !== 'other'; });
	window.addEventListener('hashchange', tab);
	try { S.csrf = (await api('GET', '/api/session')).csrf; } catch (e) { say(e.message); }
	tab();
}
start();
