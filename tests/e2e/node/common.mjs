// Shared by the SDK clients: configuration from the environment, one JSON result on stdout.
//
//   GATEHOUSE_URL      the gateway's base URL (http://127.0.0.1:PORT)
//   GATEHOUSE_KEY      a gateway key
//   GATEHOUSE_REPO     X-Gatehouse-Repo (default acme/web-app)
//   GATEHOUSE_SESSION  X-Gatehouse-Session (optional)
//   GATEHOUSE_MODEL    the model to ask for
export function config() {
  const url = process.env.GATEHOUSE_URL;
  const key = process.env.GATEHOUSE_KEY;
  if (!url || !key) {
    throw new Error('GATEHOUSE_URL and GATEHOUSE_KEY must be set');
  }
  const headers = { 'X-Gatehouse-Repo': process.env.GATEHOUSE_REPO ?? 'acme/web-app' };
  if (process.env.GATEHOUSE_SESSION) {
    headers['X-Gatehouse-Session'] = process.env.GATEHOUSE_SESSION;
  }
  return { url, key, headers, model: process.env.GATEHOUSE_MODEL ?? 'gpt-4.1' };
}

// The x-gatehouse-* response headers.
export function gatehouseHeaders(headers) {
  return {
    requestId: headers?.get('x-gatehouse-request-id') ?? null,
    route: headers?.get('x-gatehouse-route') ?? null,
    servedBy: headers?.get('x-gatehouse-served-by') ?? null,
    overheadMs: headers?.get('x-gatehouse-overhead-ms') ?? null,
  };
}

export const weatherSchema = {
  type: 'object',
  properties: { city: { type: 'string', description: 'City name' } },
  required: ['city'],
};

export const question = 'what is the weather in Paris';
export const toolResult = 'sunny and 21 degrees';

// Runs one case of `cases` (named by argv[2]) and prints its result as JSON. An API error the
// case does not catch is printed as {"uncaught": {...}} with exit code 3; anything else is a
// crash of the script (exit 1).
export async function run(cases) {
  const name = process.argv[2];
  const fn = cases[name];
  if (!fn) {
    process.stderr.write(`unknown case '${name}'; known: ${Object.keys(cases).join(', ')}\n`);
    process.exit(2);
  }
  try {
    const result = await fn(config());
    process.stdout.write(JSON.stringify(result) + '\n');
  } catch (err) {
    if (err && typeof err.status === 'number') {
      process.stdout.write(JSON.stringify({ uncaught: describeError(err) }) + '\n');
      process.exit(3);
    }
    process.stderr.write(`${err?.stack ?? err}\n`);
    process.exit(1);
  }
}

export function describeError(err) {
  return {
    class: err?.constructor?.name ?? null,
    name: err?.name ?? null,
    status: err?.status ?? null,
    message: err?.message ?? String(err),
    type: err?.type ?? null,
    body: err?.error ?? null,
    headers: gatehouseHeaders(err?.headers),
  };
}
