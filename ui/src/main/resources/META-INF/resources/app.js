'use strict';
// The page: one section per namespace, each a graph laid out by dagre and drawn as SVG with d3. Deployments own
// ReplicaSets, ReplicaSets own Pods (grey edges); a Service points at the endpoints of its EndpointSlices (green:
// ready, orange dashes: not ready, grey dots: terminating), each with the connections it took recently. Every object
// is a focusable SVG group with a text label (aria-label) and data-* attributes a test or a script can read.
(() => {
  const SIZE = {
    deployment: [200, 46], replicaset: [220, 46], pod: [250, 62], service: [300, 80], external: [230, 40],
    address: [190, 40], podgroup: [250, 62],
  };
  // A ReplicaSet with more pods than this is drawn as one group node (Enter or a click opens it), and a Service's
  // edges to those pods as one edge: fifty pods behind twenty Services stay readable.
  const GROUP_AT = 12;
  const expanded = new Set(); // "namespace/replicaset" groups opened by the user
  const FADE_MS = 600;
  let picture = null;
  let traffic = null;
  let selected = null; // "namespace/service"

  const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

  function recentOf(ns, svc, ip) {
    const e = traffic && traffic.endpoints.find(x => x.namespace === ns && x.service === svc && x.ip === ip);
    return e ? e : { recent: 0, total: 0, pulse: false };
  }

  function condition(e) {
    if (e.terminating) return 'terminating';
    return e.ready ? 'ready' : 'serving';
  }

  /** An endpoint edge's condition; a group's is its members' worst. */
  function edgeCondition(edge) {
    if (!edge.members) return condition(edge.endpoint);
    const all = edge.members.map(condition);
    return all.includes('terminating') ? 'terminating' : all.includes('serving') ? 'serving' : 'ready';
  }

  /** The traffic of an endpoint edge: one endpoint's, or the sum over a group's. */
  function edgeTraffic(namespace, edge) {
    const parts = (edge.members || [edge.endpoint]).map(e => recentOf(namespace, edge.service, e.ip));
    return { recent: d3.sum(parts, t => t.recent), total: d3.sum(parts, t => t.total), pulse: parts.some(t => t.pulse) };
  }

  function conditionText(e) {
    if (e.terminating) return e.serving ? 'terminating, still serving' : 'terminating';
    return e.ready ? 'ready' : 'not ready';
  }

  function label(n) {
    const d = n.data;
    switch (n.kind) {
      case 'deployment':
        return `Deployment ${d.name}: ${d.ready} of ${d.replicas} ready`;
      case 'replicaset':
        return `ReplicaSet ${d.name}: ${d.ready} of ${d.replicas} ready` + (d.owner ? `, owned by Deployment ${d.owner}` : '');
      case 'pod':
        return `Pod ${d.name}: ${d.ready ? 'ready' : 'not ready'}, ${d.phase || 'no phase yet'}, IP ${d.ip || 'none yet'}, `
          + `node ${d.node || 'not scheduled'}, ${plural(d.restarts, 'restart')}${d.terminating ? ', terminating' : ''}`;
      case 'service': {
        let text = `Service ${d.name}, ${d.kind}`;
        if (d.kind === 'ExternalName') text += `, CNAME to ${d.externalName}`;
        else if (d.kind === 'Headless') text += ', no ClusterIP: its DNS name answers with the pods\' addresses';
        else text += `, ClusterIP ${d.clusterIp}`;
        if (d.ports.length) text += `, ports ${d.ports.join(' ')}`;
        if (d.externalIps.length) text += `, external IP ${d.externalIps.join(' ')}`;
        return `${text}, DNS name ${d.dnsName}, ${plural(d.endpoints.length, 'endpoint')}`;
      }
      case 'external':
        return `External name ${d.externalName}`;
      case 'podgroup':
        return `${d.pods.length} pods of ReplicaSet ${d.name}, ${d.pods.filter(p => p.ready).length} ready, `
          + `drawn as one; Enter shows each`;
      default:
        return `Address ${d.ip} (no pod)`;
    }
  }

  function lines(n) {
    const d = n.data;
    switch (n.kind) {
      case 'deployment':
        return [['title', `⎈ ${d.name}`], ['dim', `Deployment · ${d.ready}/${d.replicas} ready`]];
      case 'replicaset':
        return [['title', d.name], ['dim', `ReplicaSet · ${d.ready}/${d.replicas} ready`]];
      case 'pod':
        return [['title', d.name], ['', `${d.ip || 'no IP yet'} · ${d.node || 'unscheduled'}`],
          ['dim', `${d.terminating ? 'Terminating' : d.phase || 'Pending'}${d.ready ? ' · ready' : ''}`
            + `${d.restarts ? ` · ${plural(d.restarts, 'restart')}` : ''}`]];
      case 'service':
        return [['title', `${d.name} · ${d.kind}`],
          ['', d.kind === 'ExternalName' ? `CNAME ${d.externalName}` : d.kind === 'Headless' ? 'ClusterIP None (A records: pods)'
            : `${d.clusterIp}  ${d.ports.join(' ')}`],
          ['dim', d.externalIps.length ? `EXTERNAL-IP ${d.externalIps.join(' ')}` : ''],
          ['dim', d.dnsName]].filter(l => l[1]);
      case 'external':
        return [['title', d.externalName], ['dim', 'outside the cluster']];
      case 'podgroup':
        return [['title', `${d.pods.length} pods`], ['', `${d.pods.filter(p => p.ready).length} ready · ReplicaSet`],
          ['dim', `${d.name} · Enter opens`]];
      default:
        return [['title', d.ip], ['dim', 'endpoint without a pod']];
    }
  }

  /** The namespace's objects as nodes and edges, laid out by dagre (left to right: owners, pods, Services). */
  function layout(ns) {
    const g = new dagre.graphlib.Graph();
    g.setGraph({ rankdir: 'LR', nodesep: 16, ranksep: 80, marginx: 16, marginy: 16 });
    g.setDefaultEdgeLabel(() => ({}));
    const nodes = [];
    const edges = [];
    const add = (kind, name, data) => {
      const id = `${kind}/${name}`;
      if (g.hasNode(id)) return id;
      const [width, height] = SIZE[kind];
      g.setNode(id, { width, height });
      nodes.push({ id, kind, name, data });
      return id;
    };
    ns.deployments.forEach(d => add('deployment', d.name, d));
    ns.replicaSets.forEach(r => {
      const id = add('replicaset', r.name, r);
      if (r.owner && g.hasNode(`deployment/${r.owner}`)) {
        g.setEdge(`deployment/${r.owner}`, id);
        edges.push({ id: `owner/${id}`, kind: 'owner', from: `deployment/${r.owner}`, to: id });
      }
    });
    const perOwner = d3.group(ns.pods.filter(p => p.owner), p => p.owner);
    const grouped = new Map(); // pod name → its group node
    perOwner.forEach((pods, owner) => {
      if (pods.length > GROUP_AT && !expanded.has(`${ns.name}/${owner}`)) {
        const id = add('podgroup', owner, { name: owner, pods });
        pods.forEach(p => grouped.set(p.name, id));
        if (g.hasNode(`replicaset/${owner}`)) {
          g.setEdge(`replicaset/${owner}`, id);
          edges.push({ id: `owner/${id}`, kind: 'owner', from: `replicaset/${owner}`, to: id });
        }
      }
    });
    ns.pods.filter(p => !grouped.has(p.name)).forEach(p => {
      const id = add('pod', p.name, p);
      if (p.owner && g.hasNode(`replicaset/${p.owner}`)) {
        g.setEdge(`replicaset/${p.owner}`, id);
        edges.push({ id: `owner/${id}`, kind: 'owner', from: `replicaset/${p.owner}`, to: id });
      }
    });
    ns.services.forEach(s => {
      const sid = add('service', s.name, s);
      const toGroups = new Map();
      s.endpoints.forEach(e => {
        if (e.pod && grouped.has(e.pod)) {
          const gid = grouped.get(e.pod);
          if (!toGroups.has(gid)) toGroups.set(gid, []);
          toGroups.get(gid).push(e);
          return;
        }
        const target = e.pod && g.hasNode(`pod/${e.pod}`) ? `pod/${e.pod}` : add('address', `${s.name}/${e.ip}`, e);
        g.setEdge(target, sid); // laid out pod → Service, so Services stand right of their pods
        edges.push({ id: `endpoint/${s.name}/${e.ip}`, kind: 'endpoint', from: target, to: sid, service: s.name,
          endpoint: e, pod: e.pod });
      });
      toGroups.forEach((members, gid) => {
        g.setEdge(gid, sid);
        edges.push({ id: `endpoints/${s.name}/${gid}`, kind: 'endpoint', from: gid, to: sid, service: s.name,
          members, group: gid.slice('podgroup/'.length) });
      });
      if (s.kind === 'ExternalName' && s.externalName) {
        const xid = add('external', s.name, s);
        g.setEdge(sid, xid);
        edges.push({ id: `cname/${s.name}`, kind: 'cname', from: sid, to: xid });
      }
    });
    dagre.layout(g);
    nodes.forEach(n => Object.assign(n, g.node(n.id)));
    edges.forEach(e => { e.points = g.edge(e.from, e.to).points; });
    return { nodes, edges, width: g.graph().width || 0, height: g.graph().height || 0 };
  }

  const line = d3.line().x(p => p.x).y(p => p.y).curve(d3.curveBasis);

  function summary(ns) {
    const ready = ns.pods.filter(p => p.ready).length;
    return `${plural(ns.deployments.length, 'Deployment')}, ${plural(ns.replicaSets.length, 'ReplicaSet')}, `
      + `${plural(ns.pods.length, 'Pod')} (${ready} ready), ${plural(ns.services.length, 'Service')}`;
  }

  function render() {
    const sections = d3.select('#namespaces').selectAll('section.namespace')
      .data(picture.namespaces, d => d.name)
      .join(enter => {
        const s = enter.append('section').attr('class', 'namespace');
        const details = s.append('details').property('open', d => d.name !== 'kube-system');
        const head = details.append('summary');
        head.append('span').attr('class', 'name');
        head.append('span').attr('class', 'summary');
        const svg = details.append('div').attr('class', 'graph').append('svg').attr('role', 'group');
        svg.append('g').attr('class', 'edges');
        svg.append('g').attr('class', 'counts');
        svg.append('g').attr('class', 'nodes');
        return s;
      });
    sections.attr('data-namespace', d => d.name);
    sections.select('summary .name').text(d => `namespace ${d.name}`);
    sections.select('summary .summary').text(d => ` — ${summary(d)}`);
    sections.each(function (ns) { draw(d3.select(this), ns); });
    status();
    details();
  }

  function draw(section, ns) {
    const { nodes, edges, width, height } = layout(ns);
    const svg = section.select('svg').attr('width', Math.max(width, 200)).attr('height', Math.max(height, 40))
      .attr('aria-label', `namespace ${ns.name}: ${summary(ns)}`);

    svg.select('g.edges').selectAll('path.edge').data(edges, e => e.id)
      .join(
        enter => enter.append('path').attr('opacity', 0)
          .call(s => s.transition('fade').duration(300).attr('opacity', 1)),
        update => update,
        exit => exit.attr('data-kind', null).transition('fade').duration(FADE_MS).attr('opacity', 0).remove())
      .attr('class', e => `edge ${e.kind}${e.kind === 'endpoint' ? ' ' + edgeCondition(e) : ''}`)
      .attr('data-kind', e => (e.kind !== 'endpoint' ? `${e.kind}-edge` : e.members ? 'endpoint-group-edge'
        : 'endpoint-edge'))
      .attr('data-service', e => e.service || null)
      .attr('data-ip', e => (e.endpoint ? e.endpoint.ip : null))
      .attr('data-pod', e => e.pod || null)
      .attr('data-group', e => e.group || null)
      .attr('data-endpoints', e => (e.members ? e.members.length : null))
      .attr('data-condition', e => (e.kind === 'endpoint' ? edgeCondition(e) : null))
      .attr('d', e => line(e.kind === 'endpoint' ? [...e.points].reverse() : e.points));

    const endpointEdges = edges.filter(e => e.kind === 'endpoint');
    svg.select('g.counts').selectAll('g.count').data(endpointEdges, e => e.id)
      .join(enter => {
        const g = enter.append('g').attr('class', 'count').attr('tabindex', 0).attr('role', 'img');
        g.append('text').attr('class', 'count');
        return g;
      }, update => update, exit => exit.attr('data-kind', null).remove())
      .attr('data-kind', e => (e.members ? 'endpoint-group-count' : 'endpoint-count'))
      .attr('data-service', e => e.service)
      .attr('data-ip', e => (e.endpoint ? e.endpoint.ip : null))
      .attr('data-pod', e => e.pod || null)
      .attr('data-group', e => e.group || null)
      .attr('transform', e => {
        const p = e.points[Math.max(0, Math.floor(e.points.length / 2))];
        return `translate(${p.x},${p.y - 4})`;
      })
      .each(function (e) { countLabel(d3.select(this), ns.name, e); });

    svg.select('g.nodes').selectAll('g.node').data(nodes, n => n.id)
      .join(
        enter => enter.append('g').attr('class', 'node').attr('tabindex', 0).attr('role', 'img')
          .attr('opacity', 0)
          .attr('transform', n => `translate(${n.x - n.width / 2},${n.y - n.height / 2})`)
          .on('click', (ev, n) => toggle(ns.name, n))
          .on('keydown', (ev, n) => key(ev, ns.name, n))
          .call(s => s.transition('fade').duration(300).attr('opacity', 1)),
        update => update.call(s => s.transition('move').duration(300)
          .attr('transform', n => `translate(${n.x - n.width / 2},${n.y - n.height / 2})`)),
        exit => exit.attr('data-kind', null).attr('data-state', 'leaving')
          .transition('fade').duration(FADE_MS).attr('opacity', 0).remove())
      .classed('terminating', n => n.kind === 'pod' && n.data.terminating)
      .attr('data-kind', n => n.kind)
      .attr('data-name', n => n.data.name || n.name)
      .attr('data-ip', n => (n.kind === 'pod' ? n.data.ip || '' : null))
      .attr('data-ready', n => (n.kind === 'pod' ? String(n.data.ready) : null))
      .attr('data-node', n => (n.kind === 'pod' ? n.data.node || '' : null))
      .attr('data-service-kind', n => (n.kind === 'service' ? n.data.kind : null))
      .attr('data-cluster-ip', n => (n.kind === 'service' ? n.data.clusterIp || '' : null))
      .attr('data-dns-name', n => (n.kind === 'service' ? n.data.dnsName : null))
      .attr('aria-label', label)
      .each(function (n) { shape(d3.select(this), n); });
    highlight(svg, ns.name);
  }

  function shape(g, n) {
    g.selectAll('*').remove();
    const w = n.width;
    const h = n.height;
    if (n.kind === 'service') {
      const k = 14;
      g.append('polygon').attr('class', `shape service${n.data.kind === 'Headless' ? ' headless' : ''}`)
        .attr('points', `0,${h / 2} ${k},0 ${w - k},0 ${w},${h / 2} ${w - k},${h} ${k},${h}`);
    } else {
      const rounded = n.kind === 'pod' || n.kind === 'podgroup' ? 12 : 4;
      g.append('rect').attr('class', `shape ${n.kind}${n.kind === 'pod' && !n.data.ready ? ' unready' : ''}`)
        .attr('width', w).attr('height', h).attr('rx', rounded);
    }
    const text = lines(n);
    const top = (h - text.length * 15) / 2 + 12;
    text.forEach(([cls, value], i) => {
      g.append('text').attr('class', cls).attr('x', n.kind === 'service' ? 18 : 10).attr('y', top + i * 15)
        .text(value);
    });
  }

  function countLabel(g, namespace, e) {
    const t = edgeTraffic(namespace, e);
    const window = traffic ? traffic.windowSeconds : 60;
    const to = e.members ? `${plural(e.members.length, 'endpoint')} in ReplicaSet ${e.group}`
      : `${e.pod ? `pod ${e.pod}` : 'address'} ${e.endpoint.ip}: ${conditionText(e.endpoint)}`;
    g.attr('data-recent', t.recent).attr('data-total', t.total)
      .attr('aria-label', `Service ${e.service} to ${to}, ${plural(t.recent, 'connection')} in the last ${window} s, `
        + `${t.total} since the page's server started`);
    g.select('text').text(t.recent ? String(t.recent) : '');
  }

  function renderTraffic() {
    if (!picture) return;
    d3.select('#window').text(traffic.windowSeconds);
    d3.selectAll('section.namespace').each(function (ns) {
      const section = d3.select(this);
      section.selectAll('g.count').each(function (e) { countLabel(d3.select(this), ns.name, e); });
      section.selectAll('path.edge.endpoint').each(function (e) {
        if (edgeTraffic(ns.name, e).pulse) {
          this.classList.remove('pulse');
          void this.getBoundingClientRect(); // restart the animation
          this.classList.add('pulse');
        }
      });
    });
    status();
    details();
  }

  function toggle(namespace, n) {
    if (n.kind === 'podgroup') {
      const key = `${namespace}/${n.data.name}`;
      if (expanded.has(key)) expanded.delete(key);
      else expanded.add(key);
      render();
      return;
    }
    if (n.kind !== 'service') return;
    const key = `${namespace}/${n.data.name}`;
    selected = selected === key ? null : key;
    d3.selectAll('section.namespace').each(function (ns) { highlight(d3.select(this).select('svg'), ns.name); });
    details();
  }

  function key(ev, namespace, n) {
    if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      toggle(namespace, n);
    } else if (ev.key === 'Escape' && selected) {
      selected = null;
      d3.selectAll('section.namespace').each(function (ns) { highlight(d3.select(this).select('svg'), ns.name); });
      details();
    }
  }

  /** With a Service selected, everything but it, its endpoint edges and their pods is dimmed. */
  function highlight(svg, namespace) {
    const [ns, name] = selected ? selected.split('/') : [null, null];
    const on = ns === namespace;
    svg.selectAll('g.node')
      .classed('selected', n => on && n.kind === 'service' && n.data.name === name)
      .attr('aria-pressed', n => (n.kind === 'service' ? String(on && n.data.name === name) : null))
      .classed('dimmed', n => selected !== null && !(on && ((n.kind === 'service' && n.data.name === name)
        || n.id.startsWith(`address/${name}/`)
        || ((n.kind === 'pod' || n.kind === 'podgroup') && svg.selectAll('path.edge.endpoint')
          .filter(e => e.service === name && e.from === n.id).size() > 0))));
    svg.selectAll('path.edge').classed('dimmed', e => selected !== null && !(on && e.service === name));
    svg.selectAll('g.count').classed('dimmed', e => selected !== null && !(on && e.service === name));
  }

  function details() {
    const box = d3.select('#details');
    box.selectAll('*').remove();
    if (!selected || !picture) return;
    const [ns, name] = selected.split('/');
    const space = picture.namespaces.find(n => n.name === ns);
    const s = space && space.services.find(x => x.name === name);
    if (!s) {
      selected = null;
      return;
    }
    box.append('h2').text(label({ kind: 'service', data: s }));
    const list = box.append('ul');
    s.endpoints.forEach(e => {
      const t = recentOf(ns, name, e.ip);
      list.append('li').text(`${e.pod || e.ip} (${e.ip}): ${conditionText(e)} — ${t.recent} recent, ${t.total} in all`);
    });
    if (!s.endpoints.length) list.append('li').text('no endpoints: connections are refused');
  }

  function status(text) {
    if (text) {
      d3.select('#status').text(text);
      return;
    }
    if (!picture) return;
    const parts = [picture.synced ? 'live' : 'listing the cluster…', plural(picture.namespaces.length, 'namespace')];
    if (traffic) {
      const [answering, proxies] = traffic.proxies;
      parts.push(proxies ? `traffic from ${answering} of ${proxies} service-prox${proxies === 1 ? 'y' : 'ies'}`
        : 'no service-proxy found: no traffic shown');
    }
    parts.push(`updated ${new Date().toLocaleTimeString()}`);
    d3.select('#status').text(parts.join(' · '));
  }

  function connect() {
    const events = new EventSource('events');
    events.addEventListener('picture', e => { picture = JSON.parse(e.data); render(); });
    events.addEventListener('traffic', e => { traffic = JSON.parse(e.data); renderTraffic(); });
    events.onerror = () => status('the page server is not answering; trying again…');
  }

  connect();
})();
