/* vmlab explore: the page's script.
 *
 * The data (the JSON block "vmlab-data", written by src/explore/) holds
 * the state the first step starts from and, for each step, what changed:
 * TLB and page-walk-cache slots, page-table entries, frames and the
 * policy's hand and lists, swap slots, counters; with the step's text
 * (as `vmlab step` prints it, as indices into a table of lines) and what
 * it touched. Moving forward applies a step's changes and keeps what
 * they replaced, so moving back restores it exactly. Every pane is drawn
 * from the state at the current position.
 */
'use strict';
(function () {
  const D = JSON.parse(document.getElementById('vmlab-data').textContent);
  const $ = (id) => document.getElementById(id);
  const K = D.steps.length;
  const hex = (n) => '0x' + n.toString(16);
  const num = (h) => parseInt(h, 16);          /* physical addresses and VAs of the panes: < 2^53 */

  /* ---- the state ---- */
  const S = {
    tlb: D.tlb.map((lv) => new Array(lv.arrays.reduce((n, a) => n + a.sets * a.ways, 0)).fill(null)),
    pwc: D.pwc.map((n) => new Array(n).fill(null)),
    pt: new Map(),            /* entry pa -> [raw hex, bits, level, target] */
    fr: new Array(D.frames).fill(null),
    pol: [-1, -1, -1, 0],     /* hand, heads of the two lists, frames listed */
    sw: new Map(),            /* slot -> [va hex, pid, owners, cached] */
    c: new Array(D.counters.length).fill(0),
    root: 0,
  };

  /* Apply one record of changes; returns what it replaced (to undo it). */
  function apply(d) {
    const u = { t: [], p: [], fr: [], sw: [], c: [] };
    for (const it of d.t || []) {
      const l = it[0], i = it[1], v = it[2] === 0 ? null : it.slice(2);
      const arr = l >= 10 ? S.pwc[l - 10] : S.tlb[l];
      u.t.push([arr, i, arr[i]]);
      arr[i] = v;
    }
    if (d.root !== undefined) {
      u.root = S.root;
      S.root = num(d.root);
    }
    for (const it of d.p || []) {
      const pa = num(it[0]);
      u.p.push([pa, S.pt.has(pa) ? S.pt.get(pa) : null]);
      if (it[1] === '0') S.pt.delete(pa);
      else S.pt.set(pa, [it[1], it[2], it[3], num(it[4])]);
    }
    for (const it of d.fr || []) {
      u.fr.push([it[0], S.fr[it[0]]]);
      S.fr[it[0]] = it[1] === 0 ? null : it.slice(1);
    }
    if (d.pol) {
      u.pol = S.pol;
      S.pol = d.pol;
    }
    for (const it of d.sw || []) {
      u.sw.push([it[0], S.sw.has(it[0]) ? S.sw.get(it[0]) : null]);
      if (it.length === 1) S.sw.delete(it[0]);
      else S.sw.set(it[0], it.slice(1));
    }
    for (const it of d.c || []) {
      u.c.push([it[0], S.c[it[0]]]);
      S.c[it[0]] = it[1];
    }
    return u;
  }

  function revert(u) {
    for (let k = u.c.length - 1; k >= 0; k--) S.c[u.c[k][0]] = u.c[k][1];
    for (let k = u.sw.length - 1; k >= 0; k--) {
      const [slot, v] = u.sw[k];
      if (v === null) S.sw.delete(slot); else S.sw.set(slot, v);
    }
    if (u.pol) S.pol = u.pol;
    for (let k = u.fr.length - 1; k >= 0; k--) S.fr[u.fr[k][0]] = u.fr[k][1];
    for (let k = u.p.length - 1; k >= 0; k--) {
      const [pa, v] = u.p[k];
      if (v === null) S.pt.delete(pa); else S.pt.set(pa, v);
    }
    if (u.root !== undefined) S.root = u.root;
    for (let k = u.t.length - 1; k >= 0; k--) u.t[k][0][u.t[k][1]] = u.t[k][2];
  }

  apply(D.init);
  let pos = 0;                 /* steps applied: 0 is the state before the first */
  const undo = [];
  function forward() {
    if (pos >= K) return false;
    undo[pos] = apply(D.steps[pos]);
    pos++;
    return true;
  }
  function backward() {
    if (pos <= 0) return false;
    pos--;
    revert(undo[pos]);
    undo[pos] = null;
    return true;
  }
  function goTo(n) {
    n = Math.max(0, Math.min(K, n | 0));
    while (pos < n) forward();
    while (pos > n) backward();
    render();
  }
  const current = () => (pos > 0 ? D.steps[pos - 1] : null);

  /* ---- drawing helpers ---- */
  const C = {
    empty: '#ececec', k4: '#0072b2', m2: '#009e73', g1: '#cc79a7', m4: '#56b4e9',
    table: '#56b4e9', leafA: '#009e73', leaf: '#8fd6bd', dirty: '#e69f00', busy: '#999999',
    tail: '#cfcfcf', hi: '#f0e442', fill: '#d55e00', hand: '#d55e00', map: '#0072b2', read: '#009e73',
  };
  const sizeColour = (sh) => (sh === 12 ? C.k4 : sh === 21 ? C.m2 : sh === 22 ? C.m4 : C.g1);
  const sizeName = (sh) => ({ 12: '4 KiB', 21: '2 MiB', 22: '4 MiB', 30: '1 GiB', 39: '512 GiB', 48: '256 TiB' }[sh] || (2 ** (sh - 10)) + ' KiB');
  const prot = (p) => (p & 1 ? 'r' : '-') + (p & 2 ? 'w' : '-') + (p & 4 ? 'x' : '-') + (p & 8 ? 'u' : '-');

  /* A canvas of cols x rows cells, with a hover text for cell i. */
  function grid(parent, label, n, cols, cw, ch, info, describe) {
    if (label) {
      const l = document.createElement('div');
      l.className = 'grid-label';
      l.textContent = label;
      parent.appendChild(l);
    }
    const rows = Math.max(1, Math.ceil(n / cols));
    const cv = document.createElement('canvas');
    cv.width = cols * cw + 1;
    cv.height = rows * ch + 1;
    parent.appendChild(cv);
    const g = { cv, ctx: cv.getContext('2d'), cols, cw, ch, n };
    cv.addEventListener('mousemove', (ev) => {
      const r = cv.getBoundingClientRect();
      const i = Math.floor((ev.clientY - r.top) / ch) * cols + Math.floor((ev.clientX - r.left) / cw);
      if (i >= 0 && i < n) info.textContent = describe(i);
    });
    return g;
  }
  function cell(g, i, colour, outline, width) {
    const x = (i % g.cols) * g.cw, y = Math.floor(i / g.cols) * g.ch;
    g.ctx.fillStyle = colour;
    g.ctx.fillRect(x + 1, y + 1, g.cw - 1, g.ch - 1);
    if (outline) {
      g.ctx.strokeStyle = outline;
      g.ctx.lineWidth = width || 2;
      g.ctx.strokeRect(x + 1.5, y + 1.5, g.cw - 2, g.ch - 2);
    }
  }
  function legend(parent, items) {
    const p = document.createElement('div');
    p.className = 'legend';
    for (const [colour, text] of items) {
      const s = document.createElement('span');
      s.style.background = colour;
      p.appendChild(s);
      p.appendChild(document.createTextNode(text));
    }
    parent.appendChild(p);
  }

  /* ---- the panes ---- */

  function renderText(st) {
    $('text').textContent = st ? st.x.map((i) => D.lines[i]).join('\n')
      : 'The state before access ' + D.from + '. Press "step" (or the Right arrow) to make it.';
  }

  function renderSplit(st) {
    const box = $('split');
    box.textContent = '';
    if (!st) return;
    const f = D.format, va = BigInt('0x' + st.va), leaf = st.lf || 0;
    const top = f.shifts[f.levels - 1] + f.index_bits;
    const bits = (hi, lo) => ((va >> BigInt(lo)) & ((1n << BigInt(hi - lo + 1)) - 1n));
    const row = document.createElement('div');
    row.className = 'bits';
    const field = (name, hi, lo, colour) => {
      const v = bits(hi, lo);
      const d = document.createElement('div');
      d.className = 'field';
      d.style.background = colour;
      const b = document.createElement('b');
      b.textContent = name;
      const s1 = document.createElement('small');
      s1.textContent = 'bits ' + hi + ':' + lo;
      const s2 = document.createElement('small');
      s2.textContent = v.toString(2).padStart(hi - lo + 1, '0');
      const s3 = document.createElement('small');
      s3.textContent = '= ' + v.toString() + ' (0x' + v.toString(16) + ')';
      d.append(b, s1, s2, s3);
      row.appendChild(d);
    };
    const palette = ['#f7d6e6', '#d6e9f7', '#d9f2e6', '#fbe8c8', '#eadcf2'];
    /* above the format's bits: copies of the top bit (canonical halves), or zeros (32-bit) */
    if (top < 64) field(f.halves ? 'sign (copies of bit ' + (top - 1) + ')' : 'zero', 63, top, '#eeeeee');
    for (let l = f.levels - 1; l >= leaf; l--)
      field(f.names[l] + ' index', f.shifts[l] + f.index_bits - 1, f.shifts[l], palette[l % palette.length]);
    field('offset', f.shifts[leaf] - 1, 0, '#ffffff');
    box.appendChild(row);
    const p = document.createElement('p');
    p.textContent = (st.a === 's' ? 'store' : st.a === 'f' ? 'fetch' : 'load') + ' of ' + st.sz +
      ' byte' + (st.sz === 1 ? '' : 's') + ' at 0x' + st.va + ' (' + f.name + ', a ' + sizeName(f.shifts[leaf]) +
      ' page)' + (st.pa ? ' -> physical 0x' + st.pa : ': no translation');
    box.appendChild(p);
  }

  function renderCounters(st) {
    const t = $('counters');
    t.textContent = '';
    const changed = new Set((st && st.c ? st.c : []).map((x) => x[0]));
    for (let i = 0; i < D.counters.length; i++) {
      if (!S.c[i] && !changed.has(i)) continue;
      const tr = document.createElement('tr');
      tr.dataset.name = D.counters[i][0];
      if (changed.has(i)) tr.className = 'changed';
      tr.title = D.counters[i][1];
      const a = document.createElement('td'), b = document.createElement('td');
      a.textContent = D.counters[i][0];
      b.textContent = S.c[i];
      b.className = 'v';
      tr.append(a, b);
      t.appendChild(tr);
    }
  }

  function renderTLB(st) {
    const box = $('tlb'), info = $('tlb-info');
    box.textContent = '';
    const hits = new Map();
    for (const h of st ? st.h.t : []) hits.set(h[0] + ':' + h[1], h[2]);
    let any = false;
    D.tlb.forEach((lv, l) => {
      for (const a of lv.arrays) {
        any = true;
        const n = a.sets * a.ways;
        /* whole sets on a row where they fit in 48 columns */
        const perRow = a.ways <= 48 ? a.ways * Math.max(1, Math.floor(48 / a.ways)) : 48;
        let valid = 0;
        for (let i = 0; i < n; i++) if (S.tlb[l][a.base + i]) valid++;
        const label = lv.name + ': ' + n + ' entries, ' + (a.sets === 1 ? 'fully associative' : a.ways + '-way, ' + a.sets + ' sets') +
          ', ' + a.sizes + ' (' + valid + ' valid)';
        const g = grid(box, label, n, Math.min(perRow, n), 8, 8, info, (i) => {
          const s = S.tlb[l][a.base + i], set = Math.floor(i / a.ways), way = i % a.ways;
          const where = lv.name + ' set ' + set + ' way ' + way + ': ';
          if (!s) return where + 'empty';
          return where + sizeName(s[1]) + ' page 0x' + s[0] + ' -> 0x' + s[3] + ', ASID ' + s[4] +
            (s[5] & 1 ? ', global' : '') + ', D=' + (s[5] & 2 ? 1 : 0) + ', ' + prot(s[6]) +
            (s[2] > s[1] ? ' (a piece of a ' + sizeName(s[2]) + ' page)' : '');
        });
        for (let i = 0; i < n; i++) {
          const s = S.tlb[l][a.base + i], h = hits.get(l + ':' + (a.base + i));
          const colour = s ? sizeColour(s[1]) : C.empty;
          cell(g, i, colour, h === undefined ? (s && s[5] & 1 ? '#000' : null) : h ? C.fill : C.hi, h === undefined ? 1 : 3);
          if (s && s[5] & 2) {               /* D=1: a dark corner */
            g.ctx.fillStyle = '#00000080';
            g.ctx.fillRect((i % g.cols) * g.cw + g.cw - 3, Math.floor(i / g.cols) * g.ch + 1, 2, 2);
          }
        }
      }
    });
    if (!any) box.textContent = 'This machine has no TLB: every access walks.';
    legend(box, [[C.k4, '4 KiB'], [C.m2, '2 MiB'], [C.m4, '4 MiB'], [C.g1, '1 GiB'], [C.empty, 'empty'],
      [C.hi, 'hit now'], [C.fill, 'filled now']]);
    const pw = document.createElement('div');
    pw.className = 'lists';
    const parts = [];
    for (let L = 1; L <= 4 && L < D.format.levels; L++) {
      if (!S.pwc[L] || !S.pwc[L].length) continue;
      const v = S.pwc[L].filter((x) => x);
      parts.push(D.format.names[L] + ' cache (' + S.pwc[L].length + '): ' +
        (v.length ? v.slice(0, 6).map((e) => '0x' + e[0] + ' -> table 0x' + e[1] + ' ASID ' + e[2]).join('; ') +
          (v.length > 6 ? '; ...' : '') : 'empty'));
    }
    pw.textContent = parts.length ? 'page-walk caches: ' + parts.join(' | ') : 'no page-walk caches';
    box.appendChild(pw);
  }

  function pteWords(bits) {
    if (!(bits & 1)) return 'not present';
    return ['P', bits & 16 ? 'W' : '', bits & 32 ? 'U' : '', bits & 64 ? 'X' : '', bits & 4 ? 'A' : '',
      bits & 8 ? 'D' : '', bits & 128 ? 'G' : ''].filter((x) => x).join(' ') + (bits & 2 ? ' (leaf)' : '');
  }

  function renderPT(st) {
    const box = $('pt'), info = $('pt-info'), f = D.format;
    box.textContent = '';
    const per = 1 << f.index_bits;
    const tables = new Map();            /* table pa -> entries [index] */
    for (const [pa, e] of S.pt) {
      const t = pa - (pa % 4096);
      if (!tables.has(t)) tables.set(t, new Map());
      tables.get(t).set((pa % 4096) / f.pte_bytes, e);
    }
    const walked = new Set((st ? st.h.p : []).map(num));
    let shown = 0;
    const visit = (table, level, from) => {
      if (shown >= 48) return;
      shown++;
      const ents = tables.get(table) || new Map();
      const label = f.names[level] + ' table 0x' + table.toString(16) + (from ? ' <- ' + from : ' (the root)') +
        ': ' + ents.size + ' of ' + per + ' entries present';
      const g = grid(box, label, per, 32, 7, 7, info, (i) => {
        const e = ents.get(i);
        const pa = table + i * f.pte_bytes;
        return f.names[level] + '[' + i + '] at 0x' + pa.toString(16) + ': ' +
          (e ? '0x' + e[0] + ' ' + pteWords(e[1]) + (e[1] & 1 ? ' -> 0x' + e[3].toString(16) : '') : 'not present (0)');
      });
      const kids = [];
      for (let i = 0; i < per; i++) {
        const e = ents.get(i), pa = table + i * f.pte_bytes;
        let colour = C.empty;
        if (e && e[1] & 1) colour = e[1] & 2 ? (e[1] & 8 ? C.dirty : e[1] & 4 ? C.leafA : C.leaf) : C.table;
        cell(g, i, colour, walked.has(pa) ? '#000' : null, 2);
        if (e && e[1] & 1 && !(e[1] & 2) && level > 0) kids.push([e[3], f.names[level] + '[' + i + ']']);
      }
      for (const [t, name] of kids) visit(t, level - 1, name);
    };
    if (S.root) visit(S.root, f.levels - 1, null);
    legend(box, [[C.table, 'points to a table'], [C.leafA, 'maps a page, A=1'], [C.leaf, 'A=0'],
      [C.dirty, 'D=1'], [C.empty, 'not present']]);
    if (shown >= 48) {
      const p = document.createElement('p');
      p.className = 'legend';
      p.textContent = 'The first 48 tables are shown.';
      box.appendChild(p);
    }
  }

  function renderFrames(st) {
    const box = $('frames'), info = $('frames-info'), n = D.frames;
    box.textContent = '';
    const looks = new Map();
    for (const h of st ? st.h.fr : []) looks.set(h[0], h[1]);
    const big = n <= 64, small = n > 2048;
    const cols = big ? 8 : small ? 192 : 32;
    const verdicts = ['passed over (pinned)', 'second chance', 'activated', 'deactivated', 'refreshed', 'aged',
      'a candidate', 'the victim'];
    const g = grid(box, (D.all_frames > n ? 'the first ' + n + ' of ' + D.all_frames : n) + ' frames, policy ' +
      D.policy.name + ' (' + S.pol[3] + ' on its list' + (D.policy.lists.length > 1 ? 's' : '') + ')', n, cols,
      big ? 52 : small ? 2 : 10, big ? 30 : small ? 2 : 10, info, (i) => {
      const fr = S.fr[i];
      let s = 'frame ' + i + ': ';
      if (!fr) s += 'free';
      else s += (fr[0] & 64 ? 'part of a huge page' : 'pid ' + fr[1] + ' page 0x' + fr[2] + ' (' + fr[3] + ')') +
        ', A=' + (fr[0] & 16 ? 1 : 0) + ' D=' + (fr[0] & 32 ? 1 : 0) + (fr[0] & 8 ? ', pinned' : '') +
        (fr[0] & 2 ? ', busy' : '') + (fr[0] & 4 ? ', on the ' + D.policy.lists[fr[4]] + ' list' : '') +
        (D.policy.mark ? ', ' + D.policy.mark + ' ' + fr[6] : '') + (fr[7] > 1 ? ', ' + fr[7] + ' mappers' : '');
      if (S.pol[0] === i) s += '; the hand is here';
      if (looks.has(i)) {
        const v = looks.get(i);
        s += '; this step: ' + (v === 100 ? 'mapped by the fault' : v === 101 ? 'evicted' : verdicts[v] || '');
      }
      return s;
    });
    for (let i = 0; i < n; i++) {
      const fr = S.fr[i];
      let colour = C.empty;
      if (fr) colour = fr[0] & 64 ? C.tail : fr[0] & 2 ? C.busy : fr[0] & 32 ? C.dirty : fr[0] & 16 ? C.leafA : C.leaf;
      const v = looks.get(i);
      const outline = v === 7 || v === 101 ? C.fill : v === 100 ? C.map : v !== undefined ? C.hi :
        S.pol[0] === i ? C.hand : fr && fr[0] & 8 ? '#cc79a7' : null;
      cell(g, i, colour, outline, v !== undefined || S.pol[0] === i ? 3 : 2);
      if (big) {
        const x = (i % cols) * g.cw, y = Math.floor(i / cols) * g.ch;
        g.ctx.fillStyle = '#000';
        g.ctx.font = '10px monospace';
        g.ctx.fillText(String(i) + (S.pol[0] === i ? ' <' : ''), x + 4, y + 12);
        if (fr && !(fr[0] & 64)) g.ctx.fillText((num(fr[2]) / 4096).toString(16), x + 4, y + 25);
      }
    }
    legend(box, [[C.leafA, 'A=1'], [C.leaf, 'A=0'], [C.dirty, 'D=1'], [C.empty, 'free'], [C.hand, 'the hand / victim'],
      [C.hi, 'looked at'], [C.map, 'mapped now']]);
    /* each list, oldest first, following the ring */
    const lists = document.createElement('div');
    lists.className = 'lists';
    const lines = [];
    D.policy.lists.forEach((name, r) => {
      /* a clock's circle is read from its hand, the others from their oldest */
      const fromHand = D.policy.hand && r === 0 && S.pol[0] >= 0;
      const head = fromHand ? S.pol[0] : S.pol[1 + r];
      const seq = [];
      for (let i = head, k = 0; i >= 0 && k < n; k++) {
        const fr = S.fr[i];
        if (!fr) break;
        seq.push(i + (D.policy.mark ? ':' + fr[6] : ''));
        i = fr[5];
        if (i === head) break;
      }
      const shownSeq = seq.length > 80 ? seq.slice(0, 40).concat(['...'], seq.slice(-40)) : seq;
      lines.push(name + ' (' + (fromHand ? 'from the hand' : 'oldest first') +
        (D.policy.mark ? ', frame:' + D.policy.mark : '') + '): ' + (shownSeq.length ? shownSeq.join(' ') : 'empty'));
    });
    if (D.policy.hand) lines.push('the hand: ' + (S.pol[0] >= 0 ? 'frame ' + S.pol[0] : 'none'));
    lists.textContent = lines.join('\n');
    lists.style.whiteSpace = 'pre-wrap';
    box.appendChild(lists);
  }

  function renderSwap(st) {
    const box = $('swap'), info = $('swap-info');
    box.textContent = '';
    let max = 0;
    for (const s of S.sw.keys()) max = Math.max(max, s + 1);
    const n = Math.min(Math.max(96, Math.ceil(max / 48) * 48), 4800, D.swap_slots || 96);
    const hl = new Map();
    for (const h of st ? st.h.sw : []) hl.set(h[0], h[1]);
    if (!D.swap_slots) {
      box.textContent = 'No swap device.';
      return;
    }
    const g = grid(box, S.sw.size + ' of ' + D.swap_slots + ' slots in use (the first ' + n + ' shown)', n, 48, 8, 8, info, (i) => {
      const s = S.sw.get(i);
      let t = 'slot ' + i + ': ' + (s ? 'pid ' + s[1] + ' page 0x' + s[0] + ', ' + s[2] + ' owner' + (s[2] === 1 ? '' : 's') +
        (s[3] ? ' (a swap cache: the page is resident too)' : ' (the only copy)') : 'free');
      if (hl.has(i)) t += hl.get(i) ? '; read this step' : '; written this step';
      return t;
    });
    for (let i = 0; i < n; i++) {
      const s = S.sw.get(i), h = hl.get(i);
      cell(g, i, s ? (s[2] > 1 ? C.g1 : s[3] ? C.m4 : C.dirty) : C.empty, h === undefined ? null : h ? C.read : C.fill, 3);
    }
    legend(box, [[C.dirty, 'the only copy'], [C.m4, 'a swap cache'], [C.g1, 'several owners'], [C.fill, 'written now'],
      [C.read, 'read now']]);
  }

  function render() {
    const st = current();
    $('where').textContent = st ? 'step ' + pos + ' of ' + K + ': access ' + st.n
      : 'step 0 of ' + K + ': before access ' + D.from;
    $('pos').value = pos;
    renderText(st);
    renderSplit(st);
    renderCounters(st);
    renderTLB(st);
    renderPT(st);
    renderFrames(st);
    renderSwap(st);
    try { history.replaceState(null, '', '#step=' + pos); } catch (e) { /* some file:// contexts refuse */ }
  }

  /* ---- controls ---- */
  let timer = null;
  function stop() {
    if (timer) clearInterval(timer);
    timer = null;
    $('play').classList.remove('on');
    $('play').textContent = '\u25B6 play';
  }
  function play() {
    if (timer) return stop();
    if (pos >= K) goTo(0);
    const speed = +$('speed').value;
    const every = Math.max(20, 1000 / speed), per = Math.max(1, Math.round(speed * every / 1000));
    $('play').classList.add('on');
    $('play').textContent = '\u275A\u275A pause';
    timer = setInterval(() => {
      for (let k = 0; k < per; k++) if (!forward()) { stop(); break; }
      render();
    }, every);
  }
  function seek(flag, dir) {
    if (dir > 0) {
      for (let j = pos; j < K; j++) if (D.steps[j].f & flag) return goTo(j + 1);
      goTo(K);
    } else {
      for (let j = pos - 2; j >= 0; j--) if (D.steps[j].f & flag) return goTo(j + 1);
      goTo(0);
    }
  }
  $('first').onclick = () => { stop(); goTo(0); };
  $('back').onclick = () => { stop(); goTo(pos - 1); };
  $('fwd').onclick = () => { stop(); goTo(pos + 1); };
  $('play').onclick = play;
  $('nextfault').onclick = () => { stop(); seek(1, 1); };
  $('prevfault').onclick = () => { stop(); seek(1, -1); };
  $('nextevict').onclick = () => { stop(); seek(2, 1); };
  $('nextmiss').onclick = () => { stop(); seek(4, 1); };
  $('pos').max = K;
  $('pos').oninput = () => { stop(); goTo(+$('pos').value); };
  $('speed').onchange = () => { if (timer) { stop(); play(); } };
  document.addEventListener('keydown', (ev) => {
    if (ev.target && ev.target.tagName === 'SELECT') return;
    const keys = {
      ArrowRight: () => { stop(); goTo(pos + 1); }, ArrowLeft: () => { stop(); goTo(pos - 1); },
      ' ': play, Home: () => { stop(); goTo(0); }, End: () => { stop(); goTo(K); },
      f: () => { stop(); seek(1, 1); }, F: () => { stop(); seek(1, -1); }, e: () => { stop(); seek(2, 1); },
      m: () => { stop(); seek(4, 1); },
    };
    if (keys[ev.key]) { ev.preventDefault(); keys[ev.key](); }
  });

  $('title').textContent = D.title;
  $('config').textContent = D.config;
  if (D.note || D.full) {
    $('note').hidden = false;
    $('note').textContent = (D.full ? 'The page holds ' + K + ' steps: its budget of 5 MB stopped the recording there. ' : '') + D.note;
  }
  const m = /step=(\d+)/.exec(location.hash);
  goTo(m ? +m[1] : 0);
  window.vmlab = { goTo, get pos() { return pos; }, steps: K };
  document.body.dataset.ready = 'yes';
  document.body.dataset.readyMs = performance.now().toFixed(0);   /* parsed, run, drawn once */
  window.addEventListener('load', () => { document.body.dataset.loadMs = performance.now().toFixed(0); });
})();
