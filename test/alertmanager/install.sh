#!/usr/bin/env bash
# Installs Alertmanager from Debian's packages when it is absent (the external alerts integration
# test runs the binary itself, on 127.0.0.1 and a free port, with gossip disabled). Run it or
# source it; idempotent.
if ! command -v prometheus-alertmanager >/dev/null 2>&1 && ! command -v alertmanager >/dev/null 2>&1 \
  && [ ! -x /usr/bin/prometheus-alertmanager ]; then
  echo "alertmanager: installing prometheus-alertmanager from Debian packages"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends prometheus-alertmanager >/dev/null
  # Under systemd the package starts a service on :9093 (and gossips on :9094); the tests do not need it.
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet prometheus-alertmanager 2>/dev/null; then
    $SUDO systemctl disable --now prometheus-alertmanager >/dev/null 2>&1 || true
  fi
fi
