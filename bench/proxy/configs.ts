/** Generated configs for the benchmark's peers: everything under the run's temp dir, no root paths. */

const BODY = 'x'.repeat(100)

const tempPaths = (dir: string): string =>
  ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((k) => `  ${k}_temp_path ${dir}/${k}_temp;`)
    .join('\n')

/** A single-worker nginx answering `return 200` with a 100-byte body: a fast upstream. */
export function nginxUpstream(dir: string, port: number): string {
  return `worker_processes 1;
daemon off;
pid ${dir}/pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
${tempPaths(dir)}
  keepalive_requests 10000000;
  server {
    listen 127.0.0.1:${port};
    location / { default_type text/plain; return 200 '${BODY}'; }
  }
}
`
}

/** nginx as the peer proxy: weighted upstream 9:1 with kept-alive upstream connections. */
export function nginxProxy(dir: string, port: number, a: number, b: number): string {
  return `worker_processes 1;
daemon off;
pid ${dir}/pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
${tempPaths(dir)}
  keepalive_requests 10000000;
  upstream backends {
    server 127.0.0.1:${a} weight=9;
    server 127.0.0.1:${b} weight=1;
    keepalive 64;
    keepalive_requests 10000000;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://backends;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }
  }
}
`
}

/** HAProxy as the peer proxy: weighted round-robin 90/10, upstream connection reuse. */
export function haproxy(port: number, a: number, b: number): string {
  return `global
  nbthread 1
  maxconn 4096
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
  option http-keep-alive
  option forwardfor
  http-reuse always
frontend fe
  bind 127.0.0.1:${port}
  default_backend be
backend be
  balance roundrobin
  server a 127.0.0.1:${a} weight 90
  server b 127.0.0.1:${b} weight 10
`
}

/** `fledge proxy` inputs: a discovery dir (one file per service) and an SMI TrafficSplit. */
export function fledgeFiles(
  a: number,
  b: number,
): { disco: Record<string, string>; splits: string } {
  return {
    disco: {
      bench: `127.0.0.1 ${a}\n`,
      'bench-a': `127.0.0.1 ${a}\n`,
      'bench-b': `127.0.0.1 ${b}\n`,
    },
    splits: `apiVersion: split.smi-spec.io/v1alpha1
kind: TrafficSplit
metadata:
  name: bench
spec:
  service: bench
  backends:
    - service: bench-a
      weight: 900m
    - service: bench-b
      weight: 100m
`,
  }
}
