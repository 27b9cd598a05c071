#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""kube-api.py PORT: the discovery answers of a Kubernetes API server, and
404 for every object, for kubectl apply --dry-run=client without a cluster
(tests/kubernetes.sh): kubectl then parses the manifests and maps each kind
to its resource as against a real server. No object is stored; nothing is
validated against the API's schema."""
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


def res(name, kind, namespaced):
    return {"name": name, "singularName": kind.lower(), "namespaced": namespaced, "kind": kind,
            "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"]}
DOCS = {
    "/api": {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []},
    "/apis": {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
        {"name": "apps", "versions": [{"groupVersion": "apps/v1", "version": "v1"}],
         "preferredVersion": {"groupVersion": "apps/v1", "version": "v1"}}]},
    "/api/v1": {"kind": "APIResourceList", "groupVersion": "v1", "resources": [res("namespaces", "Namespace", False)]},
    "/apis/apps/v1": {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "apps/v1",
                      "resources": [res("daemonsets", "DaemonSet", True)]},
}
class H(BaseHTTPRequestHandler):
    def do_GET(self):
        path = self.path.split("?")[0]
        doc = DOCS.get(path)
        sys.stderr.write("GET %s\n" % self.path)
        if doc is None:
            self.send_response(404); self.send_header("Content-Type", "application/json"); self.end_headers()
            self.wfile.write(b'{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}')
            return
        body = json.dumps(doc).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
