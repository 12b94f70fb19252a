/**
 * A loopback web server for the link check tests: routes can be set and
 * changed while it runs (a page that changes or disappears between checks).
 * Unknown paths answer 404 with a page.
 */
import http from 'http';
import type { AddressInfo } from 'net';

export type Route = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface PageServer {
  origin: string;
  port: number;
  routes: Map<string, Route>;
  /** Serves `html` at `path` as UTF-8 (or `charset` bytes already encoded). */
  page(path: string, html: string | Buffer, contentType?: string): void;
  redirect(path: string, location: string, status?: number): void;
  close(): Promise<void>;
}

/** `port` 0 (default) picks a free one; a port that cannot be had falls back to a free one. */
export async function startPageServer(port = 0): Promise<PageServer> {
  const routes = new Map<string, Route>();
  const server = http.createServer((req, res) => {
    const route = routes.get(req.url ?? '');
    if (route) return route(req, res);
    res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<title>页面不存在</title>');
  });
  await new Promise<void>((resolve) => {
    server.once('error', () => server.listen(0, '127.0.0.1', resolve));
    server.listen(port, '127.0.0.1', resolve);
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${bound}`,
    port: bound,
    routes,
    page(path, html, contentType = 'text/html; charset=utf-8') {
      routes.set(path, (_req, res) => {
        res.writeHead(200, { 'content-type': contentType });
        res.end(html);
      });
    },
    redirect(path, location, status = 302) {
      routes.set(path, (_req, res) => {
        res.writeHead(status, { location });
        res.end();
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
