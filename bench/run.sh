#!/usr/bin/env bash
# make bench: load N incidents into PostgreSQL (BENCH_N, default 1,000,000), measure every
# operation next to its floor, write bench/RESULTS.md and bench/ratios.png. 127.0.0.1 only;
# every step is bounded by a timeout, so the run always stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
START=$(date +%s)
PY=backend/.venv/bin/python
WORK=bench/.work
mkdir -p "$WORK"
export BENCH_N="${BENCH_N:-1000000}"

if ! command -v wrk >/dev/null; then
  echo "bench: installing wrk (Debian package)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get install -y wrk >/dev/null 2>&1 || { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y wrk >/dev/null; }
fi
"$PY" -m pip install -q -r bench/requirements.txt

"$PY" - <<'PYEOF'
import asyncio, asyncpg, sys
async def probe():
    conn = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres", timeout=5)
    await conn.close()
try:
    asyncio.run(probe())
except Exception as exc:
    sys.exit(f"bench: PostgreSQL is not reachable at 127.0.0.1:5432 as postgres ({exc})")
PYEOF

echo "bench: loading $BENCH_N incidents into ic_bench"
T0=$(date +%s)
timeout 600 "$PY" bench/load_pg.py > "$WORK/load.out" 2> "$WORK/load.err" || { cat "$WORK/load.err"; exit 1; }
tail -n 1 "$WORK/load.out" > "$WORK/load.json"
echo "bench: loaded in $(( $(date +%s) - T0 )) s: $(cat "$WORK/load.json")"

echo "bench: measuring"
rm -f "$WORK/notify.json"
timeout 1200 "$PY" bench/bench.py
echo "bench: notifications (alert storm to a local sink, transitions with and without channels; API + worker, then one process)"
timeout 900 "$PY" bench/notify_bench.py
echo "bench: similar past incidents (GET /incidents/{id}/similar over random incidents)"
rm -f "$WORK/similar.json"
timeout 300 "$PY" bench/similar_bench.py
echo "bench: live stream fan-out (1,000 SSE clients on one worker: delivery latency, RSS per client)"
rm -f "$WORK/stream.json"
timeout 300 "$PY" bench/stream_bench.py || echo "bench: the stream fan-out figure failed (see above); RESULTS.md goes without it"
echo "bench: read replica (list and metrics with one streaming replica against the primary alone)"
rm -f "$WORK/replica.json"
timeout 900 "$PY" bench/replica_bench.py || echo "bench: the read-replica figure failed (see above); RESULTS.md goes without it"
timeout 120 "$PY" bench/report.py "$(( $(date +%s) - START ))"
echo "bench: done in $(( $(date +%s) - START )) s; see bench/RESULTS.md and bench/ratios.png"
