'use strict';
/*
 * The run's child processes: each in its own process group (detached), logged to a file, stopped
 * by group id at the end — only what this run started.
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');

const started = [];

function startGroup(name, command, args, { cwd, env, logFile }) {
  const out = fs.openSync(logFile, 'a');
  const child = spawn(command, args, {
    cwd,
    env,
    detached: true,
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  const proc = { name, child, pid: child.pid, logFile, exited: false };
  child.once('exit', (code, signal) => {
    proc.exited = true;
    proc.exitCode = code;
    proc.signal = signal;
  });
  started.push(proc);
  return proc;
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM to each group this run started, SIGKILL to what is left after 5 s. */
async function stopAll() {
  for (const p of started.reverse()) {
    try {
      process.kill(-p.pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  }
  const deadline = Date.now() + 5000;
  while (
    Date.now() < deadline &&
    started.some(p => alive(-p.pid) || alive(p.pid))
  )
    await new Promise(r => setTimeout(r, 100));
  for (const p of started) {
    try {
      process.kill(-p.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  started.length = 0;
}

/** Whether something already listens on the port (of 127.0.0.1). */
function portInUse(port) {
  return new Promise(resolve => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitFor(what, probe, { timeoutMs, intervalMs = 1000, proc }) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    if (proc && proc.exited)
      throw new Error(
        `${what}: ${proc.name} exited (${proc.exitCode ?? proc.signal}); see ${
          proc.logFile
        }`,
      );
    try {
      const value = await probe();
      if (value) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(
        `${what}: not ready after ${Math.round(timeoutMs / 1000)} s${
          last ? ` (${last.message})` : ''
        }`,
      );
    await new Promise(r => setTimeout(r, intervalMs));
  }
}

/** CPU time (user + system, ms) of one process, from /proc. */
function cpuMs(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 (1-based) of the whole line, in clock ticks (100/s).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

module.exports = { startGroup, stopAll, portInUse, waitFor, cpuMs };
