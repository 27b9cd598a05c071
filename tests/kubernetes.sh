#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# deploy/kubernetes, offline, no root needed:
#  - lensfs-node --install-only puts the hook and its hooks.d file under a
#    stand-in node root, and the hook runs from there;
#  - the DaemonSet's paths agree with the programs' defaults and with the
#    hooks.d file (tests/kubernetes.py); a planted disagreement is found;
#  - kubectl apply --dry-run=client takes the manifests, against a stand-in
#    API server that answers discovery only (tests/kube-api.py): what has
#    not run is a real cluster (docs/kubernetes.md).
. "$(dirname "$0")/tap.sh"
MANIFEST=$SRCDIR/deploy/kubernetes/lensfs.yaml
HOOK=$BUILDDIR/lensfs-hook

if ! python3 -c 'import yaml' 2>/dev/null; then
	echo "1..0 # SKIP needs python3-yaml"
	exit 77
fi
tmp=$(mktemp -d)
trap 'kill $api 2>/dev/null; rm -rf "$tmp"' EXIT

# --- lensfs-node's install on a node ------------------------------------------
out=$(LENSFS_HOST=$tmp/node LENSFS_NODE_HOOK=$HOOK LENSFS_NODE_HOOK_JSON=$BUILDDIR/config/lensfs-hook.json \
	sh "$SRCDIR/deploy/kubernetes/lensfs-node.sh" --install-only 2>&1)
check "lensfs-node --install-only" "$?" 0
check "the hook runs from the node's /opt/lensfs/bin" \
	"$("$tmp/node/opt/lensfs/bin/lensfs-hook" --version)" "$("$HOOK" --version)"
JSON=$tmp/node/etc/containers/oci/hooks.d/lensfs-hook.json
check "its hooks.d file is JSON that runs it there" \
	"$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["hook"]["path"])' "$JSON")" \
	/opt/lensfs/bin/lensfs-hook
check "nothing half-written left" "$(find "$tmp/node" -name '.*new' | wc -l)" 0

# --- the DaemonSet against the programs -----------------------------------------
help=$("$HOOK" --help)
MOUNTPOINT=$(sed -n 's/.*--mountpoint=DIR .*(default \([^)]*\)).*/\1/p' <<<"$help")
VIEWS=$(sed -n 's/.*--views=DIR .*(default \([^)]*\)).*/\1/p' <<<"$help")
check "lensfs-hook's defaults read from its --help" "$MOUNTPOINT $VIEWS" "/var/lib/lensfs /run/lensfs/views"
while read -r status line; do
	if [ "$status" = ok ]; then ok "${line#- }"; else not_ok "${line#ok - }"; fi
done < <(python3 "$SRCDIR/tests/kubernetes.py" "$MANIFEST" "$JSON" "$MOUNTPOINT" "$VIEWS")
# The check catches what it is for: views served where the hook does not look.
sed 's|^            - /run/lensfs/views$|            - /run/lensfs/elsewhere|' "$MANIFEST" >"$tmp/planted.yaml"
check "a planted --views elsewhere is found" \
	"$(python3 "$SRCDIR/tests/kubernetes.py" "$tmp/planted.yaml" "$JSON" "$MOUNTPOINT" "$VIEWS" |
		grep -c '^not ok - lensfs serves views where lensfs-hook looks for them')" 1

# --- kubectl ----------------------------------------------------------------
if command -v kubectl >/dev/null; then
	port=$((20000 + RANDOM % 20000))
	python3 "$SRCDIR/tests/kube-api.py" "$port" 2>"$tmp/api.log" &
	api=$!
	for _ in $(seq 50); do
		python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])))' \
			"$port" 2>/dev/null && break
		sleep 0.1
	done
	out=$(HOME=$tmp kubectl apply --dry-run=client --validate=false --server="http://127.0.0.1:$port" \
		-f "$MANIFEST" 2>&1)
	check "kubectl apply --dry-run=client --validate=false" "$out" \
		"namespace/lensfs created (dry run)
daemonset.apps/lensfs created (dry run)"
else
	not_ok "kubectl apply --dry-run=client: no kubectl (apt-get install kubernetes-client)"
fi

tap_end
