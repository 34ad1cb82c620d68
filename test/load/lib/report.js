'use strict';
/*
 * The figures of a run as markdown (printed, and written between the markers of
 * docs/reliability.md).
 */
const fs = require('node:fs');
const { ms } = require('../../bench/lib/stats');

/** The first of a source's per-kind messages, and how many more there are. */
function shortMessage(message) {
  const clip = t => {
    const x = t.replace(/https:\/\/127\.0\.0\.1:\d+/, '<fleet>');
    return x.length > 160 ? `${x.slice(0, 157)}...` : x;
  };
  const parts = String(message).split('; ');
  const kinds = parts.filter(p => /: list /.test(p));
  if (/circuit open/.test(parts[0])) {
    // "cluster x: circuit open after n consecutive failures; next attempt after …; last failure: …"
    return `${parts[0]}; last failure: ${clip(
      (kinds[0] || '').replace(/^last failure: /, ''),
    )}${kinds.length > 1 ? ` (and ${kinds.length - 1} more kinds)` : ''}`;
  }
  return `${clip(parts[0])}${
    parts.length > 1 ? ` (and ${parts.length - 1} more kinds)` : ''
  }`;
}

function report(r) {
  const m = r.machine;
  const L = r.load;
  const lines = [];
  const row = cells => lines.push(`| ${cells.join(' | ')} |`);
  lines.push(
    `Run of ${m.date.slice(0, 16).replace('T', ' ')} UTC, commit ${m.commit}; ${
      m.nproc
    } cores (${m.cpu}), ${m.memoryGiB} GiB, Node ${
      m.node
    }, PostgreSQL; load average (1/5/15 min) ${m.loadAverageAtStart.join(
      ' / ',
    )} at the start, ${m.loadAverageAtEnd.join(
      ' / ',
    )} at the end (the machine is shared). ${r.totalSeconds.toFixed(
      0,
    )} s in all.`,
    '',
    `Fleet: ${r.fleet.clusters} clusters, ${
      r.fleet.objects
    } objects, manual clock (90 s of scenario time, one commit rolled out everywhere, during the load). Two replicas of the backend on one PostgreSQL database, real scheduler; collection every ${
      r.collection.frequencyMs / 1000
    } s, sessions of ${r.collection.sessionMs / 1000} s, request timeout ${
      r.collection.requestTimeoutMs / 1000
    } s, circuit breaker ${r.collection.circuitBreaker.failures} failures / ${
      r.collection.circuitBreaker.halfOpenAfter.seconds
    } s pause (task timeout, i.e. the claim a dead replica leaves: ${
      (r.collection.sessionMs + 2 * r.collection.requestTimeoutMs + 30_000) /
      1000
    } s).`,
    '',
    '### Load',
    '',
  );
  row([
    'endpoint',
    'requests',
    'req/s',
    'errors',
    'timeouts',
    'non-2xx',
    'p50 ms',
    'p99 ms',
    'max ms',
  ]);
  row(['---', '--:', '--:', '--:', '--:', '--:', '--:', '--:', '--:']);
  for (const [name, x] of [
    ['entity status (11 entities)', L.status],
    ['deployments (9 filters)', L.deployments],
  ])
    row([
      name,
      x.requests,
      x.rps.toFixed(1),
      x.errors,
      x.timeouts,
      x.non2xx,
      ms(x.p50),
      ms(x.p99),
      ms(x.max),
    ]);
  row([
    '**both**',
    `**${L.total.requests}**`,
    `**${L.total.rps.toFixed(1)}**`,
    `**${L.total.errors}**`,
    `**${L.total.timeouts}**`,
    `**${L.total.non2xx}**`,
    '',
    '',
    '',
  ]);
  lines.push(
    '',
    `${r.options.rate} req/s asked (autocannon \`overallRate\`, ${
      r.options.connections
    } connections per endpoint) for ${r.options.duration} s on ${
      L.target === 'A' ? 'replica A' : 'both replicas, half each'
    }. autocannon releases each connection's quota at the start of every second, so requests come in bursts (up to ${
      r.options.connections * 2
    } at once) rather than evenly spaced: the latencies include queueing behind each burst. 1-minute load average during the load: ${L.loadAverage1mDuring.join(
      ', ',
    )}. Backend CPU time per request (warm-up, one endpoint at a time, ${
      r.options.rate / 2
    } req/s): status ${ms(r.cpuPerRequestMs.status)} ms, deployments ${ms(
      r.cpuPerRequestMs.deployments,
    )} ms; during the load ${ms(
      L.backendCpuPerRequestMs,
    )} ms per request (collection included), ${Object.entries(L.backendCpuShare)
      .map(
        ([n, v]) =>
          `replica ${n} at ${Math.round(
            v * 100,
          )} % of a core, event loop busy ${Math.round(
            L.eventLoopUtilization[n] * 100,
          )} %`,
      )
      .join(', ')}.`,
    '',
    '### Faults injected during the load',
    '',
  );
  row([
    'at (s)',
    'cluster',
    'fault',
    'shown as error in the API after',
    'message at the end of the load',
    'records served / stale',
    'in the store before → after',
  ]);
  row(['--:', '---', '---', '--:', '---', '--:', '--:']);
  for (const f of r.faults)
    row([
      f.atS.toFixed(1),
      f.cluster,
      `\`${f.fault}${f.delayMs ? ` ${f.delayMs / 1000} s` : ''}\``,
      f.errorSeenAfterS === undefined
        ? f.fault === 'watch-close'
          ? `never (stays ok; ${f.watchRequests} watch requests)`
          : '**never**'
        : `${f.errorSeenAfterS.toFixed(1)} s`,
      f.message ? `\`${shortMessage(f.message).replace(/\|/g, '\\|')}\`` : '—',
      `${f.recordsServed} / ${f.recordsStale}`,
      `${f.recordsBefore} → ${f.recordsInStore}`,
    ]);
  lines.push(
    '',
    `Healthy clusters at the end of the load: ${Object.entries(r.healthyAtEnd)
      .map(
        ([c, h]) =>
          `${c} ${h.status}, last success ${h.lastSuccessAgeS} s before, ${
            h.served
          } served, ${h.stale} stale${
            h.matchesFleet ? '' : ', behind the fleet'
          }`,
      )
      .join('; ')}.`,
    '',
    `Faults cleared: every cluster ok again after ${
      r.recoveryS?.toFixed(1) ?? '—'
    } s, store equal to the fleet after ${
      r.recoveredToFleetS?.toFixed(1) ?? '—'
    } s (per cluster: ${Object.entries(r.recovery?.firstOkS ?? {})
      .map(([c, t]) => `${c} ${t} s`)
      .join(', ')}). Back to error afterwards, within ${
      r.recovery?.watchedS ?? '—'
    } s: ${
      r.recovery?.flaps.length
        ? r.recovery.flaps
            .map(f => `${f.cluster} at ${f.atS} s (\`${f.message}\`)`)
            .join('; ')
        : 'none'
    }.`,
    '',
    '### Two replicas, one killed',
    '',
  );
  const k = r.kill;
  row(['', '']);
  row(['---', '---']);
  row([
    'replicas started together (one empty database)',
    r.replicaStart
      .map(
        s =>
          `${s.replica} ${
            s.ok
              ? `up in ${ms(s.ms)} ms`
              : `**failed**: \`${s.error.replace(/\|/g, '\\|')}\`; up after ${
                  s.restarts
                } restart(s)`
          }`,
      )
      .join('; '),
  ]);
  row([
    'collection sessions (A / B)',
    `${r.sessions.total} (${r.sessions.byReplica.A} / ${r.sessions.byReplica.B})`,
  ]);
  row(['sessions overlapping across replicas', r.sessions.overlaps]);
  row([
    "source-health writes outside the writer's session",
    r.sessions.strayWrites,
  ]);
  row([
    'gap between sessions p50 / max',
    `${ms(r.sessions.gapsS.p50 * 1000)} ms / ${r.sessions.gapsS.max.toFixed(
      1,
    )} s (the longest is the takeover)`,
  ]);
  row([
    'identical bodies from A and B',
    `${r.identical.identical}/${r.identical.urls} (${r.identical.identicalFirstTry} on the first try)`,
  ]);
  row([
    'killed',
    `${k.victim} (SIGKILL), ${k.intoSessionS.toFixed(2)} s into its session, ${
      k.afterFirstWriteMs ?? '—'
    } ms after its first observations write`,
  ]);
  row([
    'takeover (kill → next session on the survivor)',
    k.takeoverS === undefined ? '**none**' : `${k.takeoverS.toFixed(1)} s`,
  ]);
  row([
    'requests to the survivor meanwhile / failed',
    `${k.survivorServed.requests} / ${k.survivorServed.failures}`,
  ]);
  row([
    'objects changed in the fleet but not in the store, just after the kill',
    k.objectsBehindTheFleetAfterKill,
  ]);
  row([
    'until the takeover: oldest last success served / records marked stale',
    `${k.survivorServed.maxLastSuccessAgeS.toFixed(1)} s / ${
      k.survivorServed.staleMarks
    }`,
  ]);
  row([
    'records before the kill → after the takeover',
    `${k.recordsBefore} → ${k.recordsAfter}`,
  ]);
  row([
    '**records lost**',
    `**${k.lost.length + r.lostDuringFaults.store.length}** (faults: ${
      r.lostDuringFaults.store.length
    }, kill: ${k.lost.length})`,
  ]);
  row([
    'observations without record / records without observation / bindings without record',
    `${k.observationsWithoutRecord} / ${k.recordsWithoutObservation} / ${k.bindingsWithoutRecord}`,
  ]);
  row(['rows whose hash does not match their data', k.hashMismatches ?? 'n/a']);
  row([
    'objects per cluster, store vs fleet',
    Object.entries(k.perCluster).every(
      ([, v]) => v.expected === v.stored && !v.mismatches,
    )
      ? `equal on all ${
          Object.keys(k.perCluster).length
        } clusters (${Object.values(k.perCluster)
          .map(v => v.stored)
          .join(', ')})`
      : JSON.stringify(k.perCluster),
  ]);
  lines.push('', '### Promises', '');
  row(['promise', 'result', 'figures']);
  row(['---', '---', '---']);
  for (const c of r.checks)
    row([
      c.name,
      c.ok ? 'kept' : '**broken**',
      (c.detail || '').replace(/\|/g, '\\|'),
    ]);
  if (k.logLines.length) {
    lines.push('', 'Log lines after the kill:', '', '```');
    for (const l of k.logLines.slice(0, 12)) lines.push(l);
    lines.push('```');
  }
  return `${lines.join('\n')}\n`;
}

/** Replaces what is between the `start` and `end` markers of `doc` with `figures`. */
function writeDoc(figures, { doc, start, end, log }) {
  if (!fs.existsSync(doc)) {
    log(`${doc} does not exist; figures not written`);
    return;
  }
  const text = fs.readFileSync(doc, 'utf8');
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) {
    log(`no figures markers in ${doc}; figures not written`);
    return;
  }
  let out = `${text.slice(0, a + start.length)}\n\n${figures}\n${text.slice(
    b,
  )}`;
  try {
    // Formatted as the repository's `prettier --check .` wants it.
    const prettier = require('prettier');
    out = prettier.format(out, {
      ...prettier.resolveConfig.sync(doc),
      filepath: doc,
    });
  } catch (e) {
    log(`(figures not formatted: ${e.message})`);
  }
  fs.writeFileSync(doc, out);
  log(`figures written to ${doc}`);
}

module.exports = { report, shortMessage, writeDoc };
