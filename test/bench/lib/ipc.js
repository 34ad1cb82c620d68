'use strict';
/*
 * Request/response over the child_process IPC channel: the orchestrator (run.js) drives the fleet,
 * the backend and the baseline, each in its own process, so CPU and memory figures of the backend are
 * its own.
 */
const { fork } = require('node:child_process');

/** Parent side: forks `script` and returns `call(cmd, payload)`. */
function startChild(script, { name, execArgv = [], env = {}, cwd } = {}) {
  const proc = fork(script, [], {
    cwd,
    execArgv,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let nextId = 1;
  const pending = new Map();
  proc.on('message', msg => {
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new Error(`${name}: ${msg.error}`));
  });
  proc.on('exit', code => {
    for (const p of pending.values())
      p.reject(new Error(`${name} exited (${code}) during a call`));
    pending.clear();
  });
  const call = (cmd, payload) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      proc.send({ id, cmd, payload });
    });
  /** Asks the child to stop, then kills it by its own pid if it has not exited. */
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode) return;
    const exited = new Promise(r => proc.once('exit', r));
    try {
      await Promise.race([call('stop'), new Promise(r => setTimeout(r, 5000))]);
    } catch {
      /* exited already */
    }
    const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(t);
  };
  return { proc, call, stop, pid: proc.pid };
}

/** Child side: answers calls with `handlers[cmd](payload)`; `stop` exits after answering. */
function serve(handlers) {
  process.on('message', async ({ id, cmd, payload }) => {
    try {
      const fn = handlers[cmd];
      if (!fn) throw new Error(`unknown command ${cmd}`);
      const result = await fn(payload);
      process.send({ id, ok: true, result });
      if (cmd === 'stop') setTimeout(() => process.exit(0), 50);
    } catch (e) {
      process.send({
        id,
        ok: false,
        error: e && e.stack ? e.stack : String(e),
      });
    }
  });
  process.on('disconnect', () => process.exit(0));
}

module.exports = { startChild, serve };
