#!/usr/bin/env bash
# The demo an on-call engineer walks through, with curl, against a running server.
#   scripts/demo.sh [BASE_URL]        (default http://127.0.0.1:8000; start it with `make run`)
set -euo pipefail
BASE=${1:-${BASE_URL:-http://127.0.0.1:8000}}
command -v python3 >/dev/null || { echo "needs python3 (for reading JSON)"; exit 1; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1], {}, {'d': d}))" "$1"; }
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
call() {  # call METHOD PATH [BODY] -> prints body; fails on unexpected status
  local method=$1 path=$2 body=${3:-} expect=${EXPECT:-2}
  local out status
  out=$(curl -sS -X "$method" "$BASE$path" -H "Authorization: Bearer $TOKEN" \
        -H 'Content-Type: application/json' ${body:+-d "$body"} -w '\n%{http_code}')
  status=${out##*$'\n'}; out=${out%$'\n'*}
  if [[ $status != $expect* ]]; then echo "$method $path -> $status: $out" >&2; exit 1; fi
  printf '%s' "$out"
}

say "Log in as jordan"
TOKEN=$(curl -sS "$BASE/auth/login" -H 'Content-Type: application/json' \
  -d '{"username":"jordan","password":"demo123"}' | json "d['access_token']")
echo "token: ${TOKEN:0:24}..."

SERVICE=$(call GET /services | json "[s for s in d if s['name']=='checkout-api'][0]['id']")
OWNER=$(call GET /users | json "[u for u in d if u['username']=='avery'][0]['id']")

say "Create a SEV2 incident on checkout-api owned by avery"
ID=$(call POST /incidents "{\"title\":\"Checkout 502s after deploy\",\"description\":\"Edge returns 502 for 8% of checkouts\",\"severity\":\"SEV2\",\"service_id\":$SERVICE,\"assignee_id\":$OWNER}" | json "d['id']")
echo "INC-$ID opened"

say "Investigating"
call POST "/incidents/$ID/status" '{"status":"Investigating","note":"Paged in, looking at the LB"}' | json "'status=' + d['status'] + ', acknowledged_at=' + d['acknowledged_at']"

say "Apply runbook steps and comment"
RUNBOOK=$(call GET "/services/$SERVICE/runbooks" | json "d[0]['id']")
for step in 0 1; do
  call POST "/incidents/$ID/apply-runbook-step" "{\"runbook_id\":$RUNBOOK,\"step_index\":$step}" | json "d['body']"
done
call POST "/incidents/$ID/comments" '{"body":"Rolled back deploy 4812; 502s dropping"}' | json "d['body']"

say "Mitigated, then Resolved"
call POST "/incidents/$ID/status" '{"status":"Mitigated"}' | json "d['status']"
call POST "/incidents/$ID/status" '{"status":"Resolved"}' | json "d['status'] + ' (SLA: ' + d['sla']['state'] + ')'"

say "Try to close without an RCA (refused)"
EXPECT=409 call POST "/incidents/$ID/status" '{"status":"Closed"}' | json "d['detail']"

say "Fill and save the RCA"
call PUT "/incidents/$ID/rca" '{"root_cause":"Deploy 4812 shipped a bad upstream timeout","contributing_factors":"No canary for edge config","corrective_actions":"Rolled back; fixed the timeout","prevention_actions":"Canary stage for edge config changes"}' | json "'missing: ' + str(d['missing_fields'])"

say "Close"
call POST "/incidents/$ID/status" '{"status":"Closed"}' | json "d['status'] + ' at ' + d['closed_at']"

say "Export the post-incident report"
REPORT=$(mktemp --suffix=.md)
curl -sS -f "$BASE/incidents/$ID/report.md" -H "Authorization: Bearer $TOKEN" -o "$REPORT"
head -n 12 "$REPORT"; echo "... ($(wc -l <"$REPORT") lines, saved to $REPORT)"

say "Metrics"
call GET /metrics | json "'MTTA %ss, MTTR %ss, breach rate %s over %d incidents' % (d['mtta_seconds'], d['mttr_seconds'], d['breach_rate'], d['incident_count'])"
say "Demo complete"
