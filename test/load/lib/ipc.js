'use strict';
/*
 * Request/response over the child_process IPC channel (as test/bench/lib/ipc.js), plus events a
 * child sends unasked (`emit`): the backend replicas report session starts and ends, store writes
 * and warnings as they happen, so the driver can tell which replica did what, and when.
 */
const { fork } = require('node:child_process');

/** Parent side: forks `script`; `call(cmd, payload)`, `onEvent(fn)`, `stop()`, `kill()`. */
function startChild(script, { name, execArgv = [], env = {}, cwd } = {}) {
  const childEnv = { ...process.env, ...env };
  // The backend scheduler's janitor (which frees the lock of a replica that died) only runs when
  // NODE_ENV is not 'test'; never inherit a test environment.
  if (childEnv.NODE_ENV === 'test') delete childEnv.NODE_ENV;
  const proc = fork(script, [], {
    cwd,
    execArgv,
    env: childEnv,
    // The children's output goes to stderr: stdout is the driver's table.
    stdio: ['ignore', 2, 2, 'ipc'],
  });
  let nextId = 1;
  const pending = new Map();
  const listeners = [];
  proc.on('message', msg => {
    if (msg && msg.event) {
      for (const fn of listeners) fn(msg.event);
      return;
    }
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new Error(`${name}: ${msg.error}`));
  });
  const exited = new Promise(resolve =>
    proc.on('exit', (code, signal) => {
      for (const p of pending.values())
        p.reject(new Error(`${name} exited (${code ?? signal}) during a call`));
      pending.clear();
      resolve({ code, signal });
    }),
  );
  const call = (cmd, payload) =>
    new Promise((resolve, reject) => {
      if (proc.exitCode !== null || proc.signalCode) {
        reject(new Error(`${name} is not running`));
        return;
      }
      const id = nextId++;
      pending.set(id, { resolve, reject });
      proc.send({ id, cmd, payload });
    });
  /** Asks the child to stop, then kills it by its own pid if it has not exited. */
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode) return;
    try {
      await Promise.race([call('stop'), new Promise(r => setTimeout(r, 8000))]);
    } catch {
      /* exited already */
    }
    const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(t);
  };
  /** SIGKILL now, by pid: no shutdown hook, no goodbye to the database. */
  const kill = () => {
    proc.kill('SIGKILL');
    return exited;
  };
  return {
    proc,
    pid: proc.pid,
    call,
    stop,
    kill,
    exited,
    onEvent: fn => listeners.push(fn),
  };
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

/** Child side: an event for the driver, stamped with the wall clock (ms since the epoch). */
function emit(event) {
  if (process.connected) process.send({ event: { at: Date.now(), ...event } });
}

module.exports = { startChild, serve, emit };
