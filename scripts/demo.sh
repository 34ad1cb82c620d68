#!/usr/bin/env bash
# Installs everything and starts the demo: the simulated fleet (https://127.0.0.1:7100), the backend
# (:7007, SQLite in memory) and the app (:3000). Stop with Ctrl-C.
source "$(dirname "$0")/bootstrap.sh"
exec yarn start
