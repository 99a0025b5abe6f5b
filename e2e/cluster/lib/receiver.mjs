// A real chat-bot group webhook on a loopback port (WeCom's protocol: POST {"msgtype":"text",
// "text":{"content":…}}, answer {"errcode":0}), keeping every message it is sent with its arrival
// time and the sender's TCP port. It accepts every message — it does not enforce a rate limit
// itself, so the suite measures the spacing the nodes keep.
import http from 'node:http';

/**
 * Starts a receiver. `hold(text)`: return true to leave that request unanswered (the first one
 * for which it does is held; the sender sees no answer until it gives up or dies).
 * Returns { url, port, got, held, waitFor(pred, withinMs), close() }; `got` is
 * [{ path, text, at, clientPort }] and `held` resolves with the held message.
 */
export async function startReceiver({ hold } = {}) {
  const got = [];
  const waiters = new Set();
  let heldOne = null;
  let resolveHeld;
  const held = new Promise((r) => (resolveHeld = r));
  const open = new Set();
  const server = http.createServer((req, res) => {
    const clientPort = req.socket.remotePort;
    const at = Date.now();
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let text = '';
      try {
        text = JSON.parse(Buffer.concat(chunks).toString('utf8'))?.text?.content ?? '';
      } catch {
        // not JSON: kept with an empty text
      }
      const msg = { path: req.url, text, at, clientPort };
      got.push(msg);
      for (const w of waiters) w();
      if (!heldOne && hold && hold(text)) {
        heldOne = msg;
        resolveHeld(msg);
        return; // no answer
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errcode: 0, errmsg: 'ok' }));
    });
  });
  server.on('connection', (s) => {
    open.add(s);
    s.on('close', () => open.delete(s));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const port = server.address().port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    got,
    held,
    /** The first message matching `pred` (from index `since` on), within `withinMs`. */
    waitFor(pred, withinMs, since = 0) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = got.slice(since).find(pred);
          if (hit) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve(hit);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`the receiver got no matching message within ${withinMs} ms (${got.length} messages in all)`));
        }, withinMs);
        waiters.add(check);
        check();
      });
    },
    close() {
      for (const s of open) s.destroy();
      return new Promise((r) => server.close(r));
    },
  };
}
