// The live page: polls the JSON API once a second and redraws. No framework, no CDN: it ships in the jar.
'use strict';
(function () {
  const FASHION = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat',
    'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
  const MAX_ROWS = 20;
  let classNames = [];
  let heatKind = 'hard';
  let lastPairs = null;
  const shown = new Map(); // seq -> <tr>, so images are not reloaded on every poll

  // Opened as /?token=… (http.auth.token-file): every request the page makes carries the same token.
  const TOKEN = new URLSearchParams(location.search).get('token');
  const withToken = (url) => TOKEN ? url + (url.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(TOKEN) : url;
  const $ = (id) => document.getElementById(id);
  const fmt = (x, d) => (x === null || x === undefined || Number.isNaN(x)) ? '–' : Number(x).toFixed(d);

  // A label's display name: the model's class names when it has them, else Fashion-MNIST's for 0–9.
  function labelName(label) {
    if (label === null || label === undefined) return '(unlabeled)';
    if (/^\d+$/.test(label)) {
      const i = Number(label);
      if (classNames.length > i) return classNames[i];
      if (i < FASHION.length) return FASHION[i];
    }
    return label;
  }

  async function getJson(path) {
    const r = await fetch(withToken(path), { cache: 'no-store' });
    if (!r.ok && r.status !== 503) throw new Error(path + ' → ' + r.status);
    return r.json();
  }

  function renderStats(s) {
    classNames = s.class_names || [];
    $('images-rate').textContent = fmt(s.images_per_s, 1);
    $('hard-rate').textContent = fmt(s.triplets_per_s.hard, 1);
    $('semihard-rate').textContent = fmt(s.triplets_per_s.semihard, 1);
    $('dead-rate').textContent = fmt(s.dead_letters_per_s, 1);
    const m = s.model || {};
    $('model').textContent = (m.name || '?') + ' v' + (m.version || '?');
    $('device').textContent = m.device || '–';
    const b = s.bank || {};
    if (b.capacity) {
      $('bank').textContent = b.entries + ' / ' + b.capacity + ' (' + fmt(100 * b.fill_ratio, 1) + ' %)';
      $('bank-bar').style.width = Math.min(100, 100 * b.fill_ratio) + '%';
    } else {
      $('bank').textContent = 'not loaded';
    }
    const st = $('status');
    st.textContent = s.state || 'UNKNOWN';
    st.className = 'pill ' + (s.state === 'RUNNING' ? 'ok' : 'bad');
    const t = s.totals;
    $('totals').textContent = 'Since start: ' + t.embedded + ' embedded, ' + t.hard + ' hard, ' + t.semihard
      + ' semi-hard, ' + t.rate_limited + ' rate-limited, ' + t.dead_lettered + ' dead-lettered.';
  }

  function imageCell(member) {
    const td = document.createElement('td');
    td.className = 'img';
    const fig = document.createElement('figure');
    if (member.image) {
      const img = document.createElement('img');
      img.src = withToken(member.image);
      img.alt = member.id;
      img.title = member.id + ' (label ' + member.label + ')';
      fig.appendChild(img);
    } else {
      const d = document.createElement('div');
      d.className = 'missing';
      d.textContent = 'no image';
      fig.appendChild(d);
    }
    const cap = document.createElement('figcaption');
    cap.textContent = labelName(member.label);
    cap.title = member.id;
    fig.appendChild(cap);
    td.appendChild(fig);
    return td;
  }

  function cell(text, cls) {
    const td = document.createElement('td');
    if (cls) td.className = cls;
    td.textContent = text;
    return td;
  }

  function renderTriplets(list, first) {
    const tbody = document.querySelector('#triplets tbody');
    const keep = new Set();
    list.slice(0, MAX_ROWS).forEach((t, i) => {
      keep.add(t.seq);
      let tr = shown.get(t.seq);
      if (!tr) {
        tr = document.createElement('tr');
        tr.dataset.seq = t.seq;
        if (!first) tr.className = 'fresh';
        tr.appendChild(cell('#' + t.seq));
        tr.appendChild(imageCell(t.anchor));
        tr.appendChild(imageCell(t.positive));
        tr.appendChild(imageCell(t.negative));
        tr.appendChild(cell(fmt(t.d_ap, 3), 'num d-ap'));
        tr.appendChild(cell(fmt(t.d_an, 3), 'num d-an'));
        tr.appendChild(cell(fmt(t.gap, 3), 'num gap'));
        const k = cell('');
        const span = document.createElement('span');
        span.className = 'kind ' + t.kind;
        span.textContent = t.kind;
        k.appendChild(span);
        tr.appendChild(k);
        tr.appendChild(cell(t.model_version));
        shown.set(t.seq, tr);
      }
      const at = tbody.children[i];
      if (at !== tr) tbody.insertBefore(tr, at || null);
    });
    for (const [seq, tr] of shown) {
      if (!keep.has(seq)) { tr.remove(); shown.delete(seq); }
    }
    $('empty').style.display = list.length ? 'none' : '';
  }

  function shortName(label) {
    const n = labelName(label);
    return n.length > 11 ? n.slice(0, 10) + '…' : n;
  }

  function drawHeatmap(p) {
    const canvas = $('heatmap');
    const ctx = canvas.getContext('2d');
    const W = canvas.width, H = canvas.height;
    ctx.clearRect(0, 0, W, H);
    const n = p.labels.length;
    const counts = p.labels.map((_, i) => p.labels.map((_, j) =>
      p.hard[i][j] + (heatKind === 'all' ? p.semihard[i][j] : 0)));
    const left = 96, top = 96;
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = '#8595a5';
    if (n === 0) {
      ctx.fillText('no triplets yet', left, top);
    } else {
      const size = Math.max(4, Math.floor(Math.min((W - left - 8) / n, (H - top - 8) / n)));
      let max = 0;
      counts.forEach(r => r.forEach(c => { max = Math.max(max, c); }));
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const c = counts[i][j];
          const a = max ? c / max : 0;
          // Same-class cells can never hold a negative: drawn as a neutral diagonal.
          ctx.fillStyle = i === j ? '#1b232c' : heatColor(a);
          ctx.fillRect(left + j * size, top + i * size, size - 1, size - 1);
          if (c > 0 && size >= 26) {
            ctx.fillStyle = a > 0.55 ? '#111' : '#dbe3ea';
            ctx.textAlign = 'center';
            ctx.textBaseline = 'middle';
            ctx.fillText(String(c), left + j * size + size / 2, top + i * size + size / 2);
          }
        }
      }
      ctx.fillStyle = '#8595a5';
      ctx.textAlign = 'right';
      ctx.textBaseline = 'middle';
      if (size >= 9) {
        for (let i = 0; i < n; i++) ctx.fillText(shortName(p.labels[i]), left - 6, top + i * size + size / 2);
        for (let j = 0; j < n; j++) {
          ctx.save();
          ctx.translate(left + j * size + size / 2, top - 6);
          ctx.rotate(-Math.PI / 3);
          ctx.textAlign = 'left';
          ctx.fillText(shortName(p.labels[j]), 0, 0);
          ctx.restore();
        }
      }
      ctx.textAlign = 'left';
      ctx.textBaseline = 'alphabetic';
      ctx.fillText('anchor ↓   negative →   max ' + max, 4, 14);
    }
    canvas.setAttribute('data-drawn', 'true');
  }

  // The anchor budget (mining.anchor-share below 1): each label's chance to be mined, and the purity behind it.
  function renderBudget(budget) {
    const labels = Object.keys(budget || {});
    $('budget').textContent = labels.length === 0 ? '' : 'Anchor budget (share mined · bank purity): ' +
      labels.map(l => shortName(l) + ' ' + Math.round(100 * budget[l].p) + '% · ' +
        budget[l].purity.toFixed(2)).join(', ');
  }

  // Dark blue → red → yellow, readable on the dark panel.
  function heatColor(a) {
    if (a <= 0) return '#202a35';
    const stops = [[32, 60, 100], [200, 60, 80], [255, 200, 90]];
    const x = Math.min(1, a) * (stops.length - 1);
    const k = Math.min(stops.length - 2, Math.floor(x));
    const f = x - k;
    const c = stops[k].map((v, i) => Math.round(v + f * (stops[k + 1][i] - v)));
    return 'rgb(' + c.join(',') + ')';
  }

  let first = true;
  async function tick() {
    try {
      const [stats, triplets, pairs] = await Promise.all(
        [getJson('/api/stats'), getJson('/api/triplets'), getJson('/api/pairs')]);
      renderStats(stats);
      renderTriplets(triplets.triplets, first);
      lastPairs = pairs;
      drawHeatmap(pairs);
      renderBudget(pairs.budget);
      first = false;
    } catch (e) {
      const st = $('status');
      st.textContent = 'OFFLINE';
      st.className = 'pill bad';
    } finally {
      setTimeout(tick, 1000);
    }
  }

  document.querySelectorAll('input[name=kind]').forEach(r => r.addEventListener('change', () => {
    heatKind = r.value;
    if (lastPairs) drawHeatmap(lastPairs);
  }));
  tick();
})();
