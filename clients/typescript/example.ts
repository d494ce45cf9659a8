// tests/test_typescript_client.py runs this file against a live server, and checks that the
// README shows it as it is.
import createClient from "openapi-fetch";
import type { paths } from "./newsdesk.d.ts";

const env = process.env;
const baseUrl = env.NEWSDESK_URL ?? "http://127.0.0.1:8000";
const article = Number(env.NEWSDESK_ARTICLE ?? 1);
const speaker = Number(env.NEWSDESK_SPEAKER ?? 7);
const show = (line: object) => console.log(JSON.stringify(line)); // one JSON line per step

// openapi-fetch returns { data } on a 2xx, { error } (the typed error body) otherwise.
function ok<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data === undefined) {
    throw new Error(`${result.response.status} ${JSON.stringify(result.error)}`);
  }
  return result.data;
}

const auth = await createClient<paths>({ baseUrl }).POST("/api/auth/token/", {
  body: { username: env.NEWSDESK_USER ?? "editor", password: env.NEWSDESK_PASSWORD ?? "" },
});
const headers = { Authorization: `Token ${ok(auth).token}` }; // Token, not Bearer
const api = createClient<paths>({ baseUrl, headers });

const quotes = ok(await api.GET("/api/spans/", { params: { query: { kind: ["quote"], speaker } } }));
show({ quotes: quotes.results.map((span) => span.text) });

const span = ok(
  await api.POST("/api/spans/", {
    body: { article, kind: "mention", start: 0, end: 8, entity: speaker },
  }),
);
show({ created: span.id, text: span.text, version: span.version });

// Send the version you read: a change made meanwhile is a 409 with the span as it is now.
const path = { id: String(span.id) };
const read = span.version;
const updated = ok(
  await api.PATCH("/api/spans/{id}/", { params: { path }, body: { note: "checked", version: read } }),
);
show({ updated: updated.version });
const stale = await api.PATCH("/api/spans/{id}/", {
  params: { path },
  body: { note: "wrong", version: read },
});
if (stale.error && "current" in stale.error) {
  show({ stale: stale.response.status, current: stale.error.current });
}

// The export is JSON Lines, streamed: one span a line.
const exported = await api.GET("/api/spans/export/", {
  params: { query: { article } },
  parseAs: "stream",
});
let rest = "";
for await (const chunk of ok(exported)!.pipeThrough(new TextDecoderStream())) {
  const lines = (rest + chunk).split("\n");
  rest = lines.pop()!;
  for (const line of lines) show({ exported: JSON.parse(line) });
}
if (rest) show({ exported: JSON.parse(rest) });
